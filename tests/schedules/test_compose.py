"""Composition (Join, Scale, Product, Clamp, Delay, Envelope), noise, nesting, and seeing a
schedule (describe, plot)."""
import math

import numpy as np
import pytest

from conftest import assert_lrs
from mxsched import (Clamp, Constant, CosineAnnealing, CosineWarmUp, CyclicalSchedule, Delay,
                     Envelope, ExponentialDecay, InUnits, Join, LinearCoolDown, LinearSchedule,
                     LinearWarmUp, Noise, Product, Restarts, Scale, StepDecay,
                     WarmupStableDecay, describe, plot)
from mxsched.noise import norm_ppf, norm_ppf_array


# ----------------------------------------------------------------- join and friends
def test_join_children_see_local_steps_like_optax():
    a, b, c = LinearSchedule(0.0, 1.0, 4), CosineAnnealing(0.0, 1.0, 6), Constant(0.05)
    s = Join([a, b, c], [4, 10])
    expected = [a(t) for t in range(4)] + [b(t - 4) for t in range(4, 10)] + [0.05] * 5
    np.testing.assert_allclose([s(t) for t in range(15)], expected, rtol=1e-12)
    assert s.base_lr == 1.0


def test_join_never_touches_its_children():
    child = CosineAnnealing(0.0, 1.0, 6)
    s = Join([child, Constant(0.1)], [6])
    s.base_lr = 0.5
    assert child.max_lr == 1.0 and s.schedules[0] is not child


def test_everything_composes_with_everything():
    inner = Restarts(CosineWarmUp(CosineAnnealing(0.001, 0.1, 20), 0.0, 4), 24,
                     cycle_magnitude_decay=0.5)
    s = Product([Clamp(Join([Delay(inner, 5), Scale(Constant(0.02), 0.5)], [200]),
                       min_lr=0.002),
                 Envelope(Constant(1.0), ExponentialDecay(1.0, 1, 0.999))])
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


def test_delay_holds_the_first_value_then_shifts():
    inner = CosineAnnealing(0.0, 1.0, 4)
    s = Delay(inner, 3)
    assert_lrs(s, [1.0] * 4 + [inner(t) for t in range(1, 6)])
    assert_lrs(Delay(inner, 0), inner.values(range(8)))


def test_envelope_scales_the_height_above_min_lr():
    s = Envelope(LinearSchedule(1.0, 0.2, 4), ExponentialDecay(1.0, 1, 0.5), min_lr=0.2)
    assert_lrs(s, [0.2 + (1.0 - 0.2 * t - 0.2) * 0.5 ** t for t in range(5)])


def test_nested_wrappers():
    s = LinearWarmUp(
        LinearCoolDown(
            CyclicalSchedule(CosineAnnealing, cycle_length=5, cycle_magnitude_decay=0.9,
                             min_lr=0.01, max_lr=0.1),
            finish_lr=0.0, start_idx=20, length=5),
        start_lr=0.0, length=3)
    assert s(0) == 0.0 and s(3) == pytest.approx(0.1)
    assert s(3 + 5) == pytest.approx(0.1 * 0.9)  # second cycle's start
    assert s(3 + 25) == 0.0 and s(10 ** 9) == 0.0


# ----------------------------------------------------------------- noise
def test_noise_is_seeded_deterministic_and_bounded():
    s = Noise(Constant(1.0), pct=0.2, std=0.1, seed=7)
    vals = s.values(np.arange(20000))
    assert np.array_equal(vals, Noise(Constant(1.0), 0.2, 0.1, seed=7).values(
        np.arange(20000)))
    assert not np.array_equal(vals, Noise(Constant(1.0), 0.2, 0.1, seed=8).values(
        np.arange(20000)))
    noise = vals - 1.0
    assert np.all(np.abs(noise) <= 0.2)
    assert abs(noise.mean()) < 0.005 and 0.08 < noise.std() < 0.1  # truncated at 2 sigma
    assert s(3.7) == s(3)  # constant within a step


def test_uniform_noise_and_range():
    s = Noise(Constant(1.0), pct=0.5, distribution="uniform", start=10, end=20)
    vals = s.values(np.arange(30))
    assert np.all(vals[:10] == 1.0) and np.all(vals[20:] == 1.0)
    assert not np.any(vals[10:20] == 1.0)
    u = Noise(Constant(1.0), 0.5, distribution="uniform").values(np.arange(50000)) - 1
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
    s = WarmupStableDecay(0.01, 0.1, 10, 20, 30)
    text = describe(s, 100)
    assert text.splitlines() == [
        "phase    steps      lr start -> end",
        "warm-up  0 - 10     0.0100 -> 0.1000",
        "stable   10 - 30    0.1000 -> 0.1000",
        "decay    30 - 60    0.1000 -> 0.0100",
        "floor    60 - 100   0.0100 -> 0.0100"]
    assert "cycle 2" in describe(Restarts(CosineAnnealing(0.0, 0.1, 10), 10, 2.0), 100)


def test_plot_draws_curve_and_boundaries():
    import matplotlib
    matplotlib.use("Agg")
    sched = WarmupStableDecay(0.001, 0.1, 30, 40, 30)  # phases start at 0, 30, 70, 100
    ax = plot(sched, 120, label="wsd")
    assert len(ax.lines) == 1 + 3  # curve, three boundaries after t = 0
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sched.values(range(121)))


def test_join_with_global_steps_replaces_pieces():
    curve = LinearSchedule(1.0, 0.0, 4)
    s = Join([Constant(0.5), curve], boundaries=[2], local=False)
    assert_lrs(s, [0.5, 0.5, 0.5, 0.25, 0.0, 0.0])
    local = Join([Constant(0.5), curve], boundaries=[2])
    assert_lrs(local, [0.5, 0.5, 1.0, 0.75, 0.5, 0.25])
    assert [p.name for p in s.phases(6)] == ["Constant", "LinearSchedule"]
