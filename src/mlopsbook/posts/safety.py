"""Posts are data, not code: what an import may read, and what a post may make the book's build do.

Reading:

- a file is opened only after ``stat`` says it is a regular file, and checked again on the open descriptor
  (opened non-blocking): a FIFO, a device or a socket is never read (:func:`read_bytes`, :func:`special_kind`);
- every file an import reads lies, once symlinks are resolved, under the blog's root (:func:`inside`): the site root
  when one is found or given, else the folder holding the posts;
- a copied asset is a file of the kind its use expects (:func:`asset_problem`): an image is an image by its content
  (its signature, read with :mod:`filetype`; an SVG is XML with an ``<svg>`` root and no script), a linked file is a
  document, archive, media or data file by its content, or UTF-8 text that holds no private key.

Building: MyST can run code (``{code-cell}``, ``{eval-rst}``), read files (``{include}``, ``{literalinclude}``, the
``{download}`` role) and publish raw HTML (``{raw}``, ``<script>``). :data:`ACTIVE_DIRECTIVES` names those
directives; the import turns them into inert text (:mod:`mlopsbook.posts.body`, :mod:`mlopsbook.posts.divs`) and
:func:`build_problems` is what ``posts check`` refuses in any post.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Callable

import filetype

ACTIVE_DIRECTIVES = frozenset({"code-cell", "include", "literalinclude", "eval-rst", "raw", "raw-cell"})
"""MyST directives that run code, read a file of the build machine or publish raw markup."""
FILE_DIRECTIVES = frozenset({"include", "literalinclude"})
"""Directives whose argument is a file the build reads (a path that leaves the book is refused)."""
SNIFF_BYTES = 8192
"""How much of a file is read to tell its kind."""
MAX_TEXT_ASSET = 20_000_000
"""A linked text file larger than this is not read whole to look for a private key (it is refused)."""

_SCRIPT = re.compile(r"<\s*script\b|\bon[a-z]+\s*=|javascript\s*:|<\s*(?:iframe|object|embed)\b[^>]*\bsrcdoc\b",
                     re.I)
_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File-")
_SVG_ROOT = re.compile(rb"^(?:\s|<\?xml[^>]*>|<!--.*?-->|<!DOCTYPE[^>]*>)*<svg\b", re.S | re.I)
_DIRECTIVE_LINE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*\{([\w:.-]+)\}\s*(.*?)\s*$")
_DOWNLOAD_ROLE = re.compile(r"(?<!\\)\{download\}`([^`]*)`")
_ROLE_TARGET = re.compile(r"<([^<>]+)>\s*$")
_DATA_KINDS = {"archive", "document", "audio", "video", "font", "image"}
_EXECUTABLE_MIMES = {"application/x-executable", "application/x-msdownload", "application/x-mach-binary",
                     "application/x-sharedlib", "application/x-elf", "application/vnd.microsoft.portable-executable"}
_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


class NotRegular(OSError):
    """A path that is not a regular file (a FIFO, a device, a socket, a folder); ``kind`` says which."""

    def __init__(self, path: Path, kind: str):
        super().__init__(f"{path} is {kind}, not a regular file")
        self.kind = kind


def special_kind(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (following symlinks): ``"a FIFO (named pipe)"``, ...; ``None``
    for a regular file or a path that does not exist."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, at most ``limit + 1`` of them (so a caller can tell "too large"); raises
    :class:`NotRegular` for anything else without reading it (a FIFO would block, a device never end) and
    ``OSError`` as ``open`` does."""
    kind = special_kind(path)
    if kind is not None:
        raise NotRegular(path, kind)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced between the stat and the open
            raise NotRegular(path, _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file"))
        chunks: list[bytes] = []
        want = None if limit is None else limit + 1
        got = 0
        while want is None or got < want:
            chunk = os.read(fd, 1 << 20 if want is None else min(1 << 20, want - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symlink resolved, lies under ``root`` (also resolved)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _image_problem(head: bytes) -> str | None:
    if filetype.is_image(head):
        return None
    if _SVG_ROOT.match(head.lstrip(b"\xef\xbb\xbf")):
        return None
    return "is not an image (its content has no image signature)"


def _svg_problem(data: bytes) -> str | None:
    if _SCRIPT.search(data.decode("utf-8", "replace")):
        return "is an SVG with script (a <script>, an on...= handler or a javascript: link)"
    return None


def asset_problem(path: Path, what: str) -> str | None:
    """Why ``path`` may not be copied as a post's ``what`` (``image``, ``cover`` or ``file``), or ``None``."""
    try:
        head = read_bytes(path, SNIFF_BYTES)[:SNIFF_BYTES]
    except NotRegular as exc:
        return f"is {exc.kind}, not a regular file"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    is_svg = bool(_SVG_ROOT.match(head.lstrip(b"\xef\xbb\xbf")))
    if what in ("image", "cover"):
        problem = _image_problem(head)
        if problem is None and is_svg:
            problem = _svg_problem(read_bytes(path, MAX_TEXT_ASSET))
        return problem
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in _EXECUTABLE_MIMES or kind.extension in ("elf", "exe", "dll", "macho"):
            return f"is an executable ({kind.mime}); a post links documents and data, not programs"
        if kind.mime.split("/")[0] in _DATA_KINDS or any(
                t.mime == kind.mime for group in (filetype.archive_matchers, filetype.document_matchers,
                                                  filetype.font_matchers) for t in group):
            return None
        return f"is a file of a kind a post does not link ({kind.mime})"
    data = read_bytes(path, MAX_TEXT_ASSET)
    if len(data) > MAX_TEXT_ASSET:
        return f"is a text file larger than {MAX_TEXT_ASSET:,} bytes"
    if b"\x00" in data:
        return "is a binary file of unknown kind (not a document, an archive, media or text)"
    if _PRIVATE_KEY.search(data):
        return "holds a private key"
    if is_svg:
        return _svg_problem(data)
    return None


# -- what a post may make the build do ---------------------------------------------------------------------------------
def has_script(html: str) -> bool:
    """Whether an HTML fragment runs script: a ``<script>``, an ``on...=`` handler, a ``javascript:`` address."""
    return bool(_SCRIPT.search(html))


def inert_fence(lines: list[str], lang: str = "text") -> tuple[str, str]:
    """An opening and closing backtick fence longer than any backtick run in ``lines``."""
    longest = max((len(r) for line in lines for r in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}", fence


def defuse_download_roles(text: str, warn: Callable[[int, str], None]) -> str:
    """``text`` with each ``{download}`` role shown as text (the build would copy the file it names); ``warn``
    gets the 0-based line in ``text`` and a message."""

    def sub(m: re.Match[str]) -> str:
        warn(text.count("\n", 0, m.start()), f"{{download}} role kept as text: {m.group()[:60]!r} (the build would "
                                             "copy the file it names)")
        return "\\" + m.group()

    return _DOWNLOAD_ROLE.sub(sub, text)


def book_root(post: Path) -> Path:
    """The book a post belongs to: the nearest folder above it holding ``_toc.yml`` or ``_config.yml``, else the
    post's folder."""
    start = post.parent.resolve()
    for folder in [start, *start.parents]:
        if (folder / "_toc.yml").is_file() or (folder / "_config.yml").is_file():
            return folder
    return start


def leaves_book(ref: str, post: Path) -> bool:
    """Whether a local path a post refers to (an image, a link, a cover) is absolute or, symlinks resolved, leaves
    the book's folder (:func:`book_root`): the build would copy that file into the site."""
    return _leaves(ref, post, book_root(post))


def _leaves(ref: str, post: Path, root: Path) -> bool:
    ref = ref.strip().strip("<>").split("#", 1)[0]
    if not ref or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", ref) and not re.match(r"^[a-zA-Z]:[\\/]", ref):
        return False
    if Path(ref).is_absolute():  # Sphinx reads it from the book's folder, docutils from the machine's root
        return not (inside(Path(ref), root) and inside(root / ref.lstrip("/"), root))
    return not inside(post.parent / ref, root)


def build_problems(lines: list[str], fences: set[int], code: set[int], html: list[tuple[int, int, str]], post: Path,
                   bad: Callable[[int, str, str], None]) -> None:
    """What in a post would make the build read a file outside the book or publish script: ``bad`` gets the 0-based
    body line, the field and the message of each. ``fences`` are the lines that open a code fence, ``code`` every
    line inside one, ``html`` the HTML blocks (start, end, content)."""
    root = book_root(post)
    for i, line in enumerate(lines):
        m = _DIRECTIVE_LINE.match(line)
        if m and (i in fences if m.group(1)[0] in "`~" else i not in code):
            name, arg = m.group(2), m.group(3)
            if name in FILE_DIRECTIVES and _leaves(arg, post, root):
                bad(i, "body", f"{{{name}}} {arg}: an absolute path, or one that leaves the book's folder "
                               f"({root}); the build would publish that file")
            elif name == "raw" and has_script("\n".join(lines[i:_fence_end(lines, i, m.group(1))])):
                bad(i, "body", f"{{raw}} {arg} with script: the page would run it")
        if i in code:
            continue
        for r in _DOWNLOAD_ROLE.finditer(line):
            target = _ROLE_TARGET.search(r.group(1))
            if _leaves(target.group(1) if target else r.group(1), post, root):
                bad(i, "body", f"{r.group()[:80]}: the path leaves the book's folder ({root})")
    html_lines = {j for s, e, _ in html for j in range(s, e)}
    for start, _end, content in html:
        if has_script(content):
            bad(start, "body", "raw HTML with script (<script>, on...= or javascript:): the page would run it")
    for i, line in enumerate(lines):
        if i not in code and i not in html_lines and re.search(r"<[a-zA-Z][^<>]*>", line) and any(
                has_script(t) for t in re.findall(r"<[a-zA-Z/][^<>]*>", line)):
            bad(i, "body", "inline HTML with script (<script>, on...= or javascript:): the page would run it")


def _fence_end(lines: list[str], start: int, marker: str) -> int:
    for j in range(start + 1, len(lines)):
        if lines[j].strip().startswith(marker[0] * len(marker)) and not lines[j].strip().strip(marker[0]):
            return j
    return len(lines)
