"""Foreign schedules made pure: plain callables, any MXNet ``LRScheduler``, built-ins.

Every wrapper of mxsched accepts, where a schedule belongs, an mxsched schedule, any
``mx.lr_scheduler.LRScheduler`` (MXNet's built-ins, a user subclass) or a plain callable
of ``t``; :func:`as_schedule` turns each into a pure schedule:

* MXNet's four built-ins become their closed forms (:mod:`mxsched.mxnet_builtins`),
  configured as the object is now;
* any other ``LRScheduler`` becomes an :class:`InOrderSchedule`, which replays a private
  copy in order (MXNet schedulers may keep state);
* any other callable becomes a :class:`FunctionSchedule` (assumed pure).
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

from .base import Schedule, _fmt
from .checks import check_callable, check_lr
from .mxnet_builtins import from_mxnet

__all__ = ["as_schedule", "FunctionSchedule", "InOrderSchedule", "ScheduleLike"]

#: What the wrappers accept where a schedule belongs.
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
        return dict(fn=math.erfc, scale=0.1)

    def __init__(self, fn: Callable[[Any], float], scale: float = 1.0) -> None:
        super().__init__()
        self.fn = copy.deepcopy(check_callable("fn", fn))
        self.scale = check_lr("scale", scale)

    def _checked(self, t):
        value = self.fn(t)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"fn({t!r}) must return a real number, got {value!r}")
        value = float(value)
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
      closed form (:func:`mxsched.from_mxnet`), configured as the object
      is now -- attributes assigned since construction included;
    * any other ``LRScheduler`` (e.g. a user subclass) becomes an
      :class:`InOrderSchedule`, which replays it in order;
    * any other callable instance becomes a :class:`FunctionSchedule`.

    Parameters
    ----------
    schedule : Schedule, mx.lr_scheduler.LRScheduler or callable
        What a wrapper was given.
    name : str, default 'schedule'
        The argument's name, for the error message (e.g. ``'schedules[1]'``).

    Returns
    -------
    Schedule

    Raises
    ------
    TypeError
        If ``schedule`` is a class (pass an instance) or not callable; the message
        uses ``name``.

    Examples
    --------
    >>> from mxnet.lr_scheduler import FactorScheduler
    >>> as_schedule(FactorScheduler(step=10, factor=0.5, base_lr=0.1))
    PureFactorScheduler(step=10, factor=0.5, stop_factor_lr=1e-08, base_lr=0.1, warmup_steps=0, warmup_begin_lr=0.0, warmup_mode='linear')
    >>> as_schedule(0.5, name="schedules[1]")
    Traceback (most recent call last):
    ...
    TypeError: schedules[1] must be a schedule, an mx.lr_scheduler.LRScheduler or a callable of t, got 0.5
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
