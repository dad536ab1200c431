"""Fenced divs (``:::``) of Pandoc/Quarto and admonitions of Docusaurus, as MyST directives.

- Quarto callouts (``::: {.callout-tip title="..." collapse="true"}``, the first heading inside being the title) and
  Docusaurus admonitions (``:::tip[Title]``, ``:::info Title``) become ``{note}``/``{tip}``/... or a titled
  ``{admonition}`` (``dropdown`` when collapsed);
- ``.column-margin`` and ``.aside`` become ``{margin}``;
- a MyST directive (``:::{figure}``) stays, except those that run code, read files or publish raw markup
  (:data:`mlopsbook.posts.safety.ACTIVE_DIRECTIVES`), which become a code block showing them as text;
- any other div (``{.panel-tabset}``, ``{#fig-x}``, layout classes) loses its fences and keeps its content, with a
  warning; a stray closing fence is removed.

MyST closes a colon fence with the first fence of as many colons, so nested directives are renumbered: each gets three
colons more than the directives it contains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from mlopsbook.posts import blocks, safety
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.lines import Lines
from mlopsbook.posts.markup import HEADING_ATX

OPEN = re.compile(r"^( {0,3})(:{3,})\s*(\S.*?)\s*$")
CLOSE = re.compile(r"^ {0,3}:{3,}\s*$")
_DIRECTIVE = re.compile(r"^\{([\w:.-]+)\}\s*(.*)$")
_WORD = re.compile(r"^([A-Za-z][\w-]*)(?:\[(.*)\])?\s*(.*)$")
_ATTR = re.compile(r"""([.#]?[\w:-]+)(?:=("[^"]*"|'[^']*'|\S+))?""")
CALLOUTS = ("note", "tip", "warning", "caution", "important")
MARGIN = ("column-margin", "aside", "margin", "column-page-right")
EXTRA_DIRECTIVES = frozenset((
    "code-block", "sourcecode", "literalinclude", "toctree", "glossary", "index", "only", "centered", "hlist",
    "seealso", "versionadded", "versionchanged", "deprecated", "highlight", "margin", "sidebar", "dropdown",
    "tab-set", "tab-item", "card", "grid", "grid-item", "grid-item-card", "button-link", "button-ref", "div",
    "code-cell", "raw-cell", "glue", "glue:figure", "glue:math", "glue:md", "glue:any", "glue:text",
    "nb-exec-table", "postlist", "post", "update", "claims-ledger", "claims-at-a-glance", "post-list", "data-inventory",
    "execution-table", "eval-rst",
    "tabularcolumns", "productionlist", "rst-class", "default-role", "bibliography", "math", "prf:proof",
))


@lru_cache(maxsize=1)
def known_directives() -> frozenset[str]:
    """Directive names the book's build knows (docutils' own and those of Sphinx and the book's extensions)."""
    from docutils.parsers.rst import directives

    names = set(getattr(directives, "_directive_registry", {}))
    return frozenset(names | EXTRA_DIRECTIVES)


@dataclass
class Div:
    start: int
    kind: str  # "directive" | "admonition" | "margin" | "drop" | "inert" (shown as text)
    info: str
    name: str = ""
    title: str | None = None
    dropdown: bool = False
    end: int | None = None
    children: list["Div"] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        return self.kind != "drop"

    def height(self) -> int:
        """How many kept directives nest inside this one, at most."""
        return max((c.height() + (1 if c.kept else 0) for c in self.children), default=0)


def _attrs(text: str) -> tuple[list[str], dict[str, str]]:
    classes, attrs = [], {}
    for m in _ATTR.finditer(text):
        key, value = m.group(1), m.group(2)
        if value is not None:
            attrs[key.lower()] = value.strip("\"'")
        elif key.startswith("."):
            classes.append(key[1:].lower())
    return classes, attrs


def classify(info: str, line: int) -> Div:
    """What a ``:::`` line's text asks for."""
    m = _DIRECTIVE.match(info)
    if m and m.group(1) in safety.ACTIVE_DIRECTIVES:
        return Div(line, "inert", info, name=m.group(1))
    if m and m.group(1) in known_directives():
        return Div(line, "directive", info, name=m.group(1))
    if info.startswith("{"):
        classes, attrs = _attrs(info.strip("{} "))
    else:
        w = _WORD.match(info)
        if not w:
            return Div(line, "drop", info)
        word, bracket, rest = w.group(1).lower(), w.group(2), w.group(3)
        if word in blocks.ADMONITIONS:
            return Div(line, "admonition", info, name=word, title=(bracket or rest or None))
        classes, attrs = [word], {}
    for c in classes:
        if c.startswith("callout-"):
            kind = c.removeprefix("callout-")
            return Div(line, "admonition", info, name=kind if kind in CALLOUTS else "note",
                       title=attrs.get("title"), dropdown=attrs.get("collapse", "").lower() == "true")
        if c == "callout":
            return Div(line, "admonition", info, name="note", title=attrs.get("title"))
        if c in MARGIN:
            return Div(line, "margin", info)
    return Div(line, "drop", info)


def convert(body: Lines, code: set[int], ctx: Ctx) -> tuple[Lines, set[int]]:
    """``body`` with its divs converted, and the (new) lines inside kept directives (callouts, figures, margins)."""
    ctx.origin = body.origin
    top: list[Div] = []
    stack: list[Div] = []
    replacements: dict[int, list[str]] = {}
    for i, line in enumerate(body.text):
        if i in code:
            continue
        if CLOSE.match(line):
            if stack:
                stack.pop().end = i
            else:
                replacements[i] = [""]
                ctx.warn(i, "body", "a ::: closing fence without an opening one was removed")
            continue
        m = OPEN.match(line)
        if m:
            div = classify(m.group(3), i)
            (stack[-1].children if stack else top).append(div)
            stack.append(div)
    for div in stack:
        ctx.warn(div.start, "body", f"::: {div.info} is never closed; it is closed at the end of the post")
    inside_old: set[int] = set()
    tail: list[str] = []
    for div in _walk(top):
        end = div.end if div.end is not None else len(body.text)
        colons = ":" * (3 + div.height())
        if div.kind == "drop":
            replacements[div.start] = [""]
            ctx.warn(div.start, "body", f"div ::: {div.info} removed (the book has no equivalent); its content is kept")
        elif div.kind == "inert":
            opening, closing = safety.inert_fence(body.text[div.start:end + 1])
            replacements[div.start] = [opening, body.text[div.start]]
            ctx.warn(div.start, "body", f"::: {div.info[:60]} kept as text: a post imported from another blog does not "
                                        "run code, read files or publish raw markup in the book")
            if div.end is not None:
                replacements[div.end] = [body.text[div.end], closing]
            else:
                tail.append(closing)
            continue
        else:
            if div.kind == "admonition" and div.title is None:
                div.title = _heading_title(body, div.start + 1, end, code, replacements)
            replacements[div.start] = _head(div, colons, ctx)
            inside_old.update(range(div.start + 1, end))
        if div.end is not None:
            replacements[div.end] = [colons] if div.kept else [""]
        elif div.kept:
            tail.insert(0, colons)  # inner directives close first
    if tail and body.text:
        last = len(body.text) - 1
        replacements[last] = [*replacements.get(last, [body.text[last]]), "", *tail]
    new = body.rebuilt(replacements)
    return new, _new_indices(body, replacements, inside_old)


def directive_image(info: str, ctx: Ctx, line: int) -> str | None:
    """A MyST ``{image}``/``{figure}`` directive's line with its image copied and its path rewritten (else ``None``)."""
    m = re.match(r"^\{(image|figure)\}\s+(\S+)\s*$", info)
    if not m:
        return None
    new = ctx.image(m.group(2), line)
    return None if new == m.group(2) else f"{{{m.group(1)}}} {new}"


def _walk(divs: list[Div]):  # noqa: ANN202
    for d in divs:
        yield d
        yield from _walk(d.children)


def _head(div: Div, colons: str, ctx: Ctx) -> list[str]:
    if div.kind == "directive":
        return [colons + (directive_image(div.info, ctx, div.start) or div.info)]
    if div.kind == "margin":
        return [f"{colons}{{margin}}"]
    return blocks.admonition(div.name, [], title=div.title, dropdown=div.dropdown, fence=colons)[:-1]


def _heading_title(body: Lines, start: int, end: int, code: set[int], replacements: dict[int, list[str]]) -> str | None:
    """Quarto's callout title: the first heading inside, when it comes first (its line is removed)."""
    for j in range(start, end):
        line = body.text[j]
        if not line.strip():
            continue
        m = HEADING_ATX.match(line)
        if j in code or not m or not (m.group(2) or "").strip():
            return None
        replacements[j] = []
        return m.group(2).strip()
    return None


def _new_indices(body: Lines, replacements: dict[int, list[str]], old: set[int]) -> set[int]:
    out: set[int] = set()
    pos = 0
    for i in range(len(body.text)):
        n = len(replacements.get(i, [body.text[i]]))
        if i in old:
            out.update(range(pos, pos + n))
        pos += n
    return out
