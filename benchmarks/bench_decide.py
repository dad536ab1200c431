"""Benchmark: the decision engine and AI Medusa (goal: one decision, one answer in well under 2 s).

Prints medians of 5 runs for: a full decision on the post's profile (limits, costs, six cold-start simulations, flip
search), the same without the flip search, and one Medusa answer; each as a ratio against the named baseline, the
quick cost-and-limits-only ranking (``decide(simulate=False, flip=False)``), which is what Medusa uses to test
whether a missing field matters. Also the whole evaluation set once (it is cached afterwards).
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

from mlopsbook.decide import rank
from mlopsbook.reproductions.engineering_culture_leadership import decision as cases
from mlopsbook.medusa import answer, evaluate

RUNS = 5


def median_s(fn: Callable[[], object]) -> float:
    fn()  # warm-up
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    profile = cases.post_profile() or cases.contrasts()["lambda"]
    base = median_s(lambda: rank.decide(profile, flip=False, simulate=False))
    print(f"baseline: cost-and-limits-only ranking      {base * 1e3:8.1f} ms (median of {RUNS})")
    for name, fn in (
        ("decision with cold-start simulations", lambda: rank.decide(profile, flip=False)),
        ("full decision (simulations + flip search)", lambda: rank.decide(profile)),
        ("one Medusa answer (extract, decide, sensitivity, BM25)",
         lambda: answer.answer("About 2M requests a month during business hours, CPU only, 60 ms per request.")),
    ):
        t = median_s(fn)
        print(f"{name:<56} {t * 1e3:8.1f} ms   {t / base:6.1f}x baseline")
    t0 = time.perf_counter()
    ev = evaluate.run()
    print(f"evaluation set ({ev.n} questions, once)                     {time.perf_counter() - t0:8.1f} s")


if __name__ == "__main__":
    main()
