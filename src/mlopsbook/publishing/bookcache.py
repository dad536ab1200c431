"""Prepare the book's execution cache: ``jupyter-book build`` starts no kernel for a notebook whose evidence holds.

Jupyter Book 1 (myst-nb's ``cache`` mode) renders a notebook from jupyter-cache (``_build/.jupyter_cache``) when an
entry matches its code cells, and executes it otherwise. jupyter-cache keys on code cells only: it cannot see an
edited module or data file. :func:`prepare` runs before the build and leaves, for every notebook of ``_toc.yml``,
exactly one cache entry whose execution record (:mod:`mlopsbook.publishing.execution`) is current:

- the entry already there, when its record is current (a warm rebuild does nothing);
- else the committed snapshot's outputs, when the snapshot's record is current (a fresh clone starts no kernel);
- else a new execution, recorded (``make book`` executes the notebooks whose key changed, and only them);

and with ``fresh`` (``make book FRESH=1``) a new execution of every notebook. Each entry carries its record, with
``origin`` ``snapshot`` (reused) or ``build`` (executed for this build); :data:`RECORDS` lists them by page for the
Sphinx extension, which says on every page, verdict card and ledger card when and where the evidence was executed.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import time
from pathlib import Path
from typing import Callable

import nbformat

from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import repo_root
from mlopsbook.publishing import execution, snapshots

CACHE_DIR = "_build/.jupyter_cache"
"""``execute.cache`` of ``_config.yml``."""
RECORDS = "_build/.mlopsbook/executions.json"
"""``{docname: record}`` for the pages of the build (read by :mod:`mlopsbook.publishing.sphinxext`)."""
DATA_KEY = "mlopsbook_execution"


@dataclasses.dataclass(frozen=True)
class Prepared:
    """What :func:`prepare` did for one notebook: ``cached`` (entry kept), ``snapshot`` (reused), ``executed``."""

    docname: str
    action: str
    seconds: float
    record: execution.Record


def _md_notebook(md: Path) -> nbformat.NotebookNode:
    """The notebook as myst-nb reads the page (so that its cache lookup finds what we store)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(md.read_text("utf8"), add_source_map=True, path=str(md))


def _with_outputs(md_nb: nbformat.NotebookNode, executed: nbformat.NotebookNode, md: Path) -> nbformat.NotebookNode:
    """The page's notebook with the executed code cells' outputs (the snapshot-only install cell left out)."""
    ran = [c for c in executed.cells if c.cell_type == "code"
           and snapshots.INSTALL_TAG not in c.get("metadata", {}).get("tags", [])]
    nb = copy.deepcopy(md_nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if [c.source.strip() for c in code] != [c.source.strip() for c in ran]:
        raise MlopsbookError(f"{md}: its code cells differ from the executed notebook's")
    for mine, theirs in zip(code, ran):
        mine.outputs = copy.deepcopy(theirs.get("outputs", []))
        mine.execution_count = theirs.get("execution_count")
    if "language_info" in executed.metadata:
        nb.metadata["language_info"] = executed.metadata["language_info"]
    return nb


def _cached_record(cache: object, md_nb: nbformat.NotebookNode) -> tuple[int, execution.Record | None] | None:
    try:
        entry = cache.match_cache_notebook(md_nb)  # type: ignore[attr-defined]
    except KeyError:
        return None
    data = entry.data.get(DATA_KEY)
    return entry.pk, execution.Record.from_json(data) if isinstance(data, dict) else None


def executes_notebooks(root: Path) -> bool:
    """Whether the book executes notebooks at all (``execute.execute_notebooks`` of ``_config.yml`` is not ``off``:
    a book that renders its pages as written, as a book of imported posts may, gets no execution from here either)."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text()) or {}
    mode = (config.get("execute") or {}).get("execute_notebooks", "auto")
    return mode not in (False, "off")


def prepare(root: Path | None = None, fresh: bool = False,
            log: Callable[[str], None] = print) -> list[Prepared]:
    """Leave one current execution per notebook of the book in its cache (see the module's doc); returns what was
    done for each. A notebook whose execution fails raises :class:`MlopsbookError` naming it and the cell."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from mlopsbook.publishing.readerrun import toc_notebooks

    root = (root or repo_root()).resolve()
    cache = get_cache(str(root / CACHE_DIR))
    done: list[Prepared] = []
    executes = executes_notebooks(root)
    if not executes:
        log("execute_notebooks is off in _config.yml: pages are rendered without executing them")
    for md in toc_notebooks(root) if executes else []:
        t0 = time.monotonic()
        docname = md.relative_to(root).with_suffix("").as_posix()
        md_nb = _md_notebook(md)
        found = _cached_record(cache, md_nb)
        if found and not fresh and execution.is_current(found[1], md, root):
            done.append(Prepared(docname, "cached", time.monotonic() - t0, found[1]))  # type: ignore[arg-type]
            continue
        if found:
            cache.remove_cache(found[0])
        snap = snapshots.snapshot_path(md, root)
        rec = execution.snapshot_record(snap) if snap.is_file() else None
        nb = None
        if not fresh and execution.is_current(rec, md, root) and not snapshots.check_pair(md, root):
            nb = _with_outputs(md_nb, nbformat.read(snap, as_version=4), md)
            action, rec = "snapshot", dataclasses.replace(rec, origin="snapshot")  # type: ignore[arg-type]
        if nb is None:
            why = ("FRESH=1" if fresh else "no snapshot" if not snap.is_file()
                   else execution.stale_message(md, root) or "; ".join(snapshots.check_pair(md, root)))
            log(f"executing {docname} ({why})")
            ran = execution.run(md, root)
            action, rec = "executed", dataclasses.replace(ran.record, origin="build")
            nb = _with_outputs(md_nb, ran.nb, md)
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(md), data={DATA_KEY: rec.to_json()}),
                                    check_validity=False, overwrite=True)
        done.append(Prepared(docname, action, time.monotonic() - t0, rec))
    out = root / RECORDS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({p.docname: p.record.to_json() for p in done}, indent=1, sort_keys=True))
    return done


def load_records(root: Path) -> dict[str, execution.Record]:
    """The records :func:`prepare` wrote for the current build (empty when it has not run)."""
    path = root / RECORDS
    if not path.is_file():
        return {}
    return {doc: execution.Record.from_json(r) for doc, r in json.loads(path.read_text()).items()}
