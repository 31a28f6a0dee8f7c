"""GluonCV's learning-rate schedulers, with GluonCV's names, arguments and values.

Drop-ins for the two schedulers of ``gluoncv.utils`` (``gluoncv/utils/lr_scheduler.py``,
unchanged from GluonCV 0.4 to 0.10.5):

* :class:`LRScheduler` -- modes ``'constant'``, ``'step'``, ``'linear'``, ``'poly'``,
  ``'cosine'``, with ``base_lr``, ``target_lr``, ``niters`` or ``nepochs *
  iters_per_epoch``, ``offset``, ``power``, ``step_iter`` or ``step_epoch``,
  ``step_factor`` and the legacy names ``baselr`` / ``targetlr``;
* :class:`LRSequential` -- a list of :class:`LRScheduler` phases run one after the other.

>>> from mxsched.compat.gluoncv import LRScheduler, LRSequential
>>> sched = LRSequential([LRScheduler('linear', base_lr=0.0, target_lr=0.1, niters=5),
...                       LRScheduler('cosine', base_lr=0.1, niters=5)])
>>> [round(sched(k), 4) for k in range(1, 11)]
[0.025, 0.05, 0.075, 0.1, 0.1, 0.0854, 0.05, 0.0146, 0.0, 0.0]

**Update alignment.** GluonCV's schedulers are themselves MXNet ``LRScheduler`` objects:
its scripts pass them to ``gluon.Trainer(..., {'lr_scheduler': sched})``, and MXNet asks
``sched(num_update)`` with ``num_update = k`` at the ``k``-th update. The drop-ins are
given to the Trainer the same way and ``sched(k)`` is GluonCV's value at
``num_update = k``, for every ``k >= 0``: no shift (no :class:`mxsched.Delay`) is needed.
GluonCV's own convention is kept: with ``N = niters - 1`` the phase position is
``T = min(max(k - offset, 0), N)``, so the end value is reached at update ``offset + niters
- 1`` and held after it, and ``base_lr`` itself (``T = 0``) is only applied by the updates
``k <= offset`` (never, with ``offset = 0``: update 1 already applies ``T = 1``).

**Learning rates.** GluonCV's schedulers take their learning rates themselves, so the
drop-ins take them under the same names (``base_lr``, ``target_lr``; no ``lr`` keyword).
As for every mxsched schedule, the attribute ``base_lr`` reads as the schedule's *peak*
(``max(base_lr, target_lr)``; for a warm-up phase from 0 that is ``target_lr``) and
assigning it rescales the whole schedule, ``target_lr`` included, to that peak. GluonCV
instead lets the optimizer overwrite ``base_lr`` alone: MXNet's ``Optimizer`` assigns
``sched.base_lr = learning_rate`` when the Trainer gets a ``learning_rate`` -- and Adam,
Nadam, RMSProp, LAMB (0.001), Adamax (0.002) and Signum (0.01) pass their default even
when you give none. So ``gluon.Trainer(params, 'adam', {'lr_scheduler':
LRScheduler('cosine', base_lr=0.5, niters=1000)})`` runs GluonCV's cosine from 0.001 (to
``target_lr``; a ``'constant'`` one keeps 0.5), and the drop-in rescaled to peak at 0.001.
(On an ``LRSequential`` GluonCV's overwrite has no effect at all; the drop-in's phases
are all rescaled.) Use :func:`mxsched.gluon.make_trainer` (``make_trainer(net, 'adam',
lr_scheduler=sched)``), which passes no default ``learning_rate``, to run the schedule
as given.

The drop-ins are immutable and pure (``sched(k)`` depends on ``k`` only); ``repr`` is
the GluonCV call (``mode`` first, ``base_lr``, then the arguments that differ from
their defaults) and ``repr(sched.core)`` shows the mxsched schedule the values come
from. The core computes GluonCV's expressions in GluonCV's order of operations, so the
values agree to the last bit -- except where GluonCV's rounding puts a value one unit
in the last place outside ``[target_lr, base_lr]`` (``0.001 + (0.0123 - 0.001) * 1.0``
is ``0.012300000000000002``): the drop-in then gives the bound, as mxsched's values
never exceed ``base_lr``.

**Deliberately not reproduced** (GluonCV accepts these but fails later, or gives
something that has no meaning for a schedule):

* ``niters == 1`` (or ``nepochs * iters_per_epoch == 1``) in modes ``'linear'``,
  ``'poly'``, ``'cosine'``: GluonCV raises ``ZeroDivisionError`` at its first call
  (``T / N`` with ``N = 0``); the drop-in raises ``ValueError`` when built. Likewise a
  negative ``power`` in ``'poly'`` (``ZeroDivisionError`` once ``T`` reaches ``N``).
* Negative ``niters``, ``nepochs``, ``iters_per_epoch`` or ``offset``, a number of
  iterations or an ``offset`` that is not whole (``nepochs=1.5, iters_per_epoch=3``),
  negative learning rates or ``step_factor``, and non-numbers: ``ValueError`` /
  ``TypeError`` naming the argument. A whole float (``niters=100.0``,
  ``iters_per_epoch=4.5`` with ``nepochs=2``) is accepted.
* GluonCV's bare ``assert`` statements (an unknown ``mode``, ``'step'`` without
  ``step_iter`` or ``step_epoch``, an empty ``LRSequential``, a phase that is not an
  :class:`LRScheduler`) raise ``AssertionError`` here too, with a message.
* State: there is no ``update()``, ``learning_rate`` cache or ``LRSequential.add()``;
  ``LRSequential`` does not write its running ``offset`` into the phase objects (it uses
  each phase at its local count, as GluonCV's ``add()`` arranges, and ignores a phase's
  own ``offset`` as GluonCV does).
* The legacy ``baselr`` / ``targetlr`` are resolved when the scheduler is built (same
  ``UserWarning``, same rule: used only while ``base_lr == 0.1`` / ``target_lr == 0``);
  ``repr``, pickles and configs then hold ``base_lr`` / ``target_lr``.
* Values are always Python floats (GluonCV returns an ``int`` for an integer ``base_lr``
  in mode ``'constant'``).
* The optimizer's ``base_lr`` overwrite (see above), and the ``warmup_*`` attributes of
  MXNet's base class, which GluonCV sets but never uses.
"""
from __future__ import annotations

import math
import warnings
from collections import Counter
from typing import Any, List, Optional, Sequence

from ..base import Schedule
from ..checks import MAX_STEP, check_lr, check_real
from ..compose import Delay, Envelope, Join
from ..decays import MultiStepDecay, PolynomialDecay
from ..shapes import Constant, CosineAnnealing
from ._base import DropIn

__all__ = ["LRScheduler", "LRSequential"]

_MODES = ("constant", "step", "linear", "poly", "cosine")

# (name, default) of every LRScheduler argument after ``mode``, in GluonCV's order
# (the legacy ``baselr`` / ``targetlr`` are resolved when the scheduler is built)
_DEFAULTS = (("base_lr", 0.1), ("target_lr", 0.0), ("niters", 0), ("nepochs", 0),
             ("iters_per_epoch", 0), ("offset", 0), ("power", 2.0), ("step_iter", None),
             ("step_epoch", None), ("step_factor", 0.1))


def _whole_or_real(value: float) -> Any:
    """``value`` as an int when it is a whole number, else as a float."""
    return int(value) if float(value).is_integer() else float(value)


def _count(name: str, value: Any) -> Any:
    """A non-negative number of iterations or epochs (int when whole)."""
    value = check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return _whole_or_real(value)


def _steps(name: str, value: Any) -> Optional[List[Any]]:
    """None, or a list of finite numbers (iterations or epochs)."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a list of numbers or None, got {value!r}")
    return [_whole_or_real(check_real(f"{name}[{i}]", s)) for i, s in enumerate(value)]


class LRScheduler(DropIn):
    """GluonCV's ``LRScheduler``: a constant, step, linear, polynomial or cosine phase.

    ``niters`` is replaced by ``nepochs * iters_per_epoch`` when that product is
    ``> 0`` (and ``step_epoch``, counted in epochs, then replaces ``step_iter``). With
    ``N = niters - 1`` and ``T = min(max(k - offset, 0), N)`` at update ``k``::

        constant: base_lr
        linear:   target_lr + (base_lr - target_lr) * (1 - T / N)
        poly:     target_lr + (base_lr - target_lr) * (1 - T / N) ** power
        cosine:   target_lr + (base_lr - target_lr) * (1 + cos(pi * T / N)) / 2
        step:     base_lr * step_factor ** (number of steps s <= T)

    The end value (``T = N``) is reached at update ``offset + niters - 1`` and held.
    As in GluonCV, ``niters = 0`` (the default) gives ``T = N = -1`` at every update:
    ``target_lr`` in ``'linear'``, ``'poly'`` and ``'cosine'``, and an undecayed
    ``base_lr`` in ``'step'``; in ``'poly'`` a ``power`` of 0 gives ``base_lr``; steps
    at or after ``niters`` never apply, a step ``<= 0`` applies from the start, a
    repeated step applies twice, and ``step_epoch`` is ignored unless ``nepochs *
    iters_per_epoch > 0``. ``target_lr`` may exceed ``base_lr`` (a warm-up phase).

    Made of (``repr(sched.core)``), delayed by ``Delay(..., offset)`` when ``offset > 0``:
    ``Constant`` (mode ``'constant'``, and whenever ``N <= 0``); for a decay
    (``target_lr <= base_lr``) ``PolynomialDecay(target_lr, base_lr, N, power)``
    (``power=1`` for ``'linear'``) or ``CosineAnnealing(target_lr, base_lr, N)``; for a
    rise, ``Envelope(Constant(base_lr), d, min_lr=target_lr)`` with ``d`` the same decay
    from 1 to 0; for ``'step'``, ``MultiStepDecay(base_lr, milestones, step_factor)`` or,
    with steps ``<= 0``, repeated steps or a ``step_factor`` outside ``(0, 1]``, a
    ``Join`` of ``Constant`` levels. Every one computes GluonCV's expression in
    GluonCV's order of operations. (:func:`mxsched.describe` names a rise after the
    ``Envelope``'s schedule, ``Constant``.)

    Parameters
    ----------
    mode : {'constant', 'step', 'linear', 'poly', 'cosine'}
    base_lr : float, default 0.1
        The starting rate (``>= 0``).
    target_lr : float, default 0
        The rate reached at the end (``>= 0``; ignored in ``'constant'`` and ``'step'``).
    niters : int, default 0
        Iterations of the phase (``>= 0``; ``>= 2`` in ``'linear'``, ``'poly'``,
        ``'cosine'`` unless 0).
    nepochs, iters_per_epoch : int, default 0
        When their product is ``> 0`` it replaces ``niters``.
    offset : int, default 0
        Updates before the phase starts (``>= 0``); held at the starting value.
    power : float, default 2
        Exponent of ``'poly'`` (``>= 0``).
    step_iter : list of float, optional
        Iterations at which ``'step'`` multiplies the rate by ``step_factor``.
    step_epoch : list of float, optional
        The same in epochs (``* iters_per_epoch``); used instead of ``step_iter`` when
        ``nepochs * iters_per_epoch > 0``.
    step_factor : float, default 0.1
        Multiplier per step of ``'step'`` (``>= 0``).
    baselr, targetlr : float, optional
        Deprecated names of ``base_lr`` / ``target_lr`` (a ``UserWarning``); used only
        if ``base_lr == 0.1`` / ``target_lr == 0``, as in GluonCV.

    Examples
    --------
    >>> s = LRScheduler('cosine', base_lr=1.0, target_lr=0.0, niters=5)
    >>> [round(s(k), 4) for k in range(7)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0, 0.0]
    >>> s.core
    CosineAnnealing(min_lr=0.0, max_lr=1.0, cycle_length=4)
    >>> s = LRScheduler('step', base_lr=0.1, nepochs=3, iters_per_epoch=2, step_epoch=[1, 2])
    >>> [round(s(k), 4) for k in range(7)]
    [0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 0.001]

    References
    ----------
    GluonCV, ``gluoncv.utils.LRScheduler`` (``gluoncv/utils/lr_scheduler.py``).
    """

    _lr_params = ("base_lr", "target_lr")
    _positional = ("mode",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(mode="cosine", base_lr=0.1, target_lr=0.001, niters=200)

    def __init__(self, mode: str, base_lr: float = 0.1, target_lr: float = 0,
                 niters: int = 0, nepochs: int = 0, iters_per_epoch: int = 0,
                 offset: int = 0, power: float = 2, step_iter: Optional[Sequence[float]] = None,
                 step_epoch: Optional[Sequence[float]] = None, step_factor: float = 0.1,
                 baselr: Optional[float] = None, targetlr: Optional[float] = None) -> None:
        super().__init__()
        # GluonCV's own checks first, in its order (its asserts carry no message)
        if not (isinstance(mode, str) and mode in _MODES):
            raise AssertionError(f"mode must be one of {', '.join(map(repr, _MODES))}, "
                                 f"got {mode!r}")
        if mode == "step" and step_iter is None and step_epoch is None:
            raise AssertionError("step_iter or step_epoch must be given in mode 'step', "
                                 "got None for both")
        if baselr is not None:
            warnings.warn("baselr is deprecated. Please use base_lr.", UserWarning,
                          stacklevel=3)
            if base_lr == 0.1:
                base_lr = baselr
        if targetlr is not None:
            warnings.warn("targetlr is deprecated. Please use target_lr.", UserWarning,
                          stacklevel=3)
            if target_lr == 0:
                target_lr = targetlr
        self.mode = mode
        base = check_lr("base_lr", base_lr)
        target = check_lr("target_lr", target_lr)
        niters = _count("niters", niters)
        nepochs = _count("nepochs", nepochs)
        iters_per_epoch = _count("iters_per_epoch", iters_per_epoch)
        offset = _count("offset", offset)
        if not isinstance(offset, int):
            raise ValueError(f"offset must be a whole number of iterations, got {offset!r}")
        if offset > MAX_STEP:
            raise ValueError(f"offset must be <= {MAX_STEP}, got {offset!r}")
        power = check_real("power", power)
        step_iter = _steps("step_iter", step_iter)
        step_epoch = _steps("step_epoch", step_epoch)
        step_factor = check_real("step_factor", step_factor)
        self._args = dict(zip([name for name, _ in _DEFAULTS],
                              [base, target, niters, nepochs, iters_per_epoch, offset, power,
                               step_iter, step_epoch, step_factor]))

        # GluonCV's attributes, as its constructor leaves them
        self.target_lr = base if mode == "constant" else target
        self.offset = offset
        self.power = power
        self.step_factor = step_factor
        epoch_iters = nepochs * iters_per_epoch
        total, where = niters, f"niters={niters!r}"
        step = step_iter
        if epoch_iters > 0:
            total, where = epoch_iters, f"nepochs * iters_per_epoch = {epoch_iters!r}"
            if step_epoch is not None:
                step = [_whole_or_real(s * iters_per_epoch) for s in step_epoch]
        if not float(total).is_integer():
            raise ValueError(f"niters must be a whole number of iterations, got {where}")
        if total > MAX_STEP:
            raise ValueError(f"niters must be <= {MAX_STEP}, got {where}")
        self.niters = int(total)
        self.step = step
        if mode in ("linear", "poly", "cosine") and self.niters == 1:
            raise ValueError(f"niters must be 0 or >= 2 in mode {mode!r} (GluonCV divides "
                             f"by niters - 1), got {where}")
        if mode == "poly" and power < 0:
            raise ValueError(f"power must be >= 0 in mode 'poly' (GluonCV divides by zero "
                             f"at the end of the decay), got {power!r}")
        if mode == "step" and step_factor < 0:
            raise ValueError(f"step_factor must be >= 0 in mode 'step', got {step_factor!r}")

        self._shape = self._build_shape(base)
        self._core = Delay(self._shape, offset) if offset else self._shape

    def _build_shape(self, base: float) -> Schedule:
        """The phase at its local count ``T`` (offset 0), from public classes."""
        mode, target, n = self.mode, self.target_lr, self.niters
        if mode == "constant":
            return Constant(base)
        if mode == "step":
            return self._step_shape(base)
        if mode == "poly" and self.power == 0:
            # (1 - T / N) ** 0 == 1 at every T: GluonCV's expression with factor 1
            return Constant(target + (base - target) * 1.0)
        if n == 0:  # T = N = -1 at every update: the factor is 0, the value target_lr
            return Constant(target)
        span = n - 1
        if target <= base:
            if mode == "cosine":
                return CosineAnnealing(target, base, span)
            return PolynomialDecay(target, base, span, power=1.0 if mode == "linear"
                                   else self.power)
        # a rise: target_lr + (base_lr - target_lr) * factor, the factor going from 1 to 0
        if mode == "cosine":
            factor = CosineAnnealing(0.0, 1.0, span)
        else:
            factor = PolynomialDecay(0.0, 1.0, span, power=1.0 if mode == "linear"
                                     else self.power)
        return Envelope(Constant(base), factor, min_lr=target)

    def _step_shape(self, base: float) -> Schedule:
        steps, f, last = self.step, self.step_factor, self.niters - 1
        if steps is None:  # step_epoch without nepochs * iters_per_epoch: never decays
            return Constant(base)
        if last < 0:  # niters 0: T = -1 at every update
            return Constant(base * pow(f, sum(1 for s in steps if s <= last)))
        start = sum(1 for s in steps if s <= 0)
        # T is a whole number: a step s in (0, N] applies from T = ceil(s) on
        fires = Counter(math.ceil(s) for s in steps if 0 < s <= last)
        milestones = sorted(fires)
        if not milestones:
            return Constant(base * pow(f, start))
        if start == 0 and 0 < f <= 1 and all(fires[m] == 1 for m in milestones):
            return MultiStepDecay(base, milestones, f)
        counts = [start]
        for m in milestones:
            counts.append(counts[-1] + fires[m])
        return Join([Constant(base * pow(f, c)) for c in counts], milestones)

    def _repr_args(self):
        args = [(None, self.mode), ("base_lr", self._args["base_lr"])]
        for name, default in _DEFAULTS[1:]:
            value = self._args[name]
            if value != default:
                args.append((name, value))
        return args


class LRSequential(DropIn):
    """GluonCV's ``LRSequential``: :class:`LRScheduler` phases one after the other.

    GluonCV's ``add()`` gives phase ``j`` the offset ``c_j = niters_0 + ... +
    niters_{j-1}`` (replacing the phase's own ``offset``), so at update ``k`` the phase
    with ``c_j <= k < c_{j+1}`` runs at its local count ``T = k - c_j``, from 0 to
    ``niters_j - 1``: a phase's end value and the next phase's starting value are applied
    by consecutive updates. After the last phase its end value is held. Phases of 0
    iterations are skipped (with all phases at 0 the first one's value is used, as in
    GluonCV).

    Made of ``Join([phase_0, phase_1, ...], boundaries=[c_1, c_2, ...])`` over the
    phases' own schedules at offset 0 (a single phase: that schedule alone).

    Parameters
    ----------
    schedulers : list of LRScheduler
        At least one phase (the objects are not modified).

    Examples
    --------
    >>> s = LRSequential([LRScheduler('linear', base_lr=0.0, target_lr=1.0, niters=3),
    ...                   LRScheduler('step', base_lr=1.0, niters=4, step_iter=[2])])
    >>> [round(s(k), 4) for k in range(9)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1]

    References
    ----------
    GluonCV, ``gluoncv.utils.LRSequential`` (``gluoncv/utils/lr_scheduler.py``).
    """

    _positional = ("schedulers",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedulers=[LRScheduler("linear", base_lr=0.0, target_lr=0.1, niters=20),
                                LRScheduler("cosine", base_lr=0.1, niters=180)])

    def __init__(self, schedulers: Sequence[LRScheduler]) -> None:
        super().__init__()
        if not len(schedulers) > 0:  # len() of a non-sized argument: GluonCV's TypeError
            raise AssertionError(f"schedulers must be a non-empty list of LRScheduler, "
                                 f"got {schedulers!r}")
        items = list(schedulers)
        for i, phase in enumerate(items):
            if not isinstance(phase, LRScheduler):
                raise AssertionError(f"schedulers[{i}] must be an LRScheduler of "
                                     f"mxsched.compat.gluoncv, got {phase!r}")
        self.schedulers = items
        # GluonCV's attributes: the running count and the end of every phase
        self.update_sep = []
        self.count = 0
        parts, boundaries = [], []
        for phase in items:
            if phase.niters:  # a phase of 0 iterations is never selected
                if parts:
                    boundaries.append(self.count)
                parts.append(phase._shape)
            self.count += phase.niters
            self.update_sep.append(self.count)
        if not parts:  # every phase has 0 iterations: the first one at T = -1
            self._core = items[0]._shape
        elif len(parts) == 1:
            self._core = parts[0]
        else:
            self._core = Join(parts, boundaries)

    def _repr_args(self):
        return [(None, self.schedulers)]
