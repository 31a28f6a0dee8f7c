"""MXNet schedulers inside mxsched: as the user configured them, in any call order.

The classic MXNet tutorial "Advanced Learning Rate Schedules" defines six schedule classes
and calls MXNet's stateful ``MultiFactorScheduler`` after assigning ``schedule.base_lr = 1``.
Its classes are transcribed below (reference implementations, exactly as the tutorial
writes them) so that mxsched's classes can be held against them value for value. MXNet's
four built-ins, a user's ``LRScheduler`` subclass and a plain callable are checked against
what they give when called in order, as the optimizer calls them.
"""
import copy
import math

import mxnet as mx
import numpy as np
import pytest
from mxnet.lr_scheduler import (CosineScheduler, FactorScheduler, LRScheduler,
                                MultiFactorScheduler, PolyScheduler)

from conftest import assert_lrs, in_order
from mxsched import (CosineAnnealing, CosineAnnealingSchedule, CyclicalSchedule,
                     InOrderSchedule, LinearCoolDown, LinearWarmUp, OneCycleSchedule,
                     PureCosineScheduler, PureFactorScheduler, PureMultiFactorScheduler,
                     PurePolyScheduler, TriangularSchedule, from_mxnet)


# --------------------------------------------------------------------------- the tutorial
class TutorialTriangular:
    def __init__(self, min_lr, max_lr, cycle_length, inc_fraction=0.5):
        self.min_lr, self.max_lr = min_lr, max_lr
        self.cycle_length, self.inc_fraction = cycle_length, inc_fraction

    def __call__(self, iteration):
        if iteration <= self.cycle_length * self.inc_fraction:
            unit_cycle = iteration * 1 / (self.cycle_length * self.inc_fraction)
        elif iteration <= self.cycle_length:
            unit_cycle = (self.cycle_length - iteration) * 1 / (
                self.cycle_length * (1 - self.inc_fraction))
        else:
            unit_cycle = 0
        return (unit_cycle * (self.max_lr - self.min_lr)) + self.min_lr


class TutorialCosine:
    def __init__(self, min_lr, max_lr, cycle_length):
        self.min_lr, self.max_lr, self.cycle_length = min_lr, max_lr, cycle_length

    def __call__(self, iteration):
        if iteration <= self.cycle_length:
            unit_cycle = (1 + math.cos(iteration * math.pi / self.cycle_length)) / 2
            return (unit_cycle * (self.max_lr - self.min_lr)) + self.min_lr
        return self.min_lr


class TutorialWarmUp:
    def __init__(self, schedule, start_lr, length):
        self.schedule = schedule
        self.start_lr = start_lr
        self.finish_lr = copy.copy(schedule)(0)
        self.length = length

    def __call__(self, iteration):
        if iteration <= self.length:
            return iteration * (self.finish_lr - self.start_lr) / (self.length) + self.start_lr
        return self.schedule(iteration - self.length)


class TutorialCoolDown:
    def __init__(self, schedule, finish_lr, start_idx, length):
        self.schedule = schedule
        self.start_lr = copy.copy(self.schedule)(start_idx)
        self.finish_lr = finish_lr
        self.start_idx = start_idx
        self.finish_idx = start_idx + length
        self.length = length

    def __call__(self, iteration):
        if iteration <= self.start_idx:
            return self.schedule(iteration)
        if iteration <= self.finish_idx:
            return ((iteration - self.start_idx) * (self.finish_lr - self.start_lr)
                    / (self.length) + self.start_lr)
        return self.finish_lr


class TutorialOneCycle:
    def __init__(self, start_lr, max_lr, cycle_length, cooldown_length=0, finish_lr=None):
        finish_lr = finish_lr if (cooldown_length > 0) else start_lr
        schedule = TutorialTriangular(min_lr=start_lr, max_lr=max_lr, cycle_length=cycle_length)
        self.schedule = TutorialCoolDown(schedule, finish_lr=finish_lr, start_idx=cycle_length,
                                         length=cooldown_length)

    def __call__(self, iteration):
        return self.schedule(iteration)


class TutorialCyclical:
    def __init__(self, schedule_class, cycle_length, cycle_length_decay=1,
                 cycle_magnitude_decay=1, **kwargs):
        self.schedule_class = schedule_class
        self.length = cycle_length
        self.length_decay = cycle_length_decay
        self.magnitude_decay = cycle_magnitude_decay
        self.kwargs = kwargs

    def __call__(self, iteration):
        cycle_idx = 0
        cycle_length = self.length
        idx = self.length
        while idx <= iteration:
            cycle_length = math.ceil(cycle_length * self.length_decay)
            cycle_idx += 1
            idx += cycle_length
        cycle_offset = iteration - idx + cycle_length
        schedule = self.schedule_class(cycle_length=cycle_length, **self.kwargs)
        return schedule(cycle_offset) * self.magnitude_decay ** cycle_idx


ITERATIONS = list(range(0, 1500))  # the tutorial plots iterations 0..1499, in order


def tutorial_values(schedule):
    return [schedule(i) for i in ITERATIONS]  # in order: MXNet objects inside keep state


def shuffled_values(sched):
    order = np.random.RandomState(0).permutation(len(ITERATIONS))
    got = {}
    for i in order:
        got[ITERATIONS[i]] = sched(ITERATIONS[i])
    return [got[i] for i in ITERATIONS]


def tutorial_multifactor():
    schedule = mx.lr_scheduler.MultiFactorScheduler(step=[250, 750, 900], factor=0.5)
    schedule.base_lr = 1
    return schedule


CASES = {
    "slanted triangle": (lambda: TutorialTriangular(min_lr=1, max_lr=2, cycle_length=1000,
                                                    inc_fraction=0.2),
                         lambda: TriangularSchedule(min_lr=1, max_lr=2, cycle_length=1000,
                                                    inc_fraction=0.2)),
    "cosine": (lambda: TutorialCosine(min_lr=1, max_lr=2, cycle_length=1000),
               lambda: CosineAnnealingSchedule(min_lr=1, max_lr=2, cycle_length=1000)),
    "warm-up over MultiFactor": (
        lambda: TutorialWarmUp(tutorial_multifactor(), start_lr=0, length=250),
        lambda: LinearWarmUp(tutorial_multifactor(), start_lr=0, length=250)),
    "cool-down of MultiFactor": (
        lambda: TutorialCoolDown(tutorial_multifactor(), finish_lr=0.001, start_idx=1000,
                                 length=500),
        lambda: LinearCoolDown(tutorial_multifactor(), finish_lr=0.001, start_idx=1000,
                               length=500)),
    "1-cycle": (lambda: TutorialOneCycle(start_lr=0.1, max_lr=0.5, cycle_length=500,
                                         cooldown_length=750, finish_lr=0.001),
                lambda: OneCycleSchedule(start_lr=0.1, max_lr=0.5, cycle_length=500,
                                         cooldown_length=750, finish_lr=0.001)),
    "CLR": (lambda: TutorialCyclical(TutorialTriangular, min_lr=0.5, max_lr=2, cycle_length=500),
            lambda: CyclicalSchedule(TriangularSchedule, min_lr=0.5, max_lr=2,
                                     cycle_length=500)),
    "SGDR": (lambda: TutorialCyclical(TutorialCosine, min_lr=0.01, max_lr=2, cycle_length=250,
                                      cycle_length_decay=2, cycle_magnitude_decay=0.5),
             lambda: CyclicalSchedule(CosineAnnealingSchedule, min_lr=0.01, max_lr=2,
                                      cycle_length=250, cycle_length_decay=2,
                                      cycle_magnitude_decay=0.5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_tutorials_examples_give_the_tutorials_values_in_any_order(name):
    tutorial, ours = CASES[name]
    expected = tutorial_values(tutorial())
    sched = ours()
    # whatever the order; equal up to the last bit (mxsched returns a segment's end value
    # exactly where the tutorial's formula lands one unit in the last place off)
    np.testing.assert_allclose(shuffled_values(sched), expected, rtol=1e-15, atol=0)
    np.testing.assert_allclose(sched.values(ITERATIONS), expected, rtol=1e-14, atol=0)


def test_the_tutorials_warm_up_climbs_to_the_assigned_base_lr():
    sched = LinearWarmUp(tutorial_multifactor(), start_lr=0, length=250)
    assert sched(250) == 1.0 and sched.base_lr == 1.0
    assert [sched(t) for t in (500, 501, 1000, 1001, 1150, 1151)] == \
        [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    cool = LinearCoolDown(tutorial_multifactor(), finish_lr=0.001, start_idx=1000, length=500)
    assert cool(1000) == 0.125 and cool(1500) == 0.001  # "from 0.125 to 0.001"


BUILTINS = {
    "factor": lambda: mx.lr_scheduler.FactorScheduler(step=7, factor=0.8, base_lr=0.05),
    "factor warm-up": lambda: mx.lr_scheduler.FactorScheduler(
        step=7, factor=0.8, stop_factor_lr=1e-3, base_lr=0.05, warmup_steps=5,
        warmup_begin_lr=0.001),
    "multifactor": lambda: mx.lr_scheduler.MultiFactorScheduler(step=[5, 50, 60], factor=0.3,
                                                                base_lr=0.7),
    "multifactor warm-up": lambda: mx.lr_scheduler.MultiFactorScheduler(
        step=[5, 50, 60], factor=0.3, base_lr=0.7, warmup_steps=9, warmup_mode="constant"),
    "poly": lambda: mx.lr_scheduler.PolyScheduler(max_update=80, base_lr=0.3, pwr=3,
                                                  final_lr=0.001, warmup_steps=13),
    "cosine": lambda: mx.lr_scheduler.CosineScheduler(max_update=80, base_lr=0.3,
                                                      final_lr=0.001, warmup_steps=13,
                                                      warmup_begin_lr=0.0001),
}


@pytest.mark.parametrize("name", sorted(BUILTINS))
@pytest.mark.parametrize("assigned", [None, 1.0, 0.002], ids=["as built", "base_lr=1",
                                                                "base_lr=0.002"])
def test_a_builtin_gives_what_the_configured_object_gives_in_order(name, assigned):
    scheduler = BUILTINS[name]()
    if assigned is not None:
        scheduler.base_lr = assigned
    expected = in_order(copy.deepcopy(scheduler), 120)
    pure = from_mxnet(scheduler)
    order = np.random.RandomState(1).permutation(np.arange(1, 121))
    got = {int(t): pure(int(t)) for t in order}
    assert [got[t] for t in range(1, 121)] == expected  # bit for bit
    assert pure.values(np.arange(1, 121)).tolist() == expected
    wrapped = LinearWarmUp(scheduler, start_lr=0.0, length=10)
    assert [wrapped(t + 10) for t in range(1, 121)] == expected
    assert wrapped(10) == pure(0)
    assert max(expected) <= pure.base_lr


@pytest.mark.parametrize("name", ["factor", "factor warm-up", "multifactor",
                                  "multifactor warm-up", "poly", "cosine"])
def test_an_object_already_called_is_taken_back_to_its_configuration(name):
    expected = in_order(BUILTINS[name](), 150)
    advanced = BUILTINS[name]()
    for t in range(1, 70):  # e.g. a plot, or a first training run
        advanced(t)
    pure = from_mxnet(advanced)
    assert [pure(t) for t in range(1, 151)] == expected


def test_an_object_whose_start_cannot_be_recovered_is_an_error_that_says_what_to_do():
    floored = mx.lr_scheduler.FactorScheduler(step=1, factor=0.1, stop_factor_lr=1e-3,
                                              base_lr=0.1)
    for t in range(1, 10):
        floored(t)  # 0.1, 0.01, 0.001 (floored), 0.001, ...
    with pytest.raises(ValueError, match=r"stop_factor_lr=0.001.*cannot be recovered: pass a "
                                         r"scheduler that has not been called yet"):
        LinearWarmUp(floored, 0.0, 5)
    cosine = mx.lr_scheduler.CosineScheduler(max_update=50, base_lr=0.1)
    cosine.max_update = 100
    with pytest.raises(ValueError, match=r"sched.max_steps must equal max_update - "
                                         r"warmup_steps = 100 .*got 50"):
        from_mxnet(cosine)
    odd = mx.lr_scheduler.FactorScheduler(step=4, factor=0.5)
    odd.count = 3
    with pytest.raises(ValueError, match=r"sched.count must be a multiple of sched.step=4"):
        from_mxnet(odd)


def test_cosine_and_poly_follow_base_lr_orig_as_mxnet_does():
    scheduler = mx.lr_scheduler.CosineScheduler(max_update=20, base_lr=0.5, final_lr=0.01)
    scheduler.base_lr = 2.0  # MXNet computes from base_lr_orig and ignores this
    expected = in_order(copy.deepcopy(scheduler), 30)
    assert [from_mxnet(scheduler)(t) for t in range(1, 31)] == expected
    assert max(expected) <= 0.5


class Logged(mx.lr_scheduler.FactorScheduler):
    """A user's subclass of a stateful MXNet scheduler (module level: picklable)."""

    def __call__(self, num_update):
        return super().__call__(num_update)


def test_a_user_subclass_gives_its_in_order_values_whatever_the_call_order():
    w = LinearWarmUp(Logged(step=10, factor=0.5, base_lr=0.1), start_lr=0.0, length=20)
    before = w(30)
    w.values(range(1000))  # a plot first, then training
    assert w(30) == before == 0.1
    expected = in_order(Logged(step=10, factor=0.5, base_lr=0.1), 400)
    shuffled = np.random.RandomState(2).permutation(np.arange(1, 401))
    assert {int(t): w(int(t) + 20) for t in shuffled} == \
        {t: expected[t - 1] for t in range(1, 401)}


def test_in_order_schedule_never_calls_the_object_given_and_pickles_without_its_cache():
    import pickle

    user = Logged(step=3, factor=0.5, base_lr=0.2)
    sched = InOrderSchedule(user)
    assert sched(10) == 0.2 * 0.5 ** 3 and user.count == 0 and user.base_lr == 0.2
    assert sched(2.5) == 0.2  # a fractional step: the copy advanced through update 2
    raw = pickle.dumps(sched, 0)
    assert len(raw) < 1000 and pickle.loads(raw)(10) == sched(10)
    sched.base_lr = 0.4
    assert sched(10) == pytest.approx(0.4 * 0.5 ** 3) and sched.base_lr == 0.4
    with pytest.raises(ValueError, match=r"num_update must be <= 10000000 for an "
                                         r"InOrderSchedule"):
        sched(10 ** 7 + 1)


def test_a_builtins_warm_up_ends_where_mxnet_ends_it():
    """MXNet warms up to the constructor's base_lr (warmup_final_lr), even after
    ``base_lr`` was assigned: the wrapped schedule does the same."""
    scheduler = mx.lr_scheduler.MultiFactorScheduler(step=[20], factor=0.5, base_lr=0.1,
                                                     warmup_steps=10)
    scheduler.base_lr = 1.0
    pure = from_mxnet(scheduler)
    assert pure.warmup_final_lr == 0.1
    assert [pure(t) for t in range(1, 31)] == in_order(copy.deepcopy(scheduler), 30)
    assert pure.base_lr == 1.0


# --------------------------------------------------------------------------- MXNet's built-ins
def from_zero(factory, n):
    """Values of a fresh MXNet schedule at t = 0, then called with 1..n in order."""
    return [factory()(0)] + in_order(factory(), n)


@pytest.mark.parametrize("M,m,max_update,W", [(0.5, 0.01, 50, 10), (1.0, 0.0, 30, 1),
                                              (0.1, 0.001, 1000, 100)])
def test_warm_up_cosine_equals_mxnet_cosine_scheduler(M, m, max_update, W):
    ours = LinearWarmUp(CosineAnnealing(m, M, max_update - W), 0, W)
    ref = from_zero(lambda: CosineScheduler(max_update, base_lr=M, final_lr=m,
                                            warmup_steps=W), max_update)
    assert_lrs(ours, ref, rel=1e-9)


MXNET_CASES = {
    "factor": lambda: FactorScheduler(step=7, factor=0.5, base_lr=1.0),
    "factor-floor": lambda: FactorScheduler(step=3, factor=0.1, stop_factor_lr=1e-3,
                                            base_lr=1.0, warmup_steps=4,
                                            warmup_begin_lr=0.2),
    "factor-const-warmup": lambda: FactorScheduler(step=5, factor=0.9, base_lr=0.4,
                                                   warmup_steps=6, warmup_begin_lr=0.1,
                                                   warmup_mode="constant"),
    "multifactor": lambda: MultiFactorScheduler(step=[5, 12, 20], factor=0.3, base_lr=0.8),
    "multifactor-warmup": lambda: MultiFactorScheduler(step=[10, 15], factor=0.5,
                                                       base_lr=0.8, warmup_steps=8,
                                                       warmup_begin_lr=0.05),
    "poly": lambda: PolyScheduler(max_update=40, base_lr=0.5, pwr=2, final_lr=0.01),
    "poly-warmup": lambda: PolyScheduler(max_update=40, base_lr=0.5, pwr=3, final_lr=0.0,
                                         warmup_steps=10, warmup_begin_lr=0.1),
    "poly-warmup-past-end": lambda: PolyScheduler(max_update=5, base_lr=0.5, pwr=1,
                                                  warmup_steps=9),
    "cosine": lambda: CosineScheduler(max_update=35, base_lr=0.3, final_lr=0.02),
    "cosine-warmup": lambda: CosineScheduler(max_update=35, base_lr=0.3, final_lr=0.02,
                                             warmup_steps=5, warmup_begin_lr=0.01,
                                             warmup_mode="constant"),
}


@pytest.mark.parametrize("name", sorted(MXNET_CASES))
def test_wrapped_mxnet_builtins_give_in_order_values_in_any_order(name):
    factory = MXNET_CASES[name]
    ref = from_zero(factory, 80)
    caller_object = factory()
    caller_object(3)  # already used by the caller: its state must not matter
    state_before = dict(vars(caller_object))
    wrapped = LinearCoolDown(caller_object, finish_lr=0.0, start_idx=10 ** 6, length=1)
    converted = from_mxnet(caller_object)
    for t in np.random.RandomState(0).permutation(81):
        assert wrapped(int(t)) == pytest.approx(ref[t], rel=1e-12), f"{name}: update {t}"
        assert converted(int(t)) == pytest.approx(ref[t], rel=1e-12), f"{name}: update {t}"
    np.testing.assert_allclose(converted.values(np.arange(81)), ref, rtol=1e-12)
    assert vars(caller_object) == state_before, "the caller's MXNet schedule was modified"


def test_pure_equivalents_take_mxnet_parameter_names():
    assert PureFactorScheduler(step=2, factor=0.5, base_lr=1.0)(3) == 0.5
    assert PureMultiFactorScheduler(step=[1], factor=0.5, base_lr=1.0)(2) == 0.5
    assert PurePolyScheduler(max_update=2, base_lr=1.0, pwr=1)(1) == 0.5
    assert PureCosineScheduler(max_update=2, base_lr=1.0)(1) == pytest.approx(0.5)


def test_from_mxnet_rejects_other_classes():
    class Mine(LRScheduler):
        def __call__(self, num_update):
            return 0.1
    with pytest.raises(TypeError, match="sched must be one of MXNet's"):
        from_mxnet(Mine())


# --------------------------------------------------------------------------- other schedulers
class HalfLife(LRScheduler):
    """A user LRScheduler subclass: a pure function of t."""

    def __call__(self, num_update):
        return self.base_lr * 0.5 ** (num_update / 10)


def halving(t):
    return 0.5 ** t


def test_warm_up_wraps_user_subclass_and_plain_callable():
    user = HalfLife(base_lr=0.8)
    s = LinearWarmUp(user, start_lr=0.0, length=5)
    assert s(5) == pytest.approx(0.8)
    assert s(15) == pytest.approx(user(10))
    assert s.base_lr == pytest.approx(0.8)
    f = LinearCoolDown(halving, finish_lr=0.0, start_idx=3, length=2)
    assert [f(t) for t in range(7)] == pytest.approx([1, 0.5, 0.25, 0.125, 0.0625, 0, 0])
    np.testing.assert_allclose(f.values(range(7)), [f(t) for t in range(7)])
