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
from pathlib import Path

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
        note = _FNDETAIL.match(m.group(1))
        if note:  # fastpages' footnote text: {{ 'text' | fndetail: 1 }}
            return f"[^{note.group(3)}]: {' '.join(note.group(2).split())}"
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
        if name == "fn" and args.split():  # fastpages' footnote mark: {% fn 1 %}
            return f"[^{args.split()[0]}]"
        if name in ("asset_img", "asset_image", "img", "image"):
            return _image_tag(text, m, name, args, ctx, line)
        if name == "notebook":
            return notebook_tag(text, m, args, ctx, line)
        if name == "video" and args.split():  # Octopress: {% video url [width height [poster]] %}
            ref = args.split()[0]
            url = ref if re.match(r"^https?://", ref) else ctx.download(ref, line)
            return blocks.link("Video", url)
        if name == "include_code" and args.split():
            return _include_code(text, m, args, ctx, line)
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


_FNDETAIL = re.compile(r"""^\s*(["'])(.*)\1\s*\|\s*fndetail\s*:\s*(\w+)\s*$""", re.S)


def _image_tag(text: str, m: re.Match[str], name: str, args: str, ctx: Ctx, line: int) -> str | None:
    """Hexo's ``{% asset_img file [title] %}`` (the file in the post's asset folder, named after the post) and
    Octopress's ``{% img [class] path [width [height]] ["title" ['alt']] %}``, as a figure or an image."""
    positional, _named = blocks.params(args)
    quoted = re.findall(r"\"([^\"]*)\"|'([^']*)'", args)
    texts = [a or b for a, b in quoted]
    words = [w for w in positional if w not in texts]
    if name.startswith("asset"):
        if not words:
            return None
        ref = words[0]
        bundle = Path(ctx.file).with_suffix("")
        if (bundle / ref).is_file():
            ref = f"{bundle.name}/{ref}"
        caption = " ".join(texts or words[1:])
    else:
        paths = [w for w in words if "/" in w or "." in w]
        if not paths:
            return None
        ref = paths[0]
        caption = texts[0] if texts else ""
    alt = texts[1] if len(texts) > 1 else caption
    path = ctx.image(ref, line)
    if caption:
        figure = blocks.figure(path, caption=caption, alt=alt, width="", fence="```")
        return blocks.block_or_inline(text, m, figure, f"![{blocks.one_line(alt)}]({path})")
    return f"![{blocks.one_line(alt)}]({path})"


_NOTEBOOK_LINE = re.compile(r"^\s*\{%-?\s*notebook\s+(.*?)-?%\}\s*$")


def notebook_lines(body: Lines, code: set[int], ctx: Ctx) -> Lines:
    """Pelican's ``{% notebook %}`` on a line of its own, inlined before the body is read, so that the notebook's
    Markdown (headings, links, images) is converted with the post's."""
    rep: dict[int, list[str]] = {}
    for i, line in enumerate(body.text):
        m = _NOTEBOOK_LINE.match(line) if i not in code else None
        if m:
            inlined = notebook_tag(line, m, m.group(1), ctx, i)
            if inlined is not None:
                rep[i] = inlined.split("\n")
    return body.rebuilt(rep) if rep else body


def _include_code(text: str, m: re.Match[str], args: str, ctx: Ctx, line: int) -> str | None:
    """Octopress's ``{% include_code [title] file [lang:x] %}``: the file (under ``downloads/code/``) as a code
    block with its title as caption."""
    words = args.split()
    lang = next((w.split(":", 1)[1] for w in words if w.startswith("lang:")), "")
    paths = [w for w in words if not w.startswith("lang:") and "." in w]
    if not paths:
        return None
    ref = paths[-1]
    found = None
    for base in ("", "downloads/code/", "source/downloads/code/", "content/downloads/code/"):
        candidate, _looked = ctx.assets.locate(base + ref)
        if candidate is not None:
            found = candidate
            break
    if found is None or found.stat().st_size > 200_000:
        ctx.warn(line, "body", f"{{% include_code {ref} %}}: file not found under the blog (or too large); kept as text")
        return None
    try:
        code = found.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    fence = "`" * max(3, max((len(x) for x in re.findall(r"`+", code)), default=0) + 1)
    title = " ".join(w for w in words if w != ref and not w.startswith("lang:")).strip("\"'") or found.name
    block = [f"{fence}{{code-block}} {lang or 'text'}", f":caption: {blocks.one_line(title)}", "",
             *code.rstrip("\n").split("\n"), fence]
    return blocks.block_or_inline(text, m, block, f"`{found.name}`")


def notebook_tag(text: str, m: re.Match[str], args: str, ctx: Ctx, line: int) -> str | None:
    """Pelican's ``{% notebook file.ipynb [cells[a:b]] %}``: the notebook inlined as the post showed it, its code as
    static code with the outputs its author recorded (a Markdown post does not run code)."""
    from mlopsbook.posts import notebooks
    from mlopsbook.posts.problems import PostError

    words = args.split()
    if not words:
        return None
    ref = words[0]
    found, looked = ctx.assets.locate(ref)
    if found is None and ctx.site.root is not None:
        for base in ("content/notebooks", "notebooks", "content/downloads/notebooks", "content"):
            candidate = ctx.site.root / base / ref
            looked.append(candidate)
            if candidate.is_file():
                found = candidate
                break
    if found is None:
        ctx.warn(line, "body", f"{{% notebook {ref} %}}: notebook not found (looked for "
                               f"{', '.join(map(str, looked))}); kept as text")
        return None
    try:
        nb = notebooks.read(found)
    except PostError as exc:
        ctx.warn(line, "body", f"{{% notebook {ref} %}}: {exc.problems[0].message}; kept as text")
        return None
    cells = list(nb.cells)
    window = re.search(r"cells\[(-?\d*):(-?\d*)\]", args)
    if window:
        cells = cells[slice(int(window.group(1)) if window.group(1) else None,
                            int(window.group(2)) if window.group(2) else None)]
    lexer = "python" if notebooks.language(nb) == "python" else "text"
    parts: list[str] = []
    for i, cell in enumerate(cells):
        src = notebooks.source_of(cell)
        if cell.cell_type == "markdown" and src.strip():
            parts.append(src.strip("\n"))
        elif cell.cell_type == "code" and src.strip():
            parts.append(notebooks.static_code(cell, notebooks.language(nb), lexer))
            outs, made = notebooks.output_blocks(cell, i, lexer)
            renamed = {name: ctx.assets.made_file(f"{Path(ref).stem}-{name}", data) for name, data in made.items()}
            for block in outs:
                for name, new in renamed.items():
                    block = block.replace(f"{notebooks.PLACEHOLDER}{name}", new)
                parts.append(block)
    ctx.warn(line, "body", f"{{% notebook {ref} %}} inlined ({len(cells)} cells): its code is shown with the outputs "
                           "its author recorded, not run")
    return "\n\n".join(parts)


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
