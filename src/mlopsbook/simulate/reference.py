"""A SimPy model of the fixed pool: the reference the fast simulator is checked and timed against.

SimPy is imported when the model runs (it is needed by tests, benchmarks and the page's closing note, not by the
simulator itself).
"""

from __future__ import annotations

import time

import numpy as np


def simpy_fcfs_start_times(arrival_s: np.ndarray, service_s: np.ndarray, servers: int) -> np.ndarray:
    """Start of service (s) of each request on ``servers`` identical slots, FCFS, simulated with ``simpy.Resource``."""
    import simpy

    a = np.asarray(arrival_s, dtype=float)
    s = np.asarray(service_s, dtype=float)
    env = simpy.Environment()
    res = simpy.Resource(env, capacity=servers)
    start = np.empty_like(a)

    def request(i: int):  # type: ignore[no-untyped-def]
        with res.request() as req:
            yield req
            start[i] = env.now
            yield env.timeout(s[i])

    def source():  # type: ignore[no-untyped-def]
        for i in range(a.size):
            yield env.timeout(a[i] - env.now)
            env.process(request(i))

    env.process(source())
    env.run()
    return start


def requests_per_second(fn, n: int, servers: int, rho: float = 0.8, seed: int = 0, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Median simulated requests per wall-clock second of ``fn(arrival_s, service_s, servers)`` over ``repeats``
    runs of an M/M/c queue with ``n`` requests at utilisation ``rho`` (1 s mean service)."""
    rng = np.random.default_rng(seed)
    a = np.cumsum(rng.exponential(1 / (rho * servers), n))
    s = rng.exponential(1.0, n)
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(a, s, servers)
        rates.append(n / (time.perf_counter() - t0))
    return float(np.median(rates))
