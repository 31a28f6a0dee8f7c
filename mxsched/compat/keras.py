"""Keras's learning-rate schedules, with Keras's names and values."""
from __future__ import annotations

from typing import Optional

from ..base import Phase, Schedule, shift_phases
from ..checks import check_int, check_lr
from ..shapes import CosineAnnealing
from ..warmup import LinearWarmUp

__all__ = ["KerasCosineDecay"]


def _check_ratio(name, value):
    value = check_lr(name, value)
    if value > 1:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return value


class KerasCosineDecay(Schedule):
    """Keras ``CosineDecay``, same parameters, same values at every step.

    Without ``warmup_target``: ``L = initial_learning_rate`` and, for every ``t``::

        lr(t) = L * ((1 - alpha) * (1 + cos(pi * min(t, decay_steps) / decay_steps)) / 2 + alpha)

    With ``warmup_target = L``: a linear warm-up from ``initial_learning_rate`` to ``L``
    over ``warmup_steps``, then the decay above from ``L``, shifted by ``warmup_steps``.
    It is ``LinearWarmUp(CosineAnnealing(alpha * L, L, decay_steps), initial_learning_rate,
    warmup_steps)``; ``base_lr`` is ``L``.

    Parameters
    ----------
    initial_learning_rate : float
        Start value (``<= warmup_target`` when that is given).
    decay_steps : int
        Steps of the cosine (``>= 1``).
    alpha : float, default 0
        The floor as a fraction of ``L``, in ``[0, 1]``.
    warmup_target : float, optional
        Value reached by the warm-up.
    warmup_steps : int, default 0
        Steps of the warm-up (``>= 1`` when ``warmup_target`` is given).

    Examples
    --------
    >>> s = KerasCosineDecay(0.0, decay_steps=4, alpha=0.1, warmup_target=1.0, warmup_steps=2)
    >>> [round(s(t), 4) for t in range(8)]
    [0.0, 0.5, 1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]
    """

    _lr_params = ("initial_learning_rate", "warmup_target")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(initial_learning_rate=0.0, decay_steps=150, alpha=0.05, warmup_target=0.1, warmup_steps=30)

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 warmup_target: Optional[float] = None, warmup_steps: int = 0) -> None:
        super().__init__()
        self.initial_learning_rate = check_lr("initial_learning_rate", initial_learning_rate)
        self.decay_steps = check_int("decay_steps", decay_steps)
        self.alpha = _check_ratio("alpha", alpha)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        if warmup_target is not None:
            warmup_target = check_lr("warmup_target", warmup_target)
            if warmup_target < self.initial_learning_rate:
                raise ValueError(f"warmup_target must be >= initial_learning_rate="
                                 f"{self.initial_learning_rate!r}, got {warmup_target!r}")
            if self.warmup_steps == 0:
                raise ValueError("warmup_steps must be >= 1 when warmup_target is given, got 0")
        elif self.warmup_steps:
            raise ValueError(f"warmup_target must be given when warmup_steps > 0, "
                             f"got None with warmup_steps={warmup_steps!r}")
        self.warmup_target = warmup_target
        target = (self.initial_learning_rate if self.warmup_target is None
                  else self.warmup_target)
        decay = CosineAnnealing(self.alpha * target, target, self.decay_steps)
        self._schedule = (decay if self.warmup_target is None else
                          LinearWarmUp(decay, self.initial_learning_rate, self.warmup_steps))

    def _at(self, t):
        return self._schedule._at(t)

    def _values(self, t):
        return self._schedule._values(t)

    def _peak(self):
        return self._schedule._peak()

    def phases(self, total_steps=None):
        w, d = self.warmup_steps, self.decay_steps
        out = [Phase("warm-up", 0, w), Phase("decay", w, w + d), Phase("floor", w + d, None)]
        return shift_phases([p for p in out if p.end is None or p.end > p.start], 0,
                            total_steps)

    def _repr_args(self):
        args = [("initial_learning_rate", self.initial_learning_rate),
                ("decay_steps", self.decay_steps), ("alpha", self.alpha)]
        if self.warmup_target is not None:
            args += [("warmup_target", self.warmup_target), ("warmup_steps", self.warmup_steps)]
        return args
