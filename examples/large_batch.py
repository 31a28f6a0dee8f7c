"""Large-batch training over N workers: linear scaling rule + warm-up, on a parameter server.

The learning rate follows the linear scaling rule of Goyal et al., "Accurate, Large
Minibatch SGD: Training ImageNet in 1 Hour" (2017)::

    peak_lr = base_lr * total_batch / 256

reached by a linear warm-up and followed by a cosine decay to 0 (counted in optimizer
updates, the same on every worker)::

    LinearWarmUp(CosineAnnealing(min_lr=0, max_lr=peak_lr, cycle_length=U - W),
                 start_lr=0, length=W)

The data is scikit-learn's ``digits`` (1,797 8x8 images, shipped with scikit-learn, no
download), a fixed train/test split, and a small MLP. Every epoch all workers draw the
same permutation; each global batch of ``--total-batch`` rows is cut into N shards and
worker ``rank`` trains on shard ``rank``. ``trainer.step(total_batch)`` makes the
optimizer scale the *summed* gradients of all workers by ``1 / total_batch``: the update
is the gradient of the mean loss over the global batch, whatever N is. So runs with 1, 2
and 4 workers at the same total batch follow the same learning rates and (up to float
summation order) the same loss curve.

Run on one machine
------------------
::

    python examples/large_batch.py --num-workers 4           # one job
    python examples/large_batch.py --num-workers 1 2 4       # three jobs, compared

Without ``DMLC_ROLE`` in the environment the script is the *launcher*: it checks that
the schedule survives the trip to a parameter server
(:func:`mxsched.gluon.check_server_picklable`), then, per worker count, starts a
scheduler, ``--num-servers`` servers and N workers on 127.0.0.1 running this same script
(:class:`mxsched.gluon.LocalJob`: free port, time limit, every process group
killed at the end), and finally compares what the workers wrote: every worker must have
applied the same learning rate at every update, equal to the schedule (read back from a
probe weight, see below), and the loss curves are printed side by side.

Run across machines
-------------------
With ``DMLC_ROLE`` set, the script is a job process: ``import mxnet`` turns a
``scheduler`` or ``server`` into that role (it never returns), a ``worker`` trains
(``--num-workers`` is then ignored: the kvstore knows the count). So it runs
unchanged under ``python -m mxsched.gluon.launch``, MXNet's own launcher (the
``dmlc_tracker`` of the mxnet wheel, made to work on Python 3.9 and later; see
:mod:`mxsched.gluon.launch` for every option). What the machines need:

* this repository at the **same path** on every host, with the package installed in
  a virtual environment at the same path (``make install`` there makes ``.venv``
  with scikit-learn); the launcher runs ``cd <this directory>`` on each host, then
  the command;
* ssh from this machine to every host **without a prompt**: your public key in the
  host's ``~/.ssh/authorized_keys`` (an unknown host key is accepted and remembered,
  a changed one refused);
* ``--out`` a directory that every worker can write to (a shared file system): each
  worker writes its record there.

A host file names one host a line, ``host`` or ``host:port`` (the ssh port); servers
first, then workers are spread over it round-robin, the scheduler runs on this
machine (``--host-ip`` gives its address if the hosts cannot reach the one the
tracker guesses). From the repository on this machine::

    printf '10.0.0.2\n10.0.0.3:2222\n' > hosts
    .venv/bin/python -m mxsched.gluon.launch --launcher ssh -H hosts -n 4 -s 2 \\
        .venv/bin/python examples/large_batch.py --total-batch 1024 --out /shared/run1
    .venv/bin/python examples/large_batch.py --summarize /shared/run1   # checks the records

``--launcher local`` (no host file) starts the same job on this machine only.
Or start the processes by hand, on each machine, with the variables that the
launcher sets::

    DMLC_ROLE=scheduler|server|worker   # one scheduler, S servers, N workers
    DMLC_PS_ROOT_URI=10.0.0.1           # the scheduler's address ...
    DMLC_PS_ROOT_PORT=9091              # ... and port
    DMLC_NUM_SERVER=S DMLC_NUM_WORKER=N
    DMLC_NODE_HOST=<this machine's address>  (optional: the address to announce)

Pitfalls this script avoids (see README, "Distributed training and resuming"):
``import mxnet`` comes before ``import mxsched`` -- a server unpickles the optimizer,
schedule included, while it is still inside its first ``import mxnet``; the kvstore is
initialised before the first forward pass (:func:`mxsched.gluon.init_kvstore`) --
otherwise, with ``update_on_kvstore=False``, a worker can start from the summed
gradients instead of the initial weights.

The applied learning rate
-------------------------
With ``update_on_kvstore=True`` the optimizer runs on the servers and a worker's
``trainer.learning_rate`` does not move. So the model carries one extra scalar, the
*probe* ``p``, whose gradient is exactly 1 (it enters the loss as ``p - stop_gradient(p)``,
which is 0) and whose weight decay is 0. SGD with momentum ``mu`` gives
``m_k = mu * m_{k-1} - lr_k`` and ``p_k = p_{k-1} + m_k``, so every worker reads the
learning rate its update ``k`` really used off its own copy of ``p``:
``lr_k = -((p_k - p_{k-1}) - mu * (p_{k-1} - p_{k-2}))``. Workers must agree exactly;
the value must equal ``float32(schedule(k))`` (MXNet hands the kernels a float32
learning rate) up to the rounding of the float32 weight ``p``, i.e. within
``(1 + mu) * 2 * eps32 * max |p|`` over the three weights involved (a float64 probe
would not help: MXNet 1.9.1's dist kvstore carries float64 arrays at float32
precision).
"""
import mxnet as mx  # first: a parameter server starts inside this import

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
from mxnet import autograd, gluon, nd

from mxsched import CosineAnnealing, LinearWarmUp
from mxsched.gluon import LocalJob, check_server_picklable, init_kvstore

REFERENCE_BATCH = 256
MOMENTUM = 0.9


def build_schedule(base_lr: float, total_batch: int, updates: int, warmup: int) -> LinearWarmUp:
    """Linear scaling rule, linear warm-up over ``warmup`` updates, cosine decay to 0."""
    peak = base_lr * total_batch / REFERENCE_BATCH
    return LinearWarmUp(CosineAnnealing(min_lr=0.0, max_lr=peak, cycle_length=updates - warmup),
                        start_lr=0.0, length=warmup)


def load_split(seed: int = 0):
    """Digits as float32 in [0, 1], 80 % train / 20 % test, the same on every worker."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.float32)
    order = np.random.RandomState(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def plan(args, num_train: int):
    per_epoch = num_train // args.total_batch  # full global batches only
    if per_epoch < 1:
        raise ValueError(f"total_batch must be at most the {num_train} training images, "
                         f"got {args.total_batch}")
    updates = per_epoch * args.epochs
    warmup = per_epoch * args.warmup_epochs
    if not 0 < warmup < updates:
        raise ValueError(f"warmup_epochs must be between 1 and epochs - 1, got "
                         f"{args.warmup_epochs}")
    return per_epoch, updates, warmup


class MLP(gluon.nn.Block):
    """64 -> hidden -> 10, plus the learning-rate probe (a scalar with gradient 1)."""

    def __init__(self, hidden: int = 64, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.body = gluon.nn.Sequential()
            self.body.add(gluon.nn.Dense(hidden, activation="relu", in_units=64),
                          gluon.nn.Dense(10, in_units=hidden))
            self.probe = self.params.get("lr_probe", shape=(1,), init=mx.init.Zero(),
                                         wd_mult=0.0)

    def forward(self, x):
        p = self.probe.data()
        return self.body(x), p - nd.stop_gradient(p)  # value 0, gradient 1


# ------------------------------------------------------------------------------
# a worker
# ------------------------------------------------------------------------------

def work(args) -> None:
    kv = mx.kv.create(args.kvstore)
    rank, num_workers = kv.rank, kv.num_workers
    if args.total_batch % num_workers:
        raise ValueError(f"total_batch must be divisible by the {num_workers} workers, "
                         f"got {args.total_batch}")
    shard = args.total_batch // num_workers
    x_train, y_train, x_test, y_test = load_split()
    per_epoch, updates, warmup = plan(args, len(x_train))
    sched = build_schedule(args.base_lr, args.total_batch, updates, warmup)

    mx.random.seed(args.seed)  # rank 0's initial weights are broadcast anyway
    net = MLP()
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"lr_scheduler": sched, "momentum": MOMENTUM, "wd": 1e-4},
                            kvstore=kv, update_on_kvstore=bool(args.update_on_kvstore))
    init_kvstore(trainer, args.total_batch)  # before the first forward pass
    ce = gluon.loss.SoftmaxCrossEntropyLoss()

    probe = [float(net.probe.data().asnumpy()[0])]
    epoch_loss, epoch_count, first_batch, last_batch = [], [], [], []
    started = time.time()
    for epoch in range(args.epochs):
        order = np.random.RandomState(args.seed + 1 + epoch).permutation(len(x_train))
        total, count = 0.0, 0
        for b in range(per_epoch):
            rows = order[b * args.total_batch:(b + 1) * args.total_batch]
            mine = rows[rank * shard:(rank + 1) * shard]
            x, y = nd.array(x_train[mine]), nd.array(y_train[mine])
            with autograd.record():
                out, zero = net(x)
                losses = ce(out, y)
                objective = losses + zero
            objective.backward()
            trainer.step(args.total_batch)  # summed gradients / total batch
            batch_loss = float(losses.sum().asscalar())
            total, count = total + batch_loss, count + len(mine)
            if b == 0:
                first_batch.append(batch_loss / len(mine))
            probe.append(float(net.probe.data().asnumpy()[0]))
        last_batch.append(batch_loss / len(mine))
        epoch_loss.append(total)
        epoch_count.append(count)
    seconds = time.time() - started

    out, _ = net(nd.array(x_test))
    accuracy = float((out.argmax(axis=1).asnumpy() == y_test).mean())
    moves = np.diff(np.asarray(probe, dtype=np.float64))
    mu = float(np.float32(MOMENTUM))  # the kernels get momentum and lr as float32
    applied = -(moves - mu * np.concatenate([[0.0], moves[:-1]]))
    record = {
        "rank": rank, "num_workers": num_workers, "shard_batch": shard,
        "schedule": repr(sched), "updates": updates, "warmup": warmup,
        "lr_scheduled": [sched(k) for k in range(1, updates + 1)],
        "lr_applied": applied.tolist(), "probe": probe,
        "epoch_loss_sum": epoch_loss, "epoch_count": epoch_count,
        "epoch_first_batch_loss": first_batch, "epoch_last_batch_loss": last_batch,
        "test_accuracy": accuracy, "train_seconds": seconds,
    }
    with open(os.path.join(args.out, f"worker-rank{rank}.json"), "w") as f:
        json.dump(record, f)


# ------------------------------------------------------------------------------
# the launcher side
# ------------------------------------------------------------------------------

def summarize(out_dir: str) -> dict:
    """Check the workers' records of one job and merge them into one summary."""
    records = []
    for name in sorted(os.listdir(out_dir)):
        if name.startswith("worker-rank") and name.endswith(".json"):
            with open(os.path.join(out_dir, name)) as f:
                records.append(json.load(f))
    if not records:
        raise RuntimeError(f"no worker records in {out_dir}")
    n = records[0]["num_workers"]
    if sorted(r["rank"] for r in records) != list(range(n)):
        raise RuntimeError(f"expected records of ranks 0..{n - 1} in {out_dir}, got "
                           f"{sorted(r['rank'] for r in records)}")
    ref = records[0]
    for r in records[1:]:
        for key in ("lr_scheduled", "lr_applied", "schedule"):
            if r[key] != ref[key]:
                k = next((i for i, (a, b) in enumerate(zip(r[key], ref[key])) if a != b), None)
                raise RuntimeError(f"worker {r['rank']} and worker 0 differ in {key}"
                                   + (f" at update {k + 1}: {r[key][k]} vs {ref[key][k]}"
                                      if k is not None and key != "schedule" else ""))
    scheduled, applied = np.asarray(ref["lr_scheduled"]), np.asarray(ref["lr_applied"])
    error = np.abs(applied - scheduled.astype(np.float32))
    # p is a float32 weight: each of p_{k-2}, p_{k-1}, p_k is off by half an ulp at most
    size = np.abs(np.asarray(ref["probe"], dtype=np.float64))
    window = np.maximum(size[1:], np.maximum(size[:-1], np.concatenate([[0.0], size[:-2]])))
    tolerance = (1 + MOMENTUM) * 2 * np.finfo(np.float32).eps * window + 1e-12
    worst = int(np.argmax(error / tolerance))
    if error[worst] > tolerance[worst]:
        raise RuntimeError(f"LR is wrong at update {worst + 1}: expected {scheduled[worst]}, "
                           f"applied {applied[worst]} (float32 read-back tolerance "
                           f"{tolerance[worst]:.1e})")
    loss = (np.sum([r["epoch_loss_sum"] for r in records], axis=0)
            / np.sum([r["epoch_count"] for r in records], axis=0))
    return {
        "num_workers": n, "shard_batch": ref["shard_batch"], "schedule": ref["schedule"],
        "updates": ref["updates"], "lr_scheduled": ref["lr_scheduled"],
        "lr_max_abs_error": float(error.max()),
        "lr_error_over_tolerance": float((error / tolerance).max()),
        "epoch_loss": loss.tolist(),
        "test_accuracy": ref["test_accuracy"],
        "train_seconds": max(r["train_seconds"] for r in records),
    }


def launch(args, argv) -> None:
    x_train = load_split()[0]
    _, updates, warmup = plan(args, len(x_train))
    sched = build_schedule(args.base_lr, args.total_batch, updates, warmup)
    check_server_picklable(sched, steps=[0, 1, warmup, updates // 2, updates])
    print(f"schedule: {sched!r}")
    print(f"{updates} updates, warm-up {warmup}; peak lr = {args.base_lr} * "
          f"{args.total_batch}/{REFERENCE_BATCH} = {sched(warmup):.4g}; "
          "server pickling check passed")

    root = args.out or tempfile.mkdtemp(prefix="large-batch-")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
    summaries = []
    for n in args.num_workers:
        out = os.path.join(root, f"workers-{n}")
        os.makedirs(out, exist_ok=True)
        job_argv = strip_option(argv, "--num-workers") + ["--out", out]
        job = LocalJob([sys.executable, os.path.abspath(__file__), *job_argv],
                       num_workers=n, num_servers=args.num_servers, env=env,
                       log_dir=os.path.join(out, "logs"))
        started = time.time()
        with job:
            job.wait(args.timeout)
        summary = summarize(out)
        summary["job_seconds"] = time.time() - started
        summaries.append(summary)
        print(f"{n} worker(s): every worker applied the same {updates} learning rates, "
              f"= schedule within {summary['lr_max_abs_error']:.1e} "
              f"({summary['lr_error_over_tolerance']:.2f} of the float32 tolerance); "
              f"job {summary['job_seconds']:.1f} s")
    if any(s["lr_scheduled"] != summaries[0]["lr_scheduled"] for s in summaries):
        raise RuntimeError("runs with different worker counts followed different schedules")

    print()
    ref = np.asarray(summaries[0]["epoch_loss"])
    print(f"| workers | batch per worker | loss epoch 1 | loss epoch {args.epochs} | final/first "
          f"| max abs diff to {summaries[0]['num_workers']} worker(s) | test accuracy | job time |")
    print("|---|---|---|---|---|---|---|---|")
    for s in summaries:
        first, last = s["epoch_loss"][0], s["epoch_loss"][-1]
        diff = float(np.abs(np.asarray(s["epoch_loss"]) - ref).max())
        print(f"| {s['num_workers']} | {s['shard_batch']} | {first:.4f} | {last:.4f} | "
              f"{last / first:.4f} | {diff:.1e} | {s['test_accuracy']:.3f} | "
              f"{s['job_seconds']:.1f} s |")
    print()
    print("epoch mean training loss:")
    for s in summaries:
        print(f"  {s['num_workers']} worker(s): "
              + " ".join(f"{v:.3f}" for v in s["epoch_loss"]))
    with open(os.path.join(root, "summary.json"), "w") as f:
        json.dump(summaries, f, indent=1)
    print(f"\nrecords and logs in {root}")


def strip_option(argv, name):
    """argv without ``name`` and its values (``--num-workers 1 2 4``)."""
    out, skip = [], False
    for a in argv:
        if a == name or a.startswith(name + "="):
            skip = a == name
            continue
        if skip and not a.startswith("--"):
            continue
        skip = False
        out.append(a)
    return out


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--num-workers", type=int, nargs="+", default=[2],
                   help="worker count(s); several values run one job each and compare them")
    p.add_argument("--num-servers", type=int, default=1)
    p.add_argument("--total-batch", type=int, default=256, help="global batch, all workers")
    p.add_argument("--base-lr", type=float, default=0.2, help="learning rate at batch 256")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--warmup-epochs", type=int, default=5)
    p.add_argument("--update-on-kvstore", type=int, choices=(0, 1), default=1)
    p.add_argument("--kvstore", default="dist_sync")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per job")
    p.add_argument("--out", help="output directory (default: a new temporary one)")
    p.add_argument("--summarize", metavar="DIR",
                   help="only check and summarise the worker records in DIR")
    args = p.parse_args(argv)
    for n in args.num_workers if os.environ.get("DMLC_ROLE") is None else ():  # a job: kv knows
        if n < 1 or args.total_batch % n:
            p.error(f"--num-workers must divide --total-batch {args.total_batch}, got {n}")
    return args


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if os.environ.get("DMLC_ROLE") == "worker":
        if not args.out:
            raise SystemExit("--out is required in a job")
        work(args)
    elif args.summarize:
        print(json.dumps({k: v for k, v in summarize(args.summarize).items()
                          if k != "lr_scheduled"}, indent=1))
    else:
        launch(args, argv)


if __name__ == "__main__":
    main()
