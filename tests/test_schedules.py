"""Values of the six named schedules: formula tables, cross-checks, MXNet built-ins."""
import math

import numpy as np
import pytest
from mxnet.lr_scheduler import (CosineScheduler, FactorScheduler, LRScheduler,
                                MultiFactorScheduler, PolyScheduler)

from mxsched import (CosineAnnealing, CosineAnnealingSchedule, CyclicalSchedule,
                     LinearCoolDown, LinearWarmUp, OneCycle, OneCycleSchedule,
                     PureCosineScheduler, PureFactorScheduler, PureMultiFactorScheduler,
                     PurePolyScheduler, TriangularSchedule, from_mxnet)


def assert_lrs(sched, expected, steps=None, rel=1e-12):
    """Compare ``sched(t)`` with ``expected[i]`` at every step, PyTorch-style message."""
    steps = range(len(expected)) if steps is None else steps
    for t, want in zip(steps, expected):
        got = sched(t)
        assert isinstance(got, float), f"value at t={t} is {type(got)}, not float"
        assert got == pytest.approx(want, rel=rel, abs=1e-15), \
            f"LR is wrong at update {t}: expected {want}, got {got}"


# ----------------------------------------------------------------- value tables
def test_triangular_table():
    # up = 10 * 0.3 = 3: 0.1 -> 1.0 over 3 updates, back down over 7, then min_lr.
    s = TriangularSchedule(min_lr=0.1, max_lr=1.0, cycle_length=10, inc_fraction=0.3)
    up = [0.1 + 0.9 * t / 3 for t in range(4)]
    down = [0.1 + 0.9 * (10 - t) / 7 for t in range(4, 11)]
    assert_lrs(s, up + down + [0.1] * 5)
    assert s.base_lr == 1.0


def test_triangular_inc_fraction_one_is_a_ramp_then_drop():
    s = TriangularSchedule(0.0, 1.0, cycle_length=4, inc_fraction=1.0)
    assert_lrs(s, [0.0, 0.25, 0.5, 0.75, 1.0, 0.0, 0.0])


def test_cosine_annealing_table():
    s = CosineAnnealing(min_lr=0.05, max_lr=0.5, cycle_length=8)
    expected = [0.05 + 0.45 * (1 + math.cos(math.pi * t / 8)) / 2 for t in range(9)]
    assert_lrs(s, expected + [0.05] * 4)
    assert CosineAnnealingSchedule is CosineAnnealing


def test_linear_warm_up_table_shifts_the_wrapped_schedule():
    inner = CosineAnnealing(0.0, 1.0, cycle_length=4)
    s = LinearWarmUp(inner, start_lr=0.2, length=4)
    warm = [0.2 + 0.8 * t / 4 for t in range(5)]
    after = [inner(t - 4) for t in range(5, 12)]
    assert_lrs(s, warm + after)
    assert s(5) == inner(1)  # shifted, not cut


def test_linear_cool_down_table():
    inner = TriangularSchedule(0.0, 1.0, cycle_length=10)
    s = LinearCoolDown(inner, finish_lr=0.1, start_idx=7, length=3)
    start = inner(7)  # 0.6
    expected = [inner(t) for t in range(8)] \
        + [start + (0.1 - start) * k / 3 for k in (1, 2, 3)] + [0.1] * 4
    assert_lrs(s, expected)


def test_linear_cool_down_length_zero_is_an_instant_drop():
    s = LinearCoolDown(CosineAnnealing(0.0, 1.0, 100), finish_lr=0.0, start_idx=5, length=0)
    assert s(5) == CosineAnnealing(0.0, 1.0, 100)(5)
    assert_lrs(s, [0.0] * 5, steps=range(6, 11))


def test_one_cycle_table():
    s = OneCycle(start_lr=0.1, max_lr=1.0, cycle_length=8, cooldown_length=4, finish_lr=0.01)
    tri = [0.1 + 0.9 * t / 4 for t in range(5)] + [0.1 + 0.9 * (8 - t) / 4 for t in range(5, 9)]
    cool = [0.1 + (0.01 - 0.1) * k / 4 for k in (1, 2, 3, 4)]
    assert_lrs(s, tri + cool + [0.01] * 3)
    assert OneCycleSchedule is OneCycle


def test_one_cycle_without_cool_down_stays_at_start_lr():
    s = OneCycle(0.1, 1.0, cycle_length=4)
    assert_lrs(s, [0.1, 0.55, 1.0, 0.55, 0.1, 0.1, 0.1])


def test_one_cycle_is_triangle_then_cool_down():
    s = OneCycle(0.1, 1.0, 10, cooldown_length=5, finish_lr=0.0)
    ref = LinearCoolDown(TriangularSchedule(0.1, 1.0, 10), 0.0, start_idx=10, length=5)
    steps = np.arange(30)
    np.testing.assert_allclose(s.values(steps), ref.values(steps), rtol=0, atol=0)


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


# ----------------------------------------------------------------- cross-checks (SPEC 2)
def torch_cyclic_lr(t, base_lr, max_lr, step_size_up):
    """PyTorch CyclicLR(mode='triangular') at step t, from its documented formula."""
    cycle = math.floor(1 + t / (2 * step_size_up))
    x = abs(t / step_size_up - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0.0, 1 - x)


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


def in_order(sched_factory, n):
    """Values of a fresh MXNet schedule called with 1..n in order (index 0: t = 0)."""
    values = [sched_factory()(0)]
    sched = sched_factory()
    values += [sched(t) for t in range(1, n + 1)]
    return values


@pytest.mark.parametrize("M,m,max_update,W", [(0.5, 0.01, 50, 10), (1.0, 0.0, 30, 1),
                                              (0.1, 0.001, 1000, 100)])
def test_warm_up_cosine_equals_mxnet_cosine_scheduler(M, m, max_update, W):
    ours = LinearWarmUp(CosineAnnealing(m, M, max_update - W), 0, W)
    ref = in_order(lambda: CosineScheduler(max_update, base_lr=M, final_lr=m,
                                           warmup_steps=W), max_update)
    assert_lrs(ours, ref, rel=1e-9)


MXNET_CASES = {
    "factor": lambda: FactorScheduler(step=7, factor=0.5, base_lr=1.0),
    "factor-floor": lambda: FactorScheduler(step=3, factor=0.1, stop_factor_lr=1e-3,
                                            base_lr=1.0, warmup_steps=4,
                                            warmup_begin_lr=0.2),
    "factor-const-warmup": lambda: FactorScheduler(step=5, factor=0.9, base_lr=0.4,
                                                   warmup_steps=6, warmup_begin_lr=0.1,
                                                   warmup_mode="constant"),
    "multifactor": lambda: MultiFactorScheduler(step=[5, 12, 20], factor=0.3, base_lr=0.8),
    "multifactor-warmup": lambda: MultiFactorScheduler(step=[10, 15], factor=0.5,
                                                       base_lr=0.8, warmup_steps=8,
                                                       warmup_begin_lr=0.05),
    "poly": lambda: PolyScheduler(max_update=40, base_lr=0.5, pwr=2, final_lr=0.01),
    "poly-warmup": lambda: PolyScheduler(max_update=40, base_lr=0.5, pwr=3, final_lr=0.0,
                                         warmup_steps=10, warmup_begin_lr=0.1),
    "poly-warmup-past-end": lambda: PolyScheduler(max_update=5, base_lr=0.5, pwr=1,
                                                  warmup_steps=9),
    "cosine": lambda: CosineScheduler(max_update=35, base_lr=0.3, final_lr=0.02),
    "cosine-warmup": lambda: CosineScheduler(max_update=35, base_lr=0.3, final_lr=0.02,
                                             warmup_steps=5, warmup_begin_lr=0.01,
                                             warmup_mode="constant"),
}


@pytest.mark.parametrize("name", sorted(MXNET_CASES))
def test_wrapped_mxnet_builtins_give_in_order_values_in_any_order(name):
    factory = MXNET_CASES[name]
    ref = in_order(factory, 80)
    caller_object = factory()
    caller_object(3)  # already used by the caller: its state must not matter
    state_before = dict(vars(caller_object))
    wrapped = LinearCoolDown(caller_object, finish_lr=0.0, start_idx=10 ** 6, length=1)
    converted = from_mxnet(caller_object)
    for t in np.random.RandomState(0).permutation(81):
        assert wrapped(int(t)) == pytest.approx(ref[t], rel=1e-12), f"{name}: update {t}"
        assert converted(int(t)) == pytest.approx(ref[t], rel=1e-12), f"{name}: update {t}"
    np.testing.assert_allclose(converted.values(np.arange(81)), ref, rtol=1e-12)
    assert vars(caller_object) == state_before, "the caller's MXNet schedule was modified"


def test_pure_equivalents_take_mxnet_parameter_names():
    assert PureFactorScheduler(step=2, factor=0.5, base_lr=1.0)(3) == 0.5
    assert PureMultiFactorScheduler(step=[1], factor=0.5, base_lr=1.0)(2) == 0.5
    assert PurePolyScheduler(max_update=2, base_lr=1.0, pwr=1)(1) == 0.5
    assert PureCosineScheduler(max_update=2, base_lr=1.0)(1) == pytest.approx(0.5)


def test_from_mxnet_rejects_other_classes():
    class Mine(LRScheduler):
        def __call__(self, num_update):
            return 0.1
    with pytest.raises(TypeError, match="sched must be one of MXNet's"):
        from_mxnet(Mine())


# ----------------------------------------------------------------- wrappers of other things
class HalfLife(LRScheduler):
    """A user LRScheduler subclass: a pure function of t."""

    def __call__(self, num_update):
        return self.base_lr * 0.5 ** (num_update / 10)


def halving(t):
    return 0.5 ** t


def test_warm_up_wraps_user_subclass_and_plain_callable():
    user = HalfLife(base_lr=0.8)
    s = LinearWarmUp(user, start_lr=0.0, length=5)
    assert s(5) == pytest.approx(0.8)
    assert s(15) == pytest.approx(user(10))
    assert s.base_lr == pytest.approx(0.8)
    f = LinearCoolDown(halving, finish_lr=0.0, start_idx=3, length=2)
    assert [f(t) for t in range(7)] == pytest.approx([1, 0.5, 0.25, 0.125, 0.0625, 0, 0])
    np.testing.assert_allclose(f.values(range(7)), [f(t) for t in range(7)])


def test_nested_wrappers():
    s = LinearWarmUp(
        LinearCoolDown(
            CyclicalSchedule(CosineAnnealing, cycle_length=5, cycle_magnitude_decay=0.9,
                             min_lr=0.01, max_lr=0.1),
            finish_lr=0.0, start_idx=20, length=5),
        start_lr=0.0, length=3)
    assert s(0) == 0.0 and s(3) == pytest.approx(0.1)
    assert s(3 + 5) == pytest.approx(0.1 * 0.9)  # second cycle's start
    assert s(3 + 25) == 0.0 and s(10 ** 9) == 0.0


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
