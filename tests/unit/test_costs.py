"""The cost model: AWS's own published examples to the cent, hand-computed fleets, and properties (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlopsbook.costs import examples, model as costs, pricing
from mlopsbook.costs.examples import cents
from mlopsbook.costs.model import (
    LoadProfile, ModelProfile, eks_cost, fargate_cost, fargate_task_cost, lambda_cost,
    monthly_cost, sagemaker_cost, sagemaker_serverless_cost, triton_cost,
)
from mlopsbook.costs.curves import break_even_rps
from mlopsbook.costs.traffic import PATTERNS, SECONDS_PER_MONTH, Workload
from mlopsbook.errors import MlopsbookError

PRICES = pricing.load()
MODEL = ModelProfile("test: a light NLP model on CPU", cpu_ms=35.1, init_ms=4140.0, lambda_memory_mb=1769,
                     source="test figures, of the order of the book's measured NLP services")
"""The workload model of these tests (the library has no default model: a post passes its own)."""


# -- AWS's published examples (data/pricing/aws-examples-*.yaml: the Lambda and Fargate pricing pages, us-east-1)
@pytest.mark.parametrize("example", examples.load(), ids=lambda ex: f"{ex.model}: {ex.name}")
def test_aws_published_example_to_the_cent(example: examples.PublishedExample) -> None:
    """Every line AWS prints, rounded to the cent as AWS does, and the total where the page gives one."""
    b = example.compute(PRICES)
    assert {k: cents(b.items[k]) for k in example.published_items} == example.published_items
    if example.published_total is not None:
        assert cents(b.monthly_usd) == example.published_total


def test_aws_examples_cover_both_pages_and_every_charge() -> None:
    exs = examples.load()
    assert len(exs) == 7 and {ex.page for ex in exs} == {"aws.amazon.com/lambda/pricing/", "aws.amazon.com/fargate/pricing/"}
    charged = set().union(*(ex.published_items for ex in exs))
    assert charged == {"requests", "duration", "ephemeral_storage", "provisioned_concurrency", "provisioned_duration",
                       "vcpu", "memory"}
    assert examples.check(PRICES)["every_line_matches"].all()


def test_aws_examples_file_names_a_known_model(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "examples.yaml"
    bad.write_text("examples:\n  - {source: s, name: n, inputs: i, model: ec2, arguments: {}, published_items: {},"
                   " published_total: null}\n")
    with pytest.raises(MlopsbookError, match=r"examples\[0\]\.model: must be one of lambda, fargate"):
        examples.load(bad)


# -- hand-computed cases ---------------------------------------------------------------------------------------------
def test_lambda_rounds_each_invocation_up_to_1_ms() -> None:
    a = lambda_cost(1e6, 10.2, 1024, free_tier=False, prices=PRICES)
    b = lambda_cost(1e6, 11.0, 1024, free_tier=False, prices=PRICES)
    assert a.monthly_usd == b.monthly_usd
    assert a.items["duration"] == pytest.approx(1e6 * 0.011 * 1.0 * 0.0000166667)


def test_lambda_tiers_and_arm() -> None:
    gb_s = 7e9  # 6e9 in tier 1, 1e9 in tier 2 (x86); all in tier 1 on arm64 (7.5e9)
    req = gb_s / 1.0  # 1 GB for 1 s each
    x86 = lambda_cost(req, 1000, 1024, free_tier=False, prices=PRICES)
    arm = lambda_cost(req, 1000, 1024, free_tier=False, arch="arm64", prices=PRICES)
    assert x86.items["duration"] == pytest.approx(6e9 * 0.0000166667 + 1e9 * 0.000015)
    assert arm.items["duration"] == pytest.approx(7e9 * 0.0000133334)


def test_lambda_init_billing() -> None:
    b = lambda_cost(1e6, 100, 2048, free_tier=False, cold_start_fraction=0.01, init_duration_ms=1500, prices=PRICES)
    assert b.items["init_duration"] == pytest.approx(1e6 * 0.01 * 1.5 * 2.0 * 0.0000166667)


def test_sagemaker_fleet_hand_computed() -> None:
    # 50 ms per request, 2 vCPU -> 40 req/s per instance, 28 at 70%: 100 req/s steady needs 4 instances
    load = LoadProfile.of(Workload("steady", 100.0))
    b = sagemaker_cost(load, 50, prices=PRICES)
    assert b.quantities["instance_hours"] == 4 * 730
    assert b.monthly_usd == pytest.approx(4 * 730 * 0.115)
    # traffic so low that redundancy decides: 2 instances
    assert sagemaker_cost(LoadProfile.of(Workload("steady", 0.01)), 50, prices=PRICES).monthly_usd == pytest.approx(2 * 730 * 0.115)


def test_business_hours_autoscaling_hand_computed() -> None:
    w = Workload("business-hours", 1.0)
    level, hours = w.load_profile()
    busy = hours[level > 0].sum()
    # the busy-hour rate is 1/0.2726 = 3.67 req/s; with 10 req/s per task at 100% one task would do, min_replicas 3 decides
    b = fargate_cost(LoadProfile.of(w, 50.0), 100, task_vcpu=1, task_memory_gb=2, utilisation_target=1.0, min_replicas=1,
                     prices=PRICES)
    peak = 50.0 * level.max()
    assert b.quantities["task_hours"] == pytest.approx(busy * math.ceil(peak / 10 - 1e-9) + (730 - busy) * 1)
    no_scale = fargate_cost(LoadProfile.of(w, 50.0), 100, utilisation_target=1.0, min_replicas=1, autoscale=False, prices=PRICES)
    assert no_scale.quantities["task_hours"] == 730 * math.ceil(peak / 10 - 1e-9)


def test_eks_has_fixed_floor() -> None:
    b = eks_cost(LoadProfile.of(Workload("steady", 0.0)), 50, prices=PRICES)
    assert b.items["control_plane"] == pytest.approx(73.0)
    assert b.items["head_node"] == pytest.approx(730 * 0.096)
    assert b.items["worker_nodes"] == pytest.approx(2 * 730 * 0.085)


def test_triton_batching_needs_fewer_gpus() -> None:
    load = LoadProfile.of(Workload("steady", 500.0))
    with_b = triton_cost(load, dynamic_batching=True, prices=PRICES)
    without = triton_cost(load, dynamic_batching=False, prices=PRICES)
    assert with_b.quantities["instance_hours"] == 730 * math.ceil(500 / (272 * 0.7))
    assert without.quantities["instance_hours"] == 730 * math.ceil(500 / (73.4 * 0.7))
    assert with_b.monthly_usd < without.monthly_usd


def test_serverless_limits() -> None:
    assert sagemaker_serverless_cost(1e6, 100, prices=PRICES).monthly_usd == pytest.approx(1e6 * 0.1 * 0.00006)
    assert sagemaker_serverless_cost(1e6, 100, peak_concurrency=250, prices=PRICES).monthly_usd == math.inf
    with pytest.raises(ValueError, match="^memory_mb: no confirmed price for 2048 MB"):
        sagemaker_serverless_cost(1e6, 100, 2048, prices=PRICES)
    with pytest.raises(ValueError, match="^memory_mb: must be one of"):
        sagemaker_serverless_cost(1e6, 100, 1000, prices=PRICES)


def test_monthly_cost_dispatch_and_validation() -> None:
    w = Workload("diurnal", 3.0)
    for p in costs.PLATFORMS:
        b = monthly_cost(p, w, MODEL, prices=PRICES)
        assert b.platform == p and b.monthly_usd > 0
        assert set(b.to_dict()) >= {"monthly_usd", "items"}
    with pytest.raises(ValueError, match="^platform: must be one of"):
        monthly_cost("gke", w, MODEL)
    with pytest.raises(ValueError, match="^memory_mb: must be between 128 and 10240"):
        lambda_cost(1, 1, 100)
    with pytest.raises(ValueError, match="^arch: must be one of x86_64, arm64"):
        lambda_cost(1, 1, 128, arch="ppc")
    with pytest.raises(ValueError, match="^duration_ms: must be between 0 and 900000"):
        lambda_cost(1, 1e6, 128)
    with pytest.raises(ValueError, match="^cpu_ms: must be > 0"):
        ModelProfile("x", cpu_ms=0, init_ms=0)
    with pytest.raises(ValueError, match="^provisioned_requests: more execution time"):
        lambda_cost(1e9, 1000, 128, provisioned_concurrency=1, provisioned_hours=1, provisioned_requests=1e9)


def test_break_even_is_a_crossing() -> None:
    w = Workload("business-hours", 1.0)
    x = break_even_rps(w, "fargate", MODEL, prices=PRICES)
    lam = lambda r: monthly_cost("lambda", w, MODEL, mean_rps=r, prices=PRICES).monthly_usd
    far = lambda r: monthly_cost("fargate", w, MODEL, mean_rps=r, prices=PRICES).monthly_usd
    assert lam(x * 0.99) < far(x * 0.99)
    assert lam(x) >= far(x)
    from mlopsbook.costs.model import ASSUMED_MODEL

    # At 50 ms and 1,024 MB SageMaker Serverless never undercuts Lambda; at the measured 35 ms, 1,769 MB and a 4 s
    # INIT billed on 1% of requests, it does: its 3 GB per-second price carries no INIT charge.
    assert math.isnan(break_even_rps(w, "sagemaker-serverless", ASSUMED_MODEL, prices=PRICES))
    y = break_even_rps(w, "sagemaker-serverless", MODEL, prices=PRICES)
    assert monthly_cost("lambda", w, MODEL, mean_rps=y * 1.01, prices=PRICES).monthly_usd > \
        monthly_cost("sagemaker-serverless", w, MODEL, mean_rps=y * 1.01, prices=PRICES).monthly_usd


def test_break_even_takes_any_pair_options_and_a_rate_dependent_limit() -> None:
    """The one crossing search the decision engine calls: against another platform than Lambda, with each side's
    options, and with a limit that rules a platform out above some rate."""
    w = Workload("steady", 1.0)
    x = break_even_rps(w, "eks", MODEL, against="fargate", prices=PRICES)
    curves = cc.cost_curves(w, np.array([x * 0.99, x]), MODEL, platforms={"fargate": {}, "eks": {}}, prices=PRICES)
    assert curves["fargate"][0] < curves["eks"][0] and curves["fargate"][1] >= curves["eks"][1]
    # a lower utilisation target makes the Fargate fleet larger, so EKS catches up at a lower rate
    assert break_even_rps(w, "eks", MODEL, against="fargate", against_options={"utilisation_target": 0.35},
                          prices=PRICES) < x
    # a platform that cannot serve above 5 req/s never becomes the cheaper one above that rate
    cap = lambda p, r: (r > 5.0) if p == "fargate" else np.zeros(r.shape, dtype=bool)  # noqa: E731
    y = break_even_rps(w, "fargate", MODEL, prices=PRICES, infeasible=cap)
    assert math.isnan(y) or y <= 5.0
    capped = cc.cost_curves(w, np.array([4.0, 6.0]), MODEL, platforms={"fargate": {}}, prices=PRICES, infeasible=cap)
    assert math.isfinite(capped["fargate"][0]) and capped["fargate"][1] == math.inf
    with pytest.raises(ValueError, match="^other: must differ from against"):
        break_even_rps(w, "fargate", MODEL, against="fargate", prices=PRICES)


def test_the_decision_engine_crossing_is_the_cost_curves_crossing() -> None:
    """``decide.rank.crossing`` is :func:`break_even_rps` on the engine's sizing: same options, same answer."""
    from mlopsbook.decide import limits, rank, sizing
    from mlopsbook.decide.profile import Profile

    prof = Profile(traffic_pattern="business-hours", mean_rps=2.0, peak_rps=4.0, gpu="no", artifact_mb=100,
                   model_latency_ms=35.0, memory_mb=1024, latency_slo_ms=1000, payload_kb=10)
    model = sizing.model_of(prof)
    opts = {p: sizing.platform_options(p, prof, PRICES)[0] for p in ("lambda", "fargate")}
    direct = break_even_rps(prof.workload(), "fargate", model, other_options=opts["fargate"],
                            against_options=opts["lambda"], prices=PRICES)
    assert rank.crossing(prof, "fargate", prices=PRICES) == direct
    from dataclasses import replace

    assert math.isnan(rank.crossing(replace(prof, gpu="required"), "fargate", prices=PRICES, limits=limits.load()))


def test_vectorised_equals_scalar() -> None:
    w = Workload("bursty", 1.0, seed=3)
    rps = np.array([0.01, 1.0, 37.0, 800.0])
    for p in costs.PLATFORMS:
        vec = monthly_cost(p, w, MODEL, mean_rps=rps, prices=PRICES).monthly_usd
        one = [monthly_cost(p, w.scaled(r), MODEL, prices=PRICES).monthly_usd for r in rps]
        assert np.allclose(vec, one), p


# -- properties ------------------------------------------------------------------------------------------------------
rates = st.floats(min_value=0.0, max_value=5e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(a=rates, b=rates, pattern=st.sampled_from(PATTERNS), platform=st.sampled_from(costs.PLATFORMS))
def test_cost_never_decreases_with_traffic(a: float, b: float, pattern: str, platform: str) -> None:
    lo, hi = sorted((a, b))
    w = Workload(pattern, 1.0)
    c = monthly_cost(platform, w, MODEL, mean_rps=np.array([lo, hi]), prices=PRICES).monthly_usd
    assert c[0] <= c[1] * (1 + 1e-12) or c[1] == math.inf


@settings(max_examples=60, deadline=None)
@given(
    req=st.floats(min_value=2e6, max_value=1e10), k=st.floats(min_value=1.0, max_value=1e3),
    dur=st.integers(min_value=1, max_value=3000), mem=st.integers(min_value=128, max_value=10240),
    arch=st.sampled_from(costs.ARCHES),
)
def test_lambda_linear_in_requests_above_free_tier(req: float, k: float, dur: int, mem: int, arch: str) -> None:
    """Above the free tier and within one duration tier, cost is affine in requests: equal steps, equal increments."""
    gb_s = lambda r: r * dur / 1000 * mem / 1024
    hi = req * (1 + 2 * k / 1e3)
    tiers = PRICES.tiers(f"lambda.duration.{arch}")
    assume(gb_s(req) > 4e5)  # above the free tier's 400,000 GB-s
    assume(any(s <= gb_s(req) - 4e5 and gb_s(hi) <= e for s, e, _ in tiers))  # all three in one duration tier
    r = np.array([req, req * (1 + k / 1e3), hi])
    c = lambda_cost(r, dur, mem, arch=arch, prices=PRICES).monthly_usd
    assert c[2] - c[1] == pytest.approx(c[1] - c[0], rel=1e-6, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(req=st.floats(min_value=0, max_value=1e10), dur=st.floats(min_value=0.1, max_value=9e5),
       mem=st.integers(min_value=128, max_value=10240), cold=st.floats(min_value=0, max_value=1))
def test_free_tier_never_raises_a_bill(req: float, dur: float, mem: int, cold: float) -> None:
    with_ft = lambda_cost(req, dur, mem, free_tier=True, cold_start_fraction=cold, init_duration_ms=500, prices=PRICES)
    without = lambda_cost(req, dur, mem, free_tier=False, cold_start_fraction=cold, init_duration_ms=500, prices=PRICES)
    assert with_ft.monthly_usd <= without.monthly_usd + 1e-12


@settings(max_examples=60, deadline=None)
@given(rps=rates, lo=st.integers(min_value=0, max_value=5), extra=st.integers(min_value=0, max_value=5),
       pattern=st.sampled_from(PATTERNS), platform=st.sampled_from(("sagemaker", "fargate", "eks", "triton")),
       autoscale=st.booleans())
def test_more_redundancy_never_lowers_a_bill(rps: float, lo: int, extra: int, pattern: str, platform: str, autoscale: bool) -> None:
    w = Workload(pattern, 1.0)
    a = monthly_cost(platform, w, MODEL, mean_rps=rps, min_replicas=lo, autoscale=autoscale, prices=PRICES).monthly_usd
    b = monthly_cost(platform, w, MODEL, mean_rps=rps, min_replicas=lo + extra, autoscale=autoscale, prices=PRICES).monthly_usd
    assert a <= b + 1e-9


# -- curves, break-evens, verdict --------------------------------------------------------------------------------------
from mlopsbook.costs import curves as cc  # noqa: E402


def test_a_lighter_model_keeps_lambda_cheaper_for_longer() -> None:
    w = Workload("business-hours", 1.0)
    light = cc.with_latency(MODEL, 30.0)
    assert cc.break_even_rps(w, "fargate", light, prices=PRICES) > cc.break_even_rps(w, "fargate", MODEL, prices=PRICES)


def test_break_evens_move_with_the_traffic_shape() -> None:
    be = cc.break_even_table(MODEL, prices=PRICES).set_index(["pattern", "platform"])["break_even_mean_rps"]
    for p in ("sagemaker", "fargate", "eks", "triton"):
        assert be[("business-hours", p)] >= be[("steady", p)]
    assert be[("steady", "fargate")] < be[("steady", "sagemaker")] < be[("steady", "eks")] < be[("steady", "triton")]
    # serverless: no break-even at the assumed 50 ms model; a finite one at the measured model (see above)
    assert np.isnan(cc.break_even_table(costs.ASSUMED_MODEL, prices=PRICES).set_index(["pattern", "platform"])
                    ["break_even_mean_rps"][("steady", "sagemaker-serverless")])


def test_limits_table_and_floors() -> None:
    t = cc.lambda_limits_table(MODEL, prices=PRICES).set_index("pattern")
    assert list(t.index) == list(PATTERNS)
    assert t.loc["steady", "busy_rps"] == t.loc["steady", "lambda_cheapest_below_mean_rps"]
    floors = cc.idle_floors(MODEL, prices=PRICES)
    assert floors["fargate"] == pytest.approx(2 * 730 * (0.04048 + 2 * 0.004445))
    assert floors["triton"] == pytest.approx(2 * 730 * 0.526)


def test_cheapest_map_shape_and_lambda_corner() -> None:
    rps = np.geomspace(0.01, 1000, 7)
    ms = np.array([5.0, 50.0, 500.0])
    idx = cc.cheapest_map("business-hours", rps, ms, MODEL, prices=PRICES)
    assert idx.shape == (3, 7)
    assert idx[:, 0].tolist() == [costs.PLATFORMS.index("lambda")] * 3  # at 0.01 req/s Lambda always wins
    assert costs.PLATFORMS.index("lambda") not in idx[2, -2:].tolist()  # heavy model at high traffic: not Lambda
