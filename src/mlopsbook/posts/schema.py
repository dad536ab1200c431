"""The frontmatter of a post in the book (a notebook under ``notebooks/``), and its check.

============== ========================================================================================================
title          required: non-empty string
date           required: the publication date, a real calendar date written as a *quoted* ISO string (``"2024-01-25"``)
time           the time of day when the author gave one (``"11:10:38-07:00"``)
author         non-empty string; several authors separated by commas
description    non-empty string: the summary shown in the listing and the feed
tags           list of non-empty strings
category       non-empty string; several categories separated by commas (ABlog's convention)
context        non-empty string (e.g. "LexisNexis · Leadership"); shown in the post card when present
metric         non-empty string, the headline of the metric badge ("1st"); the badge shows when it is present
metric_unit    non-empty string, the badge's unit ("ML Engineer")
draft          true or false
aliases        list of the post's old addresses (its permalink, aliases, redirects), kept for redirects
cover          the post's cover image, a path relative to the notebook (shown in the post card)
cover_alt      the cover image's alternative text
excerpt        a positive number: how many paragraphs ABlog shows as the post's excerpt
claims         list of claims: ``id`` (``C<number>``, unique in the post), ``says`` (the post's words), ``refuted_if``
               (what would refute it), ``evidence`` (optional: the book document holding the evidence)
myst           per-post MyST settings the import writes (``enable_extensions`` for math, ``heading_anchors``)
jupytext, kernelspec  the notebook headers the import adds
blogpost, location, language, redirect, exclude, nocomments, canonical_link, external_link, image (a number)
               ABlog's own fields
============== ========================================================================================================

Any other field is kept as the author wrote it and reported as a note. A value the build cannot serialise (an
unquoted date anywhere, binary data) is an error, as is a field that ABlog or MyST would read with another meaning
(``image`` as a path, ``excerpt`` as text, ``html_meta``/``substitutions`` at the top).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Callable, Mapping

from mlopsbook.posts import dates
from mlopsbook.posts.problems import Problem
from mlopsbook.posts.source import UnquotedDate

HEADER_FIELDS = ("jupytext", "kernelspec")
ABLOG_FIELDS = ("blogpost", "location", "language", "redirect", "exclude", "nocomments", "canonical_link",
                "external_link", "image")
FIELD_ORDER = ("title", "date", "time", "author", "description", "tags", "category", "context", "metric",
               "metric_unit", "draft", "aliases", "cover", "cover_alt", "excerpt", *ABLOG_FIELDS)
TRAILING_FIELDS = ("claims", "myst", "mlopsbook", *HEADER_FIELDS)
KNOWN_FIELDS = frozenset((*FIELD_ORDER, *TRAILING_FIELDS))
REQUIRED = ("title", "date")
CLAIM_FIELDS = frozenset(("id", "says", "refuted_if", "evidence"))
RESERVED = {
    "html_meta": "MyST wants it under `myst:`",
    "substitutions": "MyST wants it under `myst:`",
}
_CLAIM_ID = re.compile(r"^C[0-9]+$")
_TIME = re.compile(r"^[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2})?$")


def _nonempty_str(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else f"must be a non-empty string, got {v!r}"


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else f"must be true or false, got {v!r}"


def _str_list(v: Any) -> str | None:
    if not isinstance(v, list):
        return f"must be a list of strings, like [\"{v}\"], got {type(v).__name__} {v!r}"
    if not v or not all(isinstance(t, str) and t.strip() for t in v):
        return f"must be a non-empty list of non-empty strings, got {v!r}"
    return None


def _time(v: Any) -> str | None:
    return None if isinstance(v, str) and _TIME.match(v) else f"must be a quoted time \"HH:MM:SS[+HH:MM]\", got {v!r}"


def _positive_int(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) and v > 0 else f"must be a positive number, got {v!r}"


def _image(v: Any) -> str | None:
    if _positive_int(v) is None:
        return None
    return (f"ABlog reads image as a number (which image of the post its excerpt shows), got {v!r}; "
            "a cover image is cover")


def _mapping(v: Any) -> str | None:
    return None if isinstance(v, dict) else f"must be a mapping, got {type(v).__name__}"


def _flag(v: Any) -> str | None:
    return None if isinstance(v, (bool, str)) or v is None else f"must be true or false, got {v!r}"


def _execution_inputs(v: Any) -> str | None:
    """``mlopsbook: {inputs: [...]}``: files a notebook's subprocesses read (its execution record hashes them)."""
    if not isinstance(v, dict) or set(v) - {"inputs"}:
        return "must be a mapping with only `inputs` (a list of paths or globs inside the repository)"
    paths = v.get("inputs", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) and p.strip() for p in paths):
        return "`inputs` must be a list of paths or globs"
    bad = [p for p in paths if p.startswith("/") or ".." in p.split("/")]
    return f"`inputs` must stay inside the repository: {', '.join(bad)}" if bad else None


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "title": _nonempty_str, "author": _nonempty_str, "description": _nonempty_str, "tags": _str_list,
    "category": _nonempty_str, "context": _nonempty_str, "metric": _nonempty_str, "metric_unit": _nonempty_str,
    "time": _time, "draft": _bool, "aliases": _str_list, "cover": _nonempty_str, "cover_alt": _nonempty_str,
    "excerpt": _positive_int, "myst": _mapping, "jupytext": _mapping, "kernelspec": _mapping,
    "blogpost": _flag, "exclude": _flag, "nocomments": _flag, "location": _nonempty_str,
    "language": _nonempty_str, "redirect": _nonempty_str, "canonical_link": _nonempty_str,
    "external_link": _nonempty_str, "image": _image, "mlopsbook": _execution_inputs,
}


def unserialisable(value: Any, where: str) -> list[tuple[str, str]]:
    """``(field path, why)`` for every value in ``value`` that the book build cannot turn into JSON."""
    out: list[tuple[str, str]] = []
    if isinstance(value, UnquotedDate):
        out.append((where, f"unquoted date {value} (the book build cannot serialise it); write it quoted: \"{value}\""))
    elif isinstance(value, (dt.date, dt.time)):
        out.append((where, f"unquoted date {value} (the book build cannot serialise it); write it quoted"))
    elif isinstance(value, (bytes, bytearray, set, frozenset, complex)):
        out.append((where, f"a {type(value).__name__} value cannot be serialised; write it as text or a list"))
    elif isinstance(value, float) and not math.isfinite(value):
        out.append((where, f"{value} is not a number the build can serialise"))
    elif isinstance(value, dict):
        for k, v in value.items():
            out.extend(unserialisable(v, f"{where}.{k}"))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            out.extend(unserialisable(v, f"{where}[{i}]"))
    return out


def check_metadata(meta: Mapping[str, Any], file: str) -> list[Problem]:
    """Every problem with a post's frontmatter mapping (errors), and a note for each field the book does not use."""
    probs: list[Problem] = []

    def bad(field: str, msg: str) -> None:
        probs.append(Problem(file, field, msg))

    for key, value in meta.items():
        if key == "date" and isinstance(value, UnquotedDate):
            continue  # _check_date says what to write instead
        for where, why in unserialisable(value, str(key)):
            bad(where, why)
    for key in REQUIRED:
        if meta.get(key) is None:
            bad(key, "missing")
    _check_date(meta.get("date"), bad)
    for key, value in meta.items():
        if key in ("date", "claims"):
            continue
        if key in CHECKS:
            if value is None and key not in REQUIRED:
                continue
            why = CHECKS[key](value)
            if why:
                bad(key, why)
        elif key in RESERVED:
            bad(key, f"{RESERVED[key]}; rename it (the import does)")
        elif not isinstance(key, str) or key not in KNOWN_FIELDS:
            probs.append(Problem(file, str(key), "kept as written; the book does not use this field", severity="note"))
    if "claims" in meta:
        probs.extend(check_claims(meta["claims"], file))
    if meta.get("draft") is True:
        probs.append(Problem(file, "draft", "the post is a draft: the book publishes every post in _toc.yml, so leave "
                                            "it out of _toc.yml until it is ready", severity="note"))
    return probs


def _check_date(v: Any, bad: Callable[[str, str], None]) -> None:
    if v is None:
        return
    if isinstance(v, str) and not dates.is_iso(v):
        try:
            day, time = dates.parse(v)
        except dates.DateError:
            unquoted = " (and is unquoted; write it quoted, as YYYY-MM-DD)" if isinstance(v, UnquotedDate) else ""
            bad("date", f"{v} is not a real calendar date{unquoted}")
            return
        split = f' and time: "{time}"' if time else ""
        bad("date", f"{v} must be a quoted ISO date: write date: \"{day}\"{split} (mlopsbook posts import does)")
        return
    if isinstance(v, UnquotedDate):
        bad("date", f"unquoted date {v} (the book build cannot serialise it); write it quoted: \"{v}\"")
    if not isinstance(v, str):
        bad("date", f"must be a quoted ISO date \"YYYY-MM-DD\", got {v!r}")


def check_claims(claims: Any, file: str) -> list[Problem]:
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
                probs.append(Problem(file, f"{where}.{key}",
                                     f"unknown field (allowed: {', '.join(sorted(CLAIM_FIELDS))})"))
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
