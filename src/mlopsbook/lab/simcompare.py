"""The simulator beside the real multi-node runs: its prediction for a node kill, and its node cold start calibrated on
the measured control loop, then moved to EKS.

- :func:`simulate_node_kill` runs :func:`mlopsbook.simulate.ray_serve.run_closed_loop` on the scenario of
  :func:`mlopsbook.lab.multinode.kill_node_under_load` (the same clients, handler time, replicas, one spare node,
  a crash at the same second), with the simulator's own sourced parameters: node failure detection from Ray's health
  check defaults (``ray.gcs.health_check_*``), replica start-up from ``data/simulate``. :func:`compare_node_kill` puts the
  measured runs beside it in the format of the replica-kill comparison (``figure``, ``measured``, ``simulated``).
- :func:`calibrated_cluster` turns a measured :class:`~mlopsbook.lab.autoscale.ColdStart` into simulator
  parameters: the node start-up is the measured registration delay (a raylet starting here, no cloud), the autoscaler
  loop the one configured, the replica start the measured one. :func:`eks_cluster` keeps the measured replica start and
  puts back the sourced EC2/EKS node start-up (E2) and KubeRay's autoscaler loop (5 s).
  :func:`compare_cold_start` shows measured, simulated-at-local and simulated-at-EKS side by side.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd

from mlopsbook.errors import MlopsbookError
from mlopsbook.lab.autoscale import AUTOSCALER_UPDATE_INTERVAL_S, SCALING, ColdStart
from mlopsbook.lab.multinode import NodeKill
from mlopsbook.simulate import ray_serve
from mlopsbook.simulate.failures import HealthCheck, NodeFailure
from mlopsbook.simulate.results import Result

SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)


def _med(xs: Sequence[float]) -> float:
    arr = np.asarray([x for x in xs if np.isfinite(x)], dtype=float)
    return float(np.median(arr)) if arr.size else float("nan")


# -- node kill ---------------------------------------------------------------------------------------------------------
def simulate_node_kill(replicas: int, clients: int, service_s: float, kill_at_s: float, seed: int = 0,
                       spare_nodes: int = 1, after_s: float = 40.0, health: HealthCheck | None = None) -> Result:
    """The node-kill scenario in simulation: ``replicas`` fixed replicas one per node plus ``spare_nodes`` ready nodes,
    ``clients`` closed-loop callers of a constant ``service_s`` handler, the busiest node crashing at ``kill_at_s``."""
    cfg = ray_serve.ServeAutoscaling.ray_defaults(min_replicas=replicas, max_replicas=replicas)
    nodes = replicas + spare_nodes
    cl = ray_serve.Cluster(node=ray_serve.NodeProfile.fixed(0.0), replicas_per_node=1, min_worker_nodes=nodes,
                           max_worker_nodes=nodes)
    return ray_serve.run_closed_loop(clients, lambda: service_s, kill_at_s + after_s, cfg, cl, seed=seed,
                                     failure=NodeFailure(kill_at_s, "crash", 0), health=health)


def compare_node_kill(kills: Sequence[NodeKill], service_ms: float, seeds: tuple[int, ...] = SEEDS) -> pd.DataFrame:
    """Measured (median over the runs) beside simulated (median over ``seeds``), one row per figure."""
    if not kills:
        raise MlopsbookError("kills: need at least one measured run")
    k0 = kills[0]
    sims = [simulate_node_kill(k0.replicas_before, k0.load.concurrency, service_ms / 1000, k0.kill_at_s, seed=s)
            for s in seeds]
    rec = [float(r.extra.get("recovery_s", np.nan)) for r in sims]
    det = [float(r.extra.get("detection_s", np.nan)) for r in sims]
    p99 = [r.window(k0.kill_at_s, k0.kill_at_s + (x if np.isfinite(x) else 0.0)).latency_percentiles_ms()["p99"]
           for r, x in zip(sims, rec)]
    rows = [
        ("requests failed by the kill", _med([k.failed for k in kills]),
         _med([float(r.extra.get("failed_at_kill", np.nan)) for r in sims])),
        ("Serve reports the loss (s after kill)", _med([k.t_serve_loss_s for k in kills]), _med(det)),
        ("node marked dead (s after kill)", _med([k.t_node_dead_s for k in kills]), _med(det)),
        ("replicas running again (s after kill)", _med([k.t_recovered_s for k in kills]), _med(rec)),
        ("p99 latency during recovery (ms)", _med([k.p99_recovery_ms for k in kills]), _med(p99)),
    ]
    df = pd.DataFrame(rows, columns=["figure", "measured", "simulated"])
    df[["measured", "simulated"]] = df[["measured", "simulated"]].round(1)
    return df


def health_check_defaults(health: HealthCheck | None = None) -> pd.DataFrame:
    """Ray's node health check (``ray.gcs.health_check_*``) and Serve's replica health check
    (``ray.serve.replica_health_check_*``) and what they imply for a crash."""
    h = health or HealthCheck.ray_defaults()
    lo, hi = h.detection_range_s("crash")
    rows = [("GCS health check period (s)", h.period_s), ("GCS health check timeout (s)", h.timeout_s),
            ("failed checks before a node is dead", float(h.failure_threshold)),
            ("crashed node marked dead after (s), shortest", lo), ("... longest", hi),
            ("Serve replica health check period (s)", h.replica_check_period_s)]
    return pd.DataFrame(rows, columns=["setting", "value"])


# -- node cold start ---------------------------------------------------------------------------------------------------
def serve_policy() -> ray_serve.ServeAutoscaling:
    """:data:`mlopsbook.lab.autoscale.SCALING` as the simulator's autoscaling configuration."""
    return ray_serve.ServeAutoscaling.ray_defaults(
        min_replicas=SCALING.min_replicas, max_replicas=SCALING.max_replicas,
        target_ongoing_requests=SCALING.target_ongoing_requests, max_ongoing_requests=SCALING.max_ongoing_requests,
        upscale_delay_s=SCALING.upscale_delay_s, downscale_delay_s=SCALING.downscale_delay_s,
        metrics_interval_s=SCALING.metrics_interval_s, look_back_period_s=SCALING.look_back_period_s)


def calibrated_cluster(cold: ColdStart) -> ray_serve.Cluster:
    """Simulator cluster calibrated on the measured control loop: node start-up = measured registration delay,
    autoscaler loop = the configured :data:`AUTOSCALER_UPDATE_INTERVAL_S`, replica start = measured, one replica per
    one-CPU node, one node up at the start."""
    reg = max(0.0, cold.registration_delay_s) if np.isfinite(cold.registration_delay_s) else 0.0
    rep = max(0.0, cold.replica_start_s) if np.isfinite(cold.replica_start_s) else 0.0
    return ray_serve.Cluster(node=ray_serve.NodeProfile.fixed(reg), replicas_per_node=1, min_worker_nodes=1,
                             max_worker_nodes=2, replica_startup_s=(rep, rep),
                             autoscaler_update_interval_s=AUTOSCALER_UPDATE_INTERVAL_S, idle_timeout_s=6.0)


def eks_cluster(local: ray_serve.Cluster) -> ray_serve.Cluster:
    """The calibrated cluster with the sourced EC2/EKS CPU node start-up (E2) and KubeRay's autoscaler loop and idle
    timeout (``data/simulate``) in place of this machine's."""
    base = ray_serve.Cluster()
    return replace(local, node=ray_serve.NodeProfile.of("cpu"),
                   autoscaler_update_interval_s=base.autoscaler_update_interval_s, idle_timeout_s=base.idle_timeout_s)


def cold_start_events(res: Result) -> dict[str, float]:
    """From a simulated timeline: Serve's decision (target up), node launch, node ready, second replica running."""
    tl = res.timeline
    t = np.asarray(tl.time_s)

    def first(col: str, k: int) -> float:
        hit = t[np.asarray(getattr(tl, col)) >= k]
        return float(hit[0]) if hit.size else float("nan")

    return {"decision": first("target", 2), "launch": first("nodes_total", 2), "registered": first("nodes", 2),
            "running": first("replicas", 2)}


def simulate_cold_start(cluster: ray_serve.Cluster, clients: int, service_s: float, duration_s: float,
                        seed: int = 0) -> Result:
    """``clients`` closed-loop callers against one replica that scales to two on ``cluster``."""
    return ray_serve.run_closed_loop(clients, lambda: service_s, duration_s, serve_policy(), cluster, seed=seed)


def compare_cold_start(cold: ColdStart, service_ms: float, seeds: tuple[int, ...] = SEEDS,
                       eks_duration_s: float = 900.0) -> pd.DataFrame:
    """Measured, simulated at local (calibrated) and simulated at EKS: seconds after the load began, and p99."""
    clients = cold.load.concurrency
    local = calibrated_cluster(cold)
    eks = eks_cluster(local)
    runs_l = [simulate_cold_start(local, clients, service_ms / 1000, max(cold.t_load_end_s, 30.0), s) for s in seeds]
    runs_e = [simulate_cold_start(eks, clients, service_ms / 1000, eks_duration_s, s) for s in seeds]
    ev_l = [cold_start_events(r) for r in runs_l]
    ev_e = [cold_start_events(r) for r in runs_e]

    def p99_before(runs: list[Result], evs: list[dict[str, float]]) -> float:
        return _med([r.window(0.0, e["running"] if np.isfinite(e["running"]) else r.duration_s)
                     .latency_percentiles_ms()["p99"] for r, e in zip(runs, evs)])

    rows = [("Serve decides to upscale", cold.t_upscale_decision_s, "decision"),
            ("autoscaler launches a node", cold.t_node_launch_decided_s, "launch"),
            ("node registered / ready", cold.t_node_registered_s, "registered"),
            ("second replica running", cold.t_replica_running_s, "running")]
    out = [(label, m, _med([e[k] for e in ev_l]), _med([e[k] for e in ev_e])) for label, m, k in rows]
    out.append(("p99 until then (ms)", cold.latency_ms(99)["one_replica"], p99_before(runs_l, ev_l),
                p99_before(runs_e, ev_e)))
    df = pd.DataFrame(out, columns=["event (s after load began)", "measured", "simulated, local", "simulated, EKS"])
    num = ["measured", "simulated, local", "simulated, EKS"]
    df[num] = df[num].astype(float).round(1)
    return df
