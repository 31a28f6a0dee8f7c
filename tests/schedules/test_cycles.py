"""Cycles: CyclicalSchedule and Restarts, tables and cross-checks, and where they agree.

The references below are independent re-implementations of the formulas / source of
PyTorch (``CyclicLR``, ``CosineAnnealingWarmRestarts``), Keras (``CosineDecayRestarts``)
and timm (``CosineLRScheduler``, ``TanhLRScheduler``); none of them is a dependency.
"""
import math

import numpy as np
import pytest

from conftest import assert_lrs
from mxsched import (CosineAnnealing, CyclicalSchedule, Envelope, ExponentialDecay,
                     LinearSchedule, LinearWarmUp, OneCycle, Restarts, TanhDecay,
                     TriangularSchedule)


# ----------------------------------------------------------------- CyclicalSchedule tables
def test_cyclical_table_with_length_and_magnitude_decay():
    s = CyclicalSchedule(TriangularSchedule, cycle_length=4, cycle_length_decay=1.5,
                         cycle_magnitude_decay=0.5, min_lr=0.0, max_lr=1.0)
    # lengths 4, ceil(6) = 6, 9, 14: starts 0, 4, 10, 19
    lengths, starts = [4, 6, 9, 14], [0, 4, 10, 19]
    for k, (start, length) in enumerate(zip(starts, lengths)):
        tri = TriangularSchedule(0.0, 1.0, cycle_length=length)
        for local in range(length):
            want = tri(local) * 0.5 ** k
            got = s(start + local)
            assert got == pytest.approx(want, rel=1e-12, abs=1e-15), \
                f"LR is wrong at update {start + local}: expected {want}, got {got}"


def test_cyclical_shrinking_cycles_reach_a_fixed_length():
    s = CyclicalSchedule(CosineAnnealing, cycle_length=10, cycle_length_decay=0.5,
                         min_lr=0.0, max_lr=1.0)
    # 10, 5, 3, 2, 1, 1, 1, ...: starts 0, 10, 15, 18, 20, 21, ...
    assert s(15) == 1.0 and s(18) == 1.0 and s(20) == 1.0
    assert s(16) == pytest.approx(CosineAnnealing(0.0, 1.0, 3)(1))
    assert s(10 ** 9) == 1.0  # every step of a length-1 cycle is its start


def test_cyclical_of_a_class_without_a_vectorised_length_hook():
    """OneCycle has no ``_values_at_lengths``: cycles are grouped by length instead."""
    s = CyclicalSchedule(OneCycle, cycle_length=6, cycle_length_decay=1.5,
                         cycle_magnitude_decay=0.7, start_lr=0.1, max_lr=1.0)
    steps = np.arange(200)
    expected = [s(int(t)) for t in steps]
    np.testing.assert_allclose(s.values(steps), expected, rtol=1e-12)
    np.testing.assert_allclose(s.values(steps[::-1]), expected[::-1], rtol=1e-12)
    # lengths 6, 9, 14: the third cycle starts at 15 with 0.7 ** 2 * start_lr
    assert s(15) == pytest.approx(0.1 * 0.49) and s(15 + 7) == pytest.approx(1.0 * 0.49)


# ----------------------------------------------------------------- Restarts tables
def test_restarts_height_mode_and_cycle_limit_table():
    """Height above the floor ``schedule(cycle_length) = 0`` halves; two cycles, then 0."""
    s = Restarts(LinearSchedule(1.0, 0.0, 4), 4, cycle_magnitude_decay=0.5, cycle_limit=2)
    assert_lrs(s, [1.0, 0.75, 0.5, 0.25, 0.5, 0.375, 0.25, 0.125, 0.0, 0.0, 0.0])


def test_restarts_height_and_peak_modes_above_a_floor():
    """Floor 0.2 (the line's end): height mode halves ``v - 0.2``; peak mode maps
    ``[0.2, 1.0]`` onto ``[0.2, 0.5]`` (the peak halves)."""
    line = LinearSchedule(1.0, 0.2, 4)
    height = Restarts(line, 4, cycle_magnitude_decay=0.5)
    assert_lrs(height, [1.0, 0.8, 0.6, 0.4] + [0.6, 0.5, 0.4, 0.3] + [0.4, 0.35, 0.3, 0.25])
    peak = Restarts(line, 4, cycle_magnitude_decay=0.5, magnitude_mode="peak")
    ratio = (0.5 - 0.2) / (1.0 - 0.2)
    assert_lrs(peak, [1.0, 0.8, 0.6, 0.4]
               + [0.2 + (v - 0.2) * ratio for v in (1.0, 0.8, 0.6, 0.4)])


def test_restarts_stretch_the_schedule_to_each_cycle_length():
    s = Restarts(LinearSchedule(1.0, 0.0, 4), 4, cycle_length_decay=2)
    # lengths 4, 8, 16: starts 0, 4, 12
    assert_lrs(s, [1.0, 0.75, 0.5, 0.25] + [1.0 - k / 8 for k in range(8)] + [1.0, 0.9375])


# ----------------------------------------------------------------- PyTorch
def torch_cyclic_lr(t, base_lr, max_lr, step_size_up):
    """PyTorch CyclicLR(mode='triangular') at step t, from its documented formula."""
    cycle = math.floor(1 + t / (2 * step_size_up))
    x = abs(t / step_size_up - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0.0, 1 - x)


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


def torch_warm_restarts(n, base_lr, T_0, T_mult, eta_min):
    """PyTorch CosineAnnealingWarmRestarts over epochs 0..n-1, as ``step()`` computes them.

    This is the incremental path taken by ``scheduler.step()`` (``T_cur += 1``; at
    ``T_cur >= T_i``: ``T_cur -= T_i``, ``T_i *= T_mult``). PyTorch's closed form for an
    explicit ``step(epoch)`` uses ``int(log(...))`` and misplaces restarts by float error
    (T_0=1, T_mult=3 at epoch 121 gives ``int(log(243, 3)) = 4``), so it is not used here.
    """
    values, t_cur, t_i = [], 0, T_0
    for _ in range(n):
        values.append(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
        t_cur += 1
        if t_cur >= t_i:
            t_cur -= t_i
            t_i *= T_mult
    return values


@pytest.mark.parametrize("a,b,s", [(0.001, 0.006, 5), (0.1, 1.0, 1), (0.0, 0.3, 13)])
def test_cyclical_triangular_equals_pytorch_cyclic_lr(a, b, s):
    ours = CyclicalSchedule(TriangularSchedule, min_lr=a, max_lr=b, cycle_length=2 * s)
    for t in range(20 * s + 3):
        want = torch_cyclic_lr(t, a, b, s)
        assert ours(t) == pytest.approx(want, rel=1e-12, abs=1e-15), f"update {t}"


@pytest.mark.parametrize("m,M,T0,k", [(0.0, 0.1, 10, 1), (0.001, 0.05, 3, 2), (0.01, 1.0, 1, 3)])
def test_cyclical_cosine_equals_pytorch_warm_restarts(m, M, T0, k):
    ours = CyclicalSchedule(CosineAnnealing, min_lr=m, max_lr=M, cycle_length=T0,
                            cycle_length_decay=k)
    for t, want in enumerate(torch_warm_restarts(400, M, T0, k, m)):
        assert ours(t) == pytest.approx(want, rel=1e-9, abs=1e-15), f"update {t}"


@pytest.mark.parametrize("a,b,up,down", [(0.001, 0.006, 5, 5), (0.1, 1.0, 3, 7),
                                         (0.0, 0.3, 13, 13)])
def test_triangular2_restarts_equal_cyclic_lr(a, b, up, down):
    total = up + down
    s = Restarts(TriangularSchedule(a, b, total, inc_fraction=up / total), cycle_length=total,
                 cycle_magnitude_decay=0.5)
    assert_lrs(s, [torch_cyclic(t, a, b, up, down, "triangular2") for t in range(8 * total)])
    plain = Restarts(TriangularSchedule(a, b, total, inc_fraction=up / total),
                     cycle_length=total)
    assert_lrs(plain, [torch_cyclic(t, a, b, up, down, "triangular") for t in range(8 * total)])


@pytest.mark.parametrize("a,b,s_up,gamma", [(0.001, 0.006, 5, 0.99), (0.1, 1.0, 4, 0.9),
                                            (0.0, 0.3, 10, 0.999)])
def test_exp_range_envelope_equals_cyclic_lr(a, b, s_up, gamma):
    tri = Restarts(TriangularSchedule(a, b, 2 * s_up), cycle_length=2 * s_up)
    s = Envelope(tri, ExponentialDecay(1.0, length=1, factor=gamma), min_lr=a)
    assert_lrs(s, [torch_cyclic(t, a, b, s_up, s_up, "exp_range", gamma)
                   for t in range(12 * s_up)])


# ----------------------------------------------------------------- Keras
def keras_cosine_restarts(step, lr, first, t_mul, m_mul, alpha):
    """Keras CosineDecayRestarts at ``step``."""
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
    s = Restarts(CosineAnnealing(alpha * lr, lr, first), cycle_length=first,
                 cycle_length_decay=t_mul, cycle_magnitude_decay=m_mul)
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
    s = Restarts(CosineAnnealing(kw["lr_min"], base, kw["t_initial"]), kw["t_initial"],
                 cycle_length_decay=kw.get("cycle_mul", 1.0),
                 cycle_magnitude_decay=kw.get("cycle_decay", 1.0), magnitude_mode="peak",
                 cycle_limit=kw.get("cycle_limit", 1), k_decay=kw.get("k_decay", 1.0))
    if kw.get("warmup_t"):
        s = LinearWarmUp(s, kw["warmup_lr_init"], kw["warmup_t"])
    assert_lrs(s, [timm_cosine(t, base, **kw) for t in range(250)], rel=1e-9)


def timm_tanh(t, base, t_initial, lb=-7.0, ub=3.0, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0,
              cycle_limit=1):
    """timm TanhLRScheduler._get_lr."""
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


@pytest.mark.parametrize("kw", [dict(t_initial=10, cycle_decay=0.5, cycle_limit=3),
                                dict(t_initial=6, cycle_mul=2.0, cycle_limit=4, lr_min=0.01)])
def test_restarted_tanh_equals_timm(kw):
    """Several cycles (one cycle alone: see test_shapes)."""
    base = 0.1
    tanh = TanhDecay(kw.get("lr_min", 0.0), base, kw["t_initial"], kw.get("lb", -7.0),
                     kw.get("ub", 3.0))
    s = Restarts(tanh, kw["t_initial"], kw.get("cycle_mul", 1.0), kw.get("cycle_decay", 1.0),
                 "peak", kw["cycle_limit"], min_lr=kw.get("lr_min", 0.0))
    assert_lrs(s, [timm_tanh(t, base, **kw) for t in range(120)], rel=1e-9)


# ----------------------------------------------------------------- the two engines agree
@pytest.mark.parametrize("min_lr", [0.0, 0.001])
def test_cyclical_and_restarts_agree_on_an_sgdr(min_lr):
    """SGDR with cycles doubling from 100 and heights halving, over 5,000 steps (six
    cycles, restarts at 100, 300, 700, 1500, 3100), built by either class.

    CyclicalSchedule scales the whole value of cycle ``k`` by ``0.5 ** k``; Restarts
    scales the height above ``min_lr``, so ``min_lr=0.0`` makes it the same schedule.
    """
    cyclical = CyclicalSchedule(CosineAnnealing, 100, cycle_length_decay=2,
                                cycle_magnitude_decay=0.5, min_lr=min_lr, max_lr=0.1)
    restarts = Restarts(CosineAnnealing(min_lr, 0.1, 100), 100, cycle_length_decay=2,
                        cycle_magnitude_decay=0.5, min_lr=0.0)
    steps = np.arange(5000)
    expected = cyclical.values(steps)
    assert_lrs(restarts, expected)
    assert [cyclical(t) for t in (100, 300, 700, 1500, 3100)] == \
        pytest.approx([0.1 * 0.5 ** k for k in range(1, 6)], rel=1e-15)
    assert restarts.base_lr == cyclical.base_lr == 0.1


def test_cyclical_and_restarts_agree_on_a_plain_clr():
    cyclical = CyclicalSchedule(TriangularSchedule, 20, min_lr=0.01, max_lr=0.1,
                                inc_fraction=0.25)
    restarts = Restarts(TriangularSchedule(0.01, 0.1, 20, inc_fraction=0.25), 20)
    assert_lrs(restarts, cyclical.values(np.arange(1000)))
