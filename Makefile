# One Makefile for people and CI. Every target installs what it needs on first use
# (a project-local .venv, and node_modules for the CDK CLI) and is quick after that.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.13 (stacks/service_stack.py RUNTIME): tests, bench and the asset's bytecode use the same
# minor version where the machine has it (PATH, or a pyenv install whose shim is not active), else python3.
LAMBDA_PYTHON := 3.13
ifndef PYTHON
PYTHON := $(firstword $(foreach p,python$(LAMBDA_PYTHON) $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/$(LAMBDA_PYTHON)*/bin/python$(LAMBDA_PYTHON)),\
  $(shell $(p) -c 'import sys; print(sys.executable)' 2>/dev/null)))
ifeq ($(PYTHON),)
PYTHON := python3
PYTHON_NOTE := WARNING: no python$(LAMBDA_PYTHON) on this machine (Lambda's runtime); falling back to
endif
endif
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# One line, first, on every target that runs the suite or the bench: which interpreter measured what.
ifneq ($(filter venv test test-fast bench,$(MAKECMDGOALS)),)
$(info $(or $(PYTHON_NOTE),Python for tests and bench:) $(PYTHON) ($(PYTHON_VERSION)$(if $(filter-out $(LAMBDA_PYTHON),$(PYTHON_VERSION)),; Lambda runs $(LAMBDA_PYTHON))) in $(or $(VENV),.venv))
endif
VENV ?= .venv
PY := $(VENV)/bin/python
# Named by the Python version: a venv built by another version is rebuilt, not reused (see $(STAMP)).
STAMP := $(VENV)/.installed-stamp-$(PYTHON_VERSION)
RUN_STAMP := $(VENV)/.run-stamp-$(PYTHON_VERSION)
# Recreate $(VENV) when it holds another Python than $(PYTHON) (bytecode and C extensions differ per version).
ENSURE_VENV = test "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$(PYTHON_VERSION)" \
	|| { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
# Serving needs the full set's subset: once `make venv`/`test` installed everything, run needs nothing more.
RUN_DEPS = $(if $(wildcard $(STAMP)),$(STAMP),$(RUN_STAMP))
NODE_STAMP := node_modules/.installed-stamp
CDK := node_modules/.bin/cdk
CDK_ENV := JSII_NODE=$(CURDIR)/node_modules/node/bin/node
CDK_CONTEXT := $(if $(HOME_REGION),-c home_region=$(HOME_REGION)) $(if $(ACCOUNT),-c account=$(ACCOUNT)) $(CDK_ARGS)
SYNTH_REGIONS ?= us-east-1 eu-west-1

.PHONY: help venv run load query screenshot browser test test-fast lint format openapi docs bench clean backtest

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-run.txt requirements-dev.txt constraints.txt
	@$(ENSURE_VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP) $(RUN_STAMP)

# Serving needs only the function's runtime and the emulator (requirements-run.txt): no CDK, no
# test tools, so a first `make run` takes seconds, not minutes. The full set above includes it.
$(RUN_STAMP): requirements.txt requirements-run.txt constraints.txt
	@$(ENSURE_VENV)
	$(PY) -m pip install --quiet -r requirements-run.txt -c constraints.txt
	touch $(RUN_STAMP)

venv: $(STAMP) ## Create .venv with the pinned dependencies

# The console's chart library (uPlot), pinned in its own tiny manifest and served from the folder: no
# CDN at view time. `npm install` of one 50 KB package; no lock file needed for a single pinned name.
CONSOLE_STAMP := dashboards/console/node_modules/.installed-stamp
$(CONSOLE_STAMP): dashboards/console/package.json
	npm install --prefix dashboards/console --no-audit --no-fund --no-package-lock --silent
	touch $(CONSOLE_STAMP)

run: $(RUN_DEPS) $(CONSOLE_STAMP) ## Serve the API on :8000 and its console on :8001 (HOST=, PORT=, CONSOLE_PORT=, CONCURRENCY=, DYNAMODB_FAULTS=)
	$(PY) -m service.local --host $${HOST:-127.0.0.1} --port $${PORT:-8000} --console-port $${CONSOLE_PORT:-8001} \
	  $(if $(CONCURRENCY),--concurrency $(CONCURRENCY)) $(if $(DYNAMODB_FAULTS),--dynamodb-faults '$(DYNAMODB_FAULTS)')

query: $(RUN_DEPS) ## Run a saved Logs Insights query over the local logs: make query Q=errors-by-route [ID=] [MINUTES=] [FORMAT=json]; no Q= lists them
	@$(PY) -m local.query $(Q) $(if $(ID),--id '$(ID)') $(if $(MINUTES),--minutes '$(MINUTES)') $(if $(FORMAT),--format $(FORMAT))

screenshot: browser $(STAMP) $(CONSOLE_STAMP) ## docs/console.png: the console after 2.5-6 min of load with DynamoDB throttles and a burst (chromium)
	$(PY) -m local.screenshot docs/console.png

load: $(RUN_DEPS) ## Load-test the local API: own server, or URL=http://127.0.0.1:8000 (LOAD_ARGS=--duration=20)
	$(PY) -m local.load $(if $(URL),--url $(URL)) $(LOAD_ARGS)

# The alarms of this working tree (CDK_ARGS=, HOME_REGION=) replayed over a history (backtest/): the local
# recording by default; SOURCE=account [DAYS=14] reads CloudWatch (read-only credentials, docs/operations.md);
# FROM=file replays a saved history, SAVE=file keeps this one; AGAINST=deployed compares with what is deployed.
backtest: $(RUN_DEPS) ## Replay the working tree's alarms over recorded traffic (SOURCE=local|account, DAYS=, FROM=, SAVE=, AGAINST=deployed)
	$(PY) -m backtest $(if $(FROM),--from $(FROM),--source $(or $(SOURCE),local)) $(if $(SAVE),--save $(SAVE)) \
	  $(if $(DAYS),--days $(DAYS)) $(if $(AGAINST),--against $(AGAINST)) $(CDK_CONTEXT)

lint: $(STAMP) ## ruff check + format check + mypy over product code (pyproject.toml [tool.mypy])
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy

format: $(STAMP) ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The page tests and `make screenshot` need Chromium: found (CHROMIUM=, Debian's chromium, Playwright's own) or
# installed with apt-get (as root or with password-less sudo); otherwise one line says what to run, before anything.
browser: ## Find Chromium for tests/browser and make screenshot, or install Debian's (CHROMIUM=/path to name one)
	@$(PYTHON) -m local.browser install

# Both cores: pytest-xdist workers, each test sent to the worker that holds the work it shares (a synth, its
# cfn-lint findings, a configuration's scenario evaluations: tests/conftest.py groups them), so nothing is
# computed twice. Two tests mostly wait for the local clock, not the CPU: the browser tier (its traffic must
# span a minute boundary) and the local drill rehearsal (its alarm fires on a minute boundary, 1-4 min in).
# Each runs in a process of its own beside the workers, its output printed when everything is done; the
# workers run niced, so that a waiting test's server gets the CPU when it wakes (a drill's local server
# starved of it answers its cold starts late, and its slow-init alarm fires before the drill's own).
TEST_WORKERS ?= 2
# Tests keep their bytecode even where the shell sets PYTHONDONTWRITEBYTECODE: without it every worker compiles
# every import and rewrites every test module at each run (about 2.5 s a worker).
TEST_ENV := PYTHONDONTWRITEBYTECODE=
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder
WAITING_TESTS := tests/browser tests/local/test_drill_rehearsal.py
test: browser lint $(NODE_STAMP) $(CONSOLE_STAMP) ## Lint and run every test on 2 cores (CDK synth on the pinned Node 22); what CI runs
	@mkdir -p .pytest_cache; pids=; \
	for t in $(WAITING_TESTS); do \
	  $(TEST_ENV) $(CDK_ENV) $(PY) -m pytest $$t > .pytest_cache/$$(basename $$t .py).log 2>&1 & pids="$$pids $$!"; \
	done; \
	$(TEST_ENV) $(CDK_ENV) nice -n 10 $(PY) -m pytest $(PYTEST_PARALLEL) $(addprefix --ignore=,$(WAITING_TESTS)); rc=$$?; \
	set -- $$pids; for t in $(WAITING_TESTS); do \
	  wait $$1 || rc=1; shift; echo "--- $$t (ran in parallel):"; cat .pytest_cache/$$(basename $$t .py).log; \
	done; \
	exit $$rc

# Test tiers are folders (tests/README.md). The fast tier leaves out what synthesizes the app (tests/synth,
# tests/scenarios) and the local server's runs (tests/local: real server, worker and emulator processes).
FAST_TIERS := tests/unit tests/service tests/docs tests/cloudfront_functions

test-fast: $(STAMP) ## Inner loop on 2 cores: no CDK synth, no local server runs; about 20 s (a first run installs .venv, ~2 min)
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_PARALLEL) $(FAST_TIERS)

openapi: $(STAMP) ## Regenerate openapi.json from the resolver
	$(PY) -m service.openapi > openapi.json

docs: openapi ## Regenerate openapi.json, RUNBOOK.md (for the configured app: CDK_ARGS=), the tables in docs/ and queries/
	$(PY) -m scripts.runbook $(CDK_CONTEXT) > RUNBOOK.md
	$(PY) -m scripts.doc_tables

bench: $(STAMP) ## Side-by-side benchmark: cold init, warm overhead, log bytes (BENCH_ARGS=--rounds=15)
	$(PY) -m bench $(BENCH_ARGS)

clean: ## Remove generated files (keeps .venv)
	rm -rf cdk.out .pytest_cache .ruff_cache .mypy_cache

# ---- Infrastructure (CDK) ---------------------------------------------------------------------------
# The CDK CLI is pinned in package.json (npm's `latest`, 3.x, cannot read aws-cdk-lib 2.275's assembly),
# and jsii runs on the Node 22 binary installed next to it (Node 20 is end-of-life and slower).
# HOME_REGION= and ACCOUNT= override cdk.json's context; every other key: CDK_ARGS='-c key=value'.
.PHONY: synth diff deploy verify destroy call drill


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

# The order and the stacks to force come from the synthesized templates (scripts/deploy_plan.py): a
# stack that reads another's output with Fn::GetStackOutput re-reads it only when CloudFormation updates
# that stack, so every such reader is deployed with --force after its producers, and when the Function
# URL moves (snap_start) the old one keeps serving until the edge has moved. Then verify, and give the
# canary's run log group (created by Lambda, no retention) the deployment's retention.
deploy: $(STAMP) $(NODE_STAMP) ## Synthesize, deploy the stacks in the order their references need, then verify
	$(CDK_ENV) $(CDK) synth --quiet $(CDK_CONTEXT)
	$(CDK_ENV) $(PY) -m scripts.deploy_plan cdk.out --run $(CDK)
	$(PY) -m scripts.verify $(CDK_CONTEXT)
	$(PY) -m scripts.canary_logs cdk.out

verify: $(STAMP) ## Check every cross-stack reference points at a current resource (needs AWS credentials)
	$(PY) -m scripts.verify $(CDK_CONTEXT)

destroy: $(STAMP) $(NODE_STAMP) ## Delete the stacks (asks first; the table stays if retain_table is true)
	$(CDK_ENV) $(CDK) destroy --all $(CDK_CONTEXT)

call: $(STAMP) ## Call every route through CloudFront: make call URL=https://dxxxx.cloudfront.net
	@test -n "$(URL)" || { echo "usage: make call URL=https://<distribution>.cloudfront.net"; exit 2; }
	$(PY) scripts/call_api.py $(URL)

# Fire drills (scripts/drill.py, docs/operations.md "Fire drills"): inject a failure-mode row's fault, check its
# alarms fire within the matrix's minutes, nobody paged. AWS: the `drills` configuration deployed (CDK_ARGS=
# '-c drills=true'), URL= to send the drill's traffic. LOCAL=1: against `make run` (PORT=, CONSOLE_PORT=).
drill: $(RUN_DEPS) ## Fire drill: make drill ROW=d [LOCAL=1] [URL=https://...]; no ROW runs every drill
	$(PY) -m scripts.drill $(if $(ROW),--row $(ROW)) $(if $(LOCAL),--local --api http://127.0.0.1:$${PORT:-8000} \
	  --console http://127.0.0.1:$${CONSOLE_PORT:-8001}) $(if $(URL),--url $(URL)) $(DRILL_ARGS) $(CDK_ARGS) \
	  $(foreach kv,$(if $(HOME_REGION),home_region=$(HOME_REGION)) $(if $(ACCOUNT),account=$(ACCOUNT)),-c $(kv))

