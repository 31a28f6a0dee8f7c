"""``mxsched.compat.gluoncv`` against GluonCV's ``LRScheduler`` and ``LRSequential``.

The expected values come from ``tests/reference/gluoncv.py``, a plain-Python
transcription of ``gluoncv/utils/lr_scheduler.py`` (GluonCV is not imported). GluonCV's
schedulers are MXNet ``LRScheduler`` objects handed to ``gluon.Trainer``, which asks
``sched(k)`` at the ``k``-th update: a drop-in must give GluonCV's value at
``num_update = k`` for every ``k >= 0``, with no shift. The transcription is a closed
form (no recurrence), so the tolerance is a relative 1e-12 throughout; the drop-ins
compute GluonCV's expressions in its order of operations, and differ from it only where
GluonCV's rounding puts the starting value one unit in the last place outside
``[target_lr, base_lr]`` (the drop-in then gives the bound).
"""
import inspect
import json
import pickle
import re
import warnings

import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, gluon

from conftest import assert_lrs
from mxsched import (Constant, CosineAnnealing, Delay, Envelope, Join, MultiStepDecay,
                     PolynomialDecay, from_config)
from mxsched.compat.gluoncv import LRScheduler, LRSequential
from mxsched.gluon import make_trainer
from reference import gluoncv as ref

# ------------------------------------------------------------------------ parameter sets
# For every mode: GluonCV's defaults first (for 'step': only the steps, which it
# requires), then typical and edge configurations.
SINGLE = {
    "constant": [
        {"mode": "constant"},
        {"mode": "constant", "base_lr": 0.05, "niters": 10},
        {"mode": "constant", "base_lr": 0.3, "target_lr": 0.9, "nepochs": 3,
         "iters_per_epoch": 4, "offset": 2},
    ],
    "linear": [
        {"mode": "linear"},
        {"mode": "linear", "base_lr": 1, "target_lr": 2, "niters": 10},
        {"mode": "linear", "base_lr": 0.1, "target_lr": 0.001, "nepochs": 2,
         "iters_per_epoch": 7, "offset": 3},
        {"mode": "linear", "baselr": 0.5, "targetlr": 0.01, "niters": 9},
        {"mode": "linear", "base_lr": 0.2, "baselr": 0.5, "target_lr": 0.1,
         "targetlr": 0.3, "niters": 9},
        {"mode": "linear", "nepochs": 2, "iters_per_epoch": 4.5, "niters": 99},
        # GluonCV's warm-up phase (train_imagenet.py): from 0 up to the rate
        {"mode": "linear", "base_lr": 0, "target_lr": 0.4, "nepochs": 3,
         "iters_per_epoch": 50},
        {"mode": "linear", "base_lr": 0.1, "niters": 5000},
    ],
    "poly": [
        {"mode": "poly"},
        {"mode": "poly", "base_lr": 0.01, "niters": 50, "power": 0.9},
        {"mode": "poly", "nepochs": 5, "iters_per_epoch": 3, "target_lr": 1e-4},
        {"mode": "poly", "niters": 10, "power": 0},
        {"mode": "poly", "niters": 0, "power": 0},
        {"mode": "poly", "niters": 13, "power": 3.5, "offset": 2},
        {"mode": "poly", "base_lr": 0.02, "target_lr": 0.5, "niters": 21, "power": 1.7},
    ],
    "cosine": [
        {"mode": "cosine"},
        {"mode": "cosine", "base_lr": 3, "target_lr": 1, "niters": 100},
        {"mode": "cosine", "base_lr": 0.4, "nepochs": 3, "iters_per_epoch": 11,
         "offset": 5},
        {"mode": "cosine", "niters": 2},
        {"mode": "cosine", "base_lr": 0.1, "target_lr": 0.5, "niters": 37},
        {"mode": "cosine", "base_lr": 0.1, "target_lr": 1e-5, "niters": 5000},
    ],
    "step": [
        {"mode": "step", "step_iter": [3, 7]},
        {"mode": "step", "step_epoch": [1, 3], "nepochs": 5, "iters_per_epoch": 4,
         "step_factor": 0.5},
        {"mode": "step", "step_epoch": [2], "niters": 10},
        {"mode": "step", "step_iter": [0, 5, 5], "niters": 10, "base_lr": 0.2},
        {"mode": "step", "step_iter": [2], "step_epoch": [1], "nepochs": 3,
         "iters_per_epoch": 4},
        {"mode": "step", "step_epoch": [1.5], "nepochs": 4, "iters_per_epoch": 3.0,
         "offset": 1, "niters": 1},
        {"mode": "step", "step_iter": [30, 60, 90], "niters": 100, "offset": 7},
        {"mode": "step", "step_iter": [-3, 4, 9, 12], "niters": 10, "step_factor": 2.0},
        {"mode": "step", "step_iter": [5], "niters": 10, "step_factor": 0},
        {"mode": "step", "step_iter": [1, 2], "niters": 0},
        {"mode": "step", "step_iter": [-1, 3], "niters": 0, "step_factor": 0.5},
    ],
}
SINGLE_CASES = [kw for sets in SINGLE.values() for kw in sets]
SINGLE_IDS = [f"{mode}-{i}" for mode, sets in SINGLE.items() for i in range(len(sets))]

SEQUENCES = [
    # GluonCV's defaults: one phase of 0 iterations
    [{"mode": "linear"}],
    # train_imagenet.py: a linear warm-up, then cosine
    [{"mode": "linear", "base_lr": 0, "target_lr": 0.4, "nepochs": 2, "iters_per_epoch": 5},
     {"mode": "cosine", "base_lr": 0.4, "target_lr": 0, "nepochs": 8, "iters_per_epoch": 5,
      "step_epoch": [], "step_factor": 0.1, "power": 2}],
    # the same without warm-up epochs (warmup_epochs=0, the scripts' default)
    [{"mode": "linear", "base_lr": 0, "target_lr": 0.4, "nepochs": 0, "iters_per_epoch": 5},
     {"mode": "cosine", "base_lr": 0.4, "target_lr": 0, "nepochs": 8, "iters_per_epoch": 5}],
    # warm-up, then steps (lr_decay_epoch shifted by the warm-up epochs)
    [{"mode": "linear", "base_lr": 0, "target_lr": 0.1, "nepochs": 1, "iters_per_epoch": 6},
     {"mode": "step", "base_lr": 0.1, "target_lr": 0, "nepochs": 5, "iters_per_epoch": 6,
      "step_epoch": [2, 4], "step_factor": 0.1}],
    # GluonCV's own unit-test composition, phases of 0 iterations included
    [{"mode": "constant", "base_lr": 0, "target_lr": 1, "niters": 8},
     {"mode": "cosine", "base_lr": 3, "target_lr": 1, "niters": 0},
     {"mode": "linear", "base_lr": 1, "target_lr": 2, "niters": 8},
     {"mode": "cosine", "base_lr": 3, "target_lr": 1, "niters": 8},
     {"mode": "cosine", "base_lr": 3, "target_lr": 1, "niters": 0},
     {"mode": "poly", "base_lr": 1, "target_lr": 0, "niters": 8, "power": 2},
     {"mode": "step", "base_lr": 1, "target_lr": 0, "niters": 8, "step_iter": [2, 5],
      "step_factor": 0.1}],
    # one phase with an offset of its own (GluonCV's add() replaces it by 0)
    [{"mode": "poly", "niters": 10, "offset": 4}],
    # a trailing phase of 0 iterations, and a sequence of 0 iterations
    [{"mode": "linear", "niters": 6}, {"mode": "constant", "base_lr": 9, "niters": 0}],
    [{"mode": "cosine", "niters": 0}],
]


def build(kw):
    """The drop-in for ``LRScheduler(**kw)`` (legacy-name warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return LRScheduler(**kw)


def build_sequence(phases):
    return LRSequential([build(kw) for kw in phases])


def ref_at(u, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return ref.lr_scheduler_at(u, **kw)


def ref_trainer(kw, n, **extra):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return ref.lr_scheduler(**kw, n=n, **extra)


def horizon(sched):
    """Updates that cover every phase and some updates past the end."""
    if isinstance(sched, LRSequential):
        return sched.count + 10
    return sched.niters + sched.offset + 10


# ------------------------------------------------------------------------ values
@pytest.mark.parametrize("kw", SINGLE_CASES, ids=SINGLE_IDS)
def test_lr_scheduler_gives_gluoncvs_value_at_every_update(kw):
    sched = build(kw)
    n = horizon(sched)
    assert_lrs(sched, [ref_at(u, kw) for u in range(n + 1)])
    # what the Trainer applies: update k uses sched(k), k = 1..n
    assert_lrs(sched, ref_trainer(kw, n), steps=range(1, n + 1))


@pytest.mark.parametrize("phases", SEQUENCES)
def test_lr_sequential_gives_gluoncvs_value_at_every_update(phases):
    sched = build_sequence(phases)
    n = horizon(sched)
    assert_lrs(sched, [ref.lr_sequential_at(u, phases) for u in range(n + 1)])
    assert_lrs(sched, ref.lr_sequential(phases, n=n), steps=range(1, n + 1))
    assert sched.count == sum(build(kw).niters for kw in phases)


def test_the_end_value_is_reached_at_update_niters_minus_one():
    sched = LRScheduler("linear", base_lr=1.0, target_lr=0.0, niters=5)
    assert [sched(k) for k in range(7)] == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0]
    delayed = LRScheduler("linear", base_lr=1.0, target_lr=0.0, niters=5, offset=2)
    assert [delayed(k) for k in range(9)] == [1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0]


def test_a_warm_up_phase_hands_over_on_consecutive_updates():
    """GluonCV's idiom: the peak is applied twice (end of the warm-up, start of the decay)."""
    sched = LRSequential([LRScheduler("linear", base_lr=0.0, target_lr=0.4, niters=4),
                          LRScheduler("cosine", base_lr=0.4, niters=5)])
    assert [round(sched(k), 6) for k in range(1, 10)] == \
        [0.133333, 0.266667, 0.4, 0.4, 0.341421, 0.2, 0.058579, 0.0, 0.0]


def test_the_cores_are_made_of_public_classes():
    assert LRScheduler("cosine", base_lr=0.1, niters=100).core == CosineAnnealing(0.0, 0.1, 99)
    assert LRScheduler("linear", base_lr=0.1, target_lr=0.01, niters=11, offset=3).core == \
        Delay(PolynomialDecay(0.01, 0.1, 10, power=1.0), 3)
    assert LRScheduler("poly", base_lr=0.1, niters=51, power=0.9).core == \
        PolynomialDecay(0.0, 0.1, 50, power=0.9)
    assert LRScheduler("linear", base_lr=0.0, target_lr=0.1, niters=11).core == \
        Envelope(Constant(0.0), PolynomialDecay(0.0, 1.0, 10, power=1.0), min_lr=0.1)
    assert LRScheduler("constant", base_lr=0.3, target_lr=0.9).core == Constant(0.3)
    assert LRScheduler("step", base_lr=0.1, nepochs=9, iters_per_epoch=10,
                       step_epoch=[3, 6]).core == MultiStepDecay(0.1, [30, 60], 0.1)
    assert LRScheduler("step", base_lr=1.0, niters=10, step_iter=[0, 5, 5]).core == \
        Join([Constant(0.1), Constant(0.1 ** 3)], [5])  # 0.1 ** count, as GluonCV
    assert LRScheduler("cosine", base_lr=0.1).core == Constant(0.0)  # niters 0: target_lr
    seq = LRSequential([LRScheduler("linear", base_lr=0.0, target_lr=0.1, niters=0),
                        LRScheduler("cosine", base_lr=0.1, niters=10, offset=99),
                        LRScheduler("constant", base_lr=0.01, niters=5)])
    assert seq.core == Join([CosineAnnealing(0.0, 0.1, 9), Constant(0.01)], [10])


def test_gluoncvs_attributes_are_there_as_its_constructor_leaves_them():
    sched = LRScheduler("step", base_lr=0.1, niters=7, nepochs=3, iters_per_epoch=4,
                        step_iter=[1], step_epoch=[1, 2], offset=2)
    assert (sched.mode, sched.niters, sched.step, sched.offset) == ("step", 12, [4, 8], 2)
    assert LRScheduler("constant", base_lr=0.3, target_lr=0.9).target_lr == 0.3
    seq = build_sequence(SEQUENCES[4])
    assert (seq.count, seq.update_sep) == (40, [8, 8, 16, 24, 24, 32, 40])


def test_lr_sequential_leaves_its_phases_as_they_are():
    phase = LRScheduler("poly", niters=10, offset=4)
    seq = LRSequential([LRScheduler("linear", niters=5), phase])
    assert phase.offset == 4 and phase(4) == 0.1 and phase(5) < 0.1  # unchanged
    # inside the sequence the phase runs at its local count (GluonCV's add() sets offset 5)
    assert_lrs(seq, [ref.lr_sequential_at(u, [{"mode": "linear", "niters": 5},
                                              {"mode": "poly", "niters": 10, "offset": 4}])
                     for u in range(20)])


# ------------------------------------------------------------------------ validation
@pytest.mark.parametrize("case", ref.VALIDATION["LRScheduler"],
                         ids=lambda c: ",".join(f"{k}={v}" for k, v in c["kwargs"].items()))
def test_lr_scheduler_rejects_what_gluoncv_rejects(case):
    kw = case["kwargs"]
    if "warning" in case:
        with pytest.warns(case["warning"], match=re.escape(case["message"])):
            sched = LRScheduler(**kw)
        with pytest.warns(case["warning"], match=re.escape(case["message"])):
            assert_lrs(sched, [ref.lr_scheduler_at(u, **kw) for u in range(12)])
    elif case["when"] == "init":
        with pytest.raises(case["exception"]):
            ref.lr_scheduler_at(1, **kw)
        with pytest.raises(case["exception"], match=r"(mode|step_iter or step_epoch) must"):
            LRScheduler(**kw)
    else:  # GluonCV fails at its first call (or at the end); the drop-in when it is built
        with pytest.raises(case["exception"], match=re.escape(case["message"])):
            [ref.lr_scheduler_at(u, **kw) for u in range(20)]
        with pytest.raises(ValueError, match=r"(niters must be 0 or >= 2|power must be >= 0)"):
            LRScheduler(**kw)


def test_the_messages_of_gluoncvs_asserts_name_the_argument():
    with pytest.raises(AssertionError, match=r"mode must be one of 'constant', 'step', "
                                             r"'linear', 'poly', 'cosine', got 'exp'"):
        LRScheduler("exp")
    with pytest.raises(AssertionError, match=r"step_iter or step_epoch must be given in "
                                             r"mode 'step', got None for both"):
        LRScheduler("step", niters=10)
    with pytest.raises(ValueError, match=r"niters must be 0 or >= 2 in mode 'linear' "
                                         r"\(GluonCV divides by niters - 1\), got niters=1"):
        LRScheduler("linear", niters=1)
    with pytest.raises(ValueError, match=r"got nepochs \* iters_per_epoch = 1$"):
        LRScheduler("cosine", nepochs=1, iters_per_epoch=1.0)
    with pytest.raises(ValueError, match=r"power must be >= 0 in mode 'poly'"):
        LRScheduler("poly", niters=5, power=-1)


def test_the_legacy_names_follow_gluoncvs_rule():
    with pytest.warns(UserWarning, match="baselr is deprecated. Please use base_lr."):
        kept = LRScheduler("linear", base_lr=0.2, baselr=0.5, niters=3)
    assert kept(0) == 0.2  # base_lr given: baselr is ignored
    with pytest.warns(UserWarning, match="targetlr is deprecated. Please use target_lr."):
        used = LRScheduler("linear", targetlr=0.05, niters=3)
    assert used(5) == 0.05
    # resolved once: repr, pickles and configs hold the new names (no warning again)
    assert repr(used) == "LRScheduler('linear', base_lr=0.1, target_lr=0.05, niters=3)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pickle.loads(pickle.dumps(used)) == used
        assert from_config(used.get_config()) == used


@pytest.mark.parametrize("case", ref.VALIDATION["LRSequential"],
                         ids=["empty", "not-a-scheduler", "none"])
def test_lr_sequential_rejects_what_gluoncv_rejects(case):
    kw = case["kwargs"]
    if case["kwargs"]["schedulers"] is None or not case["kwargs"]["schedulers"]:
        with pytest.raises(case["exception"]):  # (the reference takes phases as dicts)
            ref.lr_sequential_at(1, **kw)
    match = re.escape(case["message"]) if case["message"] else r"schedulers.* must be"
    with pytest.raises(case["exception"], match=match):
        LRSequential(**kw)


def test_lr_sequential_takes_gluoncv_drop_ins_only():
    phase = LRScheduler("cosine", niters=10)
    with pytest.raises(AssertionError, match=r"schedulers\[1\] must be an LRScheduler of "
                                             r"mxsched.compat.gluoncv, got LRSequential"):
        LRSequential([phase, LRSequential([phase])])
    with pytest.raises(AssertionError, match=r"schedulers\[0\] must be an LRScheduler"):
        LRSequential([mx.lr_scheduler.FactorScheduler(step=10)])
    with pytest.raises(AssertionError, match=r"schedulers must be a non-empty list"):
        LRSequential([])


@pytest.mark.parametrize("kw,error,match", [
    ({"mode": "linear", "niters": -5}, ValueError, r"niters must be a non-negative number, got -5"),
    ({"mode": "cosine", "nepochs": -1, "iters_per_epoch": -10}, ValueError,
     r"nepochs must be a non-negative number, got -1"),
    ({"mode": "cosine", "nepochs": 1.5, "iters_per_epoch": 3}, ValueError,
     r"niters must be a whole number of iterations, got nepochs \* iters_per_epoch = 4.5"),
    ({"mode": "poly", "niters": 10.5}, ValueError, r"niters must be a whole number"),
    ({"mode": "poly", "niters": 13, "offset": -2}, ValueError,
     r"offset must be a non-negative number, got -2"),
    ({"mode": "poly", "niters": 13, "offset": 1.5}, ValueError,
     r"offset must be a whole number of iterations, got 1.5"),
    ({"mode": "cosine", "base_lr": -0.1, "niters": 10}, ValueError,
     r"base_lr must be a finite, non-negative learning rate, got -0.1"),
    ({"mode": "linear", "target_lr": float("nan"), "niters": 10}, ValueError, r"target_lr must"),
    ({"mode": "step", "step_iter": [5], "niters": 10, "step_factor": -0.5}, ValueError,
     r"step_factor must be >= 0 in mode 'step', got -0.5"),
    ({"mode": "cosine", "base_lr": "0.1", "niters": 10}, TypeError,
     r"base_lr must be a real number, got '0.1'"),
    ({"mode": "cosine", "niters": True}, TypeError, r"niters must be a real number, got True"),
    ({"mode": "step", "step_iter": "30,60", "niters": 100}, TypeError,
     r"step_iter must be a list of numbers or None, got '30,60'"),
    ({"mode": "step", "step_epoch": [1, "2"], "niters": 100}, TypeError,
     r"step_epoch\[1\] must be a real number, got '2'"),
    ({"mode": "cosine", "niters": 2 ** 60}, ValueError, r"niters must be <= 9007199254740992"),
    ({"mode": "cosine", "niters": 10, "offset": 2 ** 60}, ValueError, r"offset must be <= "),
])
def test_what_has_no_meaning_is_a_clear_error_when_built(kw, error, match):
    with pytest.raises(error, match=match):
        LRScheduler(**kw)


def test_whole_floats_are_whole_numbers():
    sched = LRScheduler("linear", niters=100.0, offset=2.0)
    assert sched.niters == 100 and sched.offset == 2
    assert repr(sched) == "LRScheduler('linear', base_lr=0.1, niters=100, offset=2)"
    epochs = LRScheduler("step", nepochs=2, iters_per_epoch=4.5, step_epoch=[1])
    assert epochs.niters == 9 and epochs.step == [4.5]
    assert [epochs(k) for k in (4, 5)] == [0.1, ref.lr_scheduler_at(5, "step", nepochs=2,
                                                                    iters_per_epoch=4.5,
                                                                    step_epoch=[1])]


def test_the_signature_is_gluoncvs():
    ours = list(inspect.signature(LRScheduler.__init__).parameters.values())[1:]
    theirs = list(inspect.signature(ref.lr_scheduler_at).parameters.values())[1:]
    assert [(p.name, p.default, p.kind) for p in ours] == \
        [(p.name, p.default, p.kind) for p in theirs]
    assert list(inspect.signature(LRSequential.__init__).parameters)[1:] == ["schedulers"]


# ------------------------------------------------------------------------ schedule contract
EXAMPLES = [
    LRScheduler("cosine", base_lr=0.1, target_lr=0.001, niters=200),
    LRScheduler("linear", base_lr=0.0, target_lr=0.4, nepochs=3, iters_per_epoch=50),
    LRScheduler("poly", base_lr=0.01, niters=50, power=0.9, offset=5),
    LRScheduler("step", base_lr=0.1, nepochs=9, iters_per_epoch=10, step_epoch=[3, 6]),
    LRScheduler("step", base_lr=0.2, niters=10, step_iter=[0, 5, 5], step_factor=2.0),
    LRScheduler("constant", base_lr=0.05, niters=10),
    LRSequential.example(),
    build_sequence(SEQUENCES[4]),
]


@pytest.mark.parametrize("sched", EXAMPLES, ids=repr)
def test_every_drop_in_pickles_as_mxnet_sends_it_to_a_parameter_server(sched):
    text = pickle.dumps(sched, protocol=0).decode("utf-8")
    back = pickle.loads(text.encode("utf-8"))
    assert back == sched and type(back) is type(sched)
    steps = np.arange(horizon(sched) + 5)
    np.testing.assert_array_equal(back.values(steps), sched.values(steps))


@pytest.mark.parametrize("sched", EXAMPLES, ids=repr)
def test_every_drop_in_round_trips_through_its_config(sched):
    cfg = json.loads(json.dumps(sched.get_config()))
    assert cfg["class"] == f"gluoncv.{type(sched).__name__}"
    back = from_config(cfg)
    assert back == sched
    steps = np.arange(horizon(sched) + 5)
    np.testing.assert_array_equal(back.values(steps), sched.values(steps))


@pytest.mark.parametrize("sched", EXAMPLES, ids=repr)
def test_scalar_calls_equal_values_and_stay_within_zero_and_base_lr(sched):
    n = horizon(sched)
    steps = np.concatenate([np.arange(n + 5.0), np.random.RandomState(0).uniform(0, n, 300),
                            [1e6, 1e9]])
    scalar = np.array([sched(float(t)) for t in steps])
    np.testing.assert_allclose(sched.values(steps), scalar, rtol=1e-12, atol=1e-15)
    assert scalar.min() >= 0 and scalar.max() <= sched.base_lr
    assert scalar.max() == pytest.approx(sched.base_lr)  # base_lr is the peak
    before = sched.values(steps)
    rescaled = pickle.loads(pickle.dumps(sched))
    rescaled.base_lr = 3.7  # assigning base_lr rescales the whole schedule to that peak
    np.testing.assert_allclose(rescaled.values(steps), before * 3.7 / sched.base_lr,
                               rtol=1e-9, atol=1e-15)


def test_repr_is_the_gluoncv_call():
    sched = LRScheduler("step", base_lr=0.1, nepochs=90, iters_per_epoch=100,
                        step_epoch=[30, 60])
    assert repr(sched) == ("LRScheduler('step', base_lr=0.1, nepochs=90, "
                           "iters_per_epoch=100, step_epoch=[30, 60])")
    seq = LRSequential([LRScheduler("linear", base_lr=0, target_lr=0.1, niters=10), sched])
    assert repr(seq) == ("LRSequential([LRScheduler('linear', base_lr=0.0, target_lr=0.1, "
                         "niters=10), " + repr(sched) + "])")
    namespace = {"LRScheduler": LRScheduler, "LRSequential": LRSequential}
    assert eval(repr(seq), namespace) == seq  # pylint: disable=eval-used


def test_base_lr_is_the_peak_and_assigning_it_rescales_target_lr_too():
    warm = LRScheduler("linear", base_lr=0.0, target_lr=0.4, niters=5)
    assert warm.base_lr == 0.4  # GluonCV's base_lr is 0 here: the phase starts from it
    decay = LRScheduler("cosine", base_lr=0.5, target_lr=0.25, niters=11)
    decay.base_lr = 0.25
    assert repr(decay) == "LRScheduler('cosine', base_lr=0.25, target_lr=0.125, niters=11)"
    with pytest.raises(AttributeError, match=r"LRScheduler.niters cannot be assigned"):
        decay.niters = 20


# ------------------------------------------------------------------------ gluon.Trainer
def one_weight_net():
    net = gluon.nn.Dense(1, use_bias=False, in_units=1)
    net.initialize(mx.init.Zero(), ctx=mx.cpu())
    return net


def step(net, trainer):
    """One update with gradient exactly 1 (loss = w * 1, batch size 1)."""
    x = mx.nd.ones((1, 1))
    with autograd.record():
        loss = net(x).sum()
    loss.backward()
    trainer.step(1)


def run(trainer, net, updates):
    """(rate read back from the weight, trainer.learning_rate) after each update.

    Plain SGD with gradient 1 from w = 0 gives w = -lr exactly (one float32 product);
    the weight is set back to 0 after each update so nothing accumulates.
    """
    applied, read = [], []
    for _ in range(updates):
        step(net, trainer)
        applied.append(-net.weight.data().asnumpy().item())
        read.append(trainer.learning_rate)
        net.weight.set_data(mx.nd.zeros((1, 1)))
    return np.array(applied), read


@pytest.mark.parametrize("phases", [SEQUENCES[1], SEQUENCES[3], SEQUENCES[4]])
def test_trainer_update_k_applies_gluoncvs_value_at_k(phases):
    net = one_weight_net()
    sched = build_sequence(phases)
    n = sched.count + 5
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"lr_scheduler": sched})
    applied, read = run(trainer, net, n)
    want = ref.lr_sequential(phases, n=n)  # what GluonCV's object gives this Trainer
    np.testing.assert_array_equal(applied, np.float32(want))  # MXNet's kernel: float32
    np.testing.assert_allclose(read, want, rtol=1e-12, atol=1e-15)


def test_trainer_applies_a_single_phase_with_its_offset():
    kw = {"mode": "cosine", "base_lr": 0.4, "nepochs": 3, "iters_per_epoch": 11, "offset": 5}
    net = one_weight_net()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"lr_scheduler": build(kw)})
    applied, _ = run(trainer, net, 45)
    np.testing.assert_array_equal(applied, np.float32(ref.lr_scheduler(**kw, n=45)))


def test_adams_default_learning_rate_rescales_the_drop_in_unless_make_trainer_is_used(capsys):
    """The documented difference: MXNet's Adam passes learning_rate=0.001 to a scheduler.

    GluonCV's object then runs from base_lr 0.001 to its unchanged target_lr; the drop-in
    is rescaled to peak at 0.001 (target_lr too). make_trainer passes no default.
    """
    kw = {"mode": "linear", "base_lr": 0.5, "target_lr": 0.1, "niters": 10}
    net = one_weight_net()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"lr_scheduler": build(kw)})
    assert "overwritten" in capsys.readouterr().out  # MXNet's printed notice
    _, read = run(trainer, net, 15)
    np.testing.assert_allclose(read, np.array(ref_trainer(kw, 15)) * 0.001 / 0.5, rtol=1e-12)
    gluoncv = ref_trainer(kw, 15, learning_rate=ref.MXNET_DEFAULT_LEARNING_RATE["adam"])
    assert gluoncv[-1] == 0.1 and read[-1] == pytest.approx(0.0002)
    net = one_weight_net()
    _, read = run(make_trainer(net, "adam", lr_scheduler=build(kw)), net, 15)
    np.testing.assert_allclose(read, ref_trainer(kw, 15), rtol=1e-12)
