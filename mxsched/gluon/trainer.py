"""A Trainer for a schedule, and the devices a network lives on.

:func:`make_trainer` builds a ``gluon.Trainer`` whose ``lr_scheduler`` is used as
given (MXNet would overwrite its peak with an optimizer's default learning rate).
:func:`default_context`, :func:`context_list` and :func:`split_batch` put a training
loop on the device(s) a network's parameters live on, a GPU when there is one.
Nothing assumes a CPU: every batch is moved with ``as_in_context``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Tuple, Union

from ..checks import check_lr, check_str

if TYPE_CHECKING:  # pragma: no cover
    import mxnet as mx
    from mxnet import gluon

__all__ = ["make_trainer", "default_context", "context_list", "split_batch"]

Contexts = Union["mx.Context", Sequence["mx.Context"]]


def default_context() -> "mx.Context":
    """The first GPU when MXNet sees one, else the CPU.

    Returns
    -------
    mxnet.Context
        ``mx.gpu(0)`` if ``mx.context.num_gpus() > 0``, else ``mx.cpu()``.
        Creating the context allocates nothing on the device.

    Examples
    --------
    >>> import mxnet as mx
    >>> default_context() == (mx.gpu(0) if mx.context.num_gpus() else mx.cpu())
    True
    """
    import mxnet as mx

    return mx.gpu(0) if mx.context.num_gpus() > 0 else mx.cpu()


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
        refused: drive it with ``HyperparamHandler('lr', fn)`` instead.
    **optimizer_params
        Further optimizer arguments, e.g. ``momentum=0.9, wd=1e-4``.

    Returns
    -------
    gluon.Trainer

    Examples
    --------
    >>> from mxnet import gluon
    >>> from mxsched import CosineAnnealing
    >>> net = gluon.nn.Dense(1); net.initialize()
    >>> trainer = make_trainer(net, "adam", lr_scheduler=CosineAnnealing(0.0, 0.05, 100))
    >>> trainer.optimizer.lr_scheduler.base_lr    # not Adam's default 0.001
    0.05
    """
    from mxnet import gluon

    check_str("optimizer", optimizer)
    if lr_scheduler is not None and not _is_lr_scheduler(lr_scheduler):
        raise TypeError("lr_scheduler must be an mxnet.lr_scheduler.LRScheduler (use "
                        f"HyperparamHandler('lr', fn) for a plain callable), got "
                        f"{lr_scheduler!r}")
    if learning_rate is not None:
        optimizer_params["learning_rate"] = check_lr("learning_rate", learning_rate)
    if lr_scheduler is not None:
        optimizer_params["lr_scheduler"] = lr_scheduler
        # Adam, RMSProp, NAdam, ... pass their own default learning_rate (e.g. 0.001) to
        # MXNet, which would then overwrite lr_scheduler.base_lr with it: pass the
        # scheduler's own value instead, so that the schedule is used as given.
        optimizer_params.setdefault("learning_rate", lr_scheduler.base_lr)
    return gluon.Trainer(net.collect_params(), optimizer, optimizer_params)


def context_list(ctx: Optional[Contexts], net: "gluon.Block") -> List["mx.Context"]:
    """The devices to run ``net`` on: ``ctx`` as a non-empty list, checked.

    Parameters
    ----------
    ctx : mxnet.Context, list of Context, or None
        None means where ``net``'s parameters live (the first of them); for a network
        without parameters, :func:`default_context`.
    net : gluon.Block
        An initialised network.

    Returns
    -------
    list of mxnet.Context

    Raises
    ------
    TypeError
        If ``ctx`` is not a Context or a list of them.
    ValueError
        If ``net`` is not initialised, or ``ctx`` is not where its parameters are.

    Examples
    --------
    >>> import mxnet as mx
    >>> from mxnet import gluon
    >>> net = gluon.nn.Dense(1); net.initialize(ctx=mx.cpu())
    >>> context_list(None, net)
    [cpu(0)]
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


def split_batch(batch: Any, ctxs: List["mx.Context"]) -> Tuple[list, list]:
    """A batch ``(X, y)`` as per-device lists of ``X`` and ``y``.

    Parameters
    ----------
    batch : (NDArray, NDArray)
        Data and labels, on any device.
    ctxs : list of mxnet.Context
        Where to put them: the whole batch on the one device, or split along the first
        axis over several (``gluon.utils.split_and_load``, uneven splits allowed).

    Returns
    -------
    (list of NDArray, list of NDArray)

    Examples
    --------
    >>> import mxnet as mx
    >>> xs, ys = split_batch((mx.nd.ones((4, 2)), mx.nd.zeros(4)), [mx.cpu(0), mx.cpu(1)])
    >>> [x.shape for x in xs], [y.context for y in ys]
    ([(2, 2), (2, 2)], [cpu(0), cpu(1)])
    """
    from mxnet import gluon

    data, label = batch[0], batch[1]
    if len(ctxs) == 1:
        return [data.as_in_context(ctxs[0])], [label.as_in_context(ctxs[0])]
    return (gluon.utils.split_and_load(data, ctxs, even_split=False),
            gluon.utils.split_and_load(label, ctxs, even_split=False))
