"""MXNet's four built-in schedulers as pure schedules, and :func:`from_mxnet`.

MXNet's ``FactorScheduler``, ``MultiFactorScheduler``, ``PolyScheduler`` and
``CosineScheduler`` keep state: a call mutates ``base_lr`` / ``count`` /
``cur_step_ind``, so calling them out of order (a plot, then training) gives wrong
values. Their meaning is "what a fresh instance returns after being called with
1, 2, ..., t in order". The classes here compute exactly that value directly from
``t``, in constant time, and take the same parameters as MXNet's classes, so they
are drop-in replacements; their parameter names are MXNet's on purpose. :func:`from_mxnet`
converts an MXNet instance (without touching it); the mxsched wrappers do this
automatically.

Warm-up (all four, as in MXNet), for ``t < warmup_steps``::

    linear:   warmup_begin_lr + (base_lr - warmup_begin_lr) * t / warmup_steps
    constant: warmup_begin_lr
"""
from __future__ import annotations

import bisect
import math
from typing import Optional, Sequence

import numpy as np
from mxnet.lr_scheduler import (CosineScheduler, FactorScheduler, LRScheduler,
                                MultiFactorScheduler, PolyScheduler)

from .base import Schedule, between, interpolate
from .checks import (check_choice, check_increasing, check_int, check_lr, check_positive)

__all__ = ["PureFactorScheduler", "PureMultiFactorScheduler", "PurePolyScheduler",
           "PureCosineScheduler", "from_mxnet"]

#: PureFactorScheduler lists this many decayed values exactly (as MXNet multiplies them)
MAX_LEVELS = 1 << 16


class _MXNetWarmUp(Schedule):
    """MXNet's warm-up in front of a closed-form decay ``_decay(t)`` (``t >= W``)."""

    _lr_params = ("base_lr", "warmup_begin_lr", "warmup_final_lr")

    def _init_warmup(self, base_lr, warmup_steps, warmup_begin_lr, warmup_mode,
                     warmup_final_lr):
        self.base_lr_ = check_lr("base_lr", base_lr)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        self.warmup_final_lr = (None if warmup_final_lr is None
                                else check_lr("warmup_final_lr", warmup_final_lr))
        self._warm_to = self.base_lr_ if warmup_final_lr is None else self.warmup_final_lr
        self.warmup_begin_lr = check_lr("warmup_begin_lr", warmup_begin_lr)
        if self.warmup_begin_lr > self._warm_to:
            name = "base_lr" if warmup_final_lr is None else "warmup_final_lr"
            raise ValueError(f"warmup_begin_lr must be <= {name}={self._warm_to!r}, "
                             f"got {warmup_begin_lr!r}")
        self.warmup_mode = check_choice("warmup_mode", warmup_mode, ("linear", "constant"))

    def _warm(self, t):
        begin, end = self.warmup_begin_lr, self._warm_to
        if self.warmup_mode == "constant":
            return begin + 0.0 * t
        # MXNet's expression, bit for bit
        return between(begin + (end - begin) * t / self.warmup_steps, begin, end)

    def _at(self, t):
        if t < self.warmup_steps:
            return self._warm(t)
        return self._decay(t)

    def _values(self, t):
        out = np.asarray(self._decay_values(t), dtype=np.float64) * np.ones_like(t)
        warm = t < self.warmup_steps
        if warm.any():
            out[warm] = self._warm(t[warm])
        return out

    def _decay(self, t):
        raise NotImplementedError

    def _decay_values(self, t):
        return np.array([self._decay(x) for x in t.ravel()]).reshape(t.shape)

    def _peak(self):
        return max(self.base_lr_, self._warm_to if self.warmup_steps else 0.0)

    def _warmup_args(self):
        args = [("base_lr", self.base_lr_), ("warmup_steps", self.warmup_steps),
                ("warmup_begin_lr", self.warmup_begin_lr), ("warmup_mode", self.warmup_mode)]
        if self.warmup_final_lr is not None:
            args.append(("warmup_final_lr", self.warmup_final_lr))
        return args


class PureFactorScheduler(_MXNetWarmUp):
    """Pure ``mx.lr_scheduler.FactorScheduler``: multiply by ``factor`` every ``step``.

    For ``t >= warmup_steps``, with ``k = max(0, ceil(t / step) - 1)`` decays so far
    (MXNet decays while ``t > count + step``, so the first decay is at ``t = step + 1``)::

        lr(t) = base_lr                                    if k = 0
                max(base_lr * factor ** k, stop_factor_lr) otherwise

    ``base_lr`` (the peak) is the largest of ``base_lr``, ``stop_factor_lr`` (MXNet lifts
    a rate that fell below it back up to it) and the warm-up's end.

    Parameters
    ----------
    step : int
        Updates between decays (``>= 1``).
    factor : float, default 1
        Multiplier per decay, in ``[0, 1]``.
    stop_factor_lr : float, default 1e-8
        The rate never falls below it.
    base_lr : float, default 0.01
        The rate after the warm-up (MXNet's ``base_lr``).
    warmup_steps : int, default 0
        Updates of MXNet's warm-up (``>= 0``).
    warmup_begin_lr : float, default 0
        Where the warm-up starts (``<=`` where it ends).
    warmup_mode : {'linear', 'constant'}, default 'linear'
        MXNet's warm-up shape: a line to the rate, or ``warmup_begin_lr`` held.
    warmup_final_lr : float, optional
        Where the warm-up ends; default ``base_lr``. MXNet keeps it apart from ``base_lr``:
        assigning ``base_lr`` to an MXNet scheduler after construction (as the classic
        tutorial does) leaves its warm-up aiming at the constructor's value, and
        :func:`from_mxnet` reproduces that.

    Examples
    --------
    >>> s = PureFactorScheduler(step=2, factor=0.5, base_lr=1.0)
    >>> [round(s(t), 4) for t in range(1, 8)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    """

    _lr_params = _MXNetWarmUp._lr_params + ("stop_factor_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(step=40, factor=0.6, base_lr=0.1, warmup_steps=20)

    def __init__(self, step: int, factor: float = 1, stop_factor_lr: float = 1e-8,
                 base_lr: float = 0.01, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear",
                 warmup_final_lr: Optional[float] = None) -> None:
        super().__init__()
        self._init_warmup(base_lr, warmup_steps, warmup_begin_lr, warmup_mode,
                          warmup_final_lr)
        self.step = check_int("step", step)
        self.factor = check_lr("factor", factor)
        if self.factor > 1:
            raise ValueError(f"factor must be <= 1, got {factor!r}")
        self.stop_factor_lr = check_lr("stop_factor_lr", stop_factor_lr)
        # the values after 0, 1, 2, ... decays, multiplied in order as MXNet does (so they
        # agree bit for bit), until they stop changing or MAX_LEVELS are listed
        levels, value = [self.base_lr_], self.base_lr_
        while len(levels) < MAX_LEVELS:
            value = max(value * self.factor, self.stop_factor_lr)
            if value == levels[-1]:
                break
            levels.append(value)
        self._complete = len(levels) < MAX_LEVELS
        self._levels = levels
        self._levels_array = np.asarray(levels, dtype=np.float64)

    def _decay(self, t):
        k = max(0, math.ceil(t / self.step) - 1)
        levels = self._levels
        if k < len(levels):
            return levels[k]
        if self._complete:
            return levels[-1]
        return max(levels[-1] * self.factor ** (k - len(levels) + 1), self.stop_factor_lr)

    def _decay_values(self, t):
        k = np.maximum(0, np.ceil(t / self.step) - 1)
        last = len(self._levels) - 1
        out = self._levels_array[np.minimum(k, last).astype(np.int64)]
        if not self._complete:
            beyond = k > last
            if beyond.any():
                with np.errstate(under="ignore"):
                    out[beyond] = np.maximum(
                        self._levels[-1] * np.power(self.factor, k[beyond] - last),
                        self.stop_factor_lr)
        return out

    def _peak(self):
        return max(super()._peak(), self.stop_factor_lr)

    def _repr_args(self):
        return [("step", self.step), ("factor", self.factor),
                ("stop_factor_lr", self.stop_factor_lr)] + self._warmup_args()


class PureMultiFactorScheduler(_MXNetWarmUp):
    """Pure ``mx.lr_scheduler.MultiFactorScheduler``: multiply by ``factor`` past each step.

    For ``t >= warmup_steps``, with ``k`` the number of listed steps ``s`` with ``t > s``::

        lr(t) = base_lr * factor ** k

    Parameters
    ----------
    step : list of int
        Increasing updates after which the rate is multiplied by ``factor``.
    factor : float, default 1
        Multiplier per listed step, in ``[0, 1]``.
    base_lr : float, default 0.01
        The rate after the warm-up (MXNet's ``base_lr``).
    warmup_steps : int, default 0
        Updates of MXNet's warm-up (``>= 0``).
    warmup_begin_lr : float, default 0
        Where the warm-up starts (``<=`` where it ends).
    warmup_mode : {'linear', 'constant'}, default 'linear'
        MXNet's warm-up shape: a line to the rate, or ``warmup_begin_lr`` held.
    warmup_final_lr : float, optional
        Where the warm-up ends; default ``base_lr``. MXNet keeps it apart from ``base_lr``:
        assigning ``base_lr`` to an MXNet scheduler after construction (as the classic
        tutorial does) leaves its warm-up aiming at the constructor's value, and
        :func:`from_mxnet` reproduces that.

    Examples
    --------
    >>> s = PureMultiFactorScheduler(step=[2, 4], factor=0.1, base_lr=1.0)
    >>> [round(s(t), 4) for t in range(1, 6)]
    [1.0, 1.0, 0.1, 0.1, 0.01]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(step=[60, 120, 160], factor=0.5, base_lr=0.1, warmup_steps=20, warmup_begin_lr=0.01)

    def __init__(self, step: Sequence[int], factor: float = 1, base_lr: float = 0.01,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear",
                 warmup_final_lr: Optional[float] = None) -> None:
        super().__init__()
        self._init_warmup(base_lr, warmup_steps, warmup_begin_lr, warmup_mode,
                          warmup_final_lr)
        steps = check_increasing("step", step)
        if not steps:
            raise ValueError(f"step must be a non-empty increasing list, got {list(step)!r}")
        self.step = steps
        self.factor = check_lr("factor", factor)
        if self.factor > 1:
            raise ValueError(f"factor must be <= 1, got {factor!r}")
        levels = [self.base_lr_]  # multiplied in order, as MXNet does
        for _ in self.step:
            levels.append(levels[-1] * self.factor)
        self._levels = levels
        self._levels_array = np.asarray(levels, dtype=np.float64)
        self._steps_array = np.asarray(self.step, dtype=np.float64)

    def _decay(self, t):
        return self._levels[bisect.bisect_left(self.step, t)]

    def _decay_values(self, t):
        return self._levels_array[np.searchsorted(self._steps_array, t, side="left")]

    def _repr_args(self):
        return [("step", self.step), ("factor", self.factor)] + self._warmup_args()


class _MaxUpdate(_MXNetWarmUp):
    """Shared by Poly and Cosine: a decay over ``[W, max_update]``, then its last value."""

    _lr_params = _MXNetWarmUp._lr_params + ("final_lr",)

    def _peak(self):
        return max(super()._peak(), self.final_lr)

    def _init_max_update(self, max_update, final_lr):
        self.max_update = check_int("max_update", max_update)
        self.final_lr = check_lr("final_lr", final_lr)
        if self.warmup_steps == self.max_update:
            raise ValueError(f"warmup_steps must differ from max_update={self.max_update!r} "
                             f"(MXNet divides by their difference), got {self.warmup_steps!r}")

    def _decay(self, t):
        if self.max_update < self.warmup_steps:  # the decay never starts (MXNet: base_lr)
            return self.base_lr_
        t = min(t, self.max_update)  # past the end MXNet keeps the value of max_update
        return interpolate(self.final_lr, self.base_lr_,
                           self._shape(t - self.warmup_steps,
                                       self.max_update - self.warmup_steps))

    def _decay_values(self, t):
        if self.max_update < self.warmup_steps:
            return np.full_like(t, self.base_lr_)
        done = np.maximum(np.minimum(t, self.max_update) - self.warmup_steps, 0.0)
        return interpolate(self.final_lr, self.base_lr_,
                           self._shape(done, self.max_update - self.warmup_steps))


class PurePolyScheduler(_MaxUpdate):
    """Pure ``mx.lr_scheduler.PolyScheduler``.

    For ``W = warmup_steps <= t <= max_update``::

        lr(t) = final_lr + (base_lr - final_lr) * (1 - (t - W) / (max_update - W)) ** pwr

    and the value at ``max_update`` after it.

    Parameters
    ----------
    max_update : int
        The update at which the decay reaches ``final_lr`` (``>= 1``).
    pwr : float, default 2
        Exponent of the decay (``> 0``, or 0 for a constant rate).
    final_lr : float, default 0
        The rate reached at ``max_update``.
    base_lr : float, default 0.01
        The rate after the warm-up (MXNet's ``base_lr``).
    warmup_steps : int, default 0
        Updates of MXNet's warm-up (``>= 0``).
    warmup_begin_lr : float, default 0
        Where the warm-up starts (``<=`` where it ends).
    warmup_mode : {'linear', 'constant'}, default 'linear'
        MXNet's warm-up shape: a line to the rate, or ``warmup_begin_lr`` held.
    warmup_final_lr : float, optional
        Where the warm-up ends; default ``base_lr``. MXNet keeps it apart from ``base_lr``:
        assigning ``base_lr`` to an MXNet scheduler after construction (as the classic
        tutorial does) leaves its warm-up aiming at the constructor's value, and
        :func:`from_mxnet` reproduces that.

    Examples
    --------
    >>> s = PurePolyScheduler(max_update=4, base_lr=1.0, pwr=2)
    >>> [round(s(t), 4) for t in range(0, 6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_update=180, base_lr=0.1, pwr=2, final_lr=0.002, warmup_steps=20)

    def __init__(self, max_update: int, base_lr: float = 0.01, pwr: float = 2,
                 final_lr: float = 0, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear",
                 warmup_final_lr: Optional[float] = None) -> None:
        super().__init__()
        self._init_warmup(base_lr, warmup_steps, warmup_begin_lr, warmup_mode,
                          warmup_final_lr)
        self._init_max_update(max_update, final_lr)
        self.pwr = check_positive("pwr", pwr) if pwr != 0 else 0.0

    def _shape(self, done, span):
        return (1 - done / span) ** self.pwr  # MXNet's expression

    def _repr_args(self):
        warm = self._warmup_args()
        return [("max_update", self.max_update), warm[0], ("pwr", self.pwr),
                ("final_lr", self.final_lr)] + warm[1:]


class PureCosineScheduler(_MaxUpdate):
    """Pure ``mx.lr_scheduler.CosineScheduler``.

    For ``W = warmup_steps <= t <= max_update``::

        lr(t) = final_lr + (base_lr - final_lr) * (1 + cos(pi * (t - W) / (max_update - W))) / 2

    and ``final_lr`` after it.

    Parameters
    ----------
    max_update : int
        The update at which the decay reaches ``final_lr`` (``>= 1``).
    final_lr : float, default 0
        The rate reached at ``max_update``.
    base_lr : float, default 0.01
        The rate after the warm-up (MXNet's ``base_lr``).
    warmup_steps : int, default 0
        Updates of MXNet's warm-up (``>= 0``).
    warmup_begin_lr : float, default 0
        Where the warm-up starts (``<=`` where it ends).
    warmup_mode : {'linear', 'constant'}, default 'linear'
        MXNet's warm-up shape: a line to the rate, or ``warmup_begin_lr`` held.
    warmup_final_lr : float, optional
        Where the warm-up ends; default ``base_lr``. MXNet keeps it apart from ``base_lr``:
        assigning ``base_lr`` to an MXNet scheduler after construction (as the classic
        tutorial does) leaves its warm-up aiming at the constructor's value, and
        :func:`from_mxnet` reproduces that.

    Examples
    --------
    >>> s = PureCosineScheduler(max_update=4, base_lr=1.0, warmup_steps=2)
    >>> [round(s(t), 4) for t in range(0, 6)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_update=180, base_lr=0.1, final_lr=0.002, warmup_steps=20)

    def __init__(self, max_update: int, base_lr: float = 0.01, final_lr: float = 0,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear",
                 warmup_final_lr: Optional[float] = None) -> None:
        super().__init__()
        self._init_warmup(base_lr, warmup_steps, warmup_begin_lr, warmup_mode,
                          warmup_final_lr)
        self._init_max_update(max_update, final_lr)

    @staticmethod
    def _shape(done, span):
        # MXNet's expression: cos(pi * (t - W) / (max_update - W))
        if isinstance(done, np.ndarray):
            return (1 + np.cos(np.pi * done / span)) / 2
        return (1 + math.cos(math.pi * done / span)) / 2

    def _repr_args(self):
        warm = self._warmup_args()
        return [("max_update", self.max_update), warm[0], ("final_lr", self.final_lr)] \
            + warm[1:]


def _started_from(sched: LRScheduler, current: float, decays: int,
                  stop: Optional[float] = None) -> float:
    """The ``base_lr`` an MXNet scheduler had before ``decays`` multiplications by its
    ``factor`` brought it to ``current`` (its state after calls)."""
    if decays == 0:
        return current
    factor = sched.factor
    floored = stop is not None and current <= stop
    if factor == 0 or floored:
        what = ("its factor is 0" if factor == 0 else
                f"its rate has reached stop_factor_lr={stop!r}")
        raise ValueError(
            f"sched has already been called ({type(sched).__name__} after {decays} decays) "
            f"and {what}, so the base_lr it started from cannot be recovered: pass a "
            f"scheduler that has not been called yet, or build the pure equivalent "
            f"(mxsched.Pure{type(sched).__name__}) with its arguments")
    guess = current / factor ** decays
    if factor == 1 or decays > 10 ** 5:
        return guess
    # the start value whose in-order multiplications give `current` bit for bit
    candidates = [guess]
    up = down = guess
    for _ in range(4):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, 0.0)
        candidates += [up, down]
    matches = []
    for start in candidates:
        value = start
        for _ in range(decays):
            value *= factor
        if value == current:
            matches.append(start)
    # several starts may round to the same value: take the one a person would have typed
    return min(matches, key=lambda x: (len(repr(x)), abs(x - guess))) if matches else guess


def from_mxnet(sched: LRScheduler) -> Schedule:
    """The pure mxsched equivalent of one of MXNet's four built-in schedules.

    ``sched`` is read, never called or modified. The result gives, for every ``t`` and
    in any order, what ``sched`` as the user configured it returns when the optimizer
    calls it with ``1, 2, ..., t`` in order:

    * every attribute is read as it is now, including those assigned after
      construction -- above all ``base_lr`` (the classic tutorial sets
      ``schedule.base_lr = 1`` on a ``MultiFactorScheduler``), but also ``step``,
      ``factor``, ``final_lr``, ``warmup_*``; the warm-up ends at MXNet's
      ``warmup_final_lr`` (the constructor's ``base_lr``), as in MXNet;
    * ``CosineScheduler`` and ``PolyScheduler`` compute from ``base_lr_orig``, the
      constructor's value, and ignore an assigned ``base_lr`` (as MXNet does), except
      when ``max_update < warmup_steps``, where MXNet returns ``base_lr`` after the
      warm-up;
    * an object already advanced by calls is taken back to where it started, from its
      state: ``FactorScheduler``'s ``count`` (``count / step`` decays) and
      ``MultiFactorScheduler``'s ``cur_step_ind`` tell how often ``base_lr`` was
      multiplied by ``factor``. Where the state does not allow it (a ``factor`` of 0,
      a rate floored at ``stop_factor_lr``, a ``count`` that is not a multiple of
      ``step``, or ``max_update`` / ``warmup_steps`` assigned after construction of a
      cosine or poly scheduler) a ``ValueError`` says what to do.

    Parameters
    ----------
    sched : mx.lr_scheduler.FactorScheduler, MultiFactorScheduler, PolyScheduler or CosineScheduler
        The MXNet object (read, never called or modified).

    Returns
    -------
    PureFactorScheduler, PureMultiFactorScheduler, PurePolyScheduler or PureCosineScheduler

    Examples
    --------
    >>> from mxnet.lr_scheduler import MultiFactorScheduler
    >>> schedule = MultiFactorScheduler(step=[250, 750, 900], factor=0.5)
    >>> schedule.base_lr = 1              # as the classic MXNet tutorial does
    >>> pure = from_mxnet(schedule)
    >>> pure(250), pure(251), pure(1000)
    (1.0, 0.5, 0.125)

    Raises
    ------
    TypeError
        If ``sched`` is not exactly one of MXNet's four built-in classes (a subclass may
        override ``__call__``; the wrappers replay those in order instead, see
        :class:`mxsched.InOrderSchedule`).
    ValueError
        If the configuration cannot be recovered from an advanced object's state.
    """
    kind = type(sched)
    if kind not in (FactorScheduler, MultiFactorScheduler, PolyScheduler, CosineScheduler):
        raise TypeError(f"sched must be one of MXNet's FactorScheduler, "
                        f"MultiFactorScheduler, PolyScheduler, CosineScheduler, "
                        f"got {sched!r}")
    warm = dict(warmup_steps=sched.warmup_steps, warmup_begin_lr=sched.warmup_begin_lr,
                warmup_mode=sched.warmup_mode)
    if kind is FactorScheduler:
        step, count = sched.step, sched.count
        if count % step:
            raise ValueError(f"sched.count must be a multiple of sched.step={step!r} (the "
                             f"state calls leave), got {count!r}: pass a scheduler that "
                             "has not been called, or set count to 0")
        base = _started_from(sched, sched.base_lr, count // step, sched.stop_factor_lr)
        return PureFactorScheduler(step, sched.factor, sched.stop_factor_lr, base_lr=base,
                                   warmup_final_lr=_final(sched, base), **warm)
    if kind is MultiFactorScheduler:
        base = _started_from(sched, sched.base_lr, sched.cur_step_ind)
        return PureMultiFactorScheduler(list(sched.step), sched.factor, base_lr=base,
                                        warmup_final_lr=_final(sched, base), **warm)
    if sched.max_steps != sched.max_update - sched.warmup_steps:
        raise ValueError(
            f"sched.max_steps must equal max_update - warmup_steps = "
            f"{sched.max_update - sched.warmup_steps} (MXNet computes it once, at "
            f"construction), got {sched.max_steps!r}: build a new {kind.__name__} instead "
            "of assigning max_update or warmup_steps")
    base = sched.base_lr if sched.max_update < sched.warmup_steps else sched.base_lr_orig
    if kind is PolyScheduler:
        return PurePolyScheduler(sched.max_update, base_lr=base, pwr=sched.power,
                                 final_lr=sched.final_lr,
                                 warmup_final_lr=_final(sched, base), **warm)
    return PureCosineScheduler(sched.max_update, base_lr=base, final_lr=sched.final_lr,
                               warmup_final_lr=_final(sched, base), **warm)


def _final(sched: LRScheduler, base: float) -> Optional[float]:
    """``warmup_final_lr`` when it matters and differs from ``base``, else None."""
    if sched.warmup_steps and sched.warmup_final_lr != base:
        return sched.warmup_final_lr
    return None
