# One Makefile for people and CI. Every target installs what it needs on first use
# (a project-local .venv, and node_modules for the CDK CLI) and is quick after that.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: help venv run test lint format openapi bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

venv: $(STAMP) ## Create .venv with the pinned dependencies

run: $(STAMP) ## Serve the API on http://127.0.0.1:8000 (HOST=, PORT= to change)
	$(PY) -m service.local --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

lint: $(STAMP) ## ruff check + format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint ## Lint and run every test
	$(PY) -m pytest

openapi: $(STAMP) ## Regenerate openapi.json from the resolver
	$(PY) -m service.openapi > openapi.json

bench: $(STAMP) ## Side-by-side benchmark: cold init, warm overhead, log bytes
	$(PY) -m bench

clean: ## Remove generated files (keeps .venv)
	rm -rf cdk.out .pytest_cache .ruff_cache
