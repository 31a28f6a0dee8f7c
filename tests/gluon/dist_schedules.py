"""Schedules for tests/gluon/test_distributed.py, importable by every job process.

``make_schedule(name)`` builds them by name so the worker script and the test
agree without pickling anything on the command line.
"""
# never mx.lr_scheduler.X at import time: see mxsched/gluon/distributed.py
from mxnet.lr_scheduler import LRScheduler

from mxsched import CosineAnnealing, CyclicalSchedule, LinearWarmUp


def nested():
    """Warm-up over a cyclical cosine: every phase changes within 12 updates."""
    return LinearWarmUp(CyclicalSchedule(CosineAnnealing, cycle_length=4, min_lr=0.01, max_lr=0.1),
                        start_lr=0.0, length=3)


def nested_longer():
    """The same shape with a longer cycle: what a user changes when extending a run."""
    return LinearWarmUp(CyclicalSchedule(CosineAnnealing, cycle_length=8, min_lr=0.01, max_lr=0.1),
                        start_lr=0.0, length=3)


def sgdr():
    """SGDR with growing cycles (2, 4, 8, ...) and halving peaks behind a warm-up: its cycle
    table once put numpy arrays into the pickle, which MXNet cannot send to a server."""
    return LinearWarmUp(CyclicalSchedule(CosineAnnealing, cycle_length=2, cycle_length_decay=2,
                                         cycle_magnitude_decay=0.5, min_lr=0.01, max_lr=0.1),
                        start_lr=0.0, length=2)


def bad():
    """A schedule whose module cannot be imported inside a server's ``import mxnet``."""
    from bad_schedule_module import HalvingSchedule

    return HalvingSchedule(0.1)


def make_schedule(name: str):
    return {"nested": nested, "nested_longer": nested_longer, "sgdr": sgdr,
            "bad": bad}[name]()


class ForgetfulSchedule(LRScheduler):
    """Constant ``lr`` that a pickle round trip loses (its state omits ``lr``)."""

    def __init__(self, lr: float) -> None:
        super().__init__(base_lr=lr)
        self.lr = lr

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["lr"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state, lr=0.1)

    def __call__(self, num_update: int) -> float:
        return self.lr
