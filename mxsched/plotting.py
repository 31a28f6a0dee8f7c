"""Seeing a schedule: a plot with its phase boundaries, and a text summary of the phases.

matplotlib is imported inside :func:`plot` only, so importing mxsched never needs it.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .base import Schedule
from .checks import check_int

__all__ = ["plot", "describe"]


def _phases(sched: Schedule, total_steps: int):
    return [(name, start, total_steps if end is None else end)
            for name, start, end in sched.phases(total_steps) if start < total_steps]


def describe(sched: Schedule, total_steps: int) -> str:
    """A short text table of the phases of ``sched`` over ``[0, total_steps]``.

    One line per phase: its name, its step range and the values at its ends.

    Examples
    --------
    >>> from mxsched import CosineAnnealing, LinearWarmUp
    >>> print(describe(LinearWarmUp(CosineAnnealing(0.0, 0.1, 90), 0.0, 10), 120))
    phase           steps            lr start -> end
    warm-up         0 - 10           0.0000 -> 0.1000
    CosineAnnealing 10 - 120         0.1000 -> 0.0000
    """
    total_steps = check_int("total_steps", total_steps)
    lines = [f"{'phase':<15} {'steps':<16} lr start -> end"]
    for name, start, end in _phases(sched, total_steps):
        steps = f"{_num(start)} - {_num(end)}"
        lines.append(f"{name:<15} {steps:<16} {sched(start):.4f} -> {sched(end):.4f}")
    return "\n".join(lines)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def plot(sched: Schedule, total_steps: int, ax: Optional[Any] = None,
         boundaries: bool = True, label: Optional[str] = None, **line_kwargs: Any) -> Any:
    """Plot ``sched`` over updates ``0..total_steps`` and mark its phase boundaries.

    Parameters
    ----------
    sched : Schedule
        Any mxsched schedule (it is evaluated with ``values``, never mutated).
    total_steps : int
        Last update shown.
    ax : matplotlib Axes, optional
        Where to draw; a new figure's axes by default.
    boundaries : bool, default True
        Draw a dotted vertical line at each phase start (``sched.phases``), named.
    label : str, optional
        Legend label of the curve.
    **line_kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    total_steps = check_int("total_steps", total_steps)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3))
    steps = np.arange(total_steps + 1)
    ax.plot(steps, sched.values(steps), label=label, **line_kwargs)
    if boundaries:
        top = ax.get_ylim()[1]
        for name, start, _ in _phases(sched, total_steps):
            if start > 0:
                ax.axvline(start, color="grey", linestyle=":", linewidth=1)
            ax.annotate(name, (start, top), fontsize=7, rotation=90, va="top",
                        xytext=(2, -2), textcoords="offset points")
    ax.set_xlabel("update")
    ax.set_ylabel("learning rate")
    if label is not None:
        ax.legend()
    return ax
