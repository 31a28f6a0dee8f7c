"""JSON configs: every schedule round-trips; bad configs give clear errors."""
import json
import math

import numpy as np
import pytest
from mxnet.lr_scheduler import MultiFactorScheduler

import mxsched
import mxsched.compat.keras  # noqa: F401  registers the drop-ins too
import mxsched.compat.torch  # noqa: F401
from mxsched import (Clamp, Constant, ConstantWarmUp, CosineAnnealing, CosineWarmUp,
                     CyclicalSchedule, EpochStepWarmUp, FunctionSchedule, InUnits, Join,
                     LinearWarmUp, MultiStepDecay, Noise, Restarts, Schedule, from_config,
                     from_mxnet, register, registered)

#: classes holding a Python object that has no JSON form (a callable, an MXNet object)
NO_CONFIG = {"FunctionSchedule", "InOrderSchedule", "torch.LambdaLR"}


def everything():
    """One nesting using most combinators at once."""
    cycle = CosineWarmUp(CosineAnnealing(0.002, 0.2, 40, exponent=1.5), 0.01, 5)
    return Clamp(Join([ConstantWarmUp(Constant(0.2), 0.02, 3),
                       Restarts(cycle, 45, cycle_length_decay=1.5, cycle_magnitude_decay=0.7,
                                cycle_limit=6, k_decay=1.3)],
                      boundaries=[10]), min_lr=0.001, max_lr=0.15)


def assigned_mxnet():
    """An MXNet built-in whose base_lr was assigned: its pure form keeps warmup_final_lr."""
    scheduler = MultiFactorScheduler(step=[20], factor=0.5, base_lr=0.1, warmup_steps=10)
    scheduler.base_lr = 1.0
    return from_mxnet(scheduler)


NAMED = {
    "sgdr": lambda: CyclicalSchedule(CosineAnnealing, cycle_length=7, cycle_length_decay=1.5,
                                     min_lr=0.0, max_lr=0.1),
    "everything": everything,
    "in-epochs-fraction": lambda: InUnits.epochs(MultiStepDecay(0.2, [3, 6]), 10,
                                                 accumulation=3),
    "epoch-step-warmup-default-start": lambda: EpochStepWarmUp(CosineAnnealing(0.0, 0.2, 200),
                                                               3, 8),
    "noise-window": lambda: Noise(CosineAnnealing(0.0, 0.2, 300), pct=0.3, std=0.5, seed=3,
                                  start=100, end=500),
    "warmup-over-mxnet": lambda: LinearWarmUp(
        MultiFactorScheduler(step=[30, 60], factor=0.1, base_lr=0.3), start_lr=0.0, length=10),
    "mxnet-assigned-base-lr": assigned_mxnet,
}
ALL = {**{name: cls.example for name, cls in registered().items()
          if cls.__module__.startswith("mxsched.") and name not in NO_CONFIG},
       **{f"named-{k}": v for k, v in NAMED.items()}}
STEPS = np.arange(0, 600)


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_schedule_round_trips_through_json(name):
    sched = ALL[name]()
    text = json.dumps(sched.get_config())  # JSON-safe: no pickle, no eval
    rebuilt = from_config(json.loads(text))
    assert type(rebuilt) is type(sched) and repr(rebuilt) == repr(sched)
    np.testing.assert_array_equal(rebuilt.values(STEPS), sched.values(STEPS))
    assert mxsched.get_config(rebuilt) == json.loads(text)


def test_nested_config_shape_and_schedule_class_by_name():
    cfg = NAMED["sgdr"]().get_config()
    assert cfg["class"] == "CyclicalSchedule"
    assert cfg["config"]["schedule_class"] == {"schedule_class": "CosineAnnealing"}
    cfg = LinearWarmUp(CosineAnnealing(0.0, 0.1, 10), 0.0, 5).get_config()
    assert cfg == {"class": "LinearWarmUp", "config": {
        "schedule": {"class": "CosineAnnealing",
                     "config": {"min_lr": 0.0, "max_lr": 0.1, "cycle_length": 10}},
        "start_lr": 0.0, "length": 5}}


def test_an_exact_ratio_is_a_fraction_in_the_config():
    cfg = NAMED["in-epochs-fraction"]().get_config()
    assert cfg["config"]["updates_per_unit"] == {"fraction": [10, 3]}


def test_registry_holds_every_public_schedule_and_takes_user_classes():
    names = registered()
    assert {"CosineAnnealing", "Restarts", "CyclicalSchedule", "PureFactorScheduler"} <= set(names)
    assert "CosineAnnealingSchedule" not in names  # aliases resolve to the class name

    @register
    class Twice(Schedule):
        _lr_params = ("lr",)

        def __init__(self, lr: float) -> None:
            super().__init__()
            self.lr = lr

        def _at(self, t):
            return self.lr

        def _values(self, t):
            return np.full_like(t, self.lr)

        def _peak(self):
            return self.lr

        def _repr_args(self):
            return [("lr", self.lr)]
    assert from_config(Twice(0.3).get_config())(5) == 0.3
    with pytest.raises(ValueError, match=r"cls must have a name not yet registered"):
        register(type("CosineAnnealing", (Schedule,), {}))
    with pytest.raises(TypeError, match=r"cls must be a Schedule subclass, got <class 'int'>"):
        register(int)


@pytest.mark.parametrize("cfg,exc,match", [
    ({"class": "NoSuchSchedule", "config": {}}, ValueError,
     r"cfg\['class'\] must be a registered schedule class name \(one of .*\), "
     r"got 'NoSuchSchedule'"),
    ({"class": "CosineAnnealing",
      "config": {"min_lr": 0.0, "max_lr": 0.1, "cycle_length": 10, "warmup": 3}},
     ValueError, r"must only have parameters of CosineAnnealing \(min_lr, max_lr, "
                 r"cycle_length, exponent\), got unknown \['warmup'\]"),
    ({"class": "CosineAnnealing", "config": {"min_lr": 0.0, "max_lr": "0.1",
                                             "cycle_length": 10}}, TypeError,
     r"max_lr must be a real number, got '0.1'"),
    ({"class": "CosineAnnealing", "config": {"min_lr": 0.0, "max_lr": 0.1,
                                             "cycle_length": 10.0}}, TypeError,
     r"cycle_length must be a positive integer, got 10.0"),
    ({"class": "LinearWarmUp", "config": {"schedule": {"class": "Nope", "config": {}},
                                          "start_lr": 0, "length": 3}}, ValueError,
     r"cfg\['config'\]\['schedule'\]\['class'\] must be a registered schedule class name"),
    ({"class": "CyclicalSchedule", "config": {"schedule_class": {"schedule_class": "Nope"},
                                              "cycle_length": 3}}, ValueError,
     r"must be a registered schedule class name .* got 'Nope'"),
    ({"class": "CyclicalSchedule", "config": {
        "schedule_class": {"schedule_class": "CosineAnnealing"}, "cycle_length": 3,
        "min_lr": 0.0, "max_lr": 1.0, "bogus": 1}}, TypeError,
     r"schedule_class CosineAnnealing does not accept"),
    ({"klass": "CosineAnnealing", "config": {}}, ValueError,
     r"cfg must have exactly the keys 'class' and 'config', got \['config', 'klass'\]"),
    ("CosineAnnealing", TypeError, r"cfg must be a dict"),
    ({"class": "CosineAnnealing", "config": [0.1, 10]}, TypeError,
     r"cfg\['config'\] must be a dict, got \[0.1, 10\]"),
    ({"class": "InUnits", "config": {"schedule": {"class": "Constant", "config": {"lr": 0.1}},
                                     "updates_per_unit": {"fraction": [10, 0]}}}, ValueError,
     r"cfg\['config'\]\['updates_per_unit'\] must be \{'fraction': \[numerator, "
     r"denominator\]\} with integers and a positive denominator, got \{'fraction': \[10, 0\]\}"),
])
def test_bad_configs_are_rejected_clearly(cfg, exc, match):
    with pytest.raises(exc, match=match):
        from_config(cfg)


def test_a_plain_callable_has_no_config():
    with pytest.raises(TypeError, match=r"FunctionSchedule.fn must be JSON-safe to be saved "
                                        r"in a config, got <built-in function abs>"):
        FunctionSchedule(abs).get_config()
    with pytest.raises(TypeError, match=r"FunctionSchedule.fn must be JSON-safe .* got "
                                        r"<built-in function erfc>"):
        FunctionSchedule(math.erfc, scale=0.1).get_config()
    with pytest.raises(TypeError, match=r"sched must be an mxsched schedule, got 3"):
        mxsched.get_config(3)


def test_config_is_not_pickle_or_eval():
    cfg = Constant(0.1).get_config()
    assert json.loads(json.dumps(cfg)) == cfg == {"class": "Constant", "config": {"lr": 0.1}}
