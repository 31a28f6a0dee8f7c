"""mxsched: learning-rate schedules for Apache MXNet Gluon.

Every schedule is an :class:`mxnet.lr_scheduler.LRScheduler` that is a pure function of
the update count (update 1 is the first optimizer update), vectorised
(``sched.values(steps)``), picklable, and checked when it is built.

>>> from mxsched import LinearWarmUp, CosineAnnealing
>>> sched = LinearWarmUp(CosineAnnealing(min_lr=0.0, max_lr=0.1, cycle_length=90),
...                      start_lr=0.0, length=10)
>>> round(sched(5), 4), round(sched(10), 4), round(sched(100), 4)
(0.05, 0.1, 0.0)
"""
from .base import Schedule
from .cyclical import CyclicalSchedule
from .modifiers import (FunctionSchedule, LinearCoolDown, LinearWarmUp, OneCycle,
                        OneCycleSchedule, as_schedule)
from .mxnet_compat import (PureCosineScheduler, PureFactorScheduler,
                           PureMultiFactorScheduler, PurePolyScheduler, from_mxnet)
from .shapes import CosineAnnealing, CosineAnnealingSchedule, TriangularSchedule

__version__ = "0.1.0"

__all__ = [
    "Schedule",
    "TriangularSchedule", "CosineAnnealing", "LinearWarmUp", "LinearCoolDown", "OneCycle",
    "CyclicalSchedule", "CosineAnnealingSchedule", "OneCycleSchedule",
    "FunctionSchedule", "as_schedule",
    "PureFactorScheduler", "PureMultiFactorScheduler", "PurePolyScheduler",
    "PureCosineScheduler", "from_mxnet",
]
