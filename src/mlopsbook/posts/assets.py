"""A post's images and downloads: found where the old blog kept them, copied into the post's own asset folder.

Every local file a post references (``![](path)``, ``<img src>``, a Liquid- or shortcode-wrapped path, a site-root
``/images/x.png``, the frontmatter's cover, a linked data file) is looked up relative to the post, then under the
site root. It is copied to ``notebooks/<slug>/<name>`` and the reference rewritten to ``<slug>/<name>``: two posts
that both use ``images/cover.png`` no longer collide, and nothing is written outside ``notebooks/``. Two different
files with one name get ``name-2.ext``. A missing file is reported with where it was looked for and where to put it.

Only the blog is read (:mod:`mlopsbook.posts.safety`): a file that, symlinks resolved, lies outside the blog's root
(the site root when one is found or given, and the folder holding the posts), that is not a regular file, or that is not of the kind
its use expects (an image by its content; a linked document, archive, media or text file) is refused: it is listed
in ``refused`` with its line and the import of the post fails, nothing written.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from mlopsbook.posts import safety
from mlopsbook.posts.problems import Problem
from mlopsbook.posts.sites import Site

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DRIVE = re.compile(r"^[a-zA-Z]:[\\/]")
MAX_NAME = 80
PLACEHOLDER = "\x04"
"""Stands for ``<slug>/`` in rewritten references until the slug is known (the title may come from the body)."""


def is_remote(ref: str) -> bool:
    """Whether ``ref`` is an address (``https://``, ``data:``, ``//host``) rather than a local path
    (``C:\\Users\\...`` is a path of the author's machine, not a scheme)."""
    return (bool(_SCHEME.match(ref)) and not _DRIVE.match(ref)) or ref.startswith("//")


def safe_name(name: str) -> str:
    """A file name that is short, portable and cannot climb folders."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "file"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:10]
    stem = stem[: MAX_NAME - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


@dataclass
class Asset:
    source: Path
    name: str


@dataclass
class AssetPlan:
    """The files one post needs and their names in its asset folder (``notebooks/<slug>``, set by :meth:`place`).

    References are rewritten to ``PLACEHOLDER + name`` and become ``<slug>/name`` once the slug is known.
    """

    src_dir: Path
    site: Site
    file: str
    root: Path | None = None
    folder: Path | None = None
    assets: dict[Path, Asset] = field(default_factory=dict)
    missing: list[tuple[str, str, list[Path], int | None, str]] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    made: dict[str, bytes] = field(default_factory=dict)
    """Files the import makes (a notebook's attachments and recorded images), by name in the asset folder."""

    @property
    def blog(self) -> tuple[Path, ...]:
        """The folders every file read lies under: the site root, and ``root`` (the folder of posts an import was
        given, else the post's folder)."""
        return tuple(dict.fromkeys(p for p in (self.site.root, self.root or self.src_dir) if p is not None))

    def in_blog(self, path: Path) -> bool:
        """Whether ``path``, symlinks resolved, lies in the blog."""
        return any(safety.inside(path, top) for top in self.blog)

    def made_file(self, name: str, data: bytes) -> str:
        """The reference of a file the import makes from ``data`` (written with the post's assets)."""
        name = safe_name(name)
        if self.made.get(name, data) != data or name in {a.name for a in self.assets.values()}:
            stem, dot, ext = name.rpartition(".")
            n = 2
            while f"{stem}-{n}{dot}{ext}" in self.made:
                n += 1
            name = f"{stem}-{n}{dot}{ext}"
        self.made[name] = data
        return PLACEHOLDER + name

    def locate(self, ref: str) -> tuple[Path | None, list[Path]]:
        """The file ``ref`` names and the places looked at (a candidate that exists but lies outside the blog is
        returned too: :meth:`add` refuses it)."""
        path = urllib.parse.unquote(ref.split("#", 1)[0].split("?", 1)[0]).strip()
        looked: list[Path] = []
        if not path:
            return None, looked
        if _DRIVE.match(path) or path.startswith("/"):
            looked.append(self.site.root / path.lstrip("/") if self.site.root else Path(path))
            return self.site.resolve(path) or self._by_suffix(path), looked
        candidate = self.src_dir / path
        looked.append(candidate)
        if candidate.exists() and not candidate.is_dir():
            return candidate, looked
        found = self.site.resolve(path)  # fastpages, Jekyll: "images/x.png" relative to the site root
        if found is None and self.site.root is not None and self.site.root != self.src_dir:
            looked.append(self.site.root / path)
        return found, looked

    def _by_suffix(self, path: str) -> Path | None:
        """A path of the author's machine (``C:\\...\\static\\img\\a.png``, ``/home/me/blog/img/a.png``): the
        longest tail of it that names a file under the site root or the post's folder."""
        parts = [p for p in re.split(r"[\\/]", path) if p and p not in (".", "..") and not _DRIVE.match(p + "/")]
        for base in [b for b in (self.site.root, self.src_dir) if b is not None]:
            for k in range(len(parts)):
                candidate = base.joinpath(*parts[k:])
                if candidate.is_file() and self.in_blog(candidate):
                    return candidate
        return None

    def add(self, ref: str, *, line: int | None = None, what: str = "image") -> str:
        """The rewritten reference for ``ref`` (unchanged when remote); a missing file is recorded."""
        if is_remote(ref) or not ref.strip() or ref.startswith(PLACEHOLDER):
            return ref
        found, looked = self.locate(ref)
        if found is None:
            name = safe_name(Path(urllib.parse.unquote(ref.split("?", 1)[0])).name or "missing")
            self.missing.append((ref, name, looked, line, what))
            return PLACEHOLDER + name
        problem = self._refusal(found, what)
        if problem is not None:
            self.refused.append(Problem(self.file, what, f"{ref}: refused: {found} {problem}", line))
            return ref
        key = found.resolve()
        if key not in self.assets:
            self.assets[key] = Asset(found, self._unique(safe_name(found.name), found))
        return PLACEHOLDER + self.assets[key].name

    def _refusal(self, found: Path, what: str) -> str | None:
        if not self.in_blog(found):
            return (f"lies outside the blog ({', '.join(map(str, self.blog))}; symlinks resolved); give --site-root "
                    "to widen it")
        return safety.asset_problem(found, what)

    def place(self, folder: Path) -> list[Problem]:
        """Set the asset folder; a warning for each file not found, saying where to put it."""
        self.folder = folder
        return [Problem(self.file, what, f"{ref} not found (looked for {', '.join(map(str, looked)) or ref}); "
                                         f"put it at {folder / name}", line, "warning")
                for ref, name, looked, line, what in self.missing]

    def _unique(self, name: str, source: Path) -> str:
        taken = {a.name for a in self.assets.values()}
        if name not in taken:
            return name
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        n = 2
        while f"{stem}-{n}{dot}{ext}" in taken:
            n += 1
        return f"{stem}-{n}{dot}{ext}"

    def collisions(self) -> list[Path]:
        """Destination files that exist with other contents (they would be overwritten)."""
        assert self.folder is not None
        out = []
        for asset in self.assets.values():
            dest = self.folder / asset.name
            if dest.exists() and (not dest.is_file() or _digest(dest) != _digest(asset.source)):
                out.append(dest)
        return out


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()
