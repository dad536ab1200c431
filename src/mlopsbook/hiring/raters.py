"""Rater noise, anchored rubrics and inter-rater reliability (ICC).

Model (all quantities in units of the spread of true competency between candidates, SD = 1): interviewer ``j``'s
score of candidate ``i`` is ``T_i + B_j + E_ij``, with true competency ``T ~ N(0, 1)``, a rater leniency
``B ~ N(0, leniency_sd^2)`` shared by all the candidates that rater scores, and an idiosyncratic error
``E ~ N(0, error_sd^2)``. This is the two-way random-effects model of Shrout & Fleiss (1979), whose ICC(2,1) (one
rater) and ICC(2,k) (the mean of ``k`` raters) follow:

    ICC(2,1) = var_T / (var_T + var_B + var_E)          ICC(2,k) = var_T / (var_T + (var_B + var_E) / k)

**Assumption (stated, swept):** behavioural anchors reduce the rater variance (leniency and error alike) by a
fraction ``rater_variance_reduction``; no published figure for this loop exists, so the book shows the whole range.
The rating's reliability caps its validity (Spearman's attenuation: observed validity = validity of the true
competency * sqrt(reliability)), which is how rater noise reaches selection accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from mlopsbook.errors import MlopsbookError
from mlopsbook.validation import check_number


@dataclass(frozen=True)
class RaterNoise:
    """Rater variance components, in units of the SD of true competency between candidates."""

    leniency_sd: float
    error_sd: float

    def __post_init__(self) -> None:
        for name in ("leniency_sd", "error_sd"):
            check_number(getattr(self, name), name, low=0)

    def anchored(self, rater_variance_reduction: float) -> "RaterNoise":
        """The noise once anchors remove ``rater_variance_reduction`` (0..1) of both variance components."""
        f = float(check_number(rater_variance_reduction, "rater_variance_reduction", low=0, high=1, high_open=True))
        keep = float(np.sqrt(1.0 - f))
        return RaterNoise(self.leniency_sd * keep, self.error_sd * keep)


def icc_theory(noise: RaterNoise, n_raters: int) -> tuple[float, float]:
    """``(ICC(2,1), ICC(2,k))`` of the model with true-competency variance 1 and ``k = n_raters``."""
    check_number(n_raters, "n_raters", low=1, integer=True)
    rater_var = noise.leniency_sd**2 + noise.error_sd**2
    return float(1.0 / (1.0 + rater_var)), float(1.0 / (1.0 + rater_var / n_raters))


def icc2(ratings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shrout & Fleiss ICC(2,1) and ICC(2,k) of rating matrices ``(..., n_targets, k_raters)`` (vectorised).

    From the two-way ANOVA mean squares: rows (targets) ``MSR``, columns (raters) ``MSC`` and residual ``MSE``,
    ``ICC(2,1) = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)`` and
    ``ICC(2,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n)``.
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim < 2 or x.shape[-1] < 2 or x.shape[-2] < 2:
        raise MlopsbookError(f"ratings: need at least 2 targets x 2 raters in the last two axes (got shape {x.shape})")
    if not np.isfinite(x).all():
        raise MlopsbookError("ratings: contains NaN or infinite values (every rater must score every target)")
    n, k = x.shape[-2], x.shape[-1]
    grand = x.mean(axis=(-2, -1), keepdims=True)
    row = x.mean(axis=-1, keepdims=True)
    col = x.mean(axis=-2, keepdims=True)
    msr = k * ((row - grand) ** 2).sum(axis=(-2, -1)) / (n - 1)
    msc = n * ((col - grand) ** 2).sum(axis=(-2, -1)) / (k - 1)
    mse = ((x - row - col + grand) ** 2).sum(axis=(-2, -1)) / ((n - 1) * (k - 1))
    icc21 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    icc2k = (msr - mse) / (msr + (msc - mse) / n)
    return icc21, icc2k


def _check_sizes(**sizes: int) -> None:
    """Whole counts: at least two candidates, one of everything else."""
    for name, v in sizes.items():
        check_number(v, name, low=2 if name == "n_candidates" else 1, integer=True)


def simulate_ratings(
    noise: RaterNoise, n_candidates: int, n_raters: int, n_panels: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated ``(true, ratings)``: true competency ``(n_panels, n_candidates)`` and continuous ratings
    ``(n_panels, n_candidates, n_raters)``; each panel of ``n_raters`` scores all its candidates."""
    _check_sizes(n_candidates=n_candidates, n_raters=n_raters, n_panels=n_panels)
    rng = np.random.default_rng(seed)
    true = rng.standard_normal((n_panels, n_candidates))
    lenient = noise.leniency_sd * rng.standard_normal((n_panels, 1, n_raters))
    err = noise.error_sd * rng.standard_normal((n_panels, n_candidates, n_raters))
    return true, true[..., None] + lenient + err


def simulate_loop_scores(
    noise: RaterNoise, n_candidates: int, n_raters: int, n_pools: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated ``(true, score)`` for hiring: each candidate meets ``n_raters`` interviewers drawn from a large pool
    (so leniency differs between candidates, as in a real loop) and ``score`` is the mean of their ratings.

    Shapes ``(n_pools, n_candidates)``; the reliability of ``score`` is ICC(2,k) of :func:`icc_theory`.
    """
    _check_sizes(n_candidates=n_candidates, n_raters=n_raters, n_pools=n_pools)
    rng = np.random.default_rng(seed)
    true = rng.standard_normal((n_pools, n_candidates))
    rater_sd = np.hypot(noise.leniency_sd, noise.error_sd)
    noise_of_mean = rater_sd * rng.standard_normal((n_pools, n_candidates, n_raters)).mean(axis=-1)
    return true, true + noise_of_mean


def selection_accuracy(true: np.ndarray, score: np.ndarray, n_hires: int) -> tuple[float, float]:
    """How well ``score`` picks the truly strongest, over pools (last axis = candidates): ``(mean true competency of
    the hires in z, share of the hires who are truly among the top n_hires)``."""
    true, score = np.asarray(true), np.asarray(score)
    if true.shape != score.shape:
        raise MlopsbookError(f"score: shape {score.shape} differs from true's {true.shape}")
    n = true.shape[-1]
    check_number(n_hires, "n_hires", low=1, high=n, high_open=True, integer=True)
    picked = np.argpartition(-score, n_hires - 1, axis=-1)[..., :n_hires]
    best = np.argpartition(-true, n_hires - 1, axis=-1)[..., :n_hires]
    mean_true = np.take_along_axis(true, picked, axis=-1).mean()
    hit = (picked[..., :, None] == best[..., None, :]).any(axis=-1).mean()
    return float(mean_true), float(hit)


def attenuated_validity(true_score_validity: float, reliability: float) -> float:
    """Observed validity of a rating whose true score has ``true_score_validity`` and whose reliability is
    ``reliability`` (Spearman's attenuation: ``validity * sqrt(reliability)``)."""
    check_number(true_score_validity, "true_score_validity", low=0, high=1)
    check_number(reliability, "reliability", low=0, high=1)
    return float(true_score_validity * np.sqrt(reliability))


def anchoring_sweep(
    unanchored: RaterNoise,
    reductions: Sequence[float],
    n_raters: int,
    n_candidates: int,
    n_hires: int,
    n_pools: int,
    seed: int,
) -> pd.DataFrame:
    """For each share of rater variance removed by anchors: ICC(2,1) and ICC(2,k) (closed form and estimated from
    simulated crossed panels), the share of validity kept relative to noiseless ratings (``sqrt(ICC(2,k))``), and
    the simulated selection accuracy of the loop scores (mean true competency of hires, share truly in the top)."""
    rows = []
    for f in reductions:
        noise = unanchored.anchored(f)
        t1, tk = icc_theory(noise, n_raters)
        _, panel = simulate_ratings(noise, n_candidates, n_raters, n_pools, seed)
        e1, ek = icc2(panel)
        true, score = simulate_loop_scores(noise, n_candidates, n_raters, n_pools, seed + 1)
        mean_true, hit = selection_accuracy(true, score, n_hires)
        rows.append({
            "variance_removed": float(f),
            "icc21": t1,
            "icc21_simulated": float(np.mean(e1)),
            "icc2k": tk,
            "icc2k_simulated": float(np.mean(ek)),
            "validity_kept": float(np.sqrt(tk)),
            "hires_true_z_simulated": mean_true,
            "hires_in_true_top_simulated": hit,
        })
    return pd.DataFrame(rows)
