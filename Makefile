# reintegration-sim: the two commands are `make demo` and `make test`.
# Both create .venv with Python 3.12 from requirements.lock (every dependency and the test extra
# pinned with hashes) and the package itself; nothing needs installing by hand.
# After changing the dependencies in pyproject.toml, run `make lock` and commit both files.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# the uv that writes the lock, pinned so the same inputs give the same file; installed on its own
# beside the venv's packages (not into them), so .venv holds exactly what the lock says
UV_VERSION := 0.13.9
UV := $(VENV)/uv/bin/uv
# Python 3.12: PYTHON if given, else python3.12, else python3 if it is 3.12 (pyenv reads
# .python-version).
PYTHON ?= $(shell for c in python3.12 python3; do \
	if $$c -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then \
	echo $$c; break; fi; done)

.PHONY: demo test test-fast baseline lint format docs bench clean chromium lock posterior

# the venv: first the lock, every file checked against its hash, then the package itself without
# dependencies (the lock has them; the editable install cannot carry hashes). Re-runs when
# pyproject.toml or the lock changes.
$(STAMP): pyproject.toml $(LOCK)
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Python 3.12 not found (tried python3.12 and python3)." >&2; \
		echo "Install Python 3.12 (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12 ...'." >&2; \
		exit 2; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# rewrite requirements.lock from pyproject.toml (the dependencies and the test extra) with uv:
# universal (markers for Linux, macOS and Windows), for Python 3.12, with the hashes of every
# file. Pins already in the lock are kept unless pyproject.toml rules them out; `make lock
# UPGRADE=--upgrade` moves every pin to the newest release allowed. Then `make test`, and
# `make baseline` if the model's outputs moved; commit the lock on its own, saying why.
lock:
	@if [ -z "$(PYTHON)" ]; then echo "error: Python 3.12 not found (see 'make .venv/.installed')." >&2; exit 2; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) && $(UV) --version | grep -qx 'uv $(UV_VERSION)' || \
		$(PY) -m pip install --quiet --upgrade --target $(VENV)/uv 'uv==$(UV_VERSION)'
	$(UV) pip compile pyproject.toml --extra test --universal --python-version 3.12 \
		--generate-hashes --custom-compile-command 'make lock' --quiet $(UPGRADE) -o $(LOCK)

# compare three named practices of the paper with the baseline on common random numbers, at
# the stated values (chance only) and over 8 joint draws of the assumptions (2 runs each); writes
# results/<time>-compare-.../ with report.html (a brief: league table first, appendix folded),
# brief.pdf (the same on one page), report.md, comparison.csv, benefit_cost.csv,
# value_of_information.csv and plots; under a minute on 2 cores once .venv is set up
demo: $(STAMP)
	$(VENV)/bin/reintegration-sim compare baseline \
		rotterdam_case_conferences german_hybrid_model \
		uk_contest_3 --replications 4 --assumption-draws 8 --draw-replications 2 --workers 2

# regenerate the baseline's posterior shipped with the package (compare --posterior baseline):
# ABC-SMC of the calibrated offending hazards against EVIDENCE.md section 1, on 2 worker
# processes, with 500 + 500 people per simulation to keep it within about 20 minutes on 2 cores
# (docs/uncertainty.md). Writes a result folder under results/ and copies its posterior.parquet
# into the package; commit that file on its own, saying why
POSTERIOR := src/reintegration_sim/posteriors/baseline.parquet
posterior: $(STAMP)
	@out=results/$$(date +%Y%m%d-%H%M%S)-posterior-baseline; \
	$(VENV)/bin/reintegration-sim calibrate baseline --method abc \
		--fit offending.base_hazard_comparison,offending.base_hazard_extremist,offending.terror_hazard \
		--set population.n_extremist=500 --set population.n_comparison=500 \
		--population 40 --generations 3 --checks 10 --workers 2 --out $$out \
	&& cp $$out/posterior.parquet $(POSTERIOR) && echo "Copied $$out/posterior.parquet to $(POSTERIOR)"

# the dashboard's browser test drives the Debian chromium at /usr/bin/chromium (Playwright
# cannot download browsers here): installed when missing if this is root on a Debian-like
# system; otherwise a note, and that one test is skipped
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "note: /usr/bin/chromium is missing and cannot be installed here (needs root and" \
		"apt-get); the browser test of the dashboard will be skipped" >&2; fi

test: $(STAMP) chromium
	$(VENV)/bin/ruff check src tests benchmarks notebooks examples
	$(VENV)/bin/ruff format --check src tests benchmarks notebooks examples
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -n 2 -q tests notebooks --nbmake

# the quick loop: lint and the tests not marked slow, without the notebooks and the browser
test-fast: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks notebooks examples
	$(VENV)/bin/pytest -n 2 -q -m "not slow" tests

# accept an intended change of the model's outputs: rewrite tests/baseline.json and list what
# moved; commit it on its own, saying what moved and why
baseline: $(STAMP)
	$(PY) tests/regression.py --update

# ruff, then the types (mypy, config in pyproject.toml) and the layering of the modules
# (lint-imports, contracts in pyproject.toml)
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks notebooks examples
	$(VENV)/bin/ruff format --check src tests benchmarks notebooks examples
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format src tests benchmarks notebooks examples
	$(VENV)/bin/ruff check --fix src tests benchmarks notebooks examples

docs: $(STAMP)
	$(VENV)/bin/reintegration-sim params --markdown > docs/parameters.md
	$(PY) -m reintegration_sim.outputs.catalogue

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
