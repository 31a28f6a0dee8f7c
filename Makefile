# mxsched: every target installs what it needs into $(VENV) first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mxsched-installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# The MXNet 1.9.1 build to install, e.g. MXNET=mxnet-cu117 (default: chosen by
# tools/install_mxnet.py; a build already in $(VENV) is kept).
MXNET ?=
export MXNET

.PHONY: help install test notebooks bench example clean

help:
	@echo "make notebooks  execute every tutorial notebook in place (MXSCHED_QUICK=1 for a quick run)"
	@echo "make test       unit tests, doctests and the notebooks under nbval (quick mode)"
	@echo "make bench      benchmark table (per-call cost, vectorised curves, training overhead)"
	@echo "make example    large-batch training over 1, 2 and 4 local workers (parameter server on 127.0.0.1)"
	@echo "make docs       the documentation site, offline, into docs/_build/html (make docs-test: check it in Chromium)"
	@echo "make clean      remove the virtual environment and caches"
	@echo "MXSCHED_DATASET=fashion-mnist|digits|auto  force the tutorial data set (auto: Fashion-MNIST, else digits)"
	@echo "MXNET=mxnet-cu117 (or mxnet, mxnet-cu101 ... mxnet-cu116)  the MXNet build a new $(VENV) gets (default: chosen for this machine)"

# MXNet first, by its own script (it is no dependency of the project: see pyproject.toml),
# then the project, which then finds its MXNet build in place and leaves it alone.
$(STAMP): pyproject.toml tools/install_mxnet.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) tools/install_mxnet.py
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,notebooks]"
	touch $@

install: $(STAMP)

# The unit tests, the package's doctests, then nbval over the notebooks in quick mode.
test: $(STAMP)
	MXSCHED_QUICK=1 $(PY) -m pytest tests mxsched --doctest-modules -q
	$(if $(NOTEBOOKS),MXSCHED_QUICK=1 $(PY) -m pytest --nbval-lax \
		--nbval-sanitize-with notebooks/nbval_sanitize.cfg -q $(NOTEBOOKS))

# Run every notebook top to bottom in place (full size unless MXSCHED_QUICK=1).
notebooks: $(STAMP)
	@for nb in $(NOTEBOOKS); do \
		echo "== $$nb"; \
		$(PY) -m papermill --progress-bar --kernel python3 "$$nb" "$$nb" || exit 1; \
	done

bench: $(STAMP)
	$(PY) benchmarks/bench_schedules.py

example: $(STAMP)
	$(PY) examples/large_batch.py --num-workers 1 2 4

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .benchmarks *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# ---- the documentation site ----------------------------------------------------------
# `make docs` builds it into docs/_build/html/ from nothing (a fresh environment, so that
# -W sees the warnings of every page), offline; `make docs-test` builds it and checks
# every page in headless Chromium (tests/project/test_docs.py, also part of `make test`).
DOCS_STAMP := $(VENV)/.mxsched-docs-installed

.PHONY: docs docs-test

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[docs]"
	touch $@

docs: $(DOCS_STAMP)
	rm -rf docs/_build
	MPLBACKEND=Agg $(PY) -m sphinx -b html -W --keep-going -q docs docs/_build/html
	@echo "site: docs/_build/html/index.html"

docs-test: $(STAMP)
	$(PY) -m pytest tests/project/test_docs.py -q
