"""The core guarantees (SPEC section 3) for every schedule added by the zoo, and nestings."""
import copy
from fractions import Fraction
import math
import pickle
import time

import numpy as np
import pytest
from mxnet.lr_scheduler import LRScheduler

import mxsched
from mxsched import (Clamp, Constant, ConstantWarmUp, CosineAnnealing, CosineDecay,
                     CosineWarmUp, CyclicalSchedule, Delay, Envelope, EpochStepWarmUp,
                     ExponentialDecay, Hold, InUnits, InverseSqrtDecay, Join, KerasCosineDecay,
                     LinearSchedule, LinearWarmUp, LogWarmUp, MultiStepDecay, Noise,
                     PolynomialDecay, Product, Restarts, Scale, StepDecay, TanhDecay,
                     TorchOneCycle, TriangularSchedule, WarmupHoldCosine, WarmupStableDecay)


def everything():
    """One nesting using most combinators at once."""
    cycle = CosineWarmUp(CosineDecay(0.2, 40, 0.002, exponent=1.5), 0.01, 5)
    return Clamp(Join([ConstantWarmUp(Constant(0.2), 0.02, 3),
                       Restarts(cycle, 45, period_mult=1.5, decay=0.7, cycle_limit=6,
                                k_decay=1.3)],
                      boundaries=[10]), min_lr=0.001, max_lr=0.15)


ZOO = {
    "constant": lambda: Constant(0.1),
    "step": lambda: StepDecay(0.4, step_size=7, gamma=0.5),
    "multistep": lambda: MultiStepDecay(0.4, [10, 30, 31], gamma=0.3),
    "exponential": lambda: ExponentialDecay(0.3, decay_rate=0.9, decay_steps=5),
    "exponential-stairs": lambda: ExponentialDecay(0.3, 0.9, 5, staircase=True),
    "poly": lambda: PolynomialDecay(0.2, 50, end_lr=0.01, power=2.0),
    "poly-cycle": lambda: PolynomialDecay(0.2, 17, end_lr=0.01, power=0.5, cycle=True),
    "linear": lambda: LinearSchedule(0.5, 0.05, 60),
    "inv-sqrt": lambda: InverseSqrtDecay(0.3, timescale=10),
    "cosine": lambda: CosineDecay(0.2, 100, min_lr=0.01, exponent=2.0),
    "tanh": lambda: TanhDecay(0.2, 80, min_lr=0.001),
    "constant-warmup": lambda: ConstantWarmUp(CosineDecay(0.2, 50), 0.01, 10),
    "log-warmup": lambda: LogWarmUp(StepDecay(0.2, 30, 0.5), 0.0, 20),
    "cosine-warmup": lambda: CosineWarmUp(CosineAnnealing(0.0, 0.2, 60), 0.0, 15),
    "epoch-step-warmup": lambda: EpochStepWarmUp(CosineDecay(0.2, 200), 3, 8),
    "hold": lambda: Hold(PolynomialDecay(0.2, 40), 15),
    "wsd": lambda: WarmupStableDecay(0.3, 10, 20, 30, "cosine", "1-sqrt", 0.1),
    "warmup-hold-cosine": lambda: WarmupHoldCosine(0.0, 0.3, 100, 10, 5, 0.001),
    "keras-cosine": lambda: KerasCosineDecay(0.01, 60, 0.1, warmup_target=0.3,
                                             warmup_steps=10),
    "torch-onecycle": lambda: TorchOneCycle(0.3, 100, three_phase=True),
    "torch-onecycle-linear": lambda: Delay(TorchOneCycle(0.3, 70, 0.25, "linear"), 1),
    "restarts-timm": lambda: Restarts(CosineDecay(0.2, 20, 0.001), 20, period_mult=1.7,
                                      decay=0.6, decay_mode="peak", cycle_limit=5,
                                      k_decay=2.0),
    "restarts-keras": lambda: Restarts(CosineDecay(0.2, 10, 0.02), 10, 2.0, 0.8),
    "triangular2": lambda: Restarts(TriangularSchedule(0.01, 0.2, 20), 20, decay=0.5),
    "exp-range": lambda: Envelope(Restarts(TriangularSchedule(0.01, 0.2, 20), 20),
                                  ExponentialDecay(1.0, 0.995), floor=0.01),
    "join": lambda: Join([LinearSchedule(0.0, 0.3, 10), Constant(0.3), CosineDecay(0.3, 50)],
                         [10, 25]),
    "scale": lambda: Scale(CosineAnnealing(0.0, 1.0, 50), 0.2),
    "product": lambda: Product([CosineDecay(0.3, 90), ExponentialDecay(1.0, 0.99)]),
    "clamp": lambda: Clamp(InverseSqrtDecay(0.5), min_lr=0.05, max_lr=0.3),
    "delay": lambda: Delay(CosineDecay(0.2, 30), 4),
    "in-epochs": lambda: InUnits.epochs(MultiStepDecay(0.2, [3, 6]), 10, accumulation=3),
    "in-epochs-stepwise": lambda: InUnits(StepDecay(0.2, 2), 12, stepwise=True),
    "in-percent": lambda: InUnits.percent(LinearWarmUp(CosineDecay(0.2, 90), 0.0, 10), 450),
    "noise": lambda: Noise(CosineDecay(0.2, 300), noise_range_t=[100, 500], noise_pct=0.3,
                           noise_std=0.5, noise_seed=3),
    "noise-uniform": lambda: Noise(Constant(0.1), 100, 0.5, noise_type="uniform"),
    "everything": everything,
    "core-in-zoo": lambda: Join([CyclicalSchedule(TriangularSchedule, 20, min_lr=0.0,
                                                  max_lr=0.2),
                                 TorchOneCycle(0.2, 50)], [60]),
}
NAMES = sorted(ZOO)
#: the reference peak falls between integer steps (or the envelope lowers it first)
PEAK_BETWEEN_STEPS = {"epoch-step-warmup", "exp-range", "torch-onecycle-linear"}
NOISY = {"noise", "noise-uniform"}
STEPS = np.arange(0, 700)


@pytest.mark.parametrize("name", NAMES)
def test_is_an_mxnet_lr_scheduler_usable_by_the_optimizer(name):
    import mxnet as mx
    sched = ZOO[name]()
    assert isinstance(sched, LRScheduler)
    assert mx.optimizer.create("sgd", lr_scheduler=sched).lr_scheduler is sched


@pytest.mark.parametrize("name", NAMES)
def test_any_call_order_gives_the_same_values(name):
    sched = ZOO[name]()
    in_order = [sched(int(t)) for t in STEPS]
    before = repr(sched)
    fresh = ZOO[name]()
    got = {int(t): fresh(int(t)) for t in np.random.RandomState(1).permutation(STEPS)}
    assert [got[int(t)] for t in STEPS] == in_order
    assert [sched(int(t)) for t in STEPS] == in_order
    assert repr(sched) == before
    assert all(isinstance(v, float) and v >= 0 for v in in_order)


@pytest.mark.parametrize("name", NAMES)
def test_values_equals_scalar_calls(name):
    sched = ZOO[name]()
    steps = np.concatenate([STEPS, STEPS[:50] + 0.5, [10 ** 6, 10 ** 9, 10 ** 12]])
    vec = sched.values(steps)
    assert vec.dtype == np.float64 and vec.shape == steps.shape
    np.testing.assert_allclose(vec, [sched(float(t)) for t in steps], rtol=1e-12, atol=1e-15)
    assert sched.values(STEPS[:702].reshape(-1, 4)).shape == (175, 4)


@pytest.mark.parametrize("name", NAMES)
def test_pickle_and_deepcopy_round_trip(name):
    sched = ZOO[name]()
    expected = sched.values(STEPS)
    for clone in (pickle.loads(pickle.dumps(sched)), copy.deepcopy(sched), copy.copy(sched)):
        assert repr(clone) == repr(sched)
        np.testing.assert_array_equal(clone.values(STEPS), expected)


@pytest.mark.parametrize("name", NAMES)
def test_base_lr_reads_the_peak_and_assignment_rescales(name):
    sched = ZOO[name]()
    peak = sched.base_lr
    highest = sched.values(np.arange(0, 100)).max()
    if name in PEAK_BETWEEN_STEPS:
        assert highest <= peak < 1.06 * highest
    elif name in NOISY:  # the bound of the noisy rate: (1 + noise_pct) * noise-free peak
        assert peak == pytest.approx((1 + sched.noise_pct) * sched.schedule.base_lr)
        assert highest <= peak
    else:
        assert peak == pytest.approx(highest, rel=1e-12)
    original = sched.values(STEPS)
    sched.base_lr = 0.4
    assert sched.base_lr == pytest.approx(0.4, rel=1e-12)
    np.testing.assert_allclose(sched.values(STEPS), original * 0.4 / peak, rtol=1e-12,
                               atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_far_past_the_end_and_huge_steps(name):
    sched = ZOO[name]()
    for t in (10 ** 6, 10 ** 9, 10 ** 12):
        value = sched(t)
        assert isinstance(value, float) and math.isfinite(value) and value >= 0


@pytest.mark.parametrize("name", NAMES)
def test_constant_cost_per_call(name):
    sched = ZOO[name]()

    def cost(t):
        start = time.perf_counter()
        for _ in range(200):
            sched(t)
        return (time.perf_counter() - start) / 200
    near, far = min(cost(10) for _ in range(3)), min(cost(10 ** 9) for _ in range(3))
    assert far < 5 * near + 2e-5, f"{far * 1e6:.1f} us at 1e9 vs {near * 1e6:.1f} us at 10"
    assert near < 1e-4, f"{near * 1e6:.1f} us per call"


@pytest.mark.parametrize("name", NAMES)
def test_negative_or_nan_step_is_a_value_error(name):
    sched = ZOO[name]()
    with pytest.raises(ValueError, match=r"num_update must be a finite number >= 0, got -1"):
        sched(-1)
    with pytest.raises(ValueError, match=r"steps must be finite and >= 0"):
        sched.values([0, -3])


@pytest.mark.parametrize("name", NAMES)
def test_repr_shows_the_constructor_call(name):
    sched = ZOO[name]()
    # test only: the repr is a valid call (exact ratios show as fractions.Fraction)
    rebuilt = eval(repr(sched), dict(vars(mxsched), Fraction=Fraction))
    assert repr(rebuilt) == repr(sched)
    np.testing.assert_array_equal(rebuilt.values(STEPS), sched.values(STEPS))


@pytest.mark.parametrize("name", NAMES)
def test_phases_cover_the_run_in_order(name):
    sched = ZOO[name]()
    phases = sched.phases(500)
    assert phases and phases[0].start == 0
    for a, b in zip(phases, phases[1:]):
        assert a.end is not None and a.start <= a.end <= b.start + 1e-9, phases
    assert phases[-1].end is None or phases[-1].end <= 500


def test_a_million_steps_in_milliseconds():
    sched = everything()
    start = time.perf_counter()
    sched.values(np.arange(10 ** 6))
    assert time.perf_counter() - start < 1.0
