"""Cost against traffic: curves for every platform, break-even rates and the cheapest platform over (traffic, latency).

Built on :mod:`mlopsbook.costs.model` (one bill per platform) and :mod:`mlopsbook.costs.traffic` (the shape of the traffic). All
rates are **mean** request rates over the 730 h month (req/s) unless a name says otherwise; ``busy_rps`` is the rate
inside the busiest clock hour (:attr:`mlopsbook.costs.traffic.Workload.busy_hour_rps`; for business-hours traffic: the
rate during office hours), and every rate is reported through :meth:`~mlopsbook.costs.traffic.Workload.rates`, the one
place that turns a mean rate into a busy-hour rate and requests per month.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from mlopsbook.costs import pricing
from mlopsbook.costs.model import PLATFORM_LABELS, PLATFORMS, ModelProfile, monthly_cost
from mlopsbook.costs.traffic import PATTERNS, Workload
from mlopsbook.errors import MlopsbookError
from mlopsbook.validation import check_choice

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


Infeasible = Callable[[str, np.ndarray], np.ndarray]
"""``infeasible(platform, mean_rps)``: True where a rate-dependent limit rules ``platform`` out (its cost is then
``inf``); how a caller adds its own limits to the curves (the decision engine: a profile's peak concurrency)."""


def cost_curves(
    workload: Workload, mean_rps: Any, model: ModelProfile, *,
    platforms: Mapping[str, Mapping[str, Any]] | None = None, prices: pricing.PriceTable | None = None,
    infeasible: Infeasible | None = None,
) -> dict[str, np.ndarray]:
    """Monthly cost (USD) of every platform over ``mean_rps`` for ``workload``'s shape: ``{platform: array}``.

    ``platforms`` maps each platform to its options for :func:`mlopsbook.costs.model.monthly_cost` (default: all
    platforms, :data:`ALL_PLATFORMS`); ``infeasible`` marks the rates a platform cannot serve (cost ``inf``).
    """
    t = _prices(prices)
    opts = ALL_PLATFORMS if platforms is None else platforms
    rps = np.asarray(mean_rps, dtype=float)
    out = {}
    for p, o in opts.items():
        c = np.asarray(monthly_cost(p, workload, model, mean_rps=rps, prices=t, **o).monthly_usd, dtype=float)
        if infeasible is not None:
            c = np.where(np.asarray(infeasible(p, np.atleast_1d(rps))).reshape(c.shape), np.inf, c)
        out[p] = c
    return out


def break_even_rps(
    workload: Workload, other: str, model: ModelProfile, *, against: str = "lambda", lo_rps: float = 1e-4,
    hi_rps: float = 1e4, other_options: Mapping[str, Any] | None = None,
    against_options: Mapping[str, Any] | None = None, prices: pricing.PriceTable | None = None,
    infeasible: Infeasible | None = None,
) -> float:
    """The lowest mean request rate (req/s) at which ``other`` costs no more than ``against`` (default Lambda) for
    ``workload``'s shape, on the curves of :func:`cost_curves` (same options and ``infeasible``).

    ``nan`` when ``against`` stays cheaper up to ``hi_rps``; ``lo_rps`` when ``other`` is already no dearer there.
    Found on a log grid of 2,001 points, then refined by bisection to 1e-6 relative (:func:`first_crossing`).
    """
    check_choice(other, "other", PLATFORMS)
    check_choice(against, "against", PLATFORMS)
    if other == against:
        raise MlopsbookError(f"other: must differ from against (both {other!r})")
    t = _prices(prices)
    o = dict(DEFAULT_ALTERNATIVES.get(other, {}) if other_options is None else other_options)
    a = dict(ALL_PLATFORMS.get(against, {}) if against_options is None else against_options)

    def against_dearer(r: np.ndarray) -> np.ndarray:
        c = cost_curves(workload, r, model, platforms={against: a, other: o}, prices=t, infeasible=infeasible)
        return c[against] >= c[other]

    return first_crossing(against_dearer, lo_rps, hi_rps)


def first_crossing(crossed: Callable[[np.ndarray], np.ndarray], lo_rps: float, hi_rps: float) -> float:
    """The lowest rate in ``[lo_rps, hi_rps]`` at which ``crossed(rates)`` (a vectorised test, True once the other
    platform is no dearer) holds: a log grid of 2,001 points, then bisection to 1e-6 relative. ``nan`` when it never
    holds; ``lo_rps`` when it already holds there. The one crossing search of the cost curves and the decision engine.
    """
    grid = np.geomspace(lo_rps, hi_rps, 2001)
    hit = np.flatnonzero(crossed(grid))
    if hit.size == 0:
        return float("nan")
    if hit[0] == 0:
        return float(lo_rps)
    lo, hi = float(grid[hit[0] - 1]), float(grid[hit[0]])
    while hi / lo - 1 > 1e-6:
        mid = math.sqrt(lo * hi)
        if bool(crossed(np.array([mid]))[0]):
            hi = mid
        else:
            lo = mid
    return hi


def break_even_table(
    model: ModelProfile, patterns: tuple[str, ...] = PATTERNS, *, prices: pricing.PriceTable | None = None,
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
            r = w.rates(x) if ok else None
            rows.append({
                "pattern": pat,
                "platform": other,
                "break_even_mean_rps": x,
                "break_even_busy_rps": r.busy_hour_rps if r else float("nan"),
                "requests_per_month_millions": r.requests_per_month / 1e6 if r else float("nan"),
                "usd_per_month": float(monthly_cost("lambda", w, model, mean_rps=x, prices=t).monthly_usd) if ok else float("nan"),
            })
    return pd.DataFrame(rows)


def lambda_cheapest_below(
    pattern: str, model: ModelProfile, *, prices: pricing.PriceTable | None = None,
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
    model: ModelProfile, patterns: tuple[str, ...] = PATTERNS, *, prices: pricing.PriceTable | None = None,
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
            "busy_rps": round(Workload(pat, 1.0).rates(x).busy_hour_rps, 1) if ok else float("nan"),
            "then_cheapest": PLATFORM_LABELS[other] if ok else "none up to 10,000 req/s",
        })
    return pd.DataFrame(rows)


def idle_floors(
    model: ModelProfile, *, prices: pricing.PriceTable | None = None,
    platforms: tuple[str, ...] = ("sagemaker", "fargate", "eks", "triton"),
) -> dict[str, float]:
    """Monthly cost (USD) of each always-on platform with no traffic: its minimum replicas (and fixed parts)."""
    t = _prices(prices)
    return {p: float(monthly_cost(p, Workload("steady", 0.0), model, prices=t).monthly_usd) for p in platforms}


def cheapest(
    workload: Workload, mean_rps: Any, model: ModelProfile, *,
    platforms: Mapping[str, Mapping[str, Any]] | None = None, prices: pricing.PriceTable | None = None,
) -> np.ndarray:
    """The name of the cheapest platform at each of ``mean_rps`` (ties go to the first listed, Lambda)."""
    curves = cost_curves(workload, mean_rps, model, platforms=platforms, prices=prices)
    names = list(curves)
    stack = np.stack([curves[n] for n in names])
    return np.asarray(names, dtype=object)[np.argmin(stack, axis=0)]


def cheapest_map(
    pattern: str, mean_rps: Any, cpu_ms: Any, model: ModelProfile, *,
    prices: pricing.PriceTable | None = None,
) -> np.ndarray:
    """Index into :data:`PLATFORMS` of the cheapest platform over a grid: shape ``(len(cpu_ms), len(mean_rps))``.

    Each row uses ``model`` with ``cpu_ms`` per request (its Lambda duration follows, ``aws.lambda.memory.mb_per_vcpu``). Triton's throughput does
    not depend on ``cpu_ms`` (it is the documented GPU figure, ``triton.throughput.*``).
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
