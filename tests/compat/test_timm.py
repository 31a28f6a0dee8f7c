"""mxsched.compat.timm: timm's five schedulers, update for update.

Every drop-in is checked at every update against ``tests/reference/timm.py`` (a
transcription of timm 1.0.31, no timm needed), per update (timm's
``t_in_epochs=False``: update ``k`` uses ``t = k - 1``) and per epoch
(``t_in_epochs=True``: ``t = (k - 1) // updates_per_epoch``), for timm's defaults and
other parameter sets; noise is checked for where it applies and its bounds (its random
numbers are mxsched's, not torch's).
"""
import inspect
import json
import logging
import math
import pickle

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

from conftest import assert_lrs
from mxsched import Constant, Noise, from_config
from mxsched.config import registered
from mxsched.compat import timm
from mxsched.compat.timm import (CosineLRScheduler, MultiStepLRScheduler, PolyLRScheduler,
                                 StepLRScheduler, TanhLRScheduler)
from reference import timm as ref

LR = 0.1
N = 200          # updates per sequence
PER_EPOCH = [None, 3, 7]  # updates_per_epoch: None = per update

REF = {CosineLRScheduler: ref.cosine_lr, TanhLRScheduler: ref.tanh_lr,
       PolyLRScheduler: ref.poly_lr, StepLRScheduler: ref.step_lr,
       MultiStepLRScheduler: ref.multistep_lr}

# (drop-in, peer arguments without the optimizer); the first of each is timm's defaults
CASES = [
    (CosineLRScheduler, dict(t_initial=50)),
    (CosineLRScheduler, dict(t_initial=40, lr_min=1e-3, warmup_t=5, warmup_lr_init=1e-4)),
    (CosineLRScheduler, dict(t_initial=40, lr_min=1e-3, warmup_t=5, warmup_lr_init=1e-4,
                             warmup_prefix=True)),
    (CosineLRScheduler, dict(t_initial=10, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=4,
                             k_decay=1.5, lr_min=1e-3)),
    (CosineLRScheduler, dict(t_initial=12, cycle_decay=0.7, cycle_limit=3, lr_min=1e-3,
                             warmup_t=4, warmup_lr_init=0.01, warmup_prefix=True)),
    (CosineLRScheduler, dict(t_initial=8, cycle_mul=1.5, cycle_decay=0.8, cycle_limit=5,
                             lr_min=2e-3)),
    (CosineLRScheduler, dict(t_initial=10, lr_min=0.05, cycle_decay=0.3, cycle_limit=3)),
    (CosineLRScheduler, dict(t_initial=20, k_decay=2.0, warmup_t=3, warmup_lr_init=0.2)),
    (CosineLRScheduler, dict(t_initial=10, cycle_limit=0, warmup_t=3)),
    (TanhLRScheduler, dict(t_initial=50)),
    (TanhLRScheduler, dict(t_initial=40, lr_min=1e-3, warmup_t=5, warmup_lr_init=1e-4)),
    (TanhLRScheduler, dict(t_initial=40, lb=-5.0, ub=5.0, lr_min=1e-3, warmup_t=5,
                           warmup_lr_init=1e-4, warmup_prefix=True)),
    (TanhLRScheduler, dict(t_initial=6, warmup_t=9, warmup_lr_init=0.01)),
    (TanhLRScheduler, dict(t_initial=10, cycle_mul=1.5, cycle_decay=0.5, cycle_limit=3,
                           lr_min=1e-3)),
    (TanhLRScheduler, dict(t_initial=10, cycle_decay=0.5, cycle_limit=3)),
    (TanhLRScheduler, dict(t_initial=10, cycle_limit=0, warmup_t=2)),
    (PolyLRScheduler, dict(t_initial=50)),
    (PolyLRScheduler, dict(t_initial=30, power=2.0, k_decay=2.0, lr_min=1e-3, warmup_t=5,
                           warmup_lr_init=1e-4)),
    (PolyLRScheduler, dict(t_initial=30, warmup_t=5, warmup_lr_init=1e-3,
                           warmup_prefix=True)),
    (PolyLRScheduler, dict(t_initial=10, power=1.0, cycle_mul=1.5, cycle_decay=0.3,
                           cycle_limit=3, lr_min=1e-3)),
    (StepLRScheduler, dict(decay_t=10)),
    (StepLRScheduler, dict(decay_t=7, decay_rate=0.5, warmup_t=4, warmup_lr_init=1e-3)),
    (StepLRScheduler, dict(decay_t=7, decay_rate=0.5, warmup_t=4, warmup_lr_init=1e-3,
                           warmup_prefix=False)),
    (StepLRScheduler, dict(decay_t=2.5, decay_rate=0.8)),
    (StepLRScheduler, dict(decay_t=9.0, decay_rate=0.8, warmup_t=2)),
    (MultiStepLRScheduler, dict(decay_t=[10, 20])),
    (MultiStepLRScheduler, dict(decay_t=[5, 12, 30], decay_rate=0.5, warmup_t=4,
                                warmup_lr_init=1e-3)),
    (MultiStepLRScheduler, dict(decay_t=[5, 12, 30], decay_rate=0.5, warmup_t=4,
                                warmup_lr_init=1e-3, warmup_prefix=False)),
    (MultiStepLRScheduler, dict(decay_t=[0, 1, 5], decay_rate=0.5)),
    (MultiStepLRScheduler, dict(decay_t=[1, 5], decay_rate=0.5, warmup_t=3,
                                warmup_prefix=False)),
    (MultiStepLRScheduler, dict(decay_t=[], decay_rate=0.5)),
]


def case_id(case):
    cls, kwargs = case
    return f"{cls.__name__}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"


def expected(cls, kwargs, n=N, updates_per_epoch=None, base_lr=LR, **extra):
    """What timm applies at updates 1..n (the reference's loop convention)."""
    return REF[cls](**kwargs, base_lr=base_lr, n=n, t_in_epochs=updates_per_epoch is not None,
                    updates_per_epoch=updates_per_epoch, **extra)


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize("updates_per_epoch", PER_EPOCH, ids=lambda u: f"upe={u}")
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_update_matches_timm(case, updates_per_epoch):
    cls, kwargs = case
    sched = cls(lr=LR, **kwargs, updates_per_epoch=updates_per_epoch)
    assert_lrs(sched, expected(cls, kwargs, updates_per_epoch=updates_per_epoch),
               steps=range(1, N + 1))


def test_at_least_three_parameter_sets_besides_the_defaults_per_scheduler():
    for cls in REF:
        assert sum(1 for c, _ in CASES if c is cls) >= 4, cls.__name__


@pytest.mark.parametrize("cls,kwargs", [
    (TanhLRScheduler, dict(t_initial=50)),
    (MultiStepLRScheduler, dict(decay_t=[1, 5], decay_rate=0.5)),
    (CosineLRScheduler, dict(t_initial=10, cycle_limit=0)),
], ids=["tanh", "multistep-milestone-1", "cosine-cycle_limit-0"])
def test_the_first_update_uses_the_construction_value_not_the_curve_at_0(cls, kwargs):
    sched = cls(lr=LR, **kwargs)
    assert sched(1) == LR  # what timm writes into the optimizer when it is built
    at_0 = REF[cls].__globals__[REF[cls].__name__ + "_at"](0, **kwargs, base_lr=LR)
    assert at_0 != LR      # ... while step(0) would write another value


def test_tanh_ramps_to_the_curve_at_warmup_t_without_prefix_and_to_lr_with_it():
    plain = TanhLRScheduler(lr=LR, t_initial=20, lr_min=1e-3, warmup_t=5)
    prefix = TanhLRScheduler(lr=LR, t_initial=20, lr_min=1e-3, warmup_t=5,
                             warmup_prefix=True)
    curve_at_5 = ref.tanh_lr_at(5, t_initial=20, lr_min=1e-3, base_lr=LR)
    step = (curve_at_5 - 0.0) / 5
    assert plain(5) == pytest.approx(4 * step, rel=1e-12)       # t = 4, last ramp value
    assert plain(6) == pytest.approx(curve_at_5, rel=1e-12)     # t = 5, the curve takes over
    assert prefix(5) == pytest.approx(4 * LR / 5, rel=1e-12)


def test_warmup_prefix_false_overwrites_the_curve_and_true_shifts_it():
    kwargs = dict(t_initial=20, warmup_t=5, warmup_lr_init=0.0)
    plain = CosineLRScheduler(lr=LR, **kwargs)
    prefix = CosineLRScheduler(lr=LR, **kwargs, warmup_prefix=True)
    cosine = CosineLRScheduler(lr=LR, t_initial=20)
    assert plain(7) == cosine(7)          # t = 6 of the unshifted cosine
    assert prefix(7) == cosine(7 - 5)     # t = 6 is the cosine's t = 1
    assert prefix(6) == LR                # the cosine's start, after the ramp


# --------------------------------------------------------------------------- cycles
def test_restarts_are_on_time_where_timm_rounds_one_cycle_early():
    """timm: floor(math.log(1000, 10)) = 2, so t = 111 (a restart) gets lr_min."""
    kwargs = dict(t_initial=1, cycle_mul=10.0, cycle_decay=0.5, cycle_limit=5)
    n = 1200
    sched = CosineLRScheduler(lr=LR, **kwargs)
    want = expected(CosineLRScheduler, kwargs, n=n)
    got = [sched(k) for k in range(1, n + 1)]
    starts = [(10 ** i - 1) // 9 for i in range(5)]  # 0, 1, 11, 111, 1111
    off = [k - 1 for k in range(1, n + 1) if not math.isclose(got[k - 1], want[k - 1],
                                                              rel_tol=1e-12, abs_tol=1e-15)]
    assert off == [111]                               # only timm's quirk differs ...
    assert want[111] == 0.0                           # ... where timm gives lr_min
    assert got[111] == pytest.approx(LR * 0.5 ** 3)  # and the drop-in restarts cycle 3
    assert [got[t] for t in starts] == pytest.approx(
        [LR] + [LR * 0.5 ** i for i in range(1, 5)])


def test_a_cycle_start_with_non_integer_k_decay_is_a_value_where_timm_raises():
    kwargs = dict(t_initial=25, cycle_mul=1.2, cycle_decay=0.5, cycle_limit=5,
                  k_decay=1.5)
    with pytest.raises(TypeError, match="must be real number, not complex"):
        ref.cosine_lr_at(55, **kwargs, base_lr=LR)
    sched = CosineLRScheduler(lr=LR, **kwargs)
    assert sched(56) == pytest.approx(LR * 0.5 ** 2, rel=1e-12)  # t = 55 starts cycle 2
    want = expected(CosineLRScheduler, kwargs, n=55)
    assert_lrs(sched, want, steps=range(1, 56))


# --------------------------------------------------------------------------- noise
def core_noise(pct=0.67, std=1.0, seed=42):
    """The relative noise mxsched draws at step t (any range: the reference applies it)."""
    return Noise(Constant(1.0), pct=pct, std=std, seed=seed).noise


NOISE_CASES = [
    (CosineLRScheduler, dict(t_initial=40, noise_range_t=[5, 20])),
    (CosineLRScheduler, dict(t_initial=40, warmup_t=6, warmup_lr_init=1e-3,
                             noise_range_t=[0, 12], noise_pct=0.2)),
    (CosineLRScheduler, dict(t_initial=40, noise_range_t=10, noise_std=2.0, noise_seed=None)),
    (CosineLRScheduler, dict(t_initial=40, noise_range_t=[2.5, 7.5], noise_seed=7)),
    (TanhLRScheduler, dict(t_initial=40, noise_range_t=0, noise_pct=0.3)),
    (PolyLRScheduler, dict(t_initial=40, noise_range_t=[3, 30], noise_std=0.5)),
    (StepLRScheduler, dict(decay_t=7, decay_rate=0.5, warmup_t=3, noise_range_t=[1, 25])),
    (MultiStepLRScheduler, dict(decay_t=[5, 9], decay_rate=0.5, noise_range_t=4)),
]


@pytest.mark.parametrize("updates_per_epoch", [None, 3], ids=lambda u: f"upe={u}")
@pytest.mark.parametrize("case", NOISE_CASES, ids=case_id)
def test_noise_applies_where_timm_applies_it(case, updates_per_epoch):
    """timm's sequence with mxsched's random numbers: same steps, same placement (raw t,
    warm-up included, not the construction value), same ``lr + lr * noise``."""
    cls, kwargs = case
    seed = kwargs.get("noise_seed", 42)
    fn = core_noise(kwargs.get("noise_pct", 0.67), kwargs.get("noise_std", 1.0),
                    42 if seed is None else seed)
    sched = cls(lr=LR, **kwargs, updates_per_epoch=updates_per_epoch)
    n = 120
    assert_lrs(sched, expected(cls, kwargs, n=n, updates_per_epoch=updates_per_epoch,
                               noise_fn=fn), steps=range(1, n + 1))


@pytest.mark.parametrize("pct,std", [(0.67, 1.0), (0.1, 1.0), (0.5, 0.05), (0.3, 2.0)])
def test_noise_stays_within_its_bounds_and_only_in_its_range(pct, std):
    kwargs = dict(t_initial=3000, lr_min=1e-4)
    clean = CosineLRScheduler(lr=LR, **kwargs)
    noisy = CosineLRScheduler(lr=LR, **kwargs, noise_range_t=[100, 2100], noise_pct=pct,
                              noise_std=std, noise_seed=3)
    k = np.arange(1, 2501)
    ratio = noisy.values(k) / clean.values(k) - 1   # update k: t = k - 1
    inside = (k - 1 >= 100) & (k - 1 < 2100)
    assert np.all(ratio[~inside] == 0)
    noise = ratio[inside]
    assert np.all(np.abs(noise) < pct)
    assert np.count_nonzero(noise) == noise.size
    # a normal of std ``std`` truncated to (-pct, pct): its spread, and no sign bias
    a = pct / std
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    truncated_std = std * math.sqrt(1 - 2 * a * phi / math.erf(a / math.sqrt(2)))
    assert noise.std() == pytest.approx(truncated_std, rel=0.08)
    assert abs(noise.mean()) < 4 * truncated_std / math.sqrt(noise.size)
    assert noisy.base_lr == pytest.approx(LR * (1 + pct))
    assert noisy.values(k).max() <= noisy.base_lr


def test_noise_never_touches_the_construction_value():
    """Update 1 (t = 0) uses the value timm writes when it is built, without noise."""
    clean = CosineLRScheduler(lr=LR, t_initial=10)
    only_0 = CosineLRScheduler(lr=LR, t_initial=10, noise_range_t=[0, 1])
    assert "Noise" not in repr(only_0.core)
    assert np.array_equal(only_0.values(np.arange(30)), clean.values(np.arange(30)))
    from_0 = CosineLRScheduler(lr=LR, t_initial=10, noise_range_t=0)
    assert from_0(1) == LR and from_0(2) != clean(2)


def test_noise_depends_on_the_seed_and_is_the_same_for_the_same_seed():
    make = lambda seed: CosineLRScheduler(lr=LR, t_initial=100, noise_range_t=0,  # noqa: E731
                                          noise_seed=seed)
    k = np.arange(2, 100)
    assert np.array_equal(make(5).values(k), make(5).values(k))
    assert not np.any(make(5).values(k) == make(6).values(k))
    assert np.array_equal(make(None).values(k), make(42).values(k))


# --------------------------------------------------------------------------- signature
TIMM_SIGNATURES = {  # timm 1.0.31, optimizer -> lr, t_in_epochs -> updates_per_epoch
    CosineLRScheduler: [("t_initial", None), ("lr_min", 0.0), ("cycle_mul", 1.0),
                        ("cycle_decay", 1.0), ("cycle_limit", 1), ("warmup_t", 0),
                        ("warmup_lr_init", 0.0), ("warmup_prefix", False),
                        ("updates_per_epoch", None), ("noise_range_t", None),
                        ("noise_pct", 0.67), ("noise_std", 1.0), ("noise_seed", 42),
                        ("k_decay", 1.0)],
    TanhLRScheduler: [("t_initial", None), ("lb", -7.0), ("ub", 3.0), ("lr_min", 0.0),
                      ("cycle_mul", 1.0), ("cycle_decay", 1.0), ("cycle_limit", 1),
                      ("warmup_t", 0), ("warmup_lr_init", 0.0), ("warmup_prefix", False),
                      ("updates_per_epoch", None), ("noise_range_t", None),
                      ("noise_pct", 0.67), ("noise_std", 1.0), ("noise_seed", 42)],
    PolyLRScheduler: [("t_initial", None), ("power", 0.5), ("lr_min", 0.0),
                      ("cycle_mul", 1.0), ("cycle_decay", 1.0), ("cycle_limit", 1),
                      ("warmup_t", 0), ("warmup_lr_init", 0.0), ("warmup_prefix", False),
                      ("updates_per_epoch", None), ("noise_range_t", None),
                      ("noise_pct", 0.67), ("noise_std", 1.0), ("noise_seed", 42),
                      ("k_decay", 1.0)],
    StepLRScheduler: [("decay_t", None), ("decay_rate", 1.0), ("warmup_t", 0),
                      ("warmup_lr_init", 0.0), ("warmup_prefix", True),
                      ("updates_per_epoch", None), ("noise_range_t", None),
                      ("noise_pct", 0.67), ("noise_std", 1.0), ("noise_seed", 42)],
    MultiStepLRScheduler: [("decay_t", None), ("decay_rate", 1.0), ("warmup_t", 0),
                           ("warmup_lr_init", 0.0), ("warmup_prefix", True),
                           ("updates_per_epoch", None), ("noise_range_t", None),
                           ("noise_pct", 0.67), ("noise_std", 1.0), ("noise_seed", 42)],
}


@pytest.mark.parametrize("cls", list(TIMM_SIGNATURES), ids=lambda c: c.__name__)
def test_names_order_and_defaults_are_timms(cls):
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]  # no self
    assert params[0].name == "lr" and params[0].default is inspect.Parameter.empty
    got = [(p.name, None if p.default is inspect.Parameter.empty else p.default)
           for p in params[1:]]
    assert got == TIMM_SIGNATURES[cls]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)
    assert cls.__module__ == "mxsched.compat.timm" and cls.__name__ in timm.__all__


def test_positional_arguments_keep_timms_positions():
    by_position = CosineLRScheduler(LR, 30, 1e-3, 2.0, 0.5, 3, 4, 1e-4, True)
    by_name = CosineLRScheduler(lr=LR, t_initial=30, lr_min=1e-3, cycle_mul=2.0,
                                cycle_decay=0.5, cycle_limit=3, warmup_t=4,
                                warmup_lr_init=1e-4, warmup_prefix=True)
    assert by_position == by_name


def test_repr_is_the_timm_style_call_with_every_argument():
    sched = StepLRScheduler(lr=0.1, decay_t=30, decay_rate=0.5)
    assert repr(sched) == (
        "StepLRScheduler(lr=0.1, decay_t=30, decay_rate=0.5, warmup_t=0, "
        "warmup_lr_init=0.0, warmup_prefix=True, updates_per_epoch=None, "
        "noise_range_t=None, noise_pct=0.67, noise_std=1.0, noise_seed=42)")
    assert repr(sched.core) == "Delay(schedule=StepDecay(max_lr=0.1, length=30, factor=0.5), " \
                               "length=1)"
    assert sched.momentum is None


# --------------------------------------------------------------------------- errors
ERRORS = [
    (CosineLRScheduler, dict(t_initial=0), ValueError, r"t_initial must be a positive integer, got 0"),
    (CosineLRScheduler, dict(t_initial=10.5), TypeError, r"t_initial must be a positive integer, got 10.5"),
    (CosineLRScheduler, dict(t_initial=10, lr_min=-1e-3), ValueError,
     r"lr_min must be a finite, non-negative learning rate, got -0.001"),
    (CosineLRScheduler, dict(t_initial=10, lr_min=0.2), ValueError, r"lr_min must be <= lr=0.1, got 0.2"),
    (CosineLRScheduler, dict(t_initial=10, cycle_mul=0.5, cycle_limit=5), ValueError,
     r"cycle_mul must be >= 1 \(cycles that shrink are not supported\), got 0.5"),
    (CosineLRScheduler, dict(t_initial=10, cycle_decay=1.5), ValueError,
     r"cycle_decay must be in \(0, 1\] \(a decay\), got 1.5"),
    (CosineLRScheduler, dict(t_initial=10, cycle_decay=0.0), ValueError, r"cycle_decay must be in \(0, 1\]"),
    (CosineLRScheduler, dict(t_initial=10, cycle_limit=-1), ValueError,
     r"cycle_limit must be a non-negative integer, got -1"),
    (CosineLRScheduler, dict(t_initial=10, cycle_limit=2.5), TypeError, r"cycle_limit must be a non-negative integer"),
    (CosineLRScheduler, dict(t_initial=10, k_decay=0), ValueError, r"k_decay must be a finite number > 0, got 0"),
    (CosineLRScheduler, dict(t_initial=10, lr_min=0.1, cycle_decay=0.5, cycle_limit=2), ValueError,
     r"lr_min must be < lr=0.1 when cycle_decay < 1 and cycle_limit > 1"),
    (CosineLRScheduler, dict(t_initial=10, warmup_t=-1), ValueError, r"warmup_t must be a non-negative integer, got -1"),
    (CosineLRScheduler, dict(t_initial=10, warmup_t=2.5), TypeError, r"warmup_t must be a non-negative integer"),
    (CosineLRScheduler, dict(t_initial=10, warmup_lr_init=-1e-3), ValueError, r"warmup_lr_init must be a finite"),
    (CosineLRScheduler, dict(t_initial=10, warmup_prefix=1), TypeError, r"warmup_prefix must be True or False, got 1"),
    (CosineLRScheduler, dict(t_initial=10, updates_per_epoch=0), ValueError,
     r"updates_per_epoch must be a positive integer, got 0"),
    (CosineLRScheduler, dict(t_initial=10, updates_per_epoch=True), TypeError,
     r"updates_per_epoch must be a positive integer, got True"),
    (CosineLRScheduler, dict(t_initial=10, t_in_epochs=False), TypeError,
     r"CosineLRScheduler.__init__\(\) got an unexpected keyword argument 't_in_epochs'"),
    (CosineLRScheduler, dict(t_initial=10, noise_type="uniform"), TypeError,
     r"CosineLRScheduler.__init__\(\) got an unexpected keyword argument 'noise_type'"),
    (CosineLRScheduler, dict(t_initial=10, noise_range_t=[3]), ValueError,
     r"noise_range_t must be a number or a pair \[start, end\], got \[3\]"),
    (CosineLRScheduler, dict(t_initial=10, noise_range_t=[5, 5]), ValueError,
     r"noise_range_t must hold at least one step \(start <= t < end\), got \[5, 5\]"),
    (CosineLRScheduler, dict(t_initial=10, noise_range_t=[2.2, 2.8]), ValueError,
     r"noise_range_t must hold at least one step"),
    (CosineLRScheduler, dict(t_initial=10, noise_range_t=-1), ValueError, r"noise_range_t must be >= 0.0, got -1"),
    (CosineLRScheduler, dict(t_initial=10, noise_range_t=[1, math.inf]), ValueError,
     r"noise_range_t\[1\] must be a finite number, got inf"),
    (CosineLRScheduler, dict(t_initial=10, noise_range_t="5"), TypeError,
     r"noise_range_t must be None, a number or a pair \[start, end\], got '5'"),
    (CosineLRScheduler, dict(t_initial=10, noise_range_t=True), TypeError, r"noise_range_t must be None"),
    (CosineLRScheduler, dict(t_initial=10, noise_pct=0), ValueError, r"noise_pct must be a finite number > 0, got 0"),
    (CosineLRScheduler, dict(t_initial=10, noise_pct=1.5), ValueError, r"noise_pct must be in \(0, 1\], got 1.5"),
    (CosineLRScheduler, dict(t_initial=10, noise_std=0.0), ValueError, r"noise_std must be a finite number > 0"),
    (CosineLRScheduler, dict(t_initial=10, noise_seed=-1), ValueError, r"noise_seed must be a non-negative integer"),
    (TanhLRScheduler, dict(t_initial=0), ValueError, r"t_initial must be a positive integer, got 0"),
    (TanhLRScheduler, dict(t_initial=10, lr_min=-1e-3), ValueError, r"lr_min must be a finite, non-negative"),
    (TanhLRScheduler, dict(t_initial=10, lb=3.0, ub=3.0), ValueError, r"ub must be > lb=3.0, got 3.0"),
    (TanhLRScheduler, dict(t_initial=10, cycle_limit=-1), ValueError, r"cycle_limit must be a non-negative integer"),
    (TanhLRScheduler, dict(t_initial=10, warmup_t=-1), ValueError, r"warmup_t must be a non-negative integer"),
    (TanhLRScheduler, dict(t_initial=10, warmup_lr_init=-1e-3), ValueError, r"warmup_lr_init must be a finite"),
    (TanhLRScheduler, dict(t_initial=10, k_decay=2.0), TypeError, r"unexpected keyword argument 'k_decay'"),
    (PolyLRScheduler, dict(t_initial=0), ValueError, r"t_initial must be a positive integer, got 0"),
    (PolyLRScheduler, dict(t_initial=10, lr_min=-1e-3), ValueError, r"lr_min must be a finite, non-negative"),
    (PolyLRScheduler, dict(t_initial=10, power=0.0), ValueError, r"power must be a finite number > 0, got 0.0"),
    (StepLRScheduler, dict(decay_t=0), ValueError, r"decay_t must be a finite number > 0, got 0"),
    (StepLRScheduler, dict(decay_t="30"), TypeError, r"decay_t must be a real number, got '30'"),
    (StepLRScheduler, dict(decay_t=30, decay_rate=1.5), ValueError, r"decay_rate must be in \(0, 1\] \(a decay\), got 1.5"),
    (StepLRScheduler, dict(decay_t=30, decay_rate=0.0), ValueError, r"decay_rate must be in \(0, 1\]"),
    (MultiStepLRScheduler, dict(decay_t=30), TypeError, r"decay_t must be a list of increasing integers, got 30"),
    (MultiStepLRScheduler, dict(decay_t=[20, 10]), ValueError, r"decay_t must be increasing, got \[20, 10\]"),
    (MultiStepLRScheduler, dict(decay_t=[10, 10]), ValueError, r"decay_t must be increasing"),
    (MultiStepLRScheduler, dict(decay_t=[-1, 5]), ValueError, r"decay_t\[0\] must be a non-negative integer, got -1"),
    (MultiStepLRScheduler, dict(decay_t=[5], decay_rate=2.0), ValueError, r"decay_rate must be in \(0, 1\]"),
]


@pytest.mark.parametrize("cls,kwargs,exc,match", ERRORS,
                         ids=[f"{c.__name__}-{'-'.join(map(str, k.items()))}"
                              for c, k, _, _ in ERRORS])
def test_bad_arguments_are_clear_errors_at_construction(cls, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cls(lr=LR, **kwargs)


def test_lr_is_checked():
    with pytest.raises(ValueError, match=r"lr must be a finite, non-negative learning rate, "
                                         r"got -0.1"):
        StepLRScheduler(lr=-0.1, decay_t=3)
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'lr'"):
        StepLRScheduler(decay_t=3)


@pytest.mark.parametrize("cls", [CosineLRScheduler, PolyLRScheduler])
def test_t_initial_1_logs_timms_warning(cls, caplog):
    with caplog.at_level(logging.WARNING, logger="mxsched.compat.timm"):
        cls(lr=LR, t_initial=1)
    assert [r.getMessage() for r in caplog.records] == [
        "Cosine annealing scheduler will have no effect on the learning rate since "
        "t_initial = t_mul = eta_mul = 1."]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="mxsched.compat.timm"):
        cls(lr=LR, t_initial=1, cycle_decay=0.5)
        TanhLRScheduler(lr=LR, t_initial=1)
    assert caplog.records == []


# --------------------------------------------------------------------------- properties
INSTANCES = ([cls.example() for cls in REF]
             + [cls(lr=LR, **kw) for cls, kw in CASES[1::3]]
             + [cls(lr=LR, **kw, updates_per_epoch=5) for cls, kw in CASES[2::4]]
             + [cls(lr=LR, **kw) for cls, kw in NOISE_CASES])


@pytest.mark.parametrize("sched", INSTANCES, ids=repr)
def test_pickles_through_protocol_0_as_utf8(sched):
    text = pickle.dumps(sched, protocol=0).decode("utf-8")
    back = pickle.loads(text.encode("utf-8"))
    assert back == sched and type(back) is type(sched)
    steps = np.arange(0, 400)
    assert np.array_equal(back.values(steps), sched.values(steps))


def test_configs_know_the_five_drop_ins_and_nothing_else_of_the_module():
    names = sorted(n for n in registered() if n.startswith("timm."))
    assert names == sorted(f"timm.{cls.__name__}" for cls in REF)


@pytest.mark.parametrize("sched", INSTANCES, ids=repr)
def test_round_trips_through_a_json_config(sched):
    cfg = json.loads(json.dumps(sched.get_config()))
    assert cfg["class"] == f"timm.{type(sched).__name__}"
    back = from_config(cfg)
    assert back == sched
    steps = np.arange(0, 400)
    assert np.array_equal(back.values(steps), sched.values(steps))


@pytest.mark.parametrize("sched", INSTANCES, ids=repr)
def test_scalar_equals_values_and_stays_within_0_and_base_lr(sched):
    steps = list(range(0, 400))
    assert_lrs(sched, [sched(t) for t in steps], steps=steps)
    got = sched.values(np.arange(0, 4000, 0.5))
    assert np.all(np.isfinite(got)) and got.min() >= 0
    assert got.max() <= sched.base_lr


@pytest.mark.parametrize("sched", INSTANCES, ids=repr)
def test_assigning_base_lr_rescales_every_learning_rate(sched):
    steps = np.arange(0, 400)
    before, peak, lr = sched.values(steps), sched.base_lr, sched.lr
    sched = pickle.loads(pickle.dumps(sched))  # a copy: the instance is shared
    sched.base_lr = 3 * peak
    assert sched.base_lr == pytest.approx(3 * peak, rel=1e-12)
    np.testing.assert_allclose(sched.values(steps), 3 * before, rtol=1e-12, atol=1e-15)
    assert sched.lr == pytest.approx(3 * lr, rel=1e-12)  # the peer-style arguments follow


# --------------------------------------------------------------------------- Trainer
def applied_lrs(sched, updates, grad=0.5):
    """What gluon.Trainer applies at each update, read back from a one-weight model.

    Plain SGD, loss = w * grad: the weight, reset to 0 before each update, becomes
    ``-float32(lr_k) * grad``.
    """
    net = gluon.nn.Dense(1, use_bias=False, in_units=1)
    net.initialize(mx.init.Zero(), ctx=mx.cpu())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"lr_scheduler": sched})
    x = mx.nd.full((1, 1), grad)
    lrs = []
    for _ in range(updates):
        with autograd.record():
            loss = net(x).sum()
        loss.backward()
        trainer.step(1)
        lrs.append(-net.weight.data().asnumpy().item() / grad)
        net.weight.set_data(mx.nd.zeros((1, 1)))
    return np.array(lrs)


@pytest.mark.parametrize("updates_per_epoch", [None, 4], ids=lambda u: f"upe={u}")
def test_trainer_applies_timms_rate_at_every_update(updates_per_epoch):
    kwargs = dict(t_initial=12, lr_min=1e-3, cycle_decay=0.5, cycle_limit=3, warmup_t=3,
                  warmup_lr_init=1e-3)
    n = 60
    sched = CosineLRScheduler(lr=LR, **kwargs, updates_per_epoch=updates_per_epoch)
    got = applied_lrs(sched, n)
    np.testing.assert_array_equal(got, np.float32([sched(k) for k in range(1, n + 1)]))
    np.testing.assert_allclose(got, expected(CosineLRScheduler, kwargs, n=n,
                                             updates_per_epoch=updates_per_epoch),
                               rtol=1e-6)
