"""Synthetic measurements of the lab's multi-node runs (a load run, a node kill, a node cold start, the record the
verdicts read), for the tests that need one without starting a cluster."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlopsbook.lab import autoscale, evidence, multinode, simcompare
from mlopsbook.lab.load import LoadResult

SERVICE_MS = 35.0


def load_run(n: int = 400, concurrency: int = 8, fail_at: tuple[int, ...] = (120, 121), rate: float = 40.0,
          slow_from: float = 3.0, slow_to: float = 12.0) -> LoadResult:
    t = np.arange(n) / rate
    lat = np.where((t >= slow_from) & (t < slow_to), 400.0, 100.0)
    status = np.full(n, 200)
    status[list(fail_at)] = 500
    df = pd.DataFrame({"seq": range(n), "thread": np.arange(n) % concurrency, "start_s": t, "latency_ms": lat,
                       "status": status, "error": ""})
    return LoadResult(df, concurrency, float(t[-1]), 0.0)


def node_kill(**over: float) -> multinode.NodeKill:
    fields = dict(load=load_run(), samples=pd.DataFrame(), kill_at_s=3.0, replicas_before=2, victim="n1",
                  t_serve_loss_s=5.0, t_node_dead_s=13.5, t_recovered_s=9.0, peak_pss_bytes=int(2e9))
    fields.update(over)
    return multinode.NodeKill(**fields)  # type: ignore[arg-type]


def cold_start() -> autoscale.ColdStart:
    return autoscale.ColdStart(load=load_run(n=600, fail_at=()), samples=pd.DataFrame(), t_upscale_decision_s=1.9,
                               t_node_launch_decided_s=3.3, t_node_registered_s=5.8, t_replica_running_s=13.8,
                               t_load_end_s=17.1, t_replica_removed_s=22.5, t_node_removed_s=30.8,
                               first_node_registered_s=4.2, first_replica_running_s=7.9, peak_pss_bytes=int(3e9))


def record(failed: float = 3.0, dead: float = 13.5, back: float = 10.0) -> evidence.MultinodeEvidence:
    run = {"failed": failed, "requests": 500.0, "serve_loss_s": 5.0, "node_dead_s": dead, "replicas_back_s": back,
           "p99_before_ms": 300.0, "p99_recovery_ms": 600.0, "peak_pss_gb": 2.1}
    cold = simcompare.compare_cold_start(cold_start(), SERVICE_MS, seeds=(0,))
    return evidence.MultinodeEvidence(
        date="2026-11-30", ray_version="2.60.0", machine="2 CPUs", node_kill_runs=[run, run],
        node_kill_vs_simulator=[{"figure": "requests failed by the kill", "measured": failed, "simulated": 3.0}],
        cold_start_timeline=[], cold_start_delays={"decision_delay_s": 1.4, "registration_delay_s": 2.5,
                                                   "replica_start_s": 8.0, "node_idle_removal_s": 8.3},
        cold_start_vs_simulator=cold.to_dict(orient="records"),
        alert_fired_s={"RayNodeDown": 6.8, "ServeReplicasBelowTarget": 7.0, "ServeHTTP5xxRate": None},
        alert_pending_s={}, peak_pss_gb={"node_kill_cluster": 2.1, "autoscaling_cluster": 3.8})
