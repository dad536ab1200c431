# Targets of the security scanners (issue 18). Included from the Makefile.
SCAN_VENV  := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed

.PHONY: scan-env scan

## make scan-env: checkov and bandit in their own environment (checkov pins its own dependency tree)
scan-env: $(SCAN_STAMP)
$(SCAN_STAMP): requirements-scan.txt
	test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt
	touch $(SCAN_STAMP)

## make scan: checkov on deploy/ (with the KubeRay pod templates as plain Pods) and bandit on the Python code
scan: $(STAMP) $(SCAN_STAMP)
	$(BIN)/python -m pytest -q tests/integration/test_scanners.py
