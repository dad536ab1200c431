"""The decision page of "Engineering culture & leadership": each platform wins the contrasting profile chosen for it,
and the verdict on C8 follows the decision matrix on the services' measured profile."""

from __future__ import annotations

import pytest

from mlopsbook.costs.model import PLATFORM_LABELS
from mlopsbook.decide import rank
from mlopsbook.publishing.claims import Status
from mlopsbook.reproductions.engineering_culture_leadership import decision as cases
from mlopsbook.reproductions.engineering_culture_leadership.decision import verdict_c8


@pytest.mark.parametrize("expected", list(cases.CONTRASTS))
def test_each_platform_wins_its_contrasting_profile(expected: str) -> None:
    d = rank.decide(cases.contrasts()[expected])
    assert d.recommendation == expected, d.to_text()
    assert set(d.ranking[0].reasons) == set(rank.CRITERIA)


def test_verdict_c8_on_a_light_model_holds_with_conditions() -> None:
    v = verdict_c8(measured={"artifact_mb": 120.0, "model_latency_ms": 40.0, "memory_mb": 500.0})
    assert v.status is Status.HOLDS_UNDER_CONDITIONS and v.figures["first"] == "lambda"
    flip = PLATFORM_LABELS[v.figures["flip_above_platform"]]
    assert f"{flip} is cheaper" in v.conditions and "container image" not in v.summary


def test_verdict_c8_refuted_when_the_model_breaks_lambdas_limits() -> None:
    v = verdict_c8(measured={"artifact_mb": 120.0, "model_latency_ms": 40.0, "memory_mb": 12_000.0})
    assert v.status is Status.REFUTED and v.figures["first"] != "lambda"


def test_verdict_c8_on_the_recorded_measurement_states_the_measured_figures() -> None:
    measured = cases.measured_nlp()
    v = verdict_c8()
    assert v.status in (Status.HOLDS_UNDER_CONDITIONS, Status.REFUTED)
    assert v.figures["artifact_mb"] == measured["artifact_mb"] and v.figures["memory_mb"] == measured["memory_mb"]
