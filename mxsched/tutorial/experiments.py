"""Repeated runs and compact result tables for the tutorial notebooks.

A lesson about schedules is only worth telling when the effect is larger than the
spread between seeds, so the notebooks train every configuration with several seeds
(:func:`run_seeds`) and print one line per configuration with the mean and the range of
each measure (:func:`summarize`), instead of per-epoch logs.
"""
from __future__ import annotations

import math
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from ..checks import check_callable, check_int, check_real
from .models import lenet
from .training import History, set_seed, train

__all__ = ["run_seeds", "summarize", "first_epoch_reaching", "diverged", "MEASURES"]


def first_epoch_reaching(history: History, accuracy: float) -> Optional[int]:
    """The first epoch (1-based) after which the test accuracy was ``>= accuracy``.

    Parameters
    ----------
    history : History
    accuracy : float
        The target, in ``[0, 1]``.

    Returns
    -------
    int or None
        None when the run never reached it.

    Examples
    --------
    >>> h = History(test_acc=[0.5, 0.8, 0.97, 0.96])
    >>> first_epoch_reaching(h, 0.95), first_epoch_reaching(h, 0.99)
    (3, None)
    """
    accuracy = check_real("accuracy", accuracy)
    return next((e for e, a in enumerate(history.test_acc, 1) if a >= accuracy), None)


def diverged(history: History, chance_loss: float = math.log(10)) -> bool:
    """Whether a run failed: a non-finite loss, or a last-epoch training loss close to
    that of guessing (``>= 0.9 * chance_loss``; ``chance_loss`` is ln 10 for ten
    classes; a network stuck at chance ends at ``chance_loss`` give or take a little).

    Examples
    --------
    >>> diverged(History(train_loss=[2.0, float("nan")])), diverged(History(train_loss=[0.1]))
    (True, False)
    >>> diverged(History(train_loss=[2.3025])), diverged(History(train_loss=[1.5]))
    (True, False)
    """
    losses = np.asarray(history.train_loss + history.batch_losses, dtype=np.float64)
    return bool(not np.all(np.isfinite(losses)) or history.train_loss[-1] >= 0.9 * chance_loss)


def _updates_to(history: History, accuracy: float) -> float:
    epoch = first_epoch_reaching(history, accuracy)
    if epoch is None:
        return math.nan
    per_epoch = len(history.lrs) // max(history.epochs, 1)
    return float(epoch * per_epoch)


#: measure name -> function of a History; the notebooks pick among these.
MEASURES: Dict[str, Callable[[History], float]] = {
    "final train loss": lambda h: h.train_loss[-1],
    "final test loss": lambda h: h.test_loss[-1],
    "lowest test loss": lambda h: float(np.nanmin(h.test_loss)),
    "final test acc": lambda h: h.test_acc[-1],
    "best test acc": lambda h: max(h.test_acc),
    "train-test acc gap": lambda h: h.train_acc[-1] - h.test_acc[-1],
    "failed": lambda h: float(diverged(h)),
}


def run_seeds(schedules: Dict[str, Any], seeds: Sequence[int], train_data: Iterable,
              test_data: Iterable, epochs: int, *, net_fn: Callable[[], Any] = lenet,
              optimizer: str = "sgd", optimizer_params: Optional[dict] = None,
              handler_fn: Optional[Callable[[Any], Any]] = None, ctx: Any = None,
              verbose: bool = True) -> Dict[Tuple[str, int], History]:
    """Train a fresh network for every ``(name, seed)``; return the histories.

    Every run starts from ``set_seed(seed)`` and a new ``net_fn()`` initialised with
    Xavier, so runs with the same seed start from the same weights and see the data in
    the same order: they differ only in their schedule.

    Parameters
    ----------
    schedules : dict of str to schedule or float
        Name -> learning-rate schedule (or a constant rate). A callable with no
        ``base_lr`` runs as ``HyperparamHandler('lr', ...)``.
    seeds : sequence of int
        One run per seed and schedule.
    train_data, test_data : iterable of (X, y)
        The loaders (:func:`mxsched.tutorial.load_data`).
    epochs : int
        Passes over ``train_data``.
    net_fn : callable, default :func:`mxsched.tutorial.lenet`
        Builds an uninitialised network.
    optimizer : str, default 'sgd'
    optimizer_params : dict, optional
        E.g. ``{"momentum": 0.9}``.
    handler_fn : callable, optional
        ``handler_fn(schedule)`` returns a handler for :func:`train` (e.g. a momentum
        handler); None for none.
    ctx : mxnet.Context, optional
        Where to train; default the GPU when there is one.
    verbose : bool, default True
        Print one line per schedule (its runs' time), not per epoch.

    Returns
    -------
    dict of (str, int) to History

    Examples
    --------
    >>> from mxsched import CosineAnnealing
    >>> from mxsched.tutorial import load_data
    >>> tr, te, _ = load_data(128, "digits", quick=True, verbose=False)
    >>> runs = run_seeds({"cosine": CosineAnnealing(0.0, 0.1, 16)}, [0, 1], tr, te, epochs=2,
    ...                  verbose=False)
    >>> sorted(runs), runs["cosine", 0].updates[-1]
    ([('cosine', 0), ('cosine', 1)], 16)
    """
    import mxnet as mx

    from ..gluon.trainer import default_context, make_trainer

    epochs = check_int("epochs", epochs)
    seeds = [check_int(f"seeds[{i}]", s, minimum=0) for i, s in enumerate(seeds)]
    check_callable("net_fn", net_fn)
    ctx = default_context() if ctx is None else ctx
    params = dict(optimizer_params or {})
    out: Dict[Tuple[str, int], History] = {}
    for name, schedule in schedules.items():
        start = time.perf_counter()
        for seed in seeds:
            set_seed(seed)
            net = net_fn()
            net.initialize(mx.init.Xavier(), ctx=ctx)
            handler = handler_fn(schedule) if handler_fn is not None else None
            if isinstance(schedule, (int, float)):
                trainer = make_trainer(net, optimizer, learning_rate=schedule, **params)
            elif hasattr(schedule, "base_lr"):
                trainer = make_trainer(net, optimizer, lr_scheduler=schedule, **params)
            else:
                trainer = (optimizer, schedule)
            out[name, seed] = train(net, train_data, test_data, trainer, epochs, ctx,
                                    handler=handler, progress="none")
        if verbose:
            print(f"{name}: {len(seeds)} runs, {time.perf_counter() - start:.0f} s", flush=True)
    return out


def summarize(histories: Dict[Tuple[str, int], History], measures: Sequence[str],
              target_accuracy: Optional[float] = None, digits: int = 3) -> str:
    """One line per configuration: the mean and ``[min, max]`` over seeds of each measure.

    Parameters
    ----------
    histories : dict of (str, int) to History
        As :func:`run_seeds` returns.
    measures : sequence of str or (str, callable)
        Names of :data:`MEASURES`, or ``(label, fn)`` pairs for measures of your own
        (``fn(history)`` returns a number).
    target_accuracy : float, optional
        Also report the updates needed to reach this test accuracy (after an epoch),
        over the seeds that reached it, and how many did.
    digits : int, default 3
        Decimals shown.

    Returns
    -------
    str
        A fixed-width table.

    Examples
    --------
    >>> h1 = History(train_loss=[0.5, 0.2], test_acc=[0.8, 0.9], train_acc=[0.8, 0.95],
    ...              test_loss=[0.6, 0.4], lrs=[0.1] * 4)
    >>> h2 = History(train_loss=[0.4, 0.1], test_acc=[0.85, 0.93], train_acc=[0.9, 1.0],
    ...              test_loss=[0.5, 0.3], lrs=[0.1] * 4)
    >>> print(summarize({("a", 0): h1, ("a", 1): h2}, ["final test acc"], target_accuracy=0.9))
    run  final test acc        updates to 0.9
    a    0.915 [0.900, 0.930]  4 [4, 4] (2/2)
    >>> print(summarize({("a", 0): h1, ("a", 1): h2},
    ...                 [("first train loss", lambda h: h.train_loss[0])]))
    run  first train loss
    a    0.450 [0.400, 0.500]
    """
    names = list(dict.fromkeys(name for name, _ in histories))
    columns = []  # (label, fn, is a count)
    for i, m in enumerate(measures):
        if isinstance(m, str):
            if m not in MEASURES:
                raise ValueError(f"measures must name entries of MEASURES "
                                 f"({', '.join(MEASURES)}), got {m!r}")
            columns.append((m, MEASURES[m], m == "failed"))
        elif (isinstance(m, tuple) and len(m) == 2 and isinstance(m[0], str)
              and callable(m[1])):
            columns.append((m[0], m[1], False))
        else:
            raise TypeError(f"measures[{i}] must be a name of MEASURES or a (label, fn) "
                            f"pair, got {m!r}")
    header = ["run"] + [label for label, _, _ in columns]
    if target_accuracy is not None:
        header.append(f"updates to {target_accuracy:g}")
    rows = []
    for name in names:
        hs = [h for (n, _), h in histories.items() if n == name]
        row = [name]
        for _, fn, count in columns:
            v = np.array([fn(h) for h in hs], dtype=np.float64)
            row.append(_mean_range(v, digits, count=count))
        if target_accuracy is not None:
            v = np.array([_updates_to(h, target_accuracy) for h in hs])
            done = v[np.isfinite(v)]
            text = _mean_range(done, 0) if len(done) else "-"
            row.append(f"{text} ({len(done)}/{len(v)})")
        rows.append(row)
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
             for r in [header] + rows]
    return "\n".join(lines)


def _mean_range(v: np.ndarray, digits: int, count: bool = False) -> str:
    if count:
        return f"{int(v.sum())}/{len(v)}"
    if not len(v):
        return "-"
    if not np.all(np.isfinite(v)):
        return "nan"
    fmt = f"{{:.{digits}f}}"
    return f"{fmt.format(v.mean())} [{fmt.format(v.min())}, {fmt.format(v.max())}]"
