"""A post body, converted from its generator's Markdown to MyST that the book builds.

In order: Liquid and shortcode blocks (:mod:`~mlopsbook.posts.liquid`, :mod:`~mlopsbook.posts.shortcodes`), fenced
divs (:mod:`~mlopsbook.posts.divs`), then line by line: the title heading, heading levels, code fences, HTML blocks;
then each run of text: template values, links and images, template tags, inline HTML images, leftovers.

- Title: the frontmatter's; else the first level-1 heading outside code and directives, removed from the body. The
  notebook then starts with ``# Title``; when the body used level-1 headings for its sections they move one level
  down. A heading inside a list, a quote or an admonition (which MyST cannot nest) becomes bold text.
- Code fences: Pandoc/Quarto info strings (``{.bash}``, ``{python}``, ``{r setup}``) become a language; Quarto and
  R Markdown cells are kept as static code (with a warning: they are not run); a language the highlighter does not
  know becomes ``text``; a ``title="file"`` becomes a ``{code-block}`` caption.
- HTML blocks: ``<img>`` (with ``<a>``, ``<figure>``, ``<figcaption>``, ``<p>`` or ``<div>`` around it) becomes an
  image or figure; an ``<iframe>`` a link; ``<!--more-->``/``<!--truncate-->`` marks the excerpt.
- Links: an address stays; a site-root path (``/docs/x/``) points at the old site when its address is known; an
  anchor stays when it names a heading (the post then gets MyST heading anchors); a linked local file is copied;
  a link to another page of the old blog keeps its text and loses the link, with a warning.
- Math (``$...$``, ``$$...$$``, ``\\begin{align}``): kept; the post gets MyST's dollarmath and amsmath.
- Posts are data, not code (:mod:`~mlopsbook.posts.safety`): ``{code-cell}``, ``{include}``, ``{literalinclude}``,
  ``{eval-rst}`` and ``{raw}`` blocks, ``{download}`` roles and HTML that runs script become inert text, with a
  warning naming the line.
- What cannot be converted stays as visible text (``{{`` and ``{%`` escaped so MyST does not read them), with a
  warning naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mlopsbook.posts import blocks, divs, extensions, htmlblocks, links, liquid, markup, safety, shortcodes
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.lines import XREF, Lines, fenced_lines, raw_spans, strip_markers
from mlopsbook.posts.markup import code_spans

MORE = re.compile(r"<!--\s*(more|truncate|excerpt)\s*-->", re.I)
EXECUTABLE = {"python", "r", "julia", "ojs", "bash", "sql", "js", "python3", "ipython3", "mermaid", "dot"}
_BRACE_INFO = re.compile(r"^\{\s*\.?([\w+#-]+)[\s,}]")
_TITLE_ATTR = re.compile(r"""\btitle\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_HEADING_ATTRS = re.compile(r"\s*\{\s*[#.][^{}]*\}\s*$")
_KRAMDOWN_LINE = re.compile(r"^\s*\{:[^}]*\}\s*$|^\s*\{::options[^}]*/\}\s*$")
_TOC_MARKER = re.compile(r"^\s*[-*]\s+TOC\s*$")
_SPAN = re.compile(r"\[([^\[\]\n]+)\]\{[.#:][^{}\n]*\}")
_MDX_LINE = re.compile(r"^(import\s.+\sfrom\s+['\"].+['\"];?|export\s+(const|default|function)\b.*)\s*$")
_LABEL_LINE = re.compile(r"^\(([^()\s]+)\)=\s*$")
_INLINE_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@dataclass
class Converted:
    """The MyST body (without its title heading) and what the import learned from it."""

    text: str
    title: str | None = None
    excerpt: int | None = None
    excerpt_text: str = ""
    math: bool = False
    amsmath: bool = False
    anchors: bool = False
    slugs: set[str] = field(default_factory=set)


def _heading_text(text: str) -> str:
    return " ".join(_HEADING_ATTRS.sub("", text).split())


def slugify_heading(plain: str) -> str:
    """MyST's heading anchor for a heading's text (the function MyST uses by default)."""
    from myst_parser.mdit_to_docutils.base import default_slugify

    return default_slugify(plain)


class Converter:
    """Converts one post body; ``ctx`` carries the file, site, frontmatter and asset callbacks."""

    def __init__(self, ctx: Ctx, *, title: str | None, mdx: bool = False):
        self.ctx = ctx
        self.title = title
        self.mdx = mdx
        self.out = Converted("")
        self.cells: list[tuple[int, str]] = []
        self.notes: list[str] = []

    # -- the stages -----------------------------------------------------------------------------------------------
    def run(self, body: str) -> Converted:
        lines = liquid.prepass(Lines.of(body))
        self.ctx.origin = lines.origin
        lines = liquid.notebook_lines(lines, fenced_lines(lines.text), self.ctx)
        self.ctx.origin = lines.origin
        lines = extensions.rmarkdown(lines, self.ctx)
        self.ctx.origin = lines.origin
        lines = extensions.admonitions(lines, fenced_lines(lines.text))
        self.ctx.origin = lines.origin
        if self.mdx:
            extensions.components(lines, fenced_lines(lines.text), self.ctx)
        lines = shortcodes.prepass(lines, fenced_lines(lines.text), self.ctx)
        parsed = markup.parse(lines.joined())
        lines, inside = divs.convert(lines, parsed.code, self.ctx)
        lines = self._lines(lines, inside)
        self.ctx.origin = lines.origin
        parsed = markup.parse(lines.joined())
        self.out.math = parsed.math
        lines = self._runs(lines, parsed)
        text = "\n".join(lines.text).strip("\n")
        if self.notes:
            text += "\n\n" + "\n".join(f"[^note-{k}]: {n}" for k, n in enumerate(self.notes, 1))
        self.out.text = strip_markers(text)
        self.out.amsmath = bool(re.search(r"^\s*\\begin\{(align|equation|gather|multline|eqnarray)\*?\}", text, re.M))
        return self.out

    # -- line-level: title, headings, fences, HTML blocks -------------------------------------------------------
    def _lines(self, lines: Lines, inside: set[int]) -> Lines:
        self.ctx.origin = lines.origin
        parsed = markup.parse(lines.joined())
        rep: dict[int, list[str]] = {}
        top = [h for h in parsed.headings if not h.nested and h.start not in inside]
        if self.title is None:
            first = next((h for h in top if h.level == 1 and _heading_text(h.text)), None)
            if first is not None:
                self.out.title = self.title = _heading_text(first.text)
                rep.update({j: [""] for j in range(first.start, first.end)})
                top.remove(first)
        elif top and top[0].level == 1 and _heading_text(top[0].text) == self.title:
            rep.update({j: [""] for j in range(top[0].start, top[0].end)})
            top = top[1:]
        shift = 1 if any(h.level == 1 for h in top) else 0
        for h in parsed.headings:
            if h.start in rep:
                continue
            text = _heading_text(h.text)
            if h.nested or h.start in inside:
                rep[h.start] = [_bold_heading(lines.text[h.start], text)]
            else:
                rep[h.start] = [markup.heading_line(h.level + shift, text)]
                self.out.slugs.add(slugify_heading(plain_heading(text)))
            rep.update({j: [] for j in range(h.start + 1, h.end)})
        for start, (info, _closed) in parsed.fences.items():
            new = self._fence_info(info, start)
            if new is not None:
                indent = re.match(r"^\s*", lines.text[start]).group()
                marker = re.match(r"^\s*(`{3,}|~{3,})", lines.text[start]).group(1)
                rep[start] = f"{indent}{marker}{new}".split("\n")
        if self.cells:
            langs = ", ".join(sorted({f"{{{lang}}}" for _, lang in self.cells}))
            others = [str(self.ctx.where(i)) for i, _ in self.cells[1:]]
            self.ctx.warn(self.cells[0][0], "code", f"{len(self.cells)} executable {langs} cell(s) kept as static code"
                          + (f" (also lines {', '.join(others)})" if others else "")
                          + ": the book does not run them; make one a {code-cell} to run it")
        for start in parsed.bad_transitions():
            rep[start] = [""]
            self.ctx.warn(start, "body", "a --- line that starts a section, follows another or ends the post was "
                                         "removed (the book's build refuses it there)")
        for start, end, content in parsed.html:
            new = self._html_block(content, start, parsed)
            if new is not None:
                rep[start] = new
                rep.update({j: [] for j in range(start + 1, end)})
        for i, line in enumerate(lines.text):
            if i in parsed.code or i in rep:
                continue
            if _KRAMDOWN_LINE.match(line) or (_TOC_MARKER.match(line) and i + 1 < len(lines.text)
                                              and "{:toc}" in lines.text[i + 1]):
                rep[i] = [""]
                self.ctx.warn(i, "body", f"kramdown marker {line.strip()!r} removed")
            elif self.mdx and _MDX_LINE.match(line):
                rep[i] = [""]
                self.ctx.warn(i, "body", f"MDX line {line.strip()[:60]!r} removed (MyST has no JavaScript imports)")
            elif _LABEL_LINE.match(line):
                self.out.slugs.add(_LABEL_LINE.match(line).group(1))
        return lines.rebuilt(rep)

    def _fence_info(self, info: str, line: int) -> str | None:
        """A new info string for a code fence, or ``None`` to keep it."""
        info = info.strip()
        if not info:
            return None
        m = re.match(r"^\{([\w:.-]+)\}", info)
        if m and m.group(1) in safety.ACTIVE_DIRECTIVES:
            self.ctx.warn(line, "code", f"```{info[:60]} kept as text: a post imported from another blog does not "
                                        "run code, read files or publish raw markup in the book")
            return f"text\n{info}"
        if m and m.group(1) in divs.known_directives():
            return divs.directive_image(info, self.ctx, line)
        brace = _BRACE_INFO.match(info + " ")
        if info.startswith("{"):
            lang = (brace.group(1) if brace else "").lower()
            if not info.startswith("{.") and lang in EXECUTABLE:
                self.cells.append((line, lang))
            return _lexer(lang, self.ctx, line) if lang else "text"
        words = info.split()
        lang = words[0]
        known = _lexer(lang, self.ctx, line)
        title = _TITLE_ATTR.search(info)
        if title:
            caption = title.group(1) or title.group(2)
            return f"{{code-block}} {known}\n:caption: {blocks.one_line(caption)}"
        if known != lang or len(words) > 1:
            return known
        return None

    def _html_block(self, content: str, line: int, parsed: markup.Parsed) -> list[str] | None:
        if MORE.fullmatch(content.strip()):
            self._excerpt(line, parsed)
            return [""]
        if safety.has_script(content):
            self.ctx.warn(line, "body", "raw HTML with script (<script>, on...= or javascript:) kept as text: the "
                                        "book does not run a post's scripts")
            lines = content.rstrip("\n").split("\n")
            opening, closing = safety.inert_fence(lines, "html")
            return [opening, *lines, closing]
        return htmlblocks.block(content, line, self.ctx)

    def _excerpt(self, line: int, parsed: markup.Parsed) -> None:
        if self.out.excerpt is not None:
            return
        before = [p for p in parsed.paragraphs if p[0] <= line]
        if before:
            self.out.excerpt = len(before)
            self.out.excerpt_text = " ".join(p[2] for p in before)

    # -- runs of text ------------------------------------------------------------------------------------------------
    def _runs(self, lines: Lines, parsed: markup.Parsed) -> Lines:
        if self.title:
            self.out.slugs.add(slugify_heading(plain_heading(self.title)))
        skip = parsed.code | {j for s, e, _ in parsed.html for j in range(s, e)}
        out: list[str] = []
        origin: list[int] = []
        i = 0
        n = len(lines.text)
        while i < n:
            if i in skip:
                out.append(strip_markers(lines.text[i]))
                origin.append(lines.origin[i])
                i += 1
                continue
            j = i
            while j < n and j not in skip:
                j += 1
            run = "\n".join(lines.text[i:j])
            for k in range(i, j):
                if MORE.search(lines.text[k]):
                    self._excerpt(k, parsed)
            new = self._run(run, i, parsed)
            new_lines = new.split("\n")
            out.extend(new_lines)
            old = lines.origin[i:j]
            origin.extend(old[min(k, len(old) - 1)] for k in range(len(new_lines)))
            i = j
        return Lines(out, origin)

    def _run(self, text: str, line0: int, parsed: markup.Parsed) -> str:
        ctx = self.ctx
        text = MORE.sub("", text)
        text = liquid.expressions(text, ctx, line0)
        text = links.rewrite(text, line0, self.ctx, self.out)
        text = liquid.tags(text, ctx, line0)
        text = shortcodes.shortcodes(text, ctx, line0)
        text = markup.sub_outside(htmlblocks.INLINE_IMG, text,
                                  lambda m: htmlblocks.inline_image(m, text, line0, self.ctx))
        text = markup.sub_outside(_SPAN, text, lambda m: m.group(1))
        text = markup.sub_outside(_INLINE_TAG, text, lambda m: self._inline_tag(m, text, line0))
        text = safety.defuse_download_roles(text, lambda i, msg: self.ctx.warn(line0 + i, "body", msg))
        text = markup.sub_outside(extensions.INLINE_NOTE, text, self._inline_note)
        text = self._leftovers(text, line0)
        return text

    def _inline_tag(self, m: re.Match[str], text: str, line0: int) -> str | None:
        """An inline HTML tag that runs script, shown as text (``&lt;``)."""
        if not safety.has_script(m.group()):
            return None
        self.ctx.warn(self._line(text, m.start(), line0), "body", f"inline HTML with script kept as text: "
                                                                   f"{m.group()[:60]!r}")
        return "&lt;" + m.group()[1:]

    def _inline_note(self, m: re.Match[str]) -> str:
        """pandoc's inline footnote ``^[text]``: a numbered MyST footnote defined at the end of the body."""
        self.notes.append(" ".join(m.group(1).split()))
        return f"[^note-{len(self.notes)}]"

    def _line(self, text: str, pos: int, line0: int) -> int:
        return line0 + text.count("\n", 0, pos)

    def _leftovers(self, text: str, line0: int) -> str:
        spans = code_spans(text)
        out: list[str] = []
        pos = 0
        warned: set[int] = set()
        for m in re.finditer(rf"{XREF}([^{XREF}]*){XREF}|\{{\{{|\{{%", text):
            if not markup.outside(spans, m.start()):
                continue
            line = self._line(text, m.start(), line0)
            out.append(text[pos: m.start()])
            if m.group().startswith(XREF):
                out.append(m.group(1).replace("{", "\\{"))
                self.ctx.warn(line, "body", f"reference to another page of the old site ({m.group(1)}) kept as text")
            else:
                out.append("\\" + m.group()[0] + ("\\{" if m.group() == "{{" else "%"))
                inside_raw = any(a <= m.start() < b for a, b in raw_spans(text))
                if line not in warned and not inside_raw:
                    warned.add(line)
                    snippet = text[m.start(): m.start() + 40].split("\n")[0]
                    self.ctx.warn(line, "body", f"template code kept as text: {snippet!r}")
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)


def plain_heading(text: str) -> str:
    """Heading text as MyST slugifies it: without emphasis markers, link targets and code backticks."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`~]", "", text)


def _bold_heading(line: str, text: str) -> str:
    m = re.match(r"^(\s*(?:>\s*)*(?:[-*+]\s+|[0-9]+[.)]\s+)?)#{1,6}\s", line)
    prefix = m.group(1) if m else ""
    return f"{prefix}**{text}**" if text else prefix


@lru_cache(maxsize=256)
def lexer_known(lang: str) -> bool:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        get_lexer_by_name(lang)
    except ClassNotFound:
        return False
    return True


def _lexer(lang: str, ctx: Ctx, line: int) -> str:
    if lang in ("", "text", "none", "default") or lexer_known(lang):
        return lang
    ctx.warn(line, "code", f"code language {lang!r} is unknown to the book's highlighter: shown as plain text")
    return "text"


def mdx_path(path: Path) -> bool:
    return path.suffix.lower() == ".mdx"
