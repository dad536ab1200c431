"""The configuration of a simulated Ray Serve deployment on KubeRay: Serve's autoscaling policy
(:class:`ServeAutoscaling`), a node type (:class:`NodeProfile`) and the cluster (:class:`Cluster`). The model that
runs them is :mod:`mlopsbook.simulate.ray_serve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mlopsbook.errors import MlopsbookError
from mlopsbook.simulate import parameters
from mlopsbook.simulate.arrivals import uniform_draw

NODE_KINDS: tuple[str, ...] = ("cpu", "gpu")


@dataclass(frozen=True)
class ServeAutoscaling:
    """A Serve deployment's ``autoscaling_config`` plus ``max_ongoing_requests`` (times in s).

    Use :meth:`ray_defaults` for Ray's documented defaults (``ray.serve.*``), overriding what you change.
    """

    target_ongoing_requests: float
    max_ongoing_requests: int
    min_replicas: int
    max_replicas: int
    upscale_delay_s: float
    downscale_delay_s: float
    metrics_interval_s: float
    look_back_period_s: float
    upscaling_factor: float = 1.0
    downscaling_factor: float = 1.0
    initial_replicas: int | None = None
    downscale_to_zero_delay_s: float | None = None
    control_loop_interval_s: float = 0.1
    metric_record_interval_factor: float = 0.2

    @classmethod
    def ray_defaults(cls, **overrides: Any) -> "ServeAutoscaling":
        """Ray Serve's defaults from the parameter file (``ray.serve.*`` facts), with ``overrides`` applied."""
        d = parameters.section("ray_serve_autoscaling")
        base = cls(**{k: d[k] for k in d})
        return replace(base, **overrides)

    def __post_init__(self) -> None:
        def bad(name: str, rule: str) -> ValueError:
            return ValueError(f"{name}: must be {rule} (got {getattr(self, name)!r})")

        if not self.target_ongoing_requests > 0:
            raise bad("target_ongoing_requests", "> 0")
        if not (isinstance(self.max_ongoing_requests, int) and self.max_ongoing_requests >= 1):
            raise bad("max_ongoing_requests", "an integer >= 1")
        if not (isinstance(self.min_replicas, int) and self.min_replicas >= 0):
            raise bad("min_replicas", "an integer >= 0")
        if not (isinstance(self.max_replicas, int) and self.max_replicas >= max(1, self.min_replicas)):
            raise bad("max_replicas", f"an integer >= max(1, min_replicas={self.min_replicas})")
        for name in ("upscale_delay_s", "downscale_delay_s"):
            if not getattr(self, name) >= 0:
                raise bad(name, ">= 0 s")
        for name in ("metrics_interval_s", "look_back_period_s", "upscaling_factor", "downscaling_factor",
                     "control_loop_interval_s", "metric_record_interval_factor"):
            if not getattr(self, name) > 0:
                raise bad(name, "> 0")
        if self.initial_replicas is not None and not (self.min_replicas <= self.initial_replicas <= self.max_replicas):
            raise bad("initial_replicas", "between min_replicas and max_replicas")

    @property
    def start_replicas(self) -> int:
        return self.min_replicas if self.initial_replicas is None else self.initial_replicas


@dataclass(frozen=True)
class NodeProfile:
    """How long a node takes from the autoscaler's request to running a replica: the sum of uniform components
    ``(lo_s, hi_s)`` (name -> range), drawn independently per node."""

    kind: str
    components_s: dict[str, tuple[float, float]]

    @classmethod
    def of(cls, kind: str) -> "NodeProfile":
        """The ``cpu`` or ``gpu`` profile of the parameter file (E2)."""
        if kind not in NODE_KINDS:
            raise MlopsbookError(f"node_kind: must be one of {', '.join(NODE_KINDS)} (got {kind!r})")
        comps = parameters.section("node_startup")[kind]
        return cls(kind, {k: parameters.range_s(v, f"node_startup.{kind}.{k}") for k, v in comps.items()})

    @classmethod
    def fixed(cls, startup_s: float) -> "NodeProfile":
        """A node that always takes exactly ``startup_s`` seconds (for sweeps)."""
        if not np.isfinite(startup_s) or startup_s < 0:
            raise MlopsbookError(f"node_startup_s: must be a finite number >= 0 (got {startup_s!r})")
        return cls("fixed", {"startup_s": (float(startup_s), float(startup_s))})

    @property
    def range_s(self) -> tuple[float, float]:
        return (sum(lo for lo, _ in self.components_s.values()), sum(hi for _, hi in self.components_s.values()))

    def draw_s(self, rng: np.random.Generator) -> float:
        return sum(uniform_draw(r, rng) for r in self.components_s.values())

    def sample_s(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` start-up times (s), vectorised."""
        out = np.zeros(n)
        for lo, hi in self.components_s.values():
            out += rng.uniform(lo, hi, n) if hi > lo else lo
        return out


@dataclass(frozen=True)
class Cluster:
    """The KubeRay cluster: node profile and packing, limits, and the KubeRay/Ray autoscaler timings (s).

    ``replicas_per_node``: replicas that fit on one worker node (e.g. 2 on a 2-vCPU node with ``num_cpus=1``
    replicas; 1 per GPU). ``min_worker_nodes``: nodes kept even when idle (a warm spare is one more than the replicas
    need). ``replica_concurrency``: requests a replica executes at once (1 for a CPU-bound handler).
    """

    node: NodeProfile = field(default_factory=lambda: NodeProfile.of("cpu"))
    replicas_per_node: int = 2
    replica_concurrency: int = 1
    replica_startup_s: tuple[float, float] | None = None
    min_worker_nodes: int = 0
    max_worker_nodes: int = 100
    idle_timeout_s: float | None = None
    autoscaler_update_interval_s: float | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.replicas_per_node, int) and self.replicas_per_node >= 1):
            raise MlopsbookError(f"replicas_per_node: must be an integer >= 1 (got {self.replicas_per_node!r})")
        if not (isinstance(self.replica_concurrency, int) and self.replica_concurrency >= 1):
            raise MlopsbookError(f"replica_concurrency: must be an integer >= 1 (got {self.replica_concurrency!r})")
        if not (isinstance(self.min_worker_nodes, int) and 0 <= self.min_worker_nodes <= self.max_worker_nodes):
            raise MlopsbookError(f"min_worker_nodes: must be an integer in [0, max_worker_nodes] (got {self.min_worker_nodes!r})")
        kr = parameters.section("kuberay")
        if self.replica_startup_s is None:
            object.__setattr__(self, "replica_startup_s",
                               parameters.range_s(parameters.section("replica_startup_s")["cpu"], "replica_startup_s.cpu"))
        if self.idle_timeout_s is None:
            object.__setattr__(self, "idle_timeout_s", float(kr["idle_timeout_s"]))
        if self.autoscaler_update_interval_s is None:
            object.__setattr__(self, "autoscaler_update_interval_s", float(kr["autoscaler_update_interval_s"]))
        lo, hi = self.replica_startup_s  # type: ignore[misc]
        if not 0 <= lo <= hi:
            raise MlopsbookError(f"replica_startup_s: must be (lo, hi) with 0 <= lo <= hi (got {self.replica_startup_s!r})")
        if not self.autoscaler_update_interval_s > 0:  # type: ignore[operator]
            raise MlopsbookError(f"autoscaler_update_interval_s: must be > 0 (got {self.autoscaler_update_interval_s!r})")
