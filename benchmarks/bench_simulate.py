"""Speed of mlopsbook.simulate (medians of 5 runs; baseline: the SimPy model of the same queue).

Targets (issue 4): >= 1 M simulated requests/s on a fixed pool on one core, >= 20x SimPy, and a day at 100 req/s
(8.64 M requests) on Ray Serve autoscaling in seconds.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from mlopsbook.simulate import arrivals, fixed_pool, ray_serve, reference
from mlopsbook.costs.traffic import Workload


def main() -> None:
    for servers in (1, 8, 64):
        ours = reference.requests_per_second(fixed_pool.fcfs_start_times, 2_000_000, servers)
        simpy = reference.requests_per_second(reference.simpy_fcfs_start_times, 50_000, servers)
        print(f"fixed pool c={servers:>2}: {ours / 1e6:6.2f} M req/s; SimPy {simpy / 1e3:6.1f} k req/s; "
              f"ratio to SimPy {ours / simpy:7.1f}x")
    rng = np.random.default_rng(0)
    w = Workload("diurnal", mean_rps=100.0)
    a = arrivals.from_rate_series(60, w.rate_rps(60, "day"), rng)
    s = arrivals.service_times("lognormal", 0.05, a.size, rng)
    cfg = ray_serve.ServeAutoscaling.ray_defaults(min_replicas=2, max_replicas=40)
    times = []
    for k in range(5):
        t0 = time.perf_counter()
        r = ray_serve.run(a, s, 86400.0, cfg, seed=k)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(f"ray-serve autoscaling, one day of diurnal traffic at 100 req/s mean ({a.size / 1e6:.2f} M requests): "
          f"{med:.2f} s median, {a.size / med / 1e6:.2f} M req/s (max replicas {max(r.timeline.replicas)})")


if __name__ == "__main__":
    main()
