"""Every shape against its anchor's published formula, at every step, several parameter sets.

The references below are independent re-implementations of the formulas / source of
PyTorch, Keras, timm, Hugging Face, DeepSpeed and SuperGradients (none of them is a
dependency). mxsched steps are indices: ``sched(i)`` is the formula at index ``i``.
"""
import math

import numpy as np
import pytest

from mxsched import (Constant, CosineDecay, CosineWarmUp, Delay, EpochStepWarmUp, Envelope,
                     ExponentialDecay, InUnits, InverseSqrtDecay, KerasCosineDecay,
                     LinearSchedule, LinearWarmUp, LogWarmUp, MultiStepDecay, PolynomialDecay,
                     Restarts, StepDecay, TanhDecay, TorchOneCycle, TriangularSchedule,
                     WarmupHoldCosine, WarmupStableDecay)


def assert_lrs(sched, expected, steps=None, rel=1e-12):
    """``sched(t) == expected[i]`` at every step, and ``values`` agrees."""
    steps = list(range(len(expected))) if steps is None else list(steps)
    for t, want in zip(steps, expected):
        got = sched(t)
        assert got == pytest.approx(want, rel=rel, abs=1e-15), \
            f"LR is wrong at step {t}: expected {want}, got {got}"
    np.testing.assert_allclose(sched.values(steps), expected, rtol=rel, atol=1e-15)


# ----------------------------------------------------------------- PyTorch
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


def torch_cyclic(t, base_lr, max_lr, up, down, mode, gamma=1.0):
    """torch.optim.lr_scheduler.CyclicLR.get_lr at ``last_epoch = t``."""
    total = up + down
    ratio = up / total
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    height = (max_lr - base_lr) * scale
    if mode == "triangular":
        return base_lr + height
    if mode == "triangular2":
        return base_lr + height * (1 / (2.0 ** (cycle - 1)))
    return base_lr + height * gamma ** t  # exp_range: scale_mode 'iterations'


@pytest.mark.parametrize("a,b,up,down", [(0.001, 0.006, 5, 5), (0.1, 1.0, 3, 7),
                                         (0.0, 0.3, 13, 13)])
def test_triangular2_restarts_equal_cyclic_lr(a, b, up, down):
    total = up + down
    s = Restarts(TriangularSchedule(a, b, total, inc_fraction=up / total), period=total,
                 decay=0.5)
    assert_lrs(s, [torch_cyclic(t, a, b, up, down, "triangular2") for t in range(8 * total)])
    plain = Restarts(TriangularSchedule(a, b, total, inc_fraction=up / total), period=total)
    assert_lrs(plain, [torch_cyclic(t, a, b, up, down, "triangular") for t in range(8 * total)])


@pytest.mark.parametrize("a,b,s_up,gamma", [(0.001, 0.006, 5, 0.99), (0.1, 1.0, 4, 0.9),
                                            (0.0, 0.3, 10, 0.999)])
def test_exp_range_envelope_equals_cyclic_lr(a, b, s_up, gamma):
    tri = Restarts(TriangularSchedule(a, b, 2 * s_up), period=2 * s_up)
    s = Envelope(tri, ExponentialDecay(1.0, decay_rate=gamma), floor=a)
    assert_lrs(s, [torch_cyclic(t, a, b, s_up, s_up, "exp_range", gamma)
                   for t in range(12 * s_up)])


def test_step_multistep_exponential_linear_equal_pytorch():
    assert_lrs(StepDecay(0.05, step_size=3, gamma=0.1), [0.05] * 3 + [0.005] * 3 + [0.0005] * 3)
    assert_lrs(MultiStepDecay(0.05, [2, 5, 9], gamma=0.1),
               [0.05] * 2 + [0.005] * 3 + [0.0005] * 4 + [0.00005] * 3)
    assert_lrs(ExponentialDecay(0.05, decay_rate=0.9), [0.05 * 0.9 ** t for t in range(20)])
    # LinearLR(start_factor=0.5, end_factor=1.0, total_iters=4) on lr 0.05
    assert_lrs(LinearSchedule(0.025, 0.05, 4),
               [0.05 * (0.5 + 0.5 * min(t, 4) / 4) for t in range(8)])


# ----------------------------------------------------------------- Keras
@pytest.mark.parametrize("lr,rate,steps,stair", [(0.1, 0.96, 10, False), (0.1, 0.96, 10, True),
                                                 (1.0, 0.5, 3, True), (0.3, 0.7, 1, False)])
def test_exponential_decay_equals_keras(lr, rate, steps, stair):
    def keras(step):
        p = step / steps
        if stair:
            p = math.floor(p)
        return lr * rate ** p
    assert_lrs(ExponentialDecay(lr, rate, steps, staircase=stair),
               [keras(t) for t in range(60)])


@pytest.mark.parametrize("lr,steps,end,power,cycle", [
    (0.1, 10, 0.01, 0.5, False), (0.1, 10, 0.0001, 1.0, True), (1.0, 7, 0.0, 2.0, True),
    (0.5, 1, 0.1, 3.0, True), (0.5, 13, 0.5, 1.0, False)])
def test_polynomial_decay_equals_keras(lr, steps, end, power, cycle):
    def keras(step):
        decay_steps = steps
        if cycle:
            decay_steps = steps * (1.0 if step == 0 else math.ceil(step / steps))
        else:
            step = min(step, steps)
        p = step / decay_steps
        return (lr - end) * (1 - p) ** power + end
    assert_lrs(PolynomialDecay(lr, steps, end, power, cycle), [keras(t) for t in range(60)])


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


def keras_cosine_restarts(step, lr, first, t_mul, m_mul, alpha):
    fraction = step / first
    if t_mul == 1.0:
        i = math.floor(fraction)
        fraction -= i
    else:
        i = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
        sum_r = (1.0 - t_mul ** i) / (1.0 - t_mul)
        fraction = (fraction - sum_r) / t_mul ** i
    cosine = 0.5 * m_mul ** i * (1.0 + math.cos(math.pi * fraction))
    return lr * ((1 - alpha) * cosine + alpha)


@pytest.mark.parametrize("lr,first,t_mul,m_mul,alpha", [
    (0.1, 10, 2.0, 1.0, 0.0), (0.1, 10, 2.0, 0.5, 0.1), (1.0, 7, 1.0, 0.8, 0.0),
    (0.5, 4, 1.5, 0.9, 0.2)])
def test_cosine_decay_restarts_equals_keras(lr, first, t_mul, m_mul, alpha):
    s = Restarts(CosineDecay(lr, first, alpha * lr), period=first, period_mult=t_mul,
                 decay=m_mul)
    steps = [t for t in range(300)]
    assert_lrs(s, [keras_cosine_restarts(t, lr, first, t_mul, m_mul, alpha) for t in steps],
               rel=1e-9)


# ----------------------------------------------------------------- timm
def timm_cosine(t, base, t_initial, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0,
                cycle_limit=1, k_decay=1.0, warmup_t=0, warmup_lr_init=0.0):
    """timm CosineLRScheduler._get_lr with warmup_prefix=True."""
    if t < warmup_t:
        return warmup_lr_init + t * (base - warmup_lr_init) / warmup_t
    t = t - warmup_t
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul ** i * t_initial
        t_curr = t - (1 - cycle_mul ** i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    lr_max = base * cycle_decay ** i
    if i < cycle_limit:
        return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr ** k_decay
                                                                / t_i ** k_decay))
    return lr_min


TIMM = [dict(t_initial=20, lr_min=1e-3),
        dict(t_initial=10, lr_min=1e-4, cycle_decay=0.5, cycle_limit=3),
        dict(t_initial=10, lr_min=0.0, cycle_mul=2.0, cycle_decay=0.7, cycle_limit=4),
        dict(t_initial=12, lr_min=0.01, cycle_limit=2, k_decay=2.0),
        dict(t_initial=8, lr_min=0.0, cycle_mul=1.5, cycle_limit=5, k_decay=0.5),
        dict(t_initial=15, lr_min=0.002, cycle_limit=2, warmup_t=5, warmup_lr_init=1e-4)]


@pytest.mark.parametrize("kw", TIMM)
def test_restarted_cosine_equals_timm(kw):
    base = 0.1
    s = Restarts(CosineDecay(base, kw["t_initial"], kw["lr_min"]), period=kw["t_initial"],
                 period_mult=kw.get("cycle_mul", 1.0), decay=kw.get("cycle_decay", 1.0),
                 decay_mode="peak", cycle_limit=kw.get("cycle_limit", 1),
                 k_decay=kw.get("k_decay", 1.0))
    if kw.get("warmup_t"):
        s = LinearWarmUp(s, kw["warmup_lr_init"], kw["warmup_t"])
    assert_lrs(s, [timm_cosine(t, base, **kw) for t in range(250)], rel=1e-9)


def timm_tanh(t, base, t_initial, lb=-7.0, ub=3.0, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0,
              cycle_limit=1):
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul ** i * t_initial
        t_curr = t - (1 - cycle_mul ** i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    if i < cycle_limit:
        lr_max = base * cycle_decay ** i
        tr = t_curr / t_i
        return lr_min + 0.5 * (lr_max - lr_min) * (1 - math.tanh(lb * (1. - tr) + ub * tr))
    return lr_min


@pytest.mark.parametrize("kw", [dict(t_initial=30), dict(t_initial=10, lr_min=0.001, lb=-6,
                                                          ub=4),
                                dict(t_initial=10, cycle_decay=0.5, cycle_limit=3),
                                dict(t_initial=6, cycle_mul=2.0, cycle_limit=4, lr_min=0.01)])
def test_tanh_equals_timm(kw):
    base = 0.1
    tanh = TanhDecay(base, kw["t_initial"], kw.get("lr_min", 0.0), kw.get("lb", -7.0),
                     kw.get("ub", 3.0))
    limit = kw.get("cycle_limit", 1)
    s = tanh if limit == 1 else Restarts(tanh, kw["t_initial"], kw.get("cycle_mul", 1.0),
                                         kw.get("cycle_decay", 1.0), "peak", limit,
                                         floor=kw.get("lr_min", 0.0))
    assert_lrs(s, [timm_tanh(t, base, **kw) for t in range(120)], rel=1e-9)


# ----------------------------------------------------------------- Hugging Face
def hf_wsd(step, w, s, d, warmup_type, decay_type, r, num_cycles=0.5):
    if step < w:
        p = float(step) / float(max(1, w))
        factor = {"linear": p, "cosine": 0.5 * (1.0 - math.cos(math.pi * p)),
                  "1-sqrt": 1.0 - math.sqrt(1.0 - p)}[warmup_type]
        return max(0.0, factor * (1.0 - r) + r)
    if step < w + s:
        return 1.0
    if step < w + s + d:
        p = float(step - w - s) / float(max(1, d))
        factor = {"linear": 1.0 - p,
                  "cosine": 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * p)),
                  "1-sqrt": 1.0 - math.sqrt(p)}[decay_type]
        return max(0.0, factor * (1.0 - r) + r)
    return r


@pytest.mark.parametrize("w,s,d,wt,dt,r", [
    (10, 20, 30, "linear", "cosine", 0.0), (5, 0, 12, "cosine", "linear", 0.1),
    (7, 3, 9, "1-sqrt", "1-sqrt", 0.05), (0, 10, 10, "linear", "1-sqrt", 0.0),
    (4, 4, 0, "linear", "cosine", 0.2)])
def test_warmup_stable_decay_equals_hugging_face(w, s, d, wt, dt, r):
    sched = WarmupStableDecay(0.3, w, s, d, warmup_type=wt, decay_type=dt, min_lr_ratio=r)
    assert_lrs(sched, [0.3 * hf_wsd(t, w, s, d, wt, dt, r) for t in range(w + s + d + 10)])


def hf_inverse_sqrt(step, w, timescale=None):
    timescale = w if timescale is None else timescale
    if step < w:
        return float(step) / float(max(1, w))
    shift = timescale - w
    return 1.0 / math.sqrt((step + shift) / timescale)


@pytest.mark.parametrize("w,timescale", [(10, None), (4, 100), (25, 7)])
def test_inverse_sqrt_with_warm_up_equals_hugging_face(w, timescale):
    s = LinearWarmUp(InverseSqrtDecay(0.5, timescale=timescale or w), 0.0, w)
    assert_lrs(s, [0.5 * hf_inverse_sqrt(t, w, timescale) for t in range(300)])


def test_textbook_inverse_sqrt_and_noam():
    assert_lrs(InverseSqrtDecay(0.2), [0.2 * (t + 1) ** -0.5 for t in range(50)])
    d_model, w = 512, 40
    noam = LinearWarmUp(InverseSqrtDecay((d_model * w) ** -0.5, timescale=w), 0.0, w)
    expected = [d_model ** -0.5 * min(t ** -0.5, t * w ** -1.5) for t in range(1, 300)]
    assert_lrs(noam, expected, steps=range(1, 300))


# ----------------------------------------------------------------- DeepSpeed, SuperGradients
@pytest.mark.parametrize("lo,hi,w", [(0.0, 0.001, 1000), (1e-5, 0.01, 10), (0.1, 0.2, 2)])
def test_log_warm_up_equals_deepspeed_warmup_lr(lo, hi, w):
    def deepspeed(step):  # WarmupLR(warmup_type='log'): min + (max - min) * gamma
        gamma = (1.0 / math.log(w)) * math.log(step + 1) if step < w else 1.0
        return lo + (hi - lo) * gamma
    assert_lrs(LogWarmUp(Constant(hi), lo, w), [deepspeed(t) for t in range(w + 50)])


@pytest.mark.parametrize("initial_lr,epochs,per_epoch,start", [(0.1, 5, 10, None),
                                                               (0.4, 3, 7, 0.01),
                                                               (1.0, 1, 4, None)])
def test_epoch_step_warm_up_equals_super_gradients(initial_lr, epochs, per_epoch, start):
    warmup_initial = start or initial_lr / (epochs + 1)  # SG's default
    step = (initial_lr - warmup_initial) / epochs
    s = EpochStepWarmUp(Constant(initial_lr), epochs, per_epoch, start_lr=start)
    for epoch in range(epochs):
        want = warmup_initial + epoch * step  # perform_scheduling at each epoch start
        for t in range(epoch * per_epoch + 1, (epoch + 1) * per_epoch + 1):
            assert s(t) == pytest.approx(want, rel=1e-12), f"epoch {epoch}, update {t}"
    assert s(epochs * per_epoch + 1) == initial_lr


def test_epoch_step_warm_up_is_a_linear_warm_up_read_per_epoch():
    inner = CosineDecay(0.1, 20)
    a = EpochStepWarmUp(inner, 3, 5, start_lr=0.0)
    b = InUnits(LinearWarmUp(Constant(0.1), 0.0, 3), 5, stepwise=True)
    steps = range(0, 16)
    np.testing.assert_allclose(a.values(steps), b.values(steps), rtol=1e-12)


# ----------------------------------------------------------------- tables of the others
def test_cosine_decay_exponent_and_floor():
    s = CosineDecay(1.0, 10, min_lr=0.1, exponent=2.0)
    expected = [0.1 + 0.9 * ((1 + math.cos(math.pi * min(t, 10) / 10)) / 2) ** 2
                for t in range(15)]
    assert_lrs(s, expected)


def test_warmup_hold_cosine_table():
    s = WarmupHoldCosine(0.01, 1.0, total_steps=20, warmup_steps=5, hold_steps=3, min_lr=0.05)
    warm = [0.01 + 0.99 * t / 5 for t in range(6)]
    hold = [1.0] * 3
    decay = [0.05 + 0.95 * (1 + math.cos(math.pi * (t - 8) / 12)) / 2 for t in range(9, 21)]
    assert_lrs(s, warm + hold + decay + [0.05] * 10)


def test_cosine_warm_up_table():
    s = CosineWarmUp(CosineDecay(1.0, 4), 0.2, 4)
    warm = [0.2 + 0.8 * (1 - math.cos(math.pi * t / 4)) / 2 for t in range(4)]
    assert_lrs(s, warm + [CosineDecay(1.0, 4)(t) for t in range(6)])
