"""The autoscaling verdicts of "Engineering culture & leadership" (C3, C4) on the simulator: each states the figures
it rests on, and a condition that removes the difficulty refutes it."""

from __future__ import annotations

from lab_measurements import record
from mlopsbook.publishing.claims import Status
from mlopsbook.reproductions.engineering_culture_leadership import autoscaling
from mlopsbook.reproductions.engineering_culture_leadership.autoscaling import Burst


def test_c3_holds_when_new_nodes_push_p99_past_the_slo() -> None:
    v = autoscaling.verdict_c3(seeds=(0,))
    f = v.figures
    assert v.claim_id == "C3" and v.status is Status.HOLDS_UNDER_CONDITIONS
    assert f["p99_cpu_nodes_ms"] > f["slo_ms"] > f.get("cheapest_fix_p99_ms", 0)
    assert f["p99_instant_nodes_ms"] < f["p99_cpu_nodes_ms"] and 0 < f["startup_share_of_p99"] <= 1
    assert f["gpu_node_startup_median_s"] > f["cpu_node_startup_median_s"]
    assert f"{f['slo_ms']:g} ms" in v.summary


def test_c3_is_refuted_by_a_burst_the_warm_replicas_absorb() -> None:
    v = autoscaling.verdict_c3(Burst(peak_rps=12.0), seeds=(0,))
    assert v.status is Status.REFUTED, v.summary
    assert v.figures["p99_cpu_nodes_ms"] <= v.figures["slo_ms"] and "within the 500 ms SLO" in v.summary


def test_c4_retries_and_a_spare_node_each_reduce_the_damage() -> None:
    v = autoscaling.verdict_c4(seeds=(0,))
    f = v.figures
    assert v.claim_id == "C4" and v.status is Status.HOLDS_UNDER_CONDITIONS
    assert f["failed_with_retry"] < f["failed_no_retry"]
    assert f["recovery_spare_node_s"] < f["recovery_s"]


def test_verdict_c4_reads_the_real_runs_and_is_refuted_only_by_a_harmless_kill() -> None:
    v = autoscaling.verdict_c4(seeds=(0,), real=record())
    assert v.status == Status.HOLDS_UNDER_CONDITIONS
    assert v.figures["real_failed_median"] == 3.0 and v.figures["real_alert_node_down_s"] == 6.8
    assert "5xx-rate alert did not fire" in v.summary
    harmless = autoscaling.verdict_c4(seeds=(0,), real=record(failed=0.0, dead=3.0, back=2.0))
    assert harmless.status == Status.REFUTED
