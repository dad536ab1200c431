"""Dated price tables: loading, checking and refreshing them from an AWS Price List offer file.

A price table is a CSV file ``data/pricing/prices-<region>-<YYYY-MM-DD>.csv`` (the date is that of its newest source
row). Each row is one price or one quantity, with its provenance:

========================  ================================================================================
column                    meaning
========================  ================================================================================
``product``               the key the cost model reads, e.g. ``lambda.duration.x86_64``, ``ec2.c6i.large``
``description``           what it is, in words
``unit``                  one of :data:`UNITS` (``USD/GB-s``, ``USD/hour``, ``requests/month``, ...)
``value``                 the price (USD per unit) or quantity; must be > 0
``tier_start/tier_end``   for tiered prices: the monthly usage range the price applies to (empty: no tier)
``vcpus/memory_gib``      for instances: their size (empty otherwise)
``source_row``            a row of ``data/facts/cloud-facts-2026-11.md`` (``A1``, ``cloud-facts:C1``) or ``PRICE-API:<sku>``
``confidence``            ``OFFICIAL``, ``PRICE-API``, ``PEER`` or ``DERIVED`` (never ``UNCONFIRMED``)
``source``                where the figure was read
``source_date``           ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
========================  ================================================================================

:func:`load` validates every row and raises :class:`PriceTableError` naming the file, the row (1-based, header = row
1) and the column. :func:`refresh_from_offer_file` reads the public AWS Price List JSON format (``products`` keyed by
SKU with ``attributes.usagetype``; ``terms.OnDemand[sku][offerTermCode].priceDimensions[rateCode]`` with ``unit``,
``pricePerUnit.USD``, ``beginRange``, ``endRange``) and writes a new dated table.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from mlopsbook import inputs
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path, repo_root

DEFAULT_TABLE = "prices-us-east-1-2026-09-20.csv"
"""The price table the book uses (its date is in its name, so changing it changes the notebooks' code)."""

COLUMNS = (
    "product", "description", "unit", "value", "tier_start", "tier_end", "vcpus", "memory_gib",
    "source_row", "confidence", "source", "source_date",
)
UNITS = frozenset({
    "USD/GB-s", "USD/request", "USD/hour", "USD/second", "USD/vCPU-hour", "USD/GB-hour",
    "requests/month", "GB-s/month",
})
CONFIDENCE = frozenset({"OFFICIAL", "PRICE-API", "PEER", "DERIVED"})
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$")
"""An AWS region code (``us-east-1``, ``ap-southeast-2``, ``us-gov-west-1``): nothing else names a table file."""


def real_date(text: str) -> bool:
    """Whether ``text`` is a date of the calendar: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``2026-02-30`` is not)."""
    if not _DATE.match(text):
        return False
    parts = [int(x) for x in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def check_region(region: str) -> str:
    """``region`` if it is an AWS region code; raises ``PriceTableError`` otherwise (it names the table file)."""
    if not isinstance(region, str) or not REGION.match(region):
        raise PriceTableError(f"region: {region!r} is not an AWS region code such as us-east-1")
    return region
_NAME = re.compile(r"^prices-(?P<region>[a-z0-9-]+?)-(?P<date>\d{4}-\d{2}-\d{2})\.csv$")


class PriceTableError(MlopsbookError):
    """A price table (or offer file) that fails validation; the message names the file, row and column."""


@dataclass(frozen=True)
class Price:
    """One validated row of a price table."""

    product: str
    description: str
    unit: str
    value: float
    tier_start: float | None
    tier_end: float | None
    vcpus: float | None
    memory_gib: float | None
    source_row: str
    confidence: str
    source: str
    source_date: str


@dataclass(frozen=True)
class PriceTable:
    """A validated price table: look prices up by product key."""

    path: Path
    region: str
    date: str
    rows: tuple[Price, ...]
    _index: Mapping[str, tuple[Price, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        idx: dict[str, list[Price]] = {}
        for r in self.rows:
            idx.setdefault(r.product, []).append(r)
        object.__setattr__(self, "_index", {k: tuple(sorted(v, key=lambda p: p.tier_start or 0.0)) for k, v in idx.items()})

    @property
    def name(self) -> str:
        return self.path.name

    def products(self) -> list[str]:
        return sorted(self._index)

    def rows_of(self, product: str) -> tuple[Price, ...]:
        """All rows of ``product`` (several for a tiered price, sorted by tier)."""
        try:
            return self._index[product]
        except KeyError:
            raise KeyError(f"{self.name}: no product {product!r} (products: {', '.join(self.products())})") from None

    def row(self, product: str) -> Price:
        rows = self.rows_of(product)
        if len(rows) != 1:
            raise KeyError(f"{self.name}: product {product!r} is tiered ({len(rows)} rows); use tiers()")
        return rows[0]

    def value(self, product: str, unit: str | None = None) -> float:
        """The value of an untiered product; checks its unit when ``unit`` is given."""
        r = self.row(product)
        if unit is not None and r.unit != unit:
            raise PriceTableError(f"{self.name}: product {product!r} has unit {r.unit!r}, the cost model needs {unit!r}")
        return r.value

    def tiers(self, product: str) -> tuple[tuple[float, float, float], ...]:
        """``(start, end, price)`` for each tier of a tiered product (``end`` is ``inf`` for the last tier)."""
        rows = self.rows_of(product)
        out = []
        for r in rows:
            out.append((r.tier_start or 0.0, math.inf if r.tier_end is None else r.tier_end, r.value))
        if out[0][0] != 0 or any(a[1] != b[0] for a, b in zip(out, out[1:])) or out[-1][1] != math.inf:
            raise PriceTableError(
                f"{self.name}: columns tier_start/tier_end: the tiers of {product!r} do not cover 0..inf without gaps: {out}")
        return tuple(out)

    def to_frame(self) -> "Any":
        """The table as a pandas DataFrame (for display)."""
        import pandas as pd

        return pd.DataFrame([r.__dict__ for r in self.rows])

    def display_frame(self) -> "Any":
        """The rows for people: what is priced, the price in the unit people quote (USD per million requests, per
        million GB-seconds of Lambda duration, per GB-month of storage, per hour), the tier of monthly use it applies
        to, its source, confidence and date. Headings are words; numbers are written out, never in E-notation."""
        import pandas as pd

        rows = []
        for r in self.rows:
            factor, unit = _people_unit(r.product, r.unit)
            rows.append({
                "What": r.description,
                "Amount": _people_number(r.value * factor),
                "Unit": unit,
                "Monthly use (GB-seconds)": _tier_words(r.tier_start, r.tier_end),
                "Source": r.source_row,
                "Confidence": r.confidence,
                "Dated": r.source_date,
            })
        return pd.DataFrame(rows)

    def sources(self) -> list[str]:
        """The facts-file row ids (or Price List SKUs) the table uses, sorted."""
        return sorted({r.source_row for r in self.rows})


def table_path(name: str = DEFAULT_TABLE) -> Path:
    """The path of a price table in ``data/pricing/`` (raises ``FileNotFoundError`` naming it when missing)."""
    return data_path("pricing", name)


def load(path: str | Path | None = None) -> PriceTable:
    """Load and validate a price table: a name in ``data/pricing/`` or a path (default :data:`DEFAULT_TABLE`)."""
    if path is None:
        p = table_path()
    else:
        p = Path(path)
        if not p.is_absolute() and not p.exists():
            p = table_path(str(path))
    if not p.exists():
        raise FileNotFoundError(f"missing price table: {p}")
    m = _NAME.match(p.name)
    if not m:
        raise PriceTableError(f"{p.name}: file name must be prices-<region>-<YYYY-MM-DD>.csv")
    header, raw_rows = inputs.read_csv_rows(p)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise PriceTableError(f"{p.name}: row 1 (header): missing column(s) {', '.join(missing)}")
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        raise PriceTableError(f"{p.name}: row 1 (header): unknown column(s) {', '.join(extra)}")
    rows = tuple(_parse_row(p.name, i, raw) for i, raw in enumerate(raw_rows, start=2))
    if not rows:
        raise PriceTableError(f"{p.name}: no rows")
    seen: dict[tuple[str, float], int] = {}
    for i, r in enumerate(rows, start=2):
        key = (r.product, r.tier_start or 0.0)
        if key in seen:
            raise PriceTableError(f"{p.name}: row {i}, column product: {r.product!r} repeats row {seen[key]}")
        seen[key] = i
    table = PriceTable(path=p, region=m["region"], date=m["date"], rows=rows)
    for prod in table.products():
        if len(table.rows_of(prod)) > 1 or table.rows_of(prod)[0].tier_start is not None:
            table.tiers(prod)
    return table


def _num(file: str, row: int, col: str, raw: str | None, *, required: bool, positive: bool = True) -> float | None:
    s = (raw or "").strip()
    if not s:
        if required:
            raise PriceTableError(f"{file}: row {row}, column {col}: empty")
        return None
    try:
        v = float(s)
    except ValueError:
        raise PriceTableError(f"{file}: row {row}, column {col}: not a number ({s!r})") from None
    if not math.isfinite(v) or (v <= 0 if positive else v < 0):
        raise PriceTableError(f"{file}: row {row}, column {col}: must be {'> 0' if positive else '>= 0'} (got {s})")
    return v


def _parse_row(file: str, i: int, raw: Mapping[str, str | None]) -> Price:
    def text(col: str) -> str:
        s = (raw.get(col) or "").strip()
        if not s:
            raise PriceTableError(f"{file}: row {i}, column {col}: empty")
        return s

    unit = text("unit")
    if unit not in UNITS:
        raise PriceTableError(f"{file}: row {i}, column unit: {unit!r} is not one of {', '.join(sorted(UNITS))}")
    conf = text("confidence")
    if conf not in CONFIDENCE:
        raise PriceTableError(
            f"{file}: row {i}, column confidence: {conf!r} is not one of {', '.join(sorted(CONFIDENCE))}"
            + (" (UNCONFIRMED figures may not be used)" if conf.upper().startswith("UNCONFIRMED") else "")
        )
    date = text("source_date")
    if not real_date(date):
        raise PriceTableError(f"{file}: row {i}, column source_date: must be a real date YYYY, YYYY-MM or YYYY-MM-DD "
                              f"(got {date!r})")
    start = _num(file, i, "tier_start", raw.get("tier_start"), required=False, positive=False)
    end = _num(file, i, "tier_end", raw.get("tier_end"), required=False)
    if start is not None and end is not None and end <= start:
        raise PriceTableError(f"{file}: row {i}, column tier_end: must exceed tier_start ({start:g}, got {end:g})")
    if end is not None and start is None:
        raise PriceTableError(f"{file}: row {i}, column tier_start: empty while tier_end is set")
    return Price(
        product=text("product"),
        description=text("description"),
        unit=unit,
        value=float(_num(file, i, "value", raw.get("value"), required=True)),  # type: ignore[arg-type]
        tier_start=start,
        tier_end=end,
        vcpus=_num(file, i, "vcpus", raw.get("vcpus"), required=False),
        memory_gib=_num(file, i, "memory_gib", raw.get("memory_gib"), required=False),
        source_row=text("source_row"),
        confidence=conf,
        source=text("source"),
        source_date=date,
    )


# -- AWS Price List offer files --------------------------------------------------------------------------------------
# usage type (after an optional region prefix such as "USE1-") -> (product key, unit in our table, scale to our unit)
USAGE_TYPES: dict[str, tuple[str, str, float]] = {
    "Lambda-GB-Second": ("lambda.duration.x86_64", "USD/GB-s", 1.0),
    "Lambda-GB-Second-ARM": ("lambda.duration.arm64", "USD/GB-s", 1.0),
    "Request": ("lambda.requests.x86_64", "USD/request", 1.0),
    "Request-ARM": ("lambda.requests.arm64", "USD/request", 1.0),
    "Lambda-Provisioned-Concurrency": ("lambda.provisioned_concurrency.x86_64", "USD/GB-s", 1.0),
    "Lambda-Provisioned-Concurrency-ARM": ("lambda.provisioned_concurrency.arm64", "USD/GB-s", 1.0),
    "Lambda-Provisioned-GB-Second": ("lambda.provisioned_duration.x86_64", "USD/GB-s", 1.0),
    "Lambda-Provisioned-GB-Second-ARM": ("lambda.provisioned_duration.arm64", "USD/GB-s", 1.0),
    "Lambda-Storage-Gb-Second": ("lambda.ephemeral_storage", "USD/GB-s", 1.0),
    "Host:ml.m5.large": ("sagemaker.ml.m5.large", "USD/hour", 1.0),
    "ServerlessInf:Mem-1GB": ("sagemaker-serverless.memory-1gb", "USD/second", 1.0),
    "ServerlessInf:Mem-2GB": ("sagemaker-serverless.memory-2gb", "USD/second", 1.0),
    "ServerlessInf:Mem-3GB": ("sagemaker-serverless.memory-3gb", "USD/second", 1.0),
    "ServerlessInf:Mem-4GB": ("sagemaker-serverless.memory-4gb", "USD/second", 1.0),
    "ServerlessInf:Mem-5GB": ("sagemaker-serverless.memory-5gb", "USD/second", 1.0),
    "ServerlessInf:Mem-6GB": ("sagemaker-serverless.memory-6gb", "USD/second", 1.0),
    "Fargate-vCPU-Hours:perCPU": ("fargate.vcpu.x86_64", "USD/vCPU-hour", 1.0),
    "Fargate-GB-Hours": ("fargate.memory.x86_64", "USD/GB-hour", 1.0),
    "Fargate-ARM-vCPU-Hours:perCPU": ("fargate.vcpu.arm64", "USD/vCPU-hour", 1.0),
    "Fargate-ARM-GB-Hours": ("fargate.memory.arm64", "USD/GB-hour", 1.0),
    "AmazonEKS-Hours:perCluster": ("eks.control_plane", "USD/hour", 1.0),
    "BoxUsage:g4dn.xlarge": ("ec2.g4dn.xlarge", "USD/hour", 1.0),
    "BoxUsage:g5.xlarge": ("ec2.g5.xlarge", "USD/hour", 1.0),
    "BoxUsage:c6i.large": ("ec2.c6i.large", "USD/hour", 1.0),
    "BoxUsage:m6i.large": ("ec2.m6i.large", "USD/hour", 1.0),
}
"""The Price List usage types the cost model reads, and the product keys they fill."""

_REGION_PREFIX = re.compile(r"^[A-Z]{2,4}\d?-(?=.)")
_REGION_CODES = {"USE1": "us-east-1"}


def _usage_key(usagetype: str) -> tuple[str | None, str]:
    m = _REGION_PREFIX.match(usagetype)
    if m and usagetype[: m.end() - 1] in _REGION_CODES:
        return _REGION_CODES[usagetype[: m.end() - 1]], usagetype[m.end():]
    return None, usagetype


@dataclass(frozen=True)
class OfferPrice:
    """One on-demand price dimension read from an offer file."""

    product: str
    unit: str
    value: float
    tier_start: float | None
    tier_end: float | None
    sku: str
    description: str
    effective_date: str


def read_offer_file(path: str | Path, region: str = "us-east-1") -> tuple[str, list[OfferPrice]]:
    """Read an AWS Price List offer file (JSON); return its publication date and the prices the model uses.

    Products are kept when their usage type is in :data:`USAGE_TYPES` and their ``regionCode`` (or the usage type's
    region prefix) is ``region``; EC2 instances must also be Linux, shared tenancy, no pre-installed software and
    ``capacitystatus`` ``Used`` when those attributes are present. Raises :class:`PriceTableError` naming the file and
    the JSON path of anything malformed.
    """
    p = Path(path)
    doc = inputs.expect_mapping(inputs.read_json(p, max_bytes=inputs.MAX_OFFER_BYTES), f"{p}")
    for key in ("products", "terms", "publicationDate"):
        if key not in doc:
            raise PriceTableError(f"{p.name}: missing top-level key {key!r} (not an AWS Price List offer file)")
    pub = str(doc["publicationDate"])[:10]
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", pub) or not real_date(pub):
        raise PriceTableError(f"{p.name}: publicationDate must start with a real date YYYY-MM-DD "
                              f"(got {doc['publicationDate']!r})")
    on_demand = inputs.expect_mapping(inputs.expect_mapping(doc["terms"], f"{p}: terms").get("OnDemand", {}),
                                      f"{p}: terms.OnDemand")
    out: list[OfferPrice] = []
    for sku, prod in inputs.expect_mapping(doc["products"], f"{p}: products").items():
        prod = inputs.expect_mapping(prod, f"{p}: products.{sku}")
        attrs = inputs.expect_mapping(prod.get("attributes", {}), f"{p}: products.{sku}.attributes")
        if not isinstance(attrs.get("usagetype"), str):
            raise PriceTableError(f"{p.name}: products.{sku}.attributes: missing usagetype (a string)")
        prefix_region, usage = _usage_key(attrs["usagetype"])
        if usage not in USAGE_TYPES:
            continue
        prod_region = attrs.get("regionCode") or prefix_region or ("us-east-1" if usage.startswith(("BoxUsage", "Request", "Lambda")) else None)
        if prod_region != region:
            continue
        if usage.startswith("BoxUsage:") and any(
            attrs.get(k, v) != v for k, v in {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}.items()
        ):
            continue
        key, unit, scale = USAGE_TYPES[usage]
        terms = on_demand.get(sku)
        if not terms:
            raise PriceTableError(f"{p.name}: terms.OnDemand.{sku}: missing (product {key} has no on-demand price)")
        for code, term in inputs.expect_mapping(terms, f"{p}: terms.OnDemand.{sku}").items():
            term = inputs.expect_mapping(term, f"{p}: terms.OnDemand.{sku}.{code}")
            dims = term.get("priceDimensions")
            if not dims:
                raise PriceTableError(f"{p.name}: terms.OnDemand.{sku}.{code}.priceDimensions: missing or empty")
            for rate, d in inputs.expect_mapping(dims, f"{p}: terms.OnDemand.{sku}.{code}.priceDimensions").items():
                where = f"terms.OnDemand.{sku}.{code}.priceDimensions.{rate}"
                d = inputs.expect_mapping(d, f"{p}: {where}")
                try:
                    usd = float(d["pricePerUnit"]["USD"])
                except (KeyError, TypeError, ValueError):
                    raise PriceTableError(f"{p.name}: {where}.pricePerUnit.USD: missing or not a number") from None
                if not math.isfinite(usd) or usd < 0:
                    raise PriceTableError(f"{p.name}: {where}.pricePerUnit.USD: must be >= 0 (got {usd})")
                if usd == 0:  # a free-tier dimension (e.g. the first 400,000 GB-s in some offers): not a price
                    continue
                try:
                    begin = float(d.get("beginRange", 0) or 0)
                    end_raw = d.get("endRange", "Inf")
                    end = None if str(end_raw) in ("Inf", "") else float(end_raw)
                except (TypeError, ValueError):
                    raise PriceTableError(f"{p.name}: {where}: beginRange/endRange must be numbers") from None
                if not (math.isfinite(begin) and (end is None or math.isfinite(end))):
                    raise PriceTableError(f"{p.name}: {where}: beginRange/endRange must be finite")
                out.append(OfferPrice(
                    product=key, unit=unit, value=usd * scale,
                    tier_start=begin if (begin > 0 or end is not None) else None,
                    tier_end=end, sku=sku, description=str(d.get("description", key)),
                    effective_date=_effective(p.name, sku, term, pub),
                ))
    return pub, out


def _effective(file: str, sku: str, term: Mapping[str, Any], pub: str) -> str:
    date = str(term.get("effectiveDate", pub))[:10]
    if not real_date(date):
        raise PriceTableError(f"{file}: terms.OnDemand.{sku}: effectiveDate must start with a real date YYYY-MM-DD "
                              f"(got {term.get('effectiveDate')!r})")
    return date


def refresh_from_offer_file(
    offer_files: Iterable[str | Path],
    base: str | Path | None = None,
    out_dir: str | Path | None = None,
    region: str = "us-east-1",
    *,
    force: bool = False,
    target: str | Path | None = None,
) -> Path:
    """Write a new dated table: the rows of ``base`` with every product found in the offer files replaced.

    Products the offer files do not price (free-tier quantities, rows from other sources) are kept as they are.
    The new file is ``prices-<region>-<newest publication date>.csv`` in ``out_dir`` (default ``data/pricing``); its
    replaced rows cite ``PRICE-API:<sku>`` and the offer file's publication date. Returns the path written.

    ``region`` must be an AWS region code (it names the file, which lies in ``out_dir`` and nowhere else); a table
    that exists is replaced only with ``force``; the new table is checked before it takes the name (a table that
    fails the checks is never left behind). ``target`` names an existing table to replace instead (``base`` itself
    in a re-verification run, so that the notebooks that name it read the refreshed prices).
    """
    check_region(region)
    base_table = load(base)
    found: dict[str, list[OfferPrice]] = {}
    dates = []
    for f in offer_files:
        pub, prices = read_offer_file(f, region)
        dates.append(pub)
        for op in prices:
            found.setdefault(op.product, []).append(op)
    if not found:
        raise PriceTableError("the offer file(s) price none of the products the cost model uses "
                              f"(usage types read: {', '.join(sorted(USAGE_TYPES))})")
    rows: list[dict[str, Any]] = []
    done: set[str] = set()
    for r in base_table.rows:
        if r.product in found:
            if r.product in done:
                continue
            done.add(r.product)
            for op in sorted(found[r.product], key=lambda o: o.tier_start or 0.0):
                rows.append({
                    "product": op.product, "description": r.description if len(found[r.product]) == 1 else op.description,
                    "unit": op.unit, "value": _fmt(op.value), "tier_start": _fmt(op.tier_start), "tier_end": _fmt(op.tier_end),
                    "vcpus": _fmt(r.vcpus), "memory_gib": _fmt(r.memory_gib), "source_row": f"PRICE-API:{op.sku}",
                    "confidence": "PRICE-API", "source": f"AWS Price List offer file (effective {op.effective_date})",
                    "source_date": max(dates),
                })
        else:
            rows.append({c: _fmt(getattr(r, c)) if c in ("value", "tier_start", "tier_end", "vcpus", "memory_gib") else getattr(r, c) for c in COLUMNS})
    for prod in sorted(set(found) - done):
        for op in found[prod]:
            rows.append({
                "product": op.product, "description": op.description, "unit": op.unit, "value": _fmt(op.value),
                "tier_start": _fmt(op.tier_start), "tier_end": _fmt(op.tier_end), "vcpus": "", "memory_gib": "",
                "source_row": f"PRICE-API:{op.sku}", "confidence": "PRICE-API",
                "source": f"AWS Price List offer file (effective {op.effective_date})", "source_date": max(dates),
            })
    if target is not None:
        target = Path(target)
        if not target.is_file():
            raise PriceTableError(f"{target}: no such table to replace; nothing was written")
        target_dir, force = target.parent, True
    else:
        target_dir = Path(out_dir) if out_dir is not None else repo_root() / "data" / "pricing"
        target = target_dir / f"prices-{region}-{max(dates)}.csv"
    if target.resolve().parent != target_dir.resolve():
        raise PriceTableError(f"{target} would lie outside {target_dir}; nothing was written")
    if (target.exists() or target.is_symlink()) and not force:
        raise PriceTableError(f"{target} already exists; nothing was written (use --force to replace it)")
    target_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target_dir, prefix=".refresh-"))
    try:
        draft = staging / target.name
        with draft.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        load(draft)  # the new table must pass the same checks
        if force:
            os.replace(draft, target)
        else:
            try:
                os.link(draft, target)  # fails if the name was taken meanwhile
            except FileExistsError:
                raise PriceTableError(f"{target} already exists; nothing was written (use --force to replace it)")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


_SECONDS_PER_MONTH = 730 * 3600
"""AWS's month for storage prices: 730 hours."""


def _people_unit(product: str, unit: str) -> tuple[float, str]:
    """The factor from a table unit to the unit people quote it in, and that unit's name."""
    if unit == "USD/request":
        return 1e6, "USD per million requests"
    if unit == "USD/GB-s" and "storage" in product:
        return _SECONDS_PER_MONTH, "USD per GB-month"
    if unit == "USD/GB-s" and "provisioned_concurrency" in product:
        return 3600.0, "USD per GB-hour held"
    if unit == "USD/GB-s":
        return 1e6, "USD per million GB-seconds"
    if unit == "USD/second":
        return 3600.0, "USD per hour"
    words = {"USD/hour": "USD per hour", "USD/vCPU-hour": "USD per vCPU-hour", "USD/GB-hour": "USD per GB-hour",
             "requests/month": "requests a month", "GB-s/month": "GB-seconds a month"}
    return 1.0, words.get(unit, unit)


def _people_number(v: float) -> str:
    """At most six significant digits, thousands separated, never in E-notation: 16.6667, 0.0833, 1,000,000."""
    if v >= 1000:
        return f"{v:,.0f}"
    return np.format_float_positional(v, precision=6, unique=False, fractional=False, trim="-")


def _tier_words(start: float | None, end: float | None) -> str:
    if start is None and end is None:
        return ""

    def billions(v: float) -> str:
        return f"{v / 1e9:g} billion"

    if end is None:
        return f"over {billions(start or 0.0)}"
    if not start:
        return f"first {billions(end)}"
    return f"{billions(start)} to {billions(end)}"


def _fmt(v: float | None) -> str:
    if v is None:
        return ""
    return np.format_float_positional(float(v), trim="-")
