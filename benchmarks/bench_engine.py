"""Bulk path throughput: the Ray Data job against the same models scored in one plain Python process.

Baseline (named): ``Models.score`` over the day's documents in this process, one batch, no Ray.
Measured: ``mlopsbook.engine.bulk.score_day`` on a local Ray cluster (2 CPUs, 2 blocks), warm (workers started and
models loaded by a first, unmeasured run), including the staged write and the atomic publish.
Prints documents per second (median of 5 runs each) and the ratio measured / baseline.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from mlopsbook.engine import bulk, ray_runtime
from mlopsbook.nlp.service import load_models

RUNS = 5
DOCS = 300
DAY = date(2024, 1, 25)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    (part,) = bulk.write_input_days(work / "in", [DAY], DOCS)
    texts = bulk.read_partition(part)["text"].tolist()
    models = load_models()
    models.score(texts[:5])
    base = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        models.score(texts)
        base.append(DOCS / (time.perf_counter() - t0))
    ray_runtime.start()
    bulk.score_day(DAY, work / "in", work / "out")  # warm-up: workers start, models load
    ray = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        bulk.score_day(DAY, work / "in", work / "out")
        ray.append(DOCS / (time.perf_counter() - t0))
    ray_runtime.stop()
    b, r = statistics.median(base), statistics.median(ray)
    print(f"documents: {DOCS} generated legal documents (40-400 words), median of {RUNS} runs")
    print(f"baseline, Models.score in one process:       {b:8.1f} docs/s")
    print(f"Ray Data bulk job, 2 CPUs, warm, with write: {r:8.1f} docs/s")
    print(f"ratio Ray Data / baseline: {r / b:.2f}x (2 CPUs against 1; includes Parquet write and publish)")


if __name__ == "__main__":
    main()
