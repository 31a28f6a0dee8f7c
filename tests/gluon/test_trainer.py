"""gluon.Trainer really applies mxsched schedules, read back from the weights; and
mxsched.gluon.trainer: make_trainer (a Trainer that uses its schedule as given) and
default_context."""
import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.lr_scheduler import LRScheduler

from mxsched import (CosineAnnealing, CyclicalSchedule, LinearCoolDown, LinearWarmUp,
                     OneCycle, TriangularSchedule)
from mxsched.gluon import default_context, make_trainer


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


# --------------------------------------------------------------------------- make_trainer, devices


class Zigzag(LRScheduler):
    """A pure test schedule: ``base_lr * (1 - 0.5 * (t % 10) / 10)`` (no state)."""

    def __call__(self, num_update):
        return self.base_lr * (1.0 - 0.5 * (num_update % 10) / 10.0)


def zigzag_fn(t):
    """The same values as ``Zigzag(base_lr=0.002)``, as a plain module-level function."""
    return 0.002 * (1.0 - 0.5 * (t % 10) / 10.0)


def small_net():
    net = gluon.nn.Dense(2, in_units=3)
    net.initialize(mx.init.Xavier(), ctx=mx.cpu())
    return net


def test_default_context_is_cpu_without_gpus(monkeypatch):
    monkeypatch.setattr(mx.context, "num_gpus", lambda: 0)
    assert default_context() == mx.cpu()


def test_default_context_picks_the_gpu_when_there_is_one(monkeypatch):
    monkeypatch.setattr(mx.context, "num_gpus", lambda: 1)
    ctx = default_context()
    assert ctx.device_type == "gpu" and ctx.device_id == 0


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(lr_scheduler=zigzag_fn), TypeError,
     r"lr_scheduler must be an mxnet.lr_scheduler.LRScheduler \(use "
     r"HyperparamHandler\('lr', fn\) for a plain callable\), got <function zigzag_fn"),
    (dict(learning_rate=-0.1), ValueError,
     r"learning_rate must be a finite, non-negative learning rate, got -0.1"),
    (dict(optimizer=None), TypeError, r"optimizer must be a string, got None"),
])
def test_make_trainer_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        make_trainer(small_net(), **kwargs)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop", "nag"])
def test_make_trainer_keeps_the_schedule_values(optimizer, capsys):
    """Adam & co. pass their default learning_rate to MXNet, which would then overwrite
    the scheduler's base_lr (and print a notice); make_trainer keeps the schedule's."""
    sched = Zigzag(base_lr=0.3)
    trainer = make_trainer(small_net(), optimizer, lr_scheduler=sched)
    assert sched.base_lr == 0.3 and trainer.learning_rate == sched(0) == 0.3
    assert capsys.readouterr().out == ""


def test_make_trainer_learning_rate_sets_base_lr():
    """With both given, MXNet's rule holds: base_lr becomes learning_rate."""
    sched = Zigzag(base_lr=0.3)
    make_trainer(small_net(), "adam", learning_rate=0.1, lr_scheduler=sched)
    assert sched.base_lr == 0.1


def test_make_trainer_passes_options_through():
    sched = Zigzag(base_lr=0.3)
    trainer = make_trainer(small_net(), "nag", lr_scheduler=sched, momentum=0.8, wd=1e-4)
    assert type(trainer.optimizer).__name__ == "NAG"
    assert trainer.optimizer.momentum == 0.8 and trainer.optimizer.wd == 1e-4
    assert trainer.optimizer.lr_scheduler is sched and sched.base_lr == 0.3
