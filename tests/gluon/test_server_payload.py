"""What a parameter server receives: every schedule class gets there; numpy state does not.

``KVStore.set_optimizer`` sends ``py_str(pickle.dumps(optimizer, 0))`` (protocol 0, then
UTF-8 decoding) to the servers: numpy objects in a pickled state break that, and
:func:`mxsched.gluon.server_payload` says so before a job is started.
"""
import pickle

import mxnet as mx
import numpy as np
import pytest
from mxnet.lr_scheduler import LRScheduler

import mxsched.compat.keras  # noqa: F401  registers the drop-ins too
import mxsched.compat.torch  # noqa: F401
from mxsched.config import registered
from mxsched.gluon import ServerPickleError, server_payload


@pytest.mark.parametrize("name", sorted(registered()))
def test_the_server_payload_of_every_schedule_class_unpickles(name):
    sched = registered()[name].example()
    opt = pickle.loads(server_payload(sched))
    assert isinstance(opt, mx.optimizer.SGD) and repr(opt.lr_scheduler) == repr(sched)


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
