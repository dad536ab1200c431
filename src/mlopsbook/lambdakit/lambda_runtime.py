"""The Lambda runtime a package is built for, and a way to run a package as that runtime runs it.

- :func:`facts`: the chosen managed runtime (``python3.12`` on Amazon Linux 2023) with its sources, from
  ``data/inference/`` (CPython version and ABI, glibc, wheel platform tags per architecture, limits);
- :func:`client_python`: a fresh virtual environment of that CPython (pyenv's on this machine) holding only AWS's
  runtime interface client ``awslambdaric``, at the version locked in ``lambda/requirements/``;
- :class:`RuntimeAPI`: the Lambda Runtime API (``/2018-06-01/runtime/invocation/next``, ``.../<id>/response``,
  ``.../<id>/error``, ``/init/error``) emulated on 127.0.0.1, which times what Lambda reports: *Init Duration*
  (process start to the runtime's first ``next``) and each invocation's *Duration* (event handed out to answer
  received);
- :func:`invoke`: start ``python -m awslambdaric <handler>`` with the unzipped package as the task root (as
  ``/var/task``: the working directory and ``PYTHONPATH``, nothing else on the path), optionally pinned to one core
  with one thread per math library (the 1,769 MB share, fact A8), send events, collect answers and timings.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Mapping, Sequence

from mlopsbook.errors import MlopsbookError
from mlopsbook.lambdakit.wheelhouse import Target

RUNTIME_FILE = "lambda-runtime-python3.12-v2026-11-30.json"
"""The runtime's facts (``data/inference/``): see that folder's README for the sources."""

CLIENT_LOCK = "runtime-client"
"""Name of the lock of AWS's runtime interface client (``lambda/requirements/runtime-client-<runtime>-<arch>.txt``)."""

THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1"}
"""One thread per math library: the one-vCPU emulation (with the process pinned to one core)."""


class LambdaRuntimeError(MlopsbookError):
    """A runtime facts file that cannot be read, or a runtime that cannot be started here."""


@dataclass(frozen=True)
class RuntimeFacts:
    """A managed Lambda Python runtime: identifier, CPython version and ABI, OS and its glibc, wheel platforms per
    architecture, limits, and the sources of each."""

    runtime: str
    python: str
    abi: str
    os: str
    glibc: tuple[int, int]
    platforms: Mapping[str, tuple[str, ...]]
    memory_mb: Mapping[str, int]
    timeout_s_max: int
    init_s_max: int
    package_mb: Mapping[str, float]
    sources: tuple[Mapping[str, str], ...]
    file: str

    def target(self, arch: str = "x86_64") -> Target:
        """The wheel target of this runtime on ``arch`` (``x86_64`` or ``arm64``)."""
        if arch not in self.platforms:
            raise LambdaRuntimeError(f"arch: must be one of {', '.join(self.platforms)} (got {arch!r})")
        return Target(self.runtime, self.python, self.abi, arch, self.platforms[arch])


def facts(name: str = RUNTIME_FILE) -> RuntimeFacts:
    """Read ``data/inference/<name>``; raises :class:`LambdaRuntimeError` naming the file and the missing or malformed
    field."""
    from mlopsbook.paths import data_path

    path = data_path("inference", name)
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise LambdaRuntimeError(f"data/inference/{name}: not JSON ({exc.msg} at line {exc.lineno})") from None
    need = ("runtime", "python", "abi", "os", "glibc", "architectures", "memory_mb", "timeout_s_max", "init_s_max",
            "package_mb", "sources")
    for key in need:
        if key not in raw:
            raise LambdaRuntimeError(f"data/inference/{name}: missing field {key!r}")
    try:
        major, minor = (int(x) for x in str(raw["glibc"]).split("."))
    except ValueError:
        raise LambdaRuntimeError(f"data/inference/{name}: glibc must look like '2.34' (got {raw['glibc']!r})") from None
    if not str(raw["abi"]) == "cp" + str(raw["python"]).replace(".", ""):
        raise LambdaRuntimeError(f"data/inference/{name}: abi {raw['abi']!r} does not match python {raw['python']!r}")
    return RuntimeFacts(
        runtime=raw["runtime"], python=str(raw["python"]), abi=raw["abi"], os=raw["os"], glibc=(major, minor),
        platforms={a: tuple(v["platforms"]) for a, v in raw["architectures"].items()},
        memory_mb=dict(raw["memory_mb"]), timeout_s_max=int(raw["timeout_s_max"]),
        init_s_max=int(raw["init_s_max"]), package_mb=dict(raw["package_mb"]),
        sources=tuple(raw["sources"]), file=name,
    )


# -- the runtime's CPython and the runtime interface client ----------------------------------------------------------
def find_python(version: str) -> Path | None:
    """An interpreter of CPython ``version`` (``"3.12"``) on this machine: pyenv's newest ``3.12.*``, else
    ``python3.12`` on the ``PATH``; ``None`` if there is none."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(root.glob(f"{version}.*/bin/python{version}"),
                   key=lambda p: tuple(int(x) if x.isdigit() else -1 for x in p.parts[-3].split(".")))
    if found:
        return found[-1]
    which = shutil.which(f"python{version}")
    return Path(which) if which else None


def client_python(rt: RuntimeFacts, arch: str = "x86_64", folder: Path | None = None) -> Path:
    """The interpreter of a virtual environment of the runtime's CPython holding only ``awslambdaric`` and what it
    requires, at the locked versions (built once into ``build/lambda-runtime/<runtime>-<arch>/``; offline once the
    wheel cache is filled). Raises :class:`LambdaRuntimeError` when no such CPython is installed here."""
    from mlopsbook.lambdakit import wheelhouse
    from mlopsbook.paths import repo_root

    base = find_python(rt.python)
    if base is None:
        raise LambdaRuntimeError(f"no CPython {rt.python} here (pyenv install {rt.python} or a python{rt.python} on PATH)")
    target = rt.target(arch)
    lock = wheelhouse.lock_path(CLIENT_LOCK, target)
    wheels = wheelhouse.fill(lock, target)
    venv = Path(folder) if folder is not None else repo_root() / "build" / "lambda-runtime" / target.name
    stamp = venv / ".locked"
    py = venv / "bin" / "python"
    if stamp.is_file() and stamp.read_text() == lock.read_text() and py.is_file():
        return py
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    # Install the locked wheels with the project's pip into the new environment (it has no pip of its own).
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "--isolated", "--python", str(py), "install", "--quiet", "--no-deps",
         "--no-index", "--no-compile", *map(str, wheels)], capture_output=True, text=True)
    if inst.returncode != 0:
        raise LambdaRuntimeError(f"could not install {lock.name} into {venv}: {inst.stderr.strip()[-300:]}")
    stamp.write_text(lock.read_text())
    return py


# -- the emulated Runtime API ---------------------------------------------------------------------------------------
PREFIX = "/2018-06-01/runtime"


class _QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print the connection resets of a function process being stopped."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys as _sys

        if not isinstance(_sys.exc_info()[1], (ConnectionError, OSError)):
            super().handle_error(request, client_address)


@dataclass
class Invocation:
    """One event handed to the function and what came back: ``response`` (the handler's return value) or
    ``error`` (the runtime's error document), and ``duration_ms`` from hand-out to answer."""

    request_id: str
    event: Any
    response: Any = None
    error: Any = None
    duration_ms: float = float("nan")
    _sent: float = 0.0
    _done: threading.Event = field(default_factory=threading.Event, repr=False)


class RuntimeAPI:
    """The Lambda Runtime API on ``127.0.0.1:<free port>``: hands out queued events on ``GET .../invocation/next``
    and records ``POST .../invocation/<id>/response``, ``.../<id>/error`` and ``.../init/error``."""

    def __init__(self, function_name: str = "function", timeout_s: float = 30.0) -> None:
        self.function_name = function_name
        self.timeout_s = timeout_s
        self._events: queue.Queue[Invocation | None] = queue.Queue()
        self.invocations: dict[str, Invocation] = {}
        self.first_next: float | None = None
        self.init_error: Any = None
        self.init_error_at: float | None = None
        self._init_done = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else delayed ACKs add 40 ms to some invocations

            def log_message(self, *args: Any) -> None:  # keep the test output clean
                pass

            def _reply(self, code: int, body: bytes = b"{}", headers: Mapping[str, str] | None = None) -> None:
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> Any:
                n = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(n) if n else b""
                try:
                    return json.loads(data) if data else None
                except json.JSONDecodeError:
                    return data.decode("utf-8", "replace")

            def do_GET(self) -> None:  # noqa: N802
                if self.path != f"{PREFIX}/invocation/next":
                    self._reply(404, b'{"errorType":"NotFound"}')
                    return
                if api.first_next is None:
                    api.first_next = time.perf_counter()
                    api._init_done.set()
                inv = api._events.get()
                if inv is None:  # shutting down
                    self._reply(500, b'{"errorType":"Shutdown"}')
                    return
                deadline = int((time.time() + api.timeout_s) * 1000)
                body = json.dumps(inv.event).encode()
                inv._sent = time.perf_counter()
                self._reply(200, body, {
                    "Lambda-Runtime-Aws-Request-Id": inv.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline),
                    "Lambda-Runtime-Invoked-Function-Arn":
                        f"arn:aws:lambda:eu-west-1:000000000000:function:{api.function_name}",
                    "Lambda-Runtime-Trace-Id": f"Root=1-00000000-{inv.request_id.replace('-', '')[:24]};Sampled=0",
                })

            def do_POST(self) -> None:  # noqa: N802
                now = time.perf_counter()
                body = self._body()
                if self.path == f"{PREFIX}/init/error":
                    api.init_error, api.init_error_at = body, now
                    api._init_done.set()
                    self._reply(202, b'{"status":"OK"}')
                    return
                parts = self.path[len(PREFIX):].strip("/").split("/")
                if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error") \
                        and parts[1] in api.invocations:
                    inv = api.invocations[parts[1]]
                    inv.duration_ms = (now - inv._sent) * 1000.0
                    if parts[2] == "response":
                        inv.response = body
                    else:
                        inv.error = body
                    inv._done.set()
                    self._reply(202, b'{"status":"OK"}')
                    return
                self._reply(404, b'{"errorType":"NotFound"}')

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        """``host:port``, the value of ``AWS_LAMBDA_RUNTIME_API``."""
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> "RuntimeAPI":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._events.put(None)
        self._server.shutdown()
        self._server.server_close()

    def wait_init(self, timeout_s: float) -> bool:
        """Wait until the function asked for its first event or reported an INIT error."""
        return self._init_done.wait(timeout_s)

    def send(self, event: Any, timeout_s: float | None = None) -> Invocation:
        """Queue ``event``, wait for its answer (at most ``timeout_s``, default the function timeout); returns the
        invocation (``duration_ms`` is NaN when no answer came)."""
        inv = Invocation(str(uuid.UUID(int=len(self.invocations) + 1)), event)
        self.invocations[inv.request_id] = inv
        self._events.put(inv)
        inv._done.wait(self.timeout_s if timeout_s is None else timeout_s)
        return inv


# -- running a package ----------------------------------------------------------------------------------------------
@dataclass
class RunResult:
    """What a run of a function in the runtime client gave: ``init_ms`` (process start to first ``next``; NaN after
    an INIT error), ``init_error`` (the ``/init/error`` document or ``None``), the invocations in order, the exit
    status if the process ended by itself, and its output (what Lambda sends to CloudWatch Logs)."""

    init_ms: float
    init_error: Any
    invocations: list[Invocation]
    returncode: int | None
    log: str


def invoke(task_root: Path, handler: str, events: Sequence[Any], *, python: Path, cpu: int | None = None,
           memory_mb: int = 1769, function_name: str = "function", timeout_s: float = 60.0,
           runtime: str = "python3.12") -> RunResult:
    """Run ``handler`` (``module.function``) from ``task_root`` in the runtime interface client of ``python``
    against an emulated Runtime API, send ``events`` one after another, then stop the process.

    The child gets Lambda's environment variables (task root, function name and memory, ``AWS_EXECUTION_ENV``),
    only the task root on ``PYTHONPATH`` and no bytecode writing (``/var/task`` is read-only on Lambda); with
    ``cpu`` it is pinned to that core with one thread per math library.
    """
    task_root = Path(task_root).resolve()
    api = RuntimeAPI(function_name, timeout_s).start()
    env = {
        "PATH": "/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC", "PYTHONPATH": str(task_root),
        "PYTHONDONTWRITEBYTECODE": "1", "LAMBDA_TASK_ROOT": str(task_root), "_HANDLER": handler,
        "AWS_LAMBDA_RUNTIME_API": api.address, "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function_name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}", "AWS_LAMBDA_LOG_STREAM_NAME": "emulated",
    }
    if cpu is not None:
        env.update(THREAD_ENV)

    def pin() -> None:
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    t0 = time.perf_counter()
    proc = subprocess.Popen([str(python), "-m", "awslambdaric", handler], cwd=task_root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=pin)
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.extend(iter(proc.stdout.readline, b"")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        inited = api.wait_init(timeout_s)
        invocations: list[Invocation] = []
        init_ms = float("nan")
        if inited and api.init_error is None and api.first_next is not None:
            init_ms = (api.first_next - t0) * 1000.0
            for ev in events:
                inv = api.send(ev)
                invocations.append(inv)
                if not inv._done.is_set() or proc.poll() is not None:
                    break
        if api.init_error is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
    finally:
        rc = proc.poll()
        if rc is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        api.stop()
        reader.join(timeout=5)
    return RunResult(init_ms, api.init_error, invocations, rc, b"".join(out).decode("utf-8", "replace"))


# -- measurement ------------------------------------------------------------------------------------------------------
MEASURED_FILE = "lambda-runtime-measured-2026-11-30.json"
"""The committed measurement of both packages in the runtime client (``data/inference/``): INIT and invocation
durations on one core. The cost model's and the simulator's Lambda INIT come from it."""

N_DOCUMENTS = 20
"""One-page documents sent per cold start when measuring."""


def page_events(n: int = N_DOCUMENTS, words: int = 500, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` API Gateway (REST) events, each a seeded document of about ``words`` words."""
    from mlopsbook.nlp import corpus

    return [{"httpMethod": "POST", "headers": {"Content-Type": "application/json"}, "isBase64Encoded": False,
             "requestContext": {"requestId": f"doc-{i}"}, "body": json.dumps({"text": d.text})}
            for i, d in enumerate(corpus.documents_of_length(words, n, seed=seed))]


def measure(zips: Mapping[str, Path], *, runs: int = 3, cpu: int | None = None) -> dict[str, Any]:
    """Run each service's zip ``runs`` times from a cold start in the runtime client, pinned to one core, with
    :func:`page_events`; returns per service the median INIT (ms) and the p50/p95 of the invocation durations
    (ms, all runs pooled), with how it was measured."""
    import platform
    import statistics
    import zipfile

    import numpy as np

    rt = facts()
    py = client_python(rt)
    cpu = sorted(os.sched_getaffinity(0))[-1] if cpu is None else cpu
    events = page_events()
    out: dict[str, Any] = {}
    for service, zpath in sorted(zips.items()):
        inits: list[float] = []
        durations: list[float] = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                task = Path(tmp) / "task"
                zipfile.ZipFile(zpath).extractall(task)
                res = invoke(task, f"{service}_function.handler", events, python=py, cpu=cpu, function_name=service,
                             runtime=rt.runtime)
            if res.init_error is not None or len(res.invocations) != len(events):
                raise LambdaRuntimeError(f"{service}: the function did not answer every event: "
                                         f"{res.init_error or res.log[-500:]}")
            inits.append(res.init_ms)
            durations.extend(i.duration_ms for i in res.invocations)
        out[service] = {
            "init_ms": statistics.median(inits),
            "init_ms_runs": inits,
            "duration_ms_p50": float(np.percentile(durations, 50)),
            "duration_ms_p95": float(np.percentile(durations, 95)),
            "n_invocations": len(durations),
        }
    out["method"] = (f"awslambdaric {_client_version(py)} on CPython {rt.python} ({rt.runtime}'s), against the "
                     f"Runtime API emulated on 127.0.0.1; process pinned to one core with one thread per math library "
                     f"(Lambda's 1,769 MB share, A8); INIT = process start to the first /invocation/next; duration = "
                     f"event handed out to /response; {runs} cold starts per service, {len(events)} one-page documents "
                     f"each")
    out["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Linux {platform.release().split('-')[0]}"
    return out


def _client_version(py: Path) -> str:
    proc = subprocess.run([str(py), "-c", "import importlib.metadata as m; print(m.version('awslambdaric'))"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def record(measurement: Mapping[str, Any], packages: Mapping[str, Any], name: str = MEASURED_FILE) -> Path:
    """Write a measurement with its provenance (date, model version, zips' SHA-256) to ``data/inference/<name>``."""
    import datetime as dt

    from mlopsbook.nlp import service
    from mlopsbook.paths import repo_root

    rec = {**measurement, "provenance": {
        "measured_on": dt.date.today().isoformat(), "model_version": service.model_version(),
        "runtime_facts": f"data/inference/{RUNTIME_FILE}",
        "zips": {s: {"sha256": p["zip"]["sha256"], "zipped_mb": p["zipped_mb"], "unzipped_mb": p["unzipped_mb"]}
                 for s, p in sorted(packages.items())}}}
    path = repo_root() / "data" / "inference" / name
    path.write_text(json.dumps(rec, indent=1, sort_keys=True) + "\n")
    return path


def recorded(name: str = MEASURED_FILE) -> dict[str, Any]:
    """The committed measurement (:data:`MEASURED_FILE`). Raises :class:`LambdaRuntimeError` naming the file and
    field when one is missing."""
    from mlopsbook.paths import data_path

    path = data_path("inference", name)
    rec = json.loads(path.read_text())
    for svc in ("classify", "entities"):
        for key in ("init_ms", "duration_ms_p50", "duration_ms_p95"):
            if key not in rec.get(svc, {}):
                raise LambdaRuntimeError(f"data/inference/{name}: missing {svc}.{key}")
    if "provenance" not in rec:
        raise LambdaRuntimeError(f"data/inference/{name}: missing provenance")
    return rec


def profile_with_runtime_init(profile: Mapping[str, Any], measured: Mapping[str, Any],
                              packages: Mapping[str, Any]) -> dict[str, Any]:
    """A measured profile (``measure.recorded_profile()``) whose INIT is the one measured in the runtime client:
    the two functions' INIT added up (a document scored by both services pays both cold starts), and whose
    ``artifact_mb`` is the larger zip unzipped. Everything else is kept; ``init_source`` says where INIT came from."""
    out = dict(profile)
    out["init_ms"] = float(sum(measured[s]["init_ms"] for s in ("classify", "entities")))
    out["artifact_mb"] = float(max(p["unzipped_mb"] for p in packages.values()))
    out["init_source"] = (f"data/inference/{MEASURED_FILE}: INIT of classify + entities in awslambdaric "
                          f"({measured['classify']['init_ms']:.0f} + {measured['entities']['init_ms']:.0f} ms, one core)")
    prov = dict(out["provenance"])
    prov["rerecorded_on"] = measured["provenance"]["measured_on"] if "provenance" in measured else ""
    out["provenance"] = prov
    return out
