"""Traffic patterns: monthly totals, shapes, determinism and input validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.costs.traffic import HOURS_PER_MONTH, PATTERNS, SECONDS_PER_MONTH, TrafficPattern, Workload


@pytest.mark.parametrize("pattern", PATTERNS)
def test_monthly_mean_is_exact_at_every_step(pattern: str) -> None:
    w = Workload(pattern, mean_rps=3.5)
    for step_s in (1, 60, 3600):
        assert w.rate_rps(step_s).mean() == pytest.approx(3.5, rel=1e-9)
    assert w.requests_per_month == pytest.approx(3.5 * 2_628_000)
    assert w.expected_requests(3600).sum() == pytest.approx(w.requests_per_month, rel=1e-9)


def test_business_hours_are_weekdays_nine_to_eighteen() -> None:
    w = Workload("business-hours", mean_rps=1.0)
    r = w.rate_rps(3600, "week")
    assert len(r) == 168
    active = np.flatnonzero(r > 0)
    # Monday 09:00-17:59 is hours 9..17, Friday is day 4; nothing on Saturday (day 5) or Sunday
    assert active[0] == 9 and active[8] == 17 and 18 not in active
    assert set(active // 24) == {0, 1, 2, 3, 4}
    assert len(active) == 45
    # inside business hours the rate is flat and equals the peak
    assert np.allclose(r[active], w.peak_rps)


def test_steady_is_flat_and_always_active() -> None:
    w = Workload("steady", mean_rps=2.0)
    assert np.all(w.rate_rps(60) == pytest.approx(2.0))
    assert w.peak_rps == pytest.approx(2.0)
    assert w.active_hour_fraction == 1.0
    level, hours = w.load_profile()
    assert list(level) == [1.0] and list(hours) == [730.0]


def test_diurnal_peaks_at_14h_with_requested_peak() -> None:
    w = Workload("diurnal", mean_rps=10.0, peak_rps=15.0)
    r = w.rate_rps(3600, "day")
    assert int(np.argmax(r)) in (13, 14)
    assert int(np.argmin(r)) in (1, 2)
    assert w.rate_rps(60).max() == pytest.approx(15.0, rel=1e-4)
    assert w.active_hour_fraction == 1.0


def test_bursty_spikes_reach_peak_and_are_seeded() -> None:
    a = Workload("bursty", mean_rps=1.0, peak_rps=20.0, burst_fraction=0.01, seed=7)
    b = Workload("bursty", mean_rps=1.0, peak_rps=20.0, burst_fraction=0.01, seed=7)
    c = Workload("bursty", mean_rps=1.0, peak_rps=20.0, burst_fraction=0.01, seed=8)
    ra, rb, rc = a.rate_rps(60), b.rate_rps(60), c.rate_rps(60)
    assert np.array_equal(ra, rb)
    assert not np.array_equal(ra, rc)
    assert ra.max() == pytest.approx(20.0)
    assert np.isclose(ra, ra.max()).mean() == pytest.approx(0.01, rel=0.05)
    f = np.isclose(ra, ra.max()).mean()  # the share actually in spikes (whole spikes)
    assert ra.min() == pytest.approx((1.0 - 20.0 * f) / (1 - f), rel=1e-9)


def test_rare_is_mostly_idle() -> None:
    w = Workload("rare", mean_rps=0.01, active_fraction=0.05, seed=1)
    assert w.active_hour_fraction == pytest.approx(round(0.05 * 730) / 730)
    assert w.hours_active_per_month == pytest.approx(36.0)
    assert w.peak_rps == pytest.approx(0.01 * 730 / 36)


def test_zero_traffic_is_all_zero() -> None:
    for p in PATTERNS:
        w = Workload(p, mean_rps=0.0)
        assert w.rate_rps(3600).sum() == 0 and w.active_hour_fraction == 0.0 and w.peak_rps == 0.0


def test_scaled_keeps_shape() -> None:
    w = Workload("diurnal", mean_rps=2.0, peak_rps=3.0)
    w2 = w.scaled(4.0)
    assert w2.peak_rps == pytest.approx(6.0)
    assert np.allclose(w2.rate_rps(3600), 2 * w.rate_rps(3600))
    assert Workload("business-hours", 1.0).scaled(3.0).mean_rps == 3.0


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"pattern": "weekly", "mean_rps": 1}, "pattern"),
        ({"pattern": "steady", "mean_rps": -1}, "mean_rps"),
        ({"pattern": "steady", "mean_rps": float("nan")}, "mean_rps"),
        ({"pattern": "steady", "mean_rps": 1, "peak_rps": 5}, "peak_rps"),
        ({"pattern": "diurnal", "mean_rps": 1, "peak_rps": 2.5}, "peak_rps"),
        ({"pattern": "bursty", "mean_rps": 1, "peak_rps": 0.5}, "peak_rps"),
        ({"pattern": "bursty", "mean_rps": 1, "peak_rps": 100, "burst_fraction": 0.02}, "peak_rps"),
        ({"pattern": "bursty", "mean_rps": 1, "burst_fraction": 1.5}, "burst_fraction"),
        ({"pattern": "bursty", "mean_rps": 1, "burst_duration_s": 90}, "burst_duration_s"),
        ({"pattern": "rare", "mean_rps": 1, "active_fraction": 0}, "active_fraction"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict, names: str) -> None:
    with pytest.raises(ValueError, match=f"^{names}:"):
        Workload(**kwargs)


@pytest.mark.parametrize(("step_s", "horizon"), [(0, "month"), (7, "day"), (60, "year"), (1.5, "day")])
def test_bad_grid_names_the_parameter(step_s, horizon) -> None:
    w = Workload("steady", 1.0)
    with pytest.raises(ValueError, match="^(step_s|horizon):"):
        w.rate_rps(step_s, horizon)


def test_pattern_names() -> None:
    assert PATTERNS == ("steady", "business-hours", "diurnal", "bursty", "rare")
    assert Workload(TrafficPattern.RARE, 1.0).pattern is TrafficPattern.RARE
    assert SECONDS_PER_MONTH == HOURS_PER_MONTH * 3600


@settings(max_examples=40, deadline=None)
@given(
    pattern=st.sampled_from(PATTERNS),
    mean_rps=st.floats(min_value=1e-6, max_value=1e6),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_properties_of_every_series(pattern: str, mean_rps: float, seed: int) -> None:
    w = Workload(pattern, mean_rps=mean_rps, seed=seed)
    r = w.rate_rps(300)
    assert np.all(r >= 0)
    assert r.mean() == pytest.approx(mean_rps, rel=1e-9)
    assert r.max() <= w.peak_rps * (1 + 1e-9)
    level, hours = w.load_profile()
    assert hours.sum() == 730
    assert np.dot(level, hours) >= 730 * (1 - 1e-9)  # hourly peaks are at least the mean
    assert 0 < w.active_hour_fraction <= 1


def test_arrivals_follow_the_rate() -> None:
    w = Workload("business-hours", mean_rps=0.5)
    t = w.arrival_times_s(seed=1, horizon="week")
    assert np.all(np.diff(t) >= 0) and t.min() >= 0 and t.max() < 168 * 3600
    expected = w.expected_requests(3600, "week").sum()
    assert abs(len(t) - expected) < 5 * np.sqrt(expected)
    hours = (t // 3600).astype(int)
    assert set(hours % 24) <= set(range(9, 18)) and set(hours // 24) <= {0, 1, 2, 3, 4}
    assert np.array_equal(t, w.arrival_times_s(seed=1, horizon="week"))
