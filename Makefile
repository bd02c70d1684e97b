# Two commands from a fresh clone (needs only Python 3.11+ and make):
#   make run    set up .venv and start the bot (terminal chat when no Telegram token is set)
#   make test   set up .venv and run the tests (all of them, as CI does)
#   make test-fast  the same without the end-to-end tests marked slow: the loop while working
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast console check-content clean

run: $(STAMP)
	$(PY) bot.py $(ARGS)

console: $(STAMP)
	$(PY) bot.py console $(ARGS)

test: $(STAMP)
	$(PY) -m pytest $(ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow" $(ARGS)

check-content: $(STAMP)
	$(PY) bot.py check-content $(ARGS)

# Benchmarks (a few minutes; not part of `make test`): prints a table and writes bench/results.md.
.PHONY: bench
bench: $(STAMP)
	$(PY) -m bench.run $(ARGS)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	@echo "Setting up $(VENV): installing the bot and its test tools with pip (a minute or two, once)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --progress-bar on -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
