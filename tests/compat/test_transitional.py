"""``mxsched.compat.torch.TorchOneCycle`` and ``mxsched.compat.keras.KerasCosineDecay``
against their libraries' published formulas, at every step.

The references below are independent re-implementations of PyTorch's ``OneCycleLR`` and
Keras's ``CosineDecay`` (neither library is a dependency). ``sched(i)`` is the formula at
index ``i``.
"""
import math

import pytest

from conftest import assert_lrs
from mxsched import Delay
from mxsched.compat.keras import KerasCosineDecay
from mxsched.compat.torch import TorchOneCycle


# ----------------------------------------------------------------- PyTorch OneCycleLR
def torch_one_cycle(step, max_lr, total_steps, pct_start, anneal, div, final_div, three):
    """torch.optim.lr_scheduler.OneCycleLR.get_lr at ``last_epoch = step``."""
    initial = max_lr / div
    min_lr = initial / final_div
    if three:
        phases = [(float(pct_start * total_steps) - 1, initial, max_lr),
                  (float(2 * pct_start * total_steps) - 2, max_lr, initial),
                  (total_steps - 1, initial, min_lr)]
    else:
        phases = [(float(pct_start * total_steps) - 1, initial, max_lr),
                  (total_steps - 1, max_lr, min_lr)]
    start_step = 0.0
    for i, (end_step, start, end) in enumerate(phases):
        if step <= end_step or i == len(phases) - 1:
            pct = (step - start_step) / (end_step - start_step)
            if anneal == "cos":
                return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
            return (end - start) * pct + start
        start_step = end_step
    raise AssertionError


ONE_CYCLE = [
    dict(max_lr=0.1, total_steps=100, pct_start=0.3, anneal="cos", div=25.0, final_div=1e4,
         three=False),
    dict(max_lr=1.0, total_steps=37, pct_start=0.25, anneal="linear", div=10.0, final_div=100.0,
         three=False),
    dict(max_lr=0.5, total_steps=50, pct_start=0.3, anneal="cos", div=25.0, final_div=1e4,
         three=True),
    dict(max_lr=2.0, total_steps=23, pct_start=0.4, anneal="linear", div=4.0, final_div=3.0,
         three=True),
]


@pytest.mark.parametrize("p", ONE_CYCLE)
def test_torch_one_cycle_equals_one_cycle_lr_at_every_index(p):
    s = TorchOneCycle(p["max_lr"], p["total_steps"], pct_start=p["pct_start"],
                      anneal_strategy=p["anneal"], div_factor=p["div"],
                      final_div_factor=p["final_div"], three_phase=p["three"])
    n = p["total_steps"]
    expected = [torch_one_cycle(i, **p) for i in range(n)]
    assert_lrs(s, expected)
    assert_lrs(s, [expected[-1]] * 5, steps=range(n, n + 5))  # final value after the cycle
    assert s.base_lr == p["max_lr"]


@pytest.mark.parametrize("p", ONE_CYCLE[:2])
def test_delayed_torch_one_cycle_replays_a_pytorch_run_update_for_update(p):
    """PyTorch: update k uses the lr set after k - 1 ``scheduler.step()`` calls."""
    n = p["total_steps"]
    used_by_pytorch, last_epoch = [], 0  # the scheduler's constructor does the first step
    for _ in range(n):  # training loop: optimizer.step(); scheduler.step()
        used_by_pytorch.append(torch_one_cycle(last_epoch, **p))
        last_epoch += 1
    s = Delay(TorchOneCycle(p["max_lr"], n, pct_start=p["pct_start"],
                            anneal_strategy=p["anneal"], div_factor=p["div"],
                            final_div_factor=p["final_div"]), 1)
    assert_lrs(s, used_by_pytorch, steps=range(1, n + 1))  # MXNet asks sched(k) at update k
    assert s(0) == used_by_pytorch[0]


# ----------------------------------------------------------------- Keras CosineDecay
def keras_cosine_decay(step, initial, decay_steps, alpha=0.0, warmup_target=None,
                       warmup_steps=0):
    def decay(s, frm):
        cosine = 0.5 * (1.0 + math.cos(math.pi * s / decay_steps))
        return frm * ((1 - alpha) * cosine + alpha)
    if warmup_target is None:
        return decay(min(step, decay_steps), initial)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return (warmup_target - initial) * (step / warmup_steps) + initial
    return decay(step - warmup_steps, warmup_target)


@pytest.mark.parametrize("kw", [dict(initial=0.1, decay_steps=20),
                                dict(initial=0.1, decay_steps=20, alpha=0.1),
                                dict(initial=0.0, decay_steps=30, alpha=0.05, warmup_target=0.2,
                                     warmup_steps=7),
                                dict(initial=0.01, decay_steps=5, warmup_target=1.0,
                                     warmup_steps=1)])
def test_keras_cosine_decay_equals_keras(kw):
    s = KerasCosineDecay(kw["initial"], kw["decay_steps"], alpha=kw.get("alpha", 0.0),
                         warmup_target=kw.get("warmup_target"),
                         warmup_steps=kw.get("warmup_steps", 0))
    assert_lrs(s, [keras_cosine_decay(t, **kw) for t in range(60)])
    assert s.base_lr == (kw.get("warmup_target") or kw["initial"])


# ----------------------------------------------------------------- bad arguments
BAD = [
    (lambda: KerasCosineDecay(0.1, 10, warmup_steps=5), ValueError,
     r"warmup_target must be given when warmup_steps > 0, got None with warmup_steps=5"),
    (lambda: KerasCosineDecay(0.1, 10, warmup_target=0.2), ValueError,
     r"warmup_steps must be >= 1 when warmup_target is given, got 0"),
    (lambda: KerasCosineDecay(0.1, 10, alpha=1.5), ValueError,
     r"alpha must be in \[0, 1\], got 1.5"),
    (lambda: KerasCosineDecay(0.1, 10, warmup_target=0.05, warmup_steps=3), ValueError,
     r"warmup_target must be >= initial_learning_rate=0.1, got 0.05"),
    (lambda: KerasCosineDecay(0.1, 10.0), TypeError,
     r"decay_steps must be a positive integer, got 10.0"),
    (lambda: TorchOneCycle(0.1, 0), ValueError, r"total_steps must be an integer >= 2, got 0"),
    (lambda: TorchOneCycle(0.1, 10, pct_start=0.05), ValueError,
     r"pct_start must leave every phase non-empty .* got 0.05"),
    (lambda: TorchOneCycle(0.1, 10, pct_start=1.0), ValueError,
     r"pct_start must be in \(0, 1\), got 1.0"),
    (lambda: TorchOneCycle(0.1, 10, anneal_strategy="cosine"), ValueError,
     r"anneal_strategy must be one of 'cos', 'linear', got 'cosine'"),
    (lambda: TorchOneCycle(0.1, 10, div_factor=0.5), ValueError,
     r"div_factor must be >= 1, got 0.5"),
    (lambda: TorchOneCycle(0.1, 10, pct_start=0.6, three_phase=True), ValueError,
     r"pct_start must leave every phase non-empty"),
    (lambda: TorchOneCycle(0.1, 10, three_phase=1), TypeError,
     r"three_phase must be True or False, got 1"),
]


@pytest.mark.parametrize("build,exc,match", BAD, ids=[b[2][:40] for b in BAD])
def test_bad_arguments_are_rejected_at_construction(build, exc, match):
    with pytest.raises(exc, match=match):
        build()
