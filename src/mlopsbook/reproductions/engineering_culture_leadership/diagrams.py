"""Architecture diagrams drawn with Matplotlib, so they render during the book build with no system tools.

:func:`kuberay_inference` redraws the workflow the first post describes (its original image was not published):
KubeRay on EKS running one Ray cluster image for two paths — Ray Serve for real-time, customer-facing inference and
Ray Data jobs for bulk distributed inference, the latter triggered by Airflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from mlopsbook.figures import new


@dataclass(frozen=True)
class Box:
    key: str
    x: float
    y: float
    w: float
    h: float
    label: str
    color: str


def _draw(ax, box: Box) -> None:  # noqa: ANN001
    ax.add_patch(FancyBboxPatch((box.x, box.y), box.w, box.h, boxstyle="round,pad=0.02,rounding_size=0.02",
                                linewidth=1.2, edgecolor="#1f4e79", facecolor=box.color))
    ax.text(box.x + box.w / 2, box.y + box.h / 2, box.label, ha="center", va="center", fontsize=8.5, wrap=True)


def _arrow(ax, a: Box, b: Box, label: str = "") -> None:  # noqa: ANN001
    """An arrow from the right edge of ``a`` to the left edge of ``b``."""
    start, end = (a.x + a.w, a.y + a.h / 2), (b.x, b.y + b.h / 2)
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, linewidth=1.2, color="#333333"))
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.025, label, ha="center", fontsize=7.5,
                color="#333333")


def kuberay_inference() -> Figure:
    """The post's KubeRay workflow for ML inference and processing, redrawn (returns the figure)."""
    fig, ax = new(figsize=(9.0, 4.6))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((0.25, 0.05), 0.52, 0.86, boxstyle="round,pad=0.01", linewidth=1.0,
                                edgecolor="#888888", facecolor="#f6f8fa", linestyle="--"))
    ax.text(0.51, 0.875, "Amazon EKS cluster · KubeRay operator", ha="center", fontsize=9, weight="bold")
    clients = Box("clients", 0.02, 0.64, 0.17, 0.14, "Customer-facing\nservices\n(HTTP, JSON)", "#ffffff")
    airflow = Box("airflow", 0.02, 0.18, 0.17, 0.16, "Airflow DAG\n(one run per\nlogical date,\nidempotent)", "#fff4e5")
    service = Box("service", 0.29, 0.60, 0.20, 0.20, "RayService\nRay Serve app:\nclassification + NER\n(autoscaling replicas)",
                  "#e8f1fb")
    job = Box("job", 0.29, 0.14, 0.20, 0.22, "RayJob\nRay Data batch scoring\n(same model code,\none partition per day)",
              "#e8f1fb")
    head = Box("head", 0.55, 0.42, 0.19, 0.14, "Ray head node\n(GCS, Serve controller,\nautoscaler)", "#eef7ee")
    workers = Box("workers", 0.55, 0.64, 0.19, 0.16, "Worker group\n(CPU or GPU nodes,\nadded and removed\nby the autoscaler)",
                  "#eef7ee")
    workers2 = Box("workers2", 0.55, 0.14, 0.19, 0.18, "Worker pods for\nbulk jobs", "#eef7ee")
    store = Box("store", 0.81, 0.14, 0.17, 0.18, "Object storage\n(Parquet output,\nkeyed by date)", "#ffffff")
    models = Box("models", 0.81, 0.60, 0.17, 0.18, "Model artifacts\n(pip-installable\npackages)", "#ffffff")
    for b in (clients, airflow, service, job, head, workers, workers2, store, models):
        _draw(ax, b)
    _arrow(ax, clients, service, "real-time")
    _arrow(ax, airflow, job, "bulk")
    _arrow(ax, service, workers, "replicas")
    _arrow(ax, job, workers2, "tasks")
    _arrow(ax, workers2, store, "write")
    ax.add_patch(FancyArrowPatch((models.x, models.y + models.h / 2), (workers.x + workers.w, workers.y + workers.h / 2),
                                 arrowstyle="-|>", mutation_scale=12, linewidth=1.2, color="#333333"))
    ax.text(0.775, 0.715, "load", ha="center", fontsize=7.5, color="#333333")
    ax.set_title("KubeRay for ML inference and processing (redrawn from the post's description)", fontsize=10)
    return fig
