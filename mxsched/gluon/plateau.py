"""Reduce the learning rate when a metric stops improving, on top of any schedule."""
from __future__ import annotations

import copy
import math
import numbers
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union

from mxnet.gluon.contrib.estimator.event_handler import BatchBegin, EpochEnd

from ..checks import check_callable, check_choice, check_int, check_lr, check_real
from .hyperparams import check_server_side

if TYPE_CHECKING:  # pragma: no cover
    from mxnet import gluon

__all__ = ["ReduceLROnPlateau"]

ScheduleLike = Callable[[int], float]


class ReduceLROnPlateau(BatchBegin, EpochEnd):
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
    * plain loop / :func:`mxsched.tutorial.train`: ``before_update(trainer)`` before each step
      (sets ``lr(k)``; the trainer must have no ``lr_scheduler``), ``step(metric)`` at
      each epoch end, or ``after_epoch(history, trainer)`` with ``monitor`` naming a
      :class:`mxsched.tutorial.History` field (e.g. ``'test_acc'`` with ``mode='max'``);
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
            self.schedule = check_callable("schedule", schedule)
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
        check_server_side(trainer, "ReduceLROnPlateau")
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
