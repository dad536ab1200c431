"""The verdict on C5 (CPU inference fast enough): threshold tests with margins, on synthetic measured profiles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlopsbook.publishing.claims import Status
from mlopsbook.nlp import measure
from mlopsbook.reproductions.engineering_culture_leadership import cpu_inference as verdicts


def _profile(p95_by_words: dict[int, float], classify_p95: float = 5.0) -> dict:
    lat = {}
    for n in measure.LENGTHS_WORDS:
        p95 = p95_by_words[n]
        lat[str(n)] = {
            "score": {"p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95, "max_ms": p95, "n": 5},
            "classify": {"p50_ms": classify_p95 / 2, "p95_ms": classify_p95, "p99_ms": classify_p95, "max_ms": 1, "n": 5},
            "entities": {"p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95, "max_ms": p95, "n": 5},
        }
    return {"latency_by_words": lat, "duration_ms": p95_by_words[500] / 2, "throughput_docs_per_s": 30.0}


@pytest.mark.parametrize("p95, expected", [(10, "meets"), (50, "meets"), (50.1, "near"), (399, "near"), (400, "misses")])
def test_latency_test_margins(p95, expected):
    assert verdicts.latency_test(p95) == expected


@given(st.floats(0.01, 1e5), st.floats(1.0, 10.0))
def test_latency_test_monotone(p95, k):
    order = {"meets": 0, "near": 1, "misses": 2}
    assert order[verdicts.latency_test(p95)] <= order[verdicts.latency_test(p95 * k)]


def test_c5_holds_under_conditions_when_short_documents_meet():
    v = verdicts.verdict_c5(_profile({100: 10, 500: 60, 2500: 250, 10000: 800}))
    assert v.status is Status.HOLDS_UNDER_CONDITIONS
    assert "GPU would not rescue" in v.summary and "transformer" in v.conditions
    assert v.figures["20_pages_both_models"] == "misses"


def test_c5_text_ignores_undecided_lengths():
    """Timings in the undecided band do not change the verdict's text (so re-runs compare equal)."""
    a = verdicts.verdict_c5(_profile({100: 10, 500: 60, 2500: 250, 10000: 800}))
    b = verdicts.verdict_c5(_profile({100: 12, 500: 190, 2500: 390, 10000: 900}))
    assert a == b or (a.summary, a.conditions, a.status) == (b.summary, b.conditions, b.status)


def test_c5_refuted_when_a_paragraph_misses():
    v = verdicts.verdict_c5(_profile({100: 500, 500: 900, 2500: 2000, 10000: 8000}))
    assert v.status is Status.REFUTED


def test_c5_undecided_near_the_target():
    v = verdicts.verdict_c5(_profile({100: 120, 500: 150, 2500: 300, 10000: 800}))
    assert v.status is Status.NOT_REPRODUCED_YET and v.reason
