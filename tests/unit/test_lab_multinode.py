"""The lab's multi-node pieces on synthetic measurements (tests/support/lab_measurements.py): cluster specs, the
node-kill windows, the autoscaler's log, the simulator calibrated on them, the record the verdicts read. The real
runs are the multinode page's (notebooks/engineering-culture-leadership/multinode.md), executed once in the notebook
layer, whose cells assert each run's ``problems()`` (tested here) are none."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab_measurements import SERVICE_MS, cold_start, node_kill, record
from mlopsbook.errors import MlopsbookError
from mlopsbook.lab import autoscale, evidence, multinode, simcompare

# -- units ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("field,value", [("worker_nodes", 1), ("replicas", 4), ("object_store_mb", 10),
                                         ("metrics_report_interval_ms", 5)])
def test_cluster_spec_rejects_bad_sizes_in_one_line(field: str, value: int) -> None:
    with pytest.raises(MlopsbookError, match=f"^{field}: must be") as e:
        multinode.ClusterSpec(**{field: value})
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("settings", [(("enable_worker_prestart", False), ("enable_worker_prestart", True)),
                                      (("metrics_report_interval_ms", 500),)])
def test_cluster_spec_rejects_a_ray_setting_given_twice(settings: tuple) -> None:
    with pytest.raises(MlopsbookError, match="^system_config: each setting at most once"):
        multinode.ClusterSpec(system_config=settings)


def test_every_ray_setting_reaches_the_head_without_autoscaler_or_log_monitor(monkeypatch: pytest.MonkeyPatch) -> None:
    import ray.cluster_utils

    seen: dict = {}

    class Stop(Exception):
        pass

    def fake_cluster(initialize_head: bool, head_node_args: dict) -> None:
        seen.update(head_node_args)
        raise Stop

    monkeypatch.setattr(multinode.ray_runtime, "prepare_new_cluster", lambda env: None)
    monkeypatch.setattr(ray.cluster_utils, "Cluster", fake_cluster)
    spec = multinode.ClusterSpec(metrics_report_interval_ms=1000,
                                 system_config=(("enable_worker_prestart", False), ("num_workers_soft_limit", 0)))
    with pytest.raises(Stop):
        multinode.start_cluster(spec)
    assert seen["_system_config"] == {"enable_worker_prestart": False, "num_workers_soft_limit": 0,
                                      "metrics_report_interval_ms": 1000}
    assert seen["no_monitor"] is True and seen["include_log_monitor"] is False and seen["num_cpus"] == 0
    assert "Ray settings: enable_worker_prestart=False, num_workers_soft_limit=0" in spec.describe()
    assert "Ray's defaults" in multinode.ClusterSpec().describe()


def test_node_kill_windows_split_latency_at_the_kill_and_the_recovery() -> None:
    k = node_kill()
    assert k.failed == 2 and k.in_flight_bound == 8
    assert k.p99_before_ms == pytest.approx(100.0)  # sent before 3 s
    assert k.p99_recovery_ms == pytest.approx(400.0)  # sent between 3 s and 12 s
    row = k.row()
    assert row["replicas_back_s"] == 9.0 and row["peak_pss_gb"] == 2.0
    s = multinode.summary([k, node_kill(t_recovered_s=11.0)])
    assert list(s.index) == ["run 1", "run 2", "median", "min", "max"]
    assert s.loc["median", "replicas_back_s"] == pytest.approx(10.0)


def test_fake_cluster_config_has_a_cpu_less_head_and_bounded_workers() -> None:
    cfg = autoscale.fake_cluster_config("10.0.0.1:1234", max_workers=2, idle_timeout_s=6)
    assert cfg["provider"]["type"] == "fake_multinode" and cfg["provider"]["gcs_address"] == "10.0.0.1:1234"
    types = cfg["available_node_types"]
    assert types["ray.head.default"]["resources"]["CPU"] == 0
    assert types[autoscale.WORKER_TYPE]["max_workers"] == 2 and types[autoscale.WORKER_TYPE]["min_workers"] == 0
    assert cfg["idle_timeout_minutes"] == pytest.approx(0.1)
    with pytest.raises(MlopsbookError, match="^max_workers: must be"):
        autoscale.fake_cluster_config("x:1", max_workers=0)


def test_autoscaler_decisions_are_read_from_its_log(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "monitor.log").write_text(
        "2026-11-30 08:39:05,100\tINFO autoscaler.py:147 -- The autoscaler took 0.0 seconds to fetch the list of "
        "non-terminated nodes.\n"
        "2026-11-30 08:39:06,250\tINFO autoscaler.py:1450 -- StandardAutoscaler: Queue 1 new nodes for launch\n"
        "2026-11-30 08:39:40,000\tINFO autoscaler.py:616 -- StandardAutoscaler: Terminating the node with id f1\n")
    got = autoscale.autoscaler_decisions(tmp_path)
    assert [w for _, w in got] == ["launch 1", "terminate"]
    assert got[1][0] - got[0][0] == pytest.approx(33.75)


def test_cold_start_delays_and_timeline() -> None:
    c = cold_start()
    assert c.decision_delay_s == pytest.approx(1.4) and c.registration_delay_s == pytest.approx(2.5)
    assert c.replica_start_s == pytest.approx(8.0) and c.node_idle_removal_s == pytest.approx(8.3)
    tl = c.timeline()
    assert tl["t_s"].is_monotonic_increasing and len(tl) == 8


def test_simulated_node_kill_detects_within_rays_health_check_range() -> None:
    df = simcompare.compare_node_kill([node_kill(), node_kill(t_recovered_s=11.0)], SERVICE_MS, seeds=(0, 1, 2))
    assert list(df.columns) == ["figure", "measured", "simulated"]
    sim = dict(zip(df["figure"], df["simulated"]))
    lo, hi = 12.0, 15.0  # (5 - 1) x 3 s + a phase in [0, 3) s: Ray's defaults, E4.8
    assert lo <= sim["node marked dead (s after kill)"] <= hi
    assert sim["replicas running again (s after kill)"] > sim["node marked dead (s after kill)"]
    assert 0 <= sim["requests failed by the kill"] <= 8
    assert dict(zip(df["figure"], df["measured"]))["replicas running again (s after kill)"] == 10.0
    again = simcompare.compare_node_kill([node_kill()], SERVICE_MS, seeds=(0, 1, 2))
    assert again["simulated"].tolist() == df["simulated"].tolist()  # deterministic


def test_health_check_defaults_table() -> None:
    d = dict(simcompare.health_check_defaults().values)
    assert d["GCS health check period (s)"] == 3.0 and d["failed checks before a node is dead"] == 5.0


def test_calibrated_simulator_reproduces_the_measured_control_loop_and_eks_is_slower() -> None:
    c = cold_start()
    df = simcompare.compare_cold_start(c, SERVICE_MS, seeds=(0, 1))
    got = df.set_index("event (s after load began)")
    run_local = got.loc["second replica running", "simulated, local"]
    run_eks = got.loc["second replica running", "simulated, EKS"]
    # calibrated: within a few seconds of the measurement (same decision clocks, node and replica delays)
    assert abs(run_local - c.t_replica_running_s) < 5.0
    # EKS: the sourced node start-up (E2.2: 3-4 minutes) dominates
    assert run_eks > 180.0
    # a closed loop of 8 clients on one replica: the same p99 (8 x 35 ms) however long it lasts
    assert got.loc["p99 until then (ms)", "simulated, EKS"] == pytest.approx(8 * SERVICE_MS, rel=0.05)


def test_error_paths_are_one_line() -> None:
    with pytest.raises(ValueError, match="^kills: need"):
        simcompare.compare_node_kill([], SERVICE_MS)


def test_record_round_trips_and_a_bad_file_is_one_line(tmp_path: Path) -> None:
    from mlopsbook.lab import evidence

    rec = record()
    path = evidence.write(rec, tmp_path)
    assert path.name == "multinode-2026-11-30.json"
    back = evidence.load(path)
    assert back == rec and back.kill_median("failed") == 3.0 and back.kill_range("node_dead_s") == (13.5, 13.5)
    (tmp_path / "multinode-2026-12-01.json").write_text("{}")
    with pytest.raises(MlopsbookError, match="not a multinode record") as e:
        evidence.load(tmp_path / "multinode-2026-12-01.json")
    assert "\n" not in str(e.value)


def test_recorded_evidence_in_the_repository_loads() -> None:
    from mlopsbook.lab import evidence

    rec = evidence.load()
    assert rec.node_kill_runs and all(r["failed"] is not None for r in rec.node_kill_runs)
    assert {"RayNodeDown", "ServeReplicasBelowTarget", "ServeHTTP5xxRate"} <= set(rec.alert_fired_s)


# -- what a live run must show (the multinode page asserts these are empty) -------------------------------------------
def test_a_node_kill_as_described_has_no_problems() -> None:
    assert node_kill().problems() == []


@pytest.mark.parametrize("over,said", [
    ({"t_node_dead_s": float("nan")}, "node marked dead nan s after the kill, outside 8 to 40 s"),
    ({"t_node_dead_s": 3.0}, "outside 8 to 40 s"),
    ({"t_node_dead_s": 41.0}, "outside 8 to 40 s"),
    ({"t_recovered_s": float("nan")}, "the replicas did not run again"),
    ({"t_serve_loss_s": 9.5}, "Serve saw the loss at 9.5 s, not before the recovery (9.0 s)"),
])
def test_a_node_kill_outside_the_description_is_named(over: dict, said: str) -> None:
    got = node_kill(**over).problems()
    assert len(got) == 1 and said in got[0], got


def test_more_failures_than_in_flight_or_no_success_is_a_problem() -> None:
    from lab_measurements import load_run

    many = node_kill(load=load_run(fail_at=tuple(range(100, 120)))).problems()
    assert many == ["20 requests failed, more than the 8 in flight"]
    none_ok = node_kill(load=load_run(n=8, fail_at=tuple(range(8)))).problems()
    assert "no request succeeded" in none_ok


def test_a_cold_start_as_described_has_no_problems() -> None:
    assert cold_start().problems() == []


def test_a_cold_start_out_of_order_missing_or_failing_is_named() -> None:
    import dataclasses

    from lab_measurements import load_run

    c = cold_start()
    swapped = dataclasses.replace(c, t_node_registered_s=20.0).problems()
    assert len(swapped) == 1 and swapped[0].startswith("out of order: ") and "the node registered 20.0 s" in swapped[0]
    missing = dataclasses.replace(c, t_node_launch_decided_s=float("nan")).problems()
    assert missing == ["not seen: the autoscaler's launch"]
    assert dataclasses.replace(c, load=load_run(n=600, fail_at=(5,))).problems() == ["1 request failed"]
    kept = dataclasses.replace(c, t_node_removed_s=float("nan")).problems()
    assert len(kept) == 1 and kept[0].startswith("the idle node was not removed")
    never = dataclasses.replace(c, first_replica_running_s=float("nan")).problems()
    assert never == ["the deployment's first replica never ran"]
