"""Hugging Face transformers' learning-rate schedules, with their names and values.

Every ``get_*_schedule*`` function of ``transformers.optimization`` and ``get_scheduler``
have a drop-in here, with the peer's name, parameter names, positional order and
defaults. Each returns a pure mxsched schedule (a :class:`~mxsched.compat._base.DropIn`
whose ``repr`` is the peer-style call) to hand to ``gluon.Trainer`` as ``lr_scheduler``.

Conventions
-----------
* ``lr`` takes the place of ``optimizer``, in the same position: it is the optimizer's
  learning rate (``optimizer.defaults["lr"]``), which the peer's ``LambdaLR`` multiplies by
  ``lr_lambda``. ``get_scheduler(name, lr, ...)`` likewise.
* Update alignment. The peer's loop runs ``optimizer.step(); scheduler.step()``, and
  ``LambdaLR`` evaluates ``lr_lambda(0)`` when it is built, so its ``k``-th optimizer
  update uses ``lr * lr_lambda(k - 1)``. MXNet asks the schedule for ``sched(k)`` at its
  ``k``-th update; every drop-in here returns exactly the peer's value for that update
  (``Delay(s, 1)`` of the index-aligned curve ``s(i) = lr * lr_lambda(i)``, except the
  ``cosine_warmup_with_min_lr`` schedule, whose factor is already one step ahead).
* Past ``num_training_steps`` the values are the peer's: linear and hard restarts stay
  at 0, polynomial at ``lr_end``, WSD at ``min_lr_ratio * lr``, the inverse square root
  keeps decaying, and the cosine schedules rise again (:class:`mxsched.CosineWave`).
* ``sched.core`` is the mxsched composition of public classes the drop-in is made of.

Drop-ins
--------
:func:`get_constant_schedule`, :func:`get_constant_schedule_with_warmup`,
:func:`get_linear_schedule_with_warmup`, :func:`get_cosine_schedule_with_warmup`,
:func:`get_cosine_with_hard_restarts_schedule_with_warmup`,
:func:`get_polynomial_decay_schedule_with_warmup`, :func:`get_inverse_sqrt_schedule`,
:func:`get_cosine_with_min_lr_schedule_with_warmup`,
:func:`get_cosine_with_min_lr_schedule_with_warmup_lr_rate`, :func:`get_wsd_schedule`,
:func:`get_scheduler` (with :class:`SchedulerType` and ``TYPE_TO_SCHEDULER_FUNCTION``).

Not reproduced, deliberately
----------------------------
* ``last_epoch`` is accepted only as ``-1``, its default. It exists to rebuild a
  ``LambdaLR`` when a run resumes. An mxsched schedule is a pure function of the
  optimizer's update count, and a resumed ``Trainer`` restores that count, so the
  schedule goes on where it stopped without being told.
* The metric-driven names ``reduce_lr_on_plateau`` and ``greedy`` of ``get_scheduler``
  are not update-count schedules. ``get_scheduler`` raises a ``ValueError`` for them
  (use :class:`mxsched.gluon.ReduceLROnPlateau` over a schedule).
* Inputs the peer accepts and then fails on later (a ``ZeroDivisionError`` or math-domain
  error inside ``scheduler.step()``) or turns into odd values are a ``ValueError`` at
  construction: negative or non-integer step counts, polynomial decay with
  ``num_training_steps == num_warmup_steps`` or ``power < 0``, ``timescale <= 0``,
  ``num_cycles <= 0``, a negative ``lr_end``, a minimum rate outside ``[0, 1]``
  (``min_lr`` outside ``[0, lr]``), ``min_lr`` with ``lr = 0``, and a WSD stable phase
  that comes out negative (``num_training_steps < num_warmup_steps + num_decay_steps``).
  Every value of a schedule is a learning rate in ``[0, base_lr]``.
* Per-parameter-group learning rates: a drop-in has one ``lr`` (the peer normalises the
  polynomial and min-lr schedules by ``optimizer.defaults["lr"]``; with one group that is
  ``lr``).
* The peer's factors run in float arithmetic in its own order of operations; the
  drop-ins compute the same formulas with mxsched's classes, so values agree to a
  relative 1e-12, not to the last bit. One case shows: hard restarts with a
  ``num_cycles`` whose product ``num_cycles * progress`` the peer rounds to just below a
  whole number at a restart step (e.g. ``num_cycles=22`` over 22 steps, step 15). The
  peer then shows the end of the previous cycle (about 0) for that one step, where the
  drop-in restarts (``lr``). This does not happen for integer ``num_cycles`` up to 20 and
  up to 10000 decay steps. A ``num_cycles`` with a long binary fraction (0.3, 3.3) makes
  the drop-in count cycles in floats too, and such a step can then differ either way
  (``num_cycles=3.3`` over 11 steps: update 11).
"""
from __future__ import annotations

import enum
import numbers
import warnings
from fractions import Fraction
from typing import Any, Callable, Dict, Optional, Union

from ..base import Schedule
from ..checks import check_int, check_lr, check_positive, check_real
from ..compose import Delay, Join
from ..cooldown import WarmupStableDecay
from ..cycles import Restarts
from ..decays import InverseSqrtDecay, PolynomialDecay
from ..shapes import Constant, CosineAnnealing, CosineWave, LinearSchedule
from ..units import InUnits
from ..warmup import ConstantWarmUp, LinearWarmUp
from ._base import DropIn

__all__ = [
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_linear_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_inverse_sqrt_schedule",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_wsd_schedule",
    "get_scheduler",
    "SchedulerType",
    "TYPE_TO_SCHEDULER_FUNCTION",
]

_SHAPES = ("linear", "cosine", "1-sqrt")


# --------------------------------------------------------------------------- checks
def _steps(name: str, value: Any) -> int:
    return check_int(name, value, minimum=0)


def _check_last_epoch(last_epoch: Any) -> None:
    value = check_int("last_epoch", last_epoch, minimum=-1)
    if value != -1:
        raise ValueError(
            f"last_epoch must be -1: an mxsched schedule is a function of the optimizer's "
            f"update count, which a resumed Trainer restores, so there is no index to "
            f"resume from, got {last_epoch!r}")


def _check_rate(name: str, value: Any) -> float:
    value = check_real(name, value)
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return value


def _min_lr_rate(lr: float, min_lr: Any, min_lr_rate: Any) -> float:
    """The peer's resolution of ``min_lr`` / ``min_lr_rate`` (its messages), then ranges."""
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is not None:
        min_lr = check_lr("min_lr", min_lr)
        if lr <= 0:
            raise ValueError(f"lr must be > 0 when min_lr is given (min_lr_rate = min_lr / "
                             f"lr), got {lr!r}")
        if min_lr > lr:
            raise ValueError(f"min_lr must be in [0, lr={lr!r}], got {min_lr!r}")
        return min_lr / lr
    if min_lr_rate is None:
        raise ValueError(
            "One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    return _check_rate("min_lr_rate", min_lr_rate)


def _warmed(schedule: Schedule, num_warmup_steps: int) -> Schedule:
    """The peer's linear warm-up ``lr * s / W`` over ``s < W``, then ``schedule(s - W)``."""
    if num_warmup_steps == 0:
        return schedule
    return LinearWarmUp(schedule, start_lr=0.0, length=num_warmup_steps)


def _cut_warmup(lr: float, num_warmup_steps: int, after: float) -> Schedule:
    """The warm-up ``lr * s / W`` for ``s < W``, then ``after`` (no decay phase left)."""
    return Join([LinearSchedule(0.0, lr, num_warmup_steps), Constant(after)],
                boundaries=[num_warmup_steps])


# --------------------------------------------------------------------------- constant
class _ConstantSchedule(DropIn):
    """The drop-in of :func:`get_constant_schedule`."""

    _peer_name = "get_constant_schedule"
    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1)

    def __init__(self, lr: float, last_epoch: int = -1) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        _check_last_epoch(last_epoch)
        self._core = Constant(self.lr)

    def _repr_args(self):
        return [("lr", self.lr)]


def get_constant_schedule(lr: float, last_epoch: int = -1) -> DropIn:
    """A constant learning rate (``transformers.get_constant_schedule``)::

        lr_k = lr                       at every update k

    Built from ``Constant(lr)``.

    Parameters
    ----------
    lr : float
        The learning rate (the optimizer's, which the peer multiplies by 1).
    last_epoch : int, default -1
        Only -1 (see the module docstring).

    Returns
    -------
    DropIn
        ``repr``: ``get_constant_schedule(lr=...)``.

    Examples
    --------
    >>> s = get_constant_schedule(0.1)
    >>> s, s(1), s(10 ** 6)
    (get_constant_schedule(lr=0.1), 0.1, 0.1)

    References
    ----------
    Hugging Face transformers, ``transformers.optimization.get_constant_schedule``.
    """
    return _ConstantSchedule(lr, last_epoch)


class _ConstantScheduleWithWarmup(DropIn):
    """The drop-in of :func:`get_constant_schedule_with_warmup`."""

    _peer_name = "get_constant_schedule_with_warmup"
    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=40)

    def __init__(self, lr: float, num_warmup_steps: int, last_epoch: int = -1) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.num_warmup_steps = _steps("num_warmup_steps", num_warmup_steps)
        _check_last_epoch(last_epoch)
        self._core = Delay(_warmed(Constant(self.lr), self.num_warmup_steps), 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps)]


def get_constant_schedule_with_warmup(lr: float, num_warmup_steps: int,
                                      last_epoch: int = -1) -> DropIn:
    """A linear warm-up from 0, then constant
    (``transformers.get_constant_schedule_with_warmup``).

    With ``W = num_warmup_steps`` and ``s = k - 1`` for update ``k``::

        lr_k = lr * s / W       for s < W       (update 1 is 0)
               lr               after

    Built from ``Delay(LinearWarmUp(Constant(lr), 0.0, W), 1)`` (``Constant(lr)`` when
    ``W = 0``).

    Parameters
    ----------
    lr : float
        The learning rate after the warm-up.
    num_warmup_steps : int
        Updates of the warm-up (``>= 0``).
    last_epoch : int, default -1
        Only -1 (see the module docstring).

    Returns
    -------
    DropIn

    Examples
    --------
    >>> s = get_constant_schedule_with_warmup(1.0, num_warmup_steps=4)
    >>> [round(s(k), 4) for k in range(1, 8)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]

    References
    ----------
    Hugging Face transformers,
    ``transformers.optimization.get_constant_schedule_with_warmup``.
    """
    return _ConstantScheduleWithWarmup(lr, num_warmup_steps, last_epoch)


# --------------------------------------------------------------------------- linear
class _LinearScheduleWithWarmup(DropIn):
    """The drop-in of :func:`get_linear_schedule_with_warmup`."""

    _peer_name = "get_linear_schedule_with_warmup"
    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=20, num_training_steps=200)

    def __init__(self, lr: float, num_warmup_steps: int, num_training_steps: int,
                 last_epoch: int = -1) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.num_warmup_steps = w = _steps("num_warmup_steps", num_warmup_steps)
        self.num_training_steps = t = _steps("num_training_steps", num_training_steps)
        _check_last_epoch(last_epoch)
        if t > w:
            index_aligned = _warmed(LinearSchedule(self.lr, 0.0, t - w), w)
        elif w > 0:  # the decay is over when the warm-up ends: 0 from s = W on
            index_aligned = _cut_warmup(self.lr, w, 0.0)
        else:
            index_aligned = Constant(0.0)
        self._core = Delay(index_aligned, 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps),
                ("num_training_steps", self.num_training_steps)]


def get_linear_schedule_with_warmup(lr: float, num_warmup_steps: int,
                                    num_training_steps: int, last_epoch: int = -1) -> DropIn:
    """A linear warm-up from 0, then a linear decay to 0
    (``transformers.get_linear_schedule_with_warmup``).

    With ``W = num_warmup_steps``, ``T = num_training_steps`` and ``s = k - 1`` for
    update ``k``::

        lr_k = lr * s / W                            for s < W
               lr * max(0, (T - s) / max(1, T - W))  after

    0 from update ``T + 1`` on, for ever. Built from
    ``Delay(LinearWarmUp(LinearSchedule(lr, 0.0, T - W), 0.0, W), 1)``; when
    ``T <= W`` the rate drops to 0 right after the warm-up
    (``Join([LinearSchedule(0.0, lr, W), Constant(0.0)], [W])``, delayed by 1).

    Parameters
    ----------
    lr : float
        The peak, reached at update ``W + 1``.
    num_warmup_steps : int
        Updates of the warm-up (``>= 0``).
    num_training_steps : int
        Total updates (``>= 0``).
    last_epoch : int, default -1
        Only -1 (see the module docstring).

    Returns
    -------
    DropIn

    Examples
    --------
    >>> s = get_linear_schedule_with_warmup(1.0, num_warmup_steps=2, num_training_steps=4)
    >>> s
    get_linear_schedule_with_warmup(lr=1.0, num_warmup_steps=2, num_training_steps=4)
    >>> [round(s(k), 4) for k in range(1, 8)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.0, 0.0]

    References
    ----------
    Hugging Face transformers, ``transformers.optimization.get_linear_schedule_with_warmup``.
    """
    return _LinearScheduleWithWarmup(lr, num_warmup_steps, num_training_steps, last_epoch)


# --------------------------------------------------------------------------- cosine
class _CosineScheduleWithWarmup(DropIn):
    """The drop-in of :func:`get_cosine_schedule_with_warmup`."""

    _peer_name = "get_cosine_schedule_with_warmup"
    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=20, num_training_steps=200)

    def __init__(self, lr: float, num_warmup_steps: int, num_training_steps: int,
                 num_cycles: float = 0.5, last_epoch: int = -1) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.num_warmup_steps = w = _steps("num_warmup_steps", num_warmup_steps)
        self.num_training_steps = t = _steps("num_training_steps", num_training_steps)
        self.num_cycles = check_positive("num_cycles", num_cycles)
        _check_last_epoch(last_epoch)
        wave = CosineWave(0.0, self.lr, length=max(1, t - w), cycles=self.num_cycles)
        self._core = Delay(_warmed(wave, w), 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps),
                ("num_training_steps", self.num_training_steps),
                ("num_cycles", self.num_cycles)]


def get_cosine_schedule_with_warmup(lr: float, num_warmup_steps: int, num_training_steps: int,
                                    num_cycles: float = 0.5, last_epoch: int = -1) -> DropIn:
    """A linear warm-up from 0, then a cosine wave
    (``transformers.get_cosine_schedule_with_warmup``).

    With ``W = num_warmup_steps``, ``T = num_training_steps``, ``c = num_cycles`` and
    ``s = k - 1`` for update ``k``::

        lr_k = lr * s / W                                   for s < W
               lr * (1 + cos(2 pi c p)) / 2,  p = (s - W) / max(1, T - W)   after

    With ``c = 0.5`` it falls from ``lr`` to 0 at update ``T + 1`` and then, as the
    peer's does, rises again (``lr`` at ``p = 2``). Built from
    ``Delay(LinearWarmUp(CosineWave(0.0, lr, length=max(1, T - W), cycles=c), 0.0, W), 1)``.

    Parameters
    ----------
    lr : float
        The peak, reached at update ``W + 1``.
    num_warmup_steps : int
        Updates of the warm-up (``>= 0``).
    num_training_steps : int
        Total updates (``>= 0``).
    num_cycles : float, default 0.5
        Waves over the ``T - W`` decay updates (``> 0``; 0.5 is half a cosine, to 0).
    last_epoch : int, default -1
        Only -1 (see the module docstring).

    Returns
    -------
    DropIn

    Examples
    --------
    >>> s = get_cosine_schedule_with_warmup(1.0, num_warmup_steps=0, num_training_steps=4)
    >>> [round(s(k), 4) for k in range(1, 10)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464, 0.5, 0.8536, 1.0]

    References
    ----------
    Hugging Face transformers, ``transformers.optimization.get_cosine_schedule_with_warmup``.
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    """
    return _CosineScheduleWithWarmup(lr, num_warmup_steps, num_training_steps, num_cycles,
                                     last_epoch)


class _CosineWithHardRestartsScheduleWithWarmup(DropIn):
    """The drop-in of :func:`get_cosine_with_hard_restarts_schedule_with_warmup`."""

    _peer_name = "get_cosine_with_hard_restarts_schedule_with_warmup"
    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=20, num_training_steps=200, num_cycles=3)

    def __init__(self, lr: float, num_warmup_steps: int, num_training_steps: int,
                 num_cycles: float = 1, last_epoch: int = -1) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.num_warmup_steps = w = _steps("num_warmup_steps", num_warmup_steps)
        self.num_training_steps = t = _steps("num_training_steps", num_training_steps)
        self.num_cycles = c = check_positive("num_cycles", num_cycles)
        _check_last_epoch(last_epoch)
        span = max(1, t - w)
        if c.is_integer() and span % int(c) == 0:  # whole cycles of whole updates
            cycles, length = int(c), span // int(c)
            decay = CosineAnnealing(0.0, self.lr, length)
            if cycles > 1:
                decay = Restarts(decay, length, cycle_limit=cycles)
        else:  # cycles of span / c updates, counted exactly, cut at the end of the span
            cycle = Restarts(CosineAnnealing(0.0, self.lr, 1), 1)
            decay = Join([InUnits(cycle, Fraction(span) / Fraction(c), unit="cycle"),
                          Constant(0.0)], boundaries=[span])
        self._core = Delay(_warmed(decay, w), 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps),
                ("num_training_steps", self.num_training_steps),
                ("num_cycles", self.num_cycles)]


def get_cosine_with_hard_restarts_schedule_with_warmup(
        lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 1,
        last_epoch: int = -1) -> DropIn:
    """A linear warm-up from 0, then ``num_cycles`` cosine decays, each restarting at ``lr``
    (``transformers.get_cosine_with_hard_restarts_schedule_with_warmup``).

    With ``W = num_warmup_steps``, ``T = num_training_steps``, ``c = num_cycles`` and
    ``s = k - 1`` for update ``k``::

        lr_k = lr * s / W                                   for s < W
               lr * (1 + cos(pi * ((c * p) mod 1))) / 2,  p = (s - W) / max(1, T - W) < 1
               0                                           for p >= 1 (held for ever)

    Built from ``Restarts(CosineAnnealing(0.0, lr, L), L, cycle_limit=c)`` with
    ``L = (T - W) / c`` when that is a whole number (``CosineAnnealing(0.0, lr, T - W)``
    for ``c = 1``), else from ``Join([InUnits(Restarts(CosineAnnealing(0.0, lr, 1), 1),
    (T - W) / c), Constant(0.0)], [T - W])`` (cycles of fractional length, counted
    exactly), behind ``LinearWarmUp(..., 0.0, W)`` and ``Delay(..., 1)``.

    Parameters
    ----------
    lr : float
        The value at the start of each cycle.
    num_warmup_steps : int
        Updates of the warm-up (``>= 0``).
    num_training_steps : int
        Total updates (``>= 0``).
    num_cycles : float, default 1
        Cycles over the ``T - W`` decay updates (``> 0``; may be fractional).
    last_epoch : int, default -1
        Only -1 (see the module docstring).

    Returns
    -------
    DropIn

    Examples
    --------
    >>> s = get_cosine_with_hard_restarts_schedule_with_warmup(
    ...     1.0, num_warmup_steps=1, num_training_steps=9, num_cycles=2)
    >>> [round(s(k), 4) for k in range(1, 12)]
    [0.0, 1.0, 0.8536, 0.5, 0.1464, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]

    References
    ----------
    Hugging Face transformers,
    ``transformers.optimization.get_cosine_with_hard_restarts_schedule_with_warmup``.
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    """
    return _CosineWithHardRestartsScheduleWithWarmup(lr, num_warmup_steps, num_training_steps,
                                                     num_cycles, last_epoch)


# --------------------------------------------------------------------------- polynomial
class _PolynomialDecayScheduleWithWarmup(DropIn):
    """The drop-in of :func:`get_polynomial_decay_schedule_with_warmup`."""

    _peer_name = "get_polynomial_decay_schedule_with_warmup"
    _lr_params = ("lr", "lr_end")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=20, num_training_steps=200, lr_end=0.001,
                    power=2.0)

    def __init__(self, lr: float, num_warmup_steps: int, num_training_steps: int,
                 lr_end: float = 1e-7, power: float = 1.0, last_epoch: int = -1) -> None:
        super().__init__()
        for name, value in (("lr", lr), ("lr_end", lr_end)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a real number, got {value!r}")
        if not lr > lr_end:  # the peer's check and message (NaN fails it too)
            raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr})")
        self.lr = check_lr("lr", lr)
        self.lr_end = check_lr("lr_end", lr_end)
        self.num_warmup_steps = w = _steps("num_warmup_steps", num_warmup_steps)
        self.num_training_steps = t = _steps("num_training_steps", num_training_steps)
        if t == w:
            raise ValueError(
                f"num_training_steps must differ from num_warmup_steps={w!r} (the decay "
                f"divides by num_training_steps - num_warmup_steps at its last step), "
                f"got {num_training_steps!r}")
        self.power = check_real("power", power)
        if self.power < 0:
            raise ValueError(f"power must be >= 0 (0.0 cannot be raised to a negative power "
                             f"at the last step of the decay), got {power!r}")
        _check_last_epoch(last_epoch)
        if t < w:  # the decay is over when the warm-up ends: lr_end from s = W on
            index_aligned = _cut_warmup(self.lr, w, self.lr_end)
        else:
            if self.power > 0:
                decay = PolynomialDecay(self.lr_end, self.lr, t - w, self.power)
            else:  # (1 - p) ** 0 = 1 up to s = T included
                decay = Join([Constant(self.lr), Constant(self.lr_end)], [t - w + 1])
            index_aligned = _warmed(decay, w)
        self._core = Delay(index_aligned, 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps),
                ("num_training_steps", self.num_training_steps), ("lr_end", self.lr_end),
                ("power", self.power)]


def get_polynomial_decay_schedule_with_warmup(
        lr: float, num_warmup_steps: int, num_training_steps: int, lr_end: float = 1e-7,
        power: float = 1.0, last_epoch: int = -1) -> DropIn:
    """A linear warm-up from 0, then a polynomial decay to ``lr_end``
    (``transformers.get_polynomial_decay_schedule_with_warmup``).

    With ``W = num_warmup_steps``, ``T = num_training_steps`` and ``s = k - 1`` for
    update ``k``::

        lr_k = lr * s / W                                             for s < W
               lr_end + (lr - lr_end) * (1 - (s - W) / (T - W)) ** power  for W <= s <= T
               lr_end                                                 for s > T

    ``lr_end`` from update ``T + 1`` on. Built from
    ``Delay(LinearWarmUp(PolynomialDecay(lr_end, lr, T - W, power), 0.0, W), 1)``; when
    ``T < W`` the rate drops to ``lr_end`` right after the warm-up.

    Parameters
    ----------
    lr : float
        The peak (the peer's ``optimizer.defaults["lr"]``); must exceed ``lr_end``.
    num_warmup_steps : int
        Updates of the warm-up (``>= 0``).
    num_training_steps : int
        Total updates (``>= 0``, not equal to ``num_warmup_steps``: the peer divides by
        their difference).
    lr_end : float, default 1e-7
        The final learning rate (``>= 0``).
    power : float, default 1.0
        The exponent (``>= 0``; 1 is linear).
    last_epoch : int, default -1
        Only -1 (see the module docstring).

    Returns
    -------
    DropIn

    Raises
    ------
    ValueError
        ``"lr_end ({lr_end}) must be smaller than initial lr ({lr})"`` (the peer's), and
        the checks listed in the module docstring.

    Examples
    --------
    >>> s = get_polynomial_decay_schedule_with_warmup(1.0, 1, 5, lr_end=0.2, power=2.0)
    >>> [round(s(k), 4) for k in range(1, 9)]
    [0.0, 1.0, 0.65, 0.4, 0.25, 0.2, 0.2, 0.2]

    References
    ----------
    Hugging Face transformers,
    ``transformers.optimization.get_polynomial_decay_schedule_with_warmup``.
    """
    return _PolynomialDecayScheduleWithWarmup(lr, num_warmup_steps, num_training_steps,
                                              lr_end, power, last_epoch)


# --------------------------------------------------------------------------- inverse sqrt
class _InverseSqrtSchedule(DropIn):
    """The drop-in of :func:`get_inverse_sqrt_schedule`."""

    _peer_name = "get_inverse_sqrt_schedule"
    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=20)

    def __init__(self, lr: float, num_warmup_steps: int, timescale: Optional[float] = None,
                 last_epoch: int = -1) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.num_warmup_steps = w = _steps("num_warmup_steps", num_warmup_steps)
        self.timescale = None if timescale is None else check_positive("timescale",
                                                                       timescale)
        _check_last_epoch(last_epoch)
        scale = (w or 10_000) if self.timescale is None else self.timescale
        self._core = Delay(_warmed(InverseSqrtDecay(self.lr, scale), w), 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps),
                ("timescale", self.timescale)]


def get_inverse_sqrt_schedule(lr: float, num_warmup_steps: int,
                              timescale: Optional[float] = None,
                              last_epoch: int = -1) -> DropIn:
    """A linear warm-up from 0, then an inverse square-root decay
    (``transformers.get_inverse_sqrt_schedule``).

    With ``W = num_warmup_steps``, ``tau = timescale`` (default ``W``, or 10000 when
    ``W = 0``, as the peer's ``num_warmup_steps or 10_000``) and ``s = k - 1`` for
    update ``k``::

        lr_k = lr * s / W                              for s < W
               lr / sqrt((s - W + tau) / tau)          after (no end: it keeps decaying)

    Built from ``Delay(LinearWarmUp(InverseSqrtDecay(lr, tau), 0.0, W), 1)``.

    Parameters
    ----------
    lr : float
        The peak, reached at update ``W + 1``.
    num_warmup_steps : int
        Updates of the warm-up (``>= 0``).
    timescale : float, optional
        Updates over which the rate falls to ``lr / sqrt(2)`` (``> 0``).
    last_epoch : int, default -1
        Only -1 (see the module docstring).

    Returns
    -------
    DropIn

    Examples
    --------
    >>> s = get_inverse_sqrt_schedule(1.0, num_warmup_steps=2)
    >>> [round(s(k), 4) for k in range(1, 8)]
    [0.0, 0.5, 1.0, 0.8165, 0.7071, 0.6325, 0.5774]

    References
    ----------
    Hugging Face transformers, ``transformers.optimization.get_inverse_sqrt_schedule``.
    Vaswani et al., "Attention Is All You Need", 2017.
    """
    return _InverseSqrtSchedule(lr, num_warmup_steps, timescale, last_epoch)


# --------------------------------------------------------------------------- min-lr cosines
class _CosineWithMinLrScheduleWithWarmup(DropIn):
    """The drop-in of :func:`get_cosine_with_min_lr_schedule_with_warmup`."""

    _peer_name = "get_cosine_with_min_lr_schedule_with_warmup"
    _lr_params = ("lr", "min_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=20, num_training_steps=200, min_lr_rate=0.05)

    def __init__(self, lr: float, num_warmup_steps: int, num_training_steps: int,
                 num_cycles: float = 0.5, last_epoch: int = -1, min_lr: Optional[float] = None,
                 min_lr_rate: Optional[float] = None) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        rate = _min_lr_rate(self.lr, min_lr, min_lr_rate)
        self.min_lr = None if min_lr is None else float(min_lr)
        self.min_lr_rate = None if min_lr_rate is None else rate
        self.num_warmup_steps = w = _steps("num_warmup_steps", num_warmup_steps)
        self.num_training_steps = t = _steps("num_training_steps", num_training_steps)
        self.num_cycles = check_positive("num_cycles", num_cycles)
        _check_last_epoch(last_epoch)
        wave = CosineWave(rate * self.lr, self.lr, length=max(1, t - w),
                          cycles=self.num_cycles)
        self._core = Delay(_warmed(wave, w), 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps),
                ("num_training_steps", self.num_training_steps),
                ("num_cycles", self.num_cycles), ("min_lr", self.min_lr),
                ("min_lr_rate", self.min_lr_rate)]


def get_cosine_with_min_lr_schedule_with_warmup(
        lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5,
        last_epoch: int = -1, min_lr: Optional[float] = None,
        min_lr_rate: Optional[float] = None) -> DropIn:
    """A linear warm-up from 0, then a cosine wave down to a floor
    (``transformers.get_cosine_with_min_lr_schedule_with_warmup``).

    As :func:`get_cosine_schedule_with_warmup`, with the wave between ``lr`` and
    ``r * lr``, ``r = min_lr_rate`` (or ``min_lr / lr``)::

        lr_k = lr * s / W                                          for s < W
               lr * (r + (1 - r) * (1 + cos(2 pi c p)) / 2)        after

    and, like the peer's, it rises again after update ``T + 1``. Built from
    ``Delay(LinearWarmUp(CosineWave(r * lr, lr, length=max(1, T - W), cycles=c), 0.0, W), 1)``.

    Parameters
    ----------
    lr : float
        The peak.
    num_warmup_steps : int
        Updates of the warm-up (``>= 0``).
    num_training_steps : int
        Total updates (``>= 0``).
    num_cycles : float, default 0.5
        Waves over the decay (``> 0``).
    last_epoch : int, default -1
        Only -1 (see the module docstring).
    min_lr : float, optional
        The floor, in ``[0, lr]`` (``lr > 0``).
    min_lr_rate : float, optional
        The floor as a fraction of ``lr``, in ``[0, 1]``. Exactly one of ``min_lr`` and
        ``min_lr_rate`` must be given.

    Returns
    -------
    DropIn

    Raises
    ------
    ValueError
        The peer's ``"Only one of min_lr or min_lr_rate should be set"`` and ``"One of
        min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`"``, and the
        range checks above.

    Examples
    --------
    >>> s = get_cosine_with_min_lr_schedule_with_warmup(1.0, 1, 5, min_lr=0.2)
    >>> [round(s(k), 4) for k in range(1, 8)]
    [0.0, 1.0, 0.8828, 0.6, 0.3172, 0.2, 0.3172]

    References
    ----------
    Hugging Face transformers,
    ``transformers.optimization.get_cosine_with_min_lr_schedule_with_warmup``.
    """
    return _CosineWithMinLrScheduleWithWarmup(lr, num_warmup_steps, num_training_steps,
                                              num_cycles, last_epoch, min_lr, min_lr_rate)


class _CosineWithMinLrScheduleWithWarmupLrRate(DropIn):
    """The drop-in of :func:`get_cosine_with_min_lr_schedule_with_warmup_lr_rate`."""

    _peer_name = "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
    _lr_params = ("lr", "min_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=20, num_training_steps=200, min_lr_rate=0.05,
                    warmup_lr_rate=0.1)

    def __init__(self, lr: float, num_warmup_steps: int, num_training_steps: int,
                 num_cycles: float = 0.5, last_epoch: int = -1, min_lr: Optional[float] = None,
                 min_lr_rate: Optional[float] = None,
                 warmup_lr_rate: Optional[float] = None) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        rate = _min_lr_rate(self.lr, min_lr, min_lr_rate)
        self.min_lr = None if min_lr is None else float(min_lr)
        self.min_lr_rate = None if min_lr_rate is None else rate
        self.num_warmup_steps = w = _steps("num_warmup_steps", num_warmup_steps)
        self.num_training_steps = t = _steps("num_training_steps", num_training_steps)
        self.num_cycles = check_positive("num_cycles", num_cycles)
        self.warmup_lr_rate = (None if warmup_lr_rate is None
                               else check_lr("warmup_lr_rate", warmup_lr_rate))
        _check_last_epoch(last_epoch)
        wave = CosineWave(rate * self.lr, self.lr, length=max(1, t - w),
                          cycles=self.num_cycles)
        if w == 0:  # update k: the wave at k (the peer's progress is one step ahead)
            self._core = wave
        elif self.warmup_lr_rate is None:  # update k <= W: lr * k / W
            self._core = LinearWarmUp(wave, 0.0, w)
        else:  # update k <= W: from warmup_lr_rate * lr at k = 1 to lr at k = W
            start = self.warmup_lr_rate * self.lr
            if w == 1:
                self._core = Delay(ConstantWarmUp(wave, start, 1, shift=False), 1)
            else:
                self._core = Delay(LinearWarmUp(wave, start, w - 1), 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps),
                ("num_training_steps", self.num_training_steps),
                ("num_cycles", self.num_cycles), ("min_lr", self.min_lr),
                ("min_lr_rate", self.min_lr_rate), ("warmup_lr_rate", self.warmup_lr_rate)]


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
        lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5,
        last_epoch: int = -1, min_lr: Optional[float] = None,
        min_lr_rate: Optional[float] = None,
        warmup_lr_rate: Optional[float] = None) -> DropIn:
    """The min-lr cosine whose warm-up and decay are one update ahead
    (``transformers.optimization.get_cosine_with_min_lr_schedule_with_warmup_lr_rate``,
    ``get_scheduler`` name ``"cosine_warmup_with_min_lr"``).

    With ``W = num_warmup_steps``, ``T = num_training_steps``, ``c = num_cycles``,
    ``r = min_lr_rate`` (or ``min_lr / lr``) and ``q = warmup_lr_rate``, update ``k``
    (the peer's step ``k - 1``) uses::

        lr_k = lr * k / W                              for k <= W   (q None: update 1 is lr / W)
               lr * (q + (1 - q) * (k - 1) / max(1, W - 1))       (q given: q * lr at update 1)
               lr * (r + (1 - r) * (1 + cos(2 pi c p)) / 2),  p = (k - W) / max(1, T - W)  after

    The floor ``r * lr`` is reached at update ``T`` (not ``T + 1``); the wave rises
    again afterwards. Built from ``LinearWarmUp(CosineWave(r * lr, lr, max(1, T - W), c),
    0.0, W)`` (no delay: the peer's factor is already one step ahead), or with ``q``:
    ``Delay(LinearWarmUp(CosineWave(...), q * lr, W - 1), 1)``.

    Parameters
    ----------
    lr : float
        The peak, reached at update ``W``.
    num_warmup_steps : int
        Updates of the warm-up (``>= 0``).
    num_training_steps : int
        Total updates (``>= 0``).
    num_cycles : float, default 0.5
        Waves over the decay (``> 0``).
    last_epoch : int, default -1
        Only -1 (see the module docstring).
    min_lr : float, optional
        The floor, in ``[0, lr]`` (``lr > 0``).
    min_lr_rate : float, optional
        The floor as a fraction of ``lr``, in ``[0, 1]``; exactly one of the two.
    warmup_lr_rate : float, optional
        The first update's rate as a fraction of ``lr`` (``>= 0``).

    Returns
    -------
    DropIn

    Examples
    --------
    >>> s = get_cosine_with_min_lr_schedule_with_warmup_lr_rate(1.0, 2, 6, min_lr_rate=0.2)
    >>> [round(s(k), 4) for k in range(1, 9)]
    [0.5, 1.0, 0.8828, 0.6, 0.3172, 0.2, 0.3172, 0.6]

    References
    ----------
    Hugging Face transformers,
    ``transformers.optimization.get_cosine_with_min_lr_schedule_with_warmup_lr_rate``.
    """
    return _CosineWithMinLrScheduleWithWarmupLrRate(
        lr, num_warmup_steps, num_training_steps, num_cycles, last_epoch, min_lr, min_lr_rate,
        warmup_lr_rate)


# --------------------------------------------------------------------------- WSD
class _WsdSchedule(DropIn):
    """The drop-in of :func:`get_wsd_schedule`."""

    _peer_name = "get_wsd_schedule"
    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, num_warmup_steps=20, num_decay_steps=60, num_training_steps=200,
                    min_lr_ratio=0.05)

    def __init__(self, lr: float, num_warmup_steps: int, num_decay_steps: int,
                 num_training_steps: Optional[int] = None,
                 num_stable_steps: Optional[int] = None, warmup_type: str = "linear",
                 decay_type: str = "cosine", min_lr_ratio: float = 0,
                 num_cycles: float = 0.5, last_epoch: int = -1) -> None:
        super().__init__()
        if num_training_steps is None and num_stable_steps is None:
            raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
        if warmup_type not in _SHAPES:
            raise ValueError(f"Unknown warmup type: {warmup_type}, expected 'linear', "
                             f"'cosine' or '1-sqrt'")
        if decay_type not in _SHAPES:
            raise ValueError(f"Unknown decay type: {decay_type}, expected 'linear', "
                             f"'cosine' or '1-sqrt'")
        self.lr = check_lr("lr", lr)
        self.num_warmup_steps = w = _steps("num_warmup_steps", num_warmup_steps)
        self.num_decay_steps = d = _steps("num_decay_steps", num_decay_steps)
        self.num_training_steps = (None if num_training_steps is None
                                   else _steps("num_training_steps", num_training_steps))
        self.num_stable_steps = (None if num_stable_steps is None
                                 else _steps("num_stable_steps", num_stable_steps))
        self.warmup_type, self.decay_type = warmup_type, decay_type
        self.min_lr_ratio = _check_rate("min_lr_ratio", min_lr_ratio)
        self.num_cycles = check_positive("num_cycles", num_cycles)
        _check_last_epoch(last_epoch)
        stable = self.num_stable_steps
        if stable is None:
            stable = self.num_training_steps - w - d
            if stable < 0:
                raise ValueError(
                    f"num_training_steps must be >= num_warmup_steps + num_decay_steps = "
                    f"{w + d} (the stable phase num_training_steps - num_warmup_steps - "
                    f"num_decay_steps would be negative), got {num_training_steps!r}")
        self._core = Delay(WarmupStableDecay(
            self.min_lr_ratio * self.lr, self.lr, warmup_length=w, stable_length=stable,
            decay_length=d, warmup_shape=self.warmup_type, decay_shape=self.decay_type,
            num_cycles=self.num_cycles), 1)

    def _repr_args(self):
        return [("lr", self.lr), ("num_warmup_steps", self.num_warmup_steps),
                ("num_decay_steps", self.num_decay_steps),
                ("num_training_steps", self.num_training_steps),
                ("num_stable_steps", self.num_stable_steps), ("warmup_type", self.warmup_type),
                ("decay_type", self.decay_type), ("min_lr_ratio", self.min_lr_ratio),
                ("num_cycles", self.num_cycles)]


def get_wsd_schedule(lr: float, num_warmup_steps: int, num_decay_steps: int,
                     num_training_steps: Optional[int] = None,
                     num_stable_steps: Optional[int] = None, warmup_type: str = "linear",
                     decay_type: str = "cosine", min_lr_ratio: float = 0,
                     num_cycles: float = 0.5, last_epoch: int = -1) -> DropIn:
    """Warm-up, stable, decay (``transformers.get_wsd_schedule``).

    With ``W = num_warmup_steps``, ``D = num_decay_steps``, ``S = num_stable_steps``
    (default ``num_training_steps - W - D``), ``r = min_lr_ratio`` and ``s = k - 1`` for
    update ``k``::

        s < W:          p = s / W;  linear p, cosine (1 - cos(pi p)) / 2, 1-sqrt 1 - sqrt(1 - p)
                        lr_k = lr * (r + (1 - r) * that)        (starts at r * lr, not 0)
        s < W + S:      lr_k = lr
        s < W + S + D:  p = (s - W - S) / D;  linear 1 - p, cosine (1 + cos(2 pi c p)) / 2,
                        1-sqrt 1 - sqrt(p);  lr_k = lr * (r + (1 - r) * that)
        after:          lr_k = r * lr (for ever)

    Built from ``Delay(WarmupStableDecay(r * lr, lr, W, S, D, warmup_type, decay_type,
    num_cycles), 1)``.

    Parameters
    ----------
    lr : float
        The stable learning rate.
    num_warmup_steps, num_decay_steps : int
        Updates of the warm-up and of the decay (``>= 0``).
    num_training_steps : int, optional
        Total updates; gives ``S = num_training_steps - W - D`` (which must be ``>= 0``)
        when ``num_stable_steps`` is None.
    num_stable_steps : int, optional
        Updates of the stable phase (``>= 0``); wins over ``num_training_steps`` (with a
        ``UserWarning`` when both are given, as the peer's).
    warmup_type, decay_type : {'linear', 'cosine', '1-sqrt'}
        Shapes of the warm-up (default linear) and of the decay (default cosine).
    min_lr_ratio : float, default 0
        ``r``, in ``[0, 1]``.
    num_cycles : float, default 0.5
        Cosine waves in a cosine decay (``> 0``).
    last_epoch : int, default -1
        Only -1 (see the module docstring).

    Returns
    -------
    DropIn

    Raises
    ------
    ValueError
        The peer's ``"Either num_training_steps or num_stable_steps must be specified."``,
        ``"Unknown warmup type: ..."`` and ``"Unknown decay type: ..."``, and the range
        checks above.

    Examples
    --------
    >>> s = get_wsd_schedule(1.0, 2, 3, num_training_steps=8, decay_type="linear",
    ...                      min_lr_ratio=0.1)
    >>> [round(s(k), 4) for k in range(1, 11)]
    [0.1, 0.55, 1.0, 1.0, 1.0, 1.0, 0.7, 0.4, 0.1, 0.1]

    References
    ----------
    Hugging Face transformers, ``transformers.get_wsd_schedule``. Hu et al., "MiniCPM:
    Unveiling the Potential of Small Language Models with Scalable Training Strategies",
    2024.
    """
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if num_training_steps is not None and num_stable_steps is not None:
        warnings.warn("Both num_training_steps and num_stable_steps are specified. "
                      "num_stable_steps will be used.", stacklevel=2)
    return _WsdSchedule(lr, num_warmup_steps, num_decay_steps, num_training_steps,
                        num_stable_steps, warmup_type, decay_type, min_lr_ratio, num_cycles,
                        last_epoch)


# --------------------------------------------------------------------------- get_scheduler
class SchedulerType(str, enum.Enum):
    """The peer's ``transformers.SchedulerType``: the names :func:`get_scheduler` takes.

    A value that is not one of them is a ``ValueError`` with the peer's message.

    Examples
    --------
    >>> SchedulerType("cosine") is SchedulerType.COSINE
    True
    """

    LINEAR = "linear"
    COSINE = "cosine"
    COSINE_WITH_RESTARTS = "cosine_with_restarts"
    POLYNOMIAL = "polynomial"
    CONSTANT = "constant"
    CONSTANT_WITH_WARMUP = "constant_with_warmup"
    INVERSE_SQRT = "inverse_sqrt"
    REDUCE_ON_PLATEAU = "reduce_lr_on_plateau"
    COSINE_WITH_MIN_LR = "cosine_with_min_lr"
    COSINE_WARMUP_WITH_MIN_LR = "cosine_warmup_with_min_lr"
    WARMUP_STABLE_DECAY = "warmup_stable_decay"
    GREEDY = "greedy"

    @classmethod
    def _missing_(cls, value):
        raise ValueError(f"{value} is not a valid {cls.__name__}, please select one of "
                         f"{list(cls._value2member_map_.keys())}")


#: The peer's table: scheduler name -> function (None: metric-driven, not provided here).
TYPE_TO_SCHEDULER_FUNCTION: Dict[SchedulerType, Optional[Callable[..., DropIn]]] = {
    SchedulerType.LINEAR: get_linear_schedule_with_warmup,
    SchedulerType.COSINE: get_cosine_schedule_with_warmup,
    SchedulerType.COSINE_WITH_RESTARTS: get_cosine_with_hard_restarts_schedule_with_warmup,
    SchedulerType.POLYNOMIAL: get_polynomial_decay_schedule_with_warmup,
    SchedulerType.CONSTANT: get_constant_schedule,
    SchedulerType.CONSTANT_WITH_WARMUP: get_constant_schedule_with_warmup,
    SchedulerType.INVERSE_SQRT: get_inverse_sqrt_schedule,
    SchedulerType.REDUCE_ON_PLATEAU: None,
    SchedulerType.COSINE_WITH_MIN_LR: get_cosine_with_min_lr_schedule_with_warmup,
    SchedulerType.COSINE_WARMUP_WITH_MIN_LR: get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    SchedulerType.WARMUP_STABLE_DECAY: get_wsd_schedule,
    SchedulerType.GREEDY: None,
}


def get_scheduler(name: Union[str, SchedulerType], lr: float,
                  num_warmup_steps: Optional[int] = None,
                  num_training_steps: Optional[int] = None,
                  scheduler_specific_kwargs: Optional[dict] = None) -> DropIn:
    """Any of the schedules above by its name (``transformers.get_scheduler``).

    ``name`` is a :class:`SchedulerType` or its exact (lower-case) value. As the peer's,
    in this order:

    * ``"constant"``: ``get_constant_schedule(lr)``; the step counts and
      ``scheduler_specific_kwargs`` are ignored;
    * ``"reduce_lr_on_plateau"``, ``"greedy"``: metric-driven, a ``ValueError`` here;
    * no ``num_warmup_steps``: ``ValueError("SchedulerType.X requires `num_warmup_steps`,
      please provide that argument.")``;
    * ``"constant_with_warmup"``: ``f(lr, num_warmup_steps=W)`` (kwargs ignored);
    * ``"inverse_sqrt"``: ``f(lr, num_warmup_steps=W, **kwargs)`` (``T`` ignored);
    * ``"warmup_stable_decay"``: ``f(lr, num_warmup_steps=W, num_training_steps=T,
      **kwargs)``, ``T`` may be None, ``num_decay_steps`` must be in the kwargs;
    * no ``num_training_steps``: ``ValueError("SchedulerType.X requires
      `num_training_steps`, please provide that argument.")``;
    * the others: ``f(lr, num_warmup_steps=W, num_training_steps=T, **kwargs)``.

    A keyword the function does not take is a ``TypeError`` from the call.

    Parameters
    ----------
    name : str or SchedulerType
        One of the 12 names of :class:`SchedulerType`.
    lr : float
        The optimizer's learning rate.
    num_warmup_steps : int, optional
        ``W``.
    num_training_steps : int, optional
        ``T``.
    scheduler_specific_kwargs : dict, optional
        Further keyword arguments of the schedule's function.

    Returns
    -------
    DropIn
        The function's drop-in (its ``repr`` names the function).

    Examples
    --------
    >>> get_scheduler("linear", 0.1, num_warmup_steps=10, num_training_steps=100)
    get_linear_schedule_with_warmup(lr=0.1, num_warmup_steps=10, num_training_steps=100)

    References
    ----------
    Hugging Face transformers, ``transformers.get_scheduler``.
    """
    name = SchedulerType(name)
    schedule_func = TYPE_TO_SCHEDULER_FUNCTION[name]
    if name == SchedulerType.CONSTANT:
        return schedule_func(lr)
    if scheduler_specific_kwargs is None:
        scheduler_specific_kwargs = {}
    if schedule_func is None:
        raise ValueError(
            f"name must name a schedule of the update count, got {name.value!r}: it is "
            f"driven by a metric (use mxsched.gluon.ReduceLROnPlateau over a schedule, "
            f"e.g. get_constant_schedule(lr))")
    shown = f"SchedulerType.{name.name}"  # how the peer's message formats the enum
    if num_warmup_steps is None:
        raise ValueError(f"{shown} requires `num_warmup_steps`, please provide that argument.")
    if name == SchedulerType.CONSTANT_WITH_WARMUP:
        return schedule_func(lr, num_warmup_steps=num_warmup_steps)
    if name == SchedulerType.INVERSE_SQRT:
        return schedule_func(lr, num_warmup_steps=num_warmup_steps, **scheduler_specific_kwargs)
    if name == SchedulerType.WARMUP_STABLE_DECAY:
        return schedule_func(lr, num_warmup_steps=num_warmup_steps,
                             num_training_steps=num_training_steps, **scheduler_specific_kwargs)
    if num_training_steps is None:
        raise ValueError(f"{shown} requires `num_training_steps`, please provide that argument.")
    return schedule_func(lr, num_warmup_steps=num_warmup_steps,
                         num_training_steps=num_training_steps, **scheduler_specific_kwargs)
