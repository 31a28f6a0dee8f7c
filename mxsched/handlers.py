"""Training-loop handlers: schedule any optimizer hyper-parameter, reduce the lr on a plateau.

Every handler here works in two kinds of loop:

* **plain Gluon loops** and :func:`mxsched.train`: call ``handler.before_update(trainer)``
  before every ``trainer.step`` (``train(..., handler=h)`` does) and, for
  :class:`ReduceLROnPlateau`, ``handler.step(metric)`` once per epoch (or
  ``handler.after_epoch(history, trainer)``, which reads the metric from a
  :class:`mxsched.History`);
* **the Gluon estimator** (``mxnet.gluon.contrib.estimator.Estimator.fit(...,
  event_handlers=[h])``): the handlers are ``BatchBegin`` (and ``EpochEnd``) event
  handlers. ``batch_begin`` runs before the batch's forward pass and the estimator's
  ``GradientUpdateHandler`` steps the trainer at ``batch_end``, so the value set at
  ``batch_begin`` is the one that update uses.

The step convention is MXNet's (SPEC section 1): the optimizer counts updates
``1, 2, ...`` and update ``k`` uses ``schedule(k)``. A handler reads
``k = trainer.optimizer.num_update + 1`` before the step, so it applies exactly what
MXNet would apply had the schedule been an ``lr_scheduler``.

Importing this module imports nothing from ``mxnet.gluon``: a parameter server unpickles
its optimizer while ``mxnet`` is still partially imported, before ``mxnet.gluon`` exists
(SPEC section 1), and ``import mxsched`` must work there. The handlers are therefore
defined on a placeholder base, and the first handler built puts the estimator's
event-handler mix-ins (``BatchBegin``, ``EpochEnd``) in its place, so that
``isinstance(handler, BatchBegin)`` holds whenever an estimator sees a handler.
"""
from __future__ import annotations

import copy
import math
import numbers
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .base import check_choice, check_int, check_lr, check_real

if TYPE_CHECKING:  # pragma: no cover
    from mxnet import gluon

__all__ = ["HyperparamHandler", "MomentumHandler", "InverseMomentum", "ReduceLROnPlateau",
           "Handlers"]

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


def _check_schedule(name: str, schedule: Any) -> Any:
    if not callable(schedule):
        raise TypeError(f"{name} must be a callable t -> value (a schedule or a function), "
                        f"got {schedule!r}")
    return schedule


def _check_server_side(trainer: Any, who: str) -> None:
    """Refuse a trainer whose optimizer lives on parameter servers (values never reach it)."""
    if getattr(trainer, "_update_on_kvstore", None) and getattr(trainer, "_distributed", None):
        raise ValueError(f"{who} cannot change an optimizer that updates on a distributed "
                         "kvstore (the servers keep their own copy): create the Trainer with "
                         "update_on_kvstore=False, or give the schedule as lr_scheduler")


# --------------------------------------------------------------------------- estimator bases


class _BatchBegin:
    """Placeholder for the estimator's ``BatchBegin`` (see the module docstring)."""

    _estimator_bases: Tuple[str, ...] = ("BatchBegin",)


class _BatchBeginEpochEnd:
    """Placeholder for the estimator's ``BatchBegin`` and ``EpochEnd``."""

    _estimator_bases: Tuple[str, ...] = ("BatchBegin", "EpochEnd")


def _use_estimator_bases(obj: Any) -> None:
    """Swap the placeholder bases of ``type(obj)``'s hierarchy for the estimator's mix-ins."""
    from mxnet.gluon.contrib.estimator import event_handler  # pylint: disable=import-outside-toplevel

    for placeholder in (_BatchBegin, _BatchBeginEpochEnd):
        for cls in type(obj).__mro__:
            if placeholder in cls.__bases__:
                cls.__bases__ = tuple(
                    b for b in cls.__bases__ if b is not placeholder) + tuple(
                    getattr(event_handler, name) for name in placeholder._estimator_bases)


class _EventHandler:
    """Mix-in: make the instance an estimator event handler when built or unpickled."""

    def __new__(cls, *args: Any, **kwargs: Any):  # pylint: disable=unused-argument
        obj = super().__new__(cls)
        _use_estimator_bases(obj)
        return obj


# --------------------------------------------------------------------------- hyper-parameters


class HyperparamHandler(_EventHandler, _BatchBegin):
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
        ``lr_scheduler``), which makes this an estimator-ready
        :class:`mxsched.ScheduleHandler`.
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
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"name must be the name of an optimizer attribute, got {name!r}")
        self.name = "learning_rate" if name in _LR_NAMES else name
        self.schedule = _check_schedule("schedule", schedule)
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
        _check_server_side(trainer, type(self).__name__)
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
        _check_schedule("lr_schedule", lr_schedule)
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


# --------------------------------------------------------------------------- plateau


class ReduceLROnPlateau(_EventHandler, _BatchBeginEpochEnd):
    """Multiply the active schedule by ``factor`` whenever a metric stops improving.

    The learning rate of update ``k`` is the schedule's value scaled by the reductions
    so far, never pushed below ``min_lr`` by them::

        lr(k) = max(scale * schedule(k), min(min_lr, schedule(k)))
        scale = factor ** (number of reductions)

    so it composes with warm-up and decay (``schedule`` is any ``t -> lr``), and with a
    constant schedule it is exactly PyTorch's ``ReduceLROnPlateau``. The plateau rule is
    PyTorch's, step for step (``torch.optim.lr_scheduler.ReduceLROnPlateau``); call
    :meth:`step` once per epoch with the monitored value:

    * ``is_better(a, best)``: ``mode='min'`` with ``threshold_mode='rel'`` is
      ``a < best * (1 - threshold)``, with ``'abs'`` ``a < best - threshold``;
      ``mode='max'``: ``a > best * (1 + threshold)`` / ``a > best + threshold``.
      ``best`` starts at ``+inf`` (min) or ``-inf`` (max); a NaN metric never improves.
    * better: ``best = a``, ``num_bad_epochs = 0``; else ``num_bad_epochs += 1``.
    * in cool-down (``cooldown_counter > 0``): ``cooldown_counter -= 1`` and
      ``num_bad_epochs = 0`` (bad epochs in cool-down are ignored).
    * ``num_bad_epochs > patience``: reduce, then ``cooldown_counter = cooldown`` and
      ``num_bad_epochs = 0``. So ``patience=2`` ignores two bad epochs and reduces
      after the third.
    * a reduction multiplies ``scale`` by ``factor`` unless it would change the
      learning rate by less than ``eps``: with ``old = scale * ref`` and
      ``new = max(old * factor, min_lr)`` it is applied iff ``old - new > eps``. Here
      ``ref`` is the largest schedule value used so far (the schedule's value itself for
      a constant schedule, as in PyTorch), so a reduction during a warm-up is not lost.

    Keras's ``ReduceLROnPlateau`` counts differently (it reduces once ``patience`` bad
    epochs have been seen and its cool-down is one epoch shorter); build it with
    :meth:`from_keras` for Keras's behaviour.

    Use
    ---
    * plain loop / :func:`mxsched.train`: ``before_update(trainer)`` before each step
      (sets ``lr(k)``; the trainer must have no ``lr_scheduler``), ``step(metric)`` at
      each epoch end, or ``after_epoch(history, trainer)`` with ``monitor`` naming a
      :class:`mxsched.History` field (e.g. ``'test_acc'`` with ``mode='max'``);
    * Gluon estimator: an event handler (``BatchBegin`` + ``EpochEnd``) whose
      ``monitor`` is an ``EvalMetric`` (e.g. one of ``estimator.val_metrics``) or a
      metric name; it reads the metric at ``epoch_end`` (after the estimator's
      validation, which runs first).

    Parameters
    ----------
    schedule : callable or float, optional
        The schedule scaled by the reductions: an mxsched schedule (e.g. a warm-up
        followed by a decay), any ``t -> lr``, or a number for a constant learning rate.
        None: the trainer's learning rate, read at the first :meth:`before_update`.
    monitor : str, EvalMetric or callable, optional
        What :meth:`after_epoch` / ``epoch_end`` read: a History field (its last
        value) or an estimator metric name, an object with ``get() -> (name, value)``,
        or a callable given the history (or the estimator). None: call :meth:`step`.
    mode : {'min', 'max'}
        Whether the metric should fall (a loss) or rise (an accuracy).
    factor : float
        ``0 < factor < 1``; each reduction multiplies the learning rate by it.
    patience : int
        Bad epochs ignored before a reduction (PyTorch's meaning).
    threshold : float
        Minimal (relative or absolute) change that counts as an improvement, ``>= 0``.
    threshold_mode : {'rel', 'abs'}
    cooldown : int
        Epochs after a reduction during which bad epochs are not counted.
    min_lr : float
        The reductions never take the learning rate below it (a schedule that is itself
        below ``min_lr`` is left alone: the handler never raises the learning rate).
    eps : float
        Reductions that change the learning rate by ``eps`` or less are skipped.

    Attributes
    ----------
    scale : float
        ``factor ** reductions``.
    best, num_bad_epochs, cooldown_counter, last_epoch
        PyTorch's counters (``last_epoch`` counts :meth:`step` calls).
    reductions : list of (epoch, update, scale)
        Every applied reduction: after epoch ``epoch``, effective from update
        ``update + 1``, with the new ``scale``.
    metrics : list of float
        Every value given to :meth:`step`.
    lrs, updates : list
        The learning rate set by :meth:`before_update` and the update it was for.

    Examples
    --------
    >>> plateau = ReduceLROnPlateau(0.1, mode='min', factor=0.5, patience=1)
    >>> for loss in [1.0, 0.9, 0.95, 0.93, 0.92]:
    ...     _ = plateau.step(loss)
    >>> plateau.scale, plateau.lr(1)
    (0.5, 0.05)
    """

    _STATE_KEYS = ("best", "num_bad_epochs", "cooldown_counter", "last_epoch", "scale",
                   "reductions", "metrics", "_ref", "_last_update", "_base")

    def __init__(self, schedule: Union[ScheduleLike, float, None] = None, *,
                 monitor: Any = None, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float = 0.0, eps: float = 1e-8) -> None:
        self._base: Optional[float] = None
        if schedule is None:
            self.schedule = None
        elif isinstance(schedule, numbers.Real) and not isinstance(schedule, bool):
            self.schedule = None
            self._base = check_lr("schedule", schedule)
        else:
            self.schedule = _check_schedule("schedule", schedule)
        if monitor is not None and not (isinstance(monitor, str) or callable(monitor)
                                        or callable(getattr(monitor, "get", None))):
            raise TypeError("monitor must be a History field or metric name, an EvalMetric "
                            f"or a callable, got {monitor!r}")
        self.monitor = monitor
        self.mode = check_choice("mode", mode, ("min", "max"))
        factor = check_real("factor", factor)
        if not 0 < factor < 1:
            raise ValueError(f"factor must be in (0, 1), got {factor!r}")
        self.factor = factor
        self.patience = check_int("patience", patience, minimum=0)
        threshold = check_real("threshold", threshold)
        if threshold < 0:
            raise ValueError(f"threshold must be >= 0, got {threshold!r}")
        self.threshold = threshold
        self.threshold_mode = check_choice("threshold_mode", threshold_mode, ("rel", "abs"))
        self.cooldown = check_int("cooldown", cooldown, minimum=0)
        self.min_lr = check_lr("min_lr", min_lr)
        eps = check_real("eps", eps)
        if eps < 0:
            raise ValueError(f"eps must be >= 0, got {eps!r}")
        self.eps = eps
        self.lrs: List[float] = []
        self.updates: List[int] = []
        self.reset()

    # -- the Keras convention ----------------------------------------------------------
    @classmethod
    def from_keras(cls, schedule: Union[ScheduleLike, float, None] = None, *,
                   monitor: Any = None, factor: float = 0.1, patience: int = 10,
                   mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0,
                   min_lr: float = 0.0) -> "ReduceLROnPlateau":
        """The handler with the behaviour of ``keras.callbacks.ReduceLROnPlateau``.

        Keras reduces once ``patience`` bad epochs have been counted (PyTorch: after
        ``patience + 1``), its cool-down ignores ``cooldown - 1`` epochs (PyTorch:
        ``cooldown``), its ``min_delta`` is an absolute threshold, and it keeps reducing
        while the learning rate is above ``min_lr``. For a constant schedule this gives
        the same learning rate after every epoch as Keras's callback with
        ``ReduceLROnPlateau(patience=max(patience - 1, 0),
        cooldown=max(cooldown - 1, 0), threshold=min_delta, threshold_mode='abs',
        eps=0)``, which is what is returned. (Keras does not start a cool-down when the
        learning rate is already at ``min_lr``; the learning rate is the same.)

        ``mode='auto'`` is Keras's rule: ``'max'`` when the monitor's name contains
        ``'acc'``, else ``'min'``.
        """
        mode = check_choice("mode", mode, ("auto", "min", "max"))
        if mode == "auto":
            name = monitor if isinstance(monitor, str) else (
                monitor.get()[0] if callable(getattr(monitor, "get", None)) else "")
            mode = "max" if "acc" in str(name) else "min"
        patience = check_int("patience", patience, minimum=0)
        cooldown = check_int("cooldown", cooldown, minimum=0)
        return cls(schedule, monitor=monitor, mode=mode, factor=factor,
                   patience=max(patience - 1, 0), threshold=min_delta, threshold_mode="abs",
                   cooldown=max(cooldown - 1, 0), min_lr=min_lr, eps=0.0)

    # -- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the plateau history: no reduction, ``best`` at the worst value."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self.scale = 1.0
        self.reductions: List[Tuple[int, int, float]] = []
        self.metrics: List[float] = []
        self._ref = 0.0
        self._last_update = 0

    def state_dict(self) -> Dict[str, Any]:
        """The counters and the scale, for a checkpoint (plain Python values).

        The configuration and the schedule are not included: rebuild the handler with
        the same arguments, then :meth:`load_state_dict`. The handler as a whole is
        also picklable when its schedule and monitor are.
        """
        state = {key: copy.deepcopy(getattr(self, key)) for key in self._STATE_KEYS}
        return state

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        missing = [key for key in self._STATE_KEYS if key not in state]
        if missing:
            raise ValueError(f"state must be a ReduceLROnPlateau.state_dict(), got one "
                             f"without {missing!r}")
        for key in self._STATE_KEYS:
            setattr(self, key, copy.deepcopy(state[key]))

    # -- the plateau rule ----------------------------------------------------------------
    def is_better(self, a: float, best: float) -> bool:
        """Whether ``a`` improves on ``best`` (PyTorch's comparison)."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (1.0 + self.threshold)
        return a > best + self.threshold

    @property
    def in_cooldown(self) -> bool:
        """Whether bad epochs are currently ignored."""
        return self.cooldown_counter > 0

    def step(self, metric: Any) -> bool:
        """Record one epoch's metric; return True if this reduced the learning rate."""
        current = float(metric)
        self.last_epoch += 1
        self.metrics.append(current)
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        reduced = False
        if self.num_bad_epochs > self.patience:
            reduced = self._reduce()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return reduced

    def _reduce(self) -> bool:
        ref = max(self._ref, self._schedule_value(self._last_update + 1))
        old = self.scale * ref
        new = max(old * self.factor, self.min_lr)
        if old - new > self.eps:
            self.scale *= self.factor
            self.reductions.append((self.last_epoch, self._last_update, self.scale))
            return True
        return False

    # -- the learning rate ---------------------------------------------------------------
    def _schedule_value(self, step: int) -> float:
        if self.schedule is not None:
            value = float(self.schedule(step))
        elif self._base is not None:
            value = self._base
        else:
            raise ValueError("schedule must be given, or before_update(trainer) must run "
                             "first to read the trainer's learning rate, got schedule=None")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"schedule({step}) must be a finite, non-negative learning rate, "
                             f"got {value!r}")
        return value

    def lr(self, step: int) -> float:
        """The learning rate of update ``step`` with the reductions so far."""
        value = self._schedule_value(step)
        return max(self.scale * value, min(self.min_lr, value))

    def before_update(self, trainer: "gluon.Trainer") -> float:
        """Set the learning rate of the coming update to :meth:`lr`; return it."""
        optimizer = trainer.optimizer
        _check_server_side(trainer, "ReduceLROnPlateau")
        if optimizer.lr_scheduler is not None:
            raise ValueError("trainer must have no lr_scheduler when ReduceLROnPlateau sets "
                             "its learning rate (pass the schedule to ReduceLROnPlateau "
                             f"instead), got lr_scheduler={optimizer.lr_scheduler!r}")
        if self.schedule is None and self._base is None:
            self._base = check_lr("the trainer's learning_rate", trainer.learning_rate)
        step = int(optimizer.num_update) + 1
        self._ref = max(self._ref, self._schedule_value(step))
        lr = self.lr(step)
        trainer.set_learning_rate(lr)
        self._last_update = step
        self.lrs.append(lr)
        self.updates.append(step)
        return lr

    # -- reading the monitor ---------------------------------------------------------------
    def _monitor_value(self, source: Any, kind: str) -> float:
        monitor = self.monitor
        if monitor is None:
            raise ValueError("monitor must be given to read the metric at the end of an epoch "
                             "(or call step(metric) yourself), got monitor=None")
        if callable(getattr(monitor, "get", None)):
            return float(monitor.get()[1])
        if isinstance(monitor, str):
            if kind == "history":
                values = getattr(source, monitor, None)
                if not isinstance(values, (list, tuple)) or not values:
                    raise ValueError(f"monitor must name a non-empty per-epoch list of the "
                                     f"history, got {monitor!r}")
                return float(values[-1])
            metrics = list(getattr(source, "val_metrics", [])) + list(
                getattr(source, "train_metrics", []))
            for metric in metrics:
                if metric.get()[0] == monitor:
                    return float(metric.get()[1])
            names = [m.get()[0] for m in metrics]
            raise ValueError(f"monitor must be one of the estimator's metric names {names}, "
                             f"got {monitor!r}")
        return float(monitor(source))

    def after_epoch(self, history: Any, trainer: Any = None) -> bool:
        """Plain-loop epoch end: :meth:`step` with the monitored value from ``history``."""
        return self.step(self._monitor_value(history, "history"))

    # -- Gluon estimator -------------------------------------------------------------------
    def batch_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        """Estimator event: :meth:`before_update` on ``estimator.trainer``."""
        self.before_update(estimator.trainer)

    def epoch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> bool:
        """Estimator event: :meth:`step` with the monitored metric; never stops training."""
        self.step(self._monitor_value(estimator, "estimator"))
        return False

    def __repr__(self) -> str:
        schedule = self.schedule if self.schedule is not None else self._base
        return (f"ReduceLROnPlateau({schedule!r}, mode={self.mode!r}, factor={self.factor!r}, "
                f"patience={self.patience!r}, threshold={self.threshold!r}, "
                f"threshold_mode={self.threshold_mode!r}, cooldown={self.cooldown!r}, "
                f"min_lr={self.min_lr!r}, eps={self.eps!r})")


# --------------------------------------------------------------------------- several at once


class Handlers(_EventHandler, _BatchBeginEpochEnd):
    """Several handlers as one: each event is passed to every handler, in order.

    :func:`mxsched.train` takes one ``handler``; ``Handlers(lr_handler,
    momentum_handler)`` gives it several. It forwards ``before_update(trainer)``,
    ``after_epoch(history, trainer)`` and the estimator's ``batch_begin`` /
    ``epoch_end`` to the handlers that have them. ``before_update`` returns the list of
    the values the handlers set.

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
