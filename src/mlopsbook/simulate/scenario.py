"""One simulation run described by plain values: what the CLI flags and ``--scenario FILE.yaml`` both build.

Every field has the name of its CLI flag (``rate_rps`` is ``--rate-rps``). Invalid values raise
:class:`ScenarioError`, which names the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from mlopsbook import inputs
from mlopsbook.errors import MlopsbookError
from mlopsbook.simulate import arrivals, fixed_pool, lambda_, ray_serve
from mlopsbook.simulate.failures import FAILURE_MODES, NodeFailure
from mlopsbook.simulate.results import Result

PLATFORMS: tuple[str, ...] = ("fixed", "ray-serve", "lambda")


class ScenarioError(MlopsbookError):
    """A bad scenario value; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Scenario:
    """A run: platform, traffic, service and platform options (times in s unless the name says ms)."""

    platform: str = "fixed"
    arrivals: str = "poisson"
    rate_rps: float = 10.0
    service: str = "exponential"
    mean_service_ms: float = 50.0
    replicas: int = 1
    duration_s: float = 3600.0
    seed: int = 0
    slo_ms: float | None = None
    # ray-serve
    min_replicas: int | None = None
    max_replicas: int | None = None
    target_ongoing_requests: float | None = None
    max_ongoing_requests: int | None = None
    upscale_delay_s: float | None = None
    downscale_delay_s: float | None = None
    metrics_interval_s: float | None = None
    look_back_period_s: float | None = None
    node_kind: str = "cpu"
    node_startup_s: float | None = None
    replicas_per_node: int = 2
    min_worker_nodes: int = 0
    kill_node_at_s: float | None = None
    failure_mode: str = "crash"
    retries: int = 0
    # lambda
    init: str = "sklearn_model"
    keep_alive_s: float | None = None
    provisioned: int = 0
    memory_mb: int = 1024

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Scenario":
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            name = str(key).replace("-", "_")
            if name not in known:
                raise ScenarioError(name, f"unknown setting (known: {', '.join(sorted(known))})")
            kwargs[name] = value
        return cls(**kwargs)

    @classmethod
    def from_yaml(cls, path: str | Path) -> "Scenario":
        p = Path(path)
        try:
            data = inputs.expect_mapping(inputs.read_yaml(p), str(p), empty_ok=True)
        except inputs.InputFileError as exc:
            raise ScenarioError("scenario", str(exc)) from None
        return cls.from_mapping(data)

    def __post_init__(self) -> None:
        def need(cond: bool, name: str, rule: str) -> None:
            if not cond:
                raise ScenarioError(name, f"must be {rule} (got {getattr(self, name)!r})")

        def num(name: str) -> float:
            v = getattr(self, name)
            try:
                f = float(v)
            except (TypeError, ValueError):
                raise ScenarioError(name, f"must be a number (got {v!r})") from None
            return f

        need(self.platform in PLATFORMS, "platform", f"one of {', '.join(PLATFORMS)}")
        need(self.arrivals == "poisson" or str(self.arrivals).startswith("trace:"), "arrivals",
             "'poisson' or 'trace:FILE'")
        need(math.isfinite(num("rate_rps")) and num("rate_rps") >= 0, "rate_rps", "a finite number >= 0")
        need(self.service in arrivals.SERVICE_KINDS, "service", f"one of {', '.join(arrivals.SERVICE_KINDS)}")
        need(math.isfinite(num("mean_service_ms")) and num("mean_service_ms") > 0, "mean_service_ms", "> 0")
        need(isinstance(self.replicas, int) and self.replicas >= 1, "replicas", "an integer >= 1")
        need(math.isfinite(num("duration_s")) and 0 < num("duration_s") <= 31 * 86400, "duration_s",
             "> 0 and at most 31 days")
        need(isinstance(self.seed, int) and self.seed >= 0, "seed", "an integer >= 0")
        need(self.slo_ms is None or num("slo_ms") > 0, "slo_ms", "> 0")
        need(self.node_kind in ray_serve.NODE_KINDS, "node_kind", f"one of {', '.join(ray_serve.NODE_KINDS)}")
        need(self.node_startup_s is None or num("node_startup_s") >= 0, "node_startup_s", ">= 0")
        need(self.kill_node_at_s is None or num("kill_node_at_s") >= 0, "kill_node_at_s", ">= 0")
        need(self.failure_mode in FAILURE_MODES, "failure_mode", f"one of {', '.join(FAILURE_MODES)}")
        need(isinstance(self.retries, int) and self.retries >= 0, "retries", "an integer >= 0")
        need(self.kill_node_at_s is None or self.platform == "ray-serve", "kill_node_at_s",
             "used only with platform ray-serve")
        for name in ("min_replicas", "max_replicas", "max_ongoing_requests"):
            v = getattr(self, name)
            need(v is None or (isinstance(v, int) and v >= (0 if name == "min_replicas" else 1)), name,
                 "a non-negative integer" if name == "min_replicas" else "an integer >= 1")
        for name in ("upscale_delay_s", "downscale_delay_s", "keep_alive_s"):
            need(getattr(self, name) is None or num(name) >= 0, name, ">= 0")
        for name in ("target_ongoing_requests", "metrics_interval_s", "look_back_period_s"):
            need(getattr(self, name) is None or num(name) > 0, name, "> 0")
        need(isinstance(self.replicas_per_node, int) and self.replicas_per_node >= 1, "replicas_per_node",
             "an integer >= 1")
        need(isinstance(self.min_worker_nodes, int) and self.min_worker_nodes >= 0, "min_worker_nodes",
             "an integer >= 0")
        need(isinstance(self.provisioned, int) and self.provisioned >= 0, "provisioned", "an integer >= 0")
        if self.platform == "ray-serve":
            lo = self.replicas if self.min_replicas is None else self.min_replicas
            hi = self.max_replicas if self.max_replicas is not None else max(1, lo, self.replicas)
            need(hi >= max(1, lo), "max_replicas", f">= min_replicas ({lo})")
            need(lo <= self.replicas <= hi, "replicas", f"between min_replicas ({lo}) and max_replicas ({hi})")

    # -- building the parts ------------------------------------------------------------------------------------------
    def workload(self) -> tuple[np.ndarray, np.ndarray]:
        """Arrival times and service times (s)."""
        rng = np.random.default_rng(self.seed)
        if self.arrivals == "poisson":
            a = arrivals.poisson(float(self.rate_rps), float(self.duration_s), rng)
        else:
            path = self.arrivals[len("trace:"):]
            try:
                a = arrivals.from_trace(path)
            except (FileNotFoundError, ValueError) as exc:
                raise ScenarioError("arrivals", str(exc)) from None
            a = a[a < self.duration_s]
        s = arrivals.service_times(self.service, float(self.mean_service_ms) / 1e3, a.size, rng)
        return a, s

    def autoscaling(self) -> ray_serve.ServeAutoscaling:
        lo = self.replicas if self.min_replicas is None else self.min_replicas
        over: dict[str, Any] = {"min_replicas": lo, "initial_replicas": self.replicas,
                                "max_replicas": self.max_replicas if self.max_replicas is not None
                                else max(1, lo, self.replicas)}
        for name in ("target_ongoing_requests", "max_ongoing_requests", "upscale_delay_s", "downscale_delay_s",
                     "metrics_interval_s", "look_back_period_s"):
            if getattr(self, name) is not None:
                over[name] = getattr(self, name)
        return ray_serve.ServeAutoscaling.ray_defaults(**over)

    def cluster(self) -> ray_serve.Cluster:
        node = (ray_serve.NodeProfile.fixed(float(self.node_startup_s)) if self.node_startup_s is not None
                else ray_serve.NodeProfile.of(self.node_kind))
        return ray_serve.Cluster(node=node, replicas_per_node=self.replicas_per_node,
                                 min_worker_nodes=self.min_worker_nodes)

    def lambda_config(self) -> lambda_.LambdaConfig:
        over: dict[str, Any] = {"provisioned": self.provisioned, "memory_mb": self.memory_mb}
        if self.keep_alive_s is not None:
            over["keep_alive_s"] = float(self.keep_alive_s)
        try:
            return lambda_.LambdaConfig.aws_defaults(self.init, **over)
        except ValueError as exc:
            field = str(exc).split(":")[0]
            raise ScenarioError(field if field in {f.name for f in fields(self)} else "init", str(exc)) from None

    def run(self) -> Result:
        """Simulate the scenario (deterministic for a seed)."""
        a, s = self.workload()
        T = float(self.duration_s)
        if self.platform == "fixed":
            return fixed_pool.run(a, s, self.replicas, T)
        if self.platform == "lambda":
            return lambda_.run(a, s, T, self.lambda_config(), seed=self.seed)
        failure = None
        if self.kill_node_at_s is not None:
            failure = NodeFailure(float(self.kill_node_at_s), self.failure_mode, self.retries)
        return ray_serve.run(a, s, T, self.autoscaling(), self.cluster(), seed=self.seed, failure=failure)
