"""Decays from a peak: step, multi-step, exponential, polynomial, inverse square root, tanh.

Each starts at (or near) its peak ``max_lr`` at ``t = 0`` and decays; all are closed
forms of ``t``. Steps are *indices*: ``sched(t)`` is the published formula at step
``t``. PyTorch and Keras use the value of index ``k - 1`` for their ``k``-th update
while MXNet asks for ``sched(k)``; the drop-ins of :mod:`mxsched.compat` take care of
that (``Delay(s, 1)`` does it by hand).
"""
from __future__ import annotations

import bisect
import math
from typing import Sequence

import numpy as np

from .base import Schedule, interpolate
from .checks import (check_bool, check_factor, check_increasing, check_int, check_lr,
                     check_positive, check_real)
from .shapes import check_min_max

__all__ = ["StepDecay", "MultiStepDecay", "ExponentialDecay", "PolynomialDecay",
           "InverseSqrtDecay", "InverseTimeDecay", "TanhDecay"]


class StepDecay(Schedule):
    """Multiply by ``factor`` every ``length`` steps (PyTorch ``StepLR``)::

        lr(t) = max_lr * factor ** floor(t / length)

    Parameters
    ----------
    max_lr : float
        Value for ``0 <= t < length``; ``base_lr``.
    length : int
        Steps between decays (``>= 1``).
    factor : float, default 0.1
        Multiplier per decay, in ``(0, 1]``.

    Examples
    --------
    >>> s = StepDecay(1.0, length=2, factor=0.5)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    _lr_params = ("max_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_lr=0.1, length=50, factor=0.5)

    def __init__(self, max_lr: float, length: int, factor: float = 0.1) -> None:
        super().__init__()
        self.max_lr = check_lr("max_lr", max_lr)
        self.length = check_int("length", length)
        self.factor = check_factor("factor", factor)

    def _at(self, t):
        return self.max_lr * self.factor ** (t // self.length)

    def _values(self, t):
        with np.errstate(under="ignore"):
            return self.max_lr * np.power(self.factor, np.floor(t / self.length))

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        return [("max_lr", self.max_lr), ("length", self.length), ("factor", self.factor)]


class MultiStepDecay(Schedule):
    """Multiply by ``factor`` at each milestone (PyTorch ``MultiStepLR``)::

        lr(t) = max_lr * factor ** (number of milestones m with m <= t)

    Parameters
    ----------
    max_lr : float
        Value before the first milestone; ``base_lr``.
    milestones : list of int
        Increasing steps (``>= 1``) at which the value drops.
    factor : float, default 0.1
        Multiplier per milestone, in ``(0, 1]``.

    Examples
    --------
    >>> s = MultiStepDecay(1.0, milestones=[2, 5], factor=0.1)
    >>> [round(s(t), 4) for t in range(7)]
    [1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01]
    """

    _lr_params = ("max_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_lr=0.1, milestones=[80, 150], factor=0.2)

    def __init__(self, max_lr: float, milestones: Sequence[int], factor: float = 0.1) -> None:
        super().__init__()
        self.max_lr = check_lr("max_lr", max_lr)
        steps = check_increasing("milestones", milestones)
        if not steps:
            raise ValueError(f"milestones must be a non-empty increasing list, "
                             f"got {list(milestones)!r}")
        self.milestones = steps
        self.factor = check_factor("factor", factor)
        self._milestones_array = np.asarray(steps, dtype=np.float64)

    def _at(self, t):
        return self.max_lr * self.factor ** bisect.bisect_right(self.milestones, t)

    def _values(self, t):
        k = np.searchsorted(self._milestones_array, t, side="right")
        with np.errstate(under="ignore"):
            return self.max_lr * np.power(self.factor, k)

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        return [("max_lr", self.max_lr), ("milestones", self.milestones),
                ("factor", self.factor)]


class ExponentialDecay(Schedule):
    """Multiply by ``factor`` every ``length`` steps, continuously or in stairs::

        lr(t) = max_lr * factor ** (t / length)           (continuous)
        lr(t) = max_lr * factor ** floor(t / length)      (staircase)

    Keras ``ExponentialDecay(lr, decay_steps=length, decay_rate=factor)``; with
    ``length = 1`` PyTorch ``ExponentialLR(gamma=factor)``.

    Parameters
    ----------
    max_lr : float
        Value at ``t = 0``; ``base_lr``.
    length : float
        Steps over which the value is multiplied by ``factor`` (``> 0``).
    factor : float
        Multiplier per ``length`` steps, in ``(0, 1]``.
    staircase : bool, default False
        Decay in whole steps of ``length``.

    Examples
    --------
    >>> s = ExponentialDecay(1.0, length=2, factor=0.5)
    >>> [round(s(t), 4) for t in range(5)]
    [1.0, 0.7071, 0.5, 0.3536, 0.25]
    >>> s = ExponentialDecay(1.0, length=2, factor=0.5, staircase=True)
    >>> [round(s(t), 4) for t in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    _lr_params = ("max_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_lr=0.1, length=50, factor=0.5)

    def __init__(self, max_lr: float, length: float, factor: float,
                 staircase: bool = False) -> None:
        super().__init__()
        self.max_lr = check_lr("max_lr", max_lr)
        self.length = check_positive("length", length)
        self.factor = check_factor("factor", factor)
        self.staircase = check_bool("staircase", staircase)

    def _at(self, t):
        p = t / self.length
        return self.max_lr * self.factor ** (math.floor(p) if self.staircase else p)

    def _values(self, t):
        p = t / self.length
        with np.errstate(under="ignore"):
            return self.max_lr * np.power(self.factor, np.floor(p) if self.staircase else p)

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        return [("max_lr", self.max_lr), ("length", self.length), ("factor", self.factor),
                ("staircase", self.staircase)]


class PolynomialDecay(Schedule):
    """Polynomial decay from ``max_lr`` to ``min_lr`` over ``length`` steps (Keras
    ``PolynomialDecay``, PyTorch ``PolynomialLR``)::

        p = min(t, length) / length
        lr(t) = min_lr + (max_lr - min_lr) * (1 - p) ** power

    With ``cycle=True`` the decay restarts: ``D = length * max(1, ceil(t / length))``
    replaces ``length`` and ``t`` is not clipped (Keras), so the value jumps up just after
    each multiple of ``length`` and decays more slowly.

    Parameters
    ----------
    min_lr : float
        Final value (``<= max_lr``).
    max_lr : float
        Value at ``t = 0``; ``base_lr``.
    length : int
        Steps of the decay (``>= 1``).
    power : float, default 1
        Exponent (``> 0``); 1 is linear.
    cycle : bool, default False
        Keras' ``cycle`` option.

    Examples
    --------
    >>> s = PolynomialDecay(0.0, 1.0, length=4, power=2)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    >>> s = PolynomialDecay(0.0, 1.0, length=2, cycle=True)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.5, 0.0, 0.25, 0.0, 0.1667]
    """

    _lr_params = ("min_lr", "max_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(min_lr=0.005, max_lr=0.1, length=150, power=2.0)

    def __init__(self, min_lr: float, max_lr: float, length: int, power: float = 1.0,
                 cycle: bool = False) -> None:
        super().__init__()
        self.min_lr, self.max_lr = check_min_max(min_lr, max_lr)
        self.length = check_int("length", length)
        self.power = check_positive("power", power)
        self.cycle = check_bool("cycle", cycle)

    def _at(self, t):
        if self.cycle:
            span = self.length * max(1, math.ceil(t / self.length))
        else:
            span, t = self.length, min(t, self.length)
        return interpolate(self.min_lr, self.max_lr, (1 - t / span) ** self.power)

    def _values(self, t):
        if self.cycle:
            span = self.length * np.maximum(1.0, np.ceil(t / self.length))
        else:
            span, t = self.length, np.minimum(t, self.length)
        return interpolate(self.min_lr, self.max_lr, (1 - t / span) ** self.power)

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        return [("min_lr", self.min_lr), ("max_lr", self.max_lr), ("length", self.length),
                ("power", self.power), ("cycle", self.cycle)]


class InverseSqrtDecay(Schedule):
    """Inverse square-root decay::

        lr(t) = max_lr * sqrt(length / (t + length))

    ``length = 1`` is the textbook ``max_lr * (t + 1) ** -0.5``. Behind a warm-up of
    ``W`` steps, ``LinearWarmUp(InverseSqrtDecay(lr, length=W), 0, W)`` is Hugging Face's
    ``get_inverse_sqrt_schedule`` (default ``timescale = W``) and the Transformer
    ("Noam") schedule ``d ** -0.5 * min(t ** -0.5, t * W ** -1.5)`` with
    ``lr = (d * W) ** -0.5``.

    Parameters
    ----------
    max_lr : float
        Value at ``t = 0``; ``base_lr``.
    length : float, default 1
        Steps over which the value falls to ``max_lr / sqrt(2)`` (``> 0``; Hugging Face's
        ``timescale``).

    Examples
    --------
    >>> s = InverseSqrtDecay(1.0)
    >>> [round(s(t), 4) for t in (0, 1, 3, 8, 99)]
    [1.0, 0.7071, 0.5, 0.3333, 0.1]

    References
    ----------
    Vaswani et al., "Attention Is All You Need", 2017.
    """

    _lr_params = ("max_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_lr=0.1, length=20.0)

    def __init__(self, max_lr: float, length: float = 1.0) -> None:
        super().__init__()
        self.max_lr = check_lr("max_lr", max_lr)
        self.length = check_positive("length", length)

    def _at(self, t):
        return self.max_lr * math.sqrt(self.length / (t + self.length))

    def _values(self, t):
        return self.max_lr * np.sqrt(self.length / (t + self.length))

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        return [("max_lr", self.max_lr), ("length", self.length)]


class InverseTimeDecay(Schedule):
    """Inverse-time decay (Keras ``InverseTimeDecay``)::

        p = t / length                 (staircase: floor(t / length))
        lr(t) = max_lr / (1 + factor * p)

    Parameters
    ----------
    max_lr : float
        Value at ``t = 0``; ``base_lr``.
    length : float
        Steps per unit of ``p`` (``> 0``; Keras's ``decay_steps``).
    factor : float, default 1
        Decay per unit of ``p`` (``>= 0``; Keras's ``decay_rate``).
    staircase : bool, default False
        Decay in whole steps of ``length``.

    Examples
    --------
    >>> s = InverseTimeDecay(1.0, length=2, factor=0.5)
    >>> [round(s(t), 4) for t in range(5)]
    [1.0, 0.8, 0.6667, 0.5714, 0.5]
    """

    _lr_params = ("max_lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(max_lr=0.1, length=20, factor=0.5)

    def __init__(self, max_lr: float, length: float, factor: float = 1.0,
                 staircase: bool = False) -> None:
        super().__init__()
        self.max_lr = check_lr("max_lr", max_lr)
        self.length = check_positive("length", length)
        self.factor = check_lr("factor", factor)
        self.staircase = check_bool("staircase", staircase)

    def _at(self, t):
        p = t / self.length
        return self.max_lr / (1 + self.factor * (math.floor(p) if self.staircase else p))

    def _values(self, t):
        p = t / self.length
        return self.max_lr / (1 + self.factor * (np.floor(p) if self.staircase else p))

    def _peak(self):
        return self.max_lr

    def _repr_args(self):
        return [("max_lr", self.max_lr), ("length", self.length), ("factor", self.factor),
                ("staircase", self.staircase)]


class TanhDecay(Schedule):
    """Hyperbolic-tangent decay (timm ``TanhLRScheduler``, one cycle)::

        r = t / length
        lr(t) = min_lr + (max_lr - min_lr) * (1 - tanh(lb * (1 - r) + ub * r)) / 2   for t < length
                min_lr                                                              after

    The value at ``t = 0`` is ``(1 - tanh(lb)) / 2`` of the way from ``min_lr`` to
    ``max_lr`` (0.9999992 for ``lb = -7``); that value is ``base_lr``.

    Parameters
    ----------
    min_lr : float
        Value from ``length`` on (``<= max_lr``).
    max_lr : float
        Upper value of the curve.
    length : int
        Steps of the decay (``>= 1``).
    lb, ub : float, default -7, 3
        The tanh argument runs from ``lb`` to ``ub`` (``lb < ub``).

    Examples
    --------
    >>> s = TanhDecay(0.0, 1.0, length=4)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.9999, 0.982, 0.2689, 0.0, 0.0]

    References
    ----------
    Hsueh et al., "Stochastic Gradient Descent with Hyperbolic-Tangent Decay on
    Classification", 2018 (arXiv:1806.01593).
    """

    _lr_params = ("min_lr", "max_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(min_lr=0.002, max_lr=0.1, length=180)

    def __init__(self, min_lr: float, max_lr: float, length: int, lb: float = -7.0,
                 ub: float = 3.0) -> None:
        super().__init__()
        self.min_lr, self.max_lr = check_min_max(min_lr, max_lr)
        self.length = check_int("length", length)
        self.lb = check_real("lb", lb)
        self.ub = check_real("ub", ub)
        if not self.lb < self.ub:
            raise ValueError(f"ub must be > lb={self.lb!r}, got {ub!r}")

    def _at(self, t):
        if t >= self.length:
            return self.min_lr
        r = t / self.length
        return interpolate(self.min_lr, self.max_lr,
                           (1 - math.tanh(self.lb * (1 - r) + self.ub * r)) / 2)

    def _values(self, t):
        r = np.minimum(t, self.length) / self.length
        out = interpolate(self.min_lr, self.max_lr,
                          (1 - np.tanh(self.lb * (1 - r) + self.ub * r)) / 2)
        return np.where(t >= self.length, self.min_lr, out)

    def _peak(self):
        return self._at(0)

    def _repr_args(self):
        return [("min_lr", self.min_lr), ("max_lr", self.max_lr), ("length", self.length),
                ("lb", self.lb), ("ub", self.ub)]
