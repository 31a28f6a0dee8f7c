"""MXNet's four built-in schedulers, pure, under MXNet's own names; and :func:`from_mxnet`.

``mx.lr_scheduler.FactorScheduler``, ``MultiFactorScheduler``, ``PolyScheduler`` and
``CosineScheduler`` keep state (a call changes ``base_lr``, ``count``,
``cur_step_ind``), so what they return depends on the calls made before. The classes
here are their pure equivalents: ``sched(k)`` is what a fresh MXNet object returns
when the optimizer calls it with ``1, 2, ..., k`` in order, for every ``k`` and in any
call order. They take MXNet's parameters -- same names, order and defaults -- plus one
keyword at the end, ``warmup_final_lr`` (where MXNet's warm-up ends, default
``base_lr``; :func:`from_mxnet` needs it for an object whose ``base_lr`` was assigned
after construction):

>>> from mxsched.compat.mxnet import CosineScheduler
>>> sched = CosineScheduler(max_update=100, base_lr=0.1, warmup_steps=10)
>>> round(sched(5), 4), round(sched(55), 4), sched(100)
(0.05, 0.05, 0.0)

**Aliases, not subclasses.** ``FactorScheduler`` is :class:`mxsched.PureFactorScheduler`
itself (likewise the other three), and :func:`from_mxnet` is
:func:`mxsched.from_mxnet`: the pure classes already are drop-ins with MXNet's parameter
names, so a subclass would only add a second name for the same schedule in ``repr`` and
in configs, and :func:`from_mxnet` would return objects of another class than these.
``repr`` therefore shows ``PureFactorScheduler(...)``, and configs name the class
``"PureFactorScheduler"`` (no ``import mxsched.compat.mxnet`` is needed to read them).

Update alignment: none is needed. MXNet asks ``sched(k)`` at the ``k``-th update, and
the value is MXNet's at ``num_update = k``.

**Deliberately not reproduced:**

* the state itself (``count``, ``cur_step_ind``, a ``base_lr`` that changes as the
  scheduler is called), and the ``logging.info`` lines MXNet writes at every decay;
* ``base_lr`` reads as the schedule's peak and assigning it rescales the whole schedule
  (warm-up, ``final_lr`` and ``stop_factor_lr`` included); MXNet's assignment changes
  the rate the next decay multiplies, and ``PolyScheduler`` / ``CosineScheduler``
  ignore it (they decay from ``base_lr_orig``) -- :func:`from_mxnet` converts an MXNet
  object configured that way faithfully;
* validation: where MXNet raises ``ValueError`` (``step < 1``, ``factor > 1``, steps
  not increasing, ``max_update < 1``, ``warmup_begin_lr > base_lr``, negative
  ``warmup_steps``, an unknown ``warmup_mode``) these raise ``ValueError`` too, with
  mxsched's message naming the argument and the value; MXNet's bare ``assert`` checks
  (an integer ``warmup_steps`` or ``max_update``, ``step`` a non-empty list) are
  ``TypeError`` / ``ValueError`` here (a tuple of steps is accepted); arguments MXNet
  accepts without meaning (negative learning rates or factors, ``warmup_steps ==
  max_update``, which divides by zero at the first call after the warm-up) are
  ``ValueError`` when the schedule is built.
"""
from __future__ import annotations

from ..mxnet_builtins import (PureCosineScheduler, PureFactorScheduler,
                              PureMultiFactorScheduler, PurePolyScheduler, from_mxnet)

__all__ = ["FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler",
           "from_mxnet"]

#: ``mx.lr_scheduler.FactorScheduler``, pure: :class:`mxsched.PureFactorScheduler`.
FactorScheduler = PureFactorScheduler
#: ``mx.lr_scheduler.MultiFactorScheduler``, pure: :class:`mxsched.PureMultiFactorScheduler`.
MultiFactorScheduler = PureMultiFactorScheduler
#: ``mx.lr_scheduler.PolyScheduler``, pure: :class:`mxsched.PurePolyScheduler`.
PolyScheduler = PurePolyScheduler
#: ``mx.lr_scheduler.CosineScheduler``, pure: :class:`mxsched.PureCosineScheduler`.
CosineScheduler = PureCosineScheduler
