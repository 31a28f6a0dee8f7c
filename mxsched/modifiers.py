"""Wrappers that modify another schedule: warm-up, cool-down, and 1-cycle built from them.

A wrapper holds a private copy of the schedule it wraps (see :func:`as_schedule`) and
hands it local steps; the caller's object is never called or modified.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Optional, Union

import numpy as np
from mxnet.lr_scheduler import (CosineScheduler, FactorScheduler, LRScheduler,
                                MultiFactorScheduler, PolyScheduler)

from .base import Phase, Schedule, check_int, check_lr, interpolate, shift_phases
from .mxnet_compat import from_mxnet
from .shapes import TriangularSchedule

__all__ = ["as_schedule", "FunctionSchedule", "LinearWarmUp", "LinearCoolDown",
           "OneCycle", "OneCycleSchedule"]

ScheduleLike = Union[Schedule, LRScheduler, Callable[[int], float]]

_MXNET_BUILTINS = (FactorScheduler, MultiFactorScheduler, PolyScheduler, CosineScheduler)


class FunctionSchedule(Schedule):
    """A schedule from a plain callable ``fn(t) -> lr`` or a user ``LRScheduler`` subclass.

    ``fn`` is assumed to be a pure function of ``t`` (as every mxsched schedule is); the
    object given is deep-copied, so the caller's object is never called. ``values`` calls
    it once per step (it cannot be vectorised from outside). ``base_lr`` is
    ``scale * fn.base_lr`` for an ``LRScheduler``, ``scale * fn(0)`` otherwise;
    assigning it changes ``scale``. To be picklable (checkpoints, parameter servers),
    ``fn`` must be a module-level function or class instance, not a lambda or closure.

    Parameters
    ----------
    fn : callable
        ``fn(t) -> float``.
    scale : float, default 1.0
        Every value is ``scale * fn(t)``.

    Examples
    --------
    >>> import math
    >>> s = FunctionSchedule(math.sqrt, scale=0.5)
    >>> s(16)
    2.0
    """

    _lr_params = ("scale",)
    _positional = ("fn",)

    def __init__(self, fn: Callable[[Any], float], scale: float = 1.0) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {fn!r}")
        self.fn = copy.deepcopy(fn)
        self.scale = check_lr("scale", scale)

    def _at(self, t):
        return self.scale * self.fn(t)

    def _values(self, t):
        flat = [self.fn(int(x) if float(x).is_integer() else float(x)) for x in t.ravel()]
        return self.scale * np.asarray(flat, dtype=np.float64).reshape(t.shape)

    def _peak(self):
        ref = self.fn.base_lr if isinstance(self.fn, LRScheduler) else self.fn(0)
        return self.scale * float(ref)

    def _repr_args(self):
        args = [(None, self.fn)]
        if self.scale != 1.0:
            args.append(("scale", self.scale))
        return args


def as_schedule(schedule: ScheduleLike, name: str = "schedule") -> Schedule:
    """A private, pure mxsched schedule equivalent to ``schedule``.

    * an mxsched :class:`Schedule` is deep-copied;
    * one of MXNet's four stateful built-ins becomes its closed-form pure equivalent
      (:func:`mxsched.mxnet_compat.from_mxnet`), giving the values of a fresh instance
      called in order, whatever the call order;
    * any other ``LRScheduler`` or callable becomes a :class:`FunctionSchedule`.

    Raises
    ------
    TypeError
        If ``schedule`` is not callable; the message uses ``name``.
    """
    if isinstance(schedule, Schedule):
        return copy.deepcopy(schedule)
    if type(schedule) in _MXNET_BUILTINS:
        return from_mxnet(schedule)
    if callable(schedule):
        return FunctionSchedule(schedule)
    raise TypeError(f"{name} must be a schedule, an mx.lr_scheduler.LRScheduler or a "
                    f"callable of t, got {schedule!r}")


class _WarmUp(Schedule):
    """Base of every warm-up (:class:`LinearWarmUp` and :mod:`mxsched.warmup`).

    Shared machinery: ``ramp(frac)`` in ``[0, 1]`` for ``t < length``, then shifted."""

    _lr_params = ("start_lr",)

    def _init_warmup(self, schedule, start_lr, length, min_length=1):
        self.schedule = as_schedule(schedule)
        self.length = check_int("length", length, minimum=min_length)
        self.start_lr = check_lr("start_lr", start_lr)
        self._peak_value = self.schedule._at(0)

    def _warm_steps(self) -> float:
        return self.length

    def _ramp(self, t):
        raise NotImplementedError

    def _at(self, t):
        length = self._warm_steps()
        if t < length:
            return interpolate(self.start_lr, self._peak_value, self._ramp(t))
        return self.schedule._at(t - length)

    def _values(self, t):
        length = self._warm_steps()
        warm = t < length
        out = np.empty_like(t)
        if warm.any():
            out[warm] = interpolate(self.start_lr, self._peak_value, self._ramp_values(t[warm]))
        if (~warm).any():
            out[~warm] = self.schedule._values(t[~warm] - length)
        return out

    def _ramp_values(self, t):
        return np.asarray([self._ramp(x) for x in t], dtype=np.float64)

    def _peak(self):
        return self.schedule._peak()

    def _rescale(self, factor):
        super()._rescale(factor)
        self.schedule._rescale(factor)
        self._peak_value = self.schedule._at(0)

    def phases(self, total_steps=None):
        length = self._warm_steps()
        inner = None if total_steps is None else max(total_steps - length, 0)
        return [Phase("warm-up", 0, length)] + shift_phases(self.schedule.phases(inner),
                                                            length, total_steps)

    def _repr_args(self):
        return [("schedule", self.schedule), ("start_lr", self.start_lr),
                ("length", self.length)]


class LinearWarmUp(_WarmUp):
    """Linear warm-up from ``start_lr`` to the wrapped schedule's first value.

    With ``peak = schedule(0)``::

        lr(t) = start_lr + (peak - start_lr) * t / length     for t <= length
                schedule(t - length)                          for t > length

    The wrapped schedule is shifted by ``length``, not cut: it starts where the warm-up
    ends. ``base_lr`` is the wrapped schedule's ``base_lr``; assigning it rescales
    ``start_lr`` and the wrapped schedule together.

    Parameters
    ----------
    schedule : Schedule, mx.lr_scheduler.LRScheduler or callable
        What follows the warm-up (copied, never modified; MXNet's stateful built-ins are
        replaced by their pure equivalents).
    start_lr : float
        Value at ``t = 0`` (``>= 0``).
    length : int
        Updates in the warm-up (``>= 1``).

    Examples
    --------
    >>> from mxsched import CosineAnnealing
    >>> s = LinearWarmUp(CosineAnnealing(0.0, 1.0, cycle_length=4), start_lr=0.0, length=2)
    >>> [round(s(t), 4) for t in range(8)]
    [0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]

    References
    ----------
    Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017.
    """

    def __init__(self, schedule: ScheduleLike, start_lr: float, length: int) -> None:
        super().__init__()
        self._init_warmup(schedule, start_lr, length)

    def _ramp(self, t):
        return t / self.length

    # the linear ramp is exact at ``t = length`` and vectorises without a Python loop

    def _at(self, t):
        if t <= self.length:
            return interpolate(self.start_lr, self._peak_value, t / self.length)
        return self.schedule._at(t - self.length)

    def _values(self, t):
        after = t > self.length
        if after.all():
            return self.schedule._values(t - self.length)
        out = interpolate(self.start_lr, self._peak_value, t / self.length)
        if after.any():
            out[after] = self.schedule._values(t[after] - self.length)
        return out


class LinearCoolDown(Schedule):
    """The wrapped schedule until ``start_idx``, then a straight line to ``finish_lr``.

    With ``s = schedule(start_idx)``::

        lr(t) = schedule(t)                                              for t <= start_idx
                s + (finish_lr - s) * (t - start_idx) / length           up to start_idx + length
                finish_lr                                                after

    ``length = 0`` is an instant drop to ``finish_lr`` after ``start_idx``. ``base_lr``
    is the wrapped schedule's; assigning it rescales ``finish_lr`` and the wrapped
    schedule together.

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
    >>> from mxsched import TriangularSchedule
    >>> s = LinearCoolDown(TriangularSchedule(0.1, 1.0, 4), finish_lr=0.0, start_idx=4, length=2)
    >>> [round(s(t), 4) for t in range(8)]
    [0.1, 0.55, 1.0, 0.55, 0.1, 0.05, 0.0, 0.0]
    """

    _lr_params = ("finish_lr",)

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
        return interpolate(self._start_value, self.finish_lr,
                           (t - self.start_idx) / self.length)

    def _values(self, t):
        before = t <= self.start_idx
        if before.all():
            return self.schedule._values(t)
        frac = np.clip((t - self.start_idx) / max(self.length, 1), 0.0, 1.0)
        out = np.where(t >= self.start_idx + self.length, self.finish_lr,
                       interpolate(self._start_value, self.finish_lr, frac))
        if before.any():
            out[before] = self.schedule._values(t[before])
        return out

    def _peak(self):
        return self.schedule._peak()

    def _rescale(self, factor):
        super()._rescale(factor)
        self.schedule._rescale(factor)
        self._start_value = self.schedule._at(self.start_idx)

    def phases(self, total_steps=None):
        end = self.start_idx + self.length
        out = shift_phases(self.schedule.phases(self.start_idx), 0, self.start_idx)
        if self.length:
            out.append(Phase("cool-down", self.start_idx, end))
        return out + shift_phases([Phase("final", end, None)], 0, total_steps)

    def _repr_args(self):
        return [("schedule", self.schedule), ("finish_lr", self.finish_lr),
                ("start_idx", self.start_idx), ("length", self.length)]


class OneCycle(Schedule):
    """The 1-cycle policy: a symmetric triangle, then an optional linear cool-down.

    ``TriangularSchedule(start_lr, max_lr, cycle_length)`` (up for half the cycle, down
    for the other half), followed by ``LinearCoolDown`` from ``start_lr`` to
    ``finish_lr`` over ``cooldown_length`` updates starting at ``cycle_length``::

        lr(t) = triangle(t)                                                   for t <= L
                start_lr + (finish_lr - start_lr) * (t - L) / cooldown_length up to L + cooldown
                finish_lr                                                     after

    Parameters
    ----------
    start_lr : float
        Value at ``t = 0`` and at the end of the triangle (``>= 0``).
    max_lr : float
        Apex of the triangle, at ``t = cycle_length / 2`` (``>= start_lr``); ``base_lr``.
    cycle_length : int
        Updates in the triangle (``>= 1``).
    cooldown_length : int, default 0
        Updates in the final annihilation phase (``>= 0``).
    finish_lr : float, optional
        Final value; required when ``cooldown_length > 0`` and not allowed otherwise
        (defaults to ``start_lr``).

    Examples
    --------
    >>> s = OneCycle(0.1, 1.0, cycle_length=4, cooldown_length=2, finish_lr=0.0)
    >>> [round(s(t), 4) for t in range(8)]
    [0.1, 0.55, 1.0, 0.55, 0.1, 0.05, 0.0, 0.0]

    References
    ----------
    Smith & Topin, "Super-Convergence: Very Fast Training of Neural Networks Using Large
    Learning Rates", 2017 (arXiv:1708.07120).
    """

    _lr_params = ("start_lr", "max_lr", "finish_lr")

    def __init__(self, start_lr: float, max_lr: float, cycle_length: int,
                 cooldown_length: int = 0, finish_lr: Optional[float] = None) -> None:
        super().__init__()
        self.start_lr = check_lr("start_lr", start_lr)
        self.max_lr = check_lr("max_lr", max_lr)
        self.cycle_length = check_int("cycle_length", cycle_length)
        self.cooldown_length = check_int("cooldown_length", cooldown_length, minimum=0)
        if finish_lr is None:
            if self.cooldown_length > 0:
                raise ValueError(f"finish_lr must be given when cooldown_length > 0, "
                                 f"got finish_lr=None with cooldown_length={cooldown_length!r}")
            self.finish_lr = self.start_lr
            self._finish_given = False
        else:
            if self.cooldown_length == 0:
                raise ValueError(f"cooldown_length must be > 0 when finish_lr is given, "
                                 f"got cooldown_length=0 with finish_lr={finish_lr!r}")
            self.finish_lr = check_lr("finish_lr", finish_lr)
            self._finish_given = True
        if self.max_lr < self.start_lr:
            raise ValueError(f"max_lr must be >= start_lr={self.start_lr!r}, got {max_lr!r}")
        self._build()

    def _build(self):
        self._schedule = LinearCoolDown(
            TriangularSchedule(self.start_lr, self.max_lr, self.cycle_length),
            self.finish_lr, self.cycle_length, self.cooldown_length)

    def _at(self, t):
        return self._schedule._at(t)

    def _values(self, t):
        return self._schedule._values(t)

    def _peak(self):
        return self.max_lr

    def _rescale(self, factor):
        super()._rescale(factor)
        self._build()

    def phases(self, total_steps=None):
        half, end = self.cycle_length / 2, self.cycle_length + self.cooldown_length
        out = [Phase("up", 0, half), Phase("down", half, self.cycle_length)]
        if self.cooldown_length:
            out.append(Phase("cool-down", self.cycle_length, end))
        return shift_phases(out + [Phase("final", end, None)], 0, total_steps)

    def _repr_args(self):
        args = [("start_lr", self.start_lr), ("max_lr", self.max_lr),
                ("cycle_length", self.cycle_length)]
        if self._finish_given:
            args += [("cooldown_length", self.cooldown_length), ("finish_lr", self.finish_lr)]
        return args


#: The name used by the classic MXNet "advanced learning rate schedules" tutorial.
OneCycleSchedule = OneCycle
