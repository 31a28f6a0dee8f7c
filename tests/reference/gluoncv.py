"""Reference values of GluonCV's learning-rate schedulers, in plain Python.

An independent transcription of what ``gluoncv.utils.LRScheduler`` and
``gluoncv.utils.LRSequential`` compute (``gluoncv/utils/lr_scheduler.py`` of
gluoncv 0.10.5.post0, the wheel on PyPI; identical to the file at commit
5677756 of dmlc/gluon-cv, last changed in 2019).  GluonCV is not imported:
these functions are test data for drop-ins that must agree with it exactly.

Loop convention
---------------
GluonCV 0.10.5's scripts and tutorials pass the scheduler to the trainer,
``gluon.Trainer(params, 'sgd', {'lr_scheduler': sched, ...})``, and never call
it themselves.  MXNet 1.9.1's optimizer increments its update counter *before*
asking for the rate, so the k-th ``trainer.step`` (k = 1, 2, ...) uses
``sched(begin_num_update + k)``, i.e. ``sched.update(k)``: with
``begin_num_update=0`` the value at ``num_update == 0`` (``base_lr``) is never
applied.  ``trainer.learning_rate`` read after step k returns the rate step k
used.  A hand-written loop that calls ``sched(i)`` with the 0-based batch index
before batch ``i`` corresponds to ``begin_num_update=-1`` here.

(GluonCV <= 0.3 had a different API, ``update(i, epoch)`` with
``T = epoch * niters + i``; it was replaced in 0.4 and is not modelled.)

Each ``*_at`` function returns the value of ``sched(num_update)``; the other
functions return the list of rates applied by updates ``k = 1..n``.
``VALIDATION`` lists what the peer rejects.
"""

import math
import warnings

__all__ = [
    "lr_scheduler_at",
    "lr_scheduler",
    "lr_sequential_at",
    "lr_sequential",
    "VALIDATION",
    "MXNET_DEFAULT_LEARNING_RATE",
    "PEER",
]

PEER = "gluoncv 0.10.5.post0, gluoncv/utils/lr_scheduler.py (dmlc/gluon-cv 5677756)"

# MXNet 1.9.1 optimizers whose constructor passes a non-None default
# ``learning_rate`` to ``Optimizer.__init__``: given a gluoncv LRScheduler and
# no explicit ``learning_rate``, they still overwrite its ``base_lr`` with this
# value.  All others (sgd, nag, adagrad, adadelta, ftml, lars, lbsgd, dcasgd,
# sgld, ftrl, ...) default to None and leave the scheduler alone.
MXNET_DEFAULT_LEARNING_RATE = {
    "adam": 0.001, "nadam": 0.001, "rmsprop": 0.001, "lamb": 0.001,
    "adamax": 0.002, "signum": 0.01,
}

_MODES = ("constant", "step", "linear", "poly", "cosine")


def _resolve(mode, base_lr=0.1, target_lr=0, niters=0, nepochs=0,
             iters_per_epoch=0, offset=0, power=2, step_iter=None,
             step_epoch=None, step_factor=0.1, baselr=None, targetlr=None):
    """Effective attributes of ``LRScheduler(...)`` after its constructor."""
    # The peer's checks are bare asserts (AssertionError without a message).
    if mode not in _MODES:
        raise AssertionError()
    if mode == "step" and step_iter is None and step_epoch is None:
        raise AssertionError()
    # Legacy names: used only when the new name still holds its default.
    if baselr is not None:
        warnings.warn("baselr is deprecated. Please use base_lr.")
        if base_lr == 0.1:
            base_lr = baselr
    if targetlr is not None:
        warnings.warn("targetlr is deprecated. Please use target_lr.")
        if target_lr == 0:
            target_lr = targetlr
    if mode == "constant":
        # frozen at construction: a later base_lr overwrite does not move it
        target_lr = base_lr
    step = step_iter
    epoch_iters = nepochs * iters_per_epoch
    if epoch_iters > 0:
        # the epoch form wins over niters (and step_epoch over step_iter)
        niters = epoch_iters
        if step_epoch is not None:
            step = [s * iters_per_epoch for s in step_epoch]
    return {"mode": mode, "base_lr": base_lr, "target_lr": target_lr,
            "niters": niters, "step": step, "offset": offset,
            "power": power, "step_factor": step_factor}


def _value(st, num_update):
    """``LRScheduler.update(num_update)``: the peer's closed form."""
    N = st["niters"] - 1
    T = num_update - st["offset"]
    T = min(max(0, T), N)  # N < 0 (niters 0) wins: T = N
    mode = st["mode"]
    if mode == "constant":
        factor = 0
    elif mode == "linear":
        factor = 1 - T / N
    elif mode == "poly":
        factor = pow(1 - T / N, st["power"])
    elif mode == "cosine":
        factor = (1 + math.cos(math.pi * T / N)) / 2
    else:  # step
        if st["step"] is not None:
            count = sum([1 for s in st["step"] if s <= T])
            factor = pow(st["step_factor"], count)
        else:
            factor = 1
    if mode == "step":
        return st["base_lr"] * factor
    return st["target_lr"] + (st["base_lr"] - st["target_lr"]) * factor


def lr_scheduler_at(num_update, mode, base_lr=0.1, target_lr=0, niters=0,
                    nepochs=0, iters_per_epoch=0, offset=0, power=2,
                    step_iter=None, step_epoch=None, step_factor=0.1,
                    baselr=None, targetlr=None):
    """Value of ``gluoncv.utils.LRScheduler(...)(num_update)``.

    Peer: ``gluoncv.utils.LRScheduler`` (gluoncv/utils/lr_scheduler.py,
    gluoncv 0.10.5.post0).  Same parameters and defaults as the peer.

    With ``N = niters - 1`` (``niters`` replaced by ``nepochs *
    iters_per_epoch`` when that product is > 0) and
    ``T = min(max(0, num_update - offset), N)``::

        constant: target_lr (= base_lr, fixed at construction)
        linear:   target_lr + (base_lr - target_lr) * (1 - T / N)
        poly:     target_lr + (base_lr - target_lr) * pow(1 - T / N, power)
        cosine:   target_lr + (base_lr - target_lr) * ((1 + cos(pi * T / N)) / 2)
        step:     base_lr * pow(step_factor, #{s in step : s <= T})

    where ``step`` is ``step_iter``, or ``[s * iters_per_epoch for s in
    step_epoch]`` when ``step_epoch`` is given and the epoch product is > 0
    (otherwise ``step_epoch`` is ignored and ``step`` may be None: factor 1).
    The value at ``T == N`` is the end value; ``niters == 1`` raises
    ZeroDivisionError in linear/poly/cosine; ``niters == 0`` (the default)
    gives ``T = N = -1`` for every ``num_update``: the end value (target_lr)
    in linear/poly/cosine (``pow(0.0, 0) == 1``: base_lr for poly with
    power 0), and ``base_lr`` undecayed in step mode (no step is ``<= -1``).

    Validation: see ``VALIDATION["LRScheduler"]``.
    """
    st = _resolve(mode, base_lr, target_lr, niters, nepochs, iters_per_epoch,
                  offset, power, step_iter, step_epoch, step_factor, baselr,
                  targetlr)
    return _value(st, num_update)


def lr_scheduler(mode, base_lr=0.1, target_lr=0, niters=0, nepochs=0,
                 iters_per_epoch=0, offset=0, power=2, step_iter=None,
                 step_epoch=None, step_factor=0.1, baselr=None, targetlr=None,
                 *, n, learning_rate=None, begin_num_update=0):
    """Rates applied by updates k = 1..n of a Trainer given ``LRScheduler``.

    Peer: ``gluoncv.utils.LRScheduler`` (gluoncv/utils/lr_scheduler.py,
    gluoncv 0.10.5.post0) passed as ``optimizer_params['lr_scheduler']`` of
    ``mxnet.gluon.Trainer`` (MXNet 1.9.1).  Element ``k - 1`` is
    ``lr_scheduler_at(begin_num_update + k, ...)``: the optimizer counts the
    update first, then asks ``sched(num_update)``.

    ``learning_rate`` models ``optimizer_params['learning_rate']``: MXNet's
    Optimizer overwrites ``sched.base_lr`` with it after the scheduler was
    built (if different; it prints a warning).  That changes linear, poly,
    cosine and step, but NOT constant (its ``target_lr`` was frozen to the
    old ``base_lr`` and its factor is 0), nor ``niters``/``step``.  Some
    optimizers do this even when the user gives no learning_rate: pass
    ``MXNET_DEFAULT_LEARNING_RATE[name]`` for those (e.g. 'adam': 0.001).
    ``begin_num_update`` is the Optimizer's parameter of that name.

    Keyword-only ``n``, ``learning_rate`` and ``begin_num_update`` are not
    peer parameters.  Values are returned as Python floats.
    """
    st = _resolve(mode, base_lr, target_lr, niters, nepochs, iters_per_epoch,
                  offset, power, step_iter, step_epoch, step_factor, baselr,
                  targetlr)
    if learning_rate is not None and st["base_lr"] != learning_rate:
        st["base_lr"] = learning_rate
    return [float(_value(st, begin_num_update + k)) for k in range(1, n + 1)]


def _sequential_states(schedulers):
    """Resolve the phases of ``LRSequential``; return (states, update_sep, count)."""
    # assert(len(schedulers) > 0): TypeError from len() for a non-sized input
    if not len(schedulers) > 0:
        raise AssertionError()
    states, seps, count = [], [], 0
    for kwargs in schedulers:
        st = _resolve(**kwargs)
        st["offset"] = count  # add() overwrites any offset the phase had
        count += st["niters"]
        seps.append(count)
        states.append(st)
    return states, seps, count


def _sequential_value(states, seps, count, num_update):
    """``LRSequential.update(num_update)``."""
    num_update = min(num_update, count - 1)
    ind = len(states) - 1
    for i, sep in enumerate(seps):
        if sep > num_update:
            ind = i
            break
    return _value(states[ind], num_update)


def lr_sequential_at(num_update, schedulers):
    """Value of ``gluoncv.utils.LRSequential([...])(num_update)``.

    Peer: ``gluoncv.utils.LRSequential`` (gluoncv/utils/lr_scheduler.py,
    gluoncv 0.10.5.post0).  ``schedulers`` is a list of keyword dicts, one
    per ``LRScheduler(**kwargs)`` phase (``mode`` included).

    Phase ``j`` gets ``offset = niters_0 + ... + niters_{j-1}`` (overwriting
    its own); ``count`` is the sum of all ``niters``.  ``num_update`` is
    clamped to ``count - 1``, the first phase whose cumulative end
    ``update_sep[j]`` is ``> num_update`` is chosen (phases with ``niters``
    0 are therefore never chosen while a later phase covers the update), and
    that phase's ``update(num_update)`` gives the rate.  Within a phase
    ``T = num_update - offset`` runs ``0..niters-1`` and reaches the phase's
    end value on its last iteration, so with a Trainer a phase's end value
    and the next phase's start value are applied on consecutive updates.

    Validation: see ``VALIDATION["LRSequential"]``.
    """
    states, seps, count = _sequential_states(schedulers)
    return _sequential_value(states, seps, count, num_update)


def lr_sequential(schedulers, *, n, learning_rate=None, begin_num_update=0):
    """Rates applied by updates k = 1..n of a Trainer given ``LRSequential``.

    Peer: ``gluoncv.utils.LRSequential`` (gluoncv/utils/lr_scheduler.py,
    gluoncv 0.10.5.post0) passed as ``optimizer_params['lr_scheduler']`` of
    ``mxnet.gluon.Trainer`` (MXNet 1.9.1), as in GluonCV's training scripts
    (e.g. scripts/classification/imagenet/train_imagenet.py: a linear warmup
    ``LRScheduler('linear', base_lr=0, target_lr=lr, nepochs=warmup_epochs,
    iters_per_epoch=num_batches)`` followed by the main mode).  Element
    ``k - 1`` is ``lr_sequential_at(begin_num_update + k, schedulers)``.

    ``learning_rate`` (``optimizer_params['learning_rate']``) has NO effect:
    MXNet overwrites ``LRSequential.base_lr`` (0.01 from MXNet's base class),
    which ``update`` never reads.  Keyword-only arguments are not peer
    parameters.  Values are returned as Python floats.
    """
    del learning_rate  # only sets an attribute the peer never reads
    states, seps, count = _sequential_states(schedulers)
    return [float(_sequential_value(states, seps, count, begin_num_update + k))
            for k in range(1, n + 1)]


# What the peer rejects.  ``when`` is "init" (constructor) or "call"
# (first ``sched(num_update)`` that hits it).  Messages are str(exception);
# the peer's asserts carry no message.  Nothing else is checked: no types,
# no signs (negative niters, offsets, rates or factors are all accepted).
VALIDATION = {
    "LRScheduler": [
        {"kwargs": {"mode": "exp"}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"mode": "step"}, "when": "init",
         "exception": AssertionError, "message": "",
         "note": "step needs step_iter or step_epoch (not None)"},
        {"kwargs": {"mode": "linear", "niters": 1}, "when": "call",
         "exception": ZeroDivisionError, "message": "division by zero",
         "note": "N = 0 in T / N for linear, poly, cosine (int niters)"},
        {"kwargs": {"mode": "cosine", "nepochs": 1, "iters_per_epoch": 1.0},
         "when": "call", "exception": ZeroDivisionError,
         "message": "float division by zero",
         "note": "same with a float niters / epoch product"},
        {"kwargs": {"mode": "poly", "niters": 5, "power": -1},
         "when": "call", "exception": ZeroDivisionError,
         "message": "0.0 cannot be raised to a negative power",
         "note": "only once T reaches N (1 - T / N == 0.0)"},
        {"kwargs": {"mode": "linear", "baselr": 0.5}, "when": "init",
         "warning": UserWarning,
         "message": "baselr is deprecated. Please use base_lr.",
         "note": "baselr used only if base_lr == 0.1"},
        {"kwargs": {"mode": "linear", "targetlr": 0.5}, "when": "init",
         "warning": UserWarning,
         "message": "targetlr is deprecated. Please use target_lr.",
         "note": "targetlr used only if target_lr == 0"},
    ],
    "LRSequential": [
        {"kwargs": {"schedulers": []}, "when": "init",
         "exception": AssertionError, "message": ""},
        {"kwargs": {"schedulers": [object()]}, "when": "init",
         "exception": AssertionError, "message": "",
         "note": "every element must be a gluoncv LRScheduler (not an "
                 "LRSequential, not an mxnet.lr_scheduler object)"},
        {"kwargs": {"schedulers": None}, "when": "init",
         "exception": TypeError,
         "message": "object of type 'NoneType' has no len()"},
    ],
}
