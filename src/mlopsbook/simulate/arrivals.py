"""Request arrivals and service times: Poisson streams, rate series (non-homogeneous Poisson) and traces.

Times are seconds from the start of the run; arrays are sorted float64. Randomness comes from a
``numpy.random.Generator`` passed in, so a seed fixes every draw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from mlopsbook.errors import MlopsbookError
from mlopsbook.inputs import InputFileError, read_text as _read_text
from mlopsbook.validation import check_choice, check_number

ServiceKind = Literal["exponential", "lognormal", "constant"]
SERVICE_KINDS: tuple[str, ...] = ("exponential", "lognormal", "constant")
LOGNORMAL_SIGMA = 0.5
"""Shape of the lognormal service distribution (sigma of the log); its mean is set to the requested mean."""


def poisson(rate_rps: float, duration_s: float, rng: np.random.Generator) -> np.ndarray:
    """Arrival times (s) of a homogeneous Poisson process of ``rate_rps`` requests/s on ``[0, duration_s)``.

    Exact: the count is Poisson(rate x duration) and, given the count, times are sorted uniforms.
    """
    check_number(rate_rps, "rate_rps", low=0)
    check_number(duration_s, "duration_s", low=0, low_open=True)
    n = int(rng.poisson(rate_rps * duration_s))
    return np.sort(rng.uniform(0.0, duration_s, n))


def from_rate_series(step_s: float, rate_rps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Arrival times (s) of a non-homogeneous Poisson process whose rate is ``rate_rps[k]`` on step ``k``.

    The rate is piecewise constant on steps of ``step_s`` seconds starting at 0 (e.g. a series from
    :meth:`mlopsbook.costs.traffic.Workload.rate_rps`); each step draws a Poisson count and uniform times, which is exact
    for a piecewise-constant intensity.
    """
    rate = np.asarray(rate_rps, dtype=float)
    if rate.ndim != 1 or rate.size == 0:
        raise MlopsbookError("rate_rps: must be a non-empty 1-D series")
    if not np.all(np.isfinite(rate)) or np.any(rate < 0):
        bad = int(np.flatnonzero(~np.isfinite(rate) | (rate < 0))[0])
        raise MlopsbookError(f"rate_rps: step {bad} is not a finite rate >= 0 (got {rate[bad]!r})")
    check_number(step_s, "step_s", low=0, low_open=True)
    counts = rng.poisson(rate * step_s)
    starts = np.repeat(np.arange(rate.size) * float(step_s), counts)
    return np.sort(starts + rng.uniform(0.0, step_s, starts.size))


def from_trace(path: str | Path) -> np.ndarray:
    """Arrival times (s) read from a text/CSV file with one arrival time in seconds per line (a header is allowed).

    Raises ``ValueError`` naming the file and line of the first value that is not a finite number >= 0, and when
    times are not sorted.
    """
    p = Path(path)
    times: list[float] = []
    for lineno, line in enumerate(_read_text(p).splitlines(), start=1):
        field = line.split(",")[0].strip()
        if not field or field.startswith("#"):
            continue
        try:
            t = float(field)
        except ValueError:
            if not times and lineno == 1:  # a header
                continue
            raise InputFileError(f"{p}: line {lineno}: not a number of seconds: {field!r}") from None
        if not np.isfinite(t) or t < 0:
            raise InputFileError(f"{p}: line {lineno}: arrival time must be a finite number >= 0 (got {field!r})")
        times.append(t)
    arr = np.asarray(times, dtype=float)
    if arr.size and np.any(np.diff(arr) < 0):
        i = int(np.flatnonzero(np.diff(arr) < 0)[0])
        raise MlopsbookError(f"{p}: arrival times must be sorted (value {i + 2} is earlier than the one before)")
    return arr


def service_times(kind: str, mean_s: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` service times (s) with mean ``mean_s``: ``exponential``, ``lognormal`` (sigma 0.5) or ``constant``."""
    check_choice(kind, "service", SERVICE_KINDS)
    check_number(mean_s, "mean_service_s", low=0, low_open=True)
    if kind == "exponential":
        return rng.exponential(mean_s, n)
    if kind == "lognormal":
        mu = np.log(mean_s) - LOGNORMAL_SIGMA**2 / 2
        return rng.lognormal(mu, LOGNORMAL_SIGMA, n)
    return np.full(n, float(mean_s))


def uniform_draw(lo_hi: tuple[float, float], rng: np.random.Generator) -> float:
    """One draw from ``U(lo, hi)`` (``lo`` itself when the range is a point), in the range's unit."""
    lo, hi = lo_hi
    return float(lo) if hi <= lo else float(rng.uniform(lo, hi))
