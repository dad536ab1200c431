"""A fixed pool of identical replica slots without autoscaling: the G/G/c first-come-first-served queue.

This is the fast path of the simulator. For one server the waiting times follow Lindley's recursion, computed for
all requests at once from a cumulative minimum; for ``c`` servers each request, in arrival order, takes the slot
that frees first (a heap of ``c`` next-free times, O(n log c)), which is exact FCFS for identical servers.
"""

from __future__ import annotations

import heapq

import numpy as np

from mlopsbook.errors import MlopsbookError
from mlopsbook.simulate.results import IN_FLIGHT, SERVED, Result, Timeline
from mlopsbook.validation import check_number


def fcfs_start_times(arrival_s: np.ndarray, service_s: np.ndarray, servers: int) -> np.ndarray:
    """Start of service (s) of each request in an FCFS queue with ``servers`` identical slots.

    ``arrival_s`` must be sorted; ``service_s`` (s) has the same length. A request that found a free slot starts
    exactly at its arrival (the difference is exactly 0.0, not a rounding residue).
    """
    a = np.asarray(arrival_s, dtype=float)
    s = np.asarray(service_s, dtype=float)
    if a.shape != s.shape or a.ndim != 1:
        raise MlopsbookError(f"arrival_s and service_s must be 1-D arrays of the same length (got {a.shape}, {s.shape})")
    servers = check_number(servers, "servers", low=1, integer=True)
    if a.size == 0:
        return a.copy()
    if servers == 1:
        # Lindley: W_n = max(0, W_{n-1} + s_{n-1} - (a_n - a_{n-1})) = X_n - min(0, min_{k<=n} X_k)
        u = np.empty_like(a)
        u[0] = 0.0
        u[1:] = s[:-1] - np.diff(a)
        x = np.cumsum(u)
        low = np.minimum.accumulate(np.minimum(x, 0.0))
        return a + (x - low)
    return np.asarray(_heap_fcfs(a.tolist(), s.tolist(), int(servers)))


def _heap_fcfs(arrivals: list[float], services: list[float], servers: int) -> list[float]:
    heap = [0.0] * servers
    out = [0.0] * len(arrivals)
    replace = heapq.heapreplace
    i = 0
    for a, s in zip(arrivals, services):
        f = heap[0]
        if f < a:
            f = a
        out[i] = f
        i += 1
        replace(heap, f + s)
    return out


def run(arrival_s: np.ndarray, service_s: np.ndarray, servers: int, duration_s: float) -> Result:
    """Simulate a fixed pool of ``servers`` slots; requests not finished by ``duration_s`` are in flight."""
    start = fcfs_start_times(arrival_s, service_s, servers)
    end = start + np.asarray(service_s, dtype=float)
    status = np.where(end <= duration_s, SERVED, IN_FLIGHT).astype(np.int8)
    tl = Timeline()
    tl.add(0.0, servers, servers, 0, 0)
    return Result("fixed", float(duration_s), np.asarray(arrival_s, dtype=float), start, end, status, tl)
