"""``mxsched.compat.mxnet``: MXNet's four built-in schedulers, pure, under MXNet's names.

Each is held against a fresh MXNet object called with 0, 1, 2, ... in order (what the
optimizer does; MXNet's objects keep state), at every update, for MXNet's defaults and
three other parameter sets; and its parameters against MXNet's signature.
"""
import inspect

import mxnet as mx
import pytest

import mxsched
from conftest import assert_lrs, in_order
from mxsched.compat import mxnet as compat
from mxsched.compat.mxnet import (CosineScheduler, FactorScheduler, MultiFactorScheduler,
                                  PolyScheduler, from_mxnet)

NAMES = ["FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler"]
UPDATES = 160

# MXNet's defaults first (with the one required argument), then three other sets
CASES = {
    "FactorScheduler": [
        dict(step=10),
        dict(step=5, factor=0.5, base_lr=0.1),
        dict(step=3, factor=0.9, stop_factor_lr=1e-3, base_lr=1.0, warmup_steps=7,
             warmup_begin_lr=0.01),
        dict(step=7, factor=0.5, base_lr=0.05, warmup_steps=5, warmup_begin_lr=0.001,
             warmup_mode="constant"),
    ],
    "MultiFactorScheduler": [
        dict(step=[10, 20]),
        dict(step=[5, 9, 30], factor=0.1, base_lr=0.1),
        dict(step=[3, 50], factor=0.5, base_lr=0.2, warmup_steps=10, warmup_begin_lr=0.001),
        dict(step=[1, 2, 3, 4, 100], factor=0.9, base_lr=0.3, warmup_steps=2,
             warmup_begin_lr=0.05, warmup_mode="constant"),
    ],
    "PolyScheduler": [
        dict(max_update=100),
        dict(max_update=50, base_lr=0.1, pwr=1, final_lr=0.001),
        dict(max_update=80, base_lr=0.5, pwr=3, warmup_steps=10, warmup_begin_lr=0.001),
        dict(max_update=30, base_lr=0.05, pwr=0.5, final_lr=0.01, warmup_steps=5,
             warmup_begin_lr=0.02, warmup_mode="constant"),
    ],
    "CosineScheduler": [
        dict(max_update=100),
        dict(max_update=50, base_lr=0.1, final_lr=0.001),
        dict(max_update=80, base_lr=0.5, warmup_steps=10, warmup_begin_lr=0.001),
        dict(max_update=30, base_lr=0.05, final_lr=0.01, warmup_steps=5,
             warmup_begin_lr=0.02, warmup_mode="constant"),
    ],
}
PAIRS = [(name, kw) for name in NAMES for kw in CASES[name]]
IDS = [f"{name}-{i}" for name in NAMES for i in range(len(CASES[name]))]


@pytest.mark.parametrize("name,kwargs", PAIRS, ids=IDS)
def test_equals_a_fresh_mxnet_object_called_in_order_at_every_update(name, kwargs):
    ours = getattr(compat, name)(**kwargs)
    expected = in_order(getattr(mx.lr_scheduler, name)(**kwargs), UPDATES, start=0)
    assert_lrs(ours, expected, steps=range(UPDATES + 1))
    # pure: the same values asked backwards, and again
    backwards = [ours(t) for t in reversed(range(UPDATES + 1))]
    assert backwards[::-1] == [ours(t) for t in range(UPDATES + 1)]


@pytest.mark.parametrize("name,kwargs", PAIRS, ids=IDS)
def test_from_mxnet_gives_the_same_schedule(name, kwargs):
    mxnet_object = getattr(mx.lr_scheduler, name)(**kwargs)
    converted = from_mxnet(mxnet_object)
    assert type(converted) is getattr(compat, name)
    assert converted == getattr(compat, name)(**kwargs)
    assert_lrs(converted, in_order(mxnet_object, UPDATES), steps=range(1, UPDATES + 1))


def _parameters(cls):
    """(name, default, kind) of every constructor parameter but self."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return [(p.name, p.default, p.kind) for p in params]


@pytest.mark.parametrize("name", NAMES)
def test_names_order_and_defaults_are_mxnets(name):
    ours = _parameters(getattr(compat, name))
    theirs = _parameters(getattr(mx.lr_scheduler, name))
    assert ours[:len(theirs)] == theirs
    # one keyword more, at the end: where the warm-up ends (MXNet's attribute of that name)
    assert ours[len(theirs):] == [("warmup_final_lr", None,
                                   inspect.Parameter.POSITIONAL_OR_KEYWORD)]


def test_the_names_are_aliases_of_the_pure_classes():
    assert FactorScheduler is mxsched.PureFactorScheduler
    assert MultiFactorScheduler is mxsched.PureMultiFactorScheduler
    assert PolyScheduler is mxsched.PurePolyScheduler
    assert CosineScheduler is mxsched.PureCosineScheduler
    assert from_mxnet is mxsched.from_mxnet
    assert sorted(compat.__all__) == sorted(NAMES + ["from_mxnet"])


@pytest.mark.parametrize("name,kwargs,match", [
    ("FactorScheduler", dict(step=0), r"step must be a positive integer, got 0"),
    ("FactorScheduler", dict(step=5, factor=1.5), r"factor must be <= 1, got 1.5"),
    ("MultiFactorScheduler", dict(step=[5, 5]), r"step must be increasing"),
    ("MultiFactorScheduler", dict(step=[0, 5]), r"step\[0\] must be a positive integer"),
    ("MultiFactorScheduler", dict(step=[5], factor=2.0), r"factor must be <= 1"),
    ("PolyScheduler", dict(max_update=0), r"max_update must be a positive integer, got 0"),
    ("CosineScheduler", dict(max_update=0), r"max_update must be a positive integer"),
    ("CosineScheduler", dict(max_update=10, base_lr=0.01, warmup_steps=2,
                             warmup_begin_lr=0.1), r"warmup_begin_lr must be <= base_lr"),
    ("PolyScheduler", dict(max_update=10, warmup_steps=-1),
     r"warmup_steps must be a non-negative integer, got -1"),
    ("FactorScheduler", dict(step=5, warmup_mode="exp"),
     r"warmup_mode must be one of 'linear', 'constant', got 'exp'"),
])
def test_what_mxnet_rejects_with_a_value_error_is_a_value_error_naming_the_argument(
        name, kwargs, match):
    with pytest.raises(ValueError):
        getattr(mx.lr_scheduler, name)(**kwargs)
    with pytest.raises(ValueError, match=match):
        getattr(compat, name)(**kwargs)


@pytest.mark.parametrize("name,kwargs,error,match", [
    ("PolyScheduler", dict(max_update=10.0), TypeError,
     r"max_update must be a positive integer, got 10.0"),
    ("CosineScheduler", dict(max_update=10, warmup_steps=2.0), TypeError,
     r"warmup_steps must be a non-negative integer, got 2.0"),
    ("MultiFactorScheduler", dict(step=[]), ValueError,
     r"step must be a non-empty increasing list, got \[\]"),
    ("MultiFactorScheduler", dict(step=5), TypeError,
     r"step must be a list of increasing integers, got 5"),
])
def test_mxnets_bare_asserts_are_type_and_value_errors_naming_the_argument(
        name, kwargs, error, match):
    with pytest.raises(AssertionError):
        getattr(mx.lr_scheduler, name)(**kwargs)
    with pytest.raises(error, match=match):
        getattr(compat, name)(**kwargs)
