"""The public API is guarded by default: an API key and usage plan, stage throttling, reserved concurrency, a
per-request work limit the handlers enforce; the figures follow from the post's traffic by the stated rules."""

from __future__ import annotations

import base64
import json
import math

import pytest

from mlopsbook.security import scanners
from mlopsbook.lambdakit import api_guard, handlers, sam_template
from mlopsbook.nlp import service


@pytest.fixture(scope="module")
def cfn() -> dict:
    try:
        return scanners.transform_sam()
    except scanners.ScannerMissing as exc:
        pytest.fail(str(exc))


def test_every_method_of_the_api_requires_the_key(cfn: dict) -> None:
    body = cfn["Resources"][sam_template.API]["Properties"]["Body"]
    methods = [(path, m, spec) for path, ops in body["paths"].items() for m, spec in ops.items()]
    assert {p for p, _, _ in methods} == {"/classify", "/entities"}
    assert all(spec.get("security") == [{"api_key": []}] for _, _, spec in methods)
    assert body["securityDefinitions"]["api_key"] == {"in": "header", "name": "x-api-key", "type": "apiKey"}


def test_the_stage_throttles_and_the_usage_plan_bounds_the_key(cfn: dict) -> None:
    lim = api_guard.post_limits()
    res = cfn["Resources"]
    stage = next(r["Properties"] for r in res.values() if r["Type"] == "AWS::ApiGateway::Stage")
    assert stage["MethodSettings"] == [{"HttpMethod": "*", "MetricsEnabled": True, "ResourcePath": "/*",
                                        "ThrottlingBurstLimit": lim.burst, "ThrottlingRateLimit": lim.rate_rps}]
    assert "AccessLogSetting" in stage
    plan = next(r["Properties"] for r in res.values() if r["Type"] == "AWS::ApiGateway::UsagePlan")
    assert plan["Throttle"] == {"BurstLimit": lim.burst, "RateLimit": lim.rate_rps}
    assert plan["Quota"] == {"Limit": lim.monthly_quota, "Period": "MONTH"}
    assert any(r["Type"] == "AWS::ApiGateway::UsagePlanKey" for r in res.values())
    for name in ("ClassifyFunction", "EntitiesFunction"):
        assert res[name]["Properties"]["ReservedConcurrentExecutions"] == lim.reserved_concurrency


def test_the_guards_follow_from_the_traffic_by_the_stated_rules() -> None:
    lim = api_guard.limits("business-hours", 1_000_000, 1000.0)
    assert lim.rate_rps == math.ceil(api_guard.HEADROOM * lim.peak_rps) and lim.burst == 2 * lim.rate_rps
    assert lim.reserved_concurrency == lim.rate_rps  # rate x 1 s objective
    assert lim.monthly_quota == 4_000_000
    assert api_guard.limits("business-hours", 10_000_000, 1000.0).rate_rps > lim.rate_rps


def test_each_guard_bounds_the_bill_below_no_guard_at_all() -> None:
    rows = {r["control"]: r for r in api_guard.control_costs(
        api_guard.post_limits(), memory_mb=sam_template.memory_mb(), timeout_s=sam_template.TIMEOUT_S,
        duration_ms=35.0, functions=2)}
    unguarded = rows["without any guard"]["bound_usd"]
    assert rows["reserved concurrency"]["bound_usd"] < rows["API key and usage plan"]["bound_usd"] < unguarded
    assert rows["the API at the assumed traffic"]["bound_usd"] < rows["reserved concurrency"]["bound_usd"]
    assert all("not in data/" in r["price"] for c, r in rows.items() if c in ("stage throttling",
                                                                              "API key and usage plan"))


def _event(body: str, b64: bool = False) -> dict:
    return {"httpMethod": "POST", "headers": {"Content-Type": "application/json"}, "body": body,
            "isBase64Encoded": b64}


@pytest.mark.parametrize("b64", [False, True])
def test_a_body_above_the_limit_is_refused_before_it_is_parsed(b64: bool) -> None:
    body = json.dumps({"text": "a" * 10}) + " " * service.MAX_BODY_BYTES
    if b64:
        body = base64.b64encode(body.encode()).decode()
    with pytest.raises(service.InvalidRequest) as exc:
        handlers.parse_event(_event(body, b64))
    assert exc.value.status_code == 413 and "limit" in exc.value.message


def test_the_largest_document_written_as_escapes_still_fits() -> None:
    text = "é" * service.MAX_TEXT_CHARS
    body = json.dumps({"text": text}, ensure_ascii=True)
    assert len(body) <= service.MAX_BODY_BYTES
    assert handlers.parse_event(_event(body)) == text
    with pytest.raises(service.InvalidRequest) as exc:
        handlers.parse_event(_event(json.dumps({"text": text + "é"}, ensure_ascii=True)))
    assert exc.value.status_code == 413
