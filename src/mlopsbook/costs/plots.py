"""Figures of the cost model: monthly cost against traffic (log-log) and the cheapest platform over (traffic, latency).

Every figure states its units and the price table's date. Call from a notebook after ``figures.setup()``; each function
returns the Matplotlib figure (the caller shows or glues it, then closes it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from mlopsbook import figures, formatting as fmt
from mlopsbook.costs import pricing
from mlopsbook.costs.curves import cheapest_map, cost_curves, lambda_cheapest_below
from mlopsbook.costs.model import PLATFORM_LABELS, PLATFORMS, ModelProfile
from mlopsbook.costs.traffic import PATTERNS, Workload

COLOURS = {
    "lambda": "#ff7f0e",
    "sagemaker": "#1f77b4",
    "sagemaker-serverless": "#9467bd",
    "fargate": "#2ca02c",
    "eks": "#8c564b",
    "triton": "#d62728",
}
RPS_GRID = np.geomspace(1e-3, 1e3, 400)
"""Mean request rates of the curves (req/s)."""


def _model_line(model: ModelProfile) -> str:
    kind = "assumed" if "ASSUMPTION" in model.source else "measured"
    return f"model: {model.cpu_ms:g} ms/request on 1 vCPU ({kind}); Lambda {model.lambda_memory_mb} MB"


def plot_curves(ax: Any, pattern: str, model: ModelProfile, *, prices: pricing.PriceTable | None = None,
                mean_rps: np.ndarray = RPS_GRID) -> float:
    """Draw every platform's monthly cost against the mean request rate for ``pattern`` on ``ax`` (log-log).

    Marks where Lambda stops being the cheapest (a dotted line) and returns that rate (``nan`` if it never does).
    """
    t = prices if prices is not None else pricing.load()
    curves = cost_curves(Workload(pattern, 1.0), mean_rps, model, prices=t)
    for p in PLATFORMS:
        y = np.where(np.isfinite(curves[p]) & (curves[p] > 0), curves[p], np.nan)
        ax.plot(mean_rps, y, label=PLATFORM_LABELS[p], color=COLOURS[p], lw=2.2 if p == "lambda" else 1.4)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(0.1, 3e4)  # below $0.10 a month: inside Lambda's free tier
    x, other = lambda_cheapest_below(pattern, model, prices=t)
    if np.isfinite(x):
        ax.axvline(x, color="0.3", ls=":", lw=1)
        r = Workload(pattern, 1.0).rates(x)
        label = (fmt.rate(x) if pattern == "steady" else
                 f"{fmt.rate(r.busy_hour_rps)} busiest hour ({fmt.rate(x, '')} mean)")
        ax.annotate(label, (x, 0.03), xycoords=("data", "axes fraction"), fontsize=8, ha="right",
                    rotation=90, va="bottom")
    ax.set_title(pattern)
    ax.set_xlabel("mean request rate (req/s)")
    ax.set_ylabel("monthly cost (USD)")
    return float(x)


def figure_curves(model: ModelProfile, *, prices: pricing.PriceTable | None = None, subject: str = "the model") -> Any:
    """One panel per traffic pattern, all platforms; the last panel holds the legend and the price date. ``subject``
    names the model in the title (a post names its own)."""
    t = prices if prices is not None else pricing.load()
    fig, axes = figures.new(2, 3, figsize=(12, 7.5), sharey=True)
    flat = axes.ravel()
    for ax, pat in zip(flat, PATTERNS):
        plot_curves(ax, pat, model, prices=t)
    handles, labels = flat[0].get_legend_handles_labels()
    flat[-1].axis("off")
    flat[-1].legend(handles, labels, loc="upper left", frameon=False)
    flat[-1].text(0.0, 0.25, f"us-east-1 prices of {t.date}\n({t.name})\n{_model_line(model)}\n"
                  "dotted: where Lambda stops being cheapest", transform=flat[-1].transAxes, fontsize=9, va="top")
    fig.suptitle(f"Monthly cost of serving {subject}, by platform and traffic pattern")
    fig.tight_layout()
    return fig


def figure_pattern(pattern: str, model: ModelProfile, *, prices: pricing.PriceTable | None = None) -> Any:
    """One panel of :func:`figure_curves`: every platform's monthly cost against traffic for ``pattern`` traffic,
    with the legend and the price date (the figure a post shows; the companion page shows every pattern)."""
    t = prices if prices is not None else pricing.load()
    fig, ax = figures.new(figsize=(7.5, 4.2))
    plot_curves(ax, pattern, model, prices=t)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.set_title(f"{pattern} traffic, us-east-1 prices of {t.date}\n{_model_line(model)}", fontsize=9)
    fig.tight_layout()
    return fig


def figure_cheapest_map(pattern: str, model: ModelProfile, *,
                        prices: pricing.PriceTable | None = None, mean_rps: np.ndarray | None = None,
                        cpu_ms: np.ndarray | None = None, subject: str = "the model") -> Any:
    """Which platform is cheapest over (mean request rate, CPU time per request), for ``pattern`` traffic; a dashed
    line marks ``model``'s CPU time, labelled ``subject`` and whether its figures are assumed or measured."""
    t = prices if prices is not None else pricing.load()
    rps = np.geomspace(1e-2, 1e3, 121) if mean_rps is None else mean_rps
    ms = np.geomspace(2, 2000, 61) if cpu_ms is None else cpu_ms
    idx = cheapest_map(pattern, rps, ms, model, prices=t)
    cmap = ListedColormap([COLOURS[p] for p in PLATFORMS])
    norm = BoundaryNorm(np.arange(len(PLATFORMS) + 1) - 0.5, cmap.N)
    fig, ax = figures.new(figsize=(8, 4.8))
    ax.pcolormesh(rps, ms, idx, cmap=cmap, norm=norm, shading="nearest")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axhline(model.cpu_ms, color="k", ls="--", lw=1)
    ax.annotate(f"{subject} ({'assumed' if 'ASSUMPTION' in model.source else 'measured'})",
                (rps[0], model.cpu_ms), xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.set_xlabel("mean request rate (req/s)")
    ax.set_ylabel("CPU time per request on 1 vCPU (ms)")
    ax.grid(False)
    present = [PLATFORMS[i] for i in sorted(set(idx.ravel().tolist()))]
    ax.legend(handles=[Patch(color=COLOURS[p], label=PLATFORM_LABELS[p]) for p in present], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, title="cheapest")
    ax.set_title(f"Cheapest platform, {pattern} traffic (us-east-1 prices of {t.date})")
    fig.tight_layout()
    return fig


def figure_patterns(mean_rps: float = 1.0, step_s: int = 300) -> Any:
    """The first week of each traffic pattern at the same monthly mean (req/s against days from Monday 00:00)."""
    fig, axes = figures.new(len(PATTERNS), 1, figsize=(9, 7), sharex=True)
    for ax, pat in zip(axes, PATTERNS):
        w = Workload(pat, mean_rps)
        ax.plot(w.time_s(step_s, "week") / 86400, w.rate_rps(step_s, "week"), color="0.2", lw=1)
        ax.set_ylabel("req/s")
        ax.set_title(f"{pat}: peak {w.peak_rps / mean_rps:.1f}x the mean, active {100 * w.active_hour_fraction:.0f}% of hours",
                     fontsize=9, loc="left")
    axes[-1].set_xlabel(f"days from Monday 00:00 (first week of the month; {step_s // 60}-minute averages)")
    fig.suptitle(f"Traffic patterns at the same monthly mean ({mean_rps:g} req/s)")
    fig.tight_layout()
    return fig
