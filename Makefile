# Rabkor: `make demo` for a working site on real sample data, `make test` for the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install demo test lint format run bench clean messages

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch (needed by argostranslate through stanza) from the CPU wheel on disk when there
	# is one; otherwise pip would fetch a multi-gigabyte CUDA build.
	$(PY) -m pip install -q --find-links /opt/wheels "torch==2.13.0"
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install Rabkor with its dependencies

demo: $(STAMP)  ## run the demo: real feeds crawled, translated, approved, indexed, served
	$(VENV)/bin/rabkor demo

# pytest runs one xdist worker per core (addopts in pyproject.toml; -n0 for one process),
# and the PostgreSQL tests start a throwaway server from the installed binaries.
test: $(STAMP)  ## lint, the layering contracts, then the whole test suite (browser tests need /usr/bin/chromium)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

lint: $(STAMP)  ## ruff and the layering contracts (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

format: $(STAMP)  ## ruff format and import sorting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

run: $(STAMP)  ## serve with the pipeline on a schedule (settings in rabkor.toml)
	$(VENV)/bin/rabkor init
	$(VENV)/bin/rabkor run

bench: $(STAMP)  ## every benchmark under bench/, one after another (an hour or more; figures in bench/README.md)
	$(PY) -m bench.crawl
	$(PY) -m bench.translate
	$(PY) -m bench.translate.quality
	$(PY) -m bench.langid
	$(PY) -m bench.search
	$(PY) -m bench.desk
	$(PY) -m bench.site
	$(PY) -m bench.submissions
	$(PY) -m bench.stats

clean:  ## remove the venv and demo data
	rm -rf $(VENV) demo-data

messages: $(STAMP)  ## extract each web app's UI strings and update each language's catalog
	for app in site editor; do \
		$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location \
			--sort-output -o $$app/locales/messages.pot $$app && \
		for lang in es fr de pt ru zh ar; do \
			if [ -f $$app/locales/$$lang/LC_MESSAGES/messages.po ]; then \
				$(VENV)/bin/pybabel update -i $$app/locales/messages.pot -d $$app/locales \
					-l $$lang --no-fuzzy-matching; \
			else $(VENV)/bin/pybabel init -i $$app/locales/messages.pot -d $$app/locales \
				-l $$lang; fi; done; done
