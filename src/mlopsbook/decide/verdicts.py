"""Verdicts on C8 ("we ended up deploying everything on AWS Lambda", by the decision matrix) and C11 ("AI Medusa, a
chatbot designed to guide DS/engineers on how to deploy"). Both deterministic and a few seconds long."""

from __future__ import annotations

from mlopsbook.claims import Status, Verdict
from mlopsbook.costs.model import PLATFORM_LABELS
from mlopsbook.decide import cases
from mlopsbook.decide.rank import decide

C11_THRESHOLD = 0.8
"""The share of evaluation questions Medusa must answer with the expected platform (and, separately, cite an
expected book section) for C11 to hold: most questions, with a margin (a coin flip between two platforms is 0.5)."""


def _sig2(x: float) -> str:
    """Two significant figures (measured inputs vary a little between machines; the verdict's text should not)."""
    from math import floor, log10

    if x <= 0:
        return "0"
    digits = max(0, 1 - int(floor(log10(abs(x)))))
    return f"{round(x, 1 - int(floor(log10(abs(x))))):,.{digits}f}"


def verdict_c8(seed: int = 0, measured: dict[str, float] | None = None) -> Verdict:
    """C8: the post's decision matrix, applied to the NLP services' profile, ranks Lambda first. ``measured``
    (``artifact_mb``, ``model_latency_ms``, ``memory_mb``) defaults to the CPU-inference measurement."""
    profile = cases.post_profile(measured)
    if profile is None:
        return Verdict("C8", Status.NOT_REPRODUCED_YET,
                       "The decision engine is built, but the NLP services' measured profile is not available yet.",
                       reason="the CPU-inference measurement (mlopsbook.inference.measure.nlp_profile, issue 5) has not "
                              "landed; the engine takes the artifact size, latency and memory from it, never typed")
    d = decide(profile, seed=seed)
    top = d.ranking[0] if d.ranking else None
    figs: dict[str, float | int | str] = {
        "first": d.recommendation, "deciding": d.deciding_criterion,
        "artifact_mb": profile.artifact_mb, "model_latency_ms": profile.model_latency_ms,
        "memory_mb": profile.memory_mb, "mean_rps": profile.mean_rps,
        "requests_per_month": float(cases.POST_TRAFFIC["requests_per_month"]),
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
    summary = (
        f"Applied to the NLP services (measured: about {_sig2(profile.artifact_mb)} MB artifact, "
        f"{_sig2(profile.model_latency_ms)} ms per request on one vCPU, {_sig2(profile.memory_mb)} MB; assumed: "
        f"business-hours traffic of 1 M requests a month, no GPU, p99 SLO {profile.latency_slo_ms:,.0f} ms), the matrix "
        f"ranks Lambda first ("
        + ("inside its monthly free tier" if top.monthly_usd < 0.005 else f"about ${_sig2(top.monthly_usd)} a month")
        + (f"), ahead of {PLATFORM_LABELS[runner.platform]}" if runner else ")")
        + f"; the deciding criterion is {d.deciding_criterion}."
        + (" The package is above Lambda's 250 MB .zip limit, so it ships as a container image (A12, A13)."
           if profile.artifact_mb > 250 else ""))
    above = d.flip_figures.get("above_busy_rps")
    cond = ("the model needs no GPU and fits Lambda's hard limits (10,240 MB memory, 10 GB container image, 900 s per "
            "request, 6 MB payload)")
    if above is not None:
        cond = (f"office-hours traffic below about {_sig2(float(above))} req/s in the busiest hour "
                f"({_sig2(float(d.flip_figures['above_mean_rps']))} req/s on average); above that "
                f"{PLATFORM_LABELS[str(d.flip_figures['above_platform'])]} is cheaper; and " + cond)
    return Verdict("C8", Status.HOLDS_UNDER_CONDITIONS, summary, conditions=cond, figures=figs)


def verdict_c11() -> Verdict:
    """C11: Medusa answers the evaluation questions with the expected platform and cites the expected sections."""
    from mlopsbook.medusa import evaluate

    ev = evaluate.run()
    figs: dict[str, float | int | str] = {
        "questions": ev.n, "recommendation_accuracy": ev.recommendation_accuracy,
        "source_hit_rate": ev.source_hit_rate, "threshold": C11_THRESHOLD,
    }
    ok = ev.recommendation_accuracy >= C11_THRESHOLD and ev.source_hit_rate >= C11_THRESHOLD
    text = (f"An offline assistant grounded in the book (BM25 over its sections, a field reader, the decision engine) "
            f"recommends the expected platform for {ev.recommendation_accuracy:.0%} of {ev.n} engineers' questions and "
            f"links an expected section for {ev.source_hit_rate:.0%} (threshold {C11_THRESHOLD:.0%}).")
    if not ok:
        return Verdict("C11", Status.REFUTED, text, figures=figs)
    return Verdict("C11", Status.HOLDS_UNDER_CONDITIONS, text,
                   conditions=("for questions within the book's scope (deploying an inference service on the six AWS "
                               "platforms it models), answered from its models and prices; it is a retrieval and "
                               "decision tool, not a language model, and it asks for the fields it cannot read"),
                   figures=figs)
