# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app cartel
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install db seed bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

db: $(STAMP)
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed --if-empty

run: db
	@echo "Cartel on http://127.0.0.1:5000  (first admin: $(FLASK) user create EMAIL --role admin)"
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(TEST_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) instance/*.sqlite3
