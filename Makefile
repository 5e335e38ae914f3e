# Focus This Week: every target sets up what it needs (the virtual environment
# in .venv/ is created from pyproject.toml on first use and whenever it changes, with
# the exact versions of constraints.txt: make lock updates them).

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
SPHINXOPTS ?=
# Every core: Sphinx reads the issues in JOBS processes and writes the pages in JOBS - 1
# beside its own, which only loads and resolves them for the others: one more than the
# cores. Its own parallel read grew as N^1.5 (255 s at 5,200 issues where 520 took 16 s),
# so the extension reads in one chunk per process (newsletter/site/parallel_build.py), and
# an edit's few pages in this one. JOBS=1 builds serially, to the same bytes (tested).
JOBS     ?= $$(( $$(getconf _NPROCESSORS_ONLN) + 1 ))
SPHINX   := $(BIN)/sphinx-build -b html -d _build/doctrees -W --keep-going -n -j $(JOBS) $(SPHINXOPTS)

.DEFAULT_GOAL := help
.PHONY: help guard html test test-fast check lint format bench clean new serve email chromium hooks lock

help: ## List the targets, one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

# What make builds or installs never comes from the repository: a pull request that adds
# files under these folders (a planted .venv/bin/python, or a pickled environment that
# Sphinx would load and so run) is refused before anything runs from them.
GENERATED := $(VENV) _build node_modules
guard:
	@tracked="$$(git ls-files -- $(GENERATED) 2>/dev/null)"; \
	if [ -n "$$tracked" ]; then \
	  echo "refusing to run: git tracks files under $(GENERATED), which make itself makes:" >&2; \
	  echo "$$tracked" | head -n 5 >&2; exit 1; \
	fi

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

# constraints.txt: every package's exact version, as a fresh environment installs what
# pyproject.toml allows today. Every make target and CI install these versions.
LOCK_VENV := _build/lock-venv
lock: ## Update constraints.txt to the newest versions pyproject.toml allows (then make test)
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -e '.[test]'
	( echo '# Written by make lock: the versions a fresh environment installs from pyproject.toml.'; \
	  echo '# Every make target and CI install exactly these (pip install -c constraints.txt).'; \
	  $(LOCK_VENV)/bin/python -m pip freeze --all --exclude-editable ) > constraints.txt
	rm -rf $(LOCK_VENV)

# The web's own checkers for make test (Nu Html Checker, axe-core), from package.json.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

html: guard $(STAMP) ## Build the web archive into _build/html (warnings are errors)
	$(SPHINX) . _build/html

# pytest loads only the plugins the tests use, in every test process (PYTEST_PLUGINS:
# pytest-xdist's workers get no -p). Loaded by their entry points, as by default, pytest
# rewrites the asserts of every module of their packages (73 of hypothesis's, 30 of
# anyio's, which the live server's packages bring) in every test process, and keeps none
# of it where Python writes no bytecode: 1.4 s of CPU in each. Where the environment says
# to write none (PYTHONDONTWRITEBYTECODE, as container images often set it), the tests'
# processes write it all the same, in the __pycache__ folders git ignores: each process
# otherwise rewrote the asserts of every test module and compiled our package again
# (collecting took 3.1 s of CPU instead of 1.7).
# The tests run in one process more than the cores, as Sphinx does (JOBS): they also wait
# on the browser and on the programs they start, and a third process on two cores works
# meanwhile (measured in turns, three runs each: all the tests 79-92 s against 86-98 s with
# one process a core, make test-fast 19.5-22.5 s against 20.8-22.1 s).
TEST_JOBS ?= $(JOBS)
PYTEST   := PYTHONDONTWRITEBYTECODE= \
            PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 PYTEST_PLUGINS=xdist.plugin,_hypothesis_pytestplugin \
            $(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadgroup --no-loadscope-reorder

test: guard $(STAMP) $(NODE_STAMP) chromium ## Run every test (lint, checker, site, search, email, quality gates)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST)

test-fast: guard $(STAMP) $(NODE_STAMP) ## The inner loop: every test but the browser, validator and slow ones, a quarter of the random examples (no lint)
	$(PYTEST) -m "not browser and not slow" -q --hypothesis-profile=quick

# Debian's Chromium headless shell for the browser tests and Lighthouse (benchmarks/browser.py
# says why the shell): pip cannot install it, apt-get does when missing.
chromium: ## Install Debian's Chromium headless shell (for the browser tests) when missing
	@tools/ensure-chromium

check: guard $(STAMP) ## Check every issue file (or PATHS="..."), frozen ones against the default branch
	$(BIN)/python -m newsletter check --since auto $(PATHS)

email: guard $(STAMP) ## Build the email edition into _build/email (ISSUE=YYYY-MM-DD for one issue)
	$(BIN)/sphinx-build -b email -d _build/doctrees-email -W --keep-going -n \
		$(if $(ISSUE),-D newsletter_email_issue=$(ISSUE)) . _build/email

new: guard $(STAMP) ## Write the next issue as a draft (DATE=YYYY-MM-DD to choose its date)
	$(BIN)/python -m newsletter new $(if $(DATE),--date $(DATE))

PORT ?= 8000
serve: guard $(STAMP) ## Preview on http://127.0.0.1:$(PORT)/, rebuilding and reloading on every change
	@echo "Serving the archive at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/sphinx-autobuild --host 127.0.0.1 --port $(PORT) -b html -d _build/doctrees \
		--keep-going -n -j $(JOBS) --ignore '*.venv*' --ignore '*/_build/*' . _build/html

hooks: guard $(STAMP) ## Run ruff and the checker on every commit (installs the git pre-commit hook)
	$(BIN)/pre-commit install

lint: guard $(STAMP) ## Lint and format-check the Python code with ruff; check the import contract
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: guard $(STAMP) ## Reformat the Python code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: guard $(STAMP) $(NODE_STAMP) chromium ## Measure builds at 52, 520, 5,200 issues, search, Lighthouse (BENCHOPTS="--sizes 20,52")
	$(BIN)/python -m benchmarks.run --jobs $(JOBS) $(BENCHOPTS)
	$(BIN)/python -m benchmarks.search
	$(BIN)/python -m benchmarks.lighthouse

clean: ## Remove the build output (keeps .venv and node_modules)
	rm -rf _build
