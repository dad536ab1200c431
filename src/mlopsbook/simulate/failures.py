"""Node failures: when a worker node dies, how long Ray takes to notice, and what happens to its requests.

Detection follows the GCS-to-raylet health check (``ray.gcs.health_check_*``: period, timeout, failure threshold).
Checks run every period; the node is declared dead after ``threshold`` consecutive failed checks. Two ways to die:

``crash``
    the node's processes are gone and the connection is refused, so each check fails at once and in-flight requests
    on the node's replicas fail at the moment of the kill (the caller's connection breaks);
``silent``
    the node stops answering (kernel panic, network partition, instance terminated without a reset): each check
    waits for its timeout, and in-flight requests hang until the node is declared dead, then fail.
``replica``
    one replica's process is killed (``ray.kill``) while its node lives on: its in-flight requests fail at once and
    the Serve controller notices at its next replica health check (``ray.serve.replica_health_check_period_s``), so detection is
    ``U(0, 10)`` s; the replacement starts on the same node.

Detection delay: ``phase + (threshold - 1) x period`` for a crash and ``phase + threshold x timeout +
(threshold - 1) x period`` when silent, where ``phase ~ U(0, period)`` is the wait for the next check. With Ray's defaults
that is 12-15 s and 62-65 s; cloud-facts E4.9 (derived) gives "about 20 s best case to about 55-70 s worst case".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from mlopsbook.errors import MlopsbookError
from mlopsbook.simulate import parameters
from mlopsbook.validation import check_choice, check_number

FailureMode = Literal["crash", "silent"]
FAILURE_MODES: tuple[str, ...] = ("crash", "silent", "replica")


@dataclass(frozen=True)
class HealthCheck:
    """Ray's node health check (``ray.gcs.health_check_*``): ``period_s``, ``timeout_s`` (s) and ``failure_threshold`` (checks)."""

    period_s: float
    timeout_s: float
    failure_threshold: int

    replica_check_period_s: float = 10.0

    @classmethod
    def ray_defaults(cls) -> "HealthCheck":
        fd = parameters.section("failure_detection")
        return cls(float(fd["health_check_period_s"]), float(fd["health_check_timeout_s"]),
                   int(fd["health_check_failure_threshold"]), float(fd["serve_replica_health_check_period_s"]))

    def detection_range_s(self, mode: str) -> tuple[float, float]:
        """Shortest and longest detection delay (s) for ``mode``."""
        base = self._base_s(mode)
        return base, base + (self.replica_check_period_s if mode == "replica" else self.period_s)

    def _base_s(self, mode: str) -> float:
        check_choice(mode, "failure_mode", FAILURE_MODES)
        if mode == "replica":
            return 0.0
        k = self.failure_threshold
        base = (k - 1) * self.period_s
        return base + (k * self.timeout_s if mode == "silent" else 0.0)

    def detection_delay_s(self, mode: str, rng: np.random.Generator) -> float:
        """One detection delay (s): the fixed part plus a uniform phase in ``[0, period_s)``."""
        phase = self.replica_check_period_s if mode == "replica" else self.period_s
        return self._base_s(mode) + float(rng.uniform(0.0, phase))


@dataclass(frozen=True)
class NodeFailure:
    """Kill the worker node that hosts the most running replicas (mode ``replica``: one replica) at ``at_s`` s.

    ``mode``: ``crash`` or ``silent`` (see the module docs). ``retries``: how many times a request that failed
    because its replica died is sent again (0 = it fails, as Ray Serve's default at-most-once calls do, E4.7).
    """

    at_s: float
    mode: str = "crash"
    retries: int = 0

    def __post_init__(self) -> None:
        check_number(self.at_s, "kill_node_at_s", low=0)
        check_choice(self.mode, "failure_mode", FAILURE_MODES)
        if not isinstance(self.retries, int) or self.retries < 0:
            raise MlopsbookError(f"retries: must be an integer >= 0 (got {self.retries!r})")
