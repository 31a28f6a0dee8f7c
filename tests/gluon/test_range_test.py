"""Tests of mxsched.gluon.range_test: the sweep, smoothing, fastai's suggestions, divergence,
and that the model and trainer come back exactly, with no file written."""
import builtins
import io
import math
import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mxnet as mx
from mxnet import autograd, gluon

from mxsched import OneCycle
from mxsched.gluon import make_trainer
from mxsched.gluon.range_test import (RangeTestResult, Suggestion, lr_range_test, minimum,
                                      smooth_losses, steep, sweep, valley)
from mxsched.tutorial import lenet, load_data, set_seed

CTX = mx.cpu()


# --------------------------------------------------------------------------- small models


def regression_batches(n_batches=8, batch=16, seed=0):
    """A fixed list of (X, y) batches of a linear regression (no shuffling)."""
    rng = np.random.RandomState(seed)
    w = rng.randn(4, 1)
    out = []
    for _ in range(n_batches):
        x = rng.randn(batch, 4)
        out.append((mx.nd.array(x), mx.nd.array(x @ w + 0.1 * rng.randn(batch, 1))))
    return out


def classifier_batches(n_batches=6, batch=16, seed=1):
    rng = np.random.RandomState(seed)
    out = []
    for _ in range(n_batches):
        x = rng.randn(batch, 6).astype("float32")
        out.append((mx.nd.array(x), mx.nd.array((x[:, 0] + x[:, 1] > 0).astype("float32"))))
    return out


def bn_net(seed=0):
    """Dense -> BatchNorm -> Dense: weights and running statistics to restore."""
    mx.random.seed(seed)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(8), gluon.nn.BatchNorm(), gluon.nn.Activation("relu"),
            gluon.nn.Dense(2))
    net.initialize(mx.init.Xavier(), ctx=CTX)
    net(mx.nd.zeros((1, 6), ctx=CTX))
    return net


def train_steps(net, trainer, batches, loss=None):
    loss = loss or gluon.loss.SoftmaxCrossEntropyLoss()
    for x, y in batches:
        with autograd.record():
            l = loss(net(x), y)
        l.backward()
        trainer.step(x.shape[0])


def arrays(net):
    return {name: p.data(CTX).asnumpy().copy() for name, p in net.collect_params().items()}


def updater_states(trainer):
    out = {}
    for i, u in enumerate(trainer._updaters):
        for k, s in u.states.items():
            parts = s if isinstance(s, (tuple, list)) else [s]
            out[(i, k)] = [None if p is None else p.asnumpy().copy() for p in parts]
    return out


# --------------------------------------------------------------------------- sweep and smoothing


def test_sweep_values():
    assert sweep(1e-7, 10.0, 9).tolist() == pytest.approx(
        [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0], rel=1e-12)
    lin = sweep(0.1, 1.0, 10, mode="linear")
    assert lin[0] == 0.1 and lin[-1] == 1.0 and np.allclose(np.diff(lin), 0.1)
    exp = sweep(1e-5, 3.0, 77)
    assert exp[0] == 1e-5 and exp[-1] == 3.0 and np.allclose(exp[1:] / exp[:-1],
                                                             (3.0 / 1e-5) ** (1 / 76))


@pytest.mark.parametrize("args, match", [
    ((0.0, 1.0, 10), "start_lr must be a finite number > 0, got 0.0"),
    ((1e-3, 1e-3, 10), r"finish_lr must be greater than start_lr \(0.001\), got 0.001"),
    ((1e-3, float("inf"), 10), "finish_lr must be a finite number > 0, got inf"),
    ((1e-3, 1.0, 1), "num_iter must be an integer >= 2, got 1"),
    ((1e-3, 1.0, 10, "log"), "mode must be one of 'exp', 'linear', got 'log'"),
])
def test_sweep_rejects_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        sweep(*args)


def test_smooth_losses_is_a_bias_corrected_ema():
    losses = [2.0, 1.0, 4.0, 3.0]
    beta, avg, expected = 0.9, 0.0, []
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        expected.append(avg / (1 - beta ** (i + 1)))
    assert smooth_losses(losses, beta).tolist() == pytest.approx(expected, rel=1e-15)
    assert smooth_losses([5.0, 5.0, 5.0], 0.98).tolist() == pytest.approx([5.0] * 3)
    assert smooth_losses(losses, 0.0).tolist() == losses


# --------------------------------------------------------------------------- suggestions


def fastai_valley(lrs, losses):
    """fastai.callback.schedule.valley, transcribed (the independent reference)."""
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


def synthetic_curve():
    """Loss on a log-lr grid: flat at 2.3, a tanh drop centred between two grid points,
    a parabolic minimum, then a steep rise.

    x = log10(lr) on a grid of step 0.05 from -6 to 1 (141 points). The drop
    2.3 - 1.0 * (1 + tanh((x + 3.025) / 0.3)) / 2 is steepest at x = -3.025, the
    midpoint of grid points -3.05 and -3.0, so the steepest segment starts at -3.05.
    """
    x = np.round(np.arange(-6.0, 1.0001, 0.05), 10)
    drop = 2.3 - 1.0 * (1 + np.tanh((x + 3.025) / 0.3)) / 2
    bowl = np.where(x > -1.0, 0.5 * (x + 1.0) ** 2 + 0.0, 0.0)
    loss = drop + bowl
    loss = np.where(x > -1.0, loss, loss + 0.01 * (x + 1.0) ** 2)  # unique minimum at -1
    return 10.0 ** x, loss, x


def test_steep_finds_the_steepest_segment():
    lrs, loss, x = synthetic_curve()
    s = steep(lrs, loss)
    assert x[s.index] == pytest.approx(-3.05) and s.lr == pytest.approx(10 ** -3.05)


def test_minimum_is_a_tenth_of_the_lowest_point():
    lrs, loss, x = synthetic_curve()
    s = minimum(lrs, loss)
    assert x[s.index] == pytest.approx(-1.0) and s.lr == pytest.approx(10 ** -1.0 / 10)


def test_valley_is_half_way_down_the_longest_valley():
    # flat (equal) losses up to index 20, strictly falling to index 80, rising after:
    # fastai's valley starts at 19 and ends at 80, so idx = 19 + int(61/3) + int(61/6) = 49
    lrs = 10.0 ** np.linspace(-6, 1, 100)
    losses = np.concatenate([np.full(21, 2.0), np.linspace(2.0, 0.5, 61)[1:],
                             np.linspace(0.5, 3.0, 20)[1:]])
    s = valley(lrs, losses)
    assert s.index == 49 and s.lr == lrs[49]
    assert valley(lrs, losses).lr == fastai_valley(lrs, losses)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 5.0, allow_nan=False), min_size=2, max_size=60))
def test_valley_matches_fastai_on_any_curve(losses):
    lrs = 10.0 ** np.linspace(-5, 0, len(losses))
    assert valley(lrs, losses).lr == fastai_valley(lrs, np.asarray(losses))


def test_suggestion_rules_reject_bad_curves():
    with pytest.raises(ValueError, match="lrs must hold at least 2 points, got 1"):
        steep([0.1], [1.0])
    with pytest.raises(ValueError, match="equal length"):
        valley([0.1, 0.2], [1.0])
    with pytest.raises(ValueError, match="lrs must be finite and > 0"):
        minimum([0.0, 0.1], [1.0, 2.0])


def make_result(smoothed, skip_start=0, skip_end=0):
    smoothed = np.asarray(smoothed, dtype=np.float64)
    lrs = 10.0 ** np.linspace(-4, 0, len(smoothed))
    return RangeTestResult(lrs=lrs, losses=smoothed, smoothed=smoothed, num_iter=len(lrs),
                           start_lr=lrs[0], finish_lr=lrs[-1], mode="exp", beta=0.98,
                           diverge_th=4.0, diverged=False, stop_reason="", best_loss=0.0,
                           seconds=0.0, skip_start=skip_start, skip_end=skip_end)


def test_result_suggestions_skip_ends_and_stop_at_nan():
    r = make_result([0.1, 5, 4, 3, 2, 1, 9, 0.0, 0.0], skip_start=1, skip_end=2)
    s = r.suggestions
    assert s["minimum"].index == 5 and r.minimum == pytest.approx(r.lrs[5] / 10)
    assert set(s) == {"valley", "steep", "minimum"}
    cut = make_result([3, 2, 1, float("nan"), 0.0, 0.0])
    assert cut.suggestions["minimum"].index == 2
    short = make_result([1.0, 2.0, 3.0], skip_start=1, skip_end=1)
    assert short.suggestions == {"valley": None, "steep": None, "minimum": None}
    assert "valley   -" in short.summary()


# --------------------------------------------------------------------------- the test itself


def test_range_test_records_the_sweep_and_restores_everything_exactly():
    batches = classifier_batches()
    net = bn_net()
    sched = OneCycle(0.01, 0.1, cycle_length=20)
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"lr_scheduler": sched, "momentum": 0.9, "wd": 1e-3,
                             "learning_rate": 0.1})
    train_steps(net, trainer, batches[:3])  # momentum states and an update count exist
    before, states = arrays(net), updater_states(trainer)
    opt = trainer.optimizer
    counts = dict(opt._index_update_count)
    scale = opt.rescale_grad

    result = lr_range_test(net, batches, trainer, start_lr=1e-4, finish_lr=1.0, num_iter=15,
                           diverge_th=None)
    assert result.lrs.tolist() == sweep(1e-4, 1.0, 15).tolist()
    assert len(result.losses) == len(result.smoothed) == 15 and not result.diverged
    assert result.smoothed.tolist() == pytest.approx(smooth_losses(result.losses).tolist())

    after = arrays(net)
    assert before.keys() == after.keys()
    for name in before:  # weights and BatchNorm running statistics, bit for bit
        assert np.array_equal(before[name], after[name]), name
    assert any("running" in name for name in before)
    again = updater_states(trainer)
    assert states.keys() == again.keys()
    for key in states:
        for a, b in zip(states[key], again[key]):
            assert np.array_equal(a, b), key
    assert trainer.optimizer is opt and opt.lr_scheduler is sched
    assert opt.num_update == 3 and opt._index_update_count == counts
    assert opt.rescale_grad == scale and trainer.learning_rate == sched(3)


def test_training_after_a_range_test_is_identical_to_training_without_one():
    batches = classifier_batches(n_batches=5)

    def fresh():
        net = bn_net(seed=3)
        trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})
        train_steps(net, trainer, batches[:2])
        return net, trainer

    net_a, trainer_a = fresh()
    train_steps(net_a, trainer_a, batches)
    net_b, trainer_b = fresh()
    lr_range_test(net_b, batches, trainer_b, start_lr=1e-3, finish_lr=10.0, num_iter=12)
    train_steps(net_b, trainer_b, batches)
    a, b = list(arrays(net_a).values()), list(arrays(net_b).values())
    assert len(a) == len(b) == 8 and all(np.array_equal(x, y) for x, y in zip(a, b))
    assert trainer_a.optimizer.num_update == trainer_b.optimizer.num_update == 7


def test_range_test_stops_on_divergence():
    batches = regression_batches()
    mx.random.seed(0)
    net = gluon.nn.Dense(1)
    net.initialize(ctx=CTX)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01})
    result = lr_range_test(net, batches, trainer, start_lr=1e-4, finish_lr=100.0, num_iter=80,
                           loss=gluon.loss.L2Loss())
    assert result.diverged and len(result.lrs) < 80
    assert result.smoothed[-1] > 4 * result.best_loss
    assert np.all(result.smoothed[:-1] <= 4 * np.minimum.accumulate(result.smoothed[:-1]))
    assert "stopped at batch" in result.stop_reason and result.lrs[-1] < 100.0
    assert result.steep is not None and result.steep < result.lrs[-1]


def test_range_test_without_threshold_stops_at_a_non_finite_loss():
    batches = regression_batches()
    mx.random.seed(0)
    net = gluon.nn.Dense(1)
    net.initialize(ctx=CTX)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01})
    result = lr_range_test(net, batches, trainer, start_lr=1e-2, finish_lr=1e12, num_iter=60,
                           diverge_th=None, loss=gluon.loss.L2Loss())
    assert result.diverged and "not finite" in result.stop_reason
    assert not math.isfinite(result.losses[-1]) and len(result.lrs) < 60
    assert all(np.isfinite(a).all() for a in arrays(net).values())  # restored


def test_range_test_cycles_the_data_and_finishes_deferred_initialisation():
    batches = classifier_batches(n_batches=3)
    net = gluon.nn.Dense(2)  # shapes unknown until the first batch
    net.initialize(ctx=CTX)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    result = lr_range_test(net, batches, trainer, start_lr=1e-3, finish_lr=1e-1, num_iter=10,
                           mode="linear")
    assert len(result.lrs) == 10 and result.mode == "linear"
    assert trainer.optimizer.num_update == 0


def test_range_test_on_two_devices():
    batches = classifier_batches(n_batches=3)
    ctxs = [mx.cpu(0), mx.cpu(1)]
    net = gluon.nn.Dense(2, in_units=6)
    net.initialize(ctx=ctxs)
    local = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1},
                          update_on_kvstore=False)
    before = net.weight.data(mx.cpu(1)).asnumpy().copy()
    result = lr_range_test(net, batches, local, num_iter=6, ctx=ctxs)
    assert len(result.lrs) == 6
    assert np.array_equal(net.weight.data(mx.cpu(1)).asnumpy(), before)
    on_kvstore = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1},
                               kvstore="device", update_on_kvstore=True)
    with pytest.raises(ValueError, match="update_on_kvstore=False, got update_on_kvstore=True"):
        lr_range_test(net, batches, on_kvstore, num_iter=6, ctx=ctxs)


def test_range_test_writes_no_file(tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    written = []
    real_open = builtins.open

    def spy_open(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            written.append(file)
        return real_open(file, mode, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("a file was written")

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(mx.nd, "save", refuse)
    monkeypatch.setattr(gluon.Trainer, "save_states", refuse)
    monkeypatch.setattr(gluon.Block, "save_parameters", refuse)
    net = bn_net()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1,
                                                          "momentum": 0.9})
    lr_range_test(net, classifier_batches(), trainer, num_iter=8)
    assert written == []
    assert list(work.iterdir()) == [] and list(scratch.iterdir()) == []


def test_range_test_on_the_tutorial_data_suggests_a_rate_inside_the_sweep():
    splits = load_data(64, quick=True, verbose=False)
    set_seed(0)
    net = lenet()
    net.initialize(mx.init.Xavier(), ctx=CTX)
    trainer = make_trainer(net, "sgd", learning_rate=0.1, momentum=0.9)
    result = lr_range_test(net, splits.train, trainer, start_lr=1e-4, finish_lr=10.0,
                           num_iter=40)
    for name, s in result.suggestions.items():
        assert s is not None and 1e-5 <= s.lr <= 10.0, name
    assert result.smoothed.min() < result.smoothed[0]
    restored = pickle.loads(pickle.dumps(result))
    assert np.array_equal(restored.lrs, result.lrs)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(start_lr=-1.0), ValueError, "start_lr must be a finite number > 0, got -1.0"),
    (dict(finish_lr=1e-8), ValueError, r"finish_lr must be greater than start_lr \(1e-07\), "
                                       "got 1e-08"),
    (dict(num_iter=0), ValueError, "num_iter must be an integer >= 2, got 0"),
    (dict(mode="cos"), ValueError, "mode must be one of 'exp', 'linear', got 'cos'"),
    (dict(beta=1.0), ValueError, r"beta must be a number in \[0, 1\), got 1.0"),
    (dict(diverge_th=1.0), ValueError, "diverge_th must be a finite number > 1 or None, "
                                       "got 1.0"),
    (dict(skip_end=-1), ValueError, "skip_end must be a non-negative integer, got -1"),
    (dict(restore="yes"), TypeError, "restore must be True or False, got 'yes'"),
])
def test_range_test_rejects_bad_arguments(kwargs, error, match):
    net = gluon.nn.Dense(2, in_units=6)
    net.initialize(ctx=CTX)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with pytest.raises(error, match=match):
        lr_range_test(net, classifier_batches(), trainer, **kwargs)
    assert trainer.optimizer.num_update == 0


def test_range_test_rejects_a_non_trainer_and_empty_data():
    net = gluon.nn.Dense(2, in_units=6)
    net.initialize(ctx=CTX)
    with pytest.raises(TypeError, match="trainer must be a gluon.Trainer, got 'sgd'"):
        lr_range_test(net, classifier_batches(), "sgd")
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with pytest.raises(ValueError, match="train_data must yield at least one batch"):
        lr_range_test(net, [], trainer)


def test_plot_and_lazy_matplotlib():
    import matplotlib
    matplotlib.use("Agg")
    result = make_result([2.0, 1.9, 1.5, 1.0, 0.8, 0.9, 1.5, 3.0, 6.0, 9.0])
    ax = result.plot(skip_end=0)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["batch loss", "smoothed loss"]
    assert any(label.startswith("valley") for label in labels)
    assert ax.get_xscale() == "log"
    # the raw losses are all shown (log axis, nothing clipped); the chosen rate is marked
    assert ax.get_yscale() == "log" and ax.get_ylim()[1] >= 9.0
    ax = result.plot(skip_end=0, mark=0.02)
    assert "chosen 0.02" in [line.get_label() for line in ax.get_lines()]
    smooth = result.plot(skip_end=0, show_raw=False)
    assert smooth.get_yscale() == "linear" and [line.get_label() for line in
                                                 smooth.get_lines()][0] == "smoothed loss"
    with pytest.raises(ValueError, match="mark must be"):
        result.plot(mark=-1.0)
    code = ("import sys, mxsched.gluon; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "MPLBACKEND": "Agg"})
    assert out.stdout.strip() == "False"
