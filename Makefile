# Neural Networks from First Principles: every workflow is a target (README documents each).
#   make        set up .venv and build the course site (_build/site/)
#   make test   lint + the whole test suite; CI runs exactly this
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Benchmarks and tests pin BLAS threads themselves where it matters; keep grading runs
# reproducible by not inheriting a stale thread count.
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := all
.PHONY: all setup test lint format lab bench clean help site test-site

all: setup site ## Set up everything and build the course site

help: ## List the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

setup: $(STAMP) ## Create .venv and install nnlib with the lab, grade, dev and site extras

# The stamp depends on pyproject.toml only, so a second `make` with nothing changed
# finishes at once; editing the dependencies reinstalls.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "python3 >= 3.10 is required, found " + sys.version.split()[0]' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,grade,dev,site]'
	touch $(STAMP)

site: $(STAMP) ## Build the course site into _build/site/ (lessons executed; results cached)
	$(BIN)/python book/build.py

test-site: site ## Check the site in headless Chromium, offline (needs Debian's chromium)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/site_check.py

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

clean: ## Remove .venv, caches and build products
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info _build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
