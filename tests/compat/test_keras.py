"""mxsched.compat.keras: Keras's six schedules, update for update.

Every drop-in is checked at every update against ``tests/reference/keras.py`` (a float64
transcription of Keras 3.15.1's schedules, no Keras needed; update ``k`` uses Keras's
``schedule(k - 1)``), for Keras's defaults and other parameter sets, at a relative
1e-12: the drop-ins compute in float64 as the reference does (float32 Keras is within a
few float32 roundings of both). The only steps left out are the exact restarts of
``CosineDecayRestarts`` where Keras's float64 cycle search rounds one cycle early; each
is listed with its case and checked on its own.
"""
import inspect
import json
import math
import pickle
from fractions import Fraction

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

import mxsched
from conftest import assert_lrs
from mxsched import InUnits, Restarts, CosineAnnealing, from_config
from mxsched.config import registered
from mxsched.compat import keras
from mxsched.compat.keras import (CosineDecay, CosineDecayRestarts, ExponentialDecay,
                                  InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay)
from reference import keras as ref

N = 700  # updates per sequence (the latest restart checked below is at step 605)

REF = {ExponentialDecay: ref.exponential_decay,
       PiecewiseConstantDecay: ref.piecewise_constant_decay,
       PolynomialDecay: ref.polynomial_decay, InverseTimeDecay: ref.inverse_time_decay,
       CosineDecay: ref.cosine_decay, CosineDecayRestarts: ref.cosine_decay_restarts}

# (drop-in, positional args, keyword args, steps where Keras's float64 restart is one cycle
# late); the first case of each drop-in gives only the required arguments: Keras's defaults
CASES = [
    (ExponentialDecay, (0.1, 10, 0.5), {}, []),
    (ExponentialDecay, (0.1, 7, 0.9, True), {}, []),
    (ExponentialDecay, (1.0, 3.5, 0.96), {}, []),
    (ExponentialDecay, (0.05, 2.5, 0.8), dict(staircase=True, name="exp"), []),
    (ExponentialDecay, (0.1, 10, 1.0), {}, []),
    (PiecewiseConstantDecay, ([10, 20], [0.1, 0.01, 0.001]), {}, []),
    (PiecewiseConstantDecay, ([5], [1.0, 0.5]), {}, []),
    (PiecewiseConstantDecay, ([2.7, 5.0, 9], [1.0, 0.5, 0.25, 0.125]), {}, []),
    (PiecewiseConstantDecay, ([-1, 2.2, 2.9, 6], [1.0, 0.5, 0.25, 0.125, 0.3]), {}, []),
    (PiecewiseConstantDecay, ((0, 100), (0.2, 0.1, 0.3)), dict(name="pw"), []),
    (PolynomialDecay, (0.1, 20), {}, []),
    (PolynomialDecay, (0.1, 20, 0.01, 0.5), {}, []),
    (PolynomialDecay, (0.1, 7, 0.001, 2.0, True), {}, []),
    (PolynomialDecay, (1.0, 4.5), dict(cycle=True), []),
    (PolynomialDecay, (0.0, 10, 0.1, 2.0), {}, []),
    (PolynomialDecay, (0.01, 10.5, 0.1, 1.5, True), {}, []),
    (PolynomialDecay, (0.1, 10, 0.01, 0.0, True), {}, []),
    (PolynomialDecay, (0.1, 30, 0.0, 3.0), {}, []),
    (InverseTimeDecay, (0.1, 10, 0.5), {}, []),
    (InverseTimeDecay, (0.1, 3, 1.0, True), {}, []),
    (InverseTimeDecay, (1.0, 1.0, 0.05), {}, []),
    (InverseTimeDecay, (0.1, 2.5, 2.0), dict(staircase=True), []),
    (InverseTimeDecay, (0.1, 10, 0.0), {}, []),
    (CosineDecay, (0.1, 20), {}, []),
    (CosineDecay, (0.1, 20, 0.1), {}, []),
    (CosineDecay, (0.0, 15, 0.0, "cd", 0.1, 5), {}, []),  # name 4th, as in Keras
    (CosineDecay, (0.01, 10, 0.2), dict(warmup_target=0.1, warmup_steps=7), []),
    (CosineDecay, (0.05, 12.5), dict(warmup_target=0.1), []),
    (CosineDecay, (0.05, 12.5, 0.1), dict(warmup_target=0.1, warmup_steps=3), []),
    (CosineDecay, (0.1, 20, 1.5), {}, []),
    (CosineDecay, (0.3, 20), dict(warmup_target=0.1, warmup_steps=5), []),
    (CosineDecay, (0.1, 20), dict(warmup_steps=5), []),
    (CosineDecay, (0.2, 10), dict(warmup_target=0.0, warmup_steps=4), []),
    (CosineDecay, (0.0, 100, 0.05), dict(warmup_target=0.1, warmup_steps=20.0), []),
    (CosineDecayRestarts, (0.1, 10), {}, []),
    (CosineDecayRestarts, (0.1, 7, 1.0, 0.8, 0.1), {}, []),
    (CosineDecayRestarts, (0.1, 8, 1.5, 0.5, 0.05), {}, []),
    (CosineDecayRestarts, (0.1, 5, 3.0), {}, [605]),
    (CosineDecayRestarts, (1.0, 1, 10.0), {}, [111]),
    (CosineDecayRestarts, (1.0, 1, 3.0), {}, [121]),
    (CosineDecayRestarts, (0.1, 16, 1.5), {}, [211]),
    (CosineDecayRestarts, (0.1, 7.5, 1.5, 0.5, 0.1), {}, []),
    (CosineDecayRestarts, (0.1, 10, 2.0, 0.0, 0.1), {}, []),
    (CosineDecayRestarts, (0.1, 10, 2.0, 0.6, 1.5), {}, []),
]


def case_id(case):
    cls, args, kwargs, _ = case
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{cls.__name__}({', '.join(parts)})"


def build(case):
    cls, args, kwargs, _ = case
    return cls(*args, **kwargs)


def expected(case, n=N):
    """What Keras applies at updates 1..n (the reference's loop convention)."""
    cls, args, kwargs, _ = case
    return REF[cls](*args, **kwargs, n=n)


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_update_matches_keras(case):
    sched, want, late = build(case), expected(case), case[3]
    steps = [k for k in range(1, N + 1) if k - 1 not in late]
    assert_lrs(sched, [want[k - 1] for k in steps], steps=steps)
    assert sched(0) == pytest.approx(want[0], rel=1e-12)  # before training: schedule(0)


def test_keras_defaults_and_at_least_three_other_parameter_sets_per_schedule():
    for cls in REF:
        mine = [c for c in CASES if c[0] is cls]
        required = [n for n, d in ref.SIGNATURES[cls.__name__] if d is inspect.Parameter.empty]
        assert len(mine[0][1]) == len(required) and not mine[0][2], cls.__name__
        assert len(mine) >= 4, cls.__name__


@pytest.mark.parametrize("case", [c for c in CASES if c[3]], ids=case_id)
def test_restarts_are_on_time_where_kerass_float64_log_is_one_cycle_late(case):
    """At these exact restarts ``log(1 - f * (1 - t_mul)) / log(t_mul)`` lands just below
    the cycle index in float64: Keras gives the end of the previous cycle (the floor)."""
    _, (lr0, first, t_mul, *rest), _, late = case
    m_mul, alpha = (rest + [1.0, 0.0])[:2]
    sched, want = build(case), expected(case)
    got = [sched(k) for k in range(1, N + 1)]
    off = [k - 1 for k in range(1, N + 1)
           if not math.isclose(got[k - 1], want[k - 1], rel_tol=1e-12, abs_tol=1e-15)]
    assert off == late
    for step in late:
        # the step is a restart: an integer F * (t**i - 1) / (t - 1), cycle i
        i = next(i for i in range(60)
                 if Fraction(first) * (Fraction(t_mul) ** i - 1) / (Fraction(t_mul) - 1) == step)
        assert want[step] == pytest.approx(alpha * lr0, abs=1e-15)        # Keras: the floor
        top = lr0 * (m_mul ** i * (1 - alpha) + alpha)
        assert got[step] == pytest.approx(top, rel=1e-12)                 # here: the top


@pytest.mark.parametrize("first", [1, 3, 10, 61, 109])
def test_default_t_mul_restarts_equal_the_float64_reference_at_every_step(first):
    """t_mul=2 never lands one cycle late in float64 (float32 Keras does, e.g. F=61 at
    step 183, F=109 at step 327: float32 is not reproduced)."""
    case = (CosineDecayRestarts, (0.1, first), {}, [])
    n = 3000
    assert_lrs(build(case), expected(case, n), steps=range(1, n + 1))


def test_piecewise_boundary_step_keeps_the_earlier_value_and_float_boundaries_truncate():
    s = PiecewiseConstantDecay([3, 6], [1.0, 0.5, 0.25])
    # update k uses step k - 1: steps 0..3 -> 1.0, 4..6 -> 0.5, 7.. -> 0.25
    assert [s(k) for k in range(1, 10)] == [1.0] * 4 + [0.5] * 3 + [0.25] * 2
    t = PiecewiseConstantDecay([3.9, 6.5], [1.0, 0.5, 0.25])
    assert t.values(range(0, 20)).tolist() == s.values(range(0, 20)).tolist()
    assert t.boundaries == [3.9, 6.5] and repr(t).startswith(
        "PiecewiseConstantDecay(boundaries=[3.9, 6.5], values=[1.0, 0.5, 0.25]")
    skipped = PiecewiseConstantDecay([-1, 2.2, 2.9], [9.0, 1.0, 5.0, 0.5])  # 9, 5 unused
    assert skipped.base_lr == 1.0
    assert [skipped(k) for k in range(1, 6)] == [1.0, 1.0, 1.0, 0.5, 0.5]


def test_piecewise_values_are_lr_values_and_values_stays_the_method():
    s = PiecewiseConstantDecay((10,), (0.2, 0.1))
    assert s.lr_values == [0.2, 0.1] and s.boundaries == [10]
    assert s.values([1, 11, 12]).tolist() == [0.2, 0.2, 0.1]


def test_polynomial_cycle_touches_the_end_and_jumps_back_part_of_the_way():
    s = PolynomialDecay(1.0, 10, 0.0, cycle=True)
    assert s(11) == 0.0                                  # step 10: the end
    assert s(12) == pytest.approx(1 - 11 / 20, rel=1e-12)  # step 11: p = 11/20, not 1/10
    assert s(22) == pytest.approx(1 - 21 / 30, rel=1e-12)


def test_polynomial_default_end_is_1e_4_and_a_higher_end_makes_it_rise():
    s = PolynomialDecay(0.1, 10)
    assert s(11) == s(1000) == pytest.approx(1e-4, rel=1e-12)
    up = PolynomialDecay(0.0, 10, end_learning_rate=0.1)
    assert up(1) == 0.0 and up(11) == pytest.approx(0.1) and up.base_lr == 0.1


def test_restarts_m_mul_scales_the_height_above_the_unscaled_alpha_floor():
    lr0, alpha, m_mul = 1.0, 0.2, 0.5
    s = CosineDecayRestarts(lr0, 10, 1.0, m_mul, alpha)
    assert s(11) == pytest.approx(alpha + (1 - alpha) * m_mul, rel=1e-12)    # step 10: 0.6
    assert s(21) == pytest.approx(alpha + (1 - alpha) * m_mul ** 2, rel=1e-12)
    assert min(s.values(range(1, 200))) > alpha * lr0 - 1e-15             # floor 0.2, kept
    # the core's magnitude mode is 'height' (its default); 'peak' gives another top
    assert "Restarts(" in repr(s.core) and "magnitude_mode" not in repr(s.core)
    peak = Restarts(CosineAnnealing(alpha, lr0, 10), 10, 1.0, m_mul, magnitude_mode="peak")
    assert peak(10) == pytest.approx(m_mul * lr0) != pytest.approx(s(11))


def test_cosine_decay_ignores_warmup_steps_without_a_target_and_name_is_4th():
    plain = CosineDecay(0.1, 20)
    ignored = CosineDecay(0.1, 20, warmup_steps=5)
    assert ignored.values(range(60)).tolist() == plain.values(range(60)).tolist()
    assert ignored.warmup_steps == 5                 # kept, as Keras keeps it
    by_position = CosineDecay(0.0, 15, 0.1, "warm", 0.2, 5)
    assert (by_position.name, by_position.warmup_target, by_position.warmup_steps) == (
        "warm", 0.2, 5)
    assert by_position == CosineDecay(initial_learning_rate=0.0, decay_steps=15, alpha=0.1,
                                      warmup_target=0.2, warmup_steps=5, name="warm")


@pytest.mark.parametrize("make,as_float,keras_int32", [
    (lambda lr: ExponentialDecay(lr, 10, 0.5), 0.5 ** 0.5, 0.0),
    (lambda lr: CosineDecay(lr, 10), 0.5, 0.5354),
    (lambda lr: InverseTimeDecay(lr, 10, 0.5), 0.8, 1.0),
], ids=["exponential", "cosine", "inverse-time"])
def test_an_int_learning_rate_is_a_float_not_kerass_int32_arithmetic(make, as_float,
                                                                      keras_int32):
    """Keras computes in int32 for ``initial_learning_rate=1`` (its values at step 5
    are ``keras_int32``, measured); the drop-ins convert the rate to float."""
    sched = make(1)
    assert sched.initial_learning_rate == 1.0 and type(sched.initial_learning_rate) is float
    assert sched == make(1.0)
    assert sched(6) == pytest.approx(as_float, rel=1e-12) != keras_int32  # step 5
    ints = PiecewiseConstantDecay([3], [1, 2])
    assert ints.lr_values == [1.0, 2.0] and ints(5) == 2.0


def test_gradient_accumulation_is_in_units_of_one_gth_update():
    """Keras with gradient_accumulation_steps=G: real update j uses schedule(j*G - 1)."""
    g = 4
    sched = InUnits(CosineDecay(0.1, 100), Fraction(1, g))
    want = ref.cosine_decay(0.1, 100, n=40 * g)
    assert_lrs(sched, [want[j * g - 1] for j in range(1, 41)], steps=range(1, 41))


# --------------------------------------------------------------------------- signature
@pytest.mark.parametrize("cls", list(REF), ids=lambda c: c.__name__)
def test_the_signature_is_kerass(cls):
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]  # no self
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)
    assert tuple((p.name, p.default) for p in params) == ref.SIGNATURES[cls.__name__]


# --------------------------------------------------------------------------- errors
KERAS_ERRORS = [
    (ExponentialDecay, (0.1, 0, 0.5)), (ExponentialDecay, (0.1, -2.5, 0.5)),
    (ExponentialDecay, (0.1, None, 0.5)), (PolynomialDecay, (0.1, 0)),
    (PolynomialDecay, (0.1, "10")), (InverseTimeDecay, (0.1, -1, 0.5)),
    (CosineDecay, (0.1, 0)), (CosineDecay, (0.1, None)), (CosineDecayRestarts, (0.1, 0)),
    (CosineDecayRestarts, (0.1, -3)), (PiecewiseConstantDecay, ([1, 2], [0.1, 0.2])),
    (PiecewiseConstantDecay, ((1,), (0.1, 0.2, 0.3))),
    (PiecewiseConstantDecay, ([], [0.1, 0.2])),
]


@pytest.mark.parametrize("cls,args", KERAS_ERRORS,
                         ids=[f"{c.__name__}{a!r}" for c, a in KERAS_ERRORS])
def test_kerass_errors_are_kerass(cls, args):
    with pytest.raises(Exception) as peer:
        REF[cls](*args, n=1)
    with pytest.raises(type(peer.value)) as ours:
        cls(*args)
    assert type(ours.value) is type(peer.value) and str(ours.value) == str(peer.value)


def test_the_keras_messages_read_as_kerass():
    with pytest.raises(ValueError, match=r"^Argument `decay_steps` must be > 0\. "
                                         r"Received: decay_steps=0$"):
        CosineDecay(0.1, 0)
    with pytest.raises(ValueError, match=r"^Argument `first_decay_steps` must be > 0\. "
                                         r"Received: first_decay_steps=-3$"):
        CosineDecayRestarts(0.1, -3)
    with pytest.raises(TypeError, match=r"^'<=' not supported between instances of "
                                        r"'NoneType' and 'int'$"):
        ExponentialDecay(0.1, None, 0.5)
    with pytest.raises(ValueError, match=r"^The length of boundaries should be 1 less than "
                                         r"the length of values\. Received: boundaries=\(1,\) "
                                         r"of length 1, and values=\(0\.1, 0\.2, 0\.3\) of "
                                         r"length 3\.$"):
        PiecewiseConstantDecay((1,), (0.1, 0.2, 0.3))


def test_an_empty_boundaries_fails_at_construction_where_keras_fails_at_the_first_call():
    with pytest.raises(IndexError, match="list index out of range"):
        ref.piecewise_constant_decay([], [0.1], n=1)
    with pytest.raises(ValueError, match=r"boundaries must hold at least one step \(Keras "
                                         r"fails at its first call without one\), got \[\]"):
        PiecewiseConstantDecay([], [0.1])


# what Keras accepts (and computes) but no bounded schedule can follow, or a clear type
OUR_ERRORS = [
    (ExponentialDecay, (0.1, True, 0.5), TypeError,
     r"^decay_steps must be a real number, got True$"),
    (ExponentialDecay, (0.1, math.nan, 0.5), ValueError,
     r"^decay_steps must be a finite number > 0, got nan$"),
    (ExponentialDecay, (0.1, math.inf, 0.5), ValueError,
     r"^decay_steps must be a finite number > 0, got inf$"),
    (ExponentialDecay, (0.1, 2 ** 60, 0.5), ValueError,
     r"^decay_steps must be <= 9007199254740992, got 1152921504606846976$"),
    (ExponentialDecay, (-0.1, 10, 0.5), ValueError,
     r"^initial_learning_rate must be a finite, non-negative learning rate, got -0.1$"),
    (ExponentialDecay, (0.1, 10, 1.5), ValueError,
     r"^decay_rate must be in \(0, 1\] \(a decay\), got 1.5$"),
    (ExponentialDecay, (0.1, 10, 0.0), ValueError,
     r"^decay_rate must be in \(0, 1\] \(a decay\), got 0.0$"),
    (ExponentialDecay, (0.1, 10, 0.5, 1), TypeError, r"^staircase must be True or False, got 1$"),
    (ExponentialDecay, (0.1, 10, 0.5, False, 3), TypeError,
     r"^name must be a string or None, got 3$"),
    (ExponentialDecay, (0.1, 10, 0.5, False, "d\u00e9croissance"), ValueError,
     r"^name must be a printable ASCII string, got 'd\u00e9croissance'$"),
    (PiecewiseConstantDecay, ([10, 5], [0.1, 0.2, 0.3]), ValueError,
     r"^boundaries must be non-decreasing once truncated to whole steps, got \[10, 5\] "
     r"\(boundaries\[1\] = 5 < 10\)$"),
    (PiecewiseConstantDecay, ([2.9, 2.1, 1.5], [0.1, 0.2, 0.3, 0.4]), ValueError,
     r"boundaries\[2\] = 1.5 < 2.1"),
    (PiecewiseConstantDecay, ([3], [0.1, -0.2]), ValueError,
     r"^values\[1\] must be a finite, non-negative learning rate, got -0.2$"),
    (PiecewiseConstantDecay, ([3], [0.1, math.inf]), ValueError, r"^values\[1\] must be a finite"),
    (PiecewiseConstantDecay, ([True], [0.1, 0.2]), TypeError,
     r"^boundaries\[0\] must be a real number, got True$"),
    (PiecewiseConstantDecay, ([math.nan], [0.1, 0.2]), ValueError,
     r"^boundaries\[0\] must be a finite number of at most 9007199254740992 in size, got nan$"),
    (PiecewiseConstantDecay, ("ab", [0.1, 0.2, 0.3]), TypeError,
     r"^boundaries must be a list of numbers, got 'ab'$"),
    (PolynomialDecay, (0.1, 10, 0.01, -1.0), ValueError,
     r"^power must be >= 0.0 \(Keras's rate is inf at the end of the decay otherwise\), got -1.0$"),
    (PolynomialDecay, (0.1, 10, -0.01), ValueError,
     r"^end_learning_rate must be a finite, non-negative"),
    (PolynomialDecay, (0.1, 10, 0.01, 1.0, "yes"), TypeError,
     r"^cycle must be True or False, got 'yes'$"),
    (InverseTimeDecay, (0.1, 10, -0.5), ValueError, r"^decay_rate must be >= 0.0, got -0.5$"),
    (InverseTimeDecay, (0.1, 10, "0.5"), TypeError,
     r"^decay_rate must be a real number, got '0.5'$"),
    (CosineDecay, (0.1, 10, -0.1), ValueError, r"^alpha must be >= 0.0, got -0.1$"),
    (CosineDecay, (0.1, 10, 0.0, "c", 0.2, -3), ValueError,
     r"^warmup_steps must be a whole number of steps in \[0, 9007199254740992\], got -3$"),
    (CosineDecay, (0.1, 10, 0.0, "c", 0.2, 2.5), ValueError,
     r"^warmup_steps must be a whole number of steps .* got 2.5$"),
    (CosineDecay, (0.1, 10, 0.0, "c", 0.2, None), TypeError,
     r"^warmup_steps must be a whole number of steps, got None$"),
    (CosineDecay, (0.1, 10, 0.0, "c", -0.2, 3), ValueError,
     r"^warmup_target must be a finite, non-negative learning rate, got -0.2$"),
    (CosineDecayRestarts, (0.1, 10, 0.5), ValueError,
     r"^t_mul must be >= 1.0 \(Keras's shrinking cycles end after first_decay_steps / "
     r"\(1 - t_mul\) steps, where its values become nan\), got 0.5$"),
    (CosineDecayRestarts, (0.1, 10, 2.0, 1.5), ValueError,
     r"^m_mul must be in \[0, 1\] \(a decay of the cycles' height\), got 1.5$"),
    (CosineDecayRestarts, (0.1, 10, 2.0, -0.5), ValueError, r"^m_mul must be in \[0, 1\]"),
    (CosineDecayRestarts, (0.1, 10, 2.0, 1.0, -1.0), ValueError,
     r"^alpha must be >= 0.0, got -1.0$"),
    (CosineDecayRestarts, (0.1, math.nan), ValueError,
     r"^first_decay_steps must be a finite number > 0, got nan$"),
]


@pytest.mark.parametrize("cls,args,exc,match", OUR_ERRORS,
                         ids=[f"{c.__name__}{a!r}" for c, a, _, _ in OUR_ERRORS])
def test_what_keras_accepts_but_no_bounded_schedule_follows_is_a_clear_error(cls, args, exc,
                                                                             match):
    with pytest.raises(exc, match=match):
        cls(*args)


# --------------------------------------------------------------------------- repr, name
@pytest.mark.parametrize("sched,text", [
    (ExponentialDecay(0.1, 10, 0.5),
     "ExponentialDecay(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, "
     "staircase=False)"),
    (ExponentialDecay(0.1, 10, 0.5, name=None),
     "ExponentialDecay(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, "
     "staircase=False)"),
    (PiecewiseConstantDecay((10, 20.5), (0.1, 0.01, 0.001), "steps"),
     "PiecewiseConstantDecay(boundaries=[10, 20.5], values=[0.1, 0.01, 0.001], "
     "name='steps')"),
    (PolynomialDecay(0.1, 20),
     "PolynomialDecay(initial_learning_rate=0.1, decay_steps=20, end_learning_rate=0.0001, "
     "power=1.0, cycle=False)"),
    (InverseTimeDecay(1, 2.5, 1),
     "InverseTimeDecay(initial_learning_rate=1.0, decay_steps=2.5, decay_rate=1.0, "
     "staircase=False)"),
    (CosineDecay(0.0, 15, 0.0, "cd", 0.1, 5),
     "CosineDecay(initial_learning_rate=0.0, decay_steps=15, alpha=0.0, name='cd', "
     "warmup_target=0.1, warmup_steps=5)"),
    (CosineDecayRestarts(0.1, 10, name="SGDRDecay"),
     "CosineDecayRestarts(initial_learning_rate=0.1, first_decay_steps=10, t_mul=2.0, "
     "m_mul=1.0, alpha=0.0)"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_repr_is_the_peer_style_call_with_name_only_when_not_the_default(sched, text):
    assert repr(sched) == text


def test_name_is_stored_as_given():
    assert CosineDecay(0.1, 10).name == "CosineDecay"
    assert CosineDecay(0.1, 10, name=None).name is None
    assert CosineDecayRestarts(0.1, 10).name == "SGDRDecay"
    assert PiecewiseConstantDecay([1], [0.1, 0.2]).name == "PiecewiseConstant"
    assert ExponentialDecay(0.1, 10, 0.5, name="lr").name == "lr"


def _classes(sched):
    yield type(sched)
    for child in sched._children():
        yield from _classes(child)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_core_is_update_aligned_and_made_of_public_classes(case):
    sched = build(case)
    assert type(sched.core) is mxsched.Delay and sched.core.length == 1
    classes = set(_classes(sched.core))
    assert all(getattr(mxsched, cls.__name__, None) is cls for cls in classes), classes
    assert sched.momentum is None


@pytest.mark.parametrize("case,core", [
    (CASES[0], "Delay(schedule=ExponentialDecay(max_lr=0.1, length=10.0, factor=0.5, "
               "staircase=False), length=1)"),
    (CASES[5], "Delay(schedule=Join(schedules=[Constant(lr=0.1), Constant(lr=0.01), "
               "Constant(lr=0.001)], boundaries=[11, 21]), length=1)"),
    (CASES[14], "Delay(schedule=Envelope(schedule=Constant(lr=0.0), "
                "envelope=PolynomialDecay(min_lr=0.0, max_lr=1.0, length=10, power=2.0, "
                "cycle=False), min_lr=0.1), length=1)"),
    (CASES[26], "Delay(schedule=LinearWarmUp(schedule=CosineAnnealing(min_lr=0.020000000000000004, "
                "max_lr=0.1, cycle_length=10), start_lr=0.01, length=7), length=1)"),
    (CASES[27], "Delay(schedule=InUnits(schedule=CosineAnnealing(min_lr=0.0, max_lr=0.1, "
                "cycle_length=1), updates_per_unit=12.5, stepwise=False, "
                "unit='decay_steps'), length=1)"),
    (CASES[34], "Delay(schedule=Restarts(schedule=CosineAnnealing(min_lr=0.0, max_lr=0.1, "
                "cycle_length=10), cycle_length=10, cycle_length_decay=2.0), length=1)"),
], ids=lambda x: case_id(x) if isinstance(x, tuple) else "")
def test_what_the_cores_are_made_of(case, core):
    assert repr(build(case).core) == core


# --------------------------------------------------------------------------- properties
INSTANCES = [cls.example() for cls in REF] + [build(c) for c in CASES]
IDS = [f"example-{cls.__name__}" for cls in REF] + [case_id(c) for c in CASES]


def test_configs_know_the_six_drop_ins_and_nothing_else_of_the_module():
    names = sorted(n for n in registered() if n.startswith("keras."))
    assert names == sorted(f"keras.{cls.__name__}" for cls in REF)
    assert sorted(keras.__all__) == sorted(cls.__name__ for cls in REF)


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_pickles_through_protocol_0_as_utf8(sched):
    text = pickle.dumps(sched, protocol=0).decode("utf-8")
    back = pickle.loads(text.encode("utf-8"))
    assert back == sched and type(back) is type(sched) and back.name == (
        sched.name or inspect.signature(type(sched)).parameters["name"].default)
    steps = np.arange(0, 800)
    assert np.array_equal(back.values(steps), sched.values(steps))


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_round_trips_through_a_json_config(sched):
    cfg = json.loads(json.dumps(sched.get_config(), allow_nan=False))
    assert cfg["class"] == f"keras.{type(sched).__name__}"
    back = from_config(cfg)
    assert back == sched and repr(back) == repr(sched)
    steps = np.arange(0, 800)
    assert np.array_equal(back.values(steps), sched.values(steps))


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_scalar_equals_values_and_stays_within_0_and_base_lr(sched):
    steps = np.concatenate([np.arange(0, 800), np.arange(0, 80, 0.37), [10 ** 6, 2 ** 40]])
    scalar = [sched(float(t)) for t in steps]
    assert all(isinstance(v, float) for v in scalar)
    got = sched.values(steps)
    np.testing.assert_allclose(got, scalar, rtol=1e-12, atol=1e-15)
    assert np.all(np.isfinite(got)) and got.min() >= 0
    assert got.max() <= sched.base_lr


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_assigning_base_lr_rescales_every_learning_rate(sched):
    steps = np.arange(0, 800)
    before, peak = sched.values(steps), sched.base_lr
    scaled = pickle.loads(pickle.dumps(sched))  # a copy: the instance is shared
    scaled.base_lr = 3 * peak
    assert scaled.base_lr == pytest.approx(3 * peak, rel=1e-12)
    np.testing.assert_allclose(scaled.values(steps), 3 * before, rtol=1e-12, atol=1e-15)
    for name in type(sched)._lr_params:  # the peer-style arguments follow
        attr = "lr_values" if name == "values" else name
        old, new = getattr(sched, attr), getattr(scaled, attr)
        if old is not None:
            assert np.allclose(new, 3 * np.asarray(old), rtol=1e-12, atol=0)


def test_the_drop_ins_are_immutable():
    sched = CosineDecay(0.1, 10)
    with pytest.raises(AttributeError, match="immutable"):
        sched.decay_steps = 20


# --------------------------------------------------------------------------- Trainer
def applied_lrs(sched, updates, grad=0.5):
    """What gluon.Trainer applies at each update, read back from a one-weight model.

    Plain SGD, loss = w * grad: the weight, reset to 0 before each update, becomes
    ``-float32(lr_k) * grad``.
    """
    net = gluon.nn.Dense(1, use_bias=False, in_units=1)
    net.initialize(mx.init.Zero(), ctx=mx.cpu())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"lr_scheduler": sched})
    x = mx.nd.full((1, 1), grad)
    lrs = []
    for _ in range(updates):
        with autograd.record():
            loss = net(x).sum()
        loss.backward()
        trainer.step(1)
        lrs.append(-net.weight.data().asnumpy().item() / grad)
        net.weight.set_data(mx.nd.zeros((1, 1)))
    return np.array(lrs)


def test_trainer_applies_kerass_rate_at_every_update():
    kwargs = dict(initial_learning_rate=0.0, decay_steps=8, alpha=0.1, warmup_target=0.1,
                  warmup_steps=4)
    n = 16
    sched = CosineDecay(**kwargs)
    got = applied_lrs(sched, n)
    np.testing.assert_array_equal(got, np.float32([sched(k) for k in range(1, n + 1)]))
    want = ref.cosine_decay(**kwargs, n=n)
    np.testing.assert_allclose(got, np.float32(want), rtol=1e-6, atol=0)
    assert got[0] == 0.0 and got[4] == np.float32(0.1)         # step 0, step W = 4
    assert got[12:].tolist() == [np.float32(0.01).item()] * 4   # floor from step W + D
