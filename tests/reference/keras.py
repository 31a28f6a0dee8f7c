"""Reference values of the Keras 3 learning-rate schedules, in float64.

Test data for ``mxsched.compat.keras``: an independent transcription, in plain
Python floats (numpy only for ``pow``-style special cases), of what the
schedules in ``keras.optimizers.schedules`` compute.  Keras itself is not
imported.

Source read
-----------
``keras/src/optimizers/schedules/learning_rate_schedule.py`` of Keras 3.15.1
(the release on PyPI); the file is byte-identical on the Keras master branch
at commit 3422977a5e38fb2f7709aaa9a08e47f0c43d0f60 (version 3.16.0.dev).
The loop convention comes from ``keras/src/optimizers/base_optimizer.py`` of
the same versions.

Loop convention
---------------
A Keras optimizer holds an integer counter ``iterations`` (int32 on the JAX,
NumPy and PyTorch backends, int64 on TensorFlow), starting at 0.  Each update
(``optimizer.apply`` / ``apply_gradients``, hence every batch of
``model.fit``) first evaluates ``learning_rate = schedule(iterations)``, then
updates the variables, then increments ``iterations``.  So the k-th optimizer
update (k = 1, 2, ...) uses ``schedule(k - 1)``.  Every function here returns
that list: element ``k - 1`` is the learning rate of update k.  (With
``gradient_accumulation_steps`` the schedule still sees the raw counter,
which counts every ``apply`` call, not the "real" updates.)

Precision
---------
Keras evaluates the formula in the dtype of
``convert_to_tensor(initial_learning_rate)`` (``values[0]`` for
PiecewiseConstantDecay): float32 for a Python float.  Every constant is cast
to that dtype first, so float32 Keras differs from these float64 values by
float32 rounding (relative ~1e-7), and where a ``floor`` or ``ceil`` lands on
an integer (restart steps of CosineDecayRestarts with ``t_mul != 1``) float32
and float64 can fall on different sides of it.  The operations are done here
in Keras's order, so the values equal a float64 evaluation of Keras's
formula.  A Python *int* ``initial_learning_rate`` makes Keras compute in
int32 (``decay_rate``, ``end_learning_rate``, ``alpha`` and even ``pi``
truncated to integers); that is not modelled: the reference always computes
in float64.

Validation
----------
Each function performs the checks of the Keras constructor, with the same
exception type and message (``VALIDATION`` lists them), and no others: Keras
accepts, for instance, ``decay_steps=0.5``, ``decay_steps=True``, a negative
``decay_rate`` or ``warmup_steps``, and unsorted ``boundaries``.

``SIGNATURES`` records each Keras constructor's parameters in positional
order with their defaults (``inspect.Parameter.empty`` for required ones).
Every function below takes exactly those parameters, in that order, plus the
keyword-only ``n`` (number of optimizer updates).
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Optional, Sequence

import numpy as np

__all__ = [
    "SIGNATURES",
    "VALIDATION",
    "exponential_decay",
    "piecewise_constant_decay",
    "polynomial_decay",
    "inverse_time_decay",
    "cosine_decay",
    "cosine_decay_restarts",
]

_REQ = inspect.Parameter.empty

#: Keras constructor parameters, in positional order, with defaults.
SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {
    "ExponentialDecay": (
        ("initial_learning_rate", _REQ),
        ("decay_steps", _REQ),
        ("decay_rate", _REQ),
        ("staircase", False),
        ("name", "ExponentialDecay"),
    ),
    "PiecewiseConstantDecay": (
        ("boundaries", _REQ),
        ("values", _REQ),
        ("name", "PiecewiseConstant"),
    ),
    "PolynomialDecay": (
        ("initial_learning_rate", _REQ),
        ("decay_steps", _REQ),
        ("end_learning_rate", 0.0001),
        ("power", 1.0),
        ("cycle", False),
        ("name", "PolynomialDecay"),
    ),
    "InverseTimeDecay": (
        ("initial_learning_rate", _REQ),
        ("decay_steps", _REQ),
        ("decay_rate", _REQ),
        ("staircase", False),
        ("name", "InverseTimeDecay"),
    ),
    # Note: ``name`` is the 4th positional parameter, before the warm-up ones.
    "CosineDecay": (
        ("initial_learning_rate", _REQ),
        ("decay_steps", _REQ),
        ("alpha", 0.0),
        ("name", "CosineDecay"),
        ("warmup_target", None),
        ("warmup_steps", 0),
    ),
    "CosineDecayRestarts": (
        ("initial_learning_rate", _REQ),
        ("first_decay_steps", _REQ),
        ("t_mul", 2.0),
        ("m_mul", 1.0),
        ("alpha", 0.0),
        ("name", "SGDRDecay"),
    ),
}

#: What each Keras constructor rejects: (condition, exception, message).
#: ``{...}`` in a message is the offending value formatted with ``str``.
#: Nothing else is checked; a non-comparable ``decay_steps`` (None, a str)
#: fails the ``<= 0`` comparison itself with Python's TypeError
#: "'<=' not supported between instances of 'NoneType' and 'int'".
VALIDATION: dict[str, tuple[tuple[str, type, str], ...]] = {
    "ExponentialDecay": (
        ("decay_steps <= 0", ValueError,
         "Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}"),
    ),
    "PiecewiseConstantDecay": (
        ("len(boundaries) != len(values) - 1", ValueError,
         "The length of boundaries should be 1 less than the length of values. "
         "Received: boundaries={boundaries} of length {len(boundaries)}, and "
         "values={values} of length {len(values)}."),
        ("boundaries == [] (values of length 1): accepted by the constructor, "
         "IndexError 'list index out of range' at the first call", IndexError,
         "list index out of range"),
    ),
    "PolynomialDecay": (
        ("decay_steps <= 0", ValueError,
         "Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}"),
    ),
    "InverseTimeDecay": (
        ("decay_steps <= 0", ValueError,
         "Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}"),
    ),
    "CosineDecay": (
        ("decay_steps <= 0", ValueError,
         "Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}"),
    ),
    "CosineDecayRestarts": (
        ("first_decay_steps <= 0", ValueError,
         "Argument `first_decay_steps` must be > 0. "
         "Received: first_decay_steps={first_decay_steps}"),
    ),
}


# --------------------------------------------------------------------------
# float64 helpers with the IEEE results a tensor library returns (nan / inf)
# where Python's math module would raise or go complex.


def _pow(x: float, y: float) -> float:
    with np.errstate(all="ignore"):
        return float(np.power(np.float64(x), np.float64(y)))


def _floor(x: float) -> float:
    return float(np.floor(np.float64(x)))


def _ceil(x: float) -> float:
    return float(np.ceil(np.float64(x)))


def _cos(x: float) -> float:
    return math.cos(x) if math.isfinite(x) else math.nan


def _log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -math.inf
    return math.nan  # negative or nan


def _div(x: float, y: float) -> float:
    with np.errstate(all="ignore"):
        return float(np.float64(x) / np.float64(y))


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an integer, got {n!r}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n!r}")
    return int(n)


def _check_decay_steps(label: str, value: Any) -> None:
    # Exactly Keras's check: the comparison itself raises TypeError for
    # non-comparable values.
    if value <= 0:
        raise ValueError(
            f"Argument `{label}` must be > 0. Received: {label}={value}"
        )


def _steps(n: int) -> range:
    """Values of ``optimizer.iterations`` during updates 1..n."""
    return range(0, _check_n(n))


# --------------------------------------------------------------------------


def exponential_decay(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str = "ExponentialDecay",
    *,
    n: int,
) -> list[float]:
    """``keras.optimizers.schedules.ExponentialDecay``.

    Source: keras/src/optimizers/schedules/learning_rate_schedule.py,
    Keras 3.15.1 (identical at master 3422977a).  Update k uses
    ``schedule(step)`` with ``step = k - 1``::

        p = step / decay_steps
        if staircase: p = floor(p)
        lr = initial_learning_rate * decay_rate ** p

    No clamping: it keeps decaying for ever.  ``staircase`` is tested for
    truthiness.  A negative ``decay_rate`` gives nan at non-integer ``p``.

    Validation: ``decay_steps <= 0`` -> ValueError
    "Argument `decay_steps` must be > 0. Received: decay_steps=<value>".
    """
    _check_decay_steps("decay_steps", decay_steps)
    lr0 = float(initial_learning_rate)
    ds = float(decay_steps)
    rate = float(decay_rate)
    out = []
    for step in _steps(n):
        p = _div(float(step), ds)
        if staircase:
            p = _floor(p)
        out.append(lr0 * _pow(rate, p))
    return out


def _boundary_as_step_dtype(b: Any) -> int:
    # Keras casts every boundary to the dtype of the (integer) step counter:
    # a float boundary is truncated toward zero (2.7 -> 2, -0.5 -> 0).
    if isinstance(b, (int, np.integer)):
        return int(b)
    return int(math.trunc(float(b)))


def piecewise_constant_decay(
    boundaries: Sequence[Any],
    values: Sequence[float],
    name: str = "PiecewiseConstant",
    *,
    n: int,
) -> list[float]:
    """``keras.optimizers.schedules.PiecewiseConstantDecay``.

    Source: keras/src/optimizers/schedules/learning_rate_schedule.py,
    Keras 3.15.1 (identical at master 3422977a).  Update k uses
    ``schedule(step)`` with ``step = k - 1``.

    Keras computes a SUM of indicator-weighted values (not a lookup)::

        b = [int(x) for x in boundaries]   # cast to the step's integer dtype
        lr = 0
        lr += (step <= b[0]) * values[0]
        lr += (step > b[-1]) * values[-1]
        for lo, hi, v in zip(b[:-1], b[1:], values[1:-1]):
            lr += (lo < step <= hi) * v

    so ``values[i]`` is used while ``b[i-1] < step <= b[i]``: the boundary
    step itself still has the earlier value; with the k-1 convention,
    ``values[i]`` starts at update ``b[i-1] + 2``.  Consequences reproduced
    here: unsorted boundaries can add several values (or none: lr 0); an
    inf/nan anywhere in ``values`` makes every step whose indicator for it is
    0 nan (0 * inf); float boundaries are truncated toward zero.

    Validation: ``len(boundaries) != len(values) - 1`` -> ValueError
    "The length of boundaries should be 1 less than the length of values.
    Received: boundaries=<b> of length <len>, and values=<v> of length
    <len>."  Empty ``boundaries`` (one value) passes the constructor but
    every call raises IndexError "list index out of range" (so does this
    function when ``n >= 1``).  Strict increase is NOT checked.
    """
    if len(boundaries) != len(values) - 1:
        raise ValueError(
            "The length of boundaries should be 1 less than the length of "
            f"values. Received: boundaries={boundaries} of length "
            f"{len(boundaries)}, and values={values} "
            f"of length {len(values)}."
        )
    out = []
    for step in _steps(n):
        b = [_boundary_as_step_dtype(x) for x in boundaries]
        v = [float(x) for x in values]
        result = 0.0
        result += float(step <= b[0]) * v[0]
        result += float(step > b[-1]) * v[-1]
        for low, high, value in zip(b[:-1], b[1:], v[1:-1]):
            result += float(step > low and step <= high) * value
        out.append(result)
    return out


def polynomial_decay(
    initial_learning_rate: float,
    decay_steps: float,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
    name: str = "PolynomialDecay",
    *,
    n: int,
) -> list[float]:
    """``keras.optimizers.schedules.PolynomialDecay``.

    Source: keras/src/optimizers/schedules/learning_rate_schedule.py,
    Keras 3.15.1 (identical at master 3422977a).  Update k uses
    ``schedule(step)`` with ``step = k - 1``::

        if cycle:
            m = 1 if step == 0 else ceil(step / decay_steps)
            d = decay_steps * m
        else:
            step = min(step, decay_steps); d = decay_steps
        p = step / d
        lr = (initial_learning_rate - end_learning_rate) * (1 - p) ** power
             + end_learning_rate

    Without ``cycle`` the rate reaches ``end_learning_rate`` at step
    ``decay_steps`` (update ``decay_steps + 1``) and stays there.  With
    ``cycle`` the horizon is the first multiple of ``decay_steps`` >= step:
    at every multiple the rate touches ``end_learning_rate``, and the next
    step jumps back only to the value at ``p = (j*D + 1) / ((j+1)*D)``
    (about half way for the second cycle), not to
    ``initial_learning_rate``: later cycles are ever shallower.

    Default ``end_learning_rate`` is 0.0001 (not 0).

    Validation: ``decay_steps <= 0`` -> ValueError
    "Argument `decay_steps` must be > 0. Received: decay_steps=<value>".
    """
    _check_decay_steps("decay_steps", decay_steps)
    lr0 = float(initial_learning_rate)
    end = float(end_learning_rate)
    pw = float(power)
    ds = float(decay_steps)
    out = []
    for step in _steps(n):
        s = float(step)
        d = ds
        if cycle:
            multiplier = 1.0 if s == 0 else _ceil(_div(s, ds))
            d = d * multiplier
        else:
            s = min(s, d)
        p = _div(s, d)
        out.append((lr0 - end) * _pow(1 - p, pw) + end)
    return out


def inverse_time_decay(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str = "InverseTimeDecay",
    *,
    n: int,
) -> list[float]:
    """``keras.optimizers.schedules.InverseTimeDecay``.

    Source: keras/src/optimizers/schedules/learning_rate_schedule.py,
    Keras 3.15.1 (identical at master 3422977a).  Update k uses
    ``schedule(step)`` with ``step = k - 1``::

        p = step / decay_steps
        if staircase: p = floor(p)
        lr = initial_learning_rate / (1 + decay_rate * p)

    No clamping.  A negative ``decay_rate`` is accepted (division by zero
    gives inf, then negative rates).

    Validation: ``decay_steps <= 0`` -> ValueError
    "Argument `decay_steps` must be > 0. Received: decay_steps=<value>".
    """
    _check_decay_steps("decay_steps", decay_steps)
    lr0 = float(initial_learning_rate)
    ds = float(decay_steps)
    rate = float(decay_rate)
    out = []
    for step in _steps(n):
        p = _div(float(step), ds)
        if staircase:
            p = _floor(p)
        denom = 1.0 + rate * p
        out.append(_div(lr0, denom))
    return out


def _cosine_decay_value(
    step: float, decay_steps: float, decay_from_lr: float, alpha: float
) -> float:
    completed_fraction = _div(step, decay_steps)
    cosine_decayed = 0.5 * (1.0 + _cos(math.pi * completed_fraction))
    decayed = (1 - alpha) * cosine_decayed + alpha
    return decay_from_lr * decayed


def cosine_decay(
    initial_learning_rate: float,
    decay_steps: float,
    alpha: float = 0.0,
    name: str = "CosineDecay",
    warmup_target: Optional[float] = None,
    warmup_steps: float = 0,
    *,
    n: int,
) -> list[float]:
    """``keras.optimizers.schedules.CosineDecay``.

    Source: keras/src/optimizers/schedules/learning_rate_schedule.py,
    Keras 3.15.1 (identical at master 3422977a).  Update k uses
    ``schedule(step)`` with ``step = k - 1``.  Positional order:
    ``(initial_learning_rate, decay_steps, alpha, name, warmup_target,
    warmup_steps)``.

    ``decay(s, top) = top * ((1 - alpha) * 0.5 * (1 + cos(pi * (s / D))) +
    alpha)`` with ``D = decay_steps``.

    * ``warmup_target is None`` (``warmup_steps`` then ignored):
      ``lr = decay(min(step, D), initial_learning_rate)``.
    * otherwise (warm-up first, then decay; ``decay_steps`` counts the decay
      phase only, the schedule lasts ``warmup_steps + decay_steps`` steps)::

          s = min(step, D + W)
          if s < W: lr = (warmup_target - initial_learning_rate) * (s / W)
                         + initial_learning_rate
          else:     lr = decay(s - W, warmup_target)

      Step 0 gives ``initial_learning_rate``; ``warmup_target`` is first
      reached at step W (update W + 1), which is the first decay step; the
      final ``warmup_target * alpha`` is reached at step ``W + D`` and kept.
      With ``warmup_steps=0`` and a ``warmup_target``, there is no warm-up
      and the decay starts from ``warmup_target`` (``initial_learning_rate``
      is then unused).  ``warmup_target=0.0`` is "not None": decays from 0.

    ``alpha`` is the floor as a fraction of the decay's starting value.

    Validation: ``decay_steps <= 0`` -> ValueError
    "Argument `decay_steps` must be > 0. Received: decay_steps=<value>".
    ``warmup_steps`` and ``warmup_target`` are not checked.
    """
    _check_decay_steps("decay_steps", decay_steps)
    lr0 = float(initial_learning_rate)
    ds = float(decay_steps)
    a = float(alpha)
    out = []
    for step in _steps(n):
        s = float(step)
        if warmup_target is None:
            s = min(s, ds)
            out.append(_cosine_decay_value(s, ds, lr0, a))
            continue
        target = float(warmup_target)
        ws = float(warmup_steps)
        s = min(s, ds + ws)
        if s < ws:
            completed_fraction = _div(s, ws)
            total_step_delta = target - lr0
            out.append(total_step_delta * completed_fraction + lr0)
        else:
            out.append(_cosine_decay_value(s - ws, ds, target, a))
    return out


def cosine_decay_restarts(
    initial_learning_rate: float,
    first_decay_steps: float,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
    name: str = "SGDRDecay",
    *,
    n: int,
) -> list[float]:
    """``keras.optimizers.schedules.CosineDecayRestarts``.

    Source: keras/src/optimizers/schedules/learning_rate_schedule.py,
    Keras 3.15.1 (identical at master 3422977a).  Update k uses
    ``schedule(step)`` with ``step = k - 1``.  Closed form::

        f = step / first_decay_steps
        if t_mul == 1:
            i = floor(f); f = f - i
        else:
            i = floor(log(1 - f * (1 - t_mul)) / log(t_mul))
            sum_r = (1 - t_mul ** i) / (1 - t_mul)
            f = (f - sum_r) / t_mul ** i
        cosine = 0.5 * m_mul ** i * (1 + cos(pi * f))
        lr = initial_learning_rate * ((1 - alpha) * cosine + alpha)

    Cycle i lasts ``first_decay_steps * t_mul ** i`` steps (not rounded to
    integers) and starts from ``initial_learning_rate * (m_mul ** i * (1 -
    alpha) + alpha)``; the floor ``alpha * initial_learning_rate`` is NOT
    scaled by ``m_mul``.  The end of a cycle (f -> 1) is never evaluated as
    such: the restart step itself starts the next cycle, so no step has the
    minimum exactly when cycle lengths are integers.  With ``t_mul != 1`` the
    cycle index comes from ``floor(log(...) / log(t_mul))``, which at an exact
    restart step can round to just below the integer: then the restart step
    gets the END of the previous cycle (the minimum) instead of its top.
    That happens in float32 Keras at some restart steps and in float64 at
    others (e.g. ``log(1000)/log(10) < 3`` in float64); this function follows
    the float64 arithmetic.  ``t_mul < 1``: past the total length
    ``first_decay_steps / (1 - t_mul)`` the log argument is negative -> nan.

    Validation: ``first_decay_steps <= 0`` -> ValueError
    "Argument `first_decay_steps` must be > 0. Received:
    first_decay_steps=<value>".  ``t_mul``, ``m_mul``, ``alpha`` unchecked.
    """
    _check_decay_steps("first_decay_steps", first_decay_steps)
    lr0 = float(initial_learning_rate)
    fds = float(first_decay_steps)
    a = float(alpha)
    t = float(t_mul)
    m = float(m_mul)
    out = []
    for step in _steps(n):
        completed_fraction = _div(float(step), fds)
        if t == 1.0:
            i_restart = _floor(completed_fraction)
            completed_fraction -= i_restart
        else:
            i_restart = _floor(
                _div(_log(1.0 - completed_fraction * (1.0 - t)), _log(t))
            )
            sum_r = _div(1.0 - _pow(t, i_restart), (1.0 - t))
            completed_fraction = _div(
                completed_fraction - sum_r, _pow(t, i_restart)
            )
        m_fac = _pow(m, i_restart)
        cosine_decayed = 0.5 * m_fac * (1.0 + _cos(math.pi * completed_fraction))
        decayed = (1 - a) * cosine_decayed + a
        out.append(lr0 * decayed)
    return out
