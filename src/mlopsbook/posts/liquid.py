"""Jekyll's Liquid (and fastpages' includes) in a post body, turned into MyST or plain text.

Before Markdown is read (Liquid runs first in Jekyll, code blocks included): ``{% highlight lang %}`` blocks become
fences, ``{% raw %}`` regions are kept verbatim, ``{% comment %}`` blocks become MyST comments.

In text: ``{{ site.x }}``, ``{{ page.x }}`` and the URL filters (``relative_url``, ``absolute_url``, ``prepend``)
are evaluated, so ``![]({{ site.baseurl }}/images/logo.png)`` names a site-root image; ``{% post_url %}`` and
``{% link %}`` become cross-site references the link step resolves or drops; fastpages' ``alert``/``info``/
``note``/``tip``/``important``/``warning`` includes become admonitions, ``image``/``figure`` includes figures,
``youtube``/``twitter``/``video`` includes and the ``{% twitter %}``/``{% youtube %}`` tags links. Anything else is
left for the last step, which keeps it as visible text and warns.
"""

from __future__ import annotations

import re

from mlopsbook.posts import blocks
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.lines import RAW_CLOSE, RAW_OPEN, XREF, Lines
from mlopsbook.posts.markup import sub_outside

_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.S)
_OUT = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_HIGHLIGHT = re.compile(r"\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}")
_END_HIGHLIGHT = re.compile(r"\{%-?\s*endhighlight\s*-?%\}")
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}")
_END_RAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}")
_END_COMMENT = re.compile(r"\{%-?\s*endcomment\s*-?%\}")
NOTE_INCLUDES = {"alert": "warning", "info": "note", "note": "note", "tip": "tip", "important": "important",
                 "warning": "warning", "danger": "danger", "callout": "note", "notice": "note"}


def prepass(body: Lines) -> Lines:
    """Block-level Liquid: highlight blocks, raw regions, comments (one output line per input line)."""
    out: list[str] = []
    in_comment = False
    in_raw = False
    for line in body.text:
        if in_raw:
            m = _END_RAW.search(line)
            if m:
                line = line[: m.start()] + RAW_CLOSE + line[m.end():]
                in_raw = False
            out.append(line)
            continue
        line = _RAW.sub(RAW_OPEN, line)
        line = _END_RAW.sub(RAW_CLOSE, line)
        if line.rfind(RAW_OPEN) > line.rfind(RAW_CLOSE):
            in_raw = True
        if in_comment or _COMMENT.search(line):
            end = _END_COMMENT.search(line)
            start = _COMMENT.search(line)
            inner = line[(start.end() if start else 0):(end.start() if end else len(line))].strip()
            before = line[: start.start()] if start else ""
            after = line[end.end():] if end else ""
            in_comment = end is None
            out.append((before + after) if (before + after).strip() else (f"% {inner}" if inner else ""))
            continue
        line = _HIGHLIGHT.sub(lambda m: "```" + m.group(1), line)
        line = _END_HIGHLIGHT.sub("```", line)
        out.append(line)
    return Lines(out, list(body.origin))


def _split_filters(expr: str) -> list[str]:
    return [p.strip() for p in re.findall(r"""(?:[^|"']|"[^"]*"|'[^']*')+""", expr)]


def _literal(s: str) -> str | None:
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    return None


def evaluate(expr: str, ctx: Ctx, *, as_prefix: bool) -> str | None:
    """The value of a Liquid output expression, or ``None`` when the import cannot know it.

    ``site.url``/``site.baseurl`` used as a path prefix evaluate to nothing (the path that follows is then a site-root
    path, which the link and image steps resolve).
    """
    parts = _split_filters(expr)
    if not parts:
        return None
    base = parts[0]
    value = _literal(base)
    if value is None:
        if base in ("site.url", "site.baseurl"):
            if as_prefix:
                value = ""
            else:
                value = ctx.site.url if base == "site.url" and ctx.site.url else None
        elif base.startswith("site."):
            value = ctx.site.variables.get(base[5:])
        elif base.startswith("page."):
            v = ctx.meta.get(base[5:])
            value = str(v) if isinstance(v, (str, int, float)) and not isinstance(v, bool) else None
        if value is None:
            return None
    for f in parts[1:]:
        name, _, arg = f.partition(":")
        name, arg = name.strip(), arg.strip()
        if name in ("relative_url", "absolute_url", "escape", "xml_escape", "uri_escape", "url_encode", "strip"):
            continue
        if name == "prepend" and arg in ("site.baseurl", "site.url"):
            continue
        lit = _literal(arg)
        if name == "prepend" and lit is not None:
            value = lit + value
        elif name == "append" and lit is not None:
            value = value + lit
        elif name == "downcase":
            value = value.lower()
        elif name == "upcase":
            value = value.upper()
        else:
            return None
    return value


def expressions(text: str, ctx: Ctx, line0: int) -> str:
    """Evaluate ``{{ ... }}`` outputs and turn ``{% post_url %}``/``{% link %}`` into cross-site references."""

    def out(m: re.Match[str]) -> str | None:
        following = text[m.end(): m.end() + 2]
        return evaluate(m.group(1), ctx, as_prefix=following.startswith("/") or following.startswith("{{"))

    def xref(m: re.Match[str]) -> str | None:
        name = m.group(1)
        if name not in ("post_url", "link"):
            return None
        return f"{XREF}{name} {m.group(2).strip()}{XREF}"

    text = sub_outside(_OUT, text, out)
    return sub_outside(_TAG, text, xref)


def tags(text: str, ctx: Ctx, line0: int) -> str:
    """Liquid statement tags that stand for content: includes, tweets, videos, figures."""

    def tag(m: re.Match[str]) -> str | None:
        name, args = m.group(1), m.group(2).strip()
        line = line0 + text.count("\n", 0, m.start())
        if name in ("include", "include_relative"):
            file, _, rest = args.partition(" ")
            return _include(text, m, file.strip(), rest, ctx, line)
        if name in ("twitter", "tweet", "youtube", "vimeo", "gist", "instagram"):
            positional, named = blocks.params(args)
            ident = named.get("url") or named.get("id") or (positional[0] if positional else "")
            url = blocks.video_url("youtube" if name == "youtube" else name, ident)
            if url is None:
                return None
            link = blocks.link(_LABEL.get(name, name), url)
            return blocks.block_or_inline(text, m, [link], link)
        return None

    return sub_outside(_TAG, text, tag)


_LABEL = {"twitter": "Tweet", "tweet": "Tweet", "youtube": "YouTube video", "vimeo": "Vimeo video", "gist": "Gist",
          "instagram": "Instagram post", "video": "Video"}


def _include(text: str, m: re.Match[str], file: str, rest: str, ctx: Ctx, line: int) -> str | None:
    name = file.rsplit("/", 1)[-1].removesuffix(".html").removesuffix(".md").lower()
    positional, named = blocks.params(rest)
    if name in ("toc", "table_of_contents", "toc.html"):
        ctx.warn(line, "body", f"{{% include {file} %}} removed: the book shows its own table of contents")
        return ""
    if name in NOTE_INCLUDES:
        body = named.get("text") or named.get("content") or (positional[0] if positional else "")
        if not body:
            return None
        kind = NOTE_INCLUDES[name]
        return blocks.block_or_inline(text, m, blocks.admonition(kind, [body], fence="```"),
                                      f"**{kind.capitalize()}:** {body}")
    if name in ("youtube", "twitter", "video", "vimeo", "tweet"):
        ident = named.get("content") or named.get("url") or named.get("id") or (positional[0] if positional else "")
        url = blocks.video_url(name, ident)
        if url is None:
            return None
        link = blocks.link(_LABEL.get(name, "Video"), url)
        return blocks.block_or_inline(text, m, [link], link)
    if name in ("image", "figure", "img", "screenshot", "picture"):
        src = named.get("url") or named.get("file") or named.get("src") or named.get("image") or named.get("path")
        if not src:
            return None
        path = ctx.image(src, line)
        caption = named.get("description") or named.get("caption") or named.get("title") or ""
        alt = named.get("alt") or caption
        figure = blocks.figure(path, caption=caption, alt=alt, width=named.get("width", ""), fence="```")
        return blocks.block_or_inline(text, m, figure, f"![{blocks.one_line(alt)}]({path})")
    return None
