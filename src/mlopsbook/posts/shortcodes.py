"""Hugo and Quarto shortcodes (``{{< name args >}}``, ``{{% name %}}``) turned into MyST or plain text.

Before Markdown is read: ``{{< highlight lang >}}`` blocks become fences, Hugo's escaped ``{{</* x */>}}`` is kept
verbatim, and a paired shortcode whose tags stand on their own lines is converted as a block: ``details``,
``notice``/``hint``/``alert``/``callout``/``admonition`` become admonitions, a shortcode whose first argument names an
image of the page bundle (``imgproc``) a figure with its content as caption; a Hugo inline shortcode template
(``name.inline`` holding ``{{ }}`` template code) is removed; any other pair keeps its content without the tags.

In text: ``figure`` becomes a figure; ``youtube``, ``vimeo``, ``tweet``/``twitter``, ``instagram``, ``gist``
and Quarto's ``video`` links; ``kbd`` the ``{kbd}`` role; ``meta``/``param`` the frontmatter value; ``ref``/``relref``
a cross-site reference; ``pagebreak`` nothing. Anything else stays as visible text, with a warning.
"""

from __future__ import annotations

import re
from pathlib import Path

from mlopsbook.posts import blocks
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.lines import RAW_CLOSE, RAW_OPEN, XREF, Lines
from mlopsbook.posts.markup import sub_outside

SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w.\-/]+)(.*?)\s*/?\s*[>%]\}\}", re.S)
_ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.S)
_LINE = re.compile(r"^\s*\{\{([<%])\s*(/?)\s*([\w.\-]+)(.*?)\s*[>%]\}\}\s*$")
_HIGHLIGHT = re.compile(r"^(\s*)\{\{[<%]\s*highlight\s+([\w+#.-]+)[^>%]*[>%]\}\}(.*)$")
_END_HIGHLIGHT = re.compile(r"\{\{[<%]\s*/\s*highlight\s*[>%]\}\}")
NOTES = {"notice", "hint", "alert", "callout", "admonition", "note", "tip", "warning", "info", "important",
         "caution", "danger"}
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif")
_LABEL = {"youtube": "YouTube video", "vimeo": "Vimeo video", "vimeo_simple": "Vimeo video",
          "instagram": "Instagram post", "instagram_simple": "Instagram post", "gist": "Gist", "video": "Video"}


def prepass(body: Lines, code: set[int], ctx: Ctx) -> Lines:
    """Highlight blocks, escaped shortcodes and paired block shortcodes (outside the lines in ``code``)."""
    text = list(body.text)
    for i, line in enumerate(text):
        line = _ESCAPED.sub(lambda m: f"{RAW_OPEN}{{{{{m[1]}{m[2]}{m[3]}}}}}{RAW_CLOSE}", line)
        if i not in code:
            m = _HIGHLIGHT.match(line)
            if m:
                line = f"{m[1]}```{m[2]}" + (f"\n{m[3]}" if m[3].strip() else "")
            line = _END_HIGHLIGHT.sub(lambda e, ln=line: ("\n" if ln[: e.start()].strip() else "") + "```", line)
        text[i] = line
    lines = Lines(text, list(body.origin))
    lines = Lines("\n".join(lines.text).split("\n"), _spread(lines))
    return _paired(lines, code, ctx)


def _spread(lines: Lines) -> list[int]:
    """Origins after some lines were split in two."""
    origin: list[int] = []
    for line, o in zip(lines.text, lines.origin):
        origin.extend([o] * (line.count("\n") + 1))
    return origin


def _paired(body: Lines, code: set[int], ctx: Ctx) -> Lines:
    """Paired shortcodes whose opening and closing tags stand alone on their lines."""
    from mlopsbook.posts.lines import fenced_lines

    fenced = fenced_lines(body.text)
    replacements: dict[int, list[str]] = {}
    i = 0
    n = len(body.text)
    while i < n:
        m = None if i in fenced else _LINE.match(body.text[i])
        if not m or m[2] or m[3] in ("highlight",):
            i += 1
            continue
        name = m[3]
        close = next((j for j in range(i + 1, n) if j not in fenced and _is_close(body.text[j], name)), None)
        if close is None:
            i += 1
            continue
        inner = body.text[i + 1: close]
        ctx.origin = body.origin
        new = _convert_pair(name, m[4], inner, ctx, i)
        if new is not None:
            replacements[i] = new
            for j in range(i + 1, close + 1):
                replacements[j] = []
        i = close + 1
    return body.rebuilt(replacements)


def _is_close(line: str, name: str) -> bool:
    m = _LINE.match(line)
    return bool(m and m[2] and m[3] == name)


def _bundle_image(name: str, src_dir: Path) -> Path | None:
    if not name or "/" in name:
        return None
    for p in sorted(src_dir.glob(f"{name}*")):
        if p.suffix.lower() in IMAGE_EXT and p.is_file():
            return p
    return None


def _convert_pair(name: str, args: str, inner: list[str], ctx: Ctx, line: int) -> list[str] | None:
    positional, named = blocks.params(args)
    content = "\n".join(inner).strip("\n")
    if name.endswith(".inline"):
        if "{{" in content:
            ctx.warn(line, "body", f"Hugo inline shortcode {name} removed: it holds template code, not content")
            return []
        return [content]
    if name == "details":
        title = named.get("summary") or (positional[0] if positional else "Details")
        return blocks.admonition("note", inner, title=title, dropdown=True)
    if name in NOTES:
        kind = (positional[0] if positional else named.get("type") or name).lower()
        title = named.get("title")
        return blocks.admonition(kind if kind in blocks.ADMONITIONS else "note", inner, title=title)
    image = _bundle_image(positional[0] if positional else named.get("src", ""), ctx.src_dir)
    if image is not None:
        path = ctx.image(image.name, line)
        caption = " ".join(content.split())
        return blocks.figure(path, caption=caption, alt=caption)
    ctx.warn(line, "body", f"shortcode {name} removed around its content (the book has no equivalent)")
    return inner


def shortcodes(text: str, ctx: Ctx, line0: int) -> str:
    """Shortcodes within a run of text."""

    def one(m: re.Match[str]) -> str | None:
        closing, name, args = m.group(2), m.group(3), m.group(4)
        line = line0 + text.count("\n", 0, m.start())
        if closing:
            return None
        positional, named = blocks.params(args)
        first = positional[0] if positional else ""
        if name == "figure":
            src = named.get("src") or first
            if not src:
                return None
            path = ctx.image(src, line)
            caption = named.get("caption") or named.get("title") or ""
            alt = named.get("alt") or caption
            target = named.get("link", "") if re.match(r"^https?://", named.get("link", "")) else ""
            figure = blocks.figure(path, caption=caption, alt=alt, width=named.get("width", ""), target=target,
                                   fence="```")
            return blocks.block_or_inline(text, m, figure, f"![{blocks.one_line(alt)}]({path})")
        if name in ("youtube", "vimeo", "vimeo_simple", "instagram", "instagram_simple", "video"):
            ident = named.get("id") or named.get("src") or named.get("url") or first
            url = blocks.video_url(name, ident)
            link = blocks.link(_LABEL[name], url) if url else None
            return blocks.block_or_inline(text, m, [link], link) if link else None
        if name in ("tweet", "twitter", "twitter_simple", "x"):
            user, ident = named.get("user", ""), named.get("id") or first
            if not ident:
                return None
            url = f"https://twitter.com/{user}/status/{ident}" if user else f"https://twitter.com/i/status/{ident}"
            return blocks.block_or_inline(text, m, [blocks.link("Tweet", url)], blocks.link("Tweet", url))
        if name == "gist":
            url = blocks.video_url("gist", "/".join(positional[:2]))
            link = blocks.link("Gist", url) if url else None
            return blocks.block_or_inline(text, m, [link], link) if link else None
        if name == "kbd":
            keys = " ".join(positional) or named.get("mac", "")
            return f"{{kbd}}`{keys}`" if keys else None
        if name in ("meta", "param"):
            value = ctx.meta.get(first)
            return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
        if name in ("ref", "relref"):
            return f"{XREF}{name} {first}{XREF}"
        if name == "pagebreak":
            return ""
        return None

    return sub_outside(SHORTCODE, text, one)
