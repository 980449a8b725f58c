# One Makefile for people and CI. Every target installs what it needs on first use
# (a project-local .venv, and node_modules for the CDK CLI) and is quick after that.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
CDK := node_modules/.bin/cdk
CDK_ENV := JSII_NODE=$(CURDIR)/node_modules/node/bin/node
CDK_CONTEXT := $(if $(HOME_REGION),-c home_region=$(HOME_REGION)) $(if $(ACCOUNT),-c account=$(ACCOUNT)) $(CDK_ARGS)
SYNTH_REGIONS ?= us-east-1 eu-west-1

.PHONY: help venv run test test-fast lint format openapi docs bench clean

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

test: lint $(NODE_STAMP) ## Lint and run every test (CDK synth runs on the pinned Node 22); what CI runs
	$(CDK_ENV) $(PY) -m pytest

# tests/infra, tests/observability and tests/scenarios read synthesized templates; the rest needs no synth.
test-fast: $(STAMP) ## Inner loop: every test that needs no CDK synth (no aws_cdk import), ~10 s
	$(PY) -m pytest --ignore=tests/infra --ignore=tests/observability --ignore=tests/scenarios

openapi: $(STAMP) ## Regenerate openapi.json from the resolver
	$(PY) -m service.openapi > openapi.json

docs: openapi ## Regenerate openapi.json, RUNBOOK.md (for the configured app: CDK_ARGS=), README route and cost tables
	$(PY) -m scripts.runbook $(CDK_CONTEXT) > RUNBOOK.md
	$(PY) -m scripts.readme

bench: $(STAMP) ## Side-by-side benchmark: cold init, warm overhead, log bytes (BENCH_ARGS=--rounds=15)
	$(PY) -m bench $(BENCH_ARGS)

clean: ## Remove generated files (keeps .venv)
	rm -rf cdk.out .pytest_cache .ruff_cache

# ---- Infrastructure (CDK) ---------------------------------------------------------------------------
# The CDK CLI is pinned in package.json (npm's `latest`, 3.x, cannot read aws-cdk-lib 2.275's assembly),
# and jsii runs on the Node 22 binary installed next to it (Node 20 is end-of-life and slower).
# HOME_REGION= and ACCOUNT= override cdk.json's context; every other key: CDK_ARGS='-c key=value'.
.PHONY: synth diff deploy destroy call


$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

synth: $(STAMP) $(NODE_STAMP) ## cdk.out/ for the configured app, cdk.out/regions/<r>/ per SYNTH_REGIONS; cdk-nag + cfn-lint
	$(CDK_ENV) $(CDK) synth --quiet $(CDK_CONTEXT)
	for region in $(SYNTH_REGIONS); do \
	  $(CDK_ENV) $(CDK) synth --quiet $(CDK_CONTEXT) -c home_region=$$region -o cdk.out/regions/$$region || exit 1; \
	done
	$(VENV)/bin/cfn-lint --format parseable --non-zero-exit-code error -- cdk.out/*.template.json cdk.out/regions/*/*.template.json

diff: $(STAMP) $(NODE_STAMP) ## Show what deploy would change (needs AWS credentials)
	$(CDK_ENV) $(CDK) diff --all $(CDK_CONTEXT)

deploy: $(STAMP) $(NODE_STAMP) ## Deploy all five stacks (home region + us-east-1); needs both regions bootstrapped
	$(CDK_ENV) $(CDK) deploy --all $(CDK_CONTEXT) --outputs-file cdk.out/outputs.json

destroy: $(STAMP) $(NODE_STAMP) ## Delete the stacks (asks first; the table stays if retain_table is true)
	$(CDK_ENV) $(CDK) destroy --all $(CDK_CONTEXT)

call: $(STAMP) ## Call every route through CloudFront: make call URL=https://dxxxx.cloudfront.net
	@test -n "$(URL)" || { echo "usage: make call URL=https://<distribution>.cloudfront.net"; exit 2; }
	$(PY) scripts/call_api.py $(URL)
