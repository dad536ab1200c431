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

import nbformat

from mlopsbook.posts import book, fields, notebooks, reproduction, rst, safety, schema, sites, slugs, source
from mlopsbook.posts import metadata_conventions as conventions
from mlopsbook.posts.assets import PLACEHOLDER, AssetPlan, is_remote
from mlopsbook.posts.blocks import Ctx
from mlopsbook.posts.body import Converted, Converter, mdx_path
from mlopsbook.posts.problems import PostError, Problem

POST_SUFFIXES = (".md", ".markdown", ".qmd", ".mdx", ".rmd", ".rmarkdown", ".ipynb", ".rst")
INDEX_NAMES = tuple(f"index{s}" for s in POST_SUFFIXES)
SKIP_NAMES = {"readme.md": "a README, not a post", "license.md": "a licence, not a post",
              "changelog.md": "a change log, not a post", "_index.md": "a section's list page (Hugo), not a post",
              "index.md": "the folder's index page, not a post", "readme.rst": "a README, not a post",
              "readme.ipynb": "a README, not a post"}
UNSUPPORTED = {".html": "an HTML post: write it as Markdown to import it", ".htm": "an HTML post",
               ".org": "an Org-mode post: export it to Markdown (ox-md, pandoc) to import it",
               ".adoc": "an AsciiDoc post: convert it to Markdown to import it",
               ".asciidoc": "an AsciiDoc post: convert it to Markdown to import it",
               ".textile": "a Textile post: convert it to Markdown to import it",
               ".txt": "a text file: rename it .md (Markdown) or .rst (reStructuredText) to import it",
               ".tex": "a LaTeX file, not a post"}
DESCRIPTION_CHARS = 300


@dataclass
class Planned:
    """One post ready to be written: its notebook text and target, its assets, the warnings for its author."""

    source: Path
    target: Path
    text: str
    assets: AssetPlan
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    """Files made by the import (a notebook's attachments and recorded images), by name in the asset folder."""
    record: tuple[Path, bytes] | None = None
    """A notebook's published record (:mod:`mlopsbook.posts.reproduction`): where it goes, and its bytes."""


def _is_bundle(folder: Path) -> Path | None:
    for name in INDEX_NAMES:
        for p in (folder / name, folder / name.upper()):
            if p.is_file():
                return p
    return None


def discover(path: Path) -> list[Path]:
    """The post files a path names: itself, a bundle's index, or every post under a folder of posts."""
    return survey(path)[0]


def survey(path: Path) -> tuple[list[Path], list[str]]:
    """The post files a path names, and one line for every other file under it: why it is not imported.

    Documents that are not posts (a README, a section page, an HTML or Org file, a file whose name starts with
    ``_`` or ``.``) are named one by one; a folder's other files (images, data, configuration) on one line, since
    a post that references one copies it.
    """
    if not path.is_dir():
        return [path], []
    index = _is_bundle(path)
    if index is not None and not any(p.suffix.lower() in POST_SUFFIXES and p.parent != path
                                     for p in path.rglob("*")):
        return [index], _bundle_siblings(index)
    found: list[Path] = []
    left: list[str] = [] if index is None else [f"{index}: file: not imported (the listing page of the folder of "
                                                "posts; import it by name if it is a post)"]
    for folder, subdirs, files in os.walk(path):
        here = Path(folder)
        hidden = sorted(d for d in subdirs if d.startswith((".", "_site", "node_modules")))
        subdirs[:] = sorted(d for d in subdirs if d not in hidden)
        left += [f"{here / d}: folder: not searched (generated or hidden)" for d in hidden
                 if d not in (".git", ".ipynb_checkpoints")]
        if here == path and index is not None:
            files = [f for f in files if f != index.name]
        if here != path:
            index = _is_bundle(here)
            if index is not None:
                found.append(index)
                left += _bundle_siblings(index)
                subdirs[:] = []
                continue
        others: list[str] = []
        for name in sorted(files):
            low = name.lower()
            suffix = Path(low).suffix
            if low in SKIP_NAMES:
                left.append(f"{here / name}: file: not imported ({SKIP_NAMES[low]})")
            elif name.startswith((".", "_")):
                if suffix in POST_SUFFIXES:
                    left.append(f"{here / name}: file: not imported (a name starting with {name[0]!r} is not "
                                "published by the generators; import it by name to import it)")
            elif suffix in POST_SUFFIXES:
                kind = safety.special_kind(here / name)
                if kind is None:
                    found.append(here / name)
                else:
                    left.append(f"{here / name}: file: skipped: it is {kind}, not a post file (never opened)")
            elif suffix in UNSUPPORTED:
                left.append(f"{here / name}: file: not imported ({UNSUPPORTED[suffix]})")
            else:
                others.append(name)
        if others:
            shown = ", ".join(others[:12]) + (f" and {len(others) - 12} more" if len(others) > 12 else "")
            left.append(f"{here}: file: {len(others)} file(s) that are not posts (images, data, configuration: "
                        f"{shown}); a post that references one copies it")
    return _included_notebooks(found, left)


def _bundle_siblings(index: Path) -> list[str]:
    """The other post files of a post folder (Quarto renders ``index.qmd``; an ``index.ipynb`` beside it is its
    output or its source): named, since the folder is one post."""
    return [f"{p}: file: not imported (the post of the folder {index.parent} is {index.name})"
            for p in sorted(index.parent.iterdir())
            if p.is_file() and p != index and p.suffix.lower() in POST_SUFFIXES and not p.name.startswith(".")]


_NOTEBOOK_TAG = re.compile(r"\{%-?\s*notebook\s+(\S+)")


def _included_notebooks(found: list[Path], left: list[str]) -> tuple[list[Path], list[str]]:
    """Pelican: a notebook that a post includes with ``{% notebook x.ipynb %}`` is part of that post, not a post."""
    included: dict[Path, Path] = {}
    for post in found:
        if post.suffix.lower() in (".md", ".markdown", ".rst"):
            try:
                text = safety.read_bytes(post, source.MAX_BYTES).decode("utf-8", errors="replace")
            except OSError:
                continue
            for ref in _NOTEBOOK_TAG.findall(text):
                for base in (post.parent, post.parent / "notebooks", post.parent.parent / "notebooks"):
                    target = (base / ref).resolve()
                    included.setdefault(target, post)
    kept = [p for p in found if p.resolve() not in included]
    left += [f"{p}: file: not imported on its own (the post {included[p.resolve()]} includes it with "
             "{% notebook %})" for p in found if p.resolve() in included]
    return kept, left


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
    if path.suffix.lower() == ".ipynb":
        return _plan_notebook(path, out_dir, default_date=default_date, site=site, assets=assets)
    extra: list[Problem] = []
    if path.suffix.lower() == ".rst":
        text, notes = source.read_text(path)
        converted_rst = rst.convert(text, path)
        src = source.Source(path, converted_rst.meta, converted_rst.markdown, 1, "rst", tuple(notes))
        extra = [Problem(str(path), "body", f"reStructuredText: {msg}", line, "warning")
                 for line, msg in converted_rst.warnings]
    else:
        src = conventions.text_post(source.load(path))
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
    found = mapped.problems + ctx.problems + assets.place(folder)
    if src.fm_format == "rst":  # lines of pandoc's Markdown are not lines of the author's file
        found = [Problem(p.file, p.field, p.message, None, p.severity) for p in found]
    problems += sorted(extra + found, key=lambda p: p.line or 0)
    _refuse(assets)
    body = f"# {title}\n\n{converted.text}".replace(PLACEHOLDER, f"{slug}/")
    meta = {k: (v.replace(PLACEHOLDER, f"{slug}/") if isinstance(v, str) else v) for k, v in meta.items()}
    return Planned(path, out_dir / f"{slug}.md", book.dump(meta, body), assets, problems)


def _refuse(assets: AssetPlan) -> None:
    """Raise ``PostError`` listing, with their lines, the files the post refers to that may not be read."""
    if assets.refused:
        raise PostError(sorted(assets.refused, key=lambda p: p.line or 0))


def _plan_notebook(path: Path, out_dir: Path, *, default_date: str | None, site: sites.Site,
                   assets: AssetPlan) -> Planned:
    """A notebook post (:mod:`mlopsbook.posts.notebooks`): its markdown cells converted as one body, its code cells
    kept (as ``{code-cell}`` cells, or static code when its kernel is not Python), its recorded outputs kept."""
    post = notebooks.load(path)
    nb = post.nb
    src = source.Source(path, post.meta, "", 1, "notebook")
    mapped = fields.map_meta(src, site, default_date=default_date)
    if mapped.cover and mapped.cover.startswith(notebooks.FASTPAGES_COPIED):
        beside = mapped.cover[len(notebooks.FASTPAGES_COPIED):]
        if (path.parent / beside).is_file():
            mapped.cover = beside
    files: dict[str, bytes] = {}
    md_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    parts: list[str] = []
    starts: list[tuple[int, int]] = []  # (first line in the joined body, cell index)
    line = 0
    for k, i in enumerate(md_cells):
        text, found = notebooks.attachments(nb.cells[i], i)
        files.update(found)
        part = f"{notebooks.CELL_MARK.format(k)}\n\n{text}\n"
        starts.append((line, i))
        line += part.count("\n") + 1
        parts.append(part)
    ctx = Ctx(str(path), 0, src.meta, site, path.parent, assets)
    converted = Converter(ctx, title=mapped.fields.get("title"), mdx=False).run("\n".join(parts))
    texts = notebooks.split_cells(converted.text, len(md_cells))
    stem = path.parent.name if path.stem.lower() == "index" else path.stem
    title = mapped.fields.get("title") or converted.title or _title_from_name(stem)
    if not title:
        raise PostError.one(path, "title", "none in the notebook's metadata, its first cell or the file name; "
                                           "give one as title: ... in a first raw cell")
    if not (mapped.fields.get("title") or converted.title):
        ctx.problems.append(Problem(str(path), "title", f"none in the metadata or a heading: {title!r}, from the "
                                                        "file name", severity="warning"))
    lexer = _lexer_of(post)
    cells = [nbformat.v4.new_markdown_cell(f"# {title}")]
    if not post.python:
        cells.append(nbformat.v4.new_markdown_cell(_not_run_note(post.language_name)))
    k = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            if texts[k].strip():
                cells.append(nbformat.v4.new_markdown_cell(texts[k]))
            k += 1
        elif cell.cell_type == "code":
            if post.python:
                tags = notebooks.tags_of(cell)
                if "skip-execution" in tags and notebooks.installs(cell):
                    ctx.problems.append(Problem(str(path), "code", f"cell {i + 1} installs packages: tagged "
                                                                   "skip-execution (the book runs with its "
                                                                   "requirements.txt; add what it needs there)",
                                                severity="warning"))
                cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"tags": tags} if tags else {}))
            else:
                blocks_out, made = notebooks.output_blocks(cell, i, post.language)
                files.update(made)
                cells.append(nbformat.v4.new_markdown_cell(
                    "\n\n".join([notebooks.static_code(cell, post.language, lexer), *blocks_out])))
        elif cell.cell_type == "raw" and notebooks.source_of(cell).strip():
            cells.append(nbformat.v4.new_raw_cell(cell.source, metadata=dict(cell.metadata)))
    slug = slugs.slug_for(title, explicit=mapped.slug, file_stem=stem)
    folder = out_dir / slug
    meta = _notebook_meta(mapped, title, converted, assets, out_dir)
    problems = [Problem(str(path), "file", n, severity="warning") for n in post.notes]
    problems += [_cell_problem(p, starts) for p in mapped.problems + ctx.problems + assets.place(folder)]
    _refuse(assets)
    out_nb = nbformat.v4.new_notebook()
    out_nb.cells = cells
    body = notebooks.myst_body(out_nb).replace(PLACEHOLDER, f"{slug}/")
    meta = {k: (v.replace(PLACEHOLDER, f"{slug}/") if isinstance(v, str) else v) for k, v in meta.items()}
    if not post.python:
        problems.append(Problem(str(path), "kernel", f"a notebook in {post.language_name}: its code is shown, not run "
                                                     "(the book runs Python)", severity="warning"))
    record = None
    if any(c.cell_type == "code" and c.get("outputs") for c in nb.cells):
        record = (_record_path(out_dir, slug), notebooks.published_record(nbformat.reads(
            path.read_text(encoding="utf-8-sig"), as_version=4)))
    return Planned(path, out_dir / f"{slug}.md", book.dump(meta, body), assets, problems, files, record)


def _lexer_of(post: notebooks.NotebookPost) -> str:
    from mlopsbook.posts.body import lexer_known

    info = post.nb.metadata.get("language_info") or {}
    for name in (info.get("pygments_lexer"), info.get("name"), post.language):
        if isinstance(name, str) and name and lexer_known(name):
            return name
    return "text"


def _not_run_note(language: str) -> str:
    return (":::{admonition} Not run by the book\n:class: note\n\nThis post was written as a notebook in "
            f"{language}. The book runs Python only: the code below is shown as its author wrote it, with "
            "the outputs the author recorded, and is not executed here.\n:::")


def _cell_problem(p: Problem, starts: list[tuple[int, int]]) -> Problem:
    """A problem found in the joined markdown cells, naming the notebook's cell instead of a line of the join."""
    if p.line is None or not starts:
        return p
    cell = max((s for s in starts if s[0] <= p.line), default=starts[0])[1]
    return Problem(p.file, p.field, f"cell {cell + 1}: {p.message}", None, p.severity)


def _record_path(out_dir: Path, slug: str) -> Path:
    """Where a notebook post's published record goes: under the book's ``snapshots/published/`` when ``out_dir``
    lies in a book, else in the post's own folder."""
    root = book.book_root(out_dir.resolve())
    if root is None:
        return out_dir / slug / "published.ipynb"
    return reproduction.published_path(out_dir.resolve() / f"{slug}.md", root)


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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write(planned: Planned, out_dir: Path, *, force: bool = False) -> Path:
    """Write a planned post, its assets and its published record. Raises ``PostError`` naming an existing file
    (nothing is written). Files get the usual permissions (``0666`` less the umask)."""
    root = out_dir.resolve()
    folder = planned.assets.folder
    assert folder is not None
    files = {**planned.files, **planned.assets.made}
    made = [folder / name for name in files]
    targets = [planned.target] + [folder / a.name for a in planned.assets.assets.values()] + made
    book_root = book.book_root(root)
    allowed = [root] + ([book_root.joinpath(*reproduction.PUBLISHED_DIR).resolve()] if book_root else [])
    if planned.record is not None:
        targets.append(planned.record[0])
    for t in targets:
        resolved = t.resolve()
        if not any(resolved == a or a in resolved.parents for a in allowed):
            raise PostError.one(planned.source, "file", f"{t} would be written outside {out_dir}; nothing was written")
    if not force:
        if planned.target.exists() or planned.target.is_symlink():
            raise PostError.one(planned.source, "file", f"{planned.target} already exists; nothing was written "
                                                        "(use --force to replace it, or give the post its own slug:)")
        clash = planned.assets.collisions() + [p for p in made if p.exists() and p.read_bytes() != files[p.name]]
        if planned.record is not None and planned.record[0].exists():
            clash.append(planned.record[0])
        if clash:
            raise PostError.one(planned.source, "file", f"{clash[0]} already exists with other contents; nothing was "
                                                        "written (use --force to replace it)")
    mode = 0o666 & ~_umask()
    out_dir.mkdir(parents=True, exist_ok=True)
    if planned.assets.assets or files:
        folder.mkdir(parents=True, exist_ok=True)
    for asset in planned.assets.assets.values():
        dest = folder / asset.name
        if asset.source.resolve() != dest.resolve():
            _write_atomic(dest, _asset_bytes(planned, asset.source), mode)
    for name, data in files.items():
        _write_atomic(folder / name, data, mode)
    if planned.record is not None:
        planned.record[0].parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(planned.record[0], planned.record[1], mode)
    _write_atomic(planned.target, planned.text.encode("utf-8"), mode)
    return planned.target


def _write_atomic(target: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".import-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
