"""Pure, closed-form versions of MXNet's built-in schedules.

MXNet's ``FactorScheduler``, ``MultiFactorScheduler``, ``PolyScheduler`` and
``CosineScheduler`` keep state: a call mutates ``base_lr`` / ``count`` /
``cur_step_ind``, so calling them out of order (a plot, then training) gives wrong
values. Their meaning is "what a fresh instance returns after being called with
1, 2, ..., t in order". The classes here compute exactly that value directly from
``t``, in constant time, and take the same parameters as MXNet's classes, so they
are drop-in replacements. :func:`from_mxnet` converts an MXNet instance (without
touching it); the mxsched wrappers do this automatically.

Warm-up (all four, as in MXNet), for ``t < warmup_steps``::

    linear:   warmup_begin_lr + (base_lr - warmup_begin_lr) * t / warmup_steps
    constant: warmup_begin_lr
"""
from __future__ import annotations

import bisect
import math
from typing import Sequence

import numpy as np
from mxnet.lr_scheduler import (CosineScheduler, FactorScheduler, LRScheduler,
                                MultiFactorScheduler, PolyScheduler)

from .base import Schedule, check_int, check_lr, check_positive, interpolate

__all__ = ["PureFactorScheduler", "PureMultiFactorScheduler", "PurePolyScheduler",
           "PureCosineScheduler", "from_mxnet"]


class _MXNetWarmUp(Schedule):
    """MXNet's warm-up in front of a closed-form decay ``_decay(t)`` (``t >= W``)."""

    _lr_params = ("base_lr_", "warmup_begin_lr")

    def _init_warmup(self, base_lr, warmup_steps, warmup_begin_lr, warmup_mode):
        self.base_lr_ = check_lr("base_lr", base_lr)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        self.warmup_begin_lr = check_lr("warmup_begin_lr", warmup_begin_lr)
        if self.warmup_begin_lr > self.base_lr_:
            raise ValueError(f"warmup_begin_lr must be <= base_lr={self.base_lr_!r}, "
                             f"got {warmup_begin_lr!r}")
        if warmup_mode not in ("linear", "constant"):
            raise ValueError(f"warmup_mode must be 'linear' or 'constant', got {warmup_mode!r}")
        self.warmup_mode = warmup_mode

    def _warm(self, t):
        if self.warmup_mode == "constant":
            return self.warmup_begin_lr + 0.0 * t
        return interpolate(self.warmup_begin_lr, self.base_lr_, t / self.warmup_steps)

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
        return self.base_lr_

    def _warmup_args(self):
        return [("base_lr", self.base_lr_), ("warmup_steps", self.warmup_steps),
                ("warmup_begin_lr", self.warmup_begin_lr), ("warmup_mode", self.warmup_mode)]


class PureFactorScheduler(_MXNetWarmUp):
    """Pure ``mx.lr_scheduler.FactorScheduler``: multiply by ``factor`` every ``step``.

    For ``t >= warmup_steps``, with ``k = max(0, ceil(t / step) - 1)`` decays so far
    (MXNet decays while ``t > count + step``, so the first decay is at ``t = step + 1``)::

        lr(t) = base_lr                                    if k = 0
                max(base_lr * factor ** k, stop_factor_lr) otherwise

    Examples
    --------
    >>> s = PureFactorScheduler(step=2, factor=0.5, base_lr=1.0)
    >>> [round(s(t), 4) for t in range(1, 8)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    """

    _lr_params = _MXNetWarmUp._lr_params + ("stop_factor_lr",)

    def __init__(self, step: int, factor: float = 1, stop_factor_lr: float = 1e-8,
                 base_lr: float = 0.01, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear") -> None:
        super().__init__()
        self._init_warmup(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        self.step = check_int("step", step)
        self.factor = check_lr("factor", factor)
        if self.factor > 1:
            raise ValueError(f"factor must be <= 1, got {factor!r}")
        self.stop_factor_lr = check_lr("stop_factor_lr", stop_factor_lr)

    def _decay(self, t):
        k = max(0, math.ceil(t / self.step) - 1)
        if k == 0:
            return self.base_lr_
        return max(self.base_lr_ * self.factor ** k, self.stop_factor_lr)

    def _decay_values(self, t):
        k = np.maximum(0, np.ceil(t / self.step) - 1)
        with np.errstate(under="ignore"):
            lr = np.maximum(self.base_lr_ * np.power(self.factor, k), self.stop_factor_lr)
        return np.where(k == 0, self.base_lr_, lr)

    def _repr_args(self):
        return [("step", self.step), ("factor", self.factor),
                ("stop_factor_lr", self.stop_factor_lr)] + self._warmup_args()


class PureMultiFactorScheduler(_MXNetWarmUp):
    """Pure ``mx.lr_scheduler.MultiFactorScheduler``: multiply by ``factor`` past each step.

    For ``t >= warmup_steps``, with ``k`` the number of listed steps ``s`` with ``t > s``::

        lr(t) = base_lr * factor ** k

    Examples
    --------
    >>> s = PureMultiFactorScheduler(step=[2, 4], factor=0.1, base_lr=1.0)
    >>> [round(s(t), 4) for t in range(1, 6)]
    [1.0, 1.0, 0.1, 0.1, 0.01]
    """

    def __init__(self, step: Sequence[int], factor: float = 1, base_lr: float = 0.01,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear") -> None:
        super().__init__()
        self._init_warmup(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if isinstance(step, (str, bytes)) or not hasattr(step, "__iter__"):
            raise TypeError(f"step must be a list of increasing positive integers, got {step!r}")
        steps = [check_int("step", s) for s in step]
        if not steps or any(b <= a for a, b in zip(steps, steps[1:])):
            raise ValueError(f"step must be a non-empty increasing list, got {list(step)!r}")
        self.step = steps
        self.factor = check_lr("factor", factor)
        if self.factor > 1:
            raise ValueError(f"factor must be <= 1, got {factor!r}")

    def _decay(self, t):
        return self.base_lr_ * self.factor ** bisect.bisect_left(self.step, t)

    def _decay_values(self, t):
        k = np.searchsorted(np.asarray(self.step, dtype=np.float64), t, side="left")
        with np.errstate(under="ignore"):
            return self.base_lr_ * np.power(self.factor, k)

    def _repr_args(self):
        return [("step", self.step), ("factor", self.factor)] + self._warmup_args()


class _MaxUpdate(_MXNetWarmUp):
    """Shared by Poly and Cosine: a decay over ``[W, max_update]``, then its last value."""

    _lr_params = _MXNetWarmUp._lr_params + ("final_lr",)

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
                           self._shape((t - self.warmup_steps)
                                       / (self.max_update - self.warmup_steps)))

    def _decay_values(self, t):
        if self.max_update < self.warmup_steps:
            return np.full_like(t, self.base_lr_)
        pos = (np.minimum(t, self.max_update) - self.warmup_steps) \
            / (self.max_update - self.warmup_steps)
        return interpolate(self.final_lr, self.base_lr_, self._shape(np.maximum(pos, 0.0)))


class PurePolyScheduler(_MaxUpdate):
    """Pure ``mx.lr_scheduler.PolyScheduler``.

    For ``W = warmup_steps <= t <= max_update``::

        lr(t) = final_lr + (base_lr - final_lr) * (1 - (t - W) / (max_update - W)) ** pwr

    and the value at ``max_update`` after it.

    Examples
    --------
    >>> s = PurePolyScheduler(max_update=4, base_lr=1.0, pwr=2)
    >>> [round(s(t), 4) for t in range(0, 6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    def __init__(self, max_update: int, base_lr: float = 0.01, pwr: float = 2,
                 final_lr: float = 0, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear") -> None:
        super().__init__()
        self._init_warmup(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        self._init_max_update(max_update, final_lr)
        self.pwr = check_positive("pwr", pwr) if pwr != 0 else 0.0

    def _shape(self, pos):
        return (1 - pos) ** self.pwr

    def _repr_args(self):
        return [("max_update", self.max_update), ("base_lr", self.base_lr_),
                ("pwr", self.pwr), ("final_lr", self.final_lr),
                ("warmup_steps", self.warmup_steps), ("warmup_begin_lr", self.warmup_begin_lr),
                ("warmup_mode", self.warmup_mode)]


class PureCosineScheduler(_MaxUpdate):
    """Pure ``mx.lr_scheduler.CosineScheduler``.

    For ``W = warmup_steps <= t <= max_update``::

        lr(t) = final_lr + (base_lr - final_lr) * (1 + cos(pi * (t - W) / (max_update - W))) / 2

    and ``final_lr`` after it.

    Examples
    --------
    >>> s = PureCosineScheduler(max_update=4, base_lr=1.0, warmup_steps=2)
    >>> [round(s(t), 4) for t in range(0, 6)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """

    def __init__(self, max_update: int, base_lr: float = 0.01, final_lr: float = 0,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear") -> None:
        super().__init__()
        self._init_warmup(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        self._init_max_update(max_update, final_lr)

    @staticmethod
    def _shape(pos):
        if isinstance(pos, np.ndarray):
            return (1 + np.cos(np.pi * pos)) / 2
        return (1 + math.cos(math.pi * pos)) / 2

    def _repr_args(self):
        return [("max_update", self.max_update), ("base_lr", self.base_lr_),
                ("final_lr", self.final_lr), ("warmup_steps", self.warmup_steps),
                ("warmup_begin_lr", self.warmup_begin_lr), ("warmup_mode", self.warmup_mode)]


def _original_base_lr(sched: LRScheduler) -> float:
    """The ``base_lr`` the MXNet schedule was built with (calls mutate ``base_lr``)."""
    # CosineScheduler / PolyScheduler keep it as base_lr_orig; every LRScheduler keeps it
    # as warmup_final_lr.
    return getattr(sched, "base_lr_orig", sched.warmup_final_lr)


def from_mxnet(sched: LRScheduler) -> Schedule:
    """The pure mxsched equivalent of one of MXNet's four built-in schedules.

    ``sched`` is read, never called or modified. Its constructor arguments are used
    (not its current, possibly mutated, ``base_lr``), so the result gives the values a
    *fresh* instance returns when called with 1, 2, ..., t in order.

    Raises
    ------
    TypeError
        If ``sched`` is not exactly one of MXNet's four built-in classes (a subclass may
        override ``__call__``, so it is not converted).
    """
    warm = dict(base_lr=_original_base_lr(sched), warmup_steps=sched.warmup_steps,
                warmup_begin_lr=sched.warmup_begin_lr, warmup_mode=sched.warmup_mode)
    kind = type(sched)
    if kind is FactorScheduler:
        return PureFactorScheduler(sched.step, sched.factor, sched.stop_factor_lr, **warm)
    if kind is MultiFactorScheduler:
        return PureMultiFactorScheduler(list(sched.step), sched.factor, **warm)
    if kind is PolyScheduler:
        return PurePolyScheduler(sched.max_update, pwr=sched.power, final_lr=sched.final_lr,
                                 **warm)
    if kind is CosineScheduler:
        return PureCosineScheduler(sched.max_update, final_lr=sched.final_lr, **warm)
    raise TypeError(f"sched must be one of MXNet's FactorScheduler, MultiFactorScheduler, "
                    f"PolyScheduler, CosineScheduler, got {sched!r}")
