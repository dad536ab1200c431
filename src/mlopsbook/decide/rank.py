"""Rank the six platforms for a service profile, with a reason per criterion, the deciding criterion and the flip point.

The criteria are the post's decision matrix ("1. expected traffic patterns 2. whether traffic was continuous 24/7
3. CPU vs GPU requirements ... 4. artifact size and model type") plus the two things those criteria stand for: the
monthly cost (:mod:`mlopsbook.costs.model`, for the profile's traffic shape) and cold-start exposure (:mod:`exposure`:
the simulated p99 against the SLO).

How the ranking is made:

1. **Hard limits** (:mod:`limits`, each with its source) rule platforms out: they are listed with the limit.
   Two further exclusions are choices of the data, said as such: SageMaker cannot be costed on a GPU (no SageMaker
   GPU price in the table) and Triton is costed on a GPU instance, so a model without a GPU build (``gpu: no``)
   does not go there; SageMaker Serverless is priced only at 3 GB (B11), so a worker needing more is not costed.
2. The others are sized and costed: one worker per vCPU that fits the worker's memory (``memory_mb``);
   at least 2 replicas for always-on fleets; Lambda at ``memory_mb`` (rounded up, at least 128 MB) with 1% cold
   starts billed (``aws.lambda.init.*``). GPU fleets (``gpu: required``) use Triton's documented throughput per GPU
   (``triton.throughput.*``).
3. Platforms whose simulated p99 meets ``latency_slo_ms`` come first, cheapest first; then those that miss it.
   With stated :class:`~mlopsbook.decide.preferences.Preferences` (Medusa's), the stated constraints (no cold starts,
   a monthly budget) rule platforms out after the hard limits, the stated objective (cost or latency) orders the
   rest, and the SLO orders them only when it was stated: an assumed SLO never overrides a stated preference, it is
   reported as the value that would change the answer.

The **deciding criterion** is what put the first platform ahead of the runner-up: a hard limit (everything else was
ruled out), the cost, or the latency SLO (a cheaper platform missed it). The **flip point** is the value of the deciding
variable at which the first place changes: for cost, the mean request rate (searched up and down on the cost curves,
limits included) at which another platform becomes cheaper; for the SLO, the cheaper platform's p99 (an SLO above it
would let that platform win); for a hard limit, the limit that keeps the cheapest excluded platform out. Every rate
in the flip is reported through :meth:`mlopsbook.costs.traffic.Workload.rates` (mean, busiest-hour, requests a month),
the same path the cost curves use, so a crossing reads the same on every page. :func:`crossing` gives one pairwise
crossing: :func:`mlopsbook.costs.curves.break_even_rps` on the engine's own sizing and limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlopsbook import facts
from mlopsbook.costs import curves as curves_mod
from mlopsbook.costs import pricing
from mlopsbook.costs import model as cost_model
from mlopsbook.costs.model import DEFAULT_MIN_REPLICAS, PLATFORM_LABELS, PLATFORMS, ModelProfile, monthly_cost
from mlopsbook.decide import exposure as exposure_mod
from mlopsbook.decide import limits as limits_mod
from mlopsbook.decide.preferences import Preferences
from mlopsbook.decide.profile import Profile
from mlopsbook.decide.sizing import PAY_PER_USE, fleet_sizes, init_ms, model_of, platform_options
from mlopsbook.costs.traffic import SECONDS_PER_MONTH
from mlopsbook import formatting as fmt

CRITERIA: tuple[str, ...] = ("traffic_pattern", "continuous_24_7", "cpu_gpu", "artifact", "cost", "cold_starts")
"""The criteria every platform gets a reason for (the post's four, then cost and cold starts)."""
CRITERION_LABELS = {
    "traffic_pattern": "1. traffic pattern",
    "continuous_24_7": "2. continuous 24/7?",
    "cpu_gpu": "3. CPU vs GPU",
    "artifact": "4. artifact size and model type",
    "cost": "monthly cost",
    "cold_starts": "cold starts (p99 vs SLO)",
}


@dataclass(frozen=True)
class Assessment:
    """One platform for one profile: ``monthly_usd`` (730 h month), ``p99_ms`` (simulated window), ``meets_slo``,
    a reason per criterion (:data:`CRITERIA`), the sizing ``plan`` and the cost line items."""

    platform: str
    monthly_usd: float
    p99_ms: float
    meets_slo: bool
    reasons: dict[str, str]
    plan: dict[str, Any]
    items: dict[str, float]
    exposure_model: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"platform": self.platform, "label": PLATFORM_LABELS[self.platform],
                "monthly_usd": round(self.monthly_usd, 2), "p99_ms": round(self.p99_ms, 1),
                "meets_slo": self.meets_slo, "reasons": dict(self.reasons),
                "plan": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.plan.items()},
                "cost_items": {k: round(v, 2) for k, v in self.items.items()}}


@dataclass(frozen=True)
class Decision:
    """The engine's answer: ``ranking`` (best first), ``ruled_out`` (platform -> the limits it breaks), the
    ``deciding_criterion``, the ``flip`` sentence and its figures, and the simulated window."""

    profile: Profile
    ranking: tuple[Assessment, ...]
    ruled_out: dict[str, str]
    deciding_criterion: str
    flip: str
    flip_figures: dict[str, Any] = field(default_factory=dict)
    window: str = ""
    price_table: str = ""
    excluded: dict[str, str] = field(default_factory=dict)
    """Platforms within the hard limits that a stated constraint rules out (platform -> the constraint)."""

    @property
    def recommendation(self) -> str:
        """The first platform, or ``"none"`` when every platform is ruled out."""
        return self.ranking[0].platform if self.ranking else "none"

    def assessment(self, platform: str) -> Assessment:
        for a in self.ranking:
            if a.platform == platform:
                return a
        raise KeyError(f"platform: {platform} is not ranked (ruled out: {self.ruled_out.get(platform, 'unknown')})")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``profile``, ``recommendation``, ``ranking``, ``ruled_out``, ``deciding_criterion``, ``flip``."""
        return {"profile": self.profile.to_dict(), "recommendation": self.recommendation,
                "ranking": [a.to_dict() for a in self.ranking], "ruled_out": dict(self.ruled_out),
                "excluded_by_preference": dict(self.excluded),
                "deciding_criterion": self.deciding_criterion, "flip": self.flip,
                "flip_figures": dict(self.flip_figures), "cold_start_window": self.window,
                "price_table": self.price_table}

    def table(self) -> pd.DataFrame:
        """The ranking as a table (rounded): platform, monthly USD, p99 and whether it meets the SLO; ruled-out
        platforms last with their reason."""
        rows = [{"rank": str(i + 1), "platform": PLATFORM_LABELS[a.platform], "usd_per_month": round(a.monthly_usd, 0),
                 "p99_ms": round(a.p99_ms, 0), "meets_slo": "yes" if a.meets_slo else "no", "ruled_out_by": ""}
                for i, a in enumerate(self.ranking)]
        rows += [{"rank": "-", "platform": PLATFORM_LABELS[p], "usd_per_month": None, "p99_ms": None,
                  "meets_slo": "", "ruled_out_by": r} for p, r in self.ruled_out.items()]
        rows += [{"rank": "-", "platform": PLATFORM_LABELS[p], "usd_per_month": None, "p99_ms": None,
                  "meets_slo": "", "ruled_out_by": f"stated constraint: {r}"} for p, r in self.excluded.items()]
        return pd.DataFrame(rows).set_index("rank")

    def reasons_table(self) -> pd.DataFrame:
        """One row per ranked platform, one column per criterion."""
        return pd.DataFrame({PLATFORM_LABELS[a.platform]: {CRITERION_LABELS[c]: a.reasons[c] for c in CRITERIA}
                             for a in self.ranking}).T

    def to_text(self) -> str:
        """A plain-text report (the CLI's output)."""
        out = [f"Recommendation: {PLATFORM_LABELS.get(self.recommendation, self.recommendation)}"
               f" (deciding criterion: {self.deciding_criterion})", f"Flip point: {self.flip}", "", "Ranking:"]
        for i, a in enumerate(self.ranking, 1):
            out.append(f"  {i}. {PLATFORM_LABELS[a.platform]:<22} ${a.monthly_usd:>11,.2f}/month   p99 {a.p99_ms:>9,.0f} ms"
                       f"  {'meets' if a.meets_slo else 'MISSES'} the {self.profile.latency_slo_ms:g} ms SLO")
            for c in CRITERIA:
                out.append(f"       - {CRITERION_LABELS[c]}: {a.reasons[c]}")
        if self.ruled_out:
            out.append("")
            out.append("Ruled out:")
            for p, r in self.ruled_out.items():
                out.append(f"  - {PLATFORM_LABELS[p]}: {r}")
        out.append("")
        out.append(f"Cold starts simulated over {self.window}. Prices: {self.price_table}.")
        return "\n".join(out)


# -- reasons -------------------------------------------------------------------------------------------------------------
def _reasons(platform: str, profile: Profile, plan: dict[str, Any], usd: float, floor_usd: float,
             exp: exposure_mod.Exposure, lims: dict[str, limits_mod.Limit], active: float) -> dict[str, str]:
    pay = platform in PAY_PER_USE
    r: dict[str, str] = {}
    shape = {"steady": "steady traffic", "business-hours": "business-hours traffic", "diurnal": "a daily cycle",
             "bursty": "bursts", "rare": "rare, short activity"}[profile.traffic_pattern]
    if pay:
        r["traffic_pattern"] = f"{shape}: billed per request, so the bill follows the traffic and spikes need no spare capacity"
        r["continuous_24_7"] = (f"traffic in {active:.0%} of the month's hours: idle hours cost nothing"
                                if active < 0.999 else "traffic 24/7: no idle hours to save, every request is billed at the pay-per-use rate")
    else:
        r["traffic_pattern"] = f"{shape}: capacity is scheduled hour by hour for the busiest minute, at least {DEFAULT_MIN_REPLICAS} replicas"
        r["continuous_24_7"] = (f"traffic in {active:.0%} of the month's hours: the idle hours still pay the {DEFAULT_MIN_REPLICAS}-replica floor (${floor_usd:,.0f}/month)"
                                if active < 0.999 else f"traffic 24/7: the always-on floor (${floor_usd:,.0f}/month) is used all month")
    if platform == "triton":
        r["cpu_gpu"] = f"GPU instance (g4dn.xlarge, D1) at Triton's documented {plan['throughput_rps']:g} infer/s with dynamic batching (F1), for a model with a GPU build"
    elif platform == "eks" and plan.get("gpu_workers"):
        r["cpu_gpu"] = f"GPU worker nodes (g4dn.xlarge, D1) at {plan['throughput_rps']:g} infer/s without batching (F1)"
    else:
        need = {"required": "the model needs a GPU, which", "optional": "the model also runs on CPU:",
                "no": "the model runs on CPU:"}[profile.gpu]
        where = {"lambda": "Lambda (CPU only, A27)", "sagemaker-serverless": "SageMaker Serverless (CPU only, B7)",
                 "fargate": "Fargate (CPU only)", "sagemaker": f"ml.m5.large, {plan.get('workers')} worker(s) per instance",
                 "eks": f"{plan.get('worker')} nodes, {plan.get('workers')} Serve replica(s) per node"}[platform]
        r["cpu_gpu"] = f"{need} {where}"
    if platform == "lambda":
        zip_mb = (lims["zip_unzipped_mb"].value if "zip_unzipped_mb" in lims
                  else facts.number("aws.lambda.zip.unzipped_max_mb"))
        image_gb = (lims["image_mb"].value if "image_mb" in lims
                    else facts.number("aws.lambda.container_image.max_mb")) / 1024
        r["artifact"] = (f"{profile.artifact_mb:,.0f} MB fits a .zip package (at most {zip_mb:,.0f} MB unzipped, A12)"
                         if profile.artifact_mb <= zip_mb else
                         f"{profile.artifact_mb:,.0f} MB is above the {zip_mb:,.0f} MB .zip limit (A12): ship a container image (up to {image_gb:g} GB, A13), with a longer cold start")
    elif platform == "sagemaker-serverless":
        image_gb = facts.number("aws.sagemaker_serverless.container_image.max_mb") / 1024
        r["artifact"] = (f"{profile.artifact_mb:,.0f} MB container image (up to {image_gb:g} GB, B9), "
                         f"{cost_model.SERVERLESS_PRICED_MB / 1024:g} GB memory")
    else:
        r["artifact"] = f"{profile.artifact_mb:,.0f} MB container image; no package-size limit in the sources"
    r["cost"] = (f"${usd:,.2f} a month at {_rate(profile.mean_rps)} req/s on average "
                 f"({profile.mean_rps * SECONDS_PER_MONTH / 1e6:,.2f} M requests)")
    verdict = "meets" if exp.meets(profile.latency_slo_ms) else "misses"
    extra = f", {exp.cold_fraction:.2%} cold" if platform in PAY_PER_USE else ""
    drop = f", {exp.dropped} throttled" if exp.dropped else ""
    r["cold_starts"] = f"p99 {exp.p99_ms:,.0f} ms{extra}{drop}: {verdict} the {profile.latency_slo_ms:g} ms SLO ({exp.model})"
    return r


# -- the decision --------------------------------------------------------------------------------------------------------
def decide(profile: Profile, *, prices: pricing.PriceTable | None = None,
           limits: tuple[limits_mod.Limit, ...] | None = None, seed: int = 0, flip: bool = True,
           simulate: bool = True, preferences: Preferences | None = None,
           model: ModelProfile | None = None) -> Decision:
    """Rank the platforms for ``profile`` (deterministic for a ``seed``). ``flip=False`` skips the flip search;
    ``simulate=False`` skips the cold-start simulation (every platform then counts as meeting the SLO: a quick,
    cost-and-limits-only ranking, used to test whether a missing field could change an answer). ``preferences``:
    the stated criterion and constraints (module docstring, step 3). ``model``: the cost model's view of the service
    when the caller has a measured one (a post's :class:`ModelProfile`, so that its decision and its cost curves
    price the same requests); default :func:`model_of` the profile."""
    table = prices if prices is not None else pricing.load()
    lims = limits if limits is not None else limits_mod.load()
    model = model if model is not None else model_of(profile)
    w = profile.workload()
    active = w.active_hour_fraction
    ranked: list[Assessment] = []
    ruled_out: dict[str, str] = {}
    window = ""
    for platform in PLATFORMS:
        broken = limits_mod.violations(profile, platform, lims)
        opts, plan, excluded = platform_options(platform, profile, table)
        if platform == "lambda":
            plan["lambda_memory_mb"] = model.lambda_memory_mb
        if broken:
            ruled_out[platform] = "; ".join(broken)
            continue
        if opts is None:
            ruled_out[platform] = excluded
            continue
        bill = monthly_cost(platform, w, model, prices=table, **opts)
        usd = float(bill.monthly_usd)
        if not math.isfinite(usd):
            ruled_out[platform] = "; ".join(bill.notes[-1:]) or "cannot serve this traffic"
            continue
        floor = 0.0 if platform in PAY_PER_USE else float(
            monthly_cost(platform, w, model, mean_rps=0.0, prices=table, **opts).monthly_usd)
        plan["replicas_before"], plan["replicas_peak"] = fleet_sizes(platform, profile, plan, profile.mean_rps)
        exp = (exposure_mod.simulate(profile, platform, plan, seed=seed) if simulate else
               exposure_mod.Exposure(platform, 0.0, 0.0, 0, "not simulated", "not simulated"))
        window = exp.window
        reasons = _reasons(platform, profile, plan, usd, floor, exp, limits_mod.of(platform, lims), active)
        items = {k: float(v) for k, v in bill.items.items()}
        ranked.append(Assessment(platform, usd, exp.p99_ms, exp.meets(profile.latency_slo_ms), reasons, plan, items,
                                 exp.model))
    if preferences is None:
        ranked.sort(key=lambda a: (not a.meets_slo, a.monthly_usd))
        criterion, flip_text, figs = _deciding(profile, ranked, ruled_out, table, lims, model, flip)
        return Decision(profile, tuple(ranked), ruled_out, criterion, flip_text, figs, window, table.name)
    costed = sorted(ranked, key=lambda a: a.monthly_usd)
    kept, excluded = _constrain(ranked, preferences)
    kept.sort(key=lambda a: _order(a, preferences))
    criterion, flip_text, figs = _deciding(profile, kept, ruled_out, table, lims, model, flip, preferences)
    if kept and costed and costed[0].platform in excluded:
        c = costed[0]
        criterion = f"stated constraint ({excluded[c.platform]})"
        flip_text = (f"{PLATFORM_LABELS[c.platform]} would be cheaper (${c.monthly_usd:,.2f} a month) but breaks your "
                     f"constraint: {excluded[c.platform]}; " + flip_text)
    elif not kept and excluded:
        criterion, flip_text = "stated constraints", "every platform within the hard limits breaks a stated constraint"
    if simulate and kept and not preferences.slo_stated:
        top = kept[0]
        faster = [a for a in kept[1:] if a.p99_ms < top.p99_ms]
        if faster:
            alt = min(faster, key=lambda a: a.monthly_usd)
            figs["slo_flip_ms"] = float(top.p99_ms)
            figs["slo_flip_platform"] = alt.platform
            flip_text += (f"; the p99 SLO was not stated: {PLATFORM_LABELS[top.platform]}'s simulated p99 is "
                          f"{top.p99_ms:,.0f} ms, so with a p99 target from {alt.p99_ms:,.0f} ms to under "
                          f"{top.p99_ms:,.0f} ms {PLATFORM_LABELS[alt.platform]} would come first")
    return Decision(profile, tuple(kept), ruled_out, criterion, flip_text, figs, window, table.name, excluded)


def _constrain(ranked: list[Assessment], prefs: Preferences) -> tuple[list[Assessment], dict[str, str]]:
    """The assessments that meet the stated constraints, and the others with the constraint each breaks."""
    kept: list[Assessment] = []
    excluded: dict[str, str] = {}
    cold_ms = init_ms()
    tight = prefs.slo_ms is not None and prefs.slo_ms < cold_ms
    zero = (prefs.scale_to_zero and not (prefs.no_cold_starts or tight)
            and any(a.platform in PAY_PER_USE for a in ranked))
    for a in ranked:
        if prefs.no_cold_starts and a.platform in PAY_PER_USE:
            excluded[a.platform] = ("no cold starts: it starts an instance on the request path (provisioned "
                                    "concurrency, not costed here, would be needed)")
        elif tight and a.platform in PAY_PER_USE:
            excluded[a.platform] = (f"p99 under {prefs.slo_ms:,.0f} ms: a cold start on the request path (INIT about "
                                    f"{cold_ms / 1000:.1f} s, G10) breaks it")
        elif zero and a.platform not in PAY_PER_USE:
            excluded[a.platform] = "scale to zero: it keeps at least one instance running while idle"
        elif prefs.max_monthly_usd is not None and a.monthly_usd > prefs.max_monthly_usd:
            excluded[a.platform] = f"at most ${prefs.max_monthly_usd:,.0f} a month (it costs ${a.monthly_usd:,.2f})"
        else:
            kept.append(a)
    return kept, excluded


def _order(a: Assessment, prefs: Preferences) -> tuple[Any, ...]:
    slo = (not a.meets_slo,) if prefs.slo_stated else ()
    if prefs.objective == "latency":
        return (*slo, round(a.p99_ms), a.monthly_usd)
    return (*slo, a.monthly_usd)


def _deciding(profile: Profile, ranked: list[Assessment], ruled_out: dict[str, str], table: pricing.PriceTable,
              lims: tuple[limits_mod.Limit, ...], model: ModelProfile, search: bool,
              prefs: Preferences | None = None) -> tuple[str, str, dict[str, Any]]:
    if not ranked:
        return "hard limits", "every platform is ruled out by a hard limit", {}
    top = ranked[0]
    label = PLATFORM_LABELS[top.platform]
    if len(ranked) == 1:
        return ("hard limits", f"only {label} is within every limit: "
                + "; ".join(f"{PLATFORM_LABELS[p]}: {r}" for p, r in ruled_out.items()), {"platform": top.platform})
    cheapest = min(ranked, key=lambda a: a.monthly_usd)
    if prefs is not None and prefs.objective == "latency" and cheapest.platform != top.platform:
        return ("lowest latency (stated)",
                f"{PLATFORM_LABELS[cheapest.platform]} is cheaper (${cheapest.monthly_usd:,.0f} against "
                f"${top.monthly_usd:,.0f} a month) but its p99 is {cheapest.p99_ms:,.0f} ms against "
                f"{top.p99_ms:,.0f} ms: with cost as the criterion it would come first",
                {"platform": cheapest.platform})
    if cheapest.platform != top.platform and top.meets_slo:
        return ("latency SLO (cold starts)",
                f"{PLATFORM_LABELS[cheapest.platform]} is cheaper (${cheapest.monthly_usd:,.0f} against "
                f"${top.monthly_usd:,.0f} a month) but its p99 is {cheapest.p99_ms:,.0f} ms: with an SLO above "
                f"{cheapest.p99_ms:,.0f} ms it would come first",
                {"platform": cheapest.platform, "slo_ms": float(cheapest.p99_ms)})
    crit = "cost" if top.meets_slo or (prefs is not None and not prefs.slo_stated) else \
        "cost (no platform meets the latency SLO)"
    if not search:
        return crit, "not searched", {}
    return (crit, *_cost_flip(profile, top.platform, [a.platform for a in ranked], table, lims, model))


def _cheapest_by_rate(profile: Profile, platforms: list[str], rates: np.ndarray, table: pricing.PriceTable,
                      lims: tuple[limits_mod.Limit, ...], model: ModelProfile) -> np.ndarray:
    """Index (into ``platforms``) of the cheapest platform within its limits at each mean rate."""
    options = {p: platform_options(p, profile, table)[0] or {} for p in platforms}
    c = curves_mod.cost_curves(profile.workload(), rates, model, platforms=options, prices=table,
                               infeasible=_rate_limits(profile, lims))
    return np.argmin(np.stack([c[p] for p in platforms]), axis=0)


def _cost_flip(profile: Profile, top: str, platforms: list[str], table: pricing.PriceTable,
               lims: tuple[limits_mod.Limit, ...], model: ModelProfile) -> tuple[str, dict[str, Any]]:
    """The nearest mean rate (above and below the profile's) at which another platform becomes the cheapest."""
    m = profile.mean_rps
    i_top = platforms.index(top)
    found: dict[str, tuple[float, str]] = {}
    for direction, far in (("above", m * 1e4), ("below", m / 1e4)):
        grid = np.geomspace(m, far, 401)
        idx = _cheapest_by_rate(profile, platforms, grid, table, lims, model)
        change = np.flatnonzero(idx != i_top)
        if change.size == 0:
            continue
        k = int(change[0])
        if k == 0:
            continue
        inside, outside = float(grid[k - 1]), float(grid[k])
        for _ in range(40):
            mid = math.sqrt(inside * outside)
            j = int(_cheapest_by_rate(profile, platforms, np.array([mid]), table, lims, model)[0])
            if j == i_top:
                inside = mid
            else:
                outside, k_plat = mid, j
            if abs(outside / inside - 1) < 1e-4:
                break
        j = int(_cheapest_by_rate(profile, platforms, np.array([outside]), table, lims, model)[0])
        found[direction] = (outside, platforms[j])
    label = PLATFORM_LABELS[top]
    figs: dict[str, Any] = {}
    parts = []
    for direction in ("above", "below"):
        if direction in found:
            x, other = found[direction]
            r = profile.workload().rates(x)
            figs[f"{direction}_mean_rps"] = float(r.mean_rps)
            figs[f"{direction}_busy_rps"] = float(r.busy_hour_rps)
            figs[f"{direction}_requests_per_month"] = float(r.requests_per_month)
            figs[f"{direction}_platform"] = other
            parts.append(f"{direction} {fmt.rate(r.mean_rps)} on average ({fmt.rate(r.busy_hour_rps)} in the busiest "
                         f"hour), {PLATFORM_LABELS[other]} becomes cheaper")
    if not parts:
        return (f"{label} stays the cheapest from {fmt.rate(m / 1e4)} to {fmt.rate(m * 1e4)} on average", figs)
    return "; ".join(parts), figs


def _engine_curves(profile: Profile, table: pricing.PriceTable,
                   lims: tuple[limits_mod.Limit, ...]) -> tuple[dict[str, dict[str, Any]], curves_mod.Infeasible]:
    """The decision engine's inputs to the cost curves: the options of each platform that passes the profile's hard
    limits and can be sized (:func:`platform_options`), and the rate-dependent limit (SageMaker Serverless' cap on
    the profile's peak concurrency)."""
    options: dict[str, dict[str, Any]] = {}
    for p in PLATFORMS:
        if limits_mod.violations(profile, p, lims):
            continue
        opts, _, _ = platform_options(p, profile, table)
        if opts is not None:
            options[p] = opts
    return options, _rate_limits(profile, lims)


def _rate_limits(profile: Profile, lims: tuple[limits_mod.Limit, ...]) -> curves_mod.Infeasible:
    """The limits that depend on the request rate: SageMaker Serverless' cap on the profile's peak concurrency."""
    cap = limits_mod.of("sagemaker-serverless", lims).get("concurrency")

    def infeasible(platform: str, rates: np.ndarray) -> np.ndarray:
        if platform != "sagemaker-serverless" or cap is None:
            return np.zeros(rates.shape, dtype=bool)
        # the busiest rate scales with the mean for a given shape: one Workload, not one per rate
        return np.asarray(rates, dtype=float) * (profile.peak_concurrency() / profile.mean_rps) > cap.value

    return infeasible


def cost_curves(profile: Profile, mean_rps: Any, *, prices: pricing.PriceTable | None = None,
                model: ModelProfile | None = None) -> dict[str, np.ndarray]:
    """Monthly cost (USD) of each platform that passes the profile's hard limits, over ``mean_rps`` (req/s) for the
    profile's traffic shape (``inf`` where a rate-dependent limit rules it out); ``model`` as in :func:`decide`.
    The curves are :func:`mlopsbook.costs.curves.cost_curves` with the engine's sizing and limits."""
    table = prices if prices is not None else pricing.load()
    options, infeasible = _engine_curves(profile, table, limits_mod.load())
    return curves_mod.cost_curves(profile.workload(), mean_rps, model if model is not None else model_of(profile),
                                  platforms=options, prices=table, infeasible=infeasible)


def crossing(profile: Profile, platform: str, *, against: str = "lambda", model: ModelProfile | None = None,
             prices: pricing.PriceTable | None = None, limits: tuple[limits_mod.Limit, ...] | None = None,
             lo_rps: float = 1e-4, hi_rps: float = 1e4) -> float:
    """The lowest mean rate (req/s) at which ``platform`` costs no more than ``against``:
    :func:`mlopsbook.costs.curves.break_even_rps` with the decision engine's sizing and rate-dependent limits, for
    the profile's traffic shape. ``nan`` when it never does up to ``hi_rps`` or either platform is ruled out."""
    table = prices if prices is not None else pricing.load()
    options, infeasible = _engine_curves(profile, table, limits if limits is not None else limits_mod.load())
    if against not in options or platform not in options:
        return float("nan")
    return curves_mod.break_even_rps(profile.workload(), platform, model if model is not None else model_of(profile),
                                     against=against, other_options=options[platform],
                                     against_options=options[against], prices=table, infeasible=infeasible,
                                     lo_rps=lo_rps, hi_rps=hi_rps)


def _rate(x: float) -> str:
    """A request rate for a sentence (:func:`mlopsbook.formatting.rate`, without the unit)."""
    return fmt.rate(x, unit="")
