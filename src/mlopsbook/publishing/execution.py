"""Execution records: what a notebook's run depended on, so that a run can be reused exactly while it still holds.

When a notebook executes (:func:`run`), the kernel records, before the first cell and invisibly to the notebook:

- every file the kernel opened for reading under the repository (``sys.addaudithook`` on ``"open"``): ``data/``,
  ``airflow/``, ``lambda/``, ... (files a subprocess reads, a Ray worker or Airflow, are invisible to the kernel's
  hook: a notebook names them in its front matter, ``mlopsbook: {inputs: [airflow/dags/*.py]}``, globs allowed);
- every module it imported from the repository (``sys.modules`` after the last cell, files under the repository);

and the runner adds the notebook's code cells and the pinned environment (:data:`ENVIRONMENT_FILES`, the Python
version). The :class:`Record` keeps each input with the SHA-256 of its content (paths relative to the repository, no
modification times), so its :attr:`Record.key` is the same on every machine, and it also says when and where the run
happened (date, commit, cores, memory, wall time, peak memory of the kernel and its processes).

A snapshot carries its record in ``metadata.mlopsbook.execution``. It is **current** when re-hashing the recorded
inputs in today's tree gives the recorded key (:func:`is_current`): editing a module the notebook imported, a data file
it read or a pin makes it stale; editing anything else does not. A stale snapshot is never rendered: ``make book``
executes the notebook again (:mod:`mlopsbook.publishing.bookcache`) and the unit tests fail with
:func:`stale_message`.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
import platform
import re
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import jupytext
import nbformat

from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import repo_root

METADATA_KEY = "mlopsbook"
"""A snapshot's ``metadata.mlopsbook.execution`` holds its :class:`Record`."""
ENVIRONMENT_FILES = ("requirements.txt", "runtime.txt", "pyproject.toml", "airflow/requirements.txt",
                     "airflow/constraints.txt")
"""The pinned environment every notebook runs in (those present are inputs of every record)."""
OUTPUT_DIRS = frozenset({".git", "build", "_build", "dist"})
"""Top-level folders whose files are outputs, never inputs (with every ``.venv*``). A snapshot another notebook reads
(the post reads its engine page's) is an input of that notebook."""
CACHE_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".ray", ".pytest_cache", ".hypothesis", ".jupyter_cache"})
"""Folders, at any depth, whose files are caches, never inputs."""

_PREAMBLE = '''
def __mlopsbook_audit(root):
    import os, sys
    opened = set()
    def hook(event, args):
        if event != "open" or not args or isinstance(args[0], int):
            return
        try:
            mode, flags = args[1], args[2] if len(args) > 2 else 0
            if mode is None:
                if flags & (os.O_WRONLY | os.O_RDWR):
                    return
            elif any(ch in mode for ch in "wax+"):
                return
            opened.add(os.path.abspath(os.fsdecode(os.fspath(args[0]))))
        except Exception:
            pass
    sys.addaudithook(hook)
    return root, opened
__mlopsbook_audit_state = __mlopsbook_audit({root!r})
del __mlopsbook_audit
'''
_EPILOGUE = '''
def __mlopsbook_report():
    import json, sys
    root, opened = __mlopsbook_audit_state
    files = set(opened)
    files.update(getattr(m, "__file__", None) or "" for m in list(sys.modules.values()))
    print(json.dumps(sorted(f for f in files if f.startswith(root + "/"))))
__mlopsbook_report()
del __mlopsbook_report
'''


@dataclass(frozen=True)
class Record:
    """One execution of a notebook: its key, each input with its content hash, and when and where it ran."""

    key: str
    inputs: dict[str, str]
    python: str
    code: str
    date: str = ""
    commit: str = ""
    cores: int = 0
    memory_bytes: int = 0
    wall_s: float = 0.0
    peak_bytes: int = 0
    origin: str = "snapshot"
    """``snapshot`` (committed, reused) or ``build`` (executed for this build)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Record":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def describe(self) -> str:
        """One sentence for a page, a card or the ledger: when, where, fresh or reused."""
        how = ("executed for this build" if self.origin == "build"
               else "reused from the committed snapshot, executed")
        where = f"{self.cores} cores, {self.memory_bytes / 2**30:.0f} GiB" if self.cores else "an unrecorded machine"
        commit = f" at commit {self.commit[:10]}" if self.commit else ""
        return f"Evidence {how} on {self.date or 'an unrecorded date'}{commit} ({where}, {self.wall_s:.0f} s)."


_MEMO: dict[tuple[str, bytes], Any] = {}


def _memo(kind: str, path: Path, make: Any) -> Any:
    """``make(content)`` for the file at ``path``, computed once per process for each distinct content (many
    notebooks import the same modules)."""
    data = path.read_bytes()
    key = (kind, hashlib.sha256(data).digest())
    if key not in _MEMO:
        _MEMO[key] = make(data)
    return _MEMO[key]


def _read_notebook(md: Path) -> nbformat.NotebookNode:
    """The notebook of a MyST file (shared: not to be modified)."""
    return _memo(f"notebook:{md.suffix}", md, lambda data: jupytext.reads(data.decode(), fmt=md.suffix.lstrip(".")))


def sha256_file(path: Path) -> str:
    """SHA-256 of what in ``path`` can change a run: a Python module's syntax tree (comments and layout do not
    count), ``pyproject.toml``'s ``[project]`` and ``[build-system]`` tables (the installed environment; tool settings
    do not count), every other file's bytes."""
    kind = "python" if path.suffix == ".py" else "pyproject" if path.name == "pyproject.toml" else "bytes"
    return _memo(kind, path, lambda data: _sha256(kind, data))


def _sha256(kind: str, data: bytes) -> str:
    if kind == "python":
        try:
            data = ast.dump(ast.parse(data)).encode()
        except (SyntaxError, ValueError):
            pass
    elif kind == "pyproject":
        try:
            conf = tomllib.loads(data.decode())
            data = json.dumps({k: conf.get(k) for k in ("project", "build-system")}, sort_keys=True).encode()
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            pass
    return hashlib.sha256(data).hexdigest()


def code_hash(nb: nbformat.NotebookNode) -> str:
    """SHA-256 of the code cells' sources, in order (the snapshot-only install cell left out)."""
    from mlopsbook.publishing.snapshots import INSTALL_TAG

    cells = [c.source.strip() for c in nb.cells
             if c.cell_type == "code" and INSTALL_TAG not in c.get("metadata", {}).get("tags", [])]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


def python_version() -> str:
    return ".".join(platform.python_version_tuple()[:2])


def make_key(code: str, python: str, inputs: dict[str, str]) -> str:
    blob = json.dumps({"code": code, "python": python, "inputs": sorted(inputs.items())})
    return hashlib.sha256(blob.encode()).hexdigest()


def _is_input(rel: str) -> bool:
    parts = rel.split("/")
    return not (parts[0] in OUTPUT_DIRS or parts[0].startswith(".venv") or any(p in CACHE_DIRS for p in parts))


def declared_inputs(md: Path, root: Path) -> list[str]:
    """The files a notebook's subprocesses read, from its front matter ``mlopsbook: {inputs: [glob, ...]}``."""
    meta = _read_notebook(md).metadata.get(METADATA_KEY) or {}
    globs = meta.get("inputs", []) if isinstance(meta, dict) else None
    if not isinstance(globs, list) or not all(isinstance(g, str) for g in globs):
        raise MlopsbookError(f"{md}: front matter mlopsbook.inputs must be a list of paths or globs")
    out = []
    for g in globs:
        if g.startswith("/") or ".." in Path(g).parts:
            raise MlopsbookError(f"{md}: front matter mlopsbook.inputs: {g!r} is not a path inside the repository")
        rootr = root.resolve()
        hits = sorted(p.relative_to(root).as_posix() for p in root.glob(g)
                      if p.is_file() and p.resolve().is_relative_to(rootr)
                      and _is_input(p.relative_to(root).as_posix()))
        if not hits:
            raise MlopsbookError(f"{md}: front matter mlopsbook.inputs: {g!r} matches no file")
        out += hits
    return out


def hash_inputs(paths: list[str], root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every existing input; a vanished input hashes as ``"missing"``."""
    out = {}
    for rel in sorted(set(paths)):
        p = root / rel
        out[rel] = sha256_file(p) if p.is_file() else "missing"
    return out


def record_for(md: Path, touched: list[str], root: Path, **when: Any) -> Record:
    """The record of a run of ``md`` that touched the absolute paths ``touched``."""
    rootr = root.resolve()
    rel = []
    for t in touched:
        try:
            r = Path(t).resolve().relative_to(rootr).as_posix()
        except ValueError:
            continue
        if _is_input(r) and (rootr / r).is_file() and r != md.resolve().relative_to(rootr).as_posix():
            rel.append(r)
    rel += declared_inputs(md, root)
    rel += [f for f in ENVIRONMENT_FILES if (root / f).is_file()]
    inputs = hash_inputs(rel, root)
    code, python = code_hash(_read_notebook(md)), python_version()
    return Record(make_key(code, python, inputs), inputs, python, code, **when)


def current_key(record: Record, md: Path, root: Path) -> str:
    """The key ``record`` would have if ``md`` ran today on the same inputs (re-hashing them in the tree)."""
    inputs = hash_inputs([*record.inputs, *declared_inputs(md, root),
                          *(f for f in ENVIRONMENT_FILES if (root / f).is_file())], root)
    return make_key(code_hash(_read_notebook(md)), python_version(), inputs)


def is_current(record: Record | None, md: Path, root: Path) -> bool:
    return record is not None and current_key(record, md, root) == record.key


def changed_inputs(record: Record, root: Path) -> list[str]:
    """The recorded inputs whose content differs from the tree's (for a message naming what changed)."""
    now = hash_inputs(list(record.inputs), root)
    return [p for p, h in record.inputs.items() if now[p] != h]


def snapshot_record(snapshot: Path) -> Record | None:
    """The record a snapshot carries (``None`` for a snapshot made before records existed)."""
    meta = nbformat.read(snapshot, as_version=4).metadata.get(METADATA_KEY, {})
    data = meta.get("execution") if isinstance(meta, dict) else None
    return Record.from_json(data) if isinstance(data, dict) else None


def stale_message(md: Path, root: Path | None = None) -> str | None:
    """``snapshot X is stale: `make snapshots NB=...``` when the snapshot of ``md`` is missing its record or its key
    no longer matches the tree; ``None`` when it is current."""
    from mlopsbook.publishing.snapshots import snapshot_path

    root = root or repo_root()
    snap = snapshot_path(md, root)
    rec = snapshot_record(snap) if snap.is_file() else None
    if is_current(rec, md, root):
        return None
    rel = lambda p: p.resolve().relative_to(root.resolve()).as_posix()  # noqa: E731
    return f"snapshot {rel(snap)} is stale: `make snapshots NB={rel(md)}`"


def machine() -> dict[str, int]:
    """Cores this process may use and the machine's memory (what the record says about where it ran)."""
    import psutil

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)
    return {"cores": cores, "memory_bytes": int(psutil.virtual_memory().total)}


@dataclass
class Run:
    """An executed notebook and its record."""

    nb: nbformat.NotebookNode
    record: Record


def run(md: Path, root: Path | None = None, timeout_s: int = 900, commit: str | None = None) -> Run:
    """Execute ``md`` (its install cell first) in its own folder with nbclient, record what it used and sample its
    memory. A failing cell raises :class:`MlopsbookError` naming the notebook and the cell."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from mlopsbook.publishing import snapshots
    from mlopsbook.publishing.readerrun import MemorySampler

    root = (root or repo_root()).resolve()
    if commit is None:
        try:
            commit = snapshots.source_commit(root)
        except RuntimeError:  # not a git checkout: the record says so with an empty commit
            commit = ""
    nb = snapshots.with_install_cell(jupytext.read(md), md, root, commit or "0" * 40)
    client = NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                            resources={"metadata": {"path": str(md.parent)}})
    t0 = time.monotonic()
    client.reset_execution_trackers()
    with client.setup_kernel():
        info = client.wait_for_reply(client.kc.kernel_info())
        nb.metadata["language_info"] = info["content"]["language_info"]
        with MemorySampler(client.km.provisioner.pid) as sampler:
            _hidden(client, _PREAMBLE.format(root=str(root)))
            for i, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, i)
                except CellExecutionError as exc:
                    last = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()[-1:] or [""]
                    raise MlopsbookError(f"{md}: cell {i} failed: {last[0][:300]}") from None
            touched = json.loads(_hidden(client, _EPILOGUE))
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1):
        cell.execution_count = count
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                out["execution_count"] = count
    sampler.end_leftovers()
    when = {"date": dt.date.today().isoformat(), "commit": commit, **machine(),
            "wall_s": round(time.monotonic() - t0, 1), "peak_bytes": sampler.peak_bytes}
    return Run(nb, record_for(md, touched, root, **when))


def _hidden(client: Any, code: str) -> str:
    """Run ``code`` in the kernel outside the notebook (no history, no cell) and return what it printed."""
    cell = nbformat.v4.new_code_cell(code)
    notebook, client.nb = client.nb, nbformat.v4.new_notebook(cells=[cell])  # nbclient stores the cell at its index
    try:
        client.execute_cell(cell, 0, store_history=False)
    finally:
        client.nb = notebook
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def attach(nb: nbformat.NotebookNode, record: Record) -> nbformat.NotebookNode:
    """``nb`` carrying ``record`` in ``metadata.mlopsbook.execution``."""
    meta = nb.metadata.setdefault(METADATA_KEY, {})
    meta["execution"] = record.to_json()
    return nb


def write_snapshot(md: Path, root: Path | None = None, timeout_s: int = 900) -> Path:
    """Execute ``md`` (:func:`run`) and write its snapshot, without volatile metadata and carrying its record."""
    from mlopsbook.publishing import snapshots

    done = run(md, root, timeout_s)
    out = snapshots.snapshot_path(md, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(attach(snapshots.clean(done.nb), done.record), out)
    return out
