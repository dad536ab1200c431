"""Benchmark: AI Medusa's answer time over the whole frozen test set (goal: every answer within 2 s on 2 cores).

Answers each question of ``data/medusa/frozen-questions.yaml`` as ``mlopsbook ask`` does (reader, decision engine with
its cold-start simulations and flip search, sensitivity, BM25) and prints the median and the maximum answer time,
against the named baseline: the reader and engine at commit 1c842cb, before the rework, timed on the same set on
2026-12-03 under the same load as the benchmark's own run and recorded in ``data/medusa/frozen-before-summary.csv`` (its worst question simulated every replica of a
fleet sized for tens of thousands of requests in flight).

It also times the one kind of question whose cost used to grow with the rate and the request time in it: a fleet with
1,000 to 100,000 requests in flight, where the cold-start simulation now runs a scaled copy
(:func:`mlopsbook.decide.exposure.scale_factor`); the time must stay flat while the load grows a hundredfold.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd

from mlopsbook.medusa import answer, evaluate
from mlopsbook.paths import data_path

GOAL_S = 2.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--record", metavar="CSV", help="also write the median and max to this dated record (the Medusa "
                    "page reads data/medusa/frozen-after-times.csv)")
    args = ap.parse_args()
    base = pd.read_csv(data_path("medusa", "frozen-before-summary.csv")).iloc[0]
    answer.answer("warm-up: 2M requests a month, CPU only")  # loads the index and the price tables once
    times = []
    for q in evaluate.labelled(evaluate.FROZEN_FILE):
        t0 = time.perf_counter()
        answer.answer(q["question"])
        times.append(time.perf_counter() - t0)
    med, worst = statistics.median(times), max(times)
    print(f"frozen set ({len(times)} questions, one answer each): median {med:.3f} s, max {worst:.3f} s; "
          f"goal: every answer < {GOAL_S:.0f} s: {'met' if worst < GOAL_S else 'MISSED'}")
    if args.record:
        import datetime as dt
        import os

        pd.DataFrame([{"questions": len(times), "median_s": round(med, 3), "max_s": round(worst, 3),
                       "cores": os.cpu_count(), "measured": dt.date.today().isoformat()}]).to_csv(args.record, index=False)
    print(f"baseline 'reader and engine at {base['reader_commit']}' ({base['measured']}): median {base['median_s']:.3f} s, "
          f"max {base['max_s']:.3f} s; max is {base['max_s'] / worst:,.0f}x lower now")
    for rps, seconds in ((50, 20), (500, 20), (5000, 20)):
        q = f"Steady {rps:,} requests per second, each inference takes {seconds} seconds on CPU. Where?"
        t0 = time.perf_counter()
        answer.answer(q)
        print(f"{rps * seconds:>7,} requests in flight ({rps:,} req/s x {seconds} s): {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
