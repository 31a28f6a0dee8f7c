"""Decay shapes: constant, step, exponential, polynomial, linear, inverse sqrt, cosine, tanh.

Each shape starts at its reference value ``lr`` (``base_lr``) at ``t = 0`` and decays;
all are closed forms of ``t``. Steps are *indices*: ``sched(t)`` is the published
formula at step ``t``, exactly as PyTorch / Keras / timm write it. PyTorch and Keras
use the value of index ``k - 1`` for their ``k``-th update, MXNet asks for ``sched(k)``;
to replay a PyTorch or Keras run update for update, wrap the schedule in
:class:`mxsched.Delay` (``Delay(s, 1)``).
"""
from __future__ import annotations

import bisect
import math
from typing import Sequence

import numpy as np

from .base import (Schedule, check_bool, check_factor, check_increasing, check_int, check_lr,
                   check_positive, check_real, interpolate)

__all__ = ["Constant", "StepDecay", "MultiStepDecay", "ExponentialDecay", "PolynomialDecay",
           "LinearSchedule", "InverseSqrtDecay", "CosineDecay", "TanhDecay"]


def _check_end(end_name, end_value, lr):
    end_value = check_lr(end_name, end_value)
    if end_value > lr:
        raise ValueError(f"{end_name} must be <= lr={lr!r}, got {end_value!r}")
    return end_value


class Constant(Schedule):
    """A constant learning rate: ``lr(t) = lr``.

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


class StepDecay(Schedule):
    """Multiply by ``gamma`` every ``step_size`` steps (PyTorch ``StepLR``)::

        lr(t) = lr * gamma ** floor(t / step_size)

    Parameters
    ----------
    lr : float
        Value for ``0 <= t < step_size``; ``base_lr``.
    step_size : int
        Steps between decays (``>= 1``).
    gamma : float, default 0.1
        Factor per decay, in ``(0, 1]``.

    Examples
    --------
    >>> s = StepDecay(1.0, step_size=2, gamma=0.5)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, step_size=50, gamma=0.5)

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.step_size = check_int("step_size", step_size)
        self.gamma = check_factor("gamma", gamma)

    def _at(self, t):
        return self.lr * self.gamma ** (t // self.step_size)

    def _values(self, t):
        with np.errstate(under="ignore"):
            return self.lr * np.power(self.gamma, np.floor(t / self.step_size))

    def _peak(self):
        return self.lr

    def _repr_args(self):
        return [("lr", self.lr), ("step_size", self.step_size), ("gamma", self.gamma)]


class MultiStepDecay(Schedule):
    """Multiply by ``gamma`` at each milestone (PyTorch ``MultiStepLR``)::

        lr(t) = lr * gamma ** (number of milestones m with m <= t)

    Parameters
    ----------
    lr : float
        Value before the first milestone; ``base_lr``.
    milestones : list of int
        Increasing steps (``>= 1``) at which the value drops.
    gamma : float, default 0.1
        Factor per milestone, in ``(0, 1]``.

    Examples
    --------
    >>> s = MultiStepDecay(1.0, milestones=[2, 5], gamma=0.1)
    >>> [round(s(t), 4) for t in range(7)]
    [1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01]
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, milestones=[80, 150], gamma=0.2)

    def __init__(self, lr: float, milestones: Sequence[int], gamma: float = 0.1) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        steps = check_increasing("milestones", milestones)
        if not steps:
            raise ValueError(f"milestones must be a non-empty increasing list, "
                             f"got {list(milestones)!r}")
        self.milestones = steps
        self.gamma = check_factor("gamma", gamma)

    def _at(self, t):
        return self.lr * self.gamma ** bisect.bisect_right(self.milestones, t)

    def _values(self, t):
        k = np.searchsorted(np.asarray(self.milestones, dtype=np.float64), t, side="right")
        with np.errstate(under="ignore"):
            return self.lr * np.power(self.gamma, k)

    def _peak(self):
        return self.lr

    def _repr_args(self):
        return [("lr", self.lr), ("milestones", self.milestones), ("gamma", self.gamma)]


class ExponentialDecay(Schedule):
    """Exponential decay, continuous or staircase (Keras ``ExponentialDecay``)::

        lr(t) = lr * decay_rate ** (t / decay_steps)           (continuous)
        lr(t) = lr * decay_rate ** floor(t / decay_steps)      (staircase)

    With ``decay_steps = 1`` this is PyTorch ``ExponentialLR(gamma=decay_rate)``.

    Parameters
    ----------
    lr : float
        Value at ``t = 0``; ``base_lr``.
    decay_rate : float
        Factor per ``decay_steps``, in ``(0, 1]``.
    decay_steps : float, default 1
        Steps over which the value is multiplied by ``decay_rate`` (``> 0``).
    staircase : bool, default False
        Decay in whole steps of ``decay_steps``.

    Examples
    --------
    >>> s = ExponentialDecay(1.0, decay_rate=0.5, decay_steps=2)
    >>> [round(s(t), 4) for t in range(5)]
    [1.0, 0.7071, 0.5, 0.3536, 0.25]
    >>> s = ExponentialDecay(1.0, decay_rate=0.5, decay_steps=2, staircase=True)
    >>> [round(s(t), 4) for t in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, decay_rate=0.5, decay_steps=50, staircase=False)

    def __init__(self, lr: float, decay_rate: float, decay_steps: float = 1,
                 staircase: bool = False) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.decay_rate = check_factor("decay_rate", decay_rate)
        self.decay_steps = check_positive("decay_steps", decay_steps)
        self.staircase = check_bool("staircase", staircase)

    def _at(self, t):
        p = t / self.decay_steps
        return self.lr * self.decay_rate ** (math.floor(p) if self.staircase else p)

    def _values(self, t):
        p = t / self.decay_steps
        with np.errstate(under="ignore"):
            return self.lr * np.power(self.decay_rate, np.floor(p) if self.staircase else p)

    def _peak(self):
        return self.lr

    def _repr_args(self):
        return [("lr", self.lr), ("decay_rate", self.decay_rate),
                ("decay_steps", self.decay_steps), ("staircase", self.staircase)]


class PolynomialDecay(Schedule):
    """Polynomial decay to ``end_lr`` (Keras ``PolynomialDecay``, PyTorch ``PolynomialLR``)::

        p = min(t, decay_steps) / decay_steps
        lr(t) = end_lr + (lr - end_lr) * (1 - p) ** power

    With ``cycle=True`` the decay restarts: ``D = decay_steps * max(1, ceil(t /
    decay_steps))`` replaces ``decay_steps`` and ``t`` is not clipped (Keras), so the
    value jumps up just after each multiple of ``decay_steps`` and decays more slowly.

    Parameters
    ----------
    lr : float
        Value at ``t = 0``; ``base_lr``.
    decay_steps : int
        Steps of the decay (``>= 1``).
    end_lr : float, default 0
        Final value (``<= lr``).
    power : float, default 1
        Exponent (``> 0``); 1 is linear.
    cycle : bool, default False
        Keras' ``cycle`` option.

    Examples
    --------
    >>> s = PolynomialDecay(1.0, decay_steps=4, end_lr=0.0, power=2)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    >>> s = PolynomialDecay(1.0, decay_steps=2, cycle=True)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.5, 0.0, 0.25, 0.0, 0.1667]
    """

    _lr_params = ("lr", "end_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, decay_steps=150, end_lr=0.005, power=2.0)

    def __init__(self, lr: float, decay_steps: int, end_lr: float = 0.0, power: float = 1.0,
                 cycle: bool = False) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.decay_steps = check_int("decay_steps", decay_steps)
        self.end_lr = _check_end("end_lr", end_lr, self.lr)
        self.power = check_positive("power", power)
        self.cycle = check_bool("cycle", cycle)

    def _at(self, t):
        if self.cycle:
            span = self.decay_steps * max(1, math.ceil(t / self.decay_steps))
        else:
            span, t = self.decay_steps, min(t, self.decay_steps)
        return interpolate(self.end_lr, self.lr, (1 - t / span) ** self.power)

    def _values(self, t):
        if self.cycle:
            span = self.decay_steps * np.maximum(1.0, np.ceil(t / self.decay_steps))
        else:
            span, t = self.decay_steps, np.minimum(t, self.decay_steps)
        return interpolate(self.end_lr, self.lr, (1 - t / span) ** self.power)

    def _peak(self):
        return self.lr

    def _repr_args(self):
        return [("lr", self.lr), ("decay_steps", self.decay_steps), ("end_lr", self.end_lr),
                ("power", self.power), ("cycle", self.cycle)]


class LinearSchedule(Schedule):
    """A straight line from ``start_lr`` to ``end_lr`` over ``length`` steps, then flat::

        lr(t) = start_lr + (end_lr - start_lr) * min(t, length) / length

    Either direction: a linear decay (PyTorch ``LinearLR``, optax ``linear_schedule``) or a
    ramp. ``base_lr`` is ``max(start_lr, end_lr)``.

    Examples
    --------
    >>> s = LinearSchedule(1.0, 0.2, length=4)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.8, 0.6, 0.4, 0.2, 0.2]
    """

    _lr_params = ("start_lr", "end_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(start_lr=0.1, end_lr=0.01, length=160)

    def __init__(self, start_lr: float, end_lr: float, length: int) -> None:
        super().__init__()
        self.start_lr = check_lr("start_lr", start_lr)
        self.end_lr = check_lr("end_lr", end_lr)
        self.length = check_int("length", length)

    def _at(self, t):
        return interpolate(self.start_lr, self.end_lr, min(t, self.length) / self.length)

    def _values(self, t):
        return interpolate(self.start_lr, self.end_lr, np.minimum(t, self.length) / self.length)

    def _peak(self):
        return max(self.start_lr, self.end_lr)

    def _repr_args(self):
        return [("start_lr", self.start_lr), ("end_lr", self.end_lr), ("length", self.length)]


class InverseSqrtDecay(Schedule):
    """Inverse square-root decay::

        lr(t) = lr * sqrt(timescale / (t + timescale))

    ``timescale = 1`` is the textbook ``lr * (t + 1) ** -0.5``. Behind a warm-up of
    ``W`` steps, ``LinearWarmUp(InverseSqrtDecay(lr, timescale=W), 0, W)`` is Hugging
    Face's ``get_inverse_sqrt_schedule`` (default ``timescale = W``) and the Transformer
    ("Noam") schedule ``d ** -0.5 * min(t ** -0.5, t * W ** -1.5)`` with
    ``lr = (d * W) ** -0.5``.

    Parameters
    ----------
    lr : float
        Value at ``t = 0``; ``base_lr``.
    timescale : float, default 1
        Steps over which the value falls to ``lr / sqrt(2)`` (``> 0``).

    Examples
    --------
    >>> s = InverseSqrtDecay(1.0)
    >>> [round(s(t), 4) for t in (0, 1, 3, 8, 99)]
    [1.0, 0.7071, 0.5, 0.3333, 0.1]

    References
    ----------
    Vaswani et al., "Attention Is All You Need", 2017.
    """

    _lr_params = ("lr",)

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, timescale=20.0)

    def __init__(self, lr: float, timescale: float = 1.0) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.timescale = check_positive("timescale", timescale)

    def _at(self, t):
        return self.lr * math.sqrt(self.timescale / (t + self.timescale))

    def _values(self, t):
        return self.lr * np.sqrt(self.timescale / (t + self.timescale))

    def _peak(self):
        return self.lr

    def _repr_args(self):
        return [("lr", self.lr), ("timescale", self.timescale)]


class CosineDecay(Schedule):
    """Cosine decay to a floor, with an exponent (optax ``cosine_decay_schedule``)::

        c(t) = (1 + cos(pi * min(t, decay_steps) / decay_steps)) / 2
        lr(t) = min_lr + (lr - min_lr) * c(t) ** exponent

    ``exponent = 1`` is Keras ``CosineDecay`` with ``alpha = min_lr / lr`` and PyTorch
    ``CosineAnnealingLR`` over ``T_max = decay_steps`` (held at ``min_lr`` after it).

    Parameters
    ----------
    lr : float
        Value at ``t = 0``; ``base_lr``.
    decay_steps : int
        Steps of the decay (``>= 1``).
    min_lr : float, default 0
        The floor (``<= lr``).
    exponent : float, default 1
        Power applied to the cosine factor (``> 0``).

    Examples
    --------
    >>> s = CosineDecay(1.0, decay_steps=4, min_lr=0.1)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]

    References
    ----------
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    """

    _lr_params = ("lr", "min_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, decay_steps=160, min_lr=0.005)

    def __init__(self, lr: float, decay_steps: int, min_lr: float = 0.0,
                 exponent: float = 1.0) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.decay_steps = check_int("decay_steps", decay_steps)
        self.min_lr = _check_end("min_lr", min_lr, self.lr)
        self.exponent = check_positive("exponent", exponent)

    def _at(self, t):
        c = (1 + math.cos(math.pi * min(t, self.decay_steps) / self.decay_steps)) / 2
        return interpolate(self.min_lr, self.lr, c ** self.exponent)

    def _values(self, t):
        c = (1 + np.cos(np.pi * np.minimum(t, self.decay_steps) / self.decay_steps)) / 2
        return interpolate(self.min_lr, self.lr, c ** self.exponent)

    def _peak(self):
        return self.lr

    def _repr_args(self):
        args = [("lr", self.lr), ("decay_steps", self.decay_steps), ("min_lr", self.min_lr)]
        if self.exponent != 1:
            args.append(("exponent", self.exponent))
        return args


class TanhDecay(Schedule):
    """Hyperbolic-tangent decay (timm ``TanhLRScheduler``, one cycle)::

        r = t / decay_steps
        lr(t) = min_lr + (lr - min_lr) * (1 - tanh(lb * (1 - r) + ub * r)) / 2    for t < decay_steps
                min_lr                                                          after

    The value at ``t = 0`` is ``(1 - tanh(lb)) / 2`` of the way from ``min_lr`` to
    ``lr`` (0.9999992 for ``lb = -7``); that value is ``base_lr``.

    Parameters
    ----------
    lr : float
        Upper value of the curve (``>= min_lr``).
    decay_steps : int
        Steps of the decay (``>= 1``).
    min_lr : float, default 0
        Value from ``decay_steps`` on.
    lb, ub : float, default -7, 3
        The tanh argument runs from ``lb`` to ``ub`` (``lb < ub``).

    Examples
    --------
    >>> s = TanhDecay(1.0, decay_steps=4)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.9999, 0.982, 0.2689, 0.0, 0.0]

    References
    ----------
    Hsueh et al., "Stochastic Gradient Descent with Hyperbolic-Tangent Decay on
    Classification", 2018 (arXiv:1806.01593).
    """

    _lr_params = ("lr", "min_lr")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, decay_steps=180, min_lr=0.002)

    def __init__(self, lr: float, decay_steps: int, min_lr: float = 0.0, lb: float = -7.0,
                 ub: float = 3.0) -> None:
        super().__init__()
        self.lr = check_lr("lr", lr)
        self.decay_steps = check_int("decay_steps", decay_steps)
        self.min_lr = _check_end("min_lr", min_lr, self.lr)
        self.lb = check_real("lb", lb)
        self.ub = check_real("ub", ub)
        if not self.lb < self.ub:
            raise ValueError(f"ub must be > lb={self.lb!r}, got {ub!r}")

    def _at(self, t):
        if t >= self.decay_steps:
            return self.min_lr
        r = t / self.decay_steps
        return interpolate(self.min_lr, self.lr,
                           (1 - math.tanh(self.lb * (1 - r) + self.ub * r)) / 2)

    def _values(self, t):
        r = np.minimum(t, self.decay_steps) / self.decay_steps
        out = interpolate(self.min_lr, self.lr, (1 - np.tanh(self.lb * (1 - r) + self.ub * r)) / 2)
        return np.where(t >= self.decay_steps, self.min_lr, out)

    def _peak(self):
        return self._at(0)

    def _repr_args(self):
        return [("lr", self.lr), ("decay_steps", self.decay_steps), ("min_lr", self.min_lr),
                ("lb", self.lb), ("ub", self.ub)]
