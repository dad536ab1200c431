"""The Binder link a page's launch button must carry, derived from ``_config.yml`` as a reader's Binder needs it
(shared by the unit test of the launch buttons and the built site's test)."""

from __future__ import annotations

import yaml

from mlopsbook.paths import repo_root
from mlopsbook.publishing import sphinxext


def expected_binder(pagename: str) -> str:
    """Binder's URL for ``pagename``: the book's repository and branch, the page's ``.md`` in the configured interface."""
    config = yaml.safe_load((repo_root() / "_config.yml").read_text())
    owner, repo = sphinxext._repo_parts(config["repository"]["url"])
    prefix = {"classic": "tree", "jupyterlab": "lab/tree"}[config["launch_buttons"]["notebook_interface"]]
    return (f"{config['launch_buttons']['binderhub_url']}/v2/gh/{owner}/{repo}/{config['repository']['branch']}"
            f"?urlpath={prefix}/{pagename}.md")
