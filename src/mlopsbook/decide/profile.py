"""A service profile: what the decision matrix needs to know about one inference service.

The fields are the post's decision matrix made measurable ("expected traffic patterns", "whether traffic was
continuous 24/7", "CPU vs GPU requirements", "artifact size and model type") plus what the cost and latency models
need:

``traffic_pattern``
    ``steady``, ``business-hours``, ``diurnal``, ``bursty`` or ``rare`` (the shapes of :mod:`mlopsbook.costs.traffic`).
``mean_rps``
    mean request rate over the 730 h month (req/s, > 0).
``peak_rps``
    highest request rate (req/s, >= ``mean_rps``). For ``diurnal`` it must be at most ``2 x mean_rps`` and for
    ``bursty`` at most ``mean_rps / 0.02`` (spikes fill 2% of the month); for ``steady``, ``business-hours`` and
    ``rare`` the shape fixes the busiest hour's rate, and ``peak_rps`` (if higher) is used for the concurrency checks.
``gpu``
    ``required`` (the model needs a GPU), ``optional`` (it has a GPU build but runs on CPU too) or ``no``.
``artifact_mb``
    size of the deployable artifact, unzipped (model plus code and libraries; MB).
``model_latency_ms``
    service time of one request on one vCPU (ms).
``memory_mb``
    memory one worker needs (MB).
``latency_slo_ms``
    the p99 latency the service must meet (ms).
``payload_kb``
    the largest request or response body (KB).

A profile comes from a YAML file, a mapping, or CLI flags; every invalid or missing value raises
:class:`ProfileError` naming the field.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping


from mlopsbook.costs.traffic import PATTERNS, Workload
from mlopsbook import inputs
from mlopsbook.errors import MlopsbookError

GPU_NEEDS: tuple[str, ...] = ("required", "optional", "no")
FIELDS: tuple[str, ...] = ("traffic_pattern", "mean_rps", "peak_rps", "gpu", "artifact_mb", "model_latency_ms",
                           "memory_mb", "latency_slo_ms", "payload_kb")
NUMERIC: tuple[str, ...] = ("mean_rps", "peak_rps", "artifact_mb", "model_latency_ms", "memory_mb", "latency_slo_ms",
                            "payload_kb")
UNITS: dict[str, str] = {"mean_rps": "req/s", "peak_rps": "req/s", "artifact_mb": "MB", "model_latency_ms": "ms",
                         "memory_mb": "MB", "latency_slo_ms": "ms", "payload_kb": "KB"}
MINIMA: dict[str, float] = {"mean_rps": 1e-6, "peak_rps": 1e-6, "artifact_mb": 1e-3, "model_latency_ms": 1e-3,
                            "memory_mb": 1.0, "latency_slo_ms": 1e-3, "payload_kb": 1e-3}
"""Smallest accepted value of each numeric field: a few requests a month, a kilobyte, a microsecond, a megabyte of
worker memory. Smaller values are typing mistakes, and a memory near zero would fit infinitely many workers on a node."""
MAXIMA: dict[str, float] = {"mean_rps": 1e7, "peak_rps": 1e7, "artifact_mb": 1e9, "model_latency_ms": 86_400_000.0,
                            "memory_mb": 1e9, "latency_slo_ms": 86_400_000.0, "payload_kb": 1e9}
"""Largest accepted value of each numeric field. Ten million req/s is beyond any one model service (a month of it is
2.6e13 requests, still exact to the cent in a float); a petabyte of artifact, worker memory or payload is far
beyond every platform compared, which rules out anything near it with a reason. A request that
takes more than a day of compute, or an SLO longer than a day, is not a request/response service (below that, every
platform's request timeout still rules it out with its reason). The bounds keep every product the cost model forms finite."""


class ProfileError(MlopsbookError):
    """An invalid or missing profile value; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Profile:
    """One service's profile (see the module docstring for each field and its unit)."""

    traffic_pattern: str
    mean_rps: float
    peak_rps: float
    gpu: str
    artifact_mb: float
    model_latency_ms: float
    memory_mb: float
    latency_slo_ms: float
    payload_kb: float
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.traffic_pattern, str) or self.traffic_pattern not in PATTERNS:
            raise ProfileError("traffic_pattern", f"must be one of {', '.join(PATTERNS)} (got {self.traffic_pattern!r})")
        if not isinstance(self.gpu, str) or self.gpu not in GPU_NEEDS:
            raise ProfileError("gpu", f"must be one of {', '.join(GPU_NEEDS)} (got {self.gpu!r})")
        for name in NUMERIC:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ProfileError(name, f"must be a number in {UNITS[name]} (got {v!r})")
            if not math.isfinite(v) or not MINIMA[name] <= v <= MAXIMA[name]:
                raise ProfileError(name, f"must be a number in [{MINIMA[name]:g}, {MAXIMA[name]:g}] {UNITS[name]} "
                                         f"(got {v!r})")
            object.__setattr__(self, name, float(v))
        if self.peak_rps < self.mean_rps:
            raise ProfileError("peak_rps", f"must be >= mean_rps ({self.mean_rps:g} req/s) (got {self.peak_rps:g})")
        self.workload()  # checks peak_rps against the pattern

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Profile":
        """A profile from a mapping with exactly the fields of :data:`FIELDS` (and an optional ``name``)."""
        if not isinstance(data, Mapping):
            raise ProfileError("profile", f"must be a mapping of fields (got {type(data).__name__})")
        keys = {str(k).replace("-", "_"): v for k, v in data.items()}
        unknown = sorted(set(keys) - set(FIELDS) - {"name"})
        if unknown:
            raise ProfileError(unknown[0], f"unknown field (fields: {', '.join(FIELDS)})")
        for f in FIELDS:
            if keys.get(f) is None:
                raise ProfileError(f, "missing")
        return cls(**{k: keys[k] for k in FIELDS}, name=str(keys.get("name") or ""))

    @classmethod
    def from_yaml(cls, path: str | Path) -> "Profile":
        """A profile from a YAML file holding a mapping of the fields."""
        return cls.from_mapping(read_yaml(path))

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain values (``name`` included when set)."""
        d = {k: v for k, v in asdict(self).items() if k in FIELDS}
        if self.name:
            d["name"] = self.name
        return d

    def workload(self, mean_rps: float | None = None) -> Workload:
        """The traffic as a :class:`~mlopsbook.costs.traffic.Workload` (at ``mean_rps`` if given, same peak/mean ratio)."""
        m = self.mean_rps if mean_rps is None else float(mean_rps)
        peak = None
        if self.traffic_pattern in ("diurnal", "bursty"):
            peak = self.peak_rps * m / self.mean_rps
        try:
            return Workload(self.traffic_pattern, m, peak_rps=peak)
        except ValueError as exc:
            field, _, msg = str(exc).partition(": ")
            raise ProfileError("peak_rps" if field == "peak_rps" else "mean_rps", msg or str(exc)) from None

    def busiest_rps(self, mean_rps: float | None = None) -> float:
        """The highest rate the service sees (req/s): the pattern's peak, or ``peak_rps`` if that is higher."""
        m = self.mean_rps if mean_rps is None else float(mean_rps)
        return max(float(self.workload(m).peak_rps), self.peak_rps * m / self.mean_rps)

    def peak_concurrency(self, mean_rps: float | None = None) -> float:
        """Requests in flight at the busiest rate: ``busiest_rps x model_latency_ms / 1000`` (Little's law)."""
        return self.busiest_rps(mean_rps) * self.model_latency_ms / 1000.0

    def scaled(self, mean_rps: float) -> "Profile":
        """The same profile at another mean rate (peak scaled in proportion)."""
        from dataclasses import replace

        m = float(mean_rps)
        return replace(self, mean_rps=m, peak_rps=max(m, self.peak_rps / self.mean_rps * m))

    def with_(self, **changes: Any) -> "Profile":
        """A copy with some fields changed (validated again)."""
        from dataclasses import replace

        return replace(self, **changes)


def read_yaml(path: str | Path) -> dict[str, Any]:
    """The mapping in a profile YAML file, not yet validated (so that CLI flags can complete it)."""
    p = Path(path)
    try:
        data = inputs.expect_mapping(inputs.read_yaml(p), str(p))
    except inputs.InputFileError as exc:
        raise ProfileError("profile", str(exc)) from None
    return {str(k).replace("-", "_"): v for k, v in data.items()}


