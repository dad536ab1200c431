"""Colab, offline: a fresh Python 3.12 environment without ``mlopsbook`` runs the costs and decision snapshots.

Colab opens ``snapshots/notebooks/<...>.ipynb`` in Python 3.12 with no ``mlopsbook``. The snapshot's first cell
(:func:`mlopsbook.publishing.snapshots.install_cell`) clones the repository at the snapshot's commit and installs it; here its
source is pointed at this checkout (``MLOPSBOOK_SOURCE``) at ``HEAD`` (``MLOPSBOOK_COMMIT``), so nothing leaves the
machine but pip's requests to the package registry. Slow (a few minutes): part of ``make notebooks``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlopsbook.publishing import snapshots
from mlopsbook.paths import repo_root

ROOT = repo_root()
PAGES = ["notebooks/engineering-culture-leadership/costs.md", "notebooks/engineering-culture-leadership/decision.md"]
pytestmark = pytest.mark.slow

_RUN = r'''
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
try:
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
    err = ""
except Exception as exc:
    err = f"{type(exc).__name__}: {str(exc)[-1500:]}"
first = next(c for c in nb.cells if c.cell_type == "code")
text = "".join(o.get("text", "") for o in first.get("outputs", []))
print(json.dumps({"error": err, "install_output": text}))
'''


def _python312() -> str:
    """A Python 3.12 interpreter (Colab's): on PATH or pyenv's; a pyenv shim that cannot run is passed over."""
    cands = [shutil.which("python3.12")]
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
        cands += sorted(Path(root, "versions").glob("3.12*/bin/python3.12")) if root else []
    except OSError:
        pass
    for c in filter(None, cands):
        if subprocess.run([str(c), "-c", "import sys; assert sys.version_info[:2] == (3, 12)"],
                          capture_output=True).returncode == 0:
            return str(c)
    pytest.skip("no Python 3.12 on this machine")


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    base = tmp_path_factory.mktemp("colab")
    env = base / "env"
    subprocess.run([_python312(), "-m", "venv", str(env)], check=True)
    py = str(env / "bin" / "python")
    # What Colab's runtime has: a Python 3.12 kernel (and no mlopsbook)
    subprocess.run([py, "-m", "pip", "install", "--quiet", "ipykernel", "nbclient", "nbformat"], check=True)
    subprocess.run([py, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"], check=True,
                   capture_output=True)
    assert subprocess.run([py, "-c", "import mlopsbook"], capture_output=True, cwd=base).returncode != 0
    return base, py


def test_the_install_cell_is_first_and_silent_in_a_normal_run():
    for md in snapshots.notebook_sources():
        nb = json.loads(snapshots.snapshot_path(md).read_text())
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        assert snapshots.INSTALL_TAG in first["metadata"].get("tags", []), md
        assert first["outputs"] == [], f"{md}: the install cell printed something in a normal run"
        assert snapshots.repository_url() in "".join(first["source"])


@pytest.mark.parametrize("page", PAGES)
def test_snapshot_runs_top_to_bottom_in_a_fresh_python_312(colab, page):
    base, py = colab
    content = base / ("content-" + Path(page).stem)  # Colab's working folder, /content
    content.mkdir()
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    env = {**os.environ, "MLOPSBOOK_SOURCE": str(ROOT), "MLOPSBOOK_COMMIT": commit,
           "PATH": f"{Path(py).parent}:{os.environ['PATH']}", "VIRTUAL_ENV": str(Path(py).parent.parent)}
    env.pop("MLOPSBOOK_ROOT", None)
    snap = snapshots.snapshot_path(ROOT / page)
    out = subprocess.run([py, "-c", _RUN, str(snap), str(content)], cwd=content, env=env, capture_output=True,
                         text=True, timeout=1200)
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["error"] == "", res["error"]
    assert res["install_output"].startswith(f"Installing the book from {ROOT} at {commit[:12]}")
    assert len(res["install_output"].strip().splitlines()) == 1, res["install_output"]
