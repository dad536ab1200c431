"""Interactive controls over a profile (ipywidgets): change a field and the ranking table and the cost curves update.

Shown only in a live session (Binder, JupyterHub, Colab, or ``MLOPSBOOK_WIDGETS=1``): :func:`live` tells. In the
book build and under nbval the notebook cell renders nothing (so its output is empty and deterministic) and the page
shows precomputed cases instead. ``ipywidgets`` is in ``requirements.txt``, which Binder installs.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from mlopsbook.decide.rank import decide
from mlopsbook.decide.profile import GPU_NEEDS, Profile, ProfileError
from mlopsbook.costs.traffic import PATTERNS, Workload

LIVE_ENV = ("JUPYTERHUB_API_URL", "BINDER_LAUNCH_HOST", "BINDER_REQUEST", "MLOPSBOOK_WIDGETS")


def live() -> bool:
    """True in an interactive session where widgets can be used (Binder/JupyterHub, Colab, or MLOPSBOOK_WIDGETS=1)."""
    if os.environ.get("MLOPSBOOK_WIDGETS") == "0":
        return False
    return any(os.environ.get(k) for k in LIVE_ENV) or "google.colab" in sys.modules


def controls(profile: Profile) -> dict[str, Any]:
    """One widget per profile field, set to ``profile``'s values (log sliders for rates and sizes)."""
    import ipywidgets as w

    style = {"description_width": "150px"}
    lay = w.Layout(width="480px")

    def log(value: float, lo: float, hi: float, desc: str) -> Any:
        import math
        return w.FloatLogSlider(value=value, base=10, min=math.log10(lo), max=math.log10(hi), step=0.05,
                                description=desc, style=style, layout=lay, continuous_update=False)

    return {
        "traffic_pattern": w.Dropdown(options=list(PATTERNS), value=profile.traffic_pattern, description="traffic pattern",
                                      style=style, layout=lay),
        "mean_rps": log(profile.mean_rps, 1e-3, 1e4, "mean req/s"),
        "peak_over_mean": log(max(1.0, profile.peak_rps / profile.mean_rps), 1.0, 50.0, "peak / mean"),
        "gpu": w.Dropdown(options=list(GPU_NEEDS), value=profile.gpu, description="GPU", style=style, layout=lay),
        "artifact_mb": log(profile.artifact_mb, 1, 2e4, "artifact (MB)"),
        "model_latency_ms": log(profile.model_latency_ms, 0.5, 1e6, "latency/request (ms)"),
        "memory_mb": log(profile.memory_mb, 64, 2e4, "memory/worker (MB)"),
        "latency_slo_ms": log(profile.latency_slo_ms, 10, 1e5, "p99 SLO (ms)"),
        "payload_kb": log(profile.payload_kb, 0.1, 2e4, "payload (KB)"),
    }


def profile_from(values: dict[str, Any], name: str = "") -> Profile:
    """A valid profile from the controls' values (the peak is clamped to what the pattern allows)."""
    pattern, mean = values["traffic_pattern"], float(values["mean_rps"])
    peak = mean * float(values["peak_over_mean"])
    if pattern == "diurnal":
        peak = min(peak, 2 * mean)
    elif pattern == "bursty":
        peak = min(max(peak, mean * 1.01), mean / 0.02)
    else:
        peak = max(peak, float(Workload(pattern, mean).peak_rps))
    fields = {k: values[k] for k in ("gpu", "artifact_mb", "model_latency_ms", "memory_mb", "latency_slo_ms", "payload_kb")}
    return Profile(traffic_pattern=pattern, mean_rps=mean, peak_rps=peak, name=name, **fields)


def build(profile: Profile) -> Any:
    """The interactive panel: controls, the ranking table with reasons, the flip point and the cost curves."""
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from mlopsbook.decide.plots import figure_decision_curves

    ctl = controls(profile)
    out = w.Output()

    def refresh(_: Any = None) -> None:
        with out:
            out.clear_output(wait=True)
            try:
                p = profile_from({k: c.value for k, c in ctl.items()}, profile.name)
            except ProfileError as exc:
                print(f"invalid profile: {exc}")
                return
            d = decide(p)
            print(f"First: {d.recommendation} (deciding criterion: {d.deciding_criterion}). Flip: {d.flip}")
            display(d.table())
            display(d.reasons_table())
            fig = figure_decision_curves(d)
            display(fig)
            plt.close(fig)

    for c in ctl.values():
        c.observe(refresh, names="value")
    refresh()
    return w.VBox([w.VBox(list(ctl.values())), out])


def show(profile: Profile) -> None:
    """Display the panel in a live session; do nothing otherwise (the static page shows precomputed cases)."""
    if live():
        from IPython.display import display

        display(build(profile))
