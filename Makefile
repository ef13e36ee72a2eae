# Two commands for a new user on a fresh Debian/Ubuntu machine:
#   make run    create .venv, install paintrack, open the window
#   make test   create .venv, install paintrack with its test tools, run lint, types and every test
#   make check  the everyday fast loop: lint, the import contracts, types and the non-UI tests
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test check test-long-day lint typecheck pytest demo bench bench-quick clean

$(PY):
	@$(PYTHON) -m venv $(VENV) || { echo; echo "Could not create a virtual environment. Install Python's venv module first:"; echo "    sudo apt-get install -y python3-venv"; exit 1; }
	@$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(VENV)/bin/paintrack

demo: $(VENV)/.installed-run
	$(VENV)/bin/paintrack demo

test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) -m paintrack.commands.window offscreen
	@command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || { echo "The PDF tests read pages with poppler. Install it with:"; echo "    sudo apt-get install -y poppler-utils"; exit 1; }
	@{ [ -n "$$PAINTRACK_PG_BINDIR" ] && [ -x "$$PAINTRACK_PG_BINDIR/initdb" ]; } || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "The store tests run a throw-away PostgreSQL server. Install it with:"; echo "    sudo apt-get install -y postgresql"; exit 1; }
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto --dist worksteal

check: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n auto -m "not slow" --ignore=tests/ui

# The long-day test (25 hours of the window's refresh), the many-items test and the clinical
# tests on another Python, e.g. `make test-long-day PYTHON=python3.13 VENV=.venv-py313`.
test-long-day: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/ui/test_ui_long_day.py tests/ui/test_ui_many_items.py tests/clinical

bench: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run.py

# The benchmarks' quick variants (CI): every row, a 300-patient clinic, few runs, so they keep
# working. BENCH_QUICK_ROWS="row ..." runs only those.
BENCH_QUICK_ROWS ?=
bench-quick: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run.py --quick $(if $(BENCH_QUICK_ROWS),--only $(BENCH_QUICK_ROWS)) --output $(or $(BENCH_OUTPUT),benchmarks/results-quick.json)

clean:
	rm -rf $(VENV) build dist *.egg-info
