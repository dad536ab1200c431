"""The Lambda verdicts of "Engineering culture & leadership" (C6, C9) and the recorded runtime measurement its cost
model uses. C6 and C9 are decided from the built zips run in AWS's runtime client (integration: they build the
packages once, cached under build/)."""

from __future__ import annotations

import copy

import pytest

from mlopsbook.lambdakit import runtime_measure
from mlopsbook.nlp import measure
from mlopsbook.publishing.claims import Status
from mlopsbook.reproductions.engineering_culture_leadership import cpu_inference, profile


def test_recorded_runtime_measurement_feeds_the_cost_model():
    rec = runtime_measure.recorded()
    prof = profile.recorded()
    assert prof["init_ms"] == pytest.approx(rec["classify"]["init_ms"] + rec["entities"]["init_ms"])
    assert runtime_measure.MEASURED_FILE in prof["init_source"]
    for svc in ("classify", "entities"):
        assert 0 < rec[svc]["init_ms"] < 10_000  # INIT may last at most 10 s (A24)
        assert rec[svc]["duration_ms_p50"] <= rec[svc]["duration_ms_p95"]
    assert profile.post_model().init_ms == round(prof["init_ms"], -1)


@pytest.mark.integration
def test_c6_and_c9_hold_when_the_zips_fit_and_run():
    run = cpu_inference.runtime_check()
    assert run["available"] and all(r["init_ok"] and r["answered_as_contracted"] == r["events"]
                                    for r in run["services"].values())
    c6, c9 = cpu_inference.verdict_c6(), cpu_inference.verdict_c9()
    assert c6.status is Status.HOLDS and "python3.12" in c6.summary
    assert c9.status is Status.HOLDS and c9.figures["zips_run_in_runtime_client"] == 2


@pytest.mark.integration
def test_c6_names_what_does_not_fit():
    m = copy.deepcopy(measure.package_manifest())
    m["packages"]["entities"]["unzipped_mb"] = 300.0
    v = cpu_inference.verdict_c6(m)
    assert v.status is Status.HOLDS_UNDER_CONDITIONS
    assert "entities (300 MB unzipped) exceeds the 250 MB limit" in v.conditions and "container image" in v.conditions
