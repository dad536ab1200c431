"""Cold-start exposure: the p99 latency each platform gives a profile's traffic, from :mod:`mlopsbook.simulate`.

One short seeded run per platform over the **20 minutes around the sharpest rise of the traffic** in the month
(5 minutes before the steepest one-minute increase of the rate to 15 minutes after; the start of the month for steady
traffic), with 15 more minutes simulated before the window so that warm capacity from earlier traffic is there. The
window is where cold starts hurt most: the p99 reported is the worst window's, not the month's. At high rates the run is
bounded to :data:`MAX_ARRIVALS` expected requests: the window then starts one minute before the rise, without warm-up,
and lasts as many minutes as the bound allows (at least 2).

**Scaled copy.** Where the run would still be large (more than :data:`MAX_ARRIVALS` arrivals in two minutes, or more
than :data:`MAX_CONCURRENCY` requests in flight at the busiest minute: "100k QPS", "a 45-minute request at 48 req/s"),
the simulator runs a copy of the system ``k`` times smaller: the rate divided by ``k``, and with it every capacity the
plan gives (replicas, nodes, servers, Lambda's concurrency limit and scaling rate, Serverless's 200), each rounded up.
Per-request latency at a given utilisation is then what the smaller system gives: the same service and start-up times
and the same utilisation; a smaller pool pools a little less and draws fewer samples. Where both run, the copy's p99
is within 2% of the full run's (measured 2026-12-03 with copies 8 and 18 times smaller, every platform;
``tests/test_decide.py`` checks it within 15%), and the cost of a run no longer grows with the rate or the request time
in the question.

How each platform is simulated:

* ``lambda``: :mod:`mlopsbook.simulate.lambda_` with AWS's scaling limits and keep-alive (data/simulate) and an INIT
  of an sklearn-sized model (G10, 2.8 s); requests take the Lambda duration of the profile's latency (``aws.lambda.memory.mb_per_vcpu``).
* ``sagemaker-serverless``: the same model with at most ``aws.sagemaker_serverless.concurrency.max_per_endpoint`` concurrent requests; its cold start is not
  quantified by AWS (B10), so it is **assumed** equal to Lambda's INIT.
* ``sagemaker``, ``fargate``: a fixed pool (FCFS) with the capacity the cost model schedules for the busiest minute
  of the window (the cost model scales ahead hour by hour). Their task/instance start-up has no sourced figure
  (no official Fargate start-up time was found), so no cold start is modelled: their p99 is queueing plus service.
* ``eks``: Ray Serve on KubeRay (:mod:`mlopsbook.simulate.ray_serve`), starting with the replicas the hour before the
  rise needs (at least the minimum), scaling reactively with Ray's defaults and new nodes taking the sourced start-up
  (E2). This is the post's "cold starts of new nodes during autoscaling".
* ``triton``: a fixed pool of GPU instances, each serving 8 requests at once (Triton's documented concurrency 8) at ``triton.throughput.inception_batched_rps``.

Service times are lognormal (sigma 0.5) with the profile's mean; runs are seeded, so results are deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from mlopsbook.costs import model as cost_model
from mlopsbook.costs.model import lambda_duration_ms
from mlopsbook.decide.profile import Profile
from mlopsbook.simulate import arrivals, fixed_pool, lambda_, ray_serve
from mlopsbook.costs.traffic import RESOLUTION_S

WINDOW_BEFORE_S = 300
WINDOW_AFTER_S = 900
WARMUP_S = 900
MAX_ARRIVALS = 60_000
"""Above this many expected arrivals the window is shortened (never below 2 minutes, always starting at the rise) to
keep a run well under a second."""
MAX_CONCURRENCY = 250
"""Above this many requests in flight at the busiest minute (or :data:`MAX_ARRIVALS` in the shortened window) the run
is a scaled copy (module docstring)."""
TRITON_CONCURRENCY = 8
"""Requests one Triton instance serves at once (Triton's documented example: ``triton.throughput.inception_batched_rps`` at concurrency 8 with dynamic
batching)."""
INIT_MODEL = "sklearn_model"
"""The Lambda INIT row of data/simulate used for an NLP model (G10: about 3 s for an sklearn model)."""


@dataclass(frozen=True)
class Exposure:
    """The simulated latency of one platform: ``p99_ms`` (served requests in the window), ``cold_fraction`` (Lambda:
    share of requests that started cold), ``dropped`` (throttled requests), ``window`` (what was simulated) and
    ``model`` (how the platform was modelled)."""

    platform: str
    p99_ms: float
    cold_fraction: float
    dropped: int
    window: str
    model: str

    def meets(self, slo_ms: float) -> bool:
        """True when the window's p99 is within ``slo_ms`` and nothing was dropped."""
        return bool(self.p99_ms <= slo_ms and self.dropped == 0)


def _window(profile: Profile, mean_rps: float) -> tuple[np.ndarray, int, str]:
    """The one-minute rates from the warm-up start to the window's end, the window's start index in that series,
    and a description."""
    rate = profile.workload(mean_rps).rate_rps(RESOLUTION_S, "month")
    if profile.traffic_pattern == "steady":
        j = 0
        where = "the first 20 minutes of steady traffic"
    else:
        j = int(np.argmax(np.diff(rate))) + 1
        day, minute = divmod(j, 24 * 60)
        where = (f"the 20 minutes around the sharpest rise of the traffic (day {day + 1} of the month, "
                 f"{minute // 60:02d}:{minute % 60:02d})")
    before = WINDOW_BEFORE_S // RESOLUTION_S
    after = WINDOW_AFTER_S // RESOLUTION_S
    warm = WARMUP_S // RESOLUTION_S
    lo = max(0, j - before - warm)
    series = rate[lo:j + after]
    expected = float(series.sum() * RESOLUTION_S)
    if expected > MAX_ARRIVALS:
        # keep the rise itself: from one minute before it, as many minutes as the bound allows (no warm-up)
        tail = rate[max(0, j - 1):j + after]
        cum = np.cumsum(tail * RESOLUTION_S)
        keep = int(max(2, min(len(tail), np.searchsorted(cum, MAX_ARRIVALS))))
        lo = max(0, j - 1)
        series = rate[lo:lo + keep]
        where += f" (shortened to {keep} minutes from the rise to bound the run)"
        return series, 0, where
    start_idx = max(0, (j - before) - lo)
    return series, start_idx, where


def scale_factor(series_rps: np.ndarray, service_ms: float) -> float:
    """How many times smaller the simulated copy is (1: the system itself): enough to keep the window's arrivals within
    :data:`MAX_ARRIVALS` and the busiest minute's requests in flight within :data:`MAX_CONCURRENCY`."""
    arrivals = float(np.sum(series_rps) * RESOLUTION_S)
    in_flight = float(np.max(series_rps, initial=0.0)) * service_ms / 1000.0
    return float(max(1.0, arrivals / MAX_ARRIVALS, in_flight / MAX_CONCURRENCY))


def simulate(profile: Profile, platform: str, plan: dict, *, mean_rps: float | None = None, seed: int = 0) -> Exposure:
    """The cold-start exposure of ``platform`` for ``profile`` (``plan``: the sizing the engine chose, with
    ``workers`` per replica, ``replicas_before`` and ``replicas_peak`` for fleets, ``lambda_memory_mb``)."""
    m = profile.mean_rps if mean_rps is None else float(mean_rps)
    series, start_idx, where = _window(profile, m)
    k = scale_factor(series, profile.model_latency_ms)
    if k > 1:
        series = series / k
        where += f" (a copy {k:,.0f} times smaller: rate and capacities divided by {k:,.0f})"

    def cap(n: float) -> int:
        return max(1, math.ceil(n / k))

    rng = np.random.default_rng(seed)
    a = arrivals.from_rate_series(float(RESOLUTION_S), series, rng)
    T = float(len(series) * RESOLUTION_S)
    t0 = float(start_idx * RESOLUTION_S)
    if platform in ("lambda", "sagemaker-serverless"):
        mem = int(plan.get("lambda_memory_mb", 1024))
        mean_ms = float(lambda_duration_ms(profile.model_latency_ms, mem)) if platform == "lambda" else profile.model_latency_ms
        s = arrivals.service_times("lognormal", mean_ms / 1e3, a.size, rng)
        over = ({"memory_mb": mem} if platform == "lambda" else
                {"memory_mb": cost_model.SERVERLESS_PRICED_MB,
                 "concurrency_limit": cost_model.SERVERLESS_MAX_CONCURRENCY})
        config = lambda_.LambdaConfig.aws_defaults(INIT_MODEL, **over)
        if k > 1:
            config = replace(config, concurrency_limit=cap(config.concurrency_limit),
                             scaling_envs_per_window=cap(config.scaling_envs_per_window))
        res = lambda_.run(a, s, T, config, seed=seed)
        model = ("Lambda: AWS scaling limits, keep-alive, INIT of an sklearn model (G10)" if platform == "lambda" else
                 f"SageMaker Serverless: at most {cost_model.SERVERLESS_MAX_CONCURRENCY} concurrent (B8); cold start "
                 "ASSUMED equal to Lambda's INIT (B10 gives none)")
    elif platform == "eks":
        s = arrivals.service_times("lognormal", profile.model_latency_ms / 1e3, a.size, rng)
        per_node = int(plan["workers"])
        rb, rp = int(plan["replicas_before"]), int(plan["replicas_peak"])
        nodes_before, nodes_peak = (cap(rb) if rb else 0), (cap(rp) if rp else 0)
        lo_r = max(1, nodes_before * per_node)
        hi_r = max(lo_r, nodes_peak * per_node)
        auto = ray_serve.ServeAutoscaling.ray_defaults(min_replicas=min(lo_r, hi_r), initial_replicas=lo_r,
                                                       max_replicas=hi_r)
        node_kind = "gpu" if plan.get("gpu_workers") else "cpu"
        cluster = ray_serve.Cluster(node=ray_serve.NodeProfile.of(node_kind), replicas_per_node=per_node,
                                    min_worker_nodes=nodes_before,
                                    max_worker_nodes=max(100, nodes_peak))
        res = ray_serve.run(a, s, T, auto, cluster, seed=seed)
        model = f"Ray Serve on KubeRay: reactive autoscaling (E3), {node_kind.upper()} node start-up (E2)"
    elif platform == "triton":
        per = cost_model.TRITON_THROUGHPUT_RPS[True]
        service_s = TRITON_CONCURRENCY / per
        s = arrivals.service_times("lognormal", service_s, a.size, rng)
        res = fixed_pool.run(a, s, cap(max(1, int(plan["replicas_peak"])) * TRITON_CONCURRENCY), T)
        model = f"Triton: {int(plan['replicas_peak'])} GPU instance(s) x {TRITON_CONCURRENCY} concurrent at {per:g} infer/s (F1)"
    else:
        s = arrivals.service_times("lognormal", profile.model_latency_ms / 1e3, a.size, rng)
        res = fixed_pool.run(a, s, cap(max(1, int(plan["replicas_peak"]) * int(plan["workers"]))), T)
        model = "fixed pool sized ahead by the cost model (no sourced start-up time: no cold start modelled)"
    w = res.window(t0, T)
    lat = w.latency_ms
    p99 = float(np.percentile(lat, 99)) if lat.size else 0.0
    cold = float(np.mean(w.cold)) if w.cold is not None and w.cold.size else 0.0
    if not math.isfinite(p99):
        p99 = 0.0
    return Exposure(platform, round(p99, 3), round(cold, 6), int(w.dropped), where, model)
