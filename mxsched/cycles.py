"""Repeating a schedule in cycles: cyclical learning rates and warm restarts, one engine.

Both classes here find the cycle ``k`` that holds step ``t`` (its start ``S_k`` and
length ``L_k``) in constant time, evaluate one cycle at the local step ``t - S_k``, and
scale cycle ``k`` by ``cycle_magnitude_decay ** k``. They differ in two choices:

* :class:`CyclicalSchedule` (the classic MXNet tutorial's API) builds each cycle from a
  schedule *class*, ``schedule_class(cycle_length=L_k, **kwargs)``, with integer lengths
  ``L_k = ceil(L_{k-1} * cycle_length_decay)``;
* :class:`Restarts` plays one schedule *instance*, stretched to each cycle's length
  ``L_k = cycle_length * cycle_length_decay ** k`` (a float, as timm and Keras have it),
  and adds what timm, Keras and PyTorch offer on top: decay of the height or of the peak
  above a floor, a cycle limit, k-decay.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Dict, List, Optional, Tuple, Type

import numpy as np

from .adapters import ScheduleLike, as_schedule
from .base import Phase, Schedule, between, interpolate
from .checks import (MAX_STEP, check_choice, check_factor, check_int, check_lr,
                     check_positive)
from .shapes import CosineAnnealing, TriangularSchedule

__all__ = ["CyclicalSchedule", "Restarts"]

#: a growing integer cycle length that needs more cycles than this to reach MAX_STEP is
#: rejected (the cycle starts are tabulated when the schedule is built).
MAX_CYCLES = 1_000_000
#: ``phases()`` lists at most this many cycles.
MAX_LISTED_CYCLES = 1000


# --------------------------------------------------------------------------- cycle tables
class _CeilCycles:
    """Integer cycle lengths ``L_k = ceil(L_{k-1} * decay)``, starts tabulated.

    Cycle starts are tabulated once, up to MAX_STEP (closed form when the length is
    constant, and once a shrinking length reaches its fixed point); a step is located by
    bisection. A growing length is only defined up to MAX_STEP.
    """

    def __init__(self, first: int, decay: float) -> None:
        starts: List[int] = [0]
        lengths: List[int] = [first]
        while decay != 1 and starts[-1] + lengths[-1] <= MAX_STEP:
            nxt = math.ceil(lengths[-1] * decay)
            if nxt == lengths[-1]:  # fixed point: all later cycles have this length
                break
            if len(starts) >= MAX_CYCLES:
                raise ValueError(
                    f"cycle_length_decay must make cycles grow faster: cycle_length={first!r} "
                    f"with cycle_length_decay={decay!r} needs more than {MAX_CYCLES} cycles "
                    f"to reach update {MAX_STEP}")
            starts.append(starts[-1] + lengths[-1])
            lengths.append(nxt)
        self.starts, self.lengths = starts, lengths
        self._starts_array = np.asarray(starts, dtype=np.float64)
        self._lengths_array = np.asarray(lengths, dtype=np.float64)
        # after the table, cycles repeat with the last length (fixed point or decay == 1)
        self.periodic = decay == 1 or math.ceil(lengths[-1] * decay) == lengths[-1]
        self.decay = decay

    def locate(self, t) -> Tuple[int, float, float]:
        i = bisect.bisect_right(self.starts, t) - 1
        start, length = self.starts[i], self.lengths[i]
        if t >= start + length:
            if not self.periodic:
                raise ValueError(f"num_update must be <= {MAX_STEP}, got {t!r}")
            extra = (t - start) // length  # whole cycles of the fixed length past start
            return i + int(extra), start + extra * length, length
        return i, start, length

    def span(self, t) -> Tuple[int, float, float, float]:
        """``locate(t)`` and the first step of the next cycle."""
        k, start, length = self.locate(t)
        return k, start, length, start + length

    def locate_values(self, t: np.ndarray):
        last_start, last_length = self.starts[-1], self.lengths[-1]
        if len(self.starts) == 1 and self.periodic:  # every cycle has the same length
            k = np.floor(t / last_length)
            return k, k * last_length, np.full_like(t, last_length)
        k = np.searchsorted(self._starts_array, t, side="right") - 1
        start, length = self._starts_array[k], self._lengths_array[k]
        k = k.astype(np.float64)
        tail = t >= last_start + last_length  # past the table: periodic or an error
        if tail.any():
            if not self.periodic:
                raise ValueError(f"steps must be <= {MAX_STEP}, got {t[tail].flat[0]!r}")
            extra = np.floor((t[tail] - last_start) / last_length)
            k[tail] += extra
            start[tail] += extra * last_length
        return k, start, length

    def bounds(self, k: int) -> Tuple[float, float]:
        """``(S_k, L_k)`` for listing phases."""
        if k < len(self.starts):
            return self.starts[k], self.lengths[k]
        extra = k - len(self.starts) + 1
        return self.starts[-1] + extra * self.lengths[-1], self.lengths[-1]


#: Up to this many cycles, _GeometricCycles.locate_values looks cycles up in a table.
_TABLE_CYCLES = 4096


class _GeometricCycles:
    """Float cycle lengths ``L_k = first * mult ** k``, located in closed form."""

    def __init__(self, first: int, mult: float) -> None:
        self.first, self.mult = first, mult

    def start(self, k):
        m = self.mult
        if m == 1:
            return self.first * k
        return self.first * (m ** k - 1) / (m - 1)

    def locate(self, t) -> Tuple[int, float, float]:
        m = self.mult
        if m == 1:
            k = math.floor(t / self.first)
        else:
            k = math.floor(math.log1p(t * (m - 1) / self.first) / math.log(m))
            if self.start(k + 1) <= t:  # float error in the log
                k += 1
            elif self.start(k) > t:
                k -= 1
        return k, self.start(k), self.first * m ** k

    def span(self, t) -> Tuple[int, float, float, float]:
        """``locate(t)`` and the first step of the next cycle (where locate moves on)."""
        k, start, length = self.locate(t)
        return k, start, length, self.start(k + 1)

    def locate_values(self, t: np.ndarray):
        m = self.mult
        if m == 1:
            k = np.floor(t / self.first)
            return k, self.first * k, np.full_like(t, float(self.first))
        last = self.locate(float(t.max(initial=0.0)))[0] if t.size else 0
        if last < _TABLE_CYCLES:
            # A table of the (few) cycles reached, built with the scalar formulas, and a
            # binary search: the same cycles, starts and lengths as locate(), with no power
            # per step.
            ks = range(last + 2)
            starts = np.array([self.start(k) for k in ks])
            lengths = np.array([self.first * m ** k for k in ks])
            k = np.searchsorted(starts, t, side="right") - 1
            return k, starts[k], lengths[k]
        k = np.floor(np.log1p(t * (m - 1) / self.first) / math.log(m))
        k = np.where(self._starts(k + 1) <= t, k + 1, k)
        k = np.where(self._starts(k) > t, k - 1, k)
        return k, self._starts(k), self.first * np.power(m, k)

    def _starts(self, k):
        m = self.mult
        if m == 1:
            return self.first * k
        return self.first * (np.power(m, k) - 1) / (m - 1)

    def bounds(self, k: int) -> Tuple[float, float]:
        return self.start(k), self.first * self.mult ** k


# --------------------------------------------------------------------------- the engine
class _Cycles(Schedule):
    """The restart engine: cycle ``k`` of ``_table``, scaled by ``decay ** k``.

    Subclasses set ``_table``, ``_decay``, ``_mode`` ('height' or 'peak'), ``_limit``
    (None or a number of cycles), ``_floor`` and ``_top`` in their constructor and
    define ``_cycle_at(local, length)`` / ``_cycle_values(k, local, length)``: the value
    of a cycle of ``length`` at its local step.
    """

    _limit: Optional[int] = None
    #: The cycle of the last scalar call: (start, next start, k, length, gain). Optimizers
    #: ask for consecutive updates, so the next call is nearly always in the same cycle and
    #: skips the search. Only a speed-up: it holds what locating the step would give.
    _last_cycle: Tuple = (1.0, 0.0, 0, 0.0, 1.0)

    def _at(self, t):
        start, end, k, length, gain = self._last_cycle
        if not start <= t < end:
            k, start, length, end = self._table.span(t)
            gain = self._decay ** k
            # bypasses the freeze on purpose: a cache, not state (not pickled or compared)
            object.__setattr__(self, "_last_cycle", (start, end, k, length, gain))
        if self._limit is not None and k >= self._limit:
            return self._floor
        value = self._cycle_at(t - start, length)
        return self._scale(value, gain) if k and gain != 1 else value

    def _values(self, t):
        k, start, length = self._table.locate_values(t)
        out = self._cycle_values(k, t - start, length)
        if self._decay != 1:
            with np.errstate(under="ignore"):
                top = int(k.max(initial=0))
                if top < 65536:  # a table look-up is much cheaper than a power per step
                    gain = np.power(self._decay, np.arange(top + 1.0))[k.astype(np.int64)]
                else:
                    gain = np.power(self._decay, k)
            out = self._scale(out, gain)
        if self._limit is not None:
            out = np.where(k >= self._limit, self._floor, out)
        return out

    def _scale(self, value, gain):
        """A value of cycle ``k`` scaled by ``gain = decay ** k`` (see the class docs)."""
        floor, top = self._floor, self._top
        if self._mode == "height" or top == floor:
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

    def _peak(self):
        return max(self._top, self._floor)

    def phases(self, total_steps=None):
        out = []
        limit = MAX_LISTED_CYCLES if self._limit is None else min(self._limit,
                                                                  MAX_LISTED_CYCLES)
        for k in range(limit):
            start, length = self._table.bounds(k)
            if total_steps is not None and start >= total_steps:
                return out
            end = start + length
            out.append(Phase(f"cycle {k}", start,
                             end if total_steps is None else min(end, total_steps)))
            if total_steps is None and k == 0 and self._limit is None:
                return out + [Phase("further cycles", end, None)]
        if self._limit is not None:
            start, _ = self._table.bounds(self._limit)
            if total_steps is None or start < total_steps:
                out.append(Phase("floor", start, total_steps))
        return out


class CyclicalSchedule(_Cycles):
    """Repeat ``schedule_class`` in cycles whose length and height may decay.

    Cycle ``k`` (``k = 0, 1, ...``) has length ``L_k`` and starts at ``S_k``::

        L_0 = cycle_length,  L_k = ceil(L_{k-1} * cycle_length_decay)
        S_k = L_0 + ... + L_{k-1}
        lr(t) = schedule_class(cycle_length=L_k, **kwargs)(t - S_k) * cycle_magnitude_decay ** k
                for S_k <= t < S_{k+1}

    With ``TriangularSchedule`` this is the cyclical learning rate of Smith (2015)
    (PyTorch ``CyclicLR``, mode ``'triangular'``, with ``step_size_up = cycle_length / 2``);
    with ``CosineAnnealing`` and ``cycle_length_decay = T_mult`` it is SGDR's warm
    restarts (PyTorch ``CosineAnnealingWarmRestarts``).

    Cycle ``k`` covers ``S_k <= t < S_{k+1}``: the update ``t = S_{k+1}`` already starts
    the next cycle. A run of exactly ``S_{k+1}`` updates therefore ends on a restart;
    wrap in ``LinearCoolDown(sched, finish_lr, start_idx=S_{k+1} - 1, length=0)`` (or plan
    one update fewer) to end at the floor.

    Cost per call does not grow with ``t``: cycle starts are tabulated once at
    construction (closed form when ``cycle_length_decay = 1``; when the length shrinks it
    reaches a fixed point and the rest is closed form) and found by bisection. Cycles
    that grow are defined up to update ``2**53``.

    Parameters
    ----------
    schedule_class : type
        An mxsched schedule class taking a ``cycle_length`` keyword, e.g.
        :class:`TriangularSchedule` or :class:`CosineAnnealing`.
    cycle_length : int
        Length of the first cycle (``>= 1``).
    cycle_length_decay : float, default 1
        Each cycle is ``ceil(previous * cycle_length_decay)`` long (``> 0``).
    cycle_magnitude_decay : float, default 1
        Cycle ``k`` is multiplied by ``cycle_magnitude_decay ** k``, in ``(0, 1]`` (a
        growing magnitude would overflow, and ``base_lr`` is the first cycle's peak).
    **kwargs
        The other arguments of ``schedule_class`` (checked at construction).

    Examples
    --------
    >>> s = CyclicalSchedule(CosineAnnealing, cycle_length=2, cycle_length_decay=2,
    ...                      cycle_magnitude_decay=0.5, min_lr=0.0, max_lr=1.0)
    >>> [round(s(t), 4) for t in range(8)]
    [1.0, 0.5, 0.5, 0.4268, 0.25, 0.0732, 0.25, 0.2405]

    References
    ----------
    Smith, "Cyclical Learning Rates for Training Neural Networks", 2015 (arXiv:1506.01186).
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016
    (arXiv:1608.03983).
    """

    _positional = ("schedule_class",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule_class=CosineAnnealing, cycle_length=30, cycle_length_decay=2,
                    cycle_magnitude_decay=0.7, min_lr=0.005, max_lr=0.1)

    def __init__(self, schedule_class: Type[Schedule], cycle_length: int,
                 cycle_length_decay: float = 1, cycle_magnitude_decay: float = 1,
                 **kwargs: Any) -> None:
        super().__init__()
        if not (isinstance(schedule_class, type) and issubclass(schedule_class, Schedule)):
            raise TypeError(f"schedule_class must be an mxsched schedule class, "
                            f"got {schedule_class!r}")
        if "cycle_length" in kwargs:
            raise TypeError("cycle_length is set by CyclicalSchedule, not passed in kwargs")
        self.schedule_class = schedule_class
        self.cycle_length = check_int("cycle_length", cycle_length)
        self.cycle_length_decay = check_positive("cycle_length_decay", cycle_length_decay)
        self.cycle_magnitude_decay = check_factor("cycle_magnitude_decay",
                                                  cycle_magnitude_decay)
        try:
            first = schedule_class(cycle_length=self.cycle_length, **kwargs)
        except TypeError as err:
            raise TypeError(f"schedule_class {schedule_class.__name__} does not accept "
                            f"cycle_length={self.cycle_length!r} with kwargs "
                            f"{kwargs!r}: {err}") from None
        # the arguments as the first cycle normalised them (Python floats, not numpy's)
        normalised = first._kwargs()
        self.kwargs = {k: normalised.get(k, v) for k, v in kwargs.items()}
        self._first = first
        self._by_length: Dict[float, Schedule] = {self.cycle_length: first}  # a cache
        self._table = _CeilCycles(self.cycle_length, self.cycle_length_decay)
        self._decay, self._mode = self.cycle_magnitude_decay, "height"
        self._floor, self._top = 0.0, first._peak()

    def _child(self, length) -> Schedule:
        child = self._by_length.get(length)
        if child is None:
            child = self.schedule_class(cycle_length=int(length), **self.kwargs)
            self._by_length[length] = child
        return child

    def _cycle_at(self, local, length):
        return self._child(length)._at(local)

    def _cycle_values(self, k, local, length):
        first = self._first
        if hasattr(first, "_values_at_lengths"):  # one pass over cycles of every length
            return first._values_at_lengths(local, length)
        out = np.empty_like(local)
        for cycle_len in np.unique(length):
            mask = length == cycle_len
            out[mask] = self._child(float(cycle_len))._values(local[mask])
        return out

    def _scaled(self, factor):
        lr_names = self.schedule_class._lr_params
        kwargs = {name: value * factor if name in lr_names and value is not None else value
                  for name, value in self.kwargs.items()}
        return CyclicalSchedule(self.schedule_class, self.cycle_length,
                                self.cycle_length_decay, self.cycle_magnitude_decay, **kwargs)

    def _repr_args(self):
        args = [(None, self.schedule_class), ("cycle_length", self.cycle_length)]
        if self.cycle_length_decay != 1:
            args.append(("cycle_length_decay", self.cycle_length_decay))
        if self.cycle_magnitude_decay != 1:
            args.append(("cycle_magnitude_decay", self.cycle_magnitude_decay))
        return args + sorted(self.kwargs.items())


class Restarts(_Cycles):
    """Repeat a schedule in cycles whose length and height may change (warm restarts).

    ``schedule`` describes one cycle over its first ``cycle_length`` steps. With ``L =
    cycle_length`` and ``m = cycle_length_decay``, cycle ``k = 0, 1, ...`` starts at
    ``S_k`` and lasts ``L_k``; the schedule is played stretched to that length, optionally
    warped by ``kd = k_decay``::

        L_k = L * m ** k,    S_k = L * (m ** k - 1) / (m - 1)     (S_k = L * k if m = 1)
        u   = L * ((t - S_k) / L_k) ** kd                         (local step of the schedule;
                                                                   t - S_k itself if L_k = L)
        v   = schedule(u)

    and, with ``f = min_lr`` (default ``schedule(L)``, where a cycle ends) and
    ``g = cycle_magnitude_decay ** k``::

        height mode:  lr(t) = f + g * (v - f)                    (Keras m_mul, PyTorch triangular2)
        peak mode:    lr(t) = f + (v - f) * (g * peak - f) / (peak - f)   (timm cycle_decay)
        lr(t) = f   from cycle ``cycle_limit`` on (if given)

    In peak mode, once ``g * peak`` falls below ``f`` the cycle runs between the two
    upside down, as timm's does.

    Recipes (each checked against the library's formula in the tests):

    * timm ``CosineLRScheduler(t_initial=L, lr_min=a, cycle_mul=m, cycle_decay=d,
      cycle_limit=n, k_decay=kd)``:
      ``Restarts(CosineAnnealing(a, lr, L), L, m, d, 'peak', n, kd)``;
      ``TanhLRScheduler`` likewise with :class:`TanhDecay`;
    * Keras ``CosineDecayRestarts(lr, L, t_mul, m_mul, alpha)``:
      ``Restarts(CosineAnnealing(alpha * lr, lr, L), L, t_mul, m_mul)``;
    * PyTorch ``CyclicLR(a, b, step_size_up=s, mode='triangular2')``:
      ``Restarts(TriangularSchedule(a, b, 2 * s), 2 * s, cycle_magnitude_decay=0.5)``.

    To repeat a warm-up at every restart, wrap the schedule in it before restarting
    (it is stretched with its cycle). :class:`CyclicalSchedule` is the same engine with
    integer cycle lengths and a schedule *class* rebuilt for each cycle.

    Parameters
    ----------
    schedule : schedule
        One cycle, over steps ``[0, cycle_length]`` (never modified).
    cycle_length : int
        Length of the first cycle (``>= 1``).
    cycle_length_decay : float, default 1
        Each cycle is ``cycle_length_decay`` times longer than the previous (``>= 1``).
    cycle_magnitude_decay : float, default 1
        Per-cycle factor in ``(0, 1]`` of the height (or of the peak, see
        ``magnitude_mode``).
    magnitude_mode : {'height', 'peak'}, default 'height'
        What ``cycle_magnitude_decay`` shrinks: the height above ``min_lr``, or the peak.
    cycle_limit : int, optional
        Number of cycles (``>= 1``); afterwards the value stays at ``min_lr``.
    k_decay : float, default 1
        k-decay exponent (``> 0``); ``> 1`` keeps the value high for longer.
    min_lr : float, optional
        Level the cycles decay towards; default ``schedule(cycle_length)``. In peak mode it
        must not exceed the schedule's peak. ``base_lr`` is the larger of the schedule's
        peak and ``min_lr``.

    Examples
    --------
    >>> s = Restarts(CosineAnnealing(0.0, 1.0, 2), cycle_length=2, cycle_length_decay=2,
    ...              cycle_magnitude_decay=0.5)
    >>> [round(s(t), 4) for t in range(8)]
    [1.0, 0.5, 0.5, 0.4268, 0.25, 0.0732, 0.25, 0.2405]

    References
    ----------
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    Zhang & Li, "k-decay: A New Method For Learning Rate Schedule", 2020 (arXiv:2004.05909).
    """

    _lr_params = ("min_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CosineAnnealing(0.005, 0.1, 40), cycle_length=40,
                    cycle_length_decay=1.5, cycle_magnitude_decay=0.7)

    def __init__(self, schedule: ScheduleLike, cycle_length: int,
                 cycle_length_decay: float = 1.0, cycle_magnitude_decay: float = 1.0,
                 magnitude_mode: str = "height", cycle_limit: Optional[int] = None,
                 k_decay: float = 1.0, min_lr: Optional[float] = None) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.cycle_length = check_int("cycle_length", cycle_length)
        self.cycle_length_decay = check_positive("cycle_length_decay", cycle_length_decay)
        if self.cycle_length_decay < 1:
            raise ValueError(f"cycle_length_decay must be >= 1, got {cycle_length_decay!r}")
        self.cycle_magnitude_decay = check_factor("cycle_magnitude_decay",
                                                  cycle_magnitude_decay)
        self.magnitude_mode = check_choice("magnitude_mode", magnitude_mode,
                                           ("height", "peak"))
        self.cycle_limit = None if cycle_limit is None else check_int("cycle_limit",
                                                                      cycle_limit)
        self.k_decay = check_positive("k_decay", k_decay)
        self.min_lr = None if min_lr is None else check_lr("min_lr", min_lr)
        self._table = _GeometricCycles(self.cycle_length, self.cycle_length_decay)
        self._decay, self._mode = self.cycle_magnitude_decay, self.magnitude_mode
        self._limit = self.cycle_limit
        self._floor = self.schedule._at(self.cycle_length) if min_lr is None else self.min_lr
        self._top = self.schedule._peak()
        if self._mode == "peak" and self._floor > self._top:
            raise ValueError(f"min_lr must be <= the schedule's peak {self._top!r} in peak "
                             f"mode, got {self._floor!r}")

    def _local(self, local, length):
        if self.k_decay == 1:  # (x ** 1.0 is x: the same value without the power)
            return local if length == self.cycle_length else self.cycle_length * (local / length)
        return self.cycle_length * (local / length) ** self.k_decay

    def _cycle_at(self, local, length):
        if self.k_decay == 1 and length == self.cycle_length:  # _local's common case, inline
            return self.schedule._at(local)
        return self.schedule._at(self._local(local, length))

    def _cycle_values(self, k, local, length):
        stretched = self.cycle_length * (local / length) ** self.k_decay
        if self.k_decay == 1:  # cycles of the first length are played as they are, exactly
            stretched = np.where(length == self.cycle_length, local, stretched)
        return self.schedule._values(stretched)

    def _repr_args(self):
        args = [("schedule", self.schedule), ("cycle_length", self.cycle_length)]
        defaults = [("cycle_length_decay", 1.0), ("cycle_magnitude_decay", 1.0),
                    ("magnitude_mode", "height"), ("cycle_limit", None), ("k_decay", 1.0),
                    ("min_lr", None)]
        for name, default in defaults:
            value = getattr(self, name)
            if value != default:
                args.append((name, value))
        return args
