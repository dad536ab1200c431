"""A post page shows the reproduction as a reader needs it: plumbing hidden, shown code short enough to read.

Read from each post notebook's source (``notebooks/<slug>.md``), so it fails before a build: glue, asserts and
verdict cells are hidden (``remove-input`` or ``remove-cell``), code a reader can open is at most
:data:`MAX_CODE_LINE` characters a line, every figure cell carries alt text. (Companion pages show their code as
worked steps and are not held to these rules.)
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from mlopsbook.paths import repo_root
from mlopsbook.posts import reproduction

ROOT = repo_root()
POSTS = sorted((ROOT / "notebooks").glob("*.md"))
MAX_CODE_LINE = 88
HIDDEN = {"remove-input", "remove-cell"}


def _code_cells(path: Path) -> list[dict]:
    nb = jupytext.read(path)
    return [c for c in nb.cells if c.cell_type == "code"]


def _tags(cell: dict) -> set[str]:
    return set(cell.metadata.get("tags", []))


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_glue_asserts_and_verdicts_are_hidden(post: Path):
    shown = [c for c in _code_cells(post) if not _tags(c) & HIDDEN]
    for c in shown:
        src = c.source
        assert "glue(" not in src and "assert " not in src and "post_claims.show(" not in src, (
            f"{post.name}: a cell a reader sees does plumbing (tag it remove-input or remove-cell):\n{src[:300]}")


@pytest.mark.parametrize("page", POSTS, ids=lambda p: p.stem)
def test_code_a_reader_can_open_fits_the_column(page: Path):
    if reproduction.published_path(page, ROOT).is_file():
        pytest.skip("an imported notebook: its code is its author's, shown as published")
    for c in _code_cells(page):
        if _tags(c) & {"remove-cell", "remove-input"}:
            continue
        long = [line for line in c.source.splitlines() if len(line) > MAX_CODE_LINE]
        assert not long, f"{page.name}: code lines over {MAX_CODE_LINE} characters:\n" + "\n".join(long)


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_every_figure_cell_has_alt_text(post: Path):
    for c in _code_cells(post):
        src = c.source
        if _tags(c) & {"remove-cell"} or not any(k in src for k in ("fig = ", "figure_")):
            continue
        alt = ((c.metadata.get("mystnb") or {}).get("image") or {}).get("alt", "")
        assert len(alt.split()) >= 5, f"{post.name}: a figure cell without alt text:\n{src[:200]}"
