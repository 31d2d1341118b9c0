# Pacetrack: `make run` sets everything up and starts the app; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: help run setup deps assets env test lint messages constraints bench soak cluster cluster-down cluster-test screenshots worker scheduler clean

# `make run` demos paid plans with the local billing backend (its state in the database,
# no Stripe account), so Acme Corp starts on Free and gated features show their upgrade
# card; unless billing is configured (BILLING_BACKEND or STRIPE_SECRET_KEY in the
# environment or .env) or DEMO_BILLING=off. The settings' own default stays "billing
# off, no feature withheld" (a self-hosted server, the tests).
DEMO_BILLING ?= on
DEMO_BILLING_ENV := BILLING_BACKEND=billing.backends.local.LocalBillingBackend STRIPE_PRICE_PRO=price_demo STRIPE_PRICE_BUSINESS=price_demo_business

## run: install everything, migrate, seed demo data and serve on http://localhost:8000
run: setup
	$(MANAGE) migrate --noinput
	@demo=""; \
	if [ "$(DEMO_BILLING)" = on ] && [ -z "$$BILLING_BACKEND$$STRIPE_SECRET_KEY" ] \
	   && ! grep -qsE '^(BILLING_BACKEND|STRIPE_SECRET_KEY)=.' .env; then \
	  demo="$(DEMO_BILLING_ENV)"; \
	  echo "Billing: the local demo backend (DEMO_BILLING=off make run: billing off, nothing gated)"; \
	fi; \
	env $$demo $(MANAGE) seed_demo && env $$demo $(MANAGE) runserver 127.0.0.1:8000

## setup: virtualenv + Python deps, npm deps + asset build, and a local .env
setup: deps assets env

deps: $(BIN)/.installed
$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

## constraints: pin every installed Python package (after changing pyproject.toml's ranges)
constraints:
	@{ sed -n '/^#/p' constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Always rebuilt: Tailwind's output depends on the class names used in templates.
assets: node_modules/.installed
	npm run --silent build

env: .env
.env:
	cp env.example .env

## test: lint, format check, the import layers, the type check and the whole pytest suite
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n auto

## lint: fix what ruff can and reformat (make test only checks)
lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The translated languages (settings.LANGUAGES but English, the source) and what
# makemessages skips (docs/ and tests/ show no user-facing text).
LOCALES := de ar
MESSAGES_IGNORE := --ignore=node_modules --ignore=static --ignore=staticfiles --ignore=tests \
	--ignore=bench --ignore=var --ignore=docs --ignore=locale --ignore=cluster

## messages: extract the marked strings into locale/{de,ar}/LC_MESSAGES/django.po, take the
## translations from locale/_parts/*.po (their only source), compile the .mo files (needs gettext)
messages: deps
	@command -v msgmerge >/dev/null || { echo "make messages needs GNU gettext (Debian: apt-get install gettext)" >&2; exit 1; }
	@# A fresh extraction: makemessages would otherwise guess (fuzzy) from the last catalogue.
	rm -f $(foreach lang,$(LOCALES),locale/$(lang)/LC_MESSAGES/django.po)
	$(MANAGE) makemessages $(addprefix -l ,$(LOCALES)) --no-obsolete --no-wrap $(MESSAGES_IGNORE)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; for lang in $(LOCALES); do \
	  po=locale/$$lang/LC_MESSAGES/django.po; \
	  msgcat --use-first --no-wrap -o "$$tmp/parts.po" locale/_parts/*.$$lang.po; \
	  msgmerge --quiet --no-fuzzy-matching --no-wrap -o "$$tmp/merged.po" "$$tmp/parts.po" "$$po"; \
	  msgattrib --no-obsolete --no-wrap -o "$$po" "$$tmp/merged.po"; \
	  msgfmt --check --statistics -o /dev/null "$$po"; \
	done
	$(MANAGE) compilemessages $(addprefix -l ,$(LOCALES)) --ignore=.venv --ignore=node_modules

## bench: gunicorn on PostgreSQL + Redis under wrk (needs both running); writes bench/results/latest.md
bench: setup
	$(BIN)/python -m bench.run

## soak: 2 app instances, 50 users for 60 s, Redis/PostgreSQL/S3/email faults; bench/results/soak-latest.md
soak: setup
	$(BIN)/python -m bench.soak

## cluster: HAProxy, 3 app instances, 2 workers, PgBouncer, PostgreSQL primary + replica,
## a 6-node Redis Cluster and moto S3 on loopback, left running (docs/scaling.md)
cluster: setup
	$(BIN)/python -m cluster.up

## cluster-down: stop everything `make cluster` started
cluster-down:
	$(BIN)/python -m cluster.down

## cluster-test: the topology under load with five faults; report table, non-zero on failure
cluster-test: setup
	$(BIN)/python -m cluster.test

## screenshots: the README's screenshots from the demo data, desktop and phone (needs chromium)
screenshots: setup
	$(BIN)/python -m bench.screenshots

## worker: run the background task worker (needed with TASKS_BACKEND=database)
# It first queues again the emails overdue by 5 minutes, whose task died with a worker.
# For development: `setup` writes a DEBUG=true .env; production runs the two commands.
worker: setup
	$(MANAGE) resume_email_deliveries
	$(MANAGE) db_worker

## scheduler: enqueue the periodic jobs of settings.SCHEDULE at their times (any number may run)
scheduler: setup
	$(MANAGE) scheduler

## clean: delete what setup and run made: the virtualenv, node_modules, built assets and var/ (the SQLite database and uploaded files)
clean:
	rm -rf $(VENV) node_modules static/build staticfiles var .pytest_cache .ruff_cache .mypy_cache

## help: list these targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
