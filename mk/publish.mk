# Targets of publishing and re-verification (GitHub Pages, the weekly proof). Included from the Makefile.
ACTIONS_VENV  := .venv-actions
ACTIONS_STAMP := $(ACTIONS_VENV)/.installed
# make publish: the remote and branch ghp-import pushes the built site to
PUBLISH_REMOTE ?= origin
PUBLISH_BRANCH ?= gh-pages
BOOK_HTML      ?= _build/html
# make reverify: AWS Price List offer files to refresh the price table from (none: the committed prices)
OFFER_FILES    ?=
REVERIFY_BASE  ?= HEAD
REVERIFY_OUT   ?= build/reverify

.PHONY: actions-env publish reverify

## make actions-env: actionlint and zizmor in their own environment (the workflows' checkers)
actions-env: $(ACTIONS_STAMP)
$(ACTIONS_STAMP): requirements-actions.txt | $(STAMP)
	test -x $(ACTIONS_VENV)/bin/python || $(PYTHON) -m venv $(ACTIONS_VENV)
	$(UV_PIP) $(ACTIONS_VENV)/bin/python -r requirements-actions.txt
	touch $(ACTIONS_STAMP)

## make publish [PUBLISH_REMOTE=origin PUBLISH_BRANCH=gh-pages]: build the book, then push _build/html to the
## gh-pages branch with ghp-import (for authors without GitHub Actions; set Pages to deploy from that branch)
publish: book
	$(BIN)/ghp-import --no-jekyll --push --force --remote $(PUBLISH_REMOTE) --branch $(PUBLISH_BRANCH) \
	  --message "Publish the book from $$(git rev-parse --short HEAD)" $(BOOK_HTML)

## make reverify [OFFER_FILES="lambda.json fargate.json"]: every notebook executed afresh (prices refreshed in place
## from the offer files when given), then every verdict and glued number compared with the committed snapshots;
## fails naming each claim that moved and what moved it (report in build/reverify/)
reverify: $(STAMP) airflow-env
	mkdir -p $(REVERIFY_OUT)
	$(if $(strip $(OFFER_FILES)),$(BIN)/mlopsbook prices refresh --in-place $(foreach f,$(OFFER_FILES),--offer-file $(f)))
	$(BIN)/mlopsbook snapshots
	$(BIN)/mlopsbook claims diff $(REVERIFY_BASE) --report $(REVERIFY_OUT)/report.md --json $(REVERIFY_OUT)/report.json
