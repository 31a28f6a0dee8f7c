"""Benchmark: cost of mxsched schedules per call, per curve, and inside a training step.

Prints a Markdown table. Targets (ratios measured in the same run, so machine speed
cancels out):

* per call, at any t: at most 4x MXNet's own ``CosineScheduler``;
* ``values`` over 10**6 steps: under 50 ms;
* schedule overhead in a LeNet training step on CPU: under 1%.

Run with ``make bench``.
"""
import argparse
import math
import platform
import time
import timeit

import numpy as np

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.lr_scheduler import CosineScheduler, MultiFactorScheduler

from mxsched import (CosineAnnealing, CyclicalSchedule, LinearCoolDown, LinearWarmUp,
                     OneCycle, TriangularSchedule)

STEPS = (10, 10 ** 6, 10 ** 9)
HORIZON = 2 * 10 ** 9  # MXNet's CosineScheduler computes its formula up to here


class NaiveCyclical:
    """The usual hand-written cyclical schedule: replays earlier cycles on every call."""

    def __init__(self, cycle_length, decay, min_lr, max_lr):
        self.cycle_length, self.decay = cycle_length, decay
        self.min_lr, self.max_lr = min_lr, max_lr

    def __call__(self, t):
        start, length = 0, self.cycle_length
        while t >= start + length:  # replay every earlier cycle
            start += length
            length = math.ceil(length * self.decay)
        local = t - start
        return self.min_lr + (self.max_lr - self.min_lr) * (1 + math.cos(math.pi * local / length)) / 2


def nested():
    """Three levels: warm-up over cool-down over warm restarts."""
    return LinearWarmUp(
        LinearCoolDown(
            CyclicalSchedule(CosineAnnealing, cycle_length=1000, cycle_length_decay=1.0,
                             cycle_magnitude_decay=0.9, min_lr=0.001, max_lr=0.1),
            finish_lr=0.0, start_idx=HORIZON, length=1000),
        start_lr=0.0, length=500)


def schedules():
    return {
        "MXNet CosineScheduler (reference)": CosineScheduler(HORIZON, base_lr=0.1),
        "TriangularSchedule": TriangularSchedule(0.01, 0.1, cycle_length=HORIZON),
        "CosineAnnealing": CosineAnnealing(0.0, 0.1, cycle_length=HORIZON),
        "LinearWarmUp(MultiFactor)": LinearWarmUp(
            MultiFactorScheduler(step=[10 ** 5, 10 ** 7, 10 ** 8], factor=0.1, base_lr=0.1),
            start_lr=0.0, length=5),
        "LinearCoolDown(Cosine)": LinearCoolDown(CosineAnnealing(0.0, 0.1, HORIZON), 0.0,
                                                 start_idx=HORIZON, length=10),
        "OneCycle": OneCycle(0.01, 0.1, cycle_length=HORIZON, cooldown_length=10,
                             finish_lr=0.0),
        "CyclicalSchedule(Cosine, decay 2)": CyclicalSchedule(
            CosineAnnealing, cycle_length=100, cycle_length_decay=2, min_lr=0.0, max_lr=0.1),
        "nested (3 levels)": nested(),
        "naive replay cyclical (decay 1)": NaiveCyclical(100, 1, 0.0, 0.1),
    }


def drop_ins():
    """Every drop-in of mxsched.compat, as its example() (a small typical instance)."""
    import importlib

    from mxsched.config import registered

    for peer in ("torch", "timm", "transformers", "keras", "gluoncv", "mxnet"):
        importlib.import_module(f"mxsched.compat.{peer}")
    return {name: cls.example() for name, cls in sorted(registered().items())
            if "." in name and cls.__module__.startswith("mxsched.compat.")}


def per_call_us(sched, t, number):
    # MXNet's CosineScheduler mutates itself, but its cost does not depend on that.
    timer = timeit.Timer(lambda: sched(t))
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6


def curve_ms(sched, n=10 ** 6):
    steps = np.arange(n)
    sched.values(steps)  # warm up
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        sched.values(steps)
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def lenet():
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Conv2D(6, 5, padding=2, activation="relu"), gluon.nn.MaxPool2D(2, 2),
            gluon.nn.Conv2D(16, 5, activation="relu"), gluon.nn.MaxPool2D(2, 2),
            gluon.nn.Dense(120, activation="relu"), gluon.nn.Dense(84, activation="relu"),
            gluon.nn.Dense(10))
    return net


def train_step_ms(lr_scheduler, steps=60, batch=256):
    """Mean wall time of a LeNet SGD step (batch 256, 1x28x28) on CPU, after warm-up."""
    ctx = mx.cpu()
    mx.random.seed(0)
    net = lenet()
    net.initialize(mx.init.Xavier(), ctx=ctx)
    net.hybridize()
    opt = {"learning_rate": 0.1} if lr_scheduler is None else {"lr_scheduler": lr_scheduler}
    trainer = gluon.Trainer(net.collect_params(), "sgd", opt)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    x = mx.nd.random.uniform(shape=(batch, 1, 28, 28), ctx=ctx)
    y = mx.nd.random.randint(0, 10, shape=(batch,), ctx=ctx).astype("float32")

    def one():
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(batch)
        loss.wait_to_read()

    for _ in range(10):
        one()
    mx.nd.waitall()
    start = time.perf_counter()
    for _ in range(steps):
        one()
    mx.nd.waitall()
    return (time.perf_counter() - start) / steps * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000, help="calls per timing")
    parser.add_argument("--train-steps", type=int, default=60)
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"Python {platform.python_version()}, MXNet {mx.__version__}, numpy {np.__version__}")
    print()
    rows = []
    for name, sched in schedules().items():
        number = args.number if "naive" not in name else max(args.number // 1000, 3)
        costs = []
        for t in STEPS:
            if "naive" in name and t > 10 ** 6:
                costs.append(math.nan)  # minutes per call: not measured
                continue
            costs.append(per_call_us(sched, t, number))
        curve = curve_ms(sched) if hasattr(sched, "values") else math.nan
        rows.append((name, costs, curve))
    reference = rows[0][1]
    print("| schedule | µs/call t=10 | t=10^6 | t=10^9 | max ratio to MXNet Cosine | "
          "values(10^6 steps) ms |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for name, costs, curve in rows:
        ratios = [c / r for c, r in zip(costs, reference) if not math.isnan(c)]
        ratio = max(ratios)
        if "MXNet" not in name and "naive" not in name:
            worst = max(worst, ratio)
        cells = " | ".join("n/a" if math.isnan(c) else f"{c:.2f}" for c in costs)
        curve_cell = "n/a" if math.isnan(curve) else f"{curve:.1f}"
        print(f"| {name} | {cells} | {ratio:.1f}x | {curve_cell} |")
    print()
    mxsched_curves = [c for n, _, c in rows if "MXNet" not in n and not math.isnan(c)]
    print(f"target per call <= 4x MXNet CosineScheduler: worst {worst:.2f}x -> "
          f"{'met' if worst <= 4 else 'NOT met'}")
    print(f"target values(10^6) < 50 ms: worst {max(mxsched_curves):.1f} ms -> "
          f"{'met' if max(mxsched_curves) < 50 else 'NOT met'}")

    # the drop-ins: the same targets, each at the steps of its own example
    print()
    print("| drop-in (its `example()`) | µs/call t=10 | t=10^6 | t=10^9 | max ratio | "
          "values(10^6 steps) ms |")
    print("|---|---|---|---|---|---|")
    worst_call, worst_curve = 0.0, 0.0
    for name, sched in drop_ins().items():
        costs = [per_call_us(sched, t, args.number // 4) for t in STEPS]
        ratio = max(c / r for c, r in zip(costs, reference))
        curve = curve_ms(sched)
        worst_call, worst_curve = max(worst_call, ratio), max(worst_curve, curve)
        cells = " | ".join(f"{c:.2f}" for c in costs)
        print(f"| {name} | {cells} | {ratio:.1f}x | {curve:.1f} |")
    print()
    print(f"drop-ins: per call worst {worst_call:.2f}x MXNet CosineScheduler -> "
          f"{'met' if worst_call <= 4 else 'NOT met'}; values(10^6) worst {worst_curve:.1f} ms "
          f"-> {'met' if worst_curve < 50 else 'NOT met'}")

    constant = train_step_ms(None, args.train_steps)
    scheduled = train_step_ms(nested(), args.train_steps)
    nested_call = per_call_us(nested(), 10 ** 6, args.number)
    overhead = nested_call / 1e3 / constant * 100
    print()
    print("| LeNet step on CPU (batch 256) | ms |")
    print("|---|---|")
    print(f"| constant lr | {constant:.2f} |")
    print(f"| nested mxsched schedule | {scheduled:.2f} |")
    print(f"schedule overhead = one nested call ({nested_call:.2f} µs) / constant-lr step: "
          f"{overhead:.4f}% -> {'met' if overhead < 1 else 'NOT met'} (target < 1%); "
          f"difference of the two step times: {(scheduled - constant) / constant * 100:+.2f}% "
          f"(noise of a shared machine)")


if __name__ == "__main__":
    main()
