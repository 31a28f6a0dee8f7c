"""Every argument check of mxsched, with one exception policy.

* ``TypeError`` when a value has the wrong type (a string for a number, a float for an
  integer, a class where an instance belongs, a bool -- Python's or numpy's -- for a
  number);
* ``ValueError`` when the type is right and the value is not (a negative rate, a zero
  length, a fraction outside its interval, an unknown choice);
* the message names the argument and shows the value: ``"<name> must be <what>, got
  <value!r>"``, and an item of a list is named by its position (``schedules[1]``).

The schedules, the Gluon tools and the tutorial helpers all check their arguments with
these functions, when an object is built or a function called, never later.
"""
from __future__ import annotations

import math
import numbers
import operator
from fractions import Fraction
from typing import Any, List, Sequence, Tuple, Union

import numpy as np

__all__ = ["MAX_STEP", "check_real", "check_lr", "check_int", "check_fraction",
           "check_positive", "check_factor", "check_choice", "check_bool",
           "check_increasing", "check_ratio", "check_step", "as_steps", "check_callable",
           "check_str"]

#: The largest update count a float64 holds exactly; lengths and steps are bounded by it.
MAX_STEP = 2 ** 53

Ratio = Union[int, float, Fraction]


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def check_real(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite real number."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def check_lr(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite, non-negative learning rate."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite, non-negative learning rate, got {value!r}")
    return value


def check_int(name: str, value: Any, minimum: int = 1, maximum: int = MAX_STEP) -> int:
    """Return ``value`` as an int if it is an integer in ``[minimum, maximum]``."""
    kind = {0: "non-negative integer", 1: "positive integer"}.get(minimum,
                                                                 f"integer >= {minimum}")
    kind = ("an " if kind.startswith("integer") else "a ") + kind
    if _is_bool(value):
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    try:
        ivalue = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be {kind}, got {value!r}") from None
    if ivalue < minimum:
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    if ivalue > maximum:
        raise ValueError(f"{name} must be {kind} <= {maximum}, got {value!r}")
    return int(ivalue)


def check_fraction(name: str, value: Any) -> float:
    """Return ``value`` as a float if it lies in ``(0, 1]``."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not 0 < value <= 1:  # also rejects NaN
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return float(value)


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is finite and ``> 0``."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_factor(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a decay factor in ``(0, 1]``."""
    value = check_positive(name, value)
    if value > 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return value


def check_choice(name: str, value: Any, choices: Tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    options = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {options}, got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a bool if it is a bool (numpy's included)."""
    if not _is_bool(value):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_increasing(name: str, values: Any, minimum: int = 1) -> List[int]:
    """Return ``values`` as a list of strictly increasing integers ``>= minimum``."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of increasing integers, got {values!r}")
    items = list(values)
    out = [check_int(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(items)]
    for i in range(1, len(out)):
        if out[i] <= out[i - 1]:
            raise ValueError(f"{name} must be increasing, got {items!r} "
                             f"({name}[{i}] = {out[i]} <= {out[i - 1]})")
    return out


def check_step(num_update: Any) -> Any:
    """Return ``num_update`` if it is a finite real number ``>= 0`` (an update count)."""
    kind = type(num_update)
    if kind is int:  # MXNet's optimizer passes an int: the fast path
        if num_update >= 0:
            return num_update
    elif kind is float and num_update >= 0 and num_update != math.inf:
        return num_update
    if _is_bool(num_update) or not isinstance(num_update, numbers.Real):
        raise TypeError(f"num_update must be a real number, got {num_update!r}")
    if not (num_update >= 0 and math.isfinite(num_update)):  # also rejects NaN
        raise ValueError(f"num_update must be a finite number >= 0, got {num_update!r}")
    return num_update


def as_steps(steps: Any) -> np.ndarray:
    """Steps as a float64 array, rejecting non-numbers and negative or non-finite entries."""
    raw = np.asarray(steps)
    if raw.dtype.kind not in "iuf":  # bools, strings, objects (None...), complex
        if raw.dtype.kind == "O" and raw.size and all(
                isinstance(x, numbers.Real) and not _is_bool(x) for x in raw.flat):
            pass  # Python ints too large for int64, Fractions, ...
        else:
            raise TypeError(f"steps must be real numbers, got {steps!r}"[:200])
    arr = np.asarray(raw, dtype=np.float64)
    bad = ~(arr >= 0) | ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"steps must be finite and >= 0, got {arr[bad].flat[0]!r}")
    return arr


def check_ratio(name: str, value: Ratio) -> Ratio:
    """Return ``value`` (an int, float or ``fractions.Fraction``) if it is finite and > 0.

    An int or a Fraction is kept as it is (a Fraction with denominator 1 becomes an
    int); a float is kept as a float.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number (int, float or Fraction), got {value!r}")
    if isinstance(value, numbers.Rational) and not isinstance(value, numbers.Integral):
        frac = Fraction(value.numerator, value.denominator)
        if frac <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        return int(frac) if frac.denominator == 1 else frac
    if isinstance(value, numbers.Integral):
        value = int(value)
        if value <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        return value
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_callable(name: str, value: Any) -> Any:
    """Return ``value`` if it is a callable instance (a class is not accepted)."""
    if isinstance(value, type) or not callable(value):
        raise TypeError(f"{name} must be a callable (an instance, not a class), got {value!r}")
    return value


def check_str(name: str, value: Any) -> str:
    """Return ``value`` if it is a non-empty string."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r}")
    if not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value
