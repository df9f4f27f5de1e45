# Two commands: `make run` and `make test`. Everything else is a detail of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATABASES := default storefront marketplace

.PHONY: run split-run test pytest migrate seed lint worker messages bench clean schema mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

migrate: $(VENV)/.runtime
	@for db in $(DATABASES); do $(BIN)/python manage.py migrate --noinput --database=$$db -v 0 || exit 1; done

seed: migrate
	$(BIN)/python manage.py seed_demo --if-empty

messages: $(VENV)/.runtime
	$(BIN)/python manage.py makemessages -l id -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=static --ignore=mutants -v 0
	$(BIN)/python manage.py compilemessages -v 0 --ignore=.venv

run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

split-run: seed
	bin/split-run

worker: $(VENV)/.runtime
	$(BIN)/celery -A config worker --beat --loglevel=info

lint: $(VENV)/.dev
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# In parallel: one test process per core (pytest-xdist), each on its own test databases.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
pytest: $(VENV)/.dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test: lint pytest

# The REST API's published schema, checked in and compared with the code by the tests.
schema: $(VENV)/.dev
	$(BIN)/python manage.py spectacular --lang en --file docs/openapi.yaml --validate --fail-on-warn

clean:
	rm -rf var/*.sqlite3* staticfiles

# Load test on PostgreSQL + Redis under gunicorn (docs/benchmarks.md); BENCH_QUICK=1 for a short run.
bench: $(VENV)/.runtime
	@command -v wrk >/dev/null || apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk)
	$(BIN)/python bench/run.py $(if $(BENCH_QUICK),--quick)

# Mutation testing of the money and stock core ([tool.mutmut] in pyproject.toml; not part of CI).
# Niced, so that the machine stays usable; the score leaves out mutation/equivalent.txt.
mutate: $(VENV)/.dev
	nice -n 10 $(BIN)/mutmut run --max-children $(or $(MUTATE_CHILDREN),2) $(MUTANTS)
	$(BIN)/python mutation/score.py
