# finsam: `make run` starts everything with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install system-deps lint bench audit

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium (browser tests), docker-compose (validates docker-compose.yml) and poppler
# (pdftotext), installed when missing and when this machine allows it.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v docker-compose >/dev/null 2>&1 || missing="$$missing docker-compose"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installerar:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Saknas (installera själv för webbläsartester):$$missing"; \
	  fi; \
	fi

run: $(STAMP)
	$(PY) -m finsam.launcher run

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r finsam forbund insatser deltagare uppfoljning -lll
	$(VENV)/bin/semgrep scan --config .semgrep.yml --metrics=off --disable-version-check --error --quiet finsam forbund insatser deltagare uppfoljning templates
	$(PY) -m finsam.launcher exec -- $(PY) -m pytest -n 2 --dist loadgroup -p no:cacheprovider

# Benchmarks (figures, not tests): fills the finsam_bench database (BENCH_DATABASE_URL) with
# national-scale data when it is missing or outdated, prints one table, writes bench/results.json.
bench: $(STAMP)
	DJANGO_SETTINGS_MODULE=bench.settings $(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Dependencies: a CycloneDX SBOM of the installed environment (build/sbom.cdx.json), then
# pip-audit --strict against PyPI's vulnerability data. A dependency that cannot be looked up
# fails the audit: an audit that could not run is never a pass.
audit: $(STAMP)
	$(PY) -m pip install --quiet -e ".[audit]"
	mkdir -p build
	$(VENV)/bin/cyclonedx-py environment $(PY) --output-reproducible -o build/sbom.cdx.json
	$(PY) -m pip freeze --exclude-editable | grep -v -e '^pip-audit' -e '^cyclonedx' > build/requirements-audit.txt
	$(VENV)/bin/pip-audit --strict --no-deps --disable-pip -s pypi -r build/requirements-audit.txt
