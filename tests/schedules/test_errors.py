"""Bad arguments are rejected when the schedule is built, naming the parameter and value.

Every argument of every schedule class: a ``TypeError`` for a wrong type (a string or a
bool for a number, a float for an integer, a class or a number where a schedule
belongs), a ``ValueError`` for a wrong value (negative, zero, non-finite, out of its
interval, an unknown choice, inconsistent with another argument). The message reads
``"<name> must be <what>, got <value>"``; an item of a list is named by its position.
"""
import math
from fractions import Fraction

import pytest
from mxnet.lr_scheduler import FactorScheduler

from mxsched import (Clamp, Constant, ConstantWarmUp, CosineAnnealing, CosineWarmUp,
                     CyclicalSchedule, Delay, Envelope, EpochStepWarmUp, ExponentialDecay,
                     FunctionSchedule, InOrderSchedule, InUnits, InverseSqrtDecay, Join,
                     LinearCoolDown, LinearSchedule, LinearWarmUp, LogWarmUp, MultiStepDecay,
                     Noise, OneCycle, PolynomialDecay, Product, PureCosineScheduler,
                     PureFactorScheduler, PureMultiFactorScheduler, PurePolyScheduler,
                     Restarts, Scale, StepDecay, TanhDecay, TriangularSchedule,
                     WarmupStableDecay, describe, from_mxnet)

INF, NAN = math.inf, math.nan
C = Constant(0.1)
COS = CosineAnnealing(0.0, 1.0, 10)
NOT_A_SCHEDULE = r"must be a schedule, an mx.lr_scheduler.LRScheduler or a callable of t, got "


def negative_fn(t):
    return -1.0


def none_fn(t):
    return None


BAD = [
    # (callable building the schedule, exception, message pattern)
    # ------------------------------------------------------------- Constant
    (lambda: Constant(-1), ValueError,
     r"lr must be a finite, non-negative learning rate, got -1"),
    (lambda: Constant(INF), ValueError,
     r"lr must be a finite, non-negative learning rate, got inf"),
    (lambda: Constant("0.1"), TypeError, r"lr must be a real number, got '0.1'"),
    (lambda: Constant(True), TypeError, r"lr must be a real number, got True"),
    # ------------------------------------------------------------- LinearSchedule
    (lambda: LinearSchedule(-0.1, 0.0, 4), ValueError,
     r"start_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: LinearSchedule(0.1, NAN, 4), ValueError,
     r"finish_lr must be a finite, non-negative learning rate, got nan"),
    (lambda: LinearSchedule(0.1, "0", 4), TypeError, r"finish_lr must be a real number, got '0'"),
    (lambda: LinearSchedule(0.1, 0.0, 0), ValueError, r"length must be a positive integer, got 0"),
    (lambda: LinearSchedule(0.1, 0.0, 4.0), TypeError,
     r"length must be a positive integer, got 4.0"),
    (lambda: LinearSchedule(0.1, 0.0, 2 ** 53 + 1), ValueError,
     r"length must be a positive integer <= 9007199254740992, got 9007199254740993"),
    # ------------------------------------------------------------- TriangularSchedule
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
    # ------------------------------------------------------------- CosineAnnealing
    (lambda: CosineAnnealing(0.0, 1.0, 0), ValueError,
     r"cycle_length must be a positive integer, got 0"),
    (lambda: CosineAnnealing(0.0, -1.0, 10), ValueError,
     r"max_lr must be a finite, non-negative learning rate, got -1.0"),
    (lambda: CosineAnnealing(0.5, 0.1, 10), ValueError, r"max_lr must be >= min_lr=0.5, got 0.1"),
    (lambda: CosineAnnealing(-0.1, 0.1, 10), ValueError,
     r"min_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: CosineAnnealing(0.0, 0.1, 10, exponent=-1), ValueError,
     r"exponent must be a finite number > 0, got -1"),
    (lambda: CosineAnnealing(0.0, 0.1, 10, exponent="2"), TypeError,
     r"exponent must be a real number, got '2'"),
    # ------------------------------------------------------------- StepDecay
    (lambda: StepDecay(-0.1, 3), ValueError,
     r"max_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: StepDecay(0.1, 0), ValueError, r"length must be a positive integer, got 0"),
    (lambda: StepDecay(0.1, 1.5), TypeError, r"length must be a positive integer, got 1.5"),
    (lambda: StepDecay(0.1, 3, factor=1.5), ValueError, r"factor must be in \(0, 1\], got 1.5"),
    (lambda: StepDecay(0.1, 3, factor=0), ValueError, r"factor must be a finite number > 0, got 0"),
    (lambda: StepDecay(0.1, 3, factor="0.5"), TypeError,
     r"factor must be a real number, got '0.5'"),
    # ------------------------------------------------------------- MultiStepDecay
    (lambda: MultiStepDecay(0.1, [5, 3]), ValueError,
     r"milestones must be increasing, got \[5, 3\] \(milestones\[1\] = 3 <= 5\)"),
    (lambda: MultiStepDecay(0.1, 5), TypeError,
     r"milestones must be a list of increasing integers, got 5"),
    (lambda: MultiStepDecay(0.1, []), ValueError,
     r"milestones must be a non-empty increasing list, got \[\]"),
    (lambda: MultiStepDecay(0.1, [1, 2, 0]), ValueError,
     r"milestones\[2\] must be a positive integer, got 0"),
    (lambda: MultiStepDecay(0.1, [1, 2.5]), TypeError,
     r"milestones\[1\] must be a positive integer, got 2.5"),
    (lambda: MultiStepDecay(-0.1, [1]), ValueError,
     r"max_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: MultiStepDecay(0.1, [1], factor=2), ValueError, r"factor must be in \(0, 1\], got 2"),
    # ------------------------------------------------------------- ExponentialDecay
    (lambda: ExponentialDecay(0.1, 1, 0.0), ValueError,
     r"factor must be a finite number > 0, got 0.0"),
    (lambda: ExponentialDecay(0.1, 1, 1.5), ValueError, r"factor must be in \(0, 1\], got 1.5"),
    (lambda: ExponentialDecay(0.1, 0, 0.9), ValueError,
     r"length must be a finite number > 0, got 0"),
    (lambda: ExponentialDecay(0.1, "5", 0.9), TypeError, r"length must be a real number, got '5'"),
    (lambda: ExponentialDecay(INF, 1, 0.9), ValueError,
     r"max_lr must be a finite, non-negative learning rate, got inf"),
    (lambda: ExponentialDecay(0.1, 1, 0.9, staircase=1), TypeError,
     r"staircase must be True or False, got 1"),
    # ------------------------------------------------------------- PolynomialDecay
    (lambda: PolynomialDecay(0.2, 0.1, 10), ValueError, r"max_lr must be >= min_lr=0.2, got 0.1"),
    (lambda: PolynomialDecay(-0.1, 0.1, 10), ValueError,
     r"min_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: PolynomialDecay(0.0, 0.1, 0), ValueError, r"length must be a positive integer, got 0"),
    (lambda: PolynomialDecay(0.0, 0.1, 10, power=0), ValueError,
     r"power must be a finite number > 0, got 0"),
    (lambda: PolynomialDecay(0.0, 0.1, 10, power=None), TypeError,
     r"power must be a real number, got None"),
    (lambda: PolynomialDecay(0.0, 0.1, 10, cycle="yes"), TypeError,
     r"cycle must be True or False, got 'yes'"),
    # ------------------------------------------------------------- InverseSqrtDecay
    (lambda: InverseSqrtDecay(0.1, length=0), ValueError,
     r"length must be a finite number > 0, got 0"),
    (lambda: InverseSqrtDecay(0.1, length=INF), ValueError,
     r"length must be a finite number > 0, got inf"),
    (lambda: InverseSqrtDecay([0.1]), TypeError, r"max_lr must be a real number, got \[0.1\]"),
    # ------------------------------------------------------------- TanhDecay
    (lambda: TanhDecay(0.0, 0.1, 10, lb=3, ub=3), ValueError, r"ub must be > lb=3.0, got 3"),
    (lambda: TanhDecay(0.0, 0.1, 10, lb="x"), TypeError, r"lb must be a real number, got 'x'"),
    (lambda: TanhDecay(0.0, 0.1, 10, ub=INF), ValueError, r"ub must be a finite number, got inf"),
    (lambda: TanhDecay(0.0, 0.1, 0), ValueError, r"length must be a positive integer, got 0"),
    (lambda: TanhDecay(0.2, 0.1, 10), ValueError, r"max_lr must be >= min_lr=0.2, got 0.1"),
    # ------------------------------------------------------------- warm-ups
    (lambda: LinearWarmUp(COS, start_lr=-1, length=5), ValueError,
     r"start_lr must be a finite, non-negative learning rate, got -1"),
    (lambda: LinearWarmUp(COS, start_lr=0, length=0), ValueError,
     r"length must be a positive integer, got 0"),
    (lambda: LinearWarmUp(COS, start_lr=0, length=2.5), TypeError,
     r"length must be a positive integer, got 2.5"),
    (lambda: LinearWarmUp(0.1, start_lr=0, length=5), TypeError,
     r"schedule " + NOT_A_SCHEDULE + r"0.1"),
    (lambda: LinearWarmUp(CosineAnnealing, start_lr=0, length=5), TypeError,
     r"schedule must be a schedule instance, not a class, got CosineAnnealing"),
    (lambda: ConstantWarmUp(C, -0.1, 3), ValueError,
     r"start_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: ConstantWarmUp(C, 0.0, 0), ValueError, r"length must be a positive integer, got 0"),
    (lambda: ConstantWarmUp("x", 0.0, 3), TypeError, r"schedule " + NOT_A_SCHEDULE + r"'x'"),
    (lambda: LogWarmUp(C, 0.0, 1), ValueError, r"length must be an integer >= 2, got 1"),
    (lambda: LogWarmUp(C, 0.0, 2.0), TypeError, r"length must be an integer >= 2, got 2.0"),
    (lambda: LogWarmUp(C, "0", 5), TypeError, r"start_lr must be a real number, got '0'"),
    (lambda: CosineWarmUp(C, 0.0, 0), ValueError, r"length must be a positive integer, got 0"),
    (lambda: CosineWarmUp("x", 0.0, 3), TypeError, r"schedule " + NOT_A_SCHEDULE + r"'x'"),
    (lambda: CosineWarmUp(C, INF, 3), ValueError,
     r"start_lr must be a finite, non-negative learning rate, got inf"),
    # ------------------------------------------------------------- EpochStepWarmUp
    (lambda: EpochStepWarmUp(C, 0, 10), ValueError, r"epochs must be a positive integer, got 0"),
    (lambda: EpochStepWarmUp(C, 1.5, 10), TypeError,
     r"epochs must be a positive integer, got 1.5"),
    (lambda: EpochStepWarmUp(C, 3, 0), ValueError,
     r"updates_per_epoch must be a finite number > 0, got 0"),
    (lambda: EpochStepWarmUp(C, 3, Fraction(-1, 2)), ValueError,
     r"updates_per_epoch must be a finite number > 0, got Fraction\(-1, 2\)"),
    (lambda: EpochStepWarmUp(C, 3, "10"), TypeError,
     r"updates_per_epoch must be a number \(int, float or Fraction\), got '10'"),
    (lambda: EpochStepWarmUp(C, 3, 10, start_lr=-0.1), ValueError,
     r"start_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: EpochStepWarmUp(3, 3, 10), TypeError, r"schedule " + NOT_A_SCHEDULE + r"3"),
    # warm-up, hold, decay with nothing left for the decay (total 10 = warm-up 5 + hold 5)
    (lambda: LinearWarmUp(Delay(CosineAnnealing(0.0, 0.1, 10 - 5 - 5), 5), 0.0, 5), ValueError,
     r"cycle_length must be a positive integer, got 0"),
    # ------------------------------------------------------------- LinearCoolDown
    (lambda: LinearCoolDown(COS, 0.0, start_idx=-1, length=5), ValueError,
     r"start_idx must be a non-negative integer, got -1"),
    (lambda: LinearCoolDown(COS, 0.0, start_idx=5.0, length=5), TypeError,
     r"start_idx must be a non-negative integer, got 5.0"),
    (lambda: LinearCoolDown(COS, 0.0, start_idx=5, length=-2), ValueError,
     r"length must be a non-negative integer, got -2"),
    (lambda: LinearCoolDown(COS, 0.0, start_idx=5, length="2"), TypeError,
     r"length must be a non-negative integer, got '2'"),
    (lambda: LinearCoolDown(COS, INF, start_idx=5, length=2), ValueError,
     r"finish_lr must be a finite, non-negative learning rate, got inf"),
    (lambda: LinearCoolDown(None, 0.0, start_idx=5, length=2), TypeError,
     r"schedule " + NOT_A_SCHEDULE + r"None"),
    # ------------------------------------------------------------- WarmupStableDecay
    (lambda: WarmupStableDecay(0.0, 0.1, 1, 1, 1, warmup_shape="exp"), ValueError,
     r"warmup_shape must be one of 'linear', 'cosine', '1-sqrt', got 'exp'"),
    (lambda: WarmupStableDecay(0.0, 0.1, 1, 1, 1, decay_shape="sqrt"), ValueError,
     r"decay_shape must be one of 'linear', 'cosine', '1-sqrt', got 'sqrt'"),
    (lambda: WarmupStableDecay(0.2, 0.1, 1, 1, 1), ValueError,
     r"max_lr must be >= min_lr=0.2, got 0.1"),
    (lambda: WarmupStableDecay(0.0, 0.1, -1, 1, 1), ValueError,
     r"warmup_length must be a non-negative integer, got -1"),
    (lambda: WarmupStableDecay(0.0, 0.1, 1, 1.5, 1), TypeError,
     r"stable_length must be a non-negative integer, got 1.5"),
    (lambda: WarmupStableDecay(0.0, 0.1, 1, 1, -3), ValueError,
     r"decay_length must be a non-negative integer, got -3"),
    (lambda: WarmupStableDecay(0.0, 0.1, 1, 1, 1, num_cycles=0), ValueError,
     r"num_cycles must be a finite number > 0, got 0"),
    # ------------------------------------------------------------- OneCycle
    (lambda: OneCycle(0.1, 1.0, 10, cooldown_length=5), ValueError,
     r"finish_lr must be given when cooldown_length > 0, got finish_lr=None with "
     r"cooldown_length=5"),
    (lambda: OneCycle(0.1, 1.0, 10, finish_lr=0.01), ValueError,
     r"cooldown_length must be > 0 when finish_lr is given, got cooldown_length=0 with "
     r"finish_lr=0.01"),
    (lambda: OneCycle(0.1, 1.0, 0), ValueError, r"cycle_length must be a positive integer, got 0"),
    (lambda: OneCycle(1.0, 0.1, 10), ValueError, r"max_lr must be >= start_lr=1.0, got 0.1"),
    (lambda: OneCycle(0.1, 1.0, 10, cooldown_length=5, finish_lr=2.0), ValueError,
     r"finish_lr must be <= max_lr=1.0, got 2.0"),
    (lambda: OneCycle(0.1, 1.0, 10, cooldown_length=-1), ValueError,
     r"cooldown_length must be a non-negative integer, got -1"),
    (lambda: OneCycle(0.1, 1.0, 10, cooldown_length=5, finish_lr=-1), ValueError,
     r"finish_lr must be a finite, non-negative learning rate, got -1"),
    (lambda: OneCycle("0.1", 1.0, 10), TypeError, r"start_lr must be a real number, got '0.1'"),
    # ------------------------------------------------------------- CyclicalSchedule
    (lambda: CyclicalSchedule(TriangularSchedule, 0, min_lr=0, max_lr=1), ValueError,
     r"cycle_length must be a positive integer, got 0"),
    (lambda: CyclicalSchedule(TriangularSchedule, 2.5, min_lr=0, max_lr=1), TypeError,
     r"cycle_length must be a positive integer, got 2.5"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, cycle_length_decay=0, min_lr=0,
                              max_lr=1), ValueError,
     r"cycle_length_decay must be a finite number > 0, got 0"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, cycle_magnitude_decay=-0.5, min_lr=0,
                              max_lr=1), ValueError,
     r"cycle_magnitude_decay must be a finite number > 0, got -0.5"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, cycle_magnitude_decay=1.5, min_lr=0,
                              max_lr=1), ValueError,
     r"cycle_magnitude_decay must be in \(0, 1\], got 1.5"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, min_lr=0, max_lr=1, warmup=5), TypeError,
     r"schedule_class TriangularSchedule does not accept cycle_length=10 with kwargs "
     r"\{'min_lr': 0, 'max_lr': 1, 'warmup': 5\}"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, min_lr=0), TypeError,
     r"schedule_class TriangularSchedule does not accept"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, min_lr=0, max_lr=-1), ValueError,
     r"max_lr must be a finite, non-negative learning rate, got -1"),
    (lambda: CyclicalSchedule(FactorScheduler, 10), TypeError,
     r"schedule_class must be an mxsched schedule class, got <class "),
    (lambda: CyclicalSchedule(COS, 10), TypeError,
     r"schedule_class must be an mxsched schedule class, got CosineAnnealing\(min_lr=0.0"),
    (lambda: CyclicalSchedule(TriangularSchedule, 10, cycle_length=3, min_lr=0, max_lr=1),
     TypeError, r"cycle_length"),
    (lambda: CyclicalSchedule(CosineAnnealing, 1, cycle_length_decay=1.0000001, min_lr=0,
                              max_lr=1), ValueError,
     r"cycle_length_decay must make cycles grow faster: cycle_length=1 with "
     r"cycle_length_decay=1.0000001"),
    # ------------------------------------------------------------- Restarts
    (lambda: Restarts(0.5, 5), TypeError, r"schedule " + NOT_A_SCHEDULE + r"0.5"),
    (lambda: Restarts(C, 0), ValueError, r"cycle_length must be a positive integer, got 0"),
    (lambda: Restarts(C, 5.5), TypeError, r"cycle_length must be a positive integer, got 5.5"),
    (lambda: Restarts(C, 5, cycle_length_decay=0.5), ValueError,
     r"cycle_length_decay must be >= 1, got 0.5"),
    (lambda: Restarts(C, 5, cycle_length_decay=INF), ValueError,
     r"cycle_length_decay must be a finite number > 0, got inf"),
    (lambda: Restarts(C, 5, cycle_magnitude_decay=0), ValueError,
     r"cycle_magnitude_decay must be a finite number > 0, got 0"),
    (lambda: Restarts(C, 5, cycle_magnitude_decay=1.5), ValueError,
     r"cycle_magnitude_decay must be in \(0, 1\], got 1.5"),
    (lambda: Restarts(C, 5, magnitude_mode="max"), ValueError,
     r"magnitude_mode must be one of 'height', 'peak', got 'max'"),
    (lambda: Restarts(C, 5, cycle_limit=0), ValueError,
     r"cycle_limit must be a positive integer, got 0"),
    (lambda: Restarts(C, 5, cycle_limit=2.0), TypeError,
     r"cycle_limit must be a positive integer, got 2.0"),
    (lambda: Restarts(C, 5, k_decay=-1), ValueError,
     r"k_decay must be a finite number > 0, got -1"),
    (lambda: Restarts(C, 5, k_decay="1"), TypeError, r"k_decay must be a real number, got '1'"),
    (lambda: Restarts(C, 5, min_lr=-0.1), ValueError,
     r"min_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: Restarts(C, 5, magnitude_mode="peak", min_lr=0.5), ValueError,
     r"min_lr must be <= the schedule's peak 0.1 in peak mode, got 0.5"),
    # ------------------------------------------------------------- Join
    (lambda: Join([C, C], [5, 6]), ValueError,
     r"boundaries must have len\(schedules\) - 1 = 1 entries, got \[5, 6\]"),
    (lambda: Join([C, C, C], [6, 5]), ValueError, r"boundaries must be increasing, got \[6, 5\]"),
    (lambda: Join([C, C], [0]), ValueError, r"boundaries\[0\] must be a positive integer, got 0"),
    (lambda: Join([C, C], [2.5]), TypeError,
     r"boundaries\[0\] must be a positive integer, got 2.5"),
    (lambda: Join([C, C], 5), TypeError,
     r"boundaries must be a list of increasing integers, got 5"),
    (lambda: Join([], []), ValueError,
     r"schedules must be a non-empty list of schedules, got \[\]"),
    (lambda: Join(C, [1]), TypeError, r"schedules must be a list of schedules, got Constant"),
    (lambda: Join([C, 0.5], [3]), TypeError, r"schedules\[1\] " + NOT_A_SCHEDULE + r"0.5"),
    (lambda: Join([C, Constant], [3]), TypeError,
     r"schedules\[1\] must be a schedule instance, not a class, got Constant"),
    # ------------------------------------------------------------- Scale
    (lambda: Scale(C, -2), ValueError,
     r"factor must be a finite, non-negative learning rate, got -2"),
    (lambda: Scale(C, "2"), TypeError, r"factor must be a real number, got '2'"),
    (lambda: Scale(Constant(1e300), 1e300), ValueError,
     r"factor must keep the peak finite \(the schedule's peak is 1e\+300\), got 1e\+300"),
    (lambda: Scale("x", 2), TypeError, r"schedule " + NOT_A_SCHEDULE + r"'x'"),
    # ------------------------------------------------------------- Product
    (lambda: Product([C, 3]), TypeError, r"schedules\[1\] " + NOT_A_SCHEDULE + r"3"),
    (lambda: Product([]), ValueError, r"schedules must be a non-empty list of schedules, got \[\]"),
    (lambda: Product(C), TypeError, r"schedules must be a list of schedules, got Constant"),
    (lambda: Product([Constant(1e300), Constant(1e300)]), ValueError,
     r"schedules must have a finite product of peaks, got \[1e\+300, 1e\+300\]"),
    # ------------------------------------------------------------- Clamp
    (lambda: Clamp(C, 0.5, 0.1), ValueError, r"max_lr must be >= min_lr=0.5, got 0.1"),
    (lambda: Clamp(C, -0.5), ValueError,
     r"min_lr must be a finite, non-negative learning rate, got -0.5"),
    (lambda: Clamp(C, 0.0, "1"), TypeError, r"max_lr must be a real number, got '1'"),
    (lambda: Clamp(1, 0.0), TypeError, r"schedule " + NOT_A_SCHEDULE + r"1"),
    # ------------------------------------------------------------- Delay
    (lambda: Delay(C, -1), ValueError, r"length must be a non-negative integer, got -1"),
    (lambda: Delay(C, 1.5), TypeError, r"length must be a non-negative integer, got 1.5"),
    (lambda: Delay(Constant, 1), TypeError,
     r"schedule must be a schedule instance, not a class, got Constant"),
    # ------------------------------------------------------------- Envelope
    (lambda: Envelope(C, "e"), TypeError, r"envelope " + NOT_A_SCHEDULE + r"'e'"),
    (lambda: Envelope(C, Constant(2.0)), ValueError,
     r"envelope must be a multiplier with values in \[0, 1\], got Constant\(lr=2.0\) \(its "
     r"base_lr, the largest value, is 2.0\)"),
    (lambda: Envelope(C, Constant(1.0), min_lr=-1), ValueError,
     r"min_lr must be a finite, non-negative learning rate, got -1"),
    (lambda: Envelope(2, Constant(1.0)), TypeError, r"schedule " + NOT_A_SCHEDULE + r"2"),
    # ------------------------------------------------------------- InUnits
    (lambda: InUnits(C, 0), ValueError, r"updates_per_unit must be a finite number > 0, got 0"),
    (lambda: InUnits(C, NAN), ValueError,
     r"updates_per_unit must be a finite number > 0, got nan"),
    (lambda: InUnits(C, "5"), TypeError,
     r"updates_per_unit must be a number \(int, float or Fraction\), got '5'"),
    (lambda: InUnits(C, 5, stepwise="yes"), TypeError,
     r"stepwise must be True or False, got 'yes'"),
    (lambda: InUnits(C, 5, unit=3), TypeError, r"unit must be a non-empty string, got 3"),
    (lambda: InUnits(C, 5, unit=""), ValueError,
     r"unit must be a non-empty printable ASCII string, got ''"),
    (lambda: InUnits(C, 5, unit="\u00e9poque"), ValueError,
     r"unit must be a non-empty printable ASCII string, got '\u00e9poque'"),
    (lambda: InUnits(0.1, 5), TypeError, r"schedule " + NOT_A_SCHEDULE + r"0.1"),
    (lambda: InUnits.epochs(C, 100, accumulation=0), ValueError,
     r"accumulation must be a positive integer, got 0"),
    (lambda: InUnits.epochs(C, 100, accumulation=1.5), TypeError,
     r"accumulation must be a positive integer, got 1.5"),
    (lambda: InUnits.epochs(C, 0), ValueError,
     r"batches_per_epoch must be a positive integer, got 0"),
    (lambda: InUnits.epochs(C, 100, stepwise=None), TypeError,
     r"stepwise must be True or False, got None"),
    (lambda: InUnits.percent(C, 0), ValueError, r"total_updates must be a positive integer, got 0"),
    (lambda: InUnits.percent(C, 10.0), TypeError,
     r"total_updates must be a positive integer, got 10.0"),
    # ------------------------------------------------------------- Noise
    (lambda: Noise(C, pct=0), ValueError, r"pct must be in \(0, 1\], got 0"),
    (lambda: Noise(C, pct="0.5"), TypeError, r"pct must be a real number, got '0.5'"),
    (lambda: Noise(C, start=5, end=5), ValueError, r"end must be > start=5, got 5"),
    (lambda: Noise(C, distribution="gauss"), ValueError,
     r"distribution must be one of 'normal', 'uniform', got 'gauss'"),
    (lambda: Noise(C, std=0), ValueError, r"std must be a finite number > 0, got 0"),
    (lambda: Noise(C, std=True), TypeError, r"std must be a real number, got True"),
    (lambda: Noise(C, seed=-1), ValueError, r"seed must be a non-negative integer, got -1"),
    (lambda: Noise(C, seed=2 ** 64), ValueError,
     r"seed must be a non-negative integer <= 18446744073709551615, got 18446744073709551616"),
    (lambda: Noise(C, seed=1.5), TypeError, r"seed must be a non-negative integer, got 1.5"),
    (lambda: Noise(C, start=-1), ValueError, r"start must be a non-negative integer, got -1"),
    (lambda: Noise(C, end=2.5), TypeError, r"end must be a non-negative integer, got 2.5"),
    (lambda: Noise([C]), TypeError, r"schedule " + NOT_A_SCHEDULE + r"\[Constant"),
    # ------------------------------------------------------------- FunctionSchedule
    (lambda: FunctionSchedule(3.0), TypeError,
     r"fn must be a callable \(an instance, not a class\), got 3.0"),
    (lambda: FunctionSchedule(Constant), TypeError,
     r"fn must be a callable \(an instance, not a class\), got <class"),
    (lambda: FunctionSchedule(abs, scale=-1), ValueError,
     r"scale must be a finite, non-negative learning rate, got -1"),
    (lambda: FunctionSchedule(negative_fn), ValueError,
     r"fn\(0\) must be a finite, non-negative learning rate, got -1.0"),
    (lambda: FunctionSchedule(none_fn), TypeError, r"fn\(0\) must return a real number, got None"),
    # ------------------------------------------------------------- InOrderSchedule
    (lambda: InOrderSchedule(3), TypeError,
     r"scheduler must be an mx.lr_scheduler.LRScheduler that is not an mxsched schedule, "
     r"got 3"),
    (lambda: InOrderSchedule(C), TypeError,
     r"scheduler must be an mx.lr_scheduler.LRScheduler that is not an mxsched schedule, "
     r"got Constant\(lr=0.1\)"),
    (lambda: InOrderSchedule(FactorScheduler(step=2), scale=INF), ValueError,
     r"scale must be a finite, non-negative learning rate, got inf"),
    # ------------------------------------------------------------- MXNet's built-ins
    (lambda: PureFactorScheduler(step=0), ValueError, r"step must be a positive integer, got 0"),
    (lambda: PureFactorScheduler(step=2.5), TypeError,
     r"step must be a positive integer, got 2.5"),
    (lambda: PureFactorScheduler(step=2, factor=1.5), ValueError,
     r"factor must be <= 1, got 1.5"),
    (lambda: PureFactorScheduler(step=2, factor=-0.5), ValueError,
     r"factor must be a finite, non-negative learning rate, got -0.5"),
    (lambda: PureFactorScheduler(step=2, stop_factor_lr=-1), ValueError,
     r"stop_factor_lr must be a finite, non-negative learning rate, got -1"),
    (lambda: PureFactorScheduler(step=2, base_lr="0.1"), TypeError,
     r"base_lr must be a real number, got '0.1'"),
    (lambda: PureFactorScheduler(step=2, warmup_steps=-1), ValueError,
     r"warmup_steps must be a non-negative integer, got -1"),
    (lambda: PureFactorScheduler(step=2, base_lr=0.1, warmup_begin_lr=0.5), ValueError,
     r"warmup_begin_lr must be <= base_lr=0.1, got 0.5"),
    (lambda: PureFactorScheduler(step=2, warmup_begin_lr=0.05, warmup_final_lr=0.01),
     ValueError, r"warmup_begin_lr must be <= warmup_final_lr=0.01, got 0.05"),
    (lambda: PureFactorScheduler(step=2, warmup_final_lr=-0.1), ValueError,
     r"warmup_final_lr must be a finite, non-negative learning rate, got -0.1"),
    (lambda: PureFactorScheduler(step=2, warmup_mode="cosine"), ValueError,
     r"warmup_mode must be one of 'linear', 'constant', got 'cosine'"),
    (lambda: PureMultiFactorScheduler(step=[5, 3]), ValueError,
     r"step must be increasing, got \[5, 3\] \(step\[1\] = 3 <= 5\)"),
    (lambda: PureMultiFactorScheduler(step=5), TypeError,
     r"step must be a list of increasing integers, got 5"),
    (lambda: PureMultiFactorScheduler(step=[]), ValueError,
     r"step must be a non-empty increasing list, got \[\]"),
    (lambda: PureMultiFactorScheduler(step=[3, 0]), ValueError,
     r"step\[1\] must be a positive integer, got 0"),
    (lambda: PureMultiFactorScheduler(step=[3], factor=2), ValueError,
     r"factor must be <= 1, got 2"),
    (lambda: PurePolyScheduler(max_update=0), ValueError,
     r"max_update must be a positive integer, got 0"),
    (lambda: PurePolyScheduler(max_update=10, pwr=-1), ValueError,
     r"pwr must be a finite number > 0, got -1"),
    (lambda: PurePolyScheduler(max_update=10, pwr="2"), TypeError,
     r"pwr must be a real number, got '2'"),
    (lambda: PurePolyScheduler(max_update=10, final_lr=-1), ValueError,
     r"final_lr must be a finite, non-negative learning rate, got -1"),
    (lambda: PurePolyScheduler(max_update=10, warmup_steps=10), ValueError,
     r"warmup_steps must differ from max_update=10 \(MXNet divides by their difference\), "
     r"got 10"),
    (lambda: PureCosineScheduler(max_update=10, warmup_steps=10), ValueError,
     r"warmup_steps must differ from max_update=10 \(MXNet divides by their difference\), "
     r"got 10"),
    (lambda: PureCosineScheduler(max_update=10, warmup_steps=-1), ValueError,
     r"warmup_steps must be a non-negative integer, got -1"),
    (lambda: PureCosineScheduler(max_update=10.0), TypeError,
     r"max_update must be a positive integer, got 10.0"),
    (lambda: from_mxnet(3), TypeError,
     r"sched must be one of MXNet's FactorScheduler, MultiFactorScheduler, PolyScheduler, "
     r"CosineScheduler, got 3"),
    # ------------------------------------------------------------- describe
    (lambda: describe(C, 0), ValueError, r"total_steps must be a positive integer, got 0"),
]


@pytest.mark.parametrize("build,exc,pattern", BAD, ids=[f"{i}-{b[2][:40]}"
                                                        for i, b in enumerate(BAD)])
def test_bad_argument_is_rejected_at_construction(build, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        build()
    assert type(info.value) is exc  # not a subclass standing in for the other kind


def test_a_wrong_item_of_a_list_is_named_by_position():
    with pytest.raises(TypeError, match=r"schedules\[1\] must be a schedule, .* got 0.5"):
        Join([Constant(1.0), 0.5], [3])


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


def test_base_lr_of_a_schedule_with_a_subnormal_peak_cannot_be_set():
    sched = Constant(2.2e-311)
    with pytest.raises(ValueError, match=r"its peak 2.2e-311 is too small to be rescaled"):
        sched.base_lr = 0.4
    assert sched.base_lr == 2.2e-311


def test_base_lr_of_an_all_zero_schedule_cannot_be_set():
    sched = CosineAnnealing(0.0, 0.0, 10)
    with pytest.raises(ValueError, match=r"its peak is 0.0"):
        sched.base_lr = 0.1


@pytest.mark.parametrize("step,exc,pattern", [
    ("3", TypeError, r"num_update must be a real number, got '3'"),
    (True, TypeError, r"num_update must be a real number, got True"),
    (-1, ValueError, r"num_update must be a finite number >= 0, got -1"),
])
def test_bad_step_is_rejected(step, exc, pattern):
    with pytest.raises(exc, match=pattern):
        COS(step)


def test_step_beyond_the_cycle_table_is_an_error_not_a_wrong_value():
    s = CyclicalSchedule(CosineAnnealing, 10, cycle_length_decay=2, min_lr=0, max_lr=1)
    with pytest.raises(ValueError, match=r"num_update must be <= 9007199254740992"):
        s(2 ** 60)
