"""JSON configs: every schedule (core and zoo) round-trips; bad configs give clear errors."""
import json

import numpy as np
import pytest

import mxsched
from mxsched import (Constant, CosineDecay, FunctionSchedule, LinearWarmUp, Schedule,
                     from_config, register, registered)

from test_properties import SCHEDULES as CORE
from test_zoo_properties import ZOO

ALL = {**{f"core-{k}": v for k, v in CORE.items()}, **ZOO}
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
    cfg = ALL["core-sgdr"]().get_config()
    assert cfg["class"] == "CyclicalSchedule"
    assert cfg["config"]["schedule_class"] == {"schedule_class": "CosineAnnealing"}
    cfg = LinearWarmUp(CosineDecay(0.1, 10), 0.0, 5).get_config()
    assert cfg == {"class": "LinearWarmUp", "config": {
        "schedule": {"class": "CosineDecay",
                     "config": {"lr": 0.1, "decay_steps": 10, "min_lr": 0.0}},
        "start_lr": 0.0, "length": 5}}


def test_registry_holds_every_public_schedule_and_takes_user_classes():
    names = registered()
    assert {"CosineDecay", "Restarts", "CyclicalSchedule", "PureFactorScheduler"} <= set(names)
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
        register(type("CosineDecay", (Schedule,), {}))


@pytest.mark.parametrize("cfg,exc,match", [
    ({"class": "NoSuchSchedule", "config": {}}, ValueError,
     r"cfg\['class'\] must be a registered schedule class name \(one of .*\), "
     r"got 'NoSuchSchedule'"),
    ({"class": "CosineDecay", "config": {"lr": 0.1, "decay_steps": 10, "warmup": 3}},
     ValueError, r"must only have parameters of CosineDecay \(lr, decay_steps, min_lr, "
                 r"exponent\), got unknown \['warmup'\]"),
    ({"class": "CosineDecay", "config": {"lr": "0.1", "decay_steps": 10}}, TypeError,
     r"lr must be a real number, got '0.1'"),
    ({"class": "CosineDecay", "config": {"lr": 0.1, "decay_steps": 10.0}}, TypeError,
     r"decay_steps must be a positive integer, got 10.0"),
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
    ({"klass": "CosineDecay", "config": {}}, ValueError,
     r"cfg must have exactly the keys 'class' and 'config', got \['config', 'klass'\]"),
    ("CosineDecay", TypeError, r"cfg must be a dict"),
    ({"class": "CosineDecay", "config": [0.1, 10]}, TypeError,
     r"cfg\['config'\] must be a dict, got \[0.1, 10\]"),
])
def test_bad_configs_are_rejected_clearly(cfg, exc, match):
    with pytest.raises(exc, match=match):
        from_config(cfg)


def test_a_plain_callable_has_no_config():
    with pytest.raises(TypeError, match=r"FunctionSchedule.fn must be JSON-safe to be saved "
                                        r"in a config, got <built-in function abs>"):
        FunctionSchedule(abs).get_config()
    with pytest.raises(TypeError, match=r"sched must be an mxsched schedule, got 3"):
        mxsched.get_config(3)


def test_config_is_not_pickle_or_eval():
    cfg = Constant(0.1).get_config()
    assert json.loads(json.dumps(cfg)) == cfg == {"class": "Constant", "config": {"lr": 0.1}}
