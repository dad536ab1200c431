"""What a conversion needs (the :class:`Ctx`) and the MyST it writes: admonitions, figures, links.

Every generator construct the import understands becomes one of these MyST forms, so the book's build knows them
all: ``:::{note}`` (and tip, warning, caution, danger, important), ``:::{admonition} Title`` with ``:class:``,
``:::{figure}`` and ``:::{image}`` with ``:alt:``/``:width:``/``:target:``, ``:::{margin}``, and a plain link for an
embedded video or post of another site (the book is read offline too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlopsbook.posts.assets import AssetPlan
from mlopsbook.posts.problems import Problem
from mlopsbook.posts.sites import Site

ADMONITIONS = {"note": "note", "tip": "tip", "info": "note", "warning": "warning", "warn": "warning",
               "caution": "caution", "danger": "danger", "error": "error", "important": "important",
               "success": "tip", "secondary": "note", "alert": "warning", "attention": "attention", "hint": "hint",
               "seealso": "seealso", "question": "note", "example": "note", "abstract": "note", "quote": "note",
               "bug": "warning", "failure": "error"}


@dataclass
class Ctx:
    """The post being converted: its file (for messages), first body line, frontmatter, site and asset plan."""

    file: str
    body_line: int
    meta: dict[str, Any]
    site: Site
    src_dir: Path
    assets: AssetPlan
    problems: list[Problem] = field(default_factory=list)
    origin: list[int] = field(default_factory=list)

    def image(self, ref: str, line: int | None) -> str:
        """The rewritten reference of an image the post shows on the current body's line ``line``."""
        return self.assets.add(ref, line=self.where(line))

    def download(self, ref: str, line: int | None) -> str:
        """The rewritten reference of a local file the post links to."""
        return self.assets.add(ref, line=self.where(line), what="file")

    def where(self, line: int | None) -> int | None:
        """The file's line number of the current body's 0-based line ``line``."""
        if line is None:
            return None
        return (self.origin[line] if 0 <= line < len(self.origin) else line) + self.body_line

    def warn(self, line: int | None, what: str, message: str) -> None:
        """Record a warning about the current body's 0-based line ``line`` (or ``None``)."""
        self.problems.append(Problem(self.file, what, message, self.where(line), "warning"))


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def admonition(kind: str, body: list[str], title: str | None = None, dropdown: bool = False,
               fence: str = ":::") -> list[str]:
    """A MyST admonition block (``fence`` is ``:::`` where colon fences are renumbered afterwards, else a backtick
    fence, which nests inside any colon fence)."""
    name = ADMONITIONS.get(kind.lower(), "note")
    if title or dropdown:
        head = [f"{fence}{{admonition}} {one_line(title or name.capitalize())}",
                f":class: {name}{' dropdown' if dropdown else ''}"]
    else:
        head = [f"{fence}{{{name}}}"]
    return [*head, *body, fence]


def figure(path: str, *, caption: str = "", alt: str = "", width: str = "", target: str = "",
           fence: str = ":::") -> list[str]:
    """A MyST figure (with a caption) or image (without)."""
    lines = [f"{fence}{{{'figure' if caption else 'image'}}} {path}"]
    if alt:
        lines.append(f":alt: {one_line(alt)}")
    if width and re.fullmatch(r"[0-9.]+(px|%|em|rem)?", width.strip()):
        w = width.strip()
        lines.append(f":width: {w if not w.replace('.', '').isdigit() else w + 'px'}")
    if target:
        lines.append(f":target: {target}")
    if caption:
        lines.append(one_line(caption))
    lines.append(fence)
    return lines


def link(text: str, url: str) -> str:
    label = one_line(text).replace("[", "\\[").replace("]", "\\]") or url
    return f"[{label}]({url})"


def video_url(kind: str, ident: str) -> str | None:
    """The page of an embedded video or post, from a shortcode's or include's argument."""
    ident = ident.strip()
    if not ident:
        return None
    if re.match(r"^https?://", ident):
        return ident
    if kind in ("youtube", "youtube_simple", "yt"):
        return f"https://www.youtube.com/watch?v={ident}"
    if kind in ("vimeo", "vimeo_simple"):
        return f"https://vimeo.com/{ident}"
    if kind in ("instagram", "instagram_simple"):
        return f"https://www.instagram.com/p/{ident}/"
    if kind == "gist":
        return f"https://gist.github.com/{ident}"
    return None


def params(args: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments of a shortcode or include: ``a "b c" key="v" k2=v2 k3='v3'``."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for m in re.finditer(r"""(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`|[^\s"']+)""", args):
        key, raw = m.group(1), m.group(2)
        value = raw[1:-1] if raw[:1] in "\"'`" and len(raw) >= 2 else raw
        value = value.replace('\\"', '"')
        if key:
            named[key.lower()] = value
        else:
            positional.append(value)
    return positional, named


def block_or_inline(text: str, m: re.Match[str], lines: list[str], inline: str) -> str:
    """``lines`` (a block) when the match ``m`` is a paragraph of its own in ``text``, else ``inline``."""
    before, after = text[: m.start()], text[m.end():]
    head = before[before.rfind("\n\n") + 2:] if "\n\n" in before else before
    tail = after[: after.find("\n\n")] if "\n\n" in after else after
    return "\n".join(lines) if not head.strip() and not tail.strip() else inline
