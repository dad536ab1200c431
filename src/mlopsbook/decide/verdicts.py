"""Verdicts on C8 ("we ended up deploying everything on AWS Lambda", by the decision matrix) and C11 ("AI Medusa, a
chatbot designed to guide DS/engineers on how to deploy"). Both deterministic and a few seconds long."""

from __future__ import annotations

from mlopsbook.claims import Status, Verdict
from mlopsbook.costs.model import PLATFORM_LABELS
from mlopsbook.decide import cases
from mlopsbook.decide.rank import decide

C11_THRESHOLD = 0.9
"""The share of the held-out TEST questions (paraphrases of public questions, ``data/medusa/test-questions.yaml``) for
which Medusa must recommend an allowed platform for C11 to hold (issue 14's goal). The same share of the development
set's answers must link an expected book section."""
C11_LIMIT_THRESHOLD = 11
"""Of the 12 questions written from AWS's published limits, how many answers must name a platform within them."""


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
    """C11: on questions it was not built with, Medusa recommends an allowed platform (test set) and never one that
    AWS's limits rule out (limit questions); on the development set it links an expected book section."""
    from mlopsbook.medusa import evaluate

    test = evaluate.run(evaluate.TEST_FILE)
    limits = evaluate.run(evaluate.LIMITS_FILE)
    dev = evaluate.run(evaluate.DEV_FILE)
    figs: dict[str, float | int | str] = {
        "questions": test.n, "recommendation_accuracy": test.recommendation_accuracy,
        "source_hit_rate": dev.source_hit_rate, "threshold": C11_THRESHOLD,
        "limit_questions": limits.n, "limit_correct": limits.correct, "dev_questions": dev.n,
    }
    ok = (test.recommendation_accuracy >= C11_THRESHOLD and limits.correct >= C11_LIMIT_THRESHOLD
          and dev.source_hit_rate >= C11_THRESHOLD)
    text = (f"An offline assistant grounded in the book (a quantity reader, the decision engine with AWS's hard limits, "
            f"BM25 over the book's sections) recommends an allowed platform for {test.recommendation_accuracy:.0%} of "
            f"{test.n} held-out questions paraphrased from public forums and issue trackers, and for "
            f"{limits.correct} of {limits.n} questions written from AWS's published limits; on its {dev.n} development "
            f"questions it links an expected section of the book for {dev.source_hit_rate:.0%} "
            f"(thresholds {C11_THRESHOLD:.0%}, {C11_LIMIT_THRESHOLD} of {limits.n}).")
    if not ok:
        return Verdict("C11", Status.REFUTED, text, figures=figs)
    return Verdict("C11", Status.HOLDS_UNDER_CONDITIONS, text,
                   conditions=("for questions within the book's scope (deploying an inference service on the six AWS "
                               "platforms it models), answered from its models, prices and AWS's published limits; it "
                               "is a reader and a decision tool, not a language model: it shows what it read, names "
                               "what it assumed and which assumption would change its answer"),
                   figures=figs)
