"""Node cold start for real: Ray's own autoscaler adds a worker node when Serve wants a replica that does not fit.

Ray's autoscaler (the one KubeRay runs beside the head pod) is started here with its *fake multi-node provider*: a
"node" it launches is a new raylet on this machine instead of a cloud instance, so the control loop is Ray's real
one — Serve's autoscaler raises its target, the replica cannot be placed, the Ray autoscaler sees the pending demand,
decides to launch a node, the node registers with the GCS, the replica starts on it — and only the cloud's provisioning
time is missing. That missing part is what the simulator adds back (sourced EC2/EKS start-up times).

``ray.cluster_utils.AutoscalingCluster`` cannot be used as shipped: it reads a provider example file that the PyPI wheel
does not contain, and it starts and stops with ``ray stop --force``, which would stop every Ray on the machine. So
:func:`start_autoscaling_cluster` writes the provider configuration itself (:func:`fake_cluster_config`), runs
``ray start --head --block`` in its own session, and :meth:`AutoscalingLocalCluster.shutdown` ends exactly the process
tree it started (collected before any signal is sent, so that orphans are found too).

:func:`node_cold_start` measures one scale-up and scale-down under bounded closed-loop load; the autoscaler's decision
is read from its own log (``StandardAutoscaler: Queue N new nodes for launch``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from mlopsbook.engine import ray_runtime, serve_app
from mlopsbook.lab import load
from mlopsbook.lab.multinode import SAMPLE_EVERY_S, free_port, process_tree_pss_bytes
from mlopsbook.validation import check_number

WORKER_TYPE = "ray.worker.cpu"
AUTOSCALER_UPDATE_INTERVAL_S = 1.0
"""The autoscaler's loop period here (``AUTOSCALER_UPDATE_INTERVAL_S``; Ray's default is 5 s, data/simulate)."""

SCALING = serve_app.Scaling(min_replicas=1, max_replicas=2, target_ongoing_requests=2, max_ongoing_requests=5,
                            upscale_delay_s=1, downscale_delay_s=3, metrics_interval_s=1, look_back_period_s=2,
                            replica_num_cpus=1)
"""Serve's policy on short clocks (as :data:`serve_app.LOCAL_SCALING`) with whole-CPU replicas: one per node."""


def fake_cluster_config(gcs_address: str, max_workers: int = 2, worker_cpus: int = 1,
                        idle_timeout_s: float = 6.0, object_store_mb: int = 80) -> dict[str, Any]:
    """The autoscaler configuration: a head with no CPUs, up to ``max_workers`` worker nodes of ``worker_cpus`` CPUs.

    Provider ``fake_multinode`` (nodes are raylets on this machine), no node updaters or launch-config checks (there is
    nothing to install), idle nodes removed after ``idle_timeout_s`` s (KubeRay's default: ``kuberay.autoscaler.idle_timeout_s``).
    """
    check_number(max_workers, "max_workers", low=1, high=4, integer=True)
    check_number(worker_cpus, "worker_cpus", low=1, high=4, integer=True)
    check_number(idle_timeout_s, "idle_timeout_s", low=1, high=600)
    empty: dict[str, Any] = {k: [] for k in ("cluster_synced_files", "rsync_exclude", "rsync_filter",
                                             "initialization_commands", "setup_commands", "head_setup_commands",
                                             "worker_setup_commands", "head_start_ray_commands",
                                             "worker_start_ray_commands")}
    return {
        "cluster_name": "mlopsbook-fake",
        "max_workers": max_workers,
        "upscaling_speed": 1.0,
        "idle_timeout_minutes": idle_timeout_s / 60.0,
        "provider": {"type": "fake_multinode", "use_node_id_as_ip": True, "disable_node_updaters": True,
                     "disable_launch_config_check": True, "gcs_address": gcs_address},
        "auth": {}, "docker": {}, "file_mounts": {}, "file_mounts_sync_continuously": False,
        "head_node_type": "ray.head.default",
        "available_node_types": {
            "ray.head.default": {"resources": {"CPU": 0}, "node_config": {}, "max_workers": 0},
            WORKER_TYPE: {"resources": {"CPU": worker_cpus, "object_store_memory": object_store_mb * 1024**2},
                          "node_config": {}, "min_workers": 0, "max_workers": max_workers},
        },
        **empty,
    }


class AutoscalingLocalCluster:
    """A head started by ``ray start --head --block`` with the fake provider; use :func:`start_autoscaling_cluster`."""

    def __init__(self, proc: subprocess.Popen, address: str, session_root: Path, config_path: Path) -> None:
        self.proc, self.address, self.session_root, self.config_path = proc, address, session_root, config_path
        self._pids: set[int] = set()
        self._closed = False

    def remember_processes(self) -> None:
        """Record every process now in this cluster's tree (nodes the autoscaler launched are in it)."""
        import psutil

        try:
            root = psutil.Process(self.proc.pid)
            self._pids |= {root.pid, *(c.pid for c in root.children(recursive=True))}
        except psutil.Error:
            pass

    def leftover_processes(self) -> list[int]:
        """Processes of this cluster's tree still alive (empty after :meth:`shutdown`)."""
        import psutil

        alive = []
        for pid in sorted(self._pids):
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.Error:
                pass
        return alive

    def session_dir(self) -> Path:
        import ray

        return Path(ray._private.worker.global_worker.node.get_session_dir_path())

    def memory_pss_bytes(self) -> int:
        """PSS of this driver and every process it started (``ray start`` and the cluster under it), in bytes."""
        return process_tree_pss_bytes(os.getpid())

    def shutdown(self, grace_s: float = 15.0) -> None:
        """Disconnect, then SIGTERM the head's ``ray start`` and SIGKILL whatever of its tree is left; idempotent."""
        import psutil

        if self._closed:
            return
        self._closed = True
        ray_runtime.stop()
        self.remember_processes()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        left = []
        for pid in sorted(self._pids):
            try:
                p = psutil.Process(pid)
                p.kill()
                left.append(p)
            except psutil.Error:
                pass
        psutil.wait_procs(left, timeout=5)
        try:
            self.config_path.unlink()
        except OSError:
            pass

    def __enter__(self) -> "AutoscalingLocalCluster":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def start_autoscaling_cluster(max_workers: int = 2, idle_timeout_s: float = 6.0, env: Mapping[str, str] | None = None,
                              timeout_s: float = 90.0) -> AutoscalingLocalCluster:
    """Start the head (no CPUs) and Ray's autoscaler with the fake provider, and connect this process.

    ``env``: environment for Ray (the authentication settings, as :func:`multinode.start_cluster`). The autoscaler
    runs every :data:`AUTOSCALER_UPDATE_INTERVAL_S` s. Raises ``TimeoutError`` if the head does not come up.
    """
    import ray

    ray_runtime.prepare_new_cluster(env)
    ip = ray._private.services.get_node_ip_address()
    port = free_port()
    address = f"{ip}:{port}"
    root = ray_runtime.session_dir()
    cfg_path = root / f"autoscaler-{port}.json"
    cfg_path.write_text(json.dumps(fake_cluster_config(address, max_workers, 1, idle_timeout_s)))
    run_env = {**os.environ, "RAY_FAKE_CLUSTER": "1",
               "AUTOSCALER_UPDATE_INTERVAL_S": f"{AUTOSCALER_UPDATE_INTERVAL_S:g}"}
    ray_bin = str(Path(sys.executable).parent / "ray")
    cmd = [ray_bin, "start", "--head", "--block", f"--port={port}", "--num-cpus=0", "--include-dashboard=false",
           f"--autoscaling-config={cfg_path}", "--object-store-memory=83886080", "--disable-usage-stats",
           "--include-log-monitor=false",  # nothing streams worker logs to this driver (log_to_driver=False)
           f"--metrics-export-port={free_port()}"]
    proc = subprocess.Popen(cmd, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    acl = AutoscalingLocalCluster(proc, address, root, cfg_path)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ray start exited with status {proc.returncode}")
            try:
                ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR, configure_logging=True)
                break
            except (ConnectionError, RuntimeError, TimeoutError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the head at {address} did not come up in {timeout_s} s") from None
                time.sleep(1.0)
        ray_runtime.silence_python_side()
        acl.remember_processes()
    except BaseException:
        acl.shutdown()
        raise
    return acl


# ---------------------------------------------------------------------------------------------------------------------
_QUEUE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}).*StandardAutoscaler: Queue (\d+) new nodes for launch")
_TERM = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}).*StandardAutoscaler: Terminating the node")


def autoscaler_decisions(session_dir: Path) -> list[tuple[float, str]]:
    """``(unix time, "launch N" | "terminate")`` lines of the autoscaler's log in ``session_dir``, in order."""
    out: list[tuple[float, str]] = []
    for f in sorted((Path(session_dir) / "logs").glob("monitor*.log")):
        for line in f.read_text(errors="replace").splitlines():
            m = _QUEUE.match(line)
            if m:
                out.append((_unix(m.group(1)), f"launch {m.group(2)}"))
                continue
            m = _TERM.match(line)
            if m:
                out.append((_unix(m.group(1)), "terminate"))
    return sorted(out)


def _unix(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


@dataclass(frozen=True)
class ColdStart:
    """One scale-up and scale-down through a node the autoscaler adds and removes.

    Times are seconds after the load began (NaN when not seen). ``samples``: ``t_s``, ``running`` replicas, deployment
    ``status``, ``worker_nodes`` alive. ``first_*``: the deployment's very first replica, from zero worker nodes
    (seconds after ``serve.run`` was called).
    """

    load: load.LoadResult
    samples: pd.DataFrame
    t_upscale_decision_s: float
    t_node_launch_decided_s: float
    t_node_registered_s: float
    t_replica_running_s: float
    t_load_end_s: float
    t_replica_removed_s: float
    t_node_removed_s: float
    first_node_registered_s: float
    first_replica_running_s: float
    peak_pss_bytes: int
    decisions: tuple[tuple[float, str], ...] = field(default=())

    @property
    def decision_delay_s(self) -> float:
        """Serve's upscale decision to the Ray autoscaler's decision to launch a node."""
        return self.t_node_launch_decided_s - self.t_upscale_decision_s

    @property
    def registration_delay_s(self) -> float:
        """The autoscaler's launch decision to the new node registered with the GCS (a raylet started here)."""
        return self.t_node_registered_s - self.t_node_launch_decided_s

    @property
    def replica_start_s(self) -> float:
        """Node registered to the replica running on it (worker process start, model load)."""
        return self.t_replica_running_s - self.t_node_registered_s

    @property
    def node_idle_removal_s(self) -> float:
        """Replica removed to node removed (the idle timeout plus the autoscaler's loop)."""
        return self.t_node_removed_s - self.t_replica_removed_s

    def latency_ms(self, q: float = 99) -> dict[str, float]:
        """Percentile ``q`` of successful requests sent before and after the new replica ran."""
        df = self.load.requests[self.load.ok]
        cut = self.t_replica_running_s if np.isfinite(self.t_replica_running_s) else np.inf
        pct = lambda s: float(np.percentile(s, q)) if len(s) else float("nan")  # noqa: E731
        return {"one_replica": pct(df[df["start_s"] < cut]["latency_ms"]),
                "two_replicas": pct(df[df["start_s"] >= cut]["latency_ms"])}

    def problems(self) -> list[str]:
        """What this run shows that a node cold start as the post describes it would not: the first replica never
        running, Serve's decision, the node launch, its registration and the replica on it missing or out of that
        order, a failed request, or the idle node not removed after its replica. Empty when none."""
        out = []
        if not np.isfinite(self.first_replica_running_s):
            out.append("the deployment's first replica never ran")
        order = {"Serve's upscale decision": self.t_upscale_decision_s,
                 "the autoscaler's launch": self.t_node_launch_decided_s,
                 "the node registered": self.t_node_registered_s, "the replica running": self.t_replica_running_s}
        missing = [name for name, t in order.items() if not np.isfinite(t)]
        if missing:
            out.append(f"not seen: {', '.join(missing)}")
        elif list(order.values()) != sorted(order.values()):
            out.append("out of order: " + ", ".join(f"{name} {t:.1f} s" for name, t in order.items()))
        if self.load.n_failed:
            out.append(f"{self.load.n_failed} request{'s' * (self.load.n_failed != 1)} failed")
        if not (np.isfinite(self.t_node_removed_s) and self.t_node_removed_s > self.t_replica_removed_s):
            out.append(f"the idle node was not removed after its replica (node {self.t_node_removed_s:.1f} s, "
                       f"replica {self.t_replica_removed_s:.1f} s)")
        return out

    def timeline(self) -> pd.DataFrame:
        """The events in order: what happened and when (s after the load began)."""
        rows = [("load begins (8 closed-loop clients)", 0.0),
                ("Serve decides to upscale (target 2 replicas)", self.t_upscale_decision_s),
                ("Ray autoscaler queues a node launch", self.t_node_launch_decided_s),
                ("new node registered with the GCS", self.t_node_registered_s),
                ("second replica running on it", self.t_replica_running_s),
                ("load ends", self.t_load_end_s),
                ("Serve removes the second replica", self.t_replica_removed_s),
                ("idle node removed by the autoscaler", self.t_node_removed_s)]
        return pd.DataFrame([(e, round(t, 1)) for e, t in rows], columns=["event", "t_s"])


def _worker_nodes_alive() -> int:
    import ray

    return sum(1 for n in ray.nodes() if n["Alive"] and n["Resources"].get("CPU", 0) > 0)


def node_cold_start(acl: AutoscalingLocalCluster, *, concurrency: int = 8, load_after_up_s: float = 3.0,
                    up_timeout_s: float = 90.0, down_timeout_s: float = 60.0, max_requests: int = 50_000,
                    path: str = "score", bodies: list[dict[str, str]] | None = None) -> ColdStart:
    """Deploy with :data:`SCALING` on the empty cluster, then load it until a second node's replica runs, then idle.

    Phase 1: ``serve.run`` with no worker node: the first replica waits for the first node. Phase 2: ``concurrency``
    closed-loop clients; Serve asks for a second replica, which fits nowhere; the autoscaler launches a node; the load
    goes on ``load_after_up_s`` s after the replica runs. Phase 3: no load; Serve removes the replica after its
    downscale delay and the autoscaler removes the idle node.
    """
    from ray import serve
    from ray.serve.schema import LoggingConfig

    from mlopsbook.lab.experiments import payloads, replica_state

    check_number(up_timeout_s, "up_timeout_s", low=5, high=300)
    check_number(down_timeout_s, "down_timeout_s", low=5, high=300)
    bodies = bodies or payloads()
    port = free_port()
    quiet = LoggingConfig(enable_access_log=False, log_level="WARNING")
    serve.start(http_options={"host": "127.0.0.1", "port": port}, proxy_location="HeadOnly", logging_config=quiet)
    peak = [acl.memory_pss_bytes()]
    t_deploy = time.monotonic()
    first_node = [float("nan")]

    def watch_first() -> None:
        while time.monotonic() - t_deploy < up_timeout_s and not np.isfinite(first_node[0]):
            if _worker_nodes_alive() >= 1:
                first_node[0] = time.monotonic() - t_deploy
            time.sleep(SAMPLE_EVERY_S)

    w = threading.Thread(target=watch_first, daemon=True)
    w.start()
    serve.run(serve_app.build(SCALING), name=serve_app.APP_NAME, route_prefix="/", logging_config=quiet)
    while replica_state()[0] < 1:
        if time.monotonic() - t_deploy > up_timeout_s:
            raise TimeoutError(f"no replica running {up_timeout_s} s after deploying")
        time.sleep(SAMPLE_EVERY_S)
    first_running = time.monotonic() - t_deploy
    w.join()
    acl.remember_processes()

    rows: list[tuple[float, int, str, int]] = []
    stop_load, stop_sampling = threading.Event(), threading.Event()
    holder: dict[str, Any] = {}
    t0 = time.monotonic()
    wall0 = time.time()

    def sample() -> None:
        k = 0
        while not stop_sampling.is_set():
            running, status, _ = replica_state()
            rows.append((time.monotonic() - t0, running, status, _worker_nodes_alive()))
            k += 1
            if k % 5 == 0:
                peak[0] = max(peak[0], acl.memory_pss_bytes())
                acl.remember_processes()
            stop_sampling.wait(SAMPLE_EVERY_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    th = threading.Thread(target=lambda: holder.update(res=load.run(
        f"http://127.0.0.1:{port}/{path}", bodies, n_requests=max_requests, concurrency=concurrency,
        stop=stop_load)), daemon=True)
    th.start()
    try:
        deadline = t0 + up_timeout_s
        while time.monotonic() < deadline and not any(r[1] >= 2 for r in rows):
            time.sleep(SAMPLE_EVERY_S)
        time.sleep(load_after_up_s)
    finally:
        stop_load.set()
        th.join()
    t_load_end = time.monotonic() - t0
    deadline = time.monotonic() + down_timeout_s
    while time.monotonic() < deadline:
        late = [r for r in rows if r[0] > t_load_end]
        if late and late[-1][1] <= 1 and late[-1][3] <= 1:
            break
        time.sleep(SAMPLE_EVERY_S)
    stop_sampling.set()
    sampler.join()
    df = pd.DataFrame(rows, columns=["t_s", "running", "status", "worker_nodes"])

    def first(mask: pd.Series, after: float = 0.0) -> float:
        hit = df[mask & (df["t_s"] >= after)]
        return float(hit["t_s"].iloc[0]) if len(hit) else float("nan")

    t_up = first(df["status"] == "UPSCALING")
    t_reg = first(df["worker_nodes"] >= 2)
    t_run = first(df["running"] >= 2)
    t_rm = first(df["running"] <= 1, t_load_end)
    t_node_rm = first(df["worker_nodes"] <= 1, t_rm if np.isfinite(t_rm) else t_load_end)
    decisions = tuple((t - wall0, what) for t, what in autoscaler_decisions(acl.session_dir()))
    launches = [t for t, what in decisions if what.startswith("launch") and t >= 0]
    return ColdStart(holder["res"], df, t_up, launches[0] if launches else float("nan"), t_reg, t_run, t_load_end,
                     t_rm, t_node_rm, first_node[0], first_running, peak[0], decisions)


__all__ = ["AutoscalingLocalCluster", "ColdStart", "SCALING", "autoscaler_decisions", "fake_cluster_config",
           "node_cold_start", "start_autoscaling_cluster"]
