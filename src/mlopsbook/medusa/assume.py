"""Complete a profile from the fields a question states, and find which assumptions the answer rests on.

Missing fields get the values in :data:`ASSUMED` (each reported in the answer). Memory is at least the artifact's size
when only the artifact is stated (a model is loaded whole). An assumption *matters* when one of its alternatives
(:data:`ALTERNATIVES`) changes the recommendation of the quick (cost, limits and stated preferences) ranking; the
answer then names the value that would flip it, and the conversation asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlopsbook.costs.traffic import Workload
from mlopsbook.decide.preferences import Preferences
from mlopsbook.decide.profile import FIELDS, UNITS, Profile
from mlopsbook.decide.rank import decide

ASSUMED: dict[str, Any] = {"traffic_pattern": "steady", "mean_rps": 1.0, "gpu": "no", "artifact_mb": 200.0,
                           "model_latency_ms": 50.0, "memory_mb": 1024.0, "latency_slo_ms": 1000.0, "payload_kb": 100.0}
"""Values used for fields a question does not state: ASSUMPTIONS, each reported in the answer (a light CPU model,
1 req/s steady, a 1 s p99 SLO), and checked for whether they could change the recommendation."""
ALTERNATIVES: dict[str, tuple[Any, ...]] = {
    "gpu": ("required",), "mean_rps": (0.05, 30.0, 600.0), "traffic_pattern": ("business-hours", "bursty", "rare"),
    "memory_mb": (4096.0, 12000.0), "artifact_mb": (1000.0, 12000.0), "model_latency_ms": (5.0, 500.0, 1_200_000.0),
    "payload_kb": (5000.0, 8000.0),
}
"""Values each assumed field is tried at (in this order) to see whether the answer rests on it."""
QUESTIONS: dict[str, str] = {
    "traffic_pattern": "What does the traffic look like: steady 24/7, business hours only, a daily cycle, bursts, or rare?",
    "mean_rps": "How many requests does it get (e.g. '2M requests a month' or '20 req/s')?",
    "peak_rps": "What is the peak rate (req/s)?",
    "gpu": "Does the model need a GPU, could it use one, or is it CPU only?",
    "artifact_mb": "How big is the model artifact, unzipped (MB or GB)?",
    "model_latency_ms": "How long does one request take on one CPU core (ms)?",
    "memory_mb": "How much memory does one worker need (MB or GB)?",
    "latency_slo_ms": "What p99 latency must it meet (ms)?",
    "payload_kb": "How large is the largest request or response (KB or MB)?",
}


@dataclass(frozen=True)
class Flip:
    """An assumption the answer rests on: were ``field`` ``value`` instead of the assumed one, ``platform`` would be
    recommended."""

    field: str
    value: Any
    platform: str

    def sentence(self, labels: dict[str, str]) -> str:
        v = self.value
        shown = f"{number(v)} {UNITS.get(self.field, '')}".strip() if isinstance(v, float) else str(v)
        return f"{self.field} = {shown} would make it {labels.get(self.platform, self.platform)}"


def number(x: float) -> str:
    """A value for a sentence: thousands separated above 100, three significant figures below, never e-notation."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}" if abs(x) >= 0.001 else f"{x:.2e}"


def complete(stated: dict[str, Any]) -> tuple[Profile, list[str]]:
    """A full profile from the stated fields (missing ones assumed) and the list of assumed field names."""
    data = {k: v for k, v in stated.items() if k in FIELDS}
    pattern = data.get("traffic_pattern", ASSUMED["traffic_pattern"])
    shape = Workload(pattern, 1.0)
    if "mean_rps" in data and stated.get("rate_is_busy") and pattern in ("business-hours", "rare"):
        data["mean_rps"] = data["mean_rps"] / shape.peak_rps
    if "mean_rps" not in data and "peak_rps" in data:
        if pattern == "bursty":
            data["mean_rps"] = data["peak_rps"] / 10.0  # traffic's default: spikes at 10 x the mean
        elif pattern == "diurnal":
            data["mean_rps"] = data["peak_rps"] / 2.0
        else:
            data["mean_rps"] = data["peak_rps"] / shape.peak_rps
    assumed = [f for f in FIELDS if f not in data and f != "peak_rps"]
    for f in assumed:
        data[f] = ASSUMED[f]
    if "memory_mb" in assumed and "artifact_mb" not in assumed:
        data["memory_mb"] = max(float(ASSUMED["memory_mb"]), float(data["artifact_mb"]))
    mean = float(data["mean_rps"])
    implied = float(Workload(pattern, mean).peak_rps)
    if "peak_rps" not in data or pattern in ("steady", "business-hours", "rare"):
        data["peak_rps"] = max(implied, float(data.get("peak_rps", implied)))
    if pattern == "diurnal":
        data["peak_rps"] = min(max(float(data["peak_rps"]), mean), 2 * mean)
    if pattern == "bursty":
        data["peak_rps"] = min(max(float(data["peak_rps"]), mean * 1.0001), mean / 0.02)
    return Profile.from_mapping(data), assumed


def _variant(profile: Profile, field: str, alt: Any) -> Profile:
    if field == "mean_rps":
        return profile.scaled(alt)
    change: dict[str, Any] = {field: alt}
    if field == "traffic_pattern":
        change["peak_rps"] = float(Workload(alt, profile.mean_rps).peak_rps)
    return profile.with_(**change)


def flips(profile: Profile, assumed: list[str], preferences: Preferences | None = None) -> list[Flip]:
    """For each assumed field (most important first), the first alternative value that changes the quick
    recommendation, if any."""
    base = decide(profile, preferences=preferences, flip=False, simulate=False).recommendation
    out: list[Flip] = []
    for f in ("gpu", "mean_rps", "traffic_pattern", "memory_mb", "artifact_mb", "model_latency_ms", "payload_kb"):
        if f not in assumed:
            continue
        for alt in ALTERNATIVES[f]:
            rec = decide(_variant(profile, f, alt), preferences=preferences, flip=False, simulate=False).recommendation
            if rec != base:
                out.append(Flip(f, alt, rec))
                break
    return out


def questions_that_matter(profile: Profile, assumed: list[str], preferences: Preferences | None = None) -> list[str]:
    """The assumed fields whose alternatives change the (cost, limits and preferences) recommendation."""
    return [x.field for x in flips(profile, assumed, preferences)]
