"""``python -m mxsched.gluon.launch``: MXNet's tracker on Python 3.11, locally and over ssh.

The job tests run the real launcher as a subprocess on 127.0.0.1: a ``dist_sync``
training job (tests/gluon/launch_job.py, which is tests/gluon/dist_worker.py plus a record of
how it was started) with the local launcher, and with the ssh launcher against an
sshd that the test starts on a free loopback port (root only: sshd needs it for
privilege separation). The client side reaches it through an ``ssh`` wrapper on
PATH that adds a generated key and a temporary ``known_hosts``. Every launcher run
is bounded in time; afterwards every process carrying the run's token in its
environment (the launcher passes it on with ``--env``) is killed, and the tests
check that none was left.

Without sshd (or not as root) the ssh tests fail under CI (``CI`` or
``MXSCHED_CI`` set, as ``.ci/run`` does, which installs openssh-server,
openssh-client and rsync) and are skipped otherwise.
"""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import threading
import time
import types
import uuid

import numpy as np
import pytest

import mxsched.gluon.launch as launch
from mxsched.gluon.distributed import free_port

import dist_schedules

ROOT = pathlib.Path(__file__).resolve().parents[2]
JOB = "tests/gluon/launch_job.py"  # relative: the ssh launcher must `cd` into the launch directory
STEPS = 12
W0 = 2.0
GRAD_SUM = 1.5  # two workers' gradients 1 and 2 per sample, / batch, lr_mult 0.5
LAUNCH_TIMEOUT = 100.0  # the launcher's own --timeout; the test waits a bit longer
TOKEN_VAR = "MXSCHED_LAUNCH_TOKEN"


def under_ci() -> bool:
    return any(os.environ.get(v, "").lower() not in ("", "0", "false", "no")
               for v in ("CI", "MXSCHED_CI"))


# ---------------------------------------------------------------------------------
# running the launcher, bounded, and cleaning up after it
# ---------------------------------------------------------------------------------

def tagged(token):
    """Pids of the processes whose environment holds ``TOKEN_VAR=token``."""
    needle = f"{TOKEN_VAR}={token}\0".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read():
                    pids.append(int(entry))
        except OSError:
            pass
    return pids


def kill_tagged(token):
    for pid in tagged(token):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def left_behind(token, wait=15.0):
    """Processes of the run still alive after up to ``wait`` s (a remote end may lag)."""
    deadline = time.monotonic() + wait
    while tagged(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    return tagged(token)


def new_token():
    # spaces, a single quote and a $: it must reach ssh jobs unchanged through two shells
    return f"run {uuid.uuid4().hex} it's $HOME"


def run_launcher(args, *, cwd, token, log, extra_env=None, path_prefix=None, stop_when=None):
    """Run ``python -m mxsched.gluon.launch args`` to its end; return (status, output).

    With ``stop_when``, send the launcher SIGTERM as soon as ``stop_when()`` is true.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DMLC_", "PS_"))}
    env.update({"OMP_NUM_THREADS": "1", TOKEN_VAR: token,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                            os.environ.get("PYTHONPATH")]))})
    if path_prefix:
        env["PATH"] = f"{path_prefix}{os.pathsep}{env['PATH']}"
    env.update(extra_env or {})
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mxsched.gluon.launch", *map(str, args)],
                                cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            if stop_when is not None:
                deadline = time.monotonic() + LAUNCH_TIMEOUT
                while not stop_when() and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.2)
                proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=LAUNCH_TIMEOUT + 20)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)  # the launcher stops its job ...
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            os.killpg(proc.pid, signal.SIGKILL)  # ... or is killed with what is left
            proc.wait()
            kill_tagged(token)
            pytest.fail(f"launcher {args} did not end within {LAUNCH_TIMEOUT + 20:g} s:\n"
                        + pathlib.Path(log).read_text(errors="replace")[-4000:])
    return proc.returncode, pathlib.Path(log).read_text(errors="replace")


def job_args(out, *extra):
    return ["--timeout", LAUNCH_TIMEOUT, *extra, "--", sys.executable, JOB, "--out", out,
            "--steps", STEPS, "--update-on-kvstore", 1]


def expected_weights(sched):
    """Weights after updates 1..STEPS, as MXNet's float32 SGD kernel makes them."""
    w = np.float32(W0)
    out = [float(w)]
    for k in range(1, STEPS + 1):
        w = np.float32(w - np.float32(np.float32(sched(k)) * np.float32(GRAD_SUM)))
        out.append(float(w))
    return out


def check_training(out):
    """Both workers finished and applied sched(k) at every update k, identically."""
    ranks = [json.loads((out / f"rank{r}.json").read_text()) for r in (0, 1)]
    sched = dist_schedules.nested()
    w0, w1 = ranks[0]["weights"], ranks[1]["weights"]
    assert w0 == w1, "the workers' weights differ"
    applied = [(a - b) / GRAD_SUM for a, b in zip(w0, w0[1:])]
    wanted = [sched(k) for k in range(1, STEPS + 1)]
    assert applied == pytest.approx(wanted, abs=3e-7), "learning rates differ from the schedule"
    assert w0 == expected_weights(sched), "weights differ from float32 SGD with the schedule"
    return [json.loads(p.read_text()) for p in sorted(out.glob("started-*.json"))]


# ---------------------------------------------------------------------------------
# options
# ---------------------------------------------------------------------------------

def test_importing_the_module_changes_nothing_and_the_fixes_are_undone():
    import threading as th

    from dmlc_tracker import local, ssh, tracker

    assert not hasattr(th.Thread, "isAlive")
    before = (tracker.Thread, local.Thread, ssh.Thread, tracker.subprocess, ssh.Pool,
              tracker.submit)
    run = launch._Run(ssh=True)
    with launch._patched_tracker(run, None, {}) as (module, thread_class):
        assert module is ssh and tracker.Thread is thread_class and local.Thread is thread_class
        t = thread_class(target=lambda: None)
        t.setDaemon(True)
        t.start()
        t.join()
        assert t.daemon and not t.isAlive()
        assert tracker.subprocess is not subprocess
    assert (tracker.Thread, local.Thread, ssh.Thread, tracker.subprocess, ssh.Pool,
            tracker.submit) == before
    assert not hasattr(th.Thread, "isAlive")


def test_help_lists_the_options_and_their_defaults(capsys):
    with pytest.raises(SystemExit) as e:
        launch.main(["--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    for opt in ("--num-workers", "--num-servers", "--hostfile", "--launcher", "--sync-dst-dir",
                "--env", "--host-ip", "--timeout", "default: N", "default: ssh"):
        assert opt in text, opt


def test_defaults_follow_mxnets_launcher(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("10.0.0.1\n\nnode-2:2222 slots=4\n")
    a = launch.parse_args(["-n", "3", "-H", str(hosts), "python", "train.py", "-n", "7"])
    assert (a.launcher, a.num_servers, a.host_ip) == ("ssh", 3, None)
    assert a.hosts == [("10.0.0.1", 22), ("node-2", 2222)]
    assert a.command == ["python", "train.py", "-n", "7"]  # the command's words stay its own
    a = launch.parse_args(["--launcher", "local", "-n", "2", "-s", "1", "--", "python", "t.py"])
    assert (a.num_servers, a.host_ip, a.command) == (1, "127.0.0.1", ["python", "t.py"])


@pytest.mark.parametrize("argv, message", [
    (["-n", "0", "--launcher", "local", "x"], "--num-workers must be a positive integer, got 0"),
    (["-n", "1", "-s", "0", "--launcher", "local", "x"], "--num-servers must be a positive"),
    (["-n", "1", "--launcher", "local"], "command must be given"),
    (["-n", "1", "x"], "--hostfile must be given with --launcher ssh"),
    (["-n", "1", "--launcher", "local", "-H", "h", "x"], "--hostfile must not be given"),
    (["-n", "1", "--launcher", "local", "--timeout", "0", "x"], "--timeout must be a positive"),
    (["-n", "1", "--launcher", "local", "--env", "DMLC_ROLE=x", "x"], "--env must not set DMLC"),
    (["-n", "1", "--launcher", "local", "--env", "9X", "x"], "--env must be NAME"),
    (["-n", "1", "--launcher", "local", "--env", "MXSCHED_SURELY_UNSET_VAR", "x"],
     "--env MXSCHED_SURELY_UNSET_VAR must name a variable set here"),
])
def test_bad_options_are_named(argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        launch.parse_args(argv)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_host_files_and_ssh_commands_are_named(tmp_path, capsys):
    hosts = tmp_path / "hosts"
    for text, message in [("", "hostfile must name at least one host"),
                          ("a b\n", "hostfile line 1 must be 'host' or 'host:port'"),
                          ("ok\nnode:99999\n", "hostfile line 2 must be"),
                          ("[::1]:22\n", "hostfile line 1 must be")]:
        hosts.write_text(text)
        with pytest.raises(ValueError, match=message.replace("'", ".")):
            launch.read_hostfile(str(hosts))
    hosts.write_text("127.0.0.1\n")
    with pytest.raises(SystemExit):
        launch.parse_args(["-n", "1", "-H", str(hosts), "python", "-c", "print('x')"])
    assert "command must not contain a single quote" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        launch.parse_args(["-n", "1", "-H", str(hosts), "--sync-dst-dir", "/a dir", "x"])
    assert "--sync-dst-dir must be a path without spaces" in capsys.readouterr().err


def test_env_values_forms():
    env = {"A": "from here"}
    assert launch.parse_env(["A", "B:1:2", "C=x=y", "D:"], env) == {
        "A": "from here", "B": "1:2", "C": "x=y", "D": ""}


# ---------------------------------------------------------------------------------
# the local launcher
# ---------------------------------------------------------------------------------

def test_local_launcher_runs_a_dist_sync_job_with_two_servers_and_two_workers(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    token = new_token()
    try:
        status, log = run_launcher(["--launcher", "local", "-n", 2, "-s", 2,
                                    *job_args(out, "--env", TOKEN_VAR)],
                                   cwd=ROOT, token=token, log=tmp_path / "launch.log")
        assert status == 0, log[-4000:]
        assert "all 5 processes of the job exited with status 0" in log
        started = check_training(out)
        assert len(started) == 2
        for s in started:
            assert s["env"]["DMLC_ROLE"] == "worker" and s["env"]["DMLC_NUM_SERVER"] == "2"
            assert s["env"]["DMLC_NODE_HOST"] == "127.0.0.1" and s["env"][TOKEN_VAR] == token
        assert left_behind(token) == []
    finally:
        kill_tagged(token)


def test_local_launcher_stops_the_job_when_a_worker_fails(tmp_path):
    script = tmp_path / "job.py"
    script.write_text("import os, sys, time\n"
                      "if os.environ['DMLC_ROLE'] == 'worker' and os.environ['DMLC_TASK_ID'] == '0':\n"
                      "    sys.exit(3)\n"
                      "time.sleep(600)\n")
    token = new_token()
    try:
        status, log = run_launcher(["--launcher", "local", "-n", 2, "-s", 1, "--timeout",
                                    LAUNCH_TIMEOUT, sys.executable, script],
                                   cwd=tmp_path, token=token, log=tmp_path / "launch.log")
        assert status == 1, log
        assert "worker 0 exited with status 3; every process of the job was stopped" in log
        assert left_behind(token) == []
    finally:
        kill_tagged(token)


def test_local_launcher_time_out_stops_every_process(tmp_path):
    script = tmp_path / "job.py"
    script.write_text("import time\ntime.sleep(600)\n")
    token = new_token()
    try:
        status, log = run_launcher(["--launcher", "local", "-n", 2, "-s", 1, "--timeout", 3,
                                    sys.executable, script],
                                   cwd=tmp_path, token=token, log=tmp_path / "launch.log")
        assert status == 1, log
        assert "the job did not finish within 3 s; every process of the job was stopped" in log
        assert left_behind(token) == []
    finally:
        kill_tagged(token)


# ---------------------------------------------------------------------------------
# the ssh launcher, against an sshd on loopback
# ---------------------------------------------------------------------------------

def ssh_missing(*, rsync=False):
    if os.geteuid() != 0:
        return "the sshd of these tests runs as root (privilege separation)"
    for exe, package in [("/usr/sbin/sshd", "openssh-server")]:
        if not os.access(exe, os.X_OK):
            return f"{exe} is missing (Debian package {package})"
    for exe, package in [("ssh", "openssh-client"), ("ssh-keygen", "openssh-client")] + (
            [("rsync", "rsync")] if rsync else []):
        if shutil.which(exe) is None:
            return f"{exe} is not on PATH (Debian package {package})"
    return None


def require_ssh(**kwargs):
    reason = ssh_missing(**kwargs)
    if reason:
        if under_ci():
            pytest.fail(f"ssh launcher tests need sshd under CI: {reason}")
        pytest.skip(f"ssh launcher tests need sshd: {reason} (run .ci/run as root to install)")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """An sshd on a free port of 127.0.0.1 that accepts a generated key for root."""
    require_ssh()
    d = tmp_path_factory.mktemp("sshd")
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)],
                       check=True, timeout=30)
    (d / "authorized_keys").write_text((d / "client_key.pub").read_text())
    (d / "authorized_keys").chmod(0o600)
    (d / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1\nHostKey {d / 'host_key'}\n"
        f"AuthorizedKeysFile {d / 'authorized_keys'}\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        f"StrictModes no\nPidFile {d / 'sshd.pid'}\nLogLevel INFO\n")
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation directory
    port = free_port()
    log = d / "sshd.log"
    proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", str(d / "sshd_config"), "-p",
                             str(port), "-E", str(log)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while "Server listening" not in (log.read_text() if log.exists() else ""):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"sshd did not start (exit {proc.poll()}): "
                            + (log.read_text() if log.exists() else "no log"))
            time.sleep(0.1)
        (d / "ssh_config").write_text(
            f"Host *\n  User root\n  IdentityFile {d / 'client_key'}\n  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {d / 'known_hosts'}\n  GlobalKnownHostsFile /dev/null\n")
        bin_dir = d / "bin"
        bin_dir.mkdir()
        wrapper = bin_dir / "ssh"
        wrapper.write_text(f"#!/bin/sh\nexec {shutil.which('ssh')} -F {d / 'ssh_config'} \"$@\"\n")
        wrapper.chmod(0o755)
        (d / "hosts").write_text(f"127.0.0.1:{port}\n")
        yield types.SimpleNamespace(port=port, bin=str(bin_dir), hosts=d / "hosts", log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def logins(sshd):
    return sshd.log.read_text().count("Accepted publickey for root")


def test_ssh_launcher_runs_a_dist_sync_job_with_one_server_and_two_workers(sshd, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    token = new_token()
    before = logins(sshd)
    try:
        status, log = run_launcher(["-H", sshd.hosts, "-n", 2, "-s", 1, "--host-ip", "127.0.0.1",
                                    *job_args(out, "--env", TOKEN_VAR)],
                                   cwd=ROOT, token=token, log=tmp_path / "launch.log",
                                   path_prefix=sshd.bin)
        assert status == 0, log[-4000:]
        assert logins(sshd) - before == 3, "expected one ssh login per server and worker"
        started = check_training(out)
        assert len(started) == 2
        for s in started:
            assert s["cwd"] == str(ROOT) and s["file"] == str(ROOT / JOB)
            assert s["env"]["DMLC_ROLE"] == "worker" and s["env"]["DMLC_NODE_HOST"] == "127.0.0.1"
            assert s["env"][TOKEN_VAR] == token  # quoted through both shells
            assert s["env"]["OMP_NUM_THREADS"] == "1"
            assert s["env"]["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)
        assert left_behind(token) == []
    finally:
        kill_tagged(token)


PROBE = """import json, os, sys, time
role = os.environ["DMLC_ROLE"]
with open(os.path.join(sys.argv[1], f"{role}-{os.getpid()}.json"), "w") as f:
    json.dump({"role": role, "cwd": os.getcwd(), "file": os.path.abspath(__file__),
               "token": os.environ.get("MXSCHED_LAUNCH_TOKEN")}, f)
if len(sys.argv) > 2:
    time.sleep(float(sys.argv[2]))
"""


def test_ssh_launcher_syncs_the_directory_and_runs_there(sshd, tmp_path):
    require_ssh(rsync=True)
    src, dst, out = tmp_path / "src", tmp_path / "dst", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "probe.py").write_text(PROBE)
    token = new_token()
    try:
        status, log = run_launcher(["-H", sshd.hosts, "-n", 1, "-s", 1, "--host-ip", "127.0.0.1",
                                    "--sync-dst-dir", dst, "--env", f"{TOKEN_VAR}:{token}",
                                    "--timeout", LAUNCH_TIMEOUT, sys.executable, "probe.py", out],
                                   cwd=src, token=token, log=tmp_path / "launch.log",
                                   path_prefix=sshd.bin)
        assert status == 0, log
        records = {r["role"]: r for r in (json.loads(p.read_text()) for p in out.glob("*.json"))}
        assert sorted(records) == ["scheduler", "server", "worker"]
        assert records["scheduler"]["cwd"] == str(src)  # the scheduler runs here
        for role in ("server", "worker"):
            assert records[role]["cwd"] == str(dst) and records[role]["file"] == str(dst / "probe.py")
            assert records[role]["token"] == token
        assert left_behind(token) == []
    finally:
        kill_tagged(token)


def test_ssh_launcher_stopped_by_sigterm_stops_the_remote_processes(sshd, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "probe.py").write_text(PROBE)
    token = new_token()
    try:
        status, log = run_launcher(["-H", sshd.hosts, "-n", 2, "-s", 1, "--host-ip", "127.0.0.1",
                                    "--env", TOKEN_VAR, "--timeout", LAUNCH_TIMEOUT,
                                    sys.executable, "probe.py", out, 600],
                                   cwd=tmp_path, token=token, log=tmp_path / "launch.log",
                                   path_prefix=sshd.bin,
                                   stop_when=lambda: len(list(out.glob("*.json"))) == 4)
        assert len(list(out.glob("*.json"))) == 4, log  # scheduler, server, 2 workers ran
        assert status == 128 + signal.SIGTERM, log
        assert "stopped by SIGTERM; every process of the job was stopped" in log
        assert left_behind(token) == [], "remote processes outlived the launcher"
    finally:
        kill_tagged(token)
