# bdhvs-lms: everything a fresh clone needs. `make run` and `make test` are the Quick start.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
LMS := $(VENV)/bin/lms
INSTANCE ?= $(CURDIR)/instance
export LMS_INSTANCE_PATH ?= $(INSTANCE)
export LMS_COURSES_DIR ?= $(CURDIR)/courses
# Debian packages: WeasyPrint's libraries, fonts with Vietnamese glyphs, Chromium for browser
# tests, poppler for PDF checks, wrk for load benchmarks, zbar-tools (zbarimg) for the QR reader matrix,
# docker-compose to check docker-compose.yml (`docker compose config`, when the docker CLI has no plugin).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
	chromium poppler-utils wrk zbar-tools docker-compose
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help install system-deps run test test-sqlite test-postgres lint translations bench clean docker

help:
	@echo "make run | make test | make lint | make translations | make bench"

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev,postgres]'
	touch $@

install: system-deps $(VENV)/.installed node_modules/.installed translations-compile

# test-only JavaScript (axe-core for the accessibility tests), pinned by package-lock.json
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --silent
	touch $@

translations-compile: $(VENV)/.installed
	@$(VENV)/bin/pybabel compile -d translations -D lms

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract --no-location -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o translations/lms.pot lms
	$(VENV)/bin/pybabel update -i translations/lms.pot -d translations -D lms --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d translations -D lms

PORT ?= 5000
run: export LMS_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(LMS) init
	$(LMS) units import --official
	$(LMS) courses import courses
	$(LMS) seed-demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(LMS) run --host 127.0.0.1 --port $(PORT)

test: install
	$(PY) -m pytest -q -n 2 --dist loadfile -p no:cacheprovider
	@if [ -n "$$LMS_TEST_POSTGRES_URL" ] || $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
	  echo "== again on PostgreSQL =="; \
	  LMS_TEST_POSTGRES_URL=$${LMS_TEST_POSTGRES_URL:-$(PG_URL)} LMS_TEST_DB=postgres \
	    $(PY) -m pytest -q -n 2 --dist loadfile -p no:cacheprovider -m "not browser and not multiserver"; \
	else echo "PostgreSQL not reachable: skipped the PostgreSQL run"; fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check lms tests bench
	$(VENV)/bin/lint-imports --no-cache

bench: install
	$(PY) bench/page_weight.py

clean:
	rm -rf $(VENV) instance .pytest_cache
