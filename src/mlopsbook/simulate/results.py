"""What a run reports: per-request outcomes, the capacity timeline, and a JSON-ready summary.

Request outcomes (:data:`SERVED`, :data:`FAILED`, :data:`DROPPED`, :data:`IN_FLIGHT`) partition the arrivals, so
``arrivals == served + failed + dropped + in_flight`` always holds. Latency is end minus arrival (ms), over served
requests; a request "waited" when it started more than :data:`WAIT_EPS_S` after it arrived (queueing for a free
replica slot; a Lambda cold start is not counted as waiting).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SERVED, FAILED, DROPPED, IN_FLIGHT = 0, 1, 2, 3
WAIT_EPS_S = 1e-9


@dataclass
class Timeline:
    """Capacity over time: one row per change (times in s). Columns: ``replicas`` running (or Lambda environments
    alive), ``target`` (the autoscaler's target), ``nodes`` ready, ``nodes_total`` (ready + starting)."""

    time_s: list[float] = field(default_factory=list)
    replicas: list[int] = field(default_factory=list)
    target: list[int] = field(default_factory=list)
    nodes: list[int] = field(default_factory=list)
    nodes_total: list[int] = field(default_factory=list)

    def add(self, t: float, replicas: int, target: int, nodes: int, nodes_total: int) -> None:
        if self.time_s and self.time_s[-1] == t:
            self.replicas[-1], self.target[-1], self.nodes[-1], self.nodes_total[-1] = replicas, target, nodes, nodes_total
            return
        self.time_s.append(float(t))
        self.replicas.append(int(replicas))
        self.target.append(int(target))
        self.nodes.append(int(nodes))
        self.nodes_total.append(int(nodes_total))


@dataclass
class Result:
    """One simulated run.

    ``arrival_s``, ``start_s``, ``end_s`` (s, NaN where not applicable) and ``status`` per request; ``cold`` marks
    Lambda cold starts. ``node_seconds`` is billed node time (ready or starting), ``gb_seconds`` Lambda billed
    duration x memory (init included, ``aws.lambda.init.*``) and ``provisioned_gb_seconds`` Lambda provisioned concurrency held.
    ``events`` lists notable moments (kill, detection, recovery) as ``(time_s, label)``.
    """

    platform: str
    duration_s: float
    arrival_s: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    status: np.ndarray
    timeline: Timeline = field(default_factory=Timeline)
    cold: np.ndarray | None = None
    retried: np.ndarray | None = None
    node_seconds: float = 0.0
    gb_seconds: float = 0.0
    provisioned_gb_seconds: float = 0.0
    events: list[tuple[float, str]] = field(default_factory=list)
    extra: dict[str, float | int | str] = field(default_factory=dict)

    # -- counts ----------------------------------------------------------------------------------------------------
    @property
    def arrivals(self) -> int:
        return int(self.status.size)

    def count(self, status: int) -> int:
        return int(np.count_nonzero(self.status == status))

    @property
    def served(self) -> int:
        return self.count(SERVED)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def dropped(self) -> int:
        return self.count(DROPPED)

    @property
    def in_flight(self) -> int:
        return self.count(IN_FLIGHT)

    # -- latency ---------------------------------------------------------------------------------------------------
    @property
    def latency_ms(self) -> np.ndarray:
        """End-to-end latency of served requests (ms)."""
        ok = self.status == SERVED
        return (self.end_s[ok] - self.arrival_s[ok]) * 1e3

    def latency_percentiles_ms(self, qs: tuple[float, ...] = (50, 95, 99)) -> dict[str, float]:
        lat = self.latency_ms
        if lat.size == 0:
            return {f"p{q:g}": float("nan") for q in qs} | {"max": float("nan")}
        vals = np.percentile(lat, qs)
        return {f"p{q:g}": float(v) for q, v in zip(qs, vals)} | {"max": float(lat.max())}

    @property
    def wait_s(self) -> np.ndarray:
        """Time served requests spent waiting for a replica slot (s)."""
        ok = self.status == SERVED
        return self.start_s[ok] - self.arrival_s[ok]

    def mean_wait_ms(self) -> float:
        w = self.wait_s
        return float(w.mean() * 1e3) if w.size else float("nan")

    def p_wait(self) -> float:
        """Fraction of served requests that waited for a free replica slot."""
        w = self.wait_s
        return float(np.mean(w > WAIT_EPS_S)) if w.size else float("nan")

    def slo_violations(self, slo_ms: float) -> int:
        """Requests that missed the SLO: served slower than ``slo_ms``, plus failed and dropped ones."""
        return int(np.count_nonzero(self.latency_ms > slo_ms)) + self.failed + self.dropped

    def window(self, t0_s: float, t1_s: float) -> "Result":
        """The requests that arrived in ``[t0_s, t1_s)`` (same timeline and costs)."""
        m = (self.arrival_s >= t0_s) & (self.arrival_s < t1_s)
        return Result(self.platform, self.duration_s, self.arrival_s[m], self.start_s[m], self.end_s[m],
                      self.status[m], self.timeline, None if self.cold is None else self.cold[m],
                      None if self.retried is None else self.retried[m])

    def latency_over_time(self, bucket_s: float, q: float = 99.0) -> tuple[np.ndarray, np.ndarray]:
        """The ``q``-th percentile latency (ms) of served requests by arrival bucket of ``bucket_s`` seconds:
        bucket start times (s) and values (NaN for an empty bucket)."""
        ok = self.status == SERVED
        a, lat = self.arrival_s[ok], (self.end_s[ok] - self.arrival_s[ok]) * 1e3
        edges = np.arange(0.0, self.duration_s + bucket_s, bucket_s)
        idx = np.searchsorted(edges, a, side="right") - 1
        out = np.full(edges.size - 1, np.nan)
        order = np.argsort(idx, kind="stable")
        idx, lat = idx[order], lat[order]
        bounds = np.searchsorted(idx, np.arange(edges.size))
        for k in range(edges.size - 1):
            chunk = lat[bounds[k]:bounds[k + 1]]
            if chunk.size:
                out[k] = np.percentile(chunk, q)
        return edges[:-1], out

    @property
    def node_hours(self) -> float:
        return self.node_seconds / 3600.0

    def summary(self, slo_ms: float | None = None) -> dict[str, Any]:
        """The JSON record: ``mean_wait_ms``, ``p_wait``, ``latency_ms`` (p50, p95, p99, max), counts and usage."""
        out: dict[str, Any] = {
            "platform": self.platform,
            "duration_s": float(self.duration_s),
            "arrivals": self.arrivals,
            "served": self.served,
            "failed": self.failed,
            "dropped": self.dropped,
            "in_flight": self.in_flight,
            "mean_wait_ms": _finite(self.mean_wait_ms()),
            "p_wait": _finite(self.p_wait()),
            "latency_ms": {k: _finite(v) for k, v in self.latency_percentiles_ms().items()},
            "node_hours": float(self.node_hours),
            "gb_seconds": float(self.gb_seconds),
            "provisioned_gb_seconds": float(self.provisioned_gb_seconds),
            "max_replicas": int(max(self.timeline.replicas, default=0)),
            "max_nodes": int(max(self.timeline.nodes_total, default=0)),
        }
        if self.cold is not None:
            out["cold_starts"] = int(np.count_nonzero(self.cold))
        if self.retried is not None:
            out["retried"] = int(np.count_nonzero(self.retried))
        if slo_ms is not None:
            out["slo_ms"] = float(slo_ms)
            out["slo_violations"] = self.slo_violations(slo_ms)
        if self.events:
            out["events"] = [{"time_s": float(t), "event": e} for t, e in self.events]
        out.update({k: v for k, v in sorted(self.extra.items())})
        return out

    def to_json(self, slo_ms: float | None = None) -> str:
        """:meth:`summary` as JSON with sorted keys (bit-identical for the same seed and inputs)."""
        return json.dumps(self.summary(slo_ms), sort_keys=True, indent=2)


def _finite(v: float) -> float | None:
    return None if not np.isfinite(v) else float(v)
