# NovaCron Community. `make run` and `make test` are all a newcomer needs (Python 3.11+ and make).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test venv lint migrate seed worker beat bench bench-http schema clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

## Fresh machine → running portal with demo data at http://127.0.0.1:8000
run: venv
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## ruff, import-linter (layer contract), migrations check, pytest
test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

lint: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: venv
	$(BIN)/python manage.py migrate --noinput

seed: venv
	$(BIN)/python manage.py seed_demo

worker: venv
	$(BIN)/celery -A novacron worker -l info

beat: venv
	$(BIN)/celery -A novacron beat -l info

schema: venv
	$(BIN)/python manage.py spectacular --file var/openapi.yaml --validate

## Benchmarks (never part of `make test`); they need PostgreSQL, see docs/performance.md
bench: venv
	$(BIN)/python -m bench

bench-http: venv
	$(BIN)/python -m bench.http

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
