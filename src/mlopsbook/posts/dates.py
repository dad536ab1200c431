"""A post's date, from whatever its generator wrote: the book keeps a quoted ISO date and, apart, the time if any.

Accepted: a date or datetime object (TOML, unquoted YAML), ISO 8601 with or without time and zone
(``2016-10-06 11:10:38 -0700``, ``2019-04-25T09:00:00Z``), ``MM/DD/YYYY`` (Quarto's reading of a slashed date),
month names (``Oct 10, 2020``); the ``YYYY-MM-DD`` prefix of a file or folder name (Jekyll, fastpages, Docusaurus,
Hugo bundles) and a ``/YYYY/MM/DD/`` permalink (Zola, Jekyll). A date without its day, or a text that only resembles
one, is refused rather than completed with today's values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from dateutil import parser as dateparser

_NAME_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[-_.]|$)")
_URL_DATE = re.compile(r"(?:^|/)([0-9]{4})/([0-9]{2})/([0-9]{2})(?:/|$|[-_])")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_UTC_OFFSET = re.compile(r"\s*(?:UTC|GMT)\s*([+-][0-9]{1,2}(?::?[0-9]{2})?)$")
_KEYWORDS = {"today", "now", "last-modified", "modified", "yesterday", "tomorrow"}
YEARS = range(1900, 2200)


class DateError(ValueError):
    """A value that is not a date the book can read; the message says why, in a few words."""


def _checked(d: dt.date) -> dt.date:
    if d.year not in YEARS:
        raise DateError(f"year {d.year} is outside {YEARS.start}-{YEARS.stop - 1}")
    return d


def _time(t: dt.time | dt.datetime) -> str:
    s = f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    off = t.utcoffset()
    if off is not None:
        minutes = int(off.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        s += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return s


def parse(value: Any) -> tuple[str, str | None]:
    """``(iso_date, time)`` of a frontmatter date value; ``time`` is ``None`` when the value gives none.

    Raises :class:`DateError` for anything else (a number, a list, ``today``, ``2024-13-45``, ``May 2020``).
    """
    if isinstance(value, dt.datetime):
        return _checked(value.date()).isoformat(), _time(value)
    if isinstance(value, dt.date):
        return _checked(value).isoformat(), None
    if not isinstance(value, str):
        raise DateError(f"a {type(value).__name__} is not a date")
    s = " ".join(value.split())
    if not s:
        raise DateError("empty")
    s = _UTC_OFFSET.sub(r"\1", s)  # Nikola's "UTC-03:00" is the offset -03:00 (not POSIX's inverted sign)
    if s.lower() in _KEYWORDS:
        raise DateError(f"{s!r} is a keyword that depends on the day the site is built, not a date")
    if _ISO_DATE.match(s):
        try:
            return _checked(dt.date.fromisoformat(s)).isoformat(), None
        except ValueError:
            raise DateError(f"{s} is not a real calendar date") from None
    try:
        stamp = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        stamp = None
    if stamp is not None:
        return _checked(stamp.date()).isoformat(), _time(stamp)
    return _parse_loose(s)


def _parse_loose(s: str) -> tuple[str, str | None]:
    """Other common forms, through dateutil; a part left out is an error, never filled in with a default."""
    if re.fullmatch(r"[0-9]+", s):
        raise DateError(f"{s} is a number, not a date")
    defaults = (dt.datetime(2001, 1, 1, 0, 0, 0), dt.datetime(2002, 2, 2, 1, 1, 1))
    try:
        a, b = (dateparser.parse(s, default=d, dayfirst=False, yearfirst=False) for d in defaults)
    except (ValueError, OverflowError, TypeError, LookupError) as exc:
        raise DateError(f"{s!r} is not a date I can read ({' '.join(str(exc).split())[:80]})") from None
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        raise DateError(f"{s!r} lacks a year, month or day")
    day = _checked(a.date())
    if a.hour != b.hour:  # no time in the text (the two defaults differ in every time field)
        return day.isoformat(), None
    minute = a.minute if a.minute == b.minute else 0
    second = a.second if a.second == b.second else 0
    return day.isoformat(), _time(a.replace(minute=minute, second=second, microsecond=0))


def _ymd(m: re.Match[str] | None) -> str | None:
    """The ISO date of a match whose groups are year, month and day, or ``None`` (no match, not a real date)."""
    if not m:
        return None
    try:
        return _checked(dt.date(int(m[1]), int(m[2]), int(m[3]))).isoformat()
    except (ValueError, DateError):
        return None


def from_name(name: str) -> str | None:
    """The ISO date of a ``YYYY-MM-DD-`` prefix of a file or folder name, or ``None``."""
    return _ymd(_NAME_DATE.match(name))


def from_url(url: str) -> str | None:
    """The ISO date of a ``/YYYY/MM/DD/`` permalink or path, or ``None``."""
    return _ymd(_URL_DATE.search(url))


def is_iso(value: Any) -> bool:
    """Whether ``value`` is a string holding a real ``YYYY-MM-DD`` date."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True
