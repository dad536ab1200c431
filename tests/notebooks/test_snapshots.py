"""Every notebook is paired with a committed executed snapshot that matches it (nbval then compares outputs)."""

from __future__ import annotations

import copy
import json

import jupytext
import nbformat
import pytest

from mlopsbook import posts
from mlopsbook.publishing import snapshots
from mlopsbook.publishing.claims import records_from_notebook
from mlopsbook.paths import repo_root

NOTEBOOKS = snapshots.notebook_sources()
POSTS = posts.toc_posts(repo_root())


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: str(p.relative_to(repo_root())))
def test_snapshot_matches_its_notebook(md):
    assert snapshots.check_pair(md) == []


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: str(p.relative_to(repo_root())))
def test_snapshot_has_no_volatile_metadata_or_local_paths(md):
    text = snapshots.snapshot_path(md).read_text()
    nb = json.loads(text)
    assert all("execution" not in c.get("metadata", {}) for c in nb["cells"])
    for bad in (str(repo_root()), "/tmp/", "/root/"):
        assert bad not in text, f"{md}: snapshot contains the local path {bad}"


def test_every_notebook_of_the_toc_is_found():
    names = {p.relative_to(repo_root()).as_posix() for p in NOTEBOOKS}
    toc = [f for f in posts.book.toc_files(repo_root()) if f.startswith("notebooks/")]
    assert "notebooks/engineering-culture-leadership" in toc
    assert {f"{f}.md" for f in toc} <= names


def test_check_pair_detects_a_changed_code_cell(tmp_path, monkeypatch):
    md = repo_root() / "notebooks" / "engineering-culture-leadership.md"
    snap = nbformat.read(snapshots.snapshot_path(md), as_version=4)
    code = [c for c in snap.cells if c.cell_type == "code"]
    code[-1].source += "\n1 + 1"
    fake_root = tmp_path
    (fake_root / "_config.yml").write_text((repo_root() / "_config.yml").read_text())  # repository.url
    (fake_root / "notebooks").mkdir()
    (fake_root / "notebooks" / md.name).write_text(md.read_text())
    out = snapshots.snapshot_path(fake_root / "notebooks" / md.name, fake_root)
    out.parent.mkdir(parents=True)
    nbformat.write(snap, out)
    probs = snapshots.check_pair(fake_root / "notebooks" / md.name, fake_root)
    assert probs and "code cells differ" in probs[0] and "make snapshots" in probs[0]
    code[-1].source = code[-1].source.removesuffix("\n1 + 1")
    code[0]["execution_count"] = None
    nbformat.write(snap, out)
    probs = snapshots.check_pair(fake_root / "notebooks" / md.name, fake_root)
    assert probs == [f"{out}: code cells [{snap.cells.index(code[0])}] were not executed; run make snapshots"]


@pytest.mark.parametrize("slug", POSTS)
def test_every_declared_claim_has_exactly_one_verdict_in_the_snapshots(slug):
    """A post's verdicts are shown in the post or its companion pages, once each."""
    from mlopsbook.publishing import post_claims

    own = [md for md in NOTEBOOKS if md.relative_to(repo_root()).as_posix() == f"notebooks/{slug}.md"
           or md.relative_to(repo_root()).as_posix().startswith(f"notebooks/{slug}/")]
    seen: list[str] = []
    for md in own:
        seen += [r["claim_id"] for r in records_from_notebook(json.loads(snapshots.snapshot_path(md).read_text()))]
    declared = list(post_claims.declared(slug))
    assert sorted(seen, key=lambda c: int(c[1:])) == declared


def test_install_cell_is_checked_and_left_out_of_the_code_comparison(tmp_path):
    md = repo_root() / "notebooks" / "engineering-culture-leadership" / "costs.md"
    snap = nbformat.read(snapshots.snapshot_path(md), as_version=4)
    fake = tmp_path / "notebooks" / "engineering-culture-leadership"
    fake.mkdir(parents=True)
    (tmp_path / "_config.yml").write_text((repo_root() / "_config.yml").read_text())
    (fake / md.name).write_text(md.read_text())
    out = snapshots.snapshot_path(fake / md.name, tmp_path)
    out.parent.mkdir(parents=True)
    nbformat.write(snap, out)
    assert snapshots.check_pair(fake / md.name, tmp_path) == []
    # Missing: Colab would fail on the first import
    without = copy.deepcopy(snap)
    without.cells = [c for c in without.cells if snapshots.INSTALL_TAG not in c.metadata.get("tags", [])]
    nbformat.write(without, out)
    assert [p for p in snapshots.check_pair(fake / md.name, tmp_path) if "install cell Colab needs" in p]
    # Output in a normal run: nbval would compare a message that depends on the machine
    noisy = copy.deepcopy(snap)
    first = next(c for c in noisy.cells if c.cell_type == "code")
    first.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Installing ...\n")]
    nbformat.write(noisy, out)
    assert [p for p in snapshots.check_pair(fake / md.name, tmp_path) if "has output in a normal run" in p]
    # An older install cell (the template changed since): Colab readers would run the old one
    stale = copy.deepcopy(snap)
    first = next(c for c in stale.cells if c.cell_type == "code")
    first.source = first.source.replace('"[colab]"', '"[book]"')
    nbformat.write(stale, out)
    assert [p for p in snapshots.check_pair(fake / md.name, tmp_path) if "not the current one" in p]


def test_install_cell_names_the_repository_the_commit_and_the_folder(monkeypatch):
    md = repo_root() / "notebooks" / "engineering-culture-leadership" / "costs.md"
    monkeypatch.setenv(snapshots.COMMIT_ENV, "0123456789abcdef0123456789abcdef01234567")
    cell = snapshots.install_cell(md)
    assert snapshots.repository_url() in cell.source
    assert "0123456789abcdef0123456789abcdef01234567" in cell.source
    assert "'notebooks/engineering-culture-leadership'" in cell.source
    compile(cell.source, "install-cell", "exec")
    nb = snapshots.with_install_cell(snapshots.with_install_cell(jupytext.read(md), md), md)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert snapshots.INSTALL_TAG in code[0].metadata["tags"]
    assert sum(snapshots.INSTALL_TAG in c.metadata.get("tags", []) for c in code) == 1


def test_install_cell_does_nothing_where_the_book_is_found(tmp_path):
    """Run in this environment (the book importable): no output, no clone, no install."""
    import contextlib
    import io

    md = repo_root() / "notebooks" / "engineering-culture-leadership" / "costs.md"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(snapshots.install_cell(md, commit="0" * 40).source, "install-cell", "exec"), {})
    assert buf.getvalue() == ""
