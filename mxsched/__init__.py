"""mxsched: learning-rate schedules for Apache MXNet Gluon.

Every schedule is an :class:`mxnet.lr_scheduler.LRScheduler` that is a pure function of
the update count (update 1 is the first optimizer update), vectorised
(``sched.values(steps)``), bounded by its ``base_lr``, immutable, picklable (also into
MXNet parameter servers), and checked when it is built.

The package has three parts, which depend one way only:

* ``mxsched`` (this namespace): the schedules and what works on a schedule alone --
  composition, units, noise, configs, plotting, MXNet's built-ins made pure. Importing
  it loads nothing of the other two parts, and it is safe inside a parameter server;
* :mod:`mxsched.gluon`: what works with a ``gluon.Trainer`` (handlers,
  ``ReduceLROnPlateau``, the LR range test, parameter servers, checkpoints);
* :mod:`mxsched.tutorial`: what the notebooks need (data, LeNet, a training loop);

and :mod:`mxsched.compat` holds drop-ins named after other libraries' schedulers.

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
from .adapters import FunctionSchedule, InOrderSchedule, as_schedule
from .base import Phase, Schedule
from .compose import Clamp, Delay, Envelope, Join, Product, Scale
from .config import from_config, get_config, register, registered
from .cooldown import LinearCoolDown, WarmupStableDecay
from .cycles import CyclicalSchedule, Restarts
from .decays import (ExponentialDecay, InverseSqrtDecay, InverseTimeDecay, MultiStepDecay,
                     PolynomialDecay, StepDecay, TanhDecay)
from .mxnet_builtins import (PureCosineScheduler, PureFactorScheduler,
                             PureMultiFactorScheduler, PurePolyScheduler, from_mxnet)
from .noise import Noise
from .one_cycle import OneCycle, OneCycleSchedule
from .plotting import describe, plot
from .shapes import (Constant, CosineAnnealing, CosineAnnealingSchedule, CosineWave,
                     LinearSchedule, Piecewise, TriangularSchedule)
from .units import InUnits
from .warmup import ConstantWarmUp, CosineWarmUp, EpochStepWarmUp, LinearWarmUp, LogWarmUp

__version__ = "0.1.0"  # the one source of the version (pyproject.toml reads it)

__all__ = [
    "Schedule", "Phase",
    # the classic MXNet tutorial's six (and its two names)
    "TriangularSchedule", "CosineAnnealing", "LinearWarmUp", "LinearCoolDown", "OneCycle",
    "CyclicalSchedule", "CosineAnnealingSchedule", "OneCycleSchedule",
    # shapes and decays
    "Constant", "LinearSchedule", "Piecewise", "CosineWave", "StepDecay", "MultiStepDecay",
    "ExponentialDecay", "PolynomialDecay", "InverseSqrtDecay", "InverseTimeDecay", "TanhDecay",
    # warm-ups, cool-downs, restarts
    "ConstantWarmUp", "LogWarmUp", "CosineWarmUp", "EpochStepWarmUp", "WarmupStableDecay",
    "Restarts",
    # composition, units, noise
    "Join", "Scale", "Product", "Clamp", "Delay", "Envelope", "InUnits", "Noise",
    # other schedules made pure
    "FunctionSchedule", "InOrderSchedule", "as_schedule",
    "PureFactorScheduler", "PureMultiFactorScheduler", "PurePolyScheduler",
    "PureCosineScheduler", "from_mxnet",
    # configs and seeing a schedule
    "get_config", "from_config", "register", "registered", "describe", "plot",
]
