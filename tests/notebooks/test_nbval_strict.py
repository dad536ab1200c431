"""nbval compares outputs strictly: an edited number in a snapshot fails the notebook regression run.

The check runs on a quick notebook of the book (the playbook, a few seconds) with the same options as the notebook
layer (`make notebooks`); every snapshot is compared the same way there.
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat

from mlopsbook.publishing import snapshots
from mlopsbook.paths import repo_root

NOTEBOOK = repo_root() / "notebooks" / "engineering-culture-leadership" / "playbook.md"


def _nbval(path) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", str(path),
         "--nbval-sanitize-with", str(repo_root() / "tests" / "nbval_sanitize.cfg")],
        capture_output=True, text=True, cwd=path.parent, timeout=900,
    )


def test_an_edited_output_fails_nbval(tmp_path):
    nb = nbformat.read(snapshots.snapshot_path(NOTEBOOK), as_version=4)
    edited = False
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for mime in ("text/markdown", "text/plain"):
                text = data.get(mime)
                if not edited and text and "minutes" in text and re.search(r"\b(\d+)\b", text):
                    data[mime] = re.sub(r"\b(\d+)\b", lambda m: str(int(m.group(1)) + 1), text, count=1)
                    marker = re.search(r"\b(\d+)\b", data[mime]).group(1)
                    edited = True
    assert edited, "the playbook's snapshot should show the interview loop with its minutes"
    target = tmp_path / "edited.ipynb"
    nbformat.write(nb, target)
    r = _nbval(target)
    assert r.returncode != 0
    assert marker in r.stdout


def test_the_untouched_snapshot_passes(tmp_path):
    target = tmp_path / "same.ipynb"
    target.write_bytes(snapshots.snapshot_path(NOTEBOOK).read_bytes())
    r = _nbval(target)
    assert r.returncode == 0, r.stdout[-2000:]
