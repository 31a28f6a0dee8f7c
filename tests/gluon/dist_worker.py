"""Worker (and, run with another DMLC_ROLE, scheduler/server) of tests/gluon/test_distributed.py.

One weight ``w`` (a bias-free ``Dense(1)`` fed with ``x = rank + 1``), loss
``sum(w * x)`` over a batch of ``BATCH`` rows, so a worker's gradient is
``BATCH * (rank + 1)``; ``dist_sync`` sums them and the optimizer rescales by
``1 / BATCH``: update ``k`` subtracts ``lr_k * lr_mult * sum_r (r + 1)`` from ``w``
(``lr_mult = 0.5`` by default, so that a server ignoring it shows). The
worker writes its weight after every update to ``<out>/rank<r>.json``.

mxnet is imported before mxsched, as a training script should (a server
unpickles the optimizer while it is inside that first import).
"""
import argparse
import json
import os
import sys
import time

import mxnet as mx  # first: see mxsched.gluon.distributed
from mxnet import autograd, gluon, nd

from mxsched.gluon import init_kvstore, load_checkpoint, save_checkpoint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dist_schedules import make_schedule  # noqa: E402

BATCH = 4
W0 = 2.0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--update-on-kvstore", type=int, choices=(0, 1), required=True)
    p.add_argument("--kvstore", default="dist_sync")
    p.add_argument("--schedule", default="nested")
    p.add_argument("--no-init-fix", action="store_true",
                   help="leave MXNet's lazy kvstore initialisation in place")
    p.add_argument("--ckpt", help="checkpoint root")
    p.add_argument("--save-at", type=int, default=0, help="rank 0 saves after this update")
    p.add_argument("--freeze-at", type=int, default=0,
                   help="after this update, rank 1 reports and waits to be killed")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--lr-mult", type=float, default=0.5,
                   help="the weight's lr_mult (a server ignores it unless init_kvstore ran)")
    a = p.parse_args()

    kv = mx.kv.create(a.kvstore)
    rank = kv.rank
    net = gluon.nn.Dense(1, use_bias=False, in_units=1)
    net.initialize(mx.init.Constant(W0))
    net.weight.lr_mult = a.lr_mult
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"lr_scheduler": make_schedule(a.schedule)}, kvstore=kv, update_on_kvstore=bool(a.update_on_kvstore))
    start = 0
    if a.resume:
        start = load_checkpoint(a.ckpt, net, trainer, batch_size=BATCH)["step"]
    elif not a.no_init_fix:
        init_kvstore(trainer, BATCH)
    x = nd.full((BATCH, 1), rank + 1.0)
    weights = [float(net.weight.data().asnumpy()[0, 0])]
    for k in range(start + 1, a.steps + 1):
        with autograd.record():
            loss = net(x).sum()
        loss.backward()
        trainer.step(BATCH)
        weights.append(float(net.weight.data().asnumpy()[0, 0]))
        if rank == 0 and k == a.save_at:
            save_checkpoint(a.ckpt, net, trainer, step=k)
        if rank == 1 and k == a.freeze_at:
            with open(os.path.join(a.out, "frozen.json"), "w") as f:
                json.dump({"pid": os.getpid(), "step": k}, f)
            time.sleep(600)  # the test kills this worker with SIGKILL
    with open(os.path.join(a.out, f"rank{rank}.json"), "w") as f:
        json.dump({"rank": rank, "pid": os.getpid(), "start": start, "weights": weights,
                   "local_num_update": trainer._optimizer.num_update}, f)


if __name__ == "__main__":
    main()
