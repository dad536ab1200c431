"""Executed notebook snapshots for strict regression testing (nbval).

Every MyST notebook ``notebooks/**/X.md`` is paired with an executed ``snapshots/notebooks/**/X.ipynb``, kept out of
the book's source tree (a same-named ``.ipynb`` beside the ``.md`` would make Sphinx see two sources). nbval
re-executes each snapshot and compares every output strictly. :func:`check_pair` proves that a snapshot belongs to its
``.md``: the same code cells in the same order, every one executed.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from mlopsbook.paths import repo_root

SNAPSHOT_DIR = "snapshots"


def notebook_sources(root: Path | None = None) -> list[Path]:
    """Every MyST notebook under ``notebooks/`` (posts and their companion pages)."""
    root = root or repo_root()
    return sorted(p for p in (root / "notebooks").rglob("*.md") if jupytext.read(p).metadata.get("kernelspec"))


def snapshot_path(md: Path, root: Path | None = None) -> Path:
    root = root or repo_root()
    rel = md.resolve().relative_to(root.resolve())
    return root / SNAPSHOT_DIR / rel.with_suffix(".ipynb")


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source.strip() for c in nb.cells if c.cell_type == "code"]


def execute(md: Path, timeout_s: int = 900) -> nbformat.NotebookNode:
    """Execute a MyST notebook in its own folder and return it, with volatile metadata removed."""
    nb = jupytext.read(md)
    NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                   resources={"metadata": {"path": str(md.parent)}}).execute()
    return clean(nb)


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip timing metadata and give cells stable ids, so re-running changes nothing but real outputs."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def write(md: Path, root: Path | None = None) -> Path:
    """Execute ``md`` and write its snapshot; returns the snapshot path."""
    out = snapshot_path(md, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(execute(md), out)
    return out


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
    unexecuted = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count") is None]
    if unexecuted:
        probs.append(f"{snap}: code cells {unexecuted} were not executed; {hint}")
    return probs
