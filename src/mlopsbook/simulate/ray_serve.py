"""Ray Serve on KubeRay: replicas that autoscale on ongoing requests, packed on nodes that take minutes to start.

What is modelled (defaults from ``data/simulate``, ``ray.*`` and ``kuberay.*`` facts):

* **Requests** wait in one FCFS queue in front of the deployment and run on a free replica slot (a replica runs
  ``replica_concurrency`` requests at once, at most ``max_ongoing_requests``). This is ideal routing: Ray's
  power-of-two-choices router queues a little more at moderate load, which the model does not capture.
* **Serve autoscaling** as in Ray's ``replica_queue_length_autoscaling_policy`` (ray 2.60): replicas sample their
  ongoing requests (running + queued) every ``look_back_period_s x 0.2``; the controller sees the samples when they
  are pushed every ``metrics_interval_s``, averages the last ``look_back_period_s``, wants
  ``ceil(total / target_ongoing_requests)`` replicas, and changes its target only when that wish has held for
  ``upscale_delay_s`` (``downscale_delay_s`` down), bounded by ``min_replicas``/``max_replicas``. With no running
  replica and queued requests it scales up at once (Ray's cold-start fast path). The decision is re-evaluated when
  metrics arrive and when a delay expires, not on every 0.1 s loop tick (the inputs do not change in between).
* **Placement**: a new replica starts on a ready node with room (``replica_startup_s``); otherwise it is pending and
  the Ray autoscaler (every ``autoscaler_update_interval_s``) launches enough nodes for the pending replicas; a node is
  ready after a start-up drawn from its profile (CPU or GPU, E2). Downscaling stops replicas on the emptiest node
  first; a node without replicas for ``idle_timeout_s`` (``kuberay.autoscaler.idle_timeout_s``) is removed. Nodes are billed from launch to removal.
* **Failures** (:class:`~mlopsbook.simulate.failures.NodeFailure`): see :mod:`mlopsbook.simulate.failures`. Besides the
  requests running on the dead replicas, their share of the queue dies with them (Ray's router sends a request to a
  replica with fewer than ``max_ongoing_requests``, where it waits: the queue is spread over the replicas). The router
  stops sending requests to the dead replicas at once (a failed call marks a replica dead); the controller learns of
  the loss only when the node is declared dead, and then starts replacements.

Times are in seconds from the start of the run.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from mlopsbook.errors import MlopsbookError
from mlopsbook.simulate.failures import HealthCheck, NodeFailure
from mlopsbook.simulate.results import DROPPED, Result
from mlopsbook.simulate.serve_config import NODE_KINDS, Cluster, NodeProfile, ServeAutoscaling
from mlopsbook.simulate.serve_loop import ClosedSim, OpenSim, simulate_run


def run(arrival_s: np.ndarray, service_s: np.ndarray, duration_s: float, autoscaling: ServeAutoscaling,
        cluster: Cluster | None = None, seed: int = 0, failure: NodeFailure | None = None,
        health: HealthCheck | None = None) -> Result:
    """Simulate a Serve deployment on KubeRay for ``duration_s`` seconds of open-loop traffic.

    ``arrival_s`` (sorted, s) and ``service_s`` (s, one per request) are the workload; ``seed`` drives node and
    replica start-up draws and failure detection. Requests unfinished at ``duration_s`` are in flight.
    """
    _check_run(arrival_s, service_s, duration_s)
    sim = OpenSim(arrival_s, service_s, autoscaling, cluster or Cluster(), float(duration_s),
                   np.random.default_rng(seed), failure, health or HealthCheck.ray_defaults())
    return simulate_run(sim)


def run_closed_loop(clients: int, service: Any, duration_s: float, autoscaling: ServeAutoscaling,
                    cluster: Cluster | None = None, seed: int = 0, think_s: float = 0.0,
                    failure: NodeFailure | None = None, health: HealthCheck | None = None) -> Result:
    """Simulate ``clients`` closed-loop callers (each sends its next request ``think_s`` s after the last returns).

    ``service`` is a callable returning one service time in seconds per call (e.g. ``lambda: 0.05``).
    """
    if not (isinstance(clients, int) and clients >= 1):
        raise MlopsbookError(f"clients: must be an integer >= 1 (got {clients!r})")
    if not (np.isfinite(think_s) and think_s >= 0):
        raise MlopsbookError(f"think_s: must be >= 0 (got {think_s!r})")
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise MlopsbookError(f"duration_s: must be > 0 (got {duration_s!r})")
    sim = ClosedSim(clients, float(think_s), service, autoscaling, cluster or Cluster(), float(duration_s),
                     np.random.default_rng(seed), failure, health or HealthCheck.ray_defaults())
    return simulate_run(sim)


def _check_run(arrival_s: np.ndarray, service_s: np.ndarray, duration_s: float) -> None:
    a = np.asarray(arrival_s)
    if a.ndim != 1 or a.shape != np.asarray(service_s).shape:
        raise MlopsbookError("arrival_s and service_s must be 1-D arrays of the same length")
    if a.size and np.any(np.diff(a) < 0):
        raise MlopsbookError("arrival_s: must be sorted")
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise MlopsbookError(f"duration_s: must be > 0 (got {duration_s!r})")


__all__ = ["NODE_KINDS", "Cluster", "NodeProfile", "ServeAutoscaling", "run", "run_closed_loop", "DROPPED"]
