"""Cool-downs: the end of a schedule, and the warm-up-stable-decay recipe built on one.

:class:`LinearCoolDown` replaces what follows ``start_idx`` in any schedule by a straight
line to ``finish_lr``; :class:`WarmupStableDecay` is the recipe whose point is its final
decay (a short warm-up, a long constant phase, then a cool-down of a chosen shape).
"""
from __future__ import annotations

import math

import numpy as np

from .adapters import ScheduleLike, as_schedule
from .base import Phase, Schedule, between, interpolate, shift_phases
from .checks import check_choice, check_int, check_lr, check_positive
from .shapes import TriangularSchedule, check_min_max

__all__ = ["LinearCoolDown", "WarmupStableDecay"]


class LinearCoolDown(Schedule):
    """The wrapped schedule until ``start_idx``, then a straight line to ``finish_lr``.

    With ``s = schedule(start_idx)``::

        lr(t) = schedule(t)                                              for t <= start_idx
                s + (finish_lr - s) * (t - start_idx) / length           up to start_idx + length
                finish_lr                                                after

    ``length = 0`` is an instant drop to ``finish_lr`` after ``start_idx``. ``base_lr``
    is the larger of the wrapped schedule's ``base_lr`` and ``finish_lr``; assigning it
    rescales ``finish_lr`` and the wrapped schedule together.

    Parameters
    ----------
    schedule : Schedule, mx.lr_scheduler.LRScheduler or callable
        What runs before the cool-down (copied, never modified).
    finish_lr : float
        Final value (``>= 0``).
    start_idx : int
        Last update of the wrapped schedule (``>= 0``).
    length : int
        Updates in the cool-down (``>= 0``).

    Examples
    --------
    >>> s = LinearCoolDown(TriangularSchedule(0.1, 1.0, 4), finish_lr=0.0, start_idx=4, length=2)
    >>> [round(s(t), 4) for t in range(8)]
    [0.1, 0.55, 1.0, 0.55, 0.1, 0.05, 0.0, 0.0]
    """

    _lr_params = ("finish_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=TriangularSchedule(0.02, 0.1, 120), finish_lr=0.001,
                    start_idx=120, length=80)

    def __init__(self, schedule: ScheduleLike, finish_lr: float, start_idx: int,
                 length: int) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.finish_lr = check_lr("finish_lr", finish_lr)
        self.start_idx = check_int("start_idx", start_idx, minimum=0)
        self.length = check_int("length", length, minimum=0)
        self._start_value = self.schedule._at(self.start_idx)

    def _at(self, t):
        if t <= self.start_idx:
            return self.schedule._at(t)
        if t >= self.start_idx + self.length:
            return self.finish_lr
        s = self._start_value
        return between(s + (self.finish_lr - s) * (t - self.start_idx) / self.length, s,
                       self.finish_lr)

    def _values(self, t):
        before = t <= self.start_idx
        if before.all():
            return self.schedule._values(t)
        start, finish = self._start_value, self.finish_lr
        if before.any():  # the schedule at every step, clamped; the rest overwritten by index
            out = self.schedule._values(np.minimum(t, float(self.start_idx)))
            cool = np.flatnonzero(~before)
            t = t[cool]
        else:
            out, cool = None, None
        done = np.clip(t - self.start_idx, 0.0, self.length)
        tail = np.where(t >= self.start_idx + self.length, finish,
                        between(start + (finish - start) * done / max(self.length, 1), start,
                                finish))
        if out is None:
            return tail
        out[cool] = tail
        return out

    def _peak(self):
        return max(self.schedule._peak(), self.finish_lr)

    def phases(self, total_steps=None):
        end = self.start_idx + self.length
        out = shift_phases(self.schedule.phases(self.start_idx), 0, self.start_idx)
        if self.length:
            out.append(Phase("cool-down", self.start_idx, end))
        return out + shift_phases([Phase("final", end, None)], 0, total_steps)

    def _repr_args(self):
        return [("schedule", self.schedule), ("finish_lr", self.finish_lr),
                ("start_idx", self.start_idx), ("length", self.length)]




_SHAPES = ("linear", "cosine", "1-sqrt")


class WarmupStableDecay(Schedule):
    """Warm-up, stable, decay (MiniCPM's WSD; Hugging Face ``get_wsd_schedule``).

    With ``W, S, D`` the warm-up, stable and decay lengths and ``r = min_lr / max_lr``,
    the rate is ``max_lr * f(t)``::

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
    min_lr : float
        Start of the warm-up and end of the decay (``<= max_lr``).
    max_lr : float
        The stable value; ``base_lr``.
    warmup_length, stable_length, decay_length : int
        Phase lengths (``>= 0``).
    warmup_shape, decay_shape : {'linear', 'cosine', '1-sqrt'}
        Shapes of the warm-up (default linear) and of the decay (default cosine).
    num_cycles : float, default 0.5
        Cosine waves in the decay (0.5: half a cosine).

    Examples
    --------
    >>> s = WarmupStableDecay(0.1, 1.0, warmup_length=2, stable_length=2, decay_length=2,
    ...                       decay_shape="1-sqrt")
    >>> [round(s(t), 4) for t in range(8)]
    [0.1, 0.55, 1.0, 1.0, 1.0, 0.3636, 0.1, 0.1]

    References
    ----------
    Hu et al., "MiniCPM: Unveiling the Potential of Small Language Models with Scalable
    Training Strategies", 2024.
    """

    _lr_params = ("min_lr", "max_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(min_lr=0.005, max_lr=0.1, warmup_length=30, stable_length=90,
                    decay_length=60)

    def __init__(self, min_lr: float, max_lr: float, warmup_length: int, stable_length: int,
                 decay_length: int, warmup_shape: str = "linear", decay_shape: str = "cosine",
                 num_cycles: float = 0.5) -> None:
        super().__init__()
        self.min_lr, self.max_lr = check_min_max(min_lr, max_lr)
        self.warmup_length = check_int("warmup_length", warmup_length, minimum=0)
        self.stable_length = check_int("stable_length", stable_length, minimum=0)
        self.decay_length = check_int("decay_length", decay_length, minimum=0)
        self.warmup_shape = check_choice("warmup_shape", warmup_shape, _SHAPES)
        self.decay_shape = check_choice("decay_shape", decay_shape, _SHAPES)
        self.num_cycles = check_positive("num_cycles", num_cycles)
        self._ratio = self.min_lr / self.max_lr if self.max_lr > 0 else 0.0

    def _warm(self, p, xp):
        if self.warmup_shape == "linear":
            return p
        if self.warmup_shape == "cosine":
            return 0.5 * (1.0 - xp.cos(math.pi * p))
        return 1.0 - xp.sqrt(1.0 - p)

    def _decay(self, p, xp):
        if self.decay_shape == "linear":
            return 1.0 - p
        if self.decay_shape == "cosine":
            return 0.5 * (1.0 + xp.cos(math.pi * self.num_cycles * 2.0 * p))
        return 1.0 - xp.sqrt(p)

    def _at(self, t):
        w, s, d, r = self.warmup_length, self.stable_length, self.decay_length, self._ratio
        if t < w:
            factor = interpolate(r, 1.0, self._warm(t / w, math))
        elif t < w + s:
            factor = 1.0
        elif t < w + s + d:
            factor = interpolate(r, 1.0, self._decay((t - w - s) / d, math))
        else:
            factor = r
        return self.max_lr * factor

    def _values(self, t):
        w, s, d, r = self.warmup_length, self.stable_length, self.decay_length, self._ratio
        warm = interpolate(r, 1.0, self._warm(np.minimum(t / max(w, 1), 1.0), np))
        dec = interpolate(r, 1.0, self._decay(np.clip((t - w - s) / max(d, 1), 0.0, 1.0), np))
        return self.max_lr * np.where(t < w, warm, np.where(t < w + s, 1.0,
                                                            np.where(t < w + s + d, dec, r)))

    def _peak(self):
        return self.max_lr

    def phases(self, total_steps=None):
        w, s, d = self.warmup_length, self.stable_length, self.decay_length
        out = [Phase("warm-up", 0, w), Phase("stable", w, w + s),
               Phase("decay", w + s, w + s + d), Phase("floor", w + s + d, None)]
        return shift_phases([p for p in out if p.end is None or p.end > p.start], 0,
                            total_steps)

    def _repr_args(self):
        return [("min_lr", self.min_lr), ("max_lr", self.max_lr),
                ("warmup_length", self.warmup_length), ("stable_length", self.stable_length),
                ("decay_length", self.decay_length), ("warmup_shape", self.warmup_shape),
                ("decay_shape", self.decay_shape), ("num_cycles", self.num_cycles)]
