"""Observing the cluster as an operator would: a real Prometheus server scraping Ray's metrics, with alert rules.

The alert rules live in ``deploy/observability/ray-serve-alerts.yml`` (a node not answering its scrape, fewer healthy
Serve replicas than the target, a 5xx rate above 1%) with ``promtool`` unit tests beside them
(:func:`promtool_test`). :class:`PrometheusServer` runs Debian's ``prometheus`` binary on 127.0.0.1 (a free port, a
temporary data folder, 1 s scrapes and rule evaluations) against the metrics ports of a
:class:`~mlopsbook.lab.multinode.LocalCluster`, and is stopped (SIGTERM, then SIGKILL) when the block ends.
:func:`alert_on_node_kill` kills a worker node under load with the server watching and reports when each alert fired.

Both binaries come from Debian's ``prometheus`` package (``apt-get install -y prometheus``); :func:`binary` says so
when one is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mlopsbook.paths import repo_root
from mlopsbook.lab.multinode import LocalCluster, NodeKill, free_port, kill_node_under_load

ALERT_RULES = Path("deploy/observability/ray-serve-alerts.yml")
"""The alert rules, relative to the repository root."""
RULE_TESTS = Path("deploy/observability/ray-serve-alerts.test.yml")
"""Their ``promtool test rules`` unit tests."""
ALERTS = ("RayNodeDown", "ServeReplicasBelowTarget", "ServeHTTP5xxRate")
NODE_DOWN_WINDOW_S = (4.0, 20.0)
"""When ``RayNodeDown`` must fire, s after a node is killed, with 1 s scrapes and rule evaluation: the failed scrape
plus ``for: 5s`` is about 6 s; 4 to 20 s leaves room for a busy machine (:meth:`AlertedKill.problems`)."""
REPLICAS_BELOW_WITHIN_S = 30.0
"""The latest ``ServeReplicasBelowTarget`` may fire, s after the kill: from Serve's replica health check (every 10 s)
noticing the lost replicas, with room for a busy machine (the rule has ``for: 0s``)."""


def binary(name: str) -> str:
    """Path of ``prometheus`` or ``promtool``; raises ``FileNotFoundError`` naming the Debian package."""
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} not found: install Debian's prometheus package (apt-get install -y prometheus)")
    return path


def promtool_test(tests: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``promtool test rules`` on the rule tests (default :data:`RULE_TESTS`); returns the finished process."""
    tests = tests or repo_root() / RULE_TESTS
    return subprocess.run([binary("promtool"), "test", "rules", str(tests.name)], cwd=tests.parent,
                          capture_output=True, text=True, timeout=60)


def scrape_config(targets: dict[str, str], rules: Path, interval_s: float = 1.0) -> dict[str, Any]:
    """Prometheus configuration: job ``ray`` scraping ``targets`` (``host:port`` -> node label) with ``rules``."""
    return {
        "global": {"scrape_interval": f"{interval_s:g}s", "evaluation_interval": f"{interval_s:g}s",
                   "scrape_timeout": f"{interval_s:g}s"},
        "rule_files": [str(rules)],
        "scrape_configs": [{"job_name": "ray", "static_configs": [
            {"targets": [t], "labels": {"node": label}} for t, label in targets.items()]}],
    }


class PrometheusServer:
    """A Prometheus server on 127.0.0.1 for the duration of a ``with`` block (data in a temporary folder)."""

    def __init__(self, targets: dict[str, str], rules: Path | None = None, interval_s: float = 1.0) -> None:
        self.targets, self.interval_s = dict(targets), interval_s
        self.rules = rules or repo_root() / ALERT_RULES
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._dir: tempfile.TemporaryDirectory | None = None
        self._proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 60.0) -> "PrometheusServer":
        self._dir = tempfile.TemporaryDirectory(prefix="mlopsbook-prometheus-")
        d = Path(self._dir.name)
        cfg = d / "prometheus.yml"
        cfg.write_text(json.dumps(scrape_config(self.targets, self.rules, self.interval_s)))  # JSON is YAML
        self._proc = subprocess.Popen(
            [binary("prometheus"), f"--config.file={cfg}", f"--storage.tsdb.path={d / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"prometheus exited with status {self._proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as r:  # nosec B310 - http://127.0.0.1 URL we built
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"prometheus not ready in {timeout_s} s")
            time.sleep(0.5)

    def _get(self, path: str, **params: str) -> Any:
        q = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{q}", timeout=5) as r:  # nosec B310 - http://127.0.0.1 URL we built
            return json.loads(r.read())["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query: the result vector (``metric`` labels, ``value`` [time, "v"])."""
        return self._get("/api/v1/query", query=expr)["result"]

    def alerts(self) -> list[dict[str, Any]]:
        """Active alerts (pending and firing), as the server's API lists them."""
        return self._get("/api/v1/alerts")["alerts"]

    def targets_up(self) -> int:
        return sum(int(float(r["value"][1])) for r in self.query('up{job="ray"}'))

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        self._proc = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> "PrometheusServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class AlertedKill:
    """A node kill watched by Prometheus: the kill, and when each alert first fired (s after the kill, NaN if not)."""

    kill: NodeKill
    fired_s: dict[str, float]
    pending_s: dict[str, float]
    scrape_interval_s: float
    series: pd.DataFrame  # t_s after the kill; healthy replicas, target, Ray nodes answering, as Prometheus saw them

    def problems(self) -> list[str]:
        """What this run shows that the alert rules' stated timing would not allow, beside the kill's own
        :meth:`~mlopsbook.lab.multinode.NodeKill.problems`: ``RayNodeDown`` not firing within
        :data:`NODE_DOWN_WINDOW_S` (the node's scrape fails at the next scrape, ``for: 5s``, 1 s rule evaluation),
        ``ServeReplicasBelowTarget`` not firing within :data:`REPLICAS_BELOW_WITHIN_S` (Serve's replica health check,
        every 10 s, to the replacement running), or Prometheus never seeing fewer healthy replicas than the target.
        Empty when none."""
        out = list(self.kill.problems())
        lo, hi = NODE_DOWN_WINDOW_S
        down = self.fired_s.get("RayNodeDown", float("nan"))
        if not lo <= down <= hi:
            out.append(f"RayNodeDown fired {down:.1f} s after the kill, outside {lo:g} to {hi:g} s")
        below = self.fired_s.get("ServeReplicasBelowTarget", float("nan"))
        if not below <= REPLICAS_BELOW_WITHIN_S:
            out.append(f"ServeReplicasBelowTarget fired {below:.1f} s after the kill, not within "
                       f"{REPLICAS_BELOW_WITHIN_S:g} s")
        healthy, target = self.series.get("healthy_replicas"), self.series.get("target_replicas")
        if healthy is None or target is None or not healthy.min() < target.max():
            out.append("Prometheus never saw fewer healthy replicas than the target")
        return out

    def operator_timeline(self) -> pd.DataFrame:
        """What an operator sees, in order: the kill, each alert, Serve's and the GCS's view, recovery."""
        k = self.kill
        rows = [("worker node killed (SIGKILL)", 0.0)]
        rows += [(f"alert {a} firing", t) for a, t in self.fired_s.items()]
        rows += [("Serve reports fewer running replicas", k.t_serve_loss_s),
                 ("GCS marks the node dead (health check)", k.t_node_dead_s),
                 ("replicas running again (on the spare node)", k.t_recovered_s)]
        df = pd.DataFrame(rows, columns=["event", "t_s"]).sort_values("t_s", kind="stable", na_position="last")
        df["t_s"] = df["t_s"].round(1)
        return df.reset_index(drop=True)


def alert_on_node_kill(lc: LocalCluster, interval_s: float = 1.0, settle_s: float = 8.0,
                       watch_after_s: float = 10.0, **kill_kwargs: Any) -> AlertedKill:
    """Kill a worker node under load (:func:`kill_node_under_load`) with a Prometheus server scraping every node.

    Waits until every target is up and ``settle_s`` more (so that rates have samples), then watches the alerts
    every 0.5 s until ``watch_after_s`` after the replicas are back.
    """
    seen: dict[tuple[str, str], float] = {}  # (alert, state) -> first monotonic time seen
    rows: list[tuple[float, float, float, float]] = []
    with PrometheusServer(lc.metrics_targets(), interval_s=interval_s) as prom:
        deadline = time.monotonic() + 60
        while prom.targets_up() < len(lc.metrics_targets()):
            if time.monotonic() > deadline:
                raise TimeoutError("not every Ray node's metrics target came up in 60 s")
            time.sleep(0.5)
        time.sleep(settle_s)
        before = {a["labels"]["alertname"] for a in prom.alerts()}
        if before:
            raise RuntimeError(f"alerts active before the kill: {sorted(before)}")
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                try:
                    now = time.monotonic()
                    for a in prom.alerts():
                        seen.setdefault((a["labels"]["alertname"], a["state"]), now)
                    rows.append((now, _scalar(prom, "sum(ray_serve_deployment_replica_healthy)"),
                                 _scalar(prom, "max(ray_serve_autoscaling_target_replicas)"),
                                 _scalar(prom, 'sum(up{job="ray"})')))
                except OSError:
                    pass
                stop.wait(0.5)

        w = threading.Thread(target=watch, daemon=True)
        w.start()
        result = kill_node_under_load(lc, **kill_kwargs)
        time.sleep(watch_after_s)
        stop.set()
        w.join()
    t_kill = result.load.t0_monotonic_s + result.kill_at_s
    rel = {key: round(t - t_kill, 1) for key, t in seen.items()}
    fired = {a: rel.get((a, "firing"), float("nan")) for a in ALERTS}
    pending = {a: rel.get((a, "pending"), float("nan")) for a in ALERTS}
    series = pd.DataFrame(rows, columns=["t_s", "healthy_replicas", "target_replicas", "nodes_answering"])
    series["t_s"] = series["t_s"] - t_kill
    return AlertedKill(result, fired, pending, interval_s, series)


def _scalar(prom: PrometheusServer, expr: str) -> float:
    res = prom.query(expr)
    return float(res[0]["value"][1]) if res else float("nan")
