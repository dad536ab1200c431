"""Closed-form queueing results the simulator is checked against (M/M/1, M/M/c with Erlang C).

Rates are per second; times returned in seconds.
"""

from __future__ import annotations

from mlopsbook.errors import MlopsbookError
from mlopsbook.validation import check_number


def _check(servers: int, arrival_rps: float, service_rps: float) -> float:
    check_number(servers, "servers", low=1, integer=True)
    check_number(arrival_rps, "arrival_rps", low=0, low_open=True)
    check_number(service_rps, "service_rps", low=0, low_open=True)
    rho = arrival_rps / (servers * service_rps)
    if rho >= 1:
        raise MlopsbookError(f"arrival_rps: utilisation {rho:.3f} >= 1, the queue is unstable")
    return rho


def erlang_b(servers: int, offered_load: float) -> float:
    """Erlang B blocking probability for ``servers`` and ``offered_load`` = arrival rate x mean service time."""
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(servers: int, arrival_rps: float, service_rps: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C)."""
    _check(servers, arrival_rps, service_rps)
    a = arrival_rps / service_rps
    b = erlang_b(servers, a)
    return servers * b / (servers - a * (1.0 - b))


def mmc_mean_wait_s(servers: int, arrival_rps: float, service_rps: float) -> float:
    """Mean time in queue (s) of an M/M/c queue: C(c, a) / (c mu - lambda)."""
    return erlang_c(servers, arrival_rps, service_rps) / (servers * service_rps - arrival_rps)


def mm1_mean_response_s(arrival_rps: float, service_rps: float) -> float:
    """Mean time in system (s) of an M/M/1 queue: 1 / (mu - lambda)."""
    _check(1, arrival_rps, service_rps)
    return 1.0 / (service_rps - arrival_rps)
