"""The multi-node measurements as a dated record: what the book's verdicts read instead of starting Ray.

Starting a multi-node cluster takes minutes, so pages that only *show a verdict* read the record that
:func:`record` writes (``data/rayengine/multinode-<date>.json``); the companion page that runs the cluster measures
afresh beside it. The record holds the node-kill runs, the node cold start, the alert firing delays, the simulator's
figures for the same scenarios and the peak memory, with the Ray version and the machine they were measured on.
"""

from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import repo_root

FOLDER = Path("data/rayengine")


@dataclass(frozen=True)
class MultinodeEvidence:
    """One recorded set of multi-node runs (times in s, memory in GB; NaN stored as null)."""

    date: str
    ray_version: str
    machine: str
    node_kill_runs: list[dict[str, float]]
    node_kill_vs_simulator: list[dict[str, Any]]
    cold_start_timeline: list[dict[str, Any]]
    cold_start_delays: dict[str, float]
    cold_start_vs_simulator: list[dict[str, Any]]
    alert_fired_s: dict[str, float]
    alert_pending_s: dict[str, float]
    peak_pss_gb: dict[str, float]

    def kill_median(self, column: str) -> float:
        """Median over the node-kill runs of ``column`` (e.g. ``failed``, ``node_dead_s``, ``replicas_back_s``)."""
        vals = [r[column] for r in self.node_kill_runs if r.get(column) is not None]
        return float(pd.Series(vals, dtype=float).median()) if vals else float("nan")

    def kill_range(self, column: str) -> tuple[float, float]:
        vals = [float(r[column]) for r in self.node_kill_runs if r.get(column) is not None]
        return (min(vals), max(vals)) if vals else (float("nan"), float("nan"))

    def cold_start_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.cold_start_vs_simulator)

    def node_kill_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.node_kill_vs_simulator)

    def cold_start_row(self, event: str, column: str) -> float:
        df = self.cold_start_table().set_index("event (s after load began)")
        v = df.loc[event, column]
        return float("nan") if v is None else float(v)


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item"):
        return _clean(x.item())
    return x


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(r) for r in df.to_dict(orient="records")]


def build(kills: list, kill_vs_sim: pd.DataFrame, cold: Any, cold_vs_sim: pd.DataFrame, alerted: Any,
          day: date | None = None) -> MultinodeEvidence:
    """Assemble the record from the results of :mod:`multinode`, :mod:`autoscale`, :mod:`prometheus`, :mod:`simcompare`."""
    import ray

    rows = [k.row() for k in kills] + [alerted.kill.row()]
    return MultinodeEvidence(
        date=(day or date.today()).isoformat(), ray_version=ray.__version__,
        machine=f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}",
        node_kill_runs=_records(pd.DataFrame(rows)),
        node_kill_vs_simulator=_records(kill_vs_sim),
        cold_start_timeline=_records(cold.timeline()),
        cold_start_delays=_clean({"decision_delay_s": round(cold.decision_delay_s, 1),
                                  "registration_delay_s": round(cold.registration_delay_s, 1),
                                  "replica_start_s": round(cold.replica_start_s, 1),
                                  "node_idle_removal_s": round(cold.node_idle_removal_s, 1),
                                  "first_replica_from_zero_nodes_s": round(cold.first_replica_running_s, 1),
                                  "failed_requests": float(cold.load.n_failed)}),
        cold_start_vs_simulator=_records(cold_vs_sim),
        alert_fired_s=_clean(dict(alerted.fired_s)), alert_pending_s=_clean(dict(alerted.pending_s)),
        peak_pss_gb=_clean({"node_kill_cluster": round(max(k.peak_pss_bytes for k in kills) / 1e9, 2),
                            "autoscaling_cluster": round(cold.peak_pss_bytes / 1e9, 2)}),
    )


def write(ev: MultinodeEvidence, folder: Path | None = None) -> Path:
    """Write ``multinode-<date>.json`` into ``folder`` (default ``data/rayengine``); returns its path."""
    folder = folder or repo_root() / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"multinode-{ev.date}.json"
    path.write_text(json.dumps(asdict(ev), indent=1, sort_keys=True) + "\n")
    return path


def load(path: Path | None = None) -> MultinodeEvidence:
    """The newest recorded ``multinode-<date>.json`` (or ``path``); a one-line error when none or malformed."""
    if path is None:
        files = sorted((repo_root() / FOLDER).glob("multinode-*.json"))
        if not files:
            raise MlopsbookError(f"{FOLDER}: no multinode-<date>.json recorded; run the multinode page to record one")
        path = files[-1]
    try:
        raw = json.loads(Path(path).read_text())
        return MultinodeEvidence(**raw)
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise MlopsbookError(f"{path}: not a multinode record ({type(exc).__name__}: {exc})") from None


@dataclass(frozen=True)
class Measured:
    """Everything one :func:`measure` produced (live results, before they are reduced to a record)."""

    kills: list
    kill_vs_sim: pd.DataFrame
    cold: Any
    cold_vs_sim: pd.DataFrame
    alerted: Any
    service_ms: float

    def evidence(self) -> MultinodeEvidence:
        return build(self.kills, self.kill_vs_sim, self.cold, self.cold_vs_sim, self.alerted)


def measure(runs: int = 3, env: dict[str, str] | None = None) -> Measured:
    """Run everything on this machine: ``runs`` node kills and one alerted kill on a head + 3 workers (metrics exported
    every second), then a node cold start on Ray's autoscaler; each cluster is shut down before the next starts."""
    from mlopsbook.lab import autoscale, multinode, prometheus, simcompare
    from mlopsbook.lab.experiments import payloads, service_time_ms

    bodies = payloads()
    service_ms = service_time_ms(bodies[:10], repeats=1)
    lc = multinode.start_cluster(multinode.ClusterSpec(metrics_report_interval_ms=1000), env=env)
    try:
        kills = multinode.repeat_node_kill(lc, runs, bodies=bodies)
        multinode.ensure_spare(lc)
        alerted = prometheus.alert_on_node_kill(lc, bodies=bodies)
    finally:
        lc.shutdown()
    acl = autoscale.start_autoscaling_cluster(env=env)
    try:
        cold = autoscale.node_cold_start(acl, bodies=bodies)
    finally:
        acl.shutdown()
    return Measured(kills, simcompare.compare_node_kill(kills + [alerted.kill], service_ms), cold,
                    simcompare.compare_cold_start(cold, service_ms), alerted, service_ms)


def main(argv: list[str] | None = None) -> int:
    """``python -m mlopsbook.lab.evidence [--runs N]``: measure and record into ``data/rayengine``."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m mlopsbook.lab.evidence",
                                description="Measure the multi-node runs and record them in data/rayengine/.")
    p.add_argument("--runs", type=int, default=3, help="node kills without Prometheus (default 3)")
    args = p.parse_args(argv)
    m = measure(args.runs)
    path = write(m.evidence())
    print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
