# Targets of the Lambda packages. Included from the Makefile.
DEPLOY_VENV  := .venv-deploy
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed

.PHONY: deploy-env lambda-template

## make deploy-env: cfn-lint and aws-sam-translator in their own environment (they pin pydantic below spaCy's)
deploy-env: $(DEPLOY_STAMP)
$(DEPLOY_STAMP): deploy/lambda/requirements.txt | $(STAMP)
	test -x $(DEPLOY_VENV)/bin/python || $(PYTHON) -m venv $(DEPLOY_VENV)
	$(UV_PIP) $(DEPLOY_VENV)/bin/python -r deploy/lambda/requirements.txt
	touch $(DEPLOY_STAMP)

## make lambda-template: regenerate deploy/lambda/template.yaml (SAM), then lint it
lambda-template: $(STAMP) $(DEPLOY_STAMP)
	$(BIN)/mlopsbook infer template --write
	$(DEPLOY_VENV)/bin/cfn-lint deploy/lambda/template.yaml
