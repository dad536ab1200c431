"""AWS's own published pricing examples, recomputed by :mod:`mlopsbook.costs.model`.

Each example is quoted from the AWS pricing pages (us-east-1): aws.amazon.com/lambda/pricing/ and
aws.amazon.com/fargate/pricing/, read in 2026 from copies of the pages stored in public repositories. AWS rounds each
line item to the cent; so do we before comparing. The Fargate examples 1 and 2 include an ephemeral-storage line whose
price row is not in our table (C3 is SECONDARY): only their CPU and memory lines are compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from mlopsbook.costs import pricing
from mlopsbook.costs.model import CostBreakdown, fargate_task_cost, lambda_cost


@dataclass(frozen=True)
class PublishedExample:
    """One worked example from an AWS pricing page: its inputs, and the line items and total AWS prints."""

    page: str
    name: str
    inputs: str
    compute: Callable[[pricing.PriceTable], CostBreakdown]
    published_items: dict[str, float]
    published_total: float | None


def cents(usd: float) -> float:
    """Round half up to the cent (AWS's examples round each line item)."""
    return math.floor(usd * 100 + 0.5 + 1e-9) / 100


LAMBDA_PAGE = "aws.amazon.com/lambda/pricing/"
FARGATE_PAGE = "aws.amazon.com/fargate/pricing/"

EXAMPLES: tuple[PublishedExample, ...] = (
    PublishedExample(
        LAMBDA_PAGE, "Example 1: Mobile application backend", "3M requests, 120 ms, 1536 MB, x86, free tier",
        lambda t: lambda_cost(3e6, 120, 1536, free_tier=True, prices=t),
        {"duration": 2.33, "requests": 0.40}, 2.73),
    PublishedExample(
        LAMBDA_PAGE, "Example 2: Enriching streaming telemetry", "7.44M requests, 2 s, 1024 MB, x86, no free tier",
        lambda t: lambda_cost(10_000 * 24 * 31, 2000, 1024, free_tier=False, prices=t),
        {"requests": 1.49, "duration": 248.00}, 249.49),
    PublishedExample(
        LAMBDA_PAGE, "Example 3: ML on customer support tickets (BERT)",
        "6M requests, 280 ms, 4096 MB, 2048 MB ephemeral storage, x86, free tier",
        lambda t: lambda_cost(6e6, 280, 4096, ephemeral_storage_mb=2048, free_tier=True, prices=t),
        {"duration": 105.33, "requests": 1.00, "ephemeral_storage": 0.08}, 106.41),
    PublishedExample(
        LAMBDA_PAGE, "Provisioned Concurrency example 1: Mobile application launch",
        "3M requests; PC 100 for 8 h serving 500k at 100 ms; 2.5M on demand at 120 ms; 1536 MB, x86, free tier",
        lambda t: lambda_cost(3e6, 120, 1536, free_tier=True, provisioned_concurrency=100, provisioned_hours=8,
                              provisioned_requests=500_000, provisioned_duration_ms=100, prices=t),
        {"provisioned_concurrency": 18.00, "requests": 0.40, "provisioned_duration": 0.73, "duration": 0.83}, 19.96),
    PublishedExample(
        FARGATE_PAGE, "Example 1 (CPU and memory lines)", "5 tasks x 10 min a day x 30 days, 1 vCPU, 2 GB, Linux/x86",
        lambda t: fargate_task_cost(5 * (600 / 3600) * 30, 1, 2, arch="x86_64", prices=t),
        {"vcpu": 1.01, "memory": 0.22}, None),
    PublishedExample(
        FARGATE_PAGE, "Example 2 (CPU and memory lines)", "5 tasks x 10 min a day x 30 days, 1 vCPU, 2 GB, Linux/ARM",
        lambda t: fargate_task_cost(5 * (600 / 3600) * 30, 1, 2, arch="arm64", prices=t),
        {"vcpu": 0.81, "memory": 0.18}, None),
    PublishedExample(
        FARGATE_PAGE, "Example 3: EKS pods", "10 pods x 1 h a day x 30 days, 0.25 vCPU, 1 GB",
        lambda t: fargate_task_cost(10 * 1 * 30, 0.25, 1, prices=t),
        {"vcpu": 3.04, "memory": 1.33}, 4.37),
)


def check(prices: pricing.PriceTable | None = None) -> pd.DataFrame:
    """Every example: published total (or the sum of its compared lines), ours, and whether every line matches."""
    t = prices if prices is not None else pricing.load()
    rows: list[dict[str, Any]] = []
    for ex in EXAMPLES:
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
