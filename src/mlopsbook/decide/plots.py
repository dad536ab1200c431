"""Figures of the decision engine: each eligible platform's monthly cost against traffic for one profile, with the
profile's rate and the flip point marked. Returns the Matplotlib figure (the caller shows or glues it, then closes it)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mlopsbook import figures
from mlopsbook.costs import pricing
from mlopsbook.costs.plots import COLOURS
from mlopsbook.costs.model import PLATFORM_LABELS, ModelProfile
from mlopsbook.decide.rank import Decision, cost_curves


def plot_decision_curves(ax: Any, decision: Decision, *, prices: pricing.PriceTable | None = None,
                         model: ModelProfile | None = None) -> None:
    """Monthly cost (USD, log) of each platform within the profile's hard limits against the mean rate (req/s, log),
    from 1/1000 to 1000 times the profile's rate; the profile's rate and the cost flip points are marked. ``model``:
    the cost model the decision was made with (:func:`mlopsbook.decide.rank.decide`), default the profile's."""
    t = prices if prices is not None else pricing.load()
    p = decision.profile
    rates = np.geomspace(p.mean_rps / 1e3, p.mean_rps * 1e3, 300)
    for name, y in cost_curves(p, rates, prices=t, model=model).items():
        y = np.where(np.isfinite(y) & (y > 0), y, np.nan)
        ax.plot(rates, y, label=PLATFORM_LABELS[name], color=COLOURS[name], lw=2.2 if name == decision.recommendation else 1.2)
    ax.axvline(p.mean_rps, color="k", lw=1)
    ax.annotate("this profile", (p.mean_rps, 0.97), xycoords=("data", "axes fraction"), fontsize=8, ha="right",
                va="top", rotation=90)
    for side in ("above", "below"):
        x = decision.flip_figures.get(f"{side}_mean_rps")
        if x is not None:
            ax.axvline(float(x), color="0.3", ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(bottom=0.1)  # below $0.10 a month: inside Lambda's free tier (A6)
    ax.set_xlabel("mean request rate (req/s); below $0.10 a month Lambda is inside its free tier")
    ax.set_ylabel("monthly cost (USD, 730 h month)")
    ax.set_title(f"{p.name or 'profile'}: {p.traffic_pattern} traffic (prices {t.date})", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")


def figure_decision_curves(decision: Decision, *, prices: pricing.PriceTable | None = None,
                           model: ModelProfile | None = None) -> Any:
    """A figure with :func:`plot_decision_curves`."""
    fig, ax = figures.new(figsize=(6.4, 3.8))
    plot_decision_curves(ax, decision, prices=prices, model=model)
    fig.tight_layout()
    return fig
