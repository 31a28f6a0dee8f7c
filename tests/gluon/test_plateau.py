"""Tests of mxsched.gluon.plateau: ReduceLROnPlateau on top of any schedule.

ReduceLROnPlateau is compared with independent transcriptions of PyTorch's and
Keras's algorithms (``torch.optim.lr_scheduler.ReduceLROnPlateau`` and
``keras.callbacks.ReduceLROnPlateau``) on metric sequences drawn by hypothesis, then
run in a real Gluon loop (mxsched.tutorial.train) and in the Gluon estimator.
"""
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mxnet as mx
from mxnet import gluon
from mxnet.gluon.contrib.estimator.event_handler import BatchBegin, EpochEnd

from mxsched import CosineAnnealing, LinearWarmUp
from mxsched.gluon import MomentumHandler, ReduceLROnPlateau, make_trainer
from mxsched.tutorial import History, lenet, load_data, set_seed, train

CTX = mx.cpu()


def momentum_sched(t):
    """A positive momentum that changes at every update (module level: picklable)."""
    return 0.5 + 0.4 * ((t * 7) % 5) / 4.0


def lr_sched(t):
    return 0.1 / (1.0 + t)


# --------------------------------------------------------------------------- plateau: references


class TorchPlateauRef:
    """PyTorch's ReduceLROnPlateau.step on a single param group's lr (transcribed)."""

    def __init__(self, lr, mode, factor, patience, threshold, threshold_mode, cooldown,
                 min_lr, eps=1e-8):
        self.lr, self.mode, self.factor, self.patience = lr, mode, factor, patience
        self.threshold, self.threshold_mode, self.cooldown = threshold, threshold_mode, cooldown
        self.min_lr, self.eps = min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = 0

    def is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metric):
        current = float(metric)
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0


class KerasPlateauRef:
    """Keras's ReduceLROnPlateau.on_epoch_end on the optimizer's lr (transcribed)."""

    def __init__(self, lr, mode, factor, patience, min_delta, cooldown, min_lr):
        self.lr, self.factor, self.patience, self.min_delta = lr, factor, patience, min_delta
        self.cooldown, self.min_lr = cooldown, min_lr
        if mode == "min":
            self.op, self.best = (lambda a, b: np.less(a, b - self.min_delta)), np.inf
        else:
            self.op, self.best = (lambda a, b: np.greater(a, b + self.min_delta)), -np.inf
        self.cooldown_counter = self.wait = 0

    def step(self, current):
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.cooldown_counter > 0:
            self.wait += 1
            if self.wait >= self.patience:
                if self.lr > np.float32(self.min_lr):
                    self.lr = max(self.lr * self.factor, self.min_lr)
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


# Metrics from a small set, so that ties, plateaus and exact repeats are common.
METRICS = st.lists(st.sampled_from([1.0, 0.99999, 0.9, 0.8, 0.5, 0.49, 0.3, 2.0, float("nan")]),
                   min_size=1, max_size=40)
MIN_LRS = st.sampled_from([0.0, 1e-4, 0.003, 0.05])


@settings(max_examples=300, deadline=None)
@given(metrics=METRICS, mode=st.sampled_from(["min", "max"]),
       factor=st.sampled_from([0.1, 0.5, 0.9, 0.3]), patience=st.integers(0, 4),
       threshold=st.sampled_from([0.0, 1e-4, 0.05, 0.2]),
       threshold_mode=st.sampled_from(["rel", "abs"]), cooldown=st.integers(0, 3),
       min_lr=MIN_LRS, lr=st.sampled_from([0.1, 1.0, 0.02]))
def test_plateau_matches_pytorch_reference(metrics, mode, factor, patience, threshold,
                                           threshold_mode, cooldown, min_lr, lr):
    kw = dict(mode=mode, factor=factor, patience=patience, threshold=threshold,
              threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr)
    ours, ref = ReduceLROnPlateau(lr, **kw), TorchPlateauRef(lr, **kw)
    for epoch, metric in enumerate(metrics, 1):
        ours.step(metric)
        ref.step(metric)
        assert ours.lr(epoch) == pytest.approx(ref.lr, rel=1e-9), \
            f"LR is wrong after epoch {epoch}: expected {ref.lr}, got {ours.lr(epoch)}"
        assert (ours.num_bad_epochs, ours.cooldown_counter) == \
            (ref.num_bad_epochs, ref.cooldown_counter)
        assert ours.best == ref.best or (math.isnan(ours.best) and math.isnan(ref.best))


@settings(max_examples=300, deadline=None)
@given(metrics=METRICS.map(lambda ms: [m for m in ms if not math.isnan(m)]),
       mode=st.sampled_from(["min", "max"]), factor=st.sampled_from([0.1, 0.5, 0.3]),
       patience=st.integers(0, 4), min_delta=st.sampled_from([0.0, 1e-4, 0.05]),
       cooldown=st.integers(0, 3), min_lr=MIN_LRS, lr=st.sampled_from([0.1, 1.0]))
def test_plateau_from_keras_matches_keras_reference(metrics, mode, factor, patience,
                                                    min_delta, cooldown, min_lr, lr):
    ours = ReduceLROnPlateau.from_keras(lr, mode=mode, factor=factor, patience=patience,
                                        min_delta=min_delta, cooldown=cooldown, min_lr=min_lr)
    ref = KerasPlateauRef(lr, mode, factor, patience, min_delta, cooldown, min_lr)
    for epoch, metric in enumerate(metrics, 1):
        ours.step(metric)
        ref.step(metric)
        assert ours.lr(epoch) == pytest.approx(ref.lr, rel=1e-9), \
            f"LR is wrong after epoch {epoch}: expected {ref.lr}, got {ours.lr(epoch)}"


def test_plateau_value_table():
    # mode min, patience 2, cooldown 1: bad epochs 3..5 -> reduce after epoch 5; epoch 6
    # is cool-down; bad epochs 7, 8, 9 -> reduce after epoch 9.
    plateau = ReduceLROnPlateau(1.0, factor=0.5, patience=2, cooldown=1, threshold=0.0)
    metrics = [3.0, 2.0, 2.0, 2.5, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0]
    lrs = []
    for m in metrics:
        plateau.step(m)
        lrs.append(plateau.lr(1))
    assert lrs == [1.0] * 4 + [0.5] * 4 + [0.25] * 2
    assert [r[0] for r in plateau.reductions] == [5, 9]


def test_plateau_threshold_modes_and_min_lr():
    rel = ReduceLROnPlateau(1.0, patience=0, threshold=0.1, factor=0.5)
    rel.step(1.0)
    rel.step(0.95)  # not 10% better -> bad -> reduce
    assert rel.scale == 0.5
    absolute = ReduceLROnPlateau(1.0, patience=0, threshold=0.01, threshold_mode="abs",
                                 factor=0.5)
    absolute.step(1.0)
    absolute.step(0.95)  # 0.05 better than 1.0 - 0.01
    assert absolute.scale == 1.0
    floor = ReduceLROnPlateau(1.0, patience=0, factor=0.1, min_lr=0.05, mode="max")
    for m in [1.0, 0.5, 0.5, 0.5, 0.5]:
        floor.step(m)
    assert floor.lr(7) == 0.05 and len(floor.reductions) == 2  # 0.1, then floored at 0.05


def test_plateau_composes_with_a_warm_up_and_a_decay():
    sched = LinearWarmUp(CosineAnnealing(0.0, 0.2, cycle_length=100), start_lr=0.0, length=10)
    plateau = ReduceLROnPlateau(sched, factor=0.5, patience=0, min_lr=0.01)
    plateau.step(1.0)
    plateau.step(1.0)  # a reduction before any update is applied (ref = peak so far)
    assert plateau.scale == 0.5
    for k in range(0, 111):
        s = sched(k)
        assert plateau.lr(k) == pytest.approx(max(0.5 * s, min(0.01, s)), abs=1e-15)
    assert plateau.lr(0) == 0.0  # never raised above the schedule
    assert plateau.lr(10) == pytest.approx(0.1)


def test_plateau_state_dict_and_pickle_survive_a_checkpoint():
    metrics = [1.0, 0.9, 0.95, 0.97, 0.91, 0.92, 0.93, 0.5, 0.6, 0.7, 0.8, 0.9]
    full = ReduceLROnPlateau(0.1, factor=0.5, patience=1, cooldown=1)
    for m in metrics:
        full.step(m)
    first = ReduceLROnPlateau(0.1, factor=0.5, patience=1, cooldown=1)
    for m in metrics[:6]:
        first.step(m)
    state = pickle.loads(pickle.dumps(first.state_dict()))
    resumed = ReduceLROnPlateau(0.1, factor=0.5, patience=1, cooldown=1)
    resumed.load_state_dict(state)
    pickled = pickle.loads(pickle.dumps(first))
    for m in metrics[6:]:
        resumed.step(m)
        pickled.step(m)
    for other in (resumed, pickled):
        assert other.state_dict() == full.state_dict()
        assert other.lr(5) == full.lr(5)
    with pytest.raises(ValueError, match="state must be a ReduceLROnPlateau.state_dict"):
        resumed.load_state_dict({"best": 1.0})


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(factor=1.0), ValueError, r"factor must be in \(0, 1\), got 1.0"),
    (dict(factor=0), ValueError, r"factor must be in \(0, 1\), got 0.0"),
    (dict(patience=-1), ValueError, "patience must be a non-negative integer, got -1"),
    (dict(cooldown=1.5), TypeError, "cooldown must be a non-negative integer, got 1.5"),
    (dict(mode="auto"), ValueError, "mode must be one of 'min', 'max', got 'auto'"),
    (dict(threshold_mode="pct"), ValueError, "threshold_mode must be one of 'rel', 'abs'"),
    (dict(threshold=-0.1), ValueError, "threshold must be >= 0, got -0.1"),
    (dict(min_lr=-1.0), ValueError, "min_lr must be a finite, non-negative learning rate"),
    (dict(eps=float("nan")), ValueError, "eps must be a finite number, got nan"),
    (dict(monitor=3), TypeError, "monitor must be a History field.*got 3"),
])
def test_plateau_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ReduceLROnPlateau(0.1, **kwargs)


def test_plateau_needs_a_learning_rate_and_a_monitor():
    plateau = ReduceLROnPlateau(patience=0)
    plateau.step(1.0)
    with pytest.raises(ValueError, match="schedule must be given, or before_update"):
        plateau.step(2.0)
    with pytest.raises(ValueError, match="monitor must be given"):
        ReduceLROnPlateau(0.1).after_epoch(History())
    with pytest.raises(ValueError, match="monitor must name a non-empty per-epoch list"):
        ReduceLROnPlateau(0.1, monitor="nothing").after_epoch(History())


# --------------------------------------------------------------------------- plateau: real loops


def test_plateau_in_a_real_gluon_loop_scales_the_schedule():
    # mode='max' on the training loss: the loss falls, so every epoch is "bad" and the
    # handler must reduce after each epoch past patience -- a deterministic schedule of
    # reductions that exercises the wiring with real training.
    splits = load_data(128, quick=True, verbose=False)
    set_seed(0)
    net = lenet()
    net.initialize(mx.init.Xavier(), ctx=CTX)
    per_epoch = len(splits.train)
    sched = LinearWarmUp(CosineAnnealing(0.01, 0.1, cycle_length=4 * per_epoch), 0.0, 4)
    plateau = ReduceLROnPlateau(sched, monitor="train_loss", mode="max", factor=0.5,
                                patience=0)
    trainer = make_trainer(net, "sgd", momentum=0.9)
    # one call: train() calls plateau.after_epoch(history, trainer) after each epoch
    history = train(net, splits.train, splits.test, trainer, 4, CTX,
                            handler=plateau, progress="none")
    scales = [1.0, 1.0, 0.5, 0.25]  # the first epoch sets best; then one reduction an epoch
    for epoch, scale in enumerate(scales):
        steps = range(epoch * per_epoch + 1, (epoch + 1) * per_epoch + 1)
        epoch_lrs = history.lrs[epoch * per_epoch:(epoch + 1) * per_epoch]
        assert epoch_lrs == pytest.approx([scale * sched(k) for k in steps], rel=1e-6)
    assert plateau.updates == list(range(1, 4 * per_epoch + 1))
    assert [r[1] for r in plateau.reductions] == [2 * per_epoch, 3 * per_epoch, 4 * per_epoch]
    assert plateau.scale == 0.125  # reduced after the last epoch too


def test_plateau_and_momentum_as_gluon_estimator_event_handlers():
    from mxnet.gluon.contrib.estimator import Estimator

    rng = np.random.RandomState(0)
    x = rng.randn(64, 5).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    data = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=16)
    set_seed(0)
    net = gluon.nn.Dense(2, in_units=5)
    net.initialize(ctx=CTX)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1,
                                                          "momentum": 0.9})
    acc = mx.metric.Accuracy()
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), train_metrics=acc,
                    trainer=trainer, context=CTX)
    est.logger.disabled = True
    momentum = MomentumHandler(momentum_sched)
    plateau = ReduceLROnPlateau(lr_sched, monitor=est.val_metrics[0], mode="max",
                                factor=0.5, patience=0)
    assert isinstance(plateau, BatchBegin) and isinstance(plateau, EpochEnd)
    est.fit(data, val_data=data, epochs=3, event_handlers=[momentum, plateau])
    assert momentum.updates == plateau.updates == list(range(1, 13))
    assert momentum.values == [momentum_sched(k) for k in range(1, 13)]
    assert len(plateau.metrics) == 3
    assert plateau.metrics[-1] == est.val_metrics[0].get()[1]
    assert plateau.lrs[:4] == [lr_sched(k) for k in range(1, 5)]
    by_name = ReduceLROnPlateau(0.1, monitor=est.val_metrics[0].get()[0])
    assert by_name.epoch_end(est) is False and by_name.metrics == plateau.metrics[-1:]


def test_plateau_is_an_estimator_event_handler_by_inheritance():
    # BatchBegin to set the learning rate, EpochEnd to read the metric; also unpickled.
    assert issubclass(ReduceLROnPlateau, BatchBegin) and issubclass(ReduceLROnPlateau, EpochEnd)
    plateau = pickle.loads(pickle.dumps(ReduceLROnPlateau(lr_sched, patience=0)))
    assert isinstance(plateau, BatchBegin) and isinstance(plateau, EpochEnd)
