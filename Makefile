# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# DATABASE_URL (environment) switches both from the SQLite default to PostgreSQL.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate seed catalogs messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# A development .env (DEBUG on, a random key) when there is none; production sets its own.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "wrote a development .env (DEBUG=true)"

catalogs: $(STAMP)
	$(BIN)/python manage.py compile_catalogs

migrate: $(STAMP) .env catalogs
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The suite runs on TEST_WORKERS processes (pytest-xdist; one test file stays on one worker).
TEST_WORKERS ?= 2

test: $(STAMP) .env catalogs
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

# For developers: add new source strings to the catalogs (then translate them).
messages: $(STAMP) .env
	$(BIN)/python manage.py i18n_sync

bench: $(STAMP) .env catalogs
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
