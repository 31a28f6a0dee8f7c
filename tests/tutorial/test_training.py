"""Tests of mxsched.tutorial: the device line, seeds, LeNet, accuracy, the training loop,
and the learning rate driven from the loop (HyperparamHandler('lr', ...)).

The training runs use scikit-learn's digits in quick mode (1,024 images, batches of
32: 32 updates per epoch), a second or so each on two CPU cores.
"""

import pickle
import re

import numpy as np
import pytest

import mxnet as mx
from mxnet import gluon
from mxnet.lr_scheduler import FactorScheduler, LRScheduler

from mxsched.gluon import HyperparamHandler, make_trainer
from mxsched.tutorial import (History, evaluate_accuracy, lenet, load_data, select_context,
                              set_seed, train)

BATCH = 32


class Zigzag(LRScheduler):
    """A pure test schedule: ``base_lr * (1 - 0.5 * (t % 10) / 10)`` (no state)."""

    def __call__(self, num_update):
        return self.base_lr * (1.0 - 0.5 * (num_update % 10) / 10.0)


def zigzag_fn(t):
    """The same values as ``Zigzag(base_lr=0.002)``, as a plain module-level function."""
    return 0.002 * (1.0 - 0.5 * (t % 10) / 10.0)


def bad_schedule(t):
    return float("nan")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    monkeypatch.delenv("MXSCHED_DATASET", raising=False)
    monkeypatch.delenv("MXSCHED_QUICK", raising=False)


@pytest.fixture(scope="module")
def digits():
    return load_data(BATCH, name="digits", quick=True, verbose=False)


def fresh_lenet(seed=0, ctx=None):
    set_seed(seed)
    net = lenet()
    net.initialize(mx.init.Xavier(), ctx=ctx or mx.cpu())
    return net


# --------------------------------------------------------------------------- devices and seeds
# (default_context itself: tests/gluon/test_trainer.py)


def test_select_context_picks_the_gpu_when_there_is_one(monkeypatch, capsys):
    monkeypatch.setattr(mx.context, "num_gpus", lambda: 1)
    assert select_context() == mx.gpu(0)
    assert capsys.readouterr().out == "Context: gpu(0) (1 GPU found)\n"


def test_select_context_says_when_there_is_no_gpu(monkeypatch, capsys):
    monkeypatch.setattr(mx.context, "num_gpus", lambda: 0)
    assert select_context() == mx.cpu()
    assert capsys.readouterr().out == "Context: cpu(0) (no GPU found)\n"
    select_context(verbose=False)
    assert capsys.readouterr().out == ""


def test_set_seed_seeds_every_generator():
    import random

    draws = []
    for _ in range(2):
        set_seed(7)
        draws.append((random.random(), np.random.rand(), mx.nd.random.uniform(shape=3).asnumpy()))
    assert draws[0][0] == draws[1][0] and draws[0][1] == draws[1][1]
    assert np.array_equal(draws[0][2], draws[1][2])
    set_seed(8)
    assert np.random.rand() != draws[0][1]


@pytest.mark.parametrize("seed, error, match", [
    (-1, ValueError, r"seed must be a non-negative integer, got -1"),
    (2 ** 32, ValueError, r"seed must be a non-negative integer <= 4294967295, got 4294967296"),
    (1.5, TypeError, r"seed must be a non-negative integer, got 1.5"),
    (True, TypeError, r"seed must be a non-negative integer, got True"),
    ("0", TypeError, r"seed must be a non-negative integer, got '0'"),
])
def test_set_seed_rejects_bad_seeds(seed, error, match):
    with pytest.raises(error, match=match):
        set_seed(seed)


# --------------------------------------------------------------------------- LeNet


def test_lenet_architecture():
    net = lenet(hybridize=False)
    net.initialize()
    out = net(mx.nd.zeros((2, 1, 28, 28)))
    assert out.shape == (2, 10)
    kinds = [type(block).__name__ for block in net]
    assert kinds == ["Conv2D", "MaxPool2D", "Conv2D", "MaxPool2D", "Dense", "Dense", "Dense"]
    shapes = [p.shape for p in net.collect_params().values()]
    assert shapes == [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,),
                      (84, 120), (84,), (10, 84), (10,)]
    # 156 + 2416 + 48120 + 10164 + 850 parameters, as in d2l
    assert sum(int(np.prod(s)) for s in shapes) == 61706


def test_lenet_with_batch_norm_normalises_before_each_hidden_relu():
    net = lenet(hybridize=False, batch_norm=True)
    net.initialize()
    assert net(mx.nd.zeros((2, 1, 28, 28))).shape == (2, 10)
    kinds = [type(block).__name__ for block in net]
    hidden = ["BatchNorm", "Activation"]
    assert kinds == (["Conv2D"] + hidden + ["MaxPool2D", "Conv2D"] + hidden + ["MaxPool2D"]
                     + ["Dense"] + hidden + ["Dense"] + hidden + ["Dense"])
    assert all(block._act_type == "relu" for block in net if type(block).__name__ == "Activation")
    # the layers themselves have no activation of their own
    assert all(block.act is None for block in net if type(block).__name__ in ("Conv2D", "Dense"))
    with pytest.raises(TypeError, match=r"batch_norm must be True or False, got 1"):
        lenet(batch_norm=1)


def test_lenet_takes_three_channel_32x32_images():
    net = lenet(num_classes=7)
    net.initialize()
    assert net(mx.nd.zeros((3, 3, 32, 32))).shape == (3, 7)


def test_lenet_rejects_bad_num_classes():
    with pytest.raises(ValueError, match=r"num_classes must be a positive integer, got 0"):
        lenet(num_classes=0)


# --------------------------------------------------------------------------- evaluation


class Identity(gluon.HybridBlock):
    """Returns its input: the scores are the data."""

    def hybrid_forward(self, F, x):
        return x


def test_evaluate_accuracy_counts_argmax_hits():
    rng = np.random.RandomState(0)
    scores = rng.rand(50, 10).astype(np.float32)
    labels = rng.randint(0, 10, 50).astype(np.int32)
    labels[:20] = scores[:20].argmax(axis=1)          # at least 20 hits
    expected = float(np.mean(scores.argmax(axis=1) == labels))
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(scores, labels), batch_size=16)
    assert evaluate_accuracy(Identity(), loader, mx.cpu()) == pytest.approx(expected, abs=1e-12)
    assert evaluate_accuracy(Identity(), loader) == pytest.approx(expected, abs=1e-12)
    assert evaluate_accuracy(Identity(), loader, [mx.cpu(0), mx.cpu(1)]) == pytest.approx(
        expected, abs=1e-12)
    assert evaluate_accuracy(Identity(), []) == 0.0


def test_evaluate_accuracy_needs_an_initialised_net(digits):
    with pytest.raises(ValueError, match=r"net must be initialised before use"):
        evaluate_accuracy(lenet(), digits.test)


def test_evaluate_accuracy_refuses_a_context_without_the_parameters(digits):
    net = fresh_lenet()
    with pytest.raises(ValueError, match=r"ctx must be where net's parameters are initialised"):
        evaluate_accuracy(net, digits.test, mx.cpu(1))
    with pytest.raises(TypeError, match=r"ctx must be an mxnet Context or a list of them"):
        evaluate_accuracy(net, digits.test, "cpu")


# --------------------------------------------------------------------------- training


def test_training_learns_and_records_scheduled_lrs(digits, capsys):
    train_iter, test_iter, _ = digits
    sched = Zigzag(base_lr=0.002)
    net = fresh_lenet()
    history = train(net, train_iter, test_iter, make_trainer(net, "adam", lr_scheduler=sched),
                    epochs=2, progress="epoch")
    updates = 2 * len(train_iter)
    assert history.updates == list(range(1, updates + 1))
    expected = [sched(k) for k in history.updates]
    for k, (got, want) in enumerate(zip(history.lrs, expected), start=1):
        assert got == want, f"LR is wrong at update {k}: expected {want}, got {got}"
    assert len(set(history.lrs)) == 10, "the schedule should visit ten different rates"
    # the loss comes down: the last ten batches average well under the first ten
    first, last = np.mean(history.batch_losses[:10]), np.mean(history.batch_losses[-10:])
    assert last < 0.5 * first, (first, last)
    assert history.train_loss[1] < history.train_loss[0]
    assert history.test_acc[-1] > 0.6
    assert len(history.batch_losses) == updates
    for per_epoch in (history.train_loss, history.train_acc, history.test_acc,
                      history.examples_per_sec, history.epoch_time):
        assert len(per_epoch) == history.epochs == 2
    assert all(0.0 <= a <= 1.0 for a in history.train_acc + history.test_acc)
    assert all(s > 0 for s in history.examples_per_sec)
    assert history.context == "cpu(0)"
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"epoch 1/2  loss \d\.\d{4}  train acc \d\.\d{3}  test acc \d\.\d{3}  "
                        r"lr 0\.0019 -> 0\.0018  \d+ ex/s  \d+\.\d s", lines[0]), lines[0]


def test_training_with_an_mxsched_schedule(digits):
    from mxsched import TriangularSchedule

    train_iter, test_iter, _ = digits
    sched = TriangularSchedule(min_lr=0.0005, max_lr=0.003, cycle_length=len(train_iter))
    net = fresh_lenet()
    history = train(net, train_iter, test_iter, ("adam", sched), epochs=1, progress="none")
    assert history.lrs == [sched(k) for k in range(1, len(train_iter) + 1)]
    assert max(history.lrs) == pytest.approx(0.003)


def test_handler_gives_the_same_lrs_as_lr_scheduler(digits):
    train_iter, test_iter, _ = digits
    net = fresh_lenet(seed=1)
    by_scheduler = train(net, train_iter, test_iter,
                         make_trainer(net, "adam", lr_scheduler=Zigzag(base_lr=0.002)),
                         epochs=1, progress="none")
    net = fresh_lenet(seed=1)
    handler = HyperparamHandler("lr", zigzag_fn)
    by_handler = train(net, train_iter, test_iter, make_trainer(net, "adam"), epochs=1,
                       handler=handler, progress="none")
    assert by_handler.lrs == by_scheduler.lrs
    assert handler.values == by_handler.lrs
    assert handler.updates == by_handler.updates
    assert by_handler.updates == by_scheduler.updates
    # same seed, same data order, same rates: the same training run
    np.testing.assert_allclose(by_handler.batch_losses, by_scheduler.batch_losses, rtol=1e-5)


def test_handler_reproduces_a_stateful_mxnet_builtin(digits):
    """A fresh FactorScheduler gives the same rates driven either way."""
    train_iter, test_iter, _ = digits
    net = fresh_lenet()
    builtin = train(net, train_iter, test_iter,
                    make_trainer(net, "sgd", lr_scheduler=FactorScheduler(step=5, factor=0.5,
                                                                          base_lr=0.1)),
                    epochs=1, progress="none")
    net = fresh_lenet()
    handled = train(net, train_iter, test_iter, make_trainer(net, "sgd"), epochs=1,
                    handler=HyperparamHandler("lr", FactorScheduler(step=5, factor=0.5,
                                                                    base_lr=0.1)),
                    progress="none")
    assert handled.lrs == builtin.lrs
    assert builtin.lrs[:7] == [0.1] * 5 + [0.05] * 2


def test_trainer_tuple_forms(digits):
    train_iter, test_iter, _ = digits
    net = fresh_lenet()
    fixed = train(net, train_iter, test_iter, ("sgd", 0.05), epochs=1, progress="none")
    assert fixed.lrs == [0.05] * len(train_iter)
    net = fresh_lenet()
    plain = train(net, train_iter, test_iter, ("adam", zigzag_fn), epochs=1, progress="none")
    assert plain.lrs == [zigzag_fn(k) for k in range(1, len(train_iter) + 1)]


def test_training_on_two_devices_matches_one(digits):
    train_iter, test_iter, _ = digits
    devices = [mx.cpu(0), mx.cpu(1)]
    one = train(fresh_lenet(seed=2), train_iter, test_iter,
                ("adam", Zigzag(base_lr=0.002)), epochs=1, progress="none")
    net = fresh_lenet(seed=2, ctx=devices)
    two = train(net, train_iter, test_iter, ("adam", Zigzag(base_lr=0.002)), epochs=1,
                ctx=devices, progress="none")
    assert two.lrs == one.lrs and two.context == "cpu(0), cpu(1)"
    np.testing.assert_allclose(two.batch_losses, one.batch_losses, rtol=1e-4)


def test_progress_bar_stays_out_of_headless_output(digits, capsys):
    """'auto' is one line per epoch when stderr is no terminal; 'none' is silent."""
    train_iter, test_iter, _ = digits
    net = fresh_lenet()
    train(net, train_iter, test_iter, ("sgd", 0.05), epochs=2)
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2 and captured.err == ""
    train(net, train_iter, test_iter, ("sgd", 0.05), epochs=1, progress="none")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_goes_to_stderr(digits, capsys):
    pytest.importorskip("tqdm")
    train_iter, test_iter, _ = digits
    train(fresh_lenet(), train_iter, test_iter, ("sgd", 0.05), epochs=1, progress="bar")
    captured = capsys.readouterr()
    assert "epoch 1/1" in captured.err and f"/{len(train_iter)}" in captured.err
    assert len(captured.out.splitlines()) == 1


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(epochs=0), ValueError, r"epochs must be a positive integer, got 0"),
    (dict(epochs=1.0), TypeError, r"epochs must be a positive integer, got 1.0"),
    (dict(epochs=10.5), TypeError, r"epochs must be a positive integer, got 10.5"),
    (dict(epochs="2"), TypeError, r"epochs must be a positive integer, got '2'"),
    (dict(progress="loud"), ValueError, r"progress must be one of .*got 'loud'"),
    (dict(trainer="sgd"), TypeError, r"trainer must be a gluon.Trainer or a tuple .*got 'sgd'"),
    (dict(trainer=("sgd",)), TypeError, r"trainer must be a gluon.Trainer or a tuple"),
    (dict(handler=zigzag_fn), TypeError, r"handler must have a before_update\(trainer\) method"),
    (dict(trainer=("sgd", zigzag_fn), handler=HyperparamHandler("lr", zigzag_fn)), ValueError,
     r"handler must be None when trainer gives a plain-callable schedule"),
    (dict(ctx=mx.cpu(3)), ValueError, r"ctx must be where net's parameters are initialised"),
])
def test_train_rejects_bad_arguments(digits, kwargs, error, pattern):
    net = fresh_lenet()
    arguments = dict(net=net, train_data=digits.train, test_data=digits.test,
                     trainer=("sgd", 0.1), epochs=1, progress="none")
    arguments.update(kwargs)
    with pytest.raises(error, match=pattern):
        train(**arguments)


def test_train_needs_an_initialised_net(digits):
    net = lenet()
    with pytest.raises(ValueError, match=r"net must be initialised before use"):
        train(net, digits.train, digits.test, ("sgd", 0.1), epochs=1)


def test_handler_refuses_a_trainer_with_a_scheduler():
    net = fresh_lenet()
    trainer = make_trainer(net, "sgd", lr_scheduler=Zigzag(base_lr=0.1))
    with pytest.raises(ValueError, match=r"trainer must have no lr_scheduler"):
        HyperparamHandler("lr", zigzag_fn).before_update(trainer)


def test_handler_rejects_bad_schedules_and_rates():
    with pytest.raises(TypeError, match=r"schedule must be a callable \(an instance, not a "
                                        r"class\), got 0.1"):
        HyperparamHandler("lr", 0.1)
    trainer = make_trainer(fresh_lenet(), "sgd")
    with pytest.raises(ValueError, match=r"schedule\(1\) must be a valid learning_rate "
                                         r"\(>= 0\), got nan"):
        HyperparamHandler("lr", bad_schedule).before_update(trainer)
    assert trainer.learning_rate == 0.01  # the optimizer's default, untouched


def test_handler_sets_the_rate_of_the_coming_update():
    trainer = make_trainer(fresh_lenet(), "sgd", learning_rate=1.0)
    handler = HyperparamHandler("lr", zigzag_fn)
    assert handler.before_update(trainer) == zigzag_fn(1) == trainer.learning_rate
    trainer.optimizer.num_update = 4          # as after four updates
    assert handler.before_update(trainer) == zigzag_fn(5) == trainer.learning_rate
    assert handler.values == [zigzag_fn(1), zigzag_fn(5)]
    assert handler.updates == [1, 5]


# --------------------------------------------------------------------------- records and pickling


def test_handler_and_history_pickle():
    handler = HyperparamHandler("lr", zigzag_fn)
    handler.values.append(0.5)
    restored = pickle.loads(pickle.dumps(handler))
    assert restored.schedule is zigzag_fn and restored.values == [0.5]
    assert restored.name == "learning_rate"
    history = History(train_loss=[1.0], lrs=[0.1, 0.2], updates=[1, 2], context="cpu(0)")
    assert pickle.loads(pickle.dumps(history)) == history
    assert history.as_dict()["lrs"] == [0.1, 0.2]
