"""Checkpoints never half-load and are never lost (mxsched.gluon.checkpoints).

* load_checkpoint checks everything before it changes the network or the trainer:
  every failed load below is checked to leave both exactly as they were;
* save_checkpoint checks everything before it writes, and is atomic: a child
  process is killed with SIGKILL before and after each file-system call of a
  save, every one of them, and the checkpoint in force must then be the previous
  or the new one, complete, bit for bit;
* exact resume, also after a schedule change (moved here from test_distributed).
"""
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

from mxsched.gluon import ReduceLROnPlateau
from mxsched.gluon.checkpoints import (CheckpointError, OptimizerMismatchWarning,
                                       ScheduleMismatchWarning, latest_checkpoint,
                                       load_checkpoint, save_checkpoint, schedules_differ)

import dist_schedules

STEPS = 12
SAVE_AT = 5
W0 = 2.0
CTXS = [mx.cpu(0), mx.cpu(1)]
X = 3.0  # every sample's input: gradient X per sample, rescaled by 1 / batch


# ---------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------

def make_net(ctx, w0=W0):
    net = gluon.nn.Dense(1, use_bias=False, in_units=1)
    net.initialize(mx.init.Constant(w0), ctx=ctx)
    return net


def make_trainer(net, sched, uok, **opt):
    if len(net.weight.list_ctx()) == 1:
        # MXNet 1.9.1 makes no kvstore for one device (update_on_kvstore=True fails)
        uok = None
    return gluon.Trainer(net.collect_params(), "sgd", dict(lr_scheduler=sched, **opt),
                         kvstore="device", update_on_kvstore=uok)


def train_steps(net, trainer, ctxs, steps, batch=4):
    """`steps` updates; returns the weight on every device and trainer.learning_rate."""
    x = mx.nd.full((batch, 1), X)
    weights, lrs = [], []
    for _ in range(steps):
        parts = gluon.utils.split_and_load(x, ctxs)
        with autograd.record():
            losses = [net(p).sum() for p in parts]
        for loss in losses:
            loss.backward()
        trainer.step(batch)
        weights.append([float(net.weight.data(c).asnumpy()[0, 0]) for c in ctxs])
        lrs.append(trainer.learning_rate)
    return weights, lrs


MLP_X = mx.nd.array(np.linspace(-1.0, 1.0, 6).reshape(2, 3))


def mlp(seed, optimizer="sgd", **opt):
    """A two-layer Dense net (structural names '0.weight'...) and its trainer."""
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(4, in_units=3), gluon.nn.Dense(2, in_units=4))
    net.initialize()
    rng = np.random.default_rng(seed)
    for p in net.collect_params().values():
        p.set_data(mx.nd.array(rng.standard_normal(p.shape)))
    opt = opt or ({"learning_rate": 0.1, "momentum": 0.9} if optimizer == "sgd" else {})
    return net, gluon.Trainer(net.collect_params(), optimizer, opt)


def mlp_steps(net, trainer, n):
    for _ in range(n):
        with autograd.record():
            loss = (net(MLP_X) ** 2).sum()
        loss.backward()
        trainer.step(2)


def snapshot(net, trainer):
    """Everything a load may change, by value (and the optimizer by identity)."""
    opt = trainer._optimizer
    return {
        "weights": {k: [d.asnumpy().tobytes() for d in p.list_data()]
                    for k, p in net._collect_params_with_prefix().items()},
        "optimizer": (id(opt), type(opt), opt.num_update, opt.begin_num_update,
                      repr(opt._all_index_update_counts), opt.lr_scheduler, opt.lr,
                      getattr(opt, "momentum", None)),
        "states": [{i: s.asnumpy().tobytes() for i, s in u.states.items()}
                   for u in trainer._updaters],
        "updater_optimizers": [id(u.optimizer) for u in trainer._updaters],
        "kv": (trainer._kv_initialized, id(trainer._kvstore)),
    }


def assert_load_fails_and_changes_nothing(root, net, trainer, error, match, **kw):
    before = snapshot(net, trainer)
    with pytest.raises(error, match=match):
        load_checkpoint(root, net, trainer, batch_size=kw.pop("batch_size", 2), **kw)
    assert snapshot(net, trainer) == before


def trained_checkpoint(tmp_path, steps=3, **opt):
    """A checkpoint of a 2-layer net after `steps` SGD-momentum updates; (root, net, trainer)."""
    net, trainer = mlp(1, **opt)
    mlp_steps(net, trainer, steps)
    save_checkpoint(str(tmp_path), net, trainer)
    return str(tmp_path), net, trainer


def stepped_victim(seed=7, steps=2, **opt):
    """A net and trainer that have trained already: a load must replace all of it."""
    net, trainer = mlp(seed, **opt)
    mlp_steps(net, trainer, steps)
    return net, trainer


def ckpt_dir(root):
    return latest_checkpoint(root)


def edit_meta(path, **changes):
    meta_path = os.path.join(path, "meta.json")
    with open(meta_path) as f:
        meta = json.load(f)
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    with open(meta_path, "w") as f:
        json.dump(meta, f)


# ---------------------------------------------------------------------------------
# exact resume (moved from test_distributed)
# ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ctxs", [[mx.cpu(0)], CTXS], ids=["one_device", "two_devices"])
@pytest.mark.parametrize("uok", [True, False], ids=["update_on_kvstore", "update_on_worker"])
def test_resume_from_a_checkpoint_equals_an_uninterrupted_run(tmp_path, ctxs, uok):
    opt = {"momentum": 0.9, "wd": 1e-3}  # states that must come back too
    net = make_net(ctxs)
    full_w, full_lrs = train_steps(net, make_trainer(net, dist_schedules.nested(), uok, **opt),
                                   ctxs, STEPS)

    net = make_net(ctxs)
    trainer = make_trainer(net, dist_schedules.nested(), uok, **opt)
    w1, lrs1 = train_steps(net, trainer, ctxs, SAVE_AT)
    path = save_checkpoint(str(tmp_path), net, trainer)
    train_steps(net, trainer, ctxs, 2)  # work lost in the "crash"
    del net, trainer

    net = make_net(ctxs, w0=-1.0)  # a fresh process: new objects, other initial weights
    trainer = make_trainer(net, dist_schedules.nested(), uok, **opt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same schedule, states saved: no warning at all
        meta = load_checkpoint(str(tmp_path), net, trainer, batch_size=4)
    assert meta["step"] == SAVE_AT and meta["path"] == path
    w2, lrs2 = train_steps(net, trainer, ctxs, STEPS - SAVE_AT)
    assert w1 + w2 == full_w
    assert lrs1 + lrs2 == full_lrs


@pytest.mark.parametrize("ctxs", [[mx.cpu(0)], CTXS], ids=["one_device", "two_devices"])
@pytest.mark.parametrize("uok", [True, False], ids=["update_on_kvstore", "update_on_worker"])
def test_resume_into_a_trainer_that_has_stepped_keeps_nothing_of_its_state(tmp_path, ctxs, uok):
    opt = {"momentum": 0.9}
    net = make_net(ctxs)
    full_w, _ = train_steps(net, make_trainer(net, dist_schedules.nested(), uok, **opt),
                            ctxs, STEPS)
    net = make_net(ctxs)
    trainer = make_trainer(net, dist_schedules.nested(), uok, **opt)
    w1, _ = train_steps(net, trainer, ctxs, SAVE_AT)
    save_checkpoint(str(tmp_path), net, trainer)

    net = make_net(ctxs, w0=-1.0)
    trainer = make_trainer(net, dist_schedules.nested(), uok, **opt)
    train_steps(net, trainer, ctxs, SAVE_AT + 3)  # other weights, momentum and update count
    load_checkpoint(str(tmp_path), net, trainer, batch_size=4)
    assert trainer._optimizer.num_update == SAVE_AT
    w2, _ = train_steps(net, trainer, ctxs, STEPS - SAVE_AT)
    assert w1 + w2 == full_w


def test_resume_with_another_schedule_warns_naming_both(tmp_path):
    net = make_net(mx.cpu(0))
    trainer = make_trainer(net, dist_schedules.nested(), False)
    train_steps(net, trainer, [mx.cpu(0)], SAVE_AT)
    save_checkpoint(str(tmp_path), net, trainer)

    longer = dist_schedules.nested_longer()
    net = make_net(mx.cpu(0))
    trainer = make_trainer(net, longer, False)
    saved, given = repr(dist_schedules.nested()), repr(longer)
    with pytest.warns(ScheduleMismatchWarning) as record:
        load_checkpoint(str(tmp_path), net, trainer, batch_size=4)
    (message,) = [str(w.message) for w in record]
    assert saved in message and given in message, message
    assert f"resuming at update {SAVE_AT + 1} with the given schedule" in message
    # the given schedule is the one that drives the rest of the run (MXNet's own
    # load_states would have brought back the saved one)
    _, lrs = train_steps(net, trainer, [mx.cpu(0)], 3)
    assert lrs == [longer(k) for k in range(SAVE_AT + 1, SAVE_AT + 4)]


def test_schedules_differ_by_repr_or_by_values():
    assert not schedules_differ(dist_schedules.nested(), dist_schedules.nested(), 5)
    assert schedules_differ(dist_schedules.nested(), dist_schedules.nested_longer(), 5)
    a = mx.lr_scheduler.FactorScheduler(step=10, factor=0.5, base_lr=0.1)
    b = mx.lr_scheduler.FactorScheduler(step=10, factor=0.5, base_lr=0.1)
    c = mx.lr_scheduler.FactorScheduler(step=20, factor=0.5, base_lr=0.1)
    assert not schedules_differ(a, b, 30) and schedules_differ(a, c, 30)
    assert a.count == 0 and a.base_lr == 0.1  # compared on copies
    assert schedules_differ(None, a, 3) and schedules_differ(a, None, 3)
    assert not schedules_differ(None, None, 3)


# ---------------------------------------------------------------------------------
# a schedule on one side only (defect: TypeError after the weights were replaced)
# ---------------------------------------------------------------------------------

def test_checkpoint_with_a_schedule_into_a_trainer_without_one_warns_and_uses_its_lr(tmp_path):
    net = make_net(mx.cpu(0))
    trainer = make_trainer(net, dist_schedules.nested(), False, momentum=0.9)
    w1, _ = train_steps(net, trainer, [mx.cpu(0)], SAVE_AT)
    save_checkpoint(str(tmp_path), net, trainer)

    # ReduceLROnPlateau sets the learning rate itself: its trainer has no lr_scheduler
    net = make_net(mx.cpu(0), w0=-1.0)
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": 0.05, "momentum": 0.9})
    with pytest.warns(ScheduleMismatchWarning) as record:
        meta = load_checkpoint(str(tmp_path), net, trainer, batch_size=4)
    (message,) = [str(w.message) for w in record]
    assert repr(dist_schedules.nested()) in message and "has no lr_scheduler" in message
    assert f"resuming at update {SAVE_AT + 1} with the trainer's learning rate 0.05" in message
    assert meta["step"] == SAVE_AT
    assert net.weight.data().asnumpy()[0, 0] == w1[-1][0]
    assert trainer._optimizer.lr_scheduler is None and trainer.learning_rate == 0.05
    handler = ReduceLROnPlateau(0.05)
    assert handler.before_update(trainer) == 0.05  # works with the resumed trainer
    _, lrs = train_steps(net, trainer, [mx.cpu(0)], 2)
    assert lrs == [0.05, 0.05]


def test_checkpoint_without_a_schedule_into_a_trainer_with_one_warns_and_uses_it(tmp_path):
    net = make_net(mx.cpu(0))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.03})
    w1, _ = train_steps(net, trainer, [mx.cpu(0)], SAVE_AT)
    save_checkpoint(str(tmp_path), net, trainer)

    sched = dist_schedules.nested()
    net = make_net(mx.cpu(0), w0=-1.0)
    trainer = make_trainer(net, sched, False)
    with pytest.warns(ScheduleMismatchWarning) as record:
        load_checkpoint(str(tmp_path), net, trainer, batch_size=4)
    (message,) = [str(w.message) for w in record]
    assert "trained with no lr_scheduler (learning rate 0.03)" in message, message
    assert repr(sched) in message and f"lr {sched(SAVE_AT + 1):.6g} instead of 0.03" in message
    assert net.weight.data().asnumpy()[0, 0] == w1[-1][0]
    _, lrs = train_steps(net, trainer, [mx.cpu(0)], 3)
    assert lrs == [sched(k) for k in range(SAVE_AT + 1, SAVE_AT + 4)]


def test_without_a_schedule_on_either_side_the_checkpoints_learning_rate_comes_back(tmp_path):
    net = make_net(mx.cpu(0))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    train_steps(net, trainer, [mx.cpu(0)], 2)
    trainer.set_learning_rate(0.01)  # e.g. a manual decay, or ReduceLROnPlateau
    save_checkpoint(str(tmp_path), net, trainer)
    net = make_net(mx.cpu(0))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_checkpoint(str(tmp_path), net, trainer, batch_size=4)
    assert trainer.learning_rate == 0.01


# ---------------------------------------------------------------------------------
# load: everything is checked before anything changes
# ---------------------------------------------------------------------------------

def test_an_adam_checkpoint_does_not_turn_an_sgd_trainer_into_adam(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path, optimizer="adam")
    net, trainer = stepped_victim()
    assert_load_fails_and_changes_nothing(
        root, net, trainer, CheckpointError,
        r"trainer\.states holds a mxnet\.optimizer\.optimizer\.Adam optimizer but the trainer "
        r"has mxnet\.optimizer\.optimizer\.SGD")
    assert isinstance(trainer._optimizer, mx.optimizer.SGD)


def test_an_optimizer_mismatch_without_states_is_an_error_too(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path, optimizer="adam")
    path = ckpt_dir(root)
    os.remove(os.path.join(path, "trainer.states"))  # as saved on a parameter server
    edit_meta(path, optimizer_states_saved=False, files=None)
    net, trainer = stepped_victim()
    assert_load_fails_and_changes_nothing(root, net, trainer, CheckpointError,
                                          r"meta\.json says the optimizer was Adam but the "
                                          r"trainer has SGD")


def test_other_hyperparameters_warn_naming_each(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path)  # momentum 0.9
    net, trainer = mlp(7, learning_rate=0.1, momentum=0.5, wd=1e-4)
    with pytest.warns(OptimizerMismatchWarning,
                      match=r"momentum: checkpoint 0\.9, trainer 0\.5; wd: checkpoint 0\.0, "
                            r"trainer 0\.0001\); the checkpoint's values are used"):
        load_checkpoint(root, net, trainer, batch_size=2)
    assert trainer._optimizer.momentum == 0.9


@pytest.mark.parametrize("manifest", [True, False], ids=["with_digests", "older_meta"])
def test_a_truncated_states_file_is_an_error_naming_it_before_anything_changes(tmp_path,
                                                                              manifest):
    root, _, _ = trained_checkpoint(tmp_path)
    path = ckpt_dir(root)
    states = os.path.join(path, "trainer.states")
    data = open(states, "rb").read()
    open(states, "wb").write(data[: len(data) // 2])
    if not manifest:  # a checkpoint without sizes and digests: the unpickling catches it
        edit_meta(path, files=None)
    net, trainer = stepped_victim()
    assert_load_fails_and_changes_nothing(
        root, net, trainer, CheckpointError,
        re.escape(states) + (r" has \d+ bytes, meta\.json says \d+" if manifest
                             else r" cannot be unpickled \((EOFError|UnpicklingError)"))


def test_a_checkpoint_of_the_earlier_format_loads_and_the_next_save_keeps_it(tmp_path):
    root, net, trainer = trained_checkpoint(tmp_path)
    old = ckpt_dir(root)
    edit_meta(old, files=None, serial=None, trainer_params=None)  # what earlier saves wrote
    assert latest_checkpoint(root) == old
    net2, trainer2 = mlp(5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_checkpoint(root, net2, trainer2, batch_size=2)["step"] == 3
    assert _same(_state_of(net2, trainer2), _state_of(net, trainer))
    mlp_steps(net2, trainer2, 1)
    save_checkpoint(root, net2, trainer2, keep=2)
    assert sorted(os.listdir(root)) == ["latest", "step-000000003", "step-000000004"]


def test_a_truncated_meta_json_is_an_error_naming_it(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path)
    meta = os.path.join(ckpt_dir(root), "meta.json")
    text = open(meta).read()
    open(meta, "w").write(text[: len(text) // 2])
    net, trainer = stepped_victim()
    assert_load_fails_and_changes_nothing(root, net, trainer, CheckpointError,
                                          re.escape(meta) + r" cannot be read \(JSONDecodeError")


@pytest.mark.parametrize("manifest", [True, False], ids=["with_digests", "older_meta"])
def test_a_corrupt_params_file_is_an_error_naming_it(tmp_path, manifest):
    root, _, _ = trained_checkpoint(tmp_path)
    path = ckpt_dir(root)
    params = os.path.join(path, "net.params")
    data = bytearray(open(params, "rb").read())
    if manifest:
        data[-3] ^= 0xFF  # same size, other bytes: only the digest shows it
    else:
        data = data[:40]
        edit_meta(path, files=None)
    open(params, "wb").write(bytes(data))
    net, trainer = stepped_victim()
    assert_load_fails_and_changes_nothing(
        root, net, trainer, CheckpointError,
        re.escape(params) + (" does not match the SHA-256 digest" if manifest
                             else r" cannot be read by mxnet\.nd\.load"))


def test_parameters_of_another_net_are_an_error_naming_them(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(5, in_units=3), gluon.nn.Dense(2, in_units=5))
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    mlp_steps(net, trainer, 1)
    assert_load_fails_and_changes_nothing(
        root, net, trainer, CheckpointError,
        r"net\.params does not fit the net: '0\.weight' has shape \(4, 3\), the net's has "
        r"\(5, 3\); '0\.bias' has shape \(4,\)")

    deeper = gluon.nn.HybridSequential()
    deeper.add(gluon.nn.Dense(4, in_units=3), gluon.nn.Dense(2, in_units=4),
               gluon.nn.Dense(1, in_units=2))
    deeper.initialize()
    trainer = gluon.Trainer(deeper.collect_params(), "sgd", {"momentum": 0.9})
    assert_load_fails_and_changes_nothing(
        root, deeper, trainer, CheckpointError,
        r"the net's parameters \['2\.weight', '2\.bias'\] are missing")


def test_a_single_block_net_is_checked_by_its_prefixed_names_like_load_parameters(tmp_path):
    # One Dense: names without '.', which MXNet loads relative to the block's prefix.
    net = make_net(mx.cpu(0))
    trainer = make_trainer(net, None, False, momentum=0.9)
    train_steps(net, trainer, [mx.cpu(0)], 2)
    save_checkpoint(str(tmp_path), net, trainer)
    other = gluon.nn.Dense(1, use_bias=True, in_units=1)  # another prefix, and a bias
    other.initialize()
    trainer = gluon.Trainer(other.collect_params(), "sgd", {"momentum": 0.9})
    assert_load_fails_and_changes_nothing(
        str(tmp_path), other, trainer, CheckpointError,
        r"the net's parameters \['dense\d+_bias'\] are missing")


def test_a_step_mismatch_between_meta_and_states_changes_nothing(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path)
    edit_meta(ckpt_dir(root), step=7, files=None)
    net, trainer = stepped_victim()
    assert_load_fails_and_changes_nothing(root, net, trainer, CheckpointError,
                                          r"counts 3 updates but meta\.json says 7")


def test_a_missing_file_and_a_broken_latest_are_errors_naming_them(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path)
    path = ckpt_dir(root)
    net, trainer = stepped_victim()
    os.remove(os.path.join(path, "schedule.pkl"))
    assert_load_fails_and_changes_nothing(root, net, trainer, CheckpointError,
                                          r"schedule\.pkl cannot be read \(FileNotFoundError")
    with open(os.path.join(root, "latest"), "w") as f:
        f.write("step-000000099")
    assert_load_fails_and_changes_nothing(root, net, trainer, CheckpointError,
                                          r"latest names 'step-000000099', but .*meta\.json "
                                          "does not exist")
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        load_checkpoint(str(tmp_path / "nothing"), net, trainer, batch_size=2)


def test_bad_load_arguments_change_nothing(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path)
    net, trainer = stepped_victim()
    assert_load_fails_and_changes_nothing(root, net, trainer, ValueError,
                                          "batch_size must be a positive integer, got 0",
                                          batch_size=0)
    assert_load_fails_and_changes_nothing(root, net, trainer, CheckpointError,
                                          r"'0\.weight' is initialised on \[cpu\(0\)\], not on "
                                          r"\[cpu\(1\)\]", ctx=mx.cpu(1))


def two_layers(first, second, seed):
    """Two equal-shaped layers whose global names sort as `first` < `second` or not."""
    net = gluon.nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(gluon.nn.Dense(3, in_units=3, prefix=first),
                gluon.nn.Dense(3, in_units=3, prefix=second))
    net.initialize()
    rng = np.random.default_rng(seed)
    for p in net.collect_params().values():
        p.set_data(mx.nd.array(rng.standard_normal(p.shape)))
    return net, gluon.Trainer(net.collect_params(), "sgd",
                              {"learning_rate": 0.1, "momentum": 0.9})


def test_states_follow_their_parameters_when_the_trainer_numbers_them_otherwise(tmp_path):
    # Trainer numbers parameters in the order of their global names, which depend on
    # what the process created before (dense9_ sorts after dense10_): here layer 0 is
    # index 0-1 when saved and index 2-3 when loaded. Trainer.load_states goes by index.
    X3 = mx.nd.array(np.linspace(-1.0, 1.0, 6).reshape(2, 3))

    def run(net, trainer, n):
        for _ in range(n):
            with autograd.record():
                loss = (net(X3) ** 2).sum()
            loss.backward()
            trainer.step(2)
        return [p.data().asnumpy().tobytes()
                for _, p in sorted(net._collect_params_with_prefix().items())]

    net, trainer = two_layers("a_", "b_", 1)
    assert [p.name for p in trainer._params][:2] == ["net_a_bias", "net_a_weight"]
    run(net, trainer, 3)
    save_checkpoint(str(tmp_path), net, trainer)
    straight = run(net, trainer, 2)

    net, trainer = two_layers("d_", "c_", 5)
    assert [p.name for p in trainer._params][:2] == ["net_c_bias", "net_c_weight"]  # layer 1
    load_checkpoint(str(tmp_path), net, trainer, batch_size=2)
    assert run(net, trainer, 2) == straight


def test_a_checkpoint_without_states_clears_the_trainers_own(tmp_path):
    root, _, _ = trained_checkpoint(tmp_path)
    path = ckpt_dir(root)
    os.remove(os.path.join(path, "trainer.states"))  # as saved on a parameter server
    edit_meta(path, optimizer_states_saved=False, files=None)
    net, trainer = stepped_victim(steps=5)
    assert trainer._updaters[0].states  # momentum of its own
    with pytest.warns(UserWarning, match="has no optimizer states; they restart from zero"):
        load_checkpoint(root, net, trainer, batch_size=2)
    assert trainer._updaters[0].states == {}
    assert trainer._optimizer.num_update == 3
    mlp_steps(net, trainer, 1)
    assert trainer._optimizer.num_update == 4


# ---------------------------------------------------------------------------------
# save: everything is checked before anything is written
# ---------------------------------------------------------------------------------

@pytest.mark.parametrize("extra, error, match", [
    ({"x": object()}, TypeError, r"extra\['x'\] must be JSON data .* got <object"),
    ({"loss": float("nan")}, ValueError, r"extra\['loss'\] must be a finite number, got nan"),
    ({"a": [1, float("inf")]}, ValueError, r"extra\['a'\]\[1\] must be a finite number"),
    ({"pos": (3, 4)}, TypeError, r"extra\['pos'\] must be JSON data .* got \(3, 4\) of type "
                                 "tuple"),
    ({1: "a"}, TypeError, r"the keys of extra must be str, got 1"),
    ({"lr": np.float32(0.1)}, TypeError, r"of type float32"),
    ([1], TypeError, r"extra must be a dict or None, got \[1\]"),
], ids=["object", "nan", "inf", "tuple", "int_key", "numpy", "not_a_dict"])
def test_bad_extra_is_an_error_before_anything_is_written(tmp_path, extra, error, match):
    root = str(tmp_path / "ckpt")
    net, trainer = mlp(1)
    mlp_steps(net, trainer, 2)
    with pytest.raises(error, match=match):
        save_checkpoint(root, net, trainer, extra=extra)
    assert not os.path.exists(root)
    save_checkpoint(root, net, trainer, extra={"epoch": 1, "pos": [3, 4], "loss": 0.5})
    with pytest.raises(error, match=match):
        save_checkpoint(root, net, trainer, extra=extra)
    assert sorted(os.listdir(root)) == ["latest", "step-000000002"]
    meta = load_checkpoint(root, *mlp(1), batch_size=2)
    assert meta["extra"] == {"epoch": 1, "pos": [3, 4], "loss": 0.5}


def test_bad_save_arguments_are_errors_before_anything_is_written(tmp_path):
    root = str(tmp_path / "ckpt")
    net, trainer = mlp(1)
    mlp_steps(net, trainer, 2)
    for kwargs, error, match in [
            ({"keep": 0}, ValueError, "keep must be a positive integer, got 0"),
            ({"keep": True}, TypeError, "keep must be a positive integer, got True"),
            ({"step": 2.0}, TypeError, "step must be a non-negative integer or None, got 2.0"),
            ({"step": 3}, ValueError, "step must equal the optimizer's update count 2, got 3")]:
        with pytest.raises(error, match=match):
            save_checkpoint(root, net, trainer, **kwargs)
    with pytest.raises(TypeError, match="trainer must be an MXNet 1.x gluon.Trainer"):
        save_checkpoint(root, net, object())
    with pytest.raises(TypeError, match="root must be a str or os.PathLike, got 3"):
        save_checkpoint(3, net, trainer)
    assert not os.path.exists(root)


def test_an_unpicklable_schedule_is_an_error_before_anything_is_written(tmp_path):
    net = make_net(mx.cpu(0))
    trainer = make_trainer(net, dist_schedules.nested(), False)
    train_steps(net, trainer, [mx.cpu(0)], 2)
    save_checkpoint(str(tmp_path), net, trainer)
    before = sorted(os.listdir(tmp_path))

    class Local(mx.lr_scheduler.LRScheduler):  # a class pickle cannot find
        def __call__(self, t):
            return 0.1

    trainer._optimizer.lr_scheduler = Local()
    with pytest.raises(ValueError, match="optimizer and lr_scheduler must be picklable"):
        save_checkpoint(str(tmp_path), net, trainer)
    assert sorted(os.listdir(tmp_path)) == before


def test_a_save_that_fails_half_way_removes_its_files_and_keeps_the_previous(tmp_path,
                                                                            monkeypatch):
    root, net, trainer = trained_checkpoint(tmp_path)
    good = latest_checkpoint(root)
    mlp_steps(net, trainer, 1)
    real = mx.nd.save

    def disk_full(fname, data):
        real(fname, data)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mx.ndarray, "save", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_checkpoint(root, net, trainer)
    assert sorted(os.listdir(root)) == ["latest", os.path.basename(good)]
    assert load_checkpoint(root, *mlp(2), batch_size=2)["step"] == 3


def test_a_save_killed_half_way_leaves_the_previous_checkpoint_in_force(tmp_path):
    net = make_net(mx.cpu(0))
    trainer = make_trainer(net, dist_schedules.nested(), False)
    train_steps(net, trainer, [mx.cpu(0)], 2)
    good = save_checkpoint(str(tmp_path), net, trainer)
    # what SIGKILL during the next save may leave behind: a temporary directory,
    # a step directory without meta.json, one being removed, the temporary latest
    (tmp_path / ".step-000000003.tmp-999").mkdir()
    (tmp_path / "step-000000003").mkdir()
    (tmp_path / "step-000000003" / "net.params").write_bytes(b"partial")
    (tmp_path / ".trash-step-000000001-999-abcd").mkdir()
    (tmp_path / "latest.tmp-999").write_text("step-000000003")
    (tmp_path / "notes.txt").write_text("not a checkpoint: left alone")
    assert latest_checkpoint(str(tmp_path)) == good
    with pytest.raises(ValueError, match="step must equal the optimizer's update count 2, got 3"):
        save_checkpoint(str(tmp_path), net, trainer, step=3)
    train_steps(net, trainer, [mx.cpu(0)], 1)
    new = save_checkpoint(str(tmp_path), net, trainer)  # cleans up
    assert sorted(os.listdir(tmp_path)) == ["latest", "notes.txt", "step-000000002",
                                            "step-000000003"]
    assert latest_checkpoint(str(tmp_path)) == new


def test_a_complete_directory_that_latest_never_named_is_removed_by_the_next_save(tmp_path):
    root, net, trainer = trained_checkpoint(tmp_path)  # step 3
    mlp_steps(net, trainer, 2)
    save_checkpoint(root, net, trainer)  # step 5
    # a save of step 7 killed between the rename of its directory and the switch of latest
    orphan = os.path.join(root, "step-000000007")
    shutil.copytree(os.path.join(root, "step-000000005"), orphan)
    meta = json.load(open(os.path.join(orphan, "meta.json")))
    json.dump(dict(meta, serial=meta["serial"] + 1, step=7),
              open(os.path.join(orphan, "meta.json"), "w"))
    assert latest_checkpoint(root).endswith("step-000000005")
    mlp_steps(net, trainer, 1)
    save_checkpoint(root, net, trainer, keep=3)  # step 6
    assert sorted(os.listdir(root)) == ["latest", "step-000000003", "step-000000005",
                                        "step-000000006"]


def test_resaving_a_step_replaces_it_and_keep_counts_complete_checkpoints(tmp_path):
    root = str(tmp_path)
    net, trainer = mlp(1)
    for _ in range(4):
        mlp_steps(net, trainer, 1)
        save_checkpoint(root, net, trainer, keep=2)
    assert sorted(os.listdir(root)) == ["latest", "step-000000003", "step-000000004"]
    first = latest_checkpoint(root)
    other, other_trainer = mlp(2)
    mlp_steps(other, other_trainer, 4)
    again = save_checkpoint(root, other, other_trainer, keep=2, extra={"run": 2})
    assert os.path.basename(again) == "step-000000004-1" and again == latest_checkpoint(root)
    assert sorted(os.listdir(root)) == ["latest", "step-000000003", "step-000000004-1"]
    assert not os.path.exists(first)
    net2, trainer2 = mlp(3)
    meta = load_checkpoint(root, net2, trainer2, batch_size=2)
    assert meta["extra"] == {"run": 2}
    for (_, p), (_, q) in zip(sorted(other._collect_params_with_prefix().items()),
                              sorted(net2._collect_params_with_prefix().items())):
        assert p.data().asnumpy().tobytes() == q.data().asnumpy().tobytes()
    again2 = save_checkpoint(root, other, other_trainer, keep=1)
    assert os.path.basename(again2) == "step-000000004"
    assert sorted(os.listdir(root)) == ["latest", "step-000000004"]


# ---------------------------------------------------------------------------------
# SIGKILL at every file-system call of a save
# ---------------------------------------------------------------------------------

CHILD = textwrap.dedent(r'''
    """Runs saves in forked children (MXNet imported once) and kills them with SIGKILL
    just before or just after the k-th file-system call of save_checkpoint."""
    import builtins, json, os, pickle, shutil, signal, sys, traceback
    import numpy as np
    import mxnet as mx
    from mxnet import autograd, gluon
    from mxsched.gluon.checkpoints import save_checkpoint

    X = mx.nd.array(np.linspace(-1.0, 1.0, 6).reshape(2, 3))
    OS_CALLS = ["replace", "rename", "renames", "makedirs", "mkdir", "fsync", "fdatasync",
                "unlink", "remove", "rmdir", "removedirs", "truncate", "ftruncate", "write",
                "symlink", "link", "open"]
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def mlp(seed):
        net = gluon.nn.HybridSequential()
        net.add(gluon.nn.Dense(4, in_units=3), gluon.nn.Dense(2, in_units=4))
        net.initialize()
        rng = np.random.default_rng(seed)
        for p in net.collect_params().values():
            p.set_data(mx.nd.array(rng.standard_normal(p.shape)))
        return net, gluon.Trainer(net.collect_params(), "sgd",
                                  {"learning_rate": 0.1, "momentum": 0.9})

    def steps(net, trainer, n):
        for _ in range(n):
            with autograd.record():
                loss = (net(X) ** 2).sum()
            loss.backward()
            trainer.step(2)

    def state(net, trainer):
        return {"num_update": trainer._optimizer.num_update,
                "weights": {k: p.data().asnumpy()
                            for k, p in net._collect_params_with_prefix().items()},
                "states": {i: s.asnumpy() for i, s in trainer._updaters[0].states.items()}}

    class Killer:
        """Counts file-system calls; kills the process at call k, before or after it."""
        def __init__(self, k, when):
            self.k, self.when, self.n, self.log = k, when, 0, []

        def call(self, label, fn, *args, **kwargs):
            self.n += 1
            n = self.n
            self.log.append(label)
            if n == self.k and self.when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            try:
                return fn(*args, **kwargs)
            finally:  # also when the call raised
                if n == self.k and self.when == "after":
                    os.kill(os.getpid(), signal.SIGKILL)

    class File:
        """A file open for writing whose write/flush/close are kill points too."""
        def __init__(self, killer, f, name):
            self._killer, self._f, self._name = killer, f, name

        def write(self, data):
            return self._killer.call(f"write {self._name}", self._f.write, data)

        def flush(self):
            return self._killer.call(f"flush {self._name}", self._f.flush)

        def close(self):
            return self._killer.call(f"close {self._name}", self._f.close)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()

        def __getattr__(self, name):
            return getattr(self._f, name)

    def install(killer):
        originals = []

        def patch(owner, name, replacement):
            originals.append((owner, name, getattr(owner, name)))
            setattr(owner, name, replacement)

        for name in OS_CALLS:
            real = getattr(os, name, None)
            if real is None:
                continue
            if name == "open":
                def os_open(path, flags, *a, _real=real, **kw):
                    if flags & WRITE_FLAGS:
                        return killer.call(f"os.open {path}", _real, path, flags, *a, **kw)
                    return _real(path, flags, *a, **kw)
                patch(os, name, os_open)
            else:
                patch(os, name, lambda *a, _real=real, _name=name, **kw:
                      killer.call(f"os.{_name} {a[:1]}", _real, *a, **kw))
        for name in ("rmtree", "move", "copyfile", "copytree"):
            real = getattr(shutil, name)
            patch(shutil, name, lambda *a, _real=real, _name=name, **kw:
                  killer.call(f"shutil.{_name} {a[:1]}", _real, *a, **kw))
        real_save = mx.ndarray.save
        patch(mx.ndarray, "save", lambda *a, **kw: killer.call(f"nd.save {a[:1]}", real_save,
                                                               *a, **kw))
        real_open = builtins.open

        def open_(file, mode="r", *a, **kw):
            if any(c in mode for c in "wxa+"):
                f = killer.call(f"open {file} {mode}", real_open, file, mode, *a, **kw)
                return File(killer, f, os.path.basename(str(file)))
            return real_open(file, mode, *a, **kw)
        patch(builtins, "open", open_)

        def uninstall():
            for owner, name, real in reversed(originals):
                setattr(owner, name, real)
        return uninstall

    def prepare(scenario, template, ref):
        """The previous checkpoint(s) on disk; the net and trainer of the save to kill."""
        net, trainer = mlp(1)
        if scenario == "new":  # a new step: the save also prunes the oldest (keep=2)
            steps(net, trainer, 2)
            save_checkpoint(template, net, trainer, extra={"tag": "older"}, keep=2)
            steps(net, trainer, 2)
            save_checkpoint(template, net, trainer, extra={"tag": "prev"}, keep=2)
            prev = state(net, trainer)
            steps(net, trainer, 2)
        elif scenario == "resave":  # the same step again, from another run
            steps(net, trainer, 4)
            save_checkpoint(template, net, trainer, extra={"tag": "prev"}, keep=2)
            prev = state(net, trainer)
            net, trainer = mlp(2)
            steps(net, trainer, 4)
        else:  # "leftovers" of killed saves, which the save removes first
            steps(net, trainer, 4)
            save_checkpoint(template, net, trainer, extra={"tag": "prev"}, keep=2)
            prev = state(net, trainer)
            steps(net, trainer, 2)
            # a save of step 6 killed after renaming its directory, before switching latest
            save_checkpoint(template, net, trainer, extra={"tag": "orphan"}, keep=2)
            with open(os.path.join(template, "latest"), "w") as f:
                f.write("step-000000004")
            for name in (".step-000000007.tmp-1-ab", ".trash-step-000000003-1-cd"):
                os.mkdir(os.path.join(template, name))
                with open(os.path.join(template, name, "net.params"), "wb") as f:
                    f.write(b"partial")
            with open(os.path.join(template, "latest.tmp-1"), "w") as f:
                f.write("step-000000007")
        with open(ref, "wb") as f:
            pickle.dump({"prev": prev, "new": state(net, trainer)}, f)
        return net, trainer

    def fork_run(net, trainer, template, root, k, when):
        """In a forked child: a copy of the template, then the save, killed at call k."""
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            code = 0
            try:
                shutil.copytree(template, root, symlinks=True)
                killer = Killer(k, when)
                uninstall = install(killer)
                save_checkpoint(root, net, trainer, extra={"tag": "new"}, keep=2)
                uninstall()
                os.write(write, json.dumps({"n": killer.n, "log": killer.log}).encode())
            except BaseException:
                traceback.print_exc()
                code = 3
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        os.close(write)
        with os.fdopen(read, "rb") as f:
            out = f.read()
        _, status = os.waitpid(pid, 0)
        return {"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "count": json.loads(out) if out else None}

    def report(line):
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    def main():
        work = sys.argv[1]
        for scenario in ("new", "resave", "leftovers"):
            template = os.path.join(work, f"{scenario}-template")
            ref = os.path.join(work, f"{scenario}.ref")
            net, trainer = prepare(scenario, template, ref)
            root = os.path.join(work, f"{scenario}-count")
            status = fork_run(net, trainer, template, root, 0, "none")
            report(dict(status, scenario=scenario, k=0, when="none", root=root, ref=ref))
            for k in range(1, status["count"]["n"] + 1):
                for when in ("before", "after"):
                    root = os.path.join(work, f"{scenario}-{when}-{k:03d}")
                    status = fork_run(net, trainer, template, root, k, when)
                    report(dict(status, scenario=scenario, k=k, when=when, root=root, ref=ref))
        report({"done": True})

    main()
''')


def _state_of(net, trainer):
    return {"num_update": trainer._optimizer.num_update,
            "weights": {k: p.data().asnumpy() for k, p in net._collect_params_with_prefix().items()},
            "states": {i: s.asnumpy() for i, s in trainer._updaters[0].states.items()}}


def _same(a, b):
    """Equal bit for bit: update count, every weight, every momentum."""
    if a["num_update"] != b["num_update"]:
        return False
    for part in ("weights", "states"):
        if sorted(a[part]) != sorted(b[part]):
            return False
        for key in a[part]:
            x, y = a[part][key], b[part][key]
            if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
                return False
    return True


def _check_killed_save(job, refs, where):
    """The checkpoint in force is the previous or the new one, complete, bit for bit;
    the next save succeeds and leaves only that checkpoint and itself. Its tag."""
    root = job["root"]
    net, trainer = mlp(99)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        meta = load_checkpoint(root, net, trainer, batch_size=2)
    tag = meta["extra"]["tag"]
    assert tag in ("prev", "new"), f"{where}: loaded the {tag!r} checkpoint"
    assert _same(_state_of(net, trainer), refs[tag]), f"{where}: not the {tag} checkpoint"
    mlp_steps(net, trainer, 1)
    path = save_checkpoint(root, net, trainer, keep=2)
    assert latest_checkpoint(root) == path, where
    assert sorted(os.listdir(root)) == sorted(
        {"latest", os.path.basename(meta["path"]), os.path.basename(path)}), where
    return tag


def test_a_save_killed_at_any_file_system_call_leaves_the_previous_or_the_new_checkpoint(
        tmp_path):
    started = time.monotonic()
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    work = tmp_path / "runs"
    work.mkdir()
    env = dict(os.environ, OMP_NUM_THREADS="1", MXNET_ENGINE_TYPE="NaiveEngine",
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    # The child reports each kill as it happens; it is checked here meanwhile.
    child = subprocess.Popen([sys.executable, str(script), str(work)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    watchdog = threading.Timer(600, child.kill)
    watchdog.start()
    counts, outcomes, refs, finished = {}, {}, {}, False
    try:
        for line in child.stdout:
            job = json.loads(line)
            if job.get("done"):
                finished = True
                continue
            scenario, k = job["scenario"], job["k"]
            where = f"{scenario}: killed {job['when']} call {k}"
            if job["ref"] not in refs:
                with open(job["ref"], "rb") as f:
                    refs[job["ref"]] = pickle.load(f)
                assert not _same(refs[job["ref"]]["prev"], refs[job["ref"]]["new"])
            if k == 0:  # the counting run, not killed
                assert job["signal"] is None and job["exit"] == 0, job
                counts[scenario] = job["count"]
                assert _check_killed_save(job, refs[job["ref"]], where) == "new"
                continue
            assert job["signal"] == signal.SIGKILL, f"{where}: {job}"
            tag = _check_killed_save(job, refs[job["ref"]], where)
            outcomes.setdefault(scenario, {})[(k, job["when"] == "after")] = tag
    finally:
        watchdog.cancel()
        child.kill()
        err = child.stderr.read()
        child.wait()
    assert finished, err
    elapsed = time.monotonic() - started

    logs = {s: "\n".join(c["log"]) for s, c in counts.items()}
    for scenario, log in logs.items():
        # the calls a save must make, all of them kill points
        for call in ("nd.save", "os.fsync", "os.rename", "os.replace", "open "):
            assert call in log, f"{scenario}: no {call} among the kill points:\n{log}"
    assert "shutil.rmtree" in logs["new"]  # keep=2 prunes step 2
    assert "shutil.rmtree" in logs["resave"]  # the replaced step 4
    for leftover in ("step-000000006'", ".step-000000007.tmp-1-ab", ".trash-step-000000003-1-cd",
                     "latest.tmp-1'"):
        assert leftover in logs["leftovers"], f"{leftover} not removed:\n{logs['leftovers']}"
    assert sorted(outcomes) == ["leftovers", "new", "resave"]
    for scenario, seen in outcomes.items():
        assert len(seen) == 2 * counts[scenario]["n"]
        order = [seen[key] for key in sorted(seen)]
        switch = order.index("new")  # the previous checkpoint until latest is replaced...
        assert order == ["prev"] * switch + ["new"] * (len(order) - switch), (scenario, order)
        assert 0 < switch < len(order)
    print(f"\nkill points: { {s: c['n'] for s, c in counts.items()} } (each killed before and "
          f"after), {sum(len(s) for s in outcomes.values())} kills, {elapsed:.1f} s")
