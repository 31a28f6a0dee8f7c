"""The base of every drop-in: a peer's constructor that builds a pure mxsched schedule."""
from __future__ import annotations

from typing import Any, Optional

from ..base import Schedule
from ..compose import Delay
from ..checks import check_step

__all__ = ["DropIn"]


class DropIn(Schedule):
    """A schedule named, parameterised and validated like another library's scheduler.

    A drop-in checks its arguments as the peer does (same names, defaults and, where the
    peer has them, messages), then builds the mxsched schedule it is made of, ``core``,
    and delegates every value to it. ``core`` is update-aligned: handed to
    ``gluon.Trainer``, update ``k`` applies what the peer applies at its ``k``-th optimizer
    step. ``repr`` is the peer-style call, :func:`mxsched.describe` shows the phases of
    ``core``, and ``repr(sched.core)`` shows what it is made of. Where the peer cycles
    momentum, ``momentum`` is the matching momentum schedule (for
    ``mxsched.gluon.MomentumHandler``), else None.

    Subclasses set ``self._core`` (and ``self._momentum``) in ``__init__``, list the peer
    arguments in ``_repr_args`` (all of them: the schedule is rebuilt from them) and the
    learning-rate arguments in ``_lr_params``. A class whose peer is a function sets
    ``_peer_name`` to the function's name, which ``repr`` and configs then show.
    """

    _peer_name: Optional[str] = None
    _momentum: Optional[Schedule] = None

    @classmethod
    def _display_name(cls) -> str:
        return cls._peer_name or cls.__name__

    @classmethod
    def _config_name(cls) -> str:
        return f"{cls.__module__.rsplit('.', 1)[-1]}.{cls._display_name()}"

    @property
    def core(self) -> Schedule:
        """The mxsched schedule this drop-in is made of (the same values)."""
        return self._core

    @property
    def momentum(self) -> Optional[Schedule]:
        """The momentum schedule of the peer (None where the peer leaves momentum alone)."""
        return self._momentum

    def _built(self) -> None:
        super()._built()
        # Most drop-ins are Delay(indexed, 1): call the delayed schedule directly (a cache of
        # the core's own parts, not state: rebuilt with the schedule, never pickled).
        core = self._core
        inner, shift = (core.schedule._at, core.length) if type(core) is Delay else (core._at, 0)
        object.__setattr__(self, "_fast", (inner, shift))

    def __call__(self, num_update: float) -> float:
        # Schedule.__call__ without the hops through self._at and Delay._at.
        inner, shift = self._fast
        if type(num_update) is not int or num_update < 0:
            num_update = check_step(num_update)
        t = num_update - shift
        return float(inner(t if t > 0 else 0))

    def _at(self, t: Any) -> Any:
        return self._core._at(t)

    def _values(self, t: Any) -> Any:
        return self._core._values(t)

    def _peak(self) -> float:
        return self._core._peak()

    def phases(self, total_steps: Optional[float] = None) -> list:
        return self._core.phases(total_steps)

    def _children(self):
        return iter([self._core])
