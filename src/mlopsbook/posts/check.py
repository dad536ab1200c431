"""``mlopsbook posts check``: is a post ready for the book? Every problem, one line each, naming file, line and field.

Besides the frontmatter (:mod:`mlopsbook.posts.schema`), the body is checked for what would fail the book's strict
build: no title heading, a referenced image or file that does not exist, template code MyST would read as a
substitution (``{{ x }}``), a directive the build does not know (``::: {.callout-note}``, ````` ```{python} `````),
a code language the highlighter does not know, a link MyST would try to resolve inside the book and fail (a
site-root path, an anchor no heading has, a missing local file, an unknown scheme).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import frontmatter

from mlopsbook.publishing.claims import Claim
from mlopsbook.posts import divs, markup, safety, schema, source
from mlopsbook.posts.body import lexer_known, plain_heading, slugify_heading
from mlopsbook.posts.links import PAGE_SUFFIXES, URL_SCHEMES
from mlopsbook.posts.problems import PostError, Problem

POST_SUFFIXES = (".md", ".markdown", ".qmd", ".ipynb")
_DIRECTIVE_IMAGE = re.compile(r"^\s*(?:`{3,}|:{3,})\{(?:figure|image)\}\s+(\S+)")
_COLON = re.compile(r"^ {0,3}:{3,}\s*(\S.*)?$")
_HTML_IMG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I)
_LEFTOVER = re.compile(r"(?<!\\)\{\{|(?<!\\)\{%")
_LABEL = re.compile(r"^\(([^()\s]+)\)=\s*$")


def read(path: str | Path) -> frontmatter.Post:
    """A post's frontmatter and body (dates stay strings). Raises ``PostError`` on a file that cannot be read."""
    src = source.load(path)
    return frontmatter.Post(src.body, **src.meta)


def post_files(paths: Iterable[str | Path], skipped: list[Problem] | None = None) -> list[Path]:
    """Post files named by ``paths``: a file as is; a folder's top-level posts (companion pages sit in sub-folders).
    A FIFO, a device or a socket in a folder is left out, with a note in ``skipped``."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.iterdir()):
                if f.suffix.lower() not in POST_SUFFIXES or f.is_dir():
                    continue
                kind = safety.special_kind(f)
                if kind is None:
                    out.append(f)
                elif skipped is not None:
                    skipped.append(Problem(str(f), "file", f"skipped: it is {kind}, not a post file",
                                           severity="warning"))
        else:
            out.append(p)
    return out


def check_post(path: str | Path) -> list[Problem]:
    """Every problem with one post file (errors), and notes; see the module's description."""
    p = Path(path)
    if p.suffix.lower() == ".ipynb" and p.is_file():
        return [Problem(str(p), "file", "a notebook (.ipynb) is not a post of the book, which reads MyST notebooks: "
                                        f"run mlopsbook posts import {p} (it keeps the author's outputs to compare "
                                        "with the book's run), then remove the .ipynb")]
    try:
        src = source.load(p)
    except PostError as exc:
        return exc.problems
    file = str(p)
    if src.fm_format == "none":
        return [Problem(file, "frontmatter", "missing: a post starts with YAML frontmatter between --- lines "
                                             "(mlopsbook posts import writes it)")]
    if src.fm_format != "yaml":
        return [Problem(file, "frontmatter", f"{src.fm_format.upper()}: the book reads YAML frontmatter; import the "
                                             "post with mlopsbook posts import")]
    return schema.check_metadata(src.meta, file) + body_problems(src) + missing_packages(src)


_CODE_CELL = re.compile(r"^(`{3,}|~{3,})\{code-cell\}")


def code_cells(body: str) -> list[tuple[int, str]]:
    """``(0-based line, source)`` of each ``{code-cell}`` of a MyST notebook body (options left out)."""
    lines = body.split("\n")
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        m = _CODE_CELL.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].startswith(":") and not lines[j].startswith(":::"):
            j += 1
        end = next((k for k in range(j, len(lines)) if lines[k].strip() == m.group(1)), len(lines))
        out.append((i, "\n".join(lines[j:end])))
        i = end + 1
    return out


def imported_modules(code: str) -> list[str]:
    """The top-level modules a cell's Python imports (IPython magics and shell lines left out)."""
    import ast
    import warnings

    text = "\n".join("" if line.lstrip().startswith(("%", "!", "?")) else line for line in code.split("\n"))
    try:
        with warnings.catch_warnings():  # the author's code is parsed, not judged (invalid escapes, ...)
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
    return list(dict.fromkeys(names))


def missing_packages(src: source.Source) -> list[Problem]:
    """A warning naming each package a Python notebook post imports that the book's environment lacks."""
    import importlib.util

    kernel = src.meta.get("kernelspec") if isinstance(src.meta.get("kernelspec"), dict) else {}
    if str(kernel.get("language", "python")).lower() not in ("python", "python3", "ipython3"):
        return []
    probs: list[Problem] = []
    seen: set[str] = set()
    for line, code in code_cells(src.body):
        for name in imported_modules(code):
            if name in seen:
                continue
            seen.add(name)
            try:
                found = importlib.util.find_spec(name) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                probs.append(Problem(str(src.path), "code", f"imports {name}, which the book's environment lacks: "
                                                            "the cell fails when the book runs it (add the package "
                                                            "to requirements.txt, or tag the cell skip-execution)",
                                     line + src.body_line, "warning"))
    return probs


def body_problems(src: source.Source) -> list[Problem]:
    """What in a post's body would fail the book's build."""
    file = str(src.path)
    probs: list[Problem] = []
    lines = src.body.split("\n")
    parsed = markup.parse(src.body)

    def bad(i: int | None, field: str, msg: str) -> None:
        probs.append(Problem(file, field, msg, None if i is None else i + src.body_line))

    if not any(h.level == 1 and not h.nested for h in parsed.headings):
        bad(None, "body", "no level-1 heading: the page needs the post's title as its first heading (# Title)")
    myst = src.meta.get("myst") if isinstance(src.meta.get("myst"), dict) else {}
    anchors = ({slugify_heading(plain_heading(h.text)) for h in parsed.headings} if myst.get("heading_anchors")
               else set())
    anchors |= {m.group(1) for line in lines if (m := _LABEL.match(line))}
    cover = src.meta.get("cover")
    if isinstance(cover, str) and cover.strip() and not re.match(r"^[a-z]+://", cover):
        if safety.leaves_book(cover, src.path):
            bad(None, "cover", f"{cover}: an absolute path, or one that leaves the book's folder")
        elif not (src.path.parent / cover).is_file():
            bad(None, "cover", f"image not found: {cover} (looked for {src.path.parent / cover})")
    html_lines = {j for s, e, _ in parsed.html for j in range(s, e)}
    for start in parsed.bad_transitions():
        bad(start, "body", "a --- line (transition) that starts a section, follows another or ends the "
                               "post fails the build")
    for start, (info, _closed) in parsed.fences.items():
        _check_fence(info.strip(), start, bad)
        m = _DIRECTIVE_IMAGE.match(lines[start])
        if m:
            _check_file(m.group(1), src.path, start, "image", bad)
    for i, line in enumerate(lines):
        if i in parsed.code:
            continue
        m = _DIRECTIVE_IMAGE.match(line)
        if m:
            _check_file(m.group(1), src.path, i, "image", bad)
        c = _COLON.match(line)
        if c and c.group(1):
            name = re.match(r"^\{([\w:.-]+)\}", c.group(1))
            if not name or name.group(1) not in divs.known_directives():
                bad(i, "body", f"::: {c.group(1)} is not a directive the book knows (import converts callouts "
                               "and admonitions)")
        if i in html_lines:
            for ref in _HTML_IMG.findall(line):
                if not re.match(r"^[a-z]+:|^//", ref):
                    bad(i, "image", f"<img src={ref!r}> in raw HTML: the build does not copy it; write ![alt]({ref})")
    for start, text in _runs(lines, parsed.code | html_lines):
        _check_run(text, start, src.path, anchors, bad)
    safety.build_problems(lines, set(parsed.fences), parsed.code, parsed.html, src.path, lambda i, f, m: bad(i, f, m))
    return probs


def _runs(lines: list[str], skip: set[int]) -> list[tuple[int, str]]:
    out = []
    i = 0
    while i < len(lines):
        if i in skip:
            i += 1
            continue
        j = i
        while j < len(lines) and j not in skip:
            j += 1
        out.append((i, "\n".join(lines[i:j])))
        i = j
    return out


def _check_fence(info: str, line: int, bad) -> None:  # noqa: ANN001
    if not info:
        return
    m = re.match(r"^\{([^}]*)\}", info)
    if m:
        if m.group(1) not in divs.known_directives():
            bad(line, "code", f"```{{{m.group(1)}}} is not a directive the book knows (write ```python for code)")
        return
    lang = info.split()[0]
    if lang not in ("text", "none", "default") and not lexer_known(lang):
        bad(line, "code", f"code language {lang!r} is unknown to the book's highlighter (the build fails on it); "
                          "write ```text")


def _check_file(ref: str, post: Path, line: int, field: str, bad) -> None:  # noqa: ANN001
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", ref):
        return
    path = ref.split("#", 1)[0].split("?", 1)[0]
    page = field == "link" and path.lower().endswith(PAGE_SUFFIXES)  # a page is cross-referenced, not copied
    if not page and safety.leaves_book(path, post):
        bad(line, field, f"{ref}: an absolute path, or one that leaves the book's folder; the build would publish "
                         "that file")
    elif not (post.parent / path).is_file():
        bad(line, field, f"referenced {'image' if field == 'image' else 'file'} not found: {ref} "
                         f"(looked for {post.parent / path})")


def _check_run(text: str, start: int, post: Path, anchors: set[str], bad) -> None:  # noqa: ANN001
    spans = markup.code_spans(text)

    def line_of(pos: int) -> int:
        return start + text.count("\n", 0, pos)

    for m in _LEFTOVER.finditer(text):
        if markup.outside(spans, m.start()):
            snippet = text[m.start(): m.start() + 40].split("\n")[0]
            bad(line_of(m.start()), "body", f"template code {snippet!r}: MyST reads {{{{ as a substitution; "
                                            "escape it as \\{\\{ or remove it")
    for link in markup.iter_links(text):
        _check_dest(link.dest, link.image, post, anchors, line_of(link.start), bad)
    for m in re.finditer(r"^.*$", text, re.M):
        d = markup.REF_DEF.match(m.group())
        if d and markup.outside(spans, m.start()):
            _check_dest(d.group(2).strip("<>"), False, post, anchors, line_of(m.start()), bad)


def _check_dest(dest: str, image: bool, post: Path, anchors: set[str], line: int, bad) -> None:  # noqa: ANN001
    d = dest.strip()
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", d)
    if image:
        if not scheme and not d.startswith("//"):
            _check_file(d, post, line, "image", bad)
        return
    if not d:
        bad(line, "link", "a link with no destination")
    elif scheme:
        if scheme.group(1).lower() not in URL_SCHEMES:
            bad(line, "link", f"{d[:60]!r}: MyST links http, https, mailto and ftp; others fail the build")
    elif d.startswith("#"):
        if d[1:] not in anchors:
            bad(line, "link", f"#{d[1:]}: no heading anchor or label of this post has that name (anchors need "
                              "myst: heading_anchors in the frontmatter)")
    elif d.startswith("/") and not d.startswith("//"):
        bad(line, "link", f"{d}: a site-root path does not exist in the book; link the old site's full address")
    elif not d.startswith("//"):
        _check_file(d, post, line, "link", bad)


def claims_of(path: str | Path) -> list[Claim]:
    """The claims a post declares (raises ``PostError`` if the post is invalid)."""
    probs = [p for p in check_post(path) if p.severity == "error"]
    if probs:
        raise PostError(probs)
    return [Claim.from_mapping(c) for c in read(path).metadata.get("claims", [])]
