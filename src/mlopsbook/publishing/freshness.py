"""How old a page's dated inputs are on the day the book is built.

A page's dated inputs are the price tables and measurement records among the files it depends on
(:func:`mlopsbook.publishing.drift.notebook_inputs`): a price table is dated by its rows' ``source_date`` (oldest and
newest), a measurement record by the date in its name (the newest record of each kind). The note is rendered by the
book's Sphinx extension, never by a notebook cell: the build date must not enter the executed snapshots, which nbval
compares. The build date is ``$SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else today (UTC).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

_DATE_IN_NAME = re.compile(r"^(?P<kind>.+?)-(?P<date>\d{4}-\d{2}-\d{2})\.\w+$")


@dataclass(frozen=True)
class DatedInput:
    """One dated input: what it is, its file, and its date (``oldest`` when its rows span several dates)."""

    what: str
    path: str
    date: dt.date
    oldest: dt.date | None = None

    def sentence(self, today: dt.date) -> str:
        age = (today - self.date).days
        span = f"{self.oldest.isoformat()} to {self.date.isoformat()}" if self.oldest and self.oldest < self.date \
            else self.date.isoformat()
        if self.oldest and self.oldest < self.date:
            return (f"{self.what} dated {span} (`{self.path}`), the oldest {_days((today - self.oldest).days)} and "
                    f"the newest {_days(age)} old")
        return f"{self.what} dated {span} (`{self.path}`), {_days(age)} old"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n:,} days"


def _date(text: str) -> dt.date | None:
    """A ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` date (a partial date counts from its first day)."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text.strip())
    if not m:
        return None
    return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))


def build_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.datetime.now(tz=dt.timezone.utc).date()


def dated_inputs(root: Path, inputs: list[str]) -> list[DatedInput]:
    """The price tables and the newest measurement record of each kind among ``inputs`` (paths under ``root``)."""
    from mlopsbook.costs import pricing

    out: list[DatedInput] = []
    newest: dict[str, tuple[dt.date, str]] = {}
    for rel in inputs:
        name = Path(rel).name
        if rel.startswith("data/pricing/") and name.startswith("prices-") and name.endswith(".csv"):
            try:
                table = pricing.load(root / rel)
            except (OSError, pricing.PriceTableError):
                continue
            dates = [d for d in (_date(r.source_date) for r in table.rows) if d is not None]
            if dates:
                out.append(DatedInput("prices", rel, max(dates), min(dates)))
        elif rel.startswith("data/") and "measured" in name and (m := _DATE_IN_NAME.match(name)):
            date = _date(m.group("date"))
            if date is not None and (m.group("kind") not in newest or newest[m.group("kind")][0] < date):
                newest[m.group("kind")] = (date, rel)
    for _kind, (date, rel) in sorted(newest.items()):
        out.append(DatedInput("measurements", rel, date))
    return out


def note(items: list[DatedInput], today: dt.date) -> str:
    """The page's sentence, or ``""`` when it has no dated input."""
    if not items:
        return ""
    return (f"Dated inputs of this page, on {today.isoformat()} when it was built: "
            + "; ".join(i.sentence(today) for i in items) + ".")
