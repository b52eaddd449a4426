# Everything a newcomer needs: `make render` and `make test` set themselves up.
PYTHON_BASE ?= python3.11
VENV        ?= .venv
PY          := $(VENV)/bin/python
JOB         ?= examples/default.toml
OUT         ?= out

.PHONY: venv test build validate render bench lint test-compat clean

$(VENV)/.installed: requirements/test.txt
	$(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/test.txt
	touch $@

venv: $(VENV)/.installed

test: venv
	$(PY) -m pytest

build: venv
	$(PY) tools/extension.py build --out dist

validate: venv
	$(PY) tools/extension.py validate

render: venv
	$(PY) -m render_jobs render $(JOB) --out $(OUT)

clean:
	rm -rf $(VENV) dist out .pytest_cache
