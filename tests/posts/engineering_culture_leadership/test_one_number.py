"""One question, one number: the post's break-evens come from one crossing search
(:func:`mlopsbook.costs.curves.break_even_rps`, which the decision engine calls with its own sizing and limits); the
decision's flip point, C7 and C8 then state the same rates.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from mlopsbook import formatting as fmt
from mlopsbook.costs import curves, pricing
from mlopsbook.costs.model import PLATFORM_LABELS
from mlopsbook.costs.traffic import SECONDS_PER_MONTH, Workload
from mlopsbook.reproductions.engineering_culture_leadership import costs as post_costs
from mlopsbook.reproductions.engineering_culture_leadership import decision
from mlopsbook.reproductions.engineering_culture_leadership.profile import post_model

PRICES = "prices-us-east-1-2026-09-20.csv"


@pytest.fixture(scope="module")
def prices():
    return pricing.load(PRICES)


@pytest.fixture(scope="module")
def profile():
    return decision.post_profile()


@pytest.fixture(scope="module")
def post_decision(prices):
    return decision.post_decision(prices=prices)


def test_at_least_one_of_the_two_crossings_exists(profile, prices):
    xs = [curves.break_even_rps(profile.workload(), o, post_model(), prices=prices)
          for o in ("fargate", "sagemaker-serverless")]
    assert any(math.isfinite(x) for x in xs)


def test_the_decision_flips_where_the_cost_curves_cross(profile, prices, post_decision):
    crossings = decision.cost_crossings(profile, prices=prices)
    first = min((x, p) for p, x in crossings.items() if not math.isnan(x))
    assert post_decision.recommendation == "lambda"
    assert post_decision.flip_figures["above_platform"] == first[1]
    assert post_decision.flip_figures["above_mean_rps"] == pytest.approx(first[0], rel=1e-3)
    assert decision.flip_constraint(post_decision, prices=prices) == ""


def test_c7_and_c8_state_the_same_break_even(prices, post_decision):
    v7 = post_costs.verdict_c7(post_model(), "business-hours", prices=prices)
    v8 = decision.verdict_c8()
    assert v7.figures["undercut_by"] == v8.figures["flip_above_platform"]
    assert v7.figures["x_busy_rps"] == pytest.approx(v8.figures["flip_above_busy_rps"], rel=1e-3)
    busy = fmt.rate(v7.figures["x_busy_rps"])
    assert f"below {busy} sustained during business hours" in v7.conditions
    assert f"below {busy} sustained during business hours" in v8.conditions
    table = curves.break_even_table(post_model(), ("business-hours",), prices=prices).set_index("platform")
    assert fmt.rate(table.loc[v7.figures["undercut_by"], "break_even_busy_rps"]) == busy
    for key, plat in (("fargate", "fargate"), ("serverless", "sagemaker-serverless")):
        x = v7.figures[f"x_busy_rps_vs_{key}"]
        assert (math.isnan(x) and math.isnan(table.loc[plat, "break_even_busy_rps"])) or \
            fmt.rate(table.loc[plat, "break_even_busy_rps"]) == fmt.rate(x)
    second = post_costs.second_crossing(v7)
    assert second in v7.conditions.replace("Against", "against")


def test_a_constraint_that_moves_the_flip_is_named(profile, prices, post_decision):
    """If the platform that crosses first were ruled out, the flip would move to the next: the sentence says why."""
    crossings = sorted((x, p) for p, x in decision.cost_crossings(profile, prices=prices).items() if x == x)
    (x1, p1), (x2, p2) = crossings[:2]
    moved = replace(post_decision, ruled_out={p1: "a stated need for warm instances"},
                    flip_figures={"above_mean_rps": x2, "above_platform": p2})
    text = decision.flip_constraint(moved, prices=prices)
    assert PLATFORM_LABELS[p1] in text and "a stated need for warm instances" in text
    assert fmt.rate(profile.workload().rates(x1).busy_hour_rps) in text


@pytest.mark.parametrize("pattern", ["steady", "business-hours", "diurnal", "bursty", "rare"])
def test_busy_hour_average_and_month_are_computed_one_way(pattern):
    w = Workload(pattern, 2.0)
    r = w.rates()
    assert r.mean_rps == 2.0
    assert r.requests_per_month == pytest.approx(2.0 * SECONDS_PER_MONTH)
    assert r.busy_hour_rps == pytest.approx(w.rate_rps(3600).max())
    assert r.mean_rps <= r.busy_hour_rps <= w.peak_rps * (1 + 1e-9)
    assert w.rates(4.0).busy_hour_rps == pytest.approx(2 * r.busy_hour_rps)
    assert Workload.from_requests_per_month(pattern, r.requests_per_month).mean_rps == pytest.approx(2.0)


def test_business_hours_busy_rate_is_the_office_hours_rate():
    w = Workload("business-hours", 1.0)
    assert w.busy_hour_rps == pytest.approx(w.peak_rps)
    assert w.rates().phrase("business-hours").startswith(f"{fmt.rate(w.peak_rps)} sustained during business hours")
