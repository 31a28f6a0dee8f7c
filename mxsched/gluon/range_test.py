"""The learning-rate range test (Smith 2015; fastai's ``lr_find``) for Gluon.

Train for ``num_iter`` batches while the learning rate grows from ``start_lr`` to
``finish_lr``, record the loss, and read a good learning rate off the curve: the loss
falls fastest somewhat below the rate at which training becomes unstable. The model
and the trainer are put back exactly as they were afterwards, from copies held in
memory (no file is written).

::

    exp:     lr_i = start_lr * (finish_lr / start_lr) ** (i / (num_iter - 1))
    linear:  lr_i = start_lr + (finish_lr - start_lr) * i / (num_iter - 1)
             for i = 0 .. num_iter - 1 (batch i + 1 trains with lr_i)

    smoothed_i = avg_i / (1 - beta ** (i + 1)),  avg_i = beta * avg_{i-1} + (1 - beta) * loss_i

The sweep ends exactly at ``finish_lr`` (fastai's ``LRFinder`` stops one step short:
its ``lr_i`` uses ``i / num_iter``). The smoothing is fastai's ``AvgSmoothLoss``
(an exponential moving average with bias correction, ``beta=0.98``), and the test
stops once the smoothed loss exceeds ``diverge_th`` (4, as fastai) times the best
smoothed loss so far, or the loss is not finite.

The three suggestions are fastai's (``fastai.callback.schedule``), computed on the
smoothed losses with the first ``num_iter // 10`` and last 5 points left out (as
``Learner.lr_find`` does):

* ``steep``: the learning rate where the loss falls fastest per unit of
  ``log(lr)`` -- the left end of the steepest segment;
* ``minimum``: a tenth of the learning rate with the lowest loss;
* ``valley``: along the longest strictly decreasing run of the curve, the point about
  half-way down (fastai's default suggestion since 2021).

References
----------
Smith, "Cyclical Learning Rates for Training Neural Networks" (2015; WACV 2017),
section 3.3; Smith & Topin, "Super-Convergence: Very Fast Training of Neural Networks
Using Large Learning Rates" (2017); Howard & Gugger, "fastai: A Layered API for Deep
Learning" (2020).
"""
from __future__ import annotations

import copy
import math
import numbers
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, NamedTuple, Optional, Sequence

import numpy as np

from ..checks import check_bool, check_choice, check_int, check_positive, check_real
from .trainer import context_list, split_batch

if TYPE_CHECKING:  # pragma: no cover
    from mxnet import gluon

__all__ = ["Suggestion", "RangeTestResult", "lr_range_test", "sweep", "smooth_losses",
           "steep", "minimum", "valley"]

_MODES = ("exp", "linear")


# --------------------------------------------------------------------------- the sweep


def sweep(start_lr: float, finish_lr: float, num_iter: int, mode: str = "exp") -> np.ndarray:
    """The learning rates of a range test, batch by batch.

    Parameters
    ----------
    start_lr, finish_lr : float
        First and last learning rate, ``0 < start_lr < finish_lr``.
    num_iter : int
        Number of batches, ``>= 2``.
    mode : {'exp', 'linear'}
        Geometric (equal ratios) or arithmetic (equal steps) spacing.

    Returns
    -------
    numpy.ndarray
        ``num_iter`` float64 values from ``start_lr`` to ``finish_lr`` inclusive.

    Examples
    --------
    >>> sweep(1e-4, 1.0, 5).round(6).tolist()
    [0.0001, 0.001, 0.01, 0.1, 1.0]
    >>> sweep(0.1, 0.5, 5, mode='linear').round(6).tolist()
    [0.1, 0.2, 0.3, 0.4, 0.5]
    """
    start_lr = check_positive("start_lr", start_lr)
    finish_lr = check_positive("finish_lr", finish_lr)
    if not finish_lr > start_lr:
        raise ValueError(f"finish_lr must be greater than start_lr ({start_lr!r}), got {finish_lr!r}")
    num_iter = check_int("num_iter", num_iter, minimum=2)
    mode = check_choice("mode", mode, _MODES)
    frac = np.arange(num_iter, dtype=np.float64) / (num_iter - 1)
    if mode == "exp":
        lrs = start_lr * (finish_lr / start_lr) ** frac
    else:
        lrs = start_lr + (finish_lr - start_lr) * frac
    lrs[0], lrs[-1] = start_lr, finish_lr
    return lrs


def smooth_losses(losses: Sequence[float], beta: float = 0.98) -> np.ndarray:
    """Exponential moving average with bias correction (fastai's ``AvgSmoothLoss``).

    ``avg_i = beta * avg_{i-1} + (1 - beta) * loss_i`` from ``avg_{-1} = 0``, and
    ``smoothed_i = avg_i / (1 - beta ** (i + 1))``; ``beta = 0`` returns the losses.

    >>> smooth_losses([1.0, 2.0], beta=0.5).tolist()
    [1.0, 1.6666666666666667]
    """
    beta = _check_beta(beta)
    out = np.empty(len(losses), dtype=np.float64)
    avg = 0.0
    for i, loss in enumerate(losses):
        avg = beta * avg + (1.0 - beta) * float(loss)
        out[i] = avg / (1.0 - beta ** (i + 1))
    return out


def _check_beta(beta: Any) -> float:
    beta = check_real("beta", beta)
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be a number in [0, 1), got {beta!r}")
    return beta


# --------------------------------------------------------------------------- suggestions


class Suggestion(NamedTuple):
    """A suggested learning rate and the point of the curve it was read from.

    ``lr`` is the suggestion; ``index`` and ``loss`` locate the point of the curve the
    rule picked (for ``minimum`` that is the minimum itself, whose learning rate is
    ten times ``lr``).
    """

    lr: float
    index: int
    loss: float


def _curve(lrs: Sequence[float], losses: Sequence[float]):
    lrs = np.asarray(lrs, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    if lrs.shape != losses.shape or lrs.ndim != 1:
        raise ValueError(f"lrs and losses must be 1-D and of equal length, got shapes "
                         f"{lrs.shape} and {losses.shape}")
    if len(lrs) < 2:
        raise ValueError(f"lrs must hold at least 2 points, got {len(lrs)}")
    if not (np.all(np.isfinite(lrs)) and np.all(lrs > 0)):
        raise ValueError("lrs must be finite and > 0")
    return lrs, losses


def steep(lrs: Sequence[float], losses: Sequence[float]) -> Suggestion:
    """The learning rate where the loss falls fastest per unit of ``log(lr)``.

    fastai's rule: ``g_i = (loss_{i+1} - loss_i) / (log lr_{i+1} - log lr_i)``; the
    suggestion is ``lr_i`` at the most negative ``g_i`` (the left end of the steepest
    segment).

    >>> steep([1e-3, 1e-2, 1e-1, 1.0], [2.0, 1.9, 1.0, 3.0])
    Suggestion(lr=0.01, index=1, loss=1.9)
    """
    lrs, losses = _curve(lrs, losses)
    grads = np.diff(losses) / np.diff(np.log(lrs))
    i = int(np.argmin(grads))
    return Suggestion(float(lrs[i]), i, float(losses[i]))


def minimum(lrs: Sequence[float], losses: Sequence[float]) -> Suggestion:
    """A tenth of the learning rate with the lowest loss (fastai's ``minimum``).

    >>> minimum([1e-3, 1e-2, 1e-1, 1.0], [2.0, 1.9, 1.0, 3.0])
    Suggestion(lr=0.01, index=2, loss=1.0)
    """
    lrs, losses = _curve(lrs, losses)
    i = int(np.argmin(losses))
    return Suggestion(float(lrs[i]) / 10.0, i, float(losses[i]))


def valley(lrs: Sequence[float], losses: Sequence[float]) -> Suggestion:
    """The point about half-way down the longest valley (fastai's ``valley``).

    fastai's rule, index for index: ``lds[i]`` is the length of the longest strictly
    decreasing subsequence of the losses ending at ``i``; the valley ends at the first
    ``i`` with the largest ``lds`` and "starts" at ``end - lds`` (the value ``lds`` had
    when ``i`` first became the longest, as fastai's loop computes it); the suggestion
    is the point ``start + int(s) + int(s / 2)`` with ``s = (end - start) / 3``, i.e.
    about half-way along the valley. For a curve that is flat up to index ``a`` and
    then falls strictly to a minimum at ``b``, the start is ``a - 1`` and the end ``b``.

    >>> lrs = [10.0 ** k for k in range(-6, 3)]
    >>> valley(lrs, [2.0, 2.0, 2.0, 1.8, 1.5, 1.2, 1.0, 0.9, 3.0])  # start 1, end 7
    Suggestion(lr=0.01, index=4, loss=1.5)
    """
    lrs, losses = _curve(lrs, losses)
    n = len(losses)
    lds = [1] * n
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return Suggestion(float(lrs[idx]), idx, float(losses[idx]))


_RULES = {"valley": valley, "steep": steep, "minimum": minimum}


# --------------------------------------------------------------------------- result


@dataclass
class RangeTestResult:
    """What :func:`lr_range_test` measured.

    Attributes
    ----------
    lrs, losses, smoothed : numpy.ndarray
        Per batch trained: the learning rate, the mean training loss of the batch, and
        the smoothed loss. Shorter than ``num_iter`` when the test stopped early.
    num_iter, start_lr, finish_lr, mode, beta, diverge_th
        The test's settings.
    diverged : bool
        Whether the test stopped because the loss diverged.
    stop_reason : str
        Why the test stopped, in words.
    best_loss : float
        The lowest smoothed loss.
    seconds : float
        Wall time of the sweep (restoring excluded).
    skip_start, skip_end : int
        Points left out at either end when suggesting (fastai: ``num_iter // 10``, 5).

    Examples
    --------
    See :func:`lr_range_test`, which returns one; ``result.summary()`` prints it and
    ``result.plot()`` draws the curve with the suggestions marked.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    num_iter: int
    start_lr: float
    finish_lr: float
    mode: str
    beta: float
    diverge_th: Optional[float]
    diverged: bool
    stop_reason: str
    best_loss: float
    seconds: float
    skip_start: int
    skip_end: int
    _cache: Dict[str, Optional[Suggestion]] = field(default_factory=dict, repr=False,
                                                     compare=False)

    def _window(self):
        """Indices ``[lo, hi)`` the suggestions look at (non-finite tail cut)."""
        lo = self.skip_start
        hi = len(self.smoothed) - self.skip_end
        bad = np.flatnonzero(~np.isfinite(self.smoothed[lo:max(lo, hi)]))
        if bad.size:
            hi = lo + int(bad[0])
        return lo, hi

    @property
    def suggestions(self) -> Dict[str, Optional[Suggestion]]:
        """``{'valley', 'steep', 'minimum'}`` -> :class:`Suggestion` (indices into
        :attr:`lrs`), or None each when fewer than 2 points are left to judge."""
        if not self._cache:
            lo, hi = self._window()
            for name, rule in _RULES.items():
                if hi - lo < 2:
                    self._cache[name] = None
                    continue
                s = rule(self.lrs[lo:hi], self.smoothed[lo:hi])
                self._cache[name] = Suggestion(s.lr, s.index + lo, s.loss)
        return dict(self._cache)

    def _lr(self, name: str) -> Optional[float]:
        s = self.suggestions[name]
        return None if s is None else s.lr

    @property
    def valley(self) -> Optional[float]:
        """fastai's ``valley`` suggestion (None if the curve is too short)."""
        return self._lr("valley")

    @property
    def steep(self) -> Optional[float]:
        """fastai's ``steep`` suggestion: the steepest descent."""
        return self._lr("steep")

    @property
    def minimum(self) -> Optional[float]:
        """fastai's ``minimum`` suggestion: a tenth of the lowest-loss learning rate."""
        return self._lr("minimum")

    def summary(self) -> str:
        """A few lines: batches run, why it stopped, the suggestions."""
        lines = [f"LR range test: {len(self.lrs)}/{self.num_iter} batches, lr "
                 f"{self.start_lr:.3g} -> {self.lrs[-1]:.3g} ({self.mode}), "
                 f"{self.seconds:.1f} s; {self.stop_reason}",
                 f"  best smoothed loss {self.best_loss:.4f}"]
        for name, s in self.suggestions.items():
            text = "-" if s is None else f"{s.lr:.3g}"
            lines.append(f"  {name:<8} {text}")
        return "\n".join(lines)

    def plot(self, ax: Any = None, *, show_raw: bool = True, show_suggestions: bool = True,
             skip_end: Optional[int] = None, mark: Optional[float] = None, figsize=(7, 3),
             dpi: int = 100) -> Any:
        """Loss against learning rate (log axis) with the suggestions marked.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure of ``figsize`` / ``dpi`` otherwise.
        show_raw : bool
            Also draw every raw batch loss; the loss axis is then logarithmic and
            nothing is clipped, so the spikes stay visible. Without it, the axis is
            linear and zoomed on the smoothed curve (as fastai's plot).
        show_suggestions : bool
            Mark each suggestion with a dashed vertical line.
        skip_end : int, optional
            Points left out at the end (default :attr:`skip_end`, as fastai's plot).
        mark : float, optional
            The learning rate you chose: a solid vertical line labelled with it.

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

        if mark is not None:
            mark = check_positive("mark", mark)
        if ax is None:
            _, ax = plt.subplots(figsize=figsize, dpi=dpi)
        skip = self.skip_end if skip_end is None else check_int("skip_end", skip_end, 0)
        end = max(len(self.lrs) - skip, min(len(self.lrs), 2))
        lrs = self.lrs[:end]
        if show_raw:
            ax.plot(lrs, self.losses[:end], color="0.6", lw=0.8, label="batch loss")
        ax.plot(lrs, self.smoothed[:end], color="C0", label="smoothed loss")
        if show_suggestions:
            for (name, s), color in zip(self.suggestions.items(), ("C1", "C2", "C4")):
                if s is not None:
                    ax.axvline(s.lr, color=color, ls="--", lw=1, label=f"{name} {s.lr:.2g}")
        if mark is not None:
            ax.axvline(mark, color="C3", lw=1.5, label=f"chosen {mark:.2g}")
        if self.mode == "exp":
            ax.set_xscale("log")
        finite = self.smoothed[:end][np.isfinite(self.smoothed[:end])]
        if show_raw:
            ax.set_yscale("log")
        elif finite.size:
            low, high = finite.min(), finite.max()
            ax.set_ylim(low - 0.05 * (high - low + 1e-12),
                        min(high, 1.5 * finite[0]) + 0.1 * (high - low + 1e-12))
        ax.set_xlabel("learning rate")
        ax.set_ylabel("training loss")
        ax.legend(fontsize="small")
        return ax


# --------------------------------------------------------------------------- snapshot


def _copy_state(state: Any) -> Any:
    """A deep copy of an optimizer state (NDArrays copied on their own device)."""
    from mxnet import nd  # pylint: disable=import-outside-toplevel

    if isinstance(state, nd.NDArray):
        return state.copy()
    if isinstance(state, (tuple, list)):
        return type(state)(_copy_state(s) for s in state)
    return copy.deepcopy(state)


_BY_REFERENCE = ("param_dict", "lr_scheduler")


class _Snapshot:
    """In-memory copy of a network's parameters and a trainer's optimizer and states."""

    def __init__(self, net: Any, trainer: Any) -> None:
        params = {id(p): p for p in net.collect_params().values()}
        params.update({id(p): p for p in trainer._params})  # pylint: disable=protected-access
        self.params = []
        for param in params.values():
            grads = ([g.copy() for g in param.list_grad()] if param.grad_req != "null"
                     else None)
            self.params.append((param, [d.copy() for d in param.list_data()], grads))
        self.optimizer = trainer.optimizer
        # everything by value, except the parameters and the user's lr_scheduler object
        # (the test sets it aside and never calls it), which are kept by reference
        self.optimizer_state = copy.deepcopy(
            {k: v for k, v in self.optimizer.__dict__.items() if k not in _BY_REFERENCE})
        self.optimizer_refs = {k: v for k, v in self.optimizer.__dict__.items()
                               if k in _BY_REFERENCE}
        self.updaters = [(u, {k: _copy_state(s) for k, s in u.states.items()},
                          dict(u.states_synced))
                         for u in trainer._updaters]  # pylint: disable=protected-access

    def restore(self) -> None:
        from mxnet import nd  # pylint: disable=import-outside-toplevel

        for param, data, grads in self.params:
            for target, saved in zip(param.list_data(), data):
                saved.copyto(target)
            if grads is not None:
                for target, saved in zip(param.list_grad(), grads):
                    saved.copyto(target)
        opt = self.optimizer
        for key in [k for k in opt.__dict__ if k != "param_dict"]:
            del opt.__dict__[key]
        opt.__dict__.update(self.optimizer_state)
        opt.__dict__.update(self.optimizer_refs)
        for updater, states, synced in self.updaters:
            updater.states = states
            updater.states_synced = synced
        nd.waitall()


def _prepare_trainer(net: Any, trainer: Any, first_batch: Any, ctxs: list) -> None:
    """Finish deferred initialisation and refuse trainers whose state is not local."""
    from mxnet import autograd  # pylint: disable=import-outside-toplevel

    if any(p._deferred_init for p in net.collect_params().values()):  # pylint: disable=protected-access
        xs, _ = split_batch(first_batch, ctxs)
        with autograd.predict_mode():
            net(xs[0])
    # pylint: disable=protected-access
    if not trainer._kv_initialized:
        trainer._init_kvstore()
    if trainer._update_on_kvstore:
        raise ValueError("trainer must update its parameters locally for lr_range_test to "
                         "restore them (the kvstore holds its own copy of the weights and "
                         "optimizer states): create the Trainer with update_on_kvstore=False, "
                         f"got update_on_kvstore={trainer._update_on_kvstore!r}")


# --------------------------------------------------------------------------- the test


def _batches(data: Iterable) -> Iterable:
    """The batches of ``data``, starting over at its end (an empty pass is an error)."""
    while True:
        seen = 0
        for batch in data:
            seen += 1
            yield batch
        if seen == 0:
            raise ValueError("train_data must yield at least one batch, got an empty pass")


def lr_range_test(net: "gluon.Block", train_data: Iterable, trainer: "gluon.Trainer", *,
                  start_lr: float = 1e-7, finish_lr: float = 10.0, num_iter: int = 100,
                  mode: str = "exp", beta: float = 0.98, diverge_th: Optional[float] = 4.0,
                  ctx: Any = None, loss: Any = None, skip_start: Optional[int] = None,
                  skip_end: int = 5, restore: bool = True) -> RangeTestResult:
    """Run an LR range test and put the model and the trainer back afterwards.

    Batch ``i + 1`` trains with ``lr_i`` of :func:`sweep`; the loss is recorded and
    smoothed (see the module docstring for the formulas). The test stops after
    ``num_iter`` batches (passing over ``train_data`` again if needed), when the
    smoothed loss exceeds ``diverge_th`` times its best value, or when the loss is not
    finite.

    Afterwards (also when an error interrupts the test) every parameter of ``net`` and
    of the trainer -- weights, BatchNorm running statistics, gradients -- is copied
    back, and so are the optimizer (update count, learning rate, ``lr_scheduler``,
    ``rescale_grad``, ...) and its states (momentum, Adam moments). The copies are
    held in memory, on the parameters' own devices: nothing is written to disk.
    Global random generators are not restored (the test draws data order and
    dropout masks): call :func:`mxsched.set_seed` again for a repeatable run.

    Parameters
    ----------
    net : gluon.Block
        An initialised network (deferred shapes are completed with one forward pass).
    train_data : iterable of (X, y)
        E.g. ``load_data(...).train``; batches are moved to ``ctx`` with
        ``as_in_context`` (split across devices for a list of contexts).
    trainer : gluon.Trainer
        The trainer to test, with its optimizer settings (momentum, weight decay, ...).
        Its ``lr_scheduler``, if any, is set aside during the test and restored. It must
        update locally (``update_on_kvstore`` False or None: one device, or
        ``update_on_kvstore=False``).
    start_lr, finish_lr : float
        The sweep's first and last learning rate, ``0 < start_lr < finish_lr``.
    num_iter : int
        Batches in the sweep, ``>= 2``.
    mode : {'exp', 'linear'}
        Spacing of the learning rates (Smith 2015 used linear, fastai exponential).
    beta : float
        Smoothing, in ``[0, 1)``.
    diverge_th : float or None
        Stop once the smoothed loss exceeds ``diverge_th`` times the best smoothed loss
        (``> 1``); None: run all ``num_iter`` batches unless the loss is not finite. The
        rule assumes a positive loss.
    ctx : mxnet.Context or list of Context, optional
        Default: where ``net``'s parameters are.
    loss : gluon.loss.Loss, optional
        Default :class:`gluon.loss.SoftmaxCrossEntropyLoss`.
    skip_start, skip_end : int, optional
        Points left out at either end for the suggestions; default ``num_iter // 10``
        and 5, as fastai's ``lr_find``.
    restore : bool
        Put the model and trainer back (default). False leaves them as trained.

    Returns
    -------
    RangeTestResult
        Learning rates, raw and smoothed losses, the suggestions
        (``result.valley``, ``result.steep``, ``result.minimum``) and ``result.plot()``.

    Raises
    ------
    ValueError
        For a bad argument (naming it and its value) or a trainer that updates on a
        kvstore.

    Examples
    --------
    A tiny regression on random data (any data loader works):

    >>> import mxnet as mx
    >>> from mxnet import gluon
    >>> mx.random.seed(0)
    >>> X, y = mx.nd.random.normal(shape=(256, 8)), mx.nd.random.normal(shape=(256, 1))
    >>> data = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), batch_size=32)
    >>> net = gluon.nn.Dense(1, in_units=8); net.initialize()
    >>> trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    >>> before = net.weight.data().copy()
    >>> result = lr_range_test(net, data, trainer, start_lr=1e-4, finish_lr=1.0, num_iter=20,
    ...                        loss=gluon.loss.L2Loss())
    >>> len(result.lrs) <= 20, result.lrs[0], bool((net.weight.data() == before).min())
    (True, 0.0001, True)
    """
    from mxnet import autograd, gluon  # pylint: disable=import-outside-toplevel

    lrs_planned = sweep(start_lr, finish_lr, num_iter, mode)
    beta = _check_beta(beta)
    if diverge_th is not None:
        diverge_th = check_real("diverge_th", diverge_th)
        if diverge_th <= 1:
            raise ValueError(f"diverge_th must be a finite number > 1 or None, "
                             f"got {diverge_th!r}")
    skip_start = num_iter // 10 if skip_start is None else check_int("skip_start",
                                                                      skip_start, 0)
    skip_end = check_int("skip_end", skip_end, 0)
    restore = check_bool("restore", restore)
    if not isinstance(trainer, gluon.Trainer):
        raise TypeError(f"trainer must be a gluon.Trainer, got {trainer!r}")
    ctxs = context_list(ctx, net)
    loss_fn = loss if loss is not None else gluon.loss.SoftmaxCrossEntropyLoss()

    batches = iter(_batches(train_data))
    first = next(batches)
    _prepare_trainer(net, trainer, first, ctxs)
    snapshot = _Snapshot(net, trainer) if restore else None
    optimizer = trainer.optimizer
    lr_scheduler = optimizer.lr_scheduler
    lrs: List[float] = []
    losses: List[float] = []
    smoothed: List[float] = []
    avg, best = 0.0, math.inf
    diverged = False
    reason = f"completed all {num_iter} batches"
    start = time.perf_counter()
    try:
        optimizer.lr_scheduler = None
        batch = first
        for i, lr in enumerate(lrs_planned):
            if i:
                batch = next(batches)
            xs, ys = split_batch(batch, ctxs)
            size = sum(y.shape[0] for y in ys)
            trainer.set_learning_rate(float(lr))
            with autograd.record():
                batch_losses = [loss_fn(net(x), y) for x, y in zip(xs, ys)]
            autograd.backward(batch_losses)
            trainer.step(size)
            raw = sum(float(l.sum().asscalar()) for l in batch_losses) / size
            avg = beta * avg + (1.0 - beta) * raw
            value = avg / (1.0 - beta ** (i + 1))
            lrs.append(float(lr))
            losses.append(raw)
            smoothed.append(value)
            if not (math.isfinite(raw) and math.isfinite(value)):
                diverged = True
                reason = f"stopped at batch {i + 1}: the loss is not finite ({raw!r})"
                break
            best = min(best, value)
            if diverge_th is not None and value > diverge_th * best:
                diverged = True
                reason = (f"stopped at batch {i + 1} (lr {lr:.3g}): smoothed loss "
                          f"{value:.4g} > {diverge_th:g} x best {best:.4g}")
                break
    finally:
        seconds = time.perf_counter() - start
        if snapshot is not None:
            snapshot.restore()
        else:
            optimizer.lr_scheduler = lr_scheduler
    return RangeTestResult(
        lrs=np.asarray(lrs), losses=np.asarray(losses), smoothed=np.asarray(smoothed),
        num_iter=num_iter, start_lr=float(lrs_planned[0]), finish_lr=float(lrs_planned[-1]),
        mode=mode, beta=beta, diverge_th=diverge_th, diverged=diverged, stop_reason=reason,
        best_loss=best, seconds=seconds, skip_start=skip_start, skip_end=skip_end)
