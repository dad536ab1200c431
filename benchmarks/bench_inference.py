"""Benchmark: the CPU NLP services on one emulated Lambda vCPU, against spaCy's published CPU speed.

Runs :func:`mlopsbook.nlp.measure.run` five times (each a fresh process pinned to one core, one thread per math
library) and prints the medians: documents per second per core (one-page documents, both models), words per second,
p95 latency per one-page document, and init time. Baseline: spaCy's published end-to-end CPU speed for its
CPU-optimised English pipeline, ``en_core_web_lg``, 10,014 words per second (spaCy documentation, Facts & Figures,
speed comparison; ``data/inference/spacy-speed-v2026-11.csv``). The table lists no ``en_core_web_sm`` row; ``sm`` and
``lg`` share the CNN architecture (``lg`` adds word vectors), so ``lg``'s figure is the documented CNN speed. The
published figure is for a full pipeline (tagger, parser, NER...) on unstated hardware and threads; ours is NER + rules
+ classifier on one core of a shared machine, so the ratio says "same order of magnitude", not "faster".

    .venv/bin/python benchmarks/bench_inference.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics

from mlopsbook.nlp import measure, unit_cost


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="measurement processes (default 5, median taken)")
    args = ap.parse_args()
    if args.runs < 5:
        ap.error(f"--runs: must be >= 5 for a median of several runs (got {args.runs})")
    runs = [measure.run() for _ in range(args.runs)]
    docs_s = statistics.median(r["throughput_docs_per_s"] for r in runs)
    words_s = statistics.median(r["throughput_words_per_s"] for r in runs)
    p95 = statistics.median(r["latency"][str(measure.TYPICAL_WORDS)]["score"]["p95_ms"] for r in runs)
    p95_20 = statistics.median(r["latency"]["10000"]["score"]["p95_ms"] for r in runs)
    init = statistics.median(r["init_ms"] for r in runs)
    baseline = unit_cost.published_speed_wps()["en_core_web_lg"]["cpu"]
    print(f"emulation: one core (sched_setaffinity), one thread per math library; median of {args.runs} processes")
    print(f"throughput, one-page documents, both models: {docs_s:.1f} docs/s per core ({words_s:,.0f} words/s)")
    print(f"p95 per one-page document, both models:      {p95:.1f} ms")
    print(f"p95 per twenty-page document, both models:   {p95_20:.1f} ms")
    print(f"init (imports + model load, fresh process):  {init:.0f} ms")
    print(f"baseline: spaCy en_core_web_lg, published CPU speed {baseline:,.0f} words/s (Facts & Figures)")
    print(f"ratio, our words/s per core / published:     {words_s / baseline:.2f}x")
    print("per-run docs/s:", ", ".join(f"{r['throughput_docs_per_s']:.1f}" for r in runs))


if __name__ == "__main__":
    main()
