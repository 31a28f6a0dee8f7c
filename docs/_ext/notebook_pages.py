"""Sphinx extension: the tutorial notebooks as pages, with their committed outputs.

On ``builder-inited`` it copies every ``notebooks/*.ipynb`` of the repository into
``docs/notebooks/`` (ignored by git; Sphinx reads only its source directory), keeping
each name, so ``notebooks/01_basics.ipynb`` becomes the page ``notebooks/01_basics.html``,
and writes ``docs/notebooks/index.md``: the README's section "The notebooks" and a
table of contents of them all. myst-nb renders them with ``nb_execution_mode = "off"``:
the outputs and figures shown are the ones committed, nothing is executed.
"""
from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from generated import HEADER, GeneratedDir


def write_notebooks(app: Sphinx) -> None:
    source = (Path(app.confdir) / app.config.notebooks_dir).resolve()
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise ExtensionError(f"no notebooks found in {source}")
    out = GeneratedDir(Path(app.srcdir) / "notebooks")
    for notebook in notebooks:
        out.write(notebook.name, notebook.read_bytes())
    lines = [f"<!-- {HEADER.format('notebook_pages.py')} -->", "", "# Notebooks", "",
             "Each notebook is shown as it is committed, with the outputs and figures of "
             "its last run (`make notebooks`); nothing is executed to build this site.", "",
             "```{readme-section} The notebooks", ":body:", "```", "",
             "```{toctree}", ":maxdepth: 1", ""]
    lines += [notebook.stem for notebook in notebooks] + ["```", ""]
    out.write("index.md", "\n".join(lines))
    out.finish()


def setup(app: Sphinx) -> dict:
    app.add_config_value("notebooks_dir", "../notebooks", "env")
    app.connect("builder-inited", write_notebooks, priority=120)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
