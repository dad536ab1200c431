"""The real-time path: the Serve application with the real models, on a real local Ray cluster (the session's
``engine`` fixture, tests/integration/conftest.py)."""

from __future__ import annotations

import http.client
import json

import pytest

from mlopsbook.lab import experiments


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
