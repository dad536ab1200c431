"""Fill a profile from what a question states, find the missing fields that would change the answer, and hold the
terminal conversation.

Missing fields get the values in :data:`ASSUMED` (stated in every answer as assumptions). A missing field is asked
for when one of its alternatives (:data:`ALTERNATIVES`) changes the recommendation of the quick (cost and limits)
ranking: only questions whose answer matters are asked.
"""

from __future__ import annotations

from typing import Any, Callable, TextIO

from mlopsbook.decide.rank import decide
from mlopsbook.decide.profile import FIELDS, Profile
from mlopsbook.costs.traffic import Workload

ASSUMED: dict[str, Any] = {"traffic_pattern": "steady", "mean_rps": 1.0, "gpu": "no", "artifact_mb": 200.0,
                           "model_latency_ms": 50.0, "memory_mb": 1024.0, "latency_slo_ms": 1000.0, "payload_kb": 100.0}
"""Values used for fields a question does not state: ASSUMPTIONS, each reported in the answer (a light CPU model,
1 req/s steady, a 1 s p99 SLO), and checked for whether they could change the recommendation."""
ALTERNATIVES: dict[str, tuple[Any, ...]] = {
    "traffic_pattern": ("business-hours", "bursty", "rare"), "mean_rps": (0.05, 30.0, 600.0), "gpu": ("required",),
    "artifact_mb": (1000.0, 12000.0), "model_latency_ms": (5.0, 500.0), "memory_mb": (4096.0, 12000.0),
    "payload_kb": (5000.0, 8000.0), "latency_slo_ms": (),
}
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
    mean = float(data["mean_rps"])
    implied = float(Workload(pattern, mean).peak_rps)
    if "peak_rps" not in data or pattern in ("steady", "business-hours", "rare"):
        data["peak_rps"] = max(implied, float(data.get("peak_rps", implied)))
    if pattern == "diurnal":
        data["peak_rps"] = min(max(float(data["peak_rps"]), mean), 2 * mean)
    if pattern == "bursty":
        data["peak_rps"] = min(max(float(data["peak_rps"]), mean * 1.0001), mean / 0.02)
    return Profile.from_mapping(data), assumed


def questions_that_matter(profile: Profile, assumed: list[str]) -> list[str]:
    """The assumed fields whose alternatives change the (cost and limits) recommendation, most important first."""
    base = decide(profile, flip=False, simulate=False).recommendation
    out: list[str] = []
    for f in ("gpu", "mean_rps", "traffic_pattern", "memory_mb", "artifact_mb", "model_latency_ms", "payload_kb"):
        if f not in assumed:
            continue
        for alt in ALTERNATIVES[f]:
            change: dict[str, Any] = {f: alt}
            if f == "mean_rps":
                p = profile.scaled(alt)
            else:
                if f == "traffic_pattern":
                    change["peak_rps"] = float(Workload(alt, profile.mean_rps).peak_rps)
                p = profile.with_(**change)
            if decide(p, flip=False, simulate=False).recommendation != base:
                out.append(f)
                break
    return out


def converse(stdin: TextIO, stdout: TextIO, answer_fn: Callable[[str, dict[str, Any]], Any] | None = None) -> int:
    """The terminal conversation: read a question, answer it, ask for the missing fields that matter (the reply is
    read for fields too), answer again; ends on EOF or "quit"."""
    from mlopsbook.medusa.answer import answer as default_answer
    from mlopsbook.medusa.extract import extract

    fn = answer_fn or (lambda q, known: default_answer(q, known=known))
    print("Medusa: ask me where to deploy a model (\"quit\" to leave).", file=stdout)
    known: dict[str, Any] = {}
    asked: set[str] = set()
    text = ""
    while True:
        print("you> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip().lower() in ("quit", "exit", "q"):
            print("Medusa: bye.", file=stdout)
            return 0
        if not line.strip():
            continue
        known.update(extract(line))
        text = (text + " " + line.strip()).strip()
        a = fn(text, dict(known))
        print(a.to_text(), file=stdout)
        pending = [f for f in a.ask if f not in asked]
        if pending:
            asked.add(pending[0])
            print(f"Medusa: {QUESTIONS[pending[0]]}", file=stdout)
