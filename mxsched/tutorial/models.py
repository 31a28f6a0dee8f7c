"""The networks the tutorial notebooks train."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..checks import check_bool, check_int

if TYPE_CHECKING:  # pragma: no cover
    from mxnet import gluon

__all__ = ["lenet"]


def lenet(num_classes: int = 10, hybridize: bool = True,
          batch_norm: bool = False) -> "gluon.nn.HybridSequential":
    """The modern LeNet of d2l's "Learning Rate Scheduling" chapter (uninitialised).

    ::

        Conv2D(6, 5x5, padding 2) + ReLU -> MaxPool(2, 2)
        Conv2D(16, 5x5) + ReLU           -> MaxPool(2, 2)
        Dense(120) + ReLU -> Dense(84) + ReLU -> Dense(num_classes)

    With ``batch_norm=True``, a ``BatchNorm`` sits between each of the first four layers
    and its ReLU, as in d2l's "Batch Normalization" chapter (which uses sigmoids): the
    kind of network (like the ResNets of large-batch training) whose scale-invariant
    layers take very high learning rates.

    Input channels and sizes are inferred at the first batch, so the same
    network takes ``1x28x28`` or ``3x32x32`` images.

    Parameters
    ----------
    num_classes : int
        Width of the output layer.
    hybridize : bool
        Hybridize the network (faster; same results).
    batch_norm : bool, default False
        Normalise the outputs of the convolutions and of the two hidden dense layers.

    Returns
    -------
    mxnet.gluon.nn.HybridSequential
        Call ``net.initialize(mx.init.Xavier(), ctx=ctx)`` before training.

    Examples
    --------
    >>> import mxnet as mx
    >>> net = lenet(); net.initialize(mx.init.Xavier())
    >>> net(mx.nd.zeros((2, 1, 28, 28))).shape
    (2, 10)

    References
    ----------
    LeCun et al., "Gradient-based learning applied to document recognition" (1998);
    Zhang et al., "Dive into Deep Learning", section "Learning Rate Scheduling".
    """
    check_int("num_classes", num_classes)
    check_bool("hybridize", hybridize)
    check_bool("batch_norm", batch_norm)
    from mxnet.gluon import nn

    def layer(make, *args, **kwargs):  # a layer and its ReLU, normalised in between if asked
        if not batch_norm:
            return [make(*args, activation="relu", **kwargs)]
        return [make(*args, **kwargs), nn.BatchNorm(), nn.Activation("relu")]

    net = nn.HybridSequential()
    net.add(*layer(nn.Conv2D, channels=6, kernel_size=5, padding=2),
            nn.MaxPool2D(pool_size=2, strides=2),
            *layer(nn.Conv2D, channels=16, kernel_size=5),
            nn.MaxPool2D(pool_size=2, strides=2),
            *layer(nn.Dense, 120),
            *layer(nn.Dense, 84),
            nn.Dense(num_classes))
    if hybridize:
        net.hybridize()
    return net
