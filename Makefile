# Neural Networks from First Principles: every workflow is a target (README documents each).
#   make        set up .venv and build the course site (_build/site/)
#   make test   lint + the whole test suite; CI runs exactly this
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The oldest Python the course runs on. nbgrader, which grades the assignments, needs 3.11;
# pyproject.toml's requires-python and environment.yml say the same (tests/test_install.py).
MIN_PYTHON := 3.11
# `make test-floors` installs the lowest versions pyproject.toml allows here.
FLOORS := .venv-floors

.DEFAULT_GOAL := all
.PHONY: all setup test test-floors lint format lab bench clean help site test-site test-lab python-version

all: setup site ## Set up everything and build the course site

help: ## List the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

setup: $(STAMP) ## Check the Python version, create .venv, install nnlib with lab, grade, dev, site

# Stops before anything is created when the interpreter is too old: the one that would
# create .venv (PYTHON), or the one in an existing .venv. Reads `python --version`, which
# every Python prints, so even Python 2 gets the message instead of a traceback.
python-version:
	@py=$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)); \
	found=$$("$$py" --version 2>&1 | head -n 1); \
	version=$$(sed -nE 's/^Python ([0-9]+)[.]([0-9]+).*/\1 \2/p' <<<"$$found"); \
	read -r major minor <<<"$$version"; \
	if [ -z "$$version" ] || (( major * 1000 + minor < $(subst .,* 1000 + ,$(MIN_PYTHON)) )); then \
	    echo "make: the course needs Python $(MIN_PYTHON) or newer (nbgrader, which grades" \
	         "the assignments, requires it), but '$$py' is $${found:-nothing that runs}." >&2; \
	    if [ "$$py" = "$(BIN)/python" ]; then \
	        echo "make: $(VENV) was made with that Python: remove it with 'make clean'," \
	             "then run 'make PYTHON=python$(MIN_PYTHON)' (or a newer one)." >&2; \
	    else \
	        echo "make: install Python $(MIN_PYTHON) or newer and run" \
	             "'make PYTHON=python$(MIN_PYTHON)' (or a newer one). Nothing was created." >&2; \
	    fi; \
	    exit 1; \
	fi

# The stamp depends on pyproject.toml only, so a second `make` with nothing changed
# finishes at once; editing the dependencies reinstalls.
$(STAMP): pyproject.toml | python-version
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,grade,dev,site]'
	touch $(STAMP)

site: $(STAMP) ## Build the course site into _build/site/ (lessons executed; results cached)
	$(BIN)/python book/build.py

test-site: site ## Check the site in headless Chromium, offline (needs Debian's chromium)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/site_check.py

# JupyterLab on copies of the lessons in a throw-away folder, with its own settings, stopped
# with its kernels at the end; the lessons' times and the widget changes are printed.
test-lab: $(STAMP) ## Run All of each lesson in JupyterLab in headless Chromium; widgets redraw in place
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/lab_check.py

lint: $(STAMP) ## ruff lint and format check (.py and .ipynb), notebooks stored without outputs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@nbs=$$(git ls-files '*.ipynb' 2>/dev/null); \
	if [ -n "$$nbs" ]; then $(BIN)/nbstripout --verify $$nbs; fi

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint ## Lint, then the whole pytest suite (unit, property, doctest, end to end)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q

# The floors job: a fresh .venv-floors with every direct dependency at the lowest version
# pyproject.toml allows (uv's lowest-direct resolution, wheels only, for the Python of
# .venv: on the oldest Python these are exactly the declared floors, tests/test_install.py
# checks), then the suite without the runs that take minutes and only repeat, end to end,
# what the unit tests cover with the same packages: the nbgrader workflow and the
# adversarial batch; and without tests/test_install.py (pip resolution, make itself).
test-floors: $(STAMP) ## Tests against the lowest dependency versions pyproject.toml allows
	rm -rf $(FLOORS)
	$(BIN)/python -m venv --without-pip $(FLOORS)
	$(BIN)/uv pip install --quiet --python $(FLOORS)/bin/python --resolution lowest-direct \
	    --only-binary :all: -e '.[lab,grade,dev,site]'
	@$(FLOORS)/bin/python -c 'import re, tomllib, importlib.metadata as md; \
	    p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	    reqs = p["dependencies"] + sum(p["optional-dependencies"].values(), []); \
	    names = [re.match(r"[A-Za-z0-9_.-]+", r)[0] for r in reqs]; \
	    print("floors:", ", ".join(f"{n} {md.version(n)}" for n in names))'
	OPENBLAS_NUM_THREADS=1 $(FLOORS)/bin/python -m pytest -q -p no:cacheprovider \
	    --ignore=tests/test_autograder_workflow.py --ignore=tests/test_autograder_adversarial.py \
	    --ignore=tests/test_install.py

lab: $(STAMP) ## Start JupyterLab on the course notebooks
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) ## Benchmarks: nnlib vs a hand-written numpy loop (and PyTorch if installed), as ratios
	$(BIN)/python benchmarks/run.py

# Instructor workflow on the nbgrader course in autograder/ (README, "Grading"). A=<assignment>
# picks one assignment (default: all), SRC=<folder> holds the submissions to import.
.PHONY: release collect autograde feedback grades
AUTOGRADER := $(BIN)/python -m autograder

release: $(STAMP) ## Student version of A (default all) + autograder/release/<A>.zip for an LMS
	$(AUTOGRADER) release $(A)

collect: $(STAMP) ## Import SRC=folder of <student_id>.ipynb or .zip files (A=assignment)
	@test -n "$(SRC)" || { echo "usage: make collect SRC=folder [A=assignment]" >&2; exit 2; }
	$(AUTOGRADER) collect "$(SRC)" $(A)

autograde: $(STAMP) ## Grade new submissions of A (default all); FORCE=1 regrades, JOBS=n
	$(AUTOGRADER) autograde $(A) $(if $(FORCE),--force) $(if $(JOBS),--jobs $(JOBS))

feedback: $(STAMP) ## Per-student HTML feedback in autograder/feedback/<student>/<A>/
	$(AUTOGRADER) feedback $(A)

grades: $(STAMP) ## CSV, one row per student and assignment: autograder/grades.csv
	$(AUTOGRADER) grades

clean: ## Remove .venv, .venv-floors, caches and build products
	rm -rf $(VENV) $(FLOORS) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info _build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
