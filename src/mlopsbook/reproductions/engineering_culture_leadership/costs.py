"""The costs page's claim: C7, "fast, cheap, fully serverless inference" -- Lambda the cheapest fit.

The cost model (:mod:`mlopsbook.costs`) computes; this module turns its break-even into the verdict on the post's
words, for the post's measured workload (:func:`.profile.post_model`) passed in by the page.
"""

from __future__ import annotations

import math

from mlopsbook import formatting as fmt
from mlopsbook.publishing.claims import Status, Verdict
from mlopsbook.costs import pricing
from mlopsbook.costs.curves import break_even_rps, lambda_cheapest_below
from mlopsbook.costs.model import PLATFORM_LABELS, ModelProfile, monthly_cost
from mlopsbook.costs.traffic import Workload


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
    latency = (f"an assumed {fmt.latency_ms(model.cpu_ms)} per request on one vCPU" if assumed
               else f"a measured {fmt.latency_ms(model.cpu_ms)} per request on one vCPU")
    figures: dict[str, float | int | str] = {
        "pattern": pattern, "cpu_ms": float(model.cpu_ms), "lambda_memory_mb": int(model.lambda_memory_mb),
        "price_table": t.name, "price_date": t.date, "model_source": "assumed" if assumed else "measured",
    }
    if math.isnan(x):
        return Verdict("C7", Status.HOLDS,
                       f"For {pattern} traffic and {latency}, Lambda is the cheapest of the six platforms up to "
                       f"{fmt.rate(10_000)} "
                       f"(prices of {t.date}).", figures=figures)
    r = w.rates(x)
    bill = float(monthly_cost("lambda", w, model, mean_rps=x, prices=t).monthly_usd)
    figures.update({
        "x_mean_rps": float(r.mean_rps), "x_busy_rps": float(r.busy_hour_rps),
        "x_requests_per_month": float(r.requests_per_month), "undercut_by": other, "lambda_usd_per_month_at_x": bill,
    })
    for_pattern = "" if pattern == "business-hours" else f" for {pattern} traffic"
    conditions = f"below {r.phrase(pattern)}{for_pattern}; above that {PLATFORM_LABELS[other]} is cheaper"
    # the two crossings the post's readers ask about, always stated (figures ``x_*_vs_fargate`` and
    # ``x_*_vs_serverless``): against pay-per-use SageMaker Serverless and against the cheapest always-on fleet
    for key, plat in (("fargate", "fargate"), ("serverless", "sagemaker-serverless")):
        xp = break_even_rps(w, plat, model, prices=t)
        rp = w.rates(xp) if not math.isnan(xp) else None
        figures[f"x_mean_rps_vs_{key}"] = float(rp.mean_rps) if rp else float("nan")
        figures[f"x_busy_rps_vs_{key}"] = float(rp.busy_hour_rps) if rp else float("nan")
        if plat != other:
            conditions += (f". Against {PLATFORM_LABELS[plat]} alone Lambda stays cheaper up to "
                           f"{rp.phrase(pattern)}" if rp else
                           f". Against {PLATFORM_LABELS[plat]} alone Lambda stays cheaper up to {fmt.rate(10_000)}")
    if other == "sagemaker-serverless":
        conditions += (
            f"; SageMaker Serverless wins on this model's terms, which favour it: Lambda's INIT "
            f"({fmt.latency_ms(model.init_ms)}) is billed on 1% of requests, AWS's upper bound (A24), while SageMaker "
            f"Serverless's own cold starts and data-processing charge are not priced"
        )
    summary = (
        f"With {latency} ({model.lambda_memory_mb:,} MB Lambda, 1% cold starts with INIT billed) and us-east-1 prices "
        f"of {t.date}, Lambda costs less than SageMaker, SageMaker Serverless, Fargate, KubeRay on EKS and Triton for "
        f"{pattern} traffic up to {r.phrase(pattern)}, where its bill reaches {fmt.usd(bill)} a month and "
        f"{PLATFORM_LABELS[other]}{' (at least two replicas)' if other not in ('lambda', 'sagemaker-serverless') else ''} "
        "becomes cheaper."
        + (" The latency is an assumption until the CPU-inference measurement lands." if assumed else "")
    )
    return Verdict("C7", Status.HOLDS_UNDER_CONDITIONS, summary, conditions=conditions, figures=figures)


def second_crossing(v7: Verdict, pattern: str = "business-hours") -> str:
    """The crossing C7 does not lead with, as a clause: Lambda against whichever of ECS Fargate and SageMaker
    Serverless does not undercut it first (from the verdict's figures, through :mod:`mlopsbook.formatting`)."""
    key, plat = (("serverless", "sagemaker-serverless") if v7.figures.get("undercut_by") == "fargate"
                 else ("fargate", "fargate"))
    busy, mean = float(v7.figures[f"x_busy_rps_vs_{key}"]), float(v7.figures[f"x_mean_rps_vs_{key}"])
    if math.isnan(busy):
        return f"against {PLATFORM_LABELS[plat]} alone Lambda stays cheaper up to {fmt.rate(10_000)}"
    return (f"against {PLATFORM_LABELS[plat]} alone Lambda stays cheaper up to "
            f"{Workload(pattern, 1.0).rates(mean).phrase(pattern)}")
