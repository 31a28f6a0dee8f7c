"""Schedules on a parameter server: pickling checks, kvstore set-up, a local launcher.

With a parameter-server kvstore (``dist_sync``, ``dist_async``) and
``update_on_kvstore=True``, a worker pickles the optimizer -- schedule included --
with protocol 0 and sends it to every server, which unpickles it **while it is
still inside** ``import mxnet`` (the server loop starts from
``mxnet/kvstore/kvstore_server.py`` during the package import, before
``mxnet.lr_scheduler`` or ``mxnet.gluon`` are set on the package). When that
unpickling fails, MXNet 1.9.1 only prints "Exception ignored on calling ctypes
callback function" in the server's log and carries on without an updater: the
server then *stores the summed gradients as the weights*, and training goes on
with wrong weights and no error on the workers.

This module gives three tools against that and against a second MXNet quirk:

* :func:`check_server_picklable` reproduces the server's situation in a fresh
  interpreter and raises :class:`ServerPickleError` with the reason and a hint
  when the schedule would not survive it.
* :func:`init_kvstore` initialises a :class:`mxnet.gluon.Trainer`'s kvstore and
  parameters *before* the first forward pass. With a ``dist_sync`` kvstore and
  ``update_on_kvstore=False``, MXNet 1.9.1 initialises lazily inside the first
  ``trainer.step``: a worker's pull of the initial weights then races with the
  other workers' push of their first gradients, and a worker can start from
  the summed gradients instead of the initial weights (observed in 5 of 10 runs
  of two workers here, 0 of 15 with :func:`init_kvstore`; a constant learning
  rate shows it too).
* :class:`LocalJob` starts a scheduler, servers and workers on 127.0.0.1 with
  the ``DMLC_*`` variables, waits with a time limit, always kills every process
  group it started, and reports the "Exception ignored" tracebacks of servers
  that MXNet itself swallows.
"""
from __future__ import annotations

import json
import os
import pickle
import pickletools
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "ServerPickleError",
    "check_server_picklable",
    "server_payload",
    "init_kvstore",
    "JobError",
    "JobTimeout",
    "JobResult",
    "LocalJob",
    "run_local_job",
    "free_port",
]

DEFAULT_STEPS: tuple[int, ...] = (0, 1, 2, 3, 5, 10, 100, 1000, 10**6)

# What a parameter-server process runs, minus the network: every module of the
# ``import <first>`` chain is imported exactly as on the server, and the payload
# is unpickled at the point where mxnet would enter the server loop, i.e. at the
# end of ``mxnet.kvstore.kvstore_server`` while ``mxnet`` is partially imported.
_CHILD = r'''
import importlib, importlib.abc, importlib.machinery, json, pickle, sys, traceback
payload_path, out_path, first_import = sys.argv[1:4]
steps = json.loads(sys.argv[4])
with open(payload_path, "rb") as f:
    payload = f.read()
result = {"reached": False}

def server_moment():
    result["reached"] = True
    result["mxnet_attrs"] = sorted(k for k in ("lr_scheduler", "gluon", "optimizer", "kvstore")
                                   if hasattr(sys.modules["mxnet"], k))
    try:
        obj = pickle.loads(payload)            # what KVStoreServer._controller does
    except BaseException as exc:
        result["error"] = traceback.format_exc()
        return
    sched = obj.lr_scheduler if hasattr(obj, "_get_lrs") else obj
    if sched is None:
        return
    try:                                       # the server's updater calls it here too
        result["values"] = [float(sched(t)) for t in steps]
    except BaseException as exc:
        result["error"] = traceback.format_exc()

class _ServerHook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "mxnet.kvstore.kvstore_server":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run_module = spec.loader.exec_module
        def exec_module(module):
            run_module(module)   # DMLC_ROLE is unset, so mxnet sees a worker and returns
            server_moment()
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, _ServerHook())
try:
    importlib.import_module(first_import)
    if not result["reached"]:               # the script imports mxnet later on
        importlib.import_module("mxnet")
except BaseException as exc:
    if result["reached"] and "error" not in result:
        result["import_error"] = traceback.format_exc()
    elif not result["reached"]:
        result["error"] = traceback.format_exc()
with open(out_path, "w") as f:
    json.dump(result, f)
'''


class ServerPickleError(RuntimeError):
    """A schedule or optimizer would not survive the trip to a parameter server."""


def _unwrap(obj: Any) -> tuple[Any, Any]:
    """Return ``(optimizer, schedule)`` for a Trainer, an Optimizer or a schedule."""
    from mxnet import optimizer as mx_optimizer

    if hasattr(obj, "_optimizer") and hasattr(obj, "step"):  # gluon.Trainer
        obj = obj._optimizer
        if not isinstance(obj, mx_optimizer.Optimizer):
            raise TypeError(f"the Trainer's optimizer must be an Optimizer, got {obj!r}")
    if isinstance(obj, mx_optimizer.Optimizer):
        return obj, obj.lr_scheduler
    if not callable(obj):
        raise TypeError(
            f"obj must be a schedule, an mx.optimizer.Optimizer or a gluon.Trainer, got {obj!r}")
    # learning_rate=None: the optimizer leaves the schedule's base_lr alone.
    return mx_optimizer.SGD(lr_scheduler=obj), obj


def _evaluate(sched: Any, steps: Sequence[int]) -> list[float]:
    """``[sched(t) for t in steps]`` on the object itself, leaving it as it was.

    Not on a copy: a copy goes through ``__getstate__`` like the pickle does, and
    would hide a schedule that loses state on the way. MXNet's built-ins rebind
    attributes (``base_lr``, ``count``...) when called; those of the schedule and
    of any schedule it holds are put back afterwards.
    """
    saved = []
    stack, seen = [sched], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen or not hasattr(obj, "__dict__"):
            continue
        seen.add(id(obj))
        saved.append((obj, dict(obj.__dict__)))
        for value in obj.__dict__.values():
            items = value if isinstance(value, (list, tuple)) else [value]
            stack.extend(v for v in items
                         if not isinstance(v, type) and callable(v) and hasattr(v, "base_lr"))
    try:
        return [float(sched(t)) for t in steps]
    finally:
        for obj, state in saved:
            obj.__dict__.clear()
            obj.__dict__.update(state)


def server_payload(obj: Any) -> bytes:
    """The exact bytes a parameter server receives for ``kv.set_optimizer(obj)``.

    MXNet 1.9.1's ``KVStore.set_optimizer`` sends ``py_str(pickle.dumps(optimizer, 0))``
    through ``c_str`` to the servers, whose controller (a ``ctypes.c_char_p`` callback)
    hands the bytes up to the first NUL to ``pickle.loads``. This function runs those
    very steps, with MXNet's own ``py_str`` and ``c_str``. A schedule is wrapped in
    ``mx.optimizer.SGD`` first.

    Parameters
    ----------
    obj : schedule, mx.optimizer.Optimizer or gluon.Trainer
        What the workers send.

    Returns
    -------
    bytes

    Raises
    ------
    ServerPickleError
        If MXNet could not send it (not picklable with protocol 0, not UTF-8, a NUL).

    Examples
    --------
    >>> import pickle
    >>> from mxsched import CosineAnnealing, CyclicalSchedule
    >>> sgdr = CyclicalSchedule(CosineAnnealing, 10, cycle_length_decay=2, min_lr=0.0,
    ...                         max_lr=0.1)
    >>> payload = server_payload(sgdr)
    >>> payload.isascii(), pickle.loads(payload).lr_scheduler == sgdr
    (True, True)
    """
    from mxnet.base import c_str, py_str

    optimizer, _ = _unwrap(obj)
    try:
        raw = pickle.dumps(optimizer, 0)
    except Exception as exc:
        raise ServerPickleError(
            f"{_describe(obj)} cannot be pickled with protocol 0 ({type(exc).__name__}: {exc}). "
            "A parameter server receives the optimizer, schedule included, as a pickle: "
            "use module-level classes (no lambdas, closures or local functions), and give "
            "classes with __slots__ a __getstate__.") from exc
    try:
        text = py_str(raw)
    except UnicodeDecodeError as exc:
        raise ServerPickleError(
            f"the protocol-0 pickle of {_describe(obj)} is not valid UTF-8 ({exc}); MXNet "
            "decodes it with py_str before sending it, so it cannot reach a server (numpy "
            "objects in a pickled state do this: keep plain Python values)") from exc
    payload = c_str(text).value
    if len(payload) != len(text.encode("utf-8")):
        raise ServerPickleError(
            f"the protocol-0 pickle of {_describe(obj)} contains a NUL byte; MXNet sends it as "
            "a C string, which would cut it there")
    return payload


def _describe(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 200 else text[:197] + "..."


def _packages_in(payload: bytes) -> list[str]:
    """Top-level packages whose modules the pickle imports, stdlib and mxnet left out."""
    import _compat_pickle  # protocol 0 writes Python 2 names such as copy_reg

    stdlib = getattr(sys, "stdlib_module_names", ())  # Python >= 3.10
    skip = (set(stdlib) | set(_compat_pickle.IMPORT_MAPPING) | {"copyreg", "collections"}
            | {"mxnet", "numpy", "__main__"})
    found: set[str] = set()
    for op, arg, _ in pickletools.genops(payload):
        if op.name in ("GLOBAL", "INST") and isinstance(arg, str):
            top = arg.split(" ", 1)[0].split(".", 1)[0]
            if top and top not in skip:
                found.add(top)
    return sorted(found)


def _hint(error: str, first_import: str) -> str:
    if "partially initialized module 'mxnet'" in error:
        return ("a module of the schedule reads an attribute of the mxnet package at import "
                "time (e.g. mx.lr_scheduler.LRScheduler); the server unpickles while it is "
                "still inside `import mxnet`, so write `from mxnet.lr_scheduler import "
                "LRScheduler` instead")
    if ("partially initialized module" in error or "cannot import name" in error
            or f"on <module '{first_import}" in error):
        return (f"the training script's `import {first_import}` starts `import mxnet` on the "
                "server before that package has finished importing; import mxnet first in the "
                f"script, or make `import mxnet` the first statement of the package "
                f"{first_import!r} and define the classes in its submodules (or pass "
                "first_imports=['mxnet'] if every training script imports mxnet first)")
    if "on <module '__main__'" in error:
        return ("the class is defined in __main__ (the training script); the server runs that "
                "script too but is still at its `import mxnet` line when it unpickles, so the "
                "class does not exist yet: move it into an importable module")
    if "No module named" in error:
        return ("the server cannot import the schedule's module: install the package (or put it "
                "on PYTHONPATH) on every server machine")
    return "see the traceback above"


def check_server_picklable(obj: Any, *, steps: Iterable[int] = DEFAULT_STEPS,
                           first_imports: Sequence[str] | None = None,
                           timeout: float = 120.0,
                           python: str | None = None) -> dict[str, list[float]]:
    """Prove that a schedule survives the trip to an MXNet parameter server.

    The object (a schedule, an ``mx.optimizer.Optimizer`` or a ``gluon.Trainer``)
    is pickled exactly as ``KVStore.set_optimizer`` does (see
    :func:`server_payload`). A fresh interpreter per scenario then imports the
    training script's first import (``first_imports``) with an import hook that,
    at the end of ``mxnet.kvstore.kvstore_server`` -- where a real server enters
    its loop while ``mxnet`` is only partially imported -- unpickles the payload
    and evaluates the schedule at ``steps``. The values must equal those of the
    schedule itself, called here in the same order (so stateful MXNet built-ins
    compare fairly; their attributes are put back afterwards).

    Parameters
    ----------
    obj : schedule, Optimizer or Trainer
        What the workers will send. A bare schedule is wrapped in
        ``mx.optimizer.SGD(lr_scheduler=...)`` without ``learning_rate`` so that
        its ``base_lr`` is left alone.
    steps : iterable of int
        Update counts at which to compare the values.
    first_imports : sequence of str, optional
        The module a training script imports first, one scenario each. Default:
        ``mxnet`` plus every non-stdlib top-level package the pickle refers to
        (a script that does ``import mxsched`` before ``import mxnet`` makes the
        server start inside ``mxsched``'s import).
    timeout : float
        Seconds allowed per interpreter; they run in parallel.
    python : str, optional
        Interpreter to run; default ``sys.executable``. The child's ``sys.path``
        is this process's ``sys.path`` (given as ``PYTHONPATH``).

    Returns
    -------
    dict
        For each first import, the values read inside the server's situation.

    Raises
    ------
    ServerPickleError
        With the scenario, the server-side traceback and a hint, when the object
        cannot be pickled, cannot be unpickled there, or gives other values.

    Examples
    --------
    >>> from mxsched import CosineAnnealing, LinearWarmUp
    >>> sched = LinearWarmUp(CosineAnnealing(0.0, 0.1, 90), start_lr=0.0, length=10)
    >>> values = check_server_picklable(sched, steps=[1, 10, 50], first_imports=["mxnet"])
    >>> [round(v, 4) for v in values["mxnet"]]
    [0.01, 0.1, 0.0587]
    """
    steps = [int(t) for t in steps]
    payload = server_payload(obj)
    _, sched = _unwrap(obj)
    expected = None if sched is None else _evaluate(sched, steps)
    if first_imports is None:
        first_imports = ["mxnet"] + _packages_in(payload)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DMLC_", "PS_"))}
    env["PYTHONPATH"] = os.pathsep.join([p for p in sys.path if p] + [os.getcwd()])
    env.setdefault("OMP_NUM_THREADS", "1")
    tmp = tempfile.mkdtemp(prefix="mxsched-check-")
    try:
        payload_path = os.path.join(tmp, "payload")
        with open(payload_path, "wb") as f:
            f.write(payload)
        procs = {}
        for i, first in enumerate(first_imports):
            out_path = os.path.join(tmp, f"result-{i}.json")
            log = open(os.path.join(tmp, f"log-{i}.txt"), "wb")
            proc = subprocess.Popen(
                [python or sys.executable, "-c", _CHILD, payload_path, out_path, first,
                 json.dumps(steps)],
                env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
            procs[first] = (proc, out_path, log)
        deadline = time.monotonic() + timeout
        results = {}
        for first, (proc, out_path, log) in procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                for other, _, _ in procs.values():
                    _kill_group(other)
                raise ServerPickleError(
                    f"checking {_describe(obj)} with `import {first}` first did not finish "
                    f"within {timeout:g} s") from None
            finally:
                log.close()
            if not os.path.exists(out_path):
                with open(log.name, errors="replace") as f:
                    tail = f.read()[-3000:]
                raise ServerPickleError(
                    f"the server-like interpreter for `import {first}` exited with code "
                    f"{proc.returncode} before reporting:\n{tail}")
            with open(out_path) as f:
                results[first] = json.load(f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    values_by_import = {}
    for first, result in results.items():
        error = result.get("error")
        if error:
            where = ("while the server is inside `import mxnet`" if result["reached"]
                     else "before the server started")
            raise ServerPickleError(
                f"{_describe(obj)} cannot be unpickled on a parameter server {where} "
                f"(training script importing `{first}` first). Server-side traceback:\n"
                f"{error}\nHint: {_hint(error, first)}. MXNet would not stop: the server would "
                "keep the summed gradients as weights.")
        if not result["reached"]:
            raise ServerPickleError(f"importing `{first}` then mxnet never reached the server "
                                    "loop; is this MXNet 1.x?")
        got = result.get("values")
        if expected is not None:
            bad = [(t, e, g) for t, e, g in zip(steps, expected, got or []) if e != g]
            if got is None or len(got) != len(expected) or bad:
                t, e, g = bad[0] if bad else (None, None, None)
                raise ServerPickleError(
                    f"{_describe(obj)} gives other values after the trip to a server "
                    f"(script importing `{first}` first): at t={t} expected {e!r}, got {g!r}. "
                    "Its pickled state must hold everything __call__ depends on.")
        values_by_import[first] = got or []
    return values_by_import


def init_kvstore(trainer: Any, batch_size: int) -> None:
    """Initialise a Trainer's kvstore and parameters now, and wait for them.

    Call it after ``net.initialize()`` / ``net.load_parameters()`` (and after one
    forward pass for deferred shapes) and before the first ``autograd.record()``,
    with the ``batch_size`` you will give ``trainer.step``.

    Why: ``gluon.Trainer`` (MXNet 1.9.1) creates its kvstore and broadcasts the
    initial weights lazily inside the first ``trainer.step``, *after* the first
    backward pass. With ``dist_sync`` and ``update_on_kvstore=False`` the pull of
    the initial weights and the push of the first gradients touch different
    arrays, so the engine may send the push first; once every worker has pushed,
    the server (which has no optimizer in that mode) stores the summed gradients
    under the weight's key and a late worker pulls *them* as its initial weights.
    Initialising before the first forward pass makes the forward pass depend on
    the pull, which closes the race. With ``update_on_kvstore=True`` it sends the
    optimizer to the servers now -- with ``rescale_grad = 1 / batch_size``, which
    MXNet cannot change afterwards on a parameter server, and with each
    Parameter's ``lr_mult`` / ``wd_mult``, which MXNet would leave behind (the
    server would apply the plain schedule to every parameter) -- so pickling
    problems show up before training. Multipliers changed after this call do
    not reach the servers. Harmless without a kvstore.

    Parameters
    ----------
    trainer : gluon.Trainer
        Not yet stepped (if it was, only the wait remains to do).
    batch_size : int
        The per-worker batch size given to ``trainer.step``.

    Examples
    --------
    >>> from mxnet import gluon
    >>> net = gluon.nn.Dense(1, in_units=2); net.initialize()
    >>> trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    >>> init_kvstore(trainer, batch_size=32)      # no kvstore here: only initialises
    >>> trainer._kv_initialized, trainer._optimizer.rescale_grad
    (True, 0.03125)
    """
    for name in ("_init_kvstore", "_init_params", "_kv_initialized", "_params_to_init",
                 "_scale"):
        if not hasattr(trainer, name):
            raise TypeError(f"trainer must be an MXNet 1.x gluon.Trainer (no {name}), "
                            f"got {trainer!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not trainer._kv_initialized:
        opt = trainer._optimizer
        opt.rescale_grad = trainer._scale / batch_size
        # Parameter.lr_mult / wd_mult reach the optimizer through param_dict, which
        # Optimizer.__getstate__ drops: a server would apply neither. Copy them into the
        # optimizer's per-index tables, which travel (a worker still reads param_dict).
        for index, param in opt.param_dict.items():
            opt.lr_mult[index] = param.lr_mult
            opt.wd_mult[index] = param.wd_mult
        trainer._init_kvstore()
    if trainer._params_to_init:
        trainer._init_params()
    if trainer._params_to_init:
        names = [p.name for p in trainer._params_to_init]
        raise ValueError(f"parameters {names} still have deferred shapes: run one forward pass "
                         "(outside autograd.record) before init_kvstore")
    from mxnet import nd
    nd.waitall()


# ----------------------------------------------------------------------------------
# Local launcher
# ----------------------------------------------------------------------------------

def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class JobError(RuntimeError):
    """A local distributed job failed; the message carries the logs' tails."""


class JobTimeout(JobError):
    """A local distributed job did not finish in time (every process was killed)."""


@dataclass
class JobResult:
    """Exit codes and logs of a finished :class:`LocalJob`."""

    returncodes: dict[str, int]
    logs: dict[str, str] = field(repr=False)
    seconds: float = 0.0


def _kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


_SWALLOWED = "Exception ignored on calling ctypes callback function"


class LocalJob:
    """A scheduler, servers and workers on one machine, bound in time.

    Every process gets its own process group (``start_new_session``) and the
    ``DMLC_*`` variables of a parameter-server job on ``host`` (loopback by
    default, ``DMLC_NODE_HOST`` included so that no node announces another
    address), with a free port for the scheduler. Logs go to files in
    ``log_dir``. Leaving the ``with`` block, :meth:`wait` running out of time
    and :meth:`stop` kill every process group that is still alive.

    As with MXNet's launcher (``python -m mxsched.gluon.launch``), scheduler and
    servers run the workers' command by default (``import mxnet`` turns them into a
    scheduler or server and exits), so they import what the training script imports
    first.

    Parameters
    ----------
    command : sequence of str
        The worker's command, e.g. ``[sys.executable, "train.py", "--epochs", "3"]``.
    num_workers, num_servers : int
        Processes of each role (one scheduler is always started).
    server_command : sequence of str, optional
        Command for scheduler and servers; default ``command``.
    env : mapping, optional
        Extra variables for every process (``OMP_NUM_THREADS`` defaults to 1).
    cwd, log_dir : str, optional
        Working directory; log directory (default: a new temporary directory,
        removed by :meth:`cleanup`).
    host : str
        Address of every node; keep the default 127.0.0.1 for a local job.

    Examples
    --------
    >>> import sys
    >>> with LocalJob([sys.executable, "-c", "pass"], num_workers=1) as job:
    ...     codes = job.wait(timeout=60).returncodes
    >>> codes
    {'scheduler': 0, 'server0': 0, 'worker0': 0}
    """

    def __init__(self, command: Sequence[str], *, num_workers: int, num_servers: int = 1,
                 server_command: Sequence[str] | None = None,
                 env: Mapping[str, str] | None = None, cwd: str | None = None,
                 log_dir: str | None = None, host: str = "127.0.0.1") -> None:
        if not isinstance(num_workers, int) or num_workers < 1:
            raise ValueError(f"num_workers must be a positive integer, got {num_workers!r}")
        if not isinstance(num_servers, int) or num_servers < 1:
            raise ValueError(f"num_servers must be a positive integer, got {num_servers!r}")
        if not command:
            raise ValueError(f"command must be a non-empty sequence, got {command!r}")
        self.command = list(command)
        self.server_command = list(server_command or command)
        self.num_workers = num_workers
        self.num_servers = num_servers
        self.env = dict(env or {})
        self.cwd = cwd
        self.host = host
        self._own_log_dir = log_dir is None
        self.log_dir = log_dir or tempfile.mkdtemp(prefix="mxsched-job-")
        os.makedirs(self.log_dir, exist_ok=True)
        self.port: int | None = None
        self.procs: dict[str, subprocess.Popen] = {}
        self._logs: dict[str, Any] = {}
        self._started = 0.0

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> "LocalJob":
        """Start scheduler, servers and workers (in that order); return self."""
        if self.procs:
            raise RuntimeError("this job was already started")
        self.port = free_port(self.host)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DMLC_", "PS_"))}
        base.setdefault("OMP_NUM_THREADS", "1")
        base.update(self.env)
        base.update({
            "DMLC_PS_ROOT_URI": self.host,
            "DMLC_PS_ROOT_PORT": str(self.port),
            "DMLC_NUM_SERVER": str(self.num_servers),
            "DMLC_NUM_WORKER": str(self.num_workers),
            "DMLC_NODE_HOST": self.host,
            "DMLC_JOB_CLUSTER": "local",
        })
        roles = ([("scheduler", 0)] + [("server", i) for i in range(self.num_servers)]
                 + [("worker", i) for i in range(self.num_workers)])
        self._started = time.monotonic()
        try:
            for role, i in roles:
                name = role if role == "scheduler" else f"{role}{i}"
                env = dict(base, DMLC_ROLE=role, DMLC_TASK_ID=str(i))
                log = open(os.path.join(self.log_dir, f"{name}.log"), "wb")
                self._logs[name] = log
                cmd = self.command if role == "worker" else self.server_command
                self.procs[name] = subprocess.Popen(
                    cmd, env=env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True)
        except BaseException:
            self.stop()
            raise
        return self

    def __enter__(self) -> "LocalJob":
        return self.start() if not self.procs else self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def workers(self) -> list[subprocess.Popen]:
        return [self.procs[f"worker{i}"] for i in range(self.num_workers)]

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the process group of ``name`` (e.g. ``"worker1"``)."""
        _kill_group(self.procs[name], sig)

    def stop(self, grace: float = 2.0) -> None:
        """SIGTERM every live process group, SIGKILL what is left after ``grace``."""
        live = [p for p in self.procs.values() if p.poll() is None]
        for p in live:
            _kill_group(p, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for p in live:
            try:
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for p in self.procs.values():
            _kill_group(p, signal.SIGKILL)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - unkillable
                pass
        for log in self._logs.values():
            log.close()

    def cleanup(self) -> None:
        """Stop the job and remove the log directory if this job created it."""
        self.stop()
        if self._own_log_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    # -- results ---------------------------------------------------------------
    def log(self, name: str) -> str:
        """The output so far of process ``name`` (``scheduler``, ``server0``, ``worker1``...)."""
        if not self._logs[name].closed:
            self._logs[name].flush()
        with open(os.path.join(self.log_dir, f"{name}.log"), errors="replace") as f:
            return f.read()

    def _tails(self, names: Iterable[str], chars: int = 2500) -> str:
        return "\n".join(f"--- {n} (exit {self.procs[n].poll()}) ---\n{self.log(n)[-chars:]}"
                         for n in names)

    def wait(self, timeout: float, *, check: bool = True, grace: float = 10.0) -> JobResult:
        """Wait for the workers, then for scheduler and servers, within ``timeout`` s.

        On time-out every process is killed and :class:`JobTimeout` is raised.
        With ``check``, a worker's non-zero exit, or a traceback that MXNet
        swallowed in a server ("Exception ignored on calling ctypes callback"),
        raises :class:`JobError` -- MXNet itself would have trained on.
        Scheduler and servers still alive ``grace`` s after the last worker are
        killed (MXNet leaves them hanging when a worker died).
        """
        deadline = time.monotonic() + timeout
        try:
            for p in self.workers():
                p.wait(timeout=max(0.01, deadline - time.monotonic()))
            for name, p in self.procs.items():
                if not name.startswith("worker"):
                    try:
                        p.wait(timeout=max(0.01, min(grace, deadline - time.monotonic())))
                    except subprocess.TimeoutExpired:
                        pass
        except subprocess.TimeoutExpired:
            tails = self._tails(self.procs)
            self.stop()
            raise JobTimeout(f"local job {self.command} did not finish within {timeout:g} s; "
                             f"all processes killed. Logs:\n{tails}") from None
        self.stop()
        result = JobResult({n: p.returncode for n, p in self.procs.items()},
                           {n: self.log(n) for n in self.procs},
                           time.monotonic() - self._started)
        if check:
            failed = [n for n in self.procs if n.startswith("worker") and result.returncodes[n]]
            swallowed = [n for n in self.procs
                         if not n.startswith("worker") and _SWALLOWED in result.logs[n]]
            if failed or swallowed:
                what = []
                if failed:
                    what.append(f"workers {failed} exited with "
                                f"{[result.returncodes[n] for n in failed]}")
                if swallowed:
                    what.append(f"{swallowed} swallowed an exception (MXNet went on: the "
                                "optimizer or schedule did not reach the server, whose "
                                "weights became the summed gradients)")
                raise JobError("; ".join(what) + ". Logs:\n" + self._tails(failed + swallowed))
        return result


def run_local_job(command: Sequence[str], *, num_workers: int, num_servers: int = 1,
                  timeout: float = 120.0, **kwargs: Any) -> JobResult:
    """Start a :class:`LocalJob`, wait for it within ``timeout`` s, always clean up.

    Parameters
    ----------
    command : sequence of str
        The worker's command (scheduler and servers run it too unless
        ``server_command`` is given).
    num_workers, num_servers : int
        Processes of each role.
    timeout : float
        Seconds for the whole job; then every process is killed (:class:`JobTimeout`).
    **kwargs
        Further arguments of :class:`LocalJob`; pass ``log_dir`` to keep the logs.

    Returns
    -------
    JobResult
        Exit codes, logs and the job's duration.

    Examples
    --------
    A job whose processes only print (a real one imports mxnet, which makes the
    scheduler and server processes serve):

    >>> import sys
    >>> result = run_local_job([sys.executable, "-c", "import os; print(os.environ['DMLC_ROLE'])"],
    ...                        num_workers=2, timeout=60)
    >>> sorted(result.returncodes.items())
    [('scheduler', 0), ('server0', 0), ('worker0', 0), ('worker1', 0)]
    >>> result.logs["worker1"].strip()
    'worker'
    """
    job = LocalJob(command, num_workers=num_workers, num_servers=num_servers, **kwargs)
    try:
        job.start()
        return job.wait(timeout)
    finally:
        job.cleanup()
