"""Reference transcription of PyTorch's ``torch.optim.lr_scheduler`` schedulers.

Plain-Python test data: what PyTorch 2.13.0 (``torch/optim/lr_scheduler.py``,
git version cf30153c4c131c8164ee7798e5022d810682e2cb) actually computes, written
from its recurrences and closed forms with the same float operation order, so
the values agree with the real library to the last bit. PyTorch is not imported.

Loop convention (PyTorch's documented one)::

    optimizer = SGD(params, lr=lr)
    scheduler = Scheduler(optimizer, ...)      # constructor performs step 0
    for batch in data:                         # update k = 1, 2, ..., n
        ...; optimizer.step(); scheduler.step()

Update ``k`` therefore runs with the learning rate left in the optimizer's param
group after construction and ``k - 1`` calls of ``scheduler.step()`` (the
scheduler's ``last_epoch`` is ``k - 1`` during update ``k``). Every public
function returns ``[lr of update 1, ..., lr of update n]`` and, like the real
loop, also performs the ``scheduler.step()`` that follows update ``n`` (so it
raises where the real loop raises); pass ``final_step=False`` to skip that
trailing call. ``CyclicLR`` and ``OneCycleLR`` return ``(lrs, momentums)``:
the momentum (SGD ``momentum`` or Adam ``betas[0]``, same values) in force
during each update, ``None`` when ``cycle_momentum`` is false.

The machinery below mirrors the peer's: one optimizer param group (a dict with
``lr``, ``initial_lr``, ``momentum``...), ``last_epoch``, ``_step_count``, the
initial step performed by the constructor with ``_is_initial`` set, chainable
``get_lr`` forms that read the group's current ``lr``, and closed forms used
only where the peer uses them (``SequentialLR`` at a milestone). Constructors
raise the peer's exceptions with the peer's messages. ``last_epoch`` (resuming)
is not modelled: every scheduler starts fresh (``last_epoch=-1``).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from functools import partial

__all__ = [
    "PEER",
    "VALIDATION",
    "lambda_lr",
    "multiplicative_lr",
    "step_lr",
    "multi_step_lr",
    "constant_lr",
    "linear_lr",
    "exponential_lr",
    "polynomial_lr",
    "cosine_annealing_lr",
    "cyclic_lr",
    "one_cycle_lr",
    "cosine_annealing_warm_restarts",
    "sequential_lr",
    "chained_scheduler",
]

PEER = {
    "package": "torch",
    "version": "2.13.0",
    "git_version": "cf30153c4c131c8164ee7798e5022d810682e2cb",
    "file": "torch/optim/lr_scheduler.py",
}


# ---------------------------------------------------------------------------
# Minimal stand-ins for an optimizer and the LRScheduler base class
# ---------------------------------------------------------------------------


class _Optimizer:
    """One param group, SGD-like: ``defaults`` has ``lr`` and ``momentum``."""

    def __init__(self, lr, momentum=0.0):
        self.group = {"lr": lr, "momentum": momentum}
        self.defaults = {"lr": lr, "momentum": momentum}


def _format_param(name, param):
    # The peer accepts a scalar or a list/tuple with one entry per param group.
    if isinstance(param, (list, tuple)):
        if len(param) != 1:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(param)} values, param_groups has 1."
            )
        return param[0]
    return param


class _Scheduler:
    _is_initial = False

    def __init__(self, opt):
        self.opt = opt
        g = opt.group
        g.setdefault("initial_lr", g["lr"])
        self.base_lr = g["initial_lr"]
        self.last_epoch = -1
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def step(self):
        self._step_count += 1
        self._update_lr(None)

    def _update_lr(self, epoch):
        if epoch is None:
            self.last_epoch += 1
            value = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            value = closed() if closed is not None else self.get_lr()
        self.opt.group["lr"] = value

    def get_lr(self):  # pragma: no cover - abstract
        raise NotImplementedError


def _run(opt, sched, n, final_step, momentum=False):
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    lrs, moms = [], []
    for k in range(1, n + 1):
        lrs.append(opt.group["lr"])
        moms.append(opt.group["momentum"])
        if k < n or final_step:
            sched.step()
    return (lrs, moms) if momentum else lrs


# ---------------------------------------------------------------------------
# Schedulers (peer class names, single param group)
# ---------------------------------------------------------------------------


def _lambdas(lr_lambda):
    if not isinstance(lr_lambda, (list, tuple)):
        return lr_lambda
    if len(lr_lambda) != 1:
        raise ValueError(f"Expected 1 lr_lambdas, but got {len(lr_lambda)}")
    return lr_lambda[0]


class _LambdaLR(_Scheduler):
    def __init__(self, opt, lr_lambda):
        self.lr_lambda = _lambdas(lr_lambda)
        super().__init__(opt)

    def get_lr(self):
        return self.base_lr * self.lr_lambda(self.last_epoch)


class _MultiplicativeLR(_Scheduler):
    def __init__(self, opt, lr_lambda):
        self.lr_lambda = _lambdas(lr_lambda)
        if not callable(self.lr_lambda):
            raise TypeError(
                "lr_lambda should be a function, but got "
                f"{type(self.lr_lambda).__name__}"
            )
        super().__init__(opt)

    def get_lr(self):
        if not self._is_initial:
            return self.opt.group["lr"] * self.lr_lambda(self.last_epoch)
        return self.opt.group["lr"]


class _StepLR(_Scheduler):
    def __init__(self, opt, step_size, gamma=0.1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.opt.group["lr"]
        return self.opt.group["lr"] * self.gamma

    def _get_closed_form_lr(self):
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)


class _MultiStepLR(_Scheduler):
    def __init__(self, opt, milestones, gamma=0.1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self.opt.group["lr"]
        return self.opt.group["lr"] * self.gamma ** self.milestones[self.last_epoch]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return self.base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)


class _ConstantLR(_Scheduler):
    def __init__(self, opt, factor=1.0 / 3, total_iters=5):
        if factor > 1.0 or factor < 0:
            raise ValueError(
                "Constant multiplicative factor expected to be between 0 and 1."
            )
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(opt)

    def get_lr(self):
        lr = self.opt.group["lr"]
        if self.last_epoch == 0:
            return lr * self.factor
        if self.last_epoch != self.total_iters:
            return lr
        return lr * (1.0 / self.factor)

    def _get_closed_form_lr(self):
        return self.base_lr * (
            self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        )


class _LinearLR(_Scheduler):
    def __init__(self, opt, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 "
                "and less or equal to 1."
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(
                "Ending multiplicative factor expected to be between 0 and 1."
            )
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(opt)

    def get_lr(self):
        lr = self.opt.group["lr"]
        if self.last_epoch == 0:
            return lr * self.start_factor
        if self._is_initial or self.last_epoch > self.total_iters:
            return lr
        return lr * (
            1.0
            + (self.end_factor - self.start_factor)
            / (
                self.total_iters * self.start_factor
                + (self.last_epoch - 1) * (self.end_factor - self.start_factor)
            )
        )

    def _get_closed_form_lr(self):
        return self.base_lr * (
            self.start_factor
            + (self.end_factor - self.start_factor)
            * min(self.total_iters, self.last_epoch)
            / self.total_iters
        )


class _ExponentialLR(_Scheduler):
    def __init__(self, opt, gamma):
        self.gamma = gamma
        super().__init__(opt)

    def get_lr(self):
        if self._is_initial:
            return self.opt.group["lr"]
        return self.opt.group["lr"] * self.gamma

    def _get_closed_form_lr(self):
        return self.base_lr * self.gamma**self.last_epoch


class _PolynomialLR(_Scheduler):
    def __init__(self, opt, total_iters=5, power=1.0):
        self.total_iters = total_iters
        self.power = power
        super().__init__(opt)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self.opt.group["lr"]
        decay_factor = (
            (1.0 - self.last_epoch / self.total_iters)
            / (1.0 - (self.last_epoch - 1) / self.total_iters)
        ) ** self.power
        return self.opt.group["lr"] * decay_factor

    def _get_closed_form_lr(self):
        return (
            self.base_lr
            * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
            ** self.power
        )


class _CosineAnnealingLR(_Scheduler):
    def __init__(self, opt, T_max, eta_min=0.0):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(opt)

    def get_lr(self):
        lr = self.opt.group["lr"]
        T_max, eta_min, base_lr = self.T_max, self.eta_min, self.base_lr
        if self._is_initial:
            return lr
        if self._step_count == 1 and self.last_epoch > 0:
            return (
                eta_min
                + (base_lr - eta_min)
                * (1 + math.cos((self.last_epoch) * math.pi / T_max))
                / 2
            )
        if (self.last_epoch - 1 - T_max) % (2 * T_max) == 0:
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        return (1 + math.cos(math.pi * self.last_epoch / T_max)) / (
            1 + math.cos(math.pi * (self.last_epoch - 1) / T_max)
        ) * (lr - eta_min) + eta_min

    def _get_closed_form_lr(self):
        return (
            self.eta_min
            + (self.base_lr - self.eta_min)
            * (1 + math.cos(math.pi * self.last_epoch / self.T_max))
            / 2
        )


class _CyclicLR(_Scheduler):
    def __init__(
        self,
        opt,
        base_lr,
        max_lr,
        step_size_up=2000,
        step_size_down=None,
        mode="triangular",
        gamma=1.0,
        scale_fn=None,
        scale_mode="cycle",
        cycle_momentum=True,
        base_momentum=0.8,
        max_momentum=0.9,
    ):
        base_lr = _format_param("base_lr", base_lr)
        opt.group["lr"] = base_lr  # the optimizer's own lr is overwritten
        self.max_lr = _format_param("max_lr", max_lr)
        step_size_up = float(step_size_up)
        step_size_down = (
            float(step_size_down) if step_size_down is not None else step_size_up
        )
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        if scale_fn is None:
            if mode == "triangular":
                self._scale_fn_ref = lambda x: 1.0
                self.scale_mode = "cycle"
            elif mode == "triangular2":
                self._scale_fn_ref = lambda x: 1 / (2.0 ** (x - 1))
                self.scale_mode = "cycle"
            else:  # exp_range
                self._scale_fn_ref = partial(lambda g, x: g**x, gamma)
                self.scale_mode = "iterations"
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in opt.defaults and "betas" not in opt.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with "
                    "`cycle_momentum` option enabled"
                )
            self.base_momentum = _format_param("base_momentum", base_momentum)
            self.max_momentum = _format_param("max_momentum", max_momentum)
            opt.group["momentum"] = self.max_momentum
            opt.group["max_momentum"] = self.max_momentum
            opt.group["base_momentum"] = self.base_momentum
        # The initial step inside the base constructor still sees the base
        # class's base_lr (the group's initial_lr, kept if already present).
        super().__init__(opt)
        self.base_lr = base_lr

    def scale_fn(self, x):
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return self._scale_fn_ref(x)

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        base_height = (self.max_lr - self.base_lr) * scale_factor
        if self.scale_mode == "cycle":
            lr = self.base_lr + base_height * self.scale_fn(cycle)
        else:
            lr = self.base_lr + base_height * self.scale_fn(self.last_epoch)
        if self.cycle_momentum:
            base_height = (self.max_momentum - self.base_momentum) * scale_factor
            if self.scale_mode == "cycle":
                momentum = self.max_momentum - base_height * self.scale_fn(cycle)
            else:
                momentum = self.max_momentum - base_height * self.scale_fn(
                    self.last_epoch
                )
            self.opt.group["momentum"] = momentum
        return lr


class _CosineAnnealingWarmRestarts(_Scheduler):
    def __init__(self, opt, T_0, T_mult=1, eta_min=0.0):
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type "
                f"{type(eta_min)}"
            )
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = -1
        super().__init__(opt)

    def get_lr(self):
        return (
            self.eta_min
            + (self.base_lr - self.eta_min)
            * (1 + math.cos(math.pi * self.T_cur / self.T_i))
            / 2
        )

    def step(self):
        # Only the incremental path (step() without an epoch) is modelled. The
        # peer's own step() does not touch _step_count.
        if self.last_epoch < 0:
            epoch = 0
            self.T_i = self.T_0
            self.T_cur = epoch
        else:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        self.last_epoch = math.floor(epoch)
        self.opt.group["lr"] = self.get_lr()


_PHASES_2 = (
    ("initial_lr", "max_lr", "max_momentum", "base_momentum"),
    ("max_lr", "min_lr", "base_momentum", "max_momentum"),
)
_PHASES_3 = (
    ("initial_lr", "max_lr", "max_momentum", "base_momentum"),
    ("max_lr", "initial_lr", "base_momentum", "max_momentum"),
    ("initial_lr", "min_lr", "max_momentum", "max_momentum"),
)


class _OneCycleLR(_Scheduler):
    def __init__(
        self,
        opt,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
    ):
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(
                    f"Expected positive integer total_steps, but got {total_steps}"
                )
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(
                    "Expected positive integer steps_per_epoch, but got "
                    f"{steps_per_epoch}"
                )
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(
                "You must define either total_steps OR (epochs AND steps_per_epoch)"
            )
        if three_phase:
            ends = [
                float(pct_start * self.total_steps) - 1,
                float(2 * pct_start * self.total_steps) - 2,
                self.total_steps - 1,
            ]
            keys = _PHASES_3
        else:
            ends = [float(pct_start * self.total_steps) - 1, self.total_steps - 1]
            keys = _PHASES_2
        self.phases = [(end,) + k for end, k in zip(ends, keys)]
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(
                f"Expected float between 0 and 1 pct_start, but got {pct_start}"
            )
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                "anneal_strategy must be one of 'cos' or 'linear', instead got "
                f"{anneal_strategy}"
            )
        self.anneal_strategy = anneal_strategy
        max_lr = _format_param("max_lr", max_lr)
        g = opt.group
        g["initial_lr"] = max_lr / div_factor  # overwritten, not setdefault
        g["max_lr"] = max_lr
        g["min_lr"] = g["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in opt.defaults and "betas" not in opt.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with "
                    "`cycle_momentum` option enabled"
                )
            m_momentum = _format_param("max_momentum", max_momentum)
            b_momentum = _format_param("base_momentum", base_momentum)
            g["momentum"] = m_momentum
            g["max_momentum"] = m_momentum
            g["base_momentum"] = b_momentum
        super().__init__(opt)

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            cos_out = math.cos(math.pi * pct) + 1
            return end + (start - end) / 2.0 * cos_out
        return (end - start) * pct + start

    def get_lr(self):
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"Tried to step {step_num} times. The specified number of total "
                f"steps is {self.total_steps}"
            )
        g = self.opt.group
        start_step = 0.0
        last = len(self.phases) - 1
        for i, (end_step, s_lr, e_lr, s_mom, e_mom) in enumerate(self.phases):
            if step_num <= end_step or i == last:
                pct = (step_num - start_step) / (end_step - start_step)
                lr = self._anneal(g[s_lr], g[e_lr], pct)
                if self.cycle_momentum:
                    g["momentum"] = self._anneal(g[s_mom], g[e_mom], pct)
                return lr
            start_step = end_step
        raise AssertionError("unreachable")


_CLASSES = {
    "LambdaLR": _LambdaLR,
    "MultiplicativeLR": _MultiplicativeLR,
    "StepLR": _StepLR,
    "MultiStepLR": _MultiStepLR,
    "ConstantLR": _ConstantLR,
    "LinearLR": _LinearLR,
    "ExponentialLR": _ExponentialLR,
    "PolynomialLR": _PolynomialLR,
    "CosineAnnealingLR": _CosineAnnealingLR,
    "CyclicLR": _CyclicLR,
    "CosineAnnealingWarmRestarts": _CosineAnnealingWarmRestarts,
    "OneCycleLR": _OneCycleLR,
}


class _SequentialLR:
    def __init__(self, opt, schedulers, milestones):
        if len(schedulers) < 1:
            raise ValueError(
                "SequentialLR expects at least one scheduler, but got no scheduler."
            )
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be "
                "one more than the number of milestone points, but got number of "
                f"schedulers {len(schedulers)} and the number of milestones to be "
                f"equal to {len(milestones)}"
            )
        self.opt = opt
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = 0
        opt.group["lr"] = opt.group["initial_lr"]
        for s in schedulers:  # "undo" each child's constructor step
            s.last_epoch -= 1
        self._schedulers[bisect_right(milestones, 0)]._initial_step()

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()


class _ChainedScheduler:
    def __init__(self, schedulers):
        if len(schedulers) < 1:
            raise ValueError(
                "ChainedScheduler expects at least one scheduler to be chained, "
                "but got no scheduler."
            )
        self._schedulers = schedulers

    def step(self):
        for s in self._schedulers:
            s.step()


def _build_children(opt, schedulers):
    built = []
    for spec in schedulers:
        name, kwargs = spec
        if name not in _CLASSES:
            raise ValueError(f"unknown scheduler name {name!r}")
        built.append(_CLASSES[name](opt, **kwargs))
    return built


# ---------------------------------------------------------------------------
# Public reference functions
# ---------------------------------------------------------------------------


def lambda_lr(lr, n, lr_lambda, *, final_step=True):
    """``torch.optim.lr_scheduler.LambdaLR``.

    Signature: ``LambdaLR(optimizer, lr_lambda, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: see the module
    docstring (update k runs with ``last_epoch = k - 1``).

    Update k: ``lr * lr_lambda(k - 1)`` (not chainable: reads the base lr).
    ``lr_lambda`` is called once at construction with 0 and then once per
    ``scheduler.step()`` with 1, 2, ... (the trailing step calls it with n).

    Validation: a list/tuple of lambdas whose length differs from the number
    of param groups -> ``ValueError("Expected {groups} lr_lambdas, but got
    {len}")``. The callable itself is not checked (a non-callable fails with
    ``TypeError`` at the constructor's initial step).
    """
    opt = _Optimizer(lr)
    return _run(opt, _LambdaLR(opt, lr_lambda), n, final_step)


def multiplicative_lr(lr, n, lr_lambda, *, final_step=True):
    """``torch.optim.lr_scheduler.MultiplicativeLR``.

    Signature: ``MultiplicativeLR(optimizer, lr_lambda, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    Update 1: ``lr`` (the constructor's step does not call ``lr_lambda``).
    Update k >= 2: ``lr_{k-1} * lr_lambda(k - 1)`` (running product, so
    ``lr * f(1) * f(2) * ... * f(k-1)`` evaluated left to right).

    Validation: list length mismatch -> ``ValueError("Expected {groups}
    lr_lambdas, but got {len}")``; a non-callable -> ``TypeError("lr_lambda
    should be a function, but got {type name}")``.
    """
    opt = _Optimizer(lr)
    return _run(opt, _MultiplicativeLR(opt, lr_lambda), n, final_step)


def step_lr(lr, n, step_size, gamma=0.1, *, final_step=True):
    """``torch.optim.lr_scheduler.StepLR``.

    Signature: ``StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    Chainable: with e = k - 1, lr_k = lr_{k-1} * gamma when e > 0 and
    ``e % step_size == 0``, else lr_{k-1}. So lr_k = lr * gamma * gamma ...
    (repeated multiplication, floor(e / step_size) times), not
    ``lr * gamma ** m``.

    Validation: none. ``step_size=0`` raises ``ZeroDivisionError`` (integer
    modulo) at the first ``scheduler.step()``; negative or float step sizes
    follow Python's ``%``.
    """
    opt = _Optimizer(lr)
    return _run(opt, _StepLR(opt, step_size, gamma), n, final_step)


def multi_step_lr(lr, n, milestones, gamma=0.1, *, final_step=True):
    """``torch.optim.lr_scheduler.MultiStepLR``.

    Signature: ``MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    Chainable: milestones become a ``Counter``; with e = k - 1, lr_k =
    lr_{k-1} * gamma ** count(e) when e is a milestone, else lr_{k-1}.
    Unsorted and repeated milestones are accepted (a repeat multiplies by
    ``gamma ** repeats`` at once); a milestone 0 decays the very first lr
    (the constructor's step has e = 0); negative milestones are never reached.

    Validation: none (milestones must be iterable and hashable).
    """
    opt = _Optimizer(lr)
    return _run(opt, _MultiStepLR(opt, milestones, gamma), n, final_step)


def constant_lr(lr, n, factor=1.0 / 3, total_iters=5, *, final_step=True):
    """``torch.optim.lr_scheduler.ConstantLR``.

    Signature: ``ConstantLR(optimizer, factor=1/3, total_iters=5, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    Chainable: e = 0 -> lr * factor; e == total_iters -> lr_{k-1} * (1.0 /
    factor) (so the restored value is ``lr * factor * (1.0 / factor)``, which
    may differ from lr in the last bit); otherwise unchanged.
    ``total_iters=0`` keeps ``lr * factor`` forever (the e == 0 branch wins).

    Validation: ``factor > 1.0 or factor < 0`` -> ``ValueError("Constant
    multiplicative factor expected to be between 0 and 1.")``. ``factor=0``
    is accepted; the step at e == total_iters then raises
    ``ZeroDivisionError``.
    """
    opt = _Optimizer(lr)
    return _run(opt, _ConstantLR(opt, factor, total_iters), n, final_step)


def linear_lr(
    lr, n, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, *, final_step=True
):
    """``torch.optim.lr_scheduler.LinearLR``.

    Signature: ``LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5,
    last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    Chainable: e = 0 -> lr * start_factor; 1 <= e <= total_iters ->
    lr_{k-1} * (1.0 + (end - start) / (total_iters * start + (e - 1) * (end -
    start))); e > total_iters -> unchanged. ``total_iters=0`` keeps
    ``lr * start_factor`` forever.

    Validation: ``start_factor > 1.0 or start_factor <= 0`` ->
    ``ValueError("Starting multiplicative factor expected to be greater than 0
    and less or equal to 1.")``; ``end_factor > 1.0 or end_factor < 0`` ->
    ``ValueError("Ending multiplicative factor expected to be between 0 and
    1.")``. total_iters is not checked.
    """
    opt = _Optimizer(lr)
    sched = _LinearLR(opt, start_factor, end_factor, total_iters)
    return _run(opt, sched, n, final_step)


def exponential_lr(lr, n, gamma, *, final_step=True):
    """``torch.optim.lr_scheduler.ExponentialLR``.

    Signature: ``ExponentialLR(optimizer, gamma, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    Chainable: lr_1 = lr, lr_k = lr_{k-1} * gamma (repeated multiplication).

    Validation: none.
    """
    opt = _Optimizer(lr)
    return _run(opt, _ExponentialLR(opt, gamma), n, final_step)


def polynomial_lr(lr, n, total_iters=5, power=1.0, *, final_step=True):
    """``torch.optim.lr_scheduler.PolynomialLR``.

    Signature: ``PolynomialLR(optimizer, total_iters=5, power=1.0, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    Chainable: lr_1 = lr; for 1 <= e <= total_iters lr_k = lr_{k-1} *
    ((1.0 - e / T) / (1.0 - (e - 1) / T)) ** power; unchanged for e > T. The
    lr is exactly 0.0 from update T + 1 on (for power > 0).
    ``total_iters=0`` gives a constant lr.

    Validation: none. A negative power raises ``ZeroDivisionError`` at e = T.
    """
    opt = _Optimizer(lr)
    return _run(opt, _PolynomialLR(opt, total_iters, power), n, final_step)


def cosine_annealing_lr(lr, n, T_max, eta_min=0.0, *, final_step=True):
    """``torch.optim.lr_scheduler.CosineAnnealingLR``.

    Signature: ``CosineAnnealingLR(optimizer, T_max, eta_min=0.0, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    Recursive (stepped without an epoch): lr_1 = lr; for e >= 1,
    if ``(e - 1 - T_max) % (2 * T_max) == 0``:
    ``lr_{k-1} + (lr - eta_min) * (1 - cos(pi / T_max)) / 2``, else
    ``(1 + cos(pi * e / T_max)) / (1 + cos(pi * (e - 1) / T_max)) *
    (lr_{k-1} - eta_min) + eta_min``. It reaches eta_min at e = T_max and then
    keeps following the cosine back up (period 2 * T_max): no clamping.

    Validation: none. ``T_max=0`` raises ``ZeroDivisionError`` at the first
    ``scheduler.step()``.
    """
    opt = _Optimizer(lr)
    return _run(opt, _CosineAnnealingLR(opt, T_max, eta_min), n, final_step)


def cyclic_lr(
    lr,
    n,
    base_lr,
    max_lr,
    step_size_up=2000,
    step_size_down=None,
    mode="triangular",
    gamma=1.0,
    scale_fn=None,
    scale_mode="cycle",
    cycle_momentum=True,
    base_momentum=0.8,
    max_momentum=0.9,
    *,
    momentum=0.0,
    final_step=True,
):
    """``torch.optim.lr_scheduler.CyclicLR``.

    Signature: ``CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000,
    step_size_down=None, mode='triangular', gamma=1.0, scale_fn=None,
    scale_mode='cycle', cycle_momentum=True, base_momentum=0.8, max_momentum=0.9,
    last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring
    (the peer documents stepping after every batch).

    Returns ``(lrs, momentums)``; momentums is None when cycle_momentum is
    false (``momentum`` is then the optimizer's untouched SGD momentum).
    The optimizer's ``lr`` is overwritten by ``base_lr`` at construction and
    plays no role. Closed form in e = k - 1 (floats, step sizes ``float()``-ed):
    ``cycle = floor(1 + e / total)``, ``x = 1.0 + e / total - cycle``,
    ``scale = x / ratio`` if ``x <= ratio`` else ``(x - 1) / (ratio - 1)``,
    ``lr = base_lr + (max_lr - base_lr) * scale * f(arg)`` with
    ``arg = cycle`` (scale_mode 'cycle') or ``e`` ('iterations');
    ``momentum = max_momentum - (max_momentum - base_momentum) * scale * f(arg)``.
    Built-in modes force scale_mode: triangular f = 1.0 and triangular2
    f(c) = 1 / 2.0 ** (c - 1) with 'cycle', exp_range f(e) = gamma ** e with
    'iterations'; a custom scale_fn uses scale_mode as given (any value other
    than 'cycle' means iterations) and then mode is ignored. At construction
    the momentum is set to max_momentum (and the group gets 'max_momentum' and
    'base_momentum' keys) before the initial step sets it again.

    Validation: ``mode`` not in the three and scale_fn None ->
    ``ValueError("mode is invalid and scale_fn is None")``; cycle_momentum
    with an optimizer lacking both 'momentum' and 'betas' defaults ->
    ``ValueError("optimizer must support momentum or beta1 with
    `cycle_momentum` option enabled")`` (SGD always has 'momentum', even 0);
    list-valued base_lr/max_lr/momenta of the wrong length -> ``ValueError(
    "{name} must have the same length as optimizer.param_groups. {name} has
    {len} values, param_groups has {groups}.")``. step_size_up=0 raises
    ``ZeroDivisionError`` in the constructor (0/0 at e = 0); both step
    sizes 0 likewise; step_size_down=0 is fine (sawtooth).
    """
    opt = _Optimizer(lr, momentum)
    sched = _CyclicLR(
        opt,
        base_lr,
        max_lr,
        step_size_up,
        step_size_down,
        mode,
        gamma,
        scale_fn,
        scale_mode,
        cycle_momentum,
        base_momentum,
        max_momentum,
    )
    lrs, moms = _run(opt, sched, n, final_step, momentum=True)
    return lrs, (moms if cycle_momentum else None)


def one_cycle_lr(
    lr,
    n,
    max_lr,
    total_steps=None,
    epochs=None,
    steps_per_epoch=None,
    pct_start=0.3,
    anneal_strategy="cos",
    cycle_momentum=True,
    base_momentum=0.85,
    max_momentum=0.95,
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
    *,
    momentum=0.0,
    final_step=True,
):
    """``torch.optim.lr_scheduler.OneCycleLR``.

    Signature: ``OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None,
    steps_per_epoch=None, pct_start=0.3, anneal_strategy='cos', cycle_momentum=True,
    base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=1e4,
    three_phase=False, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring
    (stepped after every batch).

    Returns ``(lrs, momentums)`` (momentums None without cycle_momentum). The
    optimizer's ``lr`` plays no role: ``initial_lr = max_lr / div_factor``,
    ``min_lr = initial_lr / final_div_factor``. T = total_steps, or
    ``epochs * steps_per_epoch``. Phase end steps (floats):
    two-phase ``[float(pct_start * T) - 1, T - 1]`` (initial->max, max->min;
    momentum max->base, base->max); three-phase
    ``[float(pct_start * T) - 1, float(2 * pct_start * T) - 2, T - 1]``
    (initial->max, max->initial, initial->min; momentum max->base, base->max,
    max->max). For e = k - 1, the first phase with ``e <= end`` (or the last
    phase) gives ``pct = (e - start) / (end - start)`` (start = previous
    end, 0.0 for the first); cos: ``end_v + (start_v - end_v) / 2.0 *
    (cos(pi * pct) + 1)``; linear: ``(end_v - start_v) * pct + start_v``.

    Past the end: updates 1..T run e = 0..T-1; update T has exactly min_lr.
    The ``scheduler.step()`` after update T computes e = T, which is allowed:
    pct > 1 extrapolates (cos turns back up slightly above min_lr, linear
    goes below min_lr, possibly negative); that value would only be used by an
    update T + 1. The next step (e = T + 1, i.e. the one after update T + 1)
    raises ``ValueError("Tried to step {T+1} times. The specified number of
    total steps is {T}")``. So ``n = T`` is the normal loop, ``n = T + 1``
    returns the overshoot value and then raises like the peer's loop (use
    ``final_step=False`` to get it without the raise).

    Zero-length phases: a phase with end == start hit by some e raises
    ``ZeroDivisionError`` (e.g. T=10, pct_start=0.1: end 0.0 at e=0, in the
    constructor; pct_start=1.0: last phase [T-1, T-1], so the trailing step
    after update T raises). A negative first end (pct_start * T < 1) is
    skipped: the warm-up phase is then never used.

    Validation, in order: total_steps given and (``total_steps <= 0`` or not
    an int) -> ``ValueError("Expected positive integer total_steps, but got
    {v}")``; else epochs and steps_per_epoch given: not int or <= 0 ->
    ``ValueError("Expected positive integer epochs, but got {v}")`` /
    ``("Expected positive integer steps_per_epoch, but got {v}")``; else
    ``ValueError("You must define either total_steps OR (epochs AND
    steps_per_epoch)")``; then pct_start < 0, > 1 or not a float (an int 0
    or 1 fails) -> ``ValueError("Expected float between 0 and 1 pct_start,
    but got {v}")``; anneal_strategy -> ``ValueError("anneal_strategy must be
    one of 'cos' or 'linear', instead got {v}")``; cycle_momentum without
    momentum/betas -> ValueError as for CyclicLR.
    """
    opt = _Optimizer(lr, momentum)
    sched = _OneCycleLR(
        opt,
        max_lr,
        total_steps,
        epochs,
        steps_per_epoch,
        pct_start,
        anneal_strategy,
        cycle_momentum,
        base_momentum,
        max_momentum,
        div_factor,
        final_div_factor,
        three_phase,
    )
    lrs, moms = _run(opt, sched, n, final_step, momentum=True)
    return lrs, (moms if cycle_momentum else None)


def cosine_annealing_warm_restarts(lr, n, T_0, T_mult=1, eta_min=0.0, *, final_step=True):
    """``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``.

    Signature: ``CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0.0,
    last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring,
    stepped once per batch with ``scheduler.step()`` (no epoch argument: the
    incremental path).

    Not recursive: ``eta_min + (lr - eta_min) * (1 + cos(pi * T_cur / T_i)) /
    2``. T_cur starts at 0 with T_i = T_0; each step: ``T_cur += 1``; if
    ``T_cur >= T_i``: ``T_cur = T_cur % T_i; T_i = T_i * T_mult``. So update
    k uses T_cur = 0 at k = 1, T_0 + 1, T_0 + T_0*T_mult + 1, ... (a restart
    at lr; eta_min itself is never reached with integer steps).

    Validation: ``T_0 <= 0 or not isinstance(T_0, int)`` ->
    ``ValueError("Expected positive integer T_0, but got {T_0}")``;
    ``T_mult < 1 or not isinstance(T_mult, int)`` -> ``ValueError("Expected
    integer T_mult >= 1, but got {T_mult}")``; eta_min not float/int ->
    ``ValueError("Expected float or int eta_min, but got {v} of type
    {type}")``. (bool passes as int.)
    """
    opt = _Optimizer(lr)
    sched = _CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min)
    return _run(opt, sched, n, final_step)


def sequential_lr(lr, n, schedulers, milestones, *, final_step=True):
    """``torch.optim.lr_scheduler.SequentialLR``.

    Signature: ``SequentialLR(optimizer, schedulers, milestones, last_epoch=-1)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    ``schedulers`` is a list of ``(peer class name, kwargs)`` pairs, e.g.
    ``[("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
    ("CosineAnnealingLR", {"T_max": 20})]``; they are constructed in order on
    the same optimizer (each constructor runs its initial step and changes the
    group's lr), exactly as a PyTorch user does before building SequentialLR.
    SequentialLR then resets the lr to the group's ``initial_lr``, decrements
    every child's last_epoch, and re-runs the initial step of the child active
    at epoch 0. On step s (its own counter, 1, 2, ...): the active child is
    ``bisect_right(milestones, s)``; if s equals that child's milestone, the
    child is restarted with ``_update_lr(0)``: its CLOSED form at epoch 0
    where it has one (StepLR, MultiStepLR, ConstantLR, LinearLR,
    ExponentialLR, PolynomialLR, CosineAnnealingLR), else its get_lr at
    last_epoch 0 (LambdaLR: base * f(0); MultiplicativeLR: the CURRENT lr *
    f(0); CyclicLR/OneCycleLR/CosineAnnealingWarmRestarts: their first value);
    otherwise ``child.step()`` (chainable forms continue from the current lr).
    Children after the first thus start from their base lr (the original
    lr), not from where the previous child ended.

    Quirks reproduced: a OneCycleLR child overwrites the group's initial_lr
    (max_lr / div_factor), so the reset and later children's base use that;
    CyclicLR overwrites the lr with base_lr at construction.

    Validation: no schedulers -> ``ValueError("SequentialLR expects at least
    one scheduler, but got no scheduler.")``; ``len(milestones) !=
    len(schedulers) - 1`` -> ``ValueError("Sequential Schedulers expects
    number of schedulers provided to be one more than the number of milestone
    points, but got number of schedulers {a} and the number of milestones to
    be equal to {b}")``; a ReduceLROnPlateau child or one on another
    optimizer -> ValueError (not modelled). Milestones are not checked for
    order or sign.
    """
    opt = _Optimizer(lr)
    children = _build_children(opt, schedulers)
    return _run(opt, _SequentialLR(opt, children, list(milestones)), n, final_step)


def chained_scheduler(lr, n, schedulers, *, final_step=True):
    """``torch.optim.lr_scheduler.ChainedScheduler``.

    Signature: ``ChainedScheduler(schedulers, optimizer=None)``.

    Source: torch/optim/lr_scheduler.py, torch 2.13.0. Loop: module docstring.

    ``schedulers`` as for :func:`sequential_lr`; constructed in order on one
    optimizer, then each ``scheduler.step()`` steps every child in list
    order. Chainable children multiply the current lr by their own factor, so
    the schedule composes multiplicatively: e.g. ConstantLR(0.1) then
    ExponentialLR(0.9) gives lr * 0.1 * 0.9 ** e until e = total_iters, then
    the 1/0.1 restores it (x 0.9 ** e continues). The constructors compose
    too (ConstantLR then LinearLR starts at lr * factor * start_factor).
    Children whose get_lr reads only base values (LambdaLR, CyclicLR,
    OneCycleLR, CosineAnnealingWarmRestarts) overwrite whatever earlier
    children set; later chainable children then scale that.

    Validation: no schedulers -> ``ValueError("ChainedScheduler expects at
    least one scheduler to be chained, but got no scheduler.")``;
    ReduceLROnPlateau / foreign optimizer -> ValueError (not modelled).
    """
    opt = _Optimizer(lr)
    children = _build_children(opt, schedulers)
    return _run(opt, _ChainedScheduler(children), n, final_step)


# Peer class -> list of (condition, exception, message) for what its
# constructor (or stepping) rejects. "{...}" marks interpolated values.
VALIDATION = {
    "LambdaLR": [
        ("list lr_lambda of wrong length", "ValueError",
         "Expected {groups} lr_lambdas, but got {len}"),
    ],
    "MultiplicativeLR": [
        ("list lr_lambda of wrong length", "ValueError",
         "Expected {groups} lr_lambdas, but got {len}"),
        ("lr_lambda not callable", "TypeError",
         "lr_lambda should be a function, but got {type name}"),
    ],
    "StepLR": [
        ("step_size == 0 (at first step, not constructor)", "ZeroDivisionError",
         "integer modulo by zero"),
    ],
    "MultiStepLR": [],
    "ConstantLR": [
        ("factor > 1.0 or factor < 0", "ValueError",
         "Constant multiplicative factor expected to be between 0 and 1."),
        ("factor == 0 (at step e == total_iters)", "ZeroDivisionError",
         "float division by zero"),
    ],
    "LinearLR": [
        ("start_factor > 1.0 or start_factor <= 0", "ValueError",
         "Starting multiplicative factor expected to be greater than 0 and "
         "less or equal to 1."),
        ("end_factor > 1.0 or end_factor < 0", "ValueError",
         "Ending multiplicative factor expected to be between 0 and 1."),
    ],
    "ExponentialLR": [],
    "PolynomialLR": [
        ("power < 0 (at step e == total_iters)", "ZeroDivisionError",
         "0.0 cannot be raised to a negative power"),
    ],
    "CosineAnnealingLR": [
        ("T_max == 0 (at first step)", "ZeroDivisionError",
         "integer modulo by zero"),
    ],
    "CyclicLR": [
        ("mode not in {triangular, triangular2, exp_range} and scale_fn is None",
         "ValueError", "mode is invalid and scale_fn is None"),
        ("cycle_momentum and optimizer defaults have neither momentum nor betas",
         "ValueError",
         "optimizer must support momentum or beta1 with `cycle_momentum` "
         "option enabled"),
        ("list param of wrong length", "ValueError",
         "{name} must have the same length as optimizer.param_groups. {name} "
         "has {len} values, param_groups has {groups}."),
        ("step_size_up == 0 (constructor)", "ZeroDivisionError",
         "float division by zero"),
    ],
    "OneCycleLR": [
        ("total_steps given and (total_steps <= 0 or not int)", "ValueError",
         "Expected positive integer total_steps, but got {total_steps}"),
        ("epochs not int or <= 0", "ValueError",
         "Expected positive integer epochs, but got {epochs}"),
        ("steps_per_epoch not int or <= 0", "ValueError",
         "Expected positive integer steps_per_epoch, but got {steps_per_epoch}"),
        ("neither total_steps nor both epochs and steps_per_epoch", "ValueError",
         "You must define either total_steps OR (epochs AND steps_per_epoch)"),
        ("pct_start < 0 or > 1 or not a float", "ValueError",
         "Expected float between 0 and 1 pct_start, but got {pct_start}"),
        ("anneal_strategy not in {cos, linear}", "ValueError",
         "anneal_strategy must be one of 'cos' or 'linear', instead got "
         "{anneal_strategy}"),
        ("cycle_momentum and optimizer defaults have neither momentum nor betas",
         "ValueError",
         "optimizer must support momentum or beta1 with `cycle_momentum` "
         "option enabled"),
        ("stepping to last_epoch > total_steps", "ValueError",
         "Tried to step {last_epoch} times. The specified number of total "
         "steps is {total_steps}"),
    ],
    "CosineAnnealingWarmRestarts": [
        ("T_0 <= 0 or not int", "ValueError",
         "Expected positive integer T_0, but got {T_0}"),
        ("T_mult < 1 or not int", "ValueError",
         "Expected integer T_mult >= 1, but got {T_mult}"),
        ("eta_min not float or int", "ValueError",
         "Expected float or int eta_min, but got {eta_min} of type "
         "{type(eta_min)}"),
    ],
    "SequentialLR": [
        ("no schedulers", "ValueError",
         "SequentialLR expects at least one scheduler, but got no scheduler."),
        ("len(milestones) != len(schedulers) - 1", "ValueError",
         "Sequential Schedulers expects number of schedulers provided to be one "
         "more than the number of milestone points, but got number of "
         "schedulers {n} and the number of milestones to be equal to {m}"),
    ],
    "ChainedScheduler": [
        ("no schedulers", "ValueError",
         "ChainedScheduler expects at least one scheduler to be chained, but "
         "got no scheduler."),
    ],
}
