"""The schedule base class, argument checks and the one interpolation helper.

Every mxsched schedule is a :class:`mxnet.lr_scheduler.LRScheduler` whose value is a
pure function of the update count ``t``. Subclasses implement two methods:

* ``_at(t)``: the value at one step (``t >= 0`` already checked), and
* ``_values(t)``: the same for a float64 numpy array of steps,

and name their learning-rate parameters in ``_lr_params`` so that assigning
``base_lr`` can rescale them. Wrappers hold private copies of their children and
call the children's ``_at`` / ``_values`` with local steps; nothing is ever
mutated by evaluation.

Only ``from mxnet.lr_scheduler import LRScheduler`` is used here: attribute access on
the ``mxnet`` package at import time breaks unpickling inside a parameter server
(see SPEC section 1).
"""
from __future__ import annotations

import math
import numbers
import operator
from typing import Any, Iterable, List, NamedTuple, Optional, Tuple

import numpy as np
from mxnet.lr_scheduler import LRScheduler

__all__ = ["Schedule", "Phase", "interpolate"]


def interpolate(start, end, frac):
    """Linear interpolation ``start + (end - start) * frac``.

    Works on Python floats and on numpy arrays alike; every linear piece of every
    mxsched schedule goes through this helper.

    >>> interpolate(1.0, 3.0, 0.25)
    1.5
    """
    return start + (end - start) * frac


# --------------------------------------------------------------------------- checks
def check_lr(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite, non-negative learning rate."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite, non-negative learning rate, got {value!r}")
    return value


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is an integer ``>= minimum``."""
    kind = {0: "non-negative integer", 1: "positive integer"}.get(minimum,
                                                                 f"integer >= {minimum}")
    kind = ("an " if kind.startswith("integer") else "a ") + kind
    if isinstance(value, bool):
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    try:
        ivalue = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be {kind}, got {value!r}") from None
    if ivalue < minimum:
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return ivalue


def check_fraction(name: str, value: Any) -> float:
    """Return ``value`` as a float if it lies in ``(0, 1]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not 0 < value <= 1:  # also rejects NaN
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return float(value)


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is finite and ``> 0``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def as_steps(steps: Any) -> np.ndarray:
    """Steps as a float64 array, rejecting negative and non-finite entries."""
    arr = np.asarray(steps, dtype=np.float64)
    bad = ~(arr >= 0) | ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"steps must be finite and >= 0, got {arr[bad].flat[0]!r}")
    return arr


class Phase(NamedTuple):
    """One named phase of a schedule: steps ``start <= t < end`` (``end=None``: open)."""

    name: str
    start: float
    end: Optional[float]


# --------------------------------------------------------------------------- base
class Schedule(LRScheduler):
    """Base class of every mxsched schedule.

    A schedule maps the update count ``t`` (update 1 is the first optimizer update,
    ``t = 0`` is "before training") to a learning rate. It is

    * an :class:`mxnet.lr_scheduler.LRScheduler`, usable as ``lr_scheduler`` of
      :class:`mxnet.gluon.Trainer` and :func:`mxnet.optimizer.create`;
    * pure: ``sched(t)`` depends on ``t`` and the constructor arguments only;
    * vectorised: ``sched.values(steps)`` equals ``[sched(t) for t in steps]``;
    * rescalable: ``base_lr`` reads as the reference peak and assigning it scales the
      whole schedule proportionally (this is what ``Trainer(..., {'learning_rate':
      x, 'lr_scheduler': sched})`` does: "peak ``x``").

    The ``base_lr`` of MXNet's ``LRScheduler.__init__`` and its warm-up attributes are
    not used: mxsched expresses warm-up by composition (:class:`LinearWarmUp`).
    """

    #: names of the attributes holding learning rates, rescaled by ``base_lr = x``
    _lr_params: Tuple[str, ...] = ()
    #: keyword names of the arguments ``_repr_args`` shows positionally (name ``None``)
    _positional: Tuple[str, ...] = ()

    # LRScheduler.__init__ only sets attributes mxsched does not use; it is not called.
    def __init__(self) -> None:  # pylint: disable=super-init-not-called
        pass

    # -- evaluation ------------------------------------------------------------
    def __call__(self, num_update: float) -> float:
        """The learning rate at update ``num_update`` (a number ``>= 0``)."""
        if not num_update >= 0:  # also rejects NaN
            raise ValueError(f"num_update must be a number >= 0, got {num_update!r}")
        return float(self._at(num_update))

    def values(self, steps: Iterable[float]) -> np.ndarray:
        """The learning rates at every step of ``steps``, as a float64 array.

        Equal to ``np.array([self(t) for t in steps])`` up to float rounding (numpy's
        ``cos`` and ``math.cos`` may differ in the last bits; the tests hold them to a
        relative 1e-12) but computed with numpy, so a million steps take milliseconds.
        The shape of ``steps`` is kept.
        """
        arr = as_steps(steps)
        return np.asarray(self._values(arr), dtype=np.float64).reshape(arr.shape)

    def _at(self, t):
        raise NotImplementedError

    def _values(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # -- base_lr ---------------------------------------------------------------
    def _peak(self) -> float:
        """The reference peak: the largest value of the first phase or cycle."""
        raise NotImplementedError

    def _rescale(self, factor: float) -> None:
        """Multiply every learning rate of this schedule (and its children) by ``factor``."""
        for name in self._lr_params:
            setattr(self, name, getattr(self, name) * factor)

    @property
    def base_lr(self) -> float:
        """The schedule's reference peak; assigning it rescales the whole schedule."""
        return self._peak()

    @base_lr.setter
    def base_lr(self, value: float) -> None:
        value = check_positive("base_lr", value)
        peak = self._peak()
        if peak <= 0:
            raise ValueError(
                f"base_lr cannot be set on {self!r}: its peak is {peak!r}, so it cannot be "
                "rescaled proportionally"
            )
        self._rescale(value / peak)

    # -- repr ------------------------------------------------------------------
    def _repr_args(self) -> list:
        """``[(name, value), ...]`` of the constructor call shown by ``repr``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        parts = []
        for name, value in self._repr_args():
            if name is None:
                parts.append(_fmt(value))
            else:
                parts.append(f"{name}={_fmt(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"

    # -- configs and phases ------------------------------------------------------
    def get_config(self) -> dict:
        """A JSON-safe description ``{"class": name, "config": {...}}``; see
        :func:`mxsched.from_config`, which rebuilds the schedule from it."""
        from .config import get_config  # pylint: disable=import-outside-toplevel
        return get_config(self)

    def phases(self, total_steps: Optional[float] = None) -> List[Phase]:
        """The named phases of the schedule as :class:`Phase` ``(name, start, end)``.

        Wrappers report their own phases and their children's, shifted to global
        steps; a plain shape is one phase named after its class. ``total_steps`` bounds
        open-ended or repeating schedules (cycles are listed up to it).
        """
        return [Phase(type(self).__name__, 0, None)]

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


def _fmt(value: Any) -> str:
    """repr of a constructor argument; classes are shown by name."""
    if isinstance(value, type):
        return value.__name__
    return repr(value)


def shift_phases(phases: List[Phase], offset: float,
                 end: Optional[float] = None) -> List[Phase]:
    """``phases`` moved ``offset`` steps later and cut at ``end`` (global steps)."""
    out = []
    for name, start, stop in phases:
        start = start + offset
        stop = None if stop is None else stop + offset
        if end is not None:
            if start >= end:
                continue
            stop = end if stop is None else min(stop, end)
        out.append(Phase(name, start, stop))
    return out


def check_choice(name: str, value: Any, choices: Tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def check_real(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value
