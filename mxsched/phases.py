"""Multi-phase schedules: hold, warm-up–stable–decay, warm-up–hold–cosine, Keras cosine
decay with warm-up, and the 1-cycle policy as PyTorch parameterises it.

Steps are indices: ``sched(t)`` is the published formula at step ``t``. PyTorch and
Keras use index ``k - 1`` for their ``k``-th update; ``Delay(sched, 1)`` replays their
runs update for update under MXNet (which asks for ``sched(k)`` at update ``k``).
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .base import (Phase, Schedule, between, check_bool, check_choice, check_int, check_lr,
                   check_positive, interpolate, shift_phases)
from .decay import CosineDecay
from .modifiers import LinearWarmUp, ScheduleLike, as_schedule

__all__ = ["Hold", "WarmupStableDecay", "WarmupHoldCosine", "KerasCosineDecay",
           "TorchOneCycle"]


def _check_ratio(name, value):
    value = check_lr(name, value)
    if value > 1:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return value


class Hold(Schedule):
    """Hold the schedule's first value for ``length`` steps, then run it shifted::

        lr(t) = schedule(0)             for t < length
                schedule(t - length)    after

    Examples
    --------
    >>> from mxsched import LinearSchedule
    >>> s = Hold(LinearSchedule(1.0, 0.0, 2), length=2)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        import mxsched as ms  # pylint: disable=import-outside-toplevel
        return dict(schedule=ms.CosineDecay(0.1, 150, 0.005), length=50)

    def __init__(self, schedule: ScheduleLike, length: int) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.length = check_int("length", length)

    def _at(self, t):
        return self.schedule._at(max(t - self.length, 0))

    def _values(self, t):
        return self.schedule._values(np.maximum(t - self.length, 0.0))

    def _peak(self):
        return self.schedule._peak()

    def phases(self, total_steps=None):
        inner = None if total_steps is None else max(total_steps - self.length, 0)
        return [Phase("hold", 0, self.length)] + shift_phases(
            self.schedule.phases(inner), self.length, total_steps)

    def _repr_args(self):
        return [("schedule", self.schedule), ("length", self.length)]


_WARMUP_TYPES = ("linear", "cosine", "1-sqrt")


class WarmupStableDecay(Schedule):
    """Warm-up, stable, decay (Hugging Face ``get_wsd_schedule``; MiniCPM's WSD).

    With ``W, S, D`` the warm-up, stable and decay lengths, ``r = min_lr_ratio`` and
    ``f`` a factor of ``lr``::

        warm-up, t < W:          p = t / W
            linear: p;  cosine: (1 - cos(pi p)) / 2;  1-sqrt: 1 - sqrt(1 - p)
            f = r + (1 - r) * that
        stable, W <= t < W + S:  f = 1
        decay, t < W + S + D:    p = (t - W - S) / D
            linear: 1 - p;  cosine: (1 + cos(2 pi num_cycles p)) / 2;  1-sqrt: 1 - sqrt(p)
            f = r + (1 - r) * that
        after:                   f = r

    Parameters
    ----------
    lr : float
        The stable value; ``base_lr``.
    warmup_steps, stable_steps, decay_steps : int
        Phase lengths (``>= 0``).
    warmup_type, decay_type : {'linear', 'cosine', '1-sqrt'}
        Shapes of the warm-up (default linear) and the decay (default cosine).
    min_lr_ratio : float, default 0
        Start of the warm-up and end of the decay, as a fraction of ``lr``.
    num_cycles : float, default 0.5
        Cosine waves in the decay (0.5: half a cosine).

    Examples
    --------
    >>> s = WarmupStableDecay(1.0, warmup_steps=2, stable_steps=2, decay_steps=2,
    ...                       decay_type="1-sqrt", min_lr_ratio=0.1)
    >>> [round(s(t), 4) for t in range(8)]
    [0.1, 0.55, 1.0, 1.0, 1.0, 0.3636, 0.1, 0.1]

    References
    ----------
    Hu et al., "MiniCPM: Unveiling the Potential of Small Language Models with Scalable
    Training Strategies", 2024.
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, warmup_steps=30, stable_steps=90, decay_steps=60, min_lr_ratio=0.05)

    def __init__(self, lr: float, warmup_steps: int, stable_steps: int, decay_steps: int,
                 warmup_type: str = "linear", decay_type: str = "cosine",
                 min_lr_ratio: float = 0.0, num_cycles: float = 0.5) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        self.stable_steps = check_int("stable_steps", stable_steps, minimum=0)
        self.decay_steps = check_int("decay_steps", decay_steps, minimum=0)
        self.warmup_type = check_choice("warmup_type", warmup_type, _WARMUP_TYPES)
        self.decay_type = check_choice("decay_type", decay_type, _WARMUP_TYPES)
        self.min_lr_ratio = _check_ratio("min_lr_ratio", min_lr_ratio)
        self.num_cycles = check_positive("num_cycles", num_cycles)

    def _warm(self, p, xp):
        if self.warmup_type == "linear":
            return p
        if self.warmup_type == "cosine":
            return 0.5 * (1.0 - xp.cos(math.pi * p))
        return 1.0 - xp.sqrt(1.0 - p)

    def _decay(self, p, xp):
        if self.decay_type == "linear":
            return 1.0 - p
        if self.decay_type == "cosine":
            return 0.5 * (1.0 + xp.cos(math.pi * self.num_cycles * 2.0 * p))
        return 1.0 - xp.sqrt(p)

    def _at(self, t):
        w, s, d, r = self.warmup_steps, self.stable_steps, self.decay_steps, self.min_lr_ratio
        if t < w:
            factor = interpolate(r, 1.0, self._warm(t / w, math))
        elif t < w + s:
            factor = 1.0
        elif t < w + s + d:
            factor = interpolate(r, 1.0, self._decay((t - w - s) / d, math))
        else:
            factor = r
        return self.lr * factor

    def _values(self, t):
        w, s, d, r = self.warmup_steps, self.stable_steps, self.decay_steps, self.min_lr_ratio
        warm = interpolate(r, 1.0, self._warm(np.minimum(t / max(w, 1), 1.0), np))
        dec = interpolate(r, 1.0, self._decay(np.clip((t - w - s) / max(d, 1), 0.0, 1.0), np))
        return self.lr * np.where(t < w, warm, np.where(t < w + s, 1.0,
                                                        np.where(t < w + s + d, dec, r)))

    def _peak(self):
        return self.lr

    def phases(self, total_steps=None):
        w, s, d = self.warmup_steps, self.stable_steps, self.decay_steps
        out = [Phase("warm-up", 0, w), Phase("stable", w, w + s),
               Phase("decay", w + s, w + s + d), Phase("floor", w + s + d, None)]
        return shift_phases([p for p in out if p.end is None or p.end > p.start], 0,
                            total_steps)

    def _repr_args(self):
        return [("lr", self.lr), ("warmup_steps", self.warmup_steps),
                ("stable_steps", self.stable_steps), ("decay_steps", self.decay_steps),
                ("warmup_type", self.warmup_type), ("decay_type", self.decay_type),
                ("min_lr_ratio", self.min_lr_ratio), ("num_cycles", self.num_cycles)]


class WarmupHoldCosine(Schedule):
    """Linear warm-up from ``start_lr``, hold at ``peak_lr``, cosine decay to ``min_lr``
    ending at ``total_steps``, then ``min_lr`` for ever.

    With ``W = warmup_steps``, ``H = hold_steps`` and ``D = total_steps - W - H``::

        lr(t) = start_lr + (peak_lr - start_lr) * t / W                        for t <= W
                peak_lr                                                        for t <= W + H
                min_lr + (peak_lr - min_lr) * (1 + cos(pi * (t - W - H) / D)) / 2  up to total_steps
                min_lr                                                         after

    Examples
    --------
    >>> s = WarmupHoldCosine(0.0, 1.0, total_steps=8, warmup_steps=2, hold_steps=2)
    >>> [round(s(t), 4) for t in range(10)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    _lr_params = ("start_lr", "peak_lr", "min_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(start_lr=0.0, peak_lr=0.1, total_steps=180, warmup_steps=30, hold_steps=30, min_lr=0.002)

    def __init__(self, start_lr: float, peak_lr: float, total_steps: int, warmup_steps: int,
                 hold_steps: int = 0, min_lr: float = 0.0) -> None:
        super().__init__()
        self.start_lr = check_lr("start_lr", start_lr)
        self.peak_lr = check_lr("peak_lr", peak_lr)
        if self.peak_lr < self.start_lr:
            raise ValueError(f"peak_lr must be >= start_lr={self.start_lr!r}, got {peak_lr!r}")
        self.total_steps = check_int("total_steps", total_steps)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        self.hold_steps = check_int("hold_steps", hold_steps, minimum=0)
        if self.total_steps <= self.warmup_steps + self.hold_steps:
            raise ValueError(f"total_steps must be > warmup_steps + hold_steps = "
                             f"{self.warmup_steps + self.hold_steps}, got {total_steps!r}")
        self.min_lr = check_lr("min_lr", min_lr)
        if self.min_lr > self.peak_lr:
            raise ValueError(f"min_lr must be <= peak_lr={self.peak_lr!r}, got {min_lr!r}")
        self._decay = CosineDecay(self.peak_lr,
                                  self.total_steps - self.warmup_steps - self.hold_steps,
                                  self.min_lr)

    def _at(self, t):
        w = self.warmup_steps
        if t <= w:
            return interpolate(self.start_lr, self.peak_lr, t / w) if w else self.peak_lr
        return self._decay._at(max(t - w - self.hold_steps, 0))

    def _values(self, t):
        w = self.warmup_steps
        out = self._decay._values(np.maximum(t - w - self.hold_steps, 0.0))
        if w:
            warm = t <= w
            out[warm] = interpolate(self.start_lr, self.peak_lr, t[warm] / w)
        return out

    def _peak(self):
        return self.peak_lr

    def phases(self, total_steps=None):
        w, h, n = self.warmup_steps, self.hold_steps, self.total_steps
        out = [Phase("warm-up", 0, w), Phase("hold", w, w + h), Phase("decay", w + h, n),
               Phase("floor", n, None)]
        return shift_phases([p for p in out if p.end is None or p.end > p.start], 0,
                            total_steps)

    def _repr_args(self):
        return [("start_lr", self.start_lr), ("peak_lr", self.peak_lr),
                ("total_steps", self.total_steps), ("warmup_steps", self.warmup_steps),
                ("hold_steps", self.hold_steps), ("min_lr", self.min_lr)]


class KerasCosineDecay(Schedule):
    """Keras ``CosineDecay``, same parameters, same values at every step.

    Without ``warmup_target``: ``L = initial_learning_rate`` and, for every ``t``::

        lr(t) = L * ((1 - alpha) * (1 + cos(pi * min(t, decay_steps) / decay_steps)) / 2 + alpha)

    With ``warmup_target = L``: a linear warm-up from ``initial_learning_rate`` to ``L``
    over ``warmup_steps``, then the decay above from ``L``, shifted by ``warmup_steps``.
    It is ``LinearWarmUp(CosineDecay(L, decay_steps, alpha * L), initial_learning_rate,
    warmup_steps)``; ``base_lr`` is ``L``.

    Parameters
    ----------
    initial_learning_rate : float
        Start value (``<= warmup_target`` when that is given).
    decay_steps : int
        Steps of the cosine (``>= 1``).
    alpha : float, default 0
        The floor as a fraction of ``L``, in ``[0, 1]``.
    warmup_target : float, optional
        Value reached by the warm-up.
    warmup_steps : int, default 0
        Steps of the warm-up (``>= 1`` when ``warmup_target`` is given).

    Examples
    --------
    >>> s = KerasCosineDecay(0.0, decay_steps=4, alpha=0.1, warmup_target=1.0, warmup_steps=2)
    >>> [round(s(t), 4) for t in range(8)]
    [0.0, 0.5, 1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]
    """

    _lr_params = ("initial_learning_rate", "warmup_target")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(initial_learning_rate=0.0, decay_steps=150, alpha=0.05, warmup_target=0.1, warmup_steps=30)

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 warmup_target: Optional[float] = None, warmup_steps: int = 0) -> None:
        super().__init__()
        self.initial_learning_rate = check_lr("initial_learning_rate", initial_learning_rate)
        self.decay_steps = check_int("decay_steps", decay_steps)
        self.alpha = _check_ratio("alpha", alpha)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        if warmup_target is not None:
            warmup_target = check_lr("warmup_target", warmup_target)
            if warmup_target < self.initial_learning_rate:
                raise ValueError(f"warmup_target must be >= initial_learning_rate="
                                 f"{self.initial_learning_rate!r}, got {warmup_target!r}")
            if self.warmup_steps == 0:
                raise ValueError("warmup_steps must be >= 1 when warmup_target is given, got 0")
        elif self.warmup_steps:
            raise ValueError(f"warmup_target must be given when warmup_steps > 0, "
                             f"got None with warmup_steps={warmup_steps!r}")
        self.warmup_target = warmup_target
        target = (self.initial_learning_rate if self.warmup_target is None
                  else self.warmup_target)
        decay = CosineDecay(target, self.decay_steps, self.alpha * target)
        self._schedule = (decay if self.warmup_target is None else
                          LinearWarmUp(decay, self.initial_learning_rate, self.warmup_steps))

    def _at(self, t):
        return self._schedule._at(t)

    def _values(self, t):
        return self._schedule._values(t)

    def _peak(self):
        return self._schedule._peak()

    def phases(self, total_steps=None):
        w, d = self.warmup_steps, self.decay_steps
        out = [Phase("warm-up", 0, w), Phase("decay", w, w + d), Phase("floor", w + d, None)]
        return shift_phases([p for p in out if p.end is None or p.end > p.start], 0,
                            total_steps)

    def _repr_args(self):
        args = [("initial_learning_rate", self.initial_learning_rate),
                ("decay_steps", self.decay_steps), ("alpha", self.alpha)]
        if self.warmup_target is not None:
            args += [("warmup_target", self.warmup_target), ("warmup_steps", self.warmup_steps)]
        return args


class TorchOneCycle(Schedule):
    """The 1-cycle policy as PyTorch's ``OneCycleLR`` parameterises it.

    ``initial = max_lr / div_factor``, ``final = initial / final_div_factor``,
    ``N = total_steps``. Phases end at ``e1 = pct_start * N - 1`` and ``N - 1``
    (three-phase: ``e1``, ``e2 = 2 * pct_start * N - 2``, ``N - 1``); in each phase the
    value anneals (``cos``: ``end + (start - end) * (1 + cos(pi * p)) / 2``;
    ``linear``: ``start + (end - start) * p``) with ``p`` the fraction of the phase done::

        two-phase:    initial -> max_lr over [0, e1],  max_lr -> final over [e1, N - 1]
        three-phase:  initial -> max_lr over [0, e1],  max_lr -> initial over [e1, e2],
                      initial -> final over [e2, N - 1]
        after N - 1:  final

    **Step mapping.** ``sched(i)`` is PyTorch's learning rate after ``i`` calls of
    ``scheduler.step()`` (index ``i``, ``0 <= i < N``). PyTorch trains its ``k``-th
    update with index ``k - 1``; MXNet asks for ``sched(k)``. So
    ``Delay(TorchOneCycle(...), 1)`` gives an MXNet run the very learning rates of the
    PyTorch run, update for update (index ``N - 1`` at update ``N``). Past the end the
    value stays at ``final`` (PyTorch raises).

    Parameters
    ----------
    max_lr : float
        The peak; ``base_lr`` (``initial`` and ``final`` follow it when it is assigned).
    total_steps : int
        Steps in the cycle (``>= 2``).
    pct_start : float, default 0.3
        Fraction of the cycle spent increasing; ``pct_start * total_steps`` must exceed 1
        (PyTorch divides by ``e1``) and the phases must not be empty.
    anneal_strategy : {'cos', 'linear'}, default 'cos'
    div_factor : float, default 25
        ``initial = max_lr / div_factor`` (``>= 1``).
    final_div_factor : float, default 1e4
        ``final = initial / final_div_factor`` (``>= 1``).
    three_phase : bool, default False

    Examples
    --------
    >>> s = TorchOneCycle(1.0, total_steps=10, pct_start=0.3, anneal_strategy="linear",
    ...                   div_factor=10, final_div_factor=10)
    >>> [round(s(t), 4) for t in range(11)]
    [0.1, 0.55, 1.0, 0.8586, 0.7171, 0.5757, 0.4343, 0.2929, 0.1514, 0.01, 0.01]

    References
    ----------
    Smith & Topin, "Super-Convergence", 2017 (arXiv:1708.07120).
    """

    _lr_params = ("max_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_lr=0.1, total_steps=200)

    def __init__(self, max_lr: float, total_steps: int, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False) -> None:
        super().__init__()
        self.max_lr = check_lr("max_lr", max_lr)
        self.total_steps = check_int("total_steps", total_steps, minimum=2)
        self.pct_start = check_positive("pct_start", pct_start)
        if self.pct_start >= 1:
            raise ValueError(f"pct_start must be in (0, 1), got {pct_start!r}")
        self.anneal_strategy = check_choice("anneal_strategy", anneal_strategy,
                                            ("cos", "linear"))
        self.div_factor = _check_div("div_factor", div_factor)
        self.final_div_factor = _check_div("final_div_factor", final_div_factor)
        self.three_phase = check_bool("three_phase", three_phase)
        n = self.total_steps
        ends = [self.pct_start * n - 1]
        if self.three_phase:
            ends.append(2 * self.pct_start * n - 2)
        ends.append(n - 1.0)
        starts = [0.0] + ends[:-1]
        if ends[0] <= 0 or any(e <= s for s, e in zip(starts, ends)):
            raise ValueError(f"pct_start must leave every phase non-empty (pct_start * "
                             f"total_steps > 1, phases ending at {ends!r}), got {pct_start!r}")
        self._starts, self._ends = starts, ends

    def _levels(self):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        if self.three_phase:
            return [(initial, self.max_lr), (self.max_lr, initial), (initial, final)]
        return [(initial, self.max_lr), (self.max_lr, final)]

    def _anneal(self, start, end, pct, xp):
        # PyTorch's formulas, kept between the two ends against float rounding
        if self.anneal_strategy == "cos":
            value = end + (start - end) / 2.0 * (xp.cos(math.pi * pct) + 1)
        else:
            value = (end - start) * pct + start
        return between(value, start, end)

    def _at(self, t):
        levels = self._levels()
        t = min(t, self._ends[-1])
        for (start, end), s, e in zip(levels, self._starts, self._ends):
            if t <= e:
                return self._anneal(start, end, (t - s) / (e - s), math)
        raise AssertionError("unreachable")  # pragma: no cover

    def _values(self, t):
        t = np.minimum(t, self._ends[-1])
        out = np.empty_like(t)
        done = np.zeros(t.shape, dtype=bool)
        for (start, end), s, e in zip(self._levels(), self._starts, self._ends):
            mask = (t <= e) & ~done
            out[mask] = self._anneal(start, end, (t[mask] - s) / (e - s), np)
            done |= mask
        return out

    def _peak(self):
        return self.max_lr

    def phases(self, total_steps=None):
        names = ["warm-up", "anneal", "annihilate"] if self.three_phase else ["warm-up",
                                                                                "anneal"]
        out = [Phase(n, s, e) for n, s, e in zip(names, self._starts, self._ends)]
        out.append(Phase("floor", self._ends[-1], None))
        return shift_phases(out, 0, total_steps)

    def _repr_args(self):
        return [("max_lr", self.max_lr), ("total_steps", self.total_steps),
                ("pct_start", self.pct_start), ("anneal_strategy", self.anneal_strategy),
                ("div_factor", self.div_factor), ("final_div_factor", self.final_div_factor),
                ("three_phase", self.three_phase)]


def _check_div(name, value):
    value = check_positive(name, value)
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return value
