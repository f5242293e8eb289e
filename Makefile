# orgplane — developer and CI entry points.
#
#   make venv       .venv (Python 3.12): runtime + dev/test dependencies
#   make sam-venv   .venv-sam: AWS SAM CLI + cfn-lint (kept apart: SAM pins hard)
#   make dev        local server: python -m devserver serve (PORT, default 3000), data in memory
#   make dev-persist the same on DynamoDB Local keeping its data in DATA (default .local/dynamodb)
#   make token      a token for the local server: make token ARGS='--app demo --sub alice --email a@example.com'
#   make api-docs   docs/api.md from the OpenAPI document (a test fails while it is stale)
#   make lint       ruff, mypy (code and tests), checkov on template.yaml
#   make test       lint, then the test tiers (unit/service/http, ddblocal, build, browser)
#   make console-screenshots   docs/console/*.png from the console in Chromium
#   make console-publish STACK=<name>   upload console/ to a deployed stack's bucket
#   make build      sam validate --lint && sam build
#   make bench      python -m bench
#   make bench-events  events per second through the local webhook pipeline (python -m bench.events)
#   make load       python -m bench.load: locust on the local server + DynamoDB Local, invariants, hot org
#   make clean      build and tool caches (distclean: also the venvs and .cache)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
SAM_VENV := $(ROOT)/.venv-sam
VENV_PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
VENV_STAMP := $(VENV)/.installed
SAM_STAMP := $(SAM_VENV)/.installed
CHECKOV_VENV := $(ROOT)/.venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
LOAD_VENV := $(ROOT)/.venv-load
LOAD_STAMP := $(LOAD_VENV)/.installed

export SAM_CLI_TELEMETRY := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Python 3.12 (the Lambda runtime). `python3.12` on PATH only if it really runs
# (a pyenv shim may exist without 3.12 being selected), else the newest
# $(pyenv root)/versions/3.12.*. Override with `make PYTHON312=/path/to/python3.12`.
# Evaluated lazily, once.
define find_python312
for c in python3.12 $$(ls -d "$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv")"/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV); do \
  "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 12); print(sys.executable)' 2>/dev/null && break; \
done; true
endef
PYTHON312 ?= $(eval PYTHON312 := $(shell $(find_python312)))$(PYTHON312)
# PATH for `sam build`: the SAM CLI and a python3.12 interpreter for the python3.12 runtime.
SAM_PATH = $(SAM_VENV)/bin:$(patsubst %/,%,$(dir $(PYTHON312))):$(PATH)

# Test environment: never real AWS.
TEST_ENV := AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 \
	AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing \
	AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

# A current pip resolves and installs these sets about twice as fast as the 23.2 that
# Python 3.12.1's ensurepip ships.
PIP_VERSION := 26.3

PORT ?= 3000
# xdist for the fast tier; `make test PYTEST_XDIST=` runs it in one process.
PYTEST_XDIST ?= -n 2
PYTEST_ARGS ?=
MYPY_DIRS := layers/orgplane/orgplane functions devserver orgctl bench scripts tests

.PHONY: help venv sam-venv checkov-venv dev dev-persist token api-docs event-catalogue lint test test-fast test-ddblocal \
	test-build test-browser chromium console-screenshots console-publish build bench bench-events load load-venv clean \
	distclean check-python312

help:
	@sed -n '3,17s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

check-python312:
	@if [ -z "$(PYTHON312)" ]; then \
	  echo "error: Python 3.12 not found. Install it (e.g. 'pyenv install 3.12') or run 'make PYTHON312=/path/to/python3.12 ...'." >&2; \
	  exit 1; \
	fi

# ---------------------------------------------------------------- environments

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt layers/orgplane/requirements.txt
	@$(MAKE) --no-print-directory check-python312
	@if [ -x "$(VENV_PY)" ] && ! "$(VENV_PY)" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then \
	  echo "== $(VENV) is not a working Python 3.12 venv: recreating"; rm -rf "$(VENV)"; \
	fi
	@[ -x "$(VENV_PY)" ] || { echo "== creating $(VENV) with $(PYTHON312)"; "$(PYTHON312)" -m venv "$(VENV)"; }
	@echo "== installing requirements-dev.txt into $(VENV)"
	"$(VENV_PY)" -m pip install --quiet pip==$(PIP_VERSION)
	"$(VENV_PY)" -m pip install --quiet -r requirements-dev.txt
	@# orgplane (layer) and devserver/functions/tests (repo root) importable without packaging
	@site=$$("$(VENV_PY)" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	  printf '%s\n' "$(ROOT)/layers/orgplane" "$(ROOT)" > "$$site/orgplane-dev.pth"
	@# the support CLI: .venv/bin/orgctl runs `python -m orgctl` from anywhere
	@printf '#!/bin/sh\nexec "%s" -m orgctl "$$@"\n' "$(VENV_PY)" > "$(VENV)/bin/orgctl"; chmod +x "$(VENV)/bin/orgctl"
	"$(VENV_PY)" -c 'import aws_lambda_powertools, pydantic, jwt, moto, boto3, orgplane'
	@touch "$@"

sam-venv: $(SAM_STAMP)

$(SAM_STAMP): requirements-sam.txt
	@$(MAKE) --no-print-directory check-python312
	@if [ -x "$(SAM_VENV)/bin/python" ] && ! "$(SAM_VENV)/bin/python" -c 'import sys' 2>/dev/null; then \
	  echo "== $(SAM_VENV) is broken: recreating"; rm -rf "$(SAM_VENV)"; \
	fi
	@[ -x "$(SAM_VENV)/bin/python" ] || { echo "== creating $(SAM_VENV) with $(PYTHON312)"; "$(PYTHON312)" -m venv "$(SAM_VENV)"; }
	@echo "== installing requirements-sam.txt into $(SAM_VENV)"
	"$(SAM_VENV)/bin/python" -m pip install --quiet pip==$(PIP_VERSION)
	"$(SAM_VENV)/bin/python" -m pip install --quiet -r requirements-sam.txt
	"$(SAM)" --version
	@touch "$@"

checkov-venv: $(CHECKOV_STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	@$(MAKE) --no-print-directory check-python312
	@[ -x "$(CHECKOV_VENV)/bin/python" ] && "$(CHECKOV_VENV)/bin/python" -c 'import sys' 2>/dev/null || { \
	  rm -rf "$(CHECKOV_VENV)"; echo "== creating $(CHECKOV_VENV) with $(PYTHON312)"; "$(PYTHON312)" -m venv "$(CHECKOV_VENV)"; }
	@echo "== installing requirements-checkov.txt into $(CHECKOV_VENV)"
	"$(CHECKOV_VENV)/bin/python" -m pip install --quiet pip==$(PIP_VERSION)
	"$(CHECKOV_VENV)/bin/python" -m pip install --quiet -r requirements-checkov.txt
	"$(CHECKOV_VENV)/bin/checkov" --version
	@touch "$@"

load-venv: $(LOAD_STAMP)

# .venv plus locust (requirements-load.txt), apart from .venv: see that file for why.
$(LOAD_STAMP): requirements-load.txt requirements-dev.txt layers/orgplane/requirements.txt
	@$(MAKE) --no-print-directory check-python312
	@[ -x "$(LOAD_VENV)/bin/python" ] && "$(LOAD_VENV)/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null || { \
	  rm -rf "$(LOAD_VENV)"; echo "== creating $(LOAD_VENV) with $(PYTHON312)"; "$(PYTHON312)" -m venv "$(LOAD_VENV)"; }
	@echo "== installing requirements-load.txt into $(LOAD_VENV)"
	"$(LOAD_VENV)/bin/python" -m pip install --quiet pip==$(PIP_VERSION)
	"$(LOAD_VENV)/bin/python" -m pip install --quiet -r requirements-load.txt
	@site=$$("$(LOAD_VENV)/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	  printf '%s\n' "$(ROOT)/layers/orgplane" "$(ROOT)" > "$$site/orgplane-dev.pth"
	"$(LOAD_VENV)/bin/python" -c 'import locust, orgplane'
	@touch "$@"

# ---------------------------------------------------------------- run

dev: venv
	PORT=$(PORT) "$(VENV_PY)" -m devserver serve

# The local server on DynamoDB Local (npm + Java 17, scripts/dynamodb-local.sh) with its data in $(DATA):
# orgs, members and settings survive a restart (mail, the moved clock and stream positions do not).
# DynamoDB Local is stopped when the server stops. Start over: rm -rf $(DATA)
DATA ?= $(ROOT)/.local/dynamodb
DDB_PORT ?= 8000
dev-persist: venv
	@DYNAMODB_LOCAL_DATA="$(DATA)" scripts/dynamodb-local.sh start $(DDB_PORT)
	@trap 'scripts/dynamodb-local.sh stop' EXIT; \
	  AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$(DDB_PORT) MAX_TRANSACTION_ITEMS=10 PORT=$(PORT) \
	  "$(VENV_PY)" -m devserver serve $(if $(QUIET),--quiet)

# The token command of the local server with the project's interpreter, from any shell. The venv's own
# output goes to stderr so `TOKEN=$$(make token ARGS=...)` captures only the token.
# ARGS: --app demo|other --sub ID [--email E] [--group support] [--ttl S] [--server URL]
# (python -m devserver token --help lists them all).
ARGS ?=
token:
	@$(MAKE) --no-print-directory --silent venv >&2
	@"$(VENV_PY)" -m devserver token $(ARGS)

api-docs: venv
	"$(VENV_PY)" -m devserver api-reference

event-catalogue: venv
	"$(VENV_PY)" scripts/event_catalogue.py

bench: venv
	env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE $(TEST_ENV) "$(VENV_PY)" -m bench

bench-events: venv
	env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE $(TEST_ENV) "$(VENV_PY)" -m bench.events
# Not part of `make test`: minutes of sustained load (LOAD_SECONDS, LOAD_USERS, HOT_ORG_MEMBERS: see
# bench/load/__main__.py), then the invariants through the API; writes its block of docs/performance.md.
load: load-venv
	env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE $(TEST_ENV) "$(LOAD_VENV)/bin/python" -m bench.load

# Functions have no requirements.txt of their own (their dependencies are the layer's), and SAM has no
# switch for the warning it prints for each of them: that one line is filtered out, nothing else.
build: sam-venv
	PATH="$(SAM_PATH)" "$(SAM)" validate --lint
	PATH="$(SAM_PATH)" "$(SAM)" build 2>&1 | { grep -v '^requirements.txt file not found. Continuing the build without dependencies.$$' || true; }

# ---------------------------------------------------------------- checks

# scripts/scan-template.sh: checkov on template.yaml, clean (each exception is skipped in the template with
# its reason), so a new finding fails lint.
lint: venv checkov-venv
	"$(VENV)/bin/ruff" check .
	CHECKOV_VENV="$(CHECKOV_VENV)" scripts/scan-template.sh
	@dirs="$(foreach d,$(MYPY_DIRS),$(if $(shell find $(d) -name '*.py' -print -quit 2>/dev/null),$(d)))"; \
	  if [ -n "$$dirs" ]; then echo "$(VENV)/bin/mypy $$dirs"; "$(VENV)/bin/mypy" $$dirs; \
	  else echo "mypy: nothing to check yet"; fi

# $(call pytest_tier,DIRS,EXTRA_ARGS[,ENV]): missing directories are skipped, and pytest's
# exit code 5 (no tests collected) passes while a tier is still empty.
define pytest_tier
	@dirs=""; for d in $(1); do if [ -d "$$d" ]; then dirs="$$dirs $$d"; fi; done; \
	if [ -z "$$dirs" ]; then echo "== $(1): no such directory, skipped"; exit 0; fi; \
	echo "== pytest$$dirs $(2)"; \
	rc=0; env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE $(TEST_ENV) $(3) "$(VENV_PY)" -m pytest $$dirs $(2) $(PYTEST_ARGS) || rc=$$?; \
	if [ "$$rc" -eq 5 ]; then echo "== no tests collected in$$dirs (tier still empty): not a failure"; rc=0; fi; \
	exit $$rc
endef

test-fast: venv
	$(call pytest_tier,tests/unit tests/service tests/http,$(PYTEST_XDIST))

test-ddblocal: venv
	$(call pytest_tier,tests/ddblocal,)

test-build: venv sam-venv
	$(call pytest_tier,tests/build,,PATH="$(SAM_PATH)")

# The browser tier drives Debian's Chromium (ORGPLANE_CHROMIUM overrides the path). On a fresh
# machine (CI runs as root) it is installed from Debian's packages.
CHROMIUM ?= $(or $(ORGPLANE_CHROMIUM),/usr/bin/chromium)

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "== $(CHROMIUM) missing: installing Debian's chromium"; \
	  if [ "$$(id -u)" -ne 0 ]; then echo "error: run as root, or install chromium yourself" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@"$(CHROMIUM)" --version

test-browser: venv chromium
	$(call pytest_tier,tests/browser,,ORGPLANE_CHROMIUM="$(CHROMIUM)")

console-screenshots: venv chromium
	env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE $(TEST_ENV) ORGPLANE_CHROMIUM="$(CHROMIUM)" \
	  CONSOLE_SCREENSHOTS="$(ROOT)/docs/console" "$(VENV_PY)" -m pytest tests/browser/test_screenshots.py -q

console-publish: venv
	@if [ -z "$(STACK)" ]; then echo "usage: make console-publish STACK=<stack name>" >&2; exit 2; fi
	"$(VENV_PY)" scripts/publish_console.py --stack "$(STACK)"

# Every step runs even after a failure, so one run shows every problem; the exit
# status is non-zero if any step failed.
TEST_STEPS := lint test-fast test-ddblocal test-build test-browser

test: venv sam-venv
	@failed=""; \
	for step in $(TEST_STEPS); do \
	  $(MAKE) --no-print-directory $$step || failed="$$failed $$step"; \
	done; \
	if [ -n "$$failed" ]; then echo "== make test: FAILED:$$failed" >&2; exit 1; fi; \
	echo "== make test: all steps passed"

# ---------------------------------------------------------------- housekeeping

clean:
	rm -rf .aws-sam .mypy_cache .ruff_cache .pytest_cache
	find . \( -path ./.venv -o -path ./.venv-sam -o -path ./.cache -o -path ./.git \) -prune -o \
	  -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	-scripts/dynamodb-local.sh stop
	rm -rf .venv .venv-sam .venv-checkov .venv-load .cache
