"""How the public API of the two NLP functions is guarded, and what each guard bounds in dollars a month.

The SAM template (:mod:`~mlopsbook.lambdakit.sam_template`) ships the API with:

- **an API key and a usage plan** (every method requires the key; the plan's monthly quota caps what one leaked key
  can make the functions do);
- **stage throttling** (requests per second and a burst, for the whole stage and in the usage plan);
- **reserved concurrency** on each function (the most environments, hence GB-seconds, a flood can hold at once);
- **a per-request work limit** the handlers enforce: one document per request, at most
  :data:`~mlopsbook.nlp.service.MAX_TEXT_CHARS` characters and
  :data:`~mlopsbook.nlp.service.MAX_BODY_BYTES` of body, else 413.

The figures follow from the post's stated traffic (an assumption of the reproduction: its ``POST_TRAFFIC``) by rules
written here: the throttle admits :data:`HEADROOM` times the assumed peak rate; reserved concurrency is the throttled
rate times the latency objective (requests answered within it never need more environments); the monthly quota is
:data:`HEADROOM` times the assumed volume. :func:`control_costs` prices what each bounds with the Lambda prices of
``data/pricing``; API Gateway's own prices have no source in the project's facts, so they are not computed (said in
the table).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mlopsbook.nlp.service import MAX_BODY_BYTES, MAX_TEXT_CHARS

HEADROOM = 4
"""The throttle and the quota admit this many times the assumed peak rate and monthly volume."""


@dataclass(frozen=True)
class ApiLimits:
    """The guards' settings: stage ``rate_rps`` and ``burst``, ``reserved_concurrency`` per function, the usage
    plan's ``monthly_quota`` of requests, and the traffic they were derived from."""

    rate_rps: int
    burst: int
    reserved_concurrency: int
    monthly_quota: int
    peak_rps: float
    requests_per_month: float
    latency_slo_ms: float


def limits(pattern: str, requests_per_month: float, latency_slo_ms: float) -> ApiLimits:
    """The guards for traffic of ``pattern`` at ``requests_per_month`` with a latency objective ``latency_slo_ms``."""
    from mlopsbook.costs.traffic import Workload

    peak = float(Workload.from_requests_per_month(pattern, requests_per_month).peak_rps)
    rate = max(1, math.ceil(HEADROOM * peak))
    return ApiLimits(rate_rps=rate, burst=2 * rate,
                     reserved_concurrency=max(1, math.ceil(rate * latency_slo_ms / 1000.0)),
                     monthly_quota=int(HEADROOM * requests_per_month), peak_rps=peak,
                     requests_per_month=float(requests_per_month), latency_slo_ms=float(latency_slo_ms))


def post_limits() -> ApiLimits:
    """The guards for the post's stated traffic (the reproduction's ``POST_TRAFFIC``)."""
    from mlopsbook.reproductions.engineering_culture_leadership.decision import POST_TRAFFIC

    return limits(POST_TRAFFIC["traffic_pattern"], POST_TRAFFIC["requests_per_month"], POST_TRAFFIC["latency_slo_ms"])


def control_costs(lim: ApiLimits, *, memory_mb: int, timeout_s: float, duration_ms: float, functions: int,
                  prices: Any = None) -> list[dict[str, Any]]:
    """One row per guard: ``control``, ``setting``, ``price`` (what the guard itself costs: ``None`` where no price
    has a source here), ``bound_usd`` (the most Lambda can bill a month with the guard in place) and ``note``;
    first a row for the API at the assumed traffic (``duration_ms`` per request). Lambda is priced without its free
    tier (the account may spend it elsewhere)."""
    from mlopsbook.costs import model, pricing

    t = prices if prices is not None else pricing.load()
    seconds = 730 * 3600

    def lam(requests: float, ms: float) -> float:
        return float(model.lambda_cost(requests, ms, memory_mb, free_tier=False, prices=t).monthly_usd)

    worst_ms = timeout_s * 1000.0
    from mlopsbook.decide import limits as platform_limits

    account = next(x for x in platform_limits.load() if x.platform == "lambda" and x.limit == "concurrency")
    quota, quota_cite = int(account.value), account.cite
    no_price = "not in data/ (no API Gateway price in the facts)"
    return [
        {"control": "the API at the assumed traffic", "setting": f"{lim.requests_per_month:,.0f} requests a month",
         "price": no_price, "bound_usd": lam(lim.requests_per_month, duration_ms),
         "note": f"Lambda only, {duration_ms:.1f} ms a request (the measured model latency), {memory_mb:,} MB, "
                 "no free tier"},
        {"control": "without any guard", "setting": "none",
         "price": "-", "bound_usd": quota * lam(seconds / timeout_s, worst_ms),
         "note": f"anyone can call: the account's {quota:,} concurrent environments (its default quota, "
                 f"{quota_cite}) busy all month, each request running the timeout"},
        {"control": "reserved concurrency", "setting": f"{lim.reserved_concurrency} per function",
         "price": "no line in data/pricing (Lambda bills requests and duration)", "bound_usd": functions * lim.reserved_concurrency * lam(seconds / timeout_s, worst_ms),
         "note": f"{functions} functions x {lim.reserved_concurrency} environments busy all month, each request "
                 f"running the {timeout_s:g} s timeout"},
        {"control": "stage throttling", "setting": f"{lim.rate_rps} req/s, burst {lim.burst}",
         "price": no_price, "bound_usd": lam(lim.rate_rps * seconds, worst_ms),
         "note": "every admitted request running the timeout (reserved concurrency binds first)"},
        {"control": "API key and usage plan", "setting": f"quota {lim.monthly_quota:,} requests a month",
         "price": no_price, "bound_usd": lam(lim.monthly_quota, worst_ms),
         "note": "what one leaked key can bill, each request running the timeout"},
        {"control": "per-request work limit", "setting": f"{MAX_TEXT_CHARS:,} characters, {MAX_BODY_BYTES:,} B body",
         "price": "$0 (the handler's check)", "bound_usd": lam(1, worst_ms),
         "note": "the most one request can bill: refused bodies end in milliseconds with 413"},
    ]
