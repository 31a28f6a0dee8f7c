"""The tutorial notebooks' training loop: seeds, a device line, accuracy, ``train``.

What the notebooks need and a library user does not (as d2l keeps its helpers in a
namespace of their own): :func:`train` runs a small, device-agnostic loop that records
loss, accuracy and the learning rate the optimizer applied at every update. A schedule
drives the learning rate in one of two equivalent ways:

* as the optimizer's ``lr_scheduler`` (``gluon.Trainer(..., {'lr_scheduler': s})``):
  MXNet asks ``s(k)`` at update ``k``;
* from the loop, ``HyperparamHandler('lr', s)`` (:mod:`mxsched.gluon`), which calls
  ``trainer.set_learning_rate(s(num_update + 1))`` before every update -- so any
  callable ``t -> lr`` works, even one MXNet cannot hold.

Both give the same learning rate at every update, and :func:`train` records it
(``History.lrs``) by reading ``trainer.learning_rate`` after each step.
"""

from __future__ import annotations

import math
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

from ..checks import check_bool, check_choice, check_int
from ..gluon.hyperparams import HyperparamHandler
from ..gluon.trainer import Contexts, context_list, default_context, make_trainer, split_batch

if TYPE_CHECKING:  # pragma: no cover
    import mxnet as mx
    from mxnet import gluon

__all__ = ["select_context", "set_seed", "History", "evaluate_accuracy", "train"]

_PROGRESS_CHOICES = ("auto", "epoch", "bar", "none")


# --------------------------------------------------------------------------- devices and seeds


def select_context(verbose: bool = True) -> "mx.Context":
    """:func:`default_context`, printing which device the notebook trains on.

    Parameters
    ----------
    verbose : bool
        Print a line such as ``Context: cpu(0) (no GPU found)``.

    Returns
    -------
    mxnet.Context

    Examples
    --------
    >>> import mxnet as mx
    >>> ctx = select_context(verbose=False)
    >>> ctx in (mx.cpu(), mx.gpu(0))
    True
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
    seed = check_int("seed", seed, minimum=0, maximum=2 ** 32 - 1)
    import mxnet as mx

    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)


# --------------------------------------------------------------------------- history


@dataclass
class History:
    """What :func:`train` measured.

    Attributes
    ----------
    train_loss, train_acc, test_acc, test_loss : list of float
        Per epoch: mean training loss and accuracy over the epoch's batches
        (as the weights changed), and test accuracy and mean test loss after the epoch.
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
    test_loss: List[float] = field(default_factory=list)
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

    Examples
    --------
    >>> import mxnet as mx
    >>> from mxnet import gluon
    >>> net = gluon.nn.Dense(2, in_units=2); net.initialize(mx.init.One())
    >>> data = [(mx.nd.array([[1.0, 0.0], [0.0, 1.0]]), mx.nd.array([0, 1]))]
    >>> evaluate_accuracy(net, data)        # equal scores: argmax picks class 0
    0.5
    """
    return _evaluate(net, data, context_list(ctx, net), None)[1]


def _evaluate(net: Any, data: Iterable, ctxs: list, loss_fn: Any) -> Tuple[float, float]:
    """``(mean loss, accuracy)`` over ``data`` (the loss is nan without ``loss_fn``)."""
    correct = loss_sum = 0.0
    seen = 0
    for batch in data:
        xs, ys = split_batch(batch, ctxs)
        outputs = [net(x) for x in xs]
        correct += sum(_correct(out, y).asscalar() for out, y in zip(outputs, ys))
        if loss_fn is not None:
            loss_sum += sum(loss_fn(out, y).sum().asscalar() for out, y in zip(outputs, ys))
        seen += sum(y.shape[0] for y in ys)
    if not seen:
        return float("nan"), 0.0
    return (loss_sum / seen if loss_fn is not None else float("nan")), float(correct) / seen


# --------------------------------------------------------------------------- training


def _resolve_trainer(net: "gluon.Block", trainer: Any,
                     handler: Optional[Any]) -> Tuple[Any, Optional[Any]]:
    """A ``gluon.Trainer`` (and maybe a handler) from :func:`train`'s ``trainer`` argument."""
    from mxnet import gluon
    from mxnet.lr_scheduler import LRScheduler

    if isinstance(trainer, gluon.Trainer):
        return trainer, handler
    if not (isinstance(trainer, tuple) and len(trainer) == 2 and isinstance(trainer[0], str)):
        raise TypeError("trainer must be a gluon.Trainer or a tuple (optimizer_name, "
                        f"learning_rate_or_schedule), got {trainer!r}")
    name, lr = trainer
    if isinstance(lr, LRScheduler):
        return make_trainer(net, name, lr_scheduler=lr), handler
    if callable(lr):
        if handler is not None:
            raise ValueError("handler must be None when trainer gives a plain-callable "
                             f"schedule, got handler={handler!r}")
        return make_trainer(net, name), HyperparamHandler("lr", lr)
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
        An initialised classifier (e.g. :func:`mxsched.tutorial.lenet` after
        ``net.initialize``).
    train_data, test_data : iterable of (X, y)
        E.g. the loaders of :func:`mxsched.tutorial.load_data`.
    trainer : gluon.Trainer or (str, float or schedule)
        A trainer over ``net``'s parameters, or ``(optimizer_name, lr)`` to
        build one with :func:`mxsched.gluon.make_trainer`: a number is a fixed rate, an
        ``LRScheduler`` (any mxsched schedule) becomes the ``lr_scheduler``,
        any other callable is driven by ``HyperparamHandler('lr', ...)``.
    epochs : int
        Passes over ``train_data``.
    ctx : mxnet.Context or list of Context, optional
        Where to train; by default where ``net``'s parameters are.  Each batch
        is moved there with ``as_in_context`` (split across devices for a list).
    loss : gluon.loss.Loss, optional
        Default :class:`gluon.loss.SoftmaxCrossEntropyLoss`.
    handler : object with ``before_update(trainer)``, optional
        E.g. the handlers of :mod:`mxsched.gluon` (``HyperparamHandler``,
        ``MomentumHandler``, ``ReduceLROnPlateau``, ``Handlers``).
        Called as ``handler.before_update(trainer)`` before every update and, if it
        has one, as ``handler.after_epoch(history, trainer)`` after each epoch's
        evaluation (where :class:`mxsched.gluon.ReduceLROnPlateau` decides).
    progress : {'auto', 'epoch', 'bar', 'none'}
        ``'epoch'`` prints one line per epoch; ``'bar'`` also shows a tqdm bar
        on stderr; ``'auto'`` is ``'bar'`` on a terminal and ``'epoch'``
        elsewhere (notebooks); ``'none'`` prints nothing.

    Returns
    -------
    History
        ``History.lrs[i]`` is the learning rate of update ``History.updates[i]``.

    Examples
    --------
    >>> import mxnet as mx
    >>> from mxsched import CosineAnnealing
    >>> from mxsched.tutorial import lenet, load_data, set_seed
    >>> train_iter, test_iter, _ = load_data(128, "digits", quick=True, verbose=False)
    >>> set_seed(0)
    >>> net = lenet(); net.initialize(mx.init.Xavier())
    >>> sched = CosineAnnealing(0.0, 0.1, cycle_length=2 * len(train_iter))
    >>> history = train(net, train_iter, test_iter, ("sgd", sched), epochs=2, progress="none")
    >>> history.updates[:3], history.lrs == [sched(k) for k in history.updates]
    ([1, 2, 3], True)
    """
    from mxnet import autograd, gluon

    epochs = check_int("epochs", epochs)
    check_choice("progress", progress, _PROGRESS_CHOICES)
    if handler is not None and not callable(getattr(handler, "before_update", None)):
        raise TypeError(f"handler must have a before_update(trainer) method, got {handler!r}")
    ctxs = context_list(ctx, net)
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
            xs, ys = split_batch(batch, ctxs)
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
        test_loss, test_acc = _evaluate(net, test_data, ctxs, loss_fn)
        history.test_loss.append(test_loss)
        history.test_acc.append(test_acc)
        if handler is not None and callable(getattr(handler, "after_epoch", None)):
            handler.after_epoch(history, trainer)
        if progress != "none":
            print(history.epoch_line(epoch, epochs, first_update), flush=True)
    return history
