"""A real multi-node Ray cluster on this machine: a head and worker raylets, Serve replicas spread, a node killed.

:func:`start_cluster` starts a head node (no CPUs for tasks: it holds the Serve controller and the HTTP proxy) and
``worker_nodes`` worker nodes of ``cpus_per_worker`` logical CPUs each, every one a separate raylet with its own object
store and metrics agent (``ray.cluster_utils.Cluster``), and deploys the NLP Serve application with a fixed number of
one-CPU replicas, at most one per node (Serve's ``max_replicas_per_node``). With three one-CPU workers and two
replicas, one worker is a warm spare.

:func:`kill_node_under_load` SIGKILLs every process of one worker node that hosts a replica (its raylet, object store
and agent; its worker processes die with their raylet: no drain, as when an instance disappears) while a bounded
closed-loop load runs on 127.0.0.1, and samples ``serve.status()`` and the GCS node table (``ray.nodes()``) every
0.2 s: requests failed, seconds until Serve reports the loss, until the GCS marks the node dead (its health check,
Ray's defaults), until the replicas run again on the spare, the p99 latency meanwhile, and the peak memory (PSS) of
the whole cluster. :func:`repeat_node_kill` repeats it, adding a fresh spare node before each run.

The cluster is always torn down through its own handle (:meth:`LocalCluster.shutdown`, which calls
``Cluster.shutdown()``); nothing here runs ``ray stop``, which would stop every Ray on the machine.

``ray.util.state.list_nodes`` needs the dashboard (about 1 GB more memory here): the GCS node table that
``ray.nodes()`` reads holds the same liveness, so that is what is sampled.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from mlopsbook.engine import ray_runtime, serve_app
from mlopsbook.errors import MlopsbookError
from mlopsbook.lab import load
from mlopsbook.validation import check_number

SAMPLE_EVERY_S = 0.2
MEMORY_EVERY_S = 1.0
NODE_DEAD_WINDOW_S = (8.0, 40.0)
"""When the GCS may mark a SIGKILLed worker node dead, in seconds after the kill, for :meth:`NodeKill.problems`: Ray's
health check declares it after 12 to 15 s with its defaults (``simcompare.health_check_defaults()``, E4.8), widened
to 8 to 40 s so that a busy two-core machine never decides it narrowly."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class ClusterSpec:
    """The local cluster: ``worker_nodes`` raylets of ``cpus_per_worker`` CPUs, ``replicas`` one-CPU replicas.

    ``object_store_mb``: each node's object store (MiB; the Serve application keeps almost nothing in it).
    ``metrics_report_interval_ms``: how often every Ray process exports its metrics to its node's agent (Ray's
    ``metrics_report_interval_ms``; ``None`` keeps Ray's default, 10,000 ms in ``ray_config_def.h``). A change shorter
    than the interval may never reach Prometheus.
    ``system_config``: more of Ray's own settings for every node (``_system_config`` of the head, which every raylet
    reads from the GCS), e.g. :attr:`mlopsbook.publishing.runtime_budget.READER`'s, which keeps no idle worker process
    warm on any node where memory is short.
    """

    worker_nodes: int = 3
    cpus_per_worker: int = 1
    replicas: int = 2
    object_store_mb: int = 80
    metrics_report_interval_ms: int | None = None
    system_config: tuple[tuple[str, int | bool], ...] = ()

    def __post_init__(self) -> None:
        check_number(self.worker_nodes, "worker_nodes", low=2, high=8, integer=True)
        check_number(self.cpus_per_worker, "cpus_per_worker", low=1, high=4, integer=True)
        check_number(self.replicas, "replicas", low=1, high=self.worker_nodes, integer=True,
                     note=f"(at most one replica per worker node, {self.worker_nodes} nodes)")
        check_number(self.object_store_mb, "object_store_mb", low=75, high=1024, integer=True)
        if self.metrics_report_interval_ms is not None:
            check_number(self.metrics_report_interval_ms, "metrics_report_interval_ms", low=100, high=60_000,
                         integer=True)
        keys = [k for k, _ in self.system_config]
        if "metrics_report_interval_ms" in keys or len(set(keys)) != len(keys):
            raise MlopsbookError(f"system_config: each setting at most once, metrics_report_interval_ms through its "
                                 f"own field (got {keys})")


    def describe(self) -> str:
        """One line: the nodes, replicas, object stores and Ray settings of this cluster.

        >>> ClusterSpec(system_config=(("enable_worker_prestart", False),)).describe().split("; ")
        ['a head and 3 worker nodes of 1 CPU, 2 replicas, 80 MiB object store per node', \
'Ray settings: enable_worker_prestart=False']
        """
        settings = dict(self.system_config)
        if self.metrics_report_interval_ms is not None:
            settings["metrics_report_interval_ms"] = self.metrics_report_interval_ms
        told = ", ".join(f"{k}={v}" for k, v in settings.items()) or "Ray's defaults"
        return (f"a head and {self.worker_nodes} worker nodes of {self.cpus_per_worker} CPU, {self.replicas} replicas, "
                f"{self.object_store_mb} MiB object store per node; Ray settings: {told}")


class LocalCluster:
    """A running head + workers with the Serve application; use :func:`start_cluster`. A context manager."""

    def __init__(self, cluster: Any, spec: ClusterSpec, head_metrics_port: int, worker_ports: dict[str, int],
                 serve_port: int) -> None:
        self.cluster, self.spec = cluster, spec
        self.head_metrics_port = head_metrics_port
        self.worker_metrics_ports = dict(worker_ports)  # node id (hex) -> metrics export port
        self.serve_port = serve_port
        self.url = f"http://127.0.0.1:{serve_port}"
        self._closed = False

    # -- nodes --------------------------------------------------------------------------------------------------------
    def worker_ids(self) -> list[str]:
        """Node ids (hex) of the live worker nodes this handle started, sorted."""
        return sorted(n.node_id for n in self.cluster.worker_nodes)

    def add_worker(self) -> str:
        """Start one more worker node (same size); returns its node id once it is registered."""
        port = free_port()
        node = self.cluster.add_node(num_cpus=self.spec.cpus_per_worker,
                                     object_store_memory=self.spec.object_store_mb * 1024**2,
                                     metrics_export_port=port)
        self.worker_metrics_ports[node.node_id] = port
        return str(node.node_id)

    def kill_worker(self, node_id: str) -> None:
        """SIGKILL every process of the worker node ``node_id`` (no graceful drain, no notice to the GCS)."""
        nodes = [n for n in self.cluster.worker_nodes if n.node_id == node_id]
        if not nodes:
            raise MlopsbookError(f"node_id: not a live worker node of this cluster (got {node_id!r})")
        self.cluster.remove_node(nodes[0], allow_graceful=False)
        self.worker_metrics_ports.pop(node_id, None)

    @staticmethod
    def node_alive(node_id: str) -> bool | None:
        """The GCS's view of ``node_id``: alive, dead, or ``None`` if it does not know the node."""
        import ray

        for n in ray.nodes():
            if n["NodeID"] == node_id:
                return bool(n["Alive"])
        return None

    @staticmethod
    def alive_nodes() -> int:
        import ray

        return sum(1 for n in ray.nodes() if n["Alive"])

    @staticmethod
    def replica_nodes() -> dict[str, str]:
        """Running replica actor -> node id (hex), from the GCS actor table (no dashboard needed)."""
        import ray

        prefix = f"SERVE_REPLICA::{serve_app.APP_NAME}#{serve_app.DEPLOYMENT}"
        table = ray._private.state.actors()  # the GCS actor table; the public state API needs the dashboard
        return {a["Name"]: a["Address"]["NodeID"] for a in table.values()
                if str(a.get("Name", "")).startswith(prefix) and a.get("State") == "ALIVE"}

    def metrics_targets(self) -> dict[str, str]:
        """Prometheus targets: ``host:port`` -> ``head`` or the worker's node id, for every live node."""
        out = {f"127.0.0.1:{self.head_metrics_port}": "head"}
        out |= {f"127.0.0.1:{p}": nid for nid, p in self.worker_metrics_ports.items()}
        return out

    # -- memory -------------------------------------------------------------------------------------------------------
    def memory_pss_bytes(self) -> int:
        """Proportional set size of this process and every process it started (the whole cluster), in bytes."""
        return process_tree_pss_bytes(os.getpid())

    # -- teardown -----------------------------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Disconnect the driver and stop every node of this cluster (``Cluster.shutdown()``); idempotent."""
        if self._closed:
            return
        self._closed = True
        ray_runtime.stop()
        self.cluster.shutdown()

    @staticmethod
    def leftover_raylets() -> list[int]:
        """Raylets still running under this process (empty after :meth:`shutdown`: no node outlives its cluster)."""
        import psutil

        out = []
        for p in psutil.Process(os.getpid()).children(recursive=True):
            try:
                if p.status() != psutil.STATUS_ZOMBIE and "raylet" in " ".join(p.cmdline()[:1]):
                    out.append(p.pid)
            except psutil.Error:
                pass
        return sorted(out)

    def __enter__(self) -> "LocalCluster":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def process_tree_pss_bytes(pid: int) -> int:
    """PSS of process ``pid`` and all its descendants (bytes): shared pages counted once across the tree."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_full_info().pss
        except (psutil.Error, AttributeError):
            pass
    return total


def start_cluster(spec: ClusterSpec = ClusterSpec(), env: Mapping[str, str] | None = None,
                  deploy: bool = True) -> LocalCluster:
    """Start the head and worker nodes, connect this process, and (``deploy``) run the Serve application.

    ``env``: environment variables set before Ray starts (e.g. the authentication settings; by default the local
    settings of :func:`mlopsbook.engine.ray_runtime.quiet_environment`: token authentication on, session files in
    ``<repo>/.ray``). Every node exports Prometheus metrics on its own free port (:meth:`LocalCluster.metrics_targets`).
    On any failure the nodes started so far are stopped before the error propagates.
    """
    import ray
    from ray.cluster_utils import Cluster

    ray_runtime.prepare_new_cluster(env)
    store = spec.object_store_mb * 1024**2
    head_port = free_port()
    # a fixed-size cluster: no autoscaler monitor; nothing streams worker logs to this driver (log_to_driver=False),
    # so no log monitor either (Ray's harness starts the workers without one)
    head_args: dict[str, Any] = {"num_cpus": 0, "include_dashboard": False, "object_store_memory": store,
                                 "metrics_export_port": head_port, "no_monitor": True, "include_log_monitor": False}
    system = dict(spec.system_config)
    if spec.metrics_report_interval_ms is not None:
        system["metrics_report_interval_ms"] = spec.metrics_report_interval_ms
    if system:
        head_args["_system_config"] = system
    cluster = Cluster(initialize_head=True, head_node_args=head_args)
    lc = LocalCluster(cluster, spec, head_port, {}, free_port())
    try:
        for _ in range(spec.worker_nodes):
            lc.add_worker()
        ray.init(address=cluster.address, log_to_driver=False, logging_level=logging.ERROR, configure_logging=True)
        ray_runtime.silence_python_side()
        if deploy:
            from ray import serve
            from ray.serve.schema import LoggingConfig

            quiet = LoggingConfig(enable_access_log=False, log_level="WARNING")
            serve.start(http_options={"host": "127.0.0.1", "port": lc.serve_port}, proxy_location="HeadOnly",
                        logging_config=quiet)
            serve.run(serve_app.build_fixed(spec.replicas, 1.0, 1), name=serve_app.APP_NAME, route_prefix="/",
                      logging_config=quiet)
            from mlopsbook.lab.experiments import wait_for_replicas

            wait_for_replicas(spec.replicas, timeout_s=90.0)
    except BaseException:
        lc.shutdown()
        raise
    return lc


# ---------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NodeKill(load.UnderLoad):
    """One worker node killed under load: every request, the samples, and the times an operator cares about.

    Times ``t_*_s`` are seconds after the kill (NaN when not seen within the wait). ``samples``: ``t_s`` (on the
    load's clock), ``running`` replicas, deployment ``status``, ``victim_alive`` (GCS view: 1, 0, or -1 unknown),
    ``alive_nodes``.
    """

    load: load.LoadResult
    samples: pd.DataFrame
    kill_at_s: float
    replicas_before: int
    victim: str
    t_serve_loss_s: float
    t_node_dead_s: float
    t_recovered_s: float
    peak_pss_bytes: int
    statuses_seen: tuple[str, ...] = field(default=())

    def _window_p99(self, lo: float, hi: float) -> float:
        df = self.load.requests
        sel = df[self.load.ok & (df["start_s"] >= lo) & (df["start_s"] < hi)]["latency_ms"]
        return float(np.percentile(sel, 99)) if len(sel) else float("nan")

    @property
    def p99_before_ms(self) -> float:
        """p99 latency (ms) of successful requests sent before the kill."""
        return self._window_p99(0.0, self.kill_at_s)

    @property
    def p99_recovery_ms(self) -> float:
        """p99 latency (ms) of successful requests sent between the kill and the replicas running again."""
        end = self.kill_at_s + (self.t_recovered_s if np.isfinite(self.t_recovered_s) else np.inf)
        return self._window_p99(self.kill_at_s, end)

    def problems(self) -> list[str]:
        """What this run shows that a node failure as the post describes it would not: more failed requests than were
        in flight, none answered, the node never marked dead or marked outside :data:`NODE_DEAD_WINDOW_S`, the
        replicas never running again, or Serve seeing the loss only after the recovery. Empty when none."""
        out = []
        if not 0 <= self.failed <= self.in_flight_bound:
            out.append(f"{self.failed} requests failed, more than the {self.in_flight_bound} in flight")
        if self.load.n_ok == 0:
            out.append("no request succeeded")
        lo, hi = NODE_DEAD_WINDOW_S
        if not lo <= self.t_node_dead_s <= hi:  # also catches NaN: never marked dead
            out.append(f"node marked dead {self.t_node_dead_s:.1f} s after the kill, outside {lo:g} to {hi:g} s")
        if not np.isfinite(self.t_recovered_s):
            out.append("the replicas did not run again")
        elif not self.t_serve_loss_s < self.t_recovered_s:
            out.append(f"Serve saw the loss at {self.t_serve_loss_s:.1f} s, not before the recovery "
                       f"({self.t_recovered_s:.1f} s)")
        return out

    def row(self) -> dict[str, float | int]:
        """The run as one table row."""
        return {"failed": self.failed, "requests": self.load.n_requests,
                "serve_loss_s": round(self.t_serve_loss_s, 1), "node_dead_s": round(self.t_node_dead_s, 1),
                "replicas_back_s": round(self.t_recovered_s, 1), "p99_before_ms": round(self.p99_before_ms, 0),
                "p99_recovery_ms": round(self.p99_recovery_ms, 0),
                "peak_pss_gb": round(self.peak_pss_bytes / 1e9, 2)}


class _Sampler:
    """Polls Serve and the GCS every 0.2 s, and the cluster's PSS every second, in background threads."""

    def __init__(self, lc: LocalCluster, t0: float, victim: str) -> None:
        self.lc, self.t0, self.victim = lc, t0, victim
        self.rows: list[tuple[float, int, str, int, int]] = []
        self.peak_pss = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, daemon=True),
                         threading.Thread(target=self._memory, daemon=True)]

    def _loop(self) -> None:
        from mlopsbook.lab.experiments import replica_state

        while not self._stop.is_set():
            running, status, _ = replica_state()
            alive = self.lc.node_alive(self.victim)
            self.rows.append((time.monotonic() - self.t0, running, status, -1 if alive is None else int(alive),
                              self.lc.alive_nodes()))
            self._stop.wait(SAMPLE_EVERY_S)

    def _memory(self) -> None:
        while not self._stop.is_set():
            self.peak_pss = max(self.peak_pss, self.lc.memory_pss_bytes())
            self._stop.wait(MEMORY_EVERY_S)

    def __enter__(self) -> "_Sampler":
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["t_s", "running", "status", "victim_alive", "alive_nodes"])


def _first_after(df: pd.DataFrame, t: float, mask: pd.Series) -> float:
    hit = df[(df["t_s"] > t) & mask]
    return float(hit["t_s"].iloc[0] - t) if len(hit) else float("nan")


def kill_node_under_load(lc: LocalCluster, *, concurrency: int = 8, kill_at_s: float = 3.0,
                         recover_timeout_s: float = 60.0, after_s: float = 1.0, max_requests: int = 50_000,
                         path: str = "score", bodies: list[dict[str, str]] | None = None) -> NodeKill:
    """Kill the worker node of the first replica (by node id) ``kill_at_s`` s into a closed-loop load.

    The load (``concurrency`` clients, at most ``max_requests``) runs until the GCS has marked the node dead and the
    replicas run again (or ``recover_timeout_s`` passed), then ``after_s`` more. Needs a spare worker node for the
    replica to return; raises ``RuntimeError`` if the replicas are not all running at the start.
    """
    from mlopsbook.lab.experiments import payloads, wait_for_replicas

    check_number(kill_at_s, "kill_at_s", low=0.5, high=60)
    check_number(recover_timeout_s, "recover_timeout_s", low=1, high=300)
    want = lc.spec.replicas
    wait_for_replicas(want, timeout_s=90.0)
    placed = lc.replica_nodes()
    if len(placed) != want:
        raise RuntimeError(f"expected {want} replica actors alive, found {len(placed)}")
    victim = sorted(placed.values())[0]
    bodies = bodies or payloads()
    stop = threading.Event()
    holder: dict[str, Any] = {}
    t0 = time.monotonic()
    with _Sampler(lc, t0, victim) as s:
        th = threading.Thread(target=lambda: holder.update(res=load.run(
            f"{lc.url}/{path}", bodies, n_requests=max_requests, concurrency=concurrency, stop=stop)), daemon=True)
        th.start()
        time.sleep(max(0.0, kill_at_s - (time.monotonic() - t0)))
        t_kill = time.monotonic() - t0
        lc.kill_worker(victim)
        deadline = time.monotonic() + recover_timeout_s
        while time.monotonic() < deadline:
            rows = [r for r in s.rows if r[0] > t_kill]
            lost = [r for r in rows if r[1] < want]
            dead = any(r[3] == 0 for r in rows)
            if dead and lost and rows[-1][1] >= want and rows[-1][0] > lost[0][0]:
                break
            time.sleep(SAMPLE_EVERY_S)
        time.sleep(after_s)
        stop.set()
        th.join()
    df = s.frame()
    lost_t = _first_after(df, t_kill, df["running"] < want)
    back = float("nan")
    if np.isfinite(lost_t):
        back = _first_after(df, t_kill + lost_t, df["running"] >= want)
        back = lost_t + back if np.isfinite(back) else back
    after = df[df["t_s"] > t_kill]
    return NodeKill(holder["res"], df, t_kill, want, victim, lost_t, _first_after(df, t_kill, df["victim_alive"] == 0),
                    back, s.peak_pss, tuple(dict.fromkeys(after["status"])))


def ensure_spare(lc: LocalCluster) -> None:
    """Add worker nodes until there is one more than the replicas need (a killed node leaves none)."""
    while len(lc.worker_ids()) <= lc.spec.replicas:
        lc.add_worker()


def repeat_node_kill(lc: LocalCluster, runs: int = 3, **kwargs: Any) -> list[NodeKill]:
    """:func:`kill_node_under_load` ``runs`` times, a fresh spare worker node added before each run that needs one."""
    check_number(runs, "runs", low=1, high=10, integer=True)
    out = []
    for _ in range(runs):
        ensure_spare(lc)
        out.append(kill_node_under_load(lc, **kwargs))
    return out


def summary(kills: list[NodeKill]) -> pd.DataFrame:
    """One row per run and the median, min and max over runs."""
    df = pd.DataFrame([k.row() for k in kills])
    df.index = [f"run {i + 1}" for i in range(len(df))]
    stats = pd.DataFrame({"median": df.median(), "min": df.min(), "max": df.max()}).T
    return pd.concat([df, stats])
