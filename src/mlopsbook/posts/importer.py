"""``mlopsbook posts import``: posts from any blog into the book's ``notebooks/``, never overwriting, never outside.

A path is a post file, a post folder (a Hugo page bundle, a Quarto or Docusaurus post folder: ``index.md``/``.qmd``
with its assets) or a folder of posts (``_posts/``, ``content/posts/``, ``posts/``: every post file and post folder
under it). Each post is planned completely (fields, body, assets, slug) before anything is written, then written:
its assets into ``notebooks/<slug>/``, then ``notebooks/<slug>.md``. An existing post or a different existing asset
is never replaced without ``force`` (the error names the file), and every destination is checked to lie inside the
output folder.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from mlopsbook.posts import book, fields, safety, schema, sites, slugs, source
from mlopsbook.posts.assets import PLACEHOLDER, AssetPlan, is_remote
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.body import Converted, Converter, mdx_path
from mlopsbook.posts.problems import PostError, Problem

POST_SUFFIXES = (".md", ".markdown", ".qmd", ".mdx", ".rmd")
INDEX_NAMES = tuple(f"index{s}" for s in POST_SUFFIXES)
SKIP_NAMES = {"readme.md", "license.md", "changelog.md", "_index.md", "index.md"}
DESCRIPTION_CHARS = 300


@dataclass
class Planned:
    """One post ready to be written: its notebook text and target, its assets, the warnings for its author."""

    source: Path
    target: Path
    text: str
    assets: AssetPlan
    problems: list[Problem] = field(default_factory=list)


def _is_bundle(folder: Path) -> Path | None:
    for name in INDEX_NAMES:
        for p in (folder / name, folder / name.upper()):
            if p.is_file():
                return p
    return None


def discover(path: Path, skipped: list[Problem] | None = None) -> list[Path]:
    """The post files a path names: itself, a bundle's index, or every post under a folder of posts. A FIFO, a
    device or a socket among a folder's posts is left out, with a note in ``skipped``."""
    if not path.is_dir():
        return [path]
    index = _is_bundle(path)
    if index is not None:
        return [index]
    found: list[Path] = []
    for folder, subdirs, files in os.walk(path):
        here = Path(folder)
        subdirs[:] = sorted(d for d in subdirs if not d.startswith((".", "_site", "node_modules")))
        if here != path:
            index = _is_bundle(here)
            if index is not None:
                found.append(index)
                subdirs[:] = []
                continue
        for name in sorted(files):
            if name.startswith((".", "_")) or name.lower() in SKIP_NAMES:
                continue
            if name.lower().endswith(POST_SUFFIXES):
                kind = safety.special_kind(here / name)
                if kind is None:
                    found.append(here / name)
                elif skipped is not None:
                    skipped.append(Problem(str(here / name), "file", f"skipped: it is {kind}, not a post file",
                                           severity="warning"))
    return found


def _title_from_name(stem: str) -> str:
    """``2016-05-19-codeblocks-ahoy`` -> ``Codeblocks Ahoy`` (Jekyll's title of a post that gives none)."""
    words = re.sub(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[-_]?", "", stem).replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words)


def _description(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def plan(path: Path, out_dir: Path, *, default_date: str | None = None, site_root: Path | None = None,
         site_url: str | None = None, blog_root: Path | None = None) -> Planned:
    """Everything importing ``path`` would write. Raises ``PostError`` when it cannot be imported (its first problem
    names the cause; a file the post refers to that may not be read is listed with its line).

    Only the blog is read: its site root (found or given) and ``blog_root`` (the folder of posts an import was
    given, else the post's folder); a post file that is a symlink out of it is refused.
    """
    site = sites.find(path, site_root=site_root, site_url=site_url)
    assets = AssetPlan(path.parent, site, str(path), root=(blog_root or path.parent).resolve())
    if path.is_symlink() and not assets.in_blog(path):
        raise PostError.one(path, "file", f"refused: it is a symlink to {path.resolve()}, outside the blog "
                                          f"({', '.join(map(str, assets.blog))})")
    src = source.load(path)
    mapped = fields.map_meta(src, site, default_date=default_date)
    ctx = Ctx(str(path), src.body_line, src.meta, site, path.parent, assets)
    converted = Converter(ctx, title=mapped.fields.get("title"), mdx=mdx_path(path)).run(src.body)
    stem = path.parent.name if path.stem.lower() in ("index", "_index") else path.stem
    title = mapped.fields.get("title") or converted.title
    if not title:  # Jekyll and Docusaurus title such a post after its file name
        title = _title_from_name(stem)
        if not title:
            raise PostError.one(path, "title", "none in the frontmatter, the body's first heading or the file name; "
                                               "give one as title: ...")
        ctx.problems.append(Problem(str(path), "title", f"none in the frontmatter or a heading: {title!r}, from the "
                                                        "file name (as Jekyll does)", severity="warning"))
    slug = slugs.slug_for(title, explicit=mapped.slug, file_stem=stem)
    folder = out_dir / slug
    if mapped.cover is None and path.stem.lower() == "index":
        mapped.cover = _bundle_cover(path.parent)
    meta = _notebook_meta(mapped, title, converted, assets, out_dir)
    problems = [Problem(str(path), "file", n, severity="warning") for n in src.notes]
    problems += sorted(mapped.problems + ctx.problems + assets.place(folder), key=lambda p: p.line or 0)
    if assets.refused:
        raise PostError(sorted(assets.refused, key=lambda p: p.line or 0))
    body = f"# {title}\n\n{converted.text}".replace(PLACEHOLDER, f"{slug}/")
    meta = {k: (v.replace(PLACEHOLDER, f"{slug}/") if isinstance(v, str) else v) for k, v in meta.items()}
    return Planned(path, out_dir / f"{slug}.md", book.dump(meta, body), assets, problems)


def _bundle_cover(folder: Path) -> str | None:
    """Hugo's convention: a page bundle's image whose name holds ``featured`` (or ``cover``) is its cover."""
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg") and (
                "featured" in p.name.lower() or p.stem.lower() == "cover"):
            return p.name
    return None


def _notebook_meta(mapped: fields.Mapped, title: str, converted: Converted, assets: AssetPlan,
                   out_dir: Path) -> dict[str, Any]:
    f = dict(mapped.fields)
    f["title"] = title
    if mapped.cover:
        before = len(assets.missing)
        cover = assets.add(mapped.cover, what="cover")
        if is_remote(cover) or len(assets.missing) == before:
            f["cover"] = cover
        else:
            f.pop("cover_alt", None)
    if "excerpt" not in f and converted.excerpt:
        f["excerpt"] = converted.excerpt
    if "description" not in f and converted.excerpt_text.strip():
        f["description"] = _description(converted.excerpt_text)
    myst = dict(f.get("myst") or {})
    if converted.math or converted.amsmath:
        exts = [*book.myst_extensions(out_dir)]
        exts += [e for e in ("dollarmath", "amsmath") if e not in exts]
        myst["enable_extensions"] = exts
    if converted.anchors:
        myst["heading_anchors"] = 6
    if myst:
        f["myst"] = myst
    out = {k: f[k] for k in schema.FIELD_ORDER if k in f}
    out.update(mapped.kept)
    for k in schema.TRAILING_FIELDS:
        if k in f:
            out[k] = f[k]
    out.setdefault("jupytext", book.JUPYTEXT_HEADER)
    out.setdefault("kernelspec", book.KERNELSPEC)
    return out


def write(planned: Planned, out_dir: Path, *, force: bool = False) -> Path:
    """Write a planned post and its assets. Raises ``PostError`` naming an existing file (nothing is written)."""
    root = out_dir.resolve()
    folder = planned.assets.folder
    assert folder is not None
    targets = [planned.target] + [folder / a.name for a in planned.assets.assets.values()]
    for t in targets:
        resolved = t.resolve()
        if resolved != root and root not in resolved.parents:
            raise PostError.one(planned.source, "file", f"{t} would be written outside {out_dir}; nothing was written")
    if not force:
        if planned.target.exists() or planned.target.is_symlink():
            raise PostError.one(planned.source, "file", f"{planned.target} already exists; nothing was written "
                                                        "(use --force to replace it, or give the post its own slug:)")
        clash = planned.assets.collisions()
        if clash:
            raise PostError.one(planned.source, "file", f"{clash[0]} already exists with other contents; nothing was "
                                                        "written (use --force to replace it)")
    out_dir.mkdir(parents=True, exist_ok=True)
    if planned.assets.assets:
        folder.mkdir(parents=True, exist_ok=True)
    for asset in planned.assets.assets.values():
        dest = folder / asset.name
        if asset.source.resolve() != dest.resolve():
            dest.write_bytes(_asset_bytes(planned, asset.source))
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".import-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(planned.text)
        os.replace(tmp, planned.target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return planned.target


def _asset_bytes(planned: Planned, source_file: Path) -> bytes:
    """An asset's bytes, checked again as it is read (it may have changed since the plan)."""
    if not planned.assets.in_blog(source_file):
        raise PostError.one(planned.source, "file", f"{source_file} now lies outside the blog; nothing more written")
    try:
        return safety.read_bytes(source_file)
    except OSError as exc:
        raise PostError.one(planned.source, "file", f"{source_file} cannot be read ({exc})") from None


def import_post(src: str | Path, out_dir: str | Path, *, stderr: TextIO | None = None, force: bool = False,
                default_date: str | None = None, site_root: Path | None = None, site_url: str | None = None) -> Path:
    """Import one post file into ``out_dir``; warnings go to ``stderr``. Raises ``PostError``."""
    import sys

    planned = plan(Path(src), Path(out_dir), default_date=default_date, site_root=site_root, site_url=site_url)
    target = write(planned, Path(out_dir), force=force)
    for pr in planned.problems:
        print(pr, file=stderr if stderr is not None else sys.stderr)
    return target
