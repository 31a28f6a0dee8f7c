"""Composition: join schedules at boundaries, scale, multiply, clamp, delay, envelope.

Every combinator holds private copies of its children (see :func:`as_schedule`) and
hands them steps; nothing is mutated by evaluation, and everything composes with
everything (a child may be any mxsched schedule, MXNet ``LRScheduler`` or callable).
"""
from __future__ import annotations

import bisect
import math
from typing import Optional, Sequence

import numpy as np

from .adapters import ScheduleLike, as_schedule
from .base import Phase, Schedule, interpolate, shift_phases
from .checks import check_bool, check_increasing, check_int, check_lr
from .cycles import CyclicalSchedule
from .decays import ExponentialDecay
from .shapes import Constant, CosineAnnealing, LinearSchedule, TriangularSchedule

__all__ = ["Join", "Scale", "Product", "Clamp", "Delay", "Envelope"]


def _schedule_list(name, schedules):
    if isinstance(schedules, (str, bytes)) or not hasattr(schedules, "__iter__"):
        raise TypeError(f"{name} must be a list of schedules, got {schedules!r}")
    items = [as_schedule(s, name=f"{name}[{i}]") for i, s in enumerate(schedules)]
    if not items:
        raise ValueError(f"{name} must be a non-empty list of schedules, got {schedules!r}")
    return items


class Join(Schedule):
    """Schedules one after the other; each sees its local step ``t - boundary``.

    With boundaries ``b_1 < b_2 < ... < b_n`` and schedules ``s_0, ..., s_n``::

        lr(t) = s_0(t)            for t < b_1
                s_i(t - b_i)      for b_i <= t < b_{i+1}     (local=False: s_i(t))

    as optax's ``join_schedules``, but the number of boundaries is checked (it must be
    one less than the number of schedules) and they must increase. With ``local=False``
    each schedule sees the global step instead: the join then *replaces* pieces of
    schedules that all run from ``t = 0`` (timm's warm-up that overwrites the first
    steps, a first update that differs). ``base_lr`` is the largest of the children's
    peaks; assigning it rescales every child.

    Parameters
    ----------
    schedules : list of schedules
        ``n + 1`` schedules (never modified).
    boundaries : list of int
        ``n`` increasing steps ``>= 1``.
    local : bool, default True
        Give each schedule its local step ``t - b_i`` (True) or the step ``t`` itself.

    Examples
    --------
    >>> s = Join([LinearSchedule(0.0, 1.0, 2), Constant(0.5)], boundaries=[3])
    >>> [round(s(t), 4) for t in range(5)]
    [0.0, 0.5, 1.0, 0.5, 0.5]
    >>> g = Join([Constant(1.0), LinearSchedule(1.0, 0.0, 4)], boundaries=[2], local=False)
    >>> [round(g(t), 4) for t in range(6)]
    [1.0, 1.0, 0.5, 0.25, 0.0, 0.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedules=[LinearSchedule(0.0, 0.1, 40), Constant(0.1),
                               CosineAnnealing(0.005, 0.1, 80)], boundaries=[40, 100])

    def __init__(self, schedules: Sequence[ScheduleLike], boundaries: Sequence[int],
                 local: bool = True) -> None:
        super().__init__()
        self.schedules = _schedule_list("schedules", schedules)
        bounds = check_increasing("boundaries", boundaries)
        if len(bounds) != len(self.schedules) - 1:
            raise ValueError(f"boundaries must have len(schedules) - 1 = "
                             f"{len(self.schedules) - 1} entries, got {list(boundaries)!r}")
        self.boundaries = bounds
        self.local = check_bool("local", local)

    def _at(self, t):
        i = bisect.bisect_right(self.boundaries, t)
        return self.schedules[i]._at(t - self.boundaries[i - 1] if i and self.local else t)

    def _values(self, t):
        bounds = np.asarray(self.boundaries, dtype=np.float64)
        idx = np.searchsorted(bounds, t, side="right")
        out = np.empty_like(t)
        for i, child in enumerate(self.schedules):
            mask = idx == i
            if mask.any():
                shift = bounds[i - 1] if i and self.local else 0.0
                out[mask] = child._values(t[mask] - shift)
        return out

    def _peak(self):
        return max(child._peak() for child in self.schedules)

    def phases(self, total_steps=None):
        starts = [0] + self.boundaries
        ends = self.boundaries + [total_steps]
        out = []
        for child, start, end in zip(self.schedules, starts, ends):
            if self.local:
                out += shift_phases(child.phases(None if end is None else end - start), start,
                                    end)
            else:  # the child's own phases, cut to [start, end)
                out += [Phase(name, max(a, start), b if end is None else
                              (end if b is None else min(b, end)))
                        for name, a, b in child.phases(end)
                        if (b is None or b > start) and (end is None or a < end)]
        return out

    def _repr_args(self):
        args = [("schedules", self.schedules), ("boundaries", self.boundaries)]
        return args if self.local else args + [("local", False)]


class Scale(Schedule):
    """A schedule multiplied by a constant::

        lr(t) = factor * schedule(t)

    Assigning ``base_lr`` changes ``factor``.

    Parameters
    ----------
    schedule : schedule
        The schedule to scale (never modified).
    factor : float
        The multiplier (``>= 0``; the product with the schedule's peak must be finite).

    Examples
    --------
    >>> Scale(Constant(0.5), factor=0.2)(3)
    0.1
    """

    _lr_params = ("factor",)
    _unscaled = ("schedule",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CosineAnnealing(0.05, 1.0, 180), factor=0.1)

    def __init__(self, schedule: ScheduleLike, factor: float) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.factor = check_lr("factor", factor)
        if not math.isfinite(self.factor * self.schedule._peak()):
            raise ValueError(f"factor must keep the peak finite (the schedule's peak is "
                             f"{self.schedule._peak()!r}), got {factor!r}")

    def _at(self, t):
        return self.factor * self.schedule._at(t)

    def _values(self, t):
        return self.factor * self.schedule._values(t)

    def _peak(self):
        return self.factor * self.schedule._peak()

    def phases(self, total_steps=None):
        return self.schedule.phases(total_steps)

    def _repr_args(self):
        return [("schedule", self.schedule), ("factor", self.factor)]


class Product(Schedule):
    """The product of schedules::

        lr(t) = s_0(t) * s_1(t) * ...

    Typically a learning-rate schedule times multipliers in ``[0, 1]`` (an exponential
    envelope, a warm-up factor). ``base_lr`` is the product of the children's peaks (the
    peak when they peak together); assigning it rescales the first schedule only.

    Parameters
    ----------
    schedules : list of schedules
        At least one (never modified); an item that is not a schedule is named by its
        position in the error.

    Examples
    --------
    >>> s = Product([CosineAnnealing(0.0, 1.0, 4), ExponentialDecay(1.0, length=1, factor=0.5)])
    >>> [round(s(t), 4) for t in range(5)]
    [1.0, 0.4268, 0.125, 0.0183, 0.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedules=[CosineAnnealing(0.0, 0.1, 180), ExponentialDecay(1.0, 100, 0.5)])

    def __init__(self, schedules: Sequence[ScheduleLike]) -> None:
        super().__init__()
        self.schedules = _schedule_list("schedules", schedules)
        peak = 1.0
        for child in self.schedules:
            peak *= child._peak()
        if not math.isfinite(peak):
            raise ValueError(f"schedules must have a finite product of peaks, got "
                             f"{[child._peak() for child in self.schedules]!r}")

    def _at(self, t):
        value = 1.0
        for child in self.schedules:
            value *= child._at(t)
        return value

    def _values(self, t):
        out = np.ones_like(t)
        for child in self.schedules:
            out = out * child._values(t)
        return out

    def _peak(self):
        value = 1.0
        for child in self.schedules:
            value *= child._peak()
        return value

    def _scaled(self, factor):
        first, *rest = self.schedules
        return Product([first._scaled(factor)] + rest)

    def phases(self, total_steps=None):
        return self.schedules[0].phases(total_steps)

    def _repr_args(self):
        return [("schedules", self.schedules)]


class Clamp(Schedule):
    """A schedule kept within ``[min_lr, max_lr]``::

        lr(t) = min(max(schedule(t), min_lr), max_lr)

    ``base_lr`` is the clipped peak; assigning it rescales the schedule and both bounds.

    Parameters
    ----------
    schedule : schedule
        The schedule to clip (never modified).
    min_lr : float, default 0
        The lower bound.
    max_lr : float, optional
        The upper bound (``>= min_lr``); default: none.

    Examples
    --------
    >>> s = Clamp(LinearSchedule(1.0, 0.0, 4), min_lr=0.3, max_lr=0.6)
    >>> [round(s(t), 4) for t in range(5)]
    [0.6, 0.6, 0.5, 0.3, 0.3]
    """

    _lr_params = ("min_lr", "max_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=LinearSchedule(0.15, 0.0, 180), min_lr=0.01, max_lr=0.1)

    def __init__(self, schedule: ScheduleLike, min_lr: float = 0.0,
                 max_lr: Optional[float] = None) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.min_lr = check_lr("min_lr", min_lr)
        if max_lr is not None:
            max_lr = check_lr("max_lr", max_lr)
            if max_lr < self.min_lr:
                raise ValueError(f"max_lr must be >= min_lr={self.min_lr!r}, got {max_lr!r}")
        self.max_lr = max_lr

    def _clip(self, value):
        hi = np.inf if self.max_lr is None else self.max_lr
        if isinstance(value, np.ndarray):
            return np.clip(value, self.min_lr, hi)
        return min(max(value, self.min_lr), hi)

    def _at(self, t):
        return self._clip(self.schedule._at(t))

    def _values(self, t):
        return self._clip(self.schedule._values(t))

    def _peak(self):
        return self._clip(self.schedule._peak())

    def phases(self, total_steps=None):
        return self.schedule.phases(total_steps)

    def _repr_args(self):
        return [("schedule", self.schedule), ("min_lr", self.min_lr), ("max_lr", self.max_lr)]


class Delay(Schedule):
    """A schedule started ``length`` steps later, holding its first value until then::

        lr(t) = schedule(max(t - length, 0))

    In front of a decay this is a hold phase (warm-up, hold, decay:
    ``LinearWarmUp(Delay(CosineAnnealing(...), hold), ...)``). ``Delay(s, 1)`` turns an
    index-aligned schedule (value ``s(i)`` at index ``i``, as PyTorch / Keras formulas are
    written) into what PyTorch and Keras *use* at update ``k``: ``s(k - 1)``, because they
    step the scheduler after the update, while MXNet asks for ``sched(k)`` before it.

    Parameters
    ----------
    schedule : schedule
        What runs after the delay (never modified).
    length : int
        Steps of the delay (``>= 0``).

    Examples
    --------
    >>> s = Delay(LinearSchedule(1.0, 0.0, 2), length=2)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CosineAnnealing(0.005, 0.1, 150), length=50)

    def __init__(self, schedule: ScheduleLike, length: int) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.length = check_int("length", length, minimum=0)

    def _at(self, t):
        t = t - self.length
        return self.schedule._at(t if t > 0 else 0)  # max(t, 0) without the builtin's call

    def _values(self, t):
        return self.schedule._values(np.maximum(t - self.length, 0.0))

    def _peak(self):
        return self.schedule._peak()

    def phases(self, total_steps=None):
        inner = None if total_steps is None else max(total_steps - self.length, 0)
        head = [Phase("delay", 0, self.length)] if self.length else []
        return head + shift_phases(self.schedule.phases(inner), self.length, total_steps)

    def _repr_args(self):
        return [("schedule", self.schedule), ("length", self.length)]


class Envelope(Schedule):
    """Scale a schedule's height above ``min_lr`` by a multiplier schedule::

        lr(t) = min_lr + (schedule(t) - min_lr) * envelope(t)

    With a triangle and ``envelope = ExponentialDecay(1.0, 1, gamma)`` this is PyTorch
    ``CyclicLR(mode='exp_range', gamma=gamma)``. The envelope is a multiplier in
    ``[0, 1]`` (its ``base_lr``, the largest value, must be ``<= 1``), so every value lies
    between ``min_lr`` and ``schedule(t)``. ``base_lr`` is
    ``max(min_lr, min_lr + (schedule peak - min_lr) * envelope peak)``; assigning it
    rescales ``min_lr`` and ``schedule`` (the envelope is a multiplier and is left alone).

    Parameters
    ----------
    schedule : schedule
        The shape whose height is modulated.
    envelope : schedule
        Multiplier of the height, with values in ``[0, 1]``.
    min_lr : float, default 0
        The level the height is measured from.

    Examples
    --------
    >>> s = Envelope(Constant(1.0), ExponentialDecay(1.0, length=1, factor=0.5), min_lr=0.2)
    >>> [round(s(t), 4) for t in range(4)]
    [1.0, 0.6, 0.4, 0.3]
    """

    _lr_params = ("min_lr",)
    _unscaled = ("envelope",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CyclicalSchedule(TriangularSchedule, 50, min_lr=0.01, max_lr=0.1),
                    envelope=ExponentialDecay(1.0, 100, 0.5), min_lr=0.01)

    def __init__(self, schedule: ScheduleLike, envelope: ScheduleLike,
                 min_lr: float = 0.0) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.envelope = as_schedule(envelope, name="envelope")
        top = self.envelope._peak()
        if top > 1:
            raise ValueError(f"envelope must be a multiplier with values in [0, 1], got "
                             f"{self.envelope!r} (its base_lr, the largest value, is {top!r})")
        self.min_lr = check_lr("min_lr", min_lr)

    def _at(self, t):
        return interpolate(self.min_lr, self.schedule._at(t), self.envelope._at(t))

    def _values(self, t):
        return interpolate(self.min_lr, self.schedule._values(t), self.envelope._values(t))

    def _peak(self):
        return max(self.min_lr, interpolate(self.min_lr, self.schedule._peak(),
                                           self.envelope._peak()))

    def phases(self, total_steps=None):
        return self.schedule.phases(total_steps)

    def _repr_args(self):
        return [("schedule", self.schedule), ("envelope", self.envelope),
                ("min_lr", self.min_lr)]

