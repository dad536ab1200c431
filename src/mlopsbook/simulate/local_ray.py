"""The real local Ray Serve experiment (:mod:`mlopsbook.lab.experiments`) as a simulation, for comparison.

Same closed-loop clients, handler time, autoscaling settings and replica kill as the real run; replica start-up and
failure detection from the simulator's own sourced parameters (``data/simulate/``).
"""

from __future__ import annotations

from mlopsbook.simulate import ray_serve
from mlopsbook.simulate.failures import NodeFailure
from mlopsbook.simulate.results import Result


def local_ray_scenario(kill_replica_at_s: float | None = None, duration_s: float = 60.0, seed: int = 0,
                       clients: int = 8, handler_s: float = 0.05) -> Result:
    """The local Ray Serve experiment in simulation: 8 closed-loop clients, a 50 ms handler, 1 -> 2 replicas with
    ``metrics_interval_s=1``, ``look_back_period_s=2``, ``upscale_delay_s=1``, both replicas on one node (no node
    start-up), replica start-up from the probe (5 s); optionally one replica killed at ``kill_replica_at_s``."""
    cfg = ray_serve.ServeAutoscaling.ray_defaults(min_replicas=1, max_replicas=2, metrics_interval_s=1.0,
                                                   look_back_period_s=2.0, upscale_delay_s=1.0)
    cl = ray_serve.Cluster(node=ray_serve.NodeProfile.fixed(0.0), replicas_per_node=2, min_worker_nodes=1,
                           max_worker_nodes=1)
    failure = None if kill_replica_at_s is None else NodeFailure(kill_replica_at_s, "replica", 0)
    return ray_serve.run_closed_loop(clients, lambda: handler_s, duration_s, cfg, cl, seed=seed, failure=failure)
