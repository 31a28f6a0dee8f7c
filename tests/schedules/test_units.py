"""Schedules stated in epochs or percent of training, driven by update counts.

The conversions are exact: every boundary falls on the update it should. A schedule
stated in epochs with ``B`` batches per epoch and an update every ``A`` batches has
``B / A`` updates per epoch; update ``t`` belongs to epoch ``ceil(t * A / B) - 1``
(updates ``1..B/A`` are epoch 0). Float division would put many of those boundaries
one update late (``t * A / B`` computed as ``t / (B / A)``).
"""
import math
from fractions import Fraction

import numpy as np
import pytest

from mxsched import (Constant, CosineAnnealing, EpochStepWarmUp, InUnits, Join,
                     LinearSchedule, LinearWarmUp, MultiStepDecay, StepDecay)


# ----------------------------------------------------------------- InUnits
def test_epoch_schedule_fed_update_counts_is_the_classic_bug():
    per_epoch = MultiStepDecay(0.1, milestones=[30, 60], factor=0.1)  # "decay at epoch 30"
    updates_per_epoch = 500
    assert per_epoch(31) == pytest.approx(0.01)  # fed update 31: decayed after 31 updates!
    s = InUnits(per_epoch, updates_per_epoch, stepwise=True)
    assert s(30 * 500) == 0.1            # last update of epoch 29
    assert s(30 * 500 + 1) == pytest.approx(0.01)  # first update of epoch 30
    assert s(60 * 500 + 1) == pytest.approx(0.001)


def test_gradient_accumulation_divides_updates_per_epoch():
    s = InUnits.epochs(CosineAnnealing(0.0, 0.1, 10), batches_per_epoch=1000, accumulation=4)
    assert s.updates_per_unit == 250
    assert s(250 * 5) == pytest.approx(CosineAnnealing(0.0, 0.1, 10)(5))
    assert s(250 * 10) == 0.0


def test_continuous_and_stepwise_positions():
    s = InUnits(LinearSchedule(1.0, 0.0, 4), updates_per_unit=2)
    assert [s(t) for t in range(5)] == [1.0, 0.875, 0.75, 0.625, 0.5]
    s = InUnits(LinearSchedule(1.0, 0.0, 4), updates_per_unit=2, stepwise=True)
    assert [s(t) for t in range(7)] == [1.0, 1.0, 1.0, 0.75, 0.75, 0.5, 0.5]


def test_percent_of_training():
    s = InUnits.percent(Join([LinearSchedule(0.0, 1.0, 10), CosineAnnealing(0.0, 1.0, 90)],
                             [10]), 1000)
    assert s(100) == 1.0 and s(0) == 0.0 and s(1000) == pytest.approx(0.0, abs=1e-15)
    assert s.phases(1000)[1].start == 100


# ----------------------------------------------------------------- exact boundaries
def exact_epoch(t, batches, accumulation):
    return max(math.ceil(Fraction(t * accumulation, batches)) - 1, 0)


def test_an_epoch_boundary_that_float_division_misses():
    sched = InUnits.epochs(StepDecay(1, 1, 0.5), batches_per_epoch=235, accumulation=3,
                           stepwise=True)
    assert sched(1175) == 0.5 ** 14   # update 1175 is the last of epoch 15 (index 14)
    assert sched(1176) == 0.5 ** 15
    assert sched.values([1175, 1176]).tolist() == [0.5 ** 14, 0.5 ** 15]


@pytest.mark.parametrize("accumulation", [1, 2, 3, 4, 6, 7, 8])
def test_stepwise_epochs_walk_every_boundary(accumulation):
    """Identity schedule: the value is the epoch index, for every update of 30 epochs."""
    for batches in list(range(1, 60)) + [97, 128, 235, 391, 469, 1000]:
        sched = InUnits.epochs(LinearSchedule(0.0, 10 ** 6, 10 ** 6), batches, accumulation,
                               stepwise=True)
        last = math.ceil(30 * batches / accumulation)
        steps = np.arange(0, last + 1)
        expected = [exact_epoch(int(t), batches, accumulation) for t in steps]
        assert sched.values(steps).tolist() == expected, (batches, accumulation)
        assert [sched(int(t)) for t in steps[::11]] == expected[::11]


@pytest.mark.parametrize("accumulation", [1, 3, 7])
def test_continuous_epochs_cross_each_boundary_exactly_at_its_update(accumulation):
    for batches in (13, 50, 235, 391):
        per_epoch = Fraction(batches, accumulation)
        sched = InUnits.epochs(MultiStepDecay(1.0, list(range(1, 31)), 0.5), batches,
                               accumulation)
        for epoch in range(1, 31):
            first = math.ceil(epoch * per_epoch)   # first update at or past the boundary
            assert sched(first) == 0.5 ** epoch, (batches, accumulation, epoch)
            assert sched(first - 1) == 0.5 ** (epoch - 1) or first - 1 == epoch * per_epoch


def test_percent_boundaries_for_every_total_up_to_5000():
    """Crossing k% (k = 1..100) happens at the first update t with t * 100 >= k * total."""
    wrong = 0
    for total in range(1, 5001, 7):
        sched = InUnits.percent(MultiStepDecay(1.0, list(range(1, 101)), 0.5), total)
        steps = np.arange(0, total + 1)
        got = sched.values(steps)
        expected = [0.5 ** min(100, (100 * int(t)) // total) for t in steps]
        wrong += int(np.sum(got != np.asarray(expected)))
    assert wrong == 0
    assert InUnits.percent(StepDecay(1.0, 50, 0.5), 14)(7) == 0.5  # 50 % at update 7, not 8


# ----------------------------------------------------------------- EpochStepWarmUp
def test_epoch_step_warm_up_is_a_linear_warm_up_read_per_epoch():
    inner = CosineAnnealing(0.0, 0.1, 20)
    a = EpochStepWarmUp(inner, 3, 5, start_lr=0.0)
    b = InUnits(LinearWarmUp(Constant(0.1), 0.0, 3), 5, stepwise=True)
    steps = range(0, 16)
    np.testing.assert_allclose(a.values(steps), b.values(steps), rtol=1e-12)


def test_epoch_step_warm_up_counts_epochs_exactly():
    sched = EpochStepWarmUp(LinearSchedule(1.0, 1.0, 1), epochs=20,
                            updates_per_epoch=Fraction(235, 3), start_lr=0.0)
    for epoch in range(1, 20):
        first = math.ceil(epoch * Fraction(235, 3)) + (1 if epoch * Fraction(235, 3) ==
                                                       math.ceil(epoch * Fraction(235, 3)) else 0)
        assert sched(first) == pytest.approx(epoch / 20), epoch
        assert sched(first - 1) == pytest.approx((epoch - 1) / 20), epoch
