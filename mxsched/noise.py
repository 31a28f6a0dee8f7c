"""Seeded multiplicative noise on a schedule (timm's ``noise_*`` options), still pure.

timm draws the noise of step ``t`` from a generator seeded with ``seed + t``. Here the
random number of step ``t`` is a hash of ``(seed, floor(t))`` (SplitMix64), turned into
a truncated normal by the inverse normal CDF or into a uniform: no generator state, so a
value depends on ``t`` alone, any call order gives the same numbers, and ``values``
computes a million steps at once. The numbers differ from timm's (torch's generator),
their distribution is the same.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .adapters import ScheduleLike, as_schedule
from .base import Schedule
from .checks import check_choice, check_fraction, check_int, check_positive
from .shapes import Constant, CosineAnnealing

__all__ = ["Noise"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _splitmix(key: int) -> int:
    z = (key + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _splitmix_array(key: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = key + np.uint64(_GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform(seed: int, t: float) -> float:
    """The uniform number in ``(0, 1)`` of step ``floor(t)`` for ``seed``."""
    key = (_splitmix(seed & _MASK) + int(math.floor(t))) & _MASK
    return ((_splitmix(key) >> 11) + 0.5) * 2.0 ** -53


def uniform_array(seed: int, t: np.ndarray) -> np.ndarray:
    """:func:`uniform` for an array of steps."""
    base = np.uint64(_splitmix(seed & _MASK))
    with np.errstate(over="ignore"):
        key = base + np.fmod(np.floor(t), 2.0 ** 64).astype(np.uint64)
    return ((_splitmix_array(key) >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0 ** -53


# Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9).
_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
      6.680131188771972e+01, -1.328068155288572e+01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
      3.754408661907416e+00)
_P_LOW = 0.02425


def _poly(coefs, x):
    if isinstance(x, np.ndarray):  # in place: the same operations, no temporaries
        out = np.full_like(x, coefs[0])
        for c in coefs[1:]:
            out *= x
            out += c
        return out
    out = coefs[0]
    for c in coefs[1:]:
        out = out * x + c
    return out


def _tail(p, xp):
    q = xp.sqrt(-2 * xp.log(p))
    return _poly(_C, q) / (_poly(_D, q) * q + 1)


def norm_ppf(p: float) -> float:
    """Inverse of the standard normal CDF at ``p`` in ``(0, 1)``."""
    if p < _P_LOW:
        return _tail(p, math)
    if p > 1 - _P_LOW:
        return -_tail(1 - p, math)
    q = p - 0.5
    r = q * q
    return _poly(_A, r) * q / (_poly(_B, r) * r + 1)


def norm_ppf_array(p: np.ndarray) -> np.ndarray:
    """:func:`norm_ppf` for an array."""
    q = p - 0.5
    r = q * q
    out = _poly(_A, r)
    out *= q
    den = _poly(_B, r)
    den *= r
    den += 1
    out /= den
    low, high = p < _P_LOW, p > 1 - _P_LOW
    if low.any():
        out[low] = _tail(p[low], np)
    if high.any():
        out[high] = -_tail(1 - p[high], np)
    return out


def _norm_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


class Noise(Schedule):
    """Multiply a schedule by ``1 + n(t)``, ``n`` a seeded random number per step.

    For ``start <= t < end`` (``end=None``: for ever)::

        lr(t) = schedule(t) * (1 + n(t))

    with ``n(t)`` a normal of standard deviation ``std`` truncated to ``(-pct, pct)``
    (``distribution='normal'``, drawn by inverse CDF) or uniform on ``[-pct, pct)``
    (``'uniform'``); ``n`` is constant within an integer step and a pure function of
    ``(seed, floor(t))``. ``base_lr``, the largest value, is ``(1 + pct)`` times the
    noise-free schedule's (so a ``Trainer`` given ``learning_rate=x`` caps the noisy rate
    at ``x``); assigning it rescales the schedule. timm's ``noise_range_t``,
    ``noise_pct``, ``noise_std``, ``noise_type`` and ``noise_seed`` are ``(start, end)``,
    ``pct``, ``std``, ``distribution`` and ``seed`` here.

    Parameters
    ----------
    schedule : schedule
        The noise-free schedule (never modified).
    pct : float, default 0.67
        Bound of the relative noise, in ``(0, 1]``.
    std : float, default 1
        Standard deviation of the normal before truncation (``> 0``).
    distribution : {'normal', 'uniform'}, default 'normal'
    seed : int, default 42
        Any integer in ``[0, 2**64)``.
    start : int, default 0
        First noisy step.
    end : int, optional
        First step without noise again (``> start``); default: none.

    Examples
    --------
    >>> s = Noise(Constant(1.0), pct=0.1, seed=0, start=2, end=4)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 1.0, 1.002, 1.0951, 1.0, 1.0]
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(schedule=CosineAnnealing(0.005, 0.1, 180), pct=0.2, seed=7, start=40,
                    end=150)

    def __init__(self, schedule: ScheduleLike, pct: float = 0.67, std: float = 1.0,
                 distribution: str = "normal", seed: int = 42, start: int = 0,
                 end: Optional[int] = None) -> None:
        super().__init__()
        self.schedule = as_schedule(schedule)
        self.pct = check_fraction("pct", pct)
        self.std = check_positive("std", std)
        self.distribution = check_choice("distribution", distribution, ("normal", "uniform"))
        self.seed = check_int("seed", seed, minimum=0, maximum=2 ** 64 - 1)
        self.start = check_int("start", start, minimum=0)
        self.end = None if end is None else check_int("end", end, minimum=0)
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end must be > start={self.start!r}, got {end!r}")
        bound = self.pct / self.std
        self._lo, self._hi = _norm_cdf(-bound), _norm_cdf(bound)

    def noise(self, t: float) -> float:
        """The relative noise ``n(t)`` (0 outside ``[start, end)``)."""
        if t < self.start or (self.end is not None and t >= self.end):
            return 0.0
        u = uniform(self.seed, t)
        if self.distribution == "uniform":
            return (2 * u - 1) * self.pct
        n = self.std * norm_ppf(self._lo + u * (self._hi - self._lo))
        return min(max(n, -self.pct), self.pct)  # approximation error

    def _noise_values(self, t):
        u = uniform_array(self.seed, t)
        if self.distribution == "uniform":
            n = (2 * u - 1) * self.pct
        else:
            n = np.clip(self.std * norm_ppf_array(self._lo + u * (self._hi - self._lo)),
                        -self.pct, self.pct)
        inside = t >= self.start
        if self.end is not None:
            inside &= t < self.end
        return np.where(inside, n, 0.0)

    def _at(self, t):
        return self.schedule._at(t) * (1 + self.noise(t))

    def _values(self, t):
        return self.schedule._values(t) * (1 + self._noise_values(t))

    def _peak(self):
        return self.schedule._peak() * (1 + self.pct)

    def phases(self, total_steps=None):
        return self.schedule.phases(total_steps)

    def _repr_args(self):
        args = [("schedule", self.schedule), ("pct", self.pct), ("std", self.std),
                ("distribution", self.distribution), ("seed", self.seed),
                ("start", self.start)]
        if self.end is not None:
            args.append(("end", self.end))
        return args
