"""Read the profile fields and the preferences a question states, each with the words it came from.

Quantities are found by :mod:`mlopsbook.medusa.quantities` (sizes, durations, rates, parameter counts, money); the
words around each one say which field it is:

- a size is the worker's ``memory_mb`` ("12 GB of RAM", "3008 MB of memory"), a ``payload_kb`` ("8 MB payloads",
  "5.9 MB per request", "upload 8 MB images", "return results of up to 25 MB") or the ``artifact_mb`` ("a 15 GB
  model", "the image is over 10 GB", "torch alone is 2.2 GB"); a parameter count is an artifact at its precision;
- a duration is the ``model_latency_ms`` ("takes 20 minutes", "90 seconds per request", "200 ms warm") or the
  ``latency_slo_ms`` ("p99 under 300 ms", "respond within 2 s");
- a rate is the mean (``mean_rps``) or, after "peaks of", "spikes to", "bursts of" or before "for 15 minutes",
  the ``peak_rps``; a rate stated "during office hours" is the busy-hours rate;
- words give the ``traffic_pattern`` ("office hours", "24/7", "spiky", "a few times a day", "nightly"), the ``gpu``
  need ("needs a GPU", "CUDA", "LLM", "CPU only", "scikit-learn") and the preferences ("cheapest", "lowest latency",
  "no cold starts", "must stay under $200 a month").

Quantities about a platform rather than the service ("Lambda's 250 MB limit", "SageMaker cuts it at 60 seconds", "a
60 s timeout", "cold starts of 15 s", "a 3-minute video") are not read as the service's. Nothing is guessed: a field
the question does not state is absent (:mod:`mlopsbook.medusa.assume` fills it, and says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mlopsbook.decide.preferences import Preferences
from mlopsbook.medusa.quantities import Quantity, find


@dataclass(frozen=True)
class Field:
    """One field read from a question: ``value`` (in the profile's unit), the ``words`` it came from and a ``note``
    on how they were read."""

    name: str
    value: Any
    words: str
    note: str = ""


@dataclass(frozen=True)
class Reading:
    """What a question states: profile ``fields`` (by name), ``rate_is_busy`` (the rate is the busy hours' rate) and
    the preference fields (``objective``, ``no_cold_starts``, ``max_monthly_usd``), each a :class:`Field`."""

    question: str
    fields: dict[str, Field] = field(default_factory=dict)
    preferences: dict[str, Field] = field(default_factory=dict)
    rate_is_busy: bool = False

    def values(self) -> dict[str, Any]:
        """Field values by name (preferences included; ``rate_is_busy`` when true)."""
        out = {k: f.value for k, f in self.fields.items()}
        out.update({k: f.value for k, f in self.preferences.items()})
        if self.rate_is_busy:
            out["rate_is_busy"] = True
        return out


PREFERENCE_FIELDS: tuple[str, ...] = ("objective", "no_cold_starts", "max_monthly_usd")

PATTERN_WORDS: tuple[tuple[str, str], ...] = (
    (r"business hours|office hours|working hours|9[- ]to[- ]5|nine to five|weekdays?(?: only)?\b|nights and weekends|"
     r"idle (?:at|over) (?:night|the weekend)|only during the (?:work ?)?day|workday", "business-hours"),
    (r"\bspik(?:y|es?)\b|\bburst(?:s|y)?\b|flash sale|sudden peaks|unpredictable|campaigns", "bursty"),
    (r"daily cycle|day/night|diurnal|busy afternoons|peaks? in the afternoon|quiet at night|follows the sun", "diurnal"),
    (r"\brarely\b|\brare\b|a few times an? (?:day|week|hour)|occasional(?:ly)?|sporadic|once an hour|now and then|"
     r"ad[- ]hoc|mostly idle|a handful of|intermittent|irregular|nightly|once a (?:day|night|week)|sits? (?:unused|idle)",
     "rare"),
    (r"24/7|around the clock|round the clock|constant|steady|continuous(?:ly)?|all day and night|flat traffic|always on",
     "steady"),
)
GPU_WORDS: tuple[tuple[str, str], ...] = (
    (r"(?:no|without a|don't need a|doesn't need a|does not need a|not need a) gpu|cpu[- ]only|on cpus?\b|"
     r"scikit|sklearn|spacy|xgboost|lightgbm|random forest|logistic regression|tf-?idf|not optimi[sz]ed for gpu|"
     r"llama\.cpp", "no"),
    (r"either (?:cpu|gpu)|cpu or gpu|gpu (?:is )?optional|could use a gpu|runs? on cpu too|faster on a gpu", "optional"),
    (r"needs? an? gpu|requires? an? gpu|gpu (?:is )?required|required gpu|gpu[- ]only|\bcuda\b|must run on (?:a )?gpus?|"
     r"on gpus?\b|uses? an? gpu|\bllms?\b|diffusion|large language model|on gpu instances", "required"),
)
COST_WORDS = (r"cheap(?:est|er|ly)?\b|lowest cost|least expensive|minimi[sz]e (?:the )?cost|cut (?:its |the |our )?cost|"
              r"reduce (?:its |the |our )?cost|cost[- ]efficient|save money|don'?t want to pay for (?:an )?idle|"
              r"lowest (?:monthly )?bill")
LATENCY_WORDS = (r"lowest latency|low latency|fastest|as fast as possible|latency[- ]sensitive|minimi[sz]e latency|"
                 r"need (?:it )?fast responses")
NO_COLD_WORDS = (r"no cold[- ]starts?|without cold[- ]starts?|avoid cold[- ]starts?|can'?t (?:afford|have|tolerate) cold|"
                 r"cold[- ]starts? (?:are|is) (?:not acceptable|unacceptable|a no-go)|never (?:be )?cold|always warm")
BUDGET_BEFORE = r"(?:under|below|at most|less than|within|max(?:imum)?|no more than|budget(?: is| of)?|cap(?:ped)? at|<)\W*$"

_PLATFORM_TALK = (r"(?:limit|lambda'?s?|sagemaker'?s?|fargate'?s?|endpoint|caps?|cuts?(?: it)?|stops?|maximum|max|quota|"
                  r"timeout|limited to|allows?|supports?)\W*(?:is|of|at|to|only)?\W*(?:about|around|only)?\W*$")
_LIMIT_AFTER = r"^\W{0,3}(?:\.?zip\s|package\s|unzipped\s|deployment\s)?(?:limit|cap|maximum|max\b|quota|timeout|limit of)"
_STORAGE_AFTER = r"^\W*(?:of\s)?(?:temp|/tmp|tmp|ephemeral|disk|storage|ssd)"
_MEMORY_AFTER = r"^\W*(?:of\s)?(?:ram|memory|heap|resident)"
_MEMORY_BEFORE = r"(?:\bram|memory|heap)\W*(?:of|is|:)?\W*$"
_PAYLOAD_AFTER = (r"^\W*(?:of\s)?(?:json\s|request\s|response\s|image\s|input\s)?(?:payloads?|bod(?:y|ies)|per request|"
                  r"per call|requests?\b|responses?|uploads?|inputs?|images? per|of (?:image )?data per request)")
_PAYLOAD_BEFORE = (r"(?:payloads?|bod(?:y|ies)|uploads?|upload|returns?|return (?:results|images|files) of|results of|"
                   r"responses?|sends?|carry|carries|inputs?)\W*(?:are|is|of|carry)?\W*(?:around|about|up to|of up to)?\W*$")
_ARTIFACT_AFTER = (r"^\W*(?:[\w.-]+\s){0,3}?(?:model|artifact|image|package|weights|checkpoint|zip|container|bundle|"
                   r"wheel|llamafile|uncompressed|unzipped|onnx|pickle|file)")
_ARTIFACT_BEFORE = (r"(?:model|image|package|weights|artifact|bundle|zip|checkpoint|container|torch|librar(?:y|ies)|"
                    r"dependencies|data|wheel|classifier|pipeline|ranker|regressor|encoder|transformer)\b[^.;]{0,28}$")
_MEDIA_AFTER = r"^[\s-]*(?:long\s)?(?:videos?|clips?|audio|recordings?|songs?|movies?|calls?|meetings?)\b"
_COLD_BEFORE = r"(?:cold[- ]?starts?|load(?:ing|s)?\b|start-?up|boot(?:s|ing)?)[^.;]{0,40}$"
_SLO_BEFORE = (r"(?:p9\d(?:\.\d)?|p50|\bslo|\bsla|latency(?: target| budget| requirement| goal)?|respon(?:d|se time|ses?)|"
               r"answers?|return|reply)\W*(?:(?:must|should|has to|needs? to|of|is|be|at|:)\W*)*(?:under|below|within|"
               r"in|at most|less than|<|of|is)?\W*(?:about|around)?\W*$")
_MODEL_AFTER = (r"^\W*(?:per\b|each\b|for (?:one|each|a|every)\b|to (?:run|score|predict|process|classify|answer|"
                r"transcribe|generate)|of (?:inference|processing|compute)|on (?:one|a) (?:cpu|core|vcpu)|warm\b)")
_MODEL_BEFORE = (r"(?:takes?|took|taking|needs?(?: up to)?|runs? (?:in|for)|inference|processing|process(?:es)?|"
                 r"predicts? in|scores? in|finish(?:es)?|complete[sd]?|answers? in|generat\w+|lasts?)\b[^.;]{0,25}$")
_PEAK_BEFORE = (r"(?:peak\w*|spik\w*|burst\w*|at most|max(?:imum)?|up to|tops? out|hits?|reach(?:es|ing)?)"
                r"(?:\s(?:to|of|up to|at|around|about|reaching|near))?\W*$")
_BUSY_NEAR = (r"during (?:business|office|working) hours|in office hours|when (?:it'?s )?(?:active|busy)|"
              r"during the (?:work ?)?day|while active|when busy")


def _before(text: str, q: Quantity, span: int = 40) -> str:
    return text[max(0, q.start - span):q.start].lower()


def _after(text: str, q: Quantity, span: int = 40) -> str:
    return text[q.end:q.end + span].lower()


def _about_platform(text: str, q: Quantity) -> bool:
    """The quantity is a platform's limit or setting, not the service's."""
    return bool(re.search(_PLATFORM_TALK, _before(text, q, 30)) or re.search(_LIMIT_AFTER, _after(text, q)))


def _size_field(text: str, q: Quantity) -> str | None:
    before, after = _before(text, q), _after(text, q)
    if _about_platform(text, q) or re.search(_STORAGE_AFTER, after):
        return None
    for pattern, name in ((_MEMORY_AFTER, "memory_mb"), (_PAYLOAD_AFTER, "payload_kb"), (_ARTIFACT_AFTER, "artifact_mb")):
        if re.search(pattern, after):
            return name
    for pattern, name in ((_MEMORY_BEFORE, "memory_mb"), (_PAYLOAD_BEFORE, "payload_kb"),
                          (_ARTIFACT_BEFORE, "artifact_mb")):
        if re.search(pattern, before):
            return name
    return None


def _duration_field(text: str, q: Quantity) -> str | None:
    before, after = _before(text, q, 60), _after(text, q)
    if _about_platform(text, q) or re.search(_MEDIA_AFTER, after) or re.search(r"\bfor\W*$", before):
        return None
    if re.search(_COLD_BEFORE, before) and not re.search(r"inference|per request|each request", before[-30:]):
        return None
    if re.search(_SLO_BEFORE, before[-35:]):
        return "latency_slo_ms"
    if re.search(_MODEL_AFTER, after) or re.search(_MODEL_BEFORE, before[-40:]):
        return "model_latency_ms"
    return None


def _words(text: str, q: Quantity, pad: int = 12) -> str:
    """The quantity's words with a little context, cut at word boundaries."""
    a = max(0, q.start - pad)
    b = min(len(text), q.end + pad)
    a = text.rfind(" ", 0, q.start - pad) + 1 if a > 0 else 0
    nxt = text.find(" ", b)
    b = len(text) if nxt < 0 else nxt
    return " ".join(text[a:b].split()).strip(" ,.;:")


def read(question: str) -> Reading:
    """Everything ``question`` states (see the module docstring)."""
    q = question.replace("’", "'")
    low = q.lower()
    fields: dict[str, Field] = {}
    prefs: dict[str, Field] = {}

    def put(name: str, value: Any, words: str, note: str = "") -> None:
        fields.setdefault(name, Field(name, value, words, note))

    for words, pattern in PATTERN_WORDS:
        m = re.search(words, low)
        if m:
            put("traffic_pattern", pattern, q[m.start():m.end()])
            break
    for words, need in GPU_WORDS:
        m = re.search(words, low)
        if m:
            put("gpu", need, q[m.start():m.end()])
            break
    quantities = find(q)
    busy = False
    for x in quantities:
        if x.kind == "money":
            if re.search(BUDGET_BEFORE, _before(q, x, 30)) or re.search(r"^\W*(?:a|per|/)\s?(?:month|mo)\b.{0,12}budget",
                                                                     _after(q, x)):
                prefs.setdefault("max_monthly_usd", Field("max_monthly_usd", x.value, _words(q, x), x.note))
        elif x.kind == "rate":
            after = _after(q, x, 30)
            if re.search(_PEAK_BEFORE, _before(q, x, 25)) or re.search(r"^\W*(?:for|lasting)\s(?:a few|\d+|several)", after):
                put("peak_rps", x.value, _words(q, x), x.note)
            elif "mean_rps" not in fields:
                put("mean_rps", x.value, _words(q, x), x.note)
                period_long = re.search(r"(?:day|week|month|mo|daily|weekly|monthly|nightly)\W*$", x.text.lower())
                if not period_long and re.search(_BUSY_NEAR, q[max(0, x.start - 45):x.end + 45].lower()):
                    busy = True
        elif x.kind == "size":
            name = _size_field(q, x)
            if name == "payload_kb":
                put(name, x.value * 1024, _words(q, x), x.note)
            elif name is not None:
                put(name, x.value, _words(q, x), x.note)
        elif x.kind == "duration":
            name = _duration_field(q, x)
            if name is not None:
                put(name, x.value, _words(q, x), x.note)
        elif x.kind == "params":
            put("artifact_mb", x.value, _words(q, x), "weights: " + x.note)
            if x.value * 2**20 / 2 >= 1e9 and "gpu" not in fields:  # >= 1B parameters at fp16
                put("gpu", "required", _words(q, x), "a model of a billion parameters or more: read as needing a GPU")
    for words, objective in ((COST_WORDS, "cost"), (LATENCY_WORDS, "latency")):
        m = re.search(words, low)
        if m:
            prefs.setdefault("objective", Field("objective", objective, q[m.start():m.end()]))
    m = re.search(NO_COLD_WORDS, low)
    if m:
        prefs["no_cold_starts"] = Field("no_cold_starts", True, q[m.start():m.end()])
    return Reading(question, fields, prefs, busy)


def extract(question: str) -> dict[str, Any]:
    """The values ``question`` states (profile fields, preference fields, and ``rate_is_busy`` when a rate was stated
    for the busy period only, e.g. "during business hours")."""
    return read(question).values()


def preferences(values: dict[str, Any]) -> Preferences:
    """The preferences stated in ``values`` (from :func:`extract`); the SLO counts as stated when it is there."""
    return Preferences(objective=values.get("objective", "cost"), slo_stated="latency_slo_ms" in values,
                       no_cold_starts=bool(values.get("no_cold_starts", False)),
                       max_monthly_usd=values.get("max_monthly_usd"))
