# The two commands: `make run` and `make test`. Every step a fresh machine needs is here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
LOCALSTRIPE_PORT ?= 8420
# The app finds the localstripe this Makefile starts (unless the environment names another).
export LOCALSTRIPE_URL ?= http://127.0.0.1:$(LOCALSTRIPE_PORT)
export FLASK_APP := opopmart

.PHONY: run test install install-test translations messages migrate demo localstripe serve chromium postgres-server bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e . localstripe
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d opopmart/translations >/dev/null

# Re-extract the source (Bahasa Indonesia) strings and merge them into every catalogue.
# Only opopmart/ and templates/ are walked (see babel.cfg), never .venv.
.PHONY: messages
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -c TRANSLATORS: \
	  --project="OPOP Mart" --copyright-holder="OPOP Mart" \
	  -o opopmart/translations/messages.pot opopmart templates
	$(BIN)/pybabel update -i opopmart/translations/messages.pot -d opopmart/translations

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo load --if-empty

# localstripe stands in for Stripe when no STRIPE_SECRET_KEY is set.
localstripe: install
	@if [ -z "$$STRIPE_SECRET_KEY" ] && ! (exec 3<>/dev/tcp/127.0.0.1/$(LOCALSTRIPE_PORT)) 2>/dev/null; then \
	  mkdir -p instance; \
	  nohup $(BIN)/python tools/localstripe_local.py $(LOCALSTRIPE_PORT) >instance/localstripe.log 2>&1 & \
	  echo "localstripe on http://127.0.0.1:$(LOCALSTRIPE_PORT) (log: instance/localstripe.log)"; \
	fi

run: demo localstripe
	$(BIN)/flask search reindex --if-missing
	$(BIN)/flask payments register-webhook --host "$(HOST)" --port "$(PORT)"
	@echo "OPOP Mart on http://$(HOST):$(PORT)"
	$(BIN)/flask run --host "$(HOST)" --port "$(PORT)"

# Production-style serving: gunicorn with gunicorn.conf.py (workers from the core count).
serve: migrate
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

postgres-server:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

# The whole suite twice: on SQLite (the embedded default), then on a throwaway PostgreSQL.
# Every test has its own database, so the suite runs on every core (pytest-xdist); tests
# marked xdist_group (the demo catalogue) share one worker, to be built once. On
# PostgreSQL one worker more than cores: the others run while one waits on the server.
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider --dist loadgroup
CORES := $(shell nproc 2>/dev/null || echo 2)
test: install-test chromium postgres-server
	$(BIN)/bandit -q -r opopmart -ll
	$(PYTEST) -n $(CORES) $(PYTEST_ARGS)
	tools/with_postgres.sh $(PYTEST) -n $$(( $(CORES) + 1 )) $(PYTEST_ARGS)

bench: install-test
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) instance .pytest_cache
