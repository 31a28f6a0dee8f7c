"""PyTorch's learning-rate schedulers (``torch.optim.lr_scheduler``), same names, same values.

Each class here takes the arguments of the PyTorch scheduler of the same name and is an
mxsched schedule (a pure function of the update count) whose value at update ``k`` is
the learning rate PyTorch uses for its ``k``-th optimizer step.

Conventions
-----------
* **Update alignment.** PyTorch's loop is ``optimizer.step(); scheduler.step()``: the
  constructor performs step 0, so update ``k`` runs with the value after ``k - 1``
  scheduler steps. MXNet asks ``sched(k)`` before update ``k``. Every drop-in is
  therefore built as ``Delay(indexed, 1)`` where ``indexed(e)`` is PyTorch's value after
  ``e`` scheduler steps (``repr(sched.core)`` shows it); ``sched(k) = indexed(k - 1)``
  and ``sched(0) = indexed(0)``.
* **The optimizer's learning rate is the keyword ``lr``.** Where PyTorch reads the base
  learning rate from the optimizer (every scheduler but ``CyclicLR`` and ``OneCycleLR``,
  which set their own), the drop-in takes it as the first keyword-only argument ``lr``;
  the other arguments keep PyTorch's names, order and defaults, without the optimizer::

      StepLR(optimizer, 30, gamma=0.1)   ->   StepLR(30, gamma=0.1, lr=0.1)

  ``repr`` shows the call with ``lr`` first, e.g. ``StepLR(lr=0.1, step_size=30,
  gamma=0.1)``.
* **Momentum.** ``CyclicLR`` and ``OneCycleLR`` cycle momentum (``cycle_momentum=True``,
  PyTorch's default): ``sched.momentum`` is then the momentum (SGD ``momentum``, Adam's
  ``beta1``) PyTorch uses at every update, for ``mxsched.gluon.MomentumHandler``.
  ``SequentialLR`` and ``ChainedScheduler`` pass their children's momentum on.
* **Validation.** Arguments PyTorch rejects raise the same exception with PyTorch's
  message. Where PyTorch only fails later (a ``ZeroDivisionError`` at some step) or
  accepts values no learning-rate schedule can have (a negative rate, a factor that
  makes the rate grow without bound), the drop-in raises a ``ValueError`` (or a
  ``TypeError`` for a wrong type) at construction naming the argument and the value.

Drop-ins: :class:`LambdaLR`, :class:`StepLR`, :class:`MultiStepLR`, :class:`ConstantLR`,
:class:`LinearLR`, :class:`ExponentialLR`, :class:`PolynomialLR`,
:class:`CosineAnnealingLR`, :class:`CyclicLR`, :class:`OneCycleLR`,
:class:`CosineAnnealingWarmRestarts`, :class:`SequentialLR`, :class:`ChainedScheduler`.

Deliberately not reproduced
---------------------------
* ``last_epoch`` (resuming): a drop-in is a pure function of the update count, so a
  resumed run asks for the right update by itself; ``step(epoch)`` likewise.
* ``MultiplicativeLR`` (a running product of an arbitrary function) and
  ``ReduceLROnPlateau`` (see :class:`mxsched.gluon.ReduceLROnPlateau`).
* Lists with one value per parameter group (``lr_lambda``, ``base_lr``, ``max_lr``,
  momenta): a drop-in is one schedule; build one per parameter group.
* The bit-exact float rounding of PyTorch's recurrences: the chainable schedulers
  (``StepLR`` ... ``CosineAnnealingLR``) multiply the current rate by a factor at every
  step, the drop-ins evaluate the closed form; the two agree to ``1e-12`` relative
  (measured: ``1e-15`` over a few hundred steps, ``6e-13`` at worst over ``10**5``).
* ``OneCycleLR`` past ``total_steps``: PyTorch's step after update ``total_steps``
  extrapolates the last phase (cos: back up, linear: below the minimum, possibly
  negative) and the next step raises ``ValueError``; the drop-in applies the minimum
  ``initial_lr / final_div_factor`` exactly at update ``total_steps`` as PyTorch does
  and holds it at every later update.
* ``CyclicLR`` with a custom ``scale_fn`` (refused with a ``ValueError``; the three
  modes are reproduced), and fractional step sizes (refused with a ``TypeError``).
* Inputs PyTorch accepts that are refused here: a ``gamma`` of 0 or above 1 (StepLR,
  MultiStepLR, ExponentialLR, CyclicLR's ``'exp_range'``), an ``eta_min`` above ``lr``
  (a cosine that starts at its bottom), negative rates or momenta, negative or
  repeated milestones, a negative ``total_iters``, a bool where PyTorch takes an
  integer, a ``scale_mode`` other than ``'cycle'`` / ``'iterations'``, decreasing
  ``SequentialLR`` milestones, and ``SequentialLR`` / ``ChainedScheduler`` as children.
* What comes from sharing one optimizer: in PyTorch, ``OneCycleLR`` (and ``CyclicLR``
  constructed first) overwrite the optimizer's ``initial_lr``, which changes the base
  of the other schedulers of a ``SequentialLR`` / ``ChainedScheduler``, and a
  ``CyclicLR`` constructed after another scheduler starts its first update from the
  optimizer's original rate. Here every child keeps the rate it was given (give a child
  the base PyTorch would use to get PyTorch's values).
* ``ChainedScheduler``: PyTorch applies each child's *one-step* factor to the current
  rate; the drop-in is the product of the children's schedules, which is the same for
  chainable children, and the last child's schedule when that one reads only its base
  (``LambdaLR``, ``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts``).
  Chains PyTorch does not compose as a product are refused (see the class).
"""
from __future__ import annotations

import bisect
import numbers
from collections import Counter
from typing import Any, Callable, List, Optional, Sequence

from ..adapters import FunctionSchedule
from ..base import Schedule
from ..checks import check_bool, check_choice, check_factor, check_int, check_lr, check_real
from ..compose import Delay, Envelope, Join, Product, Scale
from ..cycles import CyclicalSchedule, Restarts
from ..decays import ExponentialDecay, MultiStepDecay, PolynomialDecay, StepDecay
from ..shapes import Constant, CosineAnnealing, CosineWave, LinearSchedule, Piecewise
from ..warmup import ConstantWarmUp
from ._base import DropIn

__all__ = ["LambdaLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
           "PolynomialLR", "CosineAnnealingLR", "CyclicLR", "OneCycleLR",
           "CosineAnnealingWarmRestarts", "SequentialLR", "ChainedScheduler"]


# --------------------------------------------------------------------------- helpers
def _finish(sched: DropIn, indexed: Schedule, momentum: Optional[Schedule] = None) -> None:
    """Store the index-aligned schedules of a drop-in and its update-aligned core."""
    sched._indexed = indexed
    sched._indexed_momentum = momentum
    sched._core = Delay(indexed, 1)
    sched._momentum = None if momentum is None else Delay(momentum, 1)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_not_list(name: str, value: Any) -> None:
    if isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a single value (a drop-in is one schedule: build "
                        f"one per parameter group), got {value!r}")


def _check_lr(name: str, value: Any) -> float:
    _check_not_list(name, value)
    return check_lr(name, value)


def _check_momentum(name: str, value: Any) -> float:
    _check_not_list(name, value)
    value = check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def _check_gamma(value: Any) -> float:
    """A decay factor in (0, 1]: PyTorch also accepts 0 and factors > 1 (a rate growing
    without bound), which no bounded schedule can follow."""
    return check_factor("gamma", value)


def _check_total_iters(value: Any) -> int:
    return check_int("total_iters", value, minimum=0)


# --------------------------------------------------------------------------- LambdaLR
class LambdaLR(DropIn):
    """PyTorch ``LambdaLR``: the base rate times a function of the step::

        lr_k = lr * lr_lambda(k - 1)

    Built as ``Delay(FunctionSchedule(lr_lambda, scale=lr), 1)``: ``lr_lambda`` is called
    with ``0, 1, 2, ...`` as PyTorch calls it. It must be a module-level function (or an
    instance of a module-level class) for the schedule to pickle, and return finite
    factors ``>= 0``. ``base_lr`` follows :class:`mxsched.FunctionSchedule`: ``lr *
    lr_lambda(0)``, or ``lr * lr_lambda.base_lr`` when the function has a numeric
    ``base_lr`` attribute -- for a factor that rises (a warm-up), set
    ``lr_lambda.base_lr`` to its largest value (e.g. ``1.0``) so that ``base_lr`` is the
    peak. A function has no JSON form, so ``get_config`` raises ``TypeError``.

    Parameters
    ----------
    lr_lambda : callable
        ``e -> factor``, called with the number of scheduler steps ``e``.
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> import math
    >>> s = LambdaLR(math.exp, lr=1.0)          # any module-level function of e
    >>> [round(s(k), 4) for k in (1, 2, 3)]
    [1.0, 2.7183, 7.3891]

    References
    ----------
    ``torch.optim.lr_scheduler.LambdaLR`` (PyTorch 2.13).
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr_lambda=_example_lambda, lr=0.1)

    def __init__(self, lr_lambda: Callable[[int], float], *, lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        if isinstance(lr_lambda, (list, tuple)):
            raise TypeError(f"lr_lambda must be one callable (a drop-in is one schedule: "
                            f"build one per parameter group), got {lr_lambda!r}")
        if isinstance(lr_lambda, type) or not callable(lr_lambda):
            raise TypeError(f"lr_lambda must be a callable (a function of the step), "
                            f"got {lr_lambda!r}")
        self.lr_lambda = lr_lambda
        _finish(self, FunctionSchedule(lr_lambda, scale=self.lr))

    def _repr_args(self):
        return [("lr", self.lr), ("lr_lambda", self.lr_lambda)]


def _example_lambda(epoch: int) -> float:
    """The factor of :meth:`LambdaLR.example`: 0.99 ** epoch."""
    return 0.99 ** epoch


# --------------------------------------------------------------------------- StepLR
class StepLR(DropIn):
    """PyTorch ``StepLR``: multiply by ``gamma`` every ``step_size`` steps::

        lr_k = lr * gamma ** floor((k - 1) / step_size)

    Built as ``Delay(StepDecay(lr, step_size, gamma), 1)``. PyTorch fails with
    ``ZeroDivisionError`` at the first step for ``step_size=0``; here a non-positive
    ``step_size`` and a ``gamma`` outside ``(0, 1]`` are refused at construction.

    Parameters
    ----------
    step_size : int
        Steps between decays (``>= 1``).
    gamma : float, default 0.1
        Multiplier per decay, in ``(0, 1]``.
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> s = StepLR(2, gamma=0.5, lr=1.0)
    >>> [s(k) for k in range(1, 7)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]

    References
    ----------
    ``torch.optim.lr_scheduler.StepLR`` (PyTorch 2.13).
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(step_size=50, gamma=0.5, lr=0.1)

    def __init__(self, step_size: int, gamma: float = 0.1, *, lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        self.step_size = check_int("step_size", step_size)
        self.gamma = _check_gamma(gamma)
        _finish(self, StepDecay(self.lr, self.step_size, self.gamma))

    def _repr_args(self):
        return [("lr", self.lr), ("step_size", self.step_size), ("gamma", self.gamma)]


# --------------------------------------------------------------------------- MultiStepLR
class MultiStepLR(DropIn):
    """PyTorch ``MultiStepLR``: multiply by ``gamma`` at each milestone::

        lr_k = lr * gamma ** (number of milestones m <= k - 1)

    Built as ``Delay(MultiStepDecay(lr, milestones, gamma), 1)`` (milestones sorted, as
    PyTorch's order does not matter). A milestone 0 decays from the first update on, as
    in PyTorch: it is folded into the first value (``lr * gamma``). PyTorch also accepts
    repeated milestones (decaying by ``gamma ** repeats``) and negative ones (never
    reached); both are refused here.

    Parameters
    ----------
    milestones : list of int
        Distinct steps ``>= 0``, in any order.
    gamma : float, default 0.1
        Multiplier per milestone, in ``(0, 1]``.
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> s = MultiStepLR([2, 4], gamma=0.1, lr=1.0)
    >>> [round(s(k), 4) for k in range(1, 7)]
    [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]

    References
    ----------
    ``torch.optim.lr_scheduler.MultiStepLR`` (PyTorch 2.13).
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(milestones=[80, 150], gamma=0.2, lr=0.1)

    def __init__(self, milestones: Sequence[int], gamma: float = 0.1, *, lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(f"milestones must be a list of integers, got {milestones!r}")
        given = list(milestones)
        steps = [check_int(f"milestones[{i}]", m, minimum=0) for i, m in enumerate(given)]
        repeated = sorted(m for m, n in Counter(steps).items() if n > 1)
        if repeated:
            raise ValueError(f"milestones must be distinct, got {given!r} "
                             f"(repeated: {repeated!r})")
        self.milestones = steps
        self.gamma = _check_gamma(gamma)
        first = self.lr * self.gamma if 0 in steps else self.lr
        later = sorted(m for m in steps if m > 0)
        indexed = (MultiStepDecay(first, later, self.gamma) if later else Constant(first))
        _finish(self, indexed)

    def _repr_args(self):
        return [("lr", self.lr), ("milestones", self.milestones), ("gamma", self.gamma)]


# --------------------------------------------------------------------------- ConstantLR
class ConstantLR(DropIn):
    """PyTorch ``ConstantLR``: a constant fraction of the rate for ``total_iters`` steps::

        lr_k = lr * factor     for k <= total_iters
               lr              after

    Built as ``Delay(ConstantWarmUp(Constant(lr), lr * factor, total_iters), 1)`` (and
    ``Constant(lr * factor)`` for ``total_iters = 0``, which PyTorch keeps forever).
    ``factor=0`` with ``total_iters > 0`` makes PyTorch fail with ``ZeroDivisionError``
    at step ``total_iters``; it is refused here.

    Parameters
    ----------
    factor : float, default 1/3
        In ``[0, 1]``.
    total_iters : int, default 5
        Updates at the reduced rate (``>= 0``).
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> s = ConstantLR(factor=0.5, total_iters=2, lr=1.0)
    >>> [s(k) for k in range(1, 5)]
    [0.5, 0.5, 1.0, 1.0]

    References
    ----------
    ``torch.optim.lr_scheduler.ConstantLR`` (PyTorch 2.13).
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(factor=0.25, total_iters=40, lr=0.1)

    def __init__(self, factor: float = 1.0 / 3, total_iters: int = 5, *, lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        if not _is_real(factor):
            raise TypeError(f"factor must be a real number, got {factor!r}")
        if not 0 <= factor <= 1:  # also NaN
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = float(factor)
        self.total_iters = _check_total_iters(total_iters)
        if self.factor == 0 and self.total_iters > 0:
            raise ValueError(f"factor must be > 0 when total_iters > 0 (PyTorch divides by "
                             f"it at step total_iters={self.total_iters}), got {factor!r}")
        low = self.lr * self.factor
        indexed = (Constant(low) if self.total_iters == 0 else
                   ConstantWarmUp(Constant(self.lr), low, self.total_iters))
        _finish(self, indexed)

    def _repr_args(self):
        return [("lr", self.lr), ("factor", self.factor), ("total_iters", self.total_iters)]


# --------------------------------------------------------------------------- LinearLR
class LinearLR(DropIn):
    """PyTorch ``LinearLR``: the rate times a factor going linearly from ``start_factor``
    to ``end_factor`` over ``total_iters`` steps, then constant::

        lr_k = lr * (start_factor + (end_factor - start_factor) * min(k - 1, total_iters)
                     / total_iters)

    Built as ``Delay(LinearSchedule(lr * start_factor, lr * end_factor, total_iters), 1)``
    (``Constant(lr * start_factor)`` for ``total_iters = 0``, as PyTorch keeps it).

    Parameters
    ----------
    start_factor : float, default 1/3
        In ``(0, 1]``.
    end_factor : float, default 1.0
        In ``[0, 1]``.
    total_iters : int, default 5
        Steps of the line (``>= 0``).
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> s = LinearLR(start_factor=0.25, total_iters=3, lr=1.0)
    >>> [s(k) for k in range(1, 6)]
    [0.25, 0.5, 0.75, 1.0, 1.0]

    References
    ----------
    ``torch.optim.lr_scheduler.LinearLR`` (PyTorch 2.13).
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(start_factor=1.0, end_factor=0.1, total_iters=160, lr=0.1)

    def __init__(self, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, *, lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        for name, value in (("start_factor", start_factor), ("end_factor", end_factor)):
            if not _is_real(value):
                raise TypeError(f"{name} must be a real number, got {value!r}")
        if not 0 < start_factor <= 1:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 "
                             "and less or equal to 1.")
        if not 0 <= end_factor <= 1:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = _check_total_iters(total_iters)
        start, end = self.lr * self.start_factor, self.lr * self.end_factor
        indexed = (Constant(start) if self.total_iters == 0 else
                   LinearSchedule(start, end, self.total_iters))
        _finish(self, indexed)

    def _repr_args(self):
        return [("lr", self.lr), ("start_factor", self.start_factor),
                ("end_factor", self.end_factor), ("total_iters", self.total_iters)]


# --------------------------------------------------------------------------- ExponentialLR
class ExponentialLR(DropIn):
    """PyTorch ``ExponentialLR``: multiply by ``gamma`` at every step::

        lr_k = lr * gamma ** (k - 1)

    Built as ``Delay(ExponentialDecay(lr, 1, gamma), 1)``.

    Parameters
    ----------
    gamma : float
        Multiplier per step, in ``(0, 1]``.
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> s = ExponentialLR(0.5, lr=1.0)
    >>> [s(k) for k in range(1, 5)]
    [1.0, 0.5, 0.25, 0.125]

    References
    ----------
    ``torch.optim.lr_scheduler.ExponentialLR`` (PyTorch 2.13).
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(gamma=0.98, lr=0.1)

    def __init__(self, gamma: float, *, lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        self.gamma = _check_gamma(gamma)
        _finish(self, ExponentialDecay(self.lr, 1, self.gamma))

    def _repr_args(self):
        return [("lr", self.lr), ("gamma", self.gamma)]


# --------------------------------------------------------------------------- PolynomialLR
class PolynomialLR(DropIn):
    """PyTorch ``PolynomialLR``: polynomial decay to 0 over ``total_iters`` steps::

        lr_k = lr * (1 - min(k - 1, total_iters) / total_iters) ** power

    Built as ``Delay(PolynomialDecay(0.0, lr, total_iters, power), 1)``; ``Constant(lr)``
    for ``total_iters = 0`` or ``power = 0`` (PyTorch's values then). A negative
    ``power`` makes PyTorch fail with ``ZeroDivisionError`` at step ``total_iters``; it
    is refused here.

    Parameters
    ----------
    total_iters : int, default 5
        Steps of the decay (``>= 0``).
    power : float, default 1.0
        Exponent (``>= 0``).
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> s = PolynomialLR(total_iters=4, power=2.0, lr=1.0)
    >>> [s(k) for k in range(1, 7)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]

    References
    ----------
    ``torch.optim.lr_scheduler.PolynomialLR`` (PyTorch 2.13).
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(total_iters=180, power=2.0, lr=0.1)

    def __init__(self, total_iters: int = 5, power: float = 1.0, *, lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        self.total_iters = _check_total_iters(total_iters)
        self.power = check_real("power", power)
        if self.power < 0 and self.total_iters > 0:
            raise ValueError(f"power must be >= 0 (PyTorch raises ZeroDivisionError at step "
                             f"total_iters={self.total_iters} otherwise), got {power!r}")
        if self.total_iters == 0 or self.power == 0:
            indexed = Constant(self.lr)
        else:
            indexed = PolynomialDecay(0.0, self.lr, self.total_iters, self.power)
        _finish(self, indexed)

    def _repr_args(self):
        return [("lr", self.lr), ("total_iters", self.total_iters), ("power", self.power)]


# --------------------------------------------------------------------------- CosineAnnealingLR
class CosineAnnealingLR(DropIn):
    """PyTorch ``CosineAnnealingLR``: a cosine from ``lr`` to ``eta_min`` over ``T_max``
    steps, which then rises again (PyTorch does not stop at ``eta_min``)::

        lr_k = eta_min + (lr - eta_min) * (1 + cos(pi * (k - 1) / T_max)) / 2

    for every ``k``: ``eta_min`` at update ``T_max + 1``, back at ``lr`` at update
    ``2 * T_max + 1``, and so on. Built as ``Delay(CosineWave(eta_min, lr, T_max), 1)``
    (PyTorch's recurrence, evaluated in closed form). ``T_max=0`` makes PyTorch fail
    with ``ZeroDivisionError`` at the first step; an ``eta_min`` above ``lr`` (PyTorch
    would start at the bottom of the wave) is refused too.

    Parameters
    ----------
    T_max : float
        Steps from ``lr`` down to ``eta_min`` (``> 0``).
    eta_min : float, default 0.0
        The bottom of the wave (``0 <= eta_min <= lr``).
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> s = CosineAnnealingLR(4, lr=1.0)
    >>> [round(s(k), 4) for k in range(1, 10)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464, 0.5, 0.8536, 1.0]

    References
    ----------
    ``torch.optim.lr_scheduler.CosineAnnealingLR`` (PyTorch 2.13); Loshchilov & Hutter,
    "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    """

    _lr_params = ("lr", "eta_min")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(T_max=150, eta_min=0.005, lr=0.1)

    def __init__(self, T_max: float, eta_min: float = 0.0, *, lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        self.T_max = _check_positive_number("T_max", T_max)
        self.eta_min = _check_lr("eta_min", eta_min)
        if self.eta_min > self.lr:
            raise ValueError(f"eta_min must be <= lr={self.lr!r}, got {eta_min!r}")
        _finish(self, CosineWave(self.eta_min, self.lr, self.T_max))

    def _repr_args(self):
        return [("lr", self.lr), ("T_max", self.T_max), ("eta_min", self.eta_min)]


def _check_positive_number(name: str, value: Any):
    """An int or float > 0 (an int stays an int: T_max=100 shows as 100)."""
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if _is_int(value):
        return check_int(name, value)
    value = check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


# --------------------------------------------------------------------------- CyclicLR
class CyclicLR(DropIn):
    """PyTorch ``CyclicLR``: cyclical learning rates (and momentum) in a triangle.

    With ``up = step_size_up``, ``down = step_size_down`` (default ``up``), ``L = up +
    down`` and ``e = k - 1``, cycle ``c = floor(e / L)`` (from 0) and ``x = e - c * L``::

        scale = x / up                   for x <= up
                (L - x) / down           after
        lr_k       = base_lr + (max_lr - base_lr) * scale * f
        momentum_k = max_momentum - (max_momentum - base_momentum) * scale * f

    with ``f = 1`` (``'triangular'``), ``0.5 ** c`` (``'triangular2'``) or ``gamma ** e``
    (``'exp_range'``). Built from the cycle ``P = Piecewise([base_lr, max_lr, base_lr],
    [0, up, L])`` as ``Delay(Restarts(P, L, min_lr=base_lr), 1)``, with
    ``cycle_magnitude_decay=0.5`` for ``'triangular2'``, and for ``'exp_range'`` as
    ``Delay(Envelope(Restarts(P, L, min_lr=base_lr), ExponentialDecay(1.0, 1, gamma),
    base_lr), 1)``; the momentum likewise from ``Piecewise([max_momentum, base_momentum,
    max_momentum], [0, up, L])`` with ``min_lr=max_momentum``. The optimizer's learning
    rate plays no role (PyTorch overwrites it with ``base_lr``).

    A custom ``scale_fn`` is refused (``ValueError``); ``scale_mode`` only matters with
    one, and is checked to be ``'cycle'`` or ``'iterations'``. Step sizes must be whole
    numbers of steps.

    Parameters
    ----------
    base_lr : float
        Bottom of the cycle.
    max_lr : float
        Top of the cycle, reached ``step_size_up`` steps into it.
    step_size_up : int, default 2000
        Steps of the rise (``>= 1``).
    step_size_down : int, optional
        Steps of the fall (``>= 0``; 0 is a sawtooth); default ``step_size_up``.
    mode : {'triangular', 'triangular2', 'exp_range'}, default 'triangular'
    gamma : float, default 1.0
        ``'exp_range'``: the height is multiplied by ``gamma ** e`` (in ``(0, 1]``);
        ignored otherwise.
    scale_fn : None
        Must be None (see above).
    scale_mode : {'cycle', 'iterations'}, default 'cycle'
    cycle_momentum : bool, default True
        Cycle momentum inversely (``momentum`` is then a schedule, else None).
    base_momentum : float, default 0.8
        Momentum at the peak of the learning rate.
    max_momentum : float, default 0.9
        Momentum at the bottom of the learning rate.

    Examples
    --------
    >>> s = CyclicLR(0.1, 0.5, step_size_up=2, mode="triangular2")
    >>> [round(s(k), 4) for k in range(1, 10)]
    [0.1, 0.3, 0.5, 0.3, 0.1, 0.2, 0.3, 0.2, 0.1]
    >>> [round(s.momentum(k), 4) for k in range(1, 6)]
    [0.9, 0.85, 0.8, 0.85, 0.9]

    References
    ----------
    ``torch.optim.lr_scheduler.CyclicLR`` (PyTorch 2.13); Smith, "Cyclical Learning
    Rates for Training Neural Networks", 2015.
    """

    _lr_params = ("base_lr", "max_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(base_lr=0.01, max_lr=0.1, step_size_up=25, step_size_down=75,
                    mode="exp_range", gamma=0.995)

    def __init__(self, base_lr: float, max_lr: float, step_size_up: int = 2000,
                 step_size_down: Optional[int] = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Optional[Callable] = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float = 0.8, max_momentum: float = 0.9) -> None:
        super().__init__()
        self._base = _check_lr("base_lr", base_lr)
        self.max_lr = _check_lr("max_lr", max_lr)
        self.step_size_up = check_int("step_size_up", step_size_up)
        self.step_size_down = (None if step_size_down is None else
                               check_int("step_size_down", step_size_down, minimum=0))
        if scale_fn is not None:
            raise ValueError(f"scale_fn must be None (a custom scale function is not "
                             f"reproduced: use mode 'triangular', 'triangular2' or "
                             f"'exp_range'), got {scale_fn!r}")
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.scale_fn = None
        self.scale_mode = check_choice("scale_mode", scale_mode, ("cycle", "iterations"))
        self.gamma = _check_gamma(gamma) if mode == "exp_range" else check_real("gamma", gamma)
        self.cycle_momentum = check_bool("cycle_momentum", cycle_momentum)
        self.base_momentum = _check_momentum("base_momentum", base_momentum)
        self.max_momentum = _check_momentum("max_momentum", max_momentum)
        up = self.step_size_up
        down = up if self.step_size_down is None else self.step_size_down
        length = up + down
        knots = [0, up, length] if down else [0, up]
        lr = self._cycle([self._base, self.max_lr, self._base], knots, length, self._base)
        momentum = None
        if self.cycle_momentum:
            top, bottom = self.max_momentum, self.base_momentum
            momentum = self._cycle([top, bottom, top], knots, length, top)
        _finish(self, lr, momentum)

    def _cycle(self, levels, knots, length, floor):
        """One repeated cycle through ``levels`` (scaled towards ``floor`` per the mode)."""
        shape = Piecewise(levels[:len(knots)], knots)
        if self.mode == "triangular2":
            return Restarts(shape, length, cycle_magnitude_decay=0.5, min_lr=floor)
        cycles = Restarts(shape, length, min_lr=floor)
        if self.mode == "exp_range":
            return Envelope(cycles, ExponentialDecay(1.0, 1, self.gamma), floor)
        return cycles

    def _repr_args(self):
        return [("base_lr", self._base), ("max_lr", self.max_lr),
                ("step_size_up", self.step_size_up), ("step_size_down", self.step_size_down),
                ("mode", self.mode), ("gamma", self.gamma), ("scale_fn", self.scale_fn),
                ("scale_mode", self.scale_mode), ("cycle_momentum", self.cycle_momentum),
                ("base_momentum", self.base_momentum), ("max_momentum", self.max_momentum)]


# --------------------------------------------------------------------------- OneCycleLR
class OneCycleLR(DropIn):
    """PyTorch ``OneCycleLR``: the 1-cycle policy, learning rate and momentum.

    ``initial = max_lr / div_factor``, ``min_lr = initial / final_div_factor``, ``T =
    total_steps`` (or ``epochs * steps_per_epoch``). With ``e = k - 1``, the phases end
    at ``e1 = pct_start * T - 1`` and ``T - 1`` (three-phase: ``e1``, ``e2 = 2 *
    pct_start * T - 2``, ``T - 1``)::

        two-phase:    initial -> max_lr on [0, e1],   max_lr -> min_lr on [e1, T - 1]
        three-phase:  initial -> max_lr on [0, e1],   max_lr -> initial on [e1, e2],
                      initial -> min_lr on [e2, T - 1]
        momentum:     max -> base -> max  (three-phase: max -> base -> max -> max)

    each piece a cosine (``anneal_strategy='cos'``: ``end + (start - end) * (1 + cos(pi
    * p)) / 2``) or linear, ``p`` the fraction of the phase done. Built as
    ``Delay(Piecewise(levels, knots, shape), 1)`` for both (PyTorch's fractional phase
    ends are the knots; a negative ``e1``, when ``pct_start * T < 1``, skips the rise as
    PyTorch does). The optimizer's learning rate plays no role.

    **Past the end.** Update ``T`` applies ``min_lr`` (``e = T - 1``) as in PyTorch;
    every later update holds ``min_lr`` (and the momentum holds its last value), where
    PyTorch extrapolates once and then raises ``ValueError``. Phases PyTorch would
    divide by zero in (``pct_start * T == 1``; a last phase of length 0, e.g.
    ``pct_start=1.0``) and a three-phase cycle whose last phase would end before it
    starts (``pct_start`` above about 0.5: PyTorch never reaches ``min_lr``) are refused
    at construction.

    Parameters
    ----------
    max_lr : float
        The peak; ``base_lr``.
    total_steps : int, optional
        Steps in the cycle; takes precedence over ``epochs * steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
        ``total_steps = epochs * steps_per_epoch`` when ``total_steps`` is None.
    pct_start : float, default 0.3
        Fraction of the cycle spent rising (a float in ``[0, 1]``).
    anneal_strategy : {'cos', 'linear'}, default 'cos'
    cycle_momentum : bool, default True
        Cycle momentum inversely (``momentum`` is then a schedule, else None).
    base_momentum : float, default 0.85
        Momentum at the peak learning rate.
    max_momentum : float, default 0.95
        Momentum at the start (and the end).
    div_factor : float, default 25.0
        ``initial = max_lr / div_factor`` (``> 0``).
    final_div_factor : float, default 1e4
        ``min_lr = initial / final_div_factor`` (``> 0``).
    three_phase : bool, default False
        Anneal back to ``initial`` before annihilating to ``min_lr``.

    Examples
    --------
    >>> s = OneCycleLR(1.0, total_steps=10, anneal_strategy="linear", div_factor=10.0,
    ...                final_div_factor=10.0)
    >>> [round(s(k), 4) for k in range(1, 12)]
    [0.1, 0.55, 1.0, 0.8586, 0.7171, 0.5757, 0.4343, 0.2929, 0.1514, 0.01, 0.01]
    >>> [round(s.momentum(k), 4) for k in (1, 3, 10)]
    [0.95, 0.85, 0.95]

    References
    ----------
    ``torch.optim.lr_scheduler.OneCycleLR`` (PyTorch 2.13); Smith & Topin,
    "Super-Convergence", 2017 (arXiv:1708.07120).
    """

    _lr_params = ("max_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_lr=0.1, total_steps=200)

    def __init__(self, max_lr: float, total_steps: Optional[int] = None,
                 epochs: Optional[int] = None, steps_per_epoch: Optional[int] = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum: float = 0.85,
                 max_momentum: float = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False) -> None:
        super().__init__()
        # PyTorch's checks, in PyTorch's order and words
        if total_steps is not None:
            self.total_steps = _peer_positive_int("total_steps", total_steps)
            steps = self.total_steps
        elif epochs is not None and steps_per_epoch is not None:
            steps = (_peer_positive_int("epochs", epochs)
                     * _peer_positive_int("steps_per_epoch", steps_per_epoch))
        else:
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        self.total_steps = None if total_steps is None else steps
        # PyTorch ignores epochs and steps_per_epoch next to total_steps: checked all the same
        self.epochs = _peer_positive_int("epochs", epochs, optional=True)
        self.steps_per_epoch = _peer_positive_int("steps_per_epoch", steps_per_epoch,
                                                  optional=True)
        if (not isinstance(pct_start, float) or not 0 <= pct_start <= 1):  # also NaN
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        self.pct_start = float(pct_start)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self.anneal_strategy = anneal_strategy
        # what PyTorch leaves unchecked
        self.max_lr = _check_lr("max_lr", max_lr)
        self.cycle_momentum = check_bool("cycle_momentum", cycle_momentum)
        self.base_momentum = _check_momentum("base_momentum", base_momentum)
        self.max_momentum = _check_momentum("max_momentum", max_momentum)
        self.div_factor = _check_divisor("div_factor", div_factor)
        self.final_div_factor = _check_divisor("final_div_factor", final_div_factor)
        self.three_phase = check_bool("three_phase", three_phase)

        initial = self.max_lr / self.div_factor
        low = initial / self.final_div_factor
        top, bottom = self.max_momentum, self.base_momentum
        rise_end = float(self.pct_start * steps) - 1  # PyTorch's phase ends, as it computes them
        if self.three_phase:
            points = [(0.0, initial, top), (rise_end, self.max_lr, bottom),
                      (float(2 * self.pct_start * steps) - 2, initial, top),
                      (steps - 1.0, low, top)]
        else:
            points = [(0.0, initial, top), (rise_end, self.max_lr, bottom),
                      (steps - 1.0, low, top)]
        if rise_end == 0:
            raise ValueError(f"pct_start * total_steps must not be 1 (PyTorch's rise would "
                             f"last 0 steps and raise ZeroDivisionError), got pct_start="
                             f"{pct_start!r} with total_steps={steps}")
        while len(points) > 2 and points[1][0] < 0:  # phases PyTorch never enters
            points.pop(0)
        start, end = points[-2][0], points[-1][0]
        if end <= start:
            what = ("has length 0 and PyTorch's step after update total_steps raises "
                    "ZeroDivisionError" if end == start else "would end before it starts and "
                    "PyTorch's rate never reaches min_lr")
            raise ValueError(f"pct_start must leave the last phase a positive length (from step "
                             f"{start!r} to {end!r} it {what}), got {pct_start!r} with "
                             f"total_steps={steps}"
                             + (" and three_phase=True" if self.three_phase else ""))
        knots = [p[0] for p in points]
        shape = "cosine" if self.anneal_strategy == "cos" else "linear"
        lr = Piecewise([p[1] for p in points], knots, shape)
        momentum = (Piecewise([p[2] for p in points], knots, shape)
                    if self.cycle_momentum else None)
        _finish(self, lr, momentum)

    def _repr_args(self):
        return [("max_lr", self.max_lr), ("total_steps", self.total_steps),
                ("epochs", self.epochs), ("steps_per_epoch", self.steps_per_epoch),
                ("pct_start", self.pct_start), ("anneal_strategy", self.anneal_strategy),
                ("cycle_momentum", self.cycle_momentum),
                ("base_momentum", self.base_momentum), ("max_momentum", self.max_momentum),
                ("div_factor", self.div_factor), ("final_div_factor", self.final_div_factor),
                ("three_phase", self.three_phase)]


def _peer_positive_int(name: str, value: Any, optional: bool = False) -> Optional[int]:
    """PyTorch's "Expected positive integer <name>, but got <value>" check (a bool and a
    non-number are refused too: PyTorch takes True as 1 and fails on a string later)."""
    if value is None and optional:
        return None
    if not _is_real(value) and not isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not _is_int(value) or value <= 0:
        raise ValueError(f"Expected positive integer {name}, but got {value}")
    return int(value)


def _check_divisor(name: str, value: Any) -> float:
    value = check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


# --------------------------------------------------------------------------- SGDR
class CosineAnnealingWarmRestarts(DropIn):
    """PyTorch ``CosineAnnealingWarmRestarts`` (SGDR), stepped once per update.

    Cycle ``i`` lasts ``T_i = T_0 * T_mult ** i`` steps; with ``T_cur`` the steps done
    in the current cycle at ``e = k - 1``::

        lr_k = eta_min + (lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    so updates ``1, T_0 + 1, T_0 + T_0 * T_mult + 1, ...`` restart at ``lr`` (``eta_min``
    itself is never reached). Built as ``Delay(CyclicalSchedule(CosineAnnealing, T_0,
    cycle_length_decay=T_mult, min_lr=eta_min, max_lr=lr), 1)``. ``eta_min`` above
    ``lr`` (an upside-down cosine in PyTorch) is refused.

    Parameters
    ----------
    T_0 : int
        Steps of the first cycle (``>= 1``).
    T_mult : int, default 1
        Each cycle is ``T_mult`` times longer than the previous (``>= 1``).
    eta_min : float, default 0.0
        The bottom of the cosine (``0 <= eta_min <= lr``).
    lr : float
        The optimizer's learning rate (keyword only).

    Examples
    --------
    >>> s = CosineAnnealingWarmRestarts(2, T_mult=2, lr=1.0)
    >>> [round(s(k), 4) for k in range(1, 9)]
    [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0, 0.9619]

    References
    ----------
    ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`` (PyTorch 2.13); Loshchilov &
    Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    """

    _lr_params = ("lr", "eta_min")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(T_0=30, T_mult=2, eta_min=0.001, lr=0.1)

    def __init__(self, T_0: int, T_mult: int = 1, eta_min: float = 0.0, *,
                 lr: float) -> None:
        super().__init__()
        self.lr = _check_lr("lr", lr)
        if not _is_real(T_0) and not isinstance(T_0, bool):
            raise TypeError(f"T_0 must be an integer, got {T_0!r}")
        if not _is_int(T_0) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not _is_real(T_mult) and not isinstance(T_mult, bool):
            raise TypeError(f"T_mult must be an integer, got {T_mult!r}")
        if not _is_int(T_mult) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not _is_real(eta_min):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0, self.T_mult = int(T_0), int(T_mult)
        self.eta_min = _check_lr("eta_min", eta_min)
        if self.eta_min > self.lr:
            raise ValueError(f"eta_min must be <= lr={self.lr!r}, got {eta_min!r}")
        _finish(self, CyclicalSchedule(CosineAnnealing, self.T_0,
                                       cycle_length_decay=self.T_mult, min_lr=self.eta_min,
                                       max_lr=self.lr))

    def _repr_args(self):
        return [("lr", self.lr), ("T_0", self.T_0), ("T_mult", self.T_mult),
                ("eta_min", self.eta_min)]


# --------------------------------------------------------------------------- composites
#: the drop-ins a SequentialLR / ChainedScheduler accepts as children
_SINGLE = (LambdaLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
           CosineAnnealingLR, CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts)
#: children whose PyTorch step reads only base values (they overwrite the current rate)
_BASE_READING = (LambdaLR, CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts)


def _children(name: str, schedulers: Any, empty_message: str) -> List[DropIn]:
    if isinstance(schedulers, (str, bytes)) or not hasattr(schedulers, "__iter__"):
        raise TypeError(f"{name} must be a list of drop-ins of mxsched.compat.torch, "
                        f"got {schedulers!r}")
    items = list(schedulers)
    if not items:
        raise ValueError(empty_message)
    for i, child in enumerate(items):
        if not isinstance(child, _SINGLE):
            allowed = ", ".join(c.__name__ for c in _SINGLE)
            raise TypeError(f"{name}[{i}] must be one of the drop-ins {allowed} of "
                            f"mxsched.compat.torch, got {child!r}")
    return items


class SequentialLR(DropIn):
    """PyTorch ``SequentialLR``: the children one after the other, each restarted.

    With milestones ``m_1 < m_2 < ...``, child ``i`` runs from step ``m_i`` as if newly
    built (PyTorch restarts it at its first value), so with ``e = k - 1``::

        lr_k = child_0.indexed(e)          for e < m_1
               child_i.indexed(e - m_i)    for m_i <= e < m_{i+1}

    where ``child.indexed(e)`` is the child's value after ``e`` steps. Built as
    ``Delay(Join([children indexed], milestones), 1)`` (``repr(sched.core)``). A
    milestone 0 skips the first child, as in PyTorch. Each child keeps its own ``lr``
    (in PyTorch the children share the optimizer's, see the module docstring).

    Momentum, where a child cycles it: that child's momentum while it runs; while a
    child that leaves momentum alone runs, the last value set (PyTorch's optimizer
    state: the value the previous cycling child ended on, else the first value of the
    last cycling child, whose constructor set it).

    Parameters
    ----------
    schedulers : list of drop-ins
        At least one, of this module (not SequentialLR / ChainedScheduler).
    milestones : list of int
        ``len(schedulers) - 1`` increasing steps ``>= 0``.

    Examples
    --------
    >>> s = SequentialLR([LinearLR(0.5, total_iters=2, lr=1.0), ExponentialLR(0.5, lr=1.0)],
    ...                  milestones=[3])
    >>> [s(k) for k in range(1, 7)]
    [0.5, 0.75, 1.0, 1.0, 0.5, 0.25]

    References
    ----------
    ``torch.optim.lr_scheduler.SequentialLR`` (PyTorch 2.13).
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedulers=[LinearLR(0.1, total_iters=20, lr=0.1),
                                CosineAnnealingLR(180, lr=0.1)], milestones=[20])

    def __init__(self, schedulers: Sequence[DropIn], milestones: Sequence[int]) -> None:
        super().__init__()
        children = _children("schedulers", schedulers, "SequentialLR expects at least one "
                             "scheduler, but got no scheduler.")
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(f"milestones must be a list of integers, got {milestones!r}")
        given = list(milestones)
        if len(given) != len(children) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                "than the number of milestone points, but got number of schedulers "
                f"{len(children)} and the number of milestones to be equal to {len(given)}")
        steps = [check_int(f"milestones[{i}]", m, minimum=0) for i, m in enumerate(given)]
        for i in range(1, len(steps)):
            if steps[i] <= steps[i - 1]:
                raise ValueError(f"milestones must be increasing, got {given!r} "
                                 f"(milestones[{i}] = {steps[i]} <= {steps[i - 1]})")
        for i, child in enumerate(children[1:], start=1):
            if isinstance(child, (ConstantLR, LinearLR, PolynomialLR)) and not child.total_iters:
                raise ValueError(
                    f"schedulers[{i}] must have total_iters > 0 after a milestone (PyTorch "
                    f"restarts it by its closed form, which is lr for ConstantLR and a "
                    f"ZeroDivisionError for LinearLR and PolynomialLR), got {child!r}")
        self.schedulers, self.milestones = children, steps
        # a milestone 0 makes the second child the first to run (PyTorch: bisect_right)
        first = bisect.bisect_right(steps, 0)
        active, bounds = children[first:], steps[first:]
        lr = Join([c._indexed for c in active], bounds) if bounds else active[0]._indexed
        _finish(self, lr, self._momentum_schedule(first, active, bounds))

    def _momentum_schedule(self, first, active, bounds):
        cycling = [c for c in self.schedulers if c._indexed_momentum is not None]
        if not cycling:
            return None
        held = cycling[-1]._indexed_momentum(0)  # set by the last cycling constructor
        pieces = []
        starts = [0] + bounds
        for i, child in enumerate(active):
            if child._indexed_momentum is not None:
                pieces.append(child._indexed_momentum)
                if i < len(bounds):  # the value it ends on, held by a later child
                    held = child._indexed_momentum(bounds[i] - starts[i] - 1)
            else:
                pieces.append(Constant(held))
        return Join(pieces, bounds) if bounds else pieces[0]

    def _repr_args(self):
        return [("schedulers", self.schedulers), ("milestones", self.milestones)]


class ChainedScheduler(DropIn):
    """PyTorch ``ChainedScheduler``: every child stepped at every step, in order.

    PyTorch's chainable children (``StepLR``, ``MultiStepLR``, ``ConstantLR``,
    ``LinearLR``, ``ExponentialLR``, ``PolynomialLR``, ``CosineAnnealingLR``) multiply
    the current rate by their own factor, so together they give the product of their
    schedules (all with one ``lr``, the optimizer's)::

        lr_k = lr * prod_i (child_i(k) / lr)

    built as ``Delay(Scale(Product([children with lr=1.0, indexed]), lr), 1)``. A child
    that reads only its base (``LambdaLR``, ``CyclicLR``, ``OneCycleLR``,
    ``CosineAnnealingWarmRestarts``) overwrites what the children before it did: a chain
    ending with one is that child's schedule (and momentum). Refused, because PyTorch's
    result is not a product of schedules: a chainable child after a base-reading one
    (PyTorch multiplies the base-reading value by the child's one-step factor only), and
    ``CosineAnnealingLR`` with ``eta_min > 0`` next to other children (its step is not a
    factor). Momentum is that of the last child that cycles it.

    One more difference: after ``T_max`` steps PyTorch's ``CosineAnnealingLR`` (at 0)
    adds its rise instead of multiplying, which restarts the factors of the other
    children; the product here keeps them. Both agree up to update ``T_max + 1``, and
    after it when the other children's factors are back at 1 by then (a warm-up with
    ``end_factor=1`` or a ``ConstantLR`` of at most ``T_max`` steps).

    Parameters
    ----------
    schedulers : list of drop-ins
        At least one, of this module (not SequentialLR / ChainedScheduler), all with the
        same ``lr``.

    Examples
    --------
    >>> s = ChainedScheduler([ConstantLR(0.5, total_iters=2, lr=1.0),
    ...                       ExponentialLR(0.5, lr=1.0)])
    >>> [s(k) for k in range(1, 5)]
    [0.5, 0.25, 0.25, 0.125]

    References
    ----------
    ``torch.optim.lr_scheduler.ChainedScheduler`` (PyTorch 2.13).
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedulers=[LinearLR(0.1, total_iters=20, lr=0.1),
                                ExponentialLR(0.99, lr=0.1)])

    def __init__(self, schedulers: Sequence[DropIn]) -> None:
        super().__init__()
        children = _children("schedulers", schedulers, "ChainedScheduler expects at least "
                             "one scheduler to be chained, but got no scheduler.")
        lrs = sorted({c.lr for c in children if hasattr(c, "lr")})
        if len(lrs) > 1:
            raise ValueError(f"schedulers must all have the same lr (in PyTorch they share "
                             f"one optimizer), got the lrs {lrs!r}")
        base_reading = [i for i, c in enumerate(children) if isinstance(c, _BASE_READING)]
        last = base_reading[-1] if base_reading else None
        if last is not None and last < len(children) - 1:
            raise ValueError(
                f"schedulers must not have a chainable scheduler after {children[last]!r} "
                f"(PyTorch multiplies its value by the one-step factor of "
                f"{children[last + 1]!r}, which is no product of schedules); put it last "
                f"or use SequentialLR")
        if last is None and len(children) > 1:
            for child in children:
                if isinstance(child, CosineAnnealingLR) and child.eta_min > 0:
                    raise ValueError(
                        f"schedulers must not chain a CosineAnnealingLR with eta_min > 0 to "
                        f"other schedulers (PyTorch's step of it is no multiplication), "
                        f"got {child!r}")
        self.schedulers = children
        if last is not None:
            lr = children[last]._indexed
        elif len(children) == 1:
            lr = children[0]._indexed
        else:
            factors = [type(c)(**{**c._kwargs(), "lr": 1.0})._indexed for c in children]
            lr = Scale(Product(factors), lrs[0])
        cycling = [c for c in children if c._indexed_momentum is not None]
        _finish(self, lr, cycling[-1]._indexed_momentum if cycling else None)

    def _repr_args(self):
        return [("schedulers", self.schedulers)]
