"""A reStructuredText post (Pelican, Nikola, Sphinx/ABlog) as Markdown the post conversion then turns into MyST.

The metadata is read as the generators read it: Nikola's ``.. title: X`` comment lines at the top; the document's
title (its first section heading, over- and/or underlined); then the field list or ``.. key: value`` comment lines
right under it (Pelican's ``:date:``, ``:tags:``, ``:category:``, ``:slug:``, ``:author:``, ``:summary:``). The rest
is converted by **pandoc** (``pypandoc-binary``, reStructuredText to CommonMark with footnotes, math and fenced
divs, run with ``--sandbox`` so that an ``include`` reads nothing). Measured against the alternatives on the Pelican
and Nikola posts of the fixtures and Nikola's sample pages (8 files): pandoc converted 8 of 8 at a median 17-52 ms a
file; rst-to-myst (MyST's own converter) converted 8 of 8 at 170-270 ms a file, but it pins docutils 0.19,
markdown-it-py 2.2 and mdit-py-plugins 0.3.5 against the book's Sphinx (so it would need its own environment), and
keeps Sphinx roles (``{doc}``) that fail the book's build and unknown directives as silent code blocks; docutils alone
has no Markdown writer. Every directive or role pandoc does not convert, and every reference to another page of the
old site, becomes a warning naming the line.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from typing import Any

from mlopsbook.posts import metadata_conventions as conventions
from mlopsbook.posts.problems import PostError

PANDOC_TO = "commonmark_x-raw_attribute-bracketed_spans-attributes-alerts"
"""Pandoc's extended CommonMark (footnotes, ``$`` math, fenced divs, pipe tables) without the attribute syntaxes MyST
does not read."""
_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_FIELD = re.compile(r"^:([\w-]+):\s*(.*?)\s*$")
_COMMENT_FIELD = re.compile(r"^\.\.\s+([\w-]+)\s*:(?!:)\s*(.*?)\s*$")
_WARNING = re.compile(r"^\[WARNING\]\s*(.*)$")
_LINE = re.compile(r"line (\d+)")
LIST_FIELDS = ("tags", "keywords", "authors")
PANDOC_DIRECTIVES = frozenset((
    "image", "figure", "code", "code-block", "sourcecode", "note", "warning", "tip", "important", "caution", "danger",
    "error", "hint", "attention", "admonition", "math", "topic", "sidebar", "container", "table", "csv-table",
    "list-table", "epigraph", "highlights", "pull-quote", "compound", "line-block", "parsed-literal", "rubric",
    "highlight", "role", "default-role", "replace", "unicode", "date", "class", "title", "meta", "raw",
    "contents", "sectnum", "header", "footer", "only", "versionadded", "versionchanged", "deprecated", "seealso",
    "toctree", "index"))
PANDOC_ROLES = frozenset((
    "emphasis", "strong", "literal", "code", "math", "sub", "subscript", "sup", "superscript", "title-reference",
    "title", "t", "pep-reference", "pep", "rfc-reference", "rfc", "abbreviation", "ab", "acronym", "ac", "raw",
    "file", "command", "program", "samp", "kbd", "abbr", "dfn", "guilabel", "menuselection",
    "mimetype", "newsfeed", "regexp", "envvar", "term", "option", "py:func", "func", "class", "meth", "mod", "attr",
    "data", "exc", "obj", "download", "numref", "eq", "cite", "any"))
XREF_ROLES = frozenset(("doc", "ref", "any", "numref", "term", "post"))
_XREF = re.compile(r"(?<![\w`]):(doc|ref|any|numref|term|post):`([^`]*)`")
_DIRECTIVE = re.compile(r"^\s*\.\.\s+([\w:.-]+)::")
_ROLE = re.compile(r"(?<![\w`]):([\w:.+-]+):`")
TIMEOUT_S = 60


@dataclass
class Rst:
    """A reStructuredText post read: its fields, its body as Markdown, where that body started, pandoc's warnings
    as ``(line of the file or None, message)``."""

    meta: dict[str, Any]
    markdown: str
    body_line: int
    warnings: list[tuple[int | None, str]] = field(default_factory=list)


def _title(lines: list[str], i: int) -> tuple[str, int] | None:
    """``(title, next line)`` of a section heading starting at line ``i`` (overline optional), else ``None``."""
    if i + 2 < len(lines) and _ADORNMENT.match(lines[i]) and lines[i + 1].strip() and \
            _ADORNMENT.match(lines[i + 2]) and lines[i + 2].strip()[0] == lines[i].strip()[0]:
        return lines[i + 1].strip(), i + 3
    if i + 1 < len(lines) and lines[i].strip() and not _ADORNMENT.match(lines[i]) and \
            _ADORNMENT.match(lines[i + 1]) and len(lines[i + 1].rstrip()) >= len(lines[i].rstrip()) - 1:
        return lines[i].strip(), i + 2
    return None


def _fields(lines: list[str], i: int, meta: dict[str, Any]) -> int:
    """Read a field list or ``.. key: value`` comment lines from line ``i``; the first line after them."""
    while i < len(lines):
        m = _FIELD.match(lines[i]) or _COMMENT_FIELD.match(lines[i])
        if m:
            key, value = m.group(1).lower(), m.group(2)
            meta.setdefault(key, [t.strip() for t in re.split(r"[,;]", value) if t.strip()]
                            if key in LIST_FIELDS else value)
        elif lines[i].strip():
            break
        i += 1
    return i


def read_meta(text: str) -> tuple[dict[str, Any], int]:
    """The post's fields and the 0-based line where its body starts (after the title and field list)."""
    meta: dict[str, Any] = {}
    nikola = conventions.nikola_comments(text)
    lines = text.split("\n")
    i = 0
    if nikola:
        meta.update(nikola[0])
        i = text.count("\n", 0, len(text) - len(nikola[1]))
    while i < len(lines) and not lines[i].strip():
        i += 1
    i = _fields(lines, i, meta)  # a field list before the title (docinfo without a title)
    while i < len(lines) and not lines[i].strip():
        i += 1
    found = _title(lines, i)
    if found:
        meta.setdefault("title", found[0])
        i = _fields(lines, found[1], meta)
    return conventions.nikola_fields(meta) if nikola else conventions.normalise(meta), i


def pandoc(text: str, file: object) -> tuple[str, list[tuple[int | None, str]]]:
    """``text`` (reStructuredText) as extended CommonMark, and pandoc's warnings (with their line when given)."""
    import pypandoc

    try:
        exe = pypandoc.get_pandoc_path()
    except OSError:
        raise PostError.one(file, "file", "reStructuredText needs pandoc (pip install pypandoc-binary)") from None
    try:
        run = subprocess.run([exe, "--from", "rst", "--to", PANDOC_TO, "--wrap=none", "--verbose", "--sandbox"], input=text,
                             capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise PostError.one(file, "file", f"pandoc did not convert it within {TIMEOUT_S} s") from None
    if run.returncode != 0:
        raise PostError.one(file, "file", f"pandoc cannot read it as reStructuredText: "
                                          f"{' '.join(run.stderr.split())[:200]}")
    warnings: list[tuple[int | None, str]] = []
    for line in run.stderr.splitlines():
        m = _WARNING.match(line.strip())
        if m:
            at = _LINE.search(m.group(1))
            warnings.append((int(at.group(1)) if at else None, m.group(1)))
    return run.stdout, warnings


def convert(text: str, file: object) -> Rst:
    """A reStructuredText post's fields and its body as Markdown (raises ``PostError`` when pandoc cannot)."""
    meta, start = read_meta(text)
    body, xrefs = cross_references("\n".join(text.split("\n")[start:]))
    markdown, warnings = pandoc(body, file)
    warnings += xrefs
    markdown = admonitions(markdown)
    shifted = [(None if line is None else line + start, msg) for line, msg in warnings]
    return Rst(meta, markdown, start + 1, sorted(shifted + unknown_constructs(text, start),
                                                 key=lambda w: w[0] or 0))


def cross_references(body: str) -> tuple[str, list[tuple[int | None, str]]]:
    """Sphinx's and Nikola's references to other pages of the old site (``:doc:`text <page>```) as their text, with
    a warning each (the page is not in the book)."""
    warnings: list[tuple[int | None, str]] = []

    def text(m: re.Match[str]) -> str:
        shown = re.match(r"^(.*?)\s*<([^<>]*)>$", m.group(2), re.S)
        line = body.count("\n", 0, m.start()) + 1
        warnings.append((line, f"reference :{m.group(1)}:`{m.group(2)}` to another page of the old site kept as "
                               "text"))
        return shown.group(1) if shown and shown.group(1) else m.group(2)

    return _XREF.sub(text, body), warnings


def unknown_constructs(text: str, start: int = 0) -> list[tuple[int | None, str]]:
    """A warning for each directive and role of the body (from line ``start``) that pandoc does not convert."""
    out: list[tuple[int | None, str]] = []
    in_literal = False
    for n, line in enumerate(text.split("\n")[start:], start=start + 1):
        if line.strip() and not line[:1].isspace():
            in_literal = False
        d = _DIRECTIVE.match(line)
        if d:
            name = d.group(1).lower()
            if name not in PANDOC_DIRECTIVES:
                out.append((n, f"directive .. {name}:: is not one the book converts: its content is kept as text"))
            in_literal = name in ("code", "code-block", "sourcecode", "raw", "math")
            continue
        if in_literal or line.rstrip().endswith("::"):
            in_literal = in_literal or line.rstrip().endswith("::")
            continue
        for r in _ROLE.finditer(line):
            if r.group(1).lower() not in PANDOC_ROLES | XREF_ROLES:
                out.append((n, f"role :{r.group(1)}: is not one the book converts: its text is kept as code"))
    return out


ADMONITIONS = frozenset(("note", "warning", "tip", "important", "caution", "danger", "error", "hint", "attention",
                         "seealso"))
_DIV_OPEN = re.compile(r"^(:{3,})\s*\{\.([\w-]+)\}\s*$")


def admonitions(markdown: str) -> str:
    """Pandoc's admonition divs (``:::: {.note}`` with a ``::: {.title}`` inside, ``::: {.admonition}`` whose first
    line is the title) as MyST admonitions."""
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _DIV_OPEN.match(lines[i])
        if not m or m.group(2) not in ADMONITIONS | {"admonition"}:
            out.append(lines[i])
            i += 1
            continue
        colons, kind = m.group(1), m.group(2)
        title = None
        j = i + 1
        t = _DIV_OPEN.match(lines[j]) if j < len(lines) else None
        if t and t.group(2) == "title":
            end = next((k for k in range(j + 1, len(lines)) if lines[k].strip() == t.group(1)), None)
            if end is not None:
                title = " ".join(x.strip() for x in lines[j + 1:end] if x.strip())
                j = end + 1
        elif kind == "admonition" and j < len(lines) and lines[j].strip():
            title = lines[j].strip()
            j += 1
        if kind == "admonition":
            out += [f"{colons}{{admonition}} {title or 'Note'}"]
        elif title and title.lower() != kind:
            out += [f"{colons}{{admonition}} {title}", f":class: {kind}"]
        else:
            out.append(f"{colons}{{{kind}}}")
        i = j
    return "\n".join(out)
