"""Lambda handlers on real API Gateway event documents, good and bad."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mlopsbook.lambdakit import handlers
from mlopsbook.nlp import service

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
EXPECTED: dict[str, int] = json.loads((EVENTS / "expected.json").read_text())


@pytest.fixture(scope="module")
def models():
    return service.load_models()


def test_fixtures_cover_every_error():
    assert {200, 400, 405, 413, 415, 422} <= set(EXPECTED.values())
    assert sorted(p.name for p in EVENTS.glob("*.json") if p.name != "expected.json") == sorted(EXPECTED)


@pytest.mark.parametrize("service_name", ["classify", "entities", "score"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_event(models, service_name, name):
    stream = io.StringIO()
    handler = handlers.make_handler(service_name, models, stream=stream)
    resp = handler(json.loads((EVENTS / name).read_text()), None)
    assert resp["statusCode"] == EXPECTED[name]
    assert resp["headers"]["Content-Type"] == "application/json"
    body = json.loads(resp["body"])
    if resp["statusCode"] == 200:
        if service_name in ("classify", "score"):
            assert body["label"] == "lease" and 0 < body["score"] <= 1
        if service_name in ("entities", "score"):
            assert {"text": "£48,000", "label": "MONEY"}.items() <= next(
                e for e in body["entities"] if e["label"] == "MONEY").items()
    else:
        assert body["error"]["status"] == resp["statusCode"]
        assert body["error"]["message"]
    (line,) = stream.getvalue().splitlines()  # exactly one JSON log line per invocation
    rec = json.loads(line)
    assert rec["status"] == resp["statusCode"] and rec["service"] == service_name
    assert rec["duration_ms"] >= 0 and rec["request_id"]
    assert ("error" in rec) == (resp["statusCode"] != 200)


def test_bug_gives_500_without_details(models):
    class Broken(service.Models):
        def classify(self, texts):
            raise ZeroDivisionError("secret detail")

    stream = io.StringIO()
    h = handlers.make_handler("classify", Broken(), stream=stream)
    resp = h(json.loads((EVENTS / "rest_good.json").read_text()), type("Ctx", (), {"aws_request_id": "r-1"})())
    assert resp["statusCode"] == 500
    assert "secret" not in resp["body"] and json.loads(resp["body"])["error"]["request_id"] == "r-1"
    rec = json.loads(stream.getvalue())
    assert "ZeroDivisionError: secret detail" in rec["error"] and rec["request_id"] == "r-1"


def test_models_loaded_once():
    calls = []

    def loader():
        calls.append(1)
        return service.load_models()

    h = handlers.make_handler("classify", loader, stream=io.StringIO())
    ev = json.loads((EVENTS / "rest_good.json").read_text())
    h(ev, None), h(ev, None)
    assert len(calls) == 1


def test_unknown_service_rejected(models):
    with pytest.raises(ValueError, match="service"):
        handlers.make_handler("translate", models)


def test_not_an_event():
    with pytest.raises(service.InvalidRequest) as exc:
        handlers.parse_event(["not", "a", "dict"])  # type: ignore[arg-type]
    assert exc.value.status_code == 400
