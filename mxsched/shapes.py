"""Shapes: a constant, a straight line, the (slanted) triangle and the cosine annealing curve.

Each is a closed form of the update count ``t`` with no schedule inside it. The triangle
and the cosine are the one-cycle shapes of the classic MXNet tutorial; they take a
``cycle_length`` so that :class:`mxsched.CyclicalSchedule` can repeat them.
"""
from __future__ import annotations

import bisect
import math

import numpy as np

from .base import Phase, Schedule, between, interpolate, shift_phases
from .checks import check_choice, check_fraction, check_int, check_lr, check_positive, check_real

__all__ = ["Constant", "LinearSchedule", "Piecewise", "TriangularSchedule", "CosineAnnealing",
           "CosineWave", "CosineAnnealingSchedule"]


def check_min_max(min_lr, max_lr):
    """``(min_lr, max_lr)`` checked: learning rates with ``min_lr <= max_lr``."""
    min_lr = check_lr("min_lr", min_lr)
    max_lr = check_lr("max_lr", max_lr)
    if max_lr < min_lr:
        raise ValueError(f"max_lr must be >= min_lr={min_lr!r}, got {max_lr!r}")
    return min_lr, max_lr


class Constant(Schedule):
    """A constant learning rate::

        lr(t) = lr

    Parameters
    ----------
    lr : float
        The rate (``>= 0``); this is ``base_lr``.

    Examples
    --------
    >>> Constant(0.1)(10 ** 9)
    0.1
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1)

    def __init__(self, lr: float) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)

    def _at(self, t):
        return self.lr

    def _values(self, t):
        return np.full_like(t, self.lr)

    def _peak(self):
        return self.lr

    def _repr_args(self):
        return [("lr", self.lr)]


class LinearSchedule(Schedule):
    """A straight line from ``start_lr`` to ``finish_lr`` over ``length`` steps, then flat::

        lr(t) = start_lr + (finish_lr - start_lr) * min(t, length) / length

    Either direction: a linear decay (PyTorch ``LinearLR``, optax ``linear_schedule``) or a
    ramp. ``base_lr`` is ``max(start_lr, finish_lr)``.

    Parameters
    ----------
    start_lr : float
        Value at ``t = 0``.
    finish_lr : float
        Value from ``t = length`` on.
    length : int
        Steps of the line (``>= 1``).

    Examples
    --------
    >>> s = LinearSchedule(1.0, 0.2, length=4)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.8, 0.6, 0.4, 0.2, 0.2]
    """

    _lr_params = ("start_lr", "finish_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(start_lr=0.1, finish_lr=0.01, length=160)

    def __init__(self, start_lr: float, finish_lr: float, length: int) -> None:
        super().__init__()
        self.start_lr = check_lr("start_lr", start_lr)
        self.finish_lr = check_lr("finish_lr", finish_lr)
        self.length = check_int("length", length)

    def _at(self, t):
        return interpolate(self.start_lr, self.finish_lr, min(t, self.length) / self.length)

    def _values(self, t):
        return interpolate(self.start_lr, self.finish_lr,
                           np.minimum(t, self.length) / self.length)

    def _peak(self):
        return max(self.start_lr, self.finish_lr)

    def _repr_args(self):
        return [("start_lr", self.start_lr), ("finish_lr", self.finish_lr),
                ("length", self.length)]


class Piecewise(Schedule):
    """Straight or cosine pieces through given values at given steps (knots)::

        lr(t) = lrs[0]                                     for t <= knots[0]
                anneal(lrs[i], lrs[i + 1], p)              for knots[i] <= t <= knots[i + 1],
                                                           p = (t - knots[i]) / (knots[i + 1] - knots[i])
                lrs[-1]                                    for t >= knots[-1]

    with ``anneal(a, b, p) = a + (b - a) * p`` (``shape='linear'``) or
    ``b + (a - b) * (1 + cos(pi * p)) / 2`` (``shape='cosine'``, PyTorch's cosine anneal).
    Knots may be fractional (PyTorch's 1-cycle phases end at ``pct_start * total - 1``) and
    the first may be negative (that piece is then entered part way). ``base_lr`` is the
    largest value.

    Parameters
    ----------
    lrs : list of float
        The learning rates at the knots (at least two).
    knots : list of float
        Strictly increasing steps, one per learning rate; the last one ``>= 0``.
    shape : {'linear', 'cosine'}, default 'linear'
        How each piece goes from one value to the next.

    Examples
    --------
    >>> s = Piecewise([0.1, 1.0, 0.0], knots=[0, 2, 6])
    >>> [round(s(t), 4) for t in range(8)]
    [0.1, 0.55, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    >>> c = Piecewise([1.0, 0.0], knots=[0, 4], shape="cosine")
    >>> [round(c(t), 4) for t in range(5)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    _lr_params = ("lrs",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lrs=[0.004, 0.1, 0.0004], knots=[0, 59, 199], shape="cosine")

    def __init__(self, lrs, knots, shape: str = "linear") -> None:
        super().__init__()
        if isinstance(lrs, (str, bytes)) or not hasattr(lrs, "__iter__"):
            raise TypeError(f"lrs must be a list of learning rates, got {lrs!r}")
        if isinstance(knots, (str, bytes)) or not hasattr(knots, "__iter__"):
            raise TypeError(f"knots must be a list of steps, got {knots!r}")
        self.lrs = [check_lr(f"lrs[{i}]", v) for i, v in enumerate(lrs)]
        self.knots = [check_real(f"knots[{i}]", k) for i, k in enumerate(knots)]
        if len(self.lrs) < 2:
            raise ValueError(f"lrs must hold at least 2 learning rates, got {lrs!r}")
        if len(self.knots) != len(self.lrs):
            raise ValueError(f"knots must have one step per learning rate ({len(self.lrs)}), "
                             f"got {knots!r}")
        for i in range(1, len(self.knots)):
            if self.knots[i] <= self.knots[i - 1]:
                raise ValueError(f"knots must be increasing, got {knots!r} "
                                 f"(knots[{i}] = {self.knots[i]!r} <= {self.knots[i - 1]!r})")
        if self.knots[-1] < 0:
            raise ValueError(f"knots must end at a step >= 0, got {knots!r}")
        self.shape = check_choice("shape", shape, ("linear", "cosine"))
        self._knots_array = np.asarray(self.knots, dtype=np.float64)
        self._lrs_array = np.asarray(self.lrs, dtype=np.float64)

    def _anneal(self, start, end, p, xp):
        if self.shape == "cosine":
            value = end + (start - end) / 2.0 * (xp.cos(math.pi * p) + 1)
        else:
            value = (end - start) * p + start
        return between(value, start, end)

    def _at(self, t):
        knots, values = self.knots, self.lrs
        if t <= knots[0]:
            return values[0]
        if t >= knots[-1]:
            return values[-1]
        i = bisect.bisect_right(knots, t) - 1
        p = (t - knots[i]) / (knots[i + 1] - knots[i])
        if self.shape == "linear":  # the same operations as _anneal, one call less
            return interpolate(values[i], values[i + 1], p)
        return self._anneal(values[i], values[i + 1], p, math)

    def _values(self, t):
        knots, values = self._knots_array, self._lrs_array
        i = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(knots) - 2)
        start, end = values[i], values[i + 1]
        p = np.clip((t - knots[i]) / (knots[i + 1] - knots[i]), 0.0, 1.0)
        return self._anneal(start, end, p, np)

    def _peak(self):
        return max(self.lrs)

    def _scaled(self, factor):
        return Piecewise([v * factor for v in self.lrs], self.knots, self.shape)

    def phases(self, total_steps=None):
        out = [Phase(f"{self.shape} {i}", max(a, 0.0), b)
               for i, (a, b) in enumerate(zip(self.knots, self.knots[1:])) if b > 0]
        out.append(Phase("final", self.knots[-1], None))
        return shift_phases(out, 0, total_steps)

    def _repr_args(self):
        args = [("lrs", self.lrs), ("knots", self.knots)]
        return args if self.shape == "linear" else args + [("shape", self.shape)]


class TriangularSchedule(Schedule):
    """One (slanted) triangle: linear up from ``min_lr`` to ``max_lr``, then down.

    With ``L = cycle_length`` and ``up = L * inc_fraction``::

        u(t) = t / up                           for 0 <= t <= up
               (L - t) / (L * (1 - inc_fraction))   for up < t <= L
               0                                for t > L
        lr(t) = min_lr + u(t) * (max_lr - min_lr)

    ``inc_fraction = 0.5`` is the symmetric triangle of cyclical learning rates;
    a small ``inc_fraction`` (e.g. 0.1) is the slanted triangle of ULMFiT. After
    ``cycle_length`` the schedule stays at ``min_lr``; use :class:`CyclicalSchedule`
    to repeat it.

    Parameters
    ----------
    min_lr : float
        Value at ``t = 0`` and from ``t = cycle_length`` on (``>= 0``).
    max_lr : float
        Value at the apex ``t = up`` (``>= min_lr``); this is ``base_lr``.
    cycle_length : int
        Updates in the triangle (``>= 1``).
    inc_fraction : float, default 0.5
        Fraction of the cycle spent increasing, in ``(0, 1]``.

    Examples
    --------
    >>> s = TriangularSchedule(min_lr=0.1, max_lr=1.0, cycle_length=10, inc_fraction=0.2)
    >>> [round(s(t), 4) for t in (0, 1, 2, 6, 10, 11)]
    [0.1, 0.55, 1.0, 0.55, 0.1, 0.1]

    References
    ----------
    Smith, "Cyclical Learning Rates for Training Neural Networks", 2015 (arXiv:1506.01186).
    Howard & Ruder, "Universal Language Model Fine-tuning for Text Classification", 2018.
    """

    _lr_params = ("min_lr", "max_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(min_lr=0.01, max_lr=0.1, cycle_length=200, inc_fraction=0.3)

    def __init__(self, min_lr: float, max_lr: float, cycle_length: int,
                 inc_fraction: float = 0.5) -> None:
        super().__init__()
        self.min_lr, self.max_lr = check_min_max(min_lr, max_lr)
        self.cycle_length = check_int("cycle_length", cycle_length)
        self.inc_fraction = check_fraction("inc_fraction", inc_fraction)

    def _at(self, t):
        length, inc = self.cycle_length, self.inc_fraction
        up = length * inc
        if t <= up:
            u = t / up
        elif t <= length:
            u = (length - t) / (length * (1 - inc))
        else:
            return self.min_lr
        low, high = self.min_lr, self.max_lr
        value = low + (high - low) * u
        return high if value > high else value  # >= low: u >= 0

    def _values(self, t):
        return self._values_at_lengths(t, self.cycle_length)

    def _values_at_lengths(self, t, length):
        """Values at steps ``t`` of this shape with cycle length(s) ``length``.

        ``length`` may be an array matching ``t``: :class:`CyclicalSchedule` uses this
        to evaluate cycles of different lengths in one pass.
        """
        up = length * self.inc_fraction
        down = length * (1 - self.inc_fraction)
        with np.errstate(divide="ignore", invalid="ignore"):  # inc_fraction = 1: down = 0
            frac = np.where(t <= up, t / up, np.where(t <= length, (length - t) / down, 0.0))
        return interpolate(self.min_lr, self.max_lr, frac)

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        return [("min_lr", self.min_lr), ("max_lr", self.max_lr),
                ("cycle_length", self.cycle_length), ("inc_fraction", self.inc_fraction)]


class CosineAnnealing(Schedule):
    """Half a cosine from ``max_lr`` down to ``min_lr`` over ``cycle_length`` updates.

    With ``L = cycle_length`` and ``p = exponent``::

        lr(t) = min_lr + (max_lr - min_lr) * ((1 + cos(pi * t / L)) / 2) ** p   for t <= L
                min_lr                                                         for t > L

    ``exponent = 1`` is SGDR's cosine annealing, PyTorch ``CosineAnnealingLR`` (closed
    form) and Keras ``CosineDecay`` with ``alpha = min_lr / max_lr``; another exponent
    is optax's ``cosine_decay_schedule(exponent=...)``.

    Parameters
    ----------
    min_lr : float
        The floor, reached at ``t = cycle_length`` (``>= 0``).
    max_lr : float
        The value at ``t = 0`` (``>= min_lr``); this is ``base_lr``.
    cycle_length : int
        Updates in the decay (``>= 1``).
    exponent : float, default 1
        Power applied to the cosine factor (``> 0``).

    Examples
    --------
    >>> s = CosineAnnealing(min_lr=0.0, max_lr=1.0, cycle_length=4)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    >>> [round(CosineAnnealing(0.0, 1.0, 4, exponent=2)(t), 4) for t in range(5)]
    [1.0, 0.7286, 0.25, 0.0214, 0.0]

    References
    ----------
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016
    (arXiv:1608.03983).
    """

    _lr_params = ("min_lr", "max_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(min_lr=0.005, max_lr=0.1, cycle_length=200)

    def __init__(self, min_lr: float, max_lr: float, cycle_length: int,
                 exponent: float = 1.0) -> None:
        super().__init__()
        self.min_lr, self.max_lr = check_min_max(min_lr, max_lr)
        self.cycle_length = check_int("cycle_length", cycle_length)
        self.exponent = check_positive("exponent", exponent)

    def _at(self, t):
        length, low = self.cycle_length, self.min_lr
        if t >= length:
            return low
        high = self.max_lr
        frac = (1 + math.cos(math.pi * t / length)) / 2
        if self.exponent != 1:
            frac = frac ** self.exponent
        value = low + (high - low) * frac
        return high if value > high else value  # >= low: the factor is >= 0

    def _values(self, t):
        return self._values_at_lengths(t, self.cycle_length)

    def _values_at_lengths(self, t, length):
        """Values at steps ``t`` with cycle length(s) ``length`` (scalar or array)."""
        low, high = self.min_lr, self.max_lr
        x = np.minimum(t, length)       # the scalar formula, operation for operation,
        x *= np.pi                      # in place: low + (high - low) * (1 + cos(pi t / L)) / 2
        x /= length
        np.cos(x, out=x)
        x += 1
        x /= 2
        if self.exponent != 1:
            np.power(x, self.exponent, out=x)
        x *= high - low
        x += low
        np.minimum(x, high, out=x)      # rounding never lifts a value above the peak
        x[t >= length] = low
        return x

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        args = [("min_lr", self.min_lr), ("max_lr", self.max_lr),
                ("cycle_length", self.cycle_length)]
        if self.exponent != 1:
            args.append(("exponent", self.exponent))
        return args


class CosineWave(Schedule):
    """A cosine between ``max_lr`` and ``min_lr`` that keeps waving (no floor after it)::

        lr(t) = min_lr + (max_lr - min_lr) * (1 + cos(2 pi cycles t / length)) / 2

    With the default ``cycles = 0.5`` it falls from ``max_lr`` to ``min_lr`` over ``length``
    steps and rises back over the next ``length``: the closed form of PyTorch's
    ``CosineAnnealingLR`` (which rises again after ``T_max``) and of Hugging Face's
    cosine schedules past the end of training. :class:`CosineAnnealing` stays at
    ``min_lr`` instead.

    Parameters
    ----------
    min_lr : float
        The bottom of the wave (``<= max_lr``).
    max_lr : float
        The top, at ``t = 0``; ``base_lr``.
    length : float
        Steps over which ``cycles`` waves pass (``> 0``; may be fractional).
    cycles : float, default 0.5
        Waves per ``length`` (``> 0``).

    Examples
    --------
    >>> s = CosineWave(0.0, 1.0, length=4)
    >>> [round(s(t), 4) for t in range(9)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464, 0.5, 0.8536, 1.0]
    """

    _lr_params = ("min_lr", "max_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(min_lr=0.005, max_lr=0.1, length=120)

    def __init__(self, min_lr: float, max_lr: float, length: float, cycles: float = 0.5) -> None:
        super().__init__()
        self.min_lr, self.max_lr = check_min_max(min_lr, max_lr)
        self.length = check_positive("length", length)
        self.cycles = check_positive("cycles", cycles)
        self._omega = 2 * self.cycles  # pi * omega * t / length: pi * t / length for 0.5

    def _at(self, t):
        low, high = self.min_lr, self.max_lr
        value = low + (high - low) * ((1 + math.cos(math.pi * self._omega * t / self.length)) / 2)
        return high if value > high else value

    def _values(self, t):
        low, high = self.min_lr, self.max_lr
        out = low + (high - low) * ((1 + np.cos(np.pi * self._omega * t / self.length)) / 2)
        return np.minimum(out, high)

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        args = [("min_lr", self.min_lr), ("max_lr", self.max_lr), ("length", self.length)]
        return args if self.cycles == 0.5 else args + [("cycles", self.cycles)]


#: The name used by the classic MXNet "advanced learning rate schedules" tutorial.
CosineAnnealingSchedule = CosineAnnealing
