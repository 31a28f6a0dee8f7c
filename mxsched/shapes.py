"""Shapes: a constant, a straight line, the (slanted) triangle and the cosine annealing curve.

Each is a closed form of the update count ``t`` with no schedule inside it. The triangle
and the cosine are the one-cycle shapes of the classic MXNet tutorial; they take a
``cycle_length`` so that :class:`mxsched.CyclicalSchedule` can repeat them.
"""
from __future__ import annotations

import math

import numpy as np

from .base import Schedule, interpolate
from .checks import check_fraction, check_int, check_lr, check_positive

__all__ = ["Constant", "LinearSchedule", "TriangularSchedule", "CosineAnnealing",
           "CosineAnnealingSchedule"]


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


#: The name used by the classic MXNet "advanced learning rate schedules" tutorial.
CosineAnnealingSchedule = CosineAnnealing
