"""Wrappers that modify another schedule: warm-up, cool-down, and 1-cycle built from them.

A wrapper holds a private copy of the schedule it wraps (see :func:`as_schedule`) and
hands it local steps; the caller's object is never called or modified.
"""
from __future__ import annotations

import array
import copy
import math
import numbers
from typing import Any, Callable, Optional, Union

import numpy as np
from mxnet.lr_scheduler import (CosineScheduler, FactorScheduler, LRScheduler,
                                MultiFactorScheduler, PolyScheduler)

from .base import Phase, Schedule, _fmt, between, check_int, check_lr, interpolate, shift_phases
from .mxnet_compat import from_mxnet
from .shapes import TriangularSchedule

__all__ = ["as_schedule", "FunctionSchedule", "InOrderSchedule", "LinearWarmUp",
           "LinearCoolDown", "OneCycle", "OneCycleSchedule"]

ScheduleLike = Union[Schedule, LRScheduler, Callable[[int], float]]

_MXNET_BUILTINS = (FactorScheduler, MultiFactorScheduler, PolyScheduler, CosineScheduler)


class FunctionSchedule(Schedule):
    """A schedule from a plain callable ``fn(t) -> lr`` that is a pure function of ``t``.

    ``fn`` is assumed to be pure (as every mxsched schedule is); the object given is
    deep-copied, so the caller's object is never called. ``values`` calls it once per
    step (it cannot be vectorised from outside). Every value is checked when computed:
    a negative or non-finite ``fn(t)`` is a ``ValueError`` naming ``t``. ``base_lr`` is
    ``scale * fn.base_lr`` when ``fn`` has a numeric ``base_lr``, ``scale * fn(0)``
    otherwise: mxsched cannot see the largest value of an arbitrary function, so keep
    ``fn``'s values at or below that. Assigning ``base_lr`` changes ``scale``. To be
    picklable (checkpoints, parameter servers), ``fn`` must be a module-level function
    or class instance, not a lambda or closure.

    A stateful ``mx.lr_scheduler.LRScheduler`` (one whose value depends on the calls
    made before) needs :class:`InOrderSchedule` instead; the wrappers choose that one
    for any ``LRScheduler`` that is not an mxsched schedule.

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

    @classmethod
    def _example_args(cls) -> dict:
        import math  # pylint: disable=import-outside-toplevel
        return dict(fn=math.erfc, scale=0.1)

    def __init__(self, fn: Callable[[Any], float], scale: float = 1.0) -> None:
        super().__init__()
        if isinstance(fn, type) or not callable(fn):
            raise TypeError(f"fn must be a callable of t (an instance, not a class), got {fn!r}")
        self.fn = copy.deepcopy(fn)
        self.scale = check_lr("scale", scale)

    def _checked(self, t):
        value = self.fn(t)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"fn({t!r}) must be a number, got {value!r}") from None
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"fn({t!r}) must be a finite, non-negative learning rate, "
                             f"got {value!r} (fn={self.fn!r})")
        return value

    def _at(self, t):
        return self.scale * self._checked(t)

    def _values(self, t):
        flat = [self._checked(int(x) if float(x).is_integer() else float(x)) for x in t]
        return self.scale * np.asarray(flat, dtype=np.float64)

    def _peak(self):
        ref = getattr(self.fn, "base_lr", None)
        if not isinstance(ref, numbers.Real) or isinstance(ref, bool):
            ref = self._checked(0)
        return self.scale * float(ref)

    def _repr_args(self):
        args = [(None, self.fn)]
        if self.scale != 1.0:
            args.append(("scale", self.scale))
        return args

    def _kwargs(self):
        return {"fn": self.fn, "scale": self.scale}


#: ``InOrderSchedule`` replays at most this many updates (8 bytes of memory each).
MAX_REPLAY = 10 ** 7


class _Replay:
    """The mutable replay cache of an :class:`InOrderSchedule` (never pickled)."""

    def __init__(self, scheduler: LRScheduler) -> None:
        self.cursor = copy.deepcopy(scheduler)   # called with 1, 2, ... in order
        self.values = array.array("d")           # values[k - 1] = cursor(k)
        self.at_zero: Optional[float] = None


class InOrderSchedule(Schedule):
    """Any ``mx.lr_scheduler.LRScheduler``, stateful or not, as a pure schedule.

    MXNet's schedulers may keep state: what ``scheduler(t)`` returns can depend on the
    calls made before (a user subclass of ``FactorScheduler`` is an example). The
    optimizer calls its scheduler with ``1, 2, ..., t`` in order, so the value meant
    for update ``t`` is what the scheduler returns at the ``t``-th of those calls.
    This class computes exactly that, whatever the order in which it is asked::

        lr(t) = scale * (the value of the t-th call of a copy of scheduler, called
                         with 1, 2, ..., t)            for integer t >= 1
        lr(0) = scale * (a fresh copy of scheduler)(0)

    A fractional ``t`` calls a copy of the scheduler advanced through ``floor(t)`` (that
    replay is made anew for each fractional step: MXNet itself only asks at integers).

    **Cost.** A private copy is replayed in order and every value is kept: the first
    request for update ``t`` costs the calls up to ``t`` not yet made (once), later
    requests for any update up to ``t`` are a list look-up, and the memory is 8 bytes
    per update replayed, up to :data:`MAX_REPLAY` updates (a larger ``t`` is a
    ``ValueError``). The scheduler given is copied and never called; pickles hold that
    untouched copy, not the cache. MXNet's four built-ins need none of this: the
    wrappers replace them by their closed forms (:func:`mxsched.from_mxnet`). A
    scheduler you know to be pure can be wrapped in :class:`FunctionSchedule` instead,
    which has no replay cost.

    ``base_lr`` is ``scale * scheduler.base_lr`` (MXNet's convention: the rate the
    scheduler starts from); mxsched cannot see a larger value the scheduler may reach
    later. Assigning ``base_lr`` changes ``scale``.

    Parameters
    ----------
    scheduler : mx.lr_scheduler.LRScheduler
        The scheduler, in the state it should start from (copied, never called).
    scale : float, default 1.0
        Every value is multiplied by it.

    Examples
    --------
    >>> from mxnet.lr_scheduler import FactorScheduler
    >>> class Logged(FactorScheduler):
    ...     pass
    >>> s = InOrderSchedule(Logged(step=2, factor=0.5, base_lr=1.0))
    >>> s(5), s(1), s(3)
    (0.25, 1.0, 0.5)
    """

    _lr_params = ("scale",)
    _positional = ("scheduler",)

    @classmethod
    def _example_args(cls) -> dict:
        from mxnet.lr_scheduler import FactorScheduler  # pylint: disable=import-outside-toplevel
        return dict(scheduler=FactorScheduler(step=40, factor=0.5, base_lr=0.1))

    def __init__(self, scheduler: LRScheduler, scale: float = 1.0) -> None:
        super().__init__()
        if isinstance(scheduler, Schedule) or not isinstance(scheduler, LRScheduler):
            raise TypeError(f"scheduler must be an mx.lr_scheduler.LRScheduler that is not an "
                            f"mxsched schedule, got {scheduler!r}")
        self.scheduler = copy.deepcopy(scheduler)
        self.scale = check_lr("scale", scale)
        self._replay = _Replay(self.scheduler)

    def _checked(self, value, t):
        value = float(value)
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{self.scheduler!r} returned {value!r} for update {t!r}: a "
                             "learning rate must be finite and >= 0")
        return value

    def _raw(self, t):
        replay = self._replay
        if t == 0:
            if replay.at_zero is None:
                replay.at_zero = self._checked(copy.deepcopy(self.scheduler)(0), 0)
            return replay.at_zero
        whole = math.floor(t)
        if whole > MAX_REPLAY:
            raise ValueError(f"num_update must be <= {MAX_REPLAY} for an InOrderSchedule "
                             f"(it replays {_fmt(self.scheduler)} in order), got {t!r}")
        done = replay.values
        while len(done) < whole:
            k = len(done) + 1
            done.append(self._checked(replay.cursor(k), k))
        if whole == t:
            return done[whole - 1]
        # a fractional step: a fresh copy advanced through floor(t), then called at t
        probe = copy.deepcopy(self.scheduler)
        for k in range(1, whole + 1):
            probe(k)
        return self._checked(probe(t), t)

    def _at(self, t):
        return self.scale * self._raw(t)

    def _values(self, t):
        if len(t):
            self._raw(float(np.floor(t.max())))  # one pass up to the largest step
        return self.scale * np.fromiter((self._raw(float(x)) for x in t), dtype=np.float64,
                                        count=len(t))

    def _peak(self):
        return self.scale * check_lr("scheduler.base_lr", self.scheduler.base_lr)

    def _repr_args(self):
        args = [(None, self.scheduler)]
        if self.scale != 1.0:
            args.append(("scale", self.scale))
        return args

    def _kwargs(self):
        return {"scheduler": self.scheduler, "scale": self.scale}


def as_schedule(schedule: ScheduleLike, name: str = "schedule") -> Schedule:
    """A pure mxsched schedule equivalent to ``schedule``, private to the caller.

    * an mxsched :class:`Schedule` is taken as it is (schedules are immutable; a
      shallow copy keeps a later ``base_lr`` assignment on the caller's object from
      reaching the wrapper);
    * one of MXNet's four built-ins (exactly ``FactorScheduler``,
      ``MultiFactorScheduler``, ``PolyScheduler``, ``CosineScheduler``) becomes its
      closed form (:func:`mxsched.mxnet_compat.from_mxnet`), configured as the object
      is now -- attributes assigned since construction included;
    * any other ``LRScheduler`` (e.g. a user subclass) becomes an
      :class:`InOrderSchedule`, which replays it in order;
    * any other callable instance becomes a :class:`FunctionSchedule`.

    Raises
    ------
    TypeError
        If ``schedule`` is a class (pass an instance) or not callable; the message
        uses ``name``.
    """
    if isinstance(schedule, Schedule):
        return copy.copy(schedule)
    if isinstance(schedule, type):
        raise TypeError(f"{name} must be a schedule instance, not a class, got "
                        f"{schedule.__name__} (call it with its arguments)")
    if type(schedule) in _MXNET_BUILTINS:
        return from_mxnet(schedule)
    if isinstance(schedule, LRScheduler):
        return InOrderSchedule(schedule)
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
        # a warm-up may also ramp down (start_lr above the schedule's first value)
        return max(self.start_lr, self.schedule._peak())

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

    @classmethod
    def _example_args(cls) -> dict:
        import mxsched as ms  # pylint: disable=import-outside-toplevel
        return dict(schedule=ms.CosineAnnealing(0.005, 0.1, 160), start_lr=0.0, length=40)

    def __init__(self, schedule: ScheduleLike, start_lr: float, length: int) -> None:
        super().__init__()
        self._init_warmup(schedule, start_lr, length)

    def _ramp(self, t):
        return t / self.length

    def _ramp_up(self, t):
        # the formula as written above (and in the classic MXNet tutorial), bit for bit
        start, peak = self.start_lr, self._peak_value
        return between(start + (peak - start) * t / self.length, start, peak)

    # the linear ramp is exact at ``t = length`` and vectorises without a Python loop

    def _at(self, t):
        if t <= self.length:
            return self._ramp_up(t)
        return self.schedule._at(t - self.length)

    def _values(self, t):
        after = t > self.length
        if after.all():
            return self.schedule._values(t - self.length)
        out = self._ramp_up(t)
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
    >>> from mxsched import TriangularSchedule
    >>> s = LinearCoolDown(TriangularSchedule(0.1, 1.0, 4), finish_lr=0.0, start_idx=4, length=2)
    >>> [round(s(t), 4) for t in range(8)]
    [0.1, 0.55, 1.0, 0.55, 0.1, 0.05, 0.0, 0.0]
    """

    _lr_params = ("finish_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        import mxsched as ms  # pylint: disable=import-outside-toplevel
        return dict(schedule=ms.TriangularSchedule(0.02, 0.1, 120), finish_lr=0.001, start_idx=120, length=80)

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
        done = np.clip(t - self.start_idx, 0.0, self.length)
        out = np.where(t >= self.start_idx + self.length, finish,
                       between(start + (finish - start) * done / max(self.length, 1), start,
                               finish))
        if before.any():
            out[before] = self.schedule._values(t[before])
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
        Final value (``<= max_lr``); required when ``cooldown_length > 0`` and not
        allowed otherwise (defaults to ``start_lr``).

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

    @classmethod
    def _example_args(cls) -> dict:
        return dict(start_lr=0.01, max_lr=0.1, cycle_length=160, cooldown_length=40, finish_lr=0.001)

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
        if self.finish_lr > self.max_lr:
            raise ValueError(f"finish_lr must be <= max_lr={self.max_lr!r}, got {finish_lr!r}")
        self._schedule = LinearCoolDown(
            TriangularSchedule(self.start_lr, self.max_lr, self.cycle_length),
            self.finish_lr, self.cycle_length, self.cooldown_length)

    def _at(self, t):
        return self._schedule._at(t)

    def _values(self, t):
        return self._schedule._values(t)

    def _peak(self):
        return self.max_lr

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
