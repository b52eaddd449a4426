# Everything a newcomer needs: `make render` and `make test` set themselves up.
PYTHON_BASE ?= python3.11
VENV        ?= .venv
PY          := $(VENV)/bin/python
JOB         ?= examples/default.toml
OUT         ?= out

.PHONY: venv test test-unit build validate render bench lint test-compat clean

$(VENV)/.installed: requirements/test.txt
	$(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/test.txt
	touch $@

venv: $(VENV)/.installed

test: venv
	$(PY) -m pytest

# The tests that need no Blender (tests/unit/ and tests/conftest.py's UNIT_FILES), in their
# own small venv (numpy and pytest, no bpy wheel): seconds, for geometry and job-file work.
# `make test` runs them too, and tests/test_unit_selection.py proves they import no bpy.
UNIT_VENV ?= venvs/unit

$(UNIT_VENV)/.installed: requirements/unit.txt
	rm -rf $(UNIT_VENV)
	$(PYTHON_BASE) -m venv $(UNIT_VENV)
	$(UNIT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(UNIT_VENV)/bin/python -m pip install --quiet -r requirements/unit.txt
	touch $@

test-unit: $(UNIT_VENV)/.installed
	$(UNIT_VENV)/bin/python -m pytest --unit -p no:cacheprovider

build: venv
	$(PY) tools/extension.py build --out dist

validate: venv
	$(PY) tools/extension.py validate

render: venv
	$(PY) -m render_jobs render $(JOB) --out $(OUT)

# Benchmarks (bench/): writes bench/results/report.md and its PNG plots, prints the report.
# 7 min on the 2-core dev machine when quiet, ~14 under load; `$(PY) -m bench --quick` takes ~2.
# requirements/bench.txt (matplotlib for the plots, Pillow to read renders) goes into the
# same venv, after requirements/test.txt: the benchmarks run the product with its bpy.
$(VENV)/.bench-installed: requirements/bench.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements/bench.txt
	touch $@

bench: $(VENV)/.bench-installed
	$(PY) -m bench

# Supported Blender versions: the whole suite against each bpy wheel (all Python 3.11), each
# in its own venv made on demand: the bpy pin of requirements/bpy-X.Y.txt, plus every other
# pin of requirements/test.txt (so a test dependency is added in one place). 5.0 is the
# main venv above.
COMPAT_VERSIONS ?= 4.2 4.5 5.0
LINT_VENV       ?= venvs/lint
LINT_PATHS      := $(wildcard scurve_addon render_jobs tools tests bench)
NOT_BPY         := sed -e '/^bpy[=<>~ ]/d' requirements/test.txt

# Made through a pattern rule, so make would delete it as an intermediate file after each run.
.PRECIOUS: venvs/bpy-%/.installed
venvs/bpy-%/.installed: requirements/bpy-%.txt requirements/test.txt
	rm -rf venvs/bpy-$*
	$(PYTHON_BASE) -m venv venvs/bpy-$*
	venvs/bpy-$*/bin/python -m pip install --quiet --upgrade pip
	$(NOT_BPY) > venvs/bpy-$*/test-deps.txt
	venvs/bpy-$*/bin/python -m pip install --quiet -r $< -r venvs/bpy-$*/test-deps.txt
	touch $@

test-compat-5.0: venv
	$(PY) -m pytest

test-compat-%: venvs/bpy-%/.installed
	venvs/bpy-$*/bin/python -m pytest

# Every version runs even when one fails; the exit status says whether all passed.
test-compat:
	@failed=""; for v in $(COMPAT_VERSIONS); do \
	  echo "=== Blender $$v ==="; \
	  $(MAKE) --no-print-directory test-compat-$$v || failed="$$failed $$v"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-compat: FAILED on Blender$$failed"; exit 1; fi; \
	echo "test-compat: passed on Blender $(COMPAT_VERSIONS)"

# The lint venv has the test and bench dependencies too (their types), with fake-bpy-module for bpy.
$(LINT_VENV)/.installed: requirements/lint.txt requirements/test.txt requirements/bench.txt
	rm -rf $(LINT_VENV)
	$(PYTHON_BASE) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(NOT_BPY) > $(LINT_VENV)/test-deps.txt
	$(LINT_VENV)/bin/python -m pip install --quiet -r $< -r $(LINT_VENV)/test-deps.txt -r requirements/bench.txt
	touch $@

# ruff, then mypy against fake-bpy-module (configured in pyproject.toml); both always run.
lint: $(LINT_VENV)/.installed
	@status=0; \
	$(LINT_VENV)/bin/ruff check . || status=1; \
	$(LINT_VENV)/bin/mypy $(LINT_PATHS) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) venvs dist out .pytest_cache .mypy_cache .ruff_cache
