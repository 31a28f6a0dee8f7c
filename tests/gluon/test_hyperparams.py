"""Tests of mxsched.gluon.hyperparams: schedules for momentum, beta1, wd and lr.

* The value a handler sets is checked from the weights: a one-parameter model with a
  known gradient per update is stepped by a real gluon.Trainer, and the weights are
  compared with the optimizer's update rule evaluated with ``sched(k)`` at update k
  (and shown to differ from the off-by-one ``sched(k + 1)``).
* The handlers are the Gluon estimator's event handlers by plain inheritance, and
  ``import mxsched`` -- what a parameter server needs to unpickle a schedule -- loads
  nothing of mxsched.gluon (tested inside a server's ``import mxnet``).
"""
import json
import math
import pickle
import subprocess
import sys

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.gluon.contrib.estimator.event_handler import BatchBegin, EpochEnd

from mxsched import (CosineAnnealing, CyclicalSchedule, LinearWarmUp, OneCycle,
                     TriangularSchedule)
from mxsched.gluon import (Handlers, HyperparamHandler, InverseMomentum, MomentumHandler,
                           make_trainer, server_payload)
from mxsched.tutorial import lenet, load_data, set_seed, train

CTX = mx.cpu()


# --------------------------------------------------------------------------- helpers


def momentum_sched(t):
    """A positive momentum that changes at every update (module level: picklable)."""
    return 0.5 + 0.4 * ((t * 7) % 5) / 4.0


def beta1_sched(t):
    return 0.5 + 0.45 * ((t * 3) % 4) / 3.0


def wd_sched(t):
    return 0.01 * (t % 4)


def lr_sched(t):
    return 0.1 / (1.0 + t)


def grad_at(k):
    """The gradient of update k (varies with k so that every value matters)."""
    return np.array([1.0, -2.0, 0.5]) * (1.0 + 0.3 * math.sin(k))


def make_param(optimizer, **params):
    """A 3-vector parameter and a trainer over it."""
    p = gluon.Parameter("w", shape=(3,), init=mx.init.Constant(1.0))
    p.initialize(ctx=CTX)
    trainer = gluon.Trainer([p], optimizer, params)
    return p, trainer


def run(p, trainer, handler, steps):
    """Step ``steps`` times with loss = <w, grad_at(k)>; return weights after each step."""
    out = []
    for k in range(1, steps + 1):
        handler.before_update(trainer)
        x = mx.nd.array(grad_at(k), ctx=CTX)
        with autograd.record():
            loss = (p.data(CTX) * x).sum()
        loss.backward()
        trainer.step(1)
        out.append(p.data(CTX).asnumpy().astype(np.float64))
    return out


def sgd_momentum_ref(sched, steps, lr, shift=0):
    w, mom, out = np.ones(3), np.zeros(3), []
    for k in range(1, steps + 1):
        mom = sched(k + shift) * mom - lr * grad_at(k)
        w = w + mom
        out.append(w.copy())
    return out


def adam_ref(b1_sched, steps, lr, beta2=0.999, eps=1e-8, shift=0):
    w, m, v, out = np.ones(3), np.zeros(3), np.zeros(3), []
    for k in range(1, steps + 1):
        b1, g = b1_sched(k + shift), grad_at(k)
        m = b1 * m + (1 - b1) * g
        v = beta2 * v + (1 - beta2) * g * g
        lr_t = lr * math.sqrt(1 - beta2 ** k) / (1 - b1 ** k)
        w = w - lr_t * m / (np.sqrt(v) + eps)
        out.append(w.copy())
    return out


def sgd_wd_ref(wd, steps, lr, shift=0):
    w, out = np.ones(3), []
    for k in range(1, steps + 1):
        w = w - lr * (grad_at(k) + wd(k + shift) * w)
        out.append(w.copy())
    return out


def close(a, b, rtol=1e-5):
    return all(np.allclose(x, y, rtol=rtol, atol=1e-6) for x, y in zip(a, b))


# --------------------------------------------------------------------------- hyper-parameters


def test_momentum_applied_at_update_k_is_sched_k():
    p, trainer = make_param("sgd", learning_rate=0.05, momentum=0.9)
    handler = MomentumHandler(momentum_sched)
    got = run(p, trainer, handler, 12)
    assert close(got, sgd_momentum_ref(momentum_sched, 12, 0.05))
    assert not close(got, sgd_momentum_ref(momentum_sched, 12, 0.05, shift=1))
    assert handler.updates == list(range(1, 13))
    assert handler.values == [momentum_sched(k) for k in range(1, 13)]
    assert trainer.optimizer.momentum == momentum_sched(12)


def test_adam_beta1_applied_at_update_k_is_sched_k():
    p, trainer = make_param("adam", learning_rate=0.01)
    handler = HyperparamHandler("beta1", beta1_sched)
    got = run(p, trainer, handler, 10)
    assert close(got, adam_ref(beta1_sched, 10, 0.01))
    assert not close(got, adam_ref(beta1_sched, 10, 0.01, shift=1))
    assert handler.values == [beta1_sched(k) for k in range(1, 11)]


def test_weight_decay_applied_at_update_k_is_sched_k():
    p, trainer = make_param("sgd", learning_rate=0.1)
    handler = HyperparamHandler("wd", wd_sched)
    got = run(p, trainer, handler, 9)
    assert close(got, sgd_wd_ref(wd_sched, 9, 0.1))
    assert not close(got, sgd_wd_ref(wd_sched, 9, 0.1, shift=1))


def test_learning_rate_by_name_and_several_handlers_at_once():
    p, trainer = make_param("sgd", learning_rate=1.0, momentum=0.9)
    both = Handlers(HyperparamHandler("lr", lr_sched), MomentumHandler(momentum_sched))
    run(p, trainer, both, 5)
    lr_handler, mom_handler = both.handlers
    assert lr_handler.name == "learning_rate"
    assert lr_handler.values == [lr_sched(k) for k in range(1, 6)]
    assert mom_handler.values == [momentum_sched(k) for k in range(1, 6)]
    assert trainer.learning_rate == lr_sched(5)


def test_one_cycle_momentum_in_the_tutorial_train_matches_history():
    splits = load_data(128, quick=True, verbose=False)
    set_seed(0)
    net = lenet()
    net.initialize(mx.init.Xavier(), ctx=CTX)
    n = 2 * len(splits.train)
    lr = OneCycle(0.01, 0.1, cycle_length=n - 2, cooldown_length=2, finish_lr=0.001)
    momentum = InverseMomentum(lr)
    handlers = Handlers(HyperparamHandler("lr", lr), MomentumHandler(momentum))
    trainer = make_trainer(net, "sgd", momentum=0.95)
    history = train(net, splits.train, splits.test, trainer, 2, CTX,
                            handler=handlers, progress="none")
    mom = handlers.handlers[1]
    assert mom.updates == history.updates == list(range(1, n + 1))
    assert history.lrs == [lr(k) for k in history.updates]
    assert mom.values == [momentum(k) for k in history.updates]
    peak = int(np.argmax(history.lrs))
    assert mom.values[peak] == pytest.approx(0.85) and mom.values[-1] == pytest.approx(0.95)


def test_inverse_momentum_equals_pytorch_cyclic_lr_cycle_momentum():
    # torch.optim.lr_scheduler.CyclicLR(mode='triangular', cycle_momentum=True): per
    # iteration t, cycle = floor(1 + t / (2 s)), x = 1 + t / (2 s) - cycle,
    # scale = x / 0.5 if x <= 0.5 else (x - 1) / (0.5 - 1),
    # momentum = max_m - (max_m - base_m) * scale.
    a, b, s, base_m, max_m = 0.01, 0.4, 7, 0.8, 0.97
    lr = CyclicalSchedule(TriangularSchedule, min_lr=a, max_lr=b, cycle_length=2 * s)
    mom = InverseMomentum(lr, base_m, max_m, lr_range=(a, b))
    for t in range(60):
        cycle = math.floor(1 + t / (2 * s))
        x = 1.0 + t / (2 * s) - cycle
        scale = x / 0.5 if x <= 0.5 else (x - 1) / (0.5 - 1)
        assert mom(t) == pytest.approx(max_m - (max_m - base_m) * scale, abs=1e-12), t
    steps = np.arange(200)
    assert np.array_equal(mom.values(steps), [mom(t) for t in steps])


def test_inverse_momentum_defaults_clip_and_pickle():
    lr = OneCycle(0.01, 0.1, cycle_length=100, cooldown_length=20, finish_lr=0.001)
    mom = InverseMomentum(lr)
    assert mom.lr_range == (0.01, 0.1)
    assert [round(mom(t), 6) for t in (0, 25, 50, 75, 100, 110, 120)] == \
        [0.95, 0.9, 0.85, 0.9, 0.95, 0.95, 0.95]
    again = pickle.loads(pickle.dumps(mom))
    assert again == mom and [again(t) for t in range(130)] == [mom(t) for t in range(130)]
    assert "InverseMomentum(OneCycle(" in repr(mom)
    plain = InverseMomentum(lr_sched, lr_range=(0.0, 0.1))
    assert plain.values([0, 9]).tolist() == [plain(0), plain(9)]


@pytest.mark.parametrize("kwargs, match", [
    (dict(base_momentum=1.0), r"base_momentum must be in \[0, 1\), got 1.0"),
    (dict(max_momentum=-0.1), r"max_momentum must be in \[0, 1\), got -0.1"),
    (dict(base_momentum=0.96), r"base_momentum must be <= max_momentum \(0.95\), got 0.96"),
    (dict(lr_range=(0.1, 0.1)), r"lr_range must have lr_low < lr_high.*\(0.1, 0.1\)"),
    (dict(lr_range=0.1), r"lr_range must be a pair \(lr_low, lr_high\), got 0.1"),
])
def test_inverse_momentum_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        InverseMomentum(OneCycle(0.01, 0.1, cycle_length=10), **kwargs)


def test_inverse_momentum_needs_a_range_for_a_plain_function_or_a_flat_start():
    with pytest.raises(ValueError, match="lr_range must be given.*got lr_range=None"):
        InverseMomentum(lr_sched)
    with pytest.raises(ValueError, match="lr_range must have lr_low < lr_high"):
        InverseMomentum(CosineAnnealing(0.0, 0.1, cycle_length=10))


def test_hyperparam_handler_errors():
    with pytest.raises(ValueError, match="name must be the name of an optimizer attribute, "
                                         "got 'not a name'"):
        HyperparamHandler("not a name", lr_sched)
    with pytest.raises(TypeError, match="schedule must be a callable.*got 0.9"):
        MomentumHandler(0.9)
    _, adam = make_param("adam")
    with pytest.raises(ValueError, match="numeric hyper-parameter of the optimizer Adam, "
                                         "got 'momentum'"):
        MomentumHandler(momentum_sched).before_update(adam)
    _, sgd = make_param("sgd", learning_rate=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"schedule\(1\) must be a valid momentum "
                                         r"\(in \[0, 1\)\), got 1.0"):
        MomentumHandler(lambda t: 1.0).before_update(sgd)
    with pytest.raises(ValueError, match=r"schedule\(1\) must be a valid wd \(>= 0\), got -0.1"):
        HyperparamHandler("wd", lambda t: -0.1).before_update(sgd)
    with pytest.raises(ValueError, match="must have no lr_scheduler"):
        p = gluon.Parameter("v", shape=(1,))
        p.initialize(ctx=CTX)
        scheduled = gluon.Trainer([p], "sgd", {"lr_scheduler": OneCycle(0.1, 1.0, 10)})
        HyperparamHandler("lr", lr_sched).before_update(scheduled)


def test_momentum_cannot_be_turned_on_after_the_first_update():
    p, trainer = make_param("sgd", learning_rate=0.1)
    handler = MomentumHandler(lambda t: 0.0 if t < 3 else 0.9)
    with pytest.raises(ValueError, match=r"schedule\(3\) = 0.9 turns momentum on after "
                                         "update 1"):
        run(p, trainer, handler, 4)


# --------------------------------------------------------------------------- estimator, servers


def test_handlers_are_estimator_event_handlers_by_inheritance():
    # The estimator dispatches on isinstance(handler, BatchBegin / EpochEnd); the classes
    # derive from them directly, so every instance -- also an unpickled one -- qualifies.
    assert issubclass(HyperparamHandler, BatchBegin) and issubclass(MomentumHandler, BatchBegin)
    assert issubclass(Handlers, BatchBegin) and issubclass(Handlers, EpochEnd)
    handlers = [HyperparamHandler("wd", wd_sched), MomentumHandler(momentum_sched),
                Handlers(HyperparamHandler("lr", lr_sched))]
    for handler in handlers + [pickle.loads(pickle.dumps(h)) for h in handlers]:
        assert isinstance(handler, BatchBegin), handler
    assert isinstance(handlers[2], EpochEnd)
    assert not isinstance(handlers[0], EpochEnd)  # a hyper-parameter acts per batch only


SERVER_IMPORT = r'''
import importlib.abc, importlib.machinery, json, pickle, sys, traceback
payload_path, steps = sys.argv[1], json.loads(sys.argv[2])
result = {}
def server_moment():
    try:
        import mxsched
        with open(payload_path, "rb") as f:
            opt = pickle.loads(f.read())      # what a server does with set_optimizer's bytes
        result["values"] = [opt.lr_scheduler(t) for t in steps]
        result["loaded"] = sorted(m for m in sys.modules if m.startswith("mxsched"))
    except BaseException:
        result["error"] = traceback.format_exc()
class Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "mxnet.kvstore.kvstore_server":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            server_moment()
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Hook())
import mxnet
print(json.dumps(result))
'''


def test_import_mxsched_inside_a_parameter_server_needs_nothing_of_gluon(tmp_path):
    # A server unpickles its optimizer at the end of mxnet.kvstore.kvstore_server, while
    # mxnet (and mxnet.gluon) are only partly imported: `import mxsched` and the schedule
    # must work there, without mxsched.gluon (which needs the whole of mxnet.gluon) or
    # mxsched.tutorial.
    sched = LinearWarmUp(CyclicalSchedule(CosineAnnealing, cycle_length=4, min_lr=0.01,
                                          max_lr=0.1), start_lr=0.0, length=3)
    payload = tmp_path / "payload"
    payload.write_bytes(server_payload(sched))
    steps = list(range(12))
    out = subprocess.run([sys.executable, "-c", SERVER_IMPORT, str(payload), json.dumps(steps)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "error" not in result, result["error"]
    assert result.get("values") == [sched(t) for t in steps], (result, out.stderr)
    assert "mxsched" in result["loaded"]
    parts = [m for m in result["loaded"] if m.startswith(("mxsched.gluon", "mxsched.tutorial"))]
    assert parts == [], parts
