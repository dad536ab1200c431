"""Figures of the autoscaling page (Matplotlib, through :func:`mlopsbook.figures.new` for deterministic output)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlopsbook import figures
from mlopsbook.simulate.results import Result

DATA_DATE = "inputs as of 2026-11"


def _steps(ax: Any, res: Result, column: str, **kw: Any) -> None:
    t = np.append(res.timeline.time_s, res.duration_s)
    v = np.append(getattr(res.timeline, column), getattr(res.timeline, column)[-1])
    ax.step(t / 60, v, where="post", **kw)


def burst_on_kuberay(runs: dict[str, Result], slo_ms: float, burst_s: tuple[float, float]) -> Any:
    """p99 latency over time for each run (label -> result) above, running replicas and ready nodes below."""
    fig, (ax1, ax2) = figures.new(2, 1, figsize=(7.5, 6.0), sharex=True)
    for label, res in runs.items():
        t, p99 = res.latency_over_time(30.0)
        ax1.plot(t / 60, p99 / 1e3, label=label)
    ax1.axhline(slo_ms / 1e3, color="k", ls=":", lw=1, label=f"SLO {slo_ms:g} ms")
    ax1.set_yscale("log")
    ax1.set_ylabel("p99 latency per 30 s (s, log)")
    ax1.legend(fontsize=8)
    ax1.set_title(f"A 10x burst on KubeRay with Ray Serve's default autoscaling ({DATA_DATE})", fontsize=10)
    for label, res in runs.items():
        _steps(ax2, res, "replicas", label=f"replicas running, {label}")
        _steps(ax2, res, "nodes", ls="--", label=f"worker nodes ready, {label}")
    for ax in (ax1, ax2):
        ax.axvspan(burst_s[0] / 60, burst_s[1] / 60, color="tab:red", alpha=0.08)
    ax2.set_xlabel("time (min)")
    ax2.set_ylabel("count")
    ax2.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def startup(samples: pd.DataFrame, sweep: pd.DataFrame, slo_ms: float) -> Any:
    """Left: CPU and GPU node start-up distributions. Right: p99 and SLO violations against node start-up."""
    fig, (ax1, ax2) = figures.new(1, 2, figsize=(9.0, 3.8))
    bins = np.linspace(0, float(samples.to_numpy().max()) * 1.02, 50)
    for col in samples.columns:
        ax1.hist(samples[col], bins=bins, alpha=0.6, label=f"{col.upper()} node")
    ax1.set_xlabel("node start-up (s)")
    ax1.set_ylabel("draws")
    ax1.set_title(f"Node start-up, cloud-facts E2 ({DATA_DATE})", fontsize=9)
    ax1.legend(fontsize=8)
    ax2.plot(sweep["node_startup_s"], sweep["p99_ms"] / 1e3, "o-", label="p99 latency (s)")
    ax2.set_xlabel("node start-up (s)")
    ax2.set_ylabel("p99 latency over the hour (s)")
    ax3 = ax2.twinx()
    ax3.plot(sweep["node_startup_s"], sweep["slo_violations_pct"], "s--", color="tab:red",
             label=f"requests over {slo_ms:g} ms (%)")
    ax3.set_ylabel(f"requests over the {slo_ms:g} ms SLO (%)")
    ax3.spines["right"].set_visible(True)
    ax2.set_title("The burst, as node start-up grows", fontsize=9)
    h1, l1 = ax2.get_legend_handles_labels()
    h2, l2 = ax3.get_legend_handles_labels()
    ax2.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def frontier(table: pd.DataFrame, slo_ms: float, lambda_table: pd.DataFrame | None = None) -> Any:
    """Monthly cost against p99 for each mitigation (and Lambda's provisioned-concurrency levels)."""
    fig, ax = figures.new(figsize=(7.5, 4.5))
    ax.scatter(table["monthly_worker_usd"], table["p99_ms"] / 1e3, color="tab:blue", label="KubeRay mitigations")
    for _, row in table.iterrows():
        ax.annotate(row["mitigation"], (row["monthly_worker_usd"], row["p99_ms"] / 1e3), fontsize=7,
                    xytext=(4, 2), textcoords="offset points")
    if lambda_table is not None:
        ax.scatter(lambda_table["monthly_usd"], lambda_table["p99_ms"] / 1e3, color="tab:orange", marker="^",
                   label="Lambda (provisioned concurrency 0, 4, 10, 20)")
    ax.axhline(slo_ms / 1e3, color="k", ls=":", lw=1, label=f"SLO {slo_ms:g} ms")
    ax.set_yscale("log")
    ax.set_xlabel("monthly cost (USD per 730 h; KubeRay: worker nodes only, c6i.large on demand)")
    ax.set_ylabel("p99 latency over the burst hour (s, log)")
    ax.set_title(f"Cost against p99 for the 10x burst ({DATA_DATE})", fontsize=10)
    ax.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    return fig


def lambda_burst(runs: dict[str, Result], burst_s: tuple[float, float]) -> Any:
    """Lambda: p99 per 30 s and cold starts per minute, with and without provisioned concurrency."""
    fig, (ax1, ax2) = figures.new(2, 1, figsize=(7.5, 5.0), sharex=True)
    for label, res in runs.items():
        t, p99 = res.latency_over_time(30.0)
        ax1.plot(t / 60, p99, label=label)
        cold_t = res.arrival_s[res.cold]
        counts, edges = np.histogram(cold_t, bins=np.arange(0, res.duration_s + 60, 60))
        ax2.step(edges[:-1] / 60, counts, where="post", label=label)
    for ax in (ax1, ax2):
        ax.axvspan(burst_s[0] / 60, burst_s[1] / 60, color="tab:red", alpha=0.08)
    ax1.set_ylabel("p99 latency per 30 s (ms)")
    ax1.set_title(f"The same burst on AWS Lambda ({DATA_DATE})", fontsize=10)
    ax1.legend(fontsize=8)
    ax2.set_ylabel("cold starts per minute")
    ax2.set_xlabel("time (min)")
    fig.tight_layout()
    return fig


def node_loss(runs: dict[str, Result], kill_s: float, slo_ms: float) -> Any:
    """A worker node dies: p99 per 10 s and running replicas, with the kill, detection and recovery marked."""
    fig, (ax1, ax2) = figures.new(2, 1, figsize=(7.5, 5.5), sharex=True)
    colors = ["tab:blue", "tab:green", "tab:purple", "tab:brown"]
    for (label, res), c in zip(runs.items(), colors):
        t, p99 = res.latency_over_time(10.0)
        ax1.plot(t / 60, p99 / 1e3, color=c, label=label)
        _steps(ax2, res, "replicas", color=c, label=label)
        det = kill_s + res.extra["detection_s"]
        ax2.axvline(det / 60, color=c, ls=":", lw=1)
        rec = kill_s + res.extra["recovery_s"]
        ax2.axvline(rec / 60, color=c, ls="--", lw=1)
    for ax in (ax1, ax2):
        ax.axvline(kill_s / 60, color="tab:red", lw=1.5)
    ax1.axhline(slo_ms / 1e3, color="k", ls=":", lw=1, label=f"SLO {slo_ms:g} ms")
    ax1.set_yscale("log")
    ax1.set_ylabel("p99 latency per 10 s (s, log)")
    ax1.set_title(f"A worker node dies at the red line ({DATA_DATE})", fontsize=10)
    ax1.legend(fontsize=8)
    ax2.set_ylabel("replicas running")
    ax2.set_xlabel("time (min); dotted: node declared dead, dashed: replicas back")
    ax2.legend(fontsize=8)
    ax1.set_xlim((kill_s - 300) / 60, (kill_s + 600) / 60)
    fig.tight_layout()
    return fig
