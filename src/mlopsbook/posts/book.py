"""The book side of posts: the notebook text a post becomes, and the posts the book's table of contents lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

JUPYTEXT_HEADER: dict[str, Any] = {
    "text_representation": {"extension": ".md", "format_name": "myst", "format_version": 0.13},
}
KERNELSPEC: dict[str, Any] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
DEFAULT_EXTENSIONS = ("colon_fence", "deflist", "substitution")
POST_DIR = "notebooks"


def dump(meta: Mapping[str, Any], body: str) -> str:
    """A MyST notebook text: YAML frontmatter (strings quoted where YAML would misread them) and the body."""
    fm = yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    return f"---\n{fm}---\n\n{body.strip()}\n"


def book_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding the book's ``_config.yml`` and ``_toc.yml``."""
    for folder in [start, *start.parents]:
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return None


def myst_extensions(out_dir: Path) -> list[str]:
    """The MyST extensions the book enables (``parse.myst_enable_extensions`` of its ``_config.yml``)."""
    root = book_root(out_dir.resolve())
    if root is not None:
        try:
            cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
            found = (cfg.get("parse") or {}).get("myst_enable_extensions")
            if isinstance(found, list) and all(isinstance(x, str) for x in found):
                return list(found)
        except (OSError, yaml.YAMLError, AttributeError):
            pass
    return list(DEFAULT_EXTENSIONS)


def toc_files(root: Path) -> list[str]:
    """Every document of the book's ``_toc.yml``, in order (``notebooks/x``, ``book/claims``...)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")) or {}
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                out.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    if isinstance(toc.get("root"), str):
        out.append(toc["root"])
    walk(toc)
    return out


def toc_posts(root: Path) -> list[str]:
    """The slugs of the posts in the book's ``_toc.yml`` (``notebooks/<slug>``), in order."""
    return [f.split("/", 1)[1] for f in toc_files(root)
            if f.startswith(f"{POST_DIR}/") and f.count("/") == 1]
