"""Links and images in a run of text, rewritten for the book.

An image's file is copied into the post's folder. A link keeps an address (http, https, mailto, ftp); a site-root path
(``/docs/x/``) becomes the old site's address when it is known (``--site-url`` or the site's configuration); an anchor
stays when a heading of the post has it; a linked local file (data, code) is copied; any other link (another page of
the old blog, a Liquid ``post_url``, a Hugo ``ref``, an unknown scheme) keeps its text and loses the link, with a
warning. A Pandoc/kramdown attribute block after a link or image (``{width=50%}``, ``{:target="_blank"}``) is removed.
"""

from __future__ import annotations

import re
from typing import Any

from mlopsbook.posts import markup
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.lines import XREF
from mlopsbook.posts.markup import REF_DEF, code_spans, iter_links

URL_SCHEMES = ("http", "https", "mailto", "ftp")
PAGE_SUFFIXES = (".md", ".markdown", ".qmd", ".mdx", ".rmd", ".ipynb", ".html", ".htm", ".rst", ".txt")
_LEFTOVER = re.compile(r"\{\{|\{%")
_ATTR_AFTER = re.compile(r"(?<=[)\]])\{:?[.#]?[\w-]*(?:[^{}\n]*)\}")


def rewrite(text: str, line0: int, ctx: Ctx, out: Any) -> str:
    """``text`` with its links and images rewritten (see the module's description); ``out`` collects the
    anchors (``out.slugs``, ``out.anchors``)."""
    edits: list[tuple[int, int, str]] = []
    for link in iter_links(text):
        line = line0 + text.count("\n", 0, link.start)
        dest = link.dest
        if link.image:
            if XREF in dest or _LEFTOVER.search(dest):
                continue
            new = ctx.image(dest, line)
            if new != dest:
                edits.append((link.dest_start, link.dest_end, angle(new)))
        else:
            new = destination(dest, line, ctx, out)
            if new is None:
                edits.append((link.start, link.start + 1, ""))
                edits.append((link.label_end, link.end, ""))
            elif new != dest:
                edits.append((link.dest_start, link.dest_end, angle(new)))
        after = text[link.end:]
        attr = _ATTR_AFTER.match(text, link.end) if after.startswith("{") else None
        if attr:
            edits.append((attr.start(), attr.end(), ""))
    spans = code_spans(text)
    for m in re.finditer(r"^.*$", text, re.M):
        d = REF_DEF.match(m.group())
        if not d or not markup.outside(spans, m.start()):
            continue
        dest = d.group(2).strip("<>")
        new = destination(dest, line0 + text.count("\n", 0, m.start()), image_ok=True, ctx=ctx, out=out)
        if new is None:
            edits.append((m.start(), m.end(), ""))
        elif new != dest:
            s = m.start() + d.start(2)
            edits.append((s, m.start() + d.end(2), angle(new)))
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]
    return text


def destination(dest: str, line: int, ctx: Ctx, out: Any, *, image_ok: bool = False) -> str | None:
    """The new destination of a link, or ``None`` to keep only its text."""
    d = dest.strip()
    if not d:
        return None
    if XREF in d:
        ref = d.replace(XREF, " ").strip()
        ctx.warn(line, "link", f"link to another page of the old site ({ref}) kept as text")
        return None
    if _LEFTOVER.search(d):
        ctx.warn(line, "link", f"link with template code {d[:60]!r} kept as text")
        return None
    if d.startswith("//"):
        return "https:" + d
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", d)
    if scheme:
        if scheme.group(1).lower() in URL_SCHEMES:
            return d
        ctx.warn(line, "link", f"link to {d[:60]!r} kept as text (the book links http, https, mailto, ftp)")
        return None
    if d.startswith("#"):
        frag = d[1:]
        if frag in out.slugs:
            out.anchors = True
            return d
        jupyter = _jupyter_anchor(frag)  # Jupyter's anchors keep the heading's case: #Fundamental-Matrix
        if jupyter in out.slugs:
            out.anchors = True
            return f"#{jupyter}"
        ctx.warn(line, "link", f"link to #{frag} kept as text: no heading of the post has that anchor")
        return None
    path = d.split("#", 1)[0].split("?", 1)[0]
    if d.startswith("/"):
        absolute = ctx.site.absolute(d)
        if absolute:
            return absolute
        ctx.warn(line, "link", f"site-root link {d} kept as text: give --site-url to link the old site")
        return None
    found = (ctx.src_dir / path) if path else None
    if found is not None and found.is_file() and not path.lower().endswith(PAGE_SUFFIXES):
        new = ctx.download(d, line)
        if new:
            return new
    if image_ok and found is not None and found.is_file():
        return ctx.image(d, line)
    ctx.warn(line, "link", f"link to {d} (another page of the old site) kept as text")
    return None


def angle(path: str) -> str:
    """A link destination, in angle brackets when it holds spaces or parentheses."""
    return f"<{path}>" if re.search(r"[\s()<>]", path) else path


def _jupyter_anchor(frag: str) -> str:
    """MyST's anchor for the heading a Jupyter-style anchor (``#Heading-Text``) names."""
    from myst_parser.mdit_to_docutils.base import default_slugify

    return default_slugify(frag.replace("-", " "))
