"""A bounded, closed-loop HTTP load generator for a service on this machine (127.0.0.1 only).

``concurrency`` client threads each send a request, wait for its answer, and send the next, until exactly
``n_requests`` have been sent in total: the load can never exceed ``concurrency`` requests in flight, and it stops by
itself. Each thread keeps one HTTP/1.1 connection open (reconnecting after an error), as a real client pool would.
Every request is recorded (start time, latency, HTTP status, error); nothing is dropped: a refused connection or a
timeout is a failed request with status 0.

>>> r = run("http://127.0.0.1:8000/classify", [{"text": "..."}], n_requests=100, concurrency=4)  # doctest: +SKIP
>>> r.n_ok + r.n_failed == 100                                                                  # doctest: +SKIP
True
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from mlopsbook.errors import MlopsbookError

ALLOWED_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class LoadResult:
    """Every request of one load run, in send order, as a table.

    Columns: ``seq`` (0..n-1), ``thread``, ``start_s`` (seconds since the run began), ``latency_ms``, ``status``
    (HTTP status, 0 when no answer came), ``error`` (empty when an answer came). ``duration_s`` is the run's wall time.
    """

    requests: pd.DataFrame
    concurrency: int
    duration_s: float
    t0_monotonic_s: float

    @property
    def n_requests(self) -> int:
        return int(len(self.requests))

    @property
    def ok(self) -> pd.Series:
        return self.requests["status"] == 200

    @property
    def n_ok(self) -> int:
        return int(self.ok.sum())

    @property
    def n_failed(self) -> int:
        return self.n_requests - self.n_ok

    def latency_percentile_ms(self, q: float) -> float:
        """The ``q``-th percentile (0-100) of the latency of successful requests, in ms (NaN when none succeeded)."""
        lat = self.requests.loc[self.ok, "latency_ms"].to_numpy()
        return float(np.percentile(lat, q)) if lat.size else float("nan")

    @property
    def throughput_rps(self) -> float:
        """Successful requests per second of wall time."""
        return self.n_ok / self.duration_s if self.duration_s > 0 else float("nan")


def _check_url(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise MlopsbookError(f"url: must start with http:// (got {url!r})")
    if parts.hostname not in ALLOWED_HOSTS:
        raise MlopsbookError(f"url: load is only generated against this machine ({', '.join(ALLOWED_HOSTS)}); got "
                         f"{parts.hostname!r}")
    if parts.port is None:
        raise MlopsbookError(f"url: needs an explicit port (got {url!r})")
    return parts.hostname, parts.port, parts.path or "/"


def run(url: str, payloads: Sequence[Any], *, n_requests: int, concurrency: int, timeout_s: float = 30.0,
        stop: threading.Event | None = None) -> LoadResult:
    """POST ``n_requests`` JSON bodies to ``url`` from ``concurrency`` closed-loop threads; return every outcome.

    Request ``i`` sends ``payloads[i % len(payloads)]``. ``stop``, when given and set, ends the run early: no new
    request is sent, those in flight are awaited (``n_requests`` stays the upper bound). Raises ``ValueError`` naming the parameter for a host other
    than this machine, ``n_requests < 1``, ``concurrency`` outside ``[1, n_requests]`` or no payloads.
    """
    host, port, path = _check_url(url)
    if n_requests < 1:
        raise MlopsbookError(f"n_requests: must be >= 1 (got {n_requests})")
    if not 1 <= concurrency <= n_requests:
        raise MlopsbookError(f"concurrency: must be in [1, n_requests={n_requests}] (got {concurrency})")
    if not payloads:
        raise MlopsbookError("payloads: need at least one request body")
    if timeout_s <= 0:
        raise MlopsbookError(f"timeout_s: must be > 0 (got {timeout_s})")
    bodies = [json.dumps(p).encode() for p in payloads]
    counter = itertools.count()
    lock = threading.Lock()
    rows: list[tuple[int, int, float, float, int, str]] = []
    t0 = time.monotonic()

    def worker(tid: int) -> None:
        conn: http.client.HTTPConnection | None = None
        while True:
            with lock:
                seq = next(counter)
            if seq >= n_requests or (stop is not None and stop.is_set()):
                break
            body = bodies[seq % len(bodies)]
            start = time.monotonic()
            status, error = 0, ""
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                error = type(exc).__name__
                if conn is not None:
                    conn.close()
                conn = None
            end = time.monotonic()
            with lock:
                rows.append((seq, tid, start - t0, (end - start) * 1000.0, status, error))
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration_s = time.monotonic() - t0
    df = pd.DataFrame(rows, columns=["seq", "thread", "start_s", "latency_ms", "status", "error"])
    df = df.sort_values("seq", ignore_index=True)
    if len(df) != n_requests and (stop is None or not stop.is_set()):  # pragma: no cover - a bug in the loop
        raise RuntimeError(f"sent {len(df)} requests, expected {n_requests}")
    df["seq"] = range(len(df))  # a stopped run: seq stays 0..n-1 over the requests actually sent
    return LoadResult(requests=df, concurrency=concurrency, duration_s=duration_s, t0_monotonic_s=t0)


class UnderLoad:
    """What a failure experiment run under a closed loop (a result with a ``load: LoadResult`` field) reports of it."""

    load: LoadResult

    @property
    def failed(self) -> int:
        """Requests that failed during the run."""
        return self.load.n_failed

    @property
    def in_flight_bound(self) -> int:
        """Most requests that can be in flight at once in a closed loop: one per client thread."""
        return self.load.concurrency
