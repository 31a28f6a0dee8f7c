"""Only learning rates that make sense: finite, non-negative, never above ``base_lr``.

Checked for every registered class and for random compositions, at integer and at
fractional steps, and for the arguments that once gave negative, overflowing or
out-of-range values (each is now rejected when the schedule is built, naming it).
"""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mxsched
from mxsched import (Clamp, Constant, ConstantWarmUp, CosineDecay, CosineWarmUp,
                     CyclicalSchedule, CosineAnnealing, Delay, Envelope, ExponentialDecay,
                     Hold, InUnits, Join, LinearCoolDown, LinearSchedule, LinearWarmUp,
                     LogWarmUp, Noise, OneCycle, Product, Restarts, Scale, StepDecay,
                     TriangularSchedule)
from mxsched.config import registered

INTEGER_STEPS = np.arange(0, 2001, dtype=np.float64)
FRACTIONAL_STEPS = np.random.RandomState(0).uniform(0, 2000, 3000)
# far steps; past 2**53 a CyclicalSchedule of growing cycles refuses (documented), and a
# unit conversion can multiply steps, so the random compositions stop at 1e12
FAR = np.array([1e4, 1e5, 1e6, 1e9, 1e12])


def assert_sensible(sched, steps=None):
    steps = np.concatenate([INTEGER_STEPS, FRACTIONAL_STEPS, FAR]) if steps is None else steps
    peak = sched.base_lr
    values = sched.values(steps)
    assert np.all(np.isfinite(values)), f"{sched!r}: non-finite values"
    assert values.min() >= 0, f"{sched!r}: {values.min()!r} at t={steps[values.argmin()]}"
    assert values.max() <= peak, \
        f"{sched!r}: {values.max()!r} > base_lr {peak!r} at t={steps[values.argmax()]}"
    for t in steps[::37]:
        assert 0 <= sched(float(t)) <= peak


@pytest.mark.parametrize("name", sorted(registered()))
def test_every_class_stays_within_zero_and_base_lr(name):
    sched = registered()[name].example()
    # an InOrderSchedule replays a stateful scheduler and stops at MAX_REPLAY updates
    steps = (np.concatenate([INTEGER_STEPS, FRACTIONAL_STEPS[:200]])
             if name == "InOrderSchedule" else None)
    assert_sensible(sched, steps)
    sched.base_lr = 3.7  # and after rescaling
    assert_sensible(sched, steps)


LEAVES = [
    lambda lr: Constant(lr),
    lambda lr: StepDecay(lr, 13, 0.5),
    lambda lr: CosineDecay(lr, 97, lr / 20),
    lambda lr: LinearSchedule(lr, lr / 7, 50),
    lambda lr: TriangularSchedule(lr / 10, lr, 40, 0.3),
    lambda lr: CyclicalSchedule(CosineAnnealing, 11, 1.7, 0.8, min_lr=lr / 50, max_lr=lr),
    lambda lr: OneCycle(lr / 25, lr, 60, 20, lr / 1000),
]

lrs = st.floats(1e-4, 10.0)
lengths = st.integers(1, 120)
fractions_ = st.floats(0.0, 1.0)


def leaves():
    return st.builds(lambda make, lr: make(lr), st.sampled_from(LEAVES), lrs)


def wrap(children):
    return st.one_of(
        st.builds(LinearWarmUp, children, lrs, lengths),
        st.builds(ConstantWarmUp, children, lrs, lengths),
        st.builds(CosineWarmUp, children, lrs, lengths),
        st.builds(LogWarmUp, children, lrs, st.integers(2, 120)),
        st.builds(Hold, children, lengths),
        st.builds(Delay, children, st.integers(0, 50)),
        st.builds(Scale, children, st.floats(0.0, 5.0)),
        st.builds(lambda s, lo, hi: Clamp(s, lo, lo + hi), children, lrs, lrs),
        st.builds(lambda s, pct, seed: Noise(s, noise_pct=pct, noise_seed=seed), children,
                  st.floats(0.01, 1.0), st.integers(0, 2 ** 32)),
        st.builds(lambda s, a, b, stepwise: InUnits(s, Fraction(a, b), stepwise=stepwise),
                  children, st.integers(1, 300), st.integers(1, 9), st.booleans()),
        st.builds(lambda s, p, m, d, mode, floor: Restarts(s, p, m, d, mode,
                                                           floor=None if mode == "peak"
                                                           else floor),
                  children, lengths, st.floats(1.0, 3.0), st.floats(0.05, 1.0),
                  st.sampled_from(["height", "peak"]), lrs),
        st.builds(LinearCoolDown, children, lrs, st.integers(0, 200), st.integers(0, 200)),
        st.builds(lambda s, rate, floor: Envelope(s, ExponentialDecay(1.0, rate, 30), floor),
                  children, st.floats(0.05, 1.0), lrs),
        st.builds(lambda a, b, at: Join([a, b], [at]), children, children, lengths),
        st.builds(lambda a, b: Product([a, Scale(b, 1.0 / b.base_lr)]) if b.base_lr > 0 else a,
                  children, children),
    )


compositions = st.recursive(leaves(), wrap, max_leaves=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compositions)
def test_random_compositions_stay_within_zero_and_base_lr(sched):
    steps = np.concatenate([INTEGER_STEPS[:600], FRACTIONAL_STEPS[:600], FAR])
    assert_sensible(sched, steps)


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
    (lambda: Envelope(Constant(0.1), Constant(3.0), floor=0.2),
     r"envelope must be a multiplier with values in \[0, 1\], got Constant\(lr=3.0\)"),
    (lambda: Restarts(CosineDecay(0.1, 10), 10, decay=3.0, floor=0.05),
     r"decay must be in \(0, 1\], got 3.0"),
    (lambda: CyclicalSchedule(CosineAnnealing, 10, cycle_magnitude_decay=1.1, min_lr=0.0,
                              max_lr=0.1),
     r"cycle_magnitude_decay must be in \(0, 1\], got 1.1"),
    (lambda: OneCycle(0.01, 0.1, 10, 5, finish_lr=1.0),
     r"finish_lr must be <= max_lr=0.1, got 1.0"),
    (lambda: Restarts(CosineDecay(0.1, 10), 10, decay=0.5, decay_mode="peak", floor=0.2),
     r"floor must be <= the schedule's peak 0.1 in peak mode, got 0.2"),
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
    sched = Restarts(CosineDecay(0.1, 7), 7, period_mult=1.3, decay=0.3, decay_mode="peak")
    values = sched.values(np.linspace(0, 5000, 200001))
    assert values.min() >= 0.0 and values.max() <= sched.base_lr


def test_the_peak_is_reached_exactly_not_one_unit_in_the_last_place_above():
    sched = TriangularSchedule(0.001, 0.01, 800)
    assert sched(400) == 0.01 == sched.base_lr
    assert sched.values([400.0]).tolist() == [0.01]
