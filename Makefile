# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app cartel
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

MO := cartel/translations/fr/LC_MESSAGES/messages.mo
PO := cartel/translations/fr/LC_MESSAGES/messages.po

.PHONY: run demo test lint test-sqlite test-postgres install db bench messages clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	mkdir -p instance
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

$(MO): $(PO) | $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -d cartel/translations

# Refresh the French catalogue after changing user-facing strings, then translate the new entries.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o instance/messages.pot .
	$(VENV)/bin/pybabel update -i instance/messages.pot -d cartel/translations --width 100 --no-fuzzy-matching

db: $(STAMP) $(MO)
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed --if-empty

run: db
	@echo "Cartel on http://127.0.0.1:5000  (first admin: $(FLASK) user create EMAIL --role admin)"
	$(FLASK) run --host 127.0.0.1 --port 5000

# A fictional live edition on a database of its own (instance/demo.sqlite3, recreated each time) whose
# results a simulated organiser enters one by one; the real database is never touched.
# Options: make demo DEMO_ARGS="--interval 3 --port 5002"
demo: $(STAMP) $(MO)
	mkdir -p instance
	$(FLASK) demo $(DEMO_ARGS)

# Lint and format check, the whole suite on SQLite (and the faults smoke), then every database test again on a
# real PostgreSQL (tests/unit/ needs no database, tests/browser/ runs once).
test: lint test-sqlite test-postgres

# ruff (lint + format) on the whole code; bandit with no medium or high severity finding in the package;
# the layers' imports point down and the core is pure (import-linter); types (mypy, strict on the core).
lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r cartel -ll
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

test-sqlite: $(TEST_STAMP) $(MO)
	scripts/apt-install chromium chromium
	scripts/apt-install soffice libreoffice-calc-nogui
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) bench/faults.py --smoke

test-postgres: $(TEST_STAMP) $(MO)
	scripts/with-postgres $(PY) -m pytest -m "not browser" --ignore=tests/unit $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	scripts/apt-install wrk wrk
	scripts/apt-install nginx nginx
	$(PY) bench/pages.py
	$(PY) bench/entry.py
	$(PY) bench/live.py
	$(PY) bench/excel.py
	$(PY) bench/matches.py
	$(PY) bench/edge.py

clean:
	rm -rf $(VENV) instance/*.sqlite3
