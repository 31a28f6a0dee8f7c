"""Schedule any optimizer hyper-parameter from the training loop (momentum, beta1, wd, lr).

Every handler here works in two kinds of loop:

* **plain Gluon loops** and :func:`mxsched.tutorial.train`: call
  ``handler.before_update(trainer)`` before every ``trainer.step``;
* **the Gluon estimator** (``mxnet.gluon.contrib.estimator.Estimator.fit(...,
  event_handlers=[h])``): the handlers are ``BatchBegin`` event handlers.
  ``batch_begin`` runs before the batch's forward pass and the estimator's
  ``GradientUpdateHandler`` steps the trainer at ``batch_end``, so the value set at
  ``batch_begin`` is the one that update uses.

The step convention is MXNet's: the optimizer counts updates ``1, 2, ...`` and update
``k`` uses ``schedule(k)``. A handler reads ``k = trainer.optimizer.num_update + 1``
before the step, so it applies exactly what MXNet would apply had the schedule been an
``lr_scheduler``.
"""
from __future__ import annotations

import copy
import math
import numbers
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from mxnet.gluon.contrib.estimator.event_handler import BatchBegin, EpochEnd

from ..checks import check_callable, check_real

if TYPE_CHECKING:  # pragma: no cover
    from mxnet import gluon

__all__ = ["HyperparamHandler", "MomentumHandler", "InverseMomentum", "Handlers"]

ScheduleLike = Callable[[int], float]

# Hyper-parameters with a known valid range: name -> (low, high, closed_high, description)
_RANGES: Dict[str, Tuple[float, float, bool, str]] = {
    "momentum": (0.0, 1.0, False, "in [0, 1)"),
    "beta1": (0.0, 1.0, False, "in [0, 1)"),
    "beta2": (0.0, 1.0, False, "in [0, 1)"),
    "wd": (0.0, math.inf, False, ">= 0"),
    "learning_rate": (0.0, math.inf, False, ">= 0"),
}
_LR_NAMES = ("lr", "learning_rate")


def check_server_side(trainer: Any, who: str) -> None:
    """Refuse a trainer whose optimizer lives on parameter servers (values never reach it)."""
    if getattr(trainer, "_update_on_kvstore", None) and getattr(trainer, "_distributed", None):
        raise ValueError(f"{who} cannot change an optimizer that updates on a distributed "
                         "kvstore (the servers keep their own copy): create the Trainer with "
                         "update_on_kvstore=False, or give the schedule as lr_scheduler")


# --------------------------------------------------------------------------- hyper-parameters


class HyperparamHandler(BatchBegin):
    """Set an optimizer hyper-parameter from a schedule before every update.

    Before update ``k`` (``k = trainer.optimizer.num_update + 1``) the handler sets
    ``optimizer.<name> = schedule(k)`` -- momentum for 1-cycle, Adam's ``beta1``, the
    weight decay ``wd``, ... -- and records the value in :attr:`values` (and ``k`` in
    :attr:`updates`). MXNet's optimizers read these attributes at every update, so
    update ``k`` uses ``schedule(k)``.

    Parameters
    ----------
    name : str
        The optimizer attribute: ``'momentum'`` (SGD, NAG, LARS, Signum, ...),
        ``'beta1'`` / ``'beta2'`` (Adam and its relatives), ``'wd'`` (every
        optimizer; each parameter's ``wd_mult`` still multiplies it), or another
        numeric attribute of the optimizer. ``'lr'`` / ``'learning_rate'`` sets the
        learning rate with ``trainer.set_learning_rate`` (the trainer must then have no
        ``lr_scheduler``): a learning-rate schedule driven from a plain loop or an
        estimator, for any ``t -> lr`` (even one MXNet cannot hold as ``lr_scheduler``).
    schedule : callable
        ``t -> value``: an mxsched schedule, an :class:`InverseMomentum`, an MXNet
        ``LRScheduler`` or a module-level function (not a lambda, if the handler is to
        be pickled).

    Attributes
    ----------
    values : list of float
        The value set before each update, in order.
    updates : list of int
        The update each value was set for.

    Notes
    -----
    * Values are checked when set: momentum and betas must lie in ``[0, 1)``, weight
      decay and learning rate must be ``>= 0``, anything else finite.
    * MXNet's SGD allocates momentum buffers only for an optimizer whose momentum is
      non-zero at the first update. A momentum schedule must therefore be positive from
      its first value on; going from 0 to a positive momentum later is refused.
    * With Adam, MXNet's bias correction ``1 - beta1**t`` uses the ``beta1`` of the
      current update (as PyTorch does when it cycles ``betas[0]``).
    * A trainer that updates on a distributed kvstore (``dist_*`` with
      ``update_on_kvstore=True``) keeps its optimizer on the servers, which never see
      the new value: the handler refuses it.

    Examples
    --------
    >>> import mxnet as mx
    >>> from mxnet import gluon
    >>> from mxsched import OneCycle
    >>> net = gluon.nn.Dense(1); net.initialize()
    >>> trainer = gluon.Trainer(net.collect_params(), 'sgd',
    ...                         {'learning_rate': 0.1, 'momentum': 0.95})
    >>> handler = HyperparamHandler('wd', OneCycle(1e-4, 5e-4, cycle_length=10))
    >>> round(handler.before_update(trainer), 6), round(trainer.optimizer.wd, 6)
    (0.00018, 0.00018)
    """

    def __init__(self, name: str, schedule: ScheduleLike) -> None:
        if not isinstance(name, str):
            raise TypeError(f"name must be the name of an optimizer attribute, got {name!r}")
        if not name.isidentifier():
            raise ValueError(f"name must be the name of an optimizer attribute, got {name!r}")
        self.name = "learning_rate" if name in _LR_NAMES else name
        self.schedule = check_callable("schedule", schedule)
        self.values: List[float] = []
        self.updates: List[int] = []

    def value(self, step: int) -> float:
        """``schedule(step)``, checked for :attr:`name`'s valid range."""
        value = self.schedule(step)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"schedule({step}) must be a number, got {value!r}") from None
        low, high, _, text = _RANGES.get(self.name, (-math.inf, math.inf, False, "finite"))
        if not (math.isfinite(value) and low <= value < high):
            raise ValueError(f"schedule({step}) must be a valid {self.name} ({text}), "
                             f"got {value!r}")
        return value

    def before_update(self, trainer: "gluon.Trainer") -> float:
        """Set the hyper-parameter for the coming update; return the value set.

        Raises
        ------
        ValueError
            If the optimizer has no such numeric attribute, if the schedule gives an
            invalid value, or (for the learning rate) if the trainer has an
            ``lr_scheduler``.
        """
        optimizer = trainer.optimizer
        check_server_side(trainer, type(self).__name__)
        step = int(optimizer.num_update) + 1
        value = self.value(step)
        if self.name == "learning_rate":
            if optimizer.lr_scheduler is not None:
                raise ValueError("trainer must have no lr_scheduler when a handler sets its "
                                 f"learning rate, got lr_scheduler={optimizer.lr_scheduler!r}")
            trainer.set_learning_rate(value)
        else:
            current = getattr(optimizer, self.name, None)
            if (current is None or isinstance(current, bool)
                    or not isinstance(current, numbers.Real)):
                raise ValueError(f"name must be a numeric hyper-parameter of the optimizer "
                                 f"{type(optimizer).__name__}, got {self.name!r} "
                                 f"(its value there: {current!r})")
            if self.name == "momentum" and current == 0 and value > 0 and step > 1:
                raise ValueError(
                    f"schedule({step}) = {value!r} turns momentum on after update 1, but MXNet "
                    "allocated no momentum buffers (momentum was 0 at the first update): "
                    "use a schedule that is positive from update 1 on")
            setattr(optimizer, self.name, value)
        self.values.append(value)
        self.updates.append(step)
        return value

    # -- Gluon estimator -------------------------------------------------------------
    def batch_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        """Estimator event: :meth:`before_update` on ``estimator.trainer``."""
        self.before_update(estimator.trainer)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.schedule!r})"


class MomentumHandler(HyperparamHandler):
    """:class:`HyperparamHandler` for ``'momentum'``: ``MomentumHandler(schedule)``.

    For 1-cycle, pair it with :class:`InverseMomentum` so that momentum falls while the
    learning rate rises (Smith 2018).

    Parameters
    ----------
    schedule : callable
        ``t -> momentum`` with values in ``[0, 1)`` (see :class:`HyperparamHandler`).

    Examples
    --------
    >>> from mxsched import OneCycle
    >>> lr = OneCycle(start_lr=0.01, max_lr=0.1, cycle_length=100)
    >>> handler = MomentumHandler(InverseMomentum(lr, 0.85, 0.95))
    >>> [round(handler.schedule(t), 4) for t in (0, 25, 50, 75, 100)]
    [0.95, 0.9, 0.85, 0.9, 0.95]
    """

    def __init__(self, schedule: ScheduleLike) -> None:
        super().__init__("momentum", schedule)

    def __repr__(self) -> str:
        return f"MomentumHandler({self.schedule!r})"


class InverseMomentum:
    """A momentum schedule that mirrors a learning-rate schedule (cyclical momentum).

    ::

        u(t)        = clip((lr(t) - lr_low) / (lr_high - lr_low), 0, 1)
        momentum(t) = max_momentum - (max_momentum - base_momentum) * u(t)

    so momentum is ``max_momentum`` where the learning rate is at (or below) ``lr_low``
    and ``base_momentum`` at (or above) ``lr_high``, linear in the learning rate in
    between. Over a triangular or 1-cycle learning rate this is Smith's cyclical
    momentum, 0.95 -> 0.85 -> 0.95; during a 1-cycle cool-down below ``lr_low`` the
    momentum stays at ``max_momentum``. It is the rule of PyTorch's
    ``CyclicLR(cycle_momentum=True)`` (``lr_low = base_lr``, ``lr_high = max_lr``).

    Pure and picklable: the learning-rate schedule is deep-copied and only evaluated.

    Parameters
    ----------
    lr_schedule : callable
        The learning-rate schedule ``t -> lr`` the momentum follows.
    base_momentum, max_momentum : float
        Momentum at the learning-rate peak and at the bottom, ``0 <= base <= max < 1``.
        Defaults 0.85 and 0.95 (Smith 2018).
    lr_range : (float, float), optional
        ``(lr_low, lr_high)``. Default ``(lr_schedule(0), lr_schedule.base_lr)``: for
        mxsched schedules ``base_lr`` is the reference peak, so for a 1-cycle this is
        ``(start_lr, max_lr)``. Required when that gives no rise (``lr_high <= lr_low``)
        or the schedule has no ``base_lr``.

    References
    ----------
    Smith, "A disciplined approach to neural network hyper-parameters: Part 1 --
    learning rate, batch size, momentum, and weight decay" (2018).

    Examples
    --------
    >>> from mxsched import TriangularSchedule
    >>> m = InverseMomentum(TriangularSchedule(0.1, 1.0, cycle_length=10))
    >>> [round(m(t), 4) for t in (0, 5, 10)]
    [0.95, 0.85, 0.95]
    """

    def __init__(self, lr_schedule: ScheduleLike, base_momentum: float = 0.85,
                 max_momentum: float = 0.95,
                 lr_range: Optional[Tuple[float, float]] = None) -> None:
        check_callable("lr_schedule", lr_schedule)
        base_momentum = check_real("base_momentum", base_momentum)
        max_momentum = check_real("max_momentum", max_momentum)
        for name, value in (("base_momentum", base_momentum), ("max_momentum", max_momentum)):
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value!r}")
        if base_momentum > max_momentum:
            raise ValueError(f"base_momentum must be <= max_momentum ({max_momentum!r}), "
                             f"got {base_momentum!r}")
        if lr_range is None:
            base_lr = getattr(lr_schedule, "base_lr", None)
            if not isinstance(base_lr, numbers.Real):
                raise ValueError("lr_range must be given for a schedule without a numeric "
                                 f"base_lr, got lr_range=None for {lr_schedule!r}")
            lr_range = (float(lr_schedule(0)), float(base_lr))
        if not (isinstance(lr_range, (tuple, list)) and len(lr_range) == 2):
            raise ValueError(f"lr_range must be a pair (lr_low, lr_high), got {lr_range!r}")
        low = check_real("lr_range[0]", lr_range[0])
        high = check_real("lr_range[1]", lr_range[1])
        if not high > low:
            raise ValueError(f"lr_range must have lr_low < lr_high (pass lr_range for a "
                             f"schedule that starts at its peak), got {(low, high)!r}")
        self.lr_schedule = copy.deepcopy(lr_schedule)
        self.base_momentum = base_momentum
        self.max_momentum = max_momentum
        self.lr_range = (low, high)

    def _from_lr(self, lr):
        low, high = self.lr_range
        u = np.clip((np.asarray(lr, dtype=np.float64) - low) / (high - low), 0.0, 1.0)
        return self.max_momentum - (self.max_momentum - self.base_momentum) * u

    def __call__(self, t: float) -> float:
        """Momentum at update ``t``."""
        return float(self._from_lr(float(self.lr_schedule(t))))

    def values(self, steps: Sequence[float]) -> np.ndarray:
        """Momentum at every step of ``steps`` (vectorised when the lr schedule is)."""
        if hasattr(self.lr_schedule, "values"):
            lrs = self.lr_schedule.values(steps)
        else:
            lrs = np.array([float(self.lr_schedule(t)) for t in np.asarray(steps).ravel()])
            lrs = lrs.reshape(np.shape(steps))
        return np.asarray(self._from_lr(lrs), dtype=np.float64)

    def __repr__(self) -> str:
        return (f"InverseMomentum({self.lr_schedule!r}, base_momentum={self.base_momentum!r}, "
                f"max_momentum={self.max_momentum!r}, lr_range={self.lr_range!r})")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and repr(other) == repr(self)

    def __hash__(self) -> int:
        return hash(repr(self))


# --------------------------------------------------------------------------- several at once


class Handlers(BatchBegin, EpochEnd):
    """Several handlers as one: each event is passed to every handler, in order.

    :func:`mxsched.tutorial.train` takes one ``handler``; ``Handlers(lr_handler,
    momentum_handler)`` gives it several. It forwards ``before_update(trainer)``,
    ``after_epoch(history, trainer)`` and the estimator's ``batch_begin`` /
    ``epoch_end`` to the handlers that have them. ``before_update`` returns the list of
    the values the handlers set.

    Parameters
    ----------
    *handlers
        At least one object with ``before_update``, ``after_epoch``, ``batch_begin`` or
        ``epoch_end``.

    Examples
    --------
    >>> from mxsched import OneCycle
    >>> lr = OneCycle(0.01, 0.1, cycle_length=100)
    >>> both = Handlers(HyperparamHandler('lr', lr), MomentumHandler(InverseMomentum(lr)))
    >>> len(both.handlers)
    2
    """

    def __init__(self, *handlers: Any) -> None:
        if not handlers:
            raise ValueError("handlers must not be empty, got no handler")
        for handler in handlers:
            if not any(callable(getattr(handler, name, None)) for name in
                       ("before_update", "after_epoch", "batch_begin", "epoch_end")):
                raise TypeError("each handler must have before_update, after_epoch, "
                                f"batch_begin or epoch_end, got {handler!r}")
        self.handlers = list(handlers)

    def _each(self, method: str):
        return [getattr(h, method) for h in self.handlers if callable(getattr(h, method, None))]

    def before_update(self, trainer: Any) -> list:
        """``before_update(trainer)`` of every handler that has one."""
        return [call(trainer) for call in self._each("before_update")]

    def after_epoch(self, history: Any, trainer: Any = None) -> list:
        """``after_epoch(history, trainer)`` of every handler that has one."""
        return [call(history, trainer) for call in self._each("after_epoch")]

    def batch_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        """Estimator event, forwarded."""
        for call in self._each("batch_begin"):
            call(estimator, *args, **kwargs)

    def epoch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> bool:
        """Estimator event, forwarded; True if any handler asks to stop."""
        return any([bool(call(estimator, *args, **kwargs)) for call in self._each("epoch_end")])

    def __repr__(self) -> str:
        return f"Handlers({', '.join(repr(h) for h in self.handlers)})"
