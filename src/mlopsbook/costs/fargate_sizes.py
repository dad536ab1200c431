"""The task sizes Fargate accepts (``data/limits/fargate-task-sizes-2026-11.csv``): a vCPU value and a memory size
within that value's range and step. Anything else is refused, naming the sizes allowed (AWS refuses such a task
definition, so a bill for it would price a task that cannot run).

>>> check(0.25, 0.5)
>>> check(0.25, 4)
Traceback (most recent call last):
...
ValueError: task_memory_gb: 0.25 vCPU takes 0.5, 1 or 2 GB (got 4)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path

SIZES_FILE = "fargate-task-sizes-2026-11.csv"


@dataclass(frozen=True)
class VcpuSize:
    """The memory sizes one vCPU value accepts: ``memory_gb_min`` to ``memory_gb_max`` by ``step`` (``None``: the
    values 0.5, 1, 2... doubling, as the 0.25-vCPU row lists them)."""

    vcpu: float
    memory_gb_min: float
    memory_gb_max: float
    step: float | None
    source: str
    source_date: str

    def memory_sizes(self) -> tuple[float, ...]:
        if self.step is None:
            out, m = [], self.memory_gb_min
            while m <= self.memory_gb_max:
                out.append(m)
                m *= 2
            return tuple(out)
        n = round((self.memory_gb_max - self.memory_gb_min) / self.step)
        return tuple(self.memory_gb_min + i * self.step for i in range(n + 1))

    def describe(self) -> str:
        sizes = self.memory_sizes()
        if self.step is None:
            return ", ".join(f"{m:g}" for m in sizes[:-1]) + f" or {sizes[-1]:g} GB"
        return f"{self.memory_gb_min:g} to {self.memory_gb_max:g} GB in steps of {self.step:g} GB"


@lru_cache(maxsize=1)
def sizes() -> tuple[VcpuSize, ...]:
    """Every vCPU value Fargate accepts, with its memory sizes."""
    with data_path("limits", SIZES_FILE).open(encoding="utf-8", newline="") as fh:
        return tuple(VcpuSize(float(r["vcpu"]), float(r["memory_gb_min"]), float(r["memory_gb_max"]),
                              float(r["memory_gb_step"]) if r["memory_gb_step"] else None, r["source"],
                              r["source_date"]) for r in csv.DictReader(fh))


def check(vcpu: float, memory_gb: float) -> None:
    """Raise ``ValueError`` (``task_vcpu: ...`` or ``task_memory_gb: ...``) unless Fargate accepts the size."""
    by_vcpu = {s.vcpu: s for s in sizes()}
    size = by_vcpu.get(float(vcpu))
    if size is None:
        allowed = ", ".join(f"{v:g}" for v in by_vcpu)
        raise MlopsbookError(f"task_vcpu: Fargate tasks have {allowed} vCPU (got {vcpu:g})")
    if not any(abs(memory_gb - m) < 1e-9 for m in size.memory_sizes()):
        raise MlopsbookError(f"task_memory_gb: {vcpu:g} vCPU takes {size.describe()} (got {memory_gb:g})")


def smallest(memory_gb: float, *, min_vcpu: float = 0.25) -> tuple[float, float] | None:
    """The smallest task (fewest vCPU from ``min_vcpu``, then least memory) with at least ``memory_gb``, as
    ``(vcpu, memory_gb)``; ``None`` when no task is that large."""
    for size in sizes():
        if size.vcpu < min_vcpu:
            continue
        fits = [m for m in size.memory_sizes() if m >= memory_gb - 1e-9]
        if fits:
            return size.vcpu, fits[0]
    return None
