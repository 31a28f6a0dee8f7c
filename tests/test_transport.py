"""Every schedule survives the trip MXNet makes to a parameter server, and pickles small.

``KVStore.set_optimizer`` sends ``py_str(pickle.dumps(optimizer, 0))`` (protocol 0, then
UTF-8 decoding) to the servers: numpy objects in a pickled state break that. A schedule's
pickle holds its constructor arguments only, as plain Python values.
"""
import copy
import pickle
import pickletools

import mxnet as mx
import numpy as np
import pytest
from mxnet.lr_scheduler import LRScheduler

import mxsched
from mxsched import (Constant, CosineAnnealing, CosineDecay, CyclicalSchedule, InUnits,
                     Join, LinearWarmUp, Restarts, StepDecay, TriangularSchedule)
from mxsched.config import registered
from mxsched.distributed import ServerPickleError, server_payload

CLASSES = sorted(registered())


def round_trip_as_mxnet_does(obj):
    text = pickle.dumps(obj, 0).decode("utf-8")  # what set_optimizer does on the worker
    return pickle.loads(text.encode("utf-8"))     # and the server's controller


def assert_survives(sched, steps=np.arange(0, 3000, 7)):
    back = round_trip_as_mxnet_does(sched)
    assert type(back) is type(sched) and repr(back) == repr(sched)
    assert back.values(steps).tolist() == sched.values(steps).tolist()
    opt = round_trip_as_mxnet_does(mx.optimizer.SGD(lr_scheduler=sched))
    assert repr(opt.lr_scheduler) == repr(sched)
    assert server_payload(sched)  # the exact server payload can be built


def globals_in(raw):
    return {arg.split(" ")[0] for op, arg, _ in pickletools.genops(raw)
            if op.name in ("GLOBAL", "INST")}


@pytest.mark.parametrize("name", CLASSES)
def test_every_schedule_class_crosses_protocol_0_and_utf8(name):
    sched = registered()[name].example()
    assert_survives(sched)
    raw = pickle.dumps(sched, 0)
    assert len(raw) < 1024, f"{name}: {len(raw)} bytes"
    assert "numpy" not in " ".join(globals_in(raw)), f"{name} pickles numpy objects"


@pytest.mark.parametrize("cycle_length", [1, 1000, 2350, 4096])
@pytest.mark.parametrize("decay", [1, 2, 0.5, 1.00002])
def test_cyclical_schedules_of_any_length_cross(cycle_length, decay):
    sched = CyclicalSchedule(CosineAnnealing, cycle_length=cycle_length,
                             cycle_length_decay=decay, min_lr=0.0, max_lr=0.1)
    assert_survives(sched)
    assert len(pickle.dumps(sched, 0)) < 400  # no tables: 22.6 MB once, for 1.00002


def test_numpy_scalar_arguments_become_plain_python_values():
    sched = LinearWarmUp(
        CyclicalSchedule(CosineAnnealing, cycle_length=np.int64(7),
                         cycle_length_decay=np.float32(2.0),
                         cycle_magnitude_decay=np.float64(0.5), min_lr=np.float32(0.0),
                         max_lr=np.float64(0.1)),
        start_lr=np.float16(0.0), length=np.int32(3))
    assert_survives(sched)
    assert "numpy" not in " ".join(globals_in(pickle.dumps(sched, 0)))
    inner = Join([Constant(np.float64(0.1)), StepDecay(np.float32(0.5), np.int64(3))],
                 [np.int16(4)])
    assert_survives(inner)
    assert_survives(InUnits.epochs(inner, batches_per_epoch=np.int64(235), accumulation=3))


def test_deeply_nested_compositions_cross():
    sched = Constant(0.1)
    for i in range(mxsched.base.MAX_DEPTH - 1):
        sched = Join([sched, CosineDecay(0.1, 10)], [i + 1]) if i % 2 else LinearWarmUp(
            sched, 0.0, 2)
    assert_survives(sched, steps=np.arange(0, 400))
    assert len(pickle.dumps(sched, 0)) < 64 * 1024


class WithNumpyState(LRScheduler):
    """Not an mxsched schedule: a user scheduler whose state holds a numpy float."""

    def __init__(self):
        super().__init__(base_lr=np.float64(0.1))

    def __call__(self, t):
        return self.base_lr


def test_the_server_payload_is_checked_for_numpy_state():
    raw = pickle.dumps(mx.optimizer.SGD(lr_scheduler=WithNumpyState()), 0)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    with pytest.raises(ServerPickleError, match=r"is not valid UTF-8.*keep plain Python values"):
        server_payload(WithNumpyState())


def test_copies_share_nothing_that_can_change():
    sched = LinearWarmUp(Restarts(CosineDecay(0.1, 10), 10, period_mult=2), 0.0, 5)
    clone = copy.deepcopy(sched)
    sched.base_lr = 1.0
    assert clone.base_lr == pytest.approx(0.1) and sched.base_lr == pytest.approx(1.0)
    assert clone(7) == pytest.approx(sched(7) / 10)
