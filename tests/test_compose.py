"""Composition, units, noise, plotting, and bad arguments of every zoo class."""
import math

import numpy as np
import pytest

from mxsched import (Clamp, Constant, ConstantWarmUp, CosineDecay, CosineWarmUp, Delay,
                     Envelope, EpochStepWarmUp, ExponentialDecay, Hold, InUnits,
                     InverseSqrtDecay, Join, KerasCosineDecay, LinearSchedule, LogWarmUp,
                     MultiStepDecay, Noise, PolynomialDecay, Product, Restarts, Scale,
                     StepDecay, TanhDecay, TorchOneCycle, WarmupHoldCosine, WarmupStableDecay,
                     describe, plot)
from mxsched.noise import norm_ppf, norm_ppf_array


# ----------------------------------------------------------------- join and friends
def test_join_children_see_local_steps_like_optax():
    a, b, c = LinearSchedule(0.0, 1.0, 4), CosineDecay(1.0, 6), Constant(0.05)
    s = Join([a, b, c], [4, 10])
    expected = [a(t) for t in range(4)] + [b(t - 4) for t in range(4, 10)] + [0.05] * 5
    np.testing.assert_allclose([s(t) for t in range(15)], expected, rtol=1e-12)
    assert s.base_lr == 1.0


def test_join_never_touches_its_children():
    child = CosineDecay(1.0, 6)
    s = Join([child, Constant(0.1)], [6])
    s.base_lr = 0.5
    assert child.lr == 1.0 and s.schedules[0] is not child


def test_everything_composes_with_everything():
    inner = Restarts(CosineWarmUp(CosineDecay(0.1, 20, 0.001), 0.0, 4), 24, decay=0.5)
    s = Product([Clamp(Join([Hold(inner, 5), Scale(Constant(0.02), 0.5)], [200]),
                       min_lr=0.002), Envelope(Constant(1.0), ExponentialDecay(1.0, 0.999))])
    s = InUnits(Delay(s, 1), 1.0)
    assert s(1) == pytest.approx(0.0 + 0.002)  # clamped warm-up start, envelope 1
    assert s.values(range(300)).max() <= 0.1 + 1e-12


def test_product_scale_clamp_tables():
    s = Product([Constant(0.5), LinearSchedule(1.0, 0.0, 4)])
    assert [s(t) for t in range(6)] == [0.5, 0.375, 0.25, 0.125, 0.0, 0.0]
    assert Scale(StepDecay(1.0, 2, 0.5), 0.1).values(range(5)).tolist() == \
        pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    s = Clamp(StepDecay(1.0, 1, 0.5), min_lr=0.2, max_lr=0.6)
    assert [s(t) for t in range(5)] == [0.6, 0.5, 0.25, 0.2, 0.2]


# ----------------------------------------------------------------- units
def test_epoch_schedule_fed_update_counts_is_the_classic_bug():
    per_epoch = MultiStepDecay(0.1, milestones=[30, 60], gamma=0.1)  # "decay at epoch 30"
    updates_per_epoch = 500
    assert per_epoch(31) == pytest.approx(0.01)  # fed update 31: decayed after 31 updates!
    s = InUnits(per_epoch, updates_per_epoch, stepwise=True)
    assert s(30 * 500) == 0.1            # last update of epoch 29
    assert s(30 * 500 + 1) == pytest.approx(0.01)  # first update of epoch 30
    assert s(60 * 500 + 1) == pytest.approx(0.001)


def test_gradient_accumulation_divides_updates_per_epoch():
    s = InUnits.epochs(CosineDecay(0.1, 10), batches_per_epoch=1000, accumulation=4)
    assert s.updates_per_unit == 250
    assert s(250 * 5) == pytest.approx(CosineDecay(0.1, 10)(5))
    assert s(250 * 10) == 0.0


def test_continuous_and_stepwise_positions():
    s = InUnits(LinearSchedule(1.0, 0.0, 4), updates_per_unit=2)
    assert [s(t) for t in range(5)] == [1.0, 0.875, 0.75, 0.625, 0.5]
    s = InUnits(LinearSchedule(1.0, 0.0, 4), updates_per_unit=2, stepwise=True)
    assert [s(t) for t in range(7)] == [1.0, 1.0, 1.0, 0.75, 0.75, 0.5, 0.5]


def test_percent_of_training():
    s = InUnits.percent(Join([LinearSchedule(0.0, 1.0, 10), CosineDecay(1.0, 90)], [10]), 1000)
    assert s(100) == 1.0 and s(0) == 0.0 and s(1000) == pytest.approx(0.0, abs=1e-15)
    assert s.phases(1000)[1].start == 100


# ----------------------------------------------------------------- noise
def test_noise_is_seeded_deterministic_and_bounded():
    s = Noise(Constant(1.0), noise_range_t=0, noise_pct=0.2, noise_std=0.1, noise_seed=7)
    vals = s.values(np.arange(20000))
    assert np.array_equal(vals, Noise(Constant(1.0), 0, 0.2, 0.1, noise_seed=7).values(
        np.arange(20000)))
    assert not np.array_equal(vals, Noise(Constant(1.0), 0, 0.2, 0.1, noise_seed=8).values(
        np.arange(20000)))
    noise = vals - 1.0
    assert np.all(np.abs(noise) <= 0.2)
    assert abs(noise.mean()) < 0.005 and 0.08 < noise.std() < 0.1  # truncated at 2 sigma
    assert s(3.7) == s(3)  # constant within a step


def test_uniform_noise_and_range():
    s = Noise(Constant(1.0), noise_range_t=[10, 20], noise_pct=0.5, noise_type="uniform")
    vals = s.values(np.arange(30))
    assert np.all(vals[:10] == 1.0) and np.all(vals[20:] == 1.0)
    u = Noise(Constant(1.0), 0, 0.5, noise_type="uniform").values(np.arange(50000)) - 1
    assert u.min() >= -0.5 and u.max() < 0.5 and abs(u.std() - 0.5 / math.sqrt(3)) < 0.005


def test_inverse_normal_cdf():
    for p in (1e-9, 0.001, 0.02, 0.3, 0.5, 0.9, 0.99, 1 - 1e-7):
        x = norm_ppf(p)
        assert 0.5 * (1 + math.erf(x / math.sqrt(2))) == pytest.approx(p, rel=1e-7)
    ps = np.array([1e-9, 0.02, 0.5, 0.98, 1 - 1e-9])
    np.testing.assert_allclose(norm_ppf_array(ps.copy()), [norm_ppf(p) for p in ps],
                               rtol=1e-14)


# ----------------------------------------------------------------- seeing a schedule
def test_describe_lists_phases_with_ranges_and_values():
    s = WarmupStableDecay(0.1, 10, 20, 30, min_lr_ratio=0.1)
    text = describe(s, 100)
    assert text.splitlines() == [
        "phase           steps            lr start -> end",
        "warm-up         0 - 10           0.0100 -> 0.1000",
        "stable          10 - 30          0.1000 -> 0.1000",
        "decay           30 - 60          0.1000 -> 0.0100",
        "floor           60 - 100         0.0100 -> 0.0100"]
    assert "cycle 2" in describe(Restarts(CosineDecay(0.1, 10), 10, 2.0), 100)


def test_plot_draws_curve_and_boundaries():
    import matplotlib
    matplotlib.use("Agg")
    ax = plot(TorchOneCycle(0.1, 100, three_phase=True), 120, label="1cycle")
    assert len(ax.lines) == 1 + 3  # curve, three boundaries after t = 0
    np.testing.assert_allclose(ax.lines[0].get_ydata(),
                               TorchOneCycle(0.1, 100, three_phase=True).values(range(121)))


# ----------------------------------------------------------------- bad arguments
C = Constant(0.1)
BAD = [
    (lambda: Constant(-1), ValueError, r"lr must be a finite, non-negative learning rate, got -1"),
    (lambda: StepDecay(0.1, 0), ValueError, r"step_size must be a positive integer, got 0"),
    (lambda: StepDecay(0.1, 3, gamma=1.5), ValueError, r"gamma must be in \(0, 1\], got 1.5"),
    (lambda: MultiStepDecay(0.1, [5, 3]), ValueError,
     r"milestones must be increasing, got \[5, 3\] \(milestones\[1\] = 3 <= 5\)"),
    (lambda: MultiStepDecay(0.1, 5), TypeError, r"milestones must be a list"),
    (lambda: ExponentialDecay(0.1, 0.0), ValueError, r"decay_rate must be a finite number > 0"),
    (lambda: ExponentialDecay(0.1, 0.9, staircase=1), TypeError,
     r"staircase must be True or False, got 1"),
    (lambda: PolynomialDecay(0.1, 10, end_lr=0.2), ValueError,
     r"end_lr must be <= lr=0.1, got 0.2"),
    (lambda: PolynomialDecay(0.1, 10, power=0), ValueError, r"power must be a finite number > 0"),
    (lambda: LinearSchedule(0.1, 0.0, 0), ValueError, r"length must be a positive integer"),
    (lambda: InverseSqrtDecay(0.1, timescale=0), ValueError, r"timescale must be a finite number"),
    (lambda: CosineDecay(0.1, 10, min_lr=0.5), ValueError, r"min_lr must be <= lr=0.1, got 0.5"),
    (lambda: CosineDecay(0.1, 10, exponent=-1), ValueError, r"exponent must be a finite number"),
    (lambda: TanhDecay(0.1, 10, lb=3, ub=3), ValueError, r"ub must be > lb=3.0, got 3"),
    (lambda: ConstantWarmUp(C, -0.1, 3), ValueError, r"start_lr must be a finite, non-negative"),
    (lambda: LogWarmUp(C, 0.0, 1), ValueError, r"length must be an integer >= 2, got 1"),
    (lambda: CosineWarmUp(C, 0.0, 0), ValueError, r"length must be a positive integer, got 0"),
    (lambda: CosineWarmUp("x", 0.0, 3), TypeError, r"schedule must be a schedule"),
    (lambda: EpochStepWarmUp(C, 0, 10), ValueError, r"epochs must be a positive integer, got 0"),
    (lambda: EpochStepWarmUp(C, 3, 0), ValueError, r"updates_per_epoch must be a finite number"),
    (lambda: Hold(C, 0), ValueError, r"length must be a positive integer, got 0"),
    (lambda: WarmupStableDecay(0.1, 1, 1, 1, warmup_type="exp"), ValueError,
     r"warmup_type must be one of 'linear', 'cosine', '1-sqrt', got 'exp'"),
    (lambda: WarmupStableDecay(0.1, 1, 1, 1, min_lr_ratio=2), ValueError,
     r"min_lr_ratio must be in \[0, 1\], got 2"),
    (lambda: WarmupStableDecay(0.1, -1, 1, 1), ValueError,
     r"warmup_steps must be a non-negative integer, got -1"),
    (lambda: WarmupHoldCosine(0.0, 0.1, 10, 5, 5), ValueError,
     r"total_steps must be > warmup_steps \+ hold_steps = 10, got 10"),
    (lambda: WarmupHoldCosine(0.2, 0.1, 10, 5), ValueError,
     r"peak_lr must be >= start_lr=0.2, got 0.1"),
    (lambda: KerasCosineDecay(0.1, 10, warmup_steps=5), ValueError,
     r"warmup_target must be given when warmup_steps > 0"),
    (lambda: KerasCosineDecay(0.1, 10, warmup_target=0.2), ValueError,
     r"warmup_steps must be >= 1 when warmup_target is given, got 0"),
    (lambda: KerasCosineDecay(0.1, 10, alpha=1.5), ValueError, r"alpha must be in \[0, 1\]"),
    (lambda: TorchOneCycle(0.1, 0), ValueError, r"total_steps must be an integer >= 2, got 0"),
    (lambda: TorchOneCycle(0.1, 10, pct_start=0.05), ValueError,
     r"pct_start must leave every phase non-empty .* got 0.05"),
    (lambda: TorchOneCycle(0.1, 10, pct_start=1.0), ValueError,
     r"pct_start must be in \(0, 1\), got 1.0"),
    (lambda: TorchOneCycle(0.1, 10, anneal_strategy="cosine"), ValueError,
     r"anneal_strategy must be one of 'cos', 'linear', got 'cosine'"),
    (lambda: TorchOneCycle(0.1, 10, div_factor=0.5), ValueError,
     r"div_factor must be >= 1, got 0.5"),
    (lambda: TorchOneCycle(0.1, 10, pct_start=0.6, three_phase=True), ValueError,
     r"pct_start must leave every phase non-empty"),
    (lambda: Restarts(C, 0), ValueError, r"period must be a positive integer, got 0"),
    (lambda: Restarts(C, 5, period_mult=0.5), ValueError, r"period_mult must be >= 1, got 0.5"),
    (lambda: Restarts(C, 5, decay=0), ValueError, r"decay must be a finite number > 0, got 0"),
    (lambda: Restarts(C, 5, decay_mode="max"), ValueError,
     r"decay_mode must be one of 'height', 'peak', got 'max'"),
    (lambda: Restarts(C, 5, cycle_limit=0), ValueError,
     r"cycle_limit must be a positive integer, got 0"),
    (lambda: Restarts(C, 5, k_decay=-1), ValueError, r"k_decay must be a finite number > 0"),
    (lambda: Join([C, C], [5, 6]), ValueError,
     r"boundaries must have len\(schedules\) - 1 = 1 entries, got \[5, 6\]"),
    (lambda: Join([C, C, C], [6, 5]), ValueError, r"boundaries must be increasing, got \[6, 5\]"),
    (lambda: Join([C, C], [0]), ValueError, r"boundaries\[0\] must be a positive integer, got 0"),
    (lambda: Join([], []), ValueError, r"schedules must be a non-empty list of schedules"),
    (lambda: Join(C, [1]), TypeError, r"schedules must be a list of schedules"),
    (lambda: Scale(C, -2), ValueError, r"factor must be a finite, non-negative"),
    (lambda: Product([C, 3]), TypeError, r"schedules\[1\] must be a schedule, an mx.lr_scheduler.LRScheduler or a callable of t, got 3"),
    (lambda: Clamp(C, 0.5, 0.1), ValueError, r"max_lr must be >= min_lr=0.5, got 0.1"),
    (lambda: Delay(C, -1), ValueError, r"steps must be a non-negative integer, got -1"),
    (lambda: Envelope(C, "e"), TypeError, r"envelope must be a schedule"),
    (lambda: InUnits(C, 0), ValueError, r"updates_per_unit must be a finite number > 0, got 0"),
    (lambda: InUnits(C, 5, stepwise="yes"), TypeError, r"stepwise must be True or False"),
    (lambda: InUnits.epochs(C, 100, accumulation=0), ValueError,
     r"accumulation must be a positive integer, got 0"),
    (lambda: Noise(C, noise_pct=0), ValueError, r"noise_pct must be in \(0, 1\], got 0"),
    (lambda: Noise(C, noise_range_t=[5, 5]), ValueError,
     r"noise_range_t must have end > start, got \[5, 5\]"),
    (lambda: Noise(C, noise_type="gauss"), ValueError,
     r"noise_type must be one of 'normal', 'uniform', got 'gauss'"),
    (lambda: Noise(C, noise_std=0), ValueError, r"noise_std must be a finite number > 0, got 0"),
    (lambda: Noise(C, noise_seed=-1), ValueError, r"noise_seed must be a non-negative integer"),
]


@pytest.mark.parametrize("build,exc,match", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_arguments_are_rejected_at_construction(build, exc, match):
    with pytest.raises(exc, match=match):
        build()
