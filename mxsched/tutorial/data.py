"""Image-classification data for the tutorial notebooks.

The notebooks train on **Fashion-MNIST**, loaded through
:class:`mxnet.gluon.data.vision.FashionMNIST` (MXNet's own download with SHA-1
checks, cached under ``mx.base.data_dir()/datasets/fashion-mnist``).  When it
cannot be had -- no network, a blocked host, a corrupt download -- the loader
falls back to scikit-learn's bundled **digits** (1,797 8x8 images, no download)
upscaled to 28x28, and says so.  Either way the result is the same: float32
images in ``[0, 1]`` of shape ``(channels, size, size)`` and int32 labels
``0..9``, so a notebook runs unchanged on both.

Two environment variables steer it, so CI and readers can choose without
editing a notebook:

``MXSCHED_DATASET``
    ``fashion-mnist`` or ``digits`` forces that data set (forcing
    ``fashion-mnist`` when it cannot be loaded is an error, never a silent
    fallback); ``auto`` or unset tries Fashion-MNIST first.  Anything else is
    a :class:`ValueError`.
``MXSCHED_QUICK``
    ``1``/``true`` (also ``yes``/``on``) selects quick mode: both splits are
    subsampled, deterministically, to at most :data:`QUICK_NUM_TRAIN` /
    :data:`QUICK_NUM_TEST` images so that a notebook runs in seconds.
    ``0``/``false``/``no``/``off`` or unset means full size.

Examples
--------
>>> from mxsched.tutorial import load_data
>>> train_iter, test_iter, info = load_data(batch_size=256)  # doctest: +SKIP
Data set: fashion-mnist (Zalando, 28x28 grey) -- 60000 train / 10000 test images, 1x28x28
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import threading
import urllib.request
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple, Optional, Tuple
from urllib.parse import urlsplit

import numpy as np

from ..checks import check_bool, check_int, check_positive

__all__ = [
    "DATASET_ENV",
    "QUICK_ENV",
    "DATASET_NAMES",
    "QUICK_NUM_TRAIN",
    "QUICK_NUM_TEST",
    "FASHION_MNIST_CLASSES",
    "DIGITS_CLASSES",
    "DatasetInfo",
    "DataSplits",
    "quick_mode",
    "requested_dataset",
    "load_dataset",
    "load_data",
]

DATASET_ENV = "MXSCHED_DATASET"
"""Environment variable that forces a data set (``fashion-mnist``, ``digits`` or ``auto``)."""

QUICK_ENV = "MXSCHED_QUICK"
"""Environment variable that turns quick mode on (``1``/``true``) or off (``0``/``false``)."""

DATASET_NAMES = ("fashion-mnist", "digits")
"""The data sets :func:`load_dataset` knows, in the order they are tried."""

QUICK_NUM_TRAIN = 1024
"""Training images kept in quick mode (a deterministic subsample)."""

QUICK_NUM_TEST = 256
"""Test images kept in quick mode (a deterministic subsample)."""

FASHION_MNIST_CLASSES = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)
"""Label names of Fashion-MNIST, indexed by label."""

DIGITS_CLASSES = tuple(str(d) for d in range(10))
"""Label names of scikit-learn's digits, indexed by label."""

DIGITS_TEST_FRACTION = 0.2
"""Share of the 1,797 digits held out as the test split (stratified, seed :data:`SPLIT_SEED`)."""

SPLIT_SEED = 0
"""Seed of the digits train/test split and of the quick-mode subsampling."""

DEFAULT_TIMEOUT = 10.0
"""Seconds allowed for reaching the download host, and for each network read."""

_DEFAULT_REPO_URL = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/"
_FASHION_MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
_TRUE_WORDS = ("1", "true", "yes", "on")
_FALSE_WORDS = ("", "0", "false", "no", "off")
_AUTO = "auto"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class DatasetInfo:
    """Which data set is in use, and why.

    Attributes
    ----------
    name : str
        ``'fashion-mnist'`` or ``'digits'``.
    source : str
        Where the images come from and how they were resized, for people.
    classes : tuple of str
        Label names, indexed by label.
    image_shape : tuple of int
        ``(channels, size, size)`` of one image.
    num_train, num_test : int
        Number of images in each split (after quick-mode subsampling).
    quick : bool
        Whether quick mode subsampled the splits.
    reason : str
        Why this data set was chosen: empty for the default choice, else e.g.
        ``"Fashion-MNIST could not be downloaded: ..."`` or
        ``"forced by MXSCHED_DATASET=digits"``.
    """

    name: str
    source: str
    classes: Tuple[str, ...]
    image_shape: Tuple[int, int, int]
    num_train: int
    num_test: int
    quick: bool
    reason: str = ""

    @property
    def num_classes(self) -> int:
        """Number of classes (10 for both data sets)."""
        return len(self.classes)

    @property
    def is_fallback(self) -> bool:
        """True when digits stands in because Fashion-MNIST could not be loaded."""
        return self.reason.startswith("Fashion-MNIST could not be")

    def summary(self) -> str:
        """One line naming the data set, its size and why it was chosen."""
        shape = "x".join(str(n) for n in self.image_shape)
        text = (f"Data set: {self.name} ({self.source}) -- {self.num_train} train / "
                f"{self.num_test} test images, {shape}")
        if self.quick:
            text += " [quick mode: subsampled]"
        if self.reason:
            text += f" -- {self.reason}"
        return text

    def __str__(self) -> str:
        return self.summary()


class DataSplits(NamedTuple):
    """``(train, test, info)``: two datasets or data loaders and their :class:`DatasetInfo`."""

    train: Any
    test: Any
    info: DatasetInfo


# --------------------------------------------------------------------------- environment


def quick_mode() -> bool:
    """Read ``MXSCHED_QUICK``: whether notebooks should run on a small subsample.

    Returns
    -------
    bool
        True for ``1``, ``true``, ``yes``, ``on``; False for ``0``, ``false``,
        ``no``, ``off``, the empty string or an unset variable (case and
        surrounding blanks ignored).

    Raises
    ------
    ValueError
        For any other value, so that a typo never silently runs the full data.

    Examples
    --------
    >>> import os
    >>> os.environ["MXSCHED_QUICK"] = "yes"; quick_mode()
    True
    >>> del os.environ["MXSCHED_QUICK"]; quick_mode()
    False
    """
    raw = os.environ.get(QUICK_ENV)
    if raw is None:
        return False
    word = raw.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ValueError(f"{QUICK_ENV} must be one of 0, 1, true, false, yes, no, on, off, "
                     f"got {raw!r}")


def requested_dataset() -> Optional[str]:
    """Read ``MXSCHED_DATASET``: the data set forced from outside, if any.

    Returns
    -------
    str or None
        ``'fashion-mnist'`` or ``'digits'`` when forced; None when the
        variable is unset, empty or ``auto`` (case and surrounding blanks
        ignored).

    Raises
    ------
    ValueError
        For any other value.

    Examples
    --------
    >>> import os
    >>> os.environ["MXSCHED_DATASET"] = " Digits "; requested_dataset()
    'digits'
    >>> del os.environ["MXSCHED_DATASET"]; requested_dataset() is None
    True
    """
    raw = os.environ.get(DATASET_ENV)
    if raw is None:
        return None
    return _normalise_name(raw, DATASET_ENV)


def _normalise_name(value: Any, what: str) -> Optional[str]:
    """Map a data-set name to ``'fashion-mnist'``, ``'digits'`` or None (auto)."""
    choices = ", ".join(repr(n) for n in DATASET_NAMES + (_AUTO,))
    if not isinstance(value, str):
        raise TypeError(f"{what} must be one of {choices}, got {value!r}")
    word = value.strip().lower()
    if word in ("", _AUTO):
        return None
    if word in DATASET_NAMES:
        return word
    raise ValueError(f"{what} must be one of {choices}, got {value!r}")


# --------------------------------------------------------------------------- validation


def _check_options(channels: Any, size: Any, timeout: Any) -> None:
    channels = check_int("channels", channels)
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    check_int("size", size)
    check_positive("timeout", timeout)


# --------------------------------------------------------------------------- image helpers


def _bilinear_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Matrix ``W`` (n_out x n_in) with ``W @ row`` the bilinear resize of ``row``.

    Half-pixel centres and edge clamping: output pixel ``i`` samples the input at
    ``x = (i + 0.5) * n_in / n_out - 0.5``, the convention of OpenCV's
    ``INTER_LINEAR`` and of ``align_corners=False`` elsewhere.
    """
    x = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    x = np.clip(x, 0.0, n_in - 1)
    left = np.floor(x).astype(np.int64)
    right = np.minimum(left + 1, n_in - 1)
    frac = x - left
    weights = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    np.add.at(weights, (rows, left), 1.0 - frac)
    np.add.at(weights, (rows, right), frac)
    return weights


def _resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """Resize a stack ``(N, H, W)`` of float images to ``(N, size, size)``, bilinearly.

    Computed in the images' own precision, as ``rows @ image @ cols.T``.
    """
    _, height, width = images.shape
    if (height, width) == (size, size):
        return images
    rows = _bilinear_matrix(height, size).astype(images.dtype)
    cols = _bilinear_matrix(width, size).astype(images.dtype)
    return np.matmul(rows, np.matmul(images, cols.T))


def _to_model_input(images: np.ndarray, channels: int, size: int) -> np.ndarray:
    """``(N, H, W)`` in ``[0, 1]`` -> contiguous float32 ``(N, channels, size, size)``."""
    images = _resize_bilinear(images, size)
    images = np.clip(images.astype(np.float32, copy=False), 0.0, 1.0)[:, None, :, :]
    if channels > 1:
        images = np.repeat(images, channels, axis=1)
    return np.ascontiguousarray(images)


def _subsample(count: int, keep: int, seed: int) -> np.ndarray:
    """Sorted indices of ``keep`` of ``count`` items, the same for the same arguments."""
    if keep >= count:
        return np.arange(count)
    rng = np.random.RandomState(seed)
    return np.sort(rng.choice(count, size=keep, replace=False))


# --------------------------------------------------------------------------- Fashion-MNIST


class _RequestsWithTimeout:
    """Stand-in for ``requests`` that adds ``timeout=`` to every ``get``.

    MXNet's ``download`` calls ``requests.get(url, stream=True)`` with no
    timeout, and an explicit ``timeout=None`` overrides
    ``socket.setdefaulttimeout``, so a stalled connection would hang forever.
    """

    def __init__(self, module: Any, timeout: float) -> None:
        self._module = module
        self._timeout = timeout

    def get(self, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout)
        return self._module.get(url, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


@contextlib.contextmanager
def _download_timeout(timeout: float) -> Iterator[None]:
    """Bound each connect and read of MXNet's downloader by ``timeout`` seconds."""
    from mxnet.gluon import utils as gluon_utils

    original = getattr(gluon_utils, "requests", None)
    if original is None or not hasattr(original, "get"):
        yield
        return
    gluon_utils.requests = _RequestsWithTimeout(original, timeout)
    try:
        yield
    finally:
        gluon_utils.requests = original


def _repo_url() -> str:
    """Base URL MXNet downloads data sets from (honours ``MXNET_GLUON_REPO``)."""
    return os.environ.get("MXNET_GLUON_REPO", _DEFAULT_REPO_URL)


def _describe_error(err: BaseException) -> str:
    """A one-line, bounded description of an exception."""
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text if len(text) <= 200 else text[:197] + "..."


def _connect(host: str, port: int, timeout: float, outcome: list) -> None:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            outcome.append(None)
    except OSError as err:
        outcome.append(err)


def _probe(url: str, timeout: float) -> None:
    """Raise :class:`ConnectionError` unless a TCP connection to ``url``'s host opens.

    Goes to the proxy instead when one is configured for the URL.  The check
    runs in a daemon thread joined for ``timeout`` seconds, so that a slow
    DNS resolver (which ignores socket timeouts) cannot stall the caller.
    """
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    outcome: list = []
    worker = threading.Thread(target=_connect, args=(host, port, timeout, outcome), daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise ConnectionError(f"cannot reach {host}:{port} (no answer within {timeout:g} s)")
    if outcome[0] is not None:
        raise ConnectionError(f"cannot reach {host}:{port} ({_describe_error(outcome[0])})")


def _split_arrays(dataset: Any) -> Tuple[np.ndarray, np.ndarray]:
    """All images ``(N, 28, 28)`` uint8 and labels ``(N,)`` of a Gluon MNIST-style dataset."""
    images, labels = dataset[0:len(dataset)]
    images = images.asnumpy() if hasattr(images, "asnumpy") else np.asarray(images)
    labels = labels.asnumpy() if hasattr(labels, "asnumpy") else np.asarray(labels)
    return images.reshape(len(dataset), 28, 28), labels.astype(np.int32)


def _load_fashion_mnist(root: str, timeout: float) -> Tuple[np.ndarray, ...]:
    """Fashion-MNIST as ``(x_train, y_train, x_test, y_test)``, x uint8 ``(N, 28, 28)``.

    When the four files are not all in ``root`` the download host is probed
    first (bounded by ``timeout``), then MXNet downloads them with every
    connect/read bounded by ``timeout``.
    """
    from mxnet.gluon.data import vision

    cached = all(os.path.isfile(os.path.join(root, f)) for f in _FASHION_MNIST_FILES)
    if not cached:
        _probe(_repo_url(), timeout)
    with _download_timeout(timeout):
        train = vision.FashionMNIST(root=root, train=True)
        test = vision.FashionMNIST(root=root, train=False)
    return _split_arrays(train) + _split_arrays(test)


def _default_root() -> str:
    from mxnet import base

    return os.path.join(base.data_dir(), "datasets", "fashion-mnist")


# --------------------------------------------------------------------------- digits


def _load_digits() -> Tuple[np.ndarray, ...]:
    """scikit-learn's digits as ``(x_train, y_train, x_test, y_test)``, x float in [0, 1].

    Stratified split, :data:`DIGITS_TEST_FRACTION` held out, seed :data:`SPLIT_SEED`:
    1,437 train and 360 test images.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = bunch.images.astype(np.float64) / 16.0
    labels = bunch.target.astype(np.int32)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=DIGITS_TEST_FRACTION, random_state=SPLIT_SEED,
        stratify=labels)
    return x_train, y_train, x_test, y_test


# --------------------------------------------------------------------------- public loaders


def load_dataset(name: Optional[str] = None, *, quick: Optional[bool] = None,
                 channels: int = 1, size: int = 28, root: Optional[str] = None,
                 timeout: float = DEFAULT_TIMEOUT, verbose: bool = True) -> DataSplits:
    """Load the tutorial data set as two in-memory Gluon datasets.

    Parameters
    ----------
    name : {None, 'auto', 'fashion-mnist', 'digits'}
        The data set.  None defers to ``MXSCHED_DATASET``; when that is unset
        too, or for ``'auto'``, Fashion-MNIST is tried and digits is the
        fallback.  An explicit name (``'auto'`` included) wins over the
        environment variable.
    quick : bool, optional
        Subsample both splits to at most :data:`QUICK_NUM_TRAIN` /
        :data:`QUICK_NUM_TEST` images (sorted indices drawn with seed
        :data:`SPLIT_SEED`, so always the same images).  None reads
        :func:`quick_mode`.
    channels : {1, 3}
        Channels per image; 3 repeats the grey channel, for model-zoo networks
        such as gluoncv's ``cifar_resnet20_v1``.
    size : int
        Height and width of the images.  Images of another size are resized
        bilinearly (half-pixel centres, as OpenCV ``INTER_LINEAR``): digits
        8x8 -> 28x28 by default, Fashion-MNIST 28x28 -> 32x32 with ``size=32``.
    root : str, optional
        Fashion-MNIST cache folder; default
        ``mx.base.data_dir()/datasets/fashion-mnist`` (set ``MXNET_HOME`` to move it).
    timeout : float
        Seconds allowed to reach the download host and for each network read.
        With no network the fallback takes milliseconds (the host name does
        not resolve); with a host that never answers, about ``timeout``.
    verbose : bool
        Print :meth:`DatasetInfo.summary`, the line saying which data set is in use.

    Returns
    -------
    DataSplits
        ``(train, test, info)``: two :class:`mxnet.gluon.data.ArrayDataset`
        whose items are ``(image, label)`` with ``image`` a float32 numpy array
        ``(channels, size, size)`` in ``[0, 1]`` and ``label`` an int32 in
        ``0..9``, and the :class:`DatasetInfo`.

    Raises
    ------
    ValueError
        For a bad argument or a bad ``MXSCHED_DATASET`` / ``MXSCHED_QUICK``.
    RuntimeError
        When Fashion-MNIST was asked for by name or by ``MXSCHED_DATASET``
        and cannot be loaded.

    Examples
    --------
    >>> train, test, info = load_dataset("digits", quick=True, verbose=False)
    >>> len(train), len(test), train[0][0].shape, info.name
    (1024, 256, (1, 28, 28), 'digits')
    """
    _check_options(channels, size, timeout)
    if name is not None:
        chosen, chosen_by = _normalise_name(name, "name"), f"name={name!r}"
    else:
        chosen, chosen_by = requested_dataset(), f"{DATASET_ENV}={os.environ.get(DATASET_ENV)}"
    if quick is None:
        quick = quick_mode()
    elif not isinstance(quick, (bool, np.bool_)):
        raise TypeError(f"quick must be True, False or None, got {quick!r}")

    arrays = None
    reason = f"requested by {chosen_by}" if chosen is not None else ""
    if chosen != "digits":
        fashion_root = root if root is not None else _default_root()
        try:
            arrays = _load_fashion_mnist(fashion_root, float(timeout))
        except Exception as err:  # pylint: disable=broad-except
            if chosen == "fashion-mnist":
                raise RuntimeError(f"Fashion-MNIST was requested ({chosen_by}) but could not "
                                   f"be loaded: {_describe_error(err)}") from err
            reason = f"Fashion-MNIST could not be downloaded: {_describe_error(err)}"
    if arrays is not None:
        x_train, y_train, x_test, y_test = arrays
        x_train = x_train.astype(np.float32) / np.float32(255.0)
        x_test = x_test.astype(np.float32) / np.float32(255.0)
        info_name, classes, source = "fashion-mnist", FASHION_MNIST_CLASSES, "Zalando, 28x28 grey"
        if size != 28:
            source += f", resized to {size}x{size} bilinear"
    else:
        x_train, y_train, x_test, y_test = _load_digits()
        info_name, classes = "digits", DIGITS_CLASSES
        source = f"scikit-learn, 8x8 upscaled to {size}x{size} bilinear"

    if quick:
        keep_train = _subsample(len(y_train), QUICK_NUM_TRAIN, SPLIT_SEED)
        keep_test = _subsample(len(y_test), QUICK_NUM_TEST, SPLIT_SEED)
        x_train, y_train = x_train[keep_train], y_train[keep_train]
        x_test, y_test = x_test[keep_test], y_test[keep_test]

    from mxnet.gluon.data import ArrayDataset

    train = ArrayDataset(_to_model_input(x_train, channels, size), y_train)
    test = ArrayDataset(_to_model_input(x_test, channels, size), y_test)
    info = DatasetInfo(name=info_name, source=source, classes=classes,
                       image_shape=(channels, size, size), num_train=len(y_train),
                       num_test=len(y_test), quick=bool(quick), reason=reason)
    if verbose:
        print(info.summary())
    return DataSplits(train, test, info)


def load_data(batch_size: int, name: Optional[str] = None, *, quick: Optional[bool] = None,
              channels: int = 1, size: int = 28, shuffle: bool = True, num_workers: int = 0,
              root: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT,
              verbose: bool = True) -> DataSplits:
    """Load the tutorial data set as two Gluon data loaders.

    Parameters
    ----------
    batch_size : int
        Images per batch.  ``len(train)`` is then the number of optimizer
        updates per epoch (the last, smaller batch is kept).
    name, quick, channels, size, root, timeout, verbose
        As for :func:`load_dataset`.
    shuffle : bool
        Shuffle the training set every epoch (the test set is never
        shuffled).  Gluon shuffles with numpy's global generator, so
        :func:`mxsched.tutorial.set_seed` makes the order reproducible.
    num_workers : int
        Worker processes of the loaders; 0 loads in the calling process.

    Returns
    -------
    DataSplits
        ``(train_iter, test_iter, info)``; each batch is ``(X, y)`` with ``X``
        a float32 NDArray ``(batch, channels, size, size)`` and ``y`` int32
        ``(batch,)``, on the CPU: move them with ``as_in_context(ctx)``.

    Examples
    --------
    >>> train_iter, test_iter, info = load_data(64, "digits", quick=False, verbose=False)
    >>> X, y = next(iter(train_iter))
    >>> len(train_iter), X.shape, y.dtype.__name__
    (23, (64, 1, 28, 28), 'int32')
    """
    batch_size = check_int("batch_size", batch_size)
    shuffle = check_bool("shuffle", shuffle)
    num_workers = check_int("num_workers", num_workers, minimum=0)
    train, test, info = load_dataset(name, quick=quick, channels=channels, size=size, root=root,
                                     timeout=timeout, verbose=verbose)
    from mxnet.gluon.data import DataLoader

    train_iter = DataLoader(train, batch_size=batch_size, shuffle=bool(shuffle),
                            num_workers=num_workers)
    test_iter = DataLoader(test, batch_size=batch_size, shuffle=False, num_workers=num_workers)
    return DataSplits(train_iter, test_iter, info)
