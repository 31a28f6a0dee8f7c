"""Repeating a one-cycle schedule: cyclical learning rates and warm restarts (SGDR)."""
from __future__ import annotations

import bisect
import math
from typing import Any, Dict, List, Type

import numpy as np

from .base import MAX_STEP, Phase, Schedule, check_factor, check_int, check_positive

__all__ = ["CyclicalSchedule"]

# cycle starts are tabulated up to MAX_STEP (the last integer a float64 holds exactly);
# a step past it is rejected rather than answered wrongly.
#: a growing cycle length that needs more cycles than this to reach MAX_STEP is rejected.
MAX_CYCLES = 1_000_000


class CyclicalSchedule(Schedule):
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
    reaches a fixed point and the rest is closed form) and found by bisection.

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
    >>> from mxsched import CosineAnnealing
    >>> s = CyclicalSchedule(CosineAnnealing, cycle_length=2, cycle_length_decay=2,
    ...                      cycle_magnitude_decay=0.5, min_lr=0.0, max_lr=1.0)
    >>> [round(s(t), 4) for t in range(8)]
    [1.0, 0.5, 0.5, 0.4268, 0.25, 0.0732, 0.25, 0.2405]

    References
    ----------
    Smith, "Cyclical Learning Rates for Training Neural Networks", 2015.
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    """

    _positional = ("schedule_class",)

    @classmethod
    def _example_args(cls) -> dict:
        import mxsched as ms  # pylint: disable=import-outside-toplevel
        return dict(schedule_class=ms.CosineAnnealing, cycle_length=30, cycle_length_decay=2, cycle_magnitude_decay=0.7, min_lr=0.005, max_lr=0.1)

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
        self._tabulate()

    # -- cycle table -----------------------------------------------------------
    def _tabulate(self) -> None:
        """Cycle starts and lengths up to MAX_STEP, or up to a fixed-point length."""
        starts: List[int] = [0]
        lengths: List[int] = [self.cycle_length]
        decay = self.cycle_length_decay
        while decay != 1 and starts[-1] + lengths[-1] <= MAX_STEP:
            nxt = math.ceil(lengths[-1] * decay)
            if nxt == lengths[-1]:  # fixed point: all later cycles have this length
                break
            if len(starts) >= MAX_CYCLES:
                raise ValueError(
                    f"cycle_length_decay must make cycles grow faster: cycle_length="
                    f"{self.cycle_length!r} with cycle_length_decay={decay!r} needs more "
                    f"than {MAX_CYCLES} cycles to reach update {MAX_STEP}")
            starts.append(starts[-1] + lengths[-1])
            lengths.append(nxt)
        self._starts = starts
        self._lengths = lengths
        self._starts_array = np.asarray(starts, dtype=np.float64)
        self._lengths_array = np.asarray(lengths, dtype=np.float64)
        # after the table, cycles repeat with the last length (fixed point or decay == 1)
        self._periodic = decay == 1 or math.ceil(lengths[-1] * decay) == lengths[-1]
        self._by_length: Dict[int, Schedule] = {self.cycle_length: self._first}

    def _cycle(self, t):
        """``(k, S_k, L_k)`` of the cycle holding step ``t``."""
        i = bisect.bisect_right(self._starts, t) - 1
        start, length = self._starts[i], self._lengths[i]
        if t >= start + length:
            if not self._periodic:
                raise ValueError(f"num_update must be <= {MAX_STEP}, got {t!r}")
            extra = (t - start) // length  # whole cycles of the fixed length past start
            return i + int(extra), start + extra * length, length
        return i, start, length

    def _child(self, length: int) -> Schedule:
        child = self._by_length.get(length)
        if child is None:
            child = self.schedule_class(cycle_length=length, **self.kwargs)
            self._by_length[length] = child
        return child

    # -- evaluation ------------------------------------------------------------
    def _at(self, t):
        k, start, length = self._cycle(t)
        value = self._child(length)._at(t - start)
        if k:
            value *= self.cycle_magnitude_decay ** k
        return value

    def _values(self, t):
        starts, lengths = self._starts_array, self._lengths_array
        last_start, last_length = self._starts[-1], self._lengths[-1]
        if len(starts) == 1 and self._periodic:  # every cycle has the same length
            i = np.floor(t / last_length)
            start, length = i * last_length, last_length
        else:
            i = np.searchsorted(starts, t, side="right") - 1
            start, length = starts[i], lengths[i]
            tail = t >= last_start + last_length  # past the table: periodic or an error
            if tail.any():
                if not self._periodic:
                    raise ValueError(f"steps must be <= {MAX_STEP}, got {t[tail].flat[0]!r}")
                extra = np.floor((t[tail] - last_start) / last_length)
                i[tail] += extra.astype(np.int64)
                start[tail] += extra * last_length
        local = t - start
        child = self._first
        if hasattr(child, "_values_at_lengths"):  # one pass over cycles of every length
            out = child._values_at_lengths(local, length)
        else:
            out = np.empty_like(t)
            length = np.broadcast_to(length, t.shape)
            used = np.bincount(np.minimum(i, len(starts) - 1).astype(np.int64)).nonzero()[0]
            for cycle_len in np.unique(lengths[used]):
                mask = length == cycle_len
                out[mask] = self._child(int(cycle_len))._values(local[mask])
        if self.cycle_magnitude_decay != 1:
            with np.errstate(under="ignore"):
                top = int(i.max(initial=0))
                if top < 65536:  # a table lookup is much cheaper than a power per step
                    powers = np.power(self.cycle_magnitude_decay, np.arange(top + 1.0))
                    out = out * powers[i.astype(np.int64)]
                else:
                    out = out * np.power(self.cycle_magnitude_decay, i.astype(np.float64))
        return out

    # -- base_lr, pickling, repr -------------------------------------------------
    def _peak(self):
        return self._first._peak()

    def _scaled(self, factor):
        lr_names = self.schedule_class._lr_params
        kwargs = {name: value * factor if name in lr_names and value is not None else value
                  for name, value in self.kwargs.items()}
        return CyclicalSchedule(self.schedule_class, self.cycle_length,
                                self.cycle_length_decay, self.cycle_magnitude_decay, **kwargs)

    def phases(self, total_steps=None):
        out, k = [], 0
        start, length = 0, self.cycle_length
        while k < 1000 and (total_steps is None and k == 0 or
                            total_steps is not None and start < total_steps):
            end = start + length
            out.append(Phase(f"cycle {k}", start,
                             end if total_steps is None else min(end, total_steps)))
            k, start, length = k + 1, end, math.ceil(length * self.cycle_length_decay)
        if total_steps is None:
            out.append(Phase("further cycles", start, None))
        return out

    def _repr_args(self):
        args = [(None, self.schedule_class), ("cycle_length", self.cycle_length)]
        if self.cycle_length_decay != 1:
            args.append(("cycle_length_decay", self.cycle_length_decay))
        if self.cycle_magnitude_decay != 1:
            args.append(("cycle_magnitude_decay", self.cycle_magnitude_decay))
        return args + sorted(self.kwargs.items())
