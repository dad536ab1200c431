"""Executed notebook snapshots for strict regression testing (nbval).

Every MyST notebook ``notebooks/**/X.md`` is paired with an executed ``snapshots/notebooks/**/X.ipynb``, kept out of
the book's source tree (a same-named ``.ipynb`` beside the ``.md`` would make Sphinx see two sources). nbval
re-executes each snapshot and compares every output strictly. :func:`check_pair` proves that a snapshot belongs to its
``.md``: the same code cells in the same order, every one executed.

A snapshot is also what Colab opens (Colab cannot read MyST). Its first code cell, :func:`install_cell`, exists only
in the snapshot: when ``mlopsbook`` cannot be imported (Colab), it clones the book's repository (``repository.url``
of ``_config.yml``) at the commit the snapshot was made from, installs it (``mlopsbook[colab]``, at the versions ``requirements.txt`` pins, which the recorded measurements
were made with), points
``MLOPSBOOK_ROOT`` at the clone and moves to the notebook's folder in it, printing one line; wherever the book is
found (the book's build, nbval, Binder) it does nothing and prints nothing. :func:`check_pair` leaves it out of the
comparison.

A snapshot also carries the record of the run that made it (``metadata.mlopsbook.execution``): what the run read and
imported, hashed, and when and where it ran (:mod:`mlopsbook.publishing.execution`, which makes snapshots).
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path

import jupytext
import nbformat
import yaml

from mlopsbook.paths import repo_root

SNAPSHOT_DIR = "snapshots"
INSTALL_TAG = "colab-install"
"""The tag of the snapshot-only install cell."""
COMMIT_ENV = "MLOPSBOOK_COMMIT"
"""Overrides the commit written into the install cell (default: ``git rev-parse HEAD`` when the snapshot is made)."""

_INSTALL_TEMPLATE = '''# Colab: install the book (library and data) at the commit this page was built from; elsewhere this does nothing.
try:
    from mlopsbook.paths import repo_root
    repo_root()
except (ImportError, FileNotFoundError):
    import importlib, os, subprocess, sys
    src = os.environ.get("MLOPSBOOK_SOURCE", {url!r})
    commit = os.environ.get("MLOPSBOOK_COMMIT", {commit!r})
    dest = os.path.abspath("mlopsbook-book")
    print(f"Installing the book from {{src}} at {{commit[:12]}} (first run: about a minute)", flush=True)
    if not os.path.isdir(dest):
        subprocess.run(["git", "clone", "--quiet", src, dest], check=True)
    subprocess.run(["git", "-C", dest, "checkout", "--quiet", commit], check=True)
    pins = os.path.join(dest, "build-pins.txt")  # the book's pinned versions: the recorded measurements match them
    with open(os.path.join(dest, "requirements.txt")) as req, open(pins, "w") as out:
        out.writelines(line for line in req if "==" in line and "[" not in line)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-c", pins, dest + "[colab]"], check=True)
    os.environ["MLOPSBOOK_ROOT"] = dest
    os.chdir(os.path.join(dest, {folder!r}))
    importlib.invalidate_caches()'''


def notebook_sources(root: Path | None = None) -> list[Path]:
    """Every MyST notebook under ``notebooks/`` (posts and their companion pages)."""
    root = root or repo_root()
    return sorted(p for p in (root / "notebooks").rglob("*.md") if jupytext.read(p).metadata.get("kernelspec"))


def snapshot_path(md: Path, root: Path | None = None) -> Path:
    root = root or repo_root()
    rel = md.resolve().relative_to(root.resolve())
    return root / SNAPSHOT_DIR / rel.with_suffix(".ipynb")


def _is_install_cell(cell: nbformat.NotebookNode) -> bool:
    return INSTALL_TAG in cell.get("metadata", {}).get("tags", [])


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source.strip() for c in nb.cells if c.cell_type == "code" and not _is_install_cell(c)]


def repository_url(root: Path | None = None) -> str:
    """``repository.url`` of ``_config.yml``: the book's public repository."""
    root = root or repo_root()
    return str(yaml.safe_load((root / "_config.yml").read_text())["repository"]["url"])


def source_commit(root: Path | None = None) -> str:
    """The commit a snapshot is made from: ``$MLOPSBOOK_COMMIT``, else ``git rev-parse HEAD`` of the checkout."""
    if os.environ.get(COMMIT_ENV):
        return os.environ[COMMIT_ENV]
    root = root or repo_root()
    out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"cannot name the commit of {root} (git rev-parse HEAD failed); set {COMMIT_ENV}")
    return out.stdout.strip()


def install_cell(md: Path, root: Path | None = None, commit: str | None = None) -> nbformat.NotebookNode:
    """The snapshot-only first code cell that installs the book where ``mlopsbook`` is missing (Colab)."""
    root = root or repo_root()
    folder = md.resolve().parent.relative_to(root.resolve()).as_posix()
    src = _INSTALL_TEMPLATE.format(url=repository_url(root), commit=commit or source_commit(root), folder=folder)
    return nbformat.v4.new_code_cell(src, metadata={"tags": [INSTALL_TAG]})


def with_install_cell(nb: nbformat.NotebookNode, md: Path, root: Path | None = None,
                      commit: str | None = None) -> nbformat.NotebookNode:
    """``nb`` with :func:`install_cell` before its first code cell (replacing an earlier one)."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not _is_install_cell(c)]
    first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
    nb.cells.insert(first, install_cell(md, root, commit))
    return nb


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip timing metadata and give cells stable ids, so re-running changes nothing but real outputs."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def check_pair(md: Path, root: Path | None = None) -> list[str]:
    """Problems with the snapshot of ``md`` (empty when it is consistent)."""
    snap = snapshot_path(md, root)
    hint = "run make snapshots"
    if not snap.is_file():
        return [f"{md}: no snapshot at {snap}; {hint}"]
    nb, src = nbformat.read(snap, as_version=4), jupytext.read(md)
    probs = []
    if _code(nb) != _code(src):
        probs.append(f"{md}: code cells differ from its snapshot {snap}; {hint}")
    unexecuted = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and c.get("execution_count") is None and c.source.strip()]
    if unexecuted:
        probs.append(f"{snap}: code cells {unexecuted} were not executed; {hint}")
    first = next((c for c in nb.cells if c.cell_type == "code"), None)
    if first is None or not _is_install_cell(first):
        probs.append(f"{snap}: its first code cell is not the install cell Colab needs; {hint}")
    elif first.get("outputs"):
        probs.append(f"{snap}: the install cell has output in a normal run; {hint}")
    else:
        m = re.search(r'"MLOPSBOOK_COMMIT", \'([0-9a-f]+)\'', first.source)
        if m is None or first.source != install_cell(md, root, m.group(1)).source:
            probs.append(f"{snap}: its install cell is not the current one (snapshots.install_cell); {hint}")
    return probs
