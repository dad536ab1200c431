"""Verdict drift: what every verdict and glued number of the book was at a revision, what it is now, and what moved it.

The book's claims live in its executed snapshots (``snapshots/notebooks/**.ipynb``): each verdict as a
:data:`~mlopsbook.publishing.claims.VERDICT_MIME` output, each number glued into the prose as a myst-nb glue record
(an ``application/papermill.record/...`` output named in its ``scrapbook`` metadata). :func:`diff` reads both from the
snapshots committed at a revision (``git show REV:path``) and from the working tree, and for every notebook whose
values moved lists the files among its inputs that changed since that revision: the notebook itself, the library
modules it imports (followed through ``mlopsbook`` imports), the ``data/`` files they name, and the pinned environment.
Each changed input is classified (a price table, a measurement record, a data file, a code change, the notebook, the
environment) so the report says in words what moved a claim.

:func:`verdict_history` walks the snapshots' git history (bounded) and says, for each claim, when its verdict last
changed and from what.
"""

from __future__ import annotations

import ast
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from mlopsbook.errors import MlopsbookError
from mlopsbook.publishing.claims import VERDICT_MIME

SNAPSHOT_ROOT = "snapshots/notebooks"
GLUE_PREFIX = "application/papermill.record/"
ENVIRONMENT_FILES = ("requirements.txt", "pyproject.toml", "runtime.txt")
VOLATILE_TAG = "nbval-ignore-output"
HISTORY_COMMITS = 40
"""How many commits that touched the snapshots :func:`verdict_history` reads, newest first."""


class DriftError(MlopsbookError):
    """A revision or a snapshot that cannot be read."""


# -- values of one executed notebook -------------------------------------------------------------------------------
def claim_values(nb: Mapping[str, Any]) -> dict[str, str]:
    """Every verdict and glued value of an executed notebook, by key: ``verdict <id>`` (the verdict's status),
    ``verdict <id> · <figure>`` (each figure it carries) and ``glue <name>`` (the glued value's text). Glued
    figures and images carry no text to compare and are left out; a later output under the same key wins, as in the
    book. Cells tagged :data:`VOLATILE_TAG` (timings and the like, which nbval does not compare either) are left
    out."""
    out: dict[str, str] = {}
    for cell in nb.get("cells", []):
        if VOLATILE_TAG in ((cell.get("metadata") or {}).get("tags") or []):
            continue
        for o in cell.get("outputs", []) or []:
            data = o.get("data") or {}
            if VERDICT_MIME in data:
                rec = data[VERDICT_MIME]
                rec = json.loads(rec) if isinstance(rec, str) else rec
                cid = str(rec.get("claim_id", "?"))
                out[f"verdict {cid}"] = str(rec.get("status", ""))
                for name, value in sorted((rec.get("figures") or {}).items()):
                    out[f"verdict {cid} · {name}"] = str(value)
            name = ((o.get("metadata") or {}).get("scrapbook") or {}).get("name")
            text = data.get(GLUE_PREFIX + "text/plain")
            if name and text is not None and not any(k.startswith(GLUE_PREFIX + "image/") for k in data):
                out[f"glue {name}"] = "".join(text) if isinstance(text, list) else str(text)
    return out


# -- git -----------------------------------------------------------------------------------------------------------
def _git(root: Path, *args: str, check: bool = True) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise DriftError("git is not installed") from None
    if check and proc.returncode != 0:
        raise DriftError(f"git {' '.join(args)}: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'failed'}")
    return proc.stdout


def resolve(root: Path, rev: str) -> str:
    """The full commit id of ``rev``; a clear error when it does not name a commit."""
    if rev.startswith("-"):
        raise DriftError(f"REV: {rev!r} is not a revision")
    out = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False).strip()
    if not out:
        raise DriftError(f"REV: {rev!r} names no commit in {root}")
    return out


def _snapshots_at(root: Path, commit: str) -> dict[str, dict[str, Any]]:
    names = _git(root, "ls-tree", "-r", "--name-only", commit, "--", SNAPSHOT_ROOT).split("\n")
    out = {}
    for name in filter(None, names):
        if name.endswith(".ipynb"):
            out[name] = _parse(_git(root, "show", f"{commit}:{name}"), f"{name} at {commit[:12]}")
    return out


def _snapshots_now(root: Path) -> dict[str, dict[str, Any]]:
    base = root / SNAPSHOT_ROOT
    return {p.relative_to(root).as_posix(): _parse(p.read_text(encoding="utf-8"), p.relative_to(root).as_posix())
            for p in sorted(base.rglob("*.ipynb"))} if base.is_dir() else {}


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DriftError(f"{where}: not a notebook ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(nb, dict):
        raise DriftError(f"{where}: not a notebook (a JSON {type(nb).__name__})")
    return nb


# -- the inputs of a notebook --------------------------------------------------------------------------------------
def source_of(snapshot: str) -> str:
    """The MyST notebook a snapshot was executed from: ``snapshots/notebooks/x/y.ipynb`` → ``notebooks/x/y.md``."""
    return snapshot[len("snapshots/"):-len(".ipynb")] + ".md"


def _imports(text: str) -> set[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    mods: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
            mods.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in mods if m == "mlopsbook" or m.startswith("mlopsbook.")}


def _code_of_notebook(text: str) -> str:
    """The code cells of a MyST notebook, as one Python text (cell magics and shell lines dropped)."""
    out, inside = [], False
    for line in text.splitlines():
        if line.startswith("```{code-cell}"):
            inside = True
            continue
        if inside and line.startswith("```"):
            inside = False
            continue
        if inside and not line.lstrip().startswith(("%", "!", ":")):
            out.append(line)
    return "\n".join(out)


def _module_file(root: Path, module: str) -> Path | None:
    base = root / "src" / Path(*module.split("."))
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.is_file():
            return p
    return None


def notebook_inputs(root: Path, source: str) -> list[str]:
    """The repository files a notebook depends on, as far as its text shows: itself, every ``mlopsbook`` module it
    imports (and theirs, transitively), every ``data/`` file whose name or folder those texts name, and the pinned
    environment. Sorted paths relative to ``root``."""
    md = root / source
    texts: list[str] = []
    found: set[str] = {source}
    todo: list[str] = []
    if md.is_file():
        text = md.read_text(encoding="utf-8")
        texts.append(text)
        todo.extend(_imports(_code_of_notebook(text)))
    seen: set[str] = set()
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        parts = mod.split(".")
        for k in range(len(parts), 0, -1):  # "from mlopsbook.costs import pricing" names a module or an attribute
            f = _module_file(root, ".".join(parts[:k]))
            if f is not None:
                rel = f.relative_to(root).as_posix()
                if rel not in found:
                    found.add(rel)
                    src = f.read_text(encoding="utf-8")
                    texts.append(src)
                    todo.extend(_imports(src))
                    if f.name == "__init__.py" and k < len(parts):
                        continue
                break
    blob = "\n".join(texts)
    data = root / "data"
    if data.is_dir():
        for f in sorted(p for p in data.rglob("*") if p.is_file() and p.name != "README.md"):
            folder = f.relative_to(data).parts[0]
            if f.name in blob or f.stem in blob or f'"{folder}"' in blob or f"'{folder}'" in blob:
                found.add(f.relative_to(root).as_posix())
    found.update(e for e in ENVIRONMENT_FILES if (root / e).is_file())
    return sorted(found)


def kind_of(path: str) -> str:
    """What a changed input is, in words."""
    if path in ENVIRONMENT_FILES:
        return "the pinned environment"
    if path.startswith("data/pricing/"):
        return "a price table"
    if path.startswith("data/") and "measured" in Path(path).name:
        return "a measurement record"
    if path.startswith("data/"):
        return "a data file"
    if path.startswith("src/"):
        return "a code change"
    if path.startswith("notebooks/"):
        return "the notebook itself"
    return "a repository file"


# -- the diff ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One verdict or glued value that differs between the revision and now (``None``: absent on that side)."""

    key: str
    before: str | None
    after: str | None

    @property
    def is_verdict(self) -> bool:
        return self.key.startswith("verdict ") and " · " not in self.key


@dataclass(frozen=True)
class NotebookDrift:
    snapshot: str
    changes: tuple[Change, ...]
    moved_by: tuple[tuple[str, str], ...]
    """(path, kind) of each of the notebook's inputs that changed since the revision."""


@dataclass
class DriftReport:
    rev: str
    commit: str
    notebooks: list[NotebookDrift] = field(default_factory=list)
    compared: int = 0
    values: int = 0

    @property
    def moved(self) -> bool:
        return bool(self.notebooks)

    def to_json(self) -> dict[str, Any]:
        return {
            "rev": self.rev, "commit": self.commit, "notebooks_compared": self.compared, "values_compared": self.values,
            "moved": [{"snapshot": n.snapshot, "source": source_of(n.snapshot),
                       "changes": [{"key": c.key, "before": c.before, "after": c.after} for c in n.changes],
                       "moved_by": [{"path": p, "kind": k} for p, k in n.moved_by]} for n in self.notebooks],
        }

    def to_markdown(self) -> str:
        head = (f"# Claims at {self.rev} ({self.commit[:12]}) against now\n\n"
                f"{self.values} verdicts and glued values in {self.compared} notebooks compared.\n")
        if not self.notebooks:
            return head + "\nNothing moved: every verdict and glued number is as committed.\n"
        n_changes = sum(len(n.changes) for n in self.notebooks)
        n_verdicts = sum(1 for n in self.notebooks for c in n.changes if c.is_verdict)
        lines = [head, f"**{n_changes} moved in {len(self.notebooks)} notebooks, {n_verdicts} of them verdicts.**", ""]
        for n in self.notebooks:
            lines += [f"## `{source_of(n.snapshot)}`", ""]
            if n.moved_by:
                lines.append("Moved by: " + "; ".join(f"{kind} `{path}`" for path, kind in n.moved_by) + ".")
            else:
                lines.append("Moved by: none of its inputs changed since the revision (a nondeterministic output, "
                             "or an input outside the repository).")
            lines += ["", "| Claim or value | At the revision | Now |", "|---|---|---|"]
            for c in n.changes:
                label = f"**{c.key}**" if c.is_verdict else c.key
                lines.append(f"| {_cell(label)} | {_cell(c.before)} | {_cell(c.after)} |")
            lines.append("")
        return "\n".join(lines)


def _cell(v: str | None) -> str:
    return "(absent)" if v is None else v.replace("|", "\\|").replace("\n", " ")


def changed_files(root: Path, commit: str) -> set[str]:
    """Files that differ between ``commit`` and the working tree (tracked changes and untracked files)."""
    tracked = _git(root, "diff", "--name-only", commit, "--").split("\n")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard").split("\n")
    return {p for p in (*tracked, *untracked) if p}


def diff(rev: str, root: Path | None = None) -> DriftReport:
    """Every verdict and glued value of the snapshots at ``rev`` against the working tree's, with what moved each."""
    from mlopsbook.paths import repo_root

    root = Path(root) if root is not None else repo_root()
    commit = resolve(root, rev)
    before, after = _snapshots_at(root, commit), _snapshots_now(root)
    report = DriftReport(rev=rev, commit=commit)
    changed = changed_files(root, commit)
    for snap in sorted(set(before) | set(after)):
        old = claim_values(before[snap]) if snap in before else {}
        new = claim_values(after[snap]) if snap in after else {}
        report.compared += 1
        report.values += len(set(old) | set(new))
        changes = tuple(Change(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new), key=_order)
                        if old.get(k) != new.get(k))
        if not changes:
            continue
        inputs = notebook_inputs(root, source_of(snap))
        moved_by = tuple((p, kind_of(p)) for p in inputs if p in changed)
        report.notebooks.append(NotebookDrift(snap, changes, moved_by))
    return report


def _order(key: str) -> tuple[int, str]:
    return (0 if key.startswith("verdict ") else 1, key)


# -- verdict history -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VerdictChange:
    """The last change of one claim's verdict: the commit (short id and date) where it took its current status."""

    status: str
    since_commit: str
    since_date: str
    previous: str | None
    """The status before that commit; ``None`` when the claim first got a verdict there or :attr:`bounded`."""
    bounded: bool = False
    """True when the status is the same in every commit read: it has held at least since ``since_date``."""


def verdict_history(root: Path, limit: int = HISTORY_COMMITS) -> dict[str, VerdictChange] | str:
    """For each claim (``<snapshot>#<id>``), when its committed verdict last changed and from what, read from the
    last ``limit`` commits that touched the snapshots. A message instead of a history when git cannot tell (a shallow
    clone, no repository)."""
    if _git(root, "rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        return "verdict history unavailable: the book is not built from a git checkout"
    if _git(root, "rev-parse", "--is-shallow-repository", check=False).strip() == "true":
        return ("verdict history unavailable: this is a shallow clone (fetch the full history, e.g. "
                "actions/checkout with fetch-depth: 0, to show when each verdict last changed)")
    log = _git(root, "log", f"-n{limit}", "--format=%H %cs", "--", SNAPSHOT_ROOT, check=False).split("\n")
    commits = [tuple(line.split(" ", 1)) for line in log if line.strip()]
    states: list[tuple[str, str, dict[str, str]]] = []  # newest first: (commit, date, {claim: status})
    for commit, date in commits:
        names = _git(root, "ls-tree", "-r", "--name-only", commit, "--", SNAPSHOT_ROOT).split("\n")
        verdicts: dict[str, str] = {}
        for name in filter(None, names):
            if not name.endswith(".ipynb"):
                continue
            text = _git(root, "show", f"{commit}:{name}", check=False)
            if VERDICT_MIME not in text:
                continue
            try:
                values = claim_values(json.loads(text))
            except (json.JSONDecodeError, AttributeError):
                continue
            verdicts.update({f"{name}#{k[len('verdict '):]}": v for k, v in values.items()
                             if k.startswith("verdict ") and " · " not in k})
        states.append((commit, date, verdicts))
    return _last_changes(states)


def _last_changes(states: Iterable[tuple[str, str, dict[str, str]]]) -> dict[str, VerdictChange]:
    """From states newest first, each claim's last change (the oldest commit of its current run of equal status)."""
    states = list(states)
    out: dict[str, VerdictChange] = {}
    if not states:
        return out
    for claim, status in states[0][2].items():
        since, previous, bounded = states[0], None, True
        for state in states[1:]:
            old = state[2].get(claim)
            if old != status:
                previous, bounded = old, False
                break
            since = state
        out[claim] = VerdictChange(status, since[0][:12], since[1], previous, bounded and len(states) > 1)
    return out
