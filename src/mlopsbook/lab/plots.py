"""Figures of the engine measurements: replicas over time with the latency of every request."""

from __future__ import annotations

from typing import Any

from mlopsbook import figures
from mlopsbook.lab.experiments import ReplicaKill, ScaleUp


def _panels(title: str) -> tuple[Any, Any, Any]:
    fig, (ax_r, ax_l) = figures.new(2, 1, sharex=True, figsize=(7.5, 5.2), height_ratios=[1, 2])
    fig.suptitle(title)
    return fig, ax_r, ax_l


def _replicas(ax: Any, reps: Any) -> None:
    ax.step(reps["t_s"], reps["running"], where="post", color="tab:blue")
    ax.set_ylabel("running replicas")
    ax.set_ylim(0, max(2, int(reps["running"].max())) + 0.5)
    ax.set_yticks(range(0, max(2, int(reps["running"].max())) + 1))


def scale_up(res: ScaleUp) -> Any:
    """Replicas (from ``serve.status()``) and per-request latency while the load ran; returns the figure."""
    fig, ax_r, ax_l = _panels(f"Ray Serve scaling under {res.load.concurrency} closed-loop clients "
                              f"({res.load.n_requests} requests, 127.0.0.1)")
    _replicas(ax_r, res.replicas)
    df = res.load.requests
    ax_l.scatter(df["start_s"], df["latency_ms"], s=4, alpha=0.5, color="tab:gray", label="request latency")
    if res.t_two_running_s == res.t_two_running_s:
        for ax in (ax_r, ax_l):
            ax.axvline(res.t_two_running_s, color="tab:green", ls="--", lw=1)
        ax_l.annotate("second replica running", (res.t_two_running_s, ax_l.get_ylim()[1] * 0.9), color="tab:green",
                      xytext=(4, 0), textcoords="offset points", fontsize=9)
    ax_l.set_xlabel("time since the load began (s)")
    ax_l.set_ylabel("latency (ms)")
    return fig


def replica_kill(res: ReplicaKill) -> Any:
    """Replicas and per-request latency around a killed replica, failed requests marked; returns the figure."""
    fig, ax_r, ax_l = _panels(f"One of two replicas killed under load ({res.load.concurrency} clients)")
    _replicas(ax_r, res.replicas)
    df = res.load.requests
    ok = df["status"] == 200
    ax_l.scatter(df.loc[ok, "start_s"], df.loc[ok, "latency_ms"], s=4, alpha=0.5, color="tab:gray",
                 label="answered (200)")
    ax_l.scatter(df.loc[~ok, "start_s"], df.loc[~ok, "latency_ms"], s=30, marker="x", color="tab:red",
                 label="failed")
    for ax in (ax_r, ax_l):
        ax.axvline(res.kill_at_s, color="tab:red", ls="--", lw=1)
        if res.t_recovered_s == res.t_recovered_s:
            ax.axvline(res.kill_at_s + res.t_recovered_s, color="tab:green", ls="--", lw=1)
    ax_l.legend(loc="upper right", fontsize=8)
    ax_l.set_xlabel("time since the load began (s); red: kill, green: two replicas again")
    ax_l.set_ylabel("latency (ms)")
    return fig
