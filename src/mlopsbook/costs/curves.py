"""Cost against traffic: curves for every platform, break-even rates, the cheapest platform over (traffic, latency),
and the verdict on the post's claim C7 ("Lambda was the cheapest fit").

Built on :mod:`mlopsbook.costs.model` (one bill per platform) and :mod:`mlopsbook.costs.traffic` (the shape of the traffic). All
rates are **mean** request rates over the 730 h month (req/s) unless a name says otherwise; ``busy_rps`` is the rate
inside the busiest hour (for business-hours traffic: the rate during office hours).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from mlopsbook.costs import pricing
from mlopsbook.claims import Status, Verdict
from mlopsbook.costs.model import PLATFORM_LABELS, PLATFORMS, POST_MODEL, ModelProfile, monthly_cost
from mlopsbook.costs.traffic import PATTERNS, SECONDS_PER_MONTH, Workload

DEFAULT_ALTERNATIVES: dict[str, dict[str, Any]] = {
    "sagemaker": {},
    "sagemaker-serverless": {},
    "fargate": {},
    "eks": {},
    "triton": {"dynamic_batching": True},
}
"""The platforms Lambda is compared with, and their options (defaults of :mod:`mlopsbook.costs.model` otherwise)."""

ALL_PLATFORMS: dict[str, dict[str, Any]] = {"lambda": {}, **DEFAULT_ALTERNATIVES}


def _prices(prices: pricing.PriceTable | None) -> pricing.PriceTable:
    return prices if prices is not None else pricing.load()


def cost_curves(
    workload: Workload, mean_rps: Any, model: ModelProfile = POST_MODEL, *,
    platforms: Mapping[str, Mapping[str, Any]] | None = None, prices: pricing.PriceTable | None = None,
) -> dict[str, np.ndarray]:
    """Monthly cost (USD) of every platform over ``mean_rps`` for ``workload``'s shape: ``{platform: array}``."""
    t = _prices(prices)
    opts = ALL_PLATFORMS if platforms is None else platforms
    rps = np.asarray(mean_rps, dtype=float)
    return {p: np.asarray(monthly_cost(p, workload, model, mean_rps=rps, prices=t, **o).monthly_usd) for p, o in opts.items()}


def curves_frame(
    pattern: str, mean_rps: Any, model: ModelProfile = POST_MODEL, *, prices: pricing.PriceTable | None = None,
) -> pd.DataFrame:
    """Long table of the curves: ``pattern, mean_rps, platform, usd_per_month`` (for plots)."""
    curves = cost_curves(Workload(pattern, 1.0), mean_rps, model, prices=prices)
    rps = np.asarray(mean_rps, dtype=float)
    return pd.concat(
        [pd.DataFrame({"pattern": pattern, "mean_rps": rps, "platform": p, "usd_per_month": c}) for p, c in curves.items()],
        ignore_index=True,
    )


def break_even_rps(
    workload: Workload, other: str, model: ModelProfile = POST_MODEL, *, lo_rps: float = 1e-4, hi_rps: float = 1e4,
    other_options: Mapping[str, Any] | None = None, prices: pricing.PriceTable | None = None,
) -> float:
    """The lowest mean request rate (req/s) at which ``other`` costs no more than Lambda for ``workload``'s shape.

    ``nan`` when Lambda stays cheaper up to ``hi_rps``; ``lo_rps`` when ``other`` is already no dearer there. Found on
    a log grid of 2,001 points, then refined by bisection to 1e-6 relative.
    """
    if other not in PLATFORMS or other == "lambda":
        raise ValueError(f"other: must be one of {', '.join(PLATFORMS[1:])} (got {other!r})")
    t = _prices(prices)
    o = dict(DEFAULT_ALTERNATIVES.get(other, {}) if other_options is None else other_options)

    def lambda_dearer(r: np.ndarray) -> np.ndarray:
        a = np.asarray(monthly_cost("lambda", workload, model, mean_rps=r, prices=t).monthly_usd)
        b = np.asarray(monthly_cost(other, workload, model, mean_rps=r, prices=t, **o).monthly_usd)
        return a >= b

    grid = np.geomspace(lo_rps, hi_rps, 2001)
    hit = np.flatnonzero(lambda_dearer(grid))
    if hit.size == 0:
        return float("nan")
    if hit[0] == 0:
        return float(lo_rps)
    lo, hi = float(grid[hit[0] - 1]), float(grid[hit[0]])
    while hi / lo - 1 > 1e-6:
        mid = math.sqrt(lo * hi)
        if bool(lambda_dearer(np.array([mid]))[0]):
            hi = mid
        else:
            lo = mid
    return hi


def break_even_table(
    model: ModelProfile = POST_MODEL, patterns: tuple[str, ...] = PATTERNS, *, prices: pricing.PriceTable | None = None,
) -> pd.DataFrame:
    """Break-even mean rate (req/s) of Lambda against each platform, for each traffic pattern.

    Columns: ``pattern, platform, break_even_mean_rps, break_even_busy_rps`` (the rate in the busiest hour at that
    mean), ``requests_per_month_millions`` and ``usd_per_month`` (the bill at the break-even). ``nan``: Lambda stays
    cheaper up to 10,000 req/s.
    """
    t = _prices(prices)
    rows = []
    for pat in patterns:
        w = Workload(pat, 1.0)
        for other in DEFAULT_ALTERNATIVES:
            x = break_even_rps(w, other, model, prices=t)
            ok = not math.isnan(x)
            rows.append({
                "pattern": pat,
                "platform": other,
                "break_even_mean_rps": x,
                "break_even_busy_rps": w.scaled(x).peak_rps if ok else float("nan"),
                "requests_per_month_millions": x * SECONDS_PER_MONTH / 1e6 if ok else float("nan"),
                "usd_per_month": float(monthly_cost("lambda", w, model, mean_rps=x, prices=t).monthly_usd) if ok else float("nan"),
            })
    return pd.DataFrame(rows)


def lambda_cheapest_below(
    pattern: str, model: ModelProfile = POST_MODEL, *, prices: pricing.PriceTable | None = None,
) -> tuple[float, str]:
    """``(x, platform)``: Lambda is the cheapest of all platforms below a mean rate of ``x`` req/s for ``pattern``
    traffic, and ``platform`` is the first to undercut it there (``(nan, "")`` if none does up to 10,000 req/s)."""
    t = _prices(prices)
    w = Workload(pattern, 1.0)
    found = [(break_even_rps(w, o, model, prices=t), o) for o in DEFAULT_ALTERNATIVES]
    found = [(x, o) for x, o in found if not math.isnan(x)]
    if not found:
        return float("nan"), ""
    return min(found)


def lambda_limits_table(
    model: ModelProfile = POST_MODEL, patterns: tuple[str, ...] = PATTERNS, *, prices: pricing.PriceTable | None = None,
) -> pd.DataFrame:
    """For each pattern: the mean rate (req/s) below which Lambda is the cheapest platform, the busiest-hour rate at
    that mean, and the platform that is cheapest just above it."""
    t = _prices(prices)
    rows = []
    for pat in patterns:
        x, other = lambda_cheapest_below(pat, model, prices=t)
        ok = not math.isnan(x)
        rows.append({
            "pattern": pat,
            "lambda_cheapest_below_mean_rps": round(x, 1) if ok else float("nan"),
            "busy_rps": round(Workload(pat, 1.0).scaled(x).peak_rps, 1) if ok else float("nan"),
            "then_cheapest": PLATFORM_LABELS[other] if ok else "none up to 10,000 req/s",
        })
    return pd.DataFrame(rows)


def idle_floors(
    model: ModelProfile = POST_MODEL, *, prices: pricing.PriceTable | None = None,
    platforms: tuple[str, ...] = ("sagemaker", "fargate", "eks", "triton"),
) -> dict[str, float]:
    """Monthly cost (USD) of each always-on platform with no traffic: its minimum replicas (and fixed parts)."""
    t = _prices(prices)
    return {p: float(monthly_cost(p, Workload("steady", 0.0), model, prices=t).monthly_usd) for p in platforms}


def cheapest(
    workload: Workload, mean_rps: Any, model: ModelProfile = POST_MODEL, *,
    platforms: Mapping[str, Mapping[str, Any]] | None = None, prices: pricing.PriceTable | None = None,
) -> np.ndarray:
    """The name of the cheapest platform at each of ``mean_rps`` (ties go to the first listed, Lambda)."""
    curves = cost_curves(workload, mean_rps, model, platforms=platforms, prices=prices)
    names = list(curves)
    stack = np.stack([curves[n] for n in names])
    return np.asarray(names, dtype=object)[np.argmin(stack, axis=0)]


def cheapest_map(
    pattern: str, mean_rps: Any, cpu_ms: Any, model: ModelProfile = POST_MODEL, *,
    prices: pricing.PriceTable | None = None,
) -> np.ndarray:
    """Index into :data:`PLATFORMS` of the cheapest platform over a grid: shape ``(len(cpu_ms), len(mean_rps))``.

    Each row uses ``model`` with ``cpu_ms`` per request (its Lambda duration follows, A8). Triton's throughput does
    not depend on ``cpu_ms`` (it is the documented GPU figure, F1).
    """
    t = _prices(prices)
    w = Workload(pattern, 1.0)
    index = {p: i for i, p in enumerate(PLATFORMS)}
    rows = []
    for ms in np.asarray(cpu_ms, dtype=float):
        names = cheapest(w, mean_rps, with_latency(model, float(ms)), prices=t)
        rows.append([index[n] for n in names])
    return np.asarray(rows, dtype=int)


def with_latency(model: ModelProfile, cpu_ms: float) -> ModelProfile:
    """``model`` with another per-request CPU time (for maps over model latency)."""
    return replace(model, cpu_ms=float(cpu_ms), name=f"{model.name} at {cpu_ms:g} ms")


def verdict_c7(
    model: ModelProfile = POST_MODEL, pattern: str = "business-hours", *, prices: pricing.PriceTable | None = None,
) -> Verdict:
    """C7, "Lambda was the cheapest fit" ("fast, cheap, fully serverless inference"), for ``pattern`` traffic.

    The post gives no traffic figure, so the verdict is conditional: Lambda is the cheapest platform below a computed
    mean rate, and the first platform to undercut it above that rate is named. The figures (``x_mean_rps``,
    ``x_busy_rps``, ``x_requests_per_month``, the undercutting platform, the model's assumed latency and the price
    date) are in ``figures``.
    """
    t = _prices(prices)
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
