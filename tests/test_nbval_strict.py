"""nbval compares outputs strictly: an edited number in a snapshot fails the notebook regression run."""

from __future__ import annotations

import subprocess
import sys

import nbformat

from mlopsbook import snapshots
from mlopsbook.paths import repo_root

POST = repo_root() / "notebooks" / "engineering-culture-leadership.md"


def _nbval(path) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", str(path),
         "--nbval-sanitize-with", str(repo_root() / "tests" / "nbval_sanitize.cfg")],
        capture_output=True, text=True, cwd=path.parent, timeout=900,
    )


def test_an_edited_output_fails_nbval(tmp_path):
    nb = nbformat.read(snapshots.snapshot_path(POST), as_version=4)
    edited = False
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain")
            if text and "Verdict on C12" in text:
                out["data"]["text/plain"] = text.replace("C12", "C13", 1)
                edited = True
    assert edited, "the post's snapshot should show the verdict on C12"
    target = tmp_path / "edited.ipynb"
    nbformat.write(nb, target)
    r = _nbval(target)
    assert r.returncode != 0
    assert "C13" in r.stdout


def test_the_untouched_snapshot_passes(tmp_path):
    target = tmp_path / "same.ipynb"
    target.write_bytes(snapshots.snapshot_path(POST).read_bytes())
    r = _nbval(target)
    assert r.returncode == 0, r.stdout[-2000:]
