"""The author's words in a post notebook, and whether they are all there, in order, and alone.

A post notebook interleaves the author's post with the project's reproduction. The author's text is every Markdown
cell's text **outside** the project's marked additions (a ``:::{admonition}`` block whose options include
``:class: mlopsbook-addition``); code cells, their outputs and the verdict cards they display are the project's.
:func:`compare` checks it word for word against the post as the author wrote it: a word lost, moved or added is a
problem, and so is any sentence of the project left outside a marked box.

Two things the notebook may change, each checked rather than ignored:

- the title: the post's ``title`` field becomes the notebook's first ``#`` heading;
- an image the author referenced (``![alt](file)``) may be redrawn by a code cell whose figure caption quotes the
  image's alt text (``("alt")``): both sides then read ``[figure: alt]``.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import frontmatter

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_ADDITION = re.compile(r"^(:{3,})\{admonition\}[^\n]*\n(?P<body>.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_CELL = re.compile(r"^(`{3,})\{code-cell\}[^\n]*\n(?P<body>.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CAPTION_QUOTE = re.compile(r"\(\s*\"(?P<alt>[^\"]+)\"\s*\)")


def _words(text: str) -> list[str]:
    return text.split()


def figure_token(alt: str) -> str:
    """The stand-in both sides use for a figure: ``[figure: alt]`` (one token, whitespace normalised)."""
    return "[figure:" + "_".join(alt.split()) + "]"


def original_words(path: str | Path) -> list[str]:
    """The words of the post as its author wrote it (front matter excluded; images as :func:`figure_token`)."""
    body = frontmatter.load(str(path)).content
    body = _IMAGE.sub(lambda m: f" {figure_token(m.group(1))} ", body)
    return _words(body)


def _without_additions(markdown: str) -> str:
    def keep(m: re.Match[str]) -> str:
        return "" if re.search(r"^:class:.*\bmlopsbook-addition\b", m.group("body"), re.MULTILINE) else m.group(0)

    return _ADDITION.sub(keep, markdown)


def _code_cell_stand_in(m: re.Match[str]) -> str:
    """A code cell reads as nothing, or as the figure token of the author's image it redraws."""
    body = m.group("body")
    if "caption:" not in body:
        return "\n"
    q = _CAPTION_QUOTE.search(" ".join(body.split()))
    return f"\n{figure_token(q.group('alt'))}\n" if q else "\n"


def notebook_words(path: str | Path) -> tuple[str, list[str]]:
    """``(title, words)``: the notebook's first ``#`` heading and the words of its Markdown outside code cells and
    the project's marked additions (the title heading itself excluded)."""
    body = frontmatter.load(str(path)).content
    body = _CODE_CELL.sub(_code_cell_stand_in, body)
    body = _without_additions(body)
    title = ""
    m = re.search(r"^# (.+)$", body, re.MULTILINE)
    if m:
        title = m.group(1).strip()
        body = body[: m.start()] + body[m.end():]
    return title, _words(body)


def compare(original: str | Path, notebook: str | Path) -> list[str]:
    """Every difference between the author's post and the author's text in the notebook, one line each
    (empty when they agree word for word)."""
    problems: list[str] = []
    want_title = str(frontmatter.load(str(original)).metadata.get("title", ""))
    title, got = notebook_words(notebook)
    if title != want_title:
        problems.append(f"title: the notebook's heading is {title!r}, the post's title {want_title!r}")
    want = original_words(original)
    sm = difflib.SequenceMatcher(a=want, b=got, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        lost, added = " ".join(want[i1:i2]), " ".join(got[j1:j2])
        where = " ".join(want[max(0, i1 - 6):i1])
        if op == "delete":
            problems.append(f"lost after “…{where}”: {lost!r}")
        elif op == "insert":
            problems.append(f"added after “…{where}” (outside a marked addition): {added!r}")
        else:
            problems.append(f"changed after “…{where}”: {lost!r} -> {added!r}")
    return problems
