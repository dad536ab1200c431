"""The selection model and the rater model: closed forms against simulation, invariants, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.hiring import raters, selection


def test_top_k_mean_matches_known_order_statistics():
    # E[max of 2 standard normals] = 1/sqrt(pi); E[top 1 of 3] = 3/(2 sqrt(pi))
    assert selection.top_k_mean_z(2, 1) == pytest.approx(1 / math.sqrt(math.pi), abs=1e-9)
    assert selection.top_k_mean_z(3, 1) == pytest.approx(1.5 / math.sqrt(math.pi), abs=1e-9)
    # the top n-1 of n average to -E[min]/(n-1) = E[max]/(n-1)
    assert selection.top_k_mean_z(3, 2) == pytest.approx(0.5 * 1.5 / math.sqrt(math.pi), abs=1e-9)


def test_finite_pool_converges_to_naylor_shine():
    # Brogden-Cronbach-Gleser / Naylor-Shine: infinite-pool value; a large finite pool is close to it, and below it
    ns = selection.naylor_shine_z(0.5, 0.1)
    finite = selection.expected_hire_performance_z(0.5, 5000, 500)
    assert finite == pytest.approx(ns, rel=2e-3)
    assert selection.expected_hire_performance_z(0.5, 100, 10) < ns


@pytest.mark.parametrize("v", [0.0, 0.19, 0.42, 0.9])
def test_simulation_matches_closed_form(v):
    sim = selection.simulate_hires(v, 100, 10, 20_000, seed=7)
    expected = selection.expected_hire_performance_z(v, 100, 10)
    se = sim.std(ddof=1) / math.sqrt(sim.size)
    assert abs(sim.mean() - expected) < 4 * se + 1e-12


@pytest.mark.parametrize("c", [0.0, 0.3, 0.6])
def test_composite_simulation_matches_closed_form(c):
    r = [0.40, 0.33, 0.42, 0.42]
    sim = selection.simulate_hires(r, 100, 10, 20_000, seed=3, shared_error_corr=c)
    expected = selection.composite_validity(r, c) * selection.top_k_mean_z(100, 10)
    se = sim.std(ddof=1) / math.sqrt(sim.size)
    assert abs(sim.mean() - expected) < 4 * se


def test_composite_of_one_stage_is_its_validity_and_full_shared_error_of_equal_stages_adds_nothing():
    assert selection.composite_validity([0.42]) == pytest.approx(0.42)
    assert selection.composite_validity([0.3, 0.3, 0.3], 1.0) == pytest.approx(0.3)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.01, 0.9), min_size=1, max_size=5), st.floats(0, 1))
def test_composite_is_a_correlation_and_at_least_the_mean_validity(r, c):
    v = selection.composite_validity(r, c)
    assert 0 < v <= 1 + 1e-12
    assert v >= np.mean(r) - 1e-9  # unit-weighted composite never falls below its average stage


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1), st.integers(3, 400), st.floats(0.01, 0.99))
def test_expected_performance_is_monotone_in_validity(a, b, n, sr):
    k = max(1, min(n - 1, round(n * sr)))
    lo, hi = sorted((a, b))
    assert selection.expected_hire_performance_z(lo, n, k) <= selection.expected_hire_performance_z(hi, n, k) + 1e-12


def test_same_seed_same_pools():
    a = selection.simulate_hires(0.3, 50, 5, 100, seed=1)
    b = selection.simulate_hires(0.3, 50, 5, 100, seed=1)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("kwargs, field", [
    (dict(validities=1.2, n_candidates=10, n_hires=1, n_pools=1, seed=0), "validities[0]"),
    (dict(validities=0.3, n_candidates=10, n_hires=10, n_pools=1, seed=0), "n_hires"),
    (dict(validities=0.3, n_candidates=1, n_hires=1, n_pools=1, seed=0), "n_candidates"),
    (dict(validities=0.3, n_candidates=10, n_hires=1, n_pools=0, seed=0), "n_pools"),
    (dict(validities=0.3, n_candidates=10, n_hires=1, n_pools=1, seed=0, shared_error_corr=-0.1), "shared_error_corr"),
])
def test_bad_input_names_the_parameter(kwargs, field):
    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]")):
        selection.simulate_hires(**kwargs)


def test_naylor_shine_rejects_bad_selection_ratio():
    with pytest.raises(ValueError, match="selection_ratio"):
        selection.naylor_shine_z(0.3, 1.0)


# -- raters --------------------------------------------------------------------------------------------------------

def test_icc_matches_shrout_fleiss_published_example():
    # Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges; ICC(2,1) = .29, ICC(2,4) = .62
    x = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])
    icc21, icc2k = raters.icc2(x)
    assert round(float(icc21), 2) == 0.29
    assert round(float(icc2k), 2) == 0.62


def test_icc_estimate_recovers_known_variances():
    noise = raters.RaterNoise(leniency_sd=0.5, error_sd=1.0)  # ICC(2,1) = 1 / 2.25, ICC(2,3) = 1 / (1 + 1.25 / 3)
    true, ratings = raters.simulate_ratings(noise, 60, 3, 3000, seed=11)
    icc21, icc2k = raters.icc2(ratings)
    t1, tk = raters.icc_theory(noise, 3)
    assert t1 == pytest.approx(1 / 2.25) and tk == pytest.approx(1 / (1 + 1.25 / 3))
    assert float(np.mean(icc21)) == pytest.approx(t1, abs=0.01)
    assert float(np.mean(icc2k)) == pytest.approx(tk, abs=0.01)


def test_perfect_agreement_gives_icc_one_and_anchors_raise_icc():
    x = np.tile(np.arange(5.0)[:, None], (1, 3))
    assert np.allclose(raters.icc2(x), 1.0)
    u = raters.RaterNoise(0.5, 1.0)
    assert raters.icc_theory(u.anchored(0.5), 2)[0] > raters.icc_theory(u, 2)[0]


def test_less_rater_noise_selects_better():
    u = raters.RaterNoise(0.5, 1.0)
    acc = [raters.selection_accuracy(*raters.simulate_loop_scores(u.anchored(f), 100, 2, 3000, seed=5), 10)
           for f in (0.0, 0.5, 0.9)]
    means, hits = zip(*acc)
    assert means[0] < means[1] < means[2]
    assert hits[0] < hits[1] < hits[2]


def test_attenuation():
    assert raters.attenuated_validity(0.5, 0.64) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="reliability"):
        raters.attenuated_validity(0.5, 1.5)


def test_rater_bad_input():
    with pytest.raises(ValueError, match="error_sd"):
        raters.RaterNoise(0.5, -1)
    with pytest.raises(ValueError, match="rater_variance_reduction"):
        raters.RaterNoise(0.5, 1).anchored(1.0)
    with pytest.raises(ValueError, match="ratings"):
        raters.icc2(np.ones((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        raters.icc2(np.array([[1, np.nan], [2, 3]]))
