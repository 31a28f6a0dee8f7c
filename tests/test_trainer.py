"""gluon.Trainer really applies mxsched schedules, read back from the weights."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

from mxsched import (CosineAnnealing, CyclicalSchedule, LinearCoolDown, LinearWarmUp,
                     OneCycle, TriangularSchedule)


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


def applied_lrs(sched, updates, **optimizer_params):
    """The learning rate of each update, read from the weights.

    Plain SGD with gradient 1 from w = 0 gives w = -lr, exactly (one float32 product).
    The weight is set back to 0 after each update so nothing accumulates.
    """
    net = one_weight_net()
    weight = net.weight
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            dict(lr_scheduler=sched, **optimizer_params))
    lrs = []
    for _ in range(updates):
        step(net, trainer)
        lrs.append(-weight.data().asnumpy().item())
        weight.set_data(mx.nd.zeros((1, 1)))
    return np.array(lrs)


def nested():
    return LinearWarmUp(
        LinearCoolDown(
            CyclicalSchedule(CosineAnnealing, cycle_length=6, cycle_length_decay=2,
                             cycle_magnitude_decay=0.5, min_lr=0.01, max_lr=0.2),
            finish_lr=0.001, start_idx=30, length=5),
        start_lr=0.0, length=4)


@pytest.mark.parametrize("make", [
    lambda: TriangularSchedule(0.01, 0.3, cycle_length=10, inc_fraction=0.3),
    lambda: OneCycle(0.02, 0.4, cycle_length=12, cooldown_length=6, finish_lr=0.001),
    nested,
], ids=["triangular", "onecycle", "nested"])
def test_update_k_applies_sched_k(make):
    sched = make()
    got = applied_lrs(make(), 45)
    want = np.float32([sched(k) for k in range(1, 46)])  # MXNet's kernels take float32
    np.testing.assert_array_equal(got, want)


def test_learning_rate_given_to_the_trainer_sets_the_peak(capsys):
    sched = nested()
    got = applied_lrs(nested(), 40, learning_rate=0.8)
    assert "overwritten" in capsys.readouterr().out  # MXNet's printed notice
    want = np.float32([sched(k) * 0.8 / 0.2 for k in range(1, 41)])
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert got.max() == pytest.approx(0.8, rel=1e-6)


def train_run(sched_factory, updates, resume_at=None, tmp_path=None):
    """Train ``updates`` steps with a constant gradient; optionally checkpoint and resume."""
    mx.random.seed(0)
    net = one_weight_net()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"lr_scheduler": sched_factory(), "momentum": 0.9})
    for k in range(1, updates + 1):
        step(net, trainer)
        if k == resume_at:
            net.save_parameters(str(tmp_path / "net.params"))
            trainer.save_states(str(tmp_path / "trainer.states"))
            # a new process would start here: fresh objects, the schedule from the checkpoint
            net = one_weight_net()
            net.load_parameters(str(tmp_path / "net.params"), ctx=mx.cpu())
            trainer = gluon.Trainer(net.collect_params(), "sgd",
                                    {"lr_scheduler": sched_factory(), "momentum": 0.9})
            trainer.load_states(str(tmp_path / "trainer.states"))
    return net.weight.data().asnumpy(), trainer


def test_save_and_load_states_mid_run_resumes_exactly(tmp_path):
    straight, _ = train_run(nested, 40)
    resumed, trainer = train_run(nested, 40, resume_at=17, tmp_path=tmp_path)
    np.testing.assert_array_equal(resumed, straight)
    assert trainer.optimizer.num_update == 40
    assert repr(trainer.optimizer.lr_scheduler) == repr(nested())
