# LMSA member portal. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3.11
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.DEFAULT_GOAL := help
.PHONY: help install run test test-postgres lint format messages bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the locked dependencies

run: install ## Migrate, load demo data and serve on http://127.0.0.1:8000 (PORT=...)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo_data
	@echo ""
	@echo "  Portal: http://127.0.0.1:$(PORT)/    Admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "  Log in with one of the accounts printed above."
	@echo "  Emails (with their links) are printed in this console, not sent."
	@echo ""
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: install node_modules/.installed ## Run the whole suite (SQLite unless DATABASE_URL is set)
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

messages: install ## Refresh the Spanish catalog (locale/es) and compile it
	$(MANAGE) makemessages -l es --no-location --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --ignore=staticfiles
	$(MANAGE) compilemessages -l es --ignore=.venv

bench: install ## Random-URL load on gunicorn + PostgreSQL + Redis vs trivial views (bench/RESULTS.md)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/run.py $(BENCH_ARGS)

lint: install ## Check style with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Fix style with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean: ## Remove the environments and the development database
	rm -rf $(VENV) $(TOOLS) node_modules db.sqlite3 staticfiles
