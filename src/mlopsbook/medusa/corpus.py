"""The book's text as passages: every section of every notebook under ``notebooks/``, with its book URL and anchor.

Code cells, directives' option lines and MyST roles are stripped; the prose and headings stay. A passage's ``url``
is relative to the book root (``notebooks/engineering-culture-leadership/costs.html#break-even-points``); anchors are
made the way Sphinx makes section ids (``docutils.nodes.make_id``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docutils.nodes import make_id

from mlopsbook.paths import notebooks_dir, repo_root

_FENCE = re.compile(r"^(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,4})\s+(.*?)\s*$")
_ROLE = re.compile(r"\{glue:text\}`[^`]*`|\{[a-z:]+\}`([^`<]*)(?:<[^>]*>)?`")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Passage:
    """One section: ``doc`` (path under ``notebooks/`` without ``.md``), ``title``, ``text`` and ``url``."""

    doc: str
    title: str
    text: str
    url: str

    @property
    def key(self) -> str:
        """``doc#anchor``: how the evaluation set names a source."""
        return self.url.removeprefix("notebooks/").replace(".html", "")


def _clean(line: str) -> str:
    line = _ROLE.sub(lambda m: m.group(1) or "", line)
    line = _LINK.sub(r"\1", line)
    return re.sub(r"[*_`]", "", line).strip()


def split(md: str, doc: str) -> list[Passage]:
    """The sections of one MyST notebook (front matter and code cells dropped)."""
    lines = md.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        lines = lines[end + 1:]
    out: list[Passage] = []
    title, anchor, buf = "", "", []
    fence: str | None = None
    code = False

    def flush() -> None:
        text = " ".join(x for x in buf if x)
        if title and text:
            out.append(Passage(doc, title, text, f"notebooks/{doc}.html" + (f"#{anchor}" if anchor else "")))

    first = True
    for line in lines:
        m = _FENCE.match(line.strip())
        if m:
            if fence is None:
                fence = m.group(1)
                code = "code-cell" in line
                continue
            if line.strip() == fence:
                fence, code = None, False
                continue
        if fence is not None and (code or line.strip().startswith(":")):
            continue
        if line.startswith(":::"):
            rest = line.strip(":").strip()
            if rest.startswith("{admonition}"):
                buf.append(_clean(rest.removeprefix("{admonition}")))
            continue
        h = _HEADING.match(line)
        if h and fence is None:
            flush()
            title = _clean(h.group(2))
            anchor = "" if first and len(h.group(1)) == 1 else make_id(title)
            first = False
            buf = []
            continue
        if line.strip().startswith(":class:") or line.strip().startswith(":tags:"):
            continue
        buf.append(_clean(line))
    flush()
    return out


@lru_cache(maxsize=2)
def _load(root: str) -> tuple[Passage, ...]:
    base = Path(root)
    out: list[Passage] = []
    for path in sorted(base.rglob("*.md")):
        doc = path.relative_to(base).with_suffix("").as_posix()
        out.extend(split(path.read_text(encoding="utf-8"), doc))
    return tuple(out)


def load(folder: Path | None = None) -> tuple[Passage, ...]:
    """Every passage of the book's notebooks (sorted by file, then order in the file)."""
    return _load(str(folder if folder is not None else notebooks_dir()))


def root() -> Path:
    return repo_root()
