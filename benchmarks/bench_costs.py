"""Benchmark: a sweep of 10^6 workloads through the cost model of every platform (goal: under 1 s).

Prints the median of 5 runs of the vectorised sweep (10^6 mean request rates, business-hours traffic, all six
platforms), and the ratio against a named baseline: the same model called once per workload (scalar calls),
timed on 1,000 workloads and scaled to 10^6.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from mlopsbook.costs import pricing
from mlopsbook.costs.model import PLATFORMS, monthly_cost
from mlopsbook.costs.traffic import Workload

N = 10**6
RUNS = 5
GOAL_S = 1.0


def sweep(workload: Workload, rps: np.ndarray, prices: pricing.PriceTable) -> dict[str, np.ndarray]:
    return {p: np.asarray(monthly_cost(p, workload, mean_rps=rps, prices=prices).monthly_usd) for p in PLATFORMS}


def main() -> None:
    prices = pricing.load()
    rng = np.random.default_rng(0)
    rps = 10 ** rng.uniform(-3, 3, N)  # 0.001 to 1,000 req/s, log-uniform
    for pattern in ("steady", "business-hours", "diurnal"):
        w = Workload(pattern, 1.0)
        sweep(w, rps[:1000], prices)  # warm-up
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            out = sweep(w, rps, prices)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        assert all(v.shape == (N,) for v in out.values())
        print(f"sweep of {N:,} workloads x {len(PLATFORMS)} platforms, {pattern}: median {med:.3f} s over {RUNS} runs "
              f"(min {min(times):.3f}, max {max(times):.3f}); goal < {GOAL_S:.1f} s: {'met' if med < GOAL_S else 'MISSED'}")
        if pattern == "business-hours":
            few = rps[:1000]
            t0 = time.perf_counter()
            for r in few:
                for p in PLATFORMS:
                    monthly_cost(p, w.scaled(float(r)), prices=prices).monthly_usd
            per_workload = (time.perf_counter() - t0) / len(few)
            base = per_workload * N
            print(f"baseline 'scalar calls, one workload at a time' (1,000 timed, scaled to 10^6): {base:.0f} s; "
                  f"vectorised is {base / med:,.0f}x faster")


if __name__ == "__main__":
    main()
