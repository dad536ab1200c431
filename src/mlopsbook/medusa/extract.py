"""Read the profile fields a question states, in the words engineers use.

Rates ("50 req/s", "2M requests a month", "3,000 calls per hour", "120 rps"), peaks ("spikes to 400 req/s"),
traffic words ("nights and weekends idle", "24/7", "spiky", "a few times a day"), GPU needs ("needs a GPU",
"CPU only", "can run on either"), sizes ("model is 1.2 GB", "needs 3 GB of RAM"), latencies ("40 ms per request",
"p99 under 300 ms") and payloads ("2 MB payloads"). Returns only what the question says; nothing is guessed.
"""

from __future__ import annotations

import re
from typing import Any

_NUM = r"(\d+(?:[.,]\d+)*)\s*(k|m|million|thousand|billion)?"
_UNIT_MULT = {None: 1.0, "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "billion": 1e9}
_PER = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600, "day": 86400,
        "week": 7 * 86400, "month": 2_628_000, "mo": 2_628_000}
_RATE = re.compile(
    _NUM + r"\s*(?:req(?:uest)?s?|calls?|queries|documents?|docs?|predictions?|inferences?|invocations?|hits?|"
    r"events?|messages?|images?|texts?)?\s*(?:/|per|an?|each|every)\s*(s|sec|second|min|minute|hr|h|hour|day|week|month|mo)\b",
    re.I)
_RPS = re.compile(_NUM + r"\s*(?:rps|qps|req/s|tps)\b", re.I)
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib|kb|g|m)\b", re.I)
_MS = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|seconds?)\b", re.I)

PATTERN_WORDS: tuple[tuple[str, str], ...] = (
    (r"business hours|office hours|working hours|9[- ]to[- ]5|nine to five|weekdays only|nights and weekends|"
     r"idle (?:at|over) (?:night|the weekend)|only during the (?:work ?)?day|workday", "business-hours"),
    (r"\bspik(?:y|es?)\b|\bburst(?:s|y)?\b|flash sale|sudden peaks|unpredictable", "bursty"),
    (r"daily cycle|day/night|diurnal|busy afternoons|peaks? in the afternoon|quiet at night|follows the sun", "diurnal"),
    (r"\brarely\b|a few times a (?:day|week)|occasional(?:ly)?|sporadic|once an hour|now and then|ad[- ]hoc|"
     r"mostly idle|a handful of", "rare"),
    (r"24/7|around the clock|round the clock|constant|steady|continuous(?:ly)?|all day and night|flat traffic", "steady"),
)
GPU_WORDS: tuple[tuple[str, str], ...] = (
    (r"(?:no|without a|don't need a|doesn't need a|does not need a|not need a) gpu|cpu[- ]only|on cpus?\b|"
     r"scikit|sklearn|spacy|xgboost|lightgbm|logistic regression|tf-?idf|not optimi[sz]ed for gpu", "no"),
    (r"either (?:cpu|gpu)|cpu or gpu|gpu (?:is )?optional|could use a gpu|runs? on cpu too|faster on a gpu", "optional"),
    (r"needs? an? gpu|requires? an? gpu|gpu[- ]only|\bcuda\b|must run on (?:a )?gpu|on gpus\b|llm|diffusion|"
     r"(?:7|13|70)b\b|stable diffusion|large language model", "required"),
)


def _num(s: str, mult: str | None) -> float:
    return float(s.replace(",", "")) * _UNIT_MULT[mult.lower() if mult else None]


def _near(text: str, start: int, end: int, words: str, span: int = 40) -> bool:
    return re.search(words, text[max(0, start - span):end + span], re.I) is not None


def _after(text: str, end: int, words: str, span: int = 18) -> bool:
    return re.search(words, text[end:end + span], re.I) is not None


def _before(text: str, start: int, words: str, span: int = 25) -> bool:
    return re.search(words, text[max(0, start - span):start], re.I) is not None


def extract(question: str) -> dict[str, Any]:
    """The profile fields ``question`` states (a subset of the profile's fields), plus ``rate_is_busy`` when a rate
    was stated for the busy period only (e.g. "during business hours")."""
    q = question.replace("’", "'")
    out: dict[str, Any] = {}
    low = q.lower()
    for words, pattern in PATTERN_WORDS:
        if re.search(words, low):
            out["traffic_pattern"] = pattern
            break
    for words, need in GPU_WORDS:
        if re.search(words, low):
            out["gpu"] = need
            break
    rates: list[tuple[float, int, int]] = []
    monthly: set[int] = set()
    for m in _RATE.finditer(q):
        per = _PER[m.group(3).lower()]
        if per >= 86400:
            monthly.add(m.start())
        rates.append((_num(m.group(1), m.group(2)) / per, m.start(), m.end()))
    for m in _RPS.finditer(q):
        rates.append((_num(m.group(1), m.group(2)), m.start(), m.end()))
    for rate, a, b in sorted(rates, key=lambda r: r[1]):
        if _before(q, a, r"peak\w*|spikes? (?:to|of|up to)|bursts? (?:to|of|up to)|at most|max(?:imum)?|up to|"
                         r"top(?:s)? out at|hits?"):
            out.setdefault("peak_rps", rate)
        else:
            out.setdefault("mean_rps", rate)
            if a not in monthly and _near(q, a, b, r"during (?:business|office|working) hours|in office hours|when (?:it'?s )?(?:active|busy)|"
                               r"during the (?:work ?)?day|while active", 45):
                out["rate_is_busy"] = True
    for m in _SIZE.finditer(q):
        v, unit = float(m.group(1)), m.group(2).lower()
        mb = v * 1024 if unit in ("gb", "gib", "g") else v / 1024 if unit == "kb" else v
        a, b = m.start(), m.end()
        kinds = ((r"payload|request bod|bodies|body|input|uploads?|documents?|files?|pdfs?|requests? of", "payload_kb"),
                 (r"\bram\b|memory|heap|resident", "memory_mb"),
                 (r"model|artifact|image|package|weights|checkpoint|zip|container|bundle|wheel", "artifact_mb"))
        kind = next((k for w, k in kinds if _after(q, b, w)), None) or next(
            (k for w, k in kinds if _before(q, a, w, 30)), None)
        if kind == "payload_kb":
            out.setdefault("payload_kb", mb * 1024)
        elif kind is not None:
            out.setdefault(kind, mb)
    for m in _MS.finditer(q):
        v = float(m.group(1)) * (1 if m.group(2).lower().startswith("m") else 1000)
        a, b = m.start(), m.end()
        if _after(q, b, r"per (?:request|call|document|doc|prediction|image|item)|of inference|to (?:run|score|predict)|each|on (?:one|a) (?:cpu|core|vcpu)"):
            out.setdefault("model_latency_ms", v)
        elif _before(q, a, r"p9\d\w*|slo|sla|under|within|below|at most|respond|budget|target|less than|latency of"):
            out.setdefault("latency_slo_ms", v)
        elif _before(q, a, r"takes|inference|runs? in|latency|predicts? in|scores? in"):
            out.setdefault("model_latency_ms", v)
    return out
