"""Seeing a schedule: a plot with its phase boundaries, and a text summary of the phases.

matplotlib is imported inside :func:`plot` only, so importing mxsched never needs it.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .base import Schedule
from .checks import check_bool, check_int

__all__ = ["plot", "describe"]


def _phases(sched: Schedule, total_steps: int):
    return [(name, start, total_steps if end is None else end)
            for name, start, end in sched.phases(total_steps) if start < total_steps]


def describe(sched: Schedule, total_steps: int) -> str:
    """A short text table of the phases of ``sched`` over ``[0, total_steps]``.

    One line per phase: its name, its step range ``start - end`` (the phase covers
    ``start <= t < end``) and the values at its ends -- the value at ``start``, and the
    value just before ``end`` (so a restart or a drop at ``end`` shows in the next line;
    the last phase shows the value at ``total_steps``).

    Parameters
    ----------
    sched : Schedule
        Any mxsched schedule (it is evaluated, never changed).
    total_steps : int
        The last update described (``>= 1``).

    Returns
    -------
    str

    Examples
    --------
    >>> from mxsched import CosineAnnealing, CyclicalSchedule, LinearWarmUp
    >>> print(describe(LinearWarmUp(CosineAnnealing(0.0, 0.1, 90), 0.0, 10), 120))
    phase            steps      lr start -> end
    warm-up          0 - 10     0.0000 -> 0.1000
    CosineAnnealing  10 - 120   0.1000 -> 0.0000
    >>> print(describe(CyclicalSchedule(CosineAnnealing, 10, min_lr=0.0, max_lr=0.1), 20))
    phase    steps     lr start -> end
    cycle 0  0 - 10    0.1000 -> 0.0000
    cycle 1  10 - 20   0.1000 -> 0.1000

    The last line ends at update 20 itself, which starts cycle 2.
    """
    _check_schedule(sched)
    total_steps = check_int("total_steps", total_steps)
    rows = []
    for name, start, end in _phases(sched, total_steps):
        # the value just before the end: the limit from the left (a restart at ``end``
        # belongs to the next phase)
        last = sched(total_steps) if end >= total_steps else sched(max(start, end - 1e-9 * max(end, 1.0)))
        rows.append((name, f"{_num(start)} - {_num(end)}", f"{sched(start):.4f} -> {last:.4f}"))
    width = max([len("phase")] + [len(r[0]) for r in rows]) + 2
    steps = max([len("steps")] + [len(r[1]) for r in rows]) + 3
    lines = [f"{'phase':<{width}}{'steps':<{steps}}lr start -> end"]
    lines += [f"{name:<{width}}{span:<{steps}}{values}" for name, span, values in rows]
    return "\n".join(lines)


def _check_schedule(sched: Any) -> None:
    if not isinstance(sched, Schedule):
        raise TypeError(f"sched must be an mxsched schedule, got {sched!r}")


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

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from mxsched import CosineAnnealing, LinearWarmUp
    >>> ax = plot(LinearWarmUp(CosineAnnealing(0.0, 0.1, 90), 0.0, 10), 120)
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.lines[0].get_ydata()[[0, 10, 100]].round(3).tolist()
    ('update', 'learning rate', [0.0, 0.1, 0.0])
    """
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    _check_schedule(sched)
    total_steps = check_int("total_steps", total_steps)
    boundaries = check_bool("boundaries", boundaries)
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
