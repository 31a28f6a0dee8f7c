"""Bad arguments are rejected when the schedule is built, naming the parameter and value."""
import math

import pytest
from mxnet.lr_scheduler import FactorScheduler

from mxsched import (CosineAnnealing, CyclicalSchedule, FunctionSchedule, LinearCoolDown,
                     LinearWarmUp, OneCycle, PureCosineScheduler, PureFactorScheduler,
                     PureMultiFactorScheduler, PurePolyScheduler, TriangularSchedule)

INF, NAN = math.inf, math.nan

BAD = [
    # (callable building the schedule, exception, message pattern)
    (lambda: TriangularSchedule(0.1, 1.0, 0), ValueError,
     r"cycle_length must be a positive integer, got 0"),
    (lambda: TriangularSchedule(0.1, 1.0, -5), ValueError,
     r"cycle_length must be a positive integer, got -5"),
    (lambda: TriangularSchedule(0.1, 1.0, 10.5), TypeError,
     r"cycle_length must be a positive integer, got 10.5"),
    (lambda: TriangularSchedule(0.1, 1.0, True), TypeError,
     r"cycle_length must be a positive integer, got True"),
    (lambda: TriangularSchedule(-0.1, 1.0, 10), ValueError,
     r"min_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: TriangularSchedule(0.1, INF, 10), ValueError,
     r"max_lr must be a finite, non-negative learning rate, got inf"),
    (lambda: TriangularSchedule(NAN, 1.0, 10), ValueError,
     r"min_lr must be a finite, non-negative learning rate, got nan"),
    (lambda: TriangularSchedule("0.1", 1.0, 10), TypeError,
     r"min_lr must be a real number, got '0.1'"),
    (lambda: TriangularSchedule(1.0, 0.1, 10), ValueError,
     r"max_lr must be >= min_lr=1.0, got 0.1"),
    (lambda: TriangularSchedule(0.1, 1.0, 10, inc_fraction=0), ValueError,
     r"inc_fraction must be in \(0, 1\], got 0"),
    (lambda: TriangularSchedule(0.1, 1.0, 10, inc_fraction=1.5), ValueError,
     r"inc_fraction must be in \(0, 1\], got 1.5"),
    (lambda: TriangularSchedule(0.1, 1.0, 10, inc_fraction=NAN), ValueError,
     r"inc_fraction must be in \(0, 1\], got nan"),
    (lambda: TriangularSchedule(0.1, 1.0, 10, inc_fraction="half"), TypeError,
     r"inc_fraction must be a real number, got 'half'"),
    (lambda: CosineAnnealing(0.0, 1.0, 0), ValueError,
     r"cycle_length must be a positive integer, got 0"),
    (lambda: CosineAnnealing(0.0, -1.0, 10), ValueError,
     r"max_lr must be a finite, non-negative learning rate, got -1.0"),
    (lambda: LinearWarmUp(CosineAnnealing(0, 1, 10), start_lr=-1, length=5), ValueError,
     r"start_lr must be a finite, non-negative learning rate, got -1"),
    (lambda: LinearWarmUp(CosineAnnealing(0, 1, 10), start_lr=0, length=0), ValueError,
     r"length must be a positive integer, got 0"),
    (lambda: LinearWarmUp(0.1, start_lr=0, length=5), TypeError,
     r"schedule must be a schedule, an mx.lr_scheduler.LRScheduler or a callable of t, "
     r"got 0.1"),
    (lambda: LinearCoolDown(CosineAnnealing(0, 1, 10), 0.0, start_idx=-1, length=5),
     ValueError, r"start_idx must be a non-negative integer, got -1"),
    (lambda: LinearCoolDown(CosineAnnealing(0, 1, 10), 0.0, start_idx=5, length=-2),
     ValueError, r"length must be a non-negative integer, got -2"),
    (lambda: LinearCoolDown(CosineAnnealing(0, 1, 10), INF, start_idx=5, length=2),
     ValueError, r"finish_lr must be a finite, non-negative learning rate, got inf"),
    (lambda: OneCycle(0.1, 1.0, 10, cooldown_length=5), ValueError,
     r"finish_lr must be given when cooldown_length > 0, got finish_lr=None with "
     r"cooldown_length=5"),
    (lambda: OneCycle(0.1, 1.0, 10, finish_lr=0.01), ValueError,
     r"cooldown_length must be > 0 when finish_lr is given, got cooldown_length=0 with "
     r"finish_lr=0.01"),
    (lambda: OneCycle(0.1, 1.0, 0), ValueError, r"cycle_length must be a positive integer, got 0"),
    (lambda: OneCycle(1.0, 0.1, 10), ValueError, r"max_lr must be >= start_lr=1.0, got 0.1"),
    (lambda: CyclicalSchedule(TriangularSchedule, 0, min_lr=0, max_lr=1), ValueError,
     r"cycle_length must be a positive integer, got 0"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, cycle_length_decay=0, min_lr=0,
                              max_lr=1), ValueError,
     r"cycle_length_decay must be a finite number > 0, got 0"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, cycle_magnitude_decay=-0.5, min_lr=0,
                              max_lr=1), ValueError,
     r"cycle_magnitude_decay must be a finite number > 0, got -0.5"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, min_lr=0, max_lr=1, warmup=5), TypeError,
     r"schedule_class TriangularSchedule does not accept cycle_length=10 with kwargs "
     r"\{'min_lr': 0, 'max_lr': 1, 'warmup': 5\}"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, min_lr=0), TypeError,
     r"schedule_class TriangularSchedule does not accept"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, min_lr=0, max_lr=-1), ValueError,
     r"max_lr must be a finite, non-negative learning rate, got -1"),
    (lambda: CyclicalSchedule(FactorScheduler, 10), TypeError,
     r"schedule_class must be an mxsched schedule class, got <class "),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, cycle_length=3, min_lr=0, max_lr=1),
     TypeError, r"cycle_length"),
    (lambda: CyclicalSchedule(CosineAnnealing, 1, cycle_length_decay=1.0000001, min_lr=0,
                              max_lr=1), ValueError,
     r"cycle_length_decay must make cycles grow faster: cycle_length=1 with "
     r"cycle_length_decay=1.0000001"),
    (lambda: FunctionSchedule(3.0), TypeError, r"fn must be a callable of t \(an instance, not a class\), got 3.0"),
    (lambda: FunctionSchedule(abs, scale=-1), ValueError,
     r"scale must be a finite, non-negative learning rate, got -1"),
    (lambda: PureFactorScheduler(step=0), ValueError, r"step must be a positive integer, got 0"),
    (lambda: PureFactorScheduler(step=2, factor=1.5), ValueError,
     r"factor must be <= 1, got 1.5"),
    (lambda: PureFactorScheduler(step=2, base_lr=0.1, warmup_begin_lr=0.5), ValueError,
     r"warmup_begin_lr must be <= base_lr=0.1, got 0.5"),
    (lambda: PureFactorScheduler(step=2, warmup_mode="cosine"), ValueError,
     r"warmup_mode must be one of 'linear', 'constant', got 'cosine'"),
    (lambda: PureMultiFactorScheduler(step=[5, 3]), ValueError,
     r"step must be increasing, got \[5, 3\] \(step\[1\] = 3 <= 5\)"),
    (lambda: PureMultiFactorScheduler(step=5), TypeError,
     r"step must be a list of increasing integers, got 5"),
    (lambda: PurePolyScheduler(max_update=0), ValueError,
     r"max_update must be a positive integer, got 0"),
    (lambda: PurePolyScheduler(max_update=10, pwr=-1), ValueError,
     r"pwr must be a finite number > 0, got -1"),
    (lambda: PureCosineScheduler(max_update=10, warmup_steps=10), ValueError,
     r"warmup_steps must differ from max_update=10 \(MXNet divides by their difference\), "
     r"got 10"),
    (lambda: PureCosineScheduler(max_update=10, warmup_steps=-1), ValueError,
     r"warmup_steps must be a non-negative integer, got -1"),
]


@pytest.mark.parametrize("build,exc,pattern", BAD, ids=[b[2][:50] for b in BAD])
def test_bad_argument_is_rejected_at_construction(build, exc, pattern):
    with pytest.raises(exc, match=pattern):
        build()


@pytest.mark.parametrize("value,exc,pattern", [
    (0, ValueError, r"base_lr must be a finite number > 0, got 0"),
    (-0.1, ValueError, r"base_lr must be a finite number > 0, got -0.1"),
    (INF, ValueError, r"base_lr must be a finite number > 0, got inf"),
    ("big", TypeError, r"base_lr must be a real number, got 'big'"),
])
def test_bad_base_lr_assignment(value, exc, pattern):
    sched = CosineAnnealing(0.0, 1.0, 10)
    with pytest.raises(exc, match=pattern):
        sched.base_lr = value
    assert sched.max_lr == 1.0  # unchanged


def test_base_lr_of_an_all_zero_schedule_cannot_be_set():
    sched = CosineAnnealing(0.0, 0.0, 10)
    with pytest.raises(ValueError, match=r"its peak is 0.0"):
        sched.base_lr = 0.1


def test_step_beyond_the_cycle_table_is_an_error_not_a_wrong_value():
    s = CyclicalSchedule(CosineAnnealing, 10, cycle_length_decay=2, min_lr=0, max_lr=1)
    with pytest.raises(ValueError, match=r"num_update must be <= 9007199254740992"):
        s(2 ** 60)
