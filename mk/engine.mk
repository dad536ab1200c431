# Targets of the Ray / KubeRay / Airflow engine. Included from the Makefile.
AIRFLOW_VENV  := .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed
AIRFLOW_HOME_DIR ?= $(CURDIR)/build/airflow-home
AIRFLOW_DAY   ?= 2024-01-25

.PHONY: airflow-env dag-test engine-manifests engine-test

## make airflow-env: Airflow 3.3.2 in its own environment (it pins fastapi<0.137; Ray Serve runs with 0.165)
airflow-env: $(AIRFLOW_STAMP)
$(AIRFLOW_STAMP): airflow/requirements.txt airflow/constraints.txt airflow/make-env pyproject.toml | $(STAMP)
	UV=$(abspath $(UV)) airflow/make-env $(PYTHON) $(AIRFLOW_VENV)

## make dag-test [AIRFLOW_DAY=2024-01-25]: run the bulk DAG for one date on generated input (build/engine/)
dag-test: $(STAMP) $(AIRFLOW_STAMP)
	$(BIN)/mlopsbook engine inputs --days $(AIRFLOW_DAY) --docs-per-day 200 --out build/engine/documents
	mkdir -p $(AIRFLOW_HOME_DIR)
	AIRFLOW_HOME=$(AIRFLOW_HOME_DIR) AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/airflow/dags \
	  AIRFLOW__CORE__LOAD_EXAMPLES=False $(AIRFLOW_VENV)/bin/airflow db migrate > /dev/null
	AIRFLOW_HOME=$(AIRFLOW_HOME_DIR) AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/airflow/dags \
	  AIRFLOW__CORE__LOAD_EXAMPLES=False MLOPSBOOK_BULK_INPUT=$(CURDIR)/build/engine/documents \
	  MLOPSBOOK_BULK_OUTPUT=$(CURDIR)/build/engine/scored MLOPSBOOK_BIN=$(CURDIR)/$(BIN)/mlopsbook \
	  $(AIRFLOW_VENV)/bin/airflow dags test mlopsbook_bulk_scoring $(AIRFLOW_DAY)

## make engine-manifests: regenerate deploy/kuberay/*.yaml (validated against the KubeRay CRDs, hardened)
engine-manifests: $(STAMP)
	$(BIN)/mlopsbook engine manifests --write

## make engine-test: the engine's tests (the Airflow ones need airflow-env)
engine-test: $(STAMP) $(AIRFLOW_STAMP)
	$(BIN)/python -m pytest -q tests/unit/test_engine_idempotent.py tests/unit/test_manifests.py tests/unit/test_engine_load.py \
	  tests/integration/test_engine_bulk.py tests/integration/test_engine_serve.py tests/integration/test_airflow_dag.py
