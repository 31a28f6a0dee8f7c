"""Instances where instances belong, numbers where numbers belong, immutable schedules.

A class passed where a schedule is expected, a non-finite step, a numpy bool, a length
past 2**53, a nesting too deep: each is a clear error when the schedule is built (or the
step is asked), never a failure inside ``trainer.step`` or a RecursionError.
"""
import math

import numpy as np
import pytest

import mxsched
from mxsched import (Clamp, Constant, CosineAnnealing, CosineDecay, Delay, Envelope,
                     ExponentialDecay, Hold, InUnits, Join, LinearCoolDown, LinearWarmUp,
                     Noise, Product, Restarts, Scale, StepDecay, from_config)
from mxsched.config import registered

C = Constant(0.1)

CLASS_INSTEAD_OF_INSTANCE = [
    (lambda: Scale(Constant, 0.5), "schedule"),
    (lambda: Delay(Constant, 1), "schedule"),
    (lambda: Hold(CosineDecay, 3), "schedule"),
    (lambda: Noise(Constant), "schedule"),
    (lambda: InUnits(StepDecay, 3), "schedule"),
    (lambda: Product([C, Constant]), r"schedules\[1\]"),
    (lambda: Join([C, Constant], [3]), r"schedules\[1\]"),
    (lambda: LinearWarmUp(CosineAnnealing, 0.0, 3), "schedule"),
    (lambda: LinearCoolDown(Constant, 0.0, 3, 3), "schedule"),
    (lambda: Envelope(C, ExponentialDecay), "envelope"),
    (lambda: Restarts(CosineDecay, 10), "schedule"),
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


@pytest.mark.parametrize("name", sorted(registered()))
@pytest.mark.parametrize("step", [math.inf, -math.inf, math.nan, -1])
def test_a_non_finite_or_negative_step_is_a_value_error_everywhere(name, step):
    sched = registered()[name].example()
    with pytest.raises(ValueError, match=r"num_update must be a finite number >= 0"):
        sched(step)
    with pytest.raises(ValueError, match=r"steps must be finite and >= 0"):
        sched.values([0, step])


@pytest.mark.parametrize("name", sorted(registered()))
def test_values_of_a_single_number_is_a_0d_array(name):
    sched = registered()[name].example()
    got = sched.values(5)
    assert got.shape == () and float(got) == sched(5)
    assert sched.values(np.float64(7.0)).shape == ()


def test_numpy_bools_are_bools_and_not_integers():
    assert ExponentialDecay(1.0, 0.5, staircase=np.bool_(True)).staircase is True
    with pytest.raises(TypeError, match=r"step_size must be a positive integer, got True"):
        StepDecay(0.1, np.bool_(True))
    with pytest.raises(TypeError, match=r"lr must be a real number, got True"):
        Constant(np.bool_(True))


def test_lengths_past_2_to_the_53_are_rejected_when_built():
    with pytest.raises(ValueError, match=r"cycle_length must be a positive integer <= "
                                         r"9007199254740992, got 18446744073709551616"):
        CosineAnnealing(0.0, 0.1, 2 ** 64)
    with pytest.raises(ValueError, match=r"step_size must be a positive integer <= "):
        StepDecay(0.1, 2 ** 60)


def test_nesting_depth_has_a_clear_limit_and_costs_linear_time():
    import time

    sched = Constant(0.1)
    start = time.process_time()
    for i in range(mxsched.base.MAX_DEPTH - 1):
        sched = Join([sched, Constant(0.05)], [5])
    built = time.process_time() - start
    assert sched._depth == mxsched.base.MAX_DEPTH
    assert sched(10 ** 6) == 0.05 and sched.values(np.arange(20)).shape == (20,)
    assert repr(sched).count("Join") == mxsched.base.MAX_DEPTH - 1
    with pytest.raises(ValueError, match=r"schedules must be nested at most 100 levels "
                                         r"deep, got 101"):
        Join([sched, Constant(0.05)], [5])
    assert built < 5.0  # generous: a quadratic cost (deep copies at every level) took minutes
    cfg = {"class": "Constant", "config": {"lr": 0.1}}
    for _ in range(1000):
        cfg = {"class": "Delay", "config": {"schedule": cfg, "steps": 1}}
    with pytest.raises(ValueError, match=r"cfg must nest schedules at most 100 levels deep"):
        from_config(cfg)


def test_schedules_are_immutable_except_for_base_lr():
    sched = LinearWarmUp(CosineAnnealing(0.0, 0.1, 90), 0.0, 10)
    with pytest.raises(AttributeError, match=r"LinearWarmUp.length cannot be assigned: "
                                             r"schedules are immutable"):
        sched.length = 20
    assert sched.length == 10
    sched.base_lr = 0.2
    assert sched.base_lr == pytest.approx(0.2) and sched.schedule.max_lr == pytest.approx(0.2)


def test_a_failed_base_lr_assignment_leaves_the_schedule_as_it_was():
    sched = LinearWarmUp(CosineAnnealing(0.0, 0.1, 90), 0.0, 10)
    before = (repr(sched), sched.values(range(100)).tolist())
    for bad in (0.0, -1.0, math.inf, "0.1"):
        with pytest.raises((ValueError, TypeError)):
            sched.base_lr = bad
        assert (repr(sched), sched.values(range(100)).tolist()) == before


def test_the_data_helpers_take_bools_and_integers_only():
    from mxsched.data import load_data, load_dataset

    with pytest.raises(TypeError, match=r"shuffle must be True or False, got 'no'"):
        load_data(32, "digits", shuffle="no", verbose=False)
    with pytest.raises(TypeError, match=r"channels must be the integer 1 or 3, got 3.0"):
        load_dataset("digits", channels=3.0, verbose=False)
