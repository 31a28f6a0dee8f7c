"""Reference values of timm's learning-rate schedulers, in plain Python.

An independent transcription of what ``timm.scheduler`` (PyTorch Image
Models) computes: ``CosineLRScheduler``, ``TanhLRScheduler``,
``PolyLRScheduler``, ``StepLRScheduler`` and ``MultiStepLRScheduler`` of timm
1.0.31 (the wheel on PyPI, ``timm/scheduler/*.py``), plus the argument
mapping of ``create_scheduler_v2`` (``timm/scheduler/scheduler_factory.py``).
The scheduler formulas are unchanged since timm 0.6 except one line: from
1.0.30 the normal noise is multiplied by ``noise_std`` (earlier releases, e.g.
huggingface/pytorch-image-models commit aa4b585 = 1.0.29.dev0, ignore
``noise_std``).  Neither timm nor torch is imported: these functions are test
data for drop-ins that must agree with timm exactly.

Loop convention
---------------
timm schedulers are stateless functions of an explicit counter ``t``: the
training loop passes the counter in, and the scheduler writes
``f(t)`` (``_get_lr(t)`` plus optional noise) into ``param_group['lr']``.
The constructor writes the value for ``t = 0`` itself: ``warmup_lr_init``
when ``warmup_t`` is truthy, else the optimizer's lr (``base_lr``), without
noise.  This is NOT always ``_get_lr(0)`` (tanh's curve at 0 is below
``base_lr``; a multistep milestone of 0 or 1 already counts at ``t = 0``).

* ``t_in_epochs=False`` (timm's train.py with ``--sched-on-updates``): after
  each optimizer step the loop does ``num_updates += 1;
  scheduler.step_update(num_updates=num_updates)``; ``step(epoch)`` is a
  no-op.  Optimizer update ``k`` (1-based) uses ``t = k - 1``.
* ``t_in_epochs=True`` (the constructors' default, train.py's default): at
  the end of epoch ``e`` (0-based) the loop calls ``scheduler.step(e + 1)``;
  ``step_update`` is a no-op.  Update ``k`` with ``updates_per_epoch = U``
  uses ``t = (k - 1) // U``.

So for update ``k`` the applied rate is ``initial`` if ``t == 0`` else
``<name>_at(t, ...)``.  The sequence functions take keyword-only ``base_lr``
(the optimizer's lr at construction, i.e. ``param_group['initial_lr']``),
``n`` and ``updates_per_epoch`` (only for ``t_in_epochs=True``; default 1):
these are not peer parameters.  Each ``*_at`` function returns what
``step(t)`` / ``step_update(t)`` writes for that ``t``.

Noise
-----
``noise_range_t`` selects the counters with noise: a list/tuple ``r``:
``r[0] <= t < r[1]`` (``r[1]`` is read only when ``r[0] <= t``; extra
elements are ignored); a number ``r``: ``t >= r``; None: never.  ``t`` is the
raw counter passed to step/step_update (not shifted by a warmup prefix).
Then ``lr = lr + lr * noise`` with ``noise`` drawn from a fresh
``torch.Generator()`` seeded ``manual_seed(noise_seed + t)``
(``noise_seed=None`` means 42):

* ``noise_type == 'normal'`` (the only value the constructors can set; it is
  a base-class argument the subclasses do not forward, settable only as the
  attribute ``scheduler.noise_type`` afterwards): repeat ``noise =
  torch.randn(1, generator=g).item() * noise_std`` until ``abs(noise) <
  noise_pct`` (same generator, not reseeded; loops forever if ``noise_pct
  <= 0``).
* any other ``noise_type``: ``noise = 2 * (torch.rand(1, generator=g).item()
  - 0.5) * noise_pct`` (``noise_std`` unused).

``torch_randn1`` / ``torch_rand1`` below reproduce torch's CPU generator
(MT19937 seeded like ``init_genrand`` with the seed's low 32 bits; ``rand``
float32 = ``(u32 & (2**24 - 1)) * 2**-24``; ``randn`` = double Box-Muller on
two 53-bit uniforms from 64-bit draws, ``r * cos`` returned and ``r * sin``
cached for the generator's next ``randn`` call, rounded to float32), checked
bit-exact against torch 2.13.0.  ``noise_fn`` (keyword-only, not a peer
parameter) replaces the draw by any ``noise_fn(t) -> float``.

``VALIDATION`` lists what the peer rejects.  Single parameter group without
``lr_scale`` (timm multiplies each group's value by ``group['lr_scale']``
when present, the construction-time value included).
"""

import bisect
import math
import random
import struct

__all__ = [
    "PEER",
    "torch_randn1",
    "torch_rand1",
    "noise_applies",
    "timm_noise",
    "cosine_lr_at",
    "cosine_lr",
    "tanh_lr_at",
    "tanh_lr",
    "poly_lr_at",
    "poly_lr",
    "step_lr_at",
    "step_lr",
    "multistep_lr_at",
    "multistep_lr",
    "get_cycle_length",
    "create_scheduler_v2",
    "VALIDATION",
]

PEER = ("timm 1.0.31, timm/scheduler/{scheduler,cosine_lr,tanh_lr,poly_lr,"
        "step_lr,multistep_lr,scheduler_factory}.py")


# ---------------------------------------------------------------------------
# torch's CPU generator, as far as randn(1) / rand(1) need it


class _TorchCPUGenerator:
    """``torch.Generator()`` (CPU) after ``manual_seed(seed)``."""

    def __init__(self, seed):
        state = [0] * 624
        state[0] = seed & 0xFFFFFFFF
        for j in range(1, 624):
            prev = state[j - 1]
            state[j] = (1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF
        self._mt = random.Random()
        # position 624: the next draw regenerates the whole state first
        self._mt.setstate((3, tuple(state) + (624,), None))
        self._normal_cache = None

    def _u32(self):
        return self._mt.getrandbits(32)

    def _u64(self):
        hi = self._u32()
        lo = self._u32()
        return (hi << 32) | lo

    def randn1(self):
        if self._normal_cache is not None:
            value, self._normal_cache = self._normal_cache, None
            return _f32(value)
        u1 = (self._u64() & ((1 << 53) - 1)) * 2.0 ** -53
        u2 = (self._u64() & ((1 << 53) - 1)) * 2.0 ** -53
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        self._normal_cache = r * math.sin(theta)
        return _f32(r * math.cos(theta))

    def rand1(self):
        return _f32((self._u32() & ((1 << 24) - 1)) * 2.0 ** -24)


def _f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def torch_randn1(seed, count=1):
    """First ``count`` values of ``torch.randn(1, generator=g).item()`` for
    ``g = torch.Generator(); g.manual_seed(seed)`` (CPU, float32)."""
    g = _TorchCPUGenerator(seed)
    return [g.randn1() for _ in range(count)]


def torch_rand1(seed, count=1):
    """First ``count`` values of ``torch.rand(1, generator=g).item()``."""
    g = _TorchCPUGenerator(seed)
    return [g.rand1() for _ in range(count)]


def noise_applies(t, noise_range_t):
    """``Scheduler._is_apply_noise(t)``."""
    if noise_range_t is None:
        return False
    if isinstance(noise_range_t, (list, tuple)):
        return noise_range_t[0] <= t < noise_range_t[1]
    return t >= noise_range_t


def timm_noise(t, noise_pct=0.67, noise_std=1.0, noise_seed=42,
               noise_type="normal"):
    """``Scheduler._calculate_noise(t)`` (torch's draws reproduced)."""
    if noise_seed is None:
        noise_seed = 42
    g = _TorchCPUGenerator(noise_seed + t)
    if noise_type == "normal":
        while True:
            noise = g.randn1() * noise_std
            if abs(noise) < noise_pct:
                return noise
    return 2 * (g.rand1() - 0.5) * noise_pct


def _noisy(lr, t, noise_range_t, noise_pct, noise_std, noise_seed,
           noise_type, noise_fn):
    """``Scheduler._add_noise`` applied to one value."""
    if noise_applies(t, noise_range_t):
        if noise_fn is not None:
            noise = noise_fn(t)
        else:
            noise = timm_noise(t, noise_pct, noise_std, noise_seed, noise_type)
        lr = lr + lr * noise
    return lr


def _sequence(at, initial, n, t_in_epochs, updates_per_epoch):
    if t_in_epochs:
        per = 1 if updates_per_epoch is None else updates_per_epoch
        if per < 1:
            raise ValueError(f"updates_per_epoch must be >= 1, got {per!r}")
        ts = [(k - 1) // per for k in range(1, n + 1)]
    else:
        if updates_per_epoch is not None:
            raise ValueError("updates_per_epoch is only for t_in_epochs=True")
        ts = [k - 1 for k in range(1, n + 1)]
    cache = {}
    out = []
    for t in ts:
        if t not in cache:
            cache[t] = initial if t == 0 else at(t)
        out.append(cache[t])
    return out


def _cycle(t, t_initial, cycle_mul):
    """Cycle index ``i``, cycle length ``t_i`` and position ``t_curr``."""
    if cycle_mul != 1:
        # two-argument math.log (log(x) / log(base)): floor() may land one
        # cycle early at exact boundaries, e.g. log(1000, 10) < 3
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul ** i * t_initial
        t_curr = t - (1 - cycle_mul ** i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    return i, t_i, t_curr


def _warmup_step(target, warmup_lr_init, warmup_t):
    return (target - warmup_lr_init) / warmup_t


# ---------------------------------------------------------------------------
# CosineLRScheduler


def _cosine_get_lr(t, base_lr, t_initial, lr_min, cycle_mul, cycle_decay,
                   cycle_limit, warmup_t, warmup_lr_init, warmup_prefix,
                   k_decay):
    if t < warmup_t:
        return warmup_lr_init + t * _warmup_step(base_lr, warmup_lr_init,
                                                 warmup_t)
    if warmup_prefix:
        t = t - warmup_t
    i, t_i, t_curr = _cycle(t, t_initial, cycle_mul)
    gamma = cycle_decay ** i
    lr_max = base_lr * gamma
    k = k_decay
    if i < cycle_limit:
        return lr_min + 0.5 * (lr_max - lr_min) * (
            1 + math.cos(math.pi * t_curr ** k / t_i ** k))
    return lr_min


def _check_cosine(t_initial, lr_min):
    # bare asserts in the peer (AssertionError without a message)
    if not t_initial > 0:
        raise AssertionError()
    if not lr_min >= 0:
        raise AssertionError()


def cosine_lr_at(t, t_initial, lr_min=0., cycle_mul=1., cycle_decay=1.,
                 cycle_limit=1, warmup_t=0, warmup_lr_init=0.,
                 warmup_prefix=False, t_in_epochs=True, noise_range_t=None,
                 noise_pct=0.67, noise_std=1.0, noise_seed=42, k_decay=1.0,
                 *, base_lr, noise_type="normal", noise_fn=None):
    """Value written by ``CosineLRScheduler.step(t)`` / ``step_update(t)``.

    Peer: ``timm.scheduler.CosineLRScheduler`` (timm/scheduler/cosine_lr.py,
    timm 1.0.31).  Same parameters and defaults as the peer (``optimizer``
    replaced by keyword-only ``base_lr``; ``t_in_epochs`` only selects which
    of step/step_update is live and does not change the value).

    For ``t < warmup_t``: ``warmup_lr_init + t * s`` with ``s = (base_lr -
    warmup_lr_init) / warmup_t`` (ramp towards ``base_lr``, reached only at
    ``t = warmup_t`` by the cosine itself).  Otherwise, with ``t -= warmup_t``
    when ``warmup_prefix`` (with ``warmup_prefix=False`` the ramp overwrites
    the first ``warmup_t`` values of an unshifted cosine), cycle ``i``, length
    ``t_i``, position ``t_curr`` (see ``_cycle``)::

        lr_max = base_lr * cycle_decay ** i
        lr = lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi * t_curr ** k / t_i ** k))
            if i < cycle_limit else lr_min

    then noise (module docstring).  ``cycle_mul < 1`` raises ValueError
    ("math domain error") once ``t >= t_initial / (1 - cycle_mul)``.
    Validation: ``VALIDATION["CosineLRScheduler"]``.
    """
    _check_cosine(t_initial, lr_min)
    lr = _cosine_get_lr(t, base_lr, t_initial, lr_min, cycle_mul,
                        cycle_decay, cycle_limit, warmup_t, warmup_lr_init,
                        warmup_prefix, k_decay)
    return _noisy(lr, t, noise_range_t, noise_pct, noise_std, noise_seed,
                  noise_type, noise_fn)


def cosine_lr(t_initial, lr_min=0., cycle_mul=1., cycle_decay=1.,
              cycle_limit=1, warmup_t=0, warmup_lr_init=0.,
              warmup_prefix=False, t_in_epochs=True, noise_range_t=None,
              noise_pct=0.67, noise_std=1.0, noise_seed=42, k_decay=1.0,
              *, base_lr, n, updates_per_epoch=None, noise_type="normal",
              noise_fn=None):
    """Rates applied by optimizer updates k = 1..n under ``CosineLRScheduler``.

    Loop convention (module docstring): update ``k`` uses ``t = k - 1``
    (``t_in_epochs=False``, ``step_update(num_updates)`` after each step) or
    ``t = (k - 1) // updates_per_epoch`` (``t_in_epochs=True``,
    ``step(epoch + 1)`` after each epoch); ``t = 0`` is the construction
    value (``warmup_lr_init`` if ``warmup_t`` else ``base_lr``, no noise).
    """
    kw = dict(t_initial=t_initial, lr_min=lr_min, cycle_mul=cycle_mul,
              cycle_decay=cycle_decay, cycle_limit=cycle_limit,
              warmup_t=warmup_t, warmup_lr_init=warmup_lr_init,
              warmup_prefix=warmup_prefix, t_in_epochs=t_in_epochs,
              noise_range_t=noise_range_t, noise_pct=noise_pct,
              noise_std=noise_std, noise_seed=noise_seed, k_decay=k_decay,
              base_lr=base_lr, noise_type=noise_type, noise_fn=noise_fn)
    _check_cosine(t_initial, lr_min)
    initial = warmup_lr_init if warmup_t else base_lr
    return _sequence(lambda t: cosine_lr_at(t, **kw), initial, n,
                     t_in_epochs, updates_per_epoch)


# ---------------------------------------------------------------------------
# TanhLRScheduler


def _tanh_get_lr(t, base_lr, t_initial, lb, ub, lr_min, cycle_mul,
                 cycle_decay, cycle_limit, warmup_t, warmup_lr_init,
                 warmup_prefix, warmup_target):
    if t < warmup_t:
        return warmup_lr_init + t * _warmup_step(warmup_target,
                                                 warmup_lr_init, warmup_t)
    if warmup_prefix:
        t = t - warmup_t
    i, t_i, t_curr = _cycle(t, t_initial, cycle_mul)
    if i < cycle_limit:
        gamma = cycle_decay ** i
        lr_max = base_lr * gamma
        tr = t_curr / t_i
        return lr_min + 0.5 * (lr_max - lr_min) * (
            1 - math.tanh(lb * (1. - tr) + ub * tr))
    return lr_min


def _tanh_resolve(base_lr, t_initial, lb, ub, lr_min, cycle_mul, cycle_decay,
                  cycle_limit, warmup_t, warmup_lr_init, warmup_prefix):
    for ok in (t_initial > 0, lr_min >= 0, lb < ub, cycle_limit >= 0,
               warmup_t >= 0, warmup_lr_init >= 0):
        if not ok:
            raise AssertionError()
    args = (base_lr, t_initial, lb, ub, lr_min, cycle_mul, cycle_decay,
            cycle_limit, warmup_t, warmup_lr_init, warmup_prefix)
    if warmup_t and not warmup_prefix:
        # the ramp ends on the curve's value at t = warmup_t (no jump)
        target = _tanh_get_lr(warmup_t, *args, None)
    else:
        target = base_lr
    return args, target


def tanh_lr_at(t, t_initial, lb=-7., ub=3., lr_min=0., cycle_mul=1.,
               cycle_decay=1., cycle_limit=1, warmup_t=0, warmup_lr_init=0.,
               warmup_prefix=False, t_in_epochs=True, noise_range_t=None,
               noise_pct=0.67, noise_std=1.0, noise_seed=42,
               *, base_lr, noise_type="normal", noise_fn=None):
    """Value written by ``TanhLRScheduler.step(t)`` / ``step_update(t)``.

    Peer: ``timm.scheduler.TanhLRScheduler`` (timm/scheduler/tanh_lr.py,
    timm 1.0.31).  Same parameters and defaults as the peer.

    Warm-up ``warmup_lr_init + t * s`` with ``s = (target - warmup_lr_init) /
    warmup_t``, where ``target`` is ``base_lr`` if ``warmup_prefix`` else the
    tanh curve's value at ``t = warmup_t`` (unlike cosine/poly, which always
    ramp to ``base_lr``).  Then (``t -= warmup_t`` if ``warmup_prefix``)::

        tr = t_curr / t_i
        lr = lr_min + 0.5 * (base_lr * cycle_decay ** i - lr_min)
                        * (1 - tanh(lb * (1. - tr) + ub * tr))
            if i < cycle_limit else lr_min

    then noise.  Note ``f(0) < base_lr`` (``1 - tanh(-7) < 2``) while the
    construction value is ``base_lr``.
    Validation: ``VALIDATION["TanhLRScheduler"]``.
    """
    args, target = _tanh_resolve(base_lr, t_initial, lb, ub, lr_min,
                                 cycle_mul, cycle_decay, cycle_limit,
                                 warmup_t, warmup_lr_init, warmup_prefix)
    lr = _tanh_get_lr(t, *args, target)
    return _noisy(lr, t, noise_range_t, noise_pct, noise_std, noise_seed,
                  noise_type, noise_fn)


def tanh_lr(t_initial, lb=-7., ub=3., lr_min=0., cycle_mul=1.,
            cycle_decay=1., cycle_limit=1, warmup_t=0, warmup_lr_init=0.,
            warmup_prefix=False, t_in_epochs=True, noise_range_t=None,
            noise_pct=0.67, noise_std=1.0, noise_seed=42,
            *, base_lr, n, updates_per_epoch=None, noise_type="normal",
            noise_fn=None):
    """Rates applied by updates k = 1..n under ``TanhLRScheduler``
    (loop convention as ``cosine_lr``)."""
    kw = dict(t_initial=t_initial, lb=lb, ub=ub, lr_min=lr_min,
              cycle_mul=cycle_mul, cycle_decay=cycle_decay,
              cycle_limit=cycle_limit, warmup_t=warmup_t,
              warmup_lr_init=warmup_lr_init, warmup_prefix=warmup_prefix,
              t_in_epochs=t_in_epochs, noise_range_t=noise_range_t,
              noise_pct=noise_pct, noise_std=noise_std,
              noise_seed=noise_seed, base_lr=base_lr, noise_type=noise_type,
              noise_fn=noise_fn)
    _tanh_resolve(base_lr, t_initial, lb, ub, lr_min, cycle_mul, cycle_decay,
                  cycle_limit, warmup_t, warmup_lr_init, warmup_prefix)
    initial = warmup_lr_init if warmup_t else base_lr
    return _sequence(lambda t: tanh_lr_at(t, **kw), initial, n,
                     t_in_epochs, updates_per_epoch)


# ---------------------------------------------------------------------------
# PolyLRScheduler


def _poly_get_lr(t, base_lr, t_initial, power, lr_min, cycle_mul,
                 cycle_decay, cycle_limit, warmup_t, warmup_lr_init,
                 warmup_prefix, k_decay):
    if t < warmup_t:
        return warmup_lr_init + t * _warmup_step(base_lr, warmup_lr_init,
                                                 warmup_t)
    if warmup_prefix:
        t = t - warmup_t
    i, t_i, t_curr = _cycle(t, t_initial, cycle_mul)
    gamma = cycle_decay ** i
    lr_max = base_lr * gamma
    k = k_decay
    if i < cycle_limit:
        return lr_min + (lr_max - lr_min) * (1 - t_curr ** k / t_i ** k) ** power
    return lr_min


def poly_lr_at(t, t_initial, power=0.5, lr_min=0., cycle_mul=1.,
               cycle_decay=1., cycle_limit=1, warmup_t=0, warmup_lr_init=0.,
               warmup_prefix=False, t_in_epochs=True, noise_range_t=None,
               noise_pct=0.67, noise_std=1.0, noise_seed=42, k_decay=1.0,
               *, base_lr, noise_type="normal", noise_fn=None):
    """Value written by ``PolyLRScheduler.step(t)`` / ``step_update(t)``.

    Peer: ``timm.scheduler.PolyLRScheduler`` (timm/scheduler/poly_lr.py,
    timm 1.0.31).  Same parameters and defaults as the peer.  Warm-up and
    cycles as ``cosine_lr_at``; in-cycle::

        lr = lr_min + (base_lr * cycle_decay ** i - lr_min)
                      * (1 - t_curr ** k / t_i ** k) ** power

    then noise.  Validation: ``VALIDATION["PolyLRScheduler"]``.
    """
    _check_cosine(t_initial, lr_min)
    lr = _poly_get_lr(t, base_lr, t_initial, power, lr_min, cycle_mul,
                      cycle_decay, cycle_limit, warmup_t, warmup_lr_init,
                      warmup_prefix, k_decay)
    return _noisy(lr, t, noise_range_t, noise_pct, noise_std, noise_seed,
                  noise_type, noise_fn)


def poly_lr(t_initial, power=0.5, lr_min=0., cycle_mul=1., cycle_decay=1.,
            cycle_limit=1, warmup_t=0, warmup_lr_init=0.,
            warmup_prefix=False, t_in_epochs=True, noise_range_t=None,
            noise_pct=0.67, noise_std=1.0, noise_seed=42, k_decay=1.0,
            *, base_lr, n, updates_per_epoch=None, noise_type="normal",
            noise_fn=None):
    """Rates applied by updates k = 1..n under ``PolyLRScheduler``
    (loop convention as ``cosine_lr``)."""
    kw = dict(t_initial=t_initial, power=power, lr_min=lr_min,
              cycle_mul=cycle_mul, cycle_decay=cycle_decay,
              cycle_limit=cycle_limit, warmup_t=warmup_t,
              warmup_lr_init=warmup_lr_init, warmup_prefix=warmup_prefix,
              t_in_epochs=t_in_epochs, noise_range_t=noise_range_t,
              noise_pct=noise_pct, noise_std=noise_std,
              noise_seed=noise_seed, k_decay=k_decay, base_lr=base_lr,
              noise_type=noise_type, noise_fn=noise_fn)
    _check_cosine(t_initial, lr_min)
    initial = warmup_lr_init if warmup_t else base_lr
    return _sequence(lambda t: poly_lr_at(t, **kw), initial, n,
                     t_in_epochs, updates_per_epoch)


# ---------------------------------------------------------------------------
# StepLRScheduler and MultiStepLRScheduler (no argument checks at all)


def step_lr_at(t, decay_t, decay_rate=1., warmup_t=0, warmup_lr_init=0.,
               warmup_prefix=True, t_in_epochs=True, noise_range_t=None,
               noise_pct=0.67, noise_std=1.0, noise_seed=42,
               *, base_lr, noise_type="normal", noise_fn=None):
    """Value written by ``StepLRScheduler.step(t)`` / ``step_update(t)``.

    Peer: ``timm.scheduler.StepLRScheduler`` (timm/scheduler/step_lr.py,
    timm 1.0.31).  Same parameters and defaults (``warmup_prefix=True`` here,
    unlike cosine/tanh/poly).  Warm-up ramps to ``base_lr``; then (``t -=
    warmup_t`` if ``warmup_prefix``) ``base_lr * (decay_rate ** (t //
    decay_t))`` (float floor division for a float ``decay_t``), then noise.
    ``decay_t == 0`` raises ZeroDivisionError at the first post-warm-up step.
    """
    if t < warmup_t:
        lr = warmup_lr_init + t * _warmup_step(base_lr, warmup_lr_init,
                                               warmup_t)
    else:
        if warmup_prefix:
            t_eff = t - warmup_t
        else:
            t_eff = t
        lr = base_lr * (decay_rate ** (t_eff // decay_t))
    return _noisy(lr, t, noise_range_t, noise_pct, noise_std, noise_seed,
                  noise_type, noise_fn)


def step_lr(decay_t, decay_rate=1., warmup_t=0, warmup_lr_init=0.,
            warmup_prefix=True, t_in_epochs=True, noise_range_t=None,
            noise_pct=0.67, noise_std=1.0, noise_seed=42,
            *, base_lr, n, updates_per_epoch=None, noise_type="normal",
            noise_fn=None):
    """Rates applied by updates k = 1..n under ``StepLRScheduler``
    (loop convention as ``cosine_lr``)."""
    kw = dict(decay_t=decay_t, decay_rate=decay_rate, warmup_t=warmup_t,
              warmup_lr_init=warmup_lr_init, warmup_prefix=warmup_prefix,
              t_in_epochs=t_in_epochs, noise_range_t=noise_range_t,
              noise_pct=noise_pct, noise_std=noise_std,
              noise_seed=noise_seed, base_lr=base_lr, noise_type=noise_type,
              noise_fn=noise_fn)
    initial = warmup_lr_init if warmup_t else base_lr
    return _sequence(lambda t: step_lr_at(t, **kw), initial, n,
                     t_in_epochs, updates_per_epoch)


def multistep_lr_at(t, decay_t, decay_rate=1., warmup_t=0, warmup_lr_init=0.,
                    warmup_prefix=True, t_in_epochs=True, noise_range_t=None,
                    noise_pct=0.67, noise_std=1.0, noise_seed=42,
                    *, base_lr, noise_type="normal", noise_fn=None):
    """Value written by ``MultiStepLRScheduler.step(t)`` / ``step_update(t)``.

    Peer: ``timm.scheduler.MultiStepLRScheduler``
    (timm/scheduler/multistep_lr.py, timm 1.0.31).  Same parameters and
    defaults.  After warm-up (``t -= warmup_t`` if ``warmup_prefix``)::

        base_lr * decay_rate ** bisect_right(decay_t, t + 1)

    i.e. milestone ``m`` counts from ``t = m - 1`` on (one ``t`` earlier than
    torch's MultiStepLR; kept on purpose by timm).  ``decay_t`` is assumed
    sorted (not checked); a non-sequence raises TypeError at the first
    post-warm-up step.
    """
    if t < warmup_t:
        lr = warmup_lr_init + t * _warmup_step(base_lr, warmup_lr_init,
                                               warmup_t)
    else:
        if warmup_prefix:
            t_eff = t - warmup_t
        else:
            t_eff = t
        lr = base_lr * (decay_rate ** bisect.bisect_right(decay_t, t_eff + 1))
    return _noisy(lr, t, noise_range_t, noise_pct, noise_std, noise_seed,
                  noise_type, noise_fn)


def multistep_lr(decay_t, decay_rate=1., warmup_t=0, warmup_lr_init=0.,
                 warmup_prefix=True, t_in_epochs=True, noise_range_t=None,
                 noise_pct=0.67, noise_std=1.0, noise_seed=42,
                 *, base_lr, n, updates_per_epoch=None, noise_type="normal",
                 noise_fn=None):
    """Rates applied by updates k = 1..n under ``MultiStepLRScheduler``
    (loop convention as ``cosine_lr``)."""
    kw = dict(decay_t=decay_t, decay_rate=decay_rate, warmup_t=warmup_t,
              warmup_lr_init=warmup_lr_init, warmup_prefix=warmup_prefix,
              t_in_epochs=t_in_epochs, noise_range_t=noise_range_t,
              noise_pct=noise_pct, noise_std=noise_std,
              noise_seed=noise_seed, base_lr=base_lr, noise_type=noise_type,
              noise_fn=noise_fn)
    initial = warmup_lr_init if warmup_t else base_lr
    return _sequence(lambda t: multistep_lr_at(t, **kw), initial, n,
                     t_in_epochs, updates_per_epoch)


# ---------------------------------------------------------------------------
# factory


def get_cycle_length(t_initial, cycle_mul=1., cycle_limit=1, warmup_t=0,
                     warmup_prefix=False, cycles=0):
    """``get_cycle_length(cycles)`` of the cosine/tanh/poly schedulers."""
    cycles = max(1, cycles or cycle_limit)
    if cycle_mul == 1.0:
        t = t_initial * cycles
    else:
        t = int(math.floor(-t_initial * (cycle_mul ** cycles - 1)
                           / (1 - cycle_mul)))
    return t + warmup_t if warmup_prefix else t


_FACTORY_CLASSES = {"cosine": "CosineLRScheduler", "tanh": "TanhLRScheduler",
                    "step": "StepLRScheduler", "constant": "StepLRScheduler",
                    "multistep": "MultiStepLRScheduler",
                    "poly": "PolyLRScheduler"}


def create_scheduler_v2(sched="cosine", num_epochs=300, decay_epochs=None,
                        decay_milestones=(90, 180, 270), cooldown_epochs=0,
                        patience_epochs=10, decay_rate=0.1, min_lr=0.,
                        warmup_lr=1e-5, warmup_epochs=0, warmup_prefix=False,
                        noise=None, noise_pct=0.67, noise_std=1.,
                        noise_seed=42, cycle_mul=1., cycle_decay=0.1,
                        cycle_limit=1, k_decay=1.0, decay_fn=None,
                        stable_timescale=None, plateau_mode="max",
                        step_on_epochs=True, updates_per_epoch=0):
    """What ``timm.scheduler.create_scheduler_v2(optimizer, ...)`` builds.

    Returns ``(class_name, kwargs, num_epochs)``: the scheduler class, the
    keyword arguments it is constructed with (besides the optimizer) and the
    returned epoch count.  Only the schedulers transcribed here (cosine,
    tanh, step, constant, multistep, poly, and 'none' -> ``(None, {},
    num_epochs)``); plateau/wsd/rsqrt raise NotImplementedError, any other
    name ValueError("Unknown scheduler '<name>'.") as in the peer.

    Defaults that differ from the classes': ``cycle_decay=0.1`` (class 1.0),
    ``warmup_lr=1e-5`` (class ``warmup_lr_init=0``), ``warmup_prefix=False``
    passed to step/multistep too (class default True), poly ``power =
    decay_rate`` (0.1; class 0.5), tanh ``lb``/``ub`` never passed.
    ``step_on_epochs=False`` multiplies every epoch count (t_initial,
    warmup, decay_t, milestones, cooldown) by ``updates_per_epoch`` (assert
    > 0, message 'updates_per_epoch must be set to number of dataloader
    batches') and the noise range ``noise * t_initial`` uses the multiplied
    ``t_initial``.
    """
    if decay_epochs is None:
        decay_epochs = 0.2 if sched in ("wsd", "rsqrt") else 90
    t_initial = num_epochs
    warmup_t = warmup_epochs
    decay_t = decay_epochs
    cooldown_t = cooldown_epochs
    if not step_on_epochs:
        if not updates_per_epoch > 0:
            raise AssertionError(
                "updates_per_epoch must be set to number of dataloader batches")
        t_initial = t_initial * updates_per_epoch
        warmup_t = warmup_t * updates_per_epoch
        decay_t = decay_t * updates_per_epoch
        decay_milestones = [d * updates_per_epoch for d in decay_milestones]
        cooldown_t = cooldown_t * updates_per_epoch
    warmup_args = dict(warmup_lr_init=warmup_lr, warmup_t=warmup_t,
                       warmup_prefix=warmup_prefix)
    if noise is not None:
        if isinstance(noise, (list, tuple)):
            noise_range = [x * t_initial for x in noise]
            if len(noise_range) == 1:
                noise_range = noise_range[0]
        else:
            noise_range = noise * t_initial
    else:
        noise_range = None
    noise_args = dict(noise_range_t=noise_range, noise_pct=noise_pct,
                      noise_std=noise_std, noise_seed=noise_seed)
    cycle_args = dict(cycle_mul=cycle_mul, cycle_decay=cycle_decay,
                      cycle_limit=cycle_limit)
    if sched in ("plateau", "wsd", "rsqrt"):
        raise NotImplementedError(sched)
    if sched == "cosine":
        kwargs = dict(t_initial=t_initial, lr_min=min_lr,
                      t_in_epochs=step_on_epochs, **cycle_args,
                      **warmup_args, **noise_args, k_decay=k_decay)
    elif sched == "tanh":
        kwargs = dict(t_initial=t_initial, lr_min=min_lr,
                      t_in_epochs=step_on_epochs, **cycle_args,
                      **warmup_args, **noise_args)
    elif sched == "step":
        kwargs = dict(decay_t=decay_t, decay_rate=decay_rate,
                      t_in_epochs=step_on_epochs, **warmup_args, **noise_args)
    elif sched == "constant":
        kwargs = dict(decay_t=1, decay_rate=1., t_in_epochs=step_on_epochs,
                      **warmup_args, **noise_args)
    elif sched == "multistep":
        kwargs = dict(decay_t=decay_milestones, decay_rate=decay_rate,
                      t_in_epochs=step_on_epochs, **warmup_args, **noise_args)
    elif sched == "poly":
        kwargs = dict(power=decay_rate, t_initial=t_initial, lr_min=min_lr,
                      t_in_epochs=step_on_epochs, k_decay=k_decay,
                      **cycle_args, **warmup_args, **noise_args)
    elif sched == "none":
        return None, {}, num_epochs
    else:
        raise ValueError(f"Unknown scheduler '{sched}'.")
    if sched in ("cosine", "tanh", "poly"):
        total = get_cycle_length(t_initial, cycle_mul, cycle_limit, warmup_t,
                                 warmup_prefix) + cooldown_t
        if step_on_epochs:
            num_epochs = total
        else:
            num_epochs = total // updates_per_epoch
    elif warmup_prefix:
        num_epochs += warmup_epochs
    return _FACTORY_CLASSES[sched], kwargs, num_epochs


# ---------------------------------------------------------------------------
# What the peer rejects.  ``when`` is "init" (constructor) or "step" (the
# first step/step_update(t) call that hits it, ``t`` given).  ``message`` is
# str(exception); the peer's asserts carry no message.  Logged warnings go
# through logging (logger "timm.scheduler.<module>"), not warnings.warn.
# Asserts run AFTER the base class has already written initial_lr / lr into
# the optimizer's param groups.  Nothing is type-checked.

_NO_EFFECT = ("Cosine annealing scheduler will have no effect on the learning "
              "rate since t_initial = t_mul = eta_mul = 1.")

VALIDATION = {
    "CosineLRScheduler": [
        {"kwargs": {"t_initial": 0}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 10, "lr_min": -1e-3}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 1}, "when": "init", "log": "WARNING",
         "message": _NO_EFFECT,
         "note": "t_initial == 1 and cycle_mul == 1 and cycle_decay == 1"},
        {"kwargs": {"t_initial": 10, "cycle_mul": 0.5, "cycle_limit": 5},
         "when": "step", "t": 20, "exception": ValueError,
         "message": "math domain error",
         "note": "log of 1 - t/t_initial*(1-cycle_mul) <= 0"},
        {"kwargs": {"t_initial": 25, "cycle_mul": 1.2, "cycle_limit": 5,
                    "k_decay": 1.5},
         "when": "step", "t": 55, "exception": TypeError,
         "message": "must be real number, not complex",
         "note": "float rounding gives t_curr = -7.1e-15 at a cycle start; "
                 "a negative number ** non-integer k is complex"},
        {"kwargs": {"t_initial": 10, "noise_type": "uniform"}, "when": "init",
         "exception": TypeError,
         "message": "CosineLRScheduler.__init__() got an unexpected keyword "
                    "argument 'noise_type'"},
        {"kwargs": {"t_initial": 10, "noise_range_t": [3]}, "when": "step",
         "t": 3, "exception": IndexError, "message": "list index out of range",
         "note": "r[1] read only once r[0] <= t"},
    ],
    "TanhLRScheduler": [
        {"kwargs": {"t_initial": 0}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 10, "lr_min": -1e-3}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 10, "lb": 3., "ub": 3.}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 10, "cycle_limit": -1}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 10, "warmup_t": -1}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 10, "warmup_lr_init": -1e-3}, "when": "init",
         "exception": AssertionError, "message": ""},
    ],
    "PolyLRScheduler": [
        {"kwargs": {"t_initial": 0}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 10, "lr_min": -1e-3}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"t_initial": 1}, "when": "init", "log": "WARNING",
         "message": _NO_EFFECT, "note": "same (cosine) text as Cosine"},
        {"kwargs": {"t_initial": 25, "cycle_mul": 1.2, "cycle_limit": 5,
                    "k_decay": 1.5},
         "when": "step", "t": 55, "returns": complex,
         "note": "no error: the complex value (0.1+1.4e-25j for lr 0.1) is "
                 "written into param_group['lr'] (cf. Cosine's TypeError)"},
    ],
    "StepLRScheduler": [
        {"kwargs": {"decay_t": 0}, "when": "step", "t": 1,
         "exception": ZeroDivisionError,
         "message": "integer division or modulo by zero"},
    ],
    "MultiStepLRScheduler": [
        {"kwargs": {"decay_t": 30}, "when": "step", "t": 1,
         "exception": TypeError,
         "message": "object of type 'int' has no len()"},
    ],
}
