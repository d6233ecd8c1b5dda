# reintegration-sim: the two commands are `make demo` and `make test`.
# Both create .venv with Python 3.12 from pyproject.toml; nothing needs installing by hand.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Python 3.12: PYTHON if given, else python3.12, else python3 if it is 3.12 (pyenv reads
# .python-version).
PYTHON ?= $(shell for c in python3.12 python3; do \
	if $$c -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then \
	echo $$c; break; fi; done)

.PHONY: demo test test-fast baseline lint format docs bench clean chromium

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Python 3.12 not found (tried python3.12 and python3)." >&2; \
		echo "Install Python 3.12 (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12 ...'." >&2; \
		exit 2; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# compare three named practices of the paper with the baseline on common random numbers;
# writes results/<time>-compare-.../ with report.html, report.md, comparison.csv and plots
demo: $(STAMP)
	$(VENV)/bin/reintegration-sim compare scenarios/baseline.toml \
		scenarios/rotterdam_case_conferences.toml scenarios/german_hybrid_model.toml \
		scenarios/uk_contest_3.toml --replications 8 --workers 2

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
	$(PY) -m reintegration_sim.catalogue

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
