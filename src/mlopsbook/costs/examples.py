"""AWS's own published pricing examples, recomputed by :mod:`mlopsbook.costs.model`.

The examples are data: ``data/pricing/aws-examples-2026-11-28.yaml`` (:data:`EXAMPLES_FILE`), quoted from the AWS
pricing pages (us-east-1, aws.amazon.com/lambda/pricing/ and aws.amazon.com/fargate/pricing/) as read in 2026 from
copies of the pages stored in public repositories; it is read on first use (:func:`load`), not at import. AWS rounds
each line item to the cent; so do we before comparing. The Fargate examples 1 and 2 include an ephemeral-storage line
whose price row is not in our table (Fargate's storage price is SECONDARY): only their CPU and memory lines are
compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd
import yaml

from mlopsbook.costs import pricing
from mlopsbook.costs.model import CostBreakdown, fargate_task_cost, lambda_cost
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path
from mlopsbook.validation import check_choice

EXAMPLES_FILE = "aws-examples-2026-11-28.yaml"
"""The examples, under ``data/pricing/``."""

MODELS: dict[str, Callable[..., CostBreakdown]] = {"lambda": lambda_cost, "fargate": fargate_task_cost}
"""The cost function each example's ``model`` names; it is called with the example's ``arguments`` and a table."""


@dataclass(frozen=True)
class PublishedExample:
    """One worked example from an AWS pricing page: its inputs, and the line items and total AWS prints."""

    source: str
    name: str
    inputs: str
    model: str
    arguments: Mapping[str, Any]
    published_items: dict[str, float]
    published_total: float | None

    @property
    def page(self) -> str:
        """The page, as shown: the source URL without its scheme (``aws.amazon.com/lambda/pricing/``)."""
        return self.source.removeprefix("https://")

    def compute(self, prices: pricing.PriceTable) -> CostBreakdown:
        """Our bill for the example's inputs at ``prices``."""
        return MODELS[self.model](**self.arguments, prices=prices)


def cents(usd: float) -> float:
    """Round half up to the cent (AWS's examples round each line item)."""
    return math.floor(usd * 100 + 0.5 + 1e-9) / 100


@lru_cache(maxsize=None)
def load(path: str | Path | None = None) -> tuple[PublishedExample, ...]:
    """The examples of ``path`` (default :data:`EXAMPLES_FILE`), read once, each naming a known model."""
    p = Path(path) if path is not None else data_path("pricing", EXAMPLES_FILE)
    rows = (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("examples")
    if not isinstance(rows, list) or not rows:
        raise MlopsbookError(f"{p.name}: examples: must be a non-empty list")
    out = []
    for i, r in enumerate(rows):
        try:
            ex = PublishedExample(**r)
        except TypeError as exc:
            raise MlopsbookError(f"{p.name}: examples[{i}]: {exc}") from None
        check_choice(ex.model, f"{p.name}: examples[{i}].model", MODELS)
        out.append(ex)
    return tuple(out)


def check(prices: pricing.PriceTable | None = None) -> pd.DataFrame:
    """Every example: published total (or the sum of its compared lines), ours, and whether every line matches."""
    t = prices if prices is not None else pricing.load()
    rows: list[dict[str, Any]] = []
    for ex in load():
        bill = ex.compute(t)
        ours_items = {k: cents(float(bill.items[k])) for k in ex.published_items}
        lines_ok = all(ours_items[k] == v for k, v in ex.published_items.items())
        published = ex.published_total if ex.published_total is not None else round(sum(ex.published_items.values()), 2)
        ours = cents(float(bill.monthly_usd)) if ex.published_total is not None else round(sum(ours_items.values()), 2)
        rows.append({
            "page": ex.page, "example": ex.name, "inputs": ex.inputs,
            "published_usd": published, "computed_usd": ours, "every_line_matches": bool(lines_ok and ours == published),
        })
    return pd.DataFrame(rows)
