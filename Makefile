# HER2-targeted therapy for nurses: every task a reader, author or CI needs.
# `make book` and `make test` set everything up on a fresh machine (see README).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB_FLAGS := -W -n --keep-going
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv book test lint check unit notebooks lab lab-notebooks serve bench browser pdf moodle-check clean hub hub-stop hub-load

help:
	@echo "make book       build the HTML book into _build/html (creates .venv first)"
	@echo "make test       lint, check the data and the question banks, build the book with warnings as errors, run every test"
	@echo "make lab        open the chapters in JupyterLab (the learner copies in lab/, made first)"
	@echo "make lab-notebooks  (re)make the learner copies of notebooks/ in lab/ for JupyterLab"
	@echo "make serve      serve the built book on http://127.0.0.1:8000"
	@echo "make notebooks  re-execute the chapter notebooks in place (before committing them)"
	@echo "make pdf        the whole book as one PDF (_build/pdf/her2-course.pdf), printed by chromium"
	@echo "make bench      make test by phase, book build and prose-edit rebuild times, page weights, Lighthouse"
	@echo "make moodle-check MOODLE=DIR  import the Moodle XML and GIFT exports into the Moodle installed in DIR"
	@echo "                and compare its marks with the course's grader (not part of make test)"
	@echo "make hub        the course on a real JupyterHub on 127.0.0.1 for demo students (Ctrl-C or make hub-stop)"
	@echo "make hub-stop   stop that hub and check that none of its processes is left"
	@echo "make hub-load   simulate a class on the hub and report times, memory and lost answers (LOAD_STUDENTS=40)"
	@echo "make clean      remove build output (keeps .venv)"

# The virtual environment is rebuilt whenever requirements.txt or pyproject.toml changes.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

venv: $(STAMP)

# npm packages (package.json, locked in package-lock.json): reveal.js, which the book build copies into the built
# slides, and the browser tests' axe-core and lighthouse.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	@touch $@

# Debian chromium and the npm packages (axe-core, lighthouse) for the browser tests and make bench.
browser: $(STAMP) $(NODE_STAMP)
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium (browser tests, PDF printing) and poppler-utils (PDF text checks)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium poppler-utils >/dev/null; }

book: $(STAMP) $(NODE_STAMP)
	$(BIN)/jupyter-book build $(JB_FLAGS) .

check: $(STAMP)
	$(BIN)/her2course check

lint: $(STAMP)
	$(BIN)/ruff check src tests tools

test: $(STAMP) browser
	$(BIN)/ruff check src tests tools
	$(BIN)/her2course check
	$(BIN)/her2course quiz lint
	$(BIN)/jupyter-book build $(JB_FLAGS) .
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

# Unit tests and nbval only (no book build): the quick loop while writing code.
unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb
	$(BIN)/python -m her2course.labcopy --source notebooks --dest lab

# JupyterLab shows MyST through jupyterlab-myst; terms, citations and page links become notebook-local links in
# learner copies made from notebooks/ (src/her2course/labcopy.py). A copy a learner changed is kept aside, never
# overwritten. Containers and hubs run as root, where JupyterLab needs --allow-root.
LAB_DIR := lab
LAB_ARGS ?=

lab-notebooks: $(STAMP)
	$(BIN)/python -m her2course.labcopy --source notebooks --dest $(LAB_DIR)

lab: lab-notebooks
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(LAB_DIR) \
	  $$(test "$$(id -u)" = 0 && echo --allow-root) $(LAB_ARGS)

serve:
	@test -d _build/html || { echo "No built book: run 'make book' first."; exit 1; }
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

# The print edition: build the book, then chromium prints every page of the toc with the print stylesheet
# (quizzes as worksheets, their answers in an appendix) and pypdf joins the parts.
pdf: $(STAMP) browser
	$(BIN)/jupyter-book build $(JB_FLAGS) .
	$(BIN)/python tools/pdf.py

bench: $(STAMP) browser
	$(BIN)/python tools/bench.py

# Optional: a real Moodle (its code directory, with config.php) imports every Moodle XML and GIFT export and grades
# right, wrong and partial responses; tools/moodle/check.py prints the table. Without MOODLE it says so and passes.
MOODLE ?=
moodle-check: $(STAMP)
	$(BIN)/python tools/moodle/check.py --moodle "$(MOODLE)"

# A class on a real JupyterHub (tools/hub/): jupyterhub from PyPI, configurable-http-proxy from npm, one home per
# student under $(HUB_DIR)/home, the course delivered by nbgitpuller links from a local clone of this checkout.
HUB_DIR ?= _hub
HUB_PORT ?= 8000
HUB_STUDENTS ?= 3
LOAD_STUDENTS ?= 40
LOAD_BROWSERS ?= 3
LOAD_RAMP ?= 30

hub: $(STAMP) browser
	$(BIN)/python tools/hub/classhub.py run --dir $(HUB_DIR) --port $(HUB_PORT) --students $(HUB_STUDENTS)

hub-stop:
	$(BIN)/python tools/hub/classhub.py stop --dir $(HUB_DIR)

# A benchmark, not a test: prints its figures (a 3-student version runs in make test: tests/test_hub.py).
hub-load: $(STAMP) browser
	$(BIN)/python tools/hub/load.py --students $(LOAD_STUDENTS) --browsers $(LOAD_BROWSERS) --ramp $(LOAD_RAMP)

clean:
	rm -rf _build
