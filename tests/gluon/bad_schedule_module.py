"""A schedule module written the way that breaks parameter servers (for the tests).

It reads ``mx.lr_scheduler`` -- an attribute of the mxnet package -- at import
time. A server unpickles the optimizer while it is still inside ``import mxnet``,
before that attribute exists, so unpickling fails there and MXNet trains on with
the summed gradients as weights.
"""
import mxnet as mx

_Base = mx.lr_scheduler.LRScheduler  # the mistake: attribute access at import time


class HalvingSchedule(_Base):
    """``base_lr * 0.5 ** t``: fine locally, fatal on a parameter server."""

    def __init__(self, base_lr: float = 0.1) -> None:
        super().__init__(base_lr=base_lr)

    def __call__(self, num_update: int) -> float:
        return self.base_lr * 0.5 ** num_update
