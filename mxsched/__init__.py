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
try:
    import mxnet  # noqa: F401  first: a PS server may start (and unpickle) inside this import
except ModuleNotFoundError as _exc:
    if _exc.name != "mxnet":  # MXNet is there but something it needs is not: say that
        raise
    raise ModuleNotFoundError(
        "mxsched needs Apache MXNet 1.9.1, and no MXNet build is installed in this Python. "
        "Install exactly one build:\n"
        "  CPU:  pip install mxnet==1.9.1 \"numpy<1.24\"\n"
        "  GPU:  pip install mxnet-cu117==1.9.1 \"numpy<1.24\"   (CUDA 11.7; mxnet-cu101, "
        "mxnet-cu102, mxnet-cu110 ... mxnet-cu116 for older CUDA versions: see the "
        "section \"GPU\" of mxsched's README)\n"
        "or, in a checkout of mxsched, run `make install` or "
        "`python tools/install_mxnet.py`, which pick the build for this machine.",
        name="mxnet") from None
from .base import Phase, Schedule
from .compose import Clamp, Delay, Envelope, Join, Product, Scale
from .config import from_config, get_config, register, registered
from .handlers import (Handlers, HyperparamHandler, InverseMomentum, MomentumHandler,
                       ReduceLROnPlateau)
from .decay import (Constant, CosineDecay, ExponentialDecay, InverseSqrtDecay,
                    LinearSchedule, MultiStepDecay, PolynomialDecay, StepDecay, TanhDecay)
from .cyclical import CyclicalSchedule
from .data import (DatasetInfo, DataSplits, load_data, load_dataset, quick_mode,
                   requested_dataset)
from .modifiers import (FunctionSchedule, InOrderSchedule, LinearCoolDown, LinearWarmUp,
                        OneCycle, OneCycleSchedule, as_schedule)
from .mxnet_compat import (PureCosineScheduler, PureFactorScheduler,
                           PureMultiFactorScheduler, PurePolyScheduler, from_mxnet)
from .noise import Noise
from .phases import Hold, KerasCosineDecay, TorchOneCycle, WarmupHoldCosine, WarmupStableDecay
from .plotting import describe, plot
from .range_test import RangeTestResult, Suggestion, lr_range_test
from .restarts import Restarts
from .shapes import CosineAnnealing, CosineAnnealingSchedule, TriangularSchedule
from .training import (History, ScheduleHandler, default_context, evaluate_accuracy, lenet,
                       make_trainer, select_context, set_seed, train)
from .units import InUnits
from .warmup import ConstantWarmUp, CosineWarmUp, EpochStepWarmUp, LogWarmUp

# The one source of the version: pyproject.toml reads this literal statically.
__version__ = "0.1.0"

__all__ = [
    "Schedule",
    "TriangularSchedule", "CosineAnnealing", "LinearWarmUp", "LinearCoolDown", "OneCycle",
    "CyclicalSchedule", "CosineAnnealingSchedule", "OneCycleSchedule",
    "FunctionSchedule", "InOrderSchedule", "as_schedule",
    "PureFactorScheduler", "PureMultiFactorScheduler", "PurePolyScheduler",
    "PureCosineScheduler", "from_mxnet",
    # decay shapes
    "Constant", "StepDecay", "MultiStepDecay", "ExponentialDecay", "PolynomialDecay",
    "LinearSchedule", "InverseSqrtDecay", "CosineDecay", "TanhDecay",
    # warm-ups, phases, restarts
    "ConstantWarmUp", "LogWarmUp", "CosineWarmUp", "EpochStepWarmUp",
    "Hold", "WarmupStableDecay", "WarmupHoldCosine", "KerasCosineDecay", "TorchOneCycle",
    "Restarts",
    # composition, units, noise
    "Join", "Scale", "Product", "Clamp", "Delay", "Envelope", "InUnits", "Noise",
    # configs and seeing a schedule
    "Phase", "get_config", "from_config", "register", "registered", "describe", "plot",
    # tutorial helpers: data and training loops
    "DatasetInfo", "DataSplits", "load_data", "load_dataset", "quick_mode", "requested_dataset",
    "History", "ScheduleHandler", "default_context", "evaluate_accuracy", "lenet",
    "make_trainer", "select_context", "set_seed", "train",
    # training-loop handlers and the LR range test
    "Handlers", "HyperparamHandler", "InverseMomentum", "MomentumHandler", "ReduceLROnPlateau",
    "RangeTestResult", "Suggestion", "lr_range_test",
]
