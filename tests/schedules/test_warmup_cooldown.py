"""Warm-ups, cool-downs, warmup-stable-decay and the 1-cycle policy: tables and cross-checks.

The references below are independent re-implementations of the formulas / source of
Hugging Face, DeepSpeed and SuperGradients (none of them is a dependency).
"""
import math

import numpy as np
import pytest

from conftest import assert_lrs
from mxsched import (Constant, ConstantWarmUp, CosineAnnealing, CosineWarmUp, Delay, EpochStepWarmUp,
                     InverseSqrtDecay, LinearCoolDown, LinearWarmUp, LogWarmUp, OneCycle,
                     OneCycleSchedule, TriangularSchedule, WarmupStableDecay)


# ----------------------------------------------------------------- warm-ups
def test_linear_warm_up_table_shifts_the_wrapped_schedule():
    inner = CosineAnnealing(0.0, 1.0, cycle_length=4)
    s = LinearWarmUp(inner, start_lr=0.2, length=4)
    warm = [0.2 + 0.8 * t / 4 for t in range(5)]
    after = [inner(t - 4) for t in range(5, 12)]
    assert_lrs(s, warm + after)
    assert s(5) == inner(1)  # shifted, not cut


def test_a_warm_up_may_ramp_down_to_the_schedule():
    """``start_lr`` above the schedule's first value is a ramp down; ``base_lr`` is the
    larger of the two."""
    s = LinearWarmUp(CosineAnnealing(0.0, 0.1, 5), start_lr=0.2, length=5)
    assert_lrs(s, [0.2 - 0.1 * t / 5 for t in range(6)])
    assert s.base_lr == 0.2


def test_cosine_warm_up_table():
    s = CosineWarmUp(CosineAnnealing(0.0, 1.0, 4), 0.2, 4)
    warm = [0.2 + 0.8 * (1 - math.cos(math.pi * t / 4)) / 2 for t in range(4)]
    assert_lrs(s, warm + [CosineAnnealing(0.0, 1.0, 4)(t) for t in range(6)])


@pytest.mark.parametrize("lo,hi,w", [(0.0, 0.001, 1000), (1e-5, 0.01, 10), (0.1, 0.2, 2)])
def test_log_warm_up_equals_deepspeed_warmup_lr(lo, hi, w):
    def deepspeed(step):  # WarmupLR(warmup_type='log'): min + (max - min) * gamma
        gamma = (1.0 / math.log(w)) * math.log(step + 1) if step < w else 1.0
        return lo + (hi - lo) * gamma
    assert_lrs(LogWarmUp(Constant(hi), lo, w), [deepspeed(t) for t in range(w + 50)])


@pytest.mark.parametrize("initial_lr,epochs,per_epoch,start", [(0.1, 5, 10, None),
                                                               (0.4, 3, 7, 0.01),
                                                               (1.0, 1, 4, None)])
def test_epoch_step_warm_up_equals_super_gradients(initial_lr, epochs, per_epoch, start):
    warmup_initial = start or initial_lr / (epochs + 1)  # SG's default
    step = (initial_lr - warmup_initial) / epochs
    s = EpochStepWarmUp(Constant(initial_lr), epochs, per_epoch, start_lr=start)
    for epoch in range(epochs):
        want = warmup_initial + epoch * step  # perform_scheduling at each epoch start
        for t in range(epoch * per_epoch + 1, (epoch + 1) * per_epoch + 1):
            assert s(t) == pytest.approx(want, rel=1e-12), f"epoch {epoch}, update {t}"
    assert s(epochs * per_epoch + 1) == initial_lr


# ----------------------------------------------------------------- warm-up, hold, decay
def test_warm_up_hold_cosine_table():
    """Warm-up 0.01 -> 1.0 over 5, hold 3, cosine to 0.05 over the 12 left of 20."""
    total, warmup, hold = 20, 5, 3
    s = LinearWarmUp(Delay(CosineAnnealing(0.05, 1.0, total - warmup - hold), hold),
                     0.01, warmup)
    warm = [0.01 + 0.99 * t / 5 for t in range(6)]
    held = [1.0] * 3
    decay = [0.05 + 0.95 * (1 + math.cos(math.pi * (t - 8) / 12)) / 2 for t in range(9, 21)]
    assert_lrs(s, warm + held + decay + [0.05] * 10)


def hf_inverse_sqrt(step, w, timescale=None):
    timescale = w if timescale is None else timescale
    if step < w:
        return float(step) / float(max(1, w))
    shift = timescale - w
    return 1.0 / math.sqrt((step + shift) / timescale)


@pytest.mark.parametrize("w,timescale", [(10, None), (4, 100), (25, 7)])
def test_inverse_sqrt_with_warm_up_equals_hugging_face(w, timescale):
    s = LinearWarmUp(InverseSqrtDecay(0.5, length=timescale or w), 0.0, w)
    assert_lrs(s, [0.5 * hf_inverse_sqrt(t, w, timescale) for t in range(300)])


def test_noam_is_a_warm_up_before_an_inverse_sqrt():
    """The Transformer's ``d ** -0.5 * min(t ** -0.5, t * W ** -1.5)``."""
    d_model, w = 512, 40
    noam = LinearWarmUp(InverseSqrtDecay((d_model * w) ** -0.5, length=w), 0.0, w)
    expected = [d_model ** -0.5 * min(t ** -0.5, t * w ** -1.5) for t in range(1, 300)]
    assert_lrs(noam, expected, steps=range(1, 300))


# ----------------------------------------------------------------- cool-downs
def test_linear_cool_down_table():
    inner = TriangularSchedule(0.0, 1.0, cycle_length=10)
    s = LinearCoolDown(inner, finish_lr=0.1, start_idx=7, length=3)
    start = inner(7)  # 0.6
    expected = [inner(t) for t in range(8)] \
        + [start + (0.1 - start) * k / 3 for k in (1, 2, 3)] + [0.1] * 4
    assert_lrs(s, expected)


def test_linear_cool_down_length_zero_is_an_instant_drop():
    s = LinearCoolDown(CosineAnnealing(0.0, 1.0, 100), finish_lr=0.0, start_idx=5, length=0)
    assert s(5) == CosineAnnealing(0.0, 1.0, 100)(5)
    assert_lrs(s, [0.0] * 5, steps=range(6, 11))


def hf_wsd(step, w, s, d, warmup_type, decay_type, r, num_cycles=0.5):
    """Hugging Face ``get_wsd_schedule``'s multiplier at ``step``."""
    if step < w:
        p = float(step) / float(max(1, w))
        factor = {"linear": p, "cosine": 0.5 * (1.0 - math.cos(math.pi * p)),
                  "1-sqrt": 1.0 - math.sqrt(1.0 - p)}[warmup_type]
        return max(0.0, factor * (1.0 - r) + r)
    if step < w + s:
        return 1.0
    if step < w + s + d:
        p = float(step - w - s) / float(max(1, d))
        factor = {"linear": 1.0 - p,
                  "cosine": 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * p)),
                  "1-sqrt": 1.0 - math.sqrt(p)}[decay_type]
        return max(0.0, factor * (1.0 - r) + r)
    return r


@pytest.mark.parametrize("w,s,d,wt,dt,r", [
    (10, 20, 30, "linear", "cosine", 0.0), (5, 0, 12, "cosine", "linear", 0.1),
    (7, 3, 9, "1-sqrt", "1-sqrt", 0.05), (0, 10, 10, "linear", "1-sqrt", 0.0),
    (4, 4, 0, "linear", "cosine", 0.2)])
def test_warmup_stable_decay_equals_hugging_face(w, s, d, wt, dt, r):
    sched = WarmupStableDecay(r * 0.3, 0.3, w, s, d, warmup_shape=wt, decay_shape=dt)
    assert_lrs(sched, [0.3 * hf_wsd(t, w, s, d, wt, dt, r) for t in range(w + s + d + 10)])


# ----------------------------------------------------------------- the 1-cycle policy
def test_one_cycle_table():
    s = OneCycle(start_lr=0.1, max_lr=1.0, cycle_length=8, cooldown_length=4, finish_lr=0.01)
    tri = [0.1 + 0.9 * t / 4 for t in range(5)] + [0.1 + 0.9 * (8 - t) / 4 for t in range(5, 9)]
    cool = [0.1 + (0.01 - 0.1) * k / 4 for k in (1, 2, 3, 4)]
    assert_lrs(s, tri + cool + [0.01] * 3)
    assert OneCycleSchedule is OneCycle


def test_one_cycle_without_cool_down_stays_at_start_lr():
    s = OneCycle(0.1, 1.0, cycle_length=4)
    assert_lrs(s, [0.1, 0.55, 1.0, 0.55, 0.1, 0.1, 0.1])


def test_one_cycle_is_triangle_then_cool_down():
    s = OneCycle(0.1, 1.0, 10, cooldown_length=5, finish_lr=0.0)
    ref = LinearCoolDown(TriangularSchedule(0.1, 1.0, 10), 0.0, start_idx=10, length=5)
    steps = np.arange(30)
    np.testing.assert_allclose(s.values(steps), ref.values(steps), rtol=0, atol=0)


def test_a_warm_up_without_shift_replaces_the_first_steps():
    inner = CosineAnnealing(0.0, 1.0, 10)
    s = LinearWarmUp(inner, start_lr=0.0, length=4, shift=False)
    assert_lrs(s, [0.0, 0.25, 0.5, 0.75] + [inner(t) for t in range(4, 14)])
    assert s.phases(14)[0] == ("warm-up", 0, 4) and s.phases(14)[1].start == 4
    for cls in (ConstantWarmUp, CosineWarmUp):
        w = cls(inner, start_lr=0.1, length=3, shift=False)
        assert [w(t) for t in range(3, 12)] == [inner(t) for t in range(3, 12)]
    log = LogWarmUp(inner, start_lr=0.0, length=3, shift=False)
    assert log(3) == inner(3) and log(2) == 1.0
    assert "shift=False" in repr(s) and "shift" not in repr(LinearWarmUp(inner, 0.0, 4))
