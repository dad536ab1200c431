"""Hard limits of the deployment platforms, loaded from ``data/limits/limits-2026-11.csv`` and checked against a profile.

Each limit carries the row of the facts file it comes from (``fact_row``), its source and date; a violated limit
becomes the reason a platform is ruled out, quoting them. The loader validates every row and names the file, row and
column of the first problem.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlopsbook.costs.model import PLATFORMS
from mlopsbook.decide.profile import FIELDS, Profile
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path

LIMITS_FILE = "limits-2026-11.csv"
"""The limits in force (the file name carries the date of collection)."""
COLUMNS = ("platform", "limit", "value", "unit", "profile_field", "fact_row", "confidence", "source", "source_date")
KINDS = ("gpu", "memory_mb", "zip_unzipped_mb", "image_mb", "timeout_ms", "payload_kb", "concurrency")
"""The kinds of limit the engine knows how to check."""


class LimitsError(MlopsbookError):
    """A bad limits file; the message names the file, row and column."""


@dataclass(frozen=True)
class Limit:
    """One hard limit: ``platform`` allows at most ``value`` ``unit`` of ``limit`` (0 GPUs: no GPU)."""

    platform: str
    limit: str
    value: float
    unit: str
    profile_field: str
    fact_row: str
    confidence: str
    source: str
    source_date: str

    @property
    def cite(self) -> str:
        """How a reason cites it: ``"A7, 2023-10-30"``."""
        return f"{self.fact_row}, {self.source_date}"


def load(name: str = LIMITS_FILE, path: str | Path | None = None) -> tuple[Limit, ...]:
    """Read and validate a limits file (``data/limits/<name>``, or ``path``)."""
    p = Path(path) if path is not None else data_path("limits", name)
    return _load(str(p))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[Limit, ...]:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"missing limits file: {p}")
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise LimitsError(f"{p.name}: columns must be {', '.join(COLUMNS)} (got {', '.join(reader.fieldnames or [])})")
        out: list[Limit] = []
        seen: set[tuple[str, str]] = set()
        for i, row in enumerate(reader, start=2):
            def bad(col: str, msg: str) -> LimitsError:
                return LimitsError(f"{p.name}: row {i}, column {col}: {msg} (got {row.get(col)!r})")

            if row["platform"] not in PLATFORMS:
                raise bad("platform", f"must be one of {', '.join(PLATFORMS)}")
            if row["limit"] not in KINDS:
                raise bad("limit", f"must be one of {', '.join(KINDS)}")
            try:
                value = float(row["value"])
            except (TypeError, ValueError):
                raise bad("value", "must be a number") from None
            if not value >= 0:
                raise bad("value", "must be >= 0")
            if row["profile_field"] not in FIELDS:
                raise bad("profile_field", f"must be a profile field ({', '.join(FIELDS)})")
            for col in ("unit", "fact_row", "confidence", "source"):
                if not (row[col] or "").strip():
                    raise bad(col, "must not be empty")
            if "UNCONFIRMED" in row["confidence"].upper():
                raise bad("confidence", "an UNCONFIRMED figure cannot be a limit")
            try:
                dt.date.fromisoformat(row["source_date"])
            except (TypeError, ValueError):
                raise bad("source_date", "must be an ISO date YYYY-MM-DD") from None
            key = (row["platform"], row["limit"])
            if key in seen:
                raise bad("limit", f"duplicate limit for {row['platform']}")
            seen.add(key)
            out.append(Limit(row["platform"], row["limit"], value, row["unit"], row["profile_field"], row["fact_row"],
                             row["confidence"], row["source"], row["source_date"]))
    return tuple(out)


def of(platform: str, limits: tuple[Limit, ...] | None = None) -> dict[str, Limit]:
    """The limits of one platform, by kind."""
    return {lim.limit: lim for lim in (limits if limits is not None else load()) if lim.platform == platform}


def violations(profile: Profile, platform: str, limits: tuple[Limit, ...] | None = None,
               mean_rps: float | None = None) -> list[str]:
    """The hard limits ``profile`` breaks on ``platform``, each as a sentence citing its source (empty: none)."""
    lims = of(platform, limits)
    out: list[str] = []
    if "gpu" in lims and profile.gpu == "required":
        out.append(f"no GPU ({lims['gpu'].cite})")
    checks = (("memory_mb", profile.memory_mb, "memory", "MB"), ("payload_kb", profile.payload_kb, "payload", "KB"),
              ("timeout_ms", profile.model_latency_ms, "processing time per request", "ms"))
    for kind, value, what, unit in checks:
        if kind in lims and value > lims[kind].value:
            lim = lims[kind]
            shown = f"{lim.value / 1000:g} s" if kind == "timeout_ms" else f"{lim.value:,.0f} {unit}"
            out.append(f"{what} {value:,.0f} {unit} exceeds its maximum of {shown} ({lim.cite})")
    if "image_mb" in lims and profile.artifact_mb > lims["image_mb"].value:
        out.append(f"artifact {profile.artifact_mb:,.0f} MB exceeds the {lims['image_mb'].value / 1024:g} GB container "
                   f"image limit ({lims['image_mb'].cite})")
    if platform == "sagemaker-serverless" and "concurrency" in lims:
        conc = profile.peak_concurrency(mean_rps)
        if conc > lims["concurrency"].value:
            out.append(f"peak concurrency {conc:,.0f} exceeds its maximum of {lims['concurrency'].value:,.0f} concurrent "
                       f"requests per endpoint ({lims['concurrency'].cite})")
    return out
