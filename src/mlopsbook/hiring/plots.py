"""Figures of the hiring evidence (Matplotlib, via :func:`mlopsbook.figures.new`). Each returns the figure;
the notebook displays it and closes it. Simulated figures say so in their title."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from mlopsbook import figures


def validity_bars(comparison: pd.DataFrame):
    """Published operational validity per method, 1998 against 2022 (methods without a figure are labelled)."""
    df = comparison.iloc[::-1]
    fig, ax = figures.new(figsize=(7.5, 4.6))
    y = np.arange(len(df))
    ax.barh(y + 0.2, df["Schmidt & Hunter 1998"].fillna(0), height=0.4, color="#bbbbbb", label="Schmidt & Hunter 1998")
    ax.barh(y - 0.2, df["Sackett et al. 2022"].fillna(0), height=0.4, color="#1f77b4", label="Sackett et al. 2022")
    for yi, (a, b) in enumerate(zip(df["Schmidt & Hunter 1998"], df["Sackett et al. 2022"])):
        if np.isnan(a) and np.isnan(b):
            ax.text(0.01, yi, "no published validity", va="center", fontsize=9, color="#b22222")
        elif np.isnan(b):
            ax.text(a + 0.01, yi - 0.2, "not re-estimated", va="center", fontsize=8, color="#555555")
    ax.set_yticks(y, df["method"])
    ax.set_xlabel("operational validity for job performance (correlation)")
    ax.set_xlim(0, 0.65)
    ax.set_title("Published validity of selection methods (meta-analyses, 1998 and 2022)")
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    return fig


def hires_vs_puzzle_validity(sweep: pd.DataFrame, reference_z: Mapping[str, float], analogue: tuple[str, float],
                             n_candidates: int, n_hires: int):
    """Expected performance of hires selected by a puzzle screen over a range of assumed validities (simulated
    points, closed-form line), against the framework's loop and its parts (horizontal lines)."""
    fig, ax = figures.new()
    ax.plot(sweep["validity"], sweep["closed_form_z"], color="#444444", lw=1, label="puzzle screen, closed form")
    ax.errorbar(sweep["validity"], sweep["simulated_z"], yerr=2 * sweep["simulated_se"], fmt="o", ms=4,
                color="#d62728", label="puzzle screen, simulated (±2 SE)")
    styles = ["-", "--", ":", "-."]
    for (label, z), ls in zip(reference_z.items(), styles * 3):
        ax.axhline(z, ls=ls, color="#1f77b4", lw=1.2, label=label)
    name, v = analogue
    ax.axvline(v, color="#999999", lw=0.8)
    ax.text(v, ax.get_ylim()[0] + 0.02, f" {name} ({v:.2f})", fontsize=8, color="#555555", rotation=90, va="bottom")
    ax.set_xlabel("assumed validity of a puzzle screen (no published value)")
    ax.set_ylabel("mean performance of hires (SD above applicant mean)")
    ax.set_title(f"Simulated: hiring {n_hires} of {n_candidates} candidates")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def anchoring(sweep: pd.DataFrame, n_raters: int):
    """ICC(2,1) and ICC(2,k) against the share of rater variance anchors remove (closed form and simulated), and
    the share of hires who are truly among the best (simulated)."""
    fig, (a, b) = figures.new(1, 2, figsize=(8.5, 3.8))
    x = 100 * sweep["variance_removed"]
    a.plot(x, sweep["icc21"], color="#1f77b4", label="ICC(2,1), one interviewer")
    a.plot(x, sweep["icc21_simulated"], "o", color="#1f77b4", ms=4)
    a.plot(x, sweep["icc2k"], color="#2ca02c", label=f"ICC(2,{n_raters}), mean of {n_raters}")
    a.plot(x, sweep["icc2k_simulated"], "o", color="#2ca02c", ms=4)
    a.set_xlabel("rater variance removed by anchors (%, assumed)")
    a.set_ylabel("inter-rater reliability (ICC)")
    a.set_ylim(0, 1)
    a.set_title("Simulated: reliability (dots; lines: closed form)", fontsize=10)
    a.legend(fontsize=8)
    b.plot(x, 100 * sweep["hires_in_true_top_simulated"], "o-", color="#d62728")
    b.set_xlabel("rater variance removed by anchors (%, assumed)")
    b.set_ylabel("hires truly among the best (%)")
    b.set_title("Simulated: selection accuracy", fontsize=10)
    fig.tight_layout()
    return fig
