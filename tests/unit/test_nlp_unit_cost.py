"""Unit costs per million documents (Lambda against an always-on GPU instance) and the measurement summary, against
figures computed here from the dated tables in data/ by plain arithmetic, not through the library's lookups."""

from __future__ import annotations

import csv
import math

import pytest

from mlopsbook.nlp import measure, unit_cost
from mlopsbook.paths import data_path

HOURS_PER_MONTH = 730  # AWS's billing month (365 * 24 / 12)


def _price(product: str) -> float:
    """The first-tier price of ``product`` in the book's price table, read as plain CSV."""
    with open(data_path("pricing", "prices-us-east-1-2026-09-20.csv"), newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["product"] == product and r["tier_start"] in ("", "0")]
    assert len(rows) == 1, product
    return float(rows[0]["value"])


def _spacy_wps(pipeline: str) -> tuple[float, float]:
    with open(data_path("inference", "spacy-speed-v2026-11.csv"), newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["pipeline"] == pipeline)
    return float(row["wps_cpu"]), float(row["wps_gpu"])


def test_unit_costs_match_the_price_table_by_hand():
    """100 ms a document at 1,769 MB, 10 documents/s on one core, one always-on g4dn.xlarge."""
    gb_s_per_million = 1e6 * 0.100 * 1769 / 1024  # 172,753.9 GB-s: well inside the first duration tier (6e9 GB-s)
    lambda_usd = gb_s_per_million * _price("lambda.duration.x86_64") + 1e6 * _price("lambda.requests.x86_64")
    usd_hour = _price("ec2.g4dn.xlarge")
    cpu_wps, gpu_wps = _spacy_wps("en_core_web_lg")
    gpu_docs_s = 10.0 * gpu_wps / cpu_wps
    floor = usd_hour * HOURS_PER_MONTH

    u = unit_cost.unit_costs(100.0, 10.0)
    assert math.isclose(u.lambda_usd_per_million, lambda_usd, rel_tol=1e-9)
    assert math.isclose(u.lambda_usd_per_million, 3.0792, rel_tol=1e-4)  # the 2026-09-20 table: $2.88 + $0.20
    assert math.isclose(u.gpu_docs_per_s_estimated, gpu_docs_s)
    assert math.isclose(u.gpu_usd_per_hour, usd_hour)
    assert math.isclose(u.gpu_usd_per_million_full_utilisation, usd_hour * 1e6 / gpu_docs_s / 3600)
    assert math.isclose(u.gpu_usd_per_month_floor, floor)
    assert math.isclose(u.break_even_docs_per_month, floor / lambda_usd * 1e6)
    assert u.lambda_memory_mb == 1769 and u.lambda_duration_ms == 100.0


def _latency(p95_ms: float) -> dict:
    one = {"p50_ms": p95_ms / 2, "p95_ms": p95_ms, "p99_ms": p95_ms, "max_ms": p95_ms, "n": 5}
    return {"score": one, "classify": one, "entities": one}


def test_unit_costs_reject_bad_input():
    with pytest.raises(ValueError, match="duration_ms"):
        unit_cost.unit_costs(0, 10)
    with pytest.raises(ValueError, match="docs_per_s_one_core"):
        unit_cost.unit_costs(10, -1)


def test_percentiles_and_summary():
    p = measure.percentiles_ms([1.0, 2.0, 3.0, 4.0, 100.0])
    assert p["p50_ms"] == 3.0 and p["max_ms"] == 100.0 and p["n"] == 5 and p["p95_ms"] > 4.0
    with pytest.raises(ValueError, match="samples_ms"):
        measure.percentiles_ms([])
    run = {"latency": {str(n): {**_latency(10.0),
                                "words_mean": float(n), "chars_mean": 6.0 * n} for n in measure.LENGTHS_WORDS},
           "init_ms": 1.0, "import_ms": 0.5, "load_ms": 0.5, "process_wall_ms": 2.0, "peak_rss_mb": 100.0,
           "throughput_docs_per_s": 3.0, "throughput_words_per_s": 1500.0, "model_version": "x"}
    slow = {**run, "init_ms": 9.0}
    s = measure.summarise([run, slow, run])
    assert s["init_ms"] == 1.0 and s["n_runs"] == 3 and s["duration_ms"] == 5.0
