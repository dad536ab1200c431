"""Markdown extensions of other generators, rewritten line by line before the body is read (line origins kept).

- MkDocs Material (Python-Markdown admonitions): ``!!! note "Title"`` and the collapsible ``??? tip`` / ``???+ tip``
  with their 4-space indented body become MyST admonitions (``dropdown`` for the collapsible ones);
- R Markdown chunks: a chunk with ``include=FALSE`` (knitr's setup chunks) is dropped, with a warning; a chunk that only
  calls ``knitr::include_graphics("x.png")`` becomes the image; a bookdown reference ``\\@ref(fig:x)`` is warned;
- MDX components (``<Tabs>``, ``<YouTube id=... />``) outside code are warned with their line: MyST does not run
  JavaScript, so what they showed is not on the page.
"""

from __future__ import annotations

import re

from mlopsbook.posts import blocks
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.lines import Lines, fenced_lines

_BANG = re.compile(r"^( {0,3})(!!!|\?\?\?\+?)\s+([\w-]+)(?:\s+\"([^\"]*)\"|\s+'([^']*)')?\s*$")
_CHUNK = re.compile(r"^(\s*)(`{3,})\s*\{\s*r\b([^}]*)\}\s*$", re.I)
_BOOKDOWN_REF = re.compile(r"\\@ref\(([^)\s]+)\)")
_INCLUDE_GRAPHICS = re.compile(r"""^\s*knitr::include_graphics\(\s*(?:c\()?\s*["']([^"']+)["']""")
INLINE_NOTE = re.compile(r"(?<![\\!\]])\^\[((?:[^\[\]]|\[[^\[\]]*\])+)\]")
_COMPONENT = re.compile(r"^\s*</?([A-Z][\w.]*)\b")
KINDS = {"note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important", "success", "check",
         "done", "question", "help", "faq", "warning", "caution", "attention", "failure", "fail", "missing",
         "danger", "error", "bug", "example", "quote", "cite", "seealso"}
MYST_KIND = {"abstract": "note", "summary": "note", "tldr": "note", "info": "note", "todo": "note",
             "success": "tip", "check": "tip", "done": "tip", "question": "note", "help": "note", "faq": "note",
             "failure": "danger", "fail": "danger", "missing": "danger", "bug": "danger", "example": "note",
             "quote": "note", "cite": "note"}


def admonitions(body: Lines, code: set[int]) -> Lines:
    """MkDocs Material's ``!!!``/``???`` admonitions as MyST admonitions (their indented body dedented)."""
    rep: dict[int, list[str]] = {}
    i = 0
    text = body.text
    while i < len(text):
        m = _BANG.match(text[i]) if i not in code else None
        if not m:
            i += 1
            continue
        indent, marker, kind = m.group(1), m.group(2), m.group(3).lower()
        title = m.group(4) if m.group(4) is not None else m.group(5)
        j = i + 1
        inner: list[str] = []
        while j < len(text) and (not text[j].strip() or text[j].startswith(indent + "    ")
                                 or text[j].startswith(indent + "\t")):
            inner.append(text[j][len(indent) + 4:] if text[j].strip() else "")
            j += 1
        while inner and not inner[-1].strip():
            inner.pop()
            j -= 1
        inner = admonitions(Lines(inner), fenced_lines(inner)).text
        colons = max([len(c.group(1)) + 1 for line in inner if (c := re.match(r"^\s*(:{3,})", line))] + [3])
        name = MYST_KIND.get(kind, kind if kind in KINDS else "note")
        if title is None and kind not in KINDS:
            title = kind.capitalize()
        if title is None and name != kind:
            title = kind.capitalize()
        block = blocks.admonition(name, inner, title=title or None, dropdown=marker.startswith("???"),
                                 fence=":" * colons)
        rep[i] = [indent + line if line else line for line in block]
        for k in range(i + 1, j):
            rep[k] = []
        i = j
    return body.rebuilt(rep) if rep else body


def rmarkdown(body: Lines, ctx: Ctx) -> Lines:
    """R Markdown chunks: ``include=FALSE`` chunks dropped, ``knitr::include_graphics`` chunks as images."""
    rep: dict[int, list[str]] = {}
    text = body.text
    i = 0
    while i < len(text):
        m = _CHUNK.match(text[i])
        if not m:
            i += 1
            continue
        fence = m.group(2)
        end = next((k for k in range(i + 1, len(text)) if text[k].strip().startswith(fence)
                    and not text[k].strip().strip("`")), None)
        if end is None:
            break
        options = m.group(3)
        chunk = text[i + 1:end]
        if re.search(r"\binclude\s*=\s*(FALSE|F)\b", options):
            ctx.warn(i, "code", f"R Markdown chunk {{r{options}}} with include=FALSE dropped ({len(chunk)} line(s)): "
                                "knitr runs it without showing it, and the book does not run R")
            for k in range(i, end + 1):
                rep[k] = []
        else:
            graphics = [g.group(1) for line in chunk if (g := _INCLUDE_GRAPHICS.match(line))]
            if graphics and all(_INCLUDE_GRAPHICS.match(line) or not line.strip() for line in chunk):
                caption = re.search(r"""fig\.cap\s*=\s*["']([^"']*)["']""", options)
                rep[i] = [f"![{caption.group(1) if caption else ''}]({ctx.image(g, i)})" for g in graphics]
                for k in range(i + 1, end + 1):
                    rep[k] = []
        i = end + 1
    code = fenced_lines(body.text)
    for k, line in enumerate(body.text):
        if k not in code and k not in rep:
            for ref in _BOOKDOWN_REF.findall(line):
                ctx.warn(k, "body", f"bookdown reference \\@ref({ref}) kept as text (its figure or table is made "
                                    "by R, which the book does not run)")
    return body.rebuilt(rep) if rep else body


def components(body: Lines, code: set[int], ctx: Ctx) -> None:
    """A warning for each MDX/JSX component outside code (MyST cannot render it)."""
    seen: set[int] = set()
    for i, line in enumerate(body.text):
        if i in code:
            continue
        m = _COMPONENT.match(line)
        if m and i not in seen:
            seen.add(i)
            ctx.warn(i, "body", f"MDX component <{m.group(1)}> is not rendered by the book (MyST runs no JavaScript): "
                                "what it showed is missing; replace it with Markdown")
