"""Sphinx extension: the API reference pages, one per public module, made at build time.

The modules are found when the documentation is built: ``mxsched``, ``mxsched.gluon``,
``mxsched.tutorial``, ``mxsched.compat`` and every public submodule of
``mxsched.compat`` (found with :mod:`pkgutil`), so a new drop-in module appears without
editing the documentation. A module's public names are its ``__all__`` (else the public
names it defines). Each module page, written into ``docs/api/`` on ``builder-inited``,
holds the module's docstring and autosummary tables of its names by kind; autosummary
then makes one page per name (``docs/api/generated/``) with its full docstring.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Dict, List

from sphinx.application import Sphinx
from sphinx.util.inspect import stringify_signature

from generated import HEADER, GeneratedDir

#: the parts of the package, in the order of the reference
PARTS = ["mxsched", "mxsched.gluon", "mxsched.tutorial", "mxsched.compat"]
#: the package whose submodules are found at build time
DROP_INS = "mxsched.compat"


def drop_in_modules() -> List[str]:
    """Every public module below ``mxsched.compat`` (its private ones imported too).

    Importing all of them first also registers their schedule classes (the gallery
    relies on that).
    """
    package = importlib.import_module(DROP_INS)
    names = []
    for info in pkgutil.walk_packages(package.__path__, prefix=DROP_INS + "."):
        importlib.import_module(info.name)
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def public_modules() -> List[str]:
    """The documented modules: the parts, then the drop-in modules."""
    return PARTS + drop_in_modules()


def public_names(module: ModuleType) -> List[str]:
    """``module.__all__``, else the public names defined in ``module`` itself."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return sorted(name for name, value in vars(module).items()
                  if not name.startswith("_") and not inspect.ismodule(value)
                  and getattr(value, "__module__", None) == module.__name__)


def public_path(obj: object) -> str:
    """The documented dotted name of ``obj`` (a class or function of a public module).

    A drop-in whose peer is a function (Hugging Face's ``get_*_schedule``) is a private
    class that the public function of its ``_peer_name`` returns: that function's name.
    """
    peer = getattr(obj, "_peer_name", None) if isinstance(obj, type) else None
    for modname in public_modules():
        module = importlib.import_module(modname)
        for name in public_names(module):
            if getattr(module, name, None) is obj and name == getattr(obj, "__name__", name):
                return f"{modname}.{name}"
            if peer is not None and name == peer and obj.__module__ == modname:
                return f"{modname}.{name}"
    raise LookupError(f"{obj!r} is not a public name of any documented module")


def _kind(module: ModuleType, name: str) -> str:
    from mxsched import Schedule
    value = getattr(module, name)
    if getattr(value, "__name__", name) != name and isinstance(value, type):
        return "Aliases"
    if isinstance(value, type):
        if issubclass(value, Schedule):
            return "Schedules"
        if issubclass(value, BaseException):
            return "Exceptions and warnings"
        return "Classes"
    if callable(value):
        return "Functions"
    return "Other names"


KINDS = ["Schedules", "Aliases", "Classes", "Functions", "Exceptions and warnings",
         "Other names"]


def _title(text: str, char: str = "=") -> List[str]:
    return [text, char * len(text)]


def module_page(modname: str, submodules: List[str]) -> str:
    """reST of the page of one module."""
    module = importlib.import_module(modname)
    lines = [f".. {HEADER.format('api_pages.py')}", ""]
    lines += _title(modname) + ["", f".. automodule:: {modname}", "   :no-members:", "",
                                f".. currentmodule:: {modname}", ""]
    groups: Dict[str, List[str]] = {kind: [] for kind in KINDS}
    for name in public_names(module):
        if not hasattr(module, name):
            raise AttributeError(f"{modname}.__all__ names {name!r}, which it lacks")
        groups[_kind(module, name)].append(name)
    for kind in KINDS:
        if groups[kind]:
            lines += _title(kind, "-") + [""]
            if kind == "Aliases":
                others = [f"``{name}`` is :class:`{getattr(module, name).__name__}`"
                          for name in groups[kind]]
                lines += ["Other names of the classes above: " + ", ".join(others) + ".", ""]
            lines += [".. autosummary::", "   :toctree: generated", "   :nosignatures:", ""]
            lines += [f"   {name}" for name in groups[kind]] + [""]
    if submodules:
        lines += _title("Modules", "-") + ["", ".. toctree::", "   :maxdepth: 1", ""]
        lines += [f"   {sub}" for sub in submodules] + [""]
    return "\n".join(lines)


def index_page(modules: List[str]) -> str:
    lines = [f".. {HEADER.format('api_pages.py')}", ""]
    lines += _title("API reference") + [
        "",
        "Every public name of each part of the package, with its full docstring: "
        "parameters, formula and the examples, which the test suite runs as doctests.",
        "",
        ".. toctree::",
        "   :maxdepth: 2",
        "",
    ]
    lines += [f"   {modname}" for modname in modules if modname.count(".") <= 1]
    return "\n".join(lines) + "\n"


def write_pages(app: Sphinx) -> None:
    out = GeneratedDir(Path(app.srcdir) / "api")
    drop_ins = drop_in_modules()
    modules = PARTS + drop_ins
    out.write("index.rst", index_page(modules))
    for modname in modules:
        subs = drop_ins if modname == DROP_INS else []
        out.write(f"{modname}.rst", module_page(modname, subs))
    out.finish()  # before autosummary (priority 500) writes generated/ anew
    # the pages are new: let autosummary (which reads env.found_docs) see them
    app.env.find_files(app.config, app.builder)


def constructor_signature(app: Sphinx, what: str, name: str, obj: object, options,
                          signature, return_annotation):
    """autodoc-process-signature: a class's ``__init__`` parameters, not ``*args, **kwargs``.

    mxsched's schedule classes have a metaclass whose ``__call__(cls, *args, **kwargs)``
    checks each new instance, and autodoc (like :func:`inspect.signature`) reads the
    signature of that ``__call__``. Where that is all it finds, the signature of
    ``__init__`` (without ``self``) is shown instead.
    """
    if what != "class" or not isinstance(obj, type) or type(obj) is type:
        return None
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None
    kinds = [p.kind for p in params]
    if kinds != [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]:
        return None
    init = inspect.signature(obj.__init__)
    init = init.replace(parameters=list(init.parameters.values())[1:],
                        return_annotation=inspect.Signature.empty)
    show = app.config.autodoc_typehints in ("signature", "both")
    return stringify_signature(init, show_annotation=show), return_annotation


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", write_pages, priority=100)
    app.connect("autodoc-process-signature", constructor_signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
