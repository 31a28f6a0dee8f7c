"""Checkpoints that resume a schedule exactly, on one machine or a parameter server.

A checkpoint is a directory ``<root>/step-<k>/`` holding

* ``net.params`` -- ``net.save_parameters``;
* ``trainer.states`` -- ``trainer.save_states`` (the optimizer with its update
  counters, its schedule and its states such as momentum), whenever the trainer
  updates locally. With a parameter-server kvstore and ``update_on_kvstore=True``
  those states live on the servers, MXNet cannot save them from a worker, and the
  file is absent: the update count is restored from ``step`` instead (exact for
  stateless SGD; momentum restarts from zero, and :func:`load_checkpoint` warns);
* ``schedule.pkl`` and ``meta.json`` -- the schedule and its ``repr``, the step.

``<root>/latest`` names the newest complete checkpoint; it is replaced atomically
after everything else is written, so a process killed while saving (even by
SIGKILL) leaves the previous checkpoint in force.

On resume the schedule given to the new Trainer wins: MXNet's own
``Trainer.load_states`` would silently bring back the schedule pickled in the
checkpoint, so a longer run asked for on the command line would quietly follow
the old one. When the two differ, :func:`load_checkpoint` warns with
:class:`ScheduleMismatchWarning`, naming both and the next learning rate of each.

Usage::

    # every few updates (in a multi-worker job: rank 0 only)
    save_checkpoint("ckpt", net, trainer, step=k)
    # after a crash, in the new process, before the first forward pass
    step = load_checkpoint("ckpt", net, trainer, batch_size=64)["step"]
"""
from __future__ import annotations

import copy
import json
import os
import pickle
import shutil
import warnings
from typing import Any, Sequence

__all__ = ["ScheduleMismatchWarning", "save_checkpoint", "load_checkpoint",
           "latest_checkpoint", "schedules_differ"]

FORMAT = 1
_LATEST = "latest"


class ScheduleMismatchWarning(UserWarning):
    """The schedule given on resume is not the one the checkpoint was trained with."""


def _optimizer(trainer: Any) -> Any:
    opt = getattr(trainer, "_optimizer", None)
    if opt is None or not hasattr(opt, "num_update"):
        raise TypeError(f"trainer must be an MXNet 1.x gluon.Trainer with an optimizer, "
                        f"got {trainer!r}")
    return opt


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
    large steps.
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


def latest_checkpoint(root: str) -> str | None:
    """The newest complete checkpoint directory under ``root``, or None."""
    try:
        with open(os.path.join(root, _LATEST)) as f:
            name = f.read().strip()
    except FileNotFoundError:
        return None
    path = os.path.join(root, name)
    return path if os.path.isfile(os.path.join(path, "meta.json")) else None


def _atomic_write(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_checkpoint(root: str, net: Any, trainer: Any, step: int | None = None, *,
                    extra: dict | None = None, keep: int = 2) -> str:
    """Write a checkpoint after ``step`` optimizer updates; return its directory.

    Parameters
    ----------
    root : str
        Directory of the checkpoints (created if needed).
    net : gluon.Block
        The network; ``net.save_parameters`` is used.
    trainer : gluon.Trainer
        Its schedule, update count and (when they live on this process)
        optimizer states are saved.
    step : int, optional
        Optimizer updates done so far, i.e. ``trainer.step`` calls. Required with
        a parameter-server kvstore and ``update_on_kvstore=True`` (the worker's
        optimizer does not count there); otherwise it defaults to the optimizer's
        ``num_update`` and must equal it when given.
    extra : dict, optional
        JSON-serialisable values stored in ``meta.json`` (epoch, data position...).
    keep : int
        How many checkpoints to keep (older ones are removed after the new one
        is in place).
    """
    from .distributed import init_kvstore

    opt = _optimizer(trainer)
    if not trainer._kv_initialized:
        raise ValueError("save_checkpoint needs an initialised trainer: call it after a "
                         "trainer.step, or after mxsched.distributed.init_kvstore")
    init_kvstore(trainer, 1)  # only waits: the kvstore is there already
    on_servers = _states_on_servers(trainer)
    if step is None:
        if on_servers:
            raise ValueError("step must be given with a parameter-server kvstore and "
                             "update_on_kvstore=True (the optimizer counts on the servers), "
                             "got None")
        step = opt.num_update
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise ValueError(f"step must be a non-negative integer, got {step!r}")
    if not on_servers and step != opt.num_update:
        raise ValueError(f"step must equal the optimizer's update count {opt.num_update}, "
                         f"got {step!r}")
    if not isinstance(keep, int) or keep < 1:
        raise ValueError(f"keep must be a positive integer, got {keep!r}")

    os.makedirs(root, exist_ok=True)
    name = f"step-{step:09d}"
    final = os.path.join(root, name)
    tmp = os.path.join(root, f".{name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    net.save_parameters(os.path.join(tmp, "net.params"))
    if not on_servers:
        trainer.save_states(os.path.join(tmp, "trainer.states"))
    schedule = opt.lr_scheduler
    with open(os.path.join(tmp, "schedule.pkl"), "wb") as f:
        pickle.dump(schedule, f)
    meta = {"format": FORMAT, "step": step, "schedule": repr(schedule),
            "optimizer": type(opt).__name__, "optimizer_states_saved": not on_servers,
            "extra": extra or {}}
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    _atomic_write(os.path.join(root, _LATEST), name.encode())

    done = sorted(d for d in os.listdir(root)
                  if d.startswith("step-") and os.path.isfile(os.path.join(root, d, "meta.json")))
    for old in done[:-keep]:
        if old != name:
            shutil.rmtree(os.path.join(root, old), ignore_errors=True)
    return final


def load_checkpoint(path: str, net: Any, trainer: Any, *, batch_size: int,
                    ctx: Any = None) -> dict:
    """Restore ``net`` and ``trainer`` from a checkpoint; return its metadata.

    Call it in the new process after building ``net`` and ``trainer`` exactly as
    for a fresh run (same optimizer, the schedule you want), and **before** the
    first forward pass: it also initialises the kvstore (see
    :func:`mxsched.distributed.init_kvstore`), sending the optimizer with the
    restored update count to the servers.

    The next ``trainer.step`` is update ``step + 1`` and asks the schedule for
    ``schedule(step + 1)``. The schedule given to ``trainer`` is kept; if it
    differs from the checkpoint's, a :class:`ScheduleMismatchWarning` names both.
    Other optimizer hyper-parameters and states come from the checkpoint, as
    with ``Trainer.load_states``.

    Parameters
    ----------
    path : str
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
    """
    if os.path.isfile(os.path.join(path, _LATEST)):
        found = latest_checkpoint(path)
        if found is None:
            raise FileNotFoundError(f"{path}/latest names no complete checkpoint")
        path = found
    meta_path = os.path.join(path, "meta.json")
    if not os.path.isfile(meta_path):
        raise FileNotFoundError(f"no checkpoint at {path!r} (missing meta.json)")
    with open(meta_path) as f:
        meta = json.load(f)
    if meta.get("format") != FORMAT:
        raise ValueError(f"checkpoint format must be {FORMAT}, got {meta.get('format')!r}")
    step = int(meta["step"])
    opt = _optimizer(trainer)
    if trainer._kv_initialized and trainer._distributed and trainer._update_on_kvstore:
        raise RuntimeError("load_checkpoint must run before the first trainer.step: the "
                           "optimizer was already sent to the parameter servers")

    net.load_parameters(os.path.join(path, "net.params"),
                        ctx=ctx if ctx is not None else trainer._contexts)
    given = opt.lr_scheduler
    try:
        with open(os.path.join(path, "schedule.pkl"), "rb") as f:
            saved = pickle.load(f)
    except Exception as exc:  # the class may have been renamed since
        warnings.warn(ScheduleMismatchWarning(
            f"cannot read the schedule of checkpoint {path} ({type(exc).__name__}: {exc}); it "
            f"was {meta['schedule']}; resuming with the given schedule {given!r}"), stacklevel=2)
        saved = given
    if schedules_differ(saved, given, step):
        nxt = step + 1
        warnings.warn(ScheduleMismatchWarning(
            f"checkpoint {path} was trained with lr_scheduler {saved!r} but the trainer was "
            f"given {given!r}; resuming at update {nxt} with the given schedule "
            f"(lr {_values(given, [nxt])[0]:.6g} instead of {_values(saved, [nxt])[0]:.6g})"),
            stacklevel=2)

    # The update count: what a server receives and what a fresh local optimizer uses.
    opt.begin_num_update = step
    opt.num_update = step
    opt._all_index_update_counts = {0: {}}
    opt._index_update_count = opt._all_index_update_counts[0]

    from .distributed import init_kvstore

    init_kvstore(trainer, batch_size)
    states = os.path.join(path, "trainer.states")
    if _states_on_servers(trainer):
        if os.path.isfile(states):
            warnings.warn(f"checkpoint {path} holds optimizer states, but with a parameter "
                          "server and update_on_kvstore=True they cannot be sent to the "
                          "servers; they restart from zero", stacklevel=2)
        elif _has_states(opt):
            warnings.warn(f"checkpoint {path} has no optimizer states (they lived on the "
                          f"parameter servers); {type(opt).__name__}'s states such as momentum "
                          "restart from zero: use update_on_kvstore=False for an exact resume",
                          stacklevel=2)
    elif os.path.isfile(states):
        param_dict = opt.param_dict
        with warnings.catch_warnings():  # MXNet's load_optimizer_states leaves a file open
            warnings.simplefilter("ignore", ResourceWarning)
            trainer.load_states(states)
        loaded = trainer._optimizer
        loaded.lr_scheduler = given
        loaded.param_dict = param_dict
        if loaded.num_update != step:
            raise ValueError(f"checkpoint {path}: trainer.states counts {loaded.num_update} "
                             f"updates but meta.json says {step}")
    elif _has_states(_optimizer(trainer)):
        warnings.warn(f"checkpoint {path} has no optimizer states; they restart from zero",
                      stacklevel=2)
    from mxnet import nd

    nd.waitall()
    return dict(meta, path=path)


def _has_states(opt: Any) -> bool:
    from mxnet import nd

    try:
        return opt.create_state(0, nd.zeros((1,))) is not None
    except Exception:
        return True
