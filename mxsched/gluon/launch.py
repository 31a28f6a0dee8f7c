"""Launch a parameter-server job with MXNet's own tracker, locally or over ssh.

MXNet's ``tools/launch.py`` is not part of the ``mxnet`` pip wheel, and the tracker
it drives -- the ``dmlc_tracker`` package, which the wheel does install -- calls
``threading.Thread.isAlive``, removed in Python 3.9: on 3.9 and later every launch
fails at once. This module is the same launcher as an entry point::

    python -m mxsched.gluon.launch [options] command [args ...]

It parses MXNet's options, then runs ``dmlc_tracker``'s own ``local`` or ``ssh``
submit function with a few narrow fixes in place (below). The tracker starts the
scheduler on this machine and ``--num-servers`` servers plus ``--num-workers``
workers, each running ``command`` with ``DMLC_ROLE`` and the other ``DMLC_*``
variables set; ``import mxnet`` turns a scheduler or server into that role.

Options
-------
-n, --num-workers N
    Number of worker processes (required).
-s, --num-servers S
    Number of server processes; default: ``N``, as in MXNet's launcher.
--launcher {local,ssh}
    ``local``: every process on this machine. ``ssh`` (the default, as in MXNet):
    servers and workers on the hosts of ``--hostfile``, the scheduler here.
-H, --hostfile FILE
    Required with ``ssh``, not accepted with ``local``. One host a line, ``host``
    or ``host:port`` (ssh port, default 22); blank lines are skipped, an
    ``slots=K`` suffix (MPI host files) is ignored. Process ``i`` -- the servers
    first, then the workers -- runs on host ``i mod len(hosts)``.
--sync-dst-dir DIR
    ``ssh`` only: before the launch, ``rsync -az`` the current directory to
    ``DIR`` on every host, and run there instead of in the current directory.
    Needs ``rsync`` on every machine.
--env NAME | NAME:VALUE | NAME=VALUE
    Repeatable. Give every scheduler, server and worker ``NAME`` with ``VALUE``,
    or with its value here if no value is given. Variables the tracker sets
    (``DMLC_ROLE``, ``DMLC_PS_ROOT_URI``, ...) cannot be overridden.
--host-ip ADDR
    Address of this machine (the scheduler's) as the job's hosts reach it.
    Default: ``127.0.0.1`` with ``local``; with ``ssh``, the tracker's guess
    (the address this machine's name resolves to or, if that is a loopback
    address, the one of the interface with the route out).
--timeout SECONDS
    Stop the whole job and exit with status 1 after this long; default: no limit.
command
    The program every process runs, after the options. As in MXNet's launcher
    its words are joined with spaces and run by a shell (``bash`` locally, the
    login shell on an ssh host), so quote for that shell if a word must keep
    spaces. With ``ssh`` it must not contain a single quote.

Environment of the processes
----------------------------
With ``local``, each process inherits this environment (plus ``--env``), and
``DMLC_NODE_HOST`` is set to ``--host-ip`` so that no node announces another
address. With ``ssh``, a remote process gets only what the command line carries:
the tracker's ``DMLC_*`` variables (``DMLC_NODE_HOST`` = the host's name from the
host file), ``OMP_NUM_THREADS``, ``KMP_AFFINITY``, ``LD_LIBRARY_PATH`` and
``DMLC_INTERFACE`` when they are set here, ``PYTHONPATH`` when set here, and
``--env``; it runs ``cd <current directory>`` (or ``--sync-dst-dir``) first. So
every host needs the same directory layout: the repository at the same path,
the package installed in an interpreter at the same path (give that
interpreter's absolute or relative path as the command, e.g.
``.venv/bin/python``). ssh must log in without a prompt (keys without a
passphrase prompt, ``BatchMode=yes``); an unknown host key is accepted and
remembered, a changed one is refused (``StrictHostKeyChecking=accept-new``).

The run ends when the scheduler and every server and worker have exited. It
exits with status 0 if all of them exited with 0, and otherwise stops the rest
of the job at the first failure (MXNet would leave it hanging) and exits with 1;
on SIGINT, SIGTERM or SIGHUP it stops the job too.

What is fixed in ``dmlc_tracker`` (while the launcher runs, never at import)
-----------------------------------------------------------------------------
* ``Thread.isAlive`` (removed in Python 3.9) and ``Thread.setDaemon`` (deprecated
  since 3.10) in ``tracker``, ``local`` and ``ssh``: their ``Thread`` is replaced
  by a subclass that has both, and that records what a thread raised instead of
  printing it and going on.
* Processes: each one is started in its own process group and tracked, so that a
  failure, a time-out or a signal stops every process of the job; the tracker
  alone would hang on a failed worker and exit with 0.
* ssh: jobs run under ``ssh -tt`` (a remote process dies with its connection,
  instead of living on after the launcher stopped), with ``BatchMode=yes``,
  ``StrictHostKeyChecking=accept-new`` instead of ``no``, and ``LogLevel=ERROR``.
  ``--env`` values are shell-quoted (the tracker pastes values into the remote
  command line unquoted).
* ``--sync-dst-dir``: the tracker runs ``rsync`` in a process pool and never looks
  at the result; here it runs before the launch and a failure stops it.
* ``--launcher local`` uses ``--host-ip`` (the tracker ignores it and guesses an
  address, which fails on a machine without a network route).

A remote process's output arrives through its pseudo-terminal (line endings
``\\r\\n``, stderr merged into stdout).
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Iterator, Sequence

__all__ = ["main", "parse_args", "read_hostfile", "parse_env"]

LOG = logging.getLogger("mxsched.gluon.launch")

# Set by the tracker for every process: --env must not try to change them.
TRACKER_VARIABLES = ("DMLC_ROLE", "DMLC_PS_ROOT_URI", "DMLC_PS_ROOT_PORT", "DMLC_NUM_WORKER",
                     "DMLC_NUM_SERVER", "DMLC_TASK_ID", "DMLC_JOB_CLUSTER")
# What dmlc_tracker.ssh pastes into the remote command unquoted, when set here.
SSH_FORWARDED = ("OMP_NUM_THREADS", "KMP_AFFINITY", "LD_LIBRARY_PATH", "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY", "DMLC_INTERFACE")
# The ssh command lines of the dmlc_tracker that mxnet 1.9.1 installs, and ours.
_DMLC_SSH = "ssh -o StrictHostKeyChecking=no "
_SSH_OPTIONS = "-o BatchMode=yes -o StrictHostKeyChecking=accept-new -o LogLevel=ERROR "
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# ----------------------------------------------------------------------------------
# options
# ----------------------------------------------------------------------------------

def read_hostfile(path: str) -> list[tuple[str, int]]:
    """The ``(host, port)`` pairs of an ssh host file, checked.

    One host a line, ``host`` or ``host:port``; blank lines are skipped and a
    ``slots=K`` suffix is ignored, as ``dmlc_tracker`` does.

    Raises
    ------
    ValueError
        If the file has no host, or a line is not ``host`` or ``host:port``.
    """
    with open(path) as f:
        lines = f.read().splitlines()
    hosts = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        line = line.split("slots=")[0].strip()
        host, _, port = line.partition(":")
        if (not re.fullmatch(r"[A-Za-z0-9_.-]+", host)
                or (port and not (port.isdigit() and 0 < int(port) < 65536))):
            raise ValueError(f"hostfile line {number} must be 'host' or 'host:port' "
                             f"(a name or IPv4 address, a port 1-65535), got {raw!r}")
        hosts.append((host, int(port or 22)))
    if not hosts:
        raise ValueError(f"hostfile must name at least one host, got none in {path!r}")
    return hosts


def parse_env(items: Sequence[str], environ: dict[str, str] | None = None) -> dict[str, str]:
    """``--env`` items (``NAME``, ``NAME:VALUE`` or ``NAME=VALUE``) as a dict.

    A bare ``NAME`` takes its value from ``environ`` (default ``os.environ``).

    Raises
    ------
    ValueError
        For a bad name, a variable the tracker sets, or a bare ``NAME`` not set.
    """
    environ = os.environ if environ is None else environ
    out = {}
    for item in items:
        m = re.match(r"([^:=]*)(?:[:=](.*))?\Z", item, re.S)
        name, value = m.group(1), m.group(2)
        if not _NAME.match(name):
            raise ValueError(f"--env must be NAME, NAME:VALUE or NAME=VALUE with NAME a "
                             f"variable name, got {item!r}")
        if name in TRACKER_VARIABLES:
            raise ValueError(f"--env must not set {name}, which the tracker sets for every "
                             f"process, got {item!r}")
        if value is None:
            if name not in environ:
                raise ValueError(f"--env {name} must name a variable set here (or give "
                                 f"{name}:VALUE), got {item!r}")
            value = environ[name]
        out[name] = value
    return out


def _parser() -> argparse.ArgumentParser:
    doc = __doc__.split("\n\n")
    p = argparse.ArgumentParser(
        prog="python -m mxsched.gluon.launch", description=doc[0],
        epilog="Launcher options come before the command; every word from the command on "
               "is the command's. See the module docstring (pydoc mxsched.gluon.launch) for the "
               "processes' environment and what is fixed in dmlc_tracker.")
    p.add_argument("-n", "--num-workers", type=int, required=True, metavar="N",
                   help="number of worker processes")
    p.add_argument("-s", "--num-servers", type=int, metavar="S",
                   help="number of server processes (default: N)")
    p.add_argument("--launcher", choices=("local", "ssh"), default="ssh",
                   help="local: all processes here; ssh: on the hosts of --hostfile "
                        "(default: ssh)")
    p.add_argument("-H", "--hostfile", metavar="FILE",
                   help="ssh only: one 'host' or 'host:port' a line")
    p.add_argument("--sync-dst-dir", metavar="DIR",
                   help="ssh only: rsync the current directory to DIR on every host "
                        "first, and run there")
    p.add_argument("--env", action="append", default=[], metavar="NAME[:VALUE]",
                   help="repeatable: set NAME (to VALUE, or to its value here) in every "
                        "process")
    p.add_argument("--host-ip", metavar="ADDR",
                   help="this machine's address as the hosts reach it (default: 127.0.0.1 "
                        "with local, the tracker's guess with ssh)")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop the job and fail after this long (default: no limit)")
    p.add_argument("command", nargs=argparse.REMAINDER,
                   help="the program every process runs, run by a shell")
    return p


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse and check the launcher's command line (see the module docstring).

    Besides the options, the result has ``hosts`` (from the host file, or
    ``None``) and ``extra_env`` (from ``--env``). Errors exit through
    :meth:`argparse.ArgumentParser.error` with a message naming the option.
    """
    p = _parser()
    a = p.parse_args(argv)
    if a.command and a.command[0] == "--":
        a.command = a.command[1:]
    if not a.command:
        p.error("command must be given after the options, got nothing")
    if a.num_workers < 1:
        p.error(f"--num-workers must be a positive integer, got {a.num_workers!r}")
    if a.num_servers is None:
        a.num_servers = a.num_workers
    if a.num_servers < 1:
        p.error(f"--num-servers must be a positive integer, got {a.num_servers!r}")
    if a.timeout is not None and not a.timeout > 0:
        p.error(f"--timeout must be a positive number of seconds, got {a.timeout!r}")
    a.hosts = None
    if a.launcher == "local":
        for opt, value in (("--hostfile", a.hostfile), ("--sync-dst-dir", a.sync_dst_dir)):
            if value is not None:
                p.error(f"{opt} must not be given with --launcher local, got {value!r}")
        if a.host_ip is None:
            a.host_ip = "127.0.0.1"
    else:
        if a.hostfile is None:
            p.error("--hostfile must be given with --launcher ssh, got none")
        try:
            a.hosts = read_hostfile(a.hostfile)
        except (OSError, ValueError) as e:
            p.error(str(e))
        words = " ".join(a.command)
        if "'" in words:
            p.error(f"command must not contain a single quote with --launcher ssh (the "
                    f"tracker wraps the remote command in single quotes), got {words!r}")
        workdir = a.sync_dst_dir if a.sync_dst_dir is not None else os.getcwd()
        if not workdir or shlex.quote(workdir) != workdir:
            what = "--sync-dst-dir" if a.sync_dst_dir is not None else "the current directory"
            p.error(f"{what} must be a path without spaces or shell characters with "
                    f"--launcher ssh (the tracker runs 'cd <dir>' unquoted), got {workdir!r}")
        if a.sync_dst_dir is not None and shutil.which("rsync") is None:
            p.error("--sync-dst-dir needs rsync on PATH, got none")
        for name in SSH_FORWARDED:
            value = os.environ.get(name)
            if value is not None and shlex.quote(value) != value:
                p.error(f"{name} must not hold spaces or shell characters with --launcher "
                        f"ssh (the tracker passes it unquoted), got {value!r}; unset it or "
                        "change it")
    try:
        a.extra_env = parse_env(a.env)
    except ValueError as e:
        p.error(str(e))
    if a.launcher == "ssh" and "PYTHONPATH" in os.environ:
        a.extra_env.setdefault("PYTHONPATH", os.environ["PYTHONPATH"])
    return a


# ----------------------------------------------------------------------------------
# the run: processes, threads and failures of one job
# ----------------------------------------------------------------------------------

class _Stopped(Exception):
    """Raised in a tracker thread that tries to start a process after the stop."""


class _Interrupted(Exception):
    """A signal asked the launcher to stop."""


class _Run:
    """Book-keeping of one launch: every process and tracker thread, and failures."""

    def __init__(self, ssh: bool) -> None:
        self.ssh = ssh
        self.lock = threading.Lock()
        self.changed = threading.Event()
        self.procs: list[tuple[subprocess.Popen, str]] = []
        self.threads: list[threading.Thread] = []
        self.failures: list[str] = []
        self.stopping = False
        self.local = threading.local()

    def fail(self, what: str) -> None:
        with self.lock:
            if not self.stopping:
                self.failures.append(what)
        self.local.failed = True
        self.changed.set()

    # -- processes -----------------------------------------------------------------
    def popen(self, cmd: Any, ssh_module: bool, **kwargs: Any) -> tuple[subprocess.Popen, str]:
        if ssh_module:
            cmd = _rewrite_ssh(cmd)
        what = _describe(cmd, kwargs.get("env"))
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        with self.lock:
            if self.stopping:
                raise _Stopped(what)
            proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
            self.procs.append((proc, what))
        return proc, what

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM every live process group, SIGKILL what is left after ``grace`` s."""
        with self.lock:
            self.stopping = True
            procs = [p for p, _ in self.procs]
        live = [p for p in procs if p.poll() is None]
        for p in live:
            _signal_group(p, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for p in live:
            try:
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for p in procs:
            _signal_group(p, signal.SIGKILL)  # the group may outlive its leader
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=5)

    def busy(self) -> bool:
        """Whether a tracker thread (and so its process) is still running."""
        with self.lock:
            return any(t.is_alive() for t in self.threads)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _rewrite_ssh(cmd: Any) -> Any:
    """dmlc_tracker.ssh's ssh and rsync command lines with our ssh options."""
    text = cmd[0] if isinstance(cmd, list) and len(cmd) == 1 else cmd
    if not isinstance(text, str) or _DMLC_SSH not in text:
        raise RuntimeError(f"unexpected command from dmlc_tracker.ssh (mxsched.gluon.launch knows "
                           f"the tracker of mxnet 1.9.1): {cmd!r}")
    if text.startswith(_DMLC_SSH):  # a job: remote end dies with the connection
        text = "ssh -tt " + _SSH_OPTIONS + text[len(_DMLC_SSH):]
    else:  # rsync --rsh="ssh ..."
        text = text.replace(_DMLC_SSH, "ssh " + _SSH_OPTIONS)
    return [text] if isinstance(cmd, list) else text


def _describe(cmd: Any, env: dict | None) -> str:
    text = cmd[0] if isinstance(cmd, list) and len(cmd) == 1 else cmd
    text = text if isinstance(text, str) else " ".join(map(str, text))
    if text.startswith("rsync "):
        return f"rsync ({text})"
    role = (env or {}).get("DMLC_ROLE")
    task = (env or {}).get("DMLC_TASK_ID")
    m = re.search(r"export DMLC_ROLE=(\w+);", text)
    host = re.search(r"export DMLC_NODE_HOST=([^;\s]+);", text)
    role = m.group(1) if m else role
    where = f" on {host.group(1)}" if host else ""
    if role is None:
        return f"process ({text[:200]})"
    return f"{role}{'' if task is None or role == 'scheduler' else ' ' + task}{where}"


class _SubprocessShim:
    """Stands in for ``subprocess`` inside a dmlc_tracker module."""

    CalledProcessError = subprocess.CalledProcessError
    DEVNULL = subprocess.DEVNULL
    PIPE = subprocess.PIPE

    def __init__(self, run: _Run, ssh_module: bool) -> None:
        self._run = run
        self._ssh = ssh_module

    def call(self, cmd: Any, **kwargs: Any) -> int:
        proc, what = self._run.popen(cmd, self._ssh, **kwargs)
        rc = proc.wait()
        if rc:
            self._run.fail(f"{what} exited with status {rc}")
        return rc

    def check_call(self, cmd: Any, **kwargs: Any) -> int:
        rc = self.call(cmd, **kwargs)
        if rc:
            raise subprocess.CalledProcessError(rc, cmd)
        return 0


def _thread_class(run: _Run) -> type:
    class TrackerThread(threading.Thread):
        """``threading.Thread`` as dmlc_tracker expects it; failures are recorded."""

        isAlive = threading.Thread.is_alive  # noqa: N815 - the name dmlc_tracker calls

        def setDaemon(self, daemonic: bool) -> None:  # noqa: N802
            self.daemon = daemonic

        def start(self) -> None:
            with run.lock:
                run.threads.append(self)
            super().start()

        def run(self) -> None:
            try:
                super().run()
            except _Stopped:
                pass
            except BaseException as e:  # noqa: BLE001 - recorded, then the job stops
                if not getattr(run.local, "failed", False):
                    run.fail(f"tracker thread {self.name} raised {e!r}"[:2000])
            finally:
                run.changed.set()

    return TrackerThread


class _SerialPool:
    """``multiprocessing.Pool`` for ``sync_dir``: runs each call now, errors propagate."""

    def __init__(self, processes: int | None = None) -> None:
        pass

    def apply_async(self, func: Callable, args: tuple = ()) -> None:
        func(*args)

    def close(self) -> None:
        pass

    def join(self) -> None:
        pass


@contextlib.contextmanager
def _patched_tracker(run: _Run, host_ip: str | None,
                     remote_env: dict[str, str]) -> Iterator[Any]:
    """dmlc_tracker with the fixes of the module docstring; restored on exit."""
    from dmlc_tracker import local, ssh, tracker

    thread = _thread_class(run)
    real_submit = tracker.submit

    def submit(nworker, nserver, fun_submit, hostIP="auto", pscmd=None):  # noqa: N803
        def fun(nw, ns, envs):
            return fun_submit(nw, ns, {**remote_env, **envs})

        return real_submit(nworker, nserver, fun, hostIP=host_ip or hostIP, pscmd=pscmd)

    replaced = [(tracker, "Thread", thread), (local, "Thread", thread), (ssh, "Thread", thread),
                (tracker, "subprocess", _SubprocessShim(run, False)),
                (local, "subprocess", _SubprocessShim(run, False)),
                (ssh, "subprocess", _SubprocessShim(run, True)),
                (ssh, "Pool", _SerialPool), (tracker, "submit", submit)]
    saved = [(module, name, getattr(module, name)) for module, name, _ in replaced]
    try:
        for module, name, value in replaced:
            setattr(module, name, value)
        yield (ssh if run.ssh else local), thread
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _signals_stop() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Interrupted(signal.Signals(signum).name)

    sigs = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    saved = [signal.signal(s, handler) for s in sigs]
    try:
        yield
    finally:
        for s, h in zip(sigs, saved):
            signal.signal(s, h)


def _dmlc_args(a: argparse.Namespace) -> argparse.Namespace:
    from dmlc_tracker import opts

    argv = ["--cluster", a.launcher, "--num-workers", str(a.num_workers),
            "--num-servers", str(a.num_servers)]
    if a.hostfile is not None:
        argv += ["--host-file", a.hostfile]
    if a.sync_dst_dir is not None:
        argv += ["--sync-dst-dir", a.sync_dst_dir]
    if a.host_ip is not None:
        argv += ["--host-ip", a.host_ip]
    dargs = opts.get_opts(argv + ["command"])
    dargs.command = list(a.command)  # not through its parser, which reorders '-x' words
    return dargs


def launch(a: argparse.Namespace) -> int:
    """Run the job of parsed options ``a``; return the exit status (0: all exited 0)."""
    run = _Run(ssh=a.launcher == "ssh")
    local_env = dict(a.extra_env)
    remote_env = {}
    if run.ssh:
        # pasted into "'export K=V; ...'": quoted for the remote shell, then for the local one
        remote_env = {k: shlex.quote(v).replace("'", "'\\''") for k, v in a.extra_env.items()}
    else:
        local_env.setdefault("DMLC_NODE_HOST", a.host_ip)
    status, reason = 0, ""
    started = time.monotonic()
    with _environment(local_env), _signals_stop():
        try:
            with _patched_tracker(run, a.host_ip, remote_env) as (module, thread_class):
                dargs = _dmlc_args(a)
                thread = thread_class(target=module.submit, args=(dargs,), name="dmlc-submit",
                                      daemon=True)
                thread.start()
                while True:
                    if run.failures:
                        status, reason = 1, "; ".join(run.failures)
                        break
                    if not run.busy():
                        break
                    if a.timeout is not None and time.monotonic() - started > a.timeout:
                        status, reason = 1, f"the job did not finish within {a.timeout:g} s"
                        break
                    run.changed.wait(0.2)
                    run.changed.clear()
        except _Interrupted as e:
            status, reason = 128 + getattr(signal, str(e)).value, f"stopped by {e}"
        finally:
            run.stop()
    count = len(run.procs)
    if status:
        print(f"mxsched.gluon.launch: {reason}; every process of the job was stopped",
              file=sys.stderr, flush=True)
    else:
        LOG.info("all %d processes of the job exited with status 0", count)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m mxsched.gluon.launch``; returns the exit status."""
    a = parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO)
    return launch(a)


if __name__ == "__main__":
    sys.exit(main())
