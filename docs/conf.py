"""Sphinx configuration of mxsched's documentation (``make docs``).

The site is made from the code and the committed notebooks, offline: no intersphinx, no
CDN (MathJax is served from the site itself), and with warnings as errors
(``-W --keep-going`` in the Makefile). The extensions in ``_ext/`` write the pages that
come from the code on ``builder-inited``, into ``api/``, ``gallery/`` and ``notebooks/``
(ignored by git): the API reference, the schedule gallery and copies of the notebooks.
"""
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(ROOT))  # mxsched from this checkout
os.environ.setdefault("MPLBACKEND", "Agg")

import mxsched  # noqa: E402

project = "mxsched"
author = "mxsched developers"
copyright = "mxsched developers, Apache License 2.0"
version = release = mxsched.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.napoleon",
    "myst_nb",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax: no CDN
    "readme_sections",
    "formula_math",
    "api_pages",
    "schedule_gallery",
    "notebook_pages",
]

root_doc = "index"
exclude_patterns = ["_build", "_ext", "_templates", "**/.ipynb_checkpoints"]
templates_path = ["_templates"]
nitpicky = False  # names of MXNet and numpy cannot resolve without intersphinx

# -- notebooks: shown with their committed outputs, never executed -----------------
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# -- API reference ---------------------------------------------------------------------
autosummary_generate = True
autosummary_generate_overwrite = True
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
autoclass_content = "class"
napoleon_google_docstring = False  # the docstrings are numpydoc style
napoleon_numpy_docstring = True
napoleon_use_ivar = True  # "Attributes" as fields: no second description of a property
napoleon_use_rtype = False
napoleon_custom_sections = ["Use"]  # how to call it, in a few docstrings

# -- the gallery -----------------------------------------------------------------------
gallery_steps = 300

# -- HTML ------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"mxsched {release}"
html_static_path = ["_static"]
html_css_files = ["mxsched.css"]
html_favicon = "_static/favicon.svg"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
