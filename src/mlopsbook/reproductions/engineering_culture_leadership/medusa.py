"""The Medusa page's claim: C11 ("AI Medusa, a chatbot designed to guide DS/engineers on how to deploy"), from the
assistant's evaluation (:mod:`mlopsbook.medusa.evaluate`). Deterministic and a few seconds long."""

from __future__ import annotations

from mlopsbook.publishing.claims import Status, Verdict

C11_THRESHOLD = 0.9
"""The share of the held-out TEST questions (paraphrases of public questions, ``data/medusa/test-questions.yaml``) for
which Medusa must recommend an allowed platform for C11 to hold (issue 14's goal). The same share of the development
set's answers must link an expected book section."""
C11_LIMIT_THRESHOLD = 11
"""Of the 12 questions written from AWS's published limits, how many answers must name a platform within them."""
ALLOWED_THRESHOLD = 0.9
"""The share of the FROZEN questions (``data/medusa/frozen-questions.yaml``, written from public threads before the
reader of issue 24) whose recommendation must be allowed; none may be ruled out by a fact the question states."""
FIELD_RECALL_THRESHOLD = 0.9
FIELD_RECALL_KINDS: tuple[str, ...] = ("rate", "payload", "size", "request time", "GPU need")
"""The kinds of quantity whose field-level recall on the frozen set must reach :data:`FIELD_RECALL_THRESHOLD`."""


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
