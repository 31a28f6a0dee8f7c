"""Warm restarts of any schedule: period multiplier, peak decay, cycle limit, k-decay.

:class:`Restarts` replays a schedule in cycles of growing length (a float multiplier, as
timm and Keras have it; the core :class:`mxsched.CyclicalSchedule` rebuilds a schedule
class with integer lengths instead). Cycle ``i`` is found in closed form, so a call
costs the same at any ``t``.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .base import (Phase, Schedule, between, check_choice, check_factor, check_int,
                   check_lr, check_positive, interpolate)
from .modifiers import ScheduleLike, as_schedule

__all__ = ["Restarts"]

#: ``phases()`` lists at most this many cycles.
MAX_LISTED_CYCLES = 1000


class Restarts(Schedule):
    """Repeat ``schedule`` in cycles whose length and height may change.

    ``schedule`` describes one cycle over its first ``period`` steps. With ``P =
    period`` and ``m = period_mult``, cycle ``i = 0, 1, ...`` starts at ``S_i`` and lasts
    ``T_i``; the schedule is played stretched to that length, optionally warped by
    ``k = k_decay``::

        T_i = P * m ** i,    S_i = P * (m ** i - 1) / (m - 1)     (S_i = P * i if m = 1)
        u   = P * ((t - S_i) / T_i) ** k                          (local step of the schedule)
        v   = schedule(u)

    and, with ``f = floor`` (default ``schedule(P)``, where a cycle ends) and ``g =
    decay ** i``::

        height mode:  lr(t) = f + g * (v - f)                      (Keras m_mul, PyTorch triangular2)
        peak mode:    lr(t) = f + (v - f) * (g * peak - f) / (peak - f)   (timm cycle_decay)
        lr(t) = f   from cycle ``cycle_limit`` on (if given)

    Recipes (each checked against the library's formula in the tests):

    * timm ``CosineLRScheduler(t_initial=P, lr_min=a, cycle_mul=m, cycle_decay=d,
      cycle_limit=n, k_decay=k)``:
      ``Restarts(CosineDecay(lr, P, a), P, m, d, 'peak', n, k)``;
      ``TanhLRScheduler`` likewise with :class:`TanhDecay`;
    * Keras ``CosineDecayRestarts(L, P, t_mul, m_mul, alpha)``:
      ``Restarts(CosineDecay(L, P, alpha * L), P, t_mul, m_mul)``;
    * PyTorch ``CyclicLR(a, b, step_size_up=s, mode='triangular2')``:
      ``Restarts(TriangularSchedule(a, b, 2 * s), 2 * s, decay=0.5)``.

    To repeat a warm-up at every restart, wrap the schedule in it before restarting
    (it is stretched with its cycle).

    Parameters
    ----------
    schedule : schedule
        One cycle, over steps ``[0, period]`` (copied, never modified).
    period : int
        Length of the first cycle (``>= 1``).
    period_mult : float, default 1
        Each cycle is ``period_mult`` times longer than the previous (``>= 1``).
    decay : float, default 1
        Per-cycle factor in ``(0, 1]`` of the height (or of the peak, see ``decay_mode``).
    decay_mode : {'height', 'peak'}, default 'height'
    cycle_limit : int, optional
        Number of cycles (``>= 1``); afterwards the value stays at ``floor``.
    k_decay : float, default 1
        k-decay exponent (``> 0``); ``> 1`` keeps the value high for longer.
    floor : float, optional
        Level the cycles decay towards; default ``schedule(period)``. In peak mode it
        must not exceed the schedule's peak. ``base_lr`` is the larger of the schedule's
        peak and ``floor``.

    Examples
    --------
    >>> from mxsched import CosineDecay
    >>> s = Restarts(CosineDecay(1.0, 2), period=2, period_mult=2, decay=0.5)
    >>> [round(s(t), 4) for t in range(8)]
    [1.0, 0.5, 0.5, 0.4268, 0.25, 0.0732, 0.25, 0.2405]

    References
    ----------
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    Zhang & Li, "k-decay: A New Method For Learning Rate Schedule", 2020 (arXiv:2004.05909).
    """

    @classmethod
    def _example_args(cls) -> dict:
        import mxsched as ms  # pylint: disable=import-outside-toplevel
        return dict(schedule=ms.CosineDecay(0.1, 40, 0.005), period=40, period_mult=1.5, decay=0.7)

    _lr_params = ("floor",)

    def __init__(self, schedule: ScheduleLike, period: int, period_mult: float = 1.0,
                 decay: float = 1.0, decay_mode: str = "height",
                 cycle_limit: Optional[int] = None, k_decay: float = 1.0,
                 floor: Optional[float] = None) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.period = check_int("period", period)
        self.period_mult = check_positive("period_mult", period_mult)
        if self.period_mult < 1:
            raise ValueError(f"period_mult must be >= 1, got {period_mult!r}")
        self.decay = check_factor("decay", decay)
        self.decay_mode = check_choice("decay_mode", decay_mode, ("height", "peak"))
        self.cycle_limit = None if cycle_limit is None else check_int("cycle_limit",
                                                                      cycle_limit)
        self.k_decay = check_positive("k_decay", k_decay)
        self.floor = None if floor is None else check_lr("floor", floor)
        self._floor = self.schedule._at(self.period) if self.floor is None else self.floor
        self._top = self.schedule._peak()
        if self.decay_mode == "peak" and self._floor > self._top:
            raise ValueError(f"floor must be <= the schedule's peak {self._top!r} in peak "
                             f"mode, got {self._floor!r}")

    # -- cycles ----------------------------------------------------------------
    def _start(self, i):
        m = self.period_mult
        if m == 1:
            return self.period * i
        return self.period * (m ** i - 1) / (m - 1)

    def _cycle(self, t):
        m = self.period_mult
        if m == 1:
            i = math.floor(t / self.period)
        else:
            i = math.floor(math.log1p(t * (m - 1) / self.period) / math.log(m))
            if self._start(i + 1) <= t:  # float error in the log
                i += 1
            elif self._start(i) > t:
                i -= 1
        return i

    def _cycles(self, t):
        m = self.period_mult
        if m == 1:
            return np.floor(t / self.period)
        i = np.floor(np.log1p(t * (m - 1) / self.period) / math.log(m))
        i = np.where(self._starts(i + 1) <= t, i + 1, i)
        return np.where(self._starts(i) > t, i - 1, i)

    def _starts(self, i):
        m = self.period_mult
        if m == 1:
            return self.period * i
        return self.period * (np.power(m, i) - 1) / (m - 1)

    # -- evaluation ------------------------------------------------------------
    def _scale(self, value, gain):
        floor, top = self._floor, self._top
        if self.decay_mode == "height" or top == floor:
            return interpolate(floor, value, gain)
        # peak mode: [floor, top] mapped linearly onto [floor, gain * top]. Once the decayed
        # peak is below the floor the cycle runs upside down between gain * top and floor,
        # as timm's cycle_decay does (a value below floor then counts as floor).
        ratio = (gain * top - floor) / (top - floor)
        if isinstance(ratio, np.ndarray):
            falling = interpolate(floor, value, np.maximum(ratio, 0.0))
            rising = between(floor + (np.maximum(value, floor) - floor) * ratio, gain * top,
                             floor)
            return np.where(ratio >= 0, falling, rising)
        if ratio >= 0:
            return interpolate(floor, value, ratio)
        return between(floor + (max(value, floor) - floor) * ratio, gain * top, floor)

    def _at(self, t):
        i = self._cycle(t)
        if self.cycle_limit is not None and i >= self.cycle_limit:
            return self._floor
        length = self.period * self.period_mult ** i
        u = self.period * ((t - self._start(i)) / length) ** self.k_decay
        value = self.schedule._at(u)
        return self._scale(value, self.decay ** i) if i else value

    def _values(self, t):
        i = self._cycles(t)
        length = self.period * np.power(self.period_mult, i)
        u = self.period * ((t - self._starts(i)) / length) ** self.k_decay
        with np.errstate(under="ignore"):
            out = self._scale(self.schedule._values(u), np.power(self.decay, i))
        if self.cycle_limit is not None:
            out = np.where(i >= self.cycle_limit, self._floor, out)
        return out

    # -- base_lr, phases, repr --------------------------------------------------
    def _peak(self):
        return max(self._top, self._floor)

    def phases(self, total_steps=None):
        out = []
        limit = MAX_LISTED_CYCLES if self.cycle_limit is None else self.cycle_limit
        for i in range(min(limit, MAX_LISTED_CYCLES)):
            start, end = self._start(i), self._start(i + 1)
            if total_steps is not None and start >= total_steps:
                return out
            out.append(Phase(f"cycle {i}", start,
                             end if total_steps is None else min(end, total_steps)))
            if total_steps is None and i == 0 and self.cycle_limit is None:
                return out + [Phase("further cycles", end, None)]
        if self.cycle_limit is not None:
            start = self._start(self.cycle_limit)
            if total_steps is None or start < total_steps:
                out.append(Phase("floor", start, total_steps))
        return out

    def _repr_args(self):
        args = [("schedule", self.schedule), ("period", self.period)]
        defaults = [("period_mult", 1.0), ("decay", 1.0), ("decay_mode", "height"),
                    ("cycle_limit", None), ("k_decay", 1.0), ("floor", None)]
        for name, default in defaults:
            value = getattr(self, name)
            if value != default:
                args.append((name, value))
        return args
