"""JSON-safe configs: ``sched.get_config()`` and ``from_config(cfg)``, never pickle or eval.

A config is ``{"class": "<name>", "config": {<constructor keyword>: <value>}}``. Values
are JSON types; a nested schedule is a nested config (a drop-in of
:mod:`mxsched.compat` is named ``"<peer>.<name>"``, e.g. ``"torch.StepLR"``, and its
module must be imported before :func:`from_config`); a schedule class (the
``schedule_class`` of :class:`CyclicalSchedule`) is ``{"schedule_class": "<name>"}``; an
exact ratio (``fractions.Fraction``, e.g. updates per epoch) is
``{"fraction": [numerator, denominator]}``.
Class names are looked up in a registry holding every public mxsched schedule;
:func:`register` adds your own :class:`Schedule` subclasses.

>>> import json
>>> from mxsched import CosineAnnealing, LinearWarmUp, from_config
>>> sched = LinearWarmUp(CosineAnnealing(0.0, 0.1, 90), start_lr=0.0, length=10)
>>> cfg = json.loads(json.dumps(sched.get_config()))
>>> cfg["class"], cfg["config"]["schedule"]["class"]
('LinearWarmUp', 'CosineAnnealing')
>>> from_config(cfg) == sched
True
"""
from __future__ import annotations

import inspect
from fractions import Fraction
from typing import Any, Dict, Type

from .base import MAX_DEPTH, Schedule

__all__ = ["get_config", "from_config", "register", "registered"]

_REGISTRY: Dict[str, Type[Schedule]] = {}


def register(cls: Type[Schedule]) -> Type[Schedule]:
    """Make ``cls`` (a :class:`Schedule` subclass) known to :func:`from_config`.

    Usable as a class decorator. mxsched's own classes need no registration.

    Parameters
    ----------
    cls : type
        A subclass of :class:`mxsched.Schedule` whose name is not yet registered for
        another class (that is a ``ValueError``).

    Returns
    -------
    type
        ``cls`` itself.

    Examples
    --------
    >>> from mxsched import Schedule
    >>> @register
    ... class Flat(Schedule):
    ...     _lr_params = ("lr",)
    ...     def __init__(self, lr):
    ...         super().__init__()
    ...         self.lr = lr
    ...     def _at(self, t):
    ...         return self.lr
    ...     def _peak(self):
    ...         return self.lr
    >>> from_config(Flat(0.3).get_config())
    Flat(lr=0.3)
    """
    if not (isinstance(cls, type) and issubclass(cls, Schedule)):
        raise TypeError(f"cls must be a Schedule subclass, got {cls!r}")
    known = _REGISTRY.get(cls.__name__)
    if known is not None and known is not cls:
        raise ValueError(f"cls must have a name not yet registered, got {cls!r} "
                         f"(the name {cls.__name__!r} is {known!r})")
    _REGISTRY[cls.__name__] = cls
    return cls


def registered() -> Dict[str, Type[Schedule]]:
    """Name -> class of every schedule :func:`from_config` knows.

    Every public schedule class defined in mxsched (in the modules imported so far: the
    classes of :mod:`mxsched.compat` once imported), and the classes given to
    :func:`register`.

    Returns
    -------
    dict of str to type

    Examples
    --------
    >>> names = registered()
    >>> names["CosineAnnealing"].__name__, "Schedule" in names
    ('CosineAnnealing', False)
    """
    _register_builtins()
    return dict(_REGISTRY)


def _register_builtins() -> None:
    """Add mxsched's own public schedule classes (found as subclasses of Schedule)."""
    stack = list(Schedule.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        name = cls._config_name()
        # private: a name or a module starting with "_" (a drop-in whose peer is a function
        # is a private class that takes the function's public name)
        private = name.rsplit(".", 1)[-1].startswith("_") or any(
            part.startswith("_") for part in cls.__module__.split("."))
        if cls.__module__.startswith("mxsched.") and not private:
            _REGISTRY.setdefault(name, cls)


# --------------------------------------------------------------------------- encode
def get_config(sched: Schedule) -> dict:
    """The JSON-safe config of ``sched``: ``sched.get_config()`` (see the module docstring).

    Parameters
    ----------
    sched : Schedule

    Returns
    -------
    dict
        ``{"class": name, "config": {...}}``.

    Examples
    --------
    >>> from mxsched import Constant
    >>> get_config(Constant(0.1))
    {'class': 'Constant', 'config': {'lr': 0.1}}

    Raises
    ------
    TypeError
        If ``sched`` is not an mxsched schedule, or holds something that has no JSON form
        (a plain callable or an ``LRScheduler`` of your own).
    """
    if not isinstance(sched, Schedule):
        raise TypeError(f"sched must be an mxsched schedule, got {sched!r}")
    return sched.get_config()


# --------------------------------------------------------------------------- decode
def from_config(cfg: dict) -> Schedule:
    """The schedule described by ``cfg`` (from :meth:`Schedule.get_config`).

    Parameters
    ----------
    cfg : dict
        ``{"class": name, "config": {argument: value, ...}}`` as JSON gives it back.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from mxsched import StepDecay
    >>> from_config({"class": "StepDecay",
    ...              "config": {"max_lr": 0.1, "length": 30, "factor": 0.5}})
    StepDecay(max_lr=0.1, length=30, factor=0.5)

    Raises
    ------
    ValueError
        Unknown class name, missing or unknown keys.
    TypeError
        ``cfg`` is not a config dict, or a value has the wrong type (the schedule's
        constructor reports which parameter).
    """
    _register_builtins()
    return _decode_schedule(cfg, "cfg", 1)


def _decode_schedule(cfg: Any, where: str, depth: int) -> Schedule:
    if depth > MAX_DEPTH:
        raise ValueError(f"cfg must nest schedules at most {MAX_DEPTH} levels deep, got "
                         f"deeper at {where[:80]}...")
    if not isinstance(cfg, dict):
        raise TypeError(f"{where} must be a dict {{'class': ..., 'config': {{...}}}}, "
                        f"got {cfg!r}")
    extra = set(cfg) - {"class", "config"}
    if "class" not in cfg or extra:
        raise ValueError(f"{where} must have exactly the keys 'class' and 'config', "
                         f"got {sorted(cfg)!r}")
    cls = _lookup(cfg["class"], f"{where}['class']")
    kwargs = cfg.get("config", {})
    if not isinstance(kwargs, dict):
        raise TypeError(f"{where}['config'] must be a dict, got {kwargs!r}")
    params = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    unknown = sorted(k for k in kwargs if k not in params or k == "self")
    if unknown and not takes_any:
        raise ValueError(f"{where}['config'] must only have parameters of {cls.__name__} "
                         f"({', '.join(k for k in params if k != 'self')}), "
                         f"got unknown {unknown!r}")
    decoded = {k: _decode(v, f"{where}['config'][{k!r}]", depth) for k, v in kwargs.items()}
    return cls(**decoded)


def _lookup(name: Any, where: str) -> Type[Schedule]:
    if isinstance(name, str) and name not in _REGISTRY and "." in name:
        peer = name.split(".", 1)[0]
        raise ValueError(f"{where} names the drop-in {name!r}: import mxsched.compat.{peer} "
                         f"before from_config (its classes register when imported)")
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"{where} must be a registered schedule class name (one of "
                         f"{', '.join(sorted(_REGISTRY))}), got {name!r}")
    return _REGISTRY[name]


def _decode(value: Any, where: str, depth: int) -> Any:
    if isinstance(value, dict):
        if set(value) == {"schedule_class"}:
            return _lookup(value["schedule_class"], where)
        if set(value) == {"fraction"}:
            pair = value["fraction"]
            if not (isinstance(pair, list) and len(pair) == 2
                    and all(isinstance(x, int) and not isinstance(x, bool) for x in pair)
                    and pair[1] > 0):
                raise ValueError(f"{where} must be {{'fraction': [numerator, denominator]}} "
                                 f"with integers and a positive denominator, got {value!r}")
            return Fraction(*pair)
        if "class" in value:
            return _decode_schedule(value, where, depth + 1)
        return {k: _decode(v, where, depth) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, f"{where}[{i}]", depth) for i, v in enumerate(value)]
    return value
