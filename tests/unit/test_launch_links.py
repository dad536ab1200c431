"""Launch buttons, derived from ``repository.url``: Binder opens the post's ``.md`` in the configured interface,
Colab opens the post's executed snapshot, which exists. (The built site's links: ``tests/site/test_site.py``.)"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml

from mlopsbook.publishing import sphinxext, snapshots
from mlopsbook.paths import repo_root

ROOT = repo_root()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
PAGES = [md.relative_to(ROOT).with_suffix("").as_posix() for md in snapshots.notebook_sources()]


def expected_binder(pagename: str) -> str:
    owner, repo = sphinxext._repo_parts(CONFIG["repository"]["url"])
    prefix = {"classic": "tree", "jupyterlab": "lab/tree"}[CONFIG["launch_buttons"]["notebook_interface"]]
    return (f"{CONFIG['launch_buttons']['binderhub_url']}/v2/gh/{owner}/{repo}/{CONFIG['repository']['branch']}"
            f"?urlpath={prefix}/{pagename}.md")


def _colab_url(pagename: str, repository_url: str) -> str:
    app = SimpleNamespace(config=SimpleNamespace(html_theme_options={"repository_url": repository_url,
                                                                     "repository_branch": "main"}))
    ctx = {"header_buttons": [{"buttons": [{"text": "Colab", "url": "https://colab.research.google.com/x.md"}]}]}
    sphinxext._launch_links(app, pagename, "page.html", ctx, None)
    return ctx["header_buttons"][0]["buttons"][0]["url"]


@pytest.mark.parametrize("pagename", PAGES)
def test_colab_link_names_the_snapshot_of_the_page_which_exists(pagename):
    url = _colab_url(pagename, CONFIG["repository"]["url"])
    owner, repo = sphinxext._repo_parts(CONFIG["repository"]["url"])
    assert url == (f"https://colab.research.google.com/github/{owner}/{repo}/blob/main/"
                   f"{snapshots.SNAPSHOT_DIR}/{pagename}.ipynb")
    assert (ROOT / snapshots.SNAPSHOT_DIR / f"{pagename}.ipynb").is_file()


def test_links_follow_repository_url():
    url = _colab_url("notebooks/engineering-culture-leadership", "https://github.com/someone/their-book")
    assert url.startswith("https://colab.research.google.com/github/someone/their-book/blob/main/snapshots/")


def test_binder_opens_the_md_in_the_configured_interface():
    assert CONFIG["launch_buttons"]["notebook_interface"] in ("classic", "jupyterlab")
    url = expected_binder("notebooks/engineering-culture-leadership")
    assert url.endswith("urlpath=tree/notebooks/engineering-culture-leadership.md") or "lab/tree/" in url
    # the .md is what opens: no same-named .ipynb beside it (the theme would link that instead)
    for page in PAGES:
        assert (ROOT / f"{page}.md").is_file() and not (ROOT / f"{page}.ipynb").exists()
