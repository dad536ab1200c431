"""Traffic patterns: how many requests per second a service receives, hour by hour, over a month.

One module for every consumer: the cost model (:mod:`mlopsbook.costs.model`) reads monthly totals and the hourly load
profile; the simulator draws a non-homogeneous Poisson process from :meth:`Workload.rate_rps`.

Time grid
---------
Time ``t`` is in seconds from **Monday 00:00** (the service's local time). A billing month is
:data:`HOURS_PER_MONTH` = 730 h (AWS's convention: 8,760 h / 12), so ``horizon="month"`` is 730 h, ``"week"`` 168 h
and ``"day"`` 24 h (the Monday). Internally every pattern is a piecewise-constant rate on one-minute slots
(:data:`RESOLUTION_S`) over the whole month, scaled so that its mean over the month is exactly ``mean_rps``.
A series at any step is the *exact* average rate over each step (the slot integral), so expected request counts agree
at every step: ``rate_rps(step_s).sum() * step_s`` equals the expected requests over the horizon.

Patterns (:class:`TrafficPattern`)
----------------------------------
``steady``
    the same rate 24/7.
``business-hours``
    traffic only on weekdays from 09:00 to 18:00 (45 h of each 168 h week), nothing at night or at weekends.
``diurnal``
    a daily cosine with its maximum at 14:00 and its minimum at 02:00, every day of the week; ``peak_rps`` sets the
    amplitude (``peak_rps`` between ``mean_rps`` and ``2 * mean_rps``; default ``2 * mean_rps``, a trough near zero).
    730 h is not a whole number of days, so the amplitude is set so that the month's mean is exactly ``mean_rps``
    and the top of the curve is ``peak_rps``.
``bursty``
    a constant base with spikes at ``peak_rps`` (default ``10 * mean_rps``) lasting ``burst_duration_s`` (default
    300 s), placed at random (seeded) so that spikes fill ``burst_fraction`` of the month (default 2%).
``rare``
    mostly idle: traffic only in ``active_fraction`` of the hours (default 2%, picked at random, seeded), evenly spread
    within each active hour.

The defaults of the shape parameters (``burst_fraction``, ``active_fraction``, ...) are illustrations of each shape,
not measurements of any real service: pass your own.

>>> w = Workload("business-hours", mean_rps=1.0)
>>> round(w.requests_per_month)
2628000
>>> round(w.active_hour_fraction, 3)
0.273
>>> round(w.peak_rps, 2)
3.67
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Literal

import numpy as np

from mlopsbook.errors import MlopsbookError
from mlopsbook.validation import check_choice, check_number

HOURS_PER_MONTH = 730.0
"""Hours in a billing month (8,760 h / 12)."""
SECONDS_PER_HOUR = 3600
SECONDS_PER_MONTH = int(HOURS_PER_MONTH * SECONDS_PER_HOUR)
"""Seconds in a 730 h billing month (2,628,000 s)."""
RESOLUTION_S = 60
"""Width of the slots on which patterns are defined (s)."""

HORIZON_S: dict[str, int] = {"day": 24 * 3600, "week": 168 * 3600, "month": SECONDS_PER_MONTH}
"""The horizons a series can span, in seconds from Monday 00:00."""

Horizon = Literal["day", "week", "month"]

BUSINESS_HOURS_START_H = 9
BUSINESS_HOURS_END_H = 18
DIURNAL_PEAK_HOUR = 14.0


class TrafficPattern(str, Enum):
    """The shapes of traffic the book compares (values are the names used by the CLI and in tables)."""

    STEADY = "steady"
    BUSINESS_HOURS = "business-hours"
    DIURNAL = "diurnal"
    BURSTY = "bursty"
    RARE = "rare"


PATTERNS: tuple[str, ...] = tuple(p.value for p in TrafficPattern)


def _slot_starts_s() -> np.ndarray:
    return np.arange(SECONDS_PER_MONTH // RESOLUTION_S, dtype=np.int64) * RESOLUTION_S


@dataclass(frozen=True)
class Workload:
    """A service's traffic: a pattern scaled to a monthly mean request rate.

    Parameters
    ----------
    pattern:
        a :class:`TrafficPattern` or its name (``"steady"``, ``"business-hours"``, ``"diurnal"``, ``"bursty"``,
        ``"rare"``).
    mean_rps:
        the mean request rate over the 730 h month, in requests per second (>= 0).
    peak_rps:
        the highest rate, for ``diurnal`` (``mean_rps`` <= peak <= ``2 * mean_rps``) and ``bursty`` (the spikes'
        rate, > ``mean_rps``, and ``peak_rps * burst_fraction <= mean_rps`` so the base is not negative). ``None``
        takes the pattern's default. The other patterns' peak follows from their shape (``steady``: the mean;
        ``business-hours`` and ``rare``: the rate inside active hours), so they accept only ``None`` (or that same
        value). After construction the field always holds the pattern's peak rate in req/s.
    burst_fraction, burst_duration_s:
        ``bursty`` only: share of the month spent in spikes (0 < f < 1) and the length of one spike (s, a multiple
        of 60).
    active_fraction:
        ``rare`` only: share of the month's hours that see traffic (0 < f <= 1).
    seed:
        seeds the placement of spikes (``bursty``) and of active hours (``rare``): the same seed, the same series.
    """

    pattern: TrafficPattern | str
    mean_rps: float
    peak_rps: float | None = None
    burst_fraction: float = 0.02
    burst_duration_s: int = 300
    active_fraction: float = 0.02
    seed: int = 0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "pattern", TrafficPattern(self.pattern))
        except ValueError:
            raise MlopsbookError(f"pattern: must be one of {', '.join(PATTERNS)} (got {self.pattern!r})") from None
        check_number(self.mean_rps, "mean_rps", low=0)
        object.__setattr__(self, "mean_rps", float(self.mean_rps))
        p = self.pattern
        if self.peak_rps is not None:
            check_number(self.peak_rps, "peak_rps", low=0)
        if p is TrafficPattern.BURSTY:
            check_number(self.burst_fraction, "burst_fraction", low=0, high=1, low_open=True, high_open=True)
            if self.burst_duration_s <= 0 or self.burst_duration_s % RESOLUTION_S:
                raise MlopsbookError(
                    f"burst_duration_s: must be a positive multiple of {RESOLUTION_S} s (got {self.burst_duration_s!r})"
                )
            if self.burst_duration_s > SECONDS_PER_MONTH * self.burst_fraction:
                raise MlopsbookError(
                    f"burst_duration_s: one spike ({self.burst_duration_s} s) is longer than burst_fraction of the "
                    f"month ({SECONDS_PER_MONTH * self.burst_fraction:g} s)"
                )
        if p is TrafficPattern.RARE:
            check_number(self.active_fraction, "active_fraction", low=0, high=1, low_open=True)
        m = self.mean_rps
        if p is TrafficPattern.DIURNAL:
            if self.peak_rps is None:
                object.__setattr__(self, "peak_rps", 2.0 * m)
            elif not (m * (1 - 1e-9) <= self.peak_rps <= 2 * m * (1 + 1e-9)):
                raise MlopsbookError(
                    f"peak_rps: for diurnal traffic must be between mean_rps and 2 x mean_rps "
                    f"({m:g}..{2 * m:g}, got {self.peak_rps:g})"
                )
        elif p is TrafficPattern.BURSTY:
            if self.peak_rps is None:
                object.__setattr__(self, "peak_rps", 10.0 * m)
            elif m > 0 and self.peak_rps <= m:
                raise MlopsbookError(f"peak_rps: for bursty traffic must exceed mean_rps ({m:g}, got {self.peak_rps:g})")
            elif m == 0 and self.peak_rps != 0:
                raise MlopsbookError(f"peak_rps: must be 0 when mean_rps is 0 (got {self.peak_rps:g})")
            if self.peak_rps * self._burst_share > m * (1 + 1e-9):
                raise MlopsbookError(
                    f"peak_rps: spikes of {self.peak_rps:g} req/s over {self._burst_share:g} of the month exceed the "
                    f"mean of {m:g} req/s (need peak_rps * burst_fraction <= mean_rps)"
                )
        else:
            implied = float(self._slot_rate_rps.max())
            if self.peak_rps is None:
                object.__setattr__(self, "peak_rps", implied)
            elif abs(self.peak_rps - implied) > 1e-9 * max(implied, 1e-300):
                raise MlopsbookError(
                    f"peak_rps: a {p.value} pattern's peak follows from its shape ({implied:g} req/s at mean_rps "
                    f"{m:g}); pass None (got {self.peak_rps:g})"
                )
        object.__setattr__(self, "peak_rps", float(self.peak_rps))

    @cached_property
    def _burst_windows(self) -> np.ndarray:
        """Indices of the spike windows (each ``burst_duration_s`` long) of a bursty pattern, seeded."""
        n = SECONDS_PER_MONTH // RESOLUTION_S
        slots_per_burst = self.burst_duration_s // RESOLUTION_S
        n_windows = n // slots_per_burst
        n_bursts = max(1, int(round(self.burst_fraction * n / slots_per_burst)))
        rng = np.random.default_rng(self.seed)
        return np.sort(rng.choice(n_windows, size=n_bursts, replace=False))

    @property
    def _burst_share(self) -> float:
        """The share of the month actually in spikes (``burst_fraction`` rounded to whole spikes)."""
        return len(self._burst_windows) * self.burst_duration_s / SECONDS_PER_MONTH

    # -- the shape -------------------------------------------------------------------------------------------------
    @cached_property
    def _slot_rate_rps(self) -> np.ndarray:
        """The rate on each one-minute slot of the month (req/s), with mean exactly ``mean_rps``."""
        n = SECONDS_PER_MONTH // RESOLUTION_S
        if self.mean_rps == 0:
            return np.zeros(n)
        t = _slot_starts_s()
        p = self.pattern
        if p is TrafficPattern.STEADY:
            shape = np.ones(n)
        elif p is TrafficPattern.BUSINESS_HOURS:
            day = (t // 86400) % 7  # 0 = Monday
            hour = (t % 86400) / 3600
            shape = ((day < 5) & (hour >= BUSINESS_HOURS_START_H) & (hour < BUSINESS_HOURS_END_H)).astype(float)
        elif p is TrafficPattern.DIURNAL:
            # exact mean of cos(2 pi (t - 14 h) / 24 h) over each slot (its integral divided by the slot width)
            w = 2 * np.pi / 86400
            a0 = (t - DIURNAL_PEAK_HOUR * 3600) * w
            a1 = a0 + RESOLUTION_S * w
            cos_mean = (np.sin(a1) - np.sin(a0)) / (RESOLUTION_S * w)
            # 730 h is not a whole number of days, so the cosine's monthly mean c is not 0: pick the amplitude so
            # that, after scaling to the monthly mean, the top of the curve is peak_rps: (1 + a) / (1 + a c) = r.
            r = self.peak_rps / self.mean_rps
            c = float(cos_mean.mean())
            amplitude = (r - 1.0) / (1.0 - r * c)
            shape = 1.0 + amplitude * cos_mean
        elif p is TrafficPattern.BURSTY:
            slots_per_burst = self.burst_duration_s // RESOLUTION_S
            in_burst = np.zeros(n, dtype=bool)
            starts = self._burst_windows * slots_per_burst
            for k in range(slots_per_burst):
                in_burst[starts + k] = True
            f = self._burst_share
            base = max(0.0, (self.mean_rps - self.peak_rps * f) / (1 - f))
            return np.where(in_burst, self.peak_rps, base)
        else:  # RARE
            n_hours = int(HOURS_PER_MONTH)
            n_active = max(1, int(round(self.active_fraction * n_hours)))
            rng = np.random.default_rng(self.seed)
            hours = np.zeros(n_hours, dtype=bool)
            hours[rng.choice(n_hours, size=n_active, replace=False)] = True
            shape = np.repeat(hours, 3600 // RESOLUTION_S)[:n].astype(float)
        return shape * (self.mean_rps / shape.mean())

    @cached_property
    def _cumulative_requests(self) -> np.ndarray:
        """Expected requests from t = 0 to each slot boundary (length n_slots + 1)."""
        return np.concatenate([[0.0], np.cumsum(self._slot_rate_rps * RESOLUTION_S)])

    # -- series ----------------------------------------------------------------------------------------------------
    def time_s(self, step_s: int = 60, horizon: Horizon = "month") -> np.ndarray:
        """Start of each step of :meth:`rate_rps` (seconds from Monday 00:00)."""
        return np.arange(_n_steps(step_s, horizon), dtype=np.int64) * int(step_s)

    def rate_rps(self, step_s: int = 60, horizon: Horizon = "month") -> np.ndarray:
        """The mean request rate (req/s) in each step of ``step_s`` seconds over ``horizon``.

        ``step_s`` must be a positive integer that divides the horizon (``"day"``, ``"week"`` or ``"month"``). Each
        value is the exact average of the pattern over its step, so ``rate_rps(s).sum() * s`` is the expected number
        of requests in the horizon whatever the step. To simulate arrivals, draw a Poisson count per step
        (``rng.poisson(rate * step_s)``) or thin a homogeneous process at ``rate.max()``.
        """
        n = _n_steps(step_s, horizon)
        edges_s = np.arange(n + 1, dtype=np.float64) * step_s
        slot_edges_s = np.arange(len(self._cumulative_requests), dtype=np.float64) * RESOLUTION_S
        cum = np.interp(edges_s, slot_edges_s, self._cumulative_requests)
        return np.diff(cum) / step_s

    def expected_requests(self, step_s: int = 60, horizon: Horizon = "month") -> np.ndarray:
        """Expected requests in each step (``rate_rps * step_s``)."""
        return self.rate_rps(step_s, horizon) * step_s

    def arrival_times_s(self, seed: int = 0, horizon: Horizon = "day", step_s: int = RESOLUTION_S) -> np.ndarray:
        """Request arrival times (s from Monday 00:00, sorted): a non-homogeneous Poisson process with this rate.

        Exact for the piecewise-constant rate on ``step_s`` steps: a Poisson count per step with mean
        ``rate * step_s``, placed uniformly within the step. Seeded by ``seed`` (independent of the pattern's seed).
        """
        rate = self.rate_rps(step_s, horizon)
        rng = np.random.default_rng(seed)
        counts = rng.poisson(rate * step_s)
        starts = np.repeat(np.arange(len(rate), dtype=float) * step_s, counts)
        return np.sort(starts + rng.uniform(0.0, step_s, size=starts.size))

    def hourly_peak_rps(self) -> np.ndarray:
        """For each of the 730 hours of the month, the highest one-minute rate in that hour (req/s).

        This is what an hourly-scaled fleet must be sized for: capacity follows the busiest minute of each hour.
        """
        per_hour = 3600 // RESOLUTION_S
        return self._slot_rate_rps.reshape(int(HOURS_PER_MONTH), per_hour).max(axis=1)

    def load_profile(self) -> tuple[np.ndarray, np.ndarray]:
        """The month's hourly peaks as a load-duration table: ``(level, hours)``.

        ``level`` holds the distinct hourly peak rates **relative to mean_rps** (dimensionless, ascending) and
        ``hours`` how many of the 730 hours have each level. Costs of always-on fleets are sums over this table, which
        is short (1 level for steady, 2 for business hours, 24 or so for diurnal) and therefore cheap to vectorise
        over many traffic levels. For ``mean_rps == 0`` the table is ``([0], [730])``.
        """
        peaks = self.hourly_peak_rps()
        if self.mean_rps == 0:
            return np.array([0.0]), np.array([HOURS_PER_MONTH])
        rel = np.round(peaks / self.mean_rps, 9)
        level, hours = np.unique(rel, return_counts=True)
        return level, hours.astype(float)

    # -- summaries -------------------------------------------------------------------------------------------------
    @property
    def requests_per_month(self) -> float:
        """Expected requests in the 730 h month (``mean_rps * 2,628,000``)."""
        return self.mean_rps * SECONDS_PER_MONTH

    @property
    def busy_hour_rps(self) -> float:
        """The mean request rate of the month's busiest clock hour (req/s).

        The one meaning of "busy" in the book: for business-hours traffic the rate during office hours, for steady
        traffic the mean, for a daily cycle the top hour's mean, for bursts the hour holding the most spike minutes.
        Every sentence that says "req/s in the busiest hour" or "sustained during business hours" takes this value
        (through :meth:`rates`).
        """
        return float(self.rate_rps(SECONDS_PER_HOUR).max())

    def rates(self, mean_rps: float | None = None) -> "TrafficRates":
        """The three figures a reader is told about this traffic (at ``mean_rps`` if given, the same shape)."""
        w = self if mean_rps is None else self.scaled(float(mean_rps))
        return TrafficRates(w.mean_rps, w.busy_hour_rps, w.requests_per_month)

    @classmethod
    def from_requests_per_month(cls, pattern: TrafficPattern | str, requests_per_month: float, **shape: float) -> "Workload":
        """A workload of ``pattern`` that receives ``requests_per_month`` requests in the 730 h month."""
        check_number(requests_per_month, "requests_per_month", low=0)
        return cls(pattern, float(requests_per_month) / SECONDS_PER_MONTH, **shape)  # type: ignore[arg-type]

    @property
    def active_hour_fraction(self) -> float:
        """Share of the month's 730 hours with any traffic (0..1); 1.0 means the service is busy 24/7."""
        return float((self.hourly_peak_rps() > 0).mean())

    @property
    def hours_active_per_month(self) -> float:
        """Hours of the month with any traffic."""
        return self.active_hour_fraction * HOURS_PER_MONTH

    def scaled(self, mean_rps: float) -> "Workload":
        """The same shape (and seed) at another mean rate."""
        from dataclasses import replace

        if self.mean_rps > 0:
            return replace(self, mean_rps=mean_rps, peak_rps=self.peak_rps * mean_rps / self.mean_rps)
        return replace(self, mean_rps=mean_rps, peak_rps=None)


@dataclass(frozen=True)
class TrafficRates:
    """One traffic level stated three ways, computed one way (:meth:`Workload.rates`): ``mean_rps`` over the 730 h
    month, ``busy_hour_rps`` in the busiest clock hour (:attr:`Workload.busy_hour_rps`) and ``requests_per_month``
    (``mean_rps * 2,628,000``). Cost curves, break-even tables, verdicts and the decision engine's flip point all
    report a rate through this, so one crossing reads the same wherever it appears."""

    mean_rps: float
    busy_hour_rps: float
    requests_per_month: float

    def phrase(self, pattern: TrafficPattern | str) -> str:
        """``'120 req/s sustained during business hours (33 req/s on average, 86 million requests a month)'``."""
        from mlopsbook import formatting as fmt

        p = TrafficPattern(pattern)
        if p is TrafficPattern.STEADY:
            return f"{fmt.rate(self.mean_rps)} around the clock ({fmt.count(self.requests_per_month)} requests a month)"
        where = "sustained during business hours" if p is TrafficPattern.BUSINESS_HOURS else "in the busiest hour"
        return (f"{fmt.rate(self.busy_hour_rps)} {where} ({fmt.rate(self.mean_rps)} on average, "
                f"{fmt.count(self.requests_per_month)} requests a month)")


def _n_steps(step_s: int, horizon: str) -> int:
    check_choice(horizon, "horizon", HORIZON_S)
    if isinstance(step_s, bool) or int(step_s) != step_s or step_s <= 0:
        raise MlopsbookError(f"step_s: must be a positive whole number of seconds (got {step_s!r})")
    total = HORIZON_S[horizon]
    if total % int(step_s):
        raise MlopsbookError(f"step_s: must divide the {horizon} ({total} s) exactly (got {step_s})")
    return total // int(step_s)
