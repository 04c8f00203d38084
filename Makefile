# Two commands on a fresh machine: `make run` (demo data, whole pipeline) and `make test`.
# Every target installs what it needs first; the install is skipped when the lock is unchanged.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# uv lives in its own small venv so that syncing the project venv never uninstalls it.
UV := .tools/bin/uv
UV_VERSION := 0.13.9
MANIFEST := dbt_project/target/manifest.json
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
# dagster-dbt's prepare_if_dev() (under `dagster dev`) calls `dbt` by name: the venv's, first on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install run test bench ui lint docs clean

install: $(BIN)/.synced $(MANIFEST)

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/.synced: pyproject.toml uv.lock $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --python $(PYTHON)
	touch $@

# dagster-dbt reads the manifest when the definitions are imported: build it before anything runs.
# Parsing opens no warehouse, so the profile gets an in-memory one (a fresh clone has no data/).
$(MANIFEST): $(BIN)/.synced dbt_project/dbt_project.yml $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null)
	cd dbt_project && AMW_WAREHOUSE=:memory: ../$(BIN)/dbt parse --quiet --profiles-dir .
	touch $@

run: install
	$(BIN)/amw demo

test: install
	$(BIN)/pytest

# Volume tiers S, M and L (bench/tiers.py), generated once into ~/.cache/ai-metrics-warehouse/bench
# (AMW_BENCH_DIR), measured in one run; BENCH_TIERS=S,M picks tiers. Takes hours with L.
BENCH_TIERS ?= S,M,L
bench: install
	$(BIN)/python -m bench.run --tiers $(BENCH_TIERS)

# The UI runs in demo mode unless told otherwise: the nightly schedule then simulates its day.
ui: export AMW_DEMO ?= 1
ui: install
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

# sqlfluff's dbt templater compiles the models, which opens the warehouse read-write: an
# in-memory database keeps lint working on a fresh clone and beside a running pipeline.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && AMW_WAREHOUSE=:memory: ../$(BIN)/sqlfluff lint models

# dbt docs of the warehouse and GX data docs of the quality gate, as pages that open from disk.
docs: install
	$(BIN)/amw docs

clean:
	rm -rf $(VENV) .tools data dbt_project/target dbt_project/logs
	git clean -fdXq dagster_home
