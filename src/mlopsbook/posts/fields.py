"""An author's frontmatter mapped onto the book's fields (:mod:`mlopsbook.posts.schema`) as each generator means them.

==================================================  ====================================================================
the author wrote                                    the book keeps
==================================================  ====================================================================
``date`` ``pubDate`` ``publishDate`` ``published``   ``date`` (quoted ISO) and ``time``; else the file or folder name's
``date_published`` ``created``                       ``YYYY-MM-DD-`` prefix, a ``/YYYY/MM/DD/`` permalink, ``--date``
``author`` ``authors`` ``by`` (string, list,        ``author``: names separated by commas; Docusaurus keys looked up in
mapping; HTML stripped)                             ``authors.yml``
``description`` ``summary`` ``excerpt`` (text)      ``description`` (the first given)
``subtitle`` ``abstract``
``tags`` ``categories`` ``category``                ``tags`` (a list) and ``category`` (``"a, b"``); a string is split
                                                    on commas, else (``tags``, ``categories``) on spaces as Jekyll does
``draft``, ``published: false``                     ``draft``
``slug``                                            names the notebook file
``permalink`` ``url`` ``path`` ``aliases``          ``aliases`` (old addresses)
``redirect_from``
``image`` ``images`` ``cover`` ``featured_image``   ``cover`` (the image is copied into the post's asset folder)
``thumbnail`` ``header.image``; ``image-alt``        ``cover_alt``
==================================================  ====================================================================

Every other field is kept as written (dates in it become ISO strings); one that ABlog or MyST would misread is kept
under ``<name>_as_written``.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from mlopsbook.posts import dates
from mlopsbook.posts.problems import PostError, Problem
from mlopsbook.posts.schema import ABLOG_FIELDS, CHECKS, RESERVED, check_claims
from mlopsbook.posts.sites import Site
from mlopsbook.posts.source import Source, UnquotedDate

DATE_KEYS = ("date", "pubDate", "publishDate", "published", "date_published", "created")
AUTHOR_KEYS = ("author", "authors", "by")
DESCRIPTION_KEYS = ("description", "summary", "excerpt", "subtitle", "abstract")
ALIAS_KEYS = ("permalink", "url", "path", "aliases", "redirect_from")
COVER_KEYS = ("image", "images", "cover", "featured_image", "thumbnail", "header")
PASS_THROUGH = ("context", "metric", "metric_unit", "claims", "jupytext", "kernelspec", *ABLOG_FIELDS)


@dataclass
class Mapped:
    """The book's fields from one post's frontmatter (``title`` may still be missing: it can come from the body)."""

    fields: dict[str, Any]
    kept: dict[str, Any]
    slug: str | None
    cover: str | None
    problems: list[Problem] = field(default_factory=list)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(text: str) -> str:
    """``text`` without HTML tags and entities, whitespace collapsed."""
    if "<" in text:
        parser = _Text()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    return " ".join(html.unescape(text).split())


def sanitise(value: Any) -> Any:
    """``value`` as the book can store it: dates and times as ISO strings, sets as lists, keys as strings."""
    if isinstance(value, UnquotedDate):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): sanitise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitise(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((sanitise(v) for v in value), key=str)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, complex) or (isinstance(value, float) and not math.isfinite(value)):
        return str(value)
    return value


def _scalar(v: Any) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (str, int, float)):
        s = plain(str(v))
        return s or None
    return None


def _names(value: Any, authors: dict[str, Any]) -> list[str]:
    """Author names from a string, a list or a mapping; Docusaurus keys are looked up in ``authors.yml``."""
    if isinstance(value, dict):
        if "name" in value:
            s = _scalar(value.get("name"))
            return [s] if s else []
        key = _scalar(value.get("key"))
        return _names(key, authors) if key else []
    if isinstance(value, (list, tuple)):
        return [n for item in value for n in _names(item, authors)]
    s = _scalar(value)
    if s is None:
        return []
    entry = authors.get(s)
    if isinstance(entry, dict) and _scalar(entry.get("name")):
        return [_scalar(entry["name"])]  # type: ignore[list-item]
    return [s]


def _terms(value: Any, *, split_spaces: bool) -> list[str] | None:
    """Tag or category names from a list or a string (comma-separated; else space-separated when Jekyll says so)."""
    if isinstance(value, (list, tuple)):
        out = [_scalar(v) for v in value]
        return [t.replace(",", " ") for t in out if t]
    s = _scalar(value)
    if s is None:
        return None
    parts = s.split(",") if "," in s else (s.split() if split_spaces else [s])
    return [p.strip() for p in parts if p.strip()]


def _cover(meta: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(key, path)`` of the frontmatter's cover image."""
    for key in COVER_KEYS:
        v = meta.get(key)
        if isinstance(v, dict):
            v = v.get("image") or v.get("overlay_image") or v.get("teaser")
        elif isinstance(v, (list, tuple)):
            v = next((x for x in v if isinstance(x, str) and x.strip()), None)
        if isinstance(v, str) and v.strip():
            return key, v.strip()
    return None, None


def _date(src: Source, meta: dict[str, Any], default: str | None,
          probs: list[Problem]) -> tuple[dict[str, Any], set[str]]:
    file = str(src.path)
    unreadable: list[str] = []
    for key in DATE_KEYS:
        v = meta.get(key)
        if v is None or isinstance(v, bool) or v == "":
            continue
        try:
            iso, time = dates.parse(v)
        except dates.DateError as exc:
            unreadable.append(f"{key}: {exc}")
            continue
        out: dict[str, Any] = {"date": iso}
        if time:
            out["time"] = time
        return out, {key}
    names = [src.path.stem, src.path.parent.name] if src.path.stem in ("index", "_index") else [src.path.stem]
    found = next((d for d in map(dates.from_name, names) if d), None)
    how = "the file name"
    if found is None:
        urls = [v for k in ALIAS_KEYS for v in _as_list(meta.get(k))]
        found = next((d for d in map(dates.from_url, urls) if d), None)
        how = "the permalink"
    if found is None and default:
        found, how = default, "--date"
    if found is None:
        why = f"{unreadable[0]}; " if unreadable else "none in the frontmatter or the file name; "
        raise PostError.one(file, "date", f"{why}give one as date: YYYY-MM-DD, a YYYY-MM-DD- file name prefix "
                                          "or --date YYYY-MM-DD")
    if unreadable:
        probs.append(Problem(file, "date", f"{unreadable[0]}; used {found} from {how}", severity="warning"))
    return {"date": found}, set()


def _valid(key: str, value: Any, file: str) -> bool:
    """Whether a field the book reads as written has the type the book reads (else it is kept aside)."""
    if key == "claims":
        return not check_claims(value, file)
    check = CHECKS.get(key)
    return value is None or check is None or check(value) is None


def _as_list(v: Any) -> list[str]:
    if isinstance(v, str) and v.strip():
        return [v.strip()]
    if isinstance(v, (list, tuple)):
        return [x.strip() for x in v if isinstance(x, str) and x.strip()]
    return []


def map_meta(src: Source, site: Site, *, default_date: str | None = None) -> Mapped:
    """The book's fields for ``src``. Raises ``PostError`` (one line) when the post has no usable date."""
    meta = dict(src.meta)
    file = str(src.path)
    probs: list[Problem] = []
    out: dict[str, Any] = {}
    used: set[str] = set()

    title = meta.get("title")
    if isinstance(title, (str, int, float)) and not isinstance(title, bool) and " ".join(str(title).split()):
        out["title"] = " ".join(str(title).split())
        used.add("title")

    date_fields, date_keys = _date(src, meta, default_date, probs)
    out.update(date_fields)
    used |= date_keys

    names: list[str] = []
    for key in AUTHOR_KEYS:
        if key in meta:
            found = _names(meta[key], site.authors)
            if found:
                names += [n for n in found if n not in names]
                used.add(key)
    if names:
        out["author"] = ", ".join(names)

    for key in DESCRIPTION_KEYS:
        s = meta.get(key)
        if isinstance(s, str) and s.strip():
            out["description"] = " ".join(s.split())
            used.add(key)
            break

    tags = _terms(meta.get("tags"), split_spaces=True) if "tags" in meta else None
    if tags:
        out["tags"] = list(dict.fromkeys(tags))
        used.add("tags")
    cats: list[str] = []
    for key, spaces in (("categories", True), ("category", False)):
        if key in meta:
            got = _terms(meta[key], split_spaces=spaces)
            if got:
                cats += [c for c in got if c not in cats]
                used.add(key)
    if cats:
        out["category"] = ", ".join(cats)

    draft = meta.get("draft")
    if isinstance(draft, str) and draft.strip().lower() in ("true", "false"):
        draft = draft.strip().lower() == "true"
    if isinstance(draft, bool):
        out["draft"] = draft
        used.add("draft")
    if isinstance(meta.get("published"), bool):
        out["draft"] = out.get("draft", False) or not meta["published"]
        used.add("published")

    slug = meta.get("slug")
    slug = slug.strip() if isinstance(slug, str) and slug.strip() else None
    if slug:
        used.add("slug")
    aliases: list[str] = []
    for key in ALIAS_KEYS:
        values = _as_list(meta.get(key))
        if key == "url":
            values = [v for v in values if v.startswith("/")]
        if values:
            aliases += [a for a in values if a not in aliases]
            used.add(key)
    if aliases:
        out["aliases"] = aliases

    cover_key, cover = _cover(meta)
    if cover_key:
        used.add(cover_key)
        alt = meta.get("image-alt") or meta.get("image_alt")
        if isinstance(alt, str) and alt.strip():
            out["cover_alt"] = " ".join(alt.split())
            used |= {"image-alt", "image_alt"} & meta.keys()

    excerpt = meta.get("excerpt")
    if isinstance(excerpt, int) and not isinstance(excerpt, bool) and excerpt > 0:
        out["excerpt"] = excerpt
        used.add("excerpt")

    for key in PASS_THROUGH:
        if key in meta and key not in used:
            value = meta[key]
            if key in ("location", "language") and isinstance(value, (list, tuple)):
                value = ", ".join(str(v) for v in value)
            value = sanitise(value)
            if _valid(key, value, file):
                out[key] = value
                used.add(key)
    if isinstance(meta.get("myst"), dict):
        out["myst"] = sanitise(meta["myst"])
        used.add("myst")

    kept: dict[str, Any] = {}
    for key, value in meta.items():
        if key in used:
            continue
        name = key
        if key in out or key in RESERVED or key in PASS_THROUGH or key in (
                "myst", "excerpt", "title", "cover", "tags", "category", "draft", "author", "description", "date",
                "time", "aliases", "slug", "cover_alt"):
            name = f"{key}_as_written"
            probs.append(Problem(file, key, f"kept as {name}: the book reads {key} differently", severity="warning"))
        kept[name] = sanitise(value)
    return Mapped(out, kept, slug, cover, probs)

