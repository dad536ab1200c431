"""Quantities as engineers write them, found in free text, each with the words it came from.

Kinds and their canonical units:

``size``
    MB, binary (1 GB = 1,024 MB, AWS's convention: Lambda's "10,240 MB" memory and "10 GiB" image limits).
    Units: B, KB/KiB/K, MB/MiB/megs, GB/GiB/G/gigs, TB/TiB, spelled out or not.
``duration``
    ms. Units: ms/msec/milliseconds, s/sec/seconds, min/minutes, h/hr/hours.
``rate``
    requests per second. ``N [requests] per|/|a|an|each|every second|minute|hour|day|week|month`` (any noun for
    what is counted: calls, documents, inferences, ...), ``N rps|qps|req/s|rpm``, ``N daily|hourly|monthly``,
    ``once|twice|N times a day``. A month is the book's 730 h billing month (2,628,000 s).
``params``
    a parameter count ("7B-parameter", "Llama 3 8B", "350M parameters"), with the precision stated near it
    (fp32, fp16/bf16, int8/8-bit, int4/4-bit/quantized): :attr:`Quantity.value` is the size of the weights in MB.
``money``
    USD ("$50", "$1.5k").

Numbers: digits with thousands separators and decimals, multipliers (k, M, million, thousand, billion), number
words (one to twenty, thirty, ..., a hundred) and vague quantities, each read as a stated value and said so in
:attr:`Quantity.note`: "a couple" = 2, "a few" = 3, "several" / "a handful" = 5, "a dozen" = 12, "dozens" = 24,
"hundreds" = 200, "thousands" = 2,000 ("a few hundred" = 300). A range ("2 to 5 minutes", "1-4 GB") reads as its
upper end (limits are about the largest value); "over / more than / above N" as just above N.

Why not a units library: ``pint`` (measured 2026-11-30, pint 0.25) converts units once a quantity is isolated but
finds none in a sentence ("15 GB CPU-only model" raises ``UndefinedUnitError``), reads "GB" as 10^9 bytes and a
month as 2,629,800 s, and takes 0.5 s to build its registry; ``quantulum3`` is not on the package index this project
installs from. The tables below are short, and ``tests/unit/test_medusa_quantities.py`` checks them by property.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECONDS_PER_MONTH = 2_628_000  # 730 h, mlopsbook.costs.traffic.SECONDS_PER_MONTH (not imported: nothing heavy here)

SIZE_UNITS_MB: dict[str, float] = {
    "b": 1 / 2**20, "byte": 1 / 2**20, "bytes": 1 / 2**20,
    "kb": 1 / 1024, "kib": 1 / 1024, "kilobyte": 1 / 1024, "kilobytes": 1 / 1024,
    "mb": 1.0, "mib": 1.0, "meg": 1.0, "megs": 1.0, "megabyte": 1.0, "megabytes": 1.0,
    "g": 1024.0, "gb": 1024.0, "gib": 1024.0, "gig": 1024.0, "gigs": 1024.0, "gigabyte": 1024.0, "gigabytes": 1024.0,
    "tb": 1024.0**2, "tib": 1024.0**2, "terabyte": 1024.0**2, "terabytes": 1024.0**2,
}
"""MB per unit of size (binary)."""
DURATION_UNITS_MS: dict[str, float] = {
    "ms": 1.0, "msec": 1.0, "msecs": 1.0, "millisecond": 1.0, "milliseconds": 1.0,
    "s": 1e3, "sec": 1e3, "secs": 1e3, "second": 1e3, "seconds": 1e3,
    "min": 60e3, "mins": 60e3, "minute": 60e3, "minutes": 60e3,
    "h": 3.6e6, "hr": 3.6e6, "hrs": 3.6e6, "hour": 3.6e6, "hours": 3.6e6,
}
"""ms per unit of time."""
PER_SECONDS: dict[str, float] = {
    "s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600,
    "d": 86400, "day": 86400, "week": 7 * 86400, "wk": 7 * 86400, "mo": SECONDS_PER_MONTH, "month": SECONDS_PER_MONTH,
}
"""Seconds in each period a rate can be stated per."""
ADVERB_PERIODS = {"hourly": "hour", "daily": "day", "nightly": "day", "weekly": "week", "monthly": "month"}
RATE_SUFFIX_PER_S = {"rps": 1.0, "qps": 1.0, "tps": 1.0, "req/s": 1.0, "req/sec": 1.0, "requests/s": 1.0,
                     "rpm": 1 / 60, "req/min": 1 / 60, "rph": 1 / 3600}
MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "ninety": 90, "a hundred": 100, "one hundred": 100, "a thousand": 1000,
}
VAGUE = {"a couple of": 2, "a couple": 2, "a few": 3, "few": 3, "several": 5, "a handful of": 5, "a handful": 5,
         "a dozen": 12, "dozens of": 24, "a few dozen": 36, "hundreds of": 200, "thousands of": 2000}
"""Vague quantities, read as these values (and said so)."""
BYTES_PER_PARAM = {"fp32": 4.0, "float32": 4.0, "32-bit": 4.0, "fp16": 2.0, "bf16": 2.0, "float16": 2.0,
                   "half precision": 2.0, "16-bit": 2.0, "int8": 1.0, "8-bit": 1.0, "8bit": 1.0, "q8": 1.0,
                   "int4": 0.5, "4-bit": 0.5, "4bit": 0.5, "q4": 0.5, "gptq": 0.5, "awq": 0.5, "q5": 0.625,
                   "5-bit": 0.625}
DEFAULT_BYTES_PER_PARAM = 2.0
"""fp16, the usual serving precision, when none is stated (said so in the note); "quantized" alone reads as 4-bit."""

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_WORDS = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))
_VAGUE = "|".join(sorted((re.escape(w) for w in VAGUE), key=len, reverse=True))
_MULT = r"(?:\s?(?P<mult>k|thousand|million|mm|m|bn|billion)(?![a-z]))"
NUMBER = rf"(?P<num>{_DIGITS}|(?<![a-z]){_WORDS}(?![a-z]))(?:{_MULT})?|(?<![a-z])(?P<vague>{_VAGUE})(?:\s(?P<vmult>hundred|thousand))?(?![a-z])"
"""A number: digits or words with an optional multiplier, or a vague quantity (optionally "hundred"/"thousand")."""
_RANGE_HEAD = rf"(?:(?P<lo>{_DIGITS})\s?(?:to|-|–|or)\s?)?"
_BOUND = r"(?:(?P<bound>over|more than|above|at least|upwards of|>)\s*)?"
_APPROX = r"(?:(?:about|around|roughly|approximately|approx\.?|~|≈|some|up to|under|below|less than|<|maybe|only)\s*)?"

_SIZE = re.compile(
    _BOUND + _APPROX + _RANGE_HEAD + rf"(?:{NUMBER})\s?-?(?P<unit>{'|'.join(sorted(SIZE_UNITS_MB, key=len, reverse=True))})(?![a-z])",
    re.I)
_DURATION = re.compile(
    _BOUND + _APPROX + _RANGE_HEAD + rf"(?:{NUMBER})\s?-?(?P<unit>{'|'.join(sorted(DURATION_UNITS_MS, key=len, reverse=True))})(?![a-z/])",
    re.I)
_NOUN = (r"(?:req(?:uest)?s?|calls?|queries|query|documents?|docs?|predictions?|inferences?|invocations?|hits?|"
         r"events?|messages?|images?|texts?|files?|records?|transactions?|recordings?|videos?|clips?|forecasts?|"
         r"jobs?|runs?|times|pages?|emails?|tickets?|users?|items?|scores?|lookups?|classifications?)")
_RATE = re.compile(
    _APPROX + _RANGE_HEAD + rf"(?:{NUMBER})\s*(?:(?:[a-z-]+\s)?{_NOUN}\s*)?"
    rf"(?:/\s?|per\s|an?\s|each\s|every\s)(?P<per>second|sec|s|minute|min|hour|hr|h|day|d|week|wk|month|mo)(?![a-z])",
    re.I)
_RATE_ADVERB = re.compile(
    _APPROX + rf"(?:{NUMBER})\s*(?:(?:[a-z-]+\s)?{_NOUN}\s*)?(?P<adv>hourly|daily|nightly|weekly|monthly)(?![a-z])", re.I)
_RATE_SUFFIX = re.compile(
    _APPROX + _RANGE_HEAD + rf"(?:{NUMBER})\s?(?P<suffix>req/sec|req/s|requests/s|req/min|rps|qps|tps|rpm|rph)(?![a-z])",
    re.I)
_TIMES = re.compile(r"(?P<n>once|twice|(?:a few|several|\d+|a couple of)\s+times)\s+(?:an?|per|each|every)\s+"
                    r"(?P<per>second|minute|hour|day|week|month)", re.I)
_PARAMS = re.compile(
    rf"(?<![\w.])(?P<num>{_DIGITS})\s?(?P<mult>b|bn|billion|m|million)(?:[- ]?(?:param(?:eter)?s?))?(?![a-z])"
    rf"|(?<![\w.])(?P<num2>{_DIGITS})\s?(?P<mult2>b|bn|billion|m|million)\b",
    re.I)
_MONEY = re.compile(rf"(?:\$|usd\s?)(?P<num>{_DIGITS})\s?(?P<mult>k|m)?(?![a-z])|(?P<num2>{_DIGITS})\s?(?:usd|dollars)\b",
                    re.I)


@dataclass(frozen=True)
class Quantity:
    """One quantity found in a text: ``kind`` (``size``, ``duration``, ``rate``, ``params``, ``money``), ``value`` in the
    kind's canonical unit (MB, ms, req/s, MB of weights, USD), the span ``start:end`` and the words ``text`` it came
    from, and a ``note`` on how it was read (a vague word, a range, a precision)."""

    kind: str
    value: float
    start: int
    end: int
    text: str
    note: str = ""
    unit: str = ""


def _number(m: re.Match[str]) -> tuple[float, str]:
    """The value of a :data:`NUMBER` match and a note when it was vague."""
    g = m.groupdict()
    if g.get("vague"):
        word = g["vague"].lower()
        v = float(VAGUE[word])
        mult = (g.get("vmult") or "").lower()
        if mult:
            v *= 100 if mult == "hundred" else 1000
        return v, f'"{g["vague"]}{" " + mult if mult else ""}" read as {v:,.0f}'
    raw = g["num"].lower()
    v = float(WORD_NUMBERS[raw]) if raw in WORD_NUMBERS else float(raw.replace(",", ""))
    mult = (g.get("mult") or "").lower()
    if mult:
        v *= MULTIPLIERS[mult]
    return v, ""


def _bounded(m: re.Match[str], v: float, note: str) -> tuple[float, str]:
    g = m.groupdict()
    notes = [note] if note else []
    if g.get("lo"):
        notes.append("a range: its upper end")
    if g.get("bound"):
        v *= 1.001
        notes.append(f'"{g["bound"]}": just above it')
    return v, "; ".join(notes)


def _overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(a < y and x < b for x, y in spans)


def find(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order of position. Where two readings overlap the first kind wins, in this
    order: money ("$50 a month" is a budget, not a rate), rates ("5 per second" is not five seconds), sizes,
    durations, parameter counts."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(q: Quantity) -> None:
        if not _overlaps(taken, q.start, q.end):
            out.append(q)
            taken.append((q.start, q.end))

    for m in _MONEY.finditer(text):
        num, mult = (m["num"], m["mult"]) if m["num"] else (m["num2"], None)
        v = float(num.replace(",", "")) * (MULTIPLIERS[mult.lower()] if mult else 1.0)
        add(Quantity("money", v, m.start(), m.end(), m.group(0), "", "USD"))
    for m in _RATE_SUFFIX.finditer(text):
        v, note = _number(m)
        v, note = _bounded(m, v, note)
        add(Quantity("rate", v * RATE_SUFFIX_PER_S[m["suffix"].lower()], m.start(), m.end(), m.group(0), note, "req/s"))
    for m in _TIMES.finditer(text):
        n = m["n"].lower()
        count = 1.0 if n == "once" else 2.0 if n == "twice" else None
        note = ""
        if count is None:
            head = n.rsplit(" ", 1)[0]
            count = float(VAGUE.get(head, 0) or head) if not head.isdigit() else float(head)
            note = f'"{head}" read as {count:g}' if not head.isdigit() else ""
        add(Quantity("rate", count / PER_SECONDS[m["per"].lower()], m.start(), m.end(), m.group(0), note, "req/s"))
    for m in _RATE.finditer(text):
        v, note = _number(m)
        v, note = _bounded(m, v, note)
        add(Quantity("rate", v / PER_SECONDS[m["per"].lower()], m.start(), m.end(), m.group(0), note, "req/s"))
    for m in _RATE_ADVERB.finditer(text):
        v, note = _number(m)
        add(Quantity("rate", v / PER_SECONDS[ADVERB_PERIODS[m["adv"].lower()]], m.start(), m.end(), m.group(0), note,
                     "req/s"))
    for m in _SIZE.finditer(text):
        unit = m["unit"].lower()
        if unit == "b" and m.group(0)[-1] == "B":
            continue  # "7B" is a parameter count; bytes are written "bytes"
        v, note = _number(m)
        v, note = _bounded(m, v, note)
        add(Quantity("size", v * SIZE_UNITS_MB[unit], m.start(), m.end(), m.group(0), note, "MB"))
    for m in _DURATION.finditer(text):
        unit = m["unit"].lower()
        v, note = _number(m)
        v, note = _bounded(m, v, note)
        add(Quantity("duration", v * DURATION_UNITS_MS[unit], m.start(), m.end(), m.group(0), note, "ms"))
    for m in _PARAMS.finditer(text):
        num, mult = (m["num"], m["mult"]) if m["num"] else (m["num2"], m["mult2"])
        mult = mult.lower()
        explicit = "param" in m.group(0).lower()
        if mult.startswith("m") and not explicit:
            continue  # "2M" alone is a count of requests, not of parameters
        window = text[max(0, m.start() - 40):m.end() + 40].lower()
        if not explicit and not re.search(r"llm|llama|mistral|model|gpt|falcon|qwen|gemma|phi|bert|t5|whisper", window):
            continue
        params = float(num.replace(",", "")) * MULTIPLIERS[mult]
        precision = next((p for p in sorted(BYTES_PER_PARAM, key=len, reverse=True) if p in window), None)
        if precision is not None:
            bpp, how = BYTES_PER_PARAM[precision], f"{precision}: {BYTES_PER_PARAM[precision]:g} bytes per parameter"
        elif re.search(r"quanti[sz]ed", window):
            bpp, how = 0.5, "quantized, no bits stated: read as 4-bit (0.5 bytes per parameter)"
        else:
            bpp, how = DEFAULT_BYTES_PER_PARAM, "no precision stated: fp16 assumed (2 bytes per parameter)"
        add(Quantity("params", params * bpp / 2**20, m.start(), m.end(), m.group(0),
                     f"{params:,.0f} parameters x {bpp:g} bytes ({how})", "MB"))
    return sorted(out, key=lambda q: q.start)
