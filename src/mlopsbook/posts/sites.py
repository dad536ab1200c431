"""The blog a post comes from: its root folder, public address, site variables and author list.

Found by walking up from the post to the nearest folder holding a generator's configuration (Jekyll
``_config.yml``, Hugo ``hugo.toml``/``config.toml``, Zola ``config.toml``, Quarto ``_quarto.yml``, Docusaurus
``docusaurus.config.js``, Sphinx/ABlog ``conf.py``; or a ``static/`` folder beside ``blog/``), at most
:data:`MAX_UP` levels and never past a ``.git``. The
root resolves site-root paths (``/images/x.png``, also under ``static/`` and ``public/``); the address turns
site-root links (``/docs/themes/``) into absolute links to the old site. ``--site-root`` and ``--site-url`` override.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlopsbook.posts import safe_yaml

MAX_UP = 6
MARKERS = ("_config.yml", "_config.yaml", "hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml",
           "_quarto.yml", "_quarto.yaml", "docusaurus.config.js", "docusaurus.config.ts", "docusaurus.config.mjs",
           "conf.py", "pelicanconf.py", "mkdocs.yml")
STATIC_DIRS = ("", "static", "public", "assets", "content", "files", "source", "docs")
"""Where generators keep what they serve at the site's root: Hugo/Docusaurus ``static/``, Pelican ``content/``,
Nikola ``files/``, Hexo ``source/``, MkDocs ``docs/``."""


@dataclass(frozen=True)
class Site:
    """``root`` (a folder or ``None``), ``url`` (absolute, no trailing slash, or ``None``), Jekyll ``site.*``
    variables, and Docusaurus authors by key."""

    root: Path | None = None
    url: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    authors: dict[str, Any] = field(default_factory=dict)

    def resolve(self, path: str) -> Path | None:
        """The file a site-root path names (``/images/x.png``), or ``None``."""
        if self.root is None:
            return None
        rel = path.lstrip("/")
        if not rel or ".." in Path(rel).parts:
            return None
        for sub in STATIC_DIRS:
            candidate = self.root / sub / rel
            if candidate.is_file():
                return candidate
        return None

    def absolute(self, path: str) -> str | None:
        """The old site's absolute address of a site-root path, or ``None`` when the site's address is unknown."""
        return f"{self.url}/{path.lstrip('/')}" if self.url else None


def _read_yaml(p: Path) -> dict[str, Any]:
    try:
        data = safe_yaml.load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_toml(p: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _url_from(root: Path) -> tuple[str | None, dict[str, str]]:
    """The site's address and (Jekyll) variables from the configuration files in ``root``."""
    for name in ("_config.yml", "_config.yaml"):
        if (root / name).is_file():
            cfg = _read_yaml(root / name)
            variables = {str(k): str(v) for k, v in cfg.items() if isinstance(v, (str, int, float))}
            url = str(cfg.get("url") or "").rstrip("/")
            base = str(cfg.get("baseurl") or "").strip("/")
            return ((f"{url}/{base}" if base else url) or None), variables
    for name in ("hugo.toml", "config.toml"):
        if (root / name).is_file():
            cfg = _read_toml(root / name)
            url = cfg.get("baseURL") or cfg.get("baseurl") or cfg.get("base_url")
            return (str(url).rstrip("/") or None) if url else None, {}
    for name in ("hugo.yaml", "config.yaml", "_quarto.yml", "_quarto.yaml"):
        if (root / name).is_file():
            cfg = _read_yaml(root / name)
            website = cfg.get("website") if isinstance(cfg.get("website"), dict) else {}
            url = cfg.get("baseURL") or website.get("site-url")
            return (str(url).rstrip("/") or None) if url else None, {}
    for name in ("docusaurus.config.js", "docusaurus.config.ts", "docusaurus.config.mjs", "conf.py"):
        if (root / name).is_file():
            try:
                text = (root / name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None, {}
            m = re.search(r"""^\s*(?:url|html_baseurl|blog_baseurl)\s*[:=]\s*['"](https?://[^'"]+)['"]""", text, re.M)
            base = re.search(r"""^\s*baseUrl\s*:\s*['"]([^'"]*)['"]""", text, re.M)
            if not m:
                return None, {}
            return m[1].rstrip("/") + ("/" + base[1].strip("/") if base and base[1].strip("/") else ""), {}
    return None, {}


def _authors(start: Path, root: Path | None) -> dict[str, Any]:
    """Docusaurus ``authors.yml`` (key -> mapping) from the post's folder up to the site root."""
    for folder in [start, *start.parents][:MAX_UP]:
        if (folder / "authors.yml").is_file():
            return {str(k): v for k, v in _read_yaml(folder / "authors.yml").items()}
        if root is not None and folder == root:
            break
    return {}


def _static_site(folder: Path) -> bool:
    """A site without a configuration file we read: a ``static/`` folder beside ``blog/``, ``content/`` or ``docs/``."""
    return (folder / "static").is_dir() and any((folder / d).is_dir() for d in ("blog", "content", "docs"))


def find(post: Path, *, site_root: Path | None = None, site_url: str | None = None) -> Site:
    """The site of ``post``; ``site_root`` and ``site_url`` (the command line's) take precedence."""
    start = post.parent.resolve()
    root = site_root.resolve() if site_root is not None else None
    if root is None:
        for folder in [start, *start.parents][:MAX_UP]:
            if any((folder / m).is_file() for m in MARKERS) or _static_site(folder):
                root = folder
                break
            if (folder / ".git").exists():
                break
    url, variables = _url_from(root) if root is not None else (None, {})
    if site_url:
        url = site_url.rstrip("/")
    return Site(root, url, variables, _authors(start, root))
