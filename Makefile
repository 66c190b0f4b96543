# carecenter — every target creates .venv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WORKSPACE ?= demo-workspace

.PHONY: install demo test check lint typecheck imports pytest compiled pytest-compiled bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,embeddings,spark]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/carecenter demo --workspace $(WORKSPACE)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup --cov --cov-report=term -q -m "not reference"

# The engine compiled to C by mypyc (setup.py), installed apart in build/compiled: the build a
# production install makes with CARECENTER_COMPILE=1. Its tests run the engine's and the
# simulator's tests on it, with the simulations checked against Erlang C and A at full
# precision (marker `reference`; too slow for the pure-Python run).
COMPILED := build/compiled
ENGINE_SOURCES := $(wildcard src/carecenter/engine/*.py src/carecenter/routing/*.py src/carecenter/commitments/*.py src/carecenter/sim/*.py)
ENGINE_TESTS := tests/unit/engine tests/unit/sim tests/integration/test_engine_day.py tests/integration/test_scripted_day.py tests/integration/test_plan_engine.py tests/integration/test_simulate_cli.py tests/integration/test_twin_validation.py

$(COMPILED)/.built: $(STAMP) setup.py $(ENGINE_SOURCES) $(wildcard src/carecenter/domain/*.py)
	rm -rf $(COMPILED) build/lib.* build/temp.* build/mypyc
	CARECENTER_COMPILE=1 $(BIN)/python -m pip install --quiet --no-build-isolation --no-deps --target $(COMPILED) .
	touch $@

compiled: $(COMPILED)/.built

pytest-compiled: $(COMPILED)/.built
	PYTHONPATH=$(COMPILED) $(BIN)/python -c "import carecenter.engine.engine as e; assert e.__file__.endswith('.so'), e.__file__"
	PYTHONPATH=$(COMPILED) $(BIN)/pytest -n 2 -q -p no:cacheprovider $(ENGINE_TESTS)

check: lint typecheck imports pytest pytest-compiled

# `make test` is the whole gate; .ci/run calls it.
test: check

docs: $(STAMP)
	$(BIN)/python -m carecenter.services.reference_docs docs/reference

bench: $(STAMP) $(COMPILED)/.built
	@for b in bench/bench_*.py; do echo "# $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache .coverage $(WORKSPACE)
