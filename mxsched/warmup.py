"""Warm-ups in front of any schedule: linear, constant, logarithmic, cosine, epoch-stepped.

Every warm-up works the same way: for the first ``length`` steps it goes from
``start_lr`` to ``peak = schedule(0)``, then the wrapped schedule runs *shifted* by
``length`` (it starts where the warm-up ends)::

    lr(t) = start_lr + (peak - start_lr) * ramp(t)      during the warm-up, ramp in [0, 1]
            schedule(t - length)                        after

With ``shift=False`` the warm-up *replaces* the schedule's first ``length`` steps instead
(timm's default ``warmup_prefix=False``): ``lr(t) = schedule(t)`` from ``t = length`` on,
so the ramp hands over to the schedule where it stands at ``length``.

``base_lr`` is the larger of ``start_lr`` and the wrapped schedule's ``base_lr``;
assigning it rescales ``start_lr`` and the schedule together. To repeat a warm-up at
every restart, put it inside the repeated schedule
(``Restarts(CosineWarmUp(CosineAnnealing(...), ...), cycle_length=...)``).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Optional

import numpy as np

from .adapters import ScheduleLike, as_schedule
from .base import Phase, Schedule, between, interpolate, shift_phases
from .checks import Ratio, check_bool, check_int, check_lr, check_ratio
from .shapes import Constant, CosineAnnealing
from .units import UnitClock

__all__ = ["LinearWarmUp", "ConstantWarmUp", "LogWarmUp", "CosineWarmUp", "EpochStepWarmUp"]


class _WarmUp(Schedule):
    """Base of every warm-up: ``ramp(t)`` in ``[0, 1]`` for ``t < length``, then the
    schedule, shifted by ``length`` (or, with ``shift=False``, not shifted)."""

    _lr_params = ("start_lr",)
    shift = True

    def _init_warmup(self, schedule, start_lr, length, min_length=1, shift=True):
        self.schedule = as_schedule(schedule)
        self.length = check_int("length", length, minimum=min_length)
        self.start_lr = check_lr("start_lr", start_lr)
        self.shift = check_bool("shift", shift)
        self._peak_value = self.schedule._at(0)

    def _warm_steps(self) -> float:
        return self.length

    def _ramp(self, t):
        raise NotImplementedError

    def _after(self, t):
        """The schedule after the warm-up, at step ``t``."""
        return self.schedule._at(t - self._warm_steps() if self.shift else t)

    def _after_values(self, t):
        return self.schedule._values(t - self._warm_steps() if self.shift else t)

    def _at(self, t):
        length = self._warm_steps()
        if t < length:
            return interpolate(self.start_lr, self._peak_value, self._ramp(t))
        return self._after(t)

    def _values(self, t):
        length = self._warm_steps()
        warm = t < length
        out = np.empty_like(t)
        if warm.any():
            out[warm] = interpolate(self.start_lr, self._peak_value, self._ramp_values(t[warm]))
        if (~warm).any():
            out[~warm] = self._after_values(t[~warm])
        return out

    def _ramp_values(self, t):
        return np.asarray([self._ramp(x) for x in t], dtype=np.float64)

    def _peak(self):
        # a warm-up may also ramp down (start_lr above the schedule's first value)
        return max(self.start_lr, self.schedule._peak())

    def phases(self, total_steps=None):
        length = self._warm_steps()
        if not self.shift:  # the schedule's own phases, from the end of the warm-up on
            rest = [Phase(name, max(start, length), end)
                    for name, start, end in self.schedule.phases(total_steps)
                    if end is None or end > length]
            return [Phase("warm-up", 0, length)] + rest
        inner = None if total_steps is None else max(total_steps - length, 0)
        return [Phase("warm-up", 0, length)] + shift_phases(self.schedule.phases(inner),
                                                            length, total_steps)

    def _repr_args(self):
        args = [("schedule", self.schedule), ("start_lr", self.start_lr),
                ("length", self.length)]
        return args if self.shift else args + [("shift", False)]


class LinearWarmUp(_WarmUp):
    """Linear warm-up from ``start_lr`` to the wrapped schedule's first value.

    With ``peak = schedule(0)``::

        lr(t) = start_lr + (peak - start_lr) * t / length     for t <= length
                schedule(t - length)                          for t > length

    The wrapped schedule is shifted by ``length``, not cut: it starts where the warm-up
    ends. ``base_lr`` is the larger of ``start_lr`` and the wrapped schedule's
    ``base_lr``; assigning it rescales ``start_lr`` and the wrapped schedule together.

    Parameters
    ----------
    schedule : Schedule, mx.lr_scheduler.LRScheduler or callable
        What follows the warm-up (copied, never modified; MXNet's stateful built-ins are
        replaced by their pure equivalents).
    start_lr : float
        Value at ``t = 0`` (``>= 0``).
    length : int
        Updates in the warm-up (``>= 1``).
    shift : bool, default True
        Start the schedule where the warm-up ends (``schedule(t - length)``); False: the
        warm-up replaces the first ``length`` steps and ``schedule(t)`` follows.

    Examples
    --------
    >>> s = LinearWarmUp(CosineAnnealing(0.0, 1.0, cycle_length=4), start_lr=0.0, length=2)
    >>> [round(s(t), 4) for t in range(8)]
    [0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]

    References
    ----------
    Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017.
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CosineAnnealing(0.005, 0.1, 160), start_lr=0.0, length=40)

    def __init__(self, schedule: ScheduleLike, start_lr: float, length: int,
                 shift: bool = True) -> None:
        super().__init__()
        self._init_warmup(schedule, start_lr, length, shift=shift)

    def _ramp(self, t):
        return t / self.length

    def _ramp_up(self, t):
        # the formula as written above (and in the classic MXNet tutorial), bit for bit
        start, peak = self.start_lr, self._peak_value
        return between(start + (peak - start) * t / self.length, start, peak)

    # the linear ramp is exact at ``t = length`` and vectorises without a Python loop

    def _at(self, t):
        if t < self.length or (t == self.length and self.shift):
            return self._ramp_up(t)
        return self._after(t)

    def _values(self, t):
        after = t > self.length if self.shift else t >= self.length
        if after.all():
            return self._after_values(t)
        if not after.any():
            return self._ramp_up(t)
        # the schedule at every step (the warm ones clamped to the end of the warm-up, then
        # overwritten by index): cheaper than gathering and scattering the long part by mask
        warm = np.flatnonzero(~after)
        out = self._after_values(np.maximum(t, float(self.length)))
        out[warm] = self._ramp_up(t[warm])
        return out


class ConstantWarmUp(_WarmUp):
    """A constant low value, then a jump to the schedule (Goyal et al.'s constant warm-up)::

        lr(t) = start_lr                for t < length
                schedule(t - length)    after

    MXNet's ``warmup_mode='constant'``.

    Parameters
    ----------
    schedule : schedule
        What follows (copied, never modified).
    start_lr : float
        The warm-up value (``>= 0``).
    length : int
        Steps of the warm-up (``>= 1``).
    shift : bool, default True
        False: replace the schedule's first ``length`` steps instead of delaying it.

    Examples
    --------
    >>> s = ConstantWarmUp(Constant(1.0), start_lr=0.1, length=2)
    >>> [round(s(t), 4) for t in range(4)]
    [0.1, 0.1, 1.0, 1.0]

    References
    ----------
    Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017.
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=Constant(0.1), start_lr=0.02, length=40)

    def __init__(self, schedule: ScheduleLike, start_lr: float, length: int,
                 shift: bool = True) -> None:
        super().__init__()
        self._init_warmup(schedule, start_lr, length, shift=shift)

    def _ramp(self, t):
        return 0.0

    def _ramp_values(self, t):
        return np.zeros_like(t)


class LogWarmUp(_WarmUp):
    """Logarithmic warm-up (DeepSpeed ``WarmupLR``, ``warmup_type='log'``)::

        lr(t) = start_lr + (peak - start_lr) * ln(t + 1) / ln(length)    for t < length
                schedule(t - length)                                     after

    It reaches ``peak`` at ``t = length - 1`` (fast at first, slow at the end) and
    stays there until the schedule takes over at ``t = length`` (between the two, at
    fractional steps, the logarithm would overshoot ``peak``).

    Parameters
    ----------
    schedule : schedule
        What follows (copied, never modified).
    start_lr : float
        Value at ``t = 0`` (``>= 0``).
    length : int
        Steps of the warm-up (``>= 2``: ``ln(1) = 0``).
    shift : bool, default True
        False: replace the schedule's first ``length`` steps instead of delaying it.

    Examples
    --------
    >>> s = LogWarmUp(Constant(1.0), start_lr=0.0, length=4)
    >>> [round(s(t), 4) for t in range(6)]
    [0.0, 0.5, 0.7925, 1.0, 1.0, 1.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CosineAnnealing(0.005, 0.1, 150), start_lr=0.0, length=50)

    def __init__(self, schedule: ScheduleLike, start_lr: float, length: int,
                 shift: bool = True) -> None:
        super().__init__()
        self._init_warmup(schedule, start_lr, length, min_length=2, shift=shift)

    def _ramp(self, t):
        # ln(t + 1) / ln(length) passes 1 at t = length - 1: it stays there
        return min(math.log(t + 1) / math.log(self.length), 1.0)

    def _ramp_values(self, t):
        return np.minimum(np.log(t + 1) / math.log(self.length), 1.0)


class CosineWarmUp(_WarmUp):
    """Half-cosine warm-up (Hugging Face WSD ``warmup_type='cosine'``)::

        lr(t) = start_lr + (peak - start_lr) * (1 - cos(pi * t / length)) / 2    for t < length
                schedule(t - length)                                           after

    Parameters
    ----------
    schedule : schedule
        What follows (never modified).
    start_lr : float
        Value at ``t = 0`` (``>= 0``).
    length : int
        Steps of the warm-up (``>= 1``).
    shift : bool, default True
        False: replace the schedule's first ``length`` steps instead of delaying it.

    Examples
    --------
    >>> s = CosineWarmUp(Constant(1.0), start_lr=0.0, length=4)
    >>> [round(s(t), 4) for t in range(6)]
    [0.0, 0.1464, 0.5, 0.8536, 1.0, 1.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CosineAnnealing(0.005, 0.1, 150), start_lr=0.0, length=50)

    def __init__(self, schedule: ScheduleLike, start_lr: float, length: int,
                 shift: bool = True) -> None:
        super().__init__()
        self._init_warmup(schedule, start_lr, length, shift=shift)

    def _ramp(self, t):
        return (1 - math.cos(math.pi * t / self.length)) / 2

    def _ramp_values(self, t):
        return (1 - np.cos(np.pi * t / self.length)) / 2


class EpochStepWarmUp(_WarmUp):
    """Linear warm-up in whole-epoch steps (SuperGradients ``linear_epoch_step``).

    With ``U = updates_per_epoch``, ``E = epochs`` and ``e = max(ceil(t / U) - 1, 0)`` the
    epoch update ``t`` belongs to (updates ``1..U`` are epoch 0)::

        lr(t) = start_lr + e * (peak - start_lr) / E    for t <= E * U
                schedule(t - E * U)                     after

    ``start_lr`` defaults to ``peak / (1 + E)`` (SuperGradients: ``initial_lr / (1 +
    warmup_epochs)``), so epoch ``e`` runs at ``peak * (e + 1) / (E + 1)``. The epoch of
    an update is computed exactly (a ``Fraction`` ``U`` such as ``Fraction(235, 3)`` is
    exact; see :class:`mxsched.InUnits`).

    Parameters
    ----------
    schedule : schedule
        What follows, in updates (copied, never modified).
    epochs : int
        Warm-up epochs (``>= 1``).
    updates_per_epoch : int, float or fractions.Fraction
        Optimizer updates per epoch (``> 0``; batches / gradient accumulation).
    start_lr : float, optional
        Value of epoch 0.

    Examples
    --------
    >>> s = EpochStepWarmUp(Constant(1.0), epochs=3, updates_per_epoch=2)
    >>> [round(s(t), 4) for t in range(8)]
    [0.25, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CosineAnnealing(0.005, 0.1, 120), epochs=4, updates_per_epoch=20)

    def __init__(self, schedule: ScheduleLike, epochs: int, updates_per_epoch: Ratio,
                 start_lr: Optional[float] = None) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.epochs = check_int("epochs", epochs)
        self.updates_per_epoch = check_ratio("updates_per_epoch", updates_per_epoch)
        self._clock = UnitClock(self.updates_per_epoch)
        self._length = Fraction(self.updates_per_epoch) * self.epochs
        self._peak_value = self.schedule._at(0)
        self._start_given = start_lr is not None
        self.start_lr = (check_lr("start_lr", start_lr) if self._start_given
                         else self._peak_value / (1 + self.epochs))

    @property
    def length(self) -> float:
        """The warm-up in updates, ``epochs * updates_per_epoch``."""
        return float(self._length)

    def _warm_steps(self):
        return float(self._length)

    def _at(self, t):
        e = self._clock.index(t)
        if e < self.epochs:
            return interpolate(self.start_lr, self._peak_value, e / self.epochs)
        if self._length.denominator == 1:
            return self.schedule._at(t - self._length.numerator)
        return self.schedule._at(float(Fraction(t) - self._length))

    def _values(self, t):
        e = self._clock.indices(t)
        out = interpolate(self.start_lr, self._peak_value, np.minimum(e, self.epochs) / self.epochs)
        after = e >= self.epochs
        if after.any():
            out[after] = self.schedule._values(t[after] - float(self._length))
        return out

    def _repr_args(self):
        args = [("schedule", self.schedule), ("epochs", self.epochs),
                ("updates_per_epoch", self.updates_per_epoch)]
        if self._start_given:
            args.append(("start_lr", self.start_lr))
        return args
