"""The Lambda Runtime API, emulated on 127.0.0.1, and a package run as that runtime runs it.

- :class:`RuntimeAPI`: the Lambda Runtime API (``/2018-06-01/runtime/invocation/next``, ``.../<id>/response``,
  ``.../<id>/error``, ``/init/error``), which times what Lambda reports: *Init Duration* (process start to the
  runtime's first ``next``) and each invocation's *Duration* (event handed out to answer received);
- :func:`invoke`: start ``python -m awslambdaric <handler>`` with the unzipped package as the task root (as
  ``/var/task``: the working directory and ``PYTHONPATH``, nothing else on the path), optionally pinned to one core
  with one thread per math library (one vCPU's share, ``aws.lambda.memory.mb_per_vcpu``), send events, collect answers and timings.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Mapping, Sequence

from mlopsbook import facts


THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1"}
"""One thread per math library: the one-vCPU emulation (with the process pinned to one core)."""


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
           memory_mb: int | None = None, function_name: str = "function", timeout_s: float = 60.0,
           runtime: str = "python3.12") -> RunResult:
    """Run ``handler`` (``module.function``) from ``task_root`` in the runtime interface client of ``python``
    against an emulated Runtime API, send ``events`` one after another, then stop the process.

    The child gets Lambda's environment variables (task root, function name and memory, ``AWS_EXECUTION_ENV``),
    only the task root on ``PYTHONPATH`` and no bytecode writing (``/var/task`` is read-only on Lambda); with
    ``cpu`` it is pinned to that core with one thread per math library. ``memory_mb`` defaults to one vCPU's
    memory (``aws.lambda.memory.mb_per_vcpu``).
    """
    task_root = Path(task_root).resolve()
    api = RuntimeAPI(function_name, timeout_s).start()
    memory = memory_mb if memory_mb is not None else facts.integer("aws.lambda.memory.mb_per_vcpu")
    env = {
        "PATH": "/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC", "PYTHONPATH": str(task_root),
        "PYTHONDONTWRITEBYTECODE": "1", "LAMBDA_TASK_ROOT": str(task_root), "_HANDLER": handler,
        "AWS_LAMBDA_RUNTIME_API": api.address, "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function_name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
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
