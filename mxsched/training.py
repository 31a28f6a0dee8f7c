"""Training helpers for the tutorial notebooks.

Devices, seeds, the LeNet of the d2l "Learning Rate Scheduling" chapter, and a
small, device-agnostic training loop that records the learning rate the
optimizer applied at every update.  A schedule can drive the learning rate in
two equivalent ways:

* as the optimizer's ``lr_scheduler`` (``gluon.Trainer(..., {'lr_scheduler': s})``):
  MXNet asks ``s(k)`` at update ``k``;
* as a loop handler, :class:`ScheduleHandler`, which calls
  ``trainer.set_learning_rate(s(num_update + 1))`` before every update -- so any
  callable ``t -> lr`` works, even one MXNet cannot hold.

Both give the same learning rate at every update, and :func:`train` records it
(``History.lrs``) by reading ``trainer.learning_rate`` after each step.

MXNet is imported inside the functions, never at import time: importing this
module touches no attribute of the ``mxnet`` package (see SPEC section 1 on
parameter-server processes).  Nothing assumes a CPU: every batch is moved with
``as_in_context`` and every number is read back with ``asscalar``.
"""

from __future__ import annotations

import math
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import mxnet as mx
    from mxnet import gluon

__all__ = [
    "default_context",
    "select_context",
    "set_seed",
    "lenet",
    "make_trainer",
    "ScheduleHandler",
    "History",
    "evaluate_accuracy",
    "train",
]

Contexts = Union["mx.Context", Sequence["mx.Context"]]
_PROGRESS_CHOICES = ("auto", "epoch", "bar", "none")


# --------------------------------------------------------------------------- devices and seeds


def default_context() -> "mx.Context":
    """The first GPU when MXNet sees one, else the CPU.

    Returns
    -------
    mxnet.Context
        ``mx.gpu(0)`` if ``mx.context.num_gpus() > 0``, else ``mx.cpu()``.
        Creating the context allocates nothing on the device.
    """
    import mxnet as mx

    return mx.gpu(0) if mx.context.num_gpus() > 0 else mx.cpu()


def select_context(verbose: bool = True) -> "mx.Context":
    """:func:`default_context`, printing which device the notebook trains on.

    Parameters
    ----------
    verbose : bool
        Print a line such as ``Context: cpu(0) (no GPU found)``.

    Returns
    -------
    mxnet.Context
    """
    import mxnet as mx

    ctx = default_context()
    if verbose:
        gpus = mx.context.num_gpus()
        found = f"{gpus} GPU{'s' if gpus != 1 else ''} found" if gpus else "no GPU found"
        print(f"Context: {ctx} ({found})")
    return ctx


def set_seed(seed: int) -> None:
    """Seed MXNet (every device), numpy's and Python's global generators.

    Together they fix weight initialisation, Gluon's shuffling (numpy) and
    anything drawn with :mod:`random`, so that a CPU run is repeatable.

    Parameters
    ----------
    seed : int
        A seed in ``[0, 2**32)``.

    Examples
    --------
    >>> import numpy as np
    >>> set_seed(0); a = np.random.rand()
    >>> set_seed(0); b = np.random.rand()
    >>> a == b
    True
    """
    if (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
            or not 0 <= seed < 2 ** 32):
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    import mxnet as mx

    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)


# --------------------------------------------------------------------------- model and trainer


def lenet(num_classes: int = 10, hybridize: bool = True) -> "gluon.nn.HybridSequential":
    """The modern LeNet of d2l's "Learning Rate Scheduling" chapter (uninitialised).

    ::

        Conv2D(6, 5x5, padding 2) + ReLU -> MaxPool(2, 2)
        Conv2D(16, 5x5) + ReLU           -> MaxPool(2, 2)
        Dense(120) + ReLU -> Dense(84) + ReLU -> Dense(num_classes)

    Input channels and sizes are inferred at the first batch, so the same
    network takes ``1x28x28`` or ``3x32x32`` images.

    Parameters
    ----------
    num_classes : int
        Width of the output layer.
    hybridize : bool
        Hybridize the network (faster; same results).

    Returns
    -------
    mxnet.gluon.nn.HybridSequential
        Call ``net.initialize(mx.init.Xavier(), ctx=ctx)`` before training.

    References
    ----------
    LeCun et al., "Gradient-based learning applied to document recognition" (1998);
    Zhang et al., "Dive into Deep Learning", section "Learning Rate Scheduling".
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes <= 0:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    from mxnet.gluon import nn

    net = nn.HybridSequential()
    net.add(nn.Conv2D(channels=6, kernel_size=5, padding=2, activation="relu"),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=16, kernel_size=5, activation="relu"),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Dense(120, activation="relu"),
            nn.Dense(84, activation="relu"),
            nn.Dense(num_classes))
    if hybridize:
        net.hybridize()
    return net


def _is_lr_scheduler(obj: Any) -> bool:
    from mxnet.lr_scheduler import LRScheduler

    return isinstance(obj, LRScheduler)


def make_trainer(net: "gluon.Block", optimizer: str = "sgd",
                 learning_rate: Optional[float] = None, lr_scheduler: Optional[Any] = None,
                 **optimizer_params: Any) -> "gluon.Trainer":
    """A :class:`gluon.Trainer` over all of ``net``'s parameters.

    Parameters
    ----------
    net : gluon.Block
    optimizer : str
        Name of an MXNet optimizer (``'sgd'``, ``'nag'``, ``'adam'``, ...).
    learning_rate : float, optional
        Fixed learning rate.  Given together with ``lr_scheduler``, MXNet sets
        ``lr_scheduler.base_lr = learning_rate`` (and prints a notice when they
        differ); for an mxsched schedule that rescales it to peak at
        ``learning_rate``.  Without it the schedule is used as given -- even
        with optimizers such as Adam whose own default ``learning_rate`` MXNet
        would otherwise write into ``base_lr``.
    lr_scheduler : mxnet.lr_scheduler.LRScheduler, optional
        The schedule the optimizer asks at every update.  A plain callable is
        refused: drive it with :class:`ScheduleHandler` instead.
    **optimizer_params
        Further optimizer arguments, e.g. ``momentum=0.9, wd=1e-4``.

    Returns
    -------
    gluon.Trainer
    """
    from mxnet import gluon

    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be the name of an MXNet optimizer, got {optimizer!r}")
    if lr_scheduler is not None and not _is_lr_scheduler(lr_scheduler):
        raise TypeError("lr_scheduler must be an mxnet.lr_scheduler.LRScheduler (use "
                        f"ScheduleHandler for a plain callable), got {lr_scheduler!r}")
    if learning_rate is not None:
        if (isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float))
                or not math.isfinite(learning_rate) or learning_rate < 0):
            raise ValueError("learning_rate must be a finite, non-negative number, "
                             f"got {learning_rate!r}")
        optimizer_params["learning_rate"] = float(learning_rate)
    if lr_scheduler is not None:
        optimizer_params["lr_scheduler"] = lr_scheduler
        # Adam, RMSProp, NAdam, ... pass their own default learning_rate (e.g. 0.001) to
        # MXNet, which would then overwrite lr_scheduler.base_lr with it: pass the
        # scheduler's own value instead, so that the schedule is used as given.
        optimizer_params.setdefault("learning_rate", lr_scheduler.base_lr)
    return gluon.Trainer(net.collect_params(), optimizer, optimizer_params)


# --------------------------------------------------------------------------- the loop handler


class ScheduleHandler:
    """Drive a trainer's learning rate from a schedule, from the training loop.

    Call :meth:`before_update` before every ``trainer.step``.  It sets the
    learning rate of the coming update ``k = trainer.optimizer.num_update + 1``
    to ``schedule(k)`` -- exactly what MXNet would apply had ``schedule`` been
    the optimizer's ``lr_scheduler`` -- and records it in :attr:`lrs`.

    Parameters
    ----------
    schedule : callable
        Any ``t -> lr``: an mxsched schedule, an MXNet ``LRScheduler`` or a
        plain function.  For pickling (checkpoints) use a module-level function
        or class, not a lambda.

    Attributes
    ----------
    lrs : list of float
        The learning rate set before each update, in order.

    Notes
    -----
    The trainer must have no ``lr_scheduler`` (MXNet refuses
    ``set_learning_rate`` then).  With a parameter-server kvstore that updates
    on the server (``dist_*`` and ``update_on_kvstore=True``) the server keeps
    its own copy of the optimizer and never sees the new rate: give the
    schedule as ``lr_scheduler`` there.

    Examples
    --------
    >>> import mxnet as mx
    >>> from mxnet import gluon
    >>> net = gluon.nn.Dense(1); net.initialize()
    >>> trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 1.0})
    >>> def halving(t):
    ...     return 0.5 ** t
    >>> handler = ScheduleHandler(halving)
    >>> handler.before_update(trainer), trainer.learning_rate
    (0.5, 0.5)
    """

    def __init__(self, schedule: Callable[[int], float]) -> None:
        if not callable(schedule):
            raise TypeError(f"schedule must be a callable t -> lr, got {schedule!r}")
        self.schedule = schedule
        self.lrs: List[float] = []

    def before_update(self, trainer: "gluon.Trainer") -> float:
        """Set the learning rate of the coming update; return it.

        Raises
        ------
        ValueError
            If the trainer has an ``lr_scheduler``, or the schedule gives a
            negative or non-finite learning rate.
        """
        optimizer = trainer.optimizer
        if optimizer.lr_scheduler is not None:
            raise ValueError("trainer must have no lr_scheduler when a ScheduleHandler sets "
                             f"its learning rate, got lr_scheduler={optimizer.lr_scheduler!r}")
        step = optimizer.num_update + 1
        lr = float(self.schedule(step))
        if not math.isfinite(lr) or lr < 0:
            raise ValueError(f"schedule({step}) must be a finite, non-negative learning rate, "
                             f"got {lr!r}")
        trainer.set_learning_rate(lr)
        self.lrs.append(lr)
        return lr

    def __repr__(self) -> str:
        return f"ScheduleHandler({self.schedule!r})"


# --------------------------------------------------------------------------- history


@dataclass
class History:
    """What :func:`train` measured.

    Attributes
    ----------
    train_loss, train_acc, test_acc : list of float
        Per epoch: mean training loss and accuracy over the epoch's batches
        (as the weights changed), and test accuracy after the epoch.
    examples_per_sec, epoch_time : list of float
        Per epoch: training throughput and seconds of the training pass
        (evaluation excluded).
    lrs : list of float
        The learning rate applied at every update, read from
        ``trainer.learning_rate`` right after the step.
    updates : list of int
        The optimizer's update count after every step: ``lrs[i]`` was applied
        at update ``updates[i]`` (``1, 2, ...`` for a fresh trainer), so
        ``lrs == [sched(k) for k in updates]``.
    batch_losses : list of float
        Mean loss of every batch, in order.
    context : str
        The device(s) trained on.
    """

    train_loss: List[float] = field(default_factory=list)
    train_acc: List[float] = field(default_factory=list)
    test_acc: List[float] = field(default_factory=list)
    examples_per_sec: List[float] = field(default_factory=list)
    epoch_time: List[float] = field(default_factory=list)
    lrs: List[float] = field(default_factory=list)
    updates: List[int] = field(default_factory=list)
    batch_losses: List[float] = field(default_factory=list)
    context: str = ""

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)

    def as_dict(self) -> Dict[str, Any]:
        """A plain dict of every field (for pandas, JSON or pickling)."""
        return asdict(self)

    def epoch_line(self, epoch: int, total: Optional[int] = None,
                   first_update: int = 0) -> str:
        """One line summarising ``epoch`` (1-based), as :func:`train` prints it."""
        i = epoch - 1
        lrs = self.lrs[first_update:]
        if not lrs:
            lr_text = "lr -"
        elif lrs[0] == lrs[-1]:
            lr_text = f"lr {lrs[0]:.4g}"
        else:
            lr_text = f"lr {lrs[0]:.4g} -> {lrs[-1]:.4g}"
        of = f"/{total}" if total else ""
        return (f"epoch {epoch}{of}  loss {self.train_loss[i]:.4f}  train acc "
                f"{self.train_acc[i]:.3f}  test acc {self.test_acc[i]:.3f}  {lr_text}  "
                f"{self.examples_per_sec[i]:.0f} ex/s  {self.epoch_time[i]:.1f} s")


# --------------------------------------------------------------------------- evaluation


def _context_list(ctx: Optional[Contexts], net: "gluon.Block") -> List["mx.Context"]:
    """``ctx`` as a non-empty list; None means where ``net``'s parameters live.

    A network without parameters runs anywhere: None then means
    :func:`default_context`.
    """
    import mxnet as mx

    where = _parameter_contexts(net)
    if ctx is None:
        return where[:1] if where is not None else [default_context()]
    ctxs = [ctx] if isinstance(ctx, mx.Context) else list(ctx) if isinstance(ctx, (list, tuple)) else []
    if not ctxs or not all(isinstance(c, mx.Context) for c in ctxs):
        raise TypeError(f"ctx must be an mxnet Context or a list of them, got {ctx!r}")
    if where is not None and any(c not in where for c in ctxs):
        raise ValueError(f"ctx must be where net's parameters are initialised ({where}), "
                         f"got {ctx!r}")
    return ctxs


def _parameter_contexts(net: "gluon.Block") -> Optional[List["mx.Context"]]:
    """Contexts holding every parameter of ``net`` (deferred ones included).

    None for a network without parameters.
    """
    common: Optional[List["mx.Context"]] = None
    for param in net.collect_params().values():
        try:
            where = list(param.list_ctx())
        except RuntimeError as err:
            raise ValueError("net must be initialised before use (net.initialize(ctx=ctx)), "
                             f"got parameter {param.name!r} uninitialised") from err
        common = where if common is None else [c for c in common if c in where]
    if common is not None and not common:
        raise ValueError("net must have all its parameters on a common context, got none")
    return common


def _split(batch: Any, ctxs: List["mx.Context"]) -> Tuple[list, list]:
    """A batch ``(X, y)`` as per-device lists of ``X`` and ``y``."""
    from mxnet import gluon

    data, label = batch[0], batch[1]
    if len(ctxs) == 1:
        return [data.as_in_context(ctxs[0])], [label.as_in_context(ctxs[0])]
    return (gluon.utils.split_and_load(data, ctxs, even_split=False),
            gluon.utils.split_and_load(label, ctxs, even_split=False))


def _correct(output: Any, label: Any) -> Any:
    """NDArray scalar: how many rows of ``output`` have their argmax at ``label``."""
    return (output.argmax(axis=1) == label.astype(output.dtype)).sum()


def evaluate_accuracy(net: "gluon.Block", data: Iterable, ctx: Optional[Contexts] = None) -> float:
    """Share of examples in ``data`` whose highest-scoring class is the label.

    Parameters
    ----------
    net : gluon.Block
        An initialised classifier returning one score per class.
    data : iterable of (X, y)
        E.g. a Gluon ``DataLoader``; batches may live on any device.
    ctx : mxnet.Context or list of Context, optional
        Where to evaluate; by default where ``net``'s parameters are.  Batches
        are moved there with ``as_in_context`` (split across devices for a list).

    Returns
    -------
    float
        Accuracy in ``[0, 1]``; 0.0 for empty ``data``.
    """
    ctxs = _context_list(ctx, net)
    correct = 0.0
    seen = 0
    for batch in data:
        xs, ys = _split(batch, ctxs)
        counts = [_correct(net(x), y) for x, y in zip(xs, ys)]
        correct += sum(c.asscalar() for c in counts)
        seen += sum(y.shape[0] for y in ys)
    return float(correct) / seen if seen else 0.0


# --------------------------------------------------------------------------- training


def _resolve_trainer(net: "gluon.Block", trainer: Any,
                     handler: Optional[ScheduleHandler]) -> Tuple[Any, Optional[ScheduleHandler]]:
    """A ``gluon.Trainer`` (and maybe a handler) from :func:`train`'s ``trainer`` argument."""
    from mxnet import gluon

    if isinstance(trainer, gluon.Trainer):
        return trainer, handler
    if not (isinstance(trainer, tuple) and len(trainer) == 2 and isinstance(trainer[0], str)):
        raise TypeError("trainer must be a gluon.Trainer or a tuple (optimizer_name, "
                        f"learning_rate_or_schedule), got {trainer!r}")
    name, lr = trainer
    if _is_lr_scheduler(lr):
        return make_trainer(net, name, lr_scheduler=lr), handler
    if callable(lr):
        if handler is not None:
            raise ValueError("handler must be None when trainer gives a plain-callable "
                             f"schedule, got handler={handler!r}")
        return make_trainer(net, name), ScheduleHandler(lr)
    return make_trainer(net, name, learning_rate=lr), handler


def _progress_bar(progress: str, total: Optional[int], epoch: int, epochs: int) -> Any:
    """A tqdm bar on stderr for ``'bar'`` (or ``'auto'`` on a terminal), else None.

    ``tqdm.std`` is used on purpose, never ``tqdm.auto``: headless notebook
    runs must not store widget output.
    """
    if progress == "auto":
        if not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
            return None
        try:
            from tqdm.std import tqdm
        except ImportError:
            return None
    elif progress == "bar":
        from tqdm.std import tqdm
    else:
        return None
    return tqdm(total=total, desc=f"epoch {epoch}/{epochs}", unit="batch", leave=False,
                file=sys.stderr, dynamic_ncols=True)


def train(net: "gluon.Block", train_data: Iterable, test_data: Iterable,
          trainer: Union["gluon.Trainer", Tuple[str, Any]], epochs: int,
          ctx: Optional[Contexts] = None, *, loss: Optional[Any] = None,
          handler: Optional[Any] = None, progress: str = "auto") -> History:
    """Train a classifier and record loss, accuracy, speed and every learning rate.

    Parameters
    ----------
    net : gluon.Block
        An initialised classifier (e.g. :func:`lenet` after ``net.initialize``).
    train_data, test_data : iterable of (X, y)
        E.g. the loaders of :func:`mxsched.data.load_data`.
    trainer : gluon.Trainer or (str, float or schedule)
        A trainer over ``net``'s parameters, or ``(optimizer_name, lr)`` to
        build one with :func:`make_trainer`: a number is a fixed rate, an
        ``LRScheduler`` (any mxsched schedule) becomes the ``lr_scheduler``,
        any other callable is driven by a :class:`ScheduleHandler`.
    epochs : int
        Passes over ``train_data``.
    ctx : mxnet.Context or list of Context, optional
        Where to train; by default where ``net``'s parameters are.  Each batch
        is moved there with ``as_in_context`` (split across devices for a list).
    loss : gluon.loss.Loss, optional
        Default :class:`gluon.loss.SoftmaxCrossEntropyLoss`.
    handler : object with ``before_update(trainer)``, optional
        E.g. :class:`ScheduleHandler` or the handlers of :mod:`mxsched.handlers`.
        Called as ``handler.before_update(trainer)`` before every update and, if it
        has one, as ``handler.after_epoch(history, trainer)`` after each epoch's
        evaluation (where :class:`mxsched.handlers.ReduceLROnPlateau` decides).
    progress : {'auto', 'epoch', 'bar', 'none'}
        ``'epoch'`` prints one line per epoch; ``'bar'`` also shows a tqdm bar
        on stderr; ``'auto'`` is ``'bar'`` on a terminal and ``'epoch'``
        elsewhere (notebooks); ``'none'`` prints nothing.

    Returns
    -------
    History
        ``History.lrs[i]`` is the learning rate of update ``History.updates[i]``.
    """
    from mxnet import autograd, gluon

    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs <= 0:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if progress not in _PROGRESS_CHOICES:
        raise ValueError(f"progress must be one of {_PROGRESS_CHOICES}, got {progress!r}")
    if handler is not None and not callable(getattr(handler, "before_update", None)):
        raise TypeError(f"handler must have a before_update(trainer) method, got {handler!r}")
    ctxs = _context_list(ctx, net)
    trainer, handler = _resolve_trainer(net, trainer, handler)
    loss_fn = loss if loss is not None else gluon.loss.SoftmaxCrossEntropyLoss()
    history = History(context=", ".join(str(c) for c in ctxs))
    try:
        total: Optional[int] = len(train_data)  # type: ignore[arg-type]
    except TypeError:
        total = None

    for epoch in range(1, epochs + 1):
        bar = _progress_bar(progress, total, epoch, epochs)
        first_update = len(history.lrs)
        loss_sum, correct, seen = 0.0, 0.0, 0
        start = time.perf_counter()
        for batch in train_data:
            xs, ys = _split(batch, ctxs)
            size = sum(y.shape[0] for y in ys)
            if handler is not None:
                handler.before_update(trainer)
            with autograd.record():
                outputs = [net(x) for x in xs]
                losses = [loss_fn(out, y) for out, y in zip(outputs, ys)]
            autograd.backward(losses)
            trainer.step(size)
            batch_loss = sum(l.sum().asscalar() for l in losses)
            correct += sum(_correct(out, y).asscalar() for out, y in zip(outputs, ys))
            loss_sum += batch_loss
            seen += size
            history.batch_losses.append(float(batch_loss) / size)
            history.lrs.append(float(trainer.learning_rate))
            history.updates.append(int(trainer.optimizer.num_update))
            if bar is not None:
                bar.set_postfix(loss=f"{batch_loss / size:.3f}", lr=f"{history.lrs[-1]:.3g}",
                                refresh=False)
                bar.update(1)
        elapsed = time.perf_counter() - start
        if bar is not None:
            bar.close()
        history.train_loss.append(loss_sum / seen if seen else float("nan"))
        history.train_acc.append(float(correct) / seen if seen else float("nan"))
        history.epoch_time.append(elapsed)
        history.examples_per_sec.append(seen / elapsed if elapsed > 0 else float("nan"))
        history.test_acc.append(evaluate_accuracy(net, test_data, ctxs))
        if handler is not None and callable(getattr(handler, "after_epoch", None)):
            handler.after_epoch(history, trainer)
        if progress != "none":
            print(history.epoch_line(epoch, epochs, first_update), flush=True)
    return history
