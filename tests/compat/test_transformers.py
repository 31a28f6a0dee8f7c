"""The Hugging Face transformers drop-ins, update for update, against the peer's source.

The expected values come from ``tests/reference/transformers.py``, a plain-Python
transcription of transformers' ``optimization.py`` on PyTorch's ``LambdaLR`` (update
``k`` uses ``lr * lr_lambda(k - 1)``). Every drop-in is compared at every update, well
past ``num_training_steps``, for several parameter sets including the peer's defaults,
to a relative 1e-12 (the formulas are closed forms, nothing accumulates).
"""
import json
import math
import pickle
import re
import warnings

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

import mxsched
from mxsched import from_config
from mxsched.compat import transformers as hf
from mxsched.compat._base import DropIn

from conftest import assert_lrs
from reference import transformers as ref

LINEAR = "get_linear_schedule_with_warmup"
COSINE = "get_cosine_schedule_with_warmup"
RESTARTS = "get_cosine_with_hard_restarts_schedule_with_warmup"
POLY = "get_polynomial_decay_schedule_with_warmup"
INV_SQRT = "get_inverse_sqrt_schedule"
MIN_LR = "get_cosine_with_min_lr_schedule_with_warmup"
LR_RATE = "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
WSD = "get_wsd_schedule"

# (function, keyword arguments, updates compared); the first set of each uses the
# peer's defaults for every optional argument.
CASES = [
    ("get_constant_schedule", dict(lr=5e-5), 30),
    ("get_constant_schedule", dict(lr=0.1), 30),
    ("get_constant_schedule", dict(lr=1.0), 30),
    ("get_constant_schedule_with_warmup", dict(lr=5e-5, num_warmup_steps=10), 40),
    ("get_constant_schedule_with_warmup", dict(lr=0.1, num_warmup_steps=0), 20),
    ("get_constant_schedule_with_warmup", dict(lr=1.0, num_warmup_steps=1), 20),
    ("get_constant_schedule_with_warmup", dict(lr=0.3, num_warmup_steps=7), 30),
    (LINEAR, dict(lr=5e-5, num_warmup_steps=10, num_training_steps=100), 250),
    (LINEAR, dict(lr=1.0, num_warmup_steps=0, num_training_steps=7), 30),
    (LINEAR, dict(lr=0.3, num_warmup_steps=5, num_training_steps=5), 20),   # T == W
    (LINEAR, dict(lr=0.2, num_warmup_steps=8, num_training_steps=3), 20),   # T < W
    (LINEAR, dict(lr=0.1, num_warmup_steps=1, num_training_steps=2), 10),
    (LINEAR, dict(lr=1.0, num_warmup_steps=0, num_training_steps=0), 10),
    (COSINE, dict(lr=5e-5, num_warmup_steps=10, num_training_steps=100), 400),
    (COSINE, dict(lr=1.0, num_warmup_steps=0, num_training_steps=4), 40),
    (COSINE, dict(lr=0.1, num_warmup_steps=3, num_training_steps=50, num_cycles=2.0), 200),
    (COSINE, dict(lr=0.1, num_warmup_steps=3, num_training_steps=50, num_cycles=0.3), 200),
    (COSINE, dict(lr=0.5, num_warmup_steps=6, num_training_steps=2), 30),   # T < W
    (RESTARTS, dict(lr=5e-5, num_warmup_steps=10, num_training_steps=100), 250),
    (RESTARTS, dict(lr=1.0, num_warmup_steps=10, num_training_steps=100, num_cycles=3), 250),
    (RESTARTS, dict(lr=1.0, num_warmup_steps=4, num_training_steps=24, num_cycles=3), 80),
    (RESTARTS, dict(lr=0.1, num_warmup_steps=0, num_training_steps=37, num_cycles=5), 80),
    (RESTARTS, dict(lr=0.1, num_warmup_steps=2, num_training_steps=30, num_cycles=2.5), 80),
    (RESTARTS, dict(lr=0.1, num_warmup_steps=2, num_training_steps=30, num_cycles=0.5), 80),
    (RESTARTS, dict(lr=0.1, num_warmup_steps=0, num_training_steps=40, num_cycles=0.3), 80),
    (RESTARTS, dict(lr=0.1, num_warmup_steps=5, num_training_steps=3, num_cycles=2), 20),
    (POLY, dict(lr=5e-5, num_warmup_steps=10, num_training_steps=100), 250),
    (POLY, dict(lr=1.0, num_warmup_steps=0, num_training_steps=10, lr_end=0.2, power=2.0), 40),
    (POLY, dict(lr=0.5, num_warmup_steps=5, num_training_steps=20, lr_end=0.0, power=0.5), 60),
    (POLY, dict(lr=0.1, num_warmup_steps=3, num_training_steps=10, lr_end=0.01, power=0.0), 30),
    (POLY, dict(lr=0.1, num_warmup_steps=10, num_training_steps=4, lr_end=0.001), 30),  # T < W
    (INV_SQRT, dict(lr=5e-5, num_warmup_steps=10), 500),
    (INV_SQRT, dict(lr=0.1, num_warmup_steps=0), 500),                     # timescale 10000
    (INV_SQRT, dict(lr=1.0, num_warmup_steps=5, timescale=2.5), 300),
    (INV_SQRT, dict(lr=0.01, num_warmup_steps=0, timescale=3), 300),
    (MIN_LR, dict(lr=5e-5, num_warmup_steps=10, num_training_steps=100, min_lr_rate=0.1), 400),
    (MIN_LR, dict(lr=1.0, num_warmup_steps=0, num_training_steps=8, min_lr=0.25), 40),
    (MIN_LR, dict(lr=0.5, num_warmup_steps=4, num_training_steps=20, num_cycles=1.5,
                  min_lr_rate=0.0), 80),
    (MIN_LR, dict(lr=0.2, num_warmup_steps=5, num_training_steps=2, min_lr_rate=0.5), 20),
    (LR_RATE, dict(lr=5e-5, num_warmup_steps=10, num_training_steps=100, min_lr_rate=0.1),
     400),
    (LR_RATE, dict(lr=1.0, num_warmup_steps=0, num_training_steps=8, min_lr=0.25), 40),
    (LR_RATE, dict(lr=1.0, num_warmup_steps=5, num_training_steps=30, min_lr_rate=0.05,
                   warmup_lr_rate=0.2), 100),
    (LR_RATE, dict(lr=1.0, num_warmup_steps=1, num_training_steps=10, min_lr_rate=0.1,
                   warmup_lr_rate=0.3), 40),
    (LR_RATE, dict(lr=0.1, num_warmup_steps=1, num_training_steps=10, min_lr_rate=0.1), 40),
    (LR_RATE, dict(lr=0.1, num_warmup_steps=8, num_training_steps=3, min_lr_rate=0.2,
                   num_cycles=1.0), 30),                                     # T < W
    (WSD, dict(lr=5e-5, num_warmup_steps=10, num_decay_steps=20, num_training_steps=100), 150),
    (WSD, dict(lr=1.0, num_warmup_steps=2, num_decay_steps=3, num_training_steps=8,
               decay_type="linear", min_lr_ratio=0.1), 20),
    (WSD, dict(lr=1.0, num_warmup_steps=5, num_decay_steps=10, num_stable_steps=7,
               warmup_type="cosine", decay_type="1-sqrt", min_lr_ratio=0.2), 40),
    (WSD, dict(lr=1.0, num_warmup_steps=4, num_decay_steps=6, num_training_steps=30,
               warmup_type="1-sqrt", num_cycles=1.0, min_lr_ratio=0.05), 50),
    (WSD, dict(lr=0.3, num_warmup_steps=0, num_decay_steps=0, num_stable_steps=5), 20),
    (WSD, dict(lr=0.3, num_warmup_steps=3, num_decay_steps=4, num_training_steps=9,
               num_stable_steps=0), 20),                                    # S wins over T
]

ALL_FUNCTIONS = sorted({name for name, _, _ in CASES})


def build(module, name, kwargs, **extra):
    """``module.name(**kwargs)``, without the warning both functions give when both
    ``num_training_steps`` and ``num_stable_steps`` are given (tested on its own)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Both num_training_steps and num_stable")
        return getattr(module, name)(**kwargs, **extra)


def case_id(case):
    name, kwargs, _ = case
    short = name.replace("get_", "").replace("_schedule", "").replace("_with_warmup", "")
    return short + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items() if k != "lr")


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_every_update_is_the_peers(case):
    name, kwargs, n = case
    sched = build(hf, name, kwargs)
    want = build(ref, name, kwargs, n=n)              # lr of updates 1..n
    assert_lrs(sched, want, steps=range(1, n + 1))


@pytest.mark.parametrize("name", ALL_FUNCTIONS)
def test_every_function_has_three_parameter_sets(name):
    assert sum(case[0] == name for case in CASES) >= 3


@pytest.mark.parametrize("name,kwargs,expected", [
    # the values read off the real peer, as the reference notes record them
    (COSINE, dict(lr=1.0, num_warmup_steps=0, num_training_steps=4),
     [1, .8535533905932737, .5, .14644660940672627, 0, .14644660940672616, .5, .85355339, 1]),
    (WSD, dict(lr=1.0, num_warmup_steps=2, num_decay_steps=3, num_training_steps=8,
               decay_type="linear", min_lr_ratio=0.1), [.1, .55, 1, 1, 1, 1, .7, .4, .1, .1]),
    (LINEAR, dict(lr=1.0, num_warmup_steps=2, num_training_steps=4), [0, .5, 1, .5, 0, 0]),
])
def test_known_curves(name, kwargs, expected):
    sched = build(hf, name, kwargs)
    np.testing.assert_allclose([sched(k) for k in range(1, len(expected) + 1)], expected,
                               rtol=1e-8, atol=1e-15)


@pytest.mark.parametrize("name,kwargs,end,after", [
    (LINEAR, dict(lr=0.1, num_warmup_steps=10, num_training_steps=100), 100, 0.0),
    (RESTARTS, dict(lr=0.1, num_warmup_steps=10, num_training_steps=100, num_cycles=3), 100,
     0.0),
    (POLY, dict(lr=0.1, num_warmup_steps=10, num_training_steps=100, lr_end=0.01), 100, 0.01),
    (WSD, dict(lr=0.1, num_warmup_steps=10, num_decay_steps=20, num_training_steps=100,
               min_lr_ratio=0.2), 100, 0.02),
])
def test_held_past_the_end(name, kwargs, end, after):
    sched = build(hf, name, kwargs)
    tail = sched.values(np.arange(end + 1, end + 10 ** 5, 997))
    np.testing.assert_allclose(tail, after, rtol=1e-12, atol=1e-18)


def test_the_cosines_rise_again_and_the_inverse_sqrt_keeps_decaying():
    for name, kwargs in [(COSINE, {}), (MIN_LR, dict(min_lr_rate=0.1)),
                         (LR_RATE, dict(min_lr_rate=0.1))]:
        sched = getattr(hf, name)(0.1, 10, 100, **kwargs)
        # past the end the wave climbs back to lr at progress 2 (update 191 or 190)
        assert max(sched(k) for k in range(185, 196)) == pytest.approx(0.1, rel=1e-12)
    inv = hf.get_inverse_sqrt_schedule(0.1, 10)
    values = inv.values(np.arange(11, 10 ** 6, 1000))
    assert np.all(np.diff(values) < 0) and values[-1] < 0.001


def test_hard_restarts_restart_at_the_exact_step_where_the_peers_rounding_misses_it():
    """A deliberate difference, listed in the module docstring: the peer computes
    ``(num_cycles * progress) % 1`` in floats; for num_cycles=22 over 22 updates,
    22 * (15 / 22) is 14.999999999999998, so the peer shows the end of cycle 14 (about
    0) where cycle 15 starts. The drop-in restarts there; every other update agrees."""
    kwargs = dict(lr=1.0, num_warmup_steps=0, num_training_steps=22, num_cycles=22)
    sched = hf.get_cosine_with_hard_restarts_schedule_with_warmup(**kwargs)
    want = ref.get_cosine_with_hard_restarts_schedule_with_warmup(**kwargs, n=40)
    got = [sched(k) for k in range(1, 41)]
    differ = [k for k in range(1, 41) if not math.isclose(got[k - 1], want[k - 1],
                                                          rel_tol=1e-12, abs_tol=1e-15)]
    assert differ == [16]
    assert got[15] == 1.0 and want[15] < 1e-15
    assert 22 * (15 / 22) < 15


# --------------------------------------------------------------------------- get_scheduler
SCHEDULER_CASES = [
    ("linear", 10, 100, None),
    ("cosine", 10, 100, dict(num_cycles=1.5)),
    ("cosine_with_restarts", 10, 100, dict(num_cycles=3)),
    ("polynomial", 10, 100, dict(lr_end=1e-4, power=2.0)),
    ("constant", None, None, dict(anything="ignored")),
    ("constant_with_warmup", 10, None, dict(anything="ignored")),
    ("inverse_sqrt", 10, 100, dict(timescale=50)),
    ("cosine_with_min_lr", 10, 100, dict(min_lr=1e-3)),
    ("cosine_warmup_with_min_lr", 10, 100, dict(min_lr_rate=0.05, warmup_lr_rate=0.1)),
    ("warmup_stable_decay", 10, 100, dict(num_decay_steps=30, decay_type="1-sqrt")),
    ("warmup_stable_decay", 10, None, dict(num_decay_steps=30, num_stable_steps=40)),
]


@pytest.mark.parametrize("name,warmup,training,kwargs", SCHEDULER_CASES)
def test_get_scheduler_is_the_peers(name, warmup, training, kwargs):
    sched = hf.get_scheduler(name, 0.1, warmup, training, kwargs)
    want = ref.get_scheduler(name, 0.1, warmup, training, kwargs, n=300)
    assert_lrs(sched, want, steps=range(1, 301))
    assert repr(sched).startswith(ref.TYPE_TO_SCHEDULER_FUNCTION[name] + "(")


def test_get_scheduler_takes_the_enum_too():
    by_member = hf.get_scheduler(hf.SchedulerType.COSINE, 0.1, 10, 100)
    assert by_member == hf.get_scheduler("cosine", 0.1, 10, 100)
    assert by_member == hf.get_cosine_schedule_with_warmup(0.1, 10, 100)


def test_the_scheduler_names_and_table_are_the_peers():
    assert tuple(member.value for member in hf.SchedulerType) == ref.SCHEDULER_TYPES
    assert {m.value: m.name for m in hf.SchedulerType} == ref.SCHEDULER_TYPE_MEMBERS
    table = {member.value: None if func is None else func.__name__
             for member, func in hf.TYPE_TO_SCHEDULER_FUNCTION.items()}
    metric_driven = {"reduce_lr_on_plateau", "greedy"}
    assert table == {name: None if name in metric_driven else func
                     for name, func in ref.TYPE_TO_SCHEDULER_FUNCTION.items()}


# --------------------------------------------------------------------------- peer errors
def peer_error(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


PEER_ERRORS = [
    ("poly lr_end == lr", POLY, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5,
                                     lr_end=0.1)),
    ("poly lr_end > lr", POLY, dict(lr=1e-8, num_warmup_steps=1, num_training_steps=5)),
    ("poly lr_end nan", POLY, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5,
                                   lr_end=math.nan)),
    ("min_lr both", MIN_LR, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5,
                                 min_lr=0.01, min_lr_rate=0.1)),
    ("min_lr neither", MIN_LR, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5)),
    ("lr_rate both", LR_RATE, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5,
                                   min_lr=0.01, min_lr_rate=0.1)),
    ("lr_rate neither", LR_RATE, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5)),
    ("wsd neither T nor S", WSD, dict(lr=0.1, num_warmup_steps=1, num_decay_steps=2)),
    ("wsd bad warmup", WSD, dict(lr=0.1, num_warmup_steps=1, num_decay_steps=2,
                                 num_training_steps=9, warmup_type="exp")),
    ("wsd bad decay", WSD, dict(lr=0.1, num_warmup_steps=1, num_decay_steps=2,
                                num_training_steps=9, decay_type="Linear")),
]


@pytest.mark.parametrize("what,name,kwargs", PEER_ERRORS, ids=[e[0] for e in PEER_ERRORS])
def test_errors_are_the_peers(what, name, kwargs):
    kind, message = peer_error(lambda: build(ref, name, kwargs, n=10))
    assert kind is ValueError
    with pytest.raises(kind, match="^" + re.escape(message) + "$"):
        build(hf, name, kwargs)


GET_SCHEDULER_ERRORS = [
    ("bad name", ("Linear", 0.1, 10, 100), ValueError),
    ("no warmup", ("cosine", 0.1, None, 100), ValueError),
    ("no training steps", ("linear", 0.1, 10, None), ValueError),
    ("no training steps, polynomial", ("polynomial", 0.1, 10, None), ValueError),
    ("bad kwarg", ("linear", 0.1, 10, 100, dict(num_cycles=2)), TypeError),
    ("wsd without decay steps", ("warmup_stable_decay", 0.1, 10, 100), TypeError),
    ("kwarg repeating W", ("cosine", 0.1, 10, 100, dict(num_warmup_steps=3)), TypeError),
]


@pytest.mark.parametrize("what,args,kind", GET_SCHEDULER_ERRORS,
                         ids=[e[0] for e in GET_SCHEDULER_ERRORS])
def test_get_scheduler_errors_are_the_peers(what, args, kind):
    peer_kind, message = peer_error(lambda: ref.get_scheduler(*args, n=5))
    assert peer_kind is kind
    with pytest.raises(kind) as info:
        hf.get_scheduler(*args)
    # Python names the function with its module in some TypeErrors: compare the rest
    assert without_module(str(info.value)) == without_module(message)


def without_module(message):
    return re.sub(r"^[\w.]+\.(get_\w+\(\))", r"\1", message)


def test_the_get_scheduler_message_names_the_enum_member_as_the_peer_formats_it():
    with pytest.raises(ValueError, match=r"^SchedulerType\.COSINE_WITH_MIN_LR requires "
                                         r"`num_warmup_steps`, please provide that argument\.$"):
        hf.get_scheduler("cosine_with_min_lr", 0.1)


@pytest.mark.parametrize("module", [hf, ref], ids=["drop-in", "reference"])
def test_wsd_warns_as_the_peer_when_both_lengths_are_given(module):
    extra = {} if module is hf else {"n": 3}
    with pytest.warns(UserWarning, match=r"^Both num_training_steps and num_stable_steps are "
                                         r"specified\. num_stable_steps will be used\.$"):
        module.get_wsd_schedule(0.1, 1, 2, num_training_steps=10, num_stable_steps=3, **extra)


def test_no_warning_when_a_wsd_schedule_is_rebuilt():
    with pytest.warns(UserWarning):
        sched = hf.get_wsd_schedule(0.1, 1, 2, num_training_steps=10, num_stable_steps=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(sched))
        from_config(sched.get_config())
        sched.base_lr = 0.2


# --------------------------------------------------------------------------- own errors
@pytest.mark.parametrize("what,name,kwargs,peer", [
    ("poly T == W == 0", POLY, dict(lr=0.1, num_warmup_steps=0, num_training_steps=0),
     ZeroDivisionError),
    ("poly T == W", POLY, dict(lr=0.1, num_warmup_steps=5, num_training_steps=5),
     ZeroDivisionError),
    ("poly power < 0", POLY, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5,
                                  power=-1.0), ZeroDivisionError),
    ("timescale 0", INV_SQRT, dict(lr=0.1, num_warmup_steps=3, timescale=0),
     ZeroDivisionError),
    ("min_lr with lr 0", MIN_LR, dict(lr=0.0, num_warmup_steps=1, num_training_steps=5,
                                      min_lr=0.0), ZeroDivisionError),
])
def test_what_fails_later_in_the_peer_fails_at_construction(what, name, kwargs, peer):
    with pytest.raises(peer):               # inside the peer's loop (scheduler.step())
        build(ref, name, kwargs, n=10)
    with pytest.raises(ValueError, match=r"must be|must differ"):
        build(hf, name, kwargs)


OWN_ERRORS = [
    (POLY, dict(lr=0.1, num_warmup_steps=5, num_training_steps=5), ValueError,
     r"num_training_steps must differ from num_warmup_steps=5 .* got 5"),
    (POLY, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5, power=-1.0), ValueError,
     r"power must be >= 0 .* got -1.0"),
    (POLY, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5, lr_end=-0.1), ValueError,
     r"lr_end must be a finite, non-negative learning rate, got -0.1"),
    (POLY, dict(lr="0.1", num_warmup_steps=1, num_training_steps=5), TypeError,
     r"lr must be a real number, got '0.1'"),
    (INV_SQRT, dict(lr=0.1, num_warmup_steps=3, timescale=0), ValueError,
     r"timescale must be a finite number > 0, got 0"),
    (INV_SQRT, dict(lr=0.1, num_warmup_steps=3, timescale=-4), ValueError,
     r"timescale must be a finite number > 0, got -4"),
    (MIN_LR, dict(lr=0.0, num_warmup_steps=1, num_training_steps=5, min_lr=0.0), ValueError,
     r"lr must be > 0 when min_lr is given .* got 0.0"),
    (MIN_LR, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5, min_lr=0.2), ValueError,
     r"min_lr must be in \[0, lr=0.1\], got 0.2"),
    (MIN_LR, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5, min_lr_rate=1.5),
     ValueError, r"min_lr_rate must be in \[0, 1\], got 1.5"),
    (LR_RATE, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5, min_lr_rate=-0.1),
     ValueError, r"min_lr_rate must be in \[0, 1\], got -0.1"),
    (LR_RATE, dict(lr=0.1, num_warmup_steps=3, num_training_steps=5, min_lr_rate=0.1,
                   warmup_lr_rate=-1.0), ValueError,
     r"warmup_lr_rate must be a finite, non-negative learning rate, got -1.0"),
    (COSINE, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5, num_cycles=0), ValueError,
     r"num_cycles must be a finite number > 0, got 0"),
    (RESTARTS, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5, num_cycles=-1),
     ValueError, r"num_cycles must be a finite number > 0, got -1"),
    (LINEAR, dict(lr=0.1, num_warmup_steps=-1, num_training_steps=5), ValueError,
     r"num_warmup_steps must be a non-negative integer, got -1"),
    (LINEAR, dict(lr=0.1, num_warmup_steps=2, num_training_steps=5.0), TypeError,
     r"num_training_steps must be a non-negative integer, got 5.0"),
    (LINEAR, dict(lr=-0.1, num_warmup_steps=2, num_training_steps=5), ValueError,
     r"lr must be a finite, non-negative learning rate, got -0.1"),
    (LINEAR, dict(lr=0.1, num_warmup_steps=2, num_training_steps=5, last_epoch=3), ValueError,
     r"last_epoch must be -1: .* got 3"),
    ("get_constant_schedule", dict(lr=0.1, last_epoch="x"), TypeError,
     r"last_epoch must be an integer >= -1, got 'x'"),
    (WSD, dict(lr=0.1, num_warmup_steps=5, num_decay_steps=5, num_training_steps=8),
     ValueError, r"num_training_steps must be >= num_warmup_steps \+ num_decay_steps = 10 "
                 r".* got 8"),
    (WSD, dict(lr=0.1, num_warmup_steps=5, num_decay_steps=5, num_stable_steps=-1),
     ValueError, r"num_stable_steps must be a non-negative integer, got -1"),
    (WSD, dict(lr=0.1, num_warmup_steps=5, num_decay_steps=5, num_stable_steps=3,
               min_lr_ratio=1.5), ValueError, r"min_lr_ratio must be in \[0, 1\], got 1.5"),
    (WSD, dict(lr=0.1, num_warmup_steps=5, num_decay_steps=5, num_stable_steps=3,
               num_cycles=0.0), ValueError, r"num_cycles must be a finite number > 0"),
]


@pytest.mark.parametrize("name,kwargs,kind,message", OWN_ERRORS)
def test_checks_of_our_own_name_the_argument_and_the_value(name, kwargs, kind, message):
    with pytest.raises(kind, match=message):
        build(hf, name, kwargs)


@pytest.mark.parametrize("name", ["reduce_lr_on_plateau", "greedy",
                                  hf.SchedulerType.REDUCE_ON_PLATEAU])
def test_metric_driven_names_are_a_clear_error(name):
    with pytest.raises(ValueError, match=r"driven by a metric .*mxsched\.gluon\."
                                         r"ReduceLROnPlateau"):
        hf.get_scheduler(name, 0.1, 10, 100)


# --------------------------------------------------------------------------- objects
def all_schedules():
    out = [(case_id(c), build(hf, c[0], c[1])) for c in CASES]
    out += [(f"{cls.__name__}.example", cls.example()) for cls in DROP_IN_CLASSES]
    return out


DROP_IN_CLASSES = sorted({type(build(hf, c[0], c[1])) for c in CASES},
                         key=lambda cls: cls.__name__)
SCHEDULES = all_schedules()


def test_every_function_returns_a_drop_in_named_after_it():
    for name in ALL_FUNCTIONS:
        sched = build(hf, name, next(c[1] for c in CASES if c[0] == name))
        assert isinstance(sched, DropIn)
        assert type(sched)._peer_name == name
        assert repr(sched).startswith(name + "(")
        assert sched.get_config()["class"] == f"transformers.{name}"
        assert sched.momentum is None
    assert len(DROP_IN_CLASSES) == len(ALL_FUNCTIONS) == 10


@pytest.mark.parametrize("name,kwargs,text", [
    (LINEAR, dict(lr=0.1, num_warmup_steps=10, num_training_steps=100),
     "get_linear_schedule_with_warmup(lr=0.1, num_warmup_steps=10, num_training_steps=100)"),
    ("get_constant_schedule", dict(lr=0.1), "get_constant_schedule(lr=0.1)"),
    (POLY, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5),
     "get_polynomial_decay_schedule_with_warmup(lr=0.1, num_warmup_steps=1, "
     "num_training_steps=5, lr_end=1e-07, power=1.0)"),
    (INV_SQRT, dict(lr=0.1, num_warmup_steps=0),
     "get_inverse_sqrt_schedule(lr=0.1, num_warmup_steps=0, timescale=None)"),
    (MIN_LR, dict(lr=0.1, num_warmup_steps=1, num_training_steps=5, min_lr=0.01),
     "get_cosine_with_min_lr_schedule_with_warmup(lr=0.1, num_warmup_steps=1, "
     "num_training_steps=5, num_cycles=0.5, min_lr=0.01, min_lr_rate=None)"),
    (WSD, dict(lr=0.1, num_warmup_steps=1, num_decay_steps=2, num_training_steps=9),
     "get_wsd_schedule(lr=0.1, num_warmup_steps=1, num_decay_steps=2, num_training_steps=9, "
     "num_stable_steps=None, warmup_type='linear', decay_type='cosine', min_lr_ratio=0.0, "
     "num_cycles=0.5)"),
])
def test_repr_is_the_peer_style_call(name, kwargs, text):
    assert repr(build(hf, name, kwargs)) == text


def test_positional_order_is_the_peers_with_lr_for_the_optimizer():
    by_position = hf.get_cosine_with_min_lr_schedule_with_warmup(0.1, 10, 100, 1.5, -1, None,
                                                                 0.2)
    assert by_position == hf.get_cosine_with_min_lr_schedule_with_warmup(
        lr=0.1, num_warmup_steps=10, num_training_steps=100, num_cycles=1.5, min_lr_rate=0.2)
    wsd = hf.get_wsd_schedule(0.1, 10, 20, 100, None, "cosine", "linear", 0.1, 0.5, -1)
    assert wsd.num_decay_steps == 20 and wsd.decay_type == "linear"


def _public_classes(sched):
    yield type(sched)
    for child in sched._children():
        yield from _public_classes(child)


@pytest.mark.parametrize("label,sched", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_the_core_is_made_of_public_classes(label, sched):
    classes = set(_public_classes(sched.core))
    assert all(cls.__name__ in mxsched.__all__ and getattr(mxsched, cls.__name__) is cls
               for cls in classes), classes


@pytest.mark.parametrize("label,sched", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_pickles_as_mxnet_sends_it_to_a_parameter_server(label, sched):
    text = pickle.dumps(sched, protocol=0).decode("utf-8")
    back = pickle.loads(text.encode("utf-8"))
    assert back == sched and type(back) is type(sched)
    steps = np.arange(0, 400)
    np.testing.assert_array_equal(back.values(steps), sched.values(steps))


@pytest.mark.parametrize("label,sched", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_config_round_trip(label, sched):
    cfg = json.loads(json.dumps(sched.get_config()))
    back = from_config(cfg)
    assert back == sched and repr(back) == repr(sched)
    steps = np.arange(0, 400)
    np.testing.assert_array_equal(back.values(steps), sched.values(steps))


@pytest.mark.parametrize("label,sched", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_scalar_equals_values_and_stays_within_base_lr(label, sched):
    steps = np.concatenate([np.arange(0, 500), np.arange(0, 60, 0.37), [10 ** 6, 2 ** 40]])
    scalar = np.array([sched(float(t)) for t in steps])
    vector = sched.values(steps)
    np.testing.assert_allclose(scalar, vector, rtol=1e-12, atol=1e-15)
    assert np.all(vector >= 0) and np.all(vector <= sched.base_lr)
    assert np.all(np.isfinite(vector))


@pytest.mark.parametrize("label,sched", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_assigning_base_lr_rescales_every_value(label, sched):
    steps = np.arange(0, 300)
    before, peak = sched.values(steps), sched.base_lr
    if peak == 0:  # 0 everywhere: nothing to rescale proportionally, a clear error
        with pytest.raises(ValueError, match="base_lr cannot be set"):
            sched.base_lr = 1.0
        return
    scaled = pickle.loads(pickle.dumps(sched))
    scaled.base_lr = 3 * peak
    assert scaled.base_lr == pytest.approx(3 * peak, rel=1e-12)
    assert scaled.lr == pytest.approx(3 * sched.lr, rel=1e-12)
    np.testing.assert_allclose(scaled.values(steps), 3 * before, rtol=1e-9, atol=1e-15)


def test_the_only_schedule_without_a_peak_is_the_one_that_is_zero_everywhere():
    zero = [label for label, sched in SCHEDULES if sched.base_lr == 0]
    assert zero == [case_id((LINEAR, dict(lr=1.0, num_warmup_steps=0, num_training_steps=0),
                             10))]


def test_the_drop_ins_are_immutable():
    sched = hf.get_linear_schedule_with_warmup(0.1, 10, 100)
    with pytest.raises(AttributeError, match="immutable"):
        sched.num_training_steps = 10


# --------------------------------------------------------------------------- Trainer
def applied_lrs(sched, updates):
    """The learning rate of each update, read from a one-weight model: plain SGD with
    gradient exactly 1 from w = 0 moves the weight by -float32(lr_k)."""
    net = gluon.nn.Dense(1, use_bias=False, in_units=1)
    net.initialize(mx.init.Zero(), ctx=mx.cpu())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"lr_scheduler": sched})
    x = mx.nd.ones((1, 1))
    lrs = []
    for _ in range(updates):
        with autograd.record():
            loss = net(x).sum()
        loss.backward()
        trainer.step(1)
        lrs.append(-net.weight.data().asnumpy().item())
        net.weight.set_data(mx.nd.zeros((1, 1)))
    return np.array(lrs)


def test_a_trainer_applies_the_peers_rate_at_every_update():
    kwargs = dict(lr=0.1, num_warmup_steps=4, num_training_steps=12)
    sched = hf.get_linear_schedule_with_warmup(**kwargs)
    got = applied_lrs(hf.get_linear_schedule_with_warmup(**kwargs), 16)
    np.testing.assert_array_equal(got, np.float32([sched(k) for k in range(1, 17)]))
    want = ref.get_linear_schedule_with_warmup(**kwargs, n=16)
    np.testing.assert_allclose(got, np.float32(want), rtol=1e-7, atol=0)
    assert got[0] == 0.0 and got[4] == np.float32(0.1) and got[12:].tolist() == [0.0] * 4
