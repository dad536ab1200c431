"""The measurements the book shows on the real engine: one local Ray cluster, Serve and Ray Data on it.

:class:`Engine` starts Ray once, deploys the Serve application on 127.0.0.1 (a free port) and exposes:

- :meth:`Engine.answer`: one HTTP request answered;
- :meth:`Engine.scale_up`: bounded closed-loop load; Serve scales from one replica to two (replicas sampled from
  ``serve.status()`` every 0.2 s while the load runs);
- :meth:`Engine.kill_replica`: with two replicas held (``min_replicas=2``), one replica actor is killed under load;
  failed requests, the time until ``serve.status()`` shows the loss and until two replicas run again, and the
  controller's log lines about it;
- :meth:`Engine.bulk_day`: a day's partition scored by the Ray Data job on the same cluster, twice.

Each returns a frozen result; :mod:`mlopsbook.reproductions.engineering_culture_leadership.engine` turns them into the post's verdicts. Timings vary from run to run
(and with other load on the machine): the notebook shows them in cells whose output is not compared, and asserts
only facts (scale-up happened, failures no more than requests in flight, recovery happened, re-run identical).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from mlopsbook.engine import bulk, ray_runtime, serve_app
from mlopsbook.errors import MlopsbookError
from mlopsbook.lab import load

SAMPLE_EVERY_S = 0.2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def payloads(n: int = 50, seed: int = 6) -> list[dict[str, str]]:
    """Request bodies: ``n`` held-out generated documents of 40-400 words (``{"text": ...}``)."""
    from mlopsbook.nlp.corpus import corpus

    return [{"text": d.text} for d in corpus(n, seed=seed, split="test")]


class _Sampler:
    """Polls ``serve.status()`` in a thread: time (s, on the load's clock), running replicas, deployment status."""

    def __init__(self, t0: float) -> None:
        self.t0, self.rows, self._stop = t0, [], threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.rows.append((time.monotonic() - self.t0, *replica_state()))
            self._stop.wait(SAMPLE_EVERY_S)

    def __enter__(self) -> "_Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["t_s", "running", "status", "message"])


def replica_state() -> tuple[int, str, str]:
    """``(running replicas, deployment status, status message)`` of the NLP deployment, from ``serve.status()``."""
    from ray import serve

    app = serve.status().applications.get(serve_app.APP_NAME)
    if app is None or serve_app.DEPLOYMENT not in app.deployments:
        return 0, "MISSING", ""
    dep = app.deployments[serve_app.DEPLOYMENT]
    states = {str(getattr(k, "value", k)): v for k, v in dep.replica_states.items()}
    return int(states.get("RUNNING", 0)), str(getattr(dep.status, "value", dep.status)), str(dep.message or "")


def wait_for_replicas(n: int, timeout_s: float = 60.0) -> float:
    """Block until ``n`` replicas of the NLP deployment run (on any cluster this driver is connected to); returns the
    seconds waited; raises ``TimeoutError`` naming the state reached."""
    t0 = time.monotonic()
    while replica_state()[0] != n:
        if time.monotonic() - t0 > timeout_s:
            raise TimeoutError(f"{n} running replicas not reached in {timeout_s} s (now {replica_state()})")
        time.sleep(SAMPLE_EVERY_S)
    return time.monotonic() - t0


@dataclass(frozen=True)
class Answer:
    """One HTTP request and its JSON answer."""

    status: int
    body: dict
    latency_ms: float


@dataclass(frozen=True)
class ScaleUp:
    """Closed-loop load against one replica that may scale to two: every request and the replica samples."""

    load: load.LoadResult
    replicas: pd.DataFrame
    max_replicas: int
    t_two_running_s: float  # first sample with two running replicas (NaN if never)

    @property
    def t_upscale_decision_s(self) -> float:
        """First sample in which ``serve.status()`` reported the deployment UPSCALING (NaN if none was sampled)."""
        up = self.replicas[self.replicas["status"] == "UPSCALING"]
        return float(up["t_s"].iloc[0]) if len(up) else float("nan")

    def latency_by_phase_ms(self, q: float = 50) -> dict[str, float]:
        """Latency percentile of successful requests sent while one replica ran and once two ran."""
        df = self.load.requests[self.load.ok]
        before = df[df["start_s"] < self.t_two_running_s]["latency_ms"]
        after = df[df["start_s"] >= self.t_two_running_s]["latency_ms"]
        pct = lambda s: float(s.quantile(q / 100)) if len(s) else float("nan")  # noqa: E731
        return {"one_replica": pct(before), "two_replicas": pct(after)}


@dataclass(frozen=True)
class ReplicaKill(load.UnderLoad):
    """One replica killed under load: requests, samples, and what an operator sees."""

    load: load.LoadResult
    replicas: pd.DataFrame
    kill_at_s: float
    killed_actor: str
    t_loss_seen_s: float  # serve.status() shows fewer than 2 running, seconds after the kill (NaN if never seen)
    t_recovered_s: float  # two running again, seconds after the kill (NaN if not within the wait)
    statuses_seen: tuple[str, ...]
    controller_log: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class BulkDay:
    """A day scored twice by the Ray Data job, and how the HTTP path answers the same documents."""

    first: bulk.BulkResult
    second: bulk.BulkResult
    n_compared: int
    n_equal_to_http: int


class Engine:
    """A local Ray cluster (or ``RAY_ADDRESS``) with the NLP Serve application on it."""

    def __init__(self, scaling: serve_app.Scaling = serve_app.LOCAL_SCALING) -> None:
        from ray import serve
        from ray.serve.schema import LoggingConfig

        self.runtime = ray_runtime.start()
        self.scaling = scaling
        self.port = _free_port()
        self._logging = LoggingConfig(enable_access_log=False, log_level="WARNING")
        serve.start(http_options={"host": "127.0.0.1", "port": self.port}, logging_config=self._logging)
        serve.run(serve_app.build(scaling), name=serve_app.APP_NAME, route_prefix="/", logging_config=self._logging)
        self.url = f"http://127.0.0.1:{self.port}"

    def redeploy(self, scaling: serve_app.Scaling) -> None:
        """Apply another autoscaling policy to the running application (replicas are kept)."""
        from ray import serve

        serve.run(serve_app.build(scaling), name=serve_app.APP_NAME, route_prefix="/", logging_config=self._logging)
        self.scaling = scaling

    def answer(self, path: str, body: Any) -> Answer:
        """POST one JSON body to ``/path``; returns the status, the JSON answer and the latency."""
        import http.client
        import json

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        t0 = time.monotonic()
        conn.request("POST", f"/{path}", body=json.dumps(body), headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = json.loads(resp.read() or b"{}")
        conn.close()
        return Answer(resp.status, data, (time.monotonic() - t0) * 1000)

    def scale_up(self, n_requests: int = 800, concurrency: int = 8, path: str = "score") -> ScaleUp:
        """Bounded load from one running replica; returns requests and replica samples (see :class:`ScaleUp`)."""
        wait_for_replicas(self.scaling.min_replicas)
        bodies = payloads()
        t0 = time.monotonic()
        with _Sampler(t0) as s:
            res = load.run(f"{self.url}/{path}", bodies, n_requests=n_requests, concurrency=concurrency)
        reps = s.frame()
        two = reps[reps["running"] >= 2]
        return ScaleUp(res, reps, int(reps["running"].max()), float(two["t_s"].iloc[0]) if len(two) else float("nan"))

    def kill_replica(self, n_requests: int = 500, concurrency: int = 8, kill_at_s: float = 1.5,
                     recover_timeout_s: float = 60.0, path: str = "score") -> ReplicaKill:
        """Hold two replicas, kill one (``ray.kill``) under load; sample until two run again."""
        import ray

        self.redeploy(serve_app.with_min_replicas(self.scaling, 2))
        wait_for_replicas(2)
        names = sorted(a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
                       if a["name"].startswith(f"SERVE_REPLICA::{serve_app.APP_NAME}#{serve_app.DEPLOYMENT}"))
        if len(names) != 2:
            raise RuntimeError(f"expected 2 replica actors, found {names}")
        victim = ray.get_actor(names[0], namespace="serve")
        bodies = payloads()
        holder: dict[str, Any] = {}
        t0 = time.monotonic()
        with _Sampler(t0) as s:
            th = threading.Thread(target=lambda: holder.update(res=load.run(
                f"{self.url}/{path}", bodies, n_requests=n_requests, concurrency=concurrency)))
            th.start()
            time.sleep(max(0.0, kill_at_s - (time.monotonic() - t0)))
            t_kill = time.monotonic() - t0
            ray.kill(victim, no_restart=True)
            th.join()
            deadline = time.monotonic() + recover_timeout_s
            while time.monotonic() < deadline:
                rows = [r for r in s.rows if r[0] > t_kill]
                if any(r[1] < 2 for r in rows) and rows and rows[-1][1] == 2:
                    break
                time.sleep(SAMPLE_EVERY_S)
        reps = s.frame()
        after = reps[reps["t_s"] > t_kill]
        lost = after[after["running"] < 2]
        t_loss = float(lost["t_s"].iloc[0] - t_kill) if len(lost) else float("nan")
        back = after[(after["t_s"] > (lost["t_s"].iloc[0] if len(lost) else t_kill)) & (after["running"] >= 2)]
        t_back = float(back["t_s"].iloc[0] - t_kill) if len(lost) and len(back) else float("nan")
        statuses = tuple(dict.fromkeys(after["status"]))
        self.redeploy(self.scaling)
        return ReplicaKill(holder["res"], reps, t_kill, names[0].split("#")[-1], t_loss, t_back, statuses,
                           controller_log())

    def bulk_day(self, day: date, input_root: Path, output_root: Path, n_compare: int = 10,
                 num_blocks: int = 2) -> BulkDay:
        """Score ``day`` twice with Ray Data on this cluster (``num_blocks`` model-loading tasks at once); compare
        ``n_compare`` rows with HTTP answers."""
        first = bulk.score_day(day, input_root, output_root, num_blocks=num_blocks)
        second = bulk.score_day(day, input_root, output_root, num_blocks=num_blocks)
        src = bulk.read_partition(input_root / first.partition.name)
        out = bulk.read_partition(first.partition)
        equal = 0
        for i in range(min(n_compare, len(src))):
            ans = self.answer("score", {"text": str(src["text"].iloc[i])}).body
            row = out.iloc[i]
            same = (ans.get("label") == row["label"] and ans.get("score") == row["score"]
                    and ans.get("entities") == [dict(e) for e in row["entities"]])
            equal += int(same)
        return BulkDay(first, second, min(n_compare, len(src)), equal)

    def memory_gb(self) -> float:
        """Memory of this process and every process it started (the local Ray cluster), in GB: summed PSS, which
        counts a shared page once, as a container's memory limit does (:func:`runtime_budget.process_tree_pss_bytes`)."""
        from mlopsbook.publishing.runtime_budget import process_tree_pss_bytes

        return process_tree_pss_bytes() / 1e9

    def one_replica(self, timeout_s: float = 60.0) -> None:
        """Hold the application at one replica (and wait for it): where memory is small, the bulk job's model-loading
        worker then runs beside one replica, not two."""
        from dataclasses import replace

        self.redeploy(replace(self.scaling, min_replicas=1, max_replicas=1))
        wait_for_replicas(1, timeout_s)

    def stop_serve(self) -> None:
        """Shut the Serve application (replicas, controller, proxy) down and keep the cluster: frees their memory for
        what runs next (the Airflow run's bulk job) where memory is small."""
        from ray import serve

        serve.shutdown()

    def close(self) -> None:
        ray_runtime.stop()


_LOG_PREFIX = re.compile(r"^(\w+) \S+ \S+ \S+ \d+ -- ")
_LOG_IDS = re.compile(r"id='[^']*'")


def controller_log(max_lines: int = 8) -> tuple[str, ...]:
    """The Serve controller's warnings about replicas in this session's log (timestamps, ids and PIDs removed)."""
    import ray

    if not ray.is_initialized():
        return ()
    session = Path(ray._private.worker.global_worker.node.get_session_dir_path())  # local cluster only
    lines: list[str] = []
    for f in sorted((session / "logs" / "serve").glob("controller_*.log")):
        for line in f.read_text(errors="replace").splitlines():
            if ("WARN" in line or "ERROR" in line) and "eplica" in line:
                lines.append(_LOG_IDS.sub("id=…", _LOG_PREFIX.sub(r"\1 ", line)).strip())
    return tuple(lines[:max_lines])


@dataclass(frozen=True)
class DagRun:
    """One ``airflow dags test`` run of the bulk DAG: exit status, final state, the partition's digest after it."""

    day: date
    returncode: int
    state: str
    duration_s: float
    partition_digest: str
    log_lines: int


def airflow_bin() -> Path:
    """The ``airflow`` command of ``.venv-airflow``; raises ``FileNotFoundError`` saying how to create it."""
    from mlopsbook.paths import repo_root

    p = repo_root() / ".venv-airflow" / "bin" / "airflow"
    if not p.is_file():
        raise FileNotFoundError(f"{p} is missing: run `make airflow-env`")
    return p


def _running_cluster_address() -> str:
    """The GCS address of the Ray cluster this process started or joined ("" when Ray is not running here)."""
    import sys

    if "ray" not in sys.modules:
        return ""
    import ray

    return str(ray.get_runtime_context().gcs_address) if ray.is_initialized() else ""


def run_dag(day: date, input_root: Path, output_root: Path, airflow_home: Path, timeout_s: float = 600,
            ray_address: str | None = None, num_blocks: int | None = None) -> DagRun:
    """Run the bulk DAG for ``day`` with ``airflow dags test`` (SQLite in ``airflow_home``, migrated first);
    ``num_blocks``: the job's Ray Data blocks (default: the job's own).

    The DAG's job runs on ``ray_address`` (default: the cluster this process runs, if any, so that a notebook's
    memory holds one Ray head, not two; ``""``: the job starts its own local cluster)."""
    import os
    import subprocess
    import sys

    from mlopsbook.engine.idempotent import digest, partition_name
    from mlopsbook.paths import repo_root

    root = repo_root()
    env = {**os.environ, "AIRFLOW_HOME": str(airflow_home), "AIRFLOW__CORE__DAGS_FOLDER": str(root / "airflow" / "dags"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "MLOPSBOOK_BULK_INPUT": str(input_root),
           "MLOPSBOOK_BULK_OUTPUT": str(output_root), "MLOPSBOOK_BIN": str(Path(sys.executable).parent / "mlopsbook")}
    env.pop("RAY_ADDRESS", None)
    if num_blocks is not None:
        env["MLOPSBOOK_BULK_NUM_BLOCKS"] = str(int(num_blocks))
    address = ray_address if ray_address is not None else _running_cluster_address()
    if address:
        env["RAY_ADDRESS"] = address  # the job joins this cluster instead of starting a second one beside it
    Path(airflow_home).mkdir(parents=True, exist_ok=True)
    af = str(airflow_bin())
    mig = subprocess.run([af, "db", "migrate"], env=env, capture_output=True, text=True, timeout=timeout_s)
    if mig.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{mig.stderr[-2000:]}")
    t0 = time.monotonic()
    proc = subprocess.run([af, "dags", "test", "mlopsbook_bulk_scoring", day.isoformat()], env=env,
                          capture_output=True, text=True, timeout=timeout_s)
    out = proc.stdout + proc.stderr
    m = re.findall(r"DagRun Finished: .*?state=(\w+)", out)
    part = Path(output_root) / partition_name(day)
    return DagRun(day, proc.returncode, m[-1] if m else "unknown", time.monotonic() - t0,
                  digest(part) if part.is_dir() else "", len(out.splitlines()))


def service_time_ms(bodies: list[dict[str, str]], repeats: int = 3) -> float:
    """Median time to score one document with the models as one replica runs them, in ms: in a Python process of its
    own, as a replica is, so that the caller (a notebook's kernel) does not keep the models and their libraries in
    memory afterwards (about 0.15 GB). Raises :class:`~mlopsbook.errors.MlopsbookError` with the child's last error
    line if it fails."""
    import json
    import subprocess  # nosec B404 - runs this interpreter on this module
    import sys

    code = ("import json, sys; from mlopsbook.lab.experiments import _service_time_ms; "
            "a = json.load(sys.stdin); print(_service_time_ms(a['bodies'], a['repeats']))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps({"bodies": bodies, "repeats": repeats}),
                         capture_output=True, text=True, env=env, check=False)  # nosec B603 - fixed argv, this Python
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise MlopsbookError(f"service_time_ms: measuring the models failed: {last}")
    return float(out.stdout.strip().splitlines()[-1])


def _service_time_ms(bodies: list[dict[str, str]], repeats: int) -> float:
    from mlopsbook.nlp.service import load_models

    models = load_models()
    models.score([bodies[0]["text"]])  # warm-up
    times = []
    for _ in range(repeats):
        for b in bodies:
            t0 = time.perf_counter()
            models.score([b["text"]])
            times.append((time.perf_counter() - t0) * 1000)
    return float(pd.Series(times).median())


def compare_with_simulator(scale: ScaleUp, kill: ReplicaKill, service_ms: float, seed: int = 0) -> pd.DataFrame:
    """Measured figures beside :func:`mlopsbook.simulate.local_ray.local_ray_scenario` for the same parameters.

    The simulation gets the measured clients, load duration, kill time and per-document service time (constant);
    its replica start-up and failure detection come from its own sourced parameters.
    """
    import numpy as np

    from mlopsbook.simulate.local_ray import local_ray_scenario

    sim_up = local_ray_scenario(duration_s=scale.load.duration_s, seed=seed, clients=scale.load.concurrency,
                                handler_s=service_ms / 1000)
    t = np.asarray(sim_up.timeline.time_s)
    r = np.asarray(sim_up.timeline.replicas)
    two = t[r >= 2]
    sim_kill = local_ray_scenario(kill_replica_at_s=kill.kill_at_s, duration_s=kill.load.duration_s + 30, seed=seed,
                                  clients=kill.load.concurrency, handler_s=service_ms / 1000)
    up_lat = sim_up.latency_percentiles_ms((50, 99))
    rows = [
        ("second replica running (s after load began)", scale.t_two_running_s, float(two[0]) if two.size else np.nan),
        ("throughput (requests/s)", scale.load.throughput_rps, sim_up.served / sim_up.duration_s),
        ("p50 latency under load (ms)", scale.load.latency_percentile_ms(50), up_lat["p50"]),
        ("p99 latency under load (ms)", scale.load.latency_percentile_ms(99), up_lat["p99"]),
        ("requests failed by the kill", float(kill.failed), float(sim_kill.extra.get("failed_at_kill", np.nan))),
        ("loss visible / detected (s after kill)", kill.t_loss_seen_s, float(sim_kill.extra.get("detection_s", np.nan))),
        ("two replicas again (s after kill)", kill.t_recovered_s, float(sim_kill.extra.get("recovery_s", np.nan))),
    ]
    df = pd.DataFrame(rows, columns=["figure", "measured", "simulated"])
    df["measured"] = df["measured"].round(1)
    df["simulated"] = df["simulated"].round(1)
    return df
