"""Keras's learning-rate schedules (``keras.optimizers.schedules``), same names, same values.

Drop-ins for the six schedules of Keras 3: :class:`ExponentialDecay`,
:class:`PiecewiseConstantDecay`, :class:`PolynomialDecay`, :class:`InverseTimeDecay`,
:class:`CosineDecay` and :class:`CosineDecayRestarts`. Each takes Keras's arguments, in
Keras's order and with Keras's defaults (``name`` included, in its place: 4th in
``CosineDecay``), and is a pure mxsched schedule (``repr(sched.core)`` shows what it is
made of).

Conventions
-----------
* **Update alignment.** A Keras optimizer evaluates ``schedule(iterations)`` before each
  update and increments ``iterations`` (0 at the start) after it: its ``k``-th update uses
  ``schedule(k - 1)``. MXNet asks ``sched(k)`` before update ``k``. Every drop-in is built
  as ``Delay(indexed, 1)``, where ``indexed(step)`` is Keras's ``schedule(step)``, so
  update ``k`` applies what Keras applies at its ``k``-th update (``sched(0)`` is
  ``schedule(0)`` too). With Keras's ``gradient_accumulation_steps=G`` the schedule sees
  the raw counter (the ``j``-th real update uses ``schedule(j * G - 1)``): with one MXNet
  update per ``G`` batches, ``InUnits(sched, Fraction(1, G))`` gives those values.
* **No ``lr`` keyword.** Keras's schedules take the rate themselves
  (``initial_learning_rate``, or ``values``), so the drop-ins do too; they are the
  ``base_lr`` of :class:`mxnet.gluon.Trainer`: give no ``learning_rate`` to the
  ``Trainer`` (or the schedule's ``base_lr``), or it rescales the schedule to peak there.
* **``name``** is stored and shown in ``repr`` (and configs) when it is not Keras's
  default; ``None`` (which Keras also accepts) is shown, pickled and saved as the
  default. It must be printable ASCII: MXNet sends schedules to parameter servers as
  protocol-0 pickles decoded as UTF-8.
* **Validation.** The checks Keras makes raise what Keras raises, with Keras's message
  (``decay_steps <= 0``, the lengths of ``boundaries`` and ``values``; a ``decay_steps``
  that cannot be compared with 0, such as None, fails the same comparison with Python's
  ``TypeError``). What Keras accepts but no bounded learning-rate schedule can follow,
  and what Keras only fails on when called, raises a ``ValueError`` (``TypeError`` for a
  wrong type) at construction, naming the argument and the value (see below).

Deliberately not reproduced
---------------------------
* **float32 arithmetic.** Keras evaluates in the dtype of ``initial_learning_rate``:
  float32 for a Python float, with every other argument first rounded to float32. The
  drop-ins compute in float64 (Keras's values are within a few float32 roundings of
  theirs, relative 1e-7; the default ``end_learning_rate=0.0001`` of
  :class:`PolynomialDecay` is ``float32(1e-4)`` in Keras, even in float64).
* **Integer arithmetic.** An ``int`` ``initial_learning_rate`` (or ``values[0]``) makes
  Keras compute in int32, truncating ``decay_rate``, ``alpha``, ``end_learning_rate``,
  the other ``values`` and even pi: ``ExponentialDecay(1, 10, 0.5)`` gives 0.0 at step 5,
  ``CosineDecay(1, 10)`` 0.5354. The drop-ins convert the rates to float (0.7071 and
  0.5 there).
* **Float rounding at restarts.** :class:`CosineDecayRestarts` locates the cycle of a
  step with ``floor(log(1 - f * (1 - t_mul)) / log(t_mul))``, which at some exact restart
  steps rounds to the cycle before: the restart step then gets the end of the previous
  cycle (``alpha * initial_learning_rate``) instead of the new top. Float32 Keras does
  it at other steps than float64 (e.g. the default ``t_mul=2`` with
  ``first_decay_steps=61`` at step 183 in float32, ``t_mul=3`` with
  ``first_decay_steps=1`` at step 121 in float64). The drop-in restarts at every
  restart.
* **Inputs Keras accepts that no bounded schedule can follow** are refused: negative
  rates, ``nan`` or infinite lengths, a bool for a number, a ``decay_rate`` above 1 or
  0 (``ExponentialDecay``: a rate growing without bound, or zero after the first step)
  or negative (``InverseTimeDecay``), a negative ``power``, ``alpha`` or
  ``warmup_steps``, a fractional ``warmup_steps``, ``t_mul < 1`` (Keras's values become
  nan once the shrinking cycles end) and ``m_mul`` outside ``[0, 1]``; boundaries that
  decrease (Keras adds up the values of overlapping intervals) and an empty
  ``boundaries`` (Keras raises ``IndexError`` at the first call); a ``staircase`` or
  ``cycle`` other than True / False (Keras tests truthiness).
* **``values`` as an attribute.** ``PiecewiseConstantDecay`` stores its ``values`` as
  ``lr_values``: ``values`` is the method of every mxsched schedule.

Examples
--------
>>> from mxsched.compat.keras import CosineDecay
>>> s = CosineDecay(0.0, decay_steps=4, alpha=0.1, warmup_target=1.0, warmup_steps=2)
>>> [round(s(k), 4) for k in range(1, 9)]
[0.0, 0.5, 1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]
"""
from __future__ import annotations

import inspect
import math
import numbers
from typing import Any, Callable, List, Optional, Sequence, Union

import numpy as np

from ..base import Schedule
from ..checks import MAX_STEP, check_bool, check_lr, check_real
from ..compose import Delay, Envelope, Join
from ..cycles import Restarts
from ..decays import ExponentialDecay as _Exponential
from ..decays import InverseTimeDecay as _InverseTime
from ..decays import PolynomialDecay as _Polynomial
from ..shapes import Constant, CosineAnnealing
from ..units import InUnits
from ..warmup import LinearWarmUp
from ._base import DropIn

__all__ = ["ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
           "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts"]

Steps = Union[int, float]


# --------------------------------------------------------------------------- checks
def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _check_steps(label: str, value: Any) -> Steps:
    """A length in steps: Keras's own check first, then a finite number ``<= MAX_STEP``.

    Keras only tests ``value <= 0`` (so None or a str fail that comparison with Python's
    TypeError, and True, nan or inf pass). Returns an int for an integer, else a float.
    """
    if value <= 0:
        raise ValueError(f"Argument `{label}` must be > 0. Received: {label}={value}")
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{label} must be a real number, got {value!r}")
    out = int(value) if isinstance(value, numbers.Integral) else float(value)
    if not math.isfinite(out):
        raise ValueError(f"{label} must be a finite number > 0, got {value!r}")
    if out > MAX_STEP:
        raise ValueError(f"{label} must be <= {MAX_STEP}, got {value!r}")
    return out


def _whole(steps: Steps) -> Optional[int]:
    """``steps`` as an int if it is a whole number, else None."""
    return int(steps) if float(steps).is_integer() else None


def _check_at_least(name: str, value: Any, minimum: float, why: str = "") -> float:
    value = check_real(name, value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum!r}{why}, got {value!r}")
    return value


def _check_whole_steps(name: str, value: Any) -> Steps:
    """A whole number of steps ``>= 0``, as an int or an integral float (kept as given)."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a whole number of steps, got {value!r}")
    out = int(value) if isinstance(value, numbers.Integral) else float(value)
    if not (math.isfinite(out) and float(out).is_integer() and 0 <= out <= MAX_STEP):
        raise ValueError(f"{name} must be a whole number of steps in [0, {MAX_STEP}], "
                         f"got {value!r}")
    return out


def _check_name(value: Any) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"name must be a string or None, got {value!r}")
    if not value.isascii() or not value.isprintable():
        raise ValueError(f"name must be a printable ASCII string, got {value!r}")
    return value


# --------------------------------------------------------------------------- shapes
def _in_steps(curve: Callable[[int], Schedule], steps: Steps, label: str) -> Schedule:
    """``curve(length)`` stretched over ``steps`` steps: built with that length when it
    is a whole number, else with length 1 in units of ``steps`` steps (position
    ``t / steps``, rounded once, as Keras's ``step / decay_steps``)."""
    whole = _whole(steps)
    if whole is not None:
        return curve(whole)
    return InUnits(curve(1), steps, unit=label)


def _cosine(floor: float, top: float, length: int) -> Schedule:
    """Half a cosine from ``top`` to ``floor`` over ``length`` steps (either way round)."""
    if floor <= top:
        return CosineAnnealing(floor, top, length)
    return Envelope(Constant(top), CosineAnnealing(0.0, 1.0, length), min_lr=floor)


# --------------------------------------------------------------------------- the base
class _KerasParts:
    """What the six drop-ins share: the peer-style repr (``name`` shown only when it is
    not Keras's default) and update alignment. A plain mixin, not a schedule class."""

    def _repr_args(self) -> list:
        params = inspect.signature(type(self).__init__).parameters
        out = []
        for key, param in params.items():
            if key == "self":
                continue
            value = self.lr_values if key == "values" else getattr(self, key)
            if key == "name" and (value is None or value == param.default):
                continue
            out.append((key, value))
        return out

    def _align(self, indexed: Schedule) -> None:
        """Keras's update ``k`` uses ``schedule(k - 1)``."""
        self._core = Delay(indexed, 1)


# --------------------------------------------------------------------------- exponential
class ExponentialDecay(_KerasParts, DropIn):
    """Keras's ``ExponentialDecay``: multiply by ``decay_rate`` every ``decay_steps``.

    Keras's ``schedule(step)``, used for update ``k = step + 1``::

        p = step / decay_steps                    (staircase: floor(step / decay_steps))
        lr = initial_learning_rate * decay_rate ** p

    It decays for ever (no floor). With ``staircase`` the first drop is at step
    ``decay_steps``, i.e. update ``decay_steps + 1``.

    Built from ``ExponentialDecay(initial_learning_rate, decay_steps, decay_rate,
    staircase)`` behind ``Delay(..., 1)``.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0; ``base_lr``.
    decay_steps : int or float
        Steps per factor ``decay_rate`` (``> 0``, may be fractional).
    decay_rate : float
        The factor, in ``(0, 1]``.
    staircase : bool, default False
        Decay in whole steps of ``decay_steps``.
    name : str, optional
        Keras's name of the schedule (not used in the values).

    Examples
    --------
    >>> s = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5)
    >>> [round(s(k), 4) for k in range(1, 6)]
    [1.0, 0.7071, 0.5, 0.3536, 0.25]
    >>> s = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
    >>> [round(s(k), 4) for k in range(1, 6)]
    [1.0, 1.0, 0.5, 0.5, 0.25]

    References
    ----------
    Keras 3 ``keras/src/optimizers/schedules/learning_rate_schedule.py``
    (``ExponentialDecay``).
    """

    _lr_params = ("initial_learning_rate",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(initial_learning_rate=0.1, decay_steps=50, decay_rate=0.5)

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: Optional[str] = "ExponentialDecay") -> None:
        super().__init__()
        self.decay_steps = _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = check_lr("initial_learning_rate", initial_learning_rate)
        self.decay_rate = check_real("decay_rate", decay_rate)
        if not 0 < self.decay_rate <= 1:
            raise ValueError(f"decay_rate must be in (0, 1] (a decay), got {decay_rate!r}")
        self.staircase = check_bool("staircase", staircase)
        self.name = _check_name(name)
        self._align(_Exponential(self.initial_learning_rate, self.decay_steps,
                                 self.decay_rate, self.staircase))


# --------------------------------------------------------------------------- piecewise
class PiecewiseConstantDecay(_KerasParts, DropIn):
    """Keras's ``PiecewiseConstantDecay``: constant values between boundary steps.

    Keras's ``schedule(step)``, used for update ``k = step + 1``, with the boundaries
    ``b`` truncated to integers (Keras casts them to the step counter's integer type)::

        lr = values[0]      for step <= b[0]
             values[i]      for b[i - 1] < step <= b[i]
             values[-1]     for step > b[-1]

    The boundary step itself keeps the earlier value: ``values[i]`` first applies at
    step ``b[i - 1] + 1``, update ``b[i - 1] + 2``. Equal boundaries (after truncation)
    skip the values between them, as in Keras; a value whose interval holds no step
    ``>= 0`` (a negative boundary) is never used.

    Built from ``Join([Constant(v) ...], [b + 1 ...])`` (``Constant`` for a single
    interval) behind ``Delay(..., 1)``. ``values`` is stored as ``lr_values``
    (``values`` is the method of every schedule).

    Parameters
    ----------
    boundaries : list of int or float
        Non-decreasing steps once truncated (at least one).
    values : list of float
        ``len(boundaries) + 1`` learning rates (``>= 0``); ``base_lr`` is the largest
        one used.
    name : str, optional
        Keras's name of the schedule (not used in the values).

    Examples
    --------
    >>> s = PiecewiseConstantDecay(boundaries=[2, 4], values=[1.0, 0.5, 0.1])
    >>> [s(k) for k in range(1, 8)]
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1]

    References
    ----------
    Keras 3 ``keras/src/optimizers/schedules/learning_rate_schedule.py``
    (``PiecewiseConstantDecay``).
    """

    _lr_params = ("values",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(boundaries=[80, 150], values=[0.1, 0.02, 0.004])

    def __init__(self, boundaries: Sequence[float], values: Sequence[float],
                 name: Optional[str] = "PiecewiseConstant") -> None:
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        for label, items in (("boundaries", boundaries), ("values", values)):
            if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
                raise TypeError(f"{label} must be a list of numbers, got {items!r}")
        if not len(boundaries):
            raise ValueError(f"boundaries must hold at least one step (Keras fails at its "
                             f"first call without one), got {boundaries!r}")
        self.boundaries: List[Steps] = []
        for i, b in enumerate(boundaries):
            label = f"boundaries[{i}]"
            if _is_bool(b) or not isinstance(b, numbers.Real):
                raise TypeError(f"{label} must be a real number, got {b!r}")
            b = int(b) if isinstance(b, numbers.Integral) else float(b)
            if not (math.isfinite(b) and abs(b) <= MAX_STEP):
                raise ValueError(f"{label} must be a finite number of at most {MAX_STEP} "
                                 f"in size, got {boundaries[i]!r}")
            self.boundaries.append(b)
        self.lr_values = [check_lr(f"values[{i}]", v) for i, v in enumerate(values)]
        self.name = _check_name(name)
        cut = [math.trunc(b) for b in self.boundaries]
        for i in range(1, len(cut)):
            if cut[i] < cut[i - 1]:
                raise ValueError(f"boundaries must be non-decreasing once truncated to whole "
                                 f"steps, got {list(boundaries)!r} (boundaries[{i}] = "
                                 f"{boundaries[i]!r} < {boundaries[i - 1]!r})")
        # values[i] holds for starts[i] <= step < starts[i + 1], with values[i + 1]
        # starting at cut[i] + 1; keep the intervals that hold a step >= 0
        starts = [0] + [max(c + 1, 0) for c in cut]
        kept = [(start, value) for start, end, value in
                zip(starts, starts[1:] + [math.inf], self.lr_values) if end > start]
        if len(kept) == 1:
            indexed = Constant(kept[0][1])
        else:
            indexed = Join([Constant(value) for _, value in kept],
                           [start for start, _ in kept[1:]])
        self._align(indexed)

    def _scaled(self, factor: float) -> "PiecewiseConstantDecay":
        return type(self)(self.boundaries, [v * factor for v in self.lr_values],
                          self.name)


# --------------------------------------------------------------------------- polynomial
class PolynomialDecay(_KerasParts, DropIn):
    """Keras's ``PolynomialDecay``: from ``initial_learning_rate`` to
    ``end_learning_rate`` along ``(1 - p) ** power``, optionally cycling.

    Keras's ``schedule(step)``, used for update ``k = step + 1``, with
    ``D = decay_steps``::

        p = min(step, D) / D                                 (cycle=False)
        p = step / (D * max(1, ceil(step / D)))              (cycle=True)
        lr = (initial_learning_rate - end_learning_rate) * (1 - p) ** power + end_learning_rate

    Without ``cycle``, ``end_learning_rate`` (default ``1e-4``, not 0) is reached at step
    ``D`` (update ``D + 1``) and kept. With ``cycle`` the rate touches it at every
    multiple of ``D`` and jumps back only part of the way (to the value at ``p = (jD +
    1) / ((j + 1) D)``): later cycles are ever shallower. An ``end_learning_rate`` above
    ``initial_learning_rate`` makes it rise (a warm-up); ``power=0`` keeps
    ``initial_learning_rate``.

    Built from ``PolynomialDecay(end_learning_rate, initial_learning_rate, D, power,
    cycle)`` (rising: ``Envelope(Constant(initial_learning_rate), PolynomialDecay(0, 1,
    D, power, cycle), min_lr=end_learning_rate)``; a fractional ``D``: length 1 in
    ``InUnits(..., D)``) behind ``Delay(..., 1)``.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0.
    decay_steps : int or float
        Steps of the decay (``> 0``, may be fractional).
    end_learning_rate : float, default 0.0001
        The rate reached after ``decay_steps`` steps; ``base_lr`` is the larger of the
        two rates.
    power : float, default 1
        The exponent (``>= 0``); 1 is linear.
    cycle : bool, default False
        Restart the decay after each ``decay_steps`` as Keras does (see above).
    name : str, optional
        Keras's name of the schedule (not used in the values).

    Examples
    --------
    >>> s = PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0, power=2.0)
    >>> [round(s(k), 4) for k in range(1, 7)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    >>> s = PolynomialDecay(1.0, decay_steps=2, end_learning_rate=0.0, cycle=True)
    >>> [round(s(k), 4) for k in range(1, 7)]
    [1.0, 0.5, 0.0, 0.25, 0.0, 0.1667]

    References
    ----------
    Keras 3 ``keras/src/optimizers/schedules/learning_rate_schedule.py``
    (``PolynomialDecay``).
    """

    _lr_params = ("initial_learning_rate", "end_learning_rate")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(initial_learning_rate=0.1, decay_steps=180, end_learning_rate=1e-4,
                    power=2.0)

    def __init__(self, initial_learning_rate: float, decay_steps: float,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: Optional[str] = "PolynomialDecay") -> None:
        super().__init__()
        self.decay_steps = _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = lr0 = check_lr("initial_learning_rate",
                                                    initial_learning_rate)
        self.end_learning_rate = end = check_lr("end_learning_rate", end_learning_rate)
        self.power = _check_at_least("power", power, 0.0,
                                     " (Keras's rate is inf at the end of the decay "
                                     "otherwise)")
        self.cycle = check_bool("cycle", cycle)
        self.name = _check_name(name)
        if self.power == 0:  # (1 - p) ** 0 = 1, also at p = 1
            self._align(Constant(lr0))
            return

        def curve(length: int) -> Schedule:
            if end <= lr0:
                return _Polynomial(end, lr0, length, self.power, self.cycle)
            return Envelope(Constant(lr0), _Polynomial(0.0, 1.0, length, self.power,
                                                       self.cycle), min_lr=end)
        self._align(_in_steps(curve, self.decay_steps, "decay_steps"))


# --------------------------------------------------------------------------- inverse time
class InverseTimeDecay(_KerasParts, DropIn):
    """Keras's ``InverseTimeDecay``: ``initial_learning_rate / (1 + decay_rate * p)``.

    Keras's ``schedule(step)``, used for update ``k = step + 1``::

        p = step / decay_steps                    (staircase: floor(step / decay_steps))
        lr = initial_learning_rate / (1 + decay_rate * p)

    It decays for ever (no floor).

    Built from ``InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate,
    staircase)`` behind ``Delay(..., 1)``.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0; ``base_lr``.
    decay_steps : int or float
        Steps per unit of ``p`` (``> 0``, may be fractional).
    decay_rate : float
        Decay per unit of ``p`` (``>= 0``).
    staircase : bool, default False
        Decay in whole steps of ``decay_steps``.
    name : str, optional
        Keras's name of the schedule (not used in the values).

    Examples
    --------
    >>> s = InverseTimeDecay(1.0, decay_steps=2, decay_rate=0.5)
    >>> [round(s(k), 4) for k in range(1, 6)]
    [1.0, 0.8, 0.6667, 0.5714, 0.5]

    References
    ----------
    Keras 3 ``keras/src/optimizers/schedules/learning_rate_schedule.py``
    (``InverseTimeDecay``).
    """

    _lr_params = ("initial_learning_rate",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(initial_learning_rate=0.1, decay_steps=20, decay_rate=0.5)

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: Optional[str] = "InverseTimeDecay") -> None:
        super().__init__()
        self.decay_steps = _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = check_lr("initial_learning_rate", initial_learning_rate)
        self.decay_rate = _check_at_least("decay_rate", decay_rate, 0.0)
        self.staircase = check_bool("staircase", staircase)
        self.name = _check_name(name)
        self._align(_InverseTime(self.initial_learning_rate, self.decay_steps,
                                 self.decay_rate, self.staircase))


# --------------------------------------------------------------------------- cosine
class CosineDecay(_KerasParts, DropIn):
    """Keras's ``CosineDecay``: an optional linear warm-up, then a cosine decay to a floor.

    Keras's ``schedule(step)``, used for update ``k = step + 1``, with
    ``D = decay_steps``, ``W = warmup_steps`` and
    ``decay(s, top) = top * ((1 - alpha) * (1 + cos(pi * s / D)) / 2 + alpha)``::

        warmup_target None:  lr = decay(min(step, D), initial_learning_rate)
        otherwise:           s = min(step, W + D)
                             lr = initial_learning_rate
                                  + (warmup_target - initial_learning_rate) * s / W    s < W
                             lr = decay(s - W, warmup_target)                        s >= W

    ``decay_steps`` counts the decay only: with a warm-up the schedule lasts ``W + D``
    steps; ``warmup_target`` is reached at step ``W`` (update ``W + 1``), the floor
    ``alpha * warmup_target`` at step ``W + D`` and kept. Without ``warmup_target``,
    ``warmup_steps`` is ignored (as in Keras); with ``warmup_steps=0`` the decay starts
    from ``warmup_target``. ``alpha`` is the floor as a fraction of the rate the decay
    starts from (above 1 the cosine rises to it). ``base_lr`` is the largest of that
    start, its floor and, behind a warm-up, ``initial_learning_rate``.

    Built from ``CosineAnnealing(alpha * top, top, D)`` (``top`` the decay's start;
    rising: ``Envelope(Constant(top), CosineAnnealing(0, 1, D), min_lr=alpha * top)``;
    a fractional ``D``: length 1 in ``InUnits(..., D)``) behind ``LinearWarmUp(...,
    initial_learning_rate, W)`` when there is a warm-up, and ``Delay(..., 1)``.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0 (the decay's start without ``warmup_target``).
    decay_steps : int or float
        Steps of the cosine (``> 0``, may be fractional).
    alpha : float, default 0
        The floor as a fraction of the decay's start (``>= 0``).
    name : str, optional
        Keras's name of the schedule (not used in the values; 4th, as in Keras).
    warmup_target : float, optional
        The rate the warm-up reaches and the decay starts from.
    warmup_steps : int, default 0
        Steps of the linear warm-up (a whole number ``>= 0``).

    Examples
    --------
    >>> s = CosineDecay(1.0, decay_steps=4, alpha=0.1)
    >>> [round(s(k), 4) for k in range(1, 7)]
    [1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]
    >>> w = CosineDecay(0.0, 4, 0.0, "warm", 1.0, 2)  # name is the 4th argument
    >>> [round(w(k), 4) for k in range(1, 8)]
    [0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0]

    References
    ----------
    Keras 3 ``keras/src/optimizers/schedules/learning_rate_schedule.py``
    (``CosineDecay``). Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm
    Restarts", 2016. Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in
    1 Hour", 2017.
    """

    _lr_params = ("initial_learning_rate", "warmup_target")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(initial_learning_rate=0.0, decay_steps=150, alpha=0.05,
                    warmup_target=0.1, warmup_steps=30)

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 name: Optional[str] = "CosineDecay", warmup_target: Optional[float] = None,
                 warmup_steps: int = 0) -> None:
        super().__init__()
        self.decay_steps = _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = lr0 = check_lr("initial_learning_rate",
                                                    initial_learning_rate)
        self.alpha = _check_at_least("alpha", alpha, 0.0)
        self.name = _check_name(name)
        self.warmup_target = (None if warmup_target is None
                              else check_lr("warmup_target", warmup_target))
        self.warmup_steps = _check_whole_steps("warmup_steps", warmup_steps)
        top = lr0 if self.warmup_target is None else self.warmup_target
        floor = self.alpha * top
        decay = _in_steps(lambda length: _cosine(floor, top, length), self.decay_steps,
                          "decay_steps")
        if self.warmup_target is not None and self.warmup_steps:
            decay = LinearWarmUp(decay, lr0, int(self.warmup_steps))
        self._align(decay)


# --------------------------------------------------------------------------- restarts
class CosineDecayRestarts(_KerasParts, DropIn):
    """Keras's ``CosineDecayRestarts``: cosine decay with warm restarts (SGDR).

    Cycle ``i = 0, 1, ...`` lasts ``F * t_mul ** i`` steps (``F = first_decay_steps``;
    real-valued, not rounded) and starts at the step after the previous one ends; with
    ``f`` the fraction of cycle ``i`` done at ``step``, Keras's ``schedule(step)``, used
    for update ``k = step + 1``, is::

        lr = initial_learning_rate * ((1 - alpha) * m_mul ** i * (1 + cos(pi * f)) / 2 + alpha)

    The restart step is the top of its cycle, ``initial_learning_rate * (m_mul ** i *
    (1 - alpha) + alpha)``: ``m_mul`` scales the height above the floor ``alpha *
    initial_learning_rate``, not the floor. ``m_mul=0`` leaves the floor after the first
    cycle.

    Built from ``Restarts(CosineAnnealing(alpha * initial_learning_rate,
    initial_learning_rate, F), F, t_mul, m_mul)`` (magnitude mode 'height', whose floor is
    the cosine's: ``alpha * initial_learning_rate``; ``m_mul=0``: the cosine alone;
    ``alpha > 1``: the cosine rises, as :class:`CosineDecay`'s; a fractional ``F``:
    length 1 in ``InUnits(..., F)``) behind ``Delay(..., 1)``.

    Parameters
    ----------
    initial_learning_rate : float
        The first cycle's top; ``base_lr`` (or ``alpha`` times it, if larger).
    first_decay_steps : int or float
        Length of the first cycle (``> 0``, may be fractional).
    t_mul : float, default 2
        Each cycle is ``t_mul`` times longer than the previous (``>= 1``).
    m_mul : float, default 1
        Each cycle's height above the floor is ``m_mul`` times the previous (``[0, 1]``).
    alpha : float, default 0
        The floor as a fraction of ``initial_learning_rate`` (``>= 0``).
    name : str, optional
        Keras's name of the schedule (not used in the values).

    Examples
    --------
    >>> s = CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=2.0, m_mul=0.5)
    >>> [round(s(k), 4) for k in range(1, 9)]
    [1.0, 0.5, 0.5, 0.4268, 0.25, 0.0732, 0.25, 0.2405]

    References
    ----------
    Keras 3 ``keras/src/optimizers/schedules/learning_rate_schedule.py``
    (``CosineDecayRestarts``). Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent
    with Warm Restarts", 2016 (arXiv:1608.03983).
    """

    _lr_params = ("initial_learning_rate",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(initial_learning_rate=0.1, first_decay_steps=40, t_mul=2.0, m_mul=0.7,
                    alpha=0.05)

    def __init__(self, initial_learning_rate: float, first_decay_steps: float,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: Optional[str] = "SGDRDecay") -> None:
        super().__init__()
        self.first_decay_steps = _check_steps("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = lr0 = check_lr("initial_learning_rate",
                                                    initial_learning_rate)
        self.t_mul = _check_at_least("t_mul", t_mul, 1.0,
                                     " (Keras's shrinking cycles end after "
                                     "first_decay_steps / (1 - t_mul) steps, where its "
                                     "values become nan)")
        self.m_mul = check_real("m_mul", m_mul)
        if not 0 <= self.m_mul <= 1:
            raise ValueError(f"m_mul must be in [0, 1] (a decay of the cycles' height), "
                             f"got {m_mul!r}")
        self.alpha = _check_at_least("alpha", alpha, 0.0)
        self.name = _check_name(name)
        floor = self.alpha * lr0

        def cycles(length: int) -> Schedule:
            shape = _cosine(floor, lr0, length)
            if self.m_mul == 0:  # m_mul ** i = 0 from the second cycle on: the floor
                return shape
            return Restarts(shape, length, self.t_mul, self.m_mul)
        self._align(_in_steps(cycles, self.first_decay_steps, "first_decay_steps"))
