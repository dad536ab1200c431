"""The costs page's claim: C7, "fast, cheap, fully serverless inference" -- Lambda the cheapest fit.

The cost model (:mod:`mlopsbook.costs`) computes; this module turns its break-even into the verdict on the post's
words, for the post's measured workload (:func:`.profile.post_model`) passed in by the page.
"""

from __future__ import annotations

import math

from mlopsbook.claims import Status, Verdict
from mlopsbook.costs import pricing
from mlopsbook.costs.curves import break_even_rps, lambda_cheapest_below
from mlopsbook.costs.model import PLATFORM_LABELS, ModelProfile, monthly_cost
from mlopsbook.costs.traffic import SECONDS_PER_MONTH, Workload


def verdict_c7(
    model: ModelProfile, pattern: str = "business-hours", *, prices: pricing.PriceTable | None = None,
) -> Verdict:
    """C7, "Lambda was the cheapest fit" ("fast, cheap, fully serverless inference"), for ``pattern`` traffic.

    The post gives no traffic figure, so the verdict is conditional: Lambda is the cheapest platform below a computed
    mean rate, and the first platform to undercut it above that rate is named. The figures (``x_mean_rps``,
    ``x_busy_rps``, ``x_requests_per_month``, the undercutting platform, the model's assumed latency and the price
    date) are in ``figures``.
    """
    t = prices if prices is not None else pricing.load()
    x, other = lambda_cheapest_below(pattern, model, prices=t)
    w = Workload(pattern, 1.0)
    assumed = "ASSUMPTION" in model.source
    latency = (f"an assumed {model.cpu_ms:g} ms per request on one vCPU" if assumed
               else f"a measured {model.cpu_ms:g} ms per request on one vCPU")
    figures: dict[str, float | int | str] = {
        "pattern": pattern, "cpu_ms": float(model.cpu_ms), "lambda_memory_mb": int(model.lambda_memory_mb),
        "price_table": t.name, "price_date": t.date, "model_source": "assumed" if assumed else "measured",
    }
    if math.isnan(x):
        return Verdict("C7", Status.HOLDS,
                       f"For {pattern} traffic and {latency}, Lambda is the cheapest of the six platforms up to 10,000 req/s "
                       f"(prices of {t.date}).", figures=figures)
    busy = w.scaled(x).peak_rps
    bill = float(monthly_cost("lambda", w, model, mean_rps=x, prices=t).monthly_usd)
    figures.update({
        "x_mean_rps": float(x), "x_busy_rps": float(busy), "x_requests_per_month": float(x * SECONDS_PER_MONTH),
        "undercut_by": other, "lambda_usd_per_month_at_x": bill,
    })
    where = "during business hours" if pattern == "business-hours" else "in the busiest hour"
    conditions = (
        f"below {busy:.0f} req/s sustained {where} ({x:.1f} req/s on average, {x * SECONDS_PER_MONTH / 1e6:.0f} M "
        f"requests a month) for {pattern} traffic; above that {PLATFORM_LABELS[other]} is cheaper"
    )
    if other == "sagemaker-serverless":
        x_far = break_even_rps(w, "fargate", model, prices=t)
        figures["x_busy_rps_vs_fargate"] = float(w.scaled(x_far).peak_rps)
        conditions += (
            f" on this model's terms, which favour it: Lambda's INIT ({model.init_ms / 1e3:.1f} s) is billed on 1% of "
            f"requests, AWS's upper bound (A24), while SageMaker Serverless's own cold starts and data-processing charge "
            f"are not priced; against the always-on platforms Lambda stays cheapest up to "
            f"{w.scaled(x_far).peak_rps:.0f} req/s {where} (then ECS Fargate)"
        )
    summary = (
        f"With {latency} ({model.lambda_memory_mb} MB Lambda, 1% cold starts with INIT billed) and us-east-1 prices of "
        f"{t.date}, Lambda costs less than SageMaker, SageMaker Serverless, Fargate, KubeRay on EKS and Triton for "
        f"{pattern} traffic up to a mean of {x:.1f} req/s, where its bill reaches ${bill:,.0f} a month and "
        f"{PLATFORM_LABELS[other]}{' (at least two replicas)' if other not in ('lambda', 'sagemaker-serverless') else ''} "
        "becomes cheaper."
        + (" The latency is an assumption until the CPU-inference measurement lands." if assumed else "")
    )
    return Verdict("C7", Status.HOLDS_UNDER_CONDITIONS, summary, conditions=conditions, figures=figures)
