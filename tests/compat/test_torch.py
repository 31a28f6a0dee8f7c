"""mxsched.compat.torch against PyTorch 2.13's schedulers, update for update.

The expected values come from ``tests/reference/torch.py``, a plain-Python transcription of
``torch/optim/lr_scheduler.py`` (its recurrences, in PyTorch's float operation order) that
agrees with the real library to the last bit. ``sched(k)`` must equal the learning rate of
PyTorch's update ``k`` (``lrs[k - 1]``) at every update, and ``sched.momentum(k)`` its
momentum. Tolerance: ``rtol=1e-12`` with ``atol=1e-15``. The absolute part is needed
because PyTorch's chainable schedulers are recurrences (the rate is multiplied by a factor
at every step) while the drop-ins evaluate closed forms: the two drift apart by about
``1e-17`` absolute per step, which is a large *relative* error only where the rate is
near 0 (the bottom of a cosine, OneCycleLR's ``min_lr``).
"""
import json
import math
import pickle
import re

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

import mxsched
from mxsched import from_config
from mxsched.compat import torch as T
from mxsched.gluon import MomentumHandler
from mxsched.gluon.distributed import server_payload
from reference import torch as ref

RTOL, ATOL = 1e-12, 1e-15


# --------------------------------------------------------------------------- factors for LambdaLR
def decay(epoch):
    return 0.95 ** epoch


def warm(epoch):
    return min(1.0, (epoch + 1) / 10)


warm.base_lr = 1.0  # the largest factor (FunctionSchedule's base_lr hook)


def inverse_sqrt(epoch):
    return 1.0 / math.sqrt(epoch + 1)


# --------------------------------------------------------------------------- helpers
def assert_updates(sched, lrs, momentums=None):
    """``sched(k) == lrs[k - 1]`` (and the momentum) at every update, scalar and vector."""
    ks = np.arange(1, len(lrs) + 1)
    for k, want in zip(ks, lrs):
        got = sched(int(k))
        assert isinstance(got, float)
        assert got == pytest.approx(want, rel=RTOL, abs=ATOL), \
            f"LR is wrong at update {k}: expected {want!r}, got {got!r}"
    np.testing.assert_allclose(sched.values(ks), lrs, rtol=RTOL, atol=ATOL)
    if momentums is None:
        assert sched.momentum is None
        return
    assert sched.momentum is not None
    for k, want in zip(ks, momentums):
        got = sched.momentum(int(k))
        assert got == pytest.approx(want, rel=RTOL, abs=ATOL), \
            f"momentum is wrong at update {k}: expected {want!r}, got {got!r}"
    np.testing.assert_allclose(sched.momentum.values(ks), momentums, rtol=RTOL, atol=ATOL)


def build(lr, specs):
    """The drop-ins of ``specs`` (``[(name, kwargs), ...]``, as the reference takes them),
    ``lr`` given to those that read the optimizer's rate."""
    out = []
    for name, kwargs in specs:
        cls = getattr(T, name)
        out.append(cls(**kwargs) if name in ("CyclicLR", "OneCycleLR") else cls(**kwargs, lr=lr))
    return out


def reference_composite(kind, lr, n, specs, milestones=None):
    """PyTorch's ``(lrs, momentums)`` of a SequentialLR / ChainedScheduler (the public
    reference functions give the rates only; the momentum comes from the same machinery)."""
    opt = ref._Optimizer(lr, 0.0)
    children = ref._build_children(opt, specs)
    sched = (ref._SequentialLR(opt, children, list(milestones)) if kind == "sequential"
             else ref._ChainedScheduler(children))
    return ref._run(opt, sched, n, True, momentum=True)


# --------------------------------------------------------------------------- values, per drop-in
LR = 0.1


@pytest.mark.parametrize("lr, fn, n", [(0.1, decay, 60), (0.05, warm, 30),
                                       (1.0, inverse_sqrt, 50)])
def test_lambda_lr(lr, fn, n):
    assert_updates(T.LambdaLR(fn, lr=lr), ref.lambda_lr(lr, n, fn))


@pytest.mark.parametrize("lr, args, n", [(0.1, (30,), 100), (0.1, (7, 0.5), 60),
                                         (0.5, (1, 0.9), 80)])
def test_step_lr(lr, args, n):
    assert_updates(T.StepLR(*args, lr=lr), ref.step_lr(lr, n, *args))


@pytest.mark.parametrize("lr, args, n", [(0.1, ([30, 80],), 120), (0.1, ([0, 5, 17], 0.5), 40),
                                         (0.2, ([40, 10], 0.3), 60), (0.1, ([],), 10)])
def test_multi_step_lr(lr, args, n):
    assert_updates(T.MultiStepLR(*args, lr=lr), ref.multi_step_lr(lr, n, *args))


@pytest.mark.parametrize("lr, args, n", [(0.1, (), 20), (0.1, (0.5, 10), 30),
                                         (0.3, (0.25, 0), 10), (0.1, (1.0, 3), 10)])
def test_constant_lr(lr, args, n):
    assert_updates(T.ConstantLR(*args, lr=lr), ref.constant_lr(lr, n, *args))


@pytest.mark.parametrize("lr, args, n", [(0.1, (), 20), (0.1, (1.0, 0.0, 50), 70),
                                         (0.2, (0.1, 1.0, 1), 10), (0.1, (0.5, 0.25, 0), 10)])
def test_linear_lr(lr, args, n):
    assert_updates(T.LinearLR(*args, lr=lr), ref.linear_lr(lr, n, *args))


@pytest.mark.parametrize("lr, gamma, n", [(0.1, 0.9, 200), (0.1, 0.999, 1000), (0.3, 1.0, 20)])
def test_exponential_lr(lr, gamma, n):
    assert_updates(T.ExponentialLR(gamma, lr=lr), ref.exponential_lr(lr, n, gamma))


@pytest.mark.parametrize("lr, args, n", [(0.1, (), 20), (0.1, (50, 2.0), 70),
                                         (0.2, (30, 0.5), 40), (0.1, (0, 1.0), 5),
                                         (0.1, (10, 0.0), 15)])
def test_polynomial_lr(lr, args, n):
    assert_updates(T.PolynomialLR(*args, lr=lr), ref.polynomial_lr(lr, n, *args))


@pytest.mark.parametrize("lr, args, n", [(0.1, (10,), 45), (0.1, (100, 0.001), 450),
                                         (0.2, (7, 0.05), 40), (0.1, (10.5, 0.0), 50)])
def test_cosine_annealing_lr_rises_again_after_t_max(lr, args, n):
    lrs = ref.cosine_annealing_lr(lr, n, *args)
    assert_updates(T.CosineAnnealingLR(*args, lr=lr), lrs)
    t_max = args[0]
    assert max(lrs[int(t_max) + 2:]) > lrs[int(t_max)]  # PyTorch's rate does rise again


CYCLIC = [
    (dict(base_lr=0.001, max_lr=0.1), 9000),  # PyTorch's defaults, over two cycles and more
    (dict(base_lr=0.001, max_lr=0.1, step_size_up=5, step_size_down=3, mode="triangular2",
          base_momentum=0.7, max_momentum=0.95), 60),
    (dict(base_lr=0.01, max_lr=0.2, step_size_up=7, step_size_down=13, mode="exp_range",
          gamma=0.99), 200),
    (dict(base_lr=0.001, max_lr=0.1, step_size_up=4, step_size_down=0, mode="triangular2"), 40),
    (dict(base_lr=0.01, max_lr=0.05, step_size_up=3, cycle_momentum=False), 30),
    (dict(base_lr=0.1, max_lr=0.01, step_size_up=4, mode="exp_range", gamma=0.9), 40),
]


@pytest.mark.parametrize("kwargs, n", CYCLIC, ids=lambda v: str(v)[:60])
def test_cyclic_lr_with_momentum(kwargs, n):
    lrs, momentums = ref.cyclic_lr(LR, n, **kwargs)
    assert_updates(T.CyclicLR(**kwargs), lrs, momentums)


ONE_CYCLE = [
    dict(max_lr=0.1, total_steps=100),  # PyTorch's defaults
    dict(max_lr=0.1, epochs=4, steps_per_epoch=25),
    dict(max_lr=0.2, total_steps=90, pct_start=0.25, anneal_strategy="linear", three_phase=True,
         base_momentum=0.8, max_momentum=0.9, div_factor=10.0, final_div_factor=100.0),
    dict(max_lr=0.1, total_steps=50, pct_start=0.01),  # pct_start * T < 1: no rise
    dict(max_lr=0.1, total_steps=10, pct_start=0.05, three_phase=True),
    dict(max_lr=0.1, total_steps=40, pct_start=0.0, cycle_momentum=False),
    dict(max_lr=0.1, total_steps=1),
    dict(max_lr=0.1, total_steps=30, div_factor=0.5, anneal_strategy="linear"),
]


def _total(kwargs):
    return kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]


@pytest.mark.parametrize("kwargs", ONE_CYCLE, ids=lambda v: str(v)[:60])
def test_one_cycle_lr_with_momentum(kwargs):
    lrs, momentums = ref.one_cycle_lr(LR, _total(kwargs), **kwargs)
    assert_updates(T.OneCycleLR(**kwargs), lrs, momentums)


@pytest.mark.parametrize("kwargs", ONE_CYCLE[:3], ids=lambda v: str(v)[:60])
def test_one_cycle_lr_holds_min_lr_after_total_steps(kwargs):
    """Update T applies min_lr exactly as PyTorch does; PyTorch raises one update later."""
    n = _total(kwargs)
    sched = T.OneCycleLR(**kwargs)
    lrs, momentums = ref.one_cycle_lr(LR, n, **kwargs)
    min_lr = kwargs["max_lr"] / kwargs.get("div_factor", 25.0) / kwargs.get("final_div_factor",
                                                                             1e4)
    assert sched(n) == min_lr == pytest.approx(lrs[-1], rel=1e-10)
    assert [sched(k) for k in range(n + 1, n + 20)] == [min_lr] * 19
    assert sched.values([n + 1, 10 * n, 10 ** 9]).tolist() == [min_lr] * 3
    assert [sched.momentum(k) for k in (n, n + 1, 10 ** 9)] == [sched.momentum(n)] * 3
    assert sched.momentum(n) == pytest.approx(momentums[-1], rel=RTOL)
    # PyTorch: update T + 1 runs on an extrapolated value, the step after it raises
    over, _ = ref.one_cycle_lr(LR, n + 1, **kwargs, final_step=False)
    assert over[-1] != min_lr
    with pytest.raises(ValueError, match=re.escape(f"Tried to step {n + 1} times")):
        ref.one_cycle_lr(LR, n + 1, **kwargs)


@pytest.mark.parametrize("lr, args, n", [(0.1, (10,), 60), (0.1, (3, 2, 0.001), 200),
                                         (0.2, (5, 3, 0.01), 300)])
def test_cosine_annealing_warm_restarts(lr, args, n):
    assert_updates(T.CosineAnnealingWarmRestarts(*args, lr=lr),
                   ref.cosine_annealing_warm_restarts(lr, n, *args))


SEQUENTIAL = [
    ([("LinearLR", dict(start_factor=0.1, total_iters=5)), ("CosineAnnealingLR", dict(T_max=20))],
     [5]),
    ([("StepLR", dict(step_size=3, gamma=0.5)), ("ExponentialLR", dict(gamma=0.9)),
      ("ConstantLR", dict(factor=0.5, total_iters=4))], [7, 15]),
    ([("ConstantLR", dict(factor=0.5)),
      ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3)),
      ("PolynomialLR", dict(total_iters=6))], [4, 20]),
    ([("CosineAnnealingWarmRestarts", dict(T_0=4)), ("MultiStepLR", dict(milestones=[0, 3]))],
     [0]),
    ([("LambdaLR", dict(lr_lambda=warm)),
      ("CosineAnnealingWarmRestarts", dict(T_0=4, T_mult=2))], [6]),
    ([("CyclicLR", dict(base_lr=0.1, max_lr=0.2, step_size_up=3)),
      ("LinearLR", dict(start_factor=0.1)),
      ("CyclicLR", dict(base_lr=0.01, max_lr=0.05, step_size_up=2, base_momentum=0.5,
                        max_momentum=0.6))], [5, 12]),
    ([("LinearLR", dict(start_factor=0.1, total_iters=5)),
      ("OneCycleLR", dict(max_lr=0.1, total_steps=40, div_factor=1.0))], [5]),
]


@pytest.mark.parametrize("specs, milestones", SEQUENTIAL,
                         ids=lambda v: ",".join(s[0] for s in v) if isinstance(v[0], tuple)
                         else str(v))
def test_sequential_lr(specs, milestones):
    n = 45
    lrs = ref.sequential_lr(LR, n, specs, milestones)
    ref_lrs, momentums = reference_composite("sequential", LR, n, specs, milestones)
    assert ref_lrs == lrs
    sched = T.SequentialLR(build(LR, specs), milestones)
    cycling = any(name in ("CyclicLR", "OneCycleLR") for name, _ in specs)
    assert_updates(sched, lrs, momentums if cycling else None)


def test_sequential_lr_is_a_join_of_the_index_aligned_children():
    children = build(LR, SEQUENTIAL[0][0])
    sched = T.SequentialLR(children, [5])
    assert repr(sched.core) == repr(mxsched.Delay(mxsched.Join(
        [mxsched.LinearSchedule(LR * 0.1, LR, 5), mxsched.CosineWave(0.0, LR, 20)], [5]), 1))


def test_sequential_lr_children_keep_their_own_lr():
    """PyTorch's children share the optimizer's initial_lr, which a CyclicLR built first sets
    to its base_lr; the drop-in's children keep what they are given."""
    specs = [("CyclicLR", dict(base_lr=0.01, max_lr=0.05, step_size_up=3)),
             ("LinearLR", dict(start_factor=0.5))]
    lrs, momentums = reference_composite("sequential", LR, 20, specs, [6])
    assert T.SequentialLR(build(LR, specs), [6])(7) == pytest.approx(LR * 0.5)
    assert lrs[6] == pytest.approx(0.01 * 0.5)  # PyTorch: LinearLR on CyclicLR's base_lr
    assert_updates(T.SequentialLR(build(0.01, specs), [6]), lrs, momentums)


CHAINED = [
    [("ConstantLR", dict(factor=0.5, total_iters=3)),
     ("LinearLR", dict(start_factor=0.5, total_iters=4))],
    [("ConstantLR", dict(factor=0.1)), ("ExponentialLR", dict(gamma=0.9))],
    [("LinearLR", dict(start_factor=0.1, total_iters=5)), ("CosineAnnealingLR", dict(T_max=20))],
    [("StepLR", dict(step_size=3, gamma=0.5)), ("MultiStepLR", dict(milestones=[0, 5])),
     ("PolynomialLR", dict(total_iters=30, power=2.0))],
    [("StepLR", dict(step_size=3, gamma=0.5)), ("LambdaLR", dict(lr_lambda=decay))],
    [("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3)),
     ("OneCycleLR", dict(max_lr=0.1, total_steps=40, cycle_momentum=False))],
    [("CosineAnnealingLR", dict(T_max=12, eta_min=0.01))],
]


@pytest.mark.parametrize("specs", CHAINED, ids=lambda v: ",".join(s[0] for s in v))
def test_chained_scheduler(specs):
    n = 40
    lrs = ref.chained_scheduler(LR, n, specs)
    ref_lrs, momentums = reference_composite("chained", LR, n, specs)
    assert ref_lrs == lrs
    sched = T.ChainedScheduler(build(LR, specs))
    cycling = any(name in ("CyclicLR", "OneCycleLR") and kw.get("cycle_momentum", True)
                  for name, kw in specs)
    assert_updates(sched, lrs, momentums if cycling else None)


def test_chained_scheduler_is_the_product_of_the_children():
    sched = T.ChainedScheduler(build(LR, CHAINED[1]))
    assert repr(sched.core) == repr(mxsched.Delay(mxsched.Scale(mxsched.Product(
        [mxsched.ConstantWarmUp(mxsched.Constant(1.0), 0.1, 5),
         mxsched.ExponentialDecay(1.0, 1, 0.9)]), LR), 1))


def test_chained_scheduler_documented_differences():
    # a CyclicLR after another scheduler: PyTorch's first update uses the optimizer's rate
    specs = [("StepLR", dict(step_size=3)),
             ("CyclicLR", dict(base_lr=0.01, max_lr=0.05, step_size_up=3))]
    lrs = ref.chained_scheduler(LR, 20, specs)
    sched = T.ChainedScheduler(build(LR, specs))
    assert lrs[0] == LR and sched(1) == 0.01
    np.testing.assert_allclose([sched(k) for k in range(2, 21)], lrs[1:], rtol=RTOL, atol=ATOL)
    # past T_max, PyTorch's CosineAnnealingLR adds its rise, restarting the other factors
    specs = [("ExponentialLR", dict(gamma=0.9)), ("CosineAnnealingLR", dict(T_max=5))]
    lrs = ref.chained_scheduler(LR, 14, specs)
    sched = T.ChainedScheduler(build(LR, specs))
    np.testing.assert_allclose([sched(k) for k in range(1, 7)], lrs[:6], rtol=RTOL, atol=ATOL)
    assert sched(8) != pytest.approx(lrs[7], rel=1e-3)


# --------------------------------------------------------------------------- validation
# (drop-in factory, reference call, exception, message): PyTorch's own checks
PEER_ERRORS = [
    (lambda: T.ConstantLR(1.5, lr=LR), lambda: ref.constant_lr(LR, 3, 1.5), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda: T.ConstantLR(-0.1, lr=LR), lambda: ref.constant_lr(LR, 3, -0.1), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda: T.LinearLR(0.0, lr=LR), lambda: ref.linear_lr(LR, 3, 0.0), ValueError,
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda: T.LinearLR(1.5, lr=LR), lambda: ref.linear_lr(LR, 3, 1.5), ValueError,
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda: T.LinearLR(0.5, 1.5, lr=LR), lambda: ref.linear_lr(LR, 3, 0.5, 1.5), ValueError,
     "Ending multiplicative factor expected to be between 0 and 1."),
    (lambda: T.LinearLR(0.5, -0.5, lr=LR), lambda: ref.linear_lr(LR, 3, 0.5, -0.5), ValueError,
     "Ending multiplicative factor expected to be between 0 and 1."),
    (lambda: T.CyclicLR(0.01, 0.1, mode="cosine"),
     lambda: ref.cyclic_lr(LR, 3, 0.01, 0.1, mode="cosine"), ValueError,
     "mode is invalid and scale_fn is None"),
    (lambda: T.OneCycleLR(0.1, 0), lambda: ref.one_cycle_lr(LR, 3, 0.1, 0), ValueError,
     "Expected positive integer total_steps, but got 0"),
    (lambda: T.OneCycleLR(0.1, 10.0), lambda: ref.one_cycle_lr(LR, 3, 0.1, 10.0), ValueError,
     "Expected positive integer total_steps, but got 10.0"),
    (lambda: T.OneCycleLR(0.1, epochs=0, steps_per_epoch=10),
     lambda: ref.one_cycle_lr(LR, 3, 0.1, epochs=0, steps_per_epoch=10), ValueError,
     "Expected positive integer epochs, but got 0"),
    (lambda: T.OneCycleLR(0.1, epochs=2, steps_per_epoch=1.5),
     lambda: ref.one_cycle_lr(LR, 3, 0.1, epochs=2, steps_per_epoch=1.5), ValueError,
     "Expected positive integer steps_per_epoch, but got 1.5"),
    (lambda: T.OneCycleLR(0.1, epochs=2), lambda: ref.one_cycle_lr(LR, 3, 0.1, epochs=2),
     ValueError, "You must define either total_steps OR (epochs AND steps_per_epoch)"),
    (lambda: T.OneCycleLR(0.1), lambda: ref.one_cycle_lr(LR, 3, 0.1), ValueError,
     "You must define either total_steps OR (epochs AND steps_per_epoch)"),
    (lambda: T.OneCycleLR(0.1, 100, pct_start=1), 
     lambda: ref.one_cycle_lr(LR, 3, 0.1, 100, pct_start=1),
     ValueError, "Expected float between 0 and 1 pct_start, but got 1"),
    (lambda: T.OneCycleLR(0.1, 100, pct_start=1.5),
     lambda: ref.one_cycle_lr(LR, 3, 0.1, 100, pct_start=1.5), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1.5"),
    (lambda: T.OneCycleLR(0.1, 100, pct_start=-0.1),
     lambda: ref.one_cycle_lr(LR, 3, 0.1, 100, pct_start=-0.1), ValueError,
     "Expected float between 0 and 1 pct_start, but got -0.1"),
    (lambda: T.OneCycleLR(0.1, 100, anneal_strategy="cosine"),
     lambda: ref.one_cycle_lr(LR, 3, 0.1, 100, anneal_strategy="cosine"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got cosine"),
    (lambda: T.CosineAnnealingWarmRestarts(0, lr=LR),
     lambda: ref.cosine_annealing_warm_restarts(LR, 3, 0), ValueError,
     "Expected positive integer T_0, but got 0"),
    (lambda: T.CosineAnnealingWarmRestarts(2.5, lr=LR),
     lambda: ref.cosine_annealing_warm_restarts(LR, 3, 2.5), ValueError,
     "Expected positive integer T_0, but got 2.5"),
    (lambda: T.CosineAnnealingWarmRestarts(10, 0, lr=LR),
     lambda: ref.cosine_annealing_warm_restarts(LR, 3, 10, 0), ValueError,
     "Expected integer T_mult >= 1, but got 0"),
    (lambda: T.CosineAnnealingWarmRestarts(10, 1.5, lr=LR),
     lambda: ref.cosine_annealing_warm_restarts(LR, 3, 10, 1.5), ValueError,
     "Expected integer T_mult >= 1, but got 1.5"),
    (lambda: T.CosineAnnealingWarmRestarts(10, 1, "0", lr=LR),
     lambda: ref.cosine_annealing_warm_restarts(LR, 3, 10, 1, "0"), ValueError,
     "Expected float or int eta_min, but got 0 of type <class 'str'>"),
    (lambda: T.SequentialLR([], []), lambda: ref.sequential_lr(LR, 3, [], []), ValueError,
     "SequentialLR expects at least one scheduler, but got no scheduler."),
    (lambda: T.SequentialLR([T.StepLR(3, lr=LR), T.StepLR(4, lr=LR)], [2, 5]),
     lambda: ref.sequential_lr(LR, 3, [("StepLR", dict(step_size=3)),
                                       ("StepLR", dict(step_size=4))], [2, 5]), ValueError,
     "Sequential Schedulers expects number of schedulers provided to be one more than the "
     "number of milestone points, but got number of schedulers 2 and the number of "
     "milestones to be equal to 2"),
    (lambda: T.ChainedScheduler([]), lambda: ref.chained_scheduler(LR, 3, []), ValueError,
     "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler."),
]


@pytest.mark.parametrize("make, peer, exc, message", PEER_ERRORS,
                         ids=[m[3][:40] + str(i) for i, m in enumerate(PEER_ERRORS)])
def test_errors_are_pytorchs(make, peer, exc, message):
    with pytest.raises(exc, match=re.escape(message) + "$"):
        peer()
    with pytest.raises(exc, match=re.escape(message) + "$"):
        make()


# PyTorch fails with ZeroDivisionError (mostly at a later step): the drop-in refuses them
# at construction
LATE_ERRORS = [
    (lambda: T.StepLR(0, lr=LR), lambda: ref.step_lr(LR, 2, 0), ValueError,
     "step_size must be a positive integer, got 0"),
    (lambda: T.CosineAnnealingLR(0, lr=LR), lambda: ref.cosine_annealing_lr(LR, 2, 0),
     ValueError, "T_max must be a positive integer, got 0"),
    (lambda: T.ConstantLR(0.0, 5, lr=LR), lambda: ref.constant_lr(LR, 6, 0.0, 5), ValueError,
     "factor must be > 0 when total_iters > 0"),
    (lambda: T.PolynomialLR(5, -1.0, lr=LR), lambda: ref.polynomial_lr(LR, 6, 5, -1.0),
     ValueError, "power must be >= 0"),
    (lambda: T.CyclicLR(0.01, 0.1, 0), lambda: ref.cyclic_lr(LR, 2, 0.01, 0.1, 0), ValueError,
     "step_size_up must be a positive integer, got 0"),
    (lambda: T.OneCycleLR(0.1, 10, pct_start=0.1), 
     lambda: ref.one_cycle_lr(LR, 2, 0.1, 10, pct_start=0.1),
     ValueError, "pct_start * total_steps must not be 1"),
    (lambda: T.OneCycleLR(0.1, 10, pct_start=1.0), 
     lambda: ref.one_cycle_lr(LR, 10, 0.1, 10, pct_start=1.0),
     ValueError, "pct_start must leave the last phase a positive length"),
    (lambda: T.OneCycleLR(0.1, 10, pct_start=0.55, three_phase=True),
     lambda: ref.one_cycle_lr(LR, 10, 0.1, 10, pct_start=0.55, three_phase=True),
     ValueError, "pct_start must leave the last phase a positive length (from step 9.0 to "
     "9.0 it has length 0"),
    (lambda: T.OneCycleLR(0.1, 10, div_factor=0), 
     lambda: ref.one_cycle_lr(LR, 2, 0.1, 10, div_factor=0),
     ValueError, "div_factor must be > 0, got 0.0"),
]


@pytest.mark.parametrize("make, peer, exc, message", LATE_ERRORS,
                         ids=[m[3][:40] for m in LATE_ERRORS])
def test_zero_divisions_of_pytorch_are_refused_at_construction(make, peer, exc, message):
    with pytest.raises(ZeroDivisionError):
        peer()
    with pytest.raises(exc, match=re.escape(message)):
        make()


REFUSED = [
    # values no bounded schedule can take, or PyTorch features not reproduced
    (lambda: T.StepLR(3, 1.5, lr=LR), ValueError, "gamma must be in (0, 1], got 1.5"),
    (lambda: T.ExponentialLR(0.0, lr=LR), ValueError, "gamma must be a finite number > 0, got 0.0"),
    (lambda: T.StepLR(2.5, lr=LR), TypeError, "step_size must be a positive integer, got 2.5"),
    (lambda: T.StepLR(3, lr=-0.1), ValueError, "lr must be a finite, non-negative learning rate"),
    (lambda: T.StepLR(3), TypeError, "lr"),
    (lambda: T.MultiStepLR([3, 3], lr=LR), ValueError, "milestones must be distinct"),
    (lambda: T.MultiStepLR([-1, 3], lr=LR), ValueError,
     "milestones[0] must be a non-negative integer, got -1"),
    (lambda: T.ConstantLR("0.5", lr=LR), TypeError, "factor must be a real number, got '0.5'"),
    (lambda: T.LinearLR(total_iters=-1, lr=LR), ValueError,
     "total_iters must be a non-negative integer, got -1"),
    (lambda: T.CosineAnnealingLR(10, 0.2, lr=LR), ValueError, "eta_min must be <= lr=0.1, got 0.2"),
    (lambda: T.CosineAnnealingWarmRestarts(10, 1, 0.2, lr=LR), ValueError,
     "eta_min must be <= lr=0.1, got 0.2"),
    (lambda: T.CosineAnnealingWarmRestarts(True, lr=LR), ValueError,
     "Expected positive integer T_0, but got True"),
    (lambda: T.CyclicLR(0.01, 0.1, scale_fn=math.cos), ValueError, "scale_fn must be None"),
    (lambda: T.CyclicLR(0.01, 0.1, 2.5), TypeError, "step_size_up must be a positive integer"),
    (lambda: T.CyclicLR(0.01, 0.1, scale_mode="epoch"), ValueError,
     "scale_mode must be one of 'cycle', 'iterations', got 'epoch'"),
    (lambda: T.CyclicLR(0.01, 0.1, mode="exp_range", gamma=1.1), ValueError,
     "gamma must be in (0, 1], got 1.1"),
    (lambda: T.CyclicLR([0.01], 0.1), TypeError, "base_lr must be a single value"),
    (lambda: T.CyclicLR(0.01, 0.1, base_momentum=-0.1), ValueError,
     "base_momentum must be >= 0, got -0.1"),
    (lambda: T.OneCycleLR([0.1], 10), TypeError, "max_lr must be a single value"),
    (lambda: T.OneCycleLR(0.1, "10"), TypeError, "total_steps must be an integer, got '10'"),
    (lambda: T.OneCycleLR(0.1, 10, three_phase=1), TypeError, "three_phase must be True or False"),
    (lambda: T.OneCycleLR(0.1, 10, pct_start=0.6, three_phase=True), ValueError,
     "(from step 10.0 to 9.0 it would end before it starts and PyTorch's rate never reaches "
     "min_lr)"),
    (lambda: T.LambdaLR([decay], lr=LR), TypeError, "lr_lambda must be one callable"),
    (lambda: T.LambdaLR(0.5, lr=LR), TypeError, "lr_lambda must be a callable"),
    (lambda: T.SequentialLR([mxsched.Constant(0.1)], []), TypeError,
     "schedulers[0] must be one of the drop-ins"),
    (lambda: T.SequentialLR([T.StepLR(3, lr=LR), T.StepLR(3, lr=LR), T.StepLR(3, lr=LR)],
                            [5, 5]), ValueError, "milestones must be increasing"),
    (lambda: T.SequentialLR([T.StepLR(3, lr=LR), T.LinearLR(total_iters=0, lr=LR)], [5]),
     ValueError, "schedulers[1] must have total_iters > 0 after a milestone"),
    (lambda: T.SequentialLR([T.SequentialLR([T.StepLR(3, lr=LR)], [])], []), TypeError,
     "schedulers[0] must be one of the drop-ins"),
    (lambda: T.ChainedScheduler([T.StepLR(3, lr=0.1), T.StepLR(3, lr=0.2)]), ValueError,
     "schedulers must all have the same lr"),
    (lambda: T.ChainedScheduler([T.LambdaLR(decay, lr=LR), T.ExponentialLR(0.9, lr=LR)]),
     ValueError, "schedulers must not have a chainable scheduler after LambdaLR"),
    (lambda: T.ChainedScheduler([T.CosineAnnealingLR(10, 0.01, lr=LR),
                                 T.ExponentialLR(0.9, lr=LR)]),
     ValueError, "schedulers must not chain a CosineAnnealingLR with eta_min > 0"),
]


@pytest.mark.parametrize("make, exc, message", REFUSED, ids=[m[2][:40] for m in REFUSED])
def test_refused_arguments(make, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        make()


def test_chained_refusals_are_chains_pytorch_does_not_multiply():
    """What the refused chains would have been: not the product of the children."""
    specs = [("LambdaLR", dict(lr_lambda=decay)), ("ExponentialLR", dict(gamma=0.9))]
    lrs = ref.chained_scheduler(LR, 5, specs)
    assert lrs[1:] == pytest.approx([LR * decay(e) * 0.9 for e in range(1, 5)])  # not 0.9 ** e
    specs = [("CosineAnnealingLR", dict(T_max=10, eta_min=0.01)), ("ConstantLR", dict(factor=0.5))]
    lrs = ref.chained_scheduler(LR, 5, specs)
    product = [0.5 * T.CosineAnnealingLR(10, 0.01, lr=LR)(k) for k in range(1, 6)]
    assert lrs[1] != pytest.approx(product[1], rel=1e-6)


# --------------------------------------------------------------------------- every drop-in
def instances():
    """Every drop-in: its example and one instance of each parameter set tested above."""
    out = [getattr(T, name).example() for name in T.__all__]
    out += [T.StepLR(7, 0.5, lr=0.2), T.MultiStepLR([0, 5, 17], 0.5, lr=0.1),
            T.ConstantLR(lr=0.1), T.LinearLR(lr=0.1), T.PolynomialLR(lr=0.3),
            T.CosineAnnealingLR(10.5, 0.001, lr=0.1), T.LambdaLR(warm, lr=0.05),
            T.CosineAnnealingWarmRestarts(3, 2, 0.001, lr=0.1)]
    out += [T.CyclicLR(**kwargs) for kwargs, _ in CYCLIC]
    out += [T.OneCycleLR(**kwargs) for kwargs in ONE_CYCLE]
    out += [T.SequentialLR(build(LR, specs), ms) for specs, ms in SEQUENTIAL]
    out += [T.ChainedScheduler(build(LR, specs)) for specs in CHAINED]
    return out


INSTANCES = instances()
IDS = [repr(s)[:50] for s in INSTANCES]
STEPS = np.concatenate([np.arange(0, 400), [0.5, 1.5, 7.25, 1e3, 1e4, 12345.5, 1e6]])


def test_every_drop_in_has_an_example():
    assert sorted(T.__all__) == sorted(type(s).__name__ for s in INSTANCES[:len(T.__all__)])
    assert "TorchOneCycle" not in dir(T)


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_pickles_as_protocol_0_utf8(sched):
    text = pickle.dumps(sched, protocol=0).decode("utf-8")
    back = pickle.loads(text.encode("utf-8"))
    assert type(back) is type(sched) and repr(back) == repr(sched)
    np.testing.assert_array_equal(back.values(STEPS), sched.values(STEPS))
    if sched.momentum is not None:
        np.testing.assert_array_equal(back.momentum.values(STEPS), sched.momentum.values(STEPS))


@pytest.mark.parametrize("name", T.__all__)
def test_examples_cross_to_a_parameter_server(name):
    sched = getattr(T, name).example()
    raw = pickle.dumps(sched, 0)
    assert len(raw) < 1024 and b"numpy" not in raw
    opt = pickle.loads(pickle.dumps(mx.optimizer.SGD(lr_scheduler=sched), 0).decode("utf-8")
                       .encode("utf-8"))
    assert repr(opt.lr_scheduler) == repr(sched)
    assert server_payload(sched)


def test_numpy_scalar_arguments_become_plain_python_values():
    scheds = [T.OneCycleLR(np.float32(0.1), np.int64(100), pct_start=np.float64(0.25),
                           div_factor=np.float32(10)),
              T.CyclicLR(np.float32(0.01), np.float64(0.1), np.int32(20), mode="exp_range",
                         gamma=np.float32(0.5), base_momentum=np.float32(0.8)),
              T.MultiStepLR(np.array([30, 10]), np.float32(0.5), lr=np.float64(0.1)),
              T.CosineAnnealingWarmRestarts(np.int64(10), np.int64(2), lr=np.float32(0.1))]
    for sched in scheds:
        assert b"numpy" not in pickle.dumps(sched, 0), repr(sched)


@pytest.mark.parametrize("name", T.__all__)
@pytest.mark.parametrize("step", [math.inf, math.nan, -1])
def test_a_non_finite_or_negative_update_is_a_value_error(name, step):
    sched = getattr(T, name).example()
    with pytest.raises(ValueError, match=r"num_update must be a finite number >= 0"):
        sched(step)
    with pytest.raises(ValueError, match=r"steps must be finite and >= 0"):
        sched.values([0, step])


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_config_round_trip(sched):
    if "LambdaLR" in repr(sched):  # a function has no JSON form
        with pytest.raises(TypeError, match="must be JSON-safe"):
            sched.get_config()
        return
    cfg = json.loads(json.dumps(sched.get_config()))
    assert cfg["class"] == f"torch.{type(sched).__name__}"
    back = from_config(cfg)
    assert back == sched
    np.testing.assert_array_equal(back.values(STEPS), sched.values(STEPS))


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_scalar_equals_values_and_stays_within_base_lr(sched):
    scalar = np.array([sched(float(t)) for t in STEPS])
    np.testing.assert_allclose(sched.values(STEPS), scalar, rtol=1e-12, atol=1e-18)
    assert scalar.min() >= 0 and scalar.max() <= sched.base_lr
    if sched.momentum is not None:
        momentum = np.array([sched.momentum(float(t)) for t in STEPS])
        np.testing.assert_allclose(sched.momentum.values(STEPS), momentum, rtol=1e-12,
                                   atol=1e-18)


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_base_lr_rescales_the_peer_learning_rates(sched):
    before = sched.values(STEPS)
    momentum = None if sched.momentum is None else sched.momentum.values(STEPS)
    peak = sched.base_lr
    sched = pickle.loads(pickle.dumps(sched))  # a private copy: INSTANCES stays as it is
    sched.base_lr = 2 * peak
    assert sched.base_lr == pytest.approx(2 * peak, rel=1e-12)
    np.testing.assert_allclose(sched.values(STEPS), 2 * before, rtol=1e-12, atol=1e-18)
    if momentum is not None:  # momentum is no learning rate: unchanged
        np.testing.assert_allclose(sched.momentum.values(STEPS), momentum, rtol=1e-12)


def _tree(sched):
    yield sched
    for child in sched._children():
        yield from _tree(child)


@pytest.mark.parametrize("sched", INSTANCES, ids=IDS)
def test_core_is_public_classes_delayed_by_one_update(sched):
    core = sched.core
    assert type(core) is mxsched.Delay and core.length == 1
    for part in list(_tree(core)) + ([] if sched.momentum is None else list(_tree(sched.momentum))):
        assert type(part).__name__ in mxsched.__all__, repr(part)
        assert getattr(mxsched, type(part).__name__) is type(part)
    np.testing.assert_array_equal(core.values(STEPS), sched.values(STEPS))
    assert sched(0) == sched(1)  # before training: the first value


@pytest.mark.parametrize("sched", [s for s in INSTANCES if "LambdaLR" not in repr(s)],
                         ids=[i for s, i in zip(INSTANCES, IDS) if "LambdaLR" not in repr(s)])
def test_repr_is_the_peer_style_call(sched):
    assert eval(repr(sched), vars(T)) == sched  # pylint: disable=eval-used


def test_repr_examples():
    assert repr(T.StepLR(30, lr=0.1)) == "StepLR(lr=0.1, step_size=30, gamma=0.1)"
    assert repr(T.OneCycleLR(0.1, 100)) == (
        "OneCycleLR(max_lr=0.1, total_steps=100, epochs=None, steps_per_epoch=None, "
        "pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85, "
        "max_momentum=0.95, div_factor=25.0, final_div_factor=10000.0, three_phase=False)")
    assert repr(T.CosineAnnealingLR(100, lr=0.1)) == (
        "CosineAnnealingLR(lr=0.1, T_max=100, eta_min=0.0)")


# --------------------------------------------------------------------------- gluon.Trainer
def one_weight_trainer(sched, **optimizer_params):
    net = gluon.nn.Dense(1, use_bias=False, in_units=1)
    net.initialize(mx.init.Zero(), ctx=mx.cpu())
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            dict(lr_scheduler=sched, **optimizer_params))
    return net, trainer


def update(net, trainer):
    """One update with gradient exactly 1 (loss = w * 1, batch size 1)."""
    with autograd.record():
        loss = net(mx.nd.ones((1, 1))).sum()
    loss.backward()
    trainer.step(1)


@pytest.mark.parametrize("make, peer", [
    (lambda: T.OneCycleLR(0.1, 60, three_phase=True),
     lambda n: ref.one_cycle_lr(0.1, n, 0.1, 60, three_phase=True)[0]),
    (lambda: T.CosineAnnealingLR(8, 0.001, lr=0.1),
     lambda n: ref.cosine_annealing_lr(0.1, n, 8, 0.001)),
], ids=["OneCycleLR", "CosineAnnealingLR"])
def test_trainer_applies_pytorchs_rate_of_update_k_at_update_k(make, peer):
    """The weight moves by float32(lr_k) * grad at update k: PyTorch's k-th rate."""
    sched, n = make(), 60
    net, trainer = one_weight_trainer(make())
    applied = []
    for _ in range(n):
        update(net, trainer)
        applied.append(-net.weight.data().asnumpy().item())
        net.weight.set_data(mx.nd.zeros((1, 1)))
    np.testing.assert_array_equal(applied, np.float32([sched(k) for k in range(1, n + 1)]))
    np.testing.assert_allclose(applied, np.float32(peer(n)), rtol=1e-6, atol=1e-12)


def test_momentum_handler_sets_pytorchs_momentum_of_update_k():
    sched, n = T.OneCycleLR(0.1, 40), 40
    _, momentums = ref.one_cycle_lr(0.1, n, 0.1, 40)
    net, trainer = one_weight_trainer(sched, momentum=0.95)
    handler = MomentumHandler(sched.momentum)
    used = []
    for _ in range(n):
        handler.before_update(trainer)
        used.append(trainer.optimizer.momentum)
        update(net, trainer)
    np.testing.assert_allclose(used, momentums, rtol=RTOL)
    assert handler.updates == list(range(1, n + 1))


def test_three_phase_cycle_refused_is_one_pytorch_never_finishes():
    lrs, _ = ref.one_cycle_lr(LR, 10, 0.1, 10, pct_start=0.6, three_phase=True)
    assert min(lrs) > 0.1 / 25.0 / 1e4 * 10  # the annihilation to min_lr never happens
