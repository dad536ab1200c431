"""Verdict logic (threshold tests with margins), unit costs and the measurement summary, on synthetic profiles."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlopsbook.costs import pricing
from mlopsbook.publishing.claims import Status
from mlopsbook.nlp import measure, unit_cost
from mlopsbook.reproductions.engineering_culture_leadership import cpu_inference as verdicts, profile as post_profile


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


def test_unit_costs_from_prices():
    t = pricing.load()
    u = unit_cost.unit_costs(100.0, 10.0)
    gb_s = 0.1 * 1769 / 1024 * 1e6
    expected = gb_s * t.tiers("lambda.duration.x86_64")[0][2] + t.value("lambda.requests.x86_64", "USD/request") * 1e6
    assert math.isclose(u.lambda_usd_per_million, expected, rel_tol=1e-6)
    speed = unit_cost.published_speed_wps()["en_core_web_lg"]
    assert math.isclose(u.gpu_docs_per_s_estimated, 10.0 * speed["gpu"] / speed["cpu"])
    assert math.isclose(u.gpu_usd_per_month_floor, 0.526 * 730)
    assert math.isclose(u.break_even_docs_per_month, u.gpu_usd_per_month_floor / u.lambda_usd_per_million * 1e6)


def test_unit_costs_reject_bad_input():
    with pytest.raises(ValueError, match="duration_ms"):
        unit_cost.unit_costs(0, 10)
    with pytest.raises(ValueError, match="docs_per_s_one_core"):
        unit_cost.unit_costs(10, -1)


def test_percentiles_and_summary():
    p = measure.percentiles_ms([1.0, 2.0, 3.0, 4.0, 100.0])
    assert p["p50_ms"] == 3.0 and p["max_ms"] == 100.0 and p["n"] == 5 and p["p95_ms"] > 4.0
    with pytest.raises(ValueError, match="samples_ms"):
        measure.percentiles_ms([])
    run = {"latency": {str(n): {**_profile({k: 10.0 for k in measure.LENGTHS_WORDS})["latency_by_words"][str(n)],
                                "words_mean": float(n), "chars_mean": 6.0 * n} for n in measure.LENGTHS_WORDS},
           "init_ms": 1.0, "import_ms": 0.5, "load_ms": 0.5, "process_wall_ms": 2.0, "peak_rss_mb": 100.0,
           "throughput_docs_per_s": 3.0, "throughput_words_per_s": 1500.0, "model_version": "x"}
    slow = {**run, "init_ms": 9.0}
    s = measure.summarise([run, slow, run])
    assert s["init_ms"] == 1.0 and s["n_runs"] == 3 and s["duration_ms"] == 5.0
