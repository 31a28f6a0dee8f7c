"""The guarantees every mxsched schedule makes, checked on every registered class.

Each guarantee is one test, parametrised over

* the ``example()`` of every class in :func:`mxsched.config.registered` (the drop-ins
  of :mod:`mxsched.compat` included: they are imported here so that the list does not
  depend on which other test modules were collected first);
* named cases: nestings of several schedules, and options the examples leave at their
  defaults (a staircase, peak-mode restarts, shrinking cycles, uniform noise, ...);

and, at the end, random compositions drawn by hypothesis. The guarantees (see
:class:`mxsched.Schedule`): an MXNet ``LRScheduler``; pure (any call order gives the
same values); vectorised (``values`` equals scalar calls); picklable, also the way
MXNet sends an optimizer to a parameter server; a JSON config; ``base_lr`` reads the
largest value and assigning it rescales; values finite and in ``[0, base_lr]``; bad
steps are clear errors; ``repr`` is the constructor call; immutable.
"""
import copy
import inspect
import json
import math
import pickle
import signal
import sys
from contextlib import contextmanager
from fractions import Fraction

import mxnet as mx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mxnet.base import c_str, py_str
from mxnet.lr_scheduler import LRScheduler, MultiFactorScheduler

import mxsched
import mxsched.compat.keras
import mxsched.compat.gluoncv
import mxsched.compat.mxnet
import mxsched.compat.timm
import mxsched.compat.torch
import mxsched.compat.transformers
from mxsched import (Clamp, Constant, ConstantWarmUp, CosineAnnealing, CosineWarmUp,
                     CyclicalSchedule, Delay, Envelope, ExponentialDecay, InOrderSchedule,
                     InUnits, Join, LinearCoolDown, LinearSchedule, LinearWarmUp, LogWarmUp,
                     MultiStepDecay, Noise, OneCycle, PolynomialDecay, Product,
                     PureCosineScheduler, PureFactorScheduler, Restarts, Scale, StepDecay,
                     TriangularSchedule, WarmupStableDecay, from_config)
from mxsched.adapters import MAX_REPLAY
from mxsched.compat.torch import OneCycleLR
from mxsched.config import registered

#: mxsched's own classes (a class another test registers is not one of them)
REGISTERED = {name: cls for name, cls in registered().items()
              if cls.__module__.startswith("mxsched.")}
#: classes whose constructor arguments have no config and no evaluable repr
NO_CONFIG = {"FunctionSchedule", "InOrderSchedule", "torch.LambdaLR"}
#: classes whose base_lr is documented as a bound of the values that they need not reach
#: (noise rarely draws +pct; an envelope lowers the peak of what it wraps; an epoch-stepped
#: warm-up hands over just after its last epoch, past the wrapped schedule's first value)
BOUND_NOT_REACHED = {"Noise", "Envelope", "EpochStepWarmUp",
                     # the same, in drop-ins: an exp_range envelope, a product of factors,
                     # timm's tanh (whose curve approaches lr without reaching it)
                     "torch.CyclicLR", "torch.ChainedScheduler", "timm.TanhLRScheduler"}
#: the namespace in which a repr is a constructor call
REPR_NAMESPACE = dict(vars(mxsched), Fraction=Fraction, OneCycleLR=OneCycleLR)


def repr_namespace(sched):
    """Where ``repr(sched)`` is a constructor call: mxsched's names, and for a drop-in
    also its peer module's (peers reuse names, e.g. two ``ExponentialDecay``)."""
    module = sys.modules[type(sched).__module__]
    if module.__name__.startswith("mxsched.compat."):
        return dict(REPR_NAMESPACE, **{n: getattr(module, n) for n in module.__all__})
    return dict(REPR_NAMESPACE)


# --------------------------------------------------------------------------- the cases
def nested():
    """Three levels: warm-up over cool-down over warm restarts."""
    return LinearWarmUp(
        LinearCoolDown(
            CyclicalSchedule(CosineAnnealing, cycle_length=30, cycle_length_decay=2,
                             cycle_magnitude_decay=0.8, min_lr=0.001, max_lr=0.1),
            finish_lr=0.0005, start_idx=400, length=50),
        start_lr=0.0, length=20)


def everything():
    """One nesting using most combinators at once."""
    cycle = CosineWarmUp(CosineAnnealing(0.002, 0.2, 40, exponent=1.5), 0.01, 5)
    return Clamp(Join([ConstantWarmUp(Constant(0.2), 0.02, 3),
                       Restarts(cycle, 45, cycle_length_decay=1.5, cycle_magnitude_decay=0.7,
                                cycle_limit=6, k_decay=1.3)],
                      boundaries=[10]), min_lr=0.001, max_lr=0.15)


NAMED = {
    # nestings
    "nested": nested,
    "everything": everything,
    "warmup-over-mxnet-multifactor": lambda: LinearWarmUp(
        MultiFactorScheduler(step=[30, 60], factor=0.1, base_lr=0.3), start_lr=0.0, length=10),
    "warmup-hold-cosine": lambda: LinearWarmUp(Delay(CosineAnnealing(0.001, 0.3, 85), 5),
                                               0.0, 10),
    "exp-range": lambda: Envelope(Restarts(TriangularSchedule(0.01, 0.2, 20), 20),
                                  ExponentialDecay(1.0, 1, 0.995), min_lr=0.01),
    "ramp-constant-cosine": lambda: Join([LinearSchedule(0.0, 0.3, 10), Constant(0.3),
                                          CosineAnnealing(0.0, 0.3, 50)], [10, 25]),
    "cycles-then-torch-onecycle": lambda: Join(
        [CyclicalSchedule(TriangularSchedule, 20, min_lr=0.0, max_lr=0.2),
         OneCycleLR(0.2, 50)], [60]),
    "in-percent": lambda: InUnits.percent(
        LinearWarmUp(CosineAnnealing(0.0, 0.2, 90), 0.0, 10), 450),
    "in-epochs-accumulated": lambda: InUnits.epochs(MultiStepDecay(0.2, [3, 6]), 10,
                                                    accumulation=3),
    "torch-onecycle-linear": lambda: OneCycleLR(0.3, 70, pct_start=0.25,
                                                anneal_strategy="linear"),
    "log-warmup-over-steps": lambda: LogWarmUp(StepDecay(0.2, 30, 0.5), 0.0, 20),
    # options the examples leave at their defaults
    "exponential-staircase": lambda: ExponentialDecay(0.3, 5, 0.9, staircase=True),
    "polynomial-cycle": lambda: PolynomialDecay(0.01, 0.2, 17, power=0.5, cycle=True),
    "cosine-exponent": lambda: CosineAnnealing(0.01, 0.2, 100, exponent=2.0),
    "wsd-cosine-1-sqrt": lambda: WarmupStableDecay(0.03, 0.3, 10, 20, 30, "cosine", "1-sqrt"),
    "restarts-peak-mode": lambda: Restarts(CosineAnnealing(0.001, 0.2, 20), 20,
                                           cycle_length_decay=1.7, cycle_magnitude_decay=0.6,
                                           magnitude_mode="peak", cycle_limit=5, k_decay=2.0),
    "restarts-triangular2": lambda: Restarts(TriangularSchedule(0.01, 0.2, 20), 20,
                                             cycle_magnitude_decay=0.5),
    "cyclical-triangles": lambda: CyclicalSchedule(TriangularSchedule, cycle_length=20,
                                                   min_lr=0.01, max_lr=0.1,
                                                   cycle_magnitude_decay=0.5),
    "cyclical-shrinking": lambda: CyclicalSchedule(CosineAnnealing, cycle_length=9,
                                                   cycle_length_decay=0.6, min_lr=0.0,
                                                   max_lr=1.0),
    "noise-normal": lambda: Noise(CosineAnnealing(0.0, 0.2, 300), pct=0.3, std=0.5, seed=3,
                                  start=100, end=500),
    "noise-uniform-open": lambda: Noise(Constant(0.1), pct=0.5, distribution="uniform",
                                        start=100),
    "in-units-stepwise": lambda: InUnits(StepDecay(0.2, 2), 12, stepwise=True),
    "torch-onecycle-three-phase": lambda: OneCycleLR(0.3, 100, three_phase=True),
    "keras-cosine-no-warmup": lambda: mxsched.compat.keras.CosineDecay(0.2, 60, 0.1),
    "pure-factor-floor": lambda: PureFactorScheduler(step=5, factor=0.7, stop_factor_lr=1e-3,
                                                     base_lr=0.5, warmup_steps=3),
    "pure-cosine-constant-warmup": lambda: PureCosineScheduler(
        max_update=50, base_lr=0.4, final_lr=0.01, warmup_steps=5, warmup_mode="constant"),
}
CASES = dict({name: cls.example for name, cls in REGISTERED.items()}, **NAMED)
NAMES = sorted(CASES)

STEPS = np.arange(0, 701, dtype=np.float64)
FRACTIONAL = np.concatenate([STEPS[:50] + 0.5, np.random.RandomState(2).uniform(0, 700, 100)])
HUGE = [10 ** 6, 10 ** 9, 10 ** 12]
# for the bounds: a longer run, many fractional steps, far steps
BOUND_STEPS = np.concatenate([np.arange(0, 2001, dtype=np.float64),
                              np.random.RandomState(0).uniform(0, 2000, 3000),
                              [1e4, 1e5, 1e6, 1e9, 1e12]])


def replays(sched):
    """An InOrderSchedule replays its scheduler: it stops at MAX_REPLAY updates, and a
    fractional step replays a fresh copy (so the tests ask it fewer of them)."""
    return isinstance(sched, InOrderSchedule)


def as_mxnet_sends(obj):
    """``obj`` after the trip ``KVStore.set_optimizer`` makes it take to a server."""
    text = py_str(pickle.dumps(obj, 0))     # the worker: protocol 0, decoded as UTF-8
    return pickle.loads(c_str(text).value)  # the server's controller: a C string


@contextmanager
def time_limit(seconds):
    """Fail (instead of hanging) if the block runs longer than ``seconds``."""
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(params=NAMES)
def case(request):
    """``(name, factory)``: a fresh, equal schedule at every call of the factory."""
    return request.param, CASES[request.param]


# --------------------------------------------------------------------------- the registry
@pytest.mark.parametrize("name", sorted(REGISTERED))
def test_every_class_has_its_own_example(name):
    cls = REGISTERED[name]
    assert "_example_args" in vars(cls), f"{name} inherits _example_args"
    assert type(cls.example()) is cls


def test_the_registry_holds_the_public_classes_and_the_drop_ins():
    public = {name for name in mxsched.__all__
              if isinstance(getattr(mxsched, name), type)
              and issubclass(getattr(mxsched, name), mxsched.Schedule)
              and getattr(mxsched, name).__name__ == name}  # not the two aliases
    assert public - {"Schedule"} <= set(REGISTERED)
    assert {"torch.OneCycleLR", "timm.CosineLRScheduler", "gluoncv.LRScheduler"} <= set(REGISTERED)


# --------------------------------------------------------------------------- MXNet
def test_is_an_mxnet_lr_scheduler_the_optimizer_uses(case):
    _, make = case
    sched = make()
    assert isinstance(sched, LRScheduler)
    opt = mx.optimizer.create("sgd", lr_scheduler=sched)
    assert opt.lr_scheduler is sched
    assert opt.learning_rate == sched(0)
    for k in (1, 2, 3):
        opt._update_count(0)  # what SGD.update does, then it reads the rate
        assert opt._get_lr(0) == sched(k)


# --------------------------------------------------------------------------- purity
def test_any_call_order_gives_the_same_values(case):
    _, make = case
    sched = make()
    before = repr(sched)
    in_order = [sched(int(t)) for t in STEPS]
    assert all(isinstance(v, float) for v in in_order)
    fresh = make()
    got = {int(t): fresh(int(t)) for t in np.random.RandomState(1).permutation(STEPS)}
    assert [got[int(t)] for t in STEPS] == in_order
    assert [sched(int(t)) for t in STEPS[::-1]] == in_order[::-1]  # again, same object
    assert repr(sched) == before


# --------------------------------------------------------------------------- values
def test_values_equals_scalar_calls(case):
    _, make = case
    sched = make()
    huge = [10 ** 5] if replays(sched) else HUGE
    steps = np.concatenate([STEPS, FRACTIONAL, huge])
    vec = sched.values(steps)
    assert vec.dtype == np.float64 and vec.shape == steps.shape
    scalar = [sched(int(t)) if t.is_integer() else sched(float(t)) for t in steps]
    assert all(isinstance(v, float) for v in scalar)
    np.testing.assert_allclose(vec, scalar, rtol=1e-12, atol=1e-15)
    # an integer step given as a float, a numpy integer or a numpy float: the same value
    for t in (0, 7, 100, 650):
        assert sched(float(t)) == sched(np.int64(t)) == sched(np.float64(t)) == sched(t)
    # the shape of steps is kept; a single number gives a 0-d array
    grid = sched.values(STEPS[:700].reshape(-1, 4))
    assert grid.shape == (175, 4)
    np.testing.assert_array_equal(grid.ravel(), sched.values(STEPS[:700]))
    assert sched.values(list(range(5))).shape == (5,)
    assert sched.values([]).shape == (0,)
    for t in (5, 7.5, np.float64(7.0), np.int32(3)):
        got = sched.values(t)
        assert got.shape == () and float(got) == pytest.approx(sched(t), rel=1e-12, abs=1e-15)


def test_huge_steps_give_finite_values_in_bounded_time(case):
    """The cost of a call does not grow with the step (a loop over cycles or updates
    would run for hours at 10**12; the limit only stops a hang)."""
    _, make = case
    sched = make()
    if replays(sched):  # replays in order, up to a documented limit
        with pytest.raises(ValueError, match=rf"num_update must be <= {MAX_REPLAY} for an "
                                             r"InOrderSchedule .* got 1000000000000"):
            sched(10 ** 12)
        return
    with time_limit(60):
        for t in HUGE:
            value = sched(t)
            assert isinstance(value, float) and math.isfinite(value) and value >= 0
            assert sched.values([t]).tolist() == pytest.approx([value], rel=1e-12, abs=1e-15)


def _all_schedule_classes(cls=mxsched.Schedule):
    yield cls
    for sub in cls.__subclasses__():
        yield from _all_schedule_classes(sub)


#: classes whose values() calls what they wrap once per step (as their docstrings say)
PER_STEP = {"FunctionSchedule", "InOrderSchedule"}


@pytest.mark.parametrize("name", [n for n in NAMES if n not in PER_STEP])
def test_values_are_computed_with_numpy(name, monkeypatch):
    """``values`` of a million steps never evaluates a schedule step by step (``_at``):
    it is numpy throughout, which is what makes it take milliseconds."""
    sched = CASES[name]()
    steps = np.arange(10 ** 6, dtype=np.float64)
    expected_head = [sched(float(t)) for t in steps[:300:7]]

    def one_step(self, t):
        raise AssertionError(f"{type(self).__name__}._at called inside values()")
    for cls in set(_all_schedule_classes()):
        if "_at" in vars(cls):
            monkeypatch.setattr(cls, "_at", one_step)
    values = sched.values(steps)
    assert values.shape == steps.shape
    np.testing.assert_allclose(values[:300:7], expected_head, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- pickles, copies
def test_pickle_copy_and_deepcopy_round_trips(case):
    _, make = case
    sched = make()
    expected = sched.values(STEPS)
    clones = {
        "pickle": pickle.loads(pickle.dumps(sched)),
        "protocol 0 as MXNet sends it": as_mxnet_sends(sched),
        "copy": copy.copy(sched),
        "deepcopy": copy.deepcopy(sched),
    }
    for how, clone in clones.items():
        assert type(clone) is type(sched), how
        assert repr(clone) == repr(sched), how
        np.testing.assert_array_equal(clone.values(STEPS), expected, err_msg=how)
        assert [clone(int(t)) for t in STEPS[::7]] == [sched(int(t)) for t in STEPS[::7]]
    # inside an optimizer, as Trainer(kvstore='dist_*') hands it to the servers
    opt = as_mxnet_sends(mx.optimizer.SGD(lr_scheduler=sched))
    assert repr(opt.lr_scheduler) == repr(sched)
    np.testing.assert_array_equal(opt.lr_scheduler.values(STEPS), expected)
    # a clone shares nothing that can change: rescaling the original leaves it as it was
    sched.base_lr = 2 * sched.base_lr
    for how, clone in clones.items():
        np.testing.assert_array_equal(clone.values(STEPS), expected, err_msg=how)


def test_pickles_are_small_and_hold_no_numpy_objects(case):
    """A pickle holds the constructor arguments as plain Python values: no tables, and no
    numpy scalar (which would break the UTF-8 decoding of a protocol-0 pickle)."""
    name, make = case
    sched = make()
    for protocol in (0, pickle.DEFAULT_PROTOCOL):
        raw = pickle.dumps(sched, protocol)
        assert len(raw) < 1024, f"{name}: {len(raw)} bytes with protocol {protocol}"
        assert b"numpy" not in raw, f"{name} pickles numpy objects (protocol {protocol})"


# --------------------------------------------------------------------------- configs
def test_json_config_round_trip(case):
    name, make = case
    sched = make()
    if type(sched)._config_name() in NO_CONFIG:
        for get in (sched.get_config, lambda: mxsched.get_config(sched)):
            with pytest.raises(TypeError, match=rf"{type(sched).__name__}\.\w+ must be "
                                                r"JSON-safe to be saved in a config, got .* "
                                                r"\(plain callables and LRScheduler "
                                                r"subclasses have no config\)"):
                get()
        return
    text = json.dumps(sched.get_config(), allow_nan=False)
    rebuilt = from_config(json.loads(text))
    assert type(rebuilt) is type(sched)
    assert rebuilt == sched and repr(rebuilt) == repr(sched)
    np.testing.assert_array_equal(rebuilt.values(STEPS), sched.values(STEPS))
    assert mxsched.get_config(sched) == sched.get_config()


# --------------------------------------------------------------------------- base_lr
def _clipped(value, low, high):
    return min(max(value, low), math.inf if high is None else high)


def _keras_cosine_base_lr(s):
    """The largest of the decay's start (warmup_target if given), its floor alpha times
    that, and, behind a warm-up, the rate the warm-up starts from."""
    top = s.initial_learning_rate if s.warmup_target is None else s.warmup_target
    ramp = [s.initial_learning_rate] if s.warmup_target is not None and s.warmup_steps else []
    return max([top, s.alpha * top] + ramp)


#: base_lr of the wrappers as their docstrings state it, from their children's base_lr
#: (the classes not listed document base_lr as one of their arguments: the peak reached)
DOCUMENTED_BASE_LR = {
    **{name: lambda s: max(s.start_lr, s.schedule.base_lr)
       for name in ("LinearWarmUp", "ConstantWarmUp", "LogWarmUp", "CosineWarmUp",
                    "EpochStepWarmUp")},
    "LinearCoolDown": lambda s: max(s.schedule.base_lr, s.finish_lr),
    "Noise": lambda s: (1 + s.pct) * s.schedule.base_lr,
    "Envelope": lambda s: max(s.min_lr, s.min_lr + (s.schedule.base_lr - s.min_lr)
                              * s.envelope.base_lr),
    "Join": lambda s: max(child.base_lr for child in s.schedules),
    "Product": lambda s: math.prod(child.base_lr for child in s.schedules),
    "Clamp": lambda s: _clipped(s.schedule.base_lr, s.min_lr, s.max_lr),
    "Scale": lambda s: s.factor * s.schedule.base_lr,
    "Delay": lambda s: s.schedule.base_lr,
    "InUnits": lambda s: s.schedule.base_lr,
    "Restarts": lambda s: max(s.schedule.base_lr, s.min_lr or 0.0),
    "CyclicalSchedule": lambda s: s.schedule_class(cycle_length=s.cycle_length,
                                                   **s.kwargs).base_lr,
    "FunctionSchedule": lambda s: s.scale * (s.fn.base_lr if hasattr(s.fn, "base_lr")
                                             else s.fn(0)),
    "InOrderSchedule": lambda s: s.scale * s.scheduler.base_lr,
    "keras.CosineDecay": _keras_cosine_base_lr,
}


def test_the_special_cases_are_registered_classes():
    assert set(DOCUMENTED_BASE_LR) | BOUND_NOT_REACHED | NO_CONFIG <= set(REGISTERED)


def test_base_lr_reads_the_largest_value(case):
    _, make = case
    sched = make()
    peak = sched.base_lr
    assert isinstance(peak, float)
    steps = (STEPS if replays(sched) else
             np.concatenate([np.arange(0, 3001, dtype=np.float64), np.arange(0, 600, 0.25)]))
    highest = sched.values(steps).max()
    assert highest <= peak
    kind = type(sched)._config_name()
    if kind in DOCUMENTED_BASE_LR:
        assert peak == pytest.approx(DOCUMENTED_BASE_LR[kind](sched), rel=1e-12)
    if kind not in BOUND_NOT_REACHED:
        assert peak == pytest.approx(highest, rel=1e-12)


def test_assigning_base_lr_rescales_proportionally(case):
    _, make = case
    sched = make()
    peak = sched.base_lr
    original = sched.values(STEPS)
    sched.base_lr = 0.4
    assert sched.base_lr == pytest.approx(0.4, rel=1e-12)
    np.testing.assert_allclose(sched.values(STEPS), original * 0.4 / peak, rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_array_equal(make().values(STEPS), original)  # nothing shared with it


def test_a_failed_base_lr_assignment_changes_nothing(case):
    _, make = case
    sched = make()
    before = (repr(sched), sched.base_lr, sched.values(STEPS).tolist())
    for bad, error in ((0.0, ValueError), (-1.0, ValueError), (math.inf, ValueError),
                       (math.nan, ValueError), ("0.1", TypeError), (None, TypeError),
                       (True, TypeError)):
        with pytest.raises(error, match=r"base_lr must be"):
            sched.base_lr = bad
        assert (repr(sched), sched.base_lr, sched.values(STEPS).tolist()) == before, bad


# --------------------------------------------------------------------------- bounds
def assert_sensible(sched, steps):
    """Every value finite, >= 0 and <= base_lr (vectorised and scalar calls)."""
    peak = sched.base_lr
    values = sched.values(steps)
    assert np.all(np.isfinite(values)), f"{sched!r}: non-finite values"
    assert values.min() >= 0, f"{sched!r}: {values.min()!r} at t={steps[values.argmin()]}"
    assert values.max() <= peak, \
        f"{sched!r}: {values.max()!r} > base_lr {peak!r} at t={steps[values.argmax()]}"
    for t in steps[::37]:
        assert 0 <= sched(float(t)) <= peak, f"{sched!r} at t={t}"


def test_values_stay_within_zero_and_base_lr(case):
    _, make = case
    sched = make()
    steps = BOUND_STEPS[:2200] if replays(sched) else BOUND_STEPS
    assert_sensible(sched, steps)
    sched.base_lr = 3.7  # and after rescaling
    assert_sensible(sched, steps)


# --------------------------------------------------------------------------- bad steps
@pytest.mark.parametrize("step", [-1, -0.5, -math.inf, math.inf, math.nan])
def test_a_negative_or_non_finite_step_is_a_value_error(case, step):
    _, make = case
    sched = make()
    with pytest.raises(ValueError, match=rf"num_update must be a finite number >= 0, "
                                         rf"got {step!r}"):
        sched(step)
    with pytest.raises(ValueError, match=rf"steps must be finite and >= 0, got "
                                         rf"{float(step)!r}"):
        sched.values([0, 1, step])


@pytest.mark.parametrize("step", ["1", None, True, np.bool_(False), [1], 1j, b"1"])
def test_a_step_that_is_not_a_number_is_a_type_error(case, step):
    _, make = case
    with pytest.raises(TypeError, match=r"num_update must be a real number, got "):
        make()(step)


# --------------------------------------------------------------------------- repr
def test_repr_is_the_constructor_call(case):
    _, make = case
    sched = make()
    text = repr(sched)
    # a drop-in whose peer is a function shows the function's name
    shown = getattr(type(sched), "_display_name", lambda: type(sched).__name__)()
    assert text.startswith(shown + "(")
    if type(sched)._config_name() in NO_CONFIG:  # it shows the callable / MXNet scheduler it holds
        assert "=<" in text or text.startswith(shown + "(<")
        return
    rebuilt = eval(text, repr_namespace(sched))  # test only: the repr is a valid call
    assert type(rebuilt) is type(sched) and repr(rebuilt) == text
    np.testing.assert_array_equal(rebuilt.values(STEPS), sched.values(STEPS))


# --------------------------------------------------------------------------- immutability
def test_attributes_cannot_be_assigned(case):
    _, make = case
    sched = make()
    before = (repr(sched), sched.values(STEPS).tolist())
    names = [n for n in vars(sched) if not n.startswith("_")] + ["new_attribute"]
    assert len(names) > 1
    for name in names:
        with pytest.raises(AttributeError, match=rf"{type(sched).__name__}\.{name} cannot be "
                                                 r"assigned: schedules are immutable"):
            setattr(sched, name, getattr(sched, name, 1.0))
    assert (repr(sched), sched.values(STEPS).tolist()) == before


# --------------------------------------------------------------------------- phases
def test_phases_cover_the_run_in_order(case):
    _, make = case
    phases = make().phases(500)
    assert phases and phases[0].start == 0
    for a, b in zip(phases, phases[1:]):
        assert a.end is not None and a.start <= a.end <= b.start + 1e-9, phases
    assert phases[-1].end is None or phases[-1].end <= 500


# --------------------------------------------------------------------------- random compositions
LEAVES = [
    lambda lr: Constant(lr),
    lambda lr: StepDecay(lr, 13, 0.5),
    lambda lr: CosineAnnealing(lr / 20, lr, 97),
    lambda lr: LinearSchedule(lr, lr / 7, 50),
    lambda lr: TriangularSchedule(lr / 10, lr, 40, 0.3),
    lambda lr: CyclicalSchedule(CosineAnnealing, 11, 1.7, 0.8, min_lr=lr / 50, max_lr=lr),
    lambda lr: OneCycle(lr / 25, lr, 60, 20, lr / 1000),
]

lrs = st.floats(1e-4, 10.0)
lengths = st.integers(1, 120)


def leaves():
    return st.builds(lambda make, lr: make(lr), st.sampled_from(LEAVES), lrs)


def wrap(children):
    return st.one_of(
        st.builds(LinearWarmUp, children, lrs, lengths),
        st.builds(ConstantWarmUp, children, lrs, lengths),
        st.builds(CosineWarmUp, children, lrs, lengths),
        st.builds(LogWarmUp, children, lrs, st.integers(2, 120)),
        st.builds(Delay, children, st.integers(0, 120)),
        st.builds(Scale, children, st.floats(0.0, 5.0)),
        st.builds(lambda s, lo, hi: Clamp(s, lo, lo + hi), children, lrs, lrs),
        st.builds(lambda s, pct, seed: Noise(s, pct=pct, seed=seed), children,
                  st.floats(0.01, 1.0), st.integers(0, 2 ** 32)),
        st.builds(lambda s, a, b, stepwise: InUnits(s, Fraction(a, b), stepwise=stepwise),
                  children, st.integers(1, 300), st.integers(1, 9), st.booleans()),
        st.builds(lambda s, p, m, d, mode, floor: Restarts(s, p, m, d, mode,
                                                           min_lr=None if mode == "peak"
                                                           else floor),
                  children, lengths, st.floats(1.0, 3.0), st.floats(0.05, 1.0),
                  st.sampled_from(["height", "peak"]), lrs),
        st.builds(LinearCoolDown, children, lrs, st.integers(0, 200), st.integers(0, 200)),
        st.builds(lambda s, rate, floor: Envelope(s, ExponentialDecay(1.0, 30, rate), floor),
                  children, st.floats(0.05, 1.0), lrs),
        st.builds(lambda a, b, at: Join([a, b], [at]), children, children, lengths),
        st.builds(lambda a, b: Product([a, Scale(b, 1.0 / b.base_lr)]) if b.base_lr > 0 else a,
                  children, children),
    )


compositions = st.recursive(leaves(), wrap, max_leaves=6)
# far steps; past 2**53 a CyclicalSchedule of growing cycles refuses (documented), and a
# unit conversion can multiply steps, so the random compositions stop at 1e12
RANDOM_STEPS = np.concatenate([BOUND_STEPS[:600], BOUND_STEPS[2001:2601], BOUND_STEPS[-5:]])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compositions)
def test_random_compositions_stay_within_zero_and_base_lr(sched):
    assert_sensible(sched, RANDOM_STEPS)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compositions)
def test_random_compositions_keep_the_other_guarantees(sched):
    steps = RANDOM_STEPS
    expected = sched.values(steps)
    # vectorised = scalar calls, at integer, fractional and far steps
    np.testing.assert_allclose(expected, [sched(float(t)) for t in steps], rtol=1e-12,
                               atol=1e-15)
    # pickles (as MXNet sends them), configs and reprs rebuild the same schedule
    json_cfg = json.loads(json.dumps(sched.get_config(), allow_nan=False))
    rebuilt = {"protocol 0": as_mxnet_sends(sched), "config": from_config(json_cfg),
               "repr": eval(repr(sched), repr_namespace(sched))}
    for how, clone in rebuilt.items():
        assert repr(clone) == repr(sched), how
        np.testing.assert_array_equal(clone.values(steps), expected, err_msg=how)
    # assigning base_lr rescales proportionally
    peak = sched.base_lr
    if 0 < peak and not math.isfinite(0.4 / peak):  # a subnormal peak: a clear refusal
        with pytest.raises(ValueError, match="too small to be rescaled"):
            sched.base_lr = 0.4
    elif peak > 0:
        sched.base_lr = 0.4
        assert sched.base_lr == pytest.approx(0.4, rel=1e-9)
        # within rounding of the new peak's size: a peak-mode Restarts divides by
        # (peak - floor), which can be a small difference, so its rounding grows with 1/that
        np.testing.assert_allclose(sched.values(steps), expected * (0.4 / peak), rtol=1e-9,
                                   atol=1e-12 * 0.4)


@pytest.mark.parametrize("name", sorted(REGISTERED))
def test_signature_is_the_constructors(name):
    cls = REGISTERED[name]
    # help(), IDEs and the API docs read inspect.signature(cls): it must show the
    # constructor's parameters, not the metaclass's (*args, **kwargs).
    params = list(inspect.signature(cls).parameters)
    expected = list(inspect.signature(cls.__init__).parameters)[1:]
    assert params == expected and "args" not in params
