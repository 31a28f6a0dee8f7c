"""PyTorch's learning-rate schedulers, with PyTorch's names and values."""
from __future__ import annotations

import math

import numpy as np

from ..base import Phase, Schedule, between, shift_phases
from ..checks import check_bool, check_choice, check_int, check_lr, check_positive

__all__ = ["TorchOneCycle"]


class TorchOneCycle(Schedule):
    """The 1-cycle policy as PyTorch's ``OneCycleLR`` parameterises it.

    ``initial = max_lr / div_factor``, ``final = initial / final_div_factor``,
    ``N = total_steps``. Phases end at ``e1 = pct_start * N - 1`` and ``N - 1``
    (three-phase: ``e1``, ``e2 = 2 * pct_start * N - 2``, ``N - 1``); in each phase the
    value anneals (``cos``: ``end + (start - end) * (1 + cos(pi * p)) / 2``;
    ``linear``: ``start + (end - start) * p``) with ``p`` the fraction of the phase done::

        two-phase:    initial -> max_lr over [0, e1],  max_lr -> final over [e1, N - 1]
        three-phase:  initial -> max_lr over [0, e1],  max_lr -> initial over [e1, e2],
                      initial -> final over [e2, N - 1]
        after N - 1:  final

    **Step mapping.** ``sched(i)`` is PyTorch's learning rate after ``i`` calls of
    ``scheduler.step()`` (index ``i``, ``0 <= i < N``). PyTorch trains its ``k``-th
    update with index ``k - 1``; MXNet asks for ``sched(k)``. So
    ``Delay(TorchOneCycle(...), 1)`` gives an MXNet run the very learning rates of the
    PyTorch run, update for update (index ``N - 1`` at update ``N``). Past the end the
    value stays at ``final`` (PyTorch raises).

    Parameters
    ----------
    max_lr : float
        The peak; ``base_lr`` (``initial`` and ``final`` follow it when it is assigned).
    total_steps : int
        Steps in the cycle (``>= 2``).
    pct_start : float, default 0.3
        Fraction of the cycle spent increasing; ``pct_start * total_steps`` must exceed 1
        (PyTorch divides by ``e1``) and the phases must not be empty.
    anneal_strategy : {'cos', 'linear'}, default 'cos'
    div_factor : float, default 25
        ``initial = max_lr / div_factor`` (``>= 1``).
    final_div_factor : float, default 1e4
        ``final = initial / final_div_factor`` (``>= 1``).
    three_phase : bool, default False

    Examples
    --------
    >>> s = TorchOneCycle(1.0, total_steps=10, pct_start=0.3, anneal_strategy="linear",
    ...                   div_factor=10, final_div_factor=10)
    >>> [round(s(t), 4) for t in range(11)]
    [0.1, 0.55, 1.0, 0.8586, 0.7171, 0.5757, 0.4343, 0.2929, 0.1514, 0.01, 0.01]

    References
    ----------
    Smith & Topin, "Super-Convergence", 2017 (arXiv:1708.07120).
    """

    _lr_params = ("max_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_lr=0.1, total_steps=200)

    def __init__(self, max_lr: float, total_steps: int, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False) -> None:
        super().__init__()
        self.max_lr = check_lr("max_lr", max_lr)
        self.total_steps = check_int("total_steps", total_steps, minimum=2)
        self.pct_start = check_positive("pct_start", pct_start)
        if self.pct_start >= 1:
            raise ValueError(f"pct_start must be in (0, 1), got {pct_start!r}")
        self.anneal_strategy = check_choice("anneal_strategy", anneal_strategy,
                                            ("cos", "linear"))
        self.div_factor = _check_div("div_factor", div_factor)
        self.final_div_factor = _check_div("final_div_factor", final_div_factor)
        self.three_phase = check_bool("three_phase", three_phase)
        n = self.total_steps
        ends = [self.pct_start * n - 1]
        if self.three_phase:
            ends.append(2 * self.pct_start * n - 2)
        ends.append(n - 1.0)
        starts = [0.0] + ends[:-1]
        if ends[0] <= 0 or any(e <= s for s, e in zip(starts, ends)):
            raise ValueError(f"pct_start must leave every phase non-empty (pct_start * "
                             f"total_steps > 1, phases ending at {ends!r}), got {pct_start!r}")
        self._starts, self._ends = starts, ends

    def _levels(self):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        if self.three_phase:
            return [(initial, self.max_lr), (self.max_lr, initial), (initial, final)]
        return [(initial, self.max_lr), (self.max_lr, final)]

    def _anneal(self, start, end, pct, xp):
        # PyTorch's formulas, kept between the two ends against float rounding
        if self.anneal_strategy == "cos":
            value = end + (start - end) / 2.0 * (xp.cos(math.pi * pct) + 1)
        else:
            value = (end - start) * pct + start
        return between(value, start, end)

    def _at(self, t):
        levels = self._levels()
        t = min(t, self._ends[-1])
        for (start, end), s, e in zip(levels, self._starts, self._ends):
            if t <= e:
                return self._anneal(start, end, (t - s) / (e - s), math)
        raise AssertionError("unreachable")  # pragma: no cover

    def _values(self, t):
        t = np.minimum(t, self._ends[-1])
        out = np.empty_like(t)
        done = np.zeros(t.shape, dtype=bool)
        for (start, end), s, e in zip(self._levels(), self._starts, self._ends):
            mask = (t <= e) & ~done
            out[mask] = self._anneal(start, end, (t[mask] - s) / (e - s), np)
            done |= mask
        return out

    def _peak(self):
        return self.max_lr

    def phases(self, total_steps=None):
        names = ["warm-up", "anneal", "annihilate"] if self.three_phase else ["warm-up",
                                                                                "anneal"]
        out = [Phase(n, s, e) for n, s, e in zip(names, self._starts, self._ends)]
        out.append(Phase("floor", self._ends[-1], None))
        return shift_phases(out, 0, total_steps)

    def _repr_args(self):
        return [("max_lr", self.max_lr), ("total_steps", self.total_steps),
                ("pct_start", self.pct_start), ("anneal_strategy", self.anneal_strategy),
                ("div_factor", self.div_factor), ("final_div_factor", self.final_div_factor),
                ("three_phase", self.three_phase)]


def _check_div(name, value):
    value = check_positive(name, value)
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return value
