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

.PHONY: help venv book test lint check unit notebooks lab serve bench browser pdf moodle-check clean

help:
	@echo "make book       build the HTML book into _build/html (creates .venv first)"
	@echo "make test       lint, check the data, build the book with warnings as errors, run every test"
	@echo "make lab        open the chapters in JupyterLab"
	@echo "make serve      serve the built book on http://127.0.0.1:8000"
	@echo "make notebooks  re-execute the chapter notebooks in place (before committing them)"
	@echo "make pdf        the whole book as one PDF (_build/pdf/her2-course.pdf), printed by chromium"
	@echo "make bench      build and test timings, build cost against a floor book, page weights, Lighthouse"
	@echo "make moodle-check MOODLE=DIR  import the Moodle XML and GIFT exports into the Moodle installed in DIR"
	@echo "                and compare its marks with the course's grader (not part of make test)"
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
	$(BIN)/jupyter-book build $(JB_FLAGS) .
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

# Unit tests and nbval only (no book build): the quick loop while writing code.
unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 notebooks

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

clean:
	rm -rf _build _floor
