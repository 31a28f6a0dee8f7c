"""Reference transcription of the Hugging Face transformers learning-rate schedules.

Independent plain-Python transcription (test data, not a dependency) of what
``transformers.optimization`` computes, read from transformers 5.23.0
(``src/transformers/optimization.py`` and ``SchedulerType`` in
``src/transformers/trainer_utils.py``) running on ``torch.optim.lr_scheduler.LambdaLR``
of PyTorch 2.13.0.

Loop convention
---------------
Every schedule except the metric-driven ones is a ``LambdaLR`` whose factor function
``lr_lambda(current_step)`` multiplies the optimizer's initial learning rate.  The peer's
standard loop (``Trainer`` and the examples) is::

    for batch in loader:
        loss.backward()
        optimizer.step()        # uses param_group["lr"]
        scheduler.step()

``LambdaLR`` evaluates ``lr_lambda(last_epoch + 1)`` once at construction (so
``lr_lambda(0)`` with the default ``last_epoch=-1``) and one step further at every
``scheduler.step()``.  Optimizer update ``k = 1, 2, ...`` therefore uses::

    lr_k = lr * lr_lambda(last_epoch + k)          # = lr * lr_lambda(k - 1) by default

with the multiplication done as ``base_lr * factor`` (``base_lr`` is the group's
``initial_lr``, equal to ``lr`` for a fresh run).  Each public function here takes
``lr`` in place of the peer's ``optimizer`` argument (the optimizer's single learning
rate, which is also ``optimizer.defaults["lr"]``), the peer's remaining arguments with
the peer's names and defaults, and the keyword-only ``n``: it returns
``[lr_1, ..., lr_n]`` as Python floats.  The ``lambda_*`` functions are the factor
functions themselves, indexed by the peer's ``current_step`` (= ``k - 1``).

Note that the peer's loop also calls ``scheduler.step()`` after the last update, which
evaluates ``lr_lambda(last_epoch + n + 1)``: a factor that raises there (for example
the polynomial decay with ``num_warmup_steps == num_training_steps``) makes the peer's
loop raise after update ``n`` although the ``n`` learning rates themselves exist.

Validation
----------
``VALIDATION`` maps each peer function name to the errors it raises (exception type,
message, and when).  The peer checks very little: wrong types and degenerate lengths
mostly pass construction and fail (or do something odd) inside ``lr_lambda``; because
``LambdaLR`` evaluates ``lr_lambda`` at construction, an error at ``current_step ==
last_epoch + 1`` surfaces in the constructor, a later one in ``scheduler.step()``.  The
functions here evaluate the same expressions, so they raise the same exception types
with the same messages for the same inputs (from the first failing step up to ``n``).

>>> get_linear_schedule_with_warmup(1.0, 2, 4, n=6)
[0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
>>> get_cosine_schedule_with_warmup(1.0, 0, 4, n=7)[4:]   # past the end it climbs back
[0.0, 0.14644660940672616, 0.4999999999999999]
"""
import math
import warnings

__all__ = [
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_linear_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_inverse_sqrt_schedule",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_wsd_schedule",
    "get_scheduler",
    "SCHEDULER_TYPES",
    "SCHEDULER_TYPE_MEMBERS",
    "TYPE_TO_SCHEDULER_FUNCTION",
    "VALIDATION",
    "REDUCE_ON_PLATEAU",
    "GREEDY",
]

SOURCE = "transformers 5.23.0, src/transformers/optimization.py (LambdaLR of torch 2.13.0)"


def _lambda_lr(lr, lr_lambda, n, last_epoch=-1):
    """Learning rates of updates 1..n of a LambdaLR stepped after each optimizer step."""
    return [float(lr * lr_lambda(last_epoch + k)) for k in range(1, n + 1)]


# --------------------------------------------------------------------- factor functions
def lambda_constant(_=None):
    """Factor of ``get_constant_schedule``: the int ``1``."""
    return 1


def lambda_constant_with_warmup(current_step, *, num_warmup_steps):
    """Factor of ``get_constant_schedule_with_warmup`` (note ``max(1.0, ...)``, a float)."""
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def lambda_linear(current_step, *, num_warmup_steps, num_training_steps):
    """Factor of ``get_linear_schedule_with_warmup``."""
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step)
               / float(max(1, num_training_steps - num_warmup_steps)))


def lambda_cosine(current_step, *, num_warmup_steps, num_training_steps, num_cycles,
                  min_lr_rate=0.0):
    """Factor of ``get_cosine_schedule_with_warmup`` AND ``..._with_min_lr_...``.

    In the peer module the name ``_get_cosine_schedule_with_warmup_lr_lambda`` is defined
    twice; the second definition (with ``min_lr_rate=0.0`` and ``max(0, ...)`` with an int
    0) replaces the first at import, so the plain cosine schedule runs this one too.
    """
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def lambda_cosine_with_hard_restarts(current_step, *, num_warmup_steps, num_training_steps,
                                     num_cycles):
    """Factor of ``get_cosine_with_hard_restarts_schedule_with_warmup``."""
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def lambda_polynomial(current_step, *, num_warmup_steps, num_training_steps, lr_end, power,
                      lr_init):
    """Factor of ``get_polynomial_decay_schedule_with_warmup`` (``lr_init`` = defaults lr)."""
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    if current_step > num_training_steps:
        return lr_end / lr_init
    lr_range = lr_init - lr_end
    decay_steps = num_training_steps - num_warmup_steps
    pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
    decay = lr_range * pct_remaining ** power + lr_end
    return decay / lr_init


def lambda_inverse_sqrt(current_step, *, num_warmup_steps, timescale):
    """Factor of ``get_inverse_sqrt_schedule`` (``timescale`` already resolved)."""
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    return 1.0 / math.sqrt((current_step + shift) / timescale)


def lambda_cosine_warmup_with_min_lr(current_step, *, num_warmup_steps, num_training_steps,
                                     num_cycles, min_lr_rate=0.0, warmup_lr_rate=None):
    """Factor of ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` (all in floats)."""
    current_step = float(current_step)
    num_warmup_steps = float(num_warmup_steps)
    num_training_steps = float(num_training_steps)
    if current_step < num_warmup_steps:
        if warmup_lr_rate is None:
            return (current_step + 1.0) / max(1.0, num_warmup_steps)
        warmup_lr_rate = float(warmup_lr_rate)
        return warmup_lr_rate + (1.0 - warmup_lr_rate) * current_step / max(1, num_warmup_steps - 1)
    progress = (current_step - num_warmup_steps + 1.0) / max(1.0, num_training_steps - num_warmup_steps)
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def lambda_wsd(current_step, *, num_warmup_steps, num_stable_steps, num_decay_steps,
               warmup_type, decay_type, min_lr_ratio, num_cycles):
    """Factor of ``get_wsd_schedule`` (``num_stable_steps`` already resolved)."""
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0
    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


# --------------------------------------------------------------------- schedules
def get_constant_schedule(lr, last_epoch=-1, *, n):
    """``transformers.get_constant_schedule(optimizer, last_epoch=-1)``.

    Source: transformers 5.23.0 ``src/transformers/optimization.py``; ``LambdaLR``
    (torch 2.13.0) stepped after each optimizer step: update k uses
    ``lr * 1`` for every k.  Validation: none.
    """
    return _lambda_lr(lr, lambda_constant, n, last_epoch)


def get_constant_schedule_with_warmup(lr, num_warmup_steps, last_epoch=-1, *, n):
    """``transformers.get_constant_schedule_with_warmup(optimizer, num_warmup_steps, last_epoch=-1)``.

    Source: transformers 5.23.0 ``optimization.py``; LambdaLR stepped after each
    optimizer step, update k uses ``lr * f(k-1)`` with
    ``f(s) = s / max(1.0, W)`` for ``s < W`` else ``1.0``.  Update 1 is 0 when W > 0.
    Validation: none (``num_warmup_steps=None`` fails with TypeError in the comparison).
    """
    def f(s):
        return lambda_constant_with_warmup(s, num_warmup_steps=num_warmup_steps)
    return _lambda_lr(lr, f, n, last_epoch)


def get_linear_schedule_with_warmup(lr, num_warmup_steps, num_training_steps, last_epoch=-1, *, n):
    """``transformers.get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, last_epoch=-1)``.

    Source: transformers 5.23.0 ``optimization.py``; LambdaLR stepped after each
    optimizer step (update k uses ``lr * f(k-1)``).  ``f(s) = s / max(1, W)`` for
    ``s < W``, else ``max(0.0, (T - s) / max(1, T - W))``: 0 from ``s = T`` on (update
    T + 1), and never negative past the end.  Validation: none.
    """
    def f(s):
        return lambda_linear(s, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps)
    return _lambda_lr(lr, f, n, last_epoch)


def get_cosine_schedule_with_warmup(lr, num_warmup_steps, num_training_steps, num_cycles=0.5,
                                    last_epoch=-1, *, n):
    """``transformers.get_cosine_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, num_cycles=0.5, last_epoch=-1)``.

    Source: transformers 5.23.0 ``optimization.py``; LambdaLR stepped after each
    optimizer step (update k uses ``lr * f(k-1)``).  After the warmup
    ``progress = (s - W) / max(1, T - W)`` and
    ``f = max(0, 0.5 * (1 + cos(pi * num_cycles * 2 * progress)))``: the ``max`` only
    removes rounding below 0, so past ``s = T`` the curve is NOT held at 0, it rises
    again (0.5 at progress 1.5, 1.0 at progress 2 for ``num_cycles=0.5``).
    Validation: none.
    """
    def f(s):
        return lambda_cosine(s, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                             num_cycles=num_cycles)
    return _lambda_lr(lr, f, n, last_epoch)


def get_cosine_with_hard_restarts_schedule_with_warmup(lr, num_warmup_steps, num_training_steps,
                                                       num_cycles=1, last_epoch=-1, *, n):
    """``transformers.get_cosine_with_hard_restarts_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, num_cycles=1, last_epoch=-1)``.

    Source: transformers 5.23.0 ``optimization.py``; LambdaLR stepped after each
    optimizer step (update k uses ``lr * f(k-1)``).  After the warmup
    ``progress = (s - W) / max(1, T - W)``; ``0.0`` once ``progress >= 1`` (held at 0
    past the end), else ``max(0.0, 0.5 * (1 + cos(pi * ((num_cycles * progress) % 1.0))))``
    (each of the ``num_cycles`` cycles restarts at 1).  Validation: none.
    """
    def f(s):
        return lambda_cosine_with_hard_restarts(s, num_warmup_steps=num_warmup_steps,
                                                num_training_steps=num_training_steps,
                                                num_cycles=num_cycles)
    return _lambda_lr(lr, f, n, last_epoch)


def get_polynomial_decay_schedule_with_warmup(lr, num_warmup_steps, num_training_steps, lr_end=1e-7,
                                              power=1.0, last_epoch=-1, *, n):
    """``transformers.get_polynomial_decay_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, lr_end=1e-7, power=1.0, last_epoch=-1)``.

    Source: transformers 5.23.0 ``optimization.py``; LambdaLR stepped after each
    optimizer step (update k uses ``lr * f(k-1)``).  ``lr_init`` is
    ``optimizer.defaults["lr"]`` (here ``lr``).  For ``W <= s <= T``:
    ``(( lr_init - lr_end) * (1 - (s - W) / (T - W)) ** power + lr_end) / lr_init``;
    for ``s > T``: ``lr_end / lr_init``; the LambdaLR then multiplies by the group's lr.

    Validation: ``ValueError("lr_end ({lr_end}) must be smaller than initial lr
    ({lr_init})")`` unless ``lr_init > lr_end`` (equal values and NaN are rejected);
    ``ZeroDivisionError`` at ``s == T`` when ``T == W`` (at construction if ``T == W == 0``)
    and at ``s == T`` when ``power < 0``.
    """
    lr_init = lr
    if not (lr_init > lr_end):
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr_init})")

    def f(s):
        return lambda_polynomial(s, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                                 lr_end=lr_end, power=power, lr_init=lr_init)
    return _lambda_lr(lr, f, n, last_epoch)


def get_inverse_sqrt_schedule(lr, num_warmup_steps, timescale=None, last_epoch=-1, *, n):
    """``transformers.get_inverse_sqrt_schedule(optimizer, num_warmup_steps, timescale=None, last_epoch=-1)``.

    Source: transformers 5.23.0 ``optimization.py``; LambdaLR stepped after each
    optimizer step (update k uses ``lr * f(k-1)``).  ``timescale`` defaults to
    ``num_warmup_steps or 10_000`` (10000 when W is 0).  For ``s >= W``:
    ``1.0 / sqrt((s + timescale - W) / timescale)`` (1 at ``s = W``, decays forever; no
    ``num_training_steps``).  Validation: none (``timescale=0`` with ``W > 0`` raises
    ZeroDivisionError at ``s = W``).
    """
    if timescale is None:
        timescale = num_warmup_steps or 10_000

    def f(s):
        return lambda_inverse_sqrt(s, num_warmup_steps=num_warmup_steps, timescale=timescale)
    return _lambda_lr(lr, f, n, last_epoch)


def _resolve_min_lr_rate(lr, min_lr, min_lr_rate):
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    elif min_lr is not None:
        min_lr_rate = min_lr / lr
    elif min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    return min_lr_rate


def get_cosine_with_min_lr_schedule_with_warmup(lr, num_warmup_steps, num_training_steps, num_cycles=0.5,
                                                last_epoch=-1, min_lr=None, min_lr_rate=None, *, n):
    """``transformers.get_cosine_with_min_lr_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, num_cycles=0.5, last_epoch=-1, min_lr=None, min_lr_rate=None)``.

    Source: transformers 5.23.0 ``optimization.py``; LambdaLR stepped after each
    optimizer step (update k uses ``lr * f(k-1)``).  As the cosine schedule, then
    ``factor * (1 - min_lr_rate) + min_lr_rate`` and ``max(0, ...)``;
    ``min_lr_rate = min_lr / optimizer.defaults["lr"]`` when ``min_lr`` is given.  Past
    the end the curve rises again like the plain cosine.

    Validation: ``ValueError("Only one of min_lr or min_lr_rate should be set")`` when
    both are not None; ``ValueError("One of min_lr or min_lr_rate should be set through
    the `lr_scheduler_kwargs`")`` when both are None (so there is no usable default);
    ``min_lr`` with ``lr == 0`` raises ZeroDivisionError.  No range check on either.
    """
    min_lr_rate = _resolve_min_lr_rate(lr, min_lr, min_lr_rate)

    def f(s):
        return lambda_cosine(s, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                             num_cycles=num_cycles, min_lr_rate=min_lr_rate)
    return _lambda_lr(lr, f, n, last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(lr, num_warmup_steps, num_training_steps,
                                                        num_cycles=0.5, last_epoch=-1, min_lr=None,
                                                        min_lr_rate=None, warmup_lr_rate=None, *, n):
    """``transformers.optimization.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(...)``.

    Name ``"cosine_warmup_with_min_lr"``.  Source: transformers 5.23.0
    ``optimization.py``; LambdaLR stepped after each optimizer step (update k uses
    ``lr * f(k-1)``).  Everything in floats.  Warmup (``s < W``): ``(s + 1) / max(1.0, W)``
    when ``warmup_lr_rate`` is None (so update 1 is already ``lr / W``, update W is
    ``lr``), else ``r + (1 - r) * s / max(1, W - 1)``.  Then
    ``progress = (s - W + 1) / max(1.0, T - W)`` (one step ahead of the plain cosine:
    ``min_lr`` is reached at ``s = T - 1``, update T) and the min-lr cosine as above;
    rises again past the end.  Validation: as
    ``get_cosine_with_min_lr_schedule_with_warmup``.
    """
    min_lr_rate = _resolve_min_lr_rate(lr, min_lr, min_lr_rate)

    def f(s):
        return lambda_cosine_warmup_with_min_lr(s, num_warmup_steps=num_warmup_steps,
                                                num_training_steps=num_training_steps, num_cycles=num_cycles,
                                                min_lr_rate=min_lr_rate, warmup_lr_rate=warmup_lr_rate)
    return _lambda_lr(lr, f, n, last_epoch)


def get_wsd_schedule(lr, num_warmup_steps, num_decay_steps, num_training_steps=None, num_stable_steps=None,
                     warmup_type="linear", decay_type="cosine", min_lr_ratio=0, num_cycles=0.5,
                     last_epoch=-1, *, n):
    """``transformers.get_wsd_schedule(optimizer, num_warmup_steps, num_decay_steps, num_training_steps=None, num_stable_steps=None, warmup_type="linear", decay_type="cosine", min_lr_ratio=0, num_cycles=0.5, last_epoch=-1)``.

    Source: transformers 5.23.0 ``optimization.py``; LambdaLR stepped after each
    optimizer step (update k uses ``lr * f(k-1)``).  ``S = num_stable_steps`` if given,
    else ``num_training_steps - W - D`` (not checked for being >= 0).  Phases by step s:

    * ``s < W``: ``p = s / max(1, W)``; linear ``p``, cosine ``0.5 * (1 - cos(pi p))``,
      1-sqrt ``1 - sqrt(1 - p)``; then ``* (1 - min_lr_ratio) + min_lr_ratio``,
      ``max(0.0, ...)`` (starts at ``min_lr_ratio``, not 0).
    * ``s < W + S``: ``1.0``.
    * ``s < W + S + D``: ``p = (s - W - S) / max(1, D)``; linear ``1 - p``, cosine
      ``0.5 * (1 + cos(pi * num_cycles * 2 * p))``, 1-sqrt ``1 - sqrt(p)``; then the
      same min-ratio mapping and ``max(0.0, ...)``.  The last decay step has
      ``p = (D - 1) / D``, so the value ``min_lr_ratio`` is only reached after the decay.
    * otherwise: ``min_lr_ratio`` itself (held forever past the end).

    Validation: ``ValueError("Either num_training_steps or num_stable_steps must be
    specified.")``; ``ValueError("Unknown warmup type: {warmup_type}, expected 'linear',
    'cosine' or '1-sqrt'")`` and the same with ``decay type``; a ``UserWarning("Both
    num_training_steps and num_stable_steps are specified. num_stable_steps will be
    used.")`` when both are given.  No checks on the step counts or ``min_lr_ratio``.
    """
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if num_training_steps is not None and num_stable_steps is not None:
        warnings.warn("Both num_training_steps and num_stable_steps are specified. num_stable_steps will be used.")
    if warmup_type not in ["linear", "cosine", "1-sqrt"]:
        raise ValueError(f"Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' or '1-sqrt'")
    if decay_type not in ["linear", "cosine", "1-sqrt"]:
        raise ValueError(f"Unknown decay type: {decay_type}, expected 'linear', 'cosine' or '1-sqrt'")
    if num_stable_steps is None:
        num_stable_steps = num_training_steps - num_warmup_steps - num_decay_steps

    def f(s):
        return lambda_wsd(s, num_warmup_steps=num_warmup_steps, num_stable_steps=num_stable_steps,
                          num_decay_steps=num_decay_steps, warmup_type=warmup_type, decay_type=decay_type,
                          min_lr_ratio=min_lr_ratio, num_cycles=num_cycles)
    return _lambda_lr(lr, f, n, last_epoch)


# --------------------------------------------------------------------- metric-driven
REDUCE_ON_PLATEAU = {
    "function": "get_reduce_on_plateau_schedule(optimizer, **kwargs)",
    "returns": "torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)",
    "torch_defaults": {"mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4,
                       "threshold_mode": "rel", "cooldown": 0, "min_lr": 0, "eps": 1e-8},
    "loop": "stepped with a metric (scheduler.step(metric)) after each evaluation, not after "
            "each optimizer step; Trainer skips its per-update scheduler.step() for it",
}
"""``get_reduce_on_plateau_schedule``: a plain torch ``ReduceLROnPlateau``; not transcribed."""

GREEDY = {
    "function": "get_greedy_schedule(optimizer, **kwargs)",
    "returns": "transformers.optimization.GreedyLR(optimizer, **kwargs)",
    "defaults": {"mode": "min", "factor": 0.95, "patience": 10, "threshold": 1e-6,
                 "threshold_mode": "abs", "cooldown": 0, "warmup": 0, "min_lr": 1e-3, "max_lr": 1.0,
                 "eps": 1e-8, "verbose": False, "smooth": False, "window_size": 50, "reset_start": 500},
    "loop": "stepped with a metric, like ReduceLROnPlateau",
}
"""``get_greedy_schedule`` (new in transformers 5.x): metric-driven; not transcribed."""


# --------------------------------------------------------------------- get_scheduler
SCHEDULER_TYPES = (
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
    "inverse_sqrt", "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr",
    "warmup_stable_decay", "greedy",
)
"""``SchedulerType`` values, in the enum's order (the order its error message lists)."""

SCHEDULER_TYPE_MEMBERS = {
    "linear": "LINEAR", "cosine": "COSINE", "cosine_with_restarts": "COSINE_WITH_RESTARTS",
    "polynomial": "POLYNOMIAL", "constant": "CONSTANT", "constant_with_warmup": "CONSTANT_WITH_WARMUP",
    "inverse_sqrt": "INVERSE_SQRT", "reduce_lr_on_plateau": "REDUCE_ON_PLATEAU",
    "cosine_with_min_lr": "COSINE_WITH_MIN_LR", "cosine_warmup_with_min_lr": "COSINE_WARMUP_WITH_MIN_LR",
    "warmup_stable_decay": "WARMUP_STABLE_DECAY", "greedy": "GREEDY",
}
"""``SchedulerType`` member names: ``f"{name}"`` of the enum formats as ``SchedulerType.<MEMBER>``."""

TYPE_TO_SCHEDULER_FUNCTION = {
    "linear": "get_linear_schedule_with_warmup",
    "cosine": "get_cosine_schedule_with_warmup",
    "cosine_with_restarts": "get_cosine_with_hard_restarts_schedule_with_warmup",
    "polynomial": "get_polynomial_decay_schedule_with_warmup",
    "constant": "get_constant_schedule",
    "constant_with_warmup": "get_constant_schedule_with_warmup",
    "inverse_sqrt": "get_inverse_sqrt_schedule",
    "reduce_lr_on_plateau": "get_reduce_on_plateau_schedule",
    "cosine_with_min_lr": "get_cosine_with_min_lr_schedule_with_warmup",
    "cosine_warmup_with_min_lr": "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "warmup_stable_decay": "get_wsd_schedule",
    "greedy": "get_greedy_schedule",
}
"""The peer's ``TYPE_TO_SCHEDULER_FUNCTION``, keyed by ``SchedulerType`` value."""


def get_scheduler(name, lr, num_warmup_steps=None, num_training_steps=None, scheduler_specific_kwargs=None,
                  *, n):
    """``transformers.get_scheduler(name, optimizer, num_warmup_steps=None, num_training_steps=None, scheduler_specific_kwargs=None)``.

    Source: transformers 5.23.0 ``optimization.py``.  ``name`` goes through
    ``SchedulerType(name)`` (exact, case-sensitive value or enum member), else
    ``ValueError(f"{name} is not a valid SchedulerType, please select one of [...]")``.
    Dispatch, in the peer's order:

    * ``constant``: ``get_constant_schedule(optimizer)``; warmup, training steps and
      ``scheduler_specific_kwargs`` are all ignored.
    * ``reduce_lr_on_plateau``, ``greedy``: ``f(optimizer, **kwargs)`` (metric-driven:
      ``NotImplementedError`` here).
    * then ``num_warmup_steps is None`` -> ``ValueError(f"{name} requires
      `num_warmup_steps`, please provide that argument.")``, where ``{name}`` is the enum
      member and formats as ``SchedulerType.LINEAR`` (Python 3.11), not ``linear``.
    * ``constant_with_warmup``: ``f(optimizer, num_warmup_steps=W)``; kwargs ignored.
    * ``inverse_sqrt``: ``f(optimizer, num_warmup_steps=W, **kwargs)``; T ignored.
    * ``warmup_stable_decay``: ``f(optimizer, num_warmup_steps=W, num_training_steps=T,
      **kwargs)`` with T possibly None; ``num_decay_steps`` must come in kwargs.
    * then ``num_training_steps is None`` -> ``ValueError(f"{name} requires
      `num_training_steps`, please provide that argument.")``.
    * all others: ``f(optimizer, num_warmup_steps=W, num_training_steps=T, **kwargs)``.

    A kwarg the function does not take, or one repeating W/T, is a TypeError from the
    call.  Same loop convention as the functions it returns.
    """
    if name not in SCHEDULER_TYPES:
        raise ValueError(f"{name} is not a valid SchedulerType, please select one of {list(SCHEDULER_TYPES)}")
    func = globals().get(TYPE_TO_SCHEDULER_FUNCTION[name])
    if name == "constant":
        return func(lr, n=n)
    if scheduler_specific_kwargs is None:
        scheduler_specific_kwargs = {}
    if name in ("reduce_lr_on_plateau", "greedy"):
        raise NotImplementedError(f"{name} is metric-driven and is not transcribed")
    shown = f"SchedulerType.{SCHEDULER_TYPE_MEMBERS[name]}"
    if num_warmup_steps is None:
        raise ValueError(f"{shown} requires `num_warmup_steps`, please provide that argument.")
    if name == "constant_with_warmup":
        return func(lr, num_warmup_steps=num_warmup_steps, n=n)
    if name == "inverse_sqrt":
        return func(lr, num_warmup_steps=num_warmup_steps, **scheduler_specific_kwargs, n=n)
    if name == "warmup_stable_decay":
        return func(lr, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                    **scheduler_specific_kwargs, n=n)
    if num_training_steps is None:
        raise ValueError(f"{shown} requires `num_training_steps`, please provide that argument.")
    return func(lr, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                **scheduler_specific_kwargs, n=n)


# --------------------------------------------------------------------- validation
VALIDATION = {
    "get_constant_schedule": [],
    "get_constant_schedule_with_warmup": [],
    "get_linear_schedule_with_warmup": [],
    "get_cosine_schedule_with_warmup": [],
    "get_cosine_with_hard_restarts_schedule_with_warmup": [],
    "get_polynomial_decay_schedule_with_warmup": [
        ("ValueError", "lr_end ({lr_end}) must be smaller than initial lr ({lr_init})",
         "construction, unless optimizer.defaults['lr'] > lr_end"),
        ("ZeroDivisionError", "division by zero", "lr_lambda(T) when T == W"),
        ("ZeroDivisionError", "0.0 cannot be raised to a negative power", "lr_lambda(T) when power < 0"),
    ],
    "get_inverse_sqrt_schedule": [
        ("ZeroDivisionError", "division by zero", "lr_lambda(W) when timescale == 0"),
    ],
    "get_cosine_with_min_lr_schedule_with_warmup": [
        ("ValueError", "Only one of min_lr or min_lr_rate should be set", "construction"),
        ("ValueError", "One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`",
         "construction"),
    ],
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate": [
        ("ValueError", "Only one of min_lr or min_lr_rate should be set", "construction"),
        ("ValueError", "One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`",
         "construction"),
    ],
    "get_wsd_schedule": [
        ("ValueError", "Either num_training_steps or num_stable_steps must be specified.", "construction"),
        ("UserWarning", "Both num_training_steps and num_stable_steps are specified. num_stable_steps will be used.",
         "construction (a warning; num_stable_steps wins)"),
        ("ValueError", "Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' or '1-sqrt'",
         "construction"),
        ("ValueError", "Unknown decay type: {decay_type}, expected 'linear', 'cosine' or '1-sqrt'",
         "construction"),
    ],
    "get_scheduler": [
        ("ValueError", "{name} is not a valid SchedulerType, please select one of [...]", "call"),
        ("ValueError", "SchedulerType.{MEMBER} requires `num_warmup_steps`, please provide that argument.",
         "call, for all but constant / reduce_lr_on_plateau / greedy"),
        ("ValueError", "SchedulerType.{MEMBER} requires `num_training_steps`, please provide that argument.",
         "call, for linear, cosine, cosine_with_restarts, polynomial, cosine_with_min_lr, "
         "cosine_warmup_with_min_lr"),
        ("TypeError", "... got an unexpected keyword argument ...", "call, kwargs not taken by the function"),
    ],
}
"""Errors each peer function raises: ``(exception, message, when)``."""
