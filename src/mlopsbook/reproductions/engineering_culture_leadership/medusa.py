"""The Medusa page's claim: C11 ("AI Medusa, a chatbot designed to guide DS/engineers on how to deploy"), from the
assistant's evaluation (:mod:`mlopsbook.medusa.evaluate`): the recommendation sets, and the frozen set read field by
field against the reader at commit 1c842cb (its figures recorded in ``data/medusa/frozen-before-*.csv``). Deterministic;
about ten seconds."""

from __future__ import annotations

import pandas as pd

from mlopsbook.publishing.claims import Status, Verdict

C11_THRESHOLD = 0.9
"""The share of the held-out TEST questions (paraphrases of public questions, ``data/medusa/test-questions.yaml``) for
which Medusa must recommend an allowed platform for C11 to hold (the book's bar for a useful assistant). The same share of the development
set's answers must link an expected book section."""
C11_LIMIT_THRESHOLD = 11
"""Of the 12 questions written from AWS's published limits, how many answers must name a platform within them."""
ALLOWED_THRESHOLD = 0.9
"""The share of the FROZEN questions (``data/medusa/frozen-questions.yaml``, written from public threads before the
reworked reader) whose recommendation must be allowed; none may be ruled out by a fact the question states."""
FIELD_RECALL_THRESHOLD = 0.9
FIELD_RECALL_KINDS: tuple[str, ...] = ("rate", "payload", "size", "request time", "GPU need")
"""The kinds of quantity whose field-level recall on the frozen set must reach :data:`FIELD_RECALL_THRESHOLD`."""


BEFORE_FIELDS = "frozen-before-fields.csv"
BEFORE_SUMMARY = "frozen-before-summary.csv"
AFTER_TIMES = "frozen-after-times.csv"
"""Dated records in ``data/medusa/``: the reader before the change on the frozen set (fields and summary, measured
at its commit), and ``bench_medusa.py --record``'s answer times now (a timing moves with the machine, so the page
reads the record instead of timing itself)."""


def reader_table(frozen: object | None = None) -> pd.DataFrame:
    """Precision and recall per kind of quantity on the frozen set, before (recorded) and now (computed)."""
    from mlopsbook.medusa import evaluate
    from mlopsbook.paths import data_path

    now = (frozen or evaluate.score(evaluate.FROZEN_FILE, flip=False)).fields  # type: ignore[attr-defined]
    before = pd.read_csv(data_path("medusa", BEFORE_FIELDS)).set_index("kind")
    return pd.DataFrame({"stated": now["stated"], "precision before": before["precision"].reindex(now.index),
                         "recall before": before["recall"].reindex(now.index), "precision now": now["precision"],
                         "recall now": now["recall"]}).round(3)


def reader_summary(frozen: object | None = None) -> dict[str, float | int | str]:
    """The frozen set's headline figures before (recorded) and now: allowed share, recommendations a stated fact rules
    out, answer time median and max (recorded by the benchmark)."""
    from mlopsbook.medusa import evaluate
    from mlopsbook.paths import data_path

    ev = frozen or evaluate.score(evaluate.FROZEN_FILE, flip=False)
    before = pd.read_csv(data_path("medusa", BEFORE_SUMMARY)).iloc[0]
    times = pd.read_csv(data_path("medusa", AFTER_TIMES)).iloc[0]
    return {"questions": ev.n, "allowed": ev.allowed_share, "ruled_out": ev.ruled_out,  # type: ignore[attr-defined]
            "allowed_before": float(before["allowed_share"]), "ruled_out_before": int(before["ruled_out"]),
            "median_s_before": float(before["median_s"]), "max_s_before": float(before["max_s"]),
            "median_s": float(times["median_s"]), "max_s": float(times["max_s"]), "times_measured": str(times["measured"]),
            "before_commit": str(before["reader_commit"])}


def verdict_c11() -> Verdict:
    """C11: on questions it was not built with, Medusa recommends an allowed platform (test set) and never one that
    AWS's limits rule out (limit questions); on the development set it links an expected book section."""
    from mlopsbook.medusa import evaluate

    test = evaluate.run(evaluate.TEST_FILE)
    limits = evaluate.run(evaluate.LIMITS_FILE)
    dev = evaluate.run(evaluate.DEV_FILE)
    frozen = evaluate.score(evaluate.FROZEN_FILE, flip=False)
    recall = {k: float(frozen.fields.loc[k, "recall"]) for k in FIELD_RECALL_KINDS}
    figs: dict[str, float | int | str] = {
        "questions": test.n, "recommendation_accuracy": test.recommendation_accuracy,
        "source_hit_rate": dev.source_hit_rate, "threshold": C11_THRESHOLD,
        "limit_questions": limits.n, "limit_correct": limits.correct, "dev_questions": dev.n,
        "frozen_questions": frozen.n, "frozen_allowed": frozen.allowed_share, "frozen_ruled_out": frozen.ruled_out,
        "frozen_min_recall": min(recall.values()),
    }
    ok = (test.recommendation_accuracy >= C11_THRESHOLD and limits.correct >= C11_LIMIT_THRESHOLD
          and dev.source_hit_rate >= C11_THRESHOLD and frozen.allowed_share >= ALLOWED_THRESHOLD
          and frozen.ruled_out == 0 and min(recall.values()) >= FIELD_RECALL_THRESHOLD)
    text = (f"An offline assistant grounded in the book (a quantity reader, the decision engine with AWS's hard limits, "
            f"BM25 over the book's sections) recommends an allowed platform for {test.recommendation_accuracy:.0%} of "
            f"{test.n} held-out questions paraphrased from public forums and issue trackers, and for "
            f"{limits.correct} of {limits.n} questions written from AWS's published limits; on {frozen.n} questions "
            f"written from public threads before its reader was reworked it recommends an allowed platform for "
            f"{frozen.allowed_share:.0%}, none that a fact the question states rules out "
            f"({frozen.ruled_out} such answers), and reads the rate, payload, size, request time and GPU need with a "
            f"recall of at least {min(recall.values()):.0%}; on its {dev.n} development "
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
