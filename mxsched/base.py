"""The schedule base class, argument checks and the one interpolation helper.

Every mxsched schedule is a :class:`mxnet.lr_scheduler.LRScheduler` whose value is a
pure function of the update count ``t``. Subclasses implement

* ``_at(t)``: the value at one step (``t`` already checked: finite, ``>= 0``);
* ``_values(t)``: the same for a 1-D float64 numpy array of steps (optional: the
  default calls ``_at`` once per step);
* ``_peak()``: the largest value the schedule ever takes (``base_lr``);
* ``_repr_args()``: the constructor call, as ``[(name, value), ...]`` (optional: the
  default reads the ``__init__`` parameters back from attributes of the same names);

and name the constructor arguments that are learning rates in ``_lr_params``, so that
assigning ``base_lr`` can rescale them.

A schedule is an immutable value. Its constructor checks the arguments and computes
whatever tables it needs; afterwards no attribute can be assigned except ``base_lr``,
which builds the rescaled schedule from the constructor arguments and then takes over
its state in one step. Wrappers hold their children without copying them (nothing can
change a child in place), so building a nesting of depth ``d`` costs ``O(d)``. A pickle
(or a deep copy) holds the constructor arguments only -- plain Python values, nested
schedules and classes -- and unpickling calls the constructor again, so pickles are
small, survive the protocol-0 / UTF-8 trip MXNet uses to send an optimizer to a
parameter server, and do not depend on private attributes.

Only ``from mxnet.lr_scheduler import LRScheduler`` is used here: touching an attribute
of the ``mxnet`` package at import time breaks unpickling inside a parameter-server
process, which unpickles the optimizer while ``import mxnet`` is still running.
"""
from __future__ import annotations

import inspect
import math
import numbers
from fractions import Fraction
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional, Tuple

import numpy as np
from mxnet.lr_scheduler import LRScheduler

from .checks import as_steps, check_positive, check_step

__all__ = ["Schedule", "Phase", "interpolate", "between", "MAX_DEPTH"]

#: The deepest nesting of schedules accepted (a clear error instead of a RecursionError).
MAX_DEPTH = 100


# --------------------------------------------------------------------------- interpolation
def between(value, a, b):
    """``value`` kept within ``[min(a, b), max(a, b)]`` (floats or numpy arrays).

    Used where a formula's exact result lies between two known values but float
    rounding could take it one unit in the last place outside.
    """
    if type(value) is float and type(a) is float and type(b) is float:  # the scalar path
        if a > b:
            a, b = b, a
        return a if value < a else b if value > b else value
    if isinstance(value, np.ndarray) or isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if np.ndim(a) == 0 and np.ndim(b) == 0:
            lo, hi = (a, b) if a <= b else (b, a)
            return np.clip(value, lo, hi)
        return np.minimum(np.maximum(value, np.minimum(a, b)), np.maximum(a, b))
    lo, hi = (a, b) if a <= b else (b, a)
    return min(max(value, lo), hi)


def interpolate(start, end, frac):
    """Linear interpolation ``start + (end - start) * frac`` for ``frac`` in ``[0, 1]``.

    Works on Python floats and on numpy arrays alike; every linear piece of every
    mxsched schedule goes through this helper. The result never leaves the segment
    between ``start`` and ``end`` (float rounding could otherwise put it one unit in
    the last place outside, e.g. above a peak).

    >>> interpolate(1.0, 3.0, 0.25)
    1.5
    >>> interpolate(0.001, 0.01, 1.0)
    0.01
    """
    value = start + (end - start) * frac
    if type(value) is float:  # the common scalar case, without a function call
        if start <= end:
            return start if value < start else end if value > end else value
        return end if value < end else start if value > start else value
    if isinstance(value, np.ndarray) and np.ndim(start) == 0 and np.ndim(end) == 0:
        lo, hi = (start, end) if start <= end else (end, start)
        np.maximum(value, lo, out=value)  # a fresh array: clip it in place
        return np.minimum(value, hi, out=value)
    return between(value, start, end)


class Phase(NamedTuple):
    """One named phase of a schedule: steps ``start <= t < end`` (``end=None``: open)."""

    name: str
    start: float
    end: Optional[float]


# --------------------------------------------------------------------------- base
class _ScheduleType(type):
    """Finishes every schedule once its whole ``__init__`` chain has run (see
    :meth:`Schedule._built`): depth check, peak check, then the schedule is frozen."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        obj = super().__call__(*args, **kwargs)
        obj._built()
        return obj

    @property
    def __signature__(cls) -> inspect.Signature:
        # The constructor's signature (without ``self``), for help(), IDEs and the docs:
        # without it, ``inspect.signature`` would show this ``__call__``'s (*args, **kwargs).
        sig = inspect.signature(cls.__init__)
        return sig.replace(parameters=list(sig.parameters.values())[1:],
                           return_annotation=inspect.Signature.empty)


class Schedule(LRScheduler, metaclass=_ScheduleType):
    """Base class of every mxsched schedule.

    A schedule maps the update count ``t`` (update 1 is the first optimizer update,
    ``t = 0`` is "before training") to a learning rate. It is

    * an :class:`mxnet.lr_scheduler.LRScheduler`, usable as ``lr_scheduler`` of
      :class:`mxnet.gluon.Trainer` and :func:`mxnet.optimizer.create`;
    * pure: ``sched(t)`` depends on ``t`` and the constructor arguments only;
    * vectorised: ``sched.values(steps)`` equals ``[sched(t) for t in steps]``;
    * bounded: every value is finite and lies in ``[0, base_lr]``, at integer and
      fractional steps;
    * rescalable: ``base_lr`` reads as the schedule's peak (its largest value) and
      assigning it scales the whole schedule proportionally (this is what
      ``Trainer(..., {'learning_rate': x, 'lr_scheduler': sched})`` does: "peak
      ``x``");
    * immutable: apart from ``base_lr``, attributes cannot be assigned (build a new
      schedule instead), and pickles hold the constructor arguments only.

    The ``base_lr`` of MXNet's ``LRScheduler.__init__`` and its warm-up attributes are
    not used: mxsched expresses warm-up by composition (:class:`LinearWarmUp`).

    Writing your own: subclass :class:`Schedule`, store each ``__init__`` argument
    under its own name, and define ``_at(t)`` and ``_peak()``; name the learning-rate
    arguments in ``_lr_params`` to make ``base_lr`` assignable. ``repr``, pickling,
    copying and ``values`` then work (``values`` calls ``_at`` once per step unless you
    define a vectorised ``_values``).

    Examples
    --------
    >>> class Halving(Schedule):
    ...     _lr_params = ("lr",)
    ...     def __init__(self, lr, every):
    ...         super().__init__()
    ...         self.lr, self.every = lr, every
    ...     def _at(self, t):
    ...         return self.lr * 0.5 ** (t // self.every)
    ...     def _peak(self):
    ...         return self.lr
    >>> s = Halving(0.4, every=10)
    >>> s, s(25), s.values([0, 10]).tolist()
    (Halving(lr=0.4, every=10), 0.1, [0.4, 0.2])
    """

    #: constructor arguments that are learning rates, rescaled by ``base_lr = x``
    _lr_params: Tuple[str, ...] = ()
    #: constructor arguments holding schedules that ``base_lr = x`` leaves alone
    _unscaled: Tuple[str, ...] = ()
    #: keyword names of the arguments ``_repr_args`` shows positionally (name ``None``)
    _positional: Tuple[str, ...] = ()

    # LRScheduler.__init__ only sets attributes mxsched does not use; it is not called.
    def __init__(self) -> None:  # pylint: disable=super-init-not-called
        pass

    def _built(self) -> None:
        """Called once the constructor has finished: check depth and peak, freeze."""
        depth = 1 + max((child._depth for child in self._children()), default=0)
        if depth > MAX_DEPTH:
            raise ValueError(f"schedules must be nested at most {MAX_DEPTH} levels deep, "
                             f"got {depth} levels in a {type(self).__name__}")
        state = self.__dict__
        state["_depth"] = depth
        peak = self._peak()
        if not (isinstance(peak, numbers.Real) and math.isfinite(peak) and peak >= 0):
            raise ValueError(f"the peak of {type(self).__name__} must be a finite, "
                             f"non-negative learning rate, got {peak!r}")
        state["_frozen"] = True

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "base_lr" and self.__dict__.get("_frozen"):
            raise AttributeError(
                f"{type(self).__name__}.{name} cannot be assigned: schedules are immutable "
                "(assign base_lr to rescale one, or build a new schedule)")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"{type(self).__name__}.{name} cannot be deleted: schedules "
                                 "are immutable")
        object.__delattr__(self, name)

    @classmethod
    def example(cls) -> "Schedule":
        """A small instance of this class, over about 200 updates with a peak near 0.1.

        Every mxsched schedule class has one; the documentation's gallery plots it and
        the tests check every guarantee on it.
        """
        return cls(**cls._example_args())

    @classmethod
    def _example_args(cls) -> dict:
        raise NotImplementedError(f"{cls.__name__} has no example: define _example_args()")

    # -- evaluation ------------------------------------------------------------
    def __call__(self, num_update: float) -> float:
        """The learning rate at update ``num_update`` (a finite number ``>= 0``)."""
        if type(num_update) is int and num_update >= 0:  # what MXNet's optimizer passes
            return float(self._at(num_update))
        return float(self._at(check_step(num_update)))

    def values(self, steps: Iterable[float]) -> np.ndarray:
        """The learning rates at every step of ``steps``, as a float64 array.

        Equal to ``np.array([self(t) for t in steps])`` up to float rounding (numpy's
        ``cos`` and ``math.cos`` may differ in the last bits; the tests hold them to a
        relative 1e-12) but computed with numpy, so a million steps take milliseconds.
        The shape of ``steps`` is kept; a single number gives a 0-d array.
        """
        arr = as_steps(steps)
        flat = arr.reshape(-1)
        out = np.asarray(self._values(flat), dtype=np.float64)
        if out.shape != flat.shape:
            out = np.broadcast_to(out, flat.shape).copy()
        return out.reshape(arr.shape)

    def _at(self, t):
        raise NotImplementedError(f"{type(self).__name__} must define _at(t)")

    def _values(self, t: np.ndarray) -> np.ndarray:
        return np.fromiter((self._at(float(x)) for x in t), dtype=np.float64, count=len(t))

    # -- base_lr ---------------------------------------------------------------
    def _peak(self) -> float:
        """The largest value the schedule takes (an upper bound of every value)."""
        raise NotImplementedError(f"{type(self).__name__} must define _peak()")

    @property
    def base_lr(self) -> float:
        """The schedule's peak (its largest value); assigning it rescales the schedule."""
        return float(self._peak())

    @base_lr.setter
    def base_lr(self, value: float) -> None:
        value = check_positive("base_lr", value)
        peak = self._peak()
        if peak <= 0:
            raise ValueError(
                f"base_lr cannot be set on {self!r}: its peak is {peak!r}, so it cannot be "
                "rescaled proportionally")
        factor = value / peak
        if not math.isfinite(factor):  # a peak so small (subnormal) that the ratio overflows
            raise ValueError(
                f"base_lr cannot be set to {value!r} on {self!r}: its peak {peak!r} is too "
                "small to be rescaled")
        rescaled = self._scaled(factor)  # built and checked before anything changes
        if not math.isclose(rescaled._peak(), value, rel_tol=1e-9):
            raise ValueError(f"base_lr cannot be set on {type(self).__name__}: rescaling its "
                             f"learning-rate arguments {list(self._lr_params)} gives the peak "
                             f"{rescaled._peak()!r}, not {value!r}")
        self.__dict__.clear()
        self.__dict__.update(rescaled.__dict__)

    def _scaled(self, factor: float) -> "Schedule":
        """A new schedule: this one with every learning rate multiplied by ``factor``."""
        kwargs = self._kwargs()
        for name, value in kwargs.items():
            if name in self._lr_params:
                if value is not None:
                    kwargs[name] = value * factor
            elif name not in self._unscaled:
                kwargs[name] = _scale_children(value, factor)
        return type(self)(**kwargs)

    # -- structure -------------------------------------------------------------
    def _repr_args(self) -> list:
        """``[(name, value), ...]`` of the constructor call shown by ``repr``.

        The default reads every ``__init__`` parameter back from the attribute of the
        same name.
        """
        params = inspect.signature(type(self).__init__).parameters
        out = []
        for name, param in params.items():
            if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if not hasattr(self, name):
                raise NotImplementedError(
                    f"{type(self).__name__} must store its argument {name!r} as "
                    f"self.{name} or define _repr_args()")
            out.append((name, getattr(self, name)))
        return out

    def _kwargs(self) -> dict:
        """The constructor's keyword arguments, enough to build this schedule again."""
        positional = iter(self._positional)
        return {name if name is not None else next(positional): value
                for name, value in self._repr_args()}

    def _children(self) -> Iterator["Schedule"]:
        """The schedules this one holds (as constructor arguments)."""
        for value in self._kwargs().values():
            if isinstance(value, Schedule):
                yield value
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, Schedule):
                        yield item

    # -- pickling and copying: the constructor arguments only -------------------
    def __getstate__(self) -> dict:
        return {"kwargs": _plain(self._kwargs())}

    def __setstate__(self, state: dict) -> None:
        type(self).__init__(self, **state["kwargs"])
        self._built()

    def __copy__(self) -> "Schedule":
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone

    def __deepcopy__(self, memo: dict) -> "Schedule":
        # Children are never changed in place, so sharing them is a deep copy.
        return self.__copy__()

    # -- repr ------------------------------------------------------------------
    def __repr__(self) -> str:
        parts = []
        for name, value in self._repr_args():
            if name is None:
                parts.append(_fmt(value))
            else:
                parts.append(f"{name}={_fmt(value)}")
        return f"{type(self)._display_name()}({', '.join(parts)})"

    # -- configs and phases ------------------------------------------------------
    def get_config(self) -> dict:
        """A JSON-safe description ``{"class": name, "config": {...}}``; see
        :func:`mxsched.from_config`, which rebuilds the schedule from it.

        Raises
        ------
        TypeError
            If the schedule holds something that has no JSON form (a plain callable or an
            ``LRScheduler`` of your own).
        """
        positional = iter(type(self)._positional)
        config = {}
        for name, value in self._repr_args():
            if name is None:
                name = next(positional)
            config[name] = _encode(value, f"{type(self).__name__}.{name}")
        return {"class": type(self)._config_name(), "config": config}

    @classmethod
    def _config_name(cls) -> str:
        """The class's name in configs (:mod:`mxsched.config`): its own name."""
        return cls.__name__

    @classmethod
    def _display_name(cls) -> str:
        """The name ``repr`` shows: the class's name."""
        return cls.__name__

    def phases(self, total_steps: Optional[float] = None) -> List[Phase]:
        """The named phases of the schedule as :class:`Phase` ``(name, start, end)``.

        Wrappers report their own phases and their children's, shifted to global
        steps; a plain shape is one phase named after its class. ``total_steps`` bounds
        open-ended or repeating schedules (cycles are listed up to it).
        """
        return [Phase(type(self).__name__, 0, None)]

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


def _encode(value: Any, where: str) -> Any:
    """A constructor argument in JSON form (see :mod:`mxsched.config`)."""
    if isinstance(value, Schedule):
        return value.get_config()
    if isinstance(value, type) and issubclass(value, Schedule):
        return {"schedule_class": value.__name__}
    if isinstance(value, Fraction):
        return {"fraction": [value.numerator, value.denominator]}
    if isinstance(value, (list, tuple)):
        return [_encode(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v, where) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise TypeError(f"{where} must be JSON-safe to be saved in a config, got {value!r} "
                    f"(plain callables and LRScheduler subclasses have no config)")


def _scale_children(value: Any, factor: float) -> Any:
    if isinstance(value, Schedule):
        return value._scaled(factor)
    if isinstance(value, list):
        return [_scale_children(v, factor) for v in value]
    return value


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python numbers (pickles stay plain)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _fmt(value: Any) -> str:
    """repr of a constructor argument; classes are shown by name, and an MXNet scheduler
    without a repr of its own by its class and attributes (its state)."""
    if isinstance(value, type):
        return value.__name__
    if (isinstance(value, LRScheduler) and not isinstance(value, Schedule)
            and type(value).__repr__ is object.__repr__):
        state = " ".join(f"{k}={v!r}" for k, v in sorted(vars(value).items()))
        return f"<{type(value).__name__} {state}>"
    return repr(value)


def shift_phases(phases: List[Phase], offset: float,
                 end: Optional[float] = None) -> List[Phase]:
    """``phases`` moved ``offset`` steps later and cut at ``end`` (global steps)."""
    out = []
    for name, start, stop in phases:
        start = start + offset
        stop = None if stop is None else stop + offset
        if end is not None:
            if start >= end:
                continue
            stop = end if stop is None else min(stop, end)
        out.append(Phase(name, start, stop))
    return out
