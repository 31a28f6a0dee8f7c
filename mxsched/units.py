"""Stating a schedule in epochs (or percent of training): the one place units are converted.

Every mxsched schedule is a function of a position in *its own* unit. MXNet hands the
optimizer's update count ``t``; :class:`InUnits` is the single conversion from update
count to position, so a schedule written in epochs is never fed update counts (the
classic bug: a step decay "at epoch 30" that fires after 30 updates).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .adapters import ScheduleLike, as_schedule
from .base import Phase, Schedule
from .checks import Ratio, check_bool, check_int, check_ratio
from .decays import StepDecay

__all__ = ["InUnits"]

#: a rate whose reduced denominator exceeds this is used as a float (see ``check_ratio``)
_MAX_DENOMINATOR = 2 ** 20


class UnitClock:
    """Update count -> position in a unit of ``rate`` updates, in exact arithmetic.

    With ``rate = num / den`` (an int, a Fraction, or a float that is a simple
    fraction such as 78.5), the position of update ``t`` is ``t * den / num``: an exact
    rational rounded once to a float, so a boundary at position ``b`` is crossed at
    exactly update ``b * num / den``. ``index(t) = max(ceil(t * den / num) - 1, 0)``
    is computed in integers. A float rate whose fraction has a denominator above
    2**20 is used as a float (``t / rate``).
    """

    def __init__(self, rate: Ratio) -> None:
        frac = Fraction(rate)
        self.exact = frac.denominator <= _MAX_DENOMINATOR
        self.num, self.den = frac.numerator, frac.denominator
        self.rate = float(rate)

    # -- one step --------------------------------------------------------------------
    def position(self, t) -> float:
        """``t / rate``, the position of update ``t`` (a float)."""
        if not self.exact:
            return t / self.rate
        if float(t).is_integer():
            return (int(t) * self.den) / self.num      # int / int: correctly rounded
        return float(Fraction(t) * self.den / self.num)

    def index(self, t) -> int:
        """``max(ceil(t / rate) - 1, 0)``: the index of the unit update ``t`` falls in
        (updates ``1..rate`` are unit 0)."""
        if not self.exact:
            return max(math.ceil(t / self.rate) - 1, 0)
        if float(t).is_integer():
            return max(-(-(int(t) * self.den) // self.num) - 1, 0)
        return max(math.ceil(Fraction(t) * self.den / self.num) - 1, 0)

    # -- arrays ------------------------------------------------------------------------
    def _integer(self, t: np.ndarray):
        """``t`` as int64 when every step is a whole number small enough to be exact."""
        if not self.exact or not len(t):
            return None
        if not np.all(np.floor(t) == t) or float(t.max()) * self.den >= 2.0 ** 53:
            return None
        return t.astype(np.int64)

    def positions(self, t: np.ndarray) -> np.ndarray:
        """:meth:`position` of every step."""
        ti = self._integer(t)
        if ti is not None:
            return (ti * self.den) / self.num            # exact product, one rounding
        if not self.exact:
            return t / self.rate
        return np.fromiter((self.position(float(x)) for x in t), dtype=np.float64,
                           count=len(t))

    def indices(self, t: np.ndarray) -> np.ndarray:
        """:meth:`index` of every step, as float64."""
        ti = self._integer(t)
        if ti is not None:
            return np.maximum(-((-ti * self.den) // self.num) - 1, 0).astype(np.float64)
        if not self.exact:
            return np.maximum(np.ceil(t / self.rate) - 1, 0.0)
        return np.fromiter((self.index(float(x)) for x in t), dtype=np.float64, count=len(t))


class InUnits(Schedule):
    """A schedule stated in another unit (epochs, percent of training) driven by updates.

    With ``U = updates_per_unit`` (e.g. optimizer updates per epoch), update ``t`` is at
    position::

        x = t / U                           (stepwise=False: continuous, per update)
        x = max(ceil(t / U) - 1, 0)         (stepwise=True: the index of the current unit)
        lr(t) = schedule(x)

    The conversion is exact: ``U`` is held as a fraction (``Fraction(235, 3)`` for 235
    batches per epoch with an update every 3 batches), ``ceil`` is taken in integers
    and the position is rounded to a float once, so every boundary falls on exactly the
    update it should (no float division off by one at ``t = k * U``).

    ``stepwise=True`` is PyTorch's per-epoch ``scheduler.step()``: updates ``1..U`` are
    epoch 0 and all see ``schedule(0)``, updates ``U+1..2U`` see ``schedule(1)``, and so on.
    ``stepwise=False`` moves along the schedule at every update; a boundary at position
    ``b`` is crossed after ``b * U`` updates.

    Build it with :meth:`epochs` (from batches per epoch and gradient accumulation) or
    :meth:`percent` (positions 0..100 over ``total_updates``).

    Parameters
    ----------
    schedule : schedule
        The schedule, in units (copied, never modified).
    updates_per_unit : int, float or fractions.Fraction
        Optimizer updates per unit (``> 0``; may be fractional: give a ``Fraction`` for
        an exact ratio such as 235/3).
    stepwise : bool, default False
        Hold the value for a whole unit (see above).
    unit : str, default 'epoch'
        Name of the unit, for ``repr``, plots and :func:`mxsched.describe`.

    Examples
    --------
    >>> per_epoch = StepDecay(1.0, length=2, factor=0.1)          # decays every 2 epochs
    >>> s = InUnits.epochs(per_epoch, batches_per_epoch=6, accumulation=3, stepwise=True)
    >>> [round(s(t), 4) for t in range(1, 8)]                     # 2 updates per epoch
    [1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1]
    >>> round(per_epoch(5), 4)   # the pitfall: update 5 read as epoch 5
    0.01
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=StepDecay(0.1, length=3, factor=0.5), updates_per_unit=Fraction(40, 3), stepwise=True, unit='epoch')

    def __init__(self, schedule: ScheduleLike, updates_per_unit: float,
                 stepwise: bool = False, unit: str = "epoch") -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.updates_per_unit = check_ratio("updates_per_unit", updates_per_unit)
        self.stepwise = check_bool("stepwise", stepwise)
        if not isinstance(unit, str):
            raise TypeError(f"unit must be a non-empty string, got {unit!r}")
        if not unit or not unit.isascii() or not unit.isprintable():
            # MXNet sends schedules to parameter servers as protocol-0 pickles decoded as
            # UTF-8: a non-ASCII character there is written as a raw latin-1 byte.
            raise ValueError(f"unit must be a non-empty printable ASCII string, got {unit!r}")
        self.unit = unit
        self._clock = UnitClock(self.updates_per_unit)

    @classmethod
    def epochs(cls, schedule: ScheduleLike, batches_per_epoch: int, accumulation: int = 1,
               stepwise: bool = False) -> "InUnits":
        """``schedule`` in epochs; ``batches_per_epoch / accumulation`` updates per epoch.

        With gradient accumulation the optimizer updates once every ``accumulation``
        batches, so an epoch has ``batches_per_epoch / accumulation`` updates.
        """
        batches = check_int("batches_per_epoch", batches_per_epoch)
        accumulation = check_int("accumulation", accumulation)
        return cls(schedule, Fraction(batches, accumulation), stepwise=stepwise, unit="epoch")

    @classmethod
    def percent(cls, schedule: ScheduleLike, total_updates: int) -> "InUnits":
        """``schedule`` over positions 0..100, reaching 100 after ``total_updates``."""
        total = check_int("total_updates", total_updates)
        return cls(schedule, Fraction(total, 100), unit="% of training")

    def _at(self, t):
        clock = self._clock
        return self.schedule._at(clock.index(t) if self.stepwise else clock.position(t))

    def _values(self, t):
        clock = self._clock
        return self.schedule._values(clock.indices(t) if self.stepwise else clock.positions(t))

    def _peak(self):
        return self.schedule._peak()

    def phases(self, total_steps=None):
        upu = float(self.updates_per_unit)
        inner = None if total_steps is None else total_steps / upu
        out = []
        for name, start, end in self.schedule.phases(inner):
            end = None if end is None else end * upu
            if total_steps is not None:
                end = total_steps if end is None else min(end, total_steps)
            out.append(Phase(name, start * upu, end))
        return out

    def _repr_args(self):
        return [("schedule", self.schedule), ("updates_per_unit", self.updates_per_unit),
                ("stepwise", self.stepwise), ("unit", self.unit)]
