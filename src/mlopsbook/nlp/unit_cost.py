"""Cost per million documents: Lambda at the measured duration versus an always-on GPU endpoint.

Prices come from the dated price table (:mod:`mlopsbook.costs.pricing`) through :mod:`mlopsbook.costs.model`; nothing is priced
here. Lambda: :func:`mlopsbook.costs.lambda_cost` for one million requests at the measured duration and memory, without
the free tier (a unit cost, not a bill). GPU endpoint: one always-on ``g4dn.xlarge`` (D1, one T4) costs its hourly price
whether busy or idle, so its cost per million documents is the price of the hours needed to serve them at full
utilisation (its best case) — and never less than the instance's monthly floor.

The GPU's throughput on these models is **estimated, not measured** (no GPU here): the measured one-core throughput
times the GPU/CPU speed ratio spaCy publishes for its CPU-optimised pipeline (``data/inference/spacy-speed-*.csv``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any, Mapping

from mlopsbook import facts
from mlopsbook.costs.traffic import HOURS_PER_MONTH
from mlopsbook.errors import MlopsbookError

SPEED_FILE = "spacy-speed-v2026-11.csv"
GPU_INSTANCE = "g4dn.xlarge"
LAMBDA_MEMORY_FACT = "aws.lambda.memory.mb_per_vcpu"
"""The memory size whose CPU share (one vCPU) the measurement emulates: the fact of that id."""


def published_speed_wps() -> dict[str, dict[str, float]]:
    """spaCy's published end-to-end speeds, words per second: ``{pipeline: {"cpu": wps, "gpu": wps}}``."""
    from mlopsbook.paths import data_path

    path = data_path("inference", SPEED_FILE)
    out: dict[str, dict[str, float]] = {}
    with open(path, newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            try:
                out[row["pipeline"]] = {"cpu": float(row["wps_cpu"]), "gpu": float(row["wps_gpu"])}
            except (KeyError, ValueError) as exc:
                raise MlopsbookError(f"{path.name} row {i}: {exc}") from None
    return out


@dataclass(frozen=True)
class UnitCosts:
    """USD per million documents; ``gpu_*`` figures rest on an estimated throughput (see the module docstring)."""

    lambda_usd_per_million: float
    lambda_duration_ms: float
    lambda_memory_mb: int
    gpu_usd_per_hour: float
    gpu_docs_per_s_estimated: float
    gpu_usd_per_million_full_utilisation: float
    gpu_usd_per_month_floor: float
    break_even_docs_per_month: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def unit_costs(duration_ms: float, docs_per_s_one_core: float, *, memory_mb: int | None = None) -> UnitCosts:
    """Lambda (measured ``duration_ms`` per document at ``memory_mb``, default one vCPU's memory) versus one always-on GPU instance whose
    throughput is ``docs_per_s_one_core`` times spaCy's published GPU/CPU ratio for ``en_core_web_lg``.

    ``break_even_docs_per_month``: below it Lambda's bill is smaller than the GPU instance's monthly floor.
    Raises ``ValueError`` naming a non-positive argument.
    """
    from mlopsbook.costs import model as costs, pricing

    if not duration_ms > 0:
        raise MlopsbookError(f"duration_ms: must be > 0 (got {duration_ms})")
    if not docs_per_s_one_core > 0:
        raise MlopsbookError(f"docs_per_s_one_core: must be > 0 (got {docs_per_s_one_core})")
    memory_mb = facts.integer(LAMBDA_MEMORY_FACT) if memory_mb is None else memory_mb
    table = pricing.load()
    lam = float(costs.lambda_cost(1e6, duration_ms, memory_mb, free_tier=False, prices=table).monthly_usd)
    usd_h = table.value(f"ec2.{GPU_INSTANCE}", "USD/hour")
    speed = published_speed_wps()["en_core_web_lg"]
    gpu_docs_s = docs_per_s_one_core * speed["gpu"] / speed["cpu"]
    gpu_per_million = usd_h * (1e6 / gpu_docs_s) / 3600.0
    floor = usd_h * HOURS_PER_MONTH
    return UnitCosts(
        lambda_usd_per_million=lam,
        lambda_duration_ms=float(duration_ms),
        lambda_memory_mb=int(memory_mb),
        gpu_usd_per_hour=float(usd_h),
        gpu_docs_per_s_estimated=float(gpu_docs_s),
        gpu_usd_per_million_full_utilisation=float(gpu_per_million),
        gpu_usd_per_month_floor=float(floor),
        break_even_docs_per_month=float(floor / lam * 1e6),
    )


def from_profile(profile: Mapping[str, Any]) -> UnitCosts:
    """:func:`unit_costs` at a measured profile (:func:`mlopsbook.nlp.measure.nlp_profile`)."""
    return unit_costs(float(profile["duration_ms"]), float(profile["throughput_docs_per_s"]))


def transformer_estimate(profile: Mapping[str, Any]) -> dict[str, float]:
    """What a transformer NER would change, **estimated** from spaCy's published speeds (not measured): the
    measured one-page latency scaled by ``en_core_web_lg``/``en_core_web_trf`` CPU speed, and on GPU by the
    transformer's GPU speed. Returns ms per one-page document on one CPU core and on one GPU, and the ratios."""
    speed = published_speed_wps()
    cpu_slowdown = speed["en_core_web_lg"]["cpu"] / speed["en_core_web_trf"]["cpu"]
    gpu_speedup_trf = speed["en_core_web_trf"]["gpu"] / speed["en_core_web_trf"]["cpu"]
    gpu_speedup_cnn = speed["en_core_web_lg"]["gpu"] / speed["en_core_web_lg"]["cpu"]
    lat = profile["latency_by_words"]["500"]["entities"]["p50_ms"]
    return {
        "cpu_slowdown_trf_vs_cnn": float(cpu_slowdown),
        "gpu_speedup_trf": float(gpu_speedup_trf),
        "gpu_speedup_cnn": float(gpu_speedup_cnn),
        "trf_one_page_cpu_ms_estimated": float(lat * cpu_slowdown),
        "trf_one_page_gpu_ms_estimated": float(lat * cpu_slowdown / gpu_speedup_trf),
    }
