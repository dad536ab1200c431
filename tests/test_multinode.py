"""Multi-node Ray on this machine: a worker node killed under load, a node added and removed by Ray's autoscaler, and
the simulator beside them. Unit tests on synthetic measurements first; then the real runs (marker ``multinode``), each
bounded under three minutes and torn down through the cluster's own handle."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlopsbook.errors import MlopsbookError
from mlopsbook.lab import autoscale, evidence, multinode, simcompare
from mlopsbook.lab.load import LoadResult

SERVICE_MS = 35.0


def _load(n: int = 400, concurrency: int = 8, fail_at: tuple[int, ...] = (120, 121), rate: float = 40.0,
          slow_from: float = 3.0, slow_to: float = 12.0) -> LoadResult:
    t = np.arange(n) / rate
    lat = np.where((t >= slow_from) & (t < slow_to), 400.0, 100.0)
    status = np.full(n, 200)
    status[list(fail_at)] = 500
    df = pd.DataFrame({"seq": range(n), "thread": np.arange(n) % concurrency, "start_s": t, "latency_ms": lat,
                       "status": status, "error": ""})
    return LoadResult(df, concurrency, float(t[-1]), 0.0)


def _kill(**over: float) -> multinode.NodeKill:
    fields = dict(load=_load(), samples=pd.DataFrame(), kill_at_s=3.0, replicas_before=2, victim="n1",
                  t_serve_loss_s=5.0, t_node_dead_s=13.5, t_recovered_s=9.0, peak_pss_bytes=int(2e9))
    fields.update(over)
    return multinode.NodeKill(**fields)  # type: ignore[arg-type]


def _cold() -> autoscale.ColdStart:
    return autoscale.ColdStart(load=_load(n=600, fail_at=()), samples=pd.DataFrame(), t_upscale_decision_s=1.9,
                               t_node_launch_decided_s=3.3, t_node_registered_s=5.8, t_replica_running_s=13.8,
                               t_load_end_s=17.1, t_replica_removed_s=22.5, t_node_removed_s=30.8,
                               first_node_registered_s=4.2, first_replica_running_s=7.9, peak_pss_bytes=int(3e9))


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
    k = _kill()
    assert k.failed == 2 and k.in_flight_bound == 8
    assert k.p99_before_ms == pytest.approx(100.0)  # sent before 3 s
    assert k.p99_recovery_ms == pytest.approx(400.0)  # sent between 3 s and 12 s
    row = k.row()
    assert row["replicas_back_s"] == 9.0 and row["peak_pss_gb"] == 2.0
    s = multinode.summary([k, _kill(t_recovered_s=11.0)])
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
    c = _cold()
    assert c.decision_delay_s == pytest.approx(1.4) and c.registration_delay_s == pytest.approx(2.5)
    assert c.replica_start_s == pytest.approx(8.0) and c.node_idle_removal_s == pytest.approx(8.3)
    tl = c.timeline()
    assert tl["t_s"].is_monotonic_increasing and len(tl) == 8


def test_simulated_node_kill_detects_within_rays_health_check_range() -> None:
    df = simcompare.compare_node_kill([_kill(), _kill(t_recovered_s=11.0)], SERVICE_MS, seeds=(0, 1, 2))
    assert list(df.columns) == ["figure", "measured", "simulated"]
    sim = dict(zip(df["figure"], df["simulated"]))
    lo, hi = 12.0, 15.0  # (5 - 1) x 3 s + a phase in [0, 3) s: Ray's defaults, E4.8
    assert lo <= sim["node marked dead (s after kill)"] <= hi
    assert sim["replicas running again (s after kill)"] > sim["node marked dead (s after kill)"]
    assert 0 <= sim["requests failed by the kill"] <= 8
    assert dict(zip(df["figure"], df["measured"]))["replicas running again (s after kill)"] == 10.0
    again = simcompare.compare_node_kill([_kill()], SERVICE_MS, seeds=(0, 1, 2))
    assert again["simulated"].tolist() == df["simulated"].tolist()  # deterministic


def test_health_check_defaults_table() -> None:
    d = dict(simcompare.health_check_defaults().values)
    assert d["GCS health check period (s)"] == 3.0 and d["failed checks before a node is dead"] == 5.0


def test_calibrated_simulator_reproduces_the_measured_control_loop_and_eks_is_slower() -> None:
    c = _cold()
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


# -- the real runs ----------------------------------------------------------------------------------------------------
@pytest.mark.multinode
def test_a_killed_worker_node_fails_only_in_flight_requests_and_serve_recovers_on_the_spare() -> None:
    t0 = time.monotonic()
    lc = multinode.start_cluster(multinode.ClusterSpec())
    try:
        assert len(lc.worker_ids()) == 3 and len(set(lc.replica_nodes().values())) == 2  # spread: one per node
        k = multinode.kill_node_under_load(lc, kill_at_s=2.0, recover_timeout_s=45.0)
        assert k.failed <= k.in_flight_bound
        assert k.load.n_ok > 0
        assert math.isfinite(k.t_node_dead_s) and math.isfinite(k.t_recovered_s)
        assert k.t_serve_loss_s < k.t_recovered_s
        # the GCS marks a crashed node dead within Ray's health-check bounds (12-15 s), with slack for a busy machine
        assert 8.0 <= k.t_node_dead_s <= 40.0
        assert k.peak_pss_bytes > 0
    finally:
        lc.shutdown()
    assert not [p for p in _descendants() if "raylet" in p]
    assert time.monotonic() - t0 < 180


@pytest.mark.multinode
def test_the_autoscaler_adds_a_node_for_a_replica_that_does_not_fit_and_removes_it_when_idle() -> None:
    t0 = time.monotonic()
    acl = autoscale.start_autoscaling_cluster(max_workers=2, idle_timeout_s=6.0)
    try:
        c = autoscale.node_cold_start(acl, up_timeout_s=60.0, down_timeout_s=40.0)
        assert math.isfinite(c.first_replica_running_s)  # the first replica waited for the first node
        order = [c.t_upscale_decision_s, c.t_node_launch_decided_s, c.t_node_registered_s, c.t_replica_running_s]
        assert all(math.isfinite(x) for x in order) and order == sorted(order)
        assert c.load.n_failed == 0
        assert math.isfinite(c.t_node_removed_s) and c.t_node_removed_s > c.t_replica_removed_s
    finally:
        acl.shutdown()
    assert acl.proc.poll() is not None and acl.leftover_processes() == []
    assert time.monotonic() - t0 < 180


def _descendants() -> list[str]:
    import os

    import psutil

    out = []
    for p in psutil.Process(os.getpid()).children(recursive=True):
        try:
            out.append(" ".join(p.cmdline()))
        except psutil.Error:
            pass
    return out


# -- the record and the verdicts that read it -------------------------------------------------------------------------
def _record(failed: float = 3.0, dead: float = 13.5, back: float = 10.0) -> evidence.MultinodeEvidence:
    from mlopsbook.lab import evidence

    run = {"failed": failed, "requests": 500.0, "serve_loss_s": 5.0, "node_dead_s": dead, "replicas_back_s": back,
           "p99_before_ms": 300.0, "p99_recovery_ms": 600.0, "peak_pss_gb": 2.1}
    cold = simcompare.compare_cold_start(_cold(), SERVICE_MS, seeds=(0,))
    return evidence.MultinodeEvidence(
        date="2026-11-30", ray_version="2.60.0", machine="2 CPUs", node_kill_runs=[run, run],
        node_kill_vs_simulator=[{"figure": "requests failed by the kill", "measured": failed, "simulated": 3.0}],
        cold_start_timeline=[], cold_start_delays={"decision_delay_s": 1.4, "registration_delay_s": 2.5,
                                                   "replica_start_s": 8.0, "node_idle_removal_s": 8.3},
        cold_start_vs_simulator=cold.to_dict(orient="records"),
        alert_fired_s={"RayNodeDown": 6.8, "ServeReplicasBelowTarget": 7.0, "ServeHTTP5xxRate": None},
        alert_pending_s={}, peak_pss_gb={"node_kill_cluster": 2.1, "autoscaling_cluster": 3.8})


def test_record_round_trips_and_a_bad_file_is_one_line(tmp_path: Path) -> None:
    from mlopsbook.lab import evidence

    rec = _record()
    path = evidence.write(rec, tmp_path)
    assert path.name == "multinode-2026-11-30.json"
    back = evidence.load(path)
    assert back == rec and back.kill_median("failed") == 3.0 and back.kill_range("node_dead_s") == (13.5, 13.5)
    (tmp_path / "multinode-2026-12-01.json").write_text("{}")
    with pytest.raises(MlopsbookError, match="not a multinode record") as e:
        evidence.load(tmp_path / "multinode-2026-12-01.json")
    assert "\n" not in str(e.value)


def test_verdict_c4_reads_the_real_runs_and_is_refuted_only_by_a_harmless_kill() -> None:
    from mlopsbook.publishing.claims import Status
    from mlopsbook.reproductions.engineering_culture_leadership import autoscaling as sim_ex

    v = sim_ex.verdict_c4(seeds=(0,), real=_record())
    assert v.status == Status.HOLDS_UNDER_CONDITIONS
    assert v.figures["real_failed_median"] == 3.0 and v.figures["real_alert_node_down_s"] == 6.8
    assert "5xx-rate alert did not fire" in v.summary
    harmless = sim_ex.verdict_c4(seeds=(0,), real=_record(failed=0.0, dead=3.0, back=2.0))
    assert harmless.status == Status.REFUTED


def test_recorded_evidence_in_the_repository_loads() -> None:
    from mlopsbook.lab import evidence

    rec = evidence.load()
    assert rec.node_kill_runs and all(r["failed"] is not None for r in rec.node_kill_runs)
    assert {"RayNodeDown", "ServeReplicasBelowTarget", "ServeHTTP5xxRate"} <= set(rec.alert_fired_s)
