"""Integration: the notebook, reStructuredText and other-format fixture posts, imported together into one book from
inside it (no --out), check and build strictly (-W); an imported notebook's page and the ledger show whether it
reproduces as published, the first differing cell linked.

The fixture notebooks import packages the book lacks (plotly, bokeh, fastlinkcheck), so this book does not execute
notebooks; the comparison reads the published record and the snapshot, copied from the project's two notebook posts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tinybook
from real_posts import FIXTURES, NOTEBOOK_POSTS, TEXT_POSTS

from mlopsbook.paths import repo_root

PAGES = {"book/claims": "# The claims ledger\n\n```{claims-ledger}\n```\n"}
IN_BOOK = ("basic-numerical-integration-the-trapezoid-rule", "lambda-filter-and-map-functions-in-python")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notebook-posts")
    book = tinybook.make(tmp, {}, pages=PAGES)
    config = book / "_config.yml"
    config.write_text(config.read_text().replace("execute_notebooks: cache", "execute_notebooks: \"off\""))
    sources = [FIXTURES / f for f in [*NOTEBOOK_POSTS, *TEXT_POSTS]]
    env = {**os.environ, "MLOPSBOOK_ROOT": ""}
    r = subprocess.run([sys.executable, "-m", "mlopsbook", "posts", "import", *map(str, sources), "--date",
                        "2015-02-27", "--force"], cwd=book / "notebooks", capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    slugs = [Path(line).stem for line in r.stdout.split()]
    for slug in IN_BOOK:  # the book's run of the two posts the project executes
        snap = book / "snapshots" / "notebooks" / f"{slug}.ipynb"
        snap.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo_root() / "snapshots" / "notebooks" / f"{slug}.ipynb", snap)
    tinybook.write_toc(book, slugs, list(PAGES))
    return book, slugs, r, tinybook.build(book)


def test_every_fixture_imports_into_the_book_found_from_the_current_folder(built):
    book, slugs, imported, _ = built
    assert len(slugs) == len(NOTEBOOK_POSTS) + len(TEXT_POSTS)
    assert all((book / "notebooks" / f"{s}.md").is_file() for s in slugs)
    assert (book / "snapshots" / "published" / "notebooks" / f"{IN_BOOK[1]}.ipynb").is_file()
    assert "Traceback" not in imported.stderr


def test_they_check_and_build_together_strictly(built):
    *_, result = built
    assert result.returncode == 0, tinybook.tail(result)


def test_the_pages_say_whether_they_reproduce_as_published(built):
    book, *_ = built
    page = (book / "_build" / "html" / "notebooks" / f"{IN_BOOK[1]}.html").read_text()
    m = re.search(r"Reproduces as published: </strong>(\d+) of (\d+) outputs", page)
    assert m and int(m.group(1)) < int(m.group(2))
    first = re.search(r'href="#(published-cell-\d+)"', page)
    assert first and f'id="{first.group(1)}"' in page
    trapezoid = (book / "_build" / "html" / "notebooks" / "basic-numerical-integration-the-trapezoid-rule.html")
    assert "Reproduces as published" in trapezoid.read_text() and "not compared (1: image)" in trapezoid.read_text()
    demo = (book / "_build" / "html" / "notebooks" / "demo.html").read_text()
    assert "Not run by the book" in demo
    ledger = (book / "_build" / "html" / "book" / "claims.html").read_text()
    assert "imported as notebooks" in ledger and f"{IN_BOOK[1]}.html#published-cell-" in ledger
