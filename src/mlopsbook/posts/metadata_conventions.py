"""Post metadata written other than as YAML frontmatter, read as each generator reads it.

=============================  =========================================================================================
convention                     where the fields are
=============================  =========================================================================================
Quarto, Jupyter Book, MyST     the notebook's first cell, raw or Markdown, holding ``---`` YAML ``---``
fastpages, nbdev 1             the first Markdown cell: ``# Title``, ``> summary``, then ``- key: value`` lines
                               (``- categories: [a, b]``, ``- image: images/x.png``, ``- toc: true``)
Nikola                         the notebook's ``metadata.nikola`` mapping; in text posts ``.. title: X`` comment lines
                               at the top (``<!-- .. title: X -->`` in Markdown)
Pelican                        ``Title: X`` header lines at the top of a Markdown post; a notebook's sidecar
                               ``<name>.nbdata`` or ``<name>.ipynb-meta`` file in that format; a reST post's title and
                               ``:date:`` field list (:mod:`mlopsbook.posts.rst`)
JupyterLab                     the notebook's ``metadata.title`` and ``metadata.authors`` (``[{name: ...}]``)
MkDocs Material                ``date: {created: ..., updated: ...}`` (a mapping, read as the created date)
Eleventy                       ``newstitle`` / ``newsdate`` fields of some Eleventy blogs' frontmatter
=============================  =========================================================================================

Each reader returns the fields it found (generator names, read by :mod:`mlopsbook.posts.fields` as usual) and the
text left once they are taken out. Nothing is read at import time.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import yaml

from mlopsbook.posts import safe_yaml
from mlopsbook.posts.source import Source

_FASTPAGES_ITEM = re.compile(r"^\s*-\s+([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_PELICAN_LINE = re.compile(r"^(?:[-*]\s+)?([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")
_NIKOLA_LINE = re.compile(r"^\.\.\s+([a-z_]+)\s*:(?!:)\s*(.*?)\s*$")
PELICAN_KEYS = frozenset(("title", "date", "modified", "tags", "category", "slug", "author", "authors", "summary",
                          "lang", "translation", "status", "save_as", "url", "template", "subtitle", "description",
                          "keywords"))
NIKOLA_KEYS = frozenset(("title", "slug", "date", "tags", "category", "link", "description", "type", "author",
                         "status", "has_math", "previewimage", "template", "hidetitle", "nocomments", "pretty_url",
                         "enclosure", "updated", "wordcount", "annotations", "filters", "section"))


def _value(raw: str) -> Any:
    """A ``key: value`` value as YAML reads it (``[a, b]`` a list, ``true`` a boolean), else the text."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        value = safe_yaml.load(raw)
    except (yaml.YAMLError, RecursionError):
        return raw
    return value if isinstance(value, (str, int, float, bool, list)) and value is not None else raw


def _unquoted(text: str) -> str:
    """fastpages' quoted title or summary (``# "Title: with a colon"``) without its quotes."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def yaml_block(text: str) -> tuple[dict[str, Any], str] | None:
    """``(fields, rest)`` of a text that starts with a ``---`` YAML block (a Quarto or MyST notebook's first cell)."""
    m = re.match(r"^\s*---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", text, re.S)
    if not m:
        return None
    try:
        data = safe_yaml.load(m.group(1))
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): v for k, v in data.items()}, text[m.end():]


def fastpages_cell(text: str) -> tuple[dict[str, Any], str] | None:
    """``(fields, rest)`` of a fastpages title cell: ``# Title``, ``> summary``, ``- key: value`` lines.

    The cell must hold a level-1 title followed by a ``> summary`` or at least one ``- key: value`` line; the lines
    after the last field are the rest (prose the author wrote there stays).
    """
    lines = text.strip("\n").split("\n")
    if not lines or not re.match(r"^#\s+\S", lines[0]):
        return None
    fields: dict[str, Any] = {"title": _unquoted(lines[0].lstrip("#").strip())}
    i = 1
    summary: list[str] = []
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith(">")):
        if lines[i].startswith(">"):
            summary.append(lines[i].lstrip(">").strip())
        i += 1
    items = 0
    while i < len(lines):
        m = _FASTPAGES_ITEM.match(lines[i])
        if m:
            fields[m.group(1)] = _value(m.group(2))
            items += 1
        elif lines[i].strip():
            break
        i += 1
    if not summary and not items:
        return None
    if summary:
        fields["summary"] = _unquoted(" ".join(s for s in summary if s))
    return fields, "\n".join(lines[i:])


def header_lines(text: str, keys: frozenset[str] = PELICAN_KEYS) -> tuple[dict[str, Any], str] | None:
    """``(fields, rest)`` of Pelican/MultiMarkdown ``Key: value`` lines at the top of a text (the first must be a
    known key; the block ends at the first blank line). pelican-jupyter's first cell writes them as a list
    (``- Title: value``)."""
    lines = text.lstrip("\n").split("\n")
    fields: dict[str, Any] = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        m = _PELICAN_LINE.match(lines[i])
        if not m or (i == 0 and m.group(1).lower() not in keys):
            return None
        key = m.group(1).lower()
        if not m.group(2):
            pass  # an empty field (Pelican's "tags:") says nothing
        elif key in ("tags", "keywords", "authors"):
            fields[key] = [t.strip() for t in re.split(r"[,;]", m.group(2)) if t.strip()]
        else:
            fields[key] = m.group(2)
        i += 1
    if not fields or "title" not in fields and "date" not in fields:
        return None
    return fields, "\n".join(lines[i:])


def nikola_comments(text: str) -> tuple[dict[str, Any], str] | None:
    """``(fields, rest)`` of Nikola's ``.. key: value`` lines at the top of a post (in Markdown inside
    ``<!-- -->``)."""
    body = text.lstrip("\n")
    wrapped = re.match(r"^<!--\s*\n(.*?)\n\s*-->[ \t]*\n?", body, re.S)
    block = wrapped.group(1) if wrapped else body
    lines = block.split("\n")
    fields: dict[str, Any] = {}
    i = 0
    while i < len(lines):
        m = _NIKOLA_LINE.match(lines[i])
        if m:
            fields[m.group(1)] = m.group(2)
        elif lines[i].strip():
            break
        i += 1
    if "title" not in fields and "date" not in fields:
        return None
    rest = body[wrapped.end():] if wrapped else "\n".join(lines[i:])
    return nikola_fields(fields), rest


def nikola_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """Nikola's fields as the generator names the import reads: ``tags`` split on commas, ``link`` the post's
    external link, ``previewimage`` its cover, ``status: draft`` a draft."""
    out = {str(k): v for k, v in meta.items() if v not in ("", None)}
    if isinstance(out.get("tags"), str):
        out["tags"] = [t.strip() for t in out["tags"].split(",") if t.strip()]
    if "link" in out:  # Nikola's link: the address the post is about (its title links there)
        out.setdefault("external_link", out.pop("link"))
    if "previewimage" in out:
        out.setdefault("image", out.pop("previewimage"))
    if "status" in out and str(out["status"]).lower() in ("draft", "private"):
        out.setdefault("draft", True)
        out.pop("status")
    return out


def normalise(meta: dict[str, Any]) -> dict[str, Any]:
    """Frontmatter conventions the field mapping does not know by name: MkDocs Material's ``date: {created: ...}``,
    Eleventy's ``newstitle``/``newsdate``, Pelican's ``status: draft``."""
    out = dict(meta)
    date = out.get("date")
    if isinstance(date, dict):
        created = date.get("created") or next(iter(date.values()), None)
        if created is not None:
            out["date"] = created
            updated = date.get("updated")
            if updated is not None:
                out.setdefault("updated", updated)
    for ours, theirs in (("title", "newstitle"), ("date", "newsdate"), ("description", "newsdescription")):
        if theirs in out and ours not in out:
            out[ours] = out.pop(theirs)
    status = out.get("status")
    if isinstance(status, str) and status.strip().lower() in ("draft", "hidden") and "draft" not in out:
        out["draft"] = True
        out.pop("status")
    return out


def text_post(src: Source) -> Source:
    """A Markdown post without YAML/TOML/JSON frontmatter whose metadata is Nikola's ``.. title:`` comments or
    Pelican's ``Title:`` lines: the same post with those fields as its frontmatter and the lines taken out."""
    if src.fm_format != "none":
        return replace(src, meta=normalise(src.meta))
    found = nikola_comments(src.body) or header_lines(src.body)
    if not found:
        return src
    meta, rest = found
    line = src.body_line + src.body.count("\n", 0, len(src.body) - len(rest))
    return replace(src, meta=normalise(meta), body=rest, body_line=line, fm_format="lines")
