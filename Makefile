# The interface of the project. Every target accepts DATA=dir (default: data).
#   make serve     build from the data and serve on http://127.0.0.1:8000 (live reload)
#   make test      the whole test suite (installs what it needs first)
#   make build     static site into site/, atomically
#   make validate  check the data only
#   make demo      build and serve a large synthetic (fictional) dataset
#   make bench     the performance benchmark (scales 1 and 10)
#   make geocode   geocode street addresses into data/geocodage.json (network; maintainers only)
#   make trouver Q="69003 graphisme"   the /trouver/ ranking for a place (and an activity), in the terminal
#   make partenaires Q="électricien menuisier près de 44000 rayon 50"   partner members and a team, in the terminal (ARGS=--json)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DATA ?= data
DATA_DIR := $(abspath $(DATA))
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
DEMO_DATA := build/demo-data
export CAE_DATA := $(DATA_DIR)

.PHONY: deps serve test build validate geocode trouver partenaires demo bench measure gazetteer schemas constraints chromium clean

deps: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium for the browser tests (never a browser downloaded by a test tool).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de chromium (paquet Debian)…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

validate: deps
	@cd scripts && ../$(PY) validate.py --data "$(DATA_DIR)"

geocode: deps
	@cd scripts && ../$(PY) geocode.py --data "$(DATA_DIR)" $(ARGS)

trouver: deps
	@cd scripts && ../$(PY) trouver.py --data "$(DATA_DIR)" "$(Q)"

partenaires: deps
	@cd scripts && ../$(PY) partenaires.py --data "$(DATA_DIR)" $(ARGS) "$(Q)"

build: deps
	@cd scripts && ../$(PY) build.py --data "$(DATA_DIR)"

serve: deps
	@cd scripts && ../$(PY) serve.py --data "$(DATA_DIR)"

test: deps chromium
	$(PY) -m pytest

demo: deps
	cd scripts && ../$(PY) generate_synthetic.py --scale 1 --seed 1 --output ../$(DEMO_DATA)
	cd scripts && ../$(PY) serve.py --data ../$(DEMO_DATA) --allow-fictional

bench: deps
	cd scripts && ../$(PY) bench.py

# Bytes transferred and time to ready per page type, on the scale-10 fictional site (chromium).
measure: deps chromium
	cd scripts && ../$(PY) measure_pages.py && ../$(PY) measure_trouver.py && ../$(PY) measure_partenaires.py

gazetteer: deps
	cd scripts && ../$(PY) build_gazetteer.py

schemas: deps
	cd scripts && ../$(PY) export_schemas.py

constraints: deps
	(echo "# Exact versions of every Python package (pip freeze), so two installs are the same."; \
	 echo "# Regenerate after changing requirements.txt: make constraints"; \
	 $(PY) -m pip freeze --exclude-editable) > constraints.txt

clean:
	rm -rf site site.* build .pytest_cache
