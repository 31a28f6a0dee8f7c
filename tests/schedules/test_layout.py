"""The package layout: three parts that depend one way only, and no import cycles.

* ``mxsched`` (the schedules; :mod:`mxsched.compat` belongs to this side) imports nothing
  of :mod:`mxsched.gluon` or :mod:`mxsched.tutorial`, and ``import mxsched`` loads
  neither, nor the drop-ins of :mod:`mxsched.compat` (a parameter server imports it);
* :mod:`mxsched.gluon` imports nothing of :mod:`mxsched.tutorial`;
* no module of the package imports a module that imports it back (directly or through
  others), counting every import statement: top-level, inside functions, relative ones.
"""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mxsched

PACKAGE_DIR = Path(mxsched.__file__).resolve().parent
OPTIONAL_PARTS = ("mxsched.gluon", "mxsched.tutorial", "mxsched.compat")


def module_name(path: Path) -> str:
    parts = ("mxsched",) + path.relative_to(PACKAGE_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def is_part_of(module: str, part: str) -> bool:
    return module == part or module.startswith(part + ".")


def imports_in(source: str, module: str, is_package: bool) -> set:
    """The mxsched modules that the source of ``module`` imports, by any import statement.

    ``from X import name`` counts as importing ``X.name`` when that is a module of the
    package, else as importing ``X``; a relative import is resolved against the
    package ``module`` is in (``module`` itself for an ``__init__.py``).
    """
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return {name for name in found if is_part_of(name, "mxsched") and name != module}


def imports_of(module: str) -> set:
    path = MODULES[module]
    return imports_in(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")


GRAPH = {module: imports_of(module) for module in MODULES}


def test_the_package_is_found():
    assert {"mxsched", "mxsched.base", "mxsched.config", "mxsched.gluon",
            "mxsched.gluon.trainer", "mxsched.tutorial", "mxsched.tutorial.training",
            "mxsched.compat", "mxsched.compat.torch"} <= set(MODULES)
    assert "mxsched.base" in GRAPH["mxsched.shapes"]
    assert "mxsched.gluon.trainer" in GRAPH["mxsched.tutorial.training"]


def test_every_kind_of_import_statement_is_seen():
    source = (
        "import numpy\n"
        "import mxsched.shapes\n"
        "from . import base\n"                  # a module of the package
        "from . import Schedule\n"              # a name of the package's __init__
        "from .compat.torch import OneCycleLR\n"
        "from mxsched.gluon import trainer\n"
        "def later():\n"
        "    from .tutorial import data\n"      # inside a function
        "if True:\n"
        "    from mxsched import checks as c\n"
    )
    assert imports_in(source, "mxsched.units", is_package=False) == {
        "mxsched.shapes", "mxsched.base", "mxsched", "mxsched.compat.torch",
        "mxsched.gluon.trainer", "mxsched.tutorial.data", "mxsched.checks"}
    assert imports_in("def f():\n    from ..tutorial import data\n", "mxsched.gluon.x",  # 2 up
                      is_package=False) == {"mxsched.tutorial.data"}
    assert imports_in("from .range_test import sweep\n", "mxsched.gluon",
                      is_package=True) == {"mxsched.gluon.range_test"}


def test_importing_mxsched_loads_none_of_the_optional_parts():
    code = ("import json, sys\n"
            "import mxsched\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('mxsched'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert "mxsched.base" in loaded
    assert [m for m in loaded if any(is_part_of(m, part) for part in OPTIONAL_PARTS)] == []


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_modules_import_each_other():
    assert cycles(GRAPH) == []


@pytest.mark.parametrize("importer,forbidden", [
    (lambda m: not is_part_of(m, "mxsched.gluon") and not is_part_of(m, "mxsched.tutorial"),
     ("mxsched.gluon", "mxsched.tutorial")),
    (lambda m: is_part_of(m, "mxsched.gluon"), ("mxsched.tutorial",)),
], ids=["schedules-import-no-gluon-or-tutorial", "gluon-imports-no-tutorial"])
def test_the_parts_depend_one_way_only(importer, forbidden):
    wrong = sorted((module, target) for module, targets in GRAPH.items() if importer(module)
                   for target in targets
                   if any(is_part_of(target, part) for part in forbidden))
    assert wrong == []
