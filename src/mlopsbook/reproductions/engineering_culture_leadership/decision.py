"""The decision page: the post's NLP services as a profile, contrasting profiles in which each other platform wins,
and the verdict on C8 ("we ended up deploying everything on AWS Lambda", by the post's decision matrix).

The post gives no traffic figures, so the traffic of :func:`post_profile` is an **assumption**, stated in
:data:`POST_TRAFFIC`: customer-facing document services used in office hours, about a million documents a month.
Everything about the models (artifact size, latency per request, memory) comes from the CPU-inference measurement
(:mod:`mlopsbook.nlp`), never typed here: :func:`measured_nlp` reads the committed measurement record.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

import math
from dataclasses import replace

from mlopsbook import formatting as fmt
from mlopsbook.errors import MlopsbookError
from mlopsbook.publishing.claims import Status, Verdict
from mlopsbook.costs import pricing
from mlopsbook.costs.curves import DEFAULT_ALTERNATIVES, break_even_rps
from mlopsbook.costs.model import PLATFORM_LABELS, ModelProfile
from mlopsbook.costs.traffic import Workload
from mlopsbook.decide import limits
from mlopsbook.decide.profile import Profile
from mlopsbook.decide.rank import Decision, decide
from mlopsbook.reproductions.engineering_culture_leadership.profile import post_model, recorded

POST_TRAFFIC: dict[str, Any] = {
    "traffic_pattern": "business-hours",
    "requests_per_month": 1_000_000,
    "gpu": "no",
    "latency_slo_ms": 1000.0,
}
"""ASSUMPTIONS for the post's services (the post states none): office-hours traffic (customer-facing legal documents),
one million requests a month, no GPU (the models are scikit-learn and spaCy CPU pipelines), a p99 of 1 s."""

MEASURED_KEYS = ("artifact_mb", "model_latency_ms", "memory_mb")


def measured_nlp() -> dict[str, float]:
    """The NLP services' measured artifact size, latency and memory (``artifact_mb``, ``model_latency_ms``,
    ``memory_mb``), from the committed measurement record (:func:`.profile.recorded`), so
    the decision is the same on every machine that builds the book.

    Of the two services the larger figures are taken (one deployment recipe for both): the profile is the harder one.
    """
    return _as_measurement(recorded())


def _as_measurement(raw: Any) -> dict[str, float]:
    data = raw if isinstance(raw, Mapping) else getattr(raw, "__dict__", {})
    missing = [k for k in MEASURED_KEYS if k not in data]
    if missing:
        raise MlopsbookError(f"nlp_profile: missing {', '.join(missing)} (got {', '.join(map(str, data))})")
    return {k: float(data[k]) for k in MEASURED_KEYS}


def post_profile(measured: Mapping[str, float] | None = None) -> Profile:
    """The post's NLP services as a profile: measured model figures plus the stated traffic assumptions.

    ``measured`` defaults to :func:`measured_nlp`.
    """
    if measured is None:
        m = measured_nlp()
        # the cost model's latency (rounded to 0.1 ms, profile.post_model): the decision and the curves price the same
        m["model_latency_ms"] = post_model().cpu_ms
    else:
        m = dict(measured)
    from mlopsbook.nlp.service import MAX_TEXT_CHARS

    w = Workload.from_requests_per_month(POST_TRAFFIC["traffic_pattern"], POST_TRAFFIC["requests_per_month"])
    return Profile(
        traffic_pattern=POST_TRAFFIC["traffic_pattern"], mean_rps=w.mean_rps,
        peak_rps=float(w.peak_rps), gpu=POST_TRAFFIC["gpu"],
        artifact_mb=float(m["artifact_mb"]), model_latency_ms=float(m["model_latency_ms"]),
        memory_mb=float(m["memory_mb"]), latency_slo_ms=POST_TRAFFIC["latency_slo_ms"],
        payload_kb=MAX_TEXT_CHARS / 1000.0,  # the services' largest accepted document (UTF-8, ASCII text: 1 byte/char)
        name="the post's NLP services")


def with_traffic(profile: Profile, traffic_pattern: str, requests_per_month: float, **fields: Any) -> Profile:
    """``profile`` with another traffic, its shape and monthly volume (the mean and peak rates follow from them, as
    for the post's profile), and any other fields replaced (``model_latency_ms=80.0``, ``latency_slo_ms=500``, ...).
    The result is validated as any profile is."""
    import dataclasses

    w = Workload.from_requests_per_month(traffic_pattern, requests_per_month)
    return dataclasses.replace(profile, traffic_pattern=traffic_pattern, mean_rps=w.mean_rps,
                               peak_rps=float(w.peak_rps), **fields)


CONTRASTS: dict[str, dict[str, Any]] = {
    "lambda": dict(name="internal tool, a few thousand calls a day", traffic_pattern="business-hours", mean_rps=0.05,
                   peak_rps=0.187, gpu="no", artifact_mb=90, model_latency_ms=60, memory_mb=1024,
                   latency_slo_ms=3000, payload_kb=50),
    "fargate": dict(name="steady API, 30 req/s around the clock", traffic_pattern="steady", mean_rps=30, peak_rps=30,
                    gpu="no", artifact_mb=400, model_latency_ms=50, memory_mb=1024, latency_slo_ms=500,
                    payload_kb=20),
    "sagemaker": dict(name="memory-heavy CPU model, 280 req/s steady", traffic_pattern="steady", mean_rps=280,
                      peak_rps=280, gpu="no", artifact_mb=3000, model_latency_ms=50, memory_mb=4096,
                      latency_slo_ms=500, payload_kb=100),
    "sagemaker-serverless": dict(name="tiny fast model, bursty webhooks", traffic_pattern="bursty", mean_rps=20,
                                 peak_rps=500, gpu="no", artifact_mb=600, model_latency_ms=3, memory_mb=3072,
                                 latency_slo_ms=2000, payload_kb=5),
    "eks": dict(name="high-volume CPU scoring, 600 req/s", traffic_pattern="steady", mean_rps=600, peak_rps=600,
                gpu="no", artifact_mb=500, model_latency_ms=50, memory_mb=1024, latency_slo_ms=500, payload_kb=10),
    "triton": dict(name="GPU transformer, 300 req/s", traffic_pattern="steady", mean_rps=300, peak_rps=300,
                   gpu="required", artifact_mb=2000, model_latency_ms=20, memory_mb=4096, latency_slo_ms=500,
                   payload_kb=10),
}
"""One profile per platform, chosen so that platform ranks first (each checked by a test). Illustrations of where
each platform wins, not measurements of real services."""


def contrasts() -> dict[str, Profile]:
    """The contrasting profiles, by the platform expected to win."""
    return {p: Profile.from_mapping(d) for p, d in CONTRASTS.items()}


def contrast_table(seed: int = 0) -> pd.DataFrame:
    """Each contrasting profile, its winner, deciding criterion, monthly cost and the runner-up."""
    rows = []
    for expected, prof in contrasts().items():
        d = decide(prof, seed=seed)
        top = d.ranking[0]
        rows.append({
            "profile": prof.name, "pattern": prof.traffic_pattern, "mean_rps": prof.mean_rps, "gpu": prof.gpu,
            "memory_mb": prof.memory_mb, "latency_ms": prof.model_latency_ms,
            "first": PLATFORM_LABELS[top.platform], "usd_per_month": round(top.monthly_usd, 0),
            "runner_up": PLATFORM_LABELS[d.ranking[1].platform] if len(d.ranking) > 1 else "-",
            "deciding": d.deciding_criterion, "expected": PLATFORM_LABELS[expected],
        })
    return pd.DataFrame(rows)


def post_decision(seed: int = 0, measured: Mapping[str, float] | None = None, *,
                  prices: pricing.PriceTable | None = None) -> Decision:
    """The decision engine on the post's profile, pricing requests with the post's measured cost model
    (:func:`.profile.post_model`: the same latency, INIT and Lambda memory as the cost curves), so that the flip point
    and the cost curves' break-evens are one computation."""
    profile = post_profile(measured)
    return decide(profile, seed=seed, prices=prices, model=cost_model(profile))


def cost_model(profile: Profile) -> ModelProfile:
    """The post's cost model (:func:`.profile.post_model`) at the profile's latency: what the decision engine prices
    the post's requests with, so that its flip point and the cost curves' break-evens are one computation."""
    m = post_model()
    return m if profile.model_latency_ms == m.cpu_ms else replace(m, cpu_ms=profile.model_latency_ms)


def cost_crossings(profile: Profile, *, prices: pricing.PriceTable | None = None) -> dict[str, float]:
    """Pure-cost break-evens of Lambda against each platform for the profile's traffic shape (mean req/s, ``nan``
    when Lambda stays cheaper), on the cost curves' path (:func:`mlopsbook.costs.curves.break_even_rps`)."""
    t = prices if prices is not None else pricing.load()
    w = profile.workload()
    return {o: break_even_rps(w, o, cost_model(profile), prices=t) for o in DEFAULT_ALTERNATIVES}


def flip_constraint(d: Decision, *, prices: pricing.PriceTable | None = None) -> str:
    """What moved the decision's flip point away from the pure-cost crossing: ``""`` when they agree, else a
    sentence naming the limit, exclusion or SLO that did."""
    above = d.flip_figures.get("above_mean_rps")
    if above is None:
        return ""
    crossings = {p: x for p, x in cost_crossings(d.profile, prices=prices).items() if not math.isnan(x)}
    if not crossings:
        return ""
    first = min(crossings, key=crossings.__getitem__)
    if first == d.flip_figures["above_platform"] and math.isclose(crossings[first], float(above), rel_tol=1e-3):
        return ""
    w = d.profile.workload()
    reasons = []
    for p, x in sorted(crossings.items(), key=lambda kv: kv[1]):
        if x >= float(above) * (1 - 1e-3):
            break
        why = d.ruled_out.get(p) or (
            "its 200 concurrent requests limit (B8) at that rate" if p == "sagemaker-serverless" else "a limit")
        reasons.append(f"{PLATFORM_LABELS[p]} would undercut Lambda from {fmt.rate(w.rates(x).busy_hour_rps)} in the "
                       f"busiest hour on cost alone, but is ruled out by {why}")
    return "; ".join(reasons)


def verdict_c8(seed: int = 0, measured: dict[str, float] | None = None) -> Verdict:
    """C8: the post's decision matrix, applied to the NLP services' profile, ranks Lambda first. ``measured``
    (``artifact_mb``, ``model_latency_ms``, ``memory_mb``) defaults to the CPU-inference measurement."""
    profile = post_profile(measured)
    d = post_decision(seed, measured)
    top = d.ranking[0] if d.ranking else None
    figs: dict[str, float | int | str] = {
        "first": d.recommendation, "deciding": d.deciding_criterion,
        "artifact_mb": profile.artifact_mb, "model_latency_ms": profile.model_latency_ms,
        "memory_mb": profile.memory_mb, "mean_rps": profile.mean_rps,
        "requests_per_month": float(POST_TRAFFIC["requests_per_month"]),
    }
    if top is not None:
        figs["first_usd_per_month"] = float(top.monthly_usd)
        figs["first_p99_ms"] = float(top.p99_ms)
    for k, v in d.flip_figures.items():
        figs[f"flip_{k}"] = v if isinstance(v, str) else float(v)
    if d.recommendation != "lambda":
        return Verdict("C8", Status.REFUTED,
                       f"On the services' measured profile and the stated traffic, the matrix ranks "
                       f"{PLATFORM_LABELS.get(d.recommendation, d.recommendation)} first, not Lambda "
                       f"(deciding criterion: {d.deciding_criterion}).", figures=figs)
    runner = d.ranking[1] if len(d.ranking) > 1 else None
    lam = limits.of("lambda")
    zip_mb = lam["zip_unzipped_mb"].value
    summary = (
        f"Applied to the NLP services (measured: about {fmt.size_mb(profile.artifact_mb)} artifact, "
        f"{fmt.latency_ms(profile.model_latency_ms)} per request on one vCPU, {fmt.size_mb(profile.memory_mb)}; "
        f"assumed: business-hours traffic of {fmt.count(POST_TRAFFIC['requests_per_month'])} requests a month, no GPU, "
        f"p99 SLO {fmt.latency_ms(profile.latency_slo_ms)}), the matrix ranks Lambda first ("
        + ("inside its monthly free tier" if top.monthly_usd < 0.005 else f"about {fmt.usd(top.monthly_usd)} a month")
        + (f"), ahead of {PLATFORM_LABELS[runner.platform]}" if runner else ")")
        + f"; the deciding criterion is {d.deciding_criterion}."
        + (f" The package is above Lambda's {zip_mb:,.0f} MB .zip limit, so it ships as a container image (A12, A13)."
           if profile.artifact_mb > zip_mb else ""))
    cond = (f"the model needs no GPU and fits Lambda's hard limits ({lam['memory_mb'].value:,.0f} MB memory, "
            f"{lam['image_mb'].value / 1024:g} GB container image, {lam['timeout_ms'].value / 1000:g} s per "
            f"request, {lam['payload_kb'].value / 1024:g} MB payload)")
    if "above_mean_rps" in d.flip_figures:
        r = profile.workload().rates(float(d.flip_figures["above_mean_rps"]))
        moved = flip_constraint(d)
        figs["flip_constraint"] = moved
        cond = (f"traffic below {r.phrase(profile.traffic_pattern)}; above that "
                f"{PLATFORM_LABELS[str(d.flip_figures['above_platform'])]} is cheaper, the same crossing as the cost "
                f"curves' (C7)" + (f" except where a constraint moves it: {moved}" if moved else "") + "; and " + cond)
    return Verdict("C8", Status.HOLDS_UNDER_CONDITIONS, summary, conditions=cond, figures=figs)
