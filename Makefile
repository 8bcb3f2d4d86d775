# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# DATABASE_URL (environment) switches both from the SQLite default to PostgreSQL.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve collectstatic test lint migrate seed catalogs messages bench clean

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

# The job worker (large exports, the daily schedule) runs beside the development server and
# is stopped when the server exits.
run: seed
	@echo "Open http://127.0.0.1:8000/ and sign in with a demo account above (no second factor"
	@echo "for the demo accounts on this DEBUG machine; real bureau staff accounts enrol one)."
	@$(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Production-like serving: gunicorn (gunicorn.conf.py) beside one job worker, DEBUG off. The
# environment (or .env) must give SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL…: see .env.example
# and docs/deploy.md. The worker is stopped when gunicorn exits.
collectstatic: $(STAMP)
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput --verbosity 0

serve: $(STAMP)
	DEBUG=false $(BIN)/python manage.py compile_catalogs
	DEBUG=false $(BIN)/python manage.py check --deploy --fail-level ERROR
	DEBUG=false $(BIN)/python manage.py migrate --noinput
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@DEBUG=false $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=false $(BIN)/gunicorn -c gunicorn.conf.py config.wsgi

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
