"""Figures that render the same bytes on every run, so notebook snapshots stay comparable.

Call :func:`setup` once at the top of a notebook (or let :func:`new` do it). Figures are rendered as PNG by the book;
SVG output, if used, is made byte-stable with a fixed hash salt and no date metadata.
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RC: dict[str, Any] = {
    "svg.hashsalt": "mlopsbook",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (7.5, 4.2),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
}


def setup() -> None:
    """Apply the project's deterministic Matplotlib settings and the inline PNG format (in IPython)."""
    plt.rcParams.update(RC)
    try:  # in a notebook kernel: PNG with no timestamp metadata
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            from matplotlib_inline.backend_inline import set_matplotlib_formats

            set_matplotlib_formats("png", metadata={"Software": None})
    except ImportError:  # pragma: no cover - outside Jupyter
        pass


def new(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """``plt.subplots`` with the project's settings applied."""
    setup()
    return plt.subplots(*args, **kwargs)
