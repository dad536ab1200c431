"""Does an imported notebook post still reproduce what its author published? Cell by cell, with nbval's rules.

The author's notebook, outputs and all, is kept as the post's **published record**
(``snapshots/published/notebooks/<slug>.ipynb``, written by ``mlopsbook posts import`` and never regenerated). The
book's own execution of the post is its snapshot (``snapshots/notebooks/<slug>.ipynb``, written by
``mlopsbook snapshots``, which strict nbval keeps current). :func:`compare` pairs their code cells by position (the
snapshot's install cell left out) and sorts every code cell whose record has output into one of:

- **reproduces**: the outputs are equal under nbval's comparison (the same skipped keys: metadata, execution counts,
  tracebacks, images; streams merged as nbval merges them; the book's sanitize patterns of
  ``tests/nbval_sanitize.cfg`` applied to both);
- **differs**: they are not (the first such cell is the one the page links);
- **not compared**, with its reason: a cell the book does not run (another language, ``skip-execution``), an output
  that only holds images (not pixel-stable across library versions; nbval skips them too), a timing
  (``%time``/``%timeit``, ``Wall time``), a package the book's environment lacks (``ModuleNotFoundError``), or no
  execution by the book yet. Such a cell is never counted as reproducing.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import nbformat

PUBLISHED_DIR = ("snapshots", "published")
SANITIZE_FILE = ("tests", "nbval_sanitize.cfg")
SKIP_KEYS = ("metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
             "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg", "image/gif", "image/svg+xml")
"""nbval's ``skip_compare`` (with images, as nbval runs without nbdime), and the other image types."""
_TIMING = re.compile(r"^\s*%%?(time|timeit|prun)\b|\btime\.(perf_counter|time|monotonic)\(", re.M)
_TIMING_OUTPUT = re.compile(r"Wall time:|CPU times:|loops?, best of|per loop \(mean|[0-9.]+ ?[mµn]?s ± ")


@dataclass(frozen=True)
class CellResult:
    """One code cell of the record: ``index`` (0-based among code cells), its status and, if not compared, why."""

    index: int
    status: str  # "reproduces" | "differs" | "not compared"
    reason: str = ""


@dataclass
class Reproduction:
    """The comparison of a post's published record with the book's execution."""

    cells: list[CellResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.cells)

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.cells)

    @property
    def reproduced(self) -> int:
        return self.count("reproduces")

    @property
    def first_difference(self) -> CellResult | None:
        return next((c for c in self.cells if c.status == "differs"), None)

    def reasons(self) -> dict[str, int]:
        """How many outputs were not compared, by reason."""
        out: dict[str, int] = {}
        for c in self.cells:
            if c.status == "not compared":
                out[c.reason] = out.get(c.reason, 0) + 1
        return out

    def summary(self) -> str:
        """``reproduces as published: 7 of 9 outputs; 1 differs (first: code cell 4); 1 not compared (image)``."""
        s = f"reproduces as published: {self.reproduced} of {self.total} outputs"
        diff = self.count("differs")
        if diff:
            s += f"; {diff} differ{'s' if diff == 1 else ''} (first: code cell {self.first_difference.index + 1})"
        reasons = self.reasons()
        if reasons:
            s += f"; {sum(reasons.values())} not compared (" + ", ".join(f"{n} {r}" for r, n in reasons.items()) + ")"
        return s


def published_path(md: Path, root: Path) -> Path:
    """Where the published record of the post ``md`` (under ``root``, the book) lies."""
    rel = md.resolve().relative_to(root.resolve())
    return root.joinpath(*PUBLISHED_DIR, rel.with_suffix(".ipynb"))


def sanitize_patterns(root: Path) -> list[tuple[re.Pattern[str], str]]:
    """The book's nbval sanitize patterns (``regex``/``replace`` sections), in file order; none when absent."""
    path = root.joinpath(*SANITIZE_FILE)
    if not path.is_file():
        return []
    cfg = configparser.ConfigParser()
    cfg.read(path, encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s].get("replace", "")) for s in cfg.sections() if "regex" in cfg[s]]


def _text(v: Any) -> str:
    return "".join(v) if isinstance(v, list) else str(v)


def _flatten(outputs: Iterable[Any], patterns: list[tuple[re.Pattern[str], str]]) -> dict[str, list[str]]:
    """nbval's view of a cell's outputs: streams merged per name, every compared key (MIME types flattened)."""
    from nbval.plugin import transform_streams_for_comparison

    def clean(v: Any) -> str:
        s = _text(v)
        for rx, rep in patterns:
            s = rx.sub(rep, s)
        return s

    merged: list[Any] = []
    for o in outputs:  # consecutive writes to one stream are one output (as Jupyter and nbval's kernel merge them)
        if o.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream" \
                and merged[-1].get("name") == o.get("name"):
            merged[-1] = {**merged[-1], "text": _text(merged[-1].get("text", "")) + _text(o.get("text", ""))}
        else:
            merged.append(dict(o))
    out: dict[str, list[str]] = {}
    for o in transform_streams_for_comparison([nbformat.from_dict(o) for o in merged]):
        for key, value in o.items():
            if key in SKIP_KEYS:
                continue
            if key == "data":
                for mime, v in value.items():
                    if mime not in SKIP_KEYS:
                        out.setdefault(mime, []).append(clean(v))
            else:
                out.setdefault(key, []).append(clean(value))
    return out


def _code_cells(nb: nbformat.NotebookNode) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code" and "colab-install" not in c.metadata.get("tags", [])]


def _missing_module(outputs: Iterable[Any]) -> str | None:
    for o in outputs:
        if o.get("output_type") == "error" and o.get("ename") in ("ModuleNotFoundError", "ImportError"):
            m = re.search(r"No module named '([^']+)'", str(o.get("evalue", "")))
            return m.group(1) if m else str(o.get("evalue", ""))[:60]
    return None


def _only_images(outputs: list[Any]) -> bool:
    data = [o for o in outputs if o.get("output_type") in ("display_data", "execute_result")]
    if not data or len(data) != len(outputs):
        return False
    image = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
    return all(any(k in o.get("data", {}) for k in image) for o in data)


def compare(published: nbformat.NotebookNode, executed: nbformat.NotebookNode | None, *, python: bool = True,
            patterns: list[tuple[re.Pattern[str], str]] = ()) -> Reproduction:  # type: ignore[assignment]
    """Every code cell of ``published`` that recorded output, against the same cell of ``executed``."""
    rec = _code_cells(published)
    run = _code_cells(executed) if executed is not None else []
    result = Reproduction()
    lang = str((published.metadata.get("kernelspec") or {}).get("language") or "its language")
    for i, cell in enumerate(rec):
        outputs = list(cell.get("outputs") or [])
        if not outputs:
            continue

        def add(status: str, reason: str = "", i: int = i) -> None:
            result.cells.append(CellResult(i, status, reason))

        if not python:
            add("not compared", f"not run: the book runs Python, this notebook is {lang}")
            continue
        if _TIMING.search(_text(cell.source)) or any(_TIMING_OUTPUT.search(_text(o.get("text", "")))
                                                     for o in outputs):
            add("not compared", "timing")
            continue
        if _only_images(outputs):
            add("not compared", "image")
            continue
        if executed is None:
            add("not compared", "not yet run by the book")
            continue
        if i >= len(run) or _text(run[i].source).strip() != _text(cell.source).strip():
            add("not compared", "code changed since publication")
            continue
        mine = list(run[i].get("outputs") or [])
        if "skip-execution" in run[i].metadata.get("tags", []) or run[i].get("execution_count") is None and not mine:
            add("not compared", "not run by the book (skip-execution)")
            continue
        missing = _missing_module(mine)
        if missing and not _missing_module(outputs):
            add("not compared", f"missing dependency {missing}")
            continue
        same = _flatten(outputs, list(patterns)) == _flatten(mine, list(patterns))
        add("reproduces" if same else "differs")
    return result


def for_post(md: Path, root: Path) -> Reproduction | None:
    """The comparison for the post ``md`` of the book at ``root``; ``None`` when it has no published record."""
    record = published_path(md, root)
    if not record.is_file():
        return None
    published = nbformat.read(record, as_version=4)
    snap = root / "snapshots" / md.resolve().relative_to(root.resolve()).with_suffix(".ipynb")
    executed = nbformat.read(snap, as_version=4) if snap.is_file() else None
    language = str((published.metadata.get("kernelspec") or {}).get("language") or "python").lower()
    return compare(published, executed, python=language.startswith(("python", "ipython")),
                   patterns=sanitize_patterns(root))
