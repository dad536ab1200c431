"""Posts: an author's Markdown post with YAML frontmatter, turned into a MyST notebook, and checked.

The frontmatter schema (every field required unless marked optional):

========== ================================================================================================
title      non-empty string
date       the publication date, a real calendar date written as a *quoted* ISO string (``"2024-01-25"``)
author     non-empty string
description non-empty string
tags       list of non-empty strings
category   non-empty string
context    non-empty string (e.g. "LexisNexis · Leadership")
metric     non-empty string, the headline of the metric badge ("1st")
metric_unit non-empty string, the badge's unit ("ML Engineer")
claims     optional list of claims: ``id`` (``C<number>``, unique), ``says`` (the post's words), ``refuted_if``
           (what would refute it), ``evidence`` (optional: the book document holding the evidence)
jupytext, kernelspec  added by :func:`import_post`; allowed
========== ================================================================================================

Unknown fields are errors. Every referenced image (``![alt](path)`` or a ``{figure}``/``{image}`` directive) must exist
relative to the post. :func:`check_post` returns every problem, not only the first.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import frontmatter
import yaml

from mlopsbook.claims import Claim
from mlopsbook.errors import MlopsbookError

REQUIRED_STRINGS = ("title", "author", "description", "category", "context", "metric", "metric_unit")
HEADER_FIELDS = ("jupytext", "kernelspec")
KNOWN_FIELDS = frozenset(("title", "date", "author", "description", "tags", "category", "context", "metric",
                          "metric_unit", "claims", *HEADER_FIELDS))
CLAIM_FIELDS = frozenset(("id", "says", "refuted_if", "evidence"))
_CLAIM_ID = re.compile(r"^C[0-9]+$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_DIRECTIVE_IMAGE = re.compile(r"^[`:]{3,}\{(?:figure|image)\}\s+(\S+)", re.MULTILINE)

JUPYTEXT_HEADER: dict[str, Any] = {
    "text_representation": {"extension": ".md", "format_name": "myst", "format_version": 0.13},
}
KERNELSPEC: dict[str, Any] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class UnquotedDate(str):
    """A YAML scalar that YAML would have read as a date (it was not quoted)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps unquoted dates as :class:`UnquotedDate` strings instead of constructing them.

    So an impossible date (``2024-13-45``) is reported as a field problem instead of crashing the parser, and an
    unquoted one is told apart from a quoted one.
    """


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: UnquotedDate(loader.construct_scalar(node))
)


class _Handler(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs: Any) -> Any:  # noqa: D102
        return yaml.load(fm, Loader=_Loader)  # noqa: S506  # nosec B506 - _Loader is a yaml.SafeLoader subclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a post: printed as ``FILE: FIELD: message``."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class PostError(MlopsbookError):
    """A post that cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


# -- reading ----------------------------------------------------------------------------------------------------
def read(path: str | Path) -> frontmatter.Post:
    """Parse a post's frontmatter and body (dates stay strings). Raises ``PostError`` on unreadable YAML."""
    p = Path(path)
    try:
        return frontmatter.loads(p.read_text(encoding="utf-8"), handler=_Handler())
    except FileNotFoundError:
        raise PostError([Problem(str(p), "file", "does not exist")]) from None
    except yaml.YAMLError as exc:
        raise PostError([Problem(str(p), "frontmatter", f"not valid YAML: {exc}")]) from None


def slugify(title: str) -> str:
    """``"Engineering Culture & Leadership"`` → ``"engineering-culture-leadership"``."""
    s = re.sub(r"[^a-z0-9]+", "-", title.lower().replace("&", " ")).strip("-")
    if not s:
        raise ValueError(f"cannot make a slug from title {title!r}")
    return s


def image_refs(body: str) -> list[str]:
    """Local image paths referenced in a post body (remote ``http(s)://`` images are not checked)."""
    refs = _MD_IMAGE.findall(body) + _DIRECTIVE_IMAGE.findall(body)
    return [r for r in dict.fromkeys(refs) if not re.match(r"^[a-z]+://", r)]


# -- checking ---------------------------------------------------------------------------------------------------
def check_metadata(meta: Mapping[str, Any], file: str) -> list[Problem]:
    """Every problem with a post's frontmatter mapping."""
    probs: list[Problem] = []

    def bad(field: str, msg: str) -> None:
        probs.append(Problem(file, field, msg))

    for key in meta:
        if key not in KNOWN_FIELDS:
            bad(str(key), f"unknown field (allowed: {', '.join(sorted(KNOWN_FIELDS))})")
    for key in REQUIRED_STRINGS:
        v = meta.get(key)
        if v is None:
            bad(key, "missing")
        elif not isinstance(v, str) or not v.strip():
            bad(key, f"must be a non-empty string, got {v!r}")
    _check_date(meta.get("date"), bad)
    tags = meta.get("tags")
    if tags is None:
        bad("tags", "missing")
    elif not isinstance(tags, list):
        bad("tags", f"must be a list of strings, like [\"{tags}\"], got {type(tags).__name__} {tags!r}")
    elif not tags or not all(isinstance(t, str) and t.strip() for t in tags):
        bad("tags", f"must be a non-empty list of non-empty strings, got {tags!r}")
    if "claims" in meta:
        probs.extend(_check_claims(meta["claims"], file))
    return probs


def _check_date(v: Any, bad: Any) -> None:
    if v is None:
        bad("date", "missing")
        return
    if isinstance(v, UnquotedDate):
        hint = f'write it quoted, date: "{v}"'
        try:
            dt.date.fromisoformat(v)
        except ValueError:
            bad("date", f"{v} is not a real calendar date (and is unquoted; {hint})")
            return
        bad("date", f"unquoted date {v} (the book build cannot serialise it); {hint}")
        return
    if not isinstance(v, str) or not _ISO_DATE.match(v):
        bad("date", f"must be a quoted ISO date \"YYYY-MM-DD\", got {v!r}")
        return
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        bad("date", f"{v} is not a real calendar date")


def _check_claims(claims: Any, file: str) -> list[Problem]:
    probs: list[Problem] = []
    if not isinstance(claims, list):
        return [Problem(file, "claims", f"must be a list of claims, got {type(claims).__name__}")]
    seen: set[str] = set()
    for i, c in enumerate(claims):
        where = f"claims[{i}]"
        if not isinstance(c, dict):
            probs.append(Problem(file, where, "must be a mapping with id, says, refuted_if"))
            continue
        for key in c:
            if key not in CLAIM_FIELDS:
                probs.append(Problem(file, f"{where}.{key}", f"unknown field (allowed: {', '.join(sorted(CLAIM_FIELDS))})"))
        cid = c.get("id")
        if not isinstance(cid, str) or not _CLAIM_ID.match(cid):
            probs.append(Problem(file, f"{where}.id", f"must be C followed by a number, got {cid!r}"))
        elif cid in seen:
            probs.append(Problem(file, f"{where}.id", f"duplicate claim id {cid}"))
        else:
            seen.add(cid)
        for key in ("says", "refuted_if"):
            v = c.get(key)
            if not isinstance(v, str) or not v.strip():
                probs.append(Problem(file, f"{where}.{key}", "missing or empty"))
        if "evidence" in c and not isinstance(c["evidence"], str):
            probs.append(Problem(file, f"{where}.evidence", "must be a string (a document path in the book)"))
    return probs


def check_post(path: str | Path) -> list[Problem]:
    """Every problem with one post file: frontmatter schema and referenced images."""
    p = Path(path)
    try:
        post = read(p)
    except PostError as exc:
        return exc.problems
    probs = check_metadata(post.metadata, str(p))
    for ref in image_refs(post.content):
        if not (p.parent / ref).is_file():
            probs.append(Problem(str(p), "image", f"referenced image not found: {ref} (looked for {p.parent / ref})"))
    return probs


def post_files(paths: Iterable[str | Path]) -> list[Path]:
    """Post files named by ``paths``: a file as is; a folder's top-level ``*.md`` (companion pages sit in sub-folders)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(p.glob("*.md")))
        else:
            out.append(p)
    return out


def claims_of(path: str | Path) -> list[Claim]:
    """The claims a post declares (raises ``PostError`` if the post is invalid)."""
    probs = check_post(path)
    if probs:
        raise PostError(probs)
    return [Claim.from_mapping(c) for c in read(path).metadata.get("claims", [])]


# -- importing --------------------------------------------------------------------------------------------------
def normalise_metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The author's fields as written, with unquoted dates turned into plain ISO strings, plus the notebook headers."""
    out: dict[str, Any] = {}
    for k, v in meta.items():
        out[k] = str(v) if isinstance(v, (UnquotedDate, dt.date)) else v
    out.setdefault("jupytext", JUPYTEXT_HEADER)
    out.setdefault("kernelspec", KERNELSPEC)
    return out


def dump(meta: Mapping[str, Any], body: str) -> str:
    """A MyST notebook text: YAML frontmatter (strings quoted where YAML would misread them) and the body."""
    fm = yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    return f"---\n{fm}---\n\n{body.strip()}\n"


def import_post(src: str | Path, out_dir: str | Path, *, stderr: Any = None) -> Path:
    """Turn an author's post into ``out_dir/<slug>.md``, a MyST notebook, and return its path.

    Images the post references are copied next to the notebook; a missing one is reported on ``stderr`` with its
    path, and the notebook is still written. Raises ``PostError`` when the frontmatter has no usable title.
    """
    err = stderr if stderr is not None else sys.stderr
    src, out = Path(src), Path(out_dir)
    post = read(src)
    title = post.metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PostError([Problem(str(src), "title", "missing: the notebook's file name comes from the title")])
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{slugify(title)}.md"
    for ref in image_refs(post.content):
        found = src.parent / ref
        if found.is_file():
            dest = out / ref
            dest.parent.mkdir(parents=True, exist_ok=True)
            if found.resolve() != dest.resolve():
                shutil.copy2(found, dest)
        else:
            print(f"{src}: image: referenced image not found: {ref} (looked for {found})", file=err)
    body = post.content
    if not re.search(r"^# ", body, re.MULTILINE):  # the page needs the post's title as its heading
        body = f"# {title}\n\n{body.lstrip()}"
    target.write_text(dump(normalise_metadata(post.metadata), body), encoding="utf-8")
    return target
