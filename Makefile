# microcred — two set-up commands: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# pytest keeps its rewritten test modules as bytecode, and Python its compiled modules, under .venv/pycache
# even where the environment sets PYTHONDONTWRITEBYTECODE: each xdist worker otherwise recompiles and
# rewrites every module at collection (about 4 s of each worker's 7.5 s, measured).
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache $(BIN)/python -m pytest

.PHONY: run test test-fast lint bench docs help clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP) $@

interop/node_modules/.package-lock.json: interop/package-lock.json
	npm ci --prefix interop --no-audit --no-fund --loglevel=error
	touch $@

run: $(STAMP) ## install, migrate the SQLite database, load the demo register, serve on http://127.0.0.1:8000
	$(BIN)/microcred init
	$(BIN)/microcred demo
	$(BIN)/microcred serve

test: $(DEV_STAMP) $(if $(wildcard interop/package-lock.json),interop/node_modules/.package-lock.json) ## install dev dependencies and run the whole suite
	$(PYTEST) -n 2 --dist loadgroup

test-fast: $(DEV_STAMP) ## the inner loop on two workers: no PostgreSQL, browser, slow, Node or Spark tests
	$(PYTEST) -n 2 --dist loadgroup -m "not postgres and not browser and not slow and not node and not spark" -x -q

lint: $(DEV_STAMP) ## ruff, mypy --strict and the import-layer contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(DEV_STAMP) ## benchmarks, JSON results in benchmarks/results/
	mkdir -p benchmarks/results
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

docs: $(DEV_STAMP) ## regenerate docs/cli.md from the command line's own help texts
	$(BIN)/typer microcred.cli.main utils docs --name microcred --title "microcred command line" --output docs/cli.md

clean: ## remove the virtualenv, caches and the local database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache microcred.db microcred.db-wal microcred.db-shm
