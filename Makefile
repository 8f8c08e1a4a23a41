# Noaber — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1:8000
# Demo mode: DEBUG on, console e-mail, demo data and logins, readable log lines.
DEMO_ENV := NOABER_DEBUG=1 NOABER_DEMO=1 NOABER_LOG_FORMAT=plain

.PHONY: run test lint format check-python clean codes prod-smoke api-contract fastwalk

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Noaber heeft Python 3.11 of nieuwer nodig (gevonden: " + sys.version.split()[0] + ").")'

$(VENV)/.installed: requirements.lock | check-python
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# verify_audit's per-row work in C (noaber/audit/_fastwalk.c, docs/decisions/0022). Optional:
# without a C compiler or OpenSSL's headers (Debian: gcc, libssl-dev) the walk runs in Python.
FASTWALK := noaber/audit/_fastwalk$(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')

$(FASTWALK): noaber/audit/_fastwalk.c
	@rm -f $@
	@$(CC) -O2 -Wall -shared -fPIC -I"$$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')" \
		-o $@.tmp $< -lcrypto && mv $@.tmp $@ \
	  || echo "Let op: verify_audit zonder C-versnelling (geen C-compiler, Python-headers of OpenSSL-headers)."

fastwalk: $(FASTWALK)

run: $(VENV)/.installed $(FASTWALK)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py demo_logins
	@echo "Noaber draait op http://$(HOST)/  (stoppen: Ctrl+C; bewaking: /health en /ready)"
	@$(DEMO_ENV) $(PY) manage.py run_demo $(HOST)

test: $(VENV)/.dev-installed $(FASTWALK)
	NOABER_DEBUG=1 $(PY) manage.py test --noinput $(TESTS)

# Production mode end to end behind nginx with TLS (needs nginx, openssl, curl, PostgreSQL).
prod-smoke: $(VENV)/.installed $(FASTWALK)
	.ci/prod-smoke

# The API against its OpenAPI document with schemathesis (docs/meldpunt.md, "The API contract").
api-contract: $(VENV)/.dev-installed
	.ci/api-contract

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var $(FASTWALK)

codes: $(VENV)/.installed
	@$(DEMO_ENV) $(PY) manage.py demo_logins
