"""Stating a schedule in epochs (or percent of training): the one place units are converted.

Every mxsched schedule is a function of a position in *its own* unit. MXNet hands the
optimizer's update count ``t``; :class:`InUnits` is the single conversion from update
count to position, so a schedule written in epochs is never fed update counts (the
classic bug: a step decay "at epoch 30" that fires after 30 updates).
"""
from __future__ import annotations

import math

import numpy as np

from .base import Phase, Schedule, check_bool, check_int, check_positive
from .modifiers import ScheduleLike, as_schedule

__all__ = ["InUnits"]


class InUnits(Schedule):
    """A schedule stated in another unit (epochs, percent of training) driven by updates.

    With ``U = updates_per_unit`` (e.g. optimizer updates per epoch), update ``t`` is at
    position::

        x = t / U                           (stepwise=False: continuous, per update)
        x = max(ceil(t / U) - 1, 0)         (stepwise=True: the index of the current unit)
        lr(t) = schedule(x)

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
    updates_per_unit : float
        Optimizer updates per unit (``> 0``; may be fractional).
    stepwise : bool, default False
        Hold the value for a whole unit (see above).
    unit : str, default 'epoch'
        Name of the unit, for ``repr``, plots and :func:`mxsched.describe`.

    Examples
    --------
    >>> from mxsched import StepDecay
    >>> per_epoch = StepDecay(1.0, step_size=2, gamma=0.1)        # decays every 2 epochs
    >>> s = InUnits.epochs(per_epoch, batches_per_epoch=6, accumulation=3, stepwise=True)
    >>> [round(s(t), 4) for t in range(1, 8)]                     # 2 updates per epoch
    [1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1]
    >>> round(per_epoch(5), 4)   # the pitfall: update 5 read as epoch 5
    0.01
    """

    def __init__(self, schedule: ScheduleLike, updates_per_unit: float,
                 stepwise: bool = False, unit: str = "epoch") -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.updates_per_unit = check_positive("updates_per_unit", updates_per_unit)
        self.stepwise = check_bool("stepwise", stepwise)
        if not isinstance(unit, str) or not unit:
            raise TypeError(f"unit must be a non-empty string, got {unit!r}")
        self.unit = unit

    @classmethod
    def epochs(cls, schedule: ScheduleLike, batches_per_epoch: int, accumulation: int = 1,
               stepwise: bool = False) -> "InUnits":
        """``schedule`` in epochs; ``batches_per_epoch / accumulation`` updates per epoch.

        With gradient accumulation the optimizer updates once every ``accumulation``
        batches, so an epoch has ``batches_per_epoch / accumulation`` updates.
        """
        batches = check_int("batches_per_epoch", batches_per_epoch)
        accumulation = check_int("accumulation", accumulation)
        return cls(schedule, batches / accumulation, stepwise=stepwise, unit="epoch")

    @classmethod
    def percent(cls, schedule: ScheduleLike, total_updates: int) -> "InUnits":
        """``schedule`` over positions 0..100, reaching 100 after ``total_updates``."""
        total = check_int("total_updates", total_updates)
        return cls(schedule, total / 100, unit="% of training")

    def _position(self, t):
        if self.stepwise:
            return max(math.ceil(t / self.updates_per_unit) - 1, 0)
        return t / self.updates_per_unit

    def _at(self, t):
        return self.schedule._at(self._position(t))

    def _values(self, t):
        if self.stepwise:
            x = np.maximum(np.ceil(t / self.updates_per_unit) - 1, 0.0)
        else:
            x = t / self.updates_per_unit
        return self.schedule._values(x)

    def _peak(self):
        return self.schedule._peak()

    def _rescale(self, factor):
        self.schedule._rescale(factor)

    def phases(self, total_steps=None):
        upu = self.updates_per_unit
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
