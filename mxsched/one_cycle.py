"""The 1-cycle policy of the classic MXNet tutorial: a symmetric triangle, then a cool-down."""
from __future__ import annotations

from typing import Optional

from .base import Phase, Schedule, shift_phases
from .checks import check_int, check_lr
from .cooldown import LinearCoolDown
from .shapes import TriangularSchedule

__all__ = ["OneCycle", "OneCycleSchedule"]


class OneCycle(Schedule):
    """The 1-cycle policy: a symmetric triangle, then an optional linear cool-down.

    ``TriangularSchedule(start_lr, max_lr, cycle_length)`` (up for half the cycle, down
    for the other half), followed by ``LinearCoolDown`` from ``start_lr`` to
    ``finish_lr`` over ``cooldown_length`` updates starting at ``cycle_length``::

        lr(t) = triangle(t)                                                   for t <= L
                start_lr + (finish_lr - start_lr) * (t - L) / cooldown_length up to L + cooldown
                finish_lr                                                     after

    Parameters
    ----------
    start_lr : float
        Value at ``t = 0`` and at the end of the triangle (``>= 0``).
    max_lr : float
        Apex of the triangle, at ``t = cycle_length / 2`` (``>= start_lr``); ``base_lr``.
    cycle_length : int
        Updates in the triangle (``>= 1``).
    cooldown_length : int, default 0
        Updates in the final annihilation phase (``>= 0``).
    finish_lr : float, optional
        Final value (``<= max_lr``); required when ``cooldown_length > 0`` and not
        allowed otherwise (defaults to ``start_lr``).

    Examples
    --------
    >>> s = OneCycle(0.1, 1.0, cycle_length=4, cooldown_length=2, finish_lr=0.0)
    >>> [round(s(t), 4) for t in range(8)]
    [0.1, 0.55, 1.0, 0.55, 0.1, 0.05, 0.0, 0.0]

    References
    ----------
    Smith & Topin, "Super-Convergence: Very Fast Training of Neural Networks Using Large
    Learning Rates", 2017 (arXiv:1708.07120).
    """

    _lr_params = ("start_lr", "max_lr", "finish_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(start_lr=0.01, max_lr=0.1, cycle_length=160, cooldown_length=40,
                    finish_lr=0.001)

    def __init__(self, start_lr: float, max_lr: float, cycle_length: int,
                 cooldown_length: int = 0, finish_lr: Optional[float] = None) -> None:
        super().__init__()
        self.start_lr = check_lr("start_lr", start_lr)
        self.max_lr = check_lr("max_lr", max_lr)
        self.cycle_length = check_int("cycle_length", cycle_length)
        self.cooldown_length = check_int("cooldown_length", cooldown_length, minimum=0)
        if finish_lr is None:
            if self.cooldown_length > 0:
                raise ValueError(f"finish_lr must be given when cooldown_length > 0, "
                                 f"got finish_lr=None with cooldown_length={cooldown_length!r}")
            self.finish_lr = self.start_lr
            self._finish_given = False
        else:
            if self.cooldown_length == 0:
                raise ValueError(f"cooldown_length must be > 0 when finish_lr is given, "
                                 f"got cooldown_length=0 with finish_lr={finish_lr!r}")
            self.finish_lr = check_lr("finish_lr", finish_lr)
            self._finish_given = True
        if self.max_lr < self.start_lr:
            raise ValueError(f"max_lr must be >= start_lr={self.start_lr!r}, got {max_lr!r}")
        if self.finish_lr > self.max_lr:
            raise ValueError(f"finish_lr must be <= max_lr={self.max_lr!r}, got {finish_lr!r}")
        self._schedule = LinearCoolDown(
            TriangularSchedule(self.start_lr, self.max_lr, self.cycle_length),
            self.finish_lr, self.cycle_length, self.cooldown_length)

    def _at(self, t):
        return self._schedule._at(t)

    def _values(self, t):
        return self._schedule._values(t)

    def _peak(self):
        return self.max_lr

    def phases(self, total_steps=None):
        half, end = self.cycle_length / 2, self.cycle_length + self.cooldown_length
        out = [Phase("up", 0, half), Phase("down", half, self.cycle_length)]
        if self.cooldown_length:
            out.append(Phase("cool-down", self.cycle_length, end))
        return shift_phases(out + [Phase("final", end, None)], 0, total_steps)

    def _repr_args(self):
        args = [("start_lr", self.start_lr), ("max_lr", self.max_lr),
                ("cycle_length", self.cycle_length)]
        if self._finish_given:
            args += [("cooldown_length", self.cooldown_length), ("finish_lr", self.finish_lr)]
        return args


#: The name used by the classic MXNet "advanced learning rate schedules" tutorial.
OneCycleSchedule = OneCycle
