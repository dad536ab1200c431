# The two commands: `make book` builds the site, `make test` runs the whole suite, layer by layer. Both create .venv first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Extra notebooks for `make snapshots NB=...` (default: all of them)
NB     ?=
# `make book FRESH=1`: execute every notebook instead of reusing the executions whose record still holds
FRESH  ?=

export RAY_USAGE_STATS_ENABLED := 0
export PYTHONHASHSEED := 0

.PHONY: book test venv installs snapshots check-posts unit integration notebooks site bench lambda-packages models kernels \
	clean

# Every environment is installed by uv (pinned in requirements.txt): the same pins as pip, in a fraction of its time.
# Binder installs requirements.txt with pip (repo2docker), then its postBuild uses uv; Colab's install cell uses pip.
UV_PIN     := $(shell grep -m1 '^uv==' requirements.txt)
UV         := $(BIN)/uv
# --compile-bytecode: as pip does, so that no Ray worker or kernel compiles the libraries on its first import
UV_PIP      = $(UV) pip install --quiet --compile-bytecode --python

venv: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(UV_PIN)
	$(UV_PIP) $(BIN)/python --upgrade pip -r requirements.txt
	touch $(STAMP)

check-posts: $(STAMP) airflow-env
	$(BIN)/mlopsbook posts check notebooks

## make book [FRESH=1]: build _build/html; each notebook is rendered from its snapshot (or the build's cache) while its
## execution record matches the tree (no kernel), executed when something it used changed (or with FRESH=1); fails on
## a cell error, an invalid post or a broken reference
book: check-posts
	$(BIN)/mlopsbook book $(if $(FRESH),--fresh)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

## make snapshots [NB=notebooks/x.md]: re-execute notebooks into snapshots/ (the executed pairs nbval compares)
snapshots: $(STAMP) airflow-env
	$(BIN)/mlopsbook snapshots $(NB)

# One test layer: pytest on $(2) with $(3) (every skip is listed with its reason by tests/conftest.py), then the layer's
# wall time; the layer's exit status is pytest's.
define layer
	@start=$$(date +%s); status=0; $(BIN)/python -m pytest -q --durations=15 $(2) $(3) || status=$$?; \
	echo "== layer $(1): $$(( $$(date +%s) - start )) s (pytest exit $$status)"; exit $$status
endef

## make unit: the library's and the posts' unit tests: no Ray, no Airflow, no book build, no network, no new
## environment (under 3 minutes on 2 cores)
unit: $(STAMP)
	$(call layer,unit,tests/unit tests/posts,-m unit)

## make integration: live Ray and Serve, multi-node clusters, Airflow, fixture books built, packaging, scanners,
## cfn-lint, promtool; each expensive fixture started once (tests/integration/conftest.py)
integration: $(STAMP) airflow-env scan-env deploy-env actions-env
	$(call layer,integration,tests/integration tests/posts,-m integration)

## make notebooks: the notebook layer, each notebook executed once: strict nbval on its snapshot (every output compared)
## in a reader's conditions (fresh environment from requirements.txt, postBuild, MEM_LIMIT 2 GiB), each within 5
## minutes and 2 GB (summed PSS; figures in build/notebooks.json); then the costs and decision snapshots in a fresh
## Python 3.12 without mlopsbook, as Colab runs them
notebooks: $(STAMP)
	$(BIN)/python -m pytest -q -rs -s --durations=25 tests/notebooks

## make site: the book, then the built site in Chromium
site: book
	$(call layer,site,tests/site,-m site)

## make test: the environments, then the layers in order of cost, stopping at the first that fails; each one's time
## printed at the end
LAYERS := installs unit integration notebooks book site
installs: venv airflow-env scan-env deploy-env actions-env
test:
	@mkdir -p build; rm -f build/layer-times.txt; status=0; \
	for layer in $(LAYERS); do t0=$$(date +%s); \
	  $(MAKE) --no-print-directory $$layer || status=$$?; \
	  echo "$$layer: $$(( $$(date +%s) - t0 )) s$$([ $$status = 0 ] || echo ', FAILED: the later layers were not run')" \
	    >> build/layer-times.txt; \
	  [ $$status = 0 ] || break; \
	done; echo "== time by layer"; cat build/layer-times.txt; exit $$status

## make bench: every benchmark in benchmarks/ (prints figures and ratios against named baselines)
bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## make lambda-packages: each NLP service as a Lambda .zip for python3.12 in dist/lambda/ (wheels for the runtime, cached
## in build/wheelhouse/: offline once filled), audited, then each zip answering a real event in AWS's runtime client
lambda-packages: $(STAMP)
	$(BIN)/mlopsbook infer package --out dist/lambda
	$(BIN)/mlopsbook infer runtime-measure --out dist/lambda --runs 1

## make models: retrain both NLP models into a new dated artefact, data/models/legal-nlp-<today>/ (the only way models
## are trained: nothing trains on first use); then set SHIPPED in src/mlopsbook/nlp/artefact.py and re-record
models: $(STAMP)
	$(BIN)/mlopsbook infer train --record

## make kernels: the shipped models' held-out outputs with BLIS, OpenBLAS and NumPy forced to each x86-64 kernel family
kernels: $(STAMP)
	$(BIN)/mlopsbook infer kernels

# Targets of optional engines (Airflow's own environment, ...)
-include mk/*.mk

clean:
	rm -rf _build dist
