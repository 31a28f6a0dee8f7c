"""The guarantees of SPEC section 3, for every schedule and a nesting of them."""
import copy
import math
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mxnet.lr_scheduler import LRScheduler, MultiFactorScheduler

import mxsched
from mxsched import (CosineAnnealing, CyclicalSchedule, LinearCoolDown, LinearWarmUp,
                     OneCycle, PureCosineScheduler, PureFactorScheduler,
                     PureMultiFactorScheduler, PurePolyScheduler, TriangularSchedule)


def nested():
    """Three levels: warm-up over cool-down over warm restarts."""
    return LinearWarmUp(
        LinearCoolDown(
            CyclicalSchedule(CosineAnnealing, cycle_length=30, cycle_length_decay=2,
                             cycle_magnitude_decay=0.8, min_lr=0.001, max_lr=0.1),
            finish_lr=0.0005, start_idx=400, length=50),
        start_lr=0.0, length=20)


SCHEDULES = {
    "triangular": lambda: TriangularSchedule(0.01, 0.5, cycle_length=50, inc_fraction=0.2),
    "cosine": lambda: CosineAnnealing(0.001, 0.2, cycle_length=70),
    "warmup-multifactor": lambda: LinearWarmUp(
        MultiFactorScheduler(step=[30, 60], factor=0.1, base_lr=0.3), start_lr=0.0, length=10),
    "cooldown": lambda: LinearCoolDown(TriangularSchedule(0.0, 1.0, 40), 0.01, 25, 10),
    "onecycle": lambda: OneCycle(0.05, 0.5, cycle_length=60, cooldown_length=15,
                                 finish_lr=0.001),
    "clr": lambda: CyclicalSchedule(TriangularSchedule, cycle_length=20, min_lr=0.01,
                                    max_lr=0.1, cycle_magnitude_decay=0.5),
    "sgdr": lambda: CyclicalSchedule(CosineAnnealing, cycle_length=7, cycle_length_decay=1.5,
                                     min_lr=0.0, max_lr=0.1),
    "shrinking": lambda: CyclicalSchedule(CosineAnnealing, cycle_length=9,
                                          cycle_length_decay=0.6, min_lr=0.0, max_lr=1.0),
    "pure-factor": lambda: PureFactorScheduler(step=5, factor=0.7, stop_factor_lr=1e-3,
                                               base_lr=0.5, warmup_steps=3),
    "pure-multifactor": lambda: PureMultiFactorScheduler(step=[3, 9], factor=0.5, base_lr=1.0),
    "pure-poly": lambda: PurePolyScheduler(max_update=50, base_lr=0.4, pwr=2, final_lr=0.01,
                                           warmup_steps=5),
    "pure-cosine": lambda: PureCosineScheduler(max_update=50, base_lr=0.4, final_lr=0.01,
                                               warmup_steps=5, warmup_mode="constant"),
    "nested": nested,
}
NAMES = sorted(SCHEDULES)
STEPS = np.arange(0, 700)


@pytest.mark.parametrize("name", NAMES)
def test_is_an_mxnet_lr_scheduler_usable_by_the_optimizer(name):
    import mxnet as mx
    sched = SCHEDULES[name]()
    assert isinstance(sched, LRScheduler)
    opt = mx.optimizer.create("sgd", lr_scheduler=sched)
    assert opt.lr_scheduler is sched


@pytest.mark.parametrize("name", NAMES)
def test_any_call_order_gives_the_same_values(name):
    sched = SCHEDULES[name]()
    in_order = [sched(int(t)) for t in STEPS]
    before = repr(sched)
    shuffled = np.random.RandomState(1).permutation(STEPS)
    fresh = SCHEDULES[name]()
    got = {int(t): fresh(int(t)) for t in shuffled}
    assert [got[int(t)] for t in STEPS] == in_order
    assert [sched(int(t)) for t in STEPS] == in_order  # again, same object
    assert repr(sched) == before


@pytest.mark.parametrize("name", NAMES)
def test_values_equals_scalar_calls(name):
    sched = SCHEDULES[name]()
    steps = np.concatenate([STEPS, [10 ** 6, 10 ** 9, 10 ** 12]])
    vec = sched.values(steps)
    assert vec.dtype == np.float64 and vec.shape == steps.shape
    np.testing.assert_allclose(vec, [sched(int(t)) for t in steps], rtol=1e-12, atol=1e-15)
    assert sched.values(steps[:702].reshape(-1, 3)).shape == (234, 3)
    assert sched.values(list(range(5))).tolist() == pytest.approx([sched(t) for t in range(5)])


@pytest.mark.parametrize("name", NAMES)
def test_pickle_and_deepcopy_round_trip(name):
    sched = SCHEDULES[name]()
    expected = sched.values(STEPS)
    for clone in (pickle.loads(pickle.dumps(sched)), copy.deepcopy(sched), copy.copy(sched)):
        assert type(clone) is type(sched)
        assert repr(clone) == repr(sched)
        np.testing.assert_array_equal(clone.values(STEPS), expected)
        assert [clone(int(t)) for t in STEPS[::7]] == [sched(int(t)) for t in STEPS[::7]]


@pytest.mark.parametrize("name", NAMES)
def test_base_lr_reads_the_peak_and_assignment_rescales(name):
    sched = SCHEDULES[name]()
    peak = sched.base_lr
    first_phase = sched.values(np.arange(0, 80))
    assert peak == pytest.approx(first_phase.max(), rel=1e-12)
    original = sched.values(STEPS)
    sched.base_lr = 0.4
    assert sched.base_lr == pytest.approx(0.4, rel=1e-12)
    np.testing.assert_allclose(sched.values(STEPS), original * 0.4 / peak, rtol=1e-12,
                               atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_far_past_the_end_and_huge_steps(name):
    sched = SCHEDULES[name]()
    for t in (10 ** 6, 10 ** 9, 10 ** 12):
        value = sched(t)
        assert isinstance(value, float) and math.isfinite(value) and value >= 0


@pytest.mark.parametrize("name", NAMES)
def test_negative_or_nan_step_is_a_value_error(name):
    sched = SCHEDULES[name]()
    with pytest.raises(ValueError, match=r"num_update must be a finite number >= 0, got -1"):
        sched(-1)
    with pytest.raises(ValueError, match=r"got nan"):
        sched(float("nan"))
    with pytest.raises(ValueError, match=r"steps must be finite and >= 0, got -3.0"):
        sched.values([0, 1, -3])


@pytest.mark.parametrize("name", NAMES)
def test_repr_shows_the_constructor_call(name):
    sched = SCHEDULES[name]()
    rebuilt = eval(repr(sched), vars(mxsched))  # test only: the repr is a valid call
    assert repr(rebuilt) == repr(sched)
    np.testing.assert_array_equal(rebuilt.values(STEPS), sched.values(STEPS))


def test_repr_of_a_nesting():
    assert repr(nested()) == (
        "LinearWarmUp(schedule=LinearCoolDown(schedule=CyclicalSchedule(CosineAnnealing, "
        "cycle_length=30, cycle_length_decay=2.0, cycle_magnitude_decay=0.8, max_lr=0.1, "
        "min_lr=0.001), finish_lr=0.0005, start_idx=400, length=50), start_lr=0.0, length=20)")


def test_wrappers_never_touch_the_wrapped_object():
    inner = CosineAnnealing(0.0, 1.0, 10)
    outer = LinearWarmUp(inner, 0.0, 5)
    outer.base_lr = 0.25
    assert inner.max_lr == 1.0 and outer.schedule is not inner
    assert outer(5) == 0.25


def test_trainer_learning_rate_sets_the_peak_of_a_nesting(capsys):
    import mxnet as mx
    sched = nested()
    expected = sched.values(STEPS) * 0.4 / 0.1
    opt = mx.optimizer.create("sgd", learning_rate=0.4, lr_scheduler=sched)
    assert "overwritten" in capsys.readouterr().out  # MXNet prints, it does not warn
    np.testing.assert_allclose(opt.lr_scheduler.values(STEPS), expected, rtol=1e-12)


# ----------------------------------------------------------------- hypothesis properties
lrs = st.floats(0.0, 10.0, allow_nan=False)
lengths = st.integers(1, 500)
steps_st = st.lists(st.integers(0, 5000), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(a=lrs, b=lrs, length=lengths, inc=st.floats(0.01, 1.0), steps=steps_st)
def test_triangular_stays_within_its_range(a, b, length, inc, steps):
    lo, hi = min(a, b), max(a, b)
    s = TriangularSchedule(lo, hi, length, inc)
    values = s.values(steps)
    assert np.all(values >= lo - 1e-12) and np.all(values <= hi + 1e-12)
    np.testing.assert_allclose(values, [s(t) for t in steps], rtol=1e-12, atol=1e-15)
    assert s(0) == lo and s(length + 1) == lo
    if inc < 1:
        assert s(length) == pytest.approx(lo, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(m=lrs, extra=lrs, length=lengths, decay=st.sampled_from([1, 1.5, 2, 3, 0.5, 0.9]),
       mag=st.floats(0.1, 1.0), steps=steps_st)
def test_cyclical_cosine_restarts_at_every_cycle_start(m, extra, length, decay, mag, steps):
    s = CyclicalSchedule(CosineAnnealing, cycle_length=length, cycle_length_decay=decay,
                         cycle_magnitude_decay=mag, min_lr=m, max_lr=m + extra)
    np.testing.assert_allclose(s.values(steps), [s(t) for t in steps], rtol=1e-12, atol=1e-15)
    start, cycle_len = 0, length
    for k in range(6):
        assert s(start) == pytest.approx((m + extra) * mag ** k, rel=1e-12, abs=1e-15)
        start += cycle_len
        cycle_len = math.ceil(cycle_len * decay)


@settings(max_examples=60, deadline=None)
@given(start=lrs, length=lengths, m=lrs, extra=lrs, cyc=lengths, t=st.integers(0, 3000))
def test_warm_up_joins_continuously(start, length, m, extra, cyc, t):
    inner = CosineAnnealing(m, m + extra, cyc)
    s = LinearWarmUp(inner, start, length)
    assert s(length) == pytest.approx(inner(0))
    assert s(length + t) == pytest.approx(inner(t))


# ----------------------------------------------------------------- parameter servers
def test_importing_mxsched_does_not_touch_mx_lr_scheduler():
    """A PS server unpickles inside ``import mxnet``; simulate it: unpickle first."""
    blob = pickle.dumps(nested())
    code = (
        "import pickle, sys\n"
        f"s = pickle.loads({blob!r})\n"
        "print(repr(s(25)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert float(out.stdout.strip()) == nested()(25)
