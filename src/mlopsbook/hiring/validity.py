"""The published validity of selection methods for predicting job performance.

``data/hiring/validity-<date>.csv`` holds one row per selection method and meta-analysis: the operational validity
(a correlation with overall job performance, corrected for criterion unreliability and range restriction), the full
citation with its table, and where the figure was read. Two meta-analyses are used: Schmidt & Hunter (1998) and its
revision by Sackett, Zhang, Berry & Lievens (2022). A method with no published validity (algorithm puzzles) has a row
with ``meta_analysis = none`` and an empty validity, so that its absence is recorded rather than silently skipped.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd

from mlopsbook import inputs
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path

VALIDITY_FILE = "validity-2026-11-28.csv"
"""The validity table under ``data/hiring/`` (dated, so that a changed table changes the notebooks' code)."""

META_ANALYSES = {
    "sackett_2022": "Sackett, Zhang, Berry & Lievens (2022)",
    "schmidt_hunter_1998": "Schmidt & Hunter (1998)",
    "none": "no published meta-analysis",
}
"""The meta-analyses a row may cite, with their short citation."""

COLUMNS = ["method_id", "method", "meta_analysis", "validity", "criterion", "source", "table", "confirmed_via", "note"]


class ValidityTableError(MlopsbookError):
    """An invalid validity table; the message names the file, row and column."""


def load(path: str | Path | None = None) -> pd.DataFrame:
    """The validity table (default: ``data/hiring/`` :data:`VALIDITY_FILE`), validated.

    Every row needs a known ``meta_analysis``; a cited row needs a validity in [0, 1], a source and a table; the
    ``none`` row must have no validity. ``(method_id, meta_analysis)`` is unique. Raises
    :class:`ValidityTableError` naming the row (1-based, as in a spreadsheet with a header) and the column.
    """
    p = Path(path) if path is not None else data_path("hiring", VALIDITY_FILE)
    text = inputs.read_text(p)
    try:
        df = pd.read_csv(io.StringIO(text), dtype={"validity": "float64"}, keep_default_na=True)
    except ValueError as exc:  # pandas' EmptyDataError and ParserError are ValueErrors
        raise ValidityTableError(f"{p.name}: not a valid table ({str(exc).splitlines()[0]})") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValidityTableError(f"{p.name}: missing column(s) {', '.join(missing)}")
    for i, row in df.iterrows():
        where = f"{p.name} row {int(i) + 2}"
        meta, v = row["meta_analysis"], row["validity"]
        if meta not in META_ANALYSES:
            raise ValidityTableError(f"{where}, meta_analysis: unknown {meta!r} (known: {', '.join(META_ANALYSES)})")
        if meta == "none":
            if not math.isnan(v):
                raise ValidityTableError(f"{where}, validity: a method with no meta-analysis cannot have a validity")
            continue
        if math.isnan(v) or not 0.0 <= v <= 1.0:
            raise ValidityTableError(f"{where}, validity: must be a correlation in [0, 1] (got {row['validity']})")
        for col in ("source", "table", "confirmed_via"):
            if not isinstance(row[col], str) or not row[col].strip():
                raise ValidityTableError(f"{where}, {col}: empty (every figure needs its source)")
    dup = df.duplicated(["method_id", "meta_analysis"])
    if dup.any():
        i = int(dup.idxmax())
        raise ValidityTableError(f"{p.name} row {i + 2}: duplicate ({df.at[i, 'method_id']}, {df.at[i, 'meta_analysis']})")
    return df


def validity_of(method_id: str, meta_analysis: str = "sackett_2022", table: pd.DataFrame | None = None) -> float:
    """The operational validity of ``method_id`` in ``meta_analysis``.

    Raises ``KeyError`` when the table has no such figure (for example for algorithm puzzles, which have none).
    """
    df = load() if table is None else table
    hit = df[(df["method_id"] == method_id) & (df["meta_analysis"] == meta_analysis)]
    if hit.empty:
        known = sorted(set(df.loc[df["meta_analysis"] == meta_analysis, "method_id"]))
        raise KeyError(f"no {META_ANALYSES.get(meta_analysis, meta_analysis)} validity for {method_id!r} "
                       f"(known: {', '.join(known)})")
    return float(hit["validity"].iloc[0])


def comparison(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per method: the 1998 and the 2022 validity side by side (NaN where a meta-analysis has none),
    sorted by the 2022 value, methods without any published figure last."""
    df = load() if table is None else table
    methods = df.drop_duplicates("method_id").set_index("method_id")["method"]
    out = pd.DataFrame({"method": methods})
    for meta, col in (("schmidt_hunter_1998", "Schmidt & Hunter 1998"), ("sackett_2022", "Sackett et al. 2022")):
        out[col] = df[df["meta_analysis"] == meta].set_index("method_id")["validity"].reindex(out.index)
    out.index.name = "method_id"
    return out.sort_values(["Sackett et al. 2022", "Schmidt & Hunter 1998"], ascending=False, na_position="last")
