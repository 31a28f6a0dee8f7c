"""Tests of mxsched.tutorial.data: data-set choice, fallback, environment variables, arrays.

No test touches the network: the download host probe and Fashion-MNIST itself are
replaced where a test needs them (monkeypatch), and Fashion-MNIST's own parser is
exercised on small fake IDX files.
"""

import gzip
import math
import os
import pickle
import socket
import struct
import time

import numpy as np
import pytest

import mxnet as mx
from mxnet.gluon.data import vision

from mxsched.tutorial import data as mdata
from mxsched.tutorial.data import (DIGITS_CLASSES, FASHION_MNIST_CLASSES, QUICK_NUM_TEST,
                                   QUICK_NUM_TRAIN, DatasetInfo, load_data, load_dataset,
                                   quick_mode, requested_dataset)

NUM_DIGITS_TRAIN, NUM_DIGITS_TEST = 1437, 360


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No test sees the caller's MXSCHED_* variables, nor MXNet's real data cache."""
    monkeypatch.delenv("MXSCHED_DATASET", raising=False)
    monkeypatch.delenv("MXSCHED_QUICK", raising=False)
    monkeypatch.setattr(mdata, "_default_root", lambda: str(tmp_path / "fashion-mnist"))


@pytest.fixture
def no_fashion_mnist(monkeypatch):
    """The host answers, but Fashion-MNIST's loader fails as it does without network."""
    calls = []

    class Unreachable:
        def __init__(self, *args, **kwargs):
            calls.append(kwargs)
            raise OSError("simulated: network is unreachable")

    monkeypatch.setattr(mdata, "_probe", lambda url, timeout: None)
    monkeypatch.setattr(vision, "FashionMNIST", Unreachable)
    return calls


@pytest.fixture
def fake_fashion_root(tmp_path, monkeypatch):
    """A cache folder holding small, valid Fashion-MNIST IDX files (checksums waived)."""
    root = tmp_path / "cache"
    root.mkdir()
    rng = np.random.RandomState(42)
    splits = {}
    for prefix, count in (("train", 40), ("t10k", 12)):
        images = rng.randint(0, 256, size=(count, 28, 28)).astype(np.uint8)
        labels = (np.arange(count) % 10).astype(np.uint8)
        with gzip.open(root / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 2051, count, 28, 28) + images.tobytes())
        with gzip.open(root / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 2049, count) + labels.tobytes())
        splits[prefix] = (images, labels)
    monkeypatch.setattr(mx.gluon.utils, "check_sha1", lambda filename, sha1: True)
    monkeypatch.setattr(mdata, "_probe", _fail_if_called)
    return root, splits


def _fail_if_called(url, timeout):
    raise AssertionError("the network must not be probed when the files are cached")


# --------------------------------------------------------------------------- environment


@pytest.mark.parametrize("raw, expected", [
    ("1", True), ("true", True), (" TRUE ", True), ("yes", True), ("on", True),
    ("0", False), ("false", False), ("False", False), ("no", False), ("off", False), ("", False),
])
def test_quick_mode_parses_env(monkeypatch, raw, expected):
    monkeypatch.setenv("MXSCHED_QUICK", raw)
    assert quick_mode() is expected


def test_quick_mode_unset_is_false():
    assert quick_mode() is False


@pytest.mark.parametrize("raw", ["2", "maybe", "truee", "-1", "1.0"])
def test_quick_mode_rejects_garbage(monkeypatch, raw):
    monkeypatch.setenv("MXSCHED_QUICK", raw)
    with pytest.raises(ValueError, match=rf"MXSCHED_QUICK must be one of 0, 1, true, false.*got '{raw}'"):
        quick_mode()


@pytest.mark.parametrize("raw, expected", [
    ("digits", "digits"), (" Fashion-MNIST ", "fashion-mnist"), ("auto", None), ("", None),
])
def test_requested_dataset_parses_env(monkeypatch, raw, expected):
    monkeypatch.setenv("MXSCHED_DATASET", raw)
    assert requested_dataset() == expected


@pytest.mark.parametrize("raw", ["mnist", "fashion_mnist", "cifar10", "digit"])
def test_bad_dataset_env_is_a_clear_error(monkeypatch, raw):
    monkeypatch.setenv("MXSCHED_DATASET", raw)
    pattern = rf"MXSCHED_DATASET must be one of 'fashion-mnist', 'digits', 'auto', got '{raw}'"
    with pytest.raises(ValueError, match=pattern):
        requested_dataset()
    with pytest.raises(ValueError, match=pattern):
        load_dataset(verbose=False)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(name="mnist"), ValueError, r"name must be one of .*got 'mnist'"),
    (dict(name=3), TypeError, r"name must be one of .*got 3"),
    (dict(channels=2), ValueError, r"channels must be 1 or 3, got 2"),
    (dict(size=0), ValueError, r"size must be a positive integer, got 0"),
    (dict(size=28.0), TypeError, r"size must be a positive integer, got 28.0"),
    (dict(timeout=0), ValueError, r"timeout must be a finite number > 0, got 0"),
    (dict(timeout=float("nan")), ValueError, r"timeout must be a finite number > 0, got nan"),
    (dict(quick="yes"), TypeError, r"quick must be True, False or None, got 'yes'"),
])
def test_load_dataset_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        load_dataset(verbose=False, **kwargs)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(batch_size=0), ValueError, r"batch_size must be a positive integer, got 0"),
    (dict(batch_size=True), TypeError, r"batch_size must be a positive integer, got True"),
    (dict(batch_size=8, num_workers=-1), ValueError,
     r"num_workers must be a non-negative integer, got -1"),
])
def test_load_data_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        load_data(name="digits", verbose=False, **kwargs)


# --------------------------------------------------------------------------- choice and fallback


def test_falls_back_to_digits_when_fashion_mnist_fails(no_fashion_mnist, capsys):
    train, test, info = load_dataset()
    assert no_fashion_mnist, "the Fashion-MNIST loader was never tried"
    assert info.name == "digits" and info.is_fallback
    assert "simulated: network is unreachable" in info.reason
    assert (len(train), len(test)) == (NUM_DIGITS_TRAIN, NUM_DIGITS_TEST)
    out = capsys.readouterr().out
    assert out.startswith("Data set: digits (scikit-learn, 8x8 upscaled to 28x28 bilinear)")
    assert "Fashion-MNIST could not be downloaded: OSError: simulated: network is unreachable" in out


def test_unreachable_host_falls_back_without_calling_the_loader(monkeypatch, capsys):
    def refuse(address, timeout=None):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(vision, "FashionMNIST", _fail_if_called)
    info = load_dataset().info
    assert info.name == "digits"
    assert "cannot reach" in info.reason and "Connection refused" in info.reason
    assert "cannot reach" in capsys.readouterr().out


def test_a_silent_host_is_given_up_after_the_timeout(monkeypatch):
    def hang(address, timeout=None):
        time.sleep(3)
        raise socket.timeout("too late")

    monkeypatch.setattr(socket, "create_connection", hang)
    monkeypatch.setattr(vision, "FashionMNIST", _fail_if_called)
    start = time.perf_counter()
    info = load_dataset(timeout=0.2, verbose=False).info
    assert time.perf_counter() - start < 2.0
    assert info.name == "digits" and "no answer within 0.2 s" in info.reason


def test_downloads_are_bounded_by_the_timeout(monkeypatch):
    """MXNet's downloader passes no timeout to requests; the loader adds one."""
    import requests

    seen = []

    def fake_get(url, **kwargs):
        seen.append(kwargs.get("timeout"))
        raise requests.exceptions.ConnectTimeout("simulated stall")

    monkeypatch.setattr(mdata, "_probe", lambda url, timeout: None)
    monkeypatch.setattr(requests, "get", fake_get)
    info = load_dataset(timeout=1.5, verbose=False).info
    assert info.name == "digits" and "simulated stall" in info.reason
    assert seen and all(t == 1.5 for t in seen)
    assert mx.gluon.utils.requests is requests, "the downloader's requests was not restored"


@pytest.mark.parametrize("how", ["env", "argument"])
def test_forcing_fashion_mnist_when_unavailable_is_an_error(no_fashion_mnist, monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("MXSCHED_DATASET", "fashion-mnist")
        kwargs, cause = {}, r"MXSCHED_DATASET=fashion-mnist"
    else:
        kwargs, cause = dict(name="fashion-mnist"), r"name='fashion-mnist'"
    with pytest.raises(RuntimeError, match=rf"Fashion-MNIST was requested \({cause}\) but could "
                                           r"not be loaded: OSError: simulated"):
        load_dataset(verbose=False, **kwargs)


def test_forcing_digits_never_tries_fashion_mnist(monkeypatch, capsys):
    monkeypatch.setenv("MXSCHED_DATASET", "digits")
    monkeypatch.setattr(mdata, "_probe", _fail_if_called)
    monkeypatch.setattr(vision, "FashionMNIST", _fail_if_called)
    info = load_dataset().info
    assert info.name == "digits" and not info.is_fallback
    assert info.reason == "requested by MXSCHED_DATASET=digits"
    assert "requested by MXSCHED_DATASET=digits" in capsys.readouterr().out


def test_explicit_auto_ignores_env(monkeypatch, no_fashion_mnist):
    monkeypatch.setenv("MXSCHED_DATASET", "fashion-mnist")
    info = load_dataset("auto", verbose=False).info
    assert no_fashion_mnist and info.name == "digits" and info.is_fallback


def test_explicit_name_wins_over_env(monkeypatch):
    monkeypatch.setenv("MXSCHED_DATASET", "fashion-mnist")
    monkeypatch.setattr(vision, "FashionMNIST", _fail_if_called)
    info = load_dataset("digits", verbose=False).info
    assert info.name == "digits" and info.reason == "requested by name='digits'"


def test_fashion_mnist_through_mxnet_parser(fake_fashion_root):
    root, splits = fake_fashion_root
    train, test, info = load_dataset(root=str(root), verbose=False)
    assert info.name == "fashion-mnist" and info.reason == ""
    assert info.classes == FASHION_MNIST_CLASSES
    assert (info.num_train, info.num_test) == (40, 12) == (len(train), len(test))
    images, labels = splits["train"]
    x, y = train[7]
    assert x.shape == (1, 28, 28) and x.dtype == np.float32
    np.testing.assert_allclose(x[0], images[7] / 255.0, rtol=0, atol=1e-7)
    assert y == labels[7] and np.asarray(y).dtype == np.int32
    x_test, y_test = test[11]
    np.testing.assert_allclose(x_test[0], splits["t10k"][0][11] / 255.0, rtol=0, atol=1e-7)
    assert y_test == 1


def test_fashion_mnist_three_channels_32(fake_fashion_root):
    root, splits = fake_fashion_root
    train, _, info = load_dataset("fashion-mnist", root=str(root), channels=3, size=32,
                                  verbose=False)
    assert info.image_shape == (3, 32, 32) and "resized to 32x32 bilinear" in info.source
    x, _ = train[0]
    assert x.shape == (3, 32, 32) and x.dtype == np.float32
    assert np.array_equal(x[0], x[1]) and np.array_equal(x[0], x[2])
    assert 0.0 <= x.min() and x.max() <= 1.0
    # a 28->32 bilinear resize keeps the mean brightness to within a few per cent
    assert abs(x.mean() - splits["train"][0][0].mean() / 255.0) < 0.02


# --------------------------------------------------------------------------- digits arrays


def test_digits_shapes_dtypes_ranges():
    train, test, info = load_dataset("digits", verbose=False)
    assert info.classes == DIGITS_CLASSES and info.num_classes == 10
    assert info.image_shape == (1, 28, 28) and not info.quick
    for split, count in ((train, NUM_DIGITS_TRAIN), (test, NUM_DIGITS_TEST)):
        images, labels = split[:]
        assert images.shape == (count, 1, 28, 28) and images.dtype == np.float32
        assert labels.shape == (count,) and labels.dtype == np.int32
        assert images.min() == 0.0 and 0.9 < images.max() <= 1.0
        assert set(labels.tolist()) == set(range(10))
        assert images.flags["C_CONTIGUOUS"]
    # the split is stratified: each class is 17-20 % of the test set's 10 % share
    counts = np.bincount(test[:][1], minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37


def test_digits_are_upscaled_bilinearly():
    """The 28x28 images are the 8x8 originals resized like OpenCV INTER_LINEAR."""
    cv2 = pytest.importorskip("cv2")
    from sklearn.datasets import load_digits

    originals = load_digits().images / 16.0
    images = load_dataset("digits", verbose=False).train[:][0][:, 0]
    # each train image is one of the originals, resized by OpenCV
    expected = np.stack([cv2.resize(o, (28, 28), interpolation=cv2.INTER_LINEAR)
                         for o in originals])
    flat = expected.reshape(len(expected), -1)
    for image in images[:20]:
        distance = np.abs(flat - image.reshape(-1)).max(axis=1)
        assert distance.min() < 1e-6


def test_digits_three_channels_32():
    train, test, info = load_dataset("digits", channels=3, size=32, verbose=False)
    images = train[:][0]
    assert images.shape == (NUM_DIGITS_TRAIN, 3, 32, 32) and images.dtype == np.float32
    assert np.array_equal(images[:, 0], images[:, 2])
    assert info.source == "scikit-learn, 8x8 upscaled to 32x32 bilinear"


def test_loading_is_deterministic():
    a = load_dataset("digits", verbose=False)
    b = load_dataset("digits", verbose=False)
    for split_a, split_b in ((a.train, b.train), (a.test, b.test)):
        assert np.array_equal(split_a[:][0], split_b[:][0])
        assert np.array_equal(split_a[:][1], split_b[:][1])


@pytest.mark.parametrize("how", ["argument", "env"])
def test_quick_mode_subsamples_deterministically(monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("MXSCHED_QUICK", "1")
        kwargs = {}
    else:
        kwargs = dict(quick=True)
    full = load_dataset("digits", quick=False, verbose=False)
    first = load_dataset("digits", verbose=False, **kwargs)
    second = load_dataset("digits", verbose=False, **kwargs)
    assert first.info.quick
    assert (len(first.train), len(first.test)) == (QUICK_NUM_TRAIN, QUICK_NUM_TEST)
    for quick_split, again, whole in ((first.train, second.train, full.train),
                                      (first.test, second.test, full.test)):
        images, labels = quick_split[:]
        assert np.array_equal(images, again[:][0]) and np.array_equal(labels, again[:][1])
        # a subset of the full split, in the full split's order
        position = {row.tobytes(): i for i, row in enumerate(whole[:][0])}
        where = [position[row.tobytes()] for row in images]
        assert where == sorted(where)
        assert np.array_equal(whole[:][1][where], labels)
        assert set(labels.tolist()) == set(range(10))


def test_quick_argument_wins_over_env(monkeypatch):
    monkeypatch.setenv("MXSCHED_QUICK", "1")
    info = load_dataset("digits", quick=False, verbose=False).info
    assert not info.quick and info.num_train == NUM_DIGITS_TRAIN


def test_quick_mode_is_announced(capsys):
    load_dataset("digits", quick=True)
    assert "1024 train / 256 test images, 1x28x28 [quick mode: subsampled]" in capsys.readouterr().out


# --------------------------------------------------------------------------- loaders and records


def test_load_data_batches():
    train_iter, test_iter, info = load_data(64, name="digits", verbose=False)
    assert len(train_iter) == math.ceil(NUM_DIGITS_TRAIN / 64)
    X, y = next(iter(train_iter))
    assert isinstance(X, mx.nd.NDArray) and X.shape == (64, 1, 28, 28)
    assert X.dtype == np.float32 and y.dtype == np.int32 and y.shape == (64,)
    sizes = [batch[1].shape[0] for batch in train_iter]
    assert sum(sizes) == NUM_DIGITS_TRAIN and sizes[-1] == NUM_DIGITS_TRAIN % 64
    # the test loader is not shuffled: same order on every pass, equal to the dataset's
    first = np.concatenate([b[1].asnumpy() for b in test_iter])
    again = np.concatenate([b[1].asnumpy() for b in test_iter])
    assert np.array_equal(first, again)
    assert np.array_equal(first, load_dataset("digits", verbose=False).test[:][1])


def test_training_order_follows_numpy_seed():
    train_iter = load_data(32, name="digits", quick=True, verbose=False).train
    orders = []
    for _ in range(2):
        np.random.seed(3)
        orders.append(next(iter(train_iter))[1].asnumpy())
    assert np.array_equal(orders[0], orders[1])
    assert not np.array_equal(orders[0], load_dataset("digits", quick=True, verbose=False)
                              .train[:32][1])


def test_info_summary_and_pickling():
    info = DatasetInfo(name="digits", source="src", classes=DIGITS_CLASSES,
                       image_shape=(1, 28, 28), num_train=5, num_test=2, quick=False,
                       reason="Fashion-MNIST could not be downloaded: X")
    assert str(info) == ("Data set: digits (src) -- 5 train / 2 test images, 1x28x28 -- "
                         "Fashion-MNIST could not be downloaded: X")
    assert pickle.loads(pickle.dumps(info)) == info
    splits = load_dataset("digits", quick=True, verbose=False)
    restored = pickle.loads(pickle.dumps(splits))
    assert np.array_equal(restored.train[:][0], splits.train[:][0])


def test_default_cache_lives_in_mxnet_data_home(monkeypatch, tmp_path):
    monkeypatch.undo()  # the real _default_root, without the autouse fixture's stand-in
    monkeypatch.setenv("MXNET_HOME", str(tmp_path))
    assert mdata._default_root() == os.path.join(str(tmp_path), "datasets", "fashion-mnist")
