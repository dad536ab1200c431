"""Medusa on the post's evaluation sets (C11): the accuracy goals the post's verdict states, and the verdict reading
the test set."""

from __future__ import annotations

from mlopsbook.medusa import evaluate
from mlopsbook.publishing.claims import Status
from mlopsbook.reproductions.engineering_culture_leadership.medusa import C11_LIMIT_THRESHOLD, C11_THRESHOLD, verdict_c11


def test_test_set_accuracy_meets_the_goal() -> None:
    ev = evaluate.run(evaluate.TEST_FILE)
    assert ev.recommendation_accuracy >= C11_THRESHOLD, ev.misses


def test_limit_questions_never_get_a_platform_past_its_limits() -> None:
    ev = evaluate.run(evaluate.LIMITS_FILE)
    assert ev.correct >= C11_LIMIT_THRESHOLD, ev.misses


def test_development_set_still_answered_and_sourced() -> None:
    ev = evaluate.run(evaluate.DEV_FILE)
    assert ev.recommendation_accuracy >= 0.85, ev.misses
    assert ev.source_hit_rate >= C11_THRESHOLD, ev.rows[ev.rows.source_hit == False]  # noqa: E712


def test_verdict_c11_reports_the_test_set() -> None:
    v = verdict_c11()
    ev = evaluate.run(evaluate.TEST_FILE)
    assert v.status is Status.HOLDS_UNDER_CONDITIONS
    assert v.figures["recommendation_accuracy"] == ev.recommendation_accuracy and v.figures["questions"] == ev.n
    assert v.figures["limit_correct"] == evaluate.run(evaluate.LIMITS_FILE).correct
