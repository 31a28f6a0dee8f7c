"""Shapes and decays: value tables, and cross-checks against the published formulas.

The references below are independent re-implementations of the formulas of PyTorch,
Keras and timm (none of them is a dependency). mxsched steps are indices: ``sched(i)``
is the formula at index ``i``.
"""
import math

import pytest

from conftest import assert_lrs
from mxsched import (Constant, CosineAnnealing, CosineAnnealingSchedule, CosineWave,
                     ExponentialDecay, InverseSqrtDecay, InverseTimeDecay, LinearSchedule,
                     MultiStepDecay, Piecewise, PolynomialDecay, StepDecay, TanhDecay,
                     TriangularSchedule)


# ----------------------------------------------------------------- shapes
def test_constant_is_constant_for_ever():
    s = Constant(0.1)
    assert_lrs(s, [0.1] * 5, steps=[0, 1, 2.5, 10 ** 6, 10 ** 15])
    assert s.base_lr == 0.1


def test_triangular_table():
    # up = 10 * 0.3 = 3: 0.1 -> 1.0 over 3 updates, back down over 7, then min_lr.
    s = TriangularSchedule(min_lr=0.1, max_lr=1.0, cycle_length=10, inc_fraction=0.3)
    up = [0.1 + 0.9 * t / 3 for t in range(4)]
    down = [0.1 + 0.9 * (10 - t) / 7 for t in range(4, 11)]
    assert_lrs(s, up + down + [0.1] * 5)
    assert s.base_lr == 1.0


def test_triangular_inc_fraction_one_is_a_ramp_then_drop():
    s = TriangularSchedule(0.0, 1.0, cycle_length=4, inc_fraction=1.0)
    assert_lrs(s, [0.0, 0.25, 0.5, 0.75, 1.0, 0.0, 0.0])


def test_cosine_annealing_table():
    s = CosineAnnealing(min_lr=0.05, max_lr=0.5, cycle_length=8)
    expected = [0.05 + 0.45 * (1 + math.cos(math.pi * t / 8)) / 2 for t in range(9)]
    assert_lrs(s, expected + [0.05] * 4)
    assert CosineAnnealingSchedule is CosineAnnealing


def test_cosine_annealing_exponent_and_floor():
    """optax's ``cosine_decay_schedule(exponent=2)`` with a floor."""
    s = CosineAnnealing(0.1, 1.0, 10, exponent=2.0)
    expected = [0.1 + 0.9 * ((1 + math.cos(math.pi * min(t, 10) / 10)) / 2) ** 2
                for t in range(15)]
    assert_lrs(s, expected)


# ----------------------------------------------------------------- PyTorch
def test_step_multistep_exponential_linear_equal_pytorch():
    # StepLR(step_size=3, gamma=0.1), MultiStepLR([2, 5, 9], gamma=0.1), ExponentialLR(0.9)
    assert_lrs(StepDecay(0.05, length=3, factor=0.1), [0.05] * 3 + [0.005] * 3 + [0.0005] * 3)
    assert_lrs(MultiStepDecay(0.05, [2, 5, 9], factor=0.1),
               [0.05] * 2 + [0.005] * 3 + [0.0005] * 4 + [0.00005] * 3)
    assert_lrs(ExponentialDecay(0.05, length=1, factor=0.9), [0.05 * 0.9 ** t for t in range(20)])
    # LinearLR(start_factor=0.5, end_factor=1.0, total_iters=4) on lr 0.05
    assert_lrs(LinearSchedule(0.025, 0.05, 4),
               [0.05 * (0.5 + 0.5 * min(t, 4) / 4) for t in range(8)])


# ----------------------------------------------------------------- Keras
@pytest.mark.parametrize("lr,rate,steps,stair", [(0.1, 0.96, 10, False), (0.1, 0.96, 10, True),
                                                 (1.0, 0.5, 3, True), (0.3, 0.7, 1, False)])
def test_exponential_decay_equals_keras(lr, rate, steps, stair):
    def keras(step):
        p = step / steps
        if stair:
            p = math.floor(p)
        return lr * rate ** p
    assert_lrs(ExponentialDecay(lr, steps, rate, staircase=stair),
               [keras(t) for t in range(60)])


@pytest.mark.parametrize("lr,steps,end,power,cycle", [
    (0.1, 10, 0.01, 0.5, False), (0.1, 10, 0.0001, 1.0, True), (1.0, 7, 0.0, 2.0, True),
    (0.5, 1, 0.1, 3.0, True), (0.5, 13, 0.5, 1.0, False)])
def test_polynomial_decay_equals_keras(lr, steps, end, power, cycle):
    def keras(step):
        decay_steps = steps
        if cycle:
            decay_steps = steps * (1.0 if step == 0 else math.ceil(step / steps))
        else:
            step = min(step, steps)
        p = step / decay_steps
        return (lr - end) * (1 - p) ** power + end
    assert_lrs(PolynomialDecay(end, lr, steps, power, cycle), [keras(t) for t in range(60)])


# ----------------------------------------------------------------- inverse square root
def test_textbook_inverse_sqrt():
    assert_lrs(InverseSqrtDecay(0.2), [0.2 * (t + 1) ** -0.5 for t in range(50)])


# ----------------------------------------------------------------- timm
def timm_tanh_one_cycle(t, base, t_initial, lb=-7.0, ub=3.0, lr_min=0.0):
    """timm TanhLRScheduler._get_lr for a single cycle (``cycle_limit=1``)."""
    if t < t_initial:
        tr = t / t_initial
        return lr_min + 0.5 * (base - lr_min) * (1 - math.tanh(lb * (1. - tr) + ub * tr))
    return lr_min


@pytest.mark.parametrize("kw", [dict(t_initial=30), dict(t_initial=10, lr_min=0.001, lb=-6,
                                                          ub=4)])
def test_tanh_decay_equals_timm(kw):
    base = 0.1
    s = TanhDecay(kw.get("lr_min", 0.0), base, kw["t_initial"], kw.get("lb", -7.0),
                  kw.get("ub", 3.0))
    assert_lrs(s, [timm_tanh_one_cycle(t, base, **kw) for t in range(120)], rel=1e-9)


# ----------------------------------------------------------------- pieces the drop-ins use
def test_piecewise_linear_and_cosine_tables():
    s = Piecewise([0.1, 1.0, 0.0], knots=[0, 2, 6])
    assert_lrs(s, [0.1, 0.55, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0])
    c = Piecewise([1.0, 0.0], knots=[0, 4], shape="cosine")
    assert_lrs(c, [1.0 + (0.0 - 1.0) * (1 - math.cos(math.pi * t / 4)) / 2 for t in range(5)]
               + [0.0, 0.0])


def test_piecewise_takes_fractional_and_negative_knots():
    # PyTorch's 1-cycle with pct_start * total_steps < 1 starts part way down its second phase
    s = Piecewise([0.5, 1.0, 0.0], knots=[-2.0, -0.5, 3.5])
    assert s(0) == pytest.approx(1.0 - 0.5 / 4)
    assert s(3.5) == 0.0 and s(10) == 0.0 and s.base_lr == 1.0
    h = Piecewise([0.0, 1.0], knots=[0.5, 2.5])
    assert_lrs(h, [0.0, 0.25, 0.75, 1.0], steps=[0, 1, 2, 3])


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(lrs=[0.1], knots=[0]), ValueError, r"lrs must hold at least 2 learning rates"),
    (dict(lrs=[0.1, 0.2], knots=[0]), ValueError, r"knots must have one step per learning rate"),
    (dict(lrs=[0.1, 0.2], knots=[2, 1]), ValueError, r"knots must be increasing, got \[2, 1\]"),
    (dict(lrs=[0.1, -0.2], knots=[0, 1]), ValueError, r"lrs\[1\] must be a finite, non-negative"),
    (dict(lrs=[0.1, 0.2], knots=[0, "1"]), TypeError, r"knots\[1\] must be a real number"),
    (dict(lrs=[0.1, 0.2], knots=[-3, -1]), ValueError, r"knots must end at a step >= 0"),
    (dict(lrs=[0.1, 0.2], knots=[0, 1], shape="cos"), ValueError, r"shape must be one of"),
])
def test_piecewise_rejects_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Piecewise(**kwargs)


def test_cosine_wave_keeps_waving_as_pytorchs_closed_form():
    s = CosineWave(0.01, 0.1, length=10)
    expected = [0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(41)]
    assert_lrs(s, expected)
    assert s(20) == pytest.approx(0.1) and s(10) == pytest.approx(0.01)
    w = CosineWave(0.0, 1.0, length=8, cycles=1.0)      # a whole wave per length
    assert_lrs(w, [(1 + math.cos(2 * math.pi * t / 8)) / 2 for t in range(17)])


def test_inverse_time_decay_table():
    s = InverseTimeDecay(1.0, length=2, factor=0.5)
    assert_lrs(s, [1.0 / (1 + 0.5 * t / 2) for t in range(10)])
    stairs = InverseTimeDecay(1.0, length=2, factor=0.5, staircase=True)
    assert_lrs(stairs, [1.0 / (1 + 0.5 * (t // 2)) for t in range(10)])
