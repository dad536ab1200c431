"""Hard limits of the deployment platforms, checked against a profile.

``data/limits/limits-2026-11.csv`` says which limits the engine checks: one row a ``(platform, limit)`` pair naming
the fact of the registry (:mod:`mlopsbook.facts`) that holds its value, source and date, and the profile field it is
checked against. A violated limit becomes the reason a platform is ruled out, citing the fact. The loader validates
every row and names the file, row and column of the first problem.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlopsbook import facts
from mlopsbook.costs.model import PLATFORMS
from mlopsbook.decide.profile import FIELDS, Profile
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path

LIMITS_FILE = "limits-2026-11.csv"
"""The limits in force (the file name carries the date of collection)."""
COLUMNS = ("platform", "limit", "fact", "profile_field")
KINDS = {"gpu": "GPUs", "memory_mb": "MB", "zip_unzipped_mb": "MB", "image_mb": "MB", "timeout_ms": "ms",
         "payload_kb": "KB", "concurrency": ""}
"""The kinds of limit the engine knows how to check, and the unit each is checked in ("": any count)."""
_SCALE = {("s", "ms"): 1000.0}
"""Unit conversions from a fact's unit to a limit's (same unit: 1)."""


class LimitsError(MlopsbookError):
    """A bad limits file; the message names the file, row and column."""


@dataclass(frozen=True)
class Limit:
    """One hard limit: ``platform`` allows at most ``value`` ``unit`` of ``limit`` (0 GPUs: no GPU), from ``fact``."""

    platform: str
    limit: str
    value: float
    unit: str
    profile_field: str
    fact: str
    confidence: str
    source: str
    source_date: str

    @property
    def cite(self) -> str:
        """How a reason cites it: ``"aws.lambda.memory.max_mb, 2023-10-30"``."""
        return f"{self.fact}, {self.source_date}"


def load(name: str = LIMITS_FILE, path: str | Path | None = None) -> tuple[Limit, ...]:
    """Read and validate a limits file (``data/limits/<name>``, or ``path``)."""
    p = Path(path) if path is not None else data_path("limits", name)
    return _load(str(p))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[Limit, ...]:
    p = Path(path)
    if not p.is_file():
        raise LimitsError(f"missing limits file: {p}")
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
            kind = row["limit"]
            if kind not in KINDS:
                raise bad("limit", f"must be one of {', '.join(KINDS)}")
            if row["profile_field"] not in FIELDS:
                raise bad("profile_field", f"must be a profile field ({', '.join(FIELDS)})")
            try:
                f = facts.fact(row["fact"] or "")
            except facts.UnknownFactError as exc:
                raise bad("fact", str(exc)) from None
            unit = KINDS[kind] or f.unit
            scale = 1.0 if f.unit == unit else _SCALE.get((f.unit, unit))
            if scale is None:
                raise bad("fact", f"{f.id} is in {f.unit}, a {kind} limit is in {unit}")
            key = (row["platform"], kind)
            if key in seen:
                raise bad("limit", f"duplicate limit for {row['platform']}")
            seen.add(key)
            out.append(Limit(row["platform"], kind, max(f.values) * scale, unit, row["profile_field"], f.id,
                             f.confidence, f.source, f.source_date))
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
