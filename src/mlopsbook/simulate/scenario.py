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
from mlopsbook.simulate import arrivals, fixed_pool, lambda_, queueing, ray_serve
from mlopsbook.simulate.failures import FAILURE_MODES, NodeFailure
from mlopsbook.simulate.results import Result

PLATFORMS: tuple[str, ...] = ("fixed", "ray-serve", "lambda")

MAX_EVENTS = 1_000_000
"""Most events one run may simulate (expected arrivals plus Ray Serve's periodic metric records, pushes and
autoscaler passes). Measured on one core: a million arrivals take 0.9 s on a fixed pool and 2 s on Lambda; Ray
Serve takes about 5 us an arrival and 9 us a metric push; so a run within the budget ends in seconds, well under
30 s on a loaded two-core machine. Percentiles of a stationary run settle long before a million requests."""

MAX_REPLICAS = 10_000
"""Most replicas, nodes or provisioned environments a run may hold: each is an object the simulator visits; the
platforms the book compares run tens to hundreds."""

MAX_SERVICE_MS = 86_400_000.0
"""Longest mean service time (one day): longer is not a request/response service."""

MAX_DURATION_S = 31 * 86400.0
"""Longest simulated period: a month, the billing period."""

MAX_SEED = 2**63 - 1
"""Largest seed (NumPy's generators take any non-negative integer; this bound keeps it a 64-bit value)."""


def _count(value: Any, low: int, high: int = MAX_REPLICAS) -> bool:
    """Whether ``value`` is an integer (not a boolean) in ``[low, high]``."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


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
        need(0 < num("mean_service_ms") <= MAX_SERVICE_MS, "mean_service_ms", f"in (0, {MAX_SERVICE_MS:.0f}] (a day)")
        need(_count(self.replicas, 1), "replicas", f"an integer in [1, {MAX_REPLICAS}]")
        need(0 < num("duration_s") <= MAX_DURATION_S, "duration_s", "> 0 and at most 31 days")
        need(isinstance(self.seed, int) and not isinstance(self.seed, bool) and 0 <= self.seed <= MAX_SEED, "seed",
             f"an integer in [0, 2**63 - 1]")
        need(self.slo_ms is None or 0 < num("slo_ms") <= MAX_SERVICE_MS, "slo_ms", f"in (0, {MAX_SERVICE_MS:.0f}]")
        need(self.node_kind in ray_serve.NODE_KINDS, "node_kind", f"one of {', '.join(ray_serve.NODE_KINDS)}")
        need(self.node_startup_s is None or 0 <= num("node_startup_s") <= MAX_DURATION_S, "node_startup_s",
             "in [0, 31 days]")
        need(self.kill_node_at_s is None or 0 <= num("kill_node_at_s") <= MAX_DURATION_S, "kill_node_at_s",
             "in [0, 31 days]")
        need(self.failure_mode in FAILURE_MODES, "failure_mode", f"one of {', '.join(FAILURE_MODES)}")
        need(_count(self.retries, 0, 100), "retries", "an integer in [0, 100]")
        need(self.kill_node_at_s is None or self.platform == "ray-serve", "kill_node_at_s",
             "used only with platform ray-serve")
        for name in ("min_replicas", "max_replicas", "max_ongoing_requests"):
            v = getattr(self, name)
            low = 0 if name == "min_replicas" else 1
            need(v is None or _count(v, low), name, f"an integer in [{low}, {MAX_REPLICAS}]")
        for name in ("upscale_delay_s", "downscale_delay_s", "keep_alive_s"):
            need(getattr(self, name) is None or 0 <= num(name) <= MAX_DURATION_S, name, "in [0, 31 days]")
        for name in ("target_ongoing_requests", "metrics_interval_s", "look_back_period_s"):
            need(getattr(self, name) is None or 0 < num(name) <= MAX_DURATION_S, name, "in (0, 31 days]")
        need(_count(self.replicas_per_node, 1), "replicas_per_node", f"an integer in [1, {MAX_REPLICAS}]")
        need(_count(self.min_worker_nodes, 0), "min_worker_nodes", f"an integer in [0, {MAX_REPLICAS}]")
        need(_count(self.provisioned, 0), "provisioned", f"an integer in [0, {MAX_REPLICAS}]")
        if self.platform == "ray-serve":
            lo = self.replicas if self.min_replicas is None else self.min_replicas
            hi = self.max_replicas if self.max_replicas is not None else max(1, lo, self.replicas)
            need(hi >= max(1, lo), "max_replicas", f">= min_replicas ({lo})")
            need(lo <= self.replicas <= hi, "replicas", f"between min_replicas ({lo}) and max_replicas ({hi})")
        self._check_budget()

    def events(self) -> dict[str, float]:
        """The expected number of simulated events of the run, by source (before any is drawn)."""
        T = float(self.duration_s)
        out = {"arrivals": float(self.rate_rps) * T if self.arrivals == "poisson" else 0.0}
        if self.platform == "ray-serve":
            try:
                a, cluster = self.autoscaling(), self.cluster()
            except ValueError as exc:  # the autoscaler's and cluster's own checks name the setting first
                name = str(exc).split(":")[0]
                raise ScenarioError(name if name in {f.name for f in fields(self)} else "scenario", str(exc)) from None
            out["metrics_interval_s"] = T / a.metrics_interval_s
            out["look_back_period_s"] = T / (a.look_back_period_s * a.metric_record_interval_factor)
            out["autoscaler passes"] = T / float(cluster.autoscaler_update_interval_s)  # type: ignore[arg-type]
        return out

    def _check_budget(self) -> None:
        """Refuse a run whose expected events exceed :data:`MAX_EVENTS`, naming the source and how to fit it."""
        ev = self.events()
        total = sum(ev.values())
        if total <= MAX_EVENTS:
            return
        source = max(ev, key=lambda k: ev[k])
        T = float(self.duration_s)
        fit_T = T * MAX_EVENTS / total
        if source == "arrivals":
            rate = float(self.rate_rps)
            hint = (f"simulate at most {fit_T:.4g} s (--duration-s) at this rate; tail percentiles of steady "
                    f"Poisson traffic settle well within that" + self._analytic_hint())
            raise ScenarioError("rate_rps", f"{rate:g} req/s for {T:g} s is about {ev['arrivals']:.3g} requests, "
                                f"over the simulator's budget of {MAX_EVENTS:,} events: {hint}")
        if source == "autoscaler passes":
            raise ScenarioError("duration_s", f"{ev[source]:.3g} autoscaler passes in {T:g} s is over the "
                                f"simulator's budget of {MAX_EVENTS:,} events: use --duration-s <= {fit_T:.4g}")
        interval = T / ev[source]
        raise ScenarioError(source, f"an event every {interval:.3g} s for {T:g} s is {ev[source]:.3g} events, over "
                            f"the simulator's budget of {MAX_EVENTS:,}: use a coarser interval or --duration-s <= "
                            f"{fit_T:.4g}")

    def _analytic_hint(self) -> str:
        """For a fixed pool with Poisson arrivals and exponential service: the M/M/c answer, which costs nothing."""
        if self.platform != "fixed" or self.service != "exponential":
            return ""
        rate, mu = float(self.rate_rps), 1e3 / float(self.mean_service_ms)
        if rate >= self.replicas * mu:
            return (f"; at this rate the pool of {self.replicas} is overloaded (utilisation "
                    f"{rate / (self.replicas * mu):.3g} >= 1): the queue grows without bound")
        wait = queueing.mmc_mean_wait_s(self.replicas, rate, mu)
        return (f"; the M/M/c mean wait for this pool is {wait * 1e3:.4g} ms and P(wait) "
                f"{queueing.erlang_c(self.replicas, rate, mu):.4g} (mlopsbook.simulate.queueing)")

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
            if a.size > MAX_EVENTS:
                raise ScenarioError("arrivals", f"{a.size:,} arrivals within {self.duration_s:g} s, over the "
                                    f"simulator's budget of {MAX_EVENTS:,}: use a shorter --duration-s")
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
