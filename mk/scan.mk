# Targets of the security scanners. Included from the Makefile.
SCAN_VENV  := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed

.PHONY: scan-env scan security-report

## make scan-env: checkov and bandit in their own environment (checkov pins its own dependency tree)
scan-env: $(SCAN_STAMP)
$(SCAN_STAMP): requirements-scan.txt | $(STAMP)
	test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(UV_PIP) $(SCAN_VENV)/bin/python -r requirements-scan.txt
	touch $(SCAN_STAMP)

## make scan: checkov on deploy/ (with the KubeRay pod templates as plain Pods) and bandit on the Python code
scan: $(STAMP) $(SCAN_STAMP)
	$(BIN)/python -m pytest -q tests/integration/test_scanners.py

## make security-report: rewrite deploy/SECURITY.md's generated sections from a real run of the scanners
security-report: $(STAMP) $(SCAN_STAMP) $(DEPLOY_STAMP)
	$(BIN)/mlopsbook security report --write
