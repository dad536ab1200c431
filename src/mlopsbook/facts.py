"""The registry of every AWS, Kubernetes, Ray and Triton limit, quota and default the library uses.

One file, ``data/facts/facts-2026-11.csv`` (:data:`FACTS_FILE`), one row a fact: ``id`` (namespaced, e.g.
``aws.lambda.memory.max_mb``, so that it cannot be confused with a post's claim id), ``value`` (a number, or numbers
separated by spaces), ``unit``, ``source`` (URL), ``source_date`` (ISO date or its prefix; empty where the source is
undated), ``retrieved`` (when it was read), ``confidence`` and ``note``. Prices are not here: they live in the dated
price tables of ``data/pricing/`` (:mod:`mlopsbook.costs.pricing`).

Code reads a fact by id through the typed accessors :func:`number`, :func:`integer` and :func:`numbers`; an unknown id
raises :class:`UnknownFactError` naming it. The file is read once, when a fact is first asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path

FACTS_FILE = "facts-2026-11.csv"
"""The registry in force (its name carries the month it was collected)."""
COLUMNS = ("id", "value", "unit", "source", "source_date", "retrieved", "confidence", "note")
ID_PATTERN = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+){2,}")
"""A fact id: at least three dotted lower-case parts (``vendor.product.quantity``)."""


class FactsError(MlopsbookError):
    """A bad registry file; the message names the file, row and column."""


class UnknownFactError(FactsError):
    """A fact id the registry does not hold."""


@dataclass(frozen=True)
class Fact:
    """One sourced fact: ``values`` (one number, or several for a list such as a set of allowed sizes)."""

    id: str
    values: tuple[float, ...]
    unit: str
    source: str
    source_date: str
    retrieved: str
    confidence: str
    note: str

    @property
    def cite(self) -> str:
        """How a sentence cites it: ``"aws.lambda.memory.max_mb, 2023-10-30"`` (the id alone when undated)."""
        return f"{self.id}, {self.source_date}" if self.source_date else self.id


def _iso_prefix(text: str) -> bool:
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            dt.datetime.strptime(text, fmt)
            return True
        except ValueError:
            continue
    return False


@lru_cache(maxsize=1)
def registry() -> dict[str, Fact]:
    """Every fact of :data:`FACTS_FILE`, by id (read and validated once)."""
    path = data_path("facts", FACTS_FILE)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise FactsError(f"data/facts/{FACTS_FILE}: columns must be {', '.join(COLUMNS)} "
                             f"(got {', '.join(reader.fieldnames or [])})")
        out: dict[str, Fact] = {}
        for i, row in enumerate(reader, start=2):
            def bad(col: str, msg: str) -> FactsError:
                return FactsError(f"data/facts/{FACTS_FILE}: row {i}, column {col}: {msg} (got {row.get(col)!r})")

            fid = row["id"] or ""
            if not ID_PATTERN.fullmatch(fid):
                raise bad("id", "must be a dotted id such as aws.lambda.memory.max_mb")
            if fid in out:
                raise bad("id", "duplicate id")
            try:
                values = tuple(float(v) for v in (row["value"] or "").split())
            except ValueError:
                raise bad("value", "must be a number or numbers separated by spaces") from None
            if not values:
                raise bad("value", "must not be empty")
            for col in ("unit", "source", "retrieved", "confidence"):
                if not (row[col] or "").strip():
                    raise bad(col, "must not be empty")
            if "UNCONFIRMED" in row["confidence"].upper():
                raise bad("confidence", "an UNCONFIRMED figure cannot be a fact the code uses")
            for col in ("source_date", "retrieved"):
                if row[col] and not _iso_prefix(row[col]):
                    raise bad(col, "must be an ISO date or its prefix (YYYY-MM-DD, YYYY-MM, YYYY)")
            out[fid] = Fact(fid, values, row["unit"], row["source"], row["source_date"] or "", row["retrieved"],
                            row["confidence"], row["note"] or "")
    return out


def fact(fid: str) -> Fact:
    """The fact ``fid``; raises :class:`UnknownFactError` naming it."""
    try:
        return registry()[fid]
    except KeyError:
        raise UnknownFactError(f"unknown fact {fid!r} (not in data/facts/{FACTS_FILE})") from None


def numbers(fid: str) -> tuple[float, ...]:
    """All values of the fact ``fid`` (a list fact such as ``aws.sagemaker_serverless.memory_sizes_mb``)."""
    return fact(fid).values


def number(fid: str) -> float:
    """The single value of the fact ``fid``; a list fact raises :class:`FactsError`."""
    f = fact(fid)
    if len(f.values) != 1:
        raise FactsError(f"fact {fid!r} holds {len(f.values)} values, not one (use facts.numbers)")
    return f.values[0]


def integer(fid: str) -> int:
    """The single value of the fact ``fid`` as an int; a fractional value raises :class:`FactsError`."""
    x = number(fid)
    if x != int(x):
        raise FactsError(f"fact {fid!r} is {x:g}, not a whole number")
    return int(x)
