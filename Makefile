# Candor: `make run` serves the API on http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The client generators' Node side (tests/clients): openapi-typescript and tsc.
CLIENT_TOOLS := tests/clients/node_modules/.installed

.PHONY: run test setup lint typecheck check-fixtures test-python test-extension test-pages extension client-tools bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Candor needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Signs bundles with the development key unless CANDOR_BUNDLE_SIGNING_KEY names another
# (extension/dev-key/README.md): a development build of the extension
# (npm --prefix extension run build:dev) takes this server's bundles.
run: $(STAMP)
	CANDOR_BUNDLE_SIGNING_KEY="$${CANDOR_BUNDLE_SIGNING_KEY:-$(CURDIR)/extension/dev-key/development.pem}" \
	  $(BIN)/candor serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check api ratings tests benchmarks
	$(BIN)/ruff format --check api ratings tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check-fixtures: $(STAMP)
	$(BIN)/candor fixtures check fixtures

$(CLIENT_TOOLS): tests/clients/package-lock.json
	npm --prefix tests/clients ci --no-audit --no-fund
	touch $(CLIENT_TOOLS)

client-tools: $(CLIENT_TOOLS)

# tests/clients generates clients from /openapi.json with openapi-python-client (a test
# dependency in pyproject.toml) and openapi-typescript (client-tools). With coverage of api/
# and ratings/, the `candor` processes the tests start included; below 90% fails
# ([tool.coverage] in pyproject.toml). The extension's modules too: tests/test_vocabulary.py
# runs its bundle validator on what the API serves.
test-python: $(STAMP) $(CLIENT_TOOLS) extension
	$(BIN)/pytest --cov -n 2

# The development build (local API, development key); the production build is made and
# checked (https, pinned key, no test hooks, web-ext lint, store zips) by the unit tests.
extension: $(STAMP)
	npm --prefix extension ci --no-audit --no-fund
	npm --prefix extension run build:dev

test-extension: extension
	npm --prefix extension run lint
	npm --prefix extension run typecheck
	npm --prefix extension test
	npm --prefix extension run lint:firefox
	npm --prefix extension run test:browser

# The public web pages in headless Chromium, against a real `candor serve`.
test-pages: $(STAMP)
	npm --prefix tests/browser ci --no-audit --no-fund
	npm --prefix tests/browser test

test: lint typecheck check-fixtures test-python test-extension test-pages

bench: $(STAMP)
	$(BIN)/python -m benchmarks
	$(BIN)/pytest -m timed -p no:cacheprovider

clean:
	rm -rf $(VENV) extension/node_modules extension/dist tests/browser/node_modules tests/clients/node_modules *.egg-info
