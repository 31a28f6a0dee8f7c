"""Sphinx extension: a gallery of every registered schedule class, made at build time.

On ``builder-inited`` it imports every module of :mod:`mxsched.compat` (so that the
drop-ins register), then writes into ``docs/gallery/`` (ignored by git), for each class
of :func:`mxsched.config.registered`:

* ``<name>.png``: ``cls.example()`` over updates 0 to ``gallery_steps`` (300), drawn by
  :func:`mxsched.plot` with matplotlib's Agg backend;
* ``<name>.rst``: the figure, the formula (the first ``::`` literal block of the class
  docstring, as text and, where it reads as arithmetic, as math), the example's ``repr``
  and ``mxsched.describe(example, gallery_steps)``;

and ``index.rst``, a grid of all figures. A new schedule class appears without editing
the documentation.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import io
import logging
import re
from pathlib import Path
from typing import List, Optional

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

import formula_math
from api_pages import drop_in_modules, public_path
from generated import HEADER, GeneratedDir

STEPS_DEFAULT = 300


def summary(doc: Optional[str]) -> str:
    """The first paragraph of a docstring, as one line (a closing ``::`` made ``:``)."""
    paragraph = []
    for line in inspect.cleandoc(doc or "").splitlines():
        if not line.strip():
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    text = " ".join(paragraph)
    return re.sub(r"\s*::$", ":", text) if text.endswith("::") else text


def figure_png(sched, name: str, steps: int) -> bytes:
    """The PNG of ``sched`` over ``0..steps`` (Agg; no date in it: same input, same file)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import mxsched

    fig, ax = plt.subplots(figsize=(6.4, 2.9))
    try:
        mxsched.plot(sched, steps, ax=ax)
        ax.set_title(f"{name}.example()", fontsize=10)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    finally:
        plt.close(fig)
    return buffer.getvalue()


def _code(language: str, text: str) -> List[str]:
    return [f".. code-block:: {language}", ""] + \
        [("   " + line) if line.strip() else "" for line in text.splitlines()] + [""]


def _is_python(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _title(text: str, char: str) -> List[str]:
    return [text, char * len(text)]


def class_page(name: str, cls: type, example, steps: int) -> str:
    """reST of the gallery page of one schedule class."""
    import mxsched

    path = public_path(cls)
    module, shown = path.rsplit(".", 1)
    public = getattr(importlib.import_module(module), shown)  # the class, or its function
    role = "class" if isinstance(public, type) else "func"
    doc = public.__doc__
    example_name = (f"``{cls.__name__}.example()``" if role == "class"
                    else f"The example of ``{shown}``")
    lines = [f".. {HEADER.format('schedule_gallery.py')}", "",
             f".. currentmodule:: {module}", "", f".. _gallery-{name}:", ""]
    lines += _title(name, "=") + ["", f":{role}:`{path}` -- {summary(doc)}", ""]
    lines += [f".. figure:: {name}.png",
              f"   :alt: {shown} example over updates 0 to {steps}",
              "   :width: 100%", "",
              f"   {example_name} over updates 0 to {steps}; dotted lines mark the "
              "starts of its phases.", ""]
    lines += _title("Formula", "-") + [""]
    formula = formula_math.first_literal_block(doc)
    if formula is None:
        lines += [f"The docstring of :{role}:`{path}` gives its values in words: see there.",
                  ""]
    else:
        lines += _code("text", formula)
        equations = formula_math.to_latex(formula)
        if equations:
            lines += formula_math.math_directive(equations) + [""]
    lines += _title("Example", "-") + ["", f"{example_name} is:", ""]
    lines += _code("python" if _is_python(repr(example)) else "text", repr(example))
    lines += [f"``mxsched.describe(example, {steps})``, its phases over updates 0 to "
              f"{steps}:", ""]
    lines += _code("text", mxsched.describe(example, steps))
    return "\n".join(lines)


def index_page(names: List[str], steps: int) -> str:
    lines = [f".. {HEADER.format('schedule_gallery.py')}", ""]
    lines += _title("Schedule gallery", "=") + [
        "",
        f"Every schedule class that :func:`mxsched.registered` lists ({len(names)} of "
        "them, the drop-ins of :mod:`mxsched.compat` included), each as its small "
        f"``example()`` over updates 0 to {steps}. Each page has the formula, the example "
        "and its phases; the figures are drawn from the code when this site is built.",
        "",
        ".. toctree::",
        "   :hidden:",
        "",
    ]
    lines += [f"   {name}" for name in names] + ["", ".. container:: mxsched-gallery", ""]
    for name in names:
        lines += [f"   .. figure:: {name}.png", f"      :alt: {name}",
                  f"      :target: {name}.html", "", f"      :doc:`{name}`", ""]
    return "\n".join(lines)


@contextlib.contextmanager
def quiet_root_logger():
    """MXNet's built-ins log each rate change at INFO on the root logger: not here."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        root.setLevel(level)


def write_gallery(app: Sphinx) -> None:
    with quiet_root_logger():
        _write_gallery(app)


def _write_gallery(app: Sphinx) -> None:
    import mxsched

    drop_in_modules()  # import every drop-in module: their classes register
    steps = app.config.gallery_steps
    out = GeneratedDir(Path(app.srcdir) / "gallery")
    registry = mxsched.registered()
    if not registry:
        raise ExtensionError("mxsched.registered() lists no schedule class")
    names = sorted(registry, key=str.casefold)
    for name in names:
        cls = registry[name]
        try:
            example = cls.example()
        except Exception as exc:  # every schedule class must have its example
            raise ExtensionError(f"{name}.example() failed: {exc!r}") from exc
        out.write(f"{name}.png", figure_png(example, name, steps))
        out.write(f"{name}.rst", class_page(name, cls, example, steps))
    out.write("index.rst", index_page(names, steps))
    out.finish()


def setup(app: Sphinx) -> dict:
    app.add_config_value("gallery_steps", STEPS_DEFAULT, "env")
    app.connect("builder-inited", write_gallery, priority=110)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
