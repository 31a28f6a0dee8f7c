"""Checkpoints that resume a schedule exactly, on one machine or a parameter server.

A checkpoint is a directory ``<root>/step-<k>/`` (``step-<k>-<n>`` when step
``k`` was saved again) holding

* ``net.params`` -- ``net.save_parameters``;
* ``trainer.states`` -- what ``trainer.save_states`` writes (the optimizer with
  its update counters, its schedule and its states such as momentum), whenever
  the trainer updates locally. With a parameter-server kvstore and
  ``update_on_kvstore=True`` those states live on the servers, MXNet cannot save
  them from a worker, and the file is absent: the update count is restored from
  ``step`` instead (exact for stateless SGD; momentum restarts from zero, and
  :func:`load_checkpoint` warns);
* ``schedule.pkl`` and ``meta.json`` -- the schedule; its ``repr``, the step,
  ``extra``, the names (in the net) of the trainer's parameters in the
  trainer's order, and the size and SHA-256 digest of every other file.

``<root>/latest`` names the checkpoint in force. Saving is atomic: everything
is written and fsynced under a temporary name, renamed to a directory name that
is not in use, and only then is ``latest`` switched to it (atomically, with
``os.replace``). A process killed at any point of a save (even by SIGKILL)
leaves either the previous checkpoint or the new one in force, complete; a
checkpoint is only removed after ``latest`` names another one. The next save
removes what an interrupted save left behind. A root belongs to one saving
process at a time, and ``latest`` is managed by :func:`save_checkpoint`
(directories saved after the one it names count as leftovers).

:func:`load_checkpoint` reads and checks the whole checkpoint against the
network and the trainer before it changes either of them: a checkpoint that
is incomplete, corrupt, or does not fit raises :class:`CheckpointError`,
naming the file and the problem, and leaves the network and the trainer as
they were.

On resume the schedule given to the new Trainer wins: MXNet's own
``Trainer.load_states`` would silently bring back the schedule pickled in the
checkpoint, so a longer run asked for on the command line would quietly follow
the old one. When the two differ (including one of them having no schedule),
:func:`load_checkpoint` warns with :class:`ScheduleMismatchWarning`, naming
both and the next learning rate of each.

Usage::

    # every few updates (in a multi-worker job: rank 0 only)
    save_checkpoint("ckpt", net, trainer, step=k)
    # after a crash, in the new process, before the first forward pass
    step = load_checkpoint("ckpt", net, trainer, batch_size=64)["step"]
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import pickle
import re
import shutil
import warnings
from collections import defaultdict
from typing import Any, Sequence

from .distributed import init_kvstore

__all__ = ["CheckpointError", "ScheduleMismatchWarning", "OptimizerMismatchWarning",
           "save_checkpoint", "load_checkpoint", "latest_checkpoint", "schedules_differ"]

FORMAT = 1
_LATEST = "latest"
_META, _PARAMS, _STATES, _SCHEDULE = "meta.json", "net.params", "trainer.states", "schedule.pkl"
_STEP_DIR = re.compile(r"step-(\d{9,})(?:-(\d+))?")
# what an interrupted save leaves: its temporary directory, a directory being
# removed, the temporary file of `latest`
_LEFTOVER = re.compile(r"\.step-.*\.tmp-.*|\.trash-.*|latest\.tmp-.*")
# optimizer attributes that are bookkeeping, set by the trainer, or the schedule
_NOT_HYPERPARAMETERS = frozenset({
    "lr", "lr_scheduler", "rescale_grad", "num_update", "begin_num_update",
    "_all_index_update_counts", "_index_update_count", "param_dict", "idx2name",
    "lr_mult", "wd_mult", "sym_info", "allow_np_array", "aggregate_num"})


class CheckpointError(ValueError):
    """A checkpoint is incomplete, corrupt, or does not fit the network or the trainer.

    The message names the file and the problem. Raised by :func:`load_checkpoint`
    before anything is changed.
    """


class ScheduleMismatchWarning(UserWarning):
    """The schedule given on resume is not the one the checkpoint was trained with."""


class OptimizerMismatchWarning(UserWarning):
    """The optimizer's hyper-parameters (momentum, wd...) differ from the checkpoint's."""


def _optimizer(trainer: Any) -> Any:
    opt = getattr(trainer, "_optimizer", None)
    if opt is None or not hasattr(opt, "num_update"):
        raise TypeError(f"trainer must be an MXNet 1.x gluon.Trainer with an optimizer, "
                        f"got {trainer!r}")
    for name in ("_params", "_updaters", "_contexts", "_kv_initialized"):
        if not hasattr(trainer, name):
            raise TypeError(f"trainer must be an MXNet 1.x gluon.Trainer (no {name}), "
                            f"got {trainer!r}")
    return opt


def _check_net(net: Any) -> None:
    for name in ("_collect_params_with_prefix", "collect_params", "save_parameters", "prefix"):
        if not hasattr(net, name):
            raise TypeError(f"net must be a gluon.Block (no {name}), got {net!r}")


def _check_path(name: str, path: Any) -> str:
    try:
        return os.fspath(path)
    except TypeError:
        raise TypeError(f"{name} must be a str or os.PathLike, got {path!r}") from None


def _states_on_servers(trainer: Any) -> bool:
    return bool(trainer._distributed and trainer._update_on_kvstore)


def _informative(text: str) -> bool:
    return " object at 0x" not in text


def _probe_steps(step: int) -> list[int]:
    dense = range(0, min(2 * step + 64, 20000) + 1)
    return sorted(set(dense) | {step + 1, 10**4, 10**5, 10**6})


def _values(schedule: Any, steps: Sequence[int]) -> list[float]:
    local = copy.deepcopy(schedule)  # MXNet built-ins change when called
    if hasattr(local, "values"):
        return [float(v) for v in local.values(steps)]
    return [float(local(t)) for t in steps]


def schedules_differ(saved: Any, given: Any, step: int = 0) -> bool:
    """Whether two schedules differ, by ``repr`` when both show their arguments.

    mxsched schedules show their constructor call (nested ones included), so
    equal ``repr`` means equal schedules. For others (MXNet built-ins, user
    classes) the values of copies are compared at ``0 .. 2*step+64`` and a few
    large steps. ``None`` (no schedule) differs from every schedule.
    """
    if saved is None or given is None:
        return (saved is None) != (given is None)
    if type(saved) is not type(given):
        return True
    r_saved, r_given = repr(saved), repr(given)
    if _informative(r_saved) and _informative(r_given):
        return r_saved != r_given
    steps = _probe_steps(step)
    return _values(saved, steps) != _values(given, steps)


# ---------------------------------------------------------------------------------
# reading the directory
# ---------------------------------------------------------------------------------

def _read_latest(root: str) -> str | None:
    """The name `latest` holds, if it is a checkpoint directory name."""
    try:
        with open(os.path.join(root, _LATEST), encoding="utf-8") as f:
            name = f.read().strip()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    return name if _STEP_DIR.fullmatch(name) else None


def _required(meta: dict) -> list[str]:
    return [_PARAMS, _SCHEDULE] + ([_STATES] if meta.get("optimizer_states_saved") else [])


def _complete(path: str) -> dict | None:
    """meta.json of the checkpoint at `path` if all its files are there, else None.

    Cheap (sizes only): :func:`load_checkpoint` also checks the digests.
    """
    try:
        with open(os.path.join(path, _META), encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return None
    files = meta.get("files")
    try:
        if isinstance(files, dict):
            if any(os.path.getsize(os.path.join(path, name)) != info["size"]
                   for name, info in files.items()):
                return None
        elif not all(os.path.isfile(os.path.join(path, name)) for name in _required(meta)):
            return None
    except (OSError, TypeError, KeyError):
        return None
    return meta


def latest_checkpoint(root: str) -> str | None:
    """The checkpoint directory ``<root>/latest`` names, if it is complete, or None.

    Parameters
    ----------
    root : str or os.PathLike
        A directory given to :func:`save_checkpoint`.

    Returns
    -------
    str or None
        ``<root>/step-<k>`` (possibly with a ``-<n>`` suffix), or None when
        there is no ``latest`` or it names no complete checkpoint.
    """
    root = _check_path("root", root)
    name = _read_latest(root)
    if name is None:
        return None
    path = os.path.join(root, name)
    return path if _complete(path) is not None else None


# ---------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------

def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: str, data: bytes) -> dict:
    """Write and fsync a new file; its manifest entry."""
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _sync_written(path: str) -> dict:
    """fsync a file another library wrote; its manifest entry."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
        os.fsync(f.fileno())
    return {"size": size, "sha256": digest.hexdigest()}


def _atomic_write(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    _write(tmp, data)
    os.replace(tmp, path)
    _fsync_dir(os.path.dirname(path) or ".")


def _discard(root: str, name: str) -> None:
    """Remove a directory or file of `root`: first renamed out of the way, atomically,
    so that a removal cut short leaves a leftover, never a half-deleted checkpoint."""
    path = os.path.join(root, name)
    if not _LEFTOVER.fullmatch(name):
        trash = os.path.join(root, f".trash-{name}-{os.getpid()}-{os.urandom(4).hex()}")
        os.rename(path, trash)
        path = trash
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _serial(meta: dict) -> int:
    serial = meta.get("serial", 0)
    return serial if isinstance(serial, int) and not isinstance(serial, bool) else 0


def _step_of(meta: dict) -> int:
    step = meta.get("step")
    return step if isinstance(step, int) and not isinstance(step, bool) else -1


def _clean(root: str) -> dict[str, dict]:
    """Remove what interrupted saves left in `root`; the committed checkpoints.

    Leftovers: temporary files and directories; step directories that are
    incomplete, that were saved after the checkpoint `latest` names (their save
    did not reach the switch of `latest`), or that an equal step saved later
    supersedes. What `latest` names is never touched.
    """
    latest = _read_latest(root)
    latest_meta = _complete(os.path.join(root, latest)) if latest else None
    if latest_meta is None:
        latest = None
    committed: dict[str, dict] = {}
    for name in sorted(os.listdir(root)):
        if name == latest:
            committed[name] = latest_meta
            continue
        path = os.path.join(root, name)
        if _LEFTOVER.fullmatch(name):
            _discard(root, name)
            continue
        if not _STEP_DIR.fullmatch(name) or not os.path.isdir(path) or os.path.islink(path):
            continue  # not ours
        meta = _complete(path)
        if meta is None or (latest_meta is not None
                            and _serial(meta) > _serial(latest_meta)):
            _discard(root, name)
        else:
            committed[name] = meta
    by_step: dict[int, list[str]] = defaultdict(list)
    for name, meta in committed.items():
        by_step[_step_of(meta)].append(name)
    for names in by_step.values():
        winner = latest if latest in names else max(names, key=lambda n: _serial(committed[n]))
        for name in names:
            if name != winner:
                _discard(root, name)
                del committed[name]
    return committed


def _free_name(root: str, step: int) -> str:
    base = f"step-{step:09d}"
    name, n = base, 0
    while os.path.lexists(os.path.join(root, name)):
        n += 1
        name = f"{base}-{n}"
    return name


def _check_json(value: Any, where: str) -> None:
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} must be a finite number, got {value!r}")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"the keys of {where} must be str, got {key!r}")
            _check_json(item, f"{where}[{key!r}]")
        return
    raise TypeError(f"{where} must be JSON data (None, bool, int, float, str, list, dict), "
                    f"got {value!r} of type {type(value).__name__}")


def _check_extra(extra: Any) -> dict:
    if extra is None:
        return {}
    if not isinstance(extra, dict):
        raise TypeError(f"extra must be a dict or None, got {extra!r}")
    _check_json(extra, "extra")
    return copy.deepcopy(extra)


def _trainer_param_names(net: Any, trainer: Any) -> list:
    """The structural name in `net` of each of the trainer's parameters, in its order.

    Trainer numbers its parameters in the order of their global names (``dense9_``
    sorts after ``dense10_``), which depend on what else the process created:
    a state saved for index ``i`` may belong to another index in a new process.
    """
    names: dict[int, str] = {}
    for name, param in net._collect_params_with_prefix().items():
        names[id(param)] = min(names.get(id(param), name), name)
    return [names.get(id(param)) for param in trainer._params]


def _updater(trainer: Any) -> Any:
    """The updater whose states (and optimizer) Trainer.save_states would write."""
    if trainer._update_on_kvstore:
        return trainer._kvstore._updater
    return trainer._updaters[0]


def save_checkpoint(root: str, net: Any, trainer: Any, step: int | None = None, *,
                    extra: dict | None = None, keep: int = 2) -> str:
    """Write a checkpoint after ``step`` optimizer updates, atomically; return its directory.

    Every argument is checked, and everything to be written but the parameters is
    serialised in memory, before anything is written. The files are written
    under a temporary directory and fsynced, the directory is renamed to
    ``<root>/step-<k>`` (``step-<k>-<n>`` if that name is taken, e.g. when step
    ``k`` is saved again), and then ``<root>/latest`` is switched to it with
    ``os.replace``. A process killed at any point of this leaves either the
    previous checkpoint or the new one in force, complete. Only after the switch
    are the checkpoints it makes redundant removed: an earlier save of the same
    step, and those beyond ``keep``. Leftovers of interrupted saves (temporary
    directories, checkpoints never named by ``latest``, removals cut short) are
    removed first; the checkpoint ``latest`` names is never touched before the
    switch. Only one process may save into ``root`` at a time.

    Parameters
    ----------
    root : str or os.PathLike
        Directory of the checkpoints (created if needed).
    net : gluon.Block
        The network; ``net.save_parameters`` is used. All its parameters must be
        initialised.
    trainer : gluon.Trainer
        Its schedule, update count and (when they live on this process)
        optimizer states are saved. The schedule must be picklable.
    step : int, optional
        Optimizer updates done so far, i.e. ``trainer.step`` calls. Required with
        a parameter-server kvstore and ``update_on_kvstore=True`` (the worker's
        optimizer does not count there); otherwise it defaults to the optimizer's
        ``num_update`` and must equal it when given.
    extra : dict, optional
        Values stored in ``meta.json`` (epoch, data position...): JSON data
        that comes back unchanged -- str keys, lists (not tuples), finite
        numbers, Python scalars (not NumPy ones).
    keep : int
        How many complete checkpoints to keep: the one just saved and the
        newest (by step) others.

    Returns
    -------
    str
        The new checkpoint's directory, which ``latest`` now names.

    Raises
    ------
    TypeError, ValueError
        For a bad argument, an uninitialised trainer or parameter, or a schedule
        that cannot be pickled; nothing has been written then.

    Examples
    --------
    >>> import os, tempfile
    >>> import mxnet as mx
    >>> from mxnet import autograd, gluon
    >>> from mxsched import CosineAnnealing
    >>> net = gluon.nn.Dense(1, in_units=2); net.initialize(mx.init.One())
    >>> trainer = gluon.Trainer(net.collect_params(), "sgd",
    ...                         {"lr_scheduler": CosineAnnealing(0.0, 0.1, 100)})
    >>> for _ in range(3):
    ...     with autograd.record():
    ...         loss = net(mx.nd.ones((4, 2))).sum()
    ...     loss.backward(); trainer.step(4)
    >>> root = tempfile.mkdtemp()
    >>> os.path.basename(save_checkpoint(root, net, trainer, extra={"epoch": 1}))
    'step-000000003'
    >>> os.path.basename(latest_checkpoint(root))
    'step-000000003'
    """

    root = _check_path("root", root)
    if os.path.exists(root) and not os.path.isdir(root):
        raise ValueError(f"root must be a directory, got {root!r} (a file)")
    _check_net(net)
    opt = _optimizer(trainer)
    if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
        raise TypeError(f"step must be a non-negative integer or None, got {step!r}")
    if isinstance(keep, bool) or not isinstance(keep, int):
        raise TypeError(f"keep must be a positive integer, got {keep!r}")
    if keep < 1:
        raise ValueError(f"keep must be a positive integer, got {keep!r}")
    extra = _check_extra(extra)
    if not trainer._kv_initialized:
        raise ValueError("save_checkpoint needs an initialised trainer: call it after a "
                         "trainer.step, or after mxsched.gluon.init_kvstore")
    init_kvstore(trainer, 1)  # only waits: the kvstore is there already
    on_servers = _states_on_servers(trainer)
    if step is None:
        if on_servers:
            raise ValueError("step must be given with a parameter-server kvstore and "
                             "update_on_kvstore=True (the optimizer counts on the servers), "
                             "got None")
        step = opt.num_update
    if step < 0:
        raise ValueError(f"step must be a non-negative integer, got {step!r}")
    if not on_servers and step != opt.num_update:
        raise ValueError(f"step must equal the optimizer's update count {opt.num_update}, "
                         f"got {step!r}")
    for name, param in net._collect_params_with_prefix().items():
        try:
            param.list_data()
        except Exception as exc:
            raise ValueError(f"net's parameter {name!r} must be initialised to be saved, "
                             f"got {type(exc).__name__}: {exc}") from None
    schedule = opt.lr_scheduler
    try:
        schedule_bytes = pickle.dumps(schedule)
        states_bytes = None if on_servers else _updater(trainer).get_states(dump_optimizer=True)
    except Exception as exc:
        raise ValueError(f"the trainer's optimizer and lr_scheduler must be picklable to be "
                         f"saved, got lr_scheduler={schedule!r} "
                         f"({type(exc).__name__}: {exc})") from None
    meta = {"format": FORMAT, "step": step, "schedule": repr(schedule),
            "optimizer": type(opt).__name__, "optimizer_states_saved": not on_servers,
            "extra": extra, "trainer_params": _trainer_param_names(net, trainer)}

    if not os.path.isdir(root):
        os.makedirs(root, exist_ok=True)
        _fsync_dir(os.path.dirname(os.path.abspath(root)))
    committed = _clean(root)
    meta["serial"] = 1 + max((_serial(m) for m in committed.values()), default=0)
    name = _free_name(root, step)
    final = os.path.join(root, name)
    tmp = os.path.join(root, f".{name}.tmp-{os.getpid()}-{os.urandom(4).hex()}")
    os.mkdir(tmp)
    try:
        files = {}
        net.save_parameters(os.path.join(tmp, _PARAMS))
        files[_PARAMS] = _sync_written(os.path.join(tmp, _PARAMS))
        if states_bytes is not None:
            files[_STATES] = _write(os.path.join(tmp, _STATES), states_bytes)
        files[_SCHEDULE] = _write(os.path.join(tmp, _SCHEDULE), schedule_bytes)
        meta["files"] = files
        _write(os.path.join(tmp, _META), json.dumps(meta, indent=1).encode())
        _fsync_dir(tmp)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(root)
    _atomic_write(os.path.join(root, _LATEST), name.encode())

    # Only now that `latest` names the new checkpoint: what it makes redundant.
    for old, old_meta in list(committed.items()):
        if _step_of(old_meta) == step:
            _discard(root, old)
            del committed[old]
    done = sorted(committed, key=lambda n: (_step_of(committed[n]), _serial(committed[n])))
    for old in done[:max(len(done) + 1 - keep, 0)]:
        _discard(root, old)
    return final


# ---------------------------------------------------------------------------------
# reading and checking, before anything changes
# ---------------------------------------------------------------------------------

def _resolve(path: str) -> str:
    if os.path.isfile(os.path.join(path, _LATEST)):
        name = _read_latest(path)
        if name is None:
            raise CheckpointError(f"{os.path.join(path, _LATEST)} does not hold a checkpoint "
                                  "directory name")
        found = os.path.join(path, name)
        if not os.path.isfile(os.path.join(found, _META)):
            raise CheckpointError(f"{os.path.join(path, _LATEST)} names {name!r}, but "
                                  f"{os.path.join(found, _META)} does not exist")
        return found
    if not os.path.isfile(os.path.join(path, _META)):
        raise FileNotFoundError(f"no checkpoint at {path!r} (no {_LATEST}, no {_META})")
    return path


def _read_meta(path: str) -> dict:
    file = os.path.join(path, _META)
    try:
        with open(file, "rb") as f:
            meta = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{file} cannot be read ({type(exc).__name__}: {exc}); "
                              "the file is truncated or corrupt") from None

    def bad(what: str) -> CheckpointError:
        return CheckpointError(f"{file} is not a checkpoint's meta.json: {what}")

    if not isinstance(meta, dict):
        raise bad(f"a JSON object is expected, got {type(meta).__name__}")
    if meta.get("format") != FORMAT:
        raise bad(f"format must be {FORMAT}, got {meta.get('format')!r}")
    if _step_of(meta) < 0:
        raise bad(f"step must be a non-negative integer, got {meta.get('step')!r}")
    for key, kind in (("optimizer", str), ("schedule", str), ("optimizer_states_saved", bool),
                      ("extra", dict)):
        if not isinstance(meta.get(key), kind):
            raise bad(f"{key} must be a {kind.__name__}, got {meta.get(key)!r}")
    names = meta.get("trainer_params")
    if names is not None and not (isinstance(names, list) and all(
            n is None or isinstance(n, str) for n in names)):
        raise bad(f"trainer_params must be a list of names, got {names!r}")
    files = meta.get("files")
    if files is not None:
        if not isinstance(files, dict) or not all(
                isinstance(v, dict) and isinstance(v.get("size"), int)
                and isinstance(v.get("sha256"), str) for v in files.values()):
            raise bad(f"files must map names to size and sha256, got {files!r}")
        missing = [n for n in _required(meta) if n not in files]
        if missing:
            raise bad(f"files lacks {missing}")
    return meta


def _read_file(path: str, name: str, meta: dict) -> bytes:
    """A checkpoint file's bytes, checked against the manifest of meta.json."""
    file = os.path.join(path, name)
    try:
        with open(file, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise CheckpointError(f"{file} cannot be read ({type(exc).__name__}: {exc}); the "
                              "checkpoint is incomplete") from None
    info = (meta.get("files") or {}).get(name)
    if info is not None:
        if len(data) != info["size"]:
            raise CheckpointError(f"{file} has {len(data)} bytes, {_META} says {info['size']}: "
                                  "the file is truncated or was replaced")
        if hashlib.sha256(data).hexdigest() != info["sha256"]:
            raise CheckpointError(f"{file} does not match the SHA-256 digest in {_META}: "
                                  "the file is corrupt or was replaced")
    return data


def _shape_fits(wanted: Sequence[int], got: Sequence[int]) -> bool:
    return len(wanted) == len(got) and all(w in (0, g) for w, g in zip(wanted, got))


def _read_params(path: str, meta: dict, net: Any, ctxs: list) -> list:
    """What net.load_parameters would load, as (Parameter, NDArray) pairs, checked
    the way it checks (structural names; prefixed names for old-style files)."""
    import numpy as np
    from mxnet import nd

    file = os.path.join(path, _PARAMS)
    data = _read_file(path, _PARAMS, meta)
    try:
        loaded = nd.load_frombuffer(data)
    except Exception as exc:
        raise CheckpointError(f"{file} cannot be read by mxnet.nd.load "
                              f"({type(exc).__name__}: {exc})") from None
    if not isinstance(loaded, dict):
        raise CheckpointError(f"{file} holds a list of arrays, not named parameters")
    params = net._collect_params_with_prefix()
    if loaded and not any("." in k for k in loaded):
        # MXNet's legacy loading: names relative to the block's prefix
        pdict, prefix = net.collect_params(), net.prefix
        outside = [n for n in pdict.keys() if not n.startswith(prefix)]
        if outside:
            raise CheckpointError(f"{file} names parameters without the block's prefix "
                                  f"{prefix!r}, but the net has {outside} outside it")
        arg = {prefix + (k[4:] if k.startswith(("arg:", "aux:")) else k): v
               for k, v in loaded.items()}
        missing = [n for n in pdict.keys() if n not in arg]
        unexpected = [n for n in arg if n not in pdict.keys()]
        plan = [(pdict[n], arg[n], n) for n in arg if n in pdict.keys()]
    else:
        names_of = defaultdict(list)
        for k, p in params.items():
            names_of[id(p)].append(k)
        missing = [k for k, p in params.items() if not any(n in loaded for n in names_of[id(p)])]
        unexpected = [k for k in loaded if k not in params]
        plan = [(params[k], loaded[k], k) for k in loaded if k in params]
    problems = []
    if missing:
        problems.append(f"the net's parameters {missing} are missing")
    if unexpected:
        problems.append(f"parameters {unexpected} are not in the net")
    for param, arr, name in plan:
        if param.shape and not _shape_fits(param.shape, arr.shape):
            problems.append(f"{name!r} has shape {arr.shape}, the net's has {param.shape}")
        if param.dtype is not None and np.dtype(param.dtype) != np.dtype(arr.dtype):
            problems.append(f"{name!r} has dtype {np.dtype(arr.dtype)}, the net's has "
                            f"{np.dtype(param.dtype)}")
        if param._data is not None:
            where = param.list_ctx()
        elif param._deferred_init:
            where = param._deferred_init[1]
        else:
            where = None
        if where is not None and set(where) != set(ctxs):
            problems.append(f"{name!r} is initialised on {where}, not on {ctxs}")
    if problems:
        raise CheckpointError(f"{file} does not fit the net: " + "; ".join(problems))
    return [(p, a) for p, a, _ in plan]


def _read_schedule(path: str, meta: dict) -> tuple[Any, str | None]:
    """The saved schedule, and why it cannot be used (None if it can)."""
    file = os.path.join(path, _SCHEDULE)
    data = _read_file(path, _SCHEDULE, meta)
    try:
        return pickle.loads(data), None
    except (EOFError, pickle.UnpicklingError) as exc:
        raise CheckpointError(f"{file} is truncated or corrupt "
                              f"({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # the class may have been renamed since
        return None, f"{type(exc).__name__}: {exc}"


def _leaves(state: Any):
    if isinstance(state, (tuple, list)):
        for item in state:
            yield from _leaves(item)
    elif state is not None:
        yield state


def _index_map(file: str, meta: dict, net: Any, trainer: Any) -> dict[int, int]:
    """Saved trainer index -> this trainer's index, by the parameters' names in the net."""
    n = len(trainer._params)
    saved = meta.get("trainer_params")
    if saved is None:  # saved without names: MXNet's own numbering
        return {i: i for i in range(n)}
    names = _trainer_param_names(net, trainer)
    if sorted(saved, key=str) != sorted(names, key=str):
        raise CheckpointError(f"{file} holds the optimizer states of the parameters {saved} "
                              f"(named as in the net), but the trainer has {names}")
    where: dict[Any, list[int]] = defaultdict(list)
    for j, name in enumerate(names):
        where[name].append(j)
    return {i: where[name].pop(0) for i, name in enumerate(saved)}


def _read_states(path: str, meta: dict, net: Any, trainer: Any, opt: Any, plan: list) -> tuple:
    """The bytes of trainer.states and the optimizer they hold, checked."""
    from mxnet import nd
    from mxnet.optimizer import Optimizer

    file = os.path.join(path, _STATES)
    data = _read_file(path, _STATES, meta)
    try:
        held = pickle.loads(data)
    except Exception as exc:
        raise CheckpointError(f"{file} cannot be unpickled ({type(exc).__name__}: {exc}): "
                              "the file is truncated or corrupt, or the class of the optimizer "
                              "or of its lr_scheduler cannot be imported under the name it "
                              "was saved with") from None
    if not (isinstance(held, tuple) and len(held) == 2 and isinstance(held[0], dict)
            and isinstance(held[1], Optimizer)):
        raise CheckpointError(f"{file} does not hold what Trainer.save_states writes "
                              "(updater states and the optimizer)")
    states, saved = held
    if type(saved) is not type(opt):
        raise CheckpointError(
            f"{file} holds a {type(saved).__module__}.{type(saved).__name__} optimizer but the "
            f"trainer has {type(opt).__module__}.{type(opt).__name__}: build the trainer with "
            "the checkpoint's optimizer (Trainer.load_states would silently replace it)")
    if type(saved).__name__ != meta["optimizer"]:
        raise CheckpointError(f"{file} holds a {type(saved).__name__} optimizer but {_META} "
                              f"says {meta['optimizer']}")
    if saved.num_update != meta["step"]:
        raise CheckpointError(f"{file} counts {saved.num_update} updates but {_META} says "
                              f"{meta['step']}")
    n = len(trainer._params)
    bad = [i for i in states
           if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n]
    if bad:
        raise CheckpointError(f"{file} holds states for parameter indices {bad}, but the "
                              f"trainer has {n} parameters")
    mapping = _index_map(file, meta, net, trainer)
    if any(i != j for i, j in mapping.items()):
        states = {mapping[i]: state for i, state in states.items()}
        for table in [*saved._all_index_update_counts.values(), saved.lr_mult, saved.wd_mult,
                      saved.idx2name]:
            moved = {mapping.get(k, k) if isinstance(k, int) else k: v for k, v in table.items()}
            table.clear()
            table.update(moved)
        data = pickle.dumps((states, saved))
    loaded_shape = {id(p): a.shape for p, a in plan}
    problems = []
    for index, state in states.items():
        param = trainer._params[index]
        shape = loaded_shape.get(id(param), param.shape)
        for leaf in _leaves(state):
            if not isinstance(leaf, nd.NDArray):
                problems.append(f"a state of {param.name!r} is a {type(leaf).__name__}, not an "
                                "NDArray")
            elif not _shape_fits(shape, leaf.shape):
                problems.append(f"a state of {param.name!r} has shape {leaf.shape}, the "
                                f"parameter {shape}")
    if problems:
        raise CheckpointError(f"{file} does not fit the trainer: " + "; ".join(problems))
    return data, saved


def _describe(schedule: Any, lr: Any) -> str:
    if schedule is not None:
        return f"lr_scheduler {schedule!r}"
    return "no lr_scheduler" + (f" (learning rate {lr:.6g})" if isinstance(lr, float) else "")


def _next_lr(schedule: Any, lr: Any, step: int) -> str:
    if schedule is None:
        return f"{lr:.6g}" if isinstance(lr, (int, float)) else "unknown"
    try:
        return f"{_values(schedule, [step])[0]:.6g}"
    except Exception as exc:
        return f"unknown ({type(exc).__name__}: {exc})"


def _schedule_warning(path: str, meta: dict, saved: Any, unreadable: str | None,
                      saved_lr: Any, given: Any, given_lr: Any) -> str | None:
    step = meta["step"]
    nxt = step + 1
    if unreadable is not None:
        return (f"cannot read the schedule of checkpoint {path} ({unreadable}); it was "
                f"{meta['schedule']}; resuming with the given schedule {given!r}")
    try:
        differ = schedules_differ(saved, given, step)
    except Exception:  # schedules that cannot be compared: say so
        differ = True
    if not differ:
        return None
    if given is None:
        return (f"checkpoint {path} was trained with {_describe(saved, saved_lr)} but the "
                f"trainer has no lr_scheduler; resuming at update {nxt} with the trainer's "
                f"learning rate {_next_lr(None, given_lr, nxt)} (the checkpoint's schedule "
                f"gives {_next_lr(saved, saved_lr, nxt)})")
    return (f"checkpoint {path} was trained with {_describe(saved, saved_lr)} but the trainer "
            f"was given {given!r}; resuming at update {nxt} with the given schedule "
            f"(lr {_next_lr(given, given_lr, nxt)} instead of {_next_lr(saved, saved_lr, nxt)})")


def _hyperparameter_differences(saved: Any, given: Any) -> list[str]:
    scalar = (bool, int, float, str, type(None))
    out = []
    for key in sorted(set(vars(saved)) | set(vars(given))):
        if key in _NOT_HYPERPARAMETERS:
            continue
        a, b = vars(saved).get(key), vars(given).get(key)
        if isinstance(a, scalar) and isinstance(b, scalar) and a != b:
            out.append(f"{key}: checkpoint {a!r}, trainer {b!r}")
    return out


def _clear_states(trainer: Any) -> None:
    updaters = list(trainer._updaters)
    kv_updater = getattr(trainer._kvstore, "_updater", None) if trainer._kvstore else None
    if kv_updater is not None:
        updaters.append(kv_updater)
    for updater in updaters:
        updater.states = {}
        updater.states_synced = {}


def _set_states(trainer: Any, data: bytes) -> Any:
    """Trainer.load_states from validated bytes; the optimizer it brings."""
    if trainer._update_on_kvstore:
        updater = trainer._kvstore._updater
        updater.set_states(data)
        trainer._optimizer = updater.optimizer
    else:
        for updater in trainer._updaters:
            updater.set_states(data)
            updater.optimizer = trainer._updaters[0].optimizer
        trainer._optimizer = trainer._updaters[0].optimizer
    return trainer._optimizer


def load_checkpoint(path: str, net: Any, trainer: Any, *, batch_size: int,
                    ctx: Any = None) -> dict:
    """Restore ``net`` and ``trainer`` from a checkpoint; return its metadata.

    Call it in the new process after building ``net`` and ``trainer`` exactly as
    for a fresh run (same optimizer, the schedule you want), and **before** the
    first forward pass: it also initialises the kvstore (see
    :func:`mxsched.gluon.init_kvstore`), sending the optimizer with the
    restored update count to the servers.

    Everything is read and checked before ``net`` or ``trainer`` change: the
    arguments; ``meta.json``; every file against the size and SHA-256 digest
    ``meta.json`` records; ``net.params`` (read with ``mxnet.nd.load``) against
    the net's parameters -- names, shapes, dtypes and devices, compared the way
    ``net.load_parameters`` compares them; ``trainer.states`` (unpickled into a
    temporary object) -- the optimizer's class must be the trainer's, its update
    count ``meta.json``'s step, and every state must belong to one of the
    trainer's parameters and have its shape; the schedule. States are matched to
    parameters by their names in the net (``Trainer`` numbers its parameters in
    the order of their global names, ``dense10_`` before ``dense9_``, which can
    differ in a new process; ``Trainer.load_states`` would go by number). If any
    check fails,
    :class:`CheckpointError` names the file and the problem, and nothing has
    changed.

    The next ``trainer.step`` is update ``step + 1`` and asks the schedule for
    ``schedule(step + 1)``. The schedule given to ``trainer`` is kept; a
    :class:`ScheduleMismatchWarning` names both when it differs from the
    checkpoint's, also when only one of the two is None (e.g. for
    :class:`mxsched.gluon.ReduceLROnPlateau`, which needs a trainer without
    an ``lr_scheduler``): without one, the trainer continues at its own learning
    rate. When neither has a schedule, the learning rate comes from the
    checkpoint (the last ``trainer.set_learning_rate``), as with
    ``Trainer.load_states``. The update count and the optimizer states (such as
    momentum) always come from the checkpoint; none of the trainer's own
    survive, even if it had stepped before. The other hyper-parameters
    (momentum, wd, ...) come from the checkpoint when the states are restored
    here, from the trainer when they live on parameter servers;
    :class:`OptimizerMismatchWarning` lists those that differ.

    Parameters
    ----------
    path : str or os.PathLike
        A checkpoint directory, or a root holding ``latest``.
    net, trainer
        As built for a fresh run.
    batch_size : int
        The per-worker batch size given to ``trainer.step`` (a parameter server
        receives ``rescale_grad = 1 / batch_size`` with the optimizer).
    ctx : Context or list of Context, optional
        Where to load the parameters; default: the trainer's contexts.

    Returns
    -------
    dict
        ``meta.json`` (``step``, ``schedule``, ``extra``...) plus ``path``.

    Raises
    ------
    FileNotFoundError
        No checkpoint at ``path`` (neither ``latest`` nor ``meta.json``).
    CheckpointError
        The checkpoint is incomplete, corrupt, or does not fit ``net`` or
        ``trainer`` (another optimizer class, other parameters...).
    RuntimeError
        The trainer already sent its optimizer to parameter servers.

    Examples
    --------
    Saved as in :func:`save_checkpoint`; a new process builds the same net and trainer:

    >>> import tempfile
    >>> import mxnet as mx
    >>> from mxnet import autograd, gluon
    >>> from mxsched import CosineAnnealing
    >>> def build():
    ...     net = gluon.nn.Dense(1, in_units=2); net.initialize(mx.init.One())
    ...     return net, gluon.Trainer(net.collect_params(), "sgd",
    ...                               {"lr_scheduler": CosineAnnealing(0.0, 0.1, 100)})
    >>> net, trainer = build()
    >>> with autograd.record():
    ...     loss = net(mx.nd.ones((4, 2))).sum()
    >>> loss.backward(); trainer.step(4)
    >>> root = tempfile.mkdtemp(); _ = save_checkpoint(root, net, trainer)
    >>> net2, trainer2 = build()
    >>> meta = load_checkpoint(root, net2, trainer2, batch_size=4)
    >>> meta["step"], trainer2.optimizer.num_update, (net2.weight.data() == net.weight.data()).min().asscalar()
    (1, 1, 1.0)
    """
    path = _check_path("path", path)
    _check_net(net)
    opt = _optimizer(trainer)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if trainer._kv_initialized and trainer._distributed and trainer._update_on_kvstore:
        raise RuntimeError("load_checkpoint must run before the first trainer.step: the "
                           "optimizer was already sent to the parameter servers")
    from mxnet import Context, nd

    ctxs = ctx if ctx is not None else trainer._contexts
    ctxs = [ctxs] if isinstance(ctxs, Context) else list(ctxs)

    # -- read and check everything ----------------------------------------------------
    path = _resolve(path)
    meta = _read_meta(path)
    step = meta["step"]
    plan = _read_params(path, meta, net, ctxs)
    saved_schedule, unreadable = _read_schedule(path, meta)
    states_bytes = saved_opt = None
    if meta["optimizer_states_saved"]:
        states_bytes, saved_opt = _read_states(path, meta, net, trainer, opt, plan)
    elif meta["optimizer"] != type(opt).__name__:
        raise CheckpointError(f"{os.path.join(path, _META)} says the optimizer was "
                              f"{meta['optimizer']} but the trainer has {type(opt).__name__}: "
                              "build the trainer with the checkpoint's optimizer")
    given = opt.lr_scheduler
    given_lr = opt.lr
    saved_lr = saved_opt.lr if saved_opt is not None else None
    mismatch = _schedule_warning(path, meta, saved_schedule, unreadable, saved_lr,
                                 given, given_lr)
    differences = (_hyperparameter_differences(saved_opt, opt)
                   if saved_opt is not None else [])

    # -- change the net and the trainer -------------------------------------------------
    for param, arr in plan:  # as net.load_parameters does, from the checked arrays
        param._load_init(arr, ctxs)
    # The update count: what a server receives and what a fresh local optimizer uses.
    opt.begin_num_update = step
    opt.num_update = step
    opt._all_index_update_counts = {0: {}}
    opt._index_update_count = opt._all_index_update_counts[0]


    init_kvstore(trainer, batch_size)
    if mismatch is not None:
        warnings.warn(ScheduleMismatchWarning(mismatch), stacklevel=2)
    if _states_on_servers(trainer):
        if states_bytes is not None:
            warnings.warn(f"checkpoint {path} holds optimizer states, but with a parameter "
                          "server and update_on_kvstore=True they cannot be sent to the "
                          "servers; they restart from zero", stacklevel=2)
        elif _has_states(opt):
            warnings.warn(f"checkpoint {path} has no optimizer states (they lived on the "
                          f"parameter servers); {type(opt).__name__}'s states such as momentum "
                          "restart from zero: use update_on_kvstore=False for an exact resume",
                          stacklevel=2)
        if differences:
            warnings.warn(OptimizerMismatchWarning(
                f"checkpoint {path}: the trainer's optimizer differs ({'; '.join(differences)});"
                " the parameter servers use the trainer's values"), stacklevel=2)
    elif states_bytes is not None:
        loaded = _set_states(trainer, states_bytes)
        loaded.param_dict = {i: param for i, param in enumerate(trainer._params)}
        loaded.lr_scheduler = given
        if given is not None or saved_schedule is not None or unreadable is not None:
            loaded.lr = given_lr  # driven by a schedule, or by the trainer's own setting
        if differences:
            warnings.warn(OptimizerMismatchWarning(
                f"checkpoint {path}: the trainer's optimizer differs ({'; '.join(differences)});"
                " the checkpoint's values are used"), stacklevel=2)
    else:
        _clear_states(trainer)
        if _has_states(opt):
            warnings.warn(f"checkpoint {path} has no optimizer states; they restart from zero",
                          stacklevel=2)
    nd.waitall()
    return dict(meta, path=path)


def _has_states(opt: Any) -> bool:
    from mxnet import nd

    try:
        return opt.create_state(0, nd.zeros((1,))) is not None
    except Exception:
        return True
