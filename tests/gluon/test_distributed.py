"""Schedules that survive scale-out and restarts (mxsched.gluon.distributed).

Real multi-process jobs (one scheduler, one server, two workers on 127.0.0.1,
started and killed by the test with time limits), several devices in one
process, the parameter-server pickling check, and exact resume from a
checkpoint. Learning rates are read back from the weights: a one-weight model
with a constant gradient, where update ``k`` subtracts ``float32(lr_k) * 1.5``
(see tests/gluon/dist_worker.py), simulated exactly in float32.
"""
import json
import os
import pickle
import signal
import sys
import time

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

import mxsched.gluon.distributed as dist
from mxsched import LinearWarmUp
from mxsched.gluon import (JobError, JobTimeout, LocalJob, ServerPickleError,
                           check_server_picklable, init_kvstore, latest_checkpoint,
                           server_payload)

import bad_schedule_module
import dist_schedules

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # tests/gluon -> the repository
WORKER = os.path.join(HERE, "dist_worker.py")
STEPS = 12
SAVE_AT = 5
W0 = 2.0
GRAD_SUM = 1.5  # workers' gradients 1 and 2 per sample, rescaled by 1 / batch, lr_mult 0.5
JOB_TIMEOUT = 60.0


def expected_weights(sched, steps, start=0, w0=W0, grad=GRAD_SUM):
    """Weights after updates start+1..steps, as MXNet's float32 SGD kernel makes them."""
    w = np.float32(w0)
    out = [float(w)]
    for k in range(start + 1, steps + 1):
        w = np.float32(w - np.float32(np.float32(sched(k)) * np.float32(grad)))
        out.append(float(w))
    return out


def assert_lrs_applied(weights, sched, start=0, grad=GRAD_SUM, who=""):
    """Every update applied sched(k): read lr_k off the weight deltas, then exactly."""
    for i, (before, after) in enumerate(zip(weights, weights[1:])):
        k = start + 1 + i
        got = (before - after) / grad
        assert got == pytest.approx(sched(k), abs=3e-7), \
            f"{who}LR is wrong at update {k}: expected {sched(k)}, got {got}"
    assert weights == expected_weights(sched, start + len(weights) - 1, start, weights[0], grad), \
        f"{who}weights differ from float32 SGD with the schedule"


def worker_cmd(out, uok, *extra):
    return [sys.executable, WORKER, "--out", str(out), "--steps", str(STEPS),
            "--update-on-kvstore", str(int(uok)), *extra]


def read_ranks(out):
    return [json.loads((out / f"rank{r}.json").read_text()) for r in (0, 1)]


# ---------------------------------------------------------------------------------
# the parameter-server pickling check
# ---------------------------------------------------------------------------------

def test_check_passes_for_a_nested_schedule_when_the_script_imports_mxnet_first():
    sched = dist_schedules.nested()
    got = check_server_picklable(sched, steps=range(STEPS + 1), first_imports=["mxnet"])
    assert got == {"mxnet": [sched(t) for t in range(STEPS + 1)]}


def test_check_passes_when_the_script_imports_mxsched_first():
    # A server runs the training script; if its first import is `import mxsched`,
    # the server loop starts inside mxsched's own import. Needs `import mxnet` as the
    # first statement of mxsched/__init__.py.
    sched = dist_schedules.nested()
    got = check_server_picklable(sched, steps=[0, 1, 3, 4, 7, 100])
    assert set(got) == {"mxnet", "mxsched"}, got


def test_check_accepts_an_optimizer_and_a_trainer():
    sched = dist_schedules.nested()
    opt = mx.optimizer.SGD(learning_rate=0.2, lr_scheduler=sched, momentum=0.9)
    values = check_server_picklable(opt, steps=[1, 2, 3, 4], first_imports=["mxnet"])["mxnet"]
    assert values == [opt.lr_scheduler(t) for t in [1, 2, 3, 4]]
    assert max(opt.lr_scheduler.values(range(50))) == pytest.approx(0.2)  # base_lr = peak

    net = gluon.nn.Dense(1, in_units=1)
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"lr_scheduler": sched})
    assert check_server_picklable(trainer, steps=[5], first_imports=["mxnet"])


def test_check_compares_stateful_mxnet_builtins_in_order_and_leaves_them_alone():
    sched = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
    got = check_server_picklable(sched, steps=range(8), first_imports=["mxnet"])["mxnet"]
    assert got == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert sched.base_lr == 1.0 and sched.count == 0  # not mutated by the check


def test_check_rejects_a_lambda():
    with pytest.raises(ServerPickleError, match="cannot be pickled with protocol 0.*lambda"):
        check_server_picklable(lambda t: 0.1)
    with pytest.raises(ServerPickleError, match="cannot be pickled"):
        check_server_picklable(LinearWarmUp(lambda t: 0.1, start_lr=0.0, length=3))


def test_check_rejects_a_module_that_reads_mx_lr_scheduler_at_import():
    sched = bad_schedule_module.HalvingSchedule(0.1)
    assert sched(3) == 0.0125  # fine locally
    with pytest.raises(ServerPickleError,
                       match=r"(?s)inside `import mxnet`.*partially initialized module 'mxnet'"
                             r".*from mxnet.lr_scheduler import LRScheduler"):
        check_server_picklable(sched)


def test_check_rejects_a_class_defined_in_the_training_script(monkeypatch):
    main = sys.modules["__main__"]

    class ScriptSchedule(mx.lr_scheduler.LRScheduler):
        def __call__(self, t):
            return 0.1

    ScriptSchedule.__module__, ScriptSchedule.__qualname__ = "__main__", "ScriptSchedule"
    monkeypatch.setattr(main, "ScriptSchedule", ScriptSchedule, raising=False)
    with pytest.raises(ServerPickleError, match="(?s)defined in __main__.*importable module"):
        check_server_picklable(ScriptSchedule(), first_imports=["mxnet"])


def test_check_rejects_a_schedule_that_changes_in_the_round_trip():
    with pytest.raises(ServerPickleError, match=r"other values .* at t=0 expected 0.5, got 0.1"):
        check_server_picklable(dist_schedules.ForgetfulSchedule(0.5), steps=[0, 1],
                               first_imports=["mxnet"])


def test_payload_is_what_mxnet_sends():
    sched = dist_schedules.nested()
    payload = server_payload(sched)
    assert payload.decode("ascii")  # protocol 0, ASCII: survives py_str and c_str
    opt = pickle.loads(payload)
    assert repr(opt.lr_scheduler) == repr(sched) and opt.lr_scheduler is not sched
    with pytest.raises(TypeError, match="obj must be a schedule"):
        server_payload(0.1)


def test_a_real_server_trains_on_with_summed_gradients_and_the_launcher_says_so(tmp_path):
    """What the check prevents: MXNet itself does not stop."""
    job = LocalJob(worker_cmd(tmp_path, True, "--schedule", "bad"), num_workers=2,
                   log_dir=str(tmp_path / "logs"))
    with job:
        with pytest.raises(JobError, match=r"(?s)\['server0'\] swallowed an exception.*"
                                           r"partially initialized module 'mxnet'"):
            job.wait(JOB_TIMEOUT)
    for rank in read_ranks(tmp_path):  # the workers finished "successfully"...
        assert rank["weights"][1:] == [12.0] * STEPS  # ...on the summed gradients 4*1 + 4*2


# ---------------------------------------------------------------------------------
# multi-process jobs
# ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """One full job per update_on_kvstore setting: {uok: [rank0, rank1]}."""
    runs = {}
    for uok in (True, False):
        out = tmp_path_factory.mktemp(f"full-uok{int(uok)}")
        result = dist.run_local_job(worker_cmd(out, uok), num_workers=2, timeout=JOB_TIMEOUT)
        assert set(result.returncodes.values()) == {0}, result.returncodes
        runs[uok] = read_ranks(out)
    return runs


@pytest.mark.parametrize("uok", [True, False], ids=["update_on_kvstore", "update_on_worker"])
def test_dist_sync_applies_the_scheduled_lr_at_every_update(uninterrupted, uok):
    sched = dist_schedules.nested()
    ranks = uninterrupted[uok]
    assert sorted(r["rank"] for r in ranks) == [0, 1]
    for r in ranks:
        assert len(r["weights"]) == STEPS + 1
        assert_lrs_applied(r["weights"], sched, who=f"rank {r['rank']}: ")
    # where the optimizer ran: the servers, or each worker (which then counts updates)
    assert [r["local_num_update"] for r in ranks] == ([0, 0] if uok else [STEPS, STEPS])


@pytest.mark.parametrize("uok", [True, False], ids=["update_on_kvstore", "update_on_worker"])
def test_dist_sync_trains_with_sgdr_of_growing_cycles(tmp_path, uok):
    """Cycles of 2, 4, 8 updates: the schedule reaches the servers and every update uses it."""
    sched = dist_schedules.sgdr()
    check_server_picklable(sched)
    result = dist.run_local_job(worker_cmd(tmp_path, uok, "--schedule", "sgdr"),
                                num_workers=2, timeout=JOB_TIMEOUT)
    assert set(result.returncodes.values()) == {0}, result.returncodes
    for r in read_ranks(tmp_path):
        assert len(r["weights"]) == STEPS + 1
        assert_lrs_applied(r["weights"], sched, who=f"rank {r['rank']}: ")


def test_without_init_kvstore_a_server_ignores_lr_mult(tmp_path):
    """MXNet 1.9.1 behaviour that init_kvstore corrects (lr_mult = 0.5 in the worker)."""
    dist.run_local_job(worker_cmd(tmp_path, True, "--no-init-fix"), num_workers=2,
                       timeout=JOB_TIMEOUT)
    sched = dist_schedules.nested()
    for r in read_ranks(tmp_path):
        assert r["weights"] == expected_weights(sched, STEPS, grad=2 * GRAD_SUM)


def _wait_for(paths, deadline, job):
    while not all(os.path.exists(p) for p in paths):
        if time.monotonic() > deadline:
            raise AssertionError(f"job did not reach the checkpoint in time; logs:\n"
                                 f"{job._tails(job.procs)}")
        dead = [n for n, p in job.procs.items() if p.poll() is not None]
        if dead:
            raise AssertionError(f"{dead} ended before the checkpoint:\n{job._tails(dead)}")
        time.sleep(0.05)


@pytest.mark.parametrize("uok", [True, False], ids=["update_on_kvstore", "update_on_worker"])
def test_sigkilled_worker_then_resume_equals_an_uninterrupted_run(uninterrupted, uok, tmp_path):
    sched = dist_schedules.nested()
    ckpt = tmp_path / "ckpt"
    first = tmp_path / "first"
    first.mkdir()
    job = LocalJob(worker_cmd(first, uok, "--ckpt", str(ckpt), "--save-at", str(SAVE_AT),
                              "--freeze-at", str(SAVE_AT)), num_workers=2)
    try:
        job.start()
        frozen = first / "frozen.json"
        _wait_for([frozen, ckpt / "latest"], time.monotonic() + JOB_TIMEOUT, job)
        pid = json.loads(frozen.read_text())["pid"]
        (victim,) = [n for n, p in job.procs.items() if p.pid == pid]
        job.kill(victim, signal.SIGKILL)
        job.procs[victim].wait(timeout=10)
        assert job.procs[victim].returncode == -signal.SIGKILL
    finally:
        job.cleanup()  # the survivors hang in the next update: kill them all
    assert all(p.poll() is not None for p in job.procs.values())
    assert os.path.basename(latest_checkpoint(str(ckpt))) == f"step-{SAVE_AT:09d}"

    second = tmp_path / "second"
    second.mkdir()
    dist.run_local_job(worker_cmd(second, uok, "--ckpt", str(ckpt), "--resume"),
                       num_workers=2, timeout=JOB_TIMEOUT)
    full = {r["rank"]: r["weights"] for r in uninterrupted[uok]}
    for r in read_ranks(second):
        assert r["start"] == SAVE_AT
        assert r["weights"] == full[r["rank"]][SAVE_AT:], f"rank {r['rank']} diverged"
        assert_lrs_applied(r["weights"], sched, start=SAVE_AT, who=f"rank {r['rank']}: ")


def test_launcher_kills_a_hanging_job_within_its_time_limit(tmp_path):
    hang = [sys.executable, "-c", "import time; time.sleep(120)"]
    job = LocalJob(hang, num_workers=2, num_servers=1)
    started = time.monotonic()
    with pytest.raises(JobTimeout, match="did not finish within 1 s; all processes killed"):
        with job:
            job.wait(1.0)
    assert time.monotonic() - started < 15
    assert all(p.poll() is not None for p in job.procs.values())
    job.cleanup()


def test_launcher_gives_every_node_the_loopback_job_environment(tmp_path):
    show = [sys.executable, "-c",
            "import json, os; print(json.dumps({k: v for k, v in os.environ.items() "
            "if k.startswith('DMLC_')}))"]
    job = LocalJob(show, num_workers=2, num_servers=2, log_dir=str(tmp_path))
    with job:
        result = job.wait(JOB_TIMEOUT, check=False)
    envs = {n: json.loads(log) for n, log in result.logs.items()}
    assert sorted(envs) == ["scheduler", "server0", "server1", "worker0", "worker1"]
    ports = {e["DMLC_PS_ROOT_PORT"] for e in envs.values()}
    assert len(ports) == 1 and int(ports.pop()) > 0
    for name, e in envs.items():
        assert e["DMLC_ROLE"] == name.rstrip("0123456789")
        assert e["DMLC_PS_ROOT_URI"] == e["DMLC_NODE_HOST"] == "127.0.0.1"
        assert (e["DMLC_NUM_WORKER"], e["DMLC_NUM_SERVER"]) == ("2", "2")
    with pytest.raises(ValueError, match="num_workers must be a positive integer, got 0"):
        LocalJob(show, num_workers=0)


# ---------------------------------------------------------------------------------
# several devices in one process
# ---------------------------------------------------------------------------------

CTXS = [mx.cpu(0), mx.cpu(1)]
X = 3.0  # every sample's input: gradient X per sample, rescaled by 1 / batch


def make_net(ctx, w0=W0):
    net = gluon.nn.Dense(1, use_bias=False, in_units=1)
    net.initialize(mx.init.Constant(w0), ctx=ctx)
    return net


def make_trainer(net, sched, uok, **opt):
    if len(net.weight.list_ctx()) == 1:
        # MXNet 1.9.1 makes no kvstore for one device, and update_on_kvstore=True then
        # fails with "'NoneType' object has no attribute 'is_capable'": the optimizer
        # runs in the trainer's updater either way.
        uok = None
    return gluon.Trainer(net.collect_params(), "sgd", dict(lr_scheduler=sched, **opt),
                         kvstore="device", update_on_kvstore=uok)


def train_steps(net, trainer, ctxs, steps, batch=4):
    """`steps` updates; returns the weight on every device and trainer.learning_rate."""
    x = mx.nd.full((batch, 1), X)
    weights, lrs = [], []
    for _ in range(steps):
        parts = gluon.utils.split_and_load(x, ctxs)
        with autograd.record():
            losses = [net(p).sum() for p in parts]
        for loss in losses:
            loss.backward()
        trainer.step(batch)
        weights.append([float(net.weight.data(c).asnumpy()[0, 0]) for c in ctxs])
        lrs.append(trainer.learning_rate)
    return weights, lrs


@pytest.mark.parametrize("uok", [True, False], ids=["update_on_kvstore", "per_device_updaters"])
def test_two_devices_apply_the_same_schedule_as_one(uok):
    sched = dist_schedules.nested()
    net = make_net(CTXS)
    trainer = make_trainer(net, sched, uok)
    weights, lrs = train_steps(net, trainer, CTXS, STEPS)
    per_device = list(zip(*weights))
    assert per_device[0] == per_device[1]
    assert_lrs_applied([W0, *per_device[0]], sched, grad=X)
    assert lrs == [sched(k) for k in range(1, STEPS + 1)]
    opt = trainer._optimizer
    assert opt.num_update == STEPS
    if not uok:  # MXNet counts each device's updates separately; num_update is their max
        assert sorted(opt._all_index_update_counts) == [0, 1]
        assert all(c == {0: STEPS} for c in opt._all_index_update_counts.values())

    one = make_net(mx.cpu(0))
    single, _ = train_steps(one, make_trainer(one, dist_schedules.nested(), uok), [mx.cpu(0)],
                            STEPS)
    assert [w[0] for w in single] == list(per_device[0])


# ---------------------------------------------------------------------------------
# exact resume in one process, and checkpoints: tests/gluon/test_checkpoints.py
# ---------------------------------------------------------------------------------

def test_init_kvstore_checks_its_arguments():
    net = make_net(mx.cpu(0))
    trainer = make_trainer(net, dist_schedules.nested(), False)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        init_kvstore(trainer, 0)
    with pytest.raises(TypeError, match="trainer must be an MXNet 1.x gluon.Trainer"):
        init_kvstore(object(), 4)
    init_kvstore(trainer, 4)  # a single device has no kvstore: nothing to do, no error


# ---------------------------------------------------------------------------------
# the example
# ---------------------------------------------------------------------------------

def test_large_batch_example_gives_every_worker_the_same_learning_rates(tmp_path):
    import subprocess

    script = os.path.join(ROOT, "examples", "large_batch.py")
    done = subprocess.run(
        [sys.executable, script, "--num-workers", "2", "--epochs", "3", "--warmup-epochs", "1",
         "--out", str(tmp_path), "--timeout", str(JOB_TIMEOUT)],
        capture_output=True, text=True, timeout=2 * JOB_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 worker(s): every worker applied the same 15 learning rates" in done.stdout
    (summary,) = json.loads((tmp_path / "summary.json").read_text())
    assert summary["lr_error_over_tolerance"] <= 1.0  # vs float32(schedule(k)), off the probe
    assert summary["epoch_loss"][-1] < summary["epoch_loss"][0]
