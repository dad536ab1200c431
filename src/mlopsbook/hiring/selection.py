"""The standard selection model: who gets hired when candidates are ranked by a predictor of given validity.

Each candidate has a true job performance ``Y`` and a predictor score ``X`` (an interview rating, a work-sample
score, a puzzle-screen score), standard bivariate normal with correlation equal to the predictor's operational
validity. The top ``n_hires`` of ``n_candidates`` by ``X`` are hired. The figure of merit is the **expected
performance of the hires, in standard deviations of the applicant pool's performance** (z units): 0 is what random
hiring gives, 1 would be a hire one SD above the average applicant.

Closed forms (tested against the simulation): for an infinite pool the mean of the hires is
``validity * phi(z_c) / SR`` with ``z_c = Phi^-1(1 - SR)`` (Brogden-Cronbach-Gleser; Naylor & Shine 1965), and for a
finite pool it is ``validity`` times the expected mean of the top ``k`` of ``n`` standard normals,
:func:`expected_hire_performance_z`.

A loop of several stages is scored by the unit-weighted sum of standardised stage scores; stage ``i`` measures
performance with validity ``r_i`` plus an error, and stages' errors share a correlation ``shared_error_corr`` (the
same candidate, the same day, overlapping content: an **assumption**, swept, since no published figure exists for
this loop). :func:`composite_validity` is its closed form, :func:`simulate_hires` its simulation.

All randomness is ``numpy.random.default_rng(seed)``; everything is vectorised over pools.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import integrate, stats

from mlopsbook.errors import MlopsbookError
from mlopsbook.validation import check_number

_CHUNK_ELEMENTS = 4_000_000  # random draws per block, to bound memory for large sweeps


def _check_validity(v: float, name: str = "validity") -> float:
    return float(check_number(v, name, low=0, high=1, note="(a correlation)"))


def _check_pool(n_candidates: int, n_hires: int) -> None:
    check_number(n_candidates, "n_candidates", low=2, integer=True)
    check_number(n_hires, "n_hires", low=1, high=n_candidates, high_open=True, integer=True, note="(below n_candidates)")


def naylor_shine_z(validity: float, selection_ratio: float) -> float:
    """Mean performance (z) of hires from an infinite pool selected top-down at ``selection_ratio`` (0 < SR < 1)."""
    v = _check_validity(validity)
    check_number(selection_ratio, "selection_ratio", low=0, high=1, low_open=True, high_open=True)
    zc = stats.norm.ppf(1.0 - selection_ratio)
    return float(v * stats.norm.pdf(zc) / selection_ratio)


def top_k_mean_z(n_candidates: int, n_hires: int) -> float:
    """Expected mean of the ``n_hires`` largest of ``n_candidates`` independent standard normals (exact, by quadrature).

    A draw ``x`` is among the top ``k`` when at most ``k - 1`` of the other ``n - 1`` exceed it, so
    ``E[sum of top k] = n * integral of x phi(x) P(Binomial(n - 1, 1 - Phi(x)) <= k - 1) dx``.
    """
    _check_pool(n_candidates, n_hires)
    n, k = int(n_candidates), int(n_hires)

    def f(x: float) -> float:
        return x * stats.norm.pdf(x) * stats.binom.cdf(k - 1, n - 1, stats.norm.sf(x))

    total, _ = integrate.quad(f, -12.0, 12.0, limit=200, epsabs=1e-12)
    return float(n * total / k)


def expected_hire_performance_z(validity: float, n_candidates: int, n_hires: int) -> float:
    """Expected mean performance (z) of the top ``n_hires`` of ``n_candidates`` ranked by a predictor of ``validity``.

    ``E[Y | selected] = validity * E[X | selected]`` in the bivariate normal model.
    """
    return _check_validity(validity) * top_k_mean_z(n_candidates, n_hires)


def composite_validity(validities: Sequence[float], shared_error_corr: float = 0.0) -> float:
    """Validity of the unit-weighted sum of standardised stage scores (closed form).

    Stage ``i``: ``X_i = r_i Y + sqrt(1 - r_i^2) E_i`` with ``corr(E_i, E_j) = shared_error_corr`` for ``i != j``.
    Then ``corr(X_i, X_j) = r_i r_j + c s_i s_j`` and the composite's validity is ``sum(r) / sqrt(sum(R))``.
    """
    r = np.array([_check_validity(v, f"validities[{i}]") for i, v in enumerate(validities)], dtype=float)
    if r.size == 0:
        raise MlopsbookError("validities: at least one stage is needed")
    c = _check_validity(shared_error_corr, "shared_error_corr")
    s = np.sqrt(1.0 - r**2)
    R = np.outer(r, r) + c * np.outer(s, s)
    np.fill_diagonal(R, 1.0)
    return float(r.sum() / np.sqrt(R.sum()))


def simulate_hires(
    validities: Sequence[float] | float,
    n_candidates: int,
    n_hires: int,
    n_pools: int,
    seed: int,
    shared_error_corr: float = 0.0,
) -> np.ndarray:
    """Simulated mean performance (z) of the hires of each of ``n_pools`` independent candidate pools.

    ``validities`` is one validity (a single predictor) or one per stage (a unit-weighted composite, see the module
    docstring). Returns an array of shape ``(n_pools,)``; its mean estimates :func:`expected_hire_performance_z`
    (with :func:`composite_validity` for several stages). Same ``seed`` -> same pools, so curves over validity use
    common random numbers.
    """
    r = np.atleast_1d(np.asarray(validities, dtype=float))
    for i, v in enumerate(r):
        _check_validity(v, f"validities[{i}]")
    _check_pool(n_candidates, n_hires)
    check_number(n_pools, "n_pools", low=1, integer=True)
    c = _check_validity(shared_error_corr, "shared_error_corr")
    rng = np.random.default_rng(seed)
    n, k, m = int(n_candidates), int(n_hires), r.size
    per_block = max(1, _CHUNK_ELEMENTS // (n * (m + 2)))
    out = np.empty(int(n_pools))
    s = np.sqrt(1.0 - r**2)
    for start in range(0, int(n_pools), per_block):
        b = min(per_block, int(n_pools) - start)
        y = rng.standard_normal((b, n))
        shared = rng.standard_normal((b, n, 1))
        own = rng.standard_normal((b, n, m))
        err = np.sqrt(c) * shared + np.sqrt(1.0 - c) * own
        x = (r * y[..., None] + s * err).sum(axis=-1)
        top = np.argpartition(-x, k - 1, axis=1)[:, :k]
        out[start:start + b] = np.take_along_axis(y, top, axis=1).mean(axis=1)
    return out


def breakeven_validity(loop_validity: float) -> float:
    """The validity a single-predictor screen needs to hire as well as a loop of ``loop_validity``.

    In this model the hires' expected performance is proportional to validity at any pool size and selection ratio,
    so the break-even is the loop's validity itself (kept as a function so the reasoning has a name and a test).
    """
    return _check_validity(loop_validity, "loop_validity")


def validity_sweep(
    validities: Sequence[float], n_candidates: int, n_hires: int, n_pools: int, seed: int
) -> pd.DataFrame:
    """Simulated and closed-form expected performance (z) of hires for each validity (common random numbers).

    Columns: ``validity``, ``simulated_z`` (mean over pools), ``simulated_se`` (its standard error),
    ``closed_form_z`` (:func:`expected_hire_performance_z`), ``naylor_shine_z`` (infinite pool, same ratio).
    """
    topk = top_k_mean_z(n_candidates, n_hires)
    sr = n_hires / n_candidates
    rows = []
    for v in validities:
        sim = simulate_hires(v, n_candidates, n_hires, n_pools, seed)
        rows.append({
            "validity": float(v),
            "simulated_z": float(sim.mean()),
            "simulated_se": float(sim.std(ddof=1) / np.sqrt(sim.size)),
            "closed_form_z": float(v) * topk,
            "naylor_shine_z": naylor_shine_z(float(v), sr),
        })
    return pd.DataFrame(rows)


def composite_sweep(
    validities: Sequence[float], shared_error_corrs: Sequence[float], n_candidates: int, n_hires: int,
    n_pools: int, seed: int,
) -> pd.DataFrame:
    """For each assumed stage-error correlation: the loop composite's validity (closed form) and the expected
    performance of its hires, closed form against simulation (columns ``shared_error_corr``, ``composite_validity``,
    ``closed_form_z``, ``simulated_z``, ``simulated_se``)."""
    topk = top_k_mean_z(n_candidates, n_hires)
    rows = []
    for c in shared_error_corrs:
        v = composite_validity(validities, c)
        sim = simulate_hires(validities, n_candidates, n_hires, n_pools, seed, shared_error_corr=c)
        rows.append({
            "shared_error_corr": float(c),
            "composite_validity": v,
            "closed_form_z": v * topk,
            "simulated_z": float(sim.mean()),
            "simulated_se": float(sim.std(ddof=1) / np.sqrt(sim.size)),
        })
    return pd.DataFrame(rows)
