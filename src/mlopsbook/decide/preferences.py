"""What the person asking prefers, as the ranking's criterion and constraints (``decide(profile, preferences=...)``).

``objective``
    ``cost`` (the cheapest platform first) or ``latency`` (the lowest simulated p99 first, cost breaking ties).
``slo_stated``
    whether ``latency_slo_ms`` was stated. A stated SLO is a constraint: platforms that miss it come last. An assumed
    one never reorders the ranking; the answer names the SLO that would change it.
``no_cold_starts``
    a constraint: platforms that start an instance on the request path (Lambda without provisioned concurrency,
    SageMaker Serverless) are ruled out by it.
``scale_to_zero``
    a wish that nothing runs (and is billed) while idle: when a pay-per-use platform is within the limits, the
    always-on ones are ruled out by it; otherwise it cannot be met and rules nothing out (the answer says so).
``slo_ms``
    the stated p99 target (ms), when there is one: a target below a cold start rules out the platforms that start an
    instance on the request path, as "no cold starts" does.
``max_monthly_usd``
    a budget: platforms that cost more a month are ruled out by it.

Without preferences (``None``) the engine ranks as the decision page does: platforms that meet the profile's SLO
first, cheapest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlopsbook.errors import MlopsbookError
from mlopsbook.validation import check_choice, check_number

OBJECTIVES: tuple[str, ...] = ("cost", "latency")


class PreferenceError(MlopsbookError):
    """An invalid preference; the message names it."""


@dataclass(frozen=True)
class Preferences:
    """Stated criterion and constraints (see the module docstring)."""

    objective: str = "cost"
    slo_stated: bool = True
    no_cold_starts: bool = False
    max_monthly_usd: float | None = None
    scale_to_zero: bool = False
    slo_ms: float | None = None

    def __post_init__(self) -> None:
        check_choice(self.objective, "objective", OBJECTIVES, error=PreferenceError)
        if self.max_monthly_usd is not None:
            check_number(self.max_monthly_usd, "max_monthly_usd", low=0.0, low_open=True, error=PreferenceError)
        if self.slo_ms is not None:
            check_number(self.slo_ms, "slo_ms", low=0.0, low_open=True, error=PreferenceError)

    @property
    def stated(self) -> list[str]:
        """The preferences in words, for an answer."""
        out = []
        if self.objective == "latency":
            out.append("lowest latency")
        if self.no_cold_starts:
            out.append("no cold starts")
        if self.scale_to_zero:
            out.append("scale to zero when idle")
        if self.max_monthly_usd is not None:
            out.append(f"at most ${self.max_monthly_usd:,.0f} a month")
        return out
