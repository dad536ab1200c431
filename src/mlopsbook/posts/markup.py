"""Where things are in a Markdown body: code, headings, HTML blocks, math, links and images.

Blocks are found with markdown-it (CommonMark with tables, footnotes, definition lists and dollar math, as MyST
reads them), so a ``# comment`` line in a code block is never a heading and a ``{{< x >}}`` in a code block is never
converted. Inline links and images are found with :func:`iter_links`, a scanner that balances brackets and
parentheses (``[![alt](img.png)](url)``, an alt text holding a link) and skips code spans, so that a destination can
be rewritten in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

HEADING_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
REF_DEF = re.compile(r"^( {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)(.*)$")


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.use(dollarmath_plugin).use(footnote_plugin).use(deflist_plugin)
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]  # keep destinations as written
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@dataclass(frozen=True)
class Heading:
    start: int  # first line (0-based), end: one past the last line
    end: int
    level: int
    text: str  # the inline Markdown source
    plain: str  # text and code content only, as MyST slugifies it
    nested: bool  # inside a list item or a block quote


@dataclass
class Parsed:
    """Line-level facts about a body (line numbers are 0-based indices into ``text.split("\\n")``)."""

    code: set[int] = field(default_factory=set)
    fences: dict[int, tuple[str, int]] = field(default_factory=dict)  # opening line -> (info, closing line or -1)
    html: list[tuple[int, int, str]] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    paragraphs: list[tuple[int, int, str]] = field(default_factory=list)  # top-level: (start, end, plain text)
    blocks: list[tuple[str, int]] = field(default_factory=list)  # top-level blocks in order: (token type, start)
    math: bool = False

    def bad_transitions(self) -> list[int]:
        """Lines of thematic breaks (``---``) docutils refuses: first in a section, next to another, or last in the
        document (one that ends a section is moved after it, which is fine)."""
        bad = []
        for k, (kind, start) in enumerate(self.blocks):
            if kind != "hr":
                continue
            prev = self.blocks[k - 1][0] if k > 0 else None
            nxt = self.blocks[k + 1][0] if k + 1 < len(self.blocks) else None
            if prev in (None, "heading_open", "hr") or nxt is None:
                bad.append(start)
        return bad


def _plain(inline: Token | None) -> str:
    if inline is None or not inline.children:
        return inline.content if inline is not None else ""
    return "".join(c.content for c in inline.children if c.type in ("text", "code_inline"))


def parse(text: str) -> Parsed:
    """The block structure of ``text``."""
    tokens = _md().parse(text)
    out = Parsed()
    for i, tok in enumerate(tokens):
        if tok.type in ("math_block", "math_block_label") or (
            tok.type == "inline" and any(c.type.startswith("math_inline") for c in tok.children or [])
        ):
            out.math = True
        if tok.map is None:
            continue
        start, end = tok.map
        if tok.level == 0 and tok.nesting >= 0:
            out.blocks.append((tok.type, start))
        if tok.type in ("fence", "code_block"):
            out.code.update(range(start, end))
            if tok.type == "fence":
                closed = end - 1 if end - 1 > start and _closes(text, end - 1, tok.markup) else -1
                out.fences[start] = (tok.info, closed)
        elif tok.type == "html_block":
            out.html.append((start, end, tok.content))
        elif tok.type == "heading_open":
            inline = tokens[i + 1] if i + 1 < len(tokens) else None
            out.headings.append(Heading(start, end, int(tok.tag[1]), inline.content if inline else "",
                                        _plain(inline), tok.level > 0))
        elif tok.type == "paragraph_open" and tok.level == 0:
            out.paragraphs.append((start, end, _plain(tokens[i + 1]) if i + 1 < len(tokens) else ""))
    return out


def _closes(text: str, line: int, markup: str) -> bool:
    lines = text.split("\n")
    return line < len(lines) and lines[line].strip().startswith(markup[:3])


# -- code spans ---------------------------------------------------------------------------------------------------
def code_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every inline code span in ``text`` (CommonMark: a run of n backticks closes at the next
    run of exactly n; an unmatched run is literal)."""
    spans = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] != "`":
            i += 1
            continue
        j = i
        while j < n and text[j] == "`":
            j += 1
        close, k = -1, j
        while k < n:
            if text[k] != "`":
                k += 1
                continue
            m = k
            while m < n and text[m] == "`":
                m += 1
            if m - k == j - i:
                close = m
                break
            k = m
        if close < 0:
            i = j
            continue
        spans.append((i, close))
        i = close
    return spans


def outside(spans: list[tuple[int, int]], pos: int) -> bool:
    return not any(a <= pos < b for a, b in spans)


def sub_outside(pattern: re.Pattern[str], text: str, fn: Callable[[re.Match[str]], str | None]) -> str:
    """``pattern.sub(fn, text)`` for matches outside code spans and raw regions (``fn`` may return ``None``: kept)."""
    from mlopsbook.posts.lines import raw_spans

    spans = raw_spans(text) + code_spans(text)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        if not outside(spans, m.start()):
            continue
        new = fn(m)
        if new is None:
            continue
        out.append(text[pos: m.start()])
        out.append(new)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


# -- links and images ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    start: int  # the "!" of an image, or the "["
    label_end: int  # the "]"
    dest_start: int
    dest_end: int
    end: int  # after ")"
    dest: str
    image: bool


def _match_open(text: str, close: int) -> int:
    depth = 0
    i = close
    while i >= 0:
        c = text[i]
        if i > 0 and text[i - 1] == "\\":
            i -= 1
            continue
        if c == "]":
            depth += 1
        elif c == "[":
            depth -= 1
            if depth == 0:
                return i
        i -= 1
    return -1


def _destination(text: str, pos: int) -> tuple[int, int, int] | None:
    """``(dest_start, dest_end, end)`` of an inline link's ``(dest "title")`` starting at ``pos`` (the "(")."""
    n = len(text)
    i = pos + 1
    while i < n and text[i] in " \t\n":
        i += 1
    if i < n and text[i] == "<":
        j = text.find(">", i)
        if j < 0 or "\n" in text[i:j]:
            return None
        ds, de, i = i + 1, j, j + 1
    else:
        ds, depth = i, 0
        while i < n and text[i] not in " \t\n":
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        de = i
    while i < n and text[i] in " \t\n":
        i += 1
    if i < n and text[i] in "\"'(":
        closer = {"\"": "\"", "'": "'", "(": ")"}[text[i]]
        j = i + 1
        while j < n and text[j] != closer:
            j += 2 if text[j] == "\\" else 1
        if j >= n:
            return None
        i = j + 1
        while i < n and text[i] in " \t\n":
            i += 1
    if i < n and text[i] == ")":
        return ds, de, i + 1
    return None


def iter_links(text: str) -> Iterator[Link]:
    """Every inline link and image of ``text`` outside code spans, innermost first within a nesting."""
    spans = code_spans(text)
    found = []
    pos = 0
    while True:
        k = text.find("](", pos)
        if k < 0:
            break
        pos = k + 1
        if not outside(spans, k) or (k > 0 and text[k - 1] == "\\"):
            continue
        start = _match_open(text, k)
        if start < 0 or not outside(spans, start):
            continue
        dest = _destination(text, k + 1)
        if dest is None:
            continue
        ds, de, end = dest
        image = start > 0 and text[start - 1] == "!"
        found.append(Link(start - 1 if image else start, k, ds, de, end, text[ds:de], image))
    return iter(found)


def heading_line(level: int, text: str) -> str:
    return f"{'#' * max(1, min(level, 6))} {text}".rstrip()
