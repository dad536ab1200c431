"""The Medusa page's claim: C11 ("AI Medusa, a chatbot designed to guide DS/engineers on how to deploy"), from the
assistant's evaluation (:mod:`mlopsbook.medusa.evaluate`). Deterministic and a few seconds long."""

from __future__ import annotations

from mlopsbook.claims import Status, Verdict

C11_THRESHOLD = 0.8
"""The share of evaluation questions Medusa must answer with the expected platform (and, separately, cite an
expected book section) for C11 to hold: most questions, with a margin (a coin flip between two platforms is 0.5)."""


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
