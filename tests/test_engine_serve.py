"""The real-time path (Ray Serve with the real models), the load generator, the scaling presets and the verdicts."""

from __future__ import annotations

import http.client
import json
import math
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from mlopsbook.publishing.claims import Status
from mlopsbook.engine import serve_app
from mlopsbook.lab import experiments, load
from mlopsbook.reproductions.engineering_culture_leadership import engine as verdicts
from mlopsbook.engine.bulk import BulkResult


# -- the Serve application on a real local cluster --------------------------------------------------------------------
@pytest.fixture(scope="module")
def engine():  # noqa: ANN201
    e = experiments.Engine(serve_app.LOCAL_SCALING)
    yield e
    e.close()


def _raw(engine: experiments.Engine, method: str, path: str, body: bytes | None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=30)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = json.loads(resp.read() or b"{}")
    conn.close()
    return resp.status, data


def test_each_route_answers_what_the_model_module_computes(engine: experiments.Engine) -> None:
    from mlopsbook.nlp.service import load_models

    text = "This loan agreement between Northgate Capital plc and the Borrower is governed by the law of England."
    m = load_models()
    assert engine.answer("classify", {"text": text}).body == m.classify([text])[0]
    assert engine.answer("entities", {"text": text}).body == {"entities": m.entities([text])[0]}
    assert engine.answer("score", {"text": text}).body == m.score([text])[0]


@pytest.mark.parametrize("method,path,body,status", [
    ("POST", "/score", b"{not json", 400),
    ("POST", "/score", b"", 400),
    ("POST", "/score", b'["a list"]', 400),
    ("POST", "/score", b'{"text": 42}', 422),
    ("POST", "/score", b'{"text": "   "}', 422),
    ("POST", "/score", b'{"text": "x", "lang": "en"}', 422),
    ("POST", "/translate", b'{"text": "x"}', 404),
    ("GET", "/score", None, 405),
])
def test_bad_requests_get_a_4xx_that_says_why(engine: experiments.Engine, method: str, path: str,
                                               body: bytes | None, status: int) -> None:
    got, data = _raw(engine, method, path, body)
    assert got == status and data["error"]


def test_health_and_status(engine: experiments.Engine) -> None:
    assert _raw(engine, "GET", "/healthz", None) == (200, {"status": "ok"})
    running, status, _ = experiments.replica_state()
    assert running == 1 and status in ("HEALTHY", "UPSCALING")


# -- scaling presets ----------------------------------------------------------------------------------------------------
def test_cluster_preset_is_ray_serve_defaults() -> None:
    c = serve_app.CLUSTER_SCALING.autoscaling_config()
    assert (c["target_ongoing_requests"], c["upscale_delay_s"], c["downscale_delay_s"]) == (2, 30, 600)
    assert (c["metrics_interval_s"], c["look_back_period_s"]) == (10, 30)
    assert serve_app.LOCAL_SCALING.max_replicas == 2


@pytest.mark.parametrize("kw,msg", [({"min_replicas": 3}, "min_replicas"), ({"target_ongoing_requests": 9}, "target"),
                                    ({"upscale_delay_s": 0}, "upscale_delay_s")])
def test_scaling_rejects_bad_values(kw: dict, msg: str) -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match=msg):
        replace(serve_app.LOCAL_SCALING, **kw)


# -- the load generator, against a tiny stdlib server (no Ray) ----------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    in_flight = 0
    peak = 0
    lock = threading.Lock()
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        with _Handler.lock:
            _Handler.in_flight += 1
            _Handler.peak = max(_Handler.peak, _Handler.in_flight)
        n = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(n))
        code = 500 if body.get("fail") else 200
        out = b"{}"
        self.send_response(code)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
        with _Handler.lock:
            _Handler.in_flight -= 1

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server():  # noqa: ANN201
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/score"
    srv.shutdown()


def test_load_sends_exactly_n_requests_with_bounded_concurrency(server: str) -> None:
    _Handler.peak = 0
    r = load.run(server, [{"text": "a"}, {"fail": True}], n_requests=101, concurrency=4)
    assert r.n_requests == 101 and r.requests["seq"].tolist() == list(range(101))
    assert r.n_failed == 50 and set(r.requests["status"]) == {200, 500}  # every other body fails, none dropped
    assert _Handler.peak <= 4
    assert r.latency_percentile_ms(50) > 0 and r.throughput_rps > 0


def test_refused_connections_are_recorded_not_dropped() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    r = load.run(f"http://127.0.0.1:{port}/x", [{}], n_requests=5, concurrency=2, timeout_s=2)
    assert r.n_failed == 5 and set(r.requests["status"]) == {0}
    assert set(r.requests["error"]) == {"ConnectionRefusedError"}
    assert math.isnan(r.latency_percentile_ms(50))


@pytest.mark.parametrize("url,kw,msg", [
    ("http://example.com:80/x", {}, "url"), ("https://127.0.0.1:1/x", {}, "url"), ("http://127.0.0.1/x", {}, "port"),
    ("http://127.0.0.1:1/x", {"n_requests": 0}, "n_requests"), ("http://127.0.0.1:1/x", {"concurrency": 99}, "concurrency"),
])
def test_load_validates_its_parameters(url: str, kw: dict, msg: str) -> None:
    args = {"n_requests": 10, "concurrency": 2, **kw}
    with pytest.raises(ValueError, match=msg):
        load.run(url, [{}], **args)


# -- verdicts from measurements -----------------------------------------------------------------------------------------
def _lr(n_failed: int, concurrency: int = 8) -> load.LoadResult:
    df = pd.DataFrame({"seq": range(20), "thread": 0, "start_s": 0.0, "latency_ms": 10.0,
                       "status": [500] * n_failed + [200] * (20 - n_failed), "error": ""})
    return load.LoadResult(df, concurrency, 1.0, 0.0)


def _bulk(digest: str = "d") -> BulkResult:
    return BulkResult(date(2024, 1, 25), 200, 200, Path("day=2024-01-25"), False, "rename", digest, 1.0)


def _inputs(max_replicas: int = 2, failed: int = 3, recovered: float = 9.0, equal: int = 10) -> tuple:
    reps = pd.DataFrame({"t_s": [0.0], "running": [1], "status": ["HEALTHY"], "message": [""]})
    ans = experiments.Answer(200, {}, 1.0)
    up = experiments.ScaleUp(_lr(0), reps, max_replicas, 5.0)
    kill = experiments.ReplicaKill(_lr(failed), reps, 1.5, "x", 3.0, recovered, ("HEALTHY", "UNHEALTHY"))
    day = experiments.BulkDay(_bulk(), _bulk(), 10, equal)
    return ans, up, kill, day


def test_verdict_c1_holds_under_conditions_when_every_fact_holds() -> None:
    v = verdicts.verdict_c1(*_inputs(), manifest_problems=[])
    assert v.status is Status.HOLDS_UNDER_CONDITIONS and "not applied to a Kubernetes cluster" in v.conditions
    assert v.figures["facts_holding"] == v.figures["facts_checked"] == 7
    # deterministic: timings and the number of failed requests do not appear
    assert verdicts.verdict_c1(*_inputs(failed=1, recovered=20.0), manifest_problems=[]) == v


@pytest.mark.parametrize("kw,problems,fact", [
    ({"max_replicas": 1}, [], "Serve scaled"), ({"failed": 9}, [], "in flight"),
    ({"recovered": float("nan")}, [], "two replicas ran again"), ({"equal": 9}, [], "identical answers"),
    ({}, ["spec: bad"], "manifests validate"),
])
def test_verdict_c1_is_refuted_naming_the_fact_that_failed(kw: dict, problems: list, fact: str) -> None:
    v = verdicts.verdict_c1(*_inputs(**kw), manifest_problems=problems)
    assert v.status is Status.REFUTED and fact in v.summary


def test_verdict_c2() -> None:
    day = experiments.BulkDay(_bulk("a"), _bulk("a"), 10, 10)
    ok = experiments.DagRun(date(2024, 1, 25), 0, "success", 30.0, "a", 60)
    v = verdicts.verdict_c2(day, ok)
    assert v.status is Status.HOLDS_UNDER_CONDITIONS and "appending job" in v.conditions
    changed = experiments.DagRun(date(2024, 1, 25), 0, "success", 30.0, "b", 60)
    assert verdicts.verdict_c2(day, changed).status is Status.REFUTED
    assert verdicts.verdict_c2(experiments.BulkDay(_bulk("a"), _bulk("b"), 10, 10), ok).status is Status.REFUTED
