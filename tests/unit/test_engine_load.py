"""The engine's parts that need no cluster: the scaling presets, and the load generator against a tiny stdlib server."""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mlopsbook.engine import serve_app
from mlopsbook.lab import load


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
