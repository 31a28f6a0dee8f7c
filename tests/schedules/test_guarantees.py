"""Particular cases of the guarantees, each once a failure: only sensible rates, schedules
that cross to parameter servers, instances where instances belong, clear limits.

The guarantees themselves are checked on every class in ``test_properties.py``; here are
the arguments, shapes and nestings that once broke one of them, and properties of single
shapes (ranges, restarts, continuity) over random arguments.
"""
import math
import pickle
import subprocess
import sys
from fractions import Fraction

import mxnet as mx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mxnet.base import c_str, py_str

from mxsched import (Clamp, Constant, CosineAnnealing, CyclicalSchedule, Delay, Envelope,
                     ExponentialDecay, InUnits, Join, LinearCoolDown, LinearWarmUp, LogWarmUp,
                     Noise, OneCycle, Product, Restarts, Scale, StepDecay, TriangularSchedule,
                     from_config)
from mxsched.base import MAX_DEPTH
from mxsched.checks import MAX_STEP


def as_mxnet_sends(obj):
    """``obj`` after the trip ``KVStore.set_optimizer`` makes it take to a server."""
    text = py_str(pickle.dumps(obj, 0))     # the worker: protocol 0, decoded as UTF-8
    return pickle.loads(c_str(text).value)  # the server's controller: a C string


def assert_crosses(sched, steps=np.arange(0, 3000, 7)):
    """The schedule, alone and inside an optimizer, survives the trip to a server."""
    back = as_mxnet_sends(sched)
    assert type(back) is type(sched) and repr(back) == repr(sched)
    assert back.values(steps).tolist() == sched.values(steps).tolist()
    opt = as_mxnet_sends(mx.optimizer.SGD(lr_scheduler=sched))
    assert repr(opt.lr_scheduler) == repr(sched)
    assert b"numpy" not in pickle.dumps(sched, 0)


def nested():
    """Three levels: warm-up over cool-down over warm restarts."""
    return LinearWarmUp(
        LinearCoolDown(
            CyclicalSchedule(CosineAnnealing, cycle_length=30, cycle_length_decay=2,
                             cycle_magnitude_decay=0.8, min_lr=0.001, max_lr=0.1),
            finish_lr=0.0005, start_idx=400, length=50),
        start_lr=0.0, length=20)


# --------------------------------------------------------------------------- nestings
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
    assert outer.schedule.max_lr == 0.25 and outer(5) == 0.25


def test_trainer_learning_rate_sets_the_peak_of_a_nesting(capsys):
    steps = np.arange(0, 700)
    sched = nested()
    expected = sched.values(steps) * 0.4 / 0.1
    opt = mx.optimizer.create("sgd", learning_rate=0.4, lr_scheduler=sched)
    assert "overwritten" in capsys.readouterr().out  # MXNet prints, it does not warn
    np.testing.assert_allclose(opt.lr_scheduler.values(steps), expected, rtol=1e-12)


def test_nesting_depth_has_a_clear_limit_and_wrappers_share_their_children():
    sched = Constant(0.1)
    for _ in range(MAX_DEPTH - 1):
        outer = Join([sched, Constant(0.05)], [5])
        # the child is a shallow copy sharing everything (no deep copy at every level,
        # which made building a deep nesting quadratic)
        child = outer.schedules[0]
        assert child is not sched and all(
            a is b for a, b in zip(vars(child).values(), vars(sched).values()))
        sched = outer
    assert sched._depth == MAX_DEPTH
    assert sched(10 ** 6) == 0.05 and sched.values(np.arange(20)).shape == (20,)
    assert repr(sched).count("Join") == MAX_DEPTH - 1
    with pytest.raises(ValueError, match=rf"schedules must be nested at most {MAX_DEPTH} "
                                         rf"levels deep, got {MAX_DEPTH + 1} levels in a Join"):
        Join([sched, Constant(0.05)], [5])
    cfg = {"class": "Constant", "config": {"lr": 0.1}}
    for _ in range(1000):
        cfg = {"class": "Delay", "config": {"schedule": cfg, "length": 1}}
    with pytest.raises(ValueError, match=rf"cfg must nest schedules at most {MAX_DEPTH} "
                                         r"levels deep"):
        from_config(cfg)


def test_deeply_nested_compositions_cross_to_a_server():
    sched = Constant(0.1)
    for i in range(MAX_DEPTH - 1):
        sched = (Join([sched, CosineAnnealing(0.0, 0.1, 10)], [i + 1]) if i % 2
                 else LinearWarmUp(sched, 0.0, 2))
    assert_crosses(sched, steps=np.arange(0, 400))
    assert len(pickle.dumps(sched, 0)) < 64 * 1024


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


# --------------------------------------------------------------------------- sensible rates
def test_log_warm_up_stays_between_its_two_ends_at_fractional_steps():
    up = LogWarmUp(Constant(1.0), start_lr=0.0, length=10)
    steps = np.linspace(0, 12, 1201)
    values = up.values(steps)
    assert values.max() == 1.0 and values.min() == 0.0
    assert InUnits(up, Fraction(1, 7))(9.5 * 7) == 1.0  # once 1.106, between steps 9 and 10
    down = LogWarmUp(Constant(0.001), start_lr=1.0, length=10)  # a ramp *down*
    values = down.values(steps)
    assert values.min() == pytest.approx(0.001) and values.min() >= 0.001
    assert down.base_lr == 1.0


@pytest.mark.parametrize("build,match", [
    (lambda: Envelope(Constant(0.1), Constant(3.0), min_lr=0.2),
     r"envelope must be a multiplier with values in \[0, 1\], got Constant\(lr=3.0\)"),
    (lambda: Restarts(CosineAnnealing(0.0, 0.1, 10), 10, cycle_magnitude_decay=3.0,
                      min_lr=0.05),
     r"cycle_magnitude_decay must be in \(0, 1\], got 3.0"),
    (lambda: CyclicalSchedule(CosineAnnealing, 10, cycle_magnitude_decay=1.1, min_lr=0.0,
                              max_lr=0.1),
     r"cycle_magnitude_decay must be in \(0, 1\], got 1.1"),
    (lambda: OneCycle(0.01, 0.1, 10, 5, finish_lr=1.0),
     r"finish_lr must be <= max_lr=0.1, got 1.0"),
    (lambda: Restarts(CosineAnnealing(0.0, 0.1, 10), 10, cycle_magnitude_decay=0.5,
                      magnitude_mode="peak", min_lr=0.2),
     r"min_lr must be <= the schedule's peak 0.1 in peak mode, got 0.2"),
    (lambda: Scale(Constant(1e300), 1e300), r"factor must keep the peak finite"),
])
def test_arguments_that_gave_senseless_rates_are_rejected_when_built(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_warm_up_and_cool_down_that_leave_the_peak_raise_base_lr_to_it():
    down = LinearWarmUp(Constant(0.1), start_lr=0.5, length=10)
    assert down.base_lr == 0.5 and down.values(range(20)).max() == 0.5
    up = LinearCoolDown(Constant(0.1), finish_lr=0.3, start_idx=5, length=5)
    assert up.base_lr == 0.3 and up.values(range(20)).max() == 0.3


def test_peak_mode_never_goes_below_zero_after_many_cycles():
    sched = Restarts(CosineAnnealing(0.0, 0.1, 7), 7, cycle_length_decay=1.3,
                     cycle_magnitude_decay=0.3, magnitude_mode="peak")
    values = sched.values(np.linspace(0, 5000, 200001))
    assert values.min() >= 0.0 and values.max() <= sched.base_lr


def test_the_peak_is_reached_exactly_not_one_unit_in_the_last_place_above():
    sched = TriangularSchedule(0.001, 0.01, 800)
    assert sched(400) == 0.01 == sched.base_lr
    assert sched.values([400.0]).tolist() == [0.01]


# --------------------------------------------------------------------------- single shapes
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


# --------------------------------------------------------------------------- parameter servers
@pytest.mark.parametrize("cycle_length", [1, 1000, 2350, 4096])
@pytest.mark.parametrize("decay", [1, 2, 0.5, 1.00002])
def test_cyclical_schedules_of_any_length_cross(cycle_length, decay):
    sched = CyclicalSchedule(CosineAnnealing, cycle_length=cycle_length,
                             cycle_length_decay=decay, min_lr=0.0, max_lr=0.1)
    assert_crosses(sched)
    assert len(pickle.dumps(sched, 0)) < 400  # no tables: 22.6 MB once, for 1.00002


def test_numpy_scalar_arguments_become_plain_python_values():
    sched = LinearWarmUp(
        CyclicalSchedule(CosineAnnealing, cycle_length=np.int64(7),
                         cycle_length_decay=np.float32(2.0),
                         cycle_magnitude_decay=np.float64(0.5), min_lr=np.float32(0.0),
                         max_lr=np.float64(0.1)),
        start_lr=np.float16(0.0), length=np.int32(3))
    assert_crosses(sched)
    inner = Join([Constant(np.float64(0.1)), StepDecay(np.float32(0.5), np.int64(3))],
                 [np.int16(4)])
    assert_crosses(inner)
    assert_crosses(InUnits.epochs(inner, batches_per_epoch=np.int64(235), accumulation=3))


# --------------------------------------------------------------------------- instances, numbers
C = Constant(0.1)

CLASS_INSTEAD_OF_INSTANCE = [
    (lambda: Scale(Constant, 0.5), "schedule"),
    (lambda: Delay(Constant, 1), "schedule"),
    (lambda: Noise(Constant), "schedule"),
    (lambda: InUnits(StepDecay, 3), "schedule"),
    (lambda: Product([C, Constant]), r"schedules\[1\]"),
    (lambda: Join([C, Constant], [3]), r"schedules\[1\]"),
    (lambda: LinearWarmUp(CosineAnnealing, 0.0, 3), "schedule"),
    (lambda: LinearCoolDown(Constant, 0.0, 3, 3), "schedule"),
    (lambda: Envelope(C, ExponentialDecay), "envelope"),
    (lambda: Restarts(CosineAnnealing, 10), "schedule"),
    (lambda: Clamp(StepDecay, 0.1), "schedule"),
]


@pytest.mark.parametrize("build,name", CLASS_INSTEAD_OF_INSTANCE)
def test_a_class_where_a_schedule_belongs_is_a_type_error_at_construction(build, name):
    with pytest.raises(TypeError, match=rf"{name} must be a schedule instance, not a class"):
        build()


def test_a_class_in_a_config_is_a_type_error_too():
    cfg = {"class": "Scale", "config": {"schedule": {"schedule_class": "Constant"},
                                        "factor": 0.5}}
    with pytest.raises(TypeError, match=r"schedule must be a schedule instance, not a class"):
        from_config(cfg)


def test_a_wrong_item_of_a_list_is_named_by_position():
    with pytest.raises(TypeError, match=r"schedules\[1\] must be a schedule, .* got 0.5"):
        Join([Constant(1.0), 0.5], [3])


def test_numpy_bools_are_bools_and_not_integers():
    assert ExponentialDecay(1.0, 1, 0.5, staircase=np.bool_(True)).staircase is True
    with pytest.raises(TypeError, match=r"length must be a positive integer, got True"):
        StepDecay(0.1, np.bool_(True))
    with pytest.raises(TypeError, match=r"lr must be a real number, got True"):
        Constant(np.bool_(True))


def test_lengths_past_2_to_the_53_are_rejected_when_built():
    assert MAX_STEP == 2 ** 53
    with pytest.raises(ValueError, match=r"cycle_length must be a positive integer <= "
                                         r"9007199254740992, got 18446744073709551616"):
        CosineAnnealing(0.0, 0.1, 2 ** 64)
    with pytest.raises(ValueError, match=r"length must be a positive integer <= "):
        StepDecay(0.1, 2 ** 60)
