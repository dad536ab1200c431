"""HTML in a post body: ``<img>`` (alone or with ``<a>``, ``<figure>``, ``<p>``, ``<div>`` around it) becomes a MyST
image or figure, whose file the build copies; an ``<img>`` inside other HTML is taken out of it; an ``<iframe>``
becomes a link (the book is read offline). HTML that runs script never reaches this module: the body converter
shows it as text (:func:`mlopsbook.posts.safety.has_script`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from mlopsbook.posts import blocks
from mlopsbook.posts.assets import is_remote
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.links import angle

INLINE_IMG = re.compile(r"<img\b[^>]*>", re.I)
WRAPPERS = {"img", "a", "p", "div", "center", "figure", "figcaption", "br", "picture", "source", "span"}


class Tags(HTMLParser):
    """The tags of an HTML fragment and its visible text outside ``<figcaption>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.caption: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in ("img", "br", "source"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        (self.caption if "figcaption" in self._open else self.text).append(data)


def tags(fragment: str) -> Tags:
    """The tags of an HTML fragment (a fragment HTMLParser cannot read gets a ``?`` tag: not convertible)."""
    parser = Tags()
    try:
        parser.feed(fragment)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient; a failure means "not convertible"
        parser.tags.append(("?", {}))
    return parser


def _local_src(img_tag: str) -> bool:
    src = tags(img_tag).tags[0][1].get("src", "") if tags(img_tag).tags else ""
    return bool(src) and not is_remote(src)


def block(content: str, line: int, ctx: Ctx) -> list[str] | None:
    """The MyST for an HTML block (``None``: keep it as HTML)."""
    found = tags(content)
    names = {t for t, _ in found.tags}
    if "img" in names:
        if names <= WRAPPERS and not "".join(found.text).strip():
            return images(found, line, ctx)
        local = [a for t, a in found.tags if t == "img" and a.get("src") and not is_remote(a["src"])]
        if local:
            ctx.warn(line, "image", f"{len(local)} <img> taken out of the HTML around them (the build copies only "
                                    "images it knows); the rest of that HTML is kept: check it reads well")
            only = Tags()
            only.tags = [("img", a) for a in local]
            rest = INLINE_IMG.sub(lambda m: "" if _local_src(m.group()) else m.group(), content)
            return [*images(only, line, ctx), "", *rest.rstrip("\n").split("\n")]
    if "iframe" in names and names <= {"iframe", "p", "div", "center", "br"}:
        src = next((a.get("src", "") for t, a in found.tags if t == "iframe"), "")
        if src.startswith("//"):
            src = "https:" + src
        if re.match(r"^https?://", src):
            title = next((a.get("title", "") for t, a in found.tags if t == "iframe"), "") or "Embedded page"
            ctx.warn(line, "body", f"embedded <iframe> replaced by a link to {src} (the book is read offline)")
            return [blocks.link(title, src)]
    return None


def images(found: Tags, line: int, ctx: Ctx) -> list[str]:
    """A figure or image directive for each ``<img>`` of ``found`` (a caption from ``<figcaption>``)."""
    out: list[str] = []
    target = ""
    caption = " ".join("".join(found.caption).split())
    for tag, attrs in found.tags:
        if tag == "a" and re.match(r"^https?://", attrs.get("href", "")):
            target = attrs["href"]
        if tag != "img" or not attrs.get("src"):
            continue
        path = ctx.image(attrs["src"], line)
        if out:
            out.append("")
        out += blocks.figure(path, caption=caption, alt=attrs.get("alt", "") or caption,
                             width=attrs.get("width", ""), target=target, fence="```")
    return out


def inline_image(m: re.Match[str], text: str, line0: int, ctx: Ctx) -> str | None:
    """Markdown for an ``<img>`` within a paragraph."""
    attrs = next((a for t, a in tags(m.group()).tags if t == "img"), {})
    if not attrs.get("src"):
        return None
    path = ctx.image(attrs["src"], line0 + text.count("\n", 0, m.start()))
    alt = blocks.one_line(attrs.get("alt", "")).replace("[", "").replace("]", "")
    return f"![{alt}]({angle(path)})"
