"""timm's learning-rate schedulers, with timm's names, arguments and values.

Drop-ins for the five schedulers of ``timm.scheduler`` (PyTorch Image Models) that are
closed forms of a counter: :class:`CosineLRScheduler`, :class:`TanhLRScheduler`,
:class:`PolyLRScheduler`, :class:`StepLRScheduler` and :class:`MultiStepLRScheduler`.
Each takes timm's arguments, in timm's order and with timm's defaults, and is a pure
mxsched schedule (``repr(sched.core)`` shows what it is made of).

Conventions
-----------
* **The learning rate is the first argument, ``lr``.** timm reads it from the optimizer
  (``optimizer`` is timm's first argument; ``lr`` takes its place, so positional calls
  keep their meaning): ``CosineLRScheduler(optimizer, t_initial=100)`` becomes
  ``CosineLRScheduler(lr=0.1, t_initial=100)``.
* **Update alignment.** timm's schedulers are functions ``f(t)`` of a counter ``t`` that
  the training loop hands to ``step_update(num_updates)`` after each optimizer update
  (``t_in_epochs=False``) or to ``step(epoch + 1)`` after each epoch
  (``t_in_epochs=True``, timm's default). A drop-in handed to ``gluon.Trainer`` applies
  at MXNet's update ``k`` what timm applies at its ``k``-th update:

  - ``updates_per_epoch=None`` (default): ``t`` counts updates, update ``k`` uses
    ``t = k - 1`` (timm's ``t_in_epochs=False`` with ``--sched-on-updates``);
  - ``updates_per_epoch=U``: ``t`` counts epochs of ``U`` updates, update ``k`` uses
    ``t = (k - 1) // U`` (timm's ``t_in_epochs=True``, the loop calling ``step`` once
    per epoch).

  ``updates_per_epoch`` takes the place of timm's ``t_in_epochs`` in the argument list.
  Update ``k`` with ``t = 0`` uses the value timm writes when it is built:
  ``warmup_lr_init`` if ``warmup_t`` else ``lr`` (not ``f(0)``, which differs for tanh,
  for milestones 0 and 1, and under noise from step 0).
* ``base_lr`` is the largest value: ``lr``, except with noise (``1 + noise_pct`` times
  the noise-free peak, the bound of the noisy values) and for a tanh behind a warm-up
  (which never quite reaches ``lr``). Give the rate as ``lr`` and pass no
  ``learning_rate`` to the ``Trainer``: that rescales the schedule to peak there.
* Arguments timm checks with a bare ``assert``, or only when stepping (a
  ``ZeroDivisionError``, a ``TypeError`` deep inside), are checked when the drop-in is
  built, with a ``ValueError`` or ``TypeError`` that names the argument.

Deliberately not reproduced
---------------------------
* **The noise numbers.** ``noise_range_t``, ``noise_pct``, ``noise_std`` and
  ``noise_seed`` mean what they mean in timm (same steps, same truncated normal, raw
  counter, the warm-up noisy too), but :class:`mxsched.Noise` draws its numbers from a
  stateless hash of ``(seed, t)``, not from a ``torch.Generator`` seeded ``seed + t``:
  the values are other random numbers of the same distribution. timm's
  ``noise_type`` is no argument of its constructors (only the attribute), so there is
  none here.
* **Float rounding at cycle boundaries.** timm locates the cycle of ``t`` with
  ``floor(math.log(x, cycle_mul))``, which can land one cycle early exactly at a
  restart (``cycle_mul=10, t_initial=1``: ``log(1000, 10) = 2.9999999999999996``, so
  ``t = 111`` gets ``lr_min`` instead of the restart). The drop-ins restart at every
  restart. Likewise timm's position in a cycle can come out as ``-7e-15`` at a cycle
  start, where a non-integer ``k_decay`` makes cosine raise and poly return a complex
  number; here it is the cycle's first value.
* **What needs an optimizer or a stepping loop.** ``initialize``, per-group
  ``lr_scale`` (use MXNet's ``lr_mult``), ``step``/``step_update``, ``state_dict`` (a
  drop-in is a pure function of the update count: resuming needs nothing). Nor timm's
  ``get_cycle_length`` helper.
* **Cases the mxsched core cannot express** are errors at construction: shrinking
  cycles (``cycle_mul < 1``: timm raises ``math domain error`` once ``t`` reaches
  ``t_initial / (1 - cycle_mul)``), growing or vanishing peaks (``cycle_decay``,
  ``decay_rate`` outside ``(0, 1]``), non-integer ``t_initial``, ``lr_min`` above
  ``lr`` (or equal to it with decaying restarts, where timm dips below ``lr_min``),
  repeated or unsorted milestones, and a noise range that holds no step.

Examples
--------
>>> from mxsched.compat.timm import CosineLRScheduler
>>> s = CosineLRScheduler(lr=0.1, t_initial=4, warmup_t=2, warmup_lr_init=0.01)
>>> [round(s(k), 4) for k in range(1, 8)]
[0.01, 0.055, 0.05, 0.0146, 0.0, 0.0, 0.0]
"""
from __future__ import annotations

import logging
import math
import numbers
from typing import List, Optional, Sequence, Union

from ..base import Schedule
from ..checks import (check_bool, check_increasing, check_int, check_lr, check_positive,
                      check_real)
from ..compose import Delay, Join
from ..cycles import Restarts
from ..decays import ExponentialDecay, MultiStepDecay, PolynomialDecay, StepDecay, TanhDecay
from ..noise import Noise
from ..shapes import Constant, CosineAnnealing, LinearSchedule
from ..units import InUnits
from ..warmup import LinearWarmUp
from ._base import DropIn

__all__ = ["CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler", "StepLRScheduler",
           "MultiStepLRScheduler"]

_log = logging.getLogger(__name__)

#: timm's warning (its text, also for PolyLRScheduler) when t_initial = cycle_mul =
#: cycle_decay = 1.
NO_EFFECT_WARNING = ("Cosine annealing scheduler will have no effect on the learning rate "
                     "since t_initial = t_mul = eta_mul = 1.")

NoiseRange = Union[None, float, Sequence[float]]


# --------------------------------------------------------------------------- checks
def _check_number(name: str, value, minimum: float = 0.0):
    """``value`` as an int (if integral) or a float, finite and ``>= minimum``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        out = int(value)
    else:
        out = check_real(name, value)
    if not out >= minimum:
        raise ValueError(f"{name} must be >= {minimum!r}, got {value!r}")
    return out


def _check_rate(name: str, value) -> float:
    """A decay factor in ``(0, 1]`` (timm takes any number; mxsched's values never grow)."""
    value = check_real(name, value)
    if not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1] (a decay), got {value!r}")
    return value


def _check_noise_range(value: NoiseRange):
    """``noise_range_t`` as stored (a number or a list of two) and the integer steps
    ``(start, end)`` it covers (``end`` None: no end), or ``(None, None)``."""
    if value is None:
        return None, None
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"noise_range_t must be a number or a pair [start, end], "
                             f"got {value!r}")
        lo = _check_number("noise_range_t[0]", value[0])
        hi = _check_number("noise_range_t[1]", value[1])
        # timm: noise iff lo <= t < hi, i.e. for the integers ceil(lo) <= t < ceil(hi)
        start, end = math.ceil(lo), math.ceil(hi)
        if end <= start:
            raise ValueError(f"noise_range_t must hold at least one step (start <= t < end), "
                             f"got {value!r}")
        return [lo, hi], (start, end)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = _check_number("noise_range_t", value)
        return number, (math.ceil(number), None)
    raise TypeError(f"noise_range_t must be None, a number or a pair [start, end], "
                    f"got {value!r}")


# --------------------------------------------------------------------------- the base
class _TimmParts:
    """What the five drop-ins share: checks, cycles, warm-up, noise, the construction
    value, alignment. A plain mixin, not a schedule class (configs list schedule classes)."""

    _lr_params = ("lr", "lr_min", "warmup_lr_init")

    def _check_common(self, lr, warmup_t, warmup_lr_init, warmup_prefix, updates_per_epoch,
                      noise_range_t, noise_pct, noise_std, noise_seed) -> None:
        self.lr = check_lr("lr", lr)
        self.warmup_t = check_int("warmup_t", warmup_t, minimum=0)
        self.warmup_lr_init = check_lr("warmup_lr_init", warmup_lr_init)
        self.warmup_prefix = check_bool("warmup_prefix", warmup_prefix)
        self.updates_per_epoch = (None if updates_per_epoch is None
                                  else check_int("updates_per_epoch", updates_per_epoch))
        self.noise_range_t, self._noise_steps = _check_noise_range(noise_range_t)
        self.noise_pct = check_positive("noise_pct", noise_pct)
        if self.noise_pct > 1:
            raise ValueError(f"noise_pct must be in (0, 1], got {noise_pct!r}")
        self.noise_std = check_positive("noise_std", noise_std)
        self.noise_seed = (None if noise_seed is None
                           else check_int("noise_seed", noise_seed, minimum=0,
                                          maximum=2 ** 64 - 1))

    def _check_cycles(self, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit) -> None:
        self.t_initial = check_int("t_initial", t_initial)
        self.lr_min = check_lr("lr_min", lr_min)
        if self.lr_min > self.lr:
            raise ValueError(f"lr_min must be <= lr={self.lr!r}, got {lr_min!r}")
        self.cycle_mul = check_real("cycle_mul", cycle_mul)
        if self.cycle_mul < 1:
            raise ValueError(f"cycle_mul must be >= 1 (cycles that shrink are not "
                             f"supported), got {cycle_mul!r}")
        self.cycle_decay = _check_rate("cycle_decay", cycle_decay)
        self.cycle_limit = check_int("cycle_limit", cycle_limit, minimum=0)
        if (self.lr_min == self.lr > 0 and self.cycle_decay < 1 and self.cycle_limit > 1):
            raise ValueError(f"lr_min must be < lr={self.lr!r} when cycle_decay < 1 and "
                             f"cycle_limit > 1 (timm's later cycles then run below lr_min), "
                             f"got {lr_min!r}")

    def _warn_no_effect(self) -> None:
        if self.t_initial == 1 and self.cycle_mul == 1 and self.cycle_decay == 1:
            _log.warning(NO_EFFECT_WARNING)

    def _cycles(self, shape: Schedule, k_decay: float = 1.0) -> Schedule:
        """``shape`` (one cycle over ``t_initial``) repeated as timm's cycles."""
        if self.cycle_limit == 0:
            return Constant(self.lr_min)
        if self.cycle_limit == 1 and k_decay == 1:
            return shape  # one cycle, then lr_min: the shape itself
        mode = "peak" if self.cycle_decay != 1 else "height"
        return Restarts(shape, self.t_initial, self.cycle_mul, self.cycle_decay, mode,
                        self.cycle_limit, k_decay)

    def _finish(self, curve: Schedule, exact_start: bool, target: Optional[float] = None):
        """Set the core: warm-up, noise and construction value on ``curve`` (timm's
        ``_get_lr`` after the warm-up, unshifted), then update alignment.

        ``exact_start``: ``curve(0)`` is ``lr``, timm's warm-up target, so a core warm-up
        (which ramps to ``curve(0)``) fits. Otherwise the ramp goes to ``target``
        (default ``lr``) and the curve takes over at ``warmup_t``.
        """
        sched, w = curve, self.warmup_t
        if w:
            if exact_start:
                sched = LinearWarmUp(curve, self.warmup_lr_init, w, shift=self.warmup_prefix)
            else:
                ramp = LinearSchedule(self.warmup_lr_init,
                                      self.lr if target is None else target, w)
                sched = Join([ramp, curve], [w], local=self.warmup_prefix)
        if self._noise_steps is not None:
            start, end = self._noise_steps
            start = max(start, 1)  # t = 0 is the construction value: never noisy
            if end is None or end > start:
                seed = 42 if self.noise_seed is None else self.noise_seed
                sched = Noise(sched, self.noise_pct, self.noise_std, seed=seed,
                              start=start, end=end)
        if not w and not exact_start:  # timm's first value is lr, not the curve's
            sched = Join([Constant(self.lr), sched], [1], local=False)
        if self.updates_per_epoch is None:
            self._core = Delay(sched, 1)
        else:
            self._core = InUnits(sched, self.updates_per_epoch, stepwise=True)


# --------------------------------------------------------------------------- cosine
class CosineLRScheduler(_TimmParts, DropIn):
    """timm's ``CosineLRScheduler``: cosine annealing with warm restarts and warm-up.

    With ``T = t_initial``, ``m = cycle_mul``, cycle ``i`` of length ``T_i = T * m ** i``
    starting at ``S_i = T * (m ** i - 1) / (m - 1)`` (``T * i`` if ``m = 1``) and
    ``u = t - S_i`` the position in it, timm's counter ``t`` gives::

        lr_i  = lr * cycle_decay ** i
        f(t)  = warmup_lr_init + t * (lr - warmup_lr_init) / warmup_t           t < warmup_t
              = lr_min + (lr_i - lr_min) * (1 + cos(pi * u ** k / T_i ** k)) / 2   i < cycle_limit
              = lr_min                                                        afterwards

    with ``k = k_decay`` and ``t - warmup_t`` in place of ``t`` after the warm-up if
    ``warmup_prefix`` (else the ramp replaces the first ``warmup_t`` steps). Update ``k``
    uses ``f(k - 1)`` (``f((k - 1) // updates_per_epoch)`` per epoch), the first one
    ``warmup_lr_init`` (``lr`` without warm-up); see the module docstring, also for the
    noise.

    Built from ``CosineAnnealing(lr_min, lr, t_initial)``, repeated by
    ``Restarts(..., magnitude_mode='peak', cycle_limit, k_decay)`` when there is more
    than one cycle (or k-decay), behind ``LinearWarmUp(..., shift=warmup_prefix)``,
    ``Noise`` and ``Delay(..., 1)`` (or ``InUnits(..., updates_per_epoch,
    stepwise=True)``).

    Parameters
    ----------
    lr : float
        The optimizer's learning rate (timm's ``optimizer``), the first cycle's peak.
    t_initial : int
        Length of the first cycle, in updates (epochs with ``updates_per_epoch``).
    lr_min : float, default 0
        Floor of every cycle (``<= lr``).
    cycle_mul : float, default 1
        Each cycle is ``cycle_mul`` times longer than the previous (``>= 1``).
    cycle_decay : float, default 1
        Each cycle's peak is ``cycle_decay`` times the previous (``(0, 1]``).
    cycle_limit : int, default 1
        Number of cycles (``>= 0``); afterwards ``lr_min``.
    warmup_t : int, default 0
        Steps of linear warm-up.
    warmup_lr_init : float, default 0
        Value at the start of the warm-up.
    warmup_prefix : bool, default False
        Start the cosine after the warm-up (True) or let the warm-up replace its first
        ``warmup_t`` steps (False).
    updates_per_epoch : int, optional
        Count ``t`` in epochs of this many updates (timm's ``t_in_epochs=True``);
        default: ``t`` counts updates.
    noise_range_t : number or [start, end], optional
        Steps with noise: ``t >= noise_range_t``, or ``start <= t < end``.
    noise_pct : float, default 0.67
        Bound of the relative noise, in ``(0, 1]``.
    noise_std : float, default 1
        Standard deviation of the normal noise before truncation.
    noise_seed : int, default 42
        Seed of the noise (None: 42).
    k_decay : float, default 1
        k-decay exponent (``> 0``).

    Examples
    --------
    >>> s = CosineLRScheduler(lr=1.0, t_initial=4, cycle_limit=2, cycle_decay=0.5)
    >>> [round(s(k), 4) for k in range(1, 11)]
    [1.0, 0.8536, 0.5, 0.1464, 0.5, 0.4268, 0.25, 0.0732, 0.0, 0.0]

    References
    ----------
    timm ``timm/scheduler/cosine_lr.py`` (``CosineLRScheduler``, timm 1.0).
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016.
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, t_initial=60, lr_min=1e-4, cycle_mul=2.0, cycle_decay=0.5,
                    cycle_limit=2, warmup_t=20, warmup_lr_init=1e-4, warmup_prefix=True)

    def __init__(self, lr: float, t_initial: int, lr_min: float = 0.0,
                 cycle_mul: float = 1.0, cycle_decay: float = 1.0, cycle_limit: int = 1,
                 warmup_t: int = 0, warmup_lr_init: float = 0.0, warmup_prefix: bool = False,
                 updates_per_epoch: Optional[int] = None, noise_range_t: NoiseRange = None,
                 noise_pct: float = 0.67, noise_std: float = 1.0,
                 noise_seed: Optional[int] = 42, k_decay: float = 1.0) -> None:
        super().__init__()
        self._check_common(lr, warmup_t, warmup_lr_init, warmup_prefix, updates_per_epoch,
                           noise_range_t, noise_pct, noise_std, noise_seed)
        self._check_cycles(t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        self.k_decay = check_positive("k_decay", k_decay)
        self._warn_no_effect()
        shape = CosineAnnealing(self.lr_min, self.lr, self.t_initial)
        self._finish(self._cycles(shape, self.k_decay), exact_start=self.cycle_limit > 0)


# --------------------------------------------------------------------------- tanh
class TanhLRScheduler(_TimmParts, DropIn):
    """timm's ``TanhLRScheduler``: hyperbolic-tangent decay with restarts and warm-up.

    Cycles as :class:`CosineLRScheduler` (``r = u / T_i`` the fraction of cycle ``i``
    done)::

        f(t) = warmup_lr_init + t * (target - warmup_lr_init) / warmup_t        t < warmup_t
             = lr_min + (lr_i - lr_min) * (1 - tanh(lb * (1 - r) + ub * r)) / 2   i < cycle_limit
             = lr_min                                                          afterwards

    The warm-up ramps to ``target = lr`` with ``warmup_prefix``, else to the curve's
    value at ``t = warmup_t``, where the curve takes over (timm's choice: no jump). The
    curve's value at ``t = 0`` is ``(1 - tanh(lb)) / 2`` of ``lr`` (0.9999992 for
    ``lb = -7``), but the first update uses ``lr`` (or ``warmup_lr_init``), as timm.

    Built from ``TanhDecay(lr_min, lr, t_initial, lb, ub)``, repeated by ``Restarts``
    for more than one cycle (its peak padded to ``lr`` by ``Join`` where the peak decays
    above ``lr_min > 0``, so that ``cycle_decay`` scales timm's ``lr``), a ramp
    ``LinearSchedule`` joined in front, the first value joined before, ``Noise`` and
    update alignment as the other drop-ins.

    Parameters
    ----------
    lr : float
        The optimizer's learning rate (timm's ``optimizer``).
    t_initial : int
        Length of the first cycle.
    lb, ub : float, default -7, 3
        The tanh argument runs from ``lb`` to ``ub`` over a cycle (``lb < ub``).
    lr_min : float, default 0
        Floor (``<= lr``).
    cycle_mul, cycle_decay, cycle_limit : float, float, int
        As :class:`CosineLRScheduler`.
    warmup_t, warmup_lr_init, warmup_prefix
        As :class:`CosineLRScheduler` (the ramp's target: see above).
    updates_per_epoch : int, optional
        Count ``t`` in epochs of this many updates.
    noise_range_t, noise_pct, noise_std, noise_seed
        As :class:`CosineLRScheduler`.

    Examples
    --------
    >>> s = TanhLRScheduler(lr=1.0, t_initial=4)
    >>> [round(s(k), 4) for k in range(1, 7)]
    [1.0, 0.9999, 0.982, 0.2689, 0.0, 0.0]

    References
    ----------
    timm ``timm/scheduler/tanh_lr.py`` (``TanhLRScheduler``, timm 1.0).
    Hsueh et al., "Stochastic Gradient Descent with Hyperbolic-Tangent Decay on
    Classification", 2018 (arXiv:1806.01593).
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, t_initial=90, lr_min=1e-3, cycle_decay=0.5, cycle_limit=2,
                    warmup_t=20, warmup_lr_init=1e-3)

    def __init__(self, lr: float, t_initial: int, lb: float = -7.0, ub: float = 3.0,
                 lr_min: float = 0.0, cycle_mul: float = 1.0, cycle_decay: float = 1.0,
                 cycle_limit: int = 1, warmup_t: int = 0, warmup_lr_init: float = 0.0,
                 warmup_prefix: bool = False, updates_per_epoch: Optional[int] = None,
                 noise_range_t: NoiseRange = None, noise_pct: float = 0.67,
                 noise_std: float = 1.0, noise_seed: Optional[int] = 42) -> None:
        super().__init__()
        self._check_common(lr, warmup_t, warmup_lr_init, warmup_prefix, updates_per_epoch,
                           noise_range_t, noise_pct, noise_std, noise_seed)
        self.lb = check_real("lb", lb)
        self.ub = check_real("ub", ub)
        if not self.lb < self.ub:
            raise ValueError(f"ub must be > lb={self.lb!r}, got {ub!r}")
        self._check_cycles(t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        shape = TanhDecay(self.lr_min, self.lr, self.t_initial, self.lb, self.ub)
        if self.cycle_limit > 1 and self.cycle_decay != 1 and self.lr_min > 0:
            # Restarts decays the peak of its schedule; timm decays lr, which the tanh
            # never quite reaches: pad the cycle (never played past t_initial) up to lr.
            shape = Join([shape, Constant(self.lr)], [self.t_initial + 1])
        curve = self._cycles(shape)
        target = self.lr if self.warmup_prefix else curve._at(self.warmup_t)
        self._finish(curve, exact_start=False, target=target)


# --------------------------------------------------------------------------- poly
class PolyLRScheduler(_TimmParts, DropIn):
    """timm's ``PolyLRScheduler``: polynomial decay with restarts and warm-up.

    Cycles, warm-up, noise and alignment as :class:`CosineLRScheduler`; in a cycle::

        f(t) = lr_min + (lr_i - lr_min) * (1 - u ** k / T_i ** k) ** power

    Built from ``PolynomialDecay(lr_min, lr, t_initial, power)``, repeated by
    ``Restarts`` for more than one cycle (or k-decay), then as the cosine.

    Parameters
    ----------
    lr : float
        The optimizer's learning rate (timm's ``optimizer``).
    t_initial : int
        Length of the first cycle.
    power : float, default 0.5
        Exponent of the decay (``> 0``).
    lr_min, cycle_mul, cycle_decay, cycle_limit, warmup_t, warmup_lr_init, warmup_prefix
        As :class:`CosineLRScheduler`.
    updates_per_epoch : int, optional
        Count ``t`` in epochs of this many updates.
    noise_range_t, noise_pct, noise_std, noise_seed, k_decay
        As :class:`CosineLRScheduler`.

    Examples
    --------
    >>> s = PolyLRScheduler(lr=1.0, t_initial=4, power=2.0)
    >>> [round(s(k), 4) for k in range(1, 7)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]

    References
    ----------
    timm ``timm/scheduler/poly_lr.py`` (``PolyLRScheduler``, timm 1.0).
    """

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, t_initial=180, power=2.0, lr_min=1e-4, warmup_t=20,
                    warmup_lr_init=1e-4, warmup_prefix=True)

    def __init__(self, lr: float, t_initial: int, power: float = 0.5, lr_min: float = 0.0,
                 cycle_mul: float = 1.0, cycle_decay: float = 1.0, cycle_limit: int = 1,
                 warmup_t: int = 0, warmup_lr_init: float = 0.0, warmup_prefix: bool = False,
                 updates_per_epoch: Optional[int] = None, noise_range_t: NoiseRange = None,
                 noise_pct: float = 0.67, noise_std: float = 1.0,
                 noise_seed: Optional[int] = 42, k_decay: float = 1.0) -> None:
        super().__init__()
        self._check_common(lr, warmup_t, warmup_lr_init, warmup_prefix, updates_per_epoch,
                           noise_range_t, noise_pct, noise_std, noise_seed)
        self.power = check_positive("power", power)
        self._check_cycles(t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        self.k_decay = check_positive("k_decay", k_decay)
        self._warn_no_effect()
        shape = PolynomialDecay(self.lr_min, self.lr, self.t_initial, self.power)
        self._finish(self._cycles(shape, self.k_decay), exact_start=self.cycle_limit > 0)


# --------------------------------------------------------------------------- step
class StepLRScheduler(_TimmParts, DropIn):
    """timm's ``StepLRScheduler``: multiply by ``decay_rate`` every ``decay_t`` steps.

    ::

        f(t) = warmup_lr_init + t * (lr - warmup_lr_init) / warmup_t     t < warmup_t
             = lr * decay_rate ** (t // decay_t)                          afterwards

    with ``t - warmup_t`` in place of ``t`` after the warm-up if ``warmup_prefix``
    (timm's default here, unlike the cosine). Alignment, first value and noise as in the
    module docstring.

    Built from ``StepDecay(lr, decay_t, decay_rate)`` (``ExponentialDecay(...,
    staircase=True)`` for a fractional ``decay_t``) behind ``LinearWarmUp``, ``Noise``
    and ``Delay(..., 1)`` or ``InUnits``.

    Parameters
    ----------
    lr : float
        The optimizer's learning rate (timm's ``optimizer``).
    decay_t : int or float
        Steps between decays (``> 0``).
    decay_rate : float, default 1
        Factor per decay, in ``(0, 1]``.
    warmup_t, warmup_lr_init
        As :class:`CosineLRScheduler`.
    warmup_prefix : bool, default True
        Start the decays after the warm-up (True) or count them from ``t = 0``.
    updates_per_epoch : int, optional
        Count ``t`` in epochs of this many updates.
    noise_range_t, noise_pct, noise_std, noise_seed
        As :class:`CosineLRScheduler`.

    Examples
    --------
    >>> s = StepLRScheduler(lr=1.0, decay_t=2, decay_rate=0.5, warmup_t=2, warmup_lr_init=0.1)
    >>> [round(s(k), 4) for k in range(1, 8)]
    [0.1, 0.55, 1.0, 1.0, 0.5, 0.5, 0.25]
    >>> per_epoch = StepLRScheduler(lr=1.0, decay_t=1, decay_rate=0.5, updates_per_epoch=3)
    >>> [round(per_epoch(k), 4) for k in range(1, 8)]
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]

    References
    ----------
    timm ``timm/scheduler/step_lr.py`` (``StepLRScheduler``, timm 1.0).
    """

    _lr_params = ("lr", "warmup_lr_init")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, decay_t=60, decay_rate=0.5, warmup_t=20, warmup_lr_init=1e-3)

    def __init__(self, lr: float, decay_t: float, decay_rate: float = 1.0, warmup_t: int = 0,
                 warmup_lr_init: float = 0.0, warmup_prefix: bool = True,
                 updates_per_epoch: Optional[int] = None, noise_range_t: NoiseRange = None,
                 noise_pct: float = 0.67, noise_std: float = 1.0,
                 noise_seed: Optional[int] = 42) -> None:
        super().__init__()
        self._check_common(lr, warmup_t, warmup_lr_init, warmup_prefix, updates_per_epoch,
                           noise_range_t, noise_pct, noise_std, noise_seed)
        check_positive("decay_t", decay_t)
        self.decay_t = (int(decay_t) if isinstance(decay_t, numbers.Integral)
                        else float(decay_t))
        self.decay_rate = _check_rate("decay_rate", decay_rate)
        if float(self.decay_t).is_integer():
            curve = StepDecay(self.lr, int(self.decay_t), self.decay_rate)
        else:  # t // decay_t for a fractional decay_t
            curve = ExponentialDecay(self.lr, self.decay_t, self.decay_rate, staircase=True)
        self._finish(curve, exact_start=True)


# --------------------------------------------------------------------------- multistep
class MultiStepLRScheduler(_TimmParts, DropIn):
    """timm's ``MultiStepLRScheduler``: multiply by ``decay_rate`` at each milestone.

    ::

        f(t) = warmup_lr_init + t * (lr - warmup_lr_init) / warmup_t        t < warmup_t
             = lr * decay_rate ** (number of milestones m in decay_t with m <= t + 1)

    (``t - warmup_t`` in place of ``t`` if ``warmup_prefix``, the default). timm counts
    milestone ``m`` from ``t = m - 1`` on, one step before PyTorch's ``MultiStepLR``
    does (on purpose): per update, milestone ``m`` already decays update ``m``.

    Built from ``MultiStepDecay(lr, [m - 1 for m in decay_t], decay_rate)`` (milestones
    0 and 1 folded into the first value) behind the warm-up, ``Noise`` and alignment.

    Parameters
    ----------
    lr : float
        The optimizer's learning rate (timm's ``optimizer``).
    decay_t : list of int
        Increasing milestones (``>= 0``).
    decay_rate : float, default 1
        Factor per milestone, in ``(0, 1]``.
    warmup_t, warmup_lr_init, warmup_prefix
        As :class:`StepLRScheduler`.
    updates_per_epoch : int, optional
        Count ``t`` in epochs of this many updates.
    noise_range_t, noise_pct, noise_std, noise_seed
        As :class:`CosineLRScheduler`.

    Examples
    --------
    >>> s = MultiStepLRScheduler(lr=1.0, decay_t=[2, 4], decay_rate=0.1)
    >>> [round(s(k), 4) for k in range(1, 7)]
    [1.0, 0.1, 0.1, 0.01, 0.01, 0.01]

    References
    ----------
    timm ``timm/scheduler/multistep_lr.py`` (``MultiStepLRScheduler``, timm 1.0).
    """

    _lr_params = ("lr", "warmup_lr_init")

    @classmethod
    def _example_args(cls) -> dict:
        return dict(lr=0.1, decay_t=[80, 150], decay_rate=0.2, warmup_t=20,
                    warmup_lr_init=1e-3)

    def __init__(self, lr: float, decay_t: Sequence[int], decay_rate: float = 1.0,
                 warmup_t: int = 0, warmup_lr_init: float = 0.0, warmup_prefix: bool = True,
                 updates_per_epoch: Optional[int] = None, noise_range_t: NoiseRange = None,
                 noise_pct: float = 0.67, noise_std: float = 1.0,
                 noise_seed: Optional[int] = 42) -> None:
        super().__init__()
        self._check_common(lr, warmup_t, warmup_lr_init, warmup_prefix, updates_per_epoch,
                           noise_range_t, noise_pct, noise_std, noise_seed)
        self.decay_t: List[int] = check_increasing("decay_t", decay_t, minimum=0)
        self.decay_rate = _check_rate("decay_rate", decay_rate)
        early = sum(1 for m in self.decay_t if m <= 1)  # already counted at t = 0
        later = [m - 1 for m in self.decay_t if m > 1]
        first = self.lr * self.decay_rate ** early if early else self.lr
        curve = (MultiStepDecay(first, later, self.decay_rate) if later else Constant(first))
        self._finish(curve, exact_start=first == self.lr)
