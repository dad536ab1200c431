"""Quantities as engineers write them, found in free text, each with the words it came from.

Kinds and their canonical units:

``size``
    MB, binary (1 GB = 1,024 MB, AWS's convention: Lambda's "10,240 MB" memory and "10 GiB" image limits).
    Units: B/bytes, KB/KiB, MB/MiB/megs, GB/GiB/G/gig/gigs, TB/TiB, spelled out or not; "a gig", "half a gig",
    "a gig and a half".
``duration``
    ms. Units: ms/msec/milliseconds, s/sec/seconds, min/mins/minutes, h/hr/hrs/hours, and "1hr 19min".
``rate``
    requests per second. ``N [up to three words for what is counted] per|/|a|an|each|every second|minute|hour|day|
    night|week|month|year``, ``N rps|qps|tps|fps|req/s|rpm``, ``N daily|hourly|monthly``, ``once|twice|N times a
    day``, ``one request every 10 seconds``. A month is the book's 730 h billing month (2,628,000 s). Tokens per second
    and hours per day are not request rates.
``params``
    a parameter count ("7B-parameter", "Llama 3 8B", "350M parameters"), with the precision stated near it
    (fp32, fp16/bf16/unquantized, int8/8-bit/q8, int4/4-bit/q4/GPTQ/AWQ, q5, "quantized" alone = 4-bit):
    :attr:`Quantity.value` is the size of the weights in MB.
``money``
    USD ("$50", "$1.5k", "$15/month").

Numbers: digits with thousands separators and decimals, scientific notation ("2e6"), multipliers (k, M, million,
thousand, billion; "100k+" is at least 100,000), number words read by ``text2num`` ("twenty five", "two million",
"thirty thousand"), and vague quantities, each read as a stated value and said so in :attr:`Quantity.note`:
"a couple" = 2, "a few" = 3, "several" / "a handful" = 5, "a dozen" = 12, "a few dozen" = 36, "dozens" = 24,
"hundreds" = 200, "thousands" = 2,000 ("a few hundred" = 300, "a couple hundred" = 200, "a few hundred thousand" =
300,000). A range ("2 to 5 minutes", "8-12 MB") reads as its upper end (limits are about the largest value);
"over / more than / above / N+" as just above N. A negative rate, size or duration ("-5 rps") is found but carries a
``problem`` and is never used; a negative amount of money ("$-5 a month") stays money, never a rate.

Numbers in a text that no quantity covers are listed by :func:`bare_numbers` (the reader reports them as not
understood, or reads a large bare integer next to "size" as bytes, said to be an assumption).

Libraries measured for this reader (2026-12-03, on 18 phrases from the tuning set and the issue's examples:
"8-12 MB", "half a gig", a bare byte count, "over 40 seconds", "p99 under 150 ms", "30k requests a minute", "100k+
QPS", "2e6 requests a month", "1.2M invocations a week", "-5 rps", "$-5 a month", "1.5 gigs of RAM", "7B parameters",
"50 req/s", ...): ``quantulum3`` 0.10 needs 6 s to import, its unit classifier does not unpickle under scikit-learn
1.9, and without it reads "30k" as kelvin, "1.2M" as metres, "half a gig" as a year, "40 seconds" as arc seconds,
"7B" as bytes, "50 req/s" as a plain number and "8-12 MB" as 10 MB: 6 of the 18 right, against 18 of 18 for this
reader (the byte count through :mod:`mlopsbook.medusa.extract`). ``number-parser`` 0.3 turns "per second" into "per 2". ``text2num`` 3.1 reads number words right (6 of 6)
and is used for them. ``pint`` (measured 2026-11-30) finds no quantity in a sentence. ``spaCy`` 3.8 is installed but
no English model is available offline, so no dependency parse: what a number belongs to is decided by the clause it
sits in (:mod:`mlopsbook.medusa.extract`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

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
    "d": 86400, "day": 86400, "night": 86400, "week": 7 * 86400, "wk": 7 * 86400, "mo": SECONDS_PER_MONTH,
    "month": SECONDS_PER_MONTH, "year": 12 * SECONDS_PER_MONTH, "yr": 12 * SECONDS_PER_MONTH,
}
"""Seconds in each period a rate can be stated per."""
ADVERB_PERIODS = {"hourly": "hour", "daily": "day", "nightly": "day", "weekly": "week", "monthly": "month"}
RATE_SUFFIX_PER_S = {"rps": 1.0, "qps": 1.0, "tps": 1.0, "fps": 1.0, "req/s": 1.0, "req/sec": 1.0, "requests/s": 1.0,
                     "requests/sec": 1.0, "rpm": 1 / 60, "req/min": 1 / 60, "rph": 1 / 3600}
MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
WORD_NUMBERS = {"a hundred": 100, "a thousand": 1000, "a million": 1e6, "half a": 0.5, "half an": 0.5, "an": 1, "a": 1}
"""Number phrases ``text2num`` does not read (the rest of the number words are its); "a" and "an" count one only
before a unit ("a gig", "over a minute", "an hour")."""
NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
                "thousand million billion").split()
VAGUE = {"a couple of": 2, "a couple": 2, "a few": 3, "few": 3, "several": 5, "a handful of": 5, "a handful": 5,
         "a dozen": 12, "dozens of": 24, "a few dozen": 36, "hundreds of": 200, "thousands of": 2000}
"""Vague quantities, read as these values (and said so)."""
BYTES_PER_PARAM = {"fp32": 4.0, "float32": 4.0, "32-bit": 4.0, "fp16": 2.0, "bf16": 2.0, "float16": 2.0,
                   "half precision": 2.0, "16-bit": 2.0, "unquantized": 2.0, "int8": 1.0, "8-bit": 1.0, "8bit": 1.0,
                   "q8": 1.0, "int4": 0.5, "4-bit": 0.5, "4bit": 0.5, "q4": 0.5, "gptq": 0.5, "awq": 0.5,
                   "q5": 0.625, "5-bit": 0.625}
DEFAULT_BYTES_PER_PARAM = 2.0
"""fp16, the usual serving precision, when none is stated (said so in the note); "quantized" alone reads as 4-bit."""

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+"
_WORD = "|".join(NUMBER_WORDS)
_WORDS = rf"(?:{_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_WORD}))*"
_FIXED = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))
_VAGUE = "|".join(sorted((re.escape(w) for w in VAGUE), key=len, reverse=True))
_MULT = r"(?:\s?(?P<mult>k|thousand|million|mm|m|bn|billion)(?![a-z]))"
NUMBER = (rf"(?:(?<![\w.])(?P<neg>[-−])|(?<![\w.]))(?P<num>{_DIGITS})(?:{_MULT})?(?P<plus>\+)?"
          rf"|(?<![a-z])(?P<vague>{_VAGUE})(?:\s(?P<vmult>hundred thousand|hundred|thousand|million))?(?![a-z])"
          rf"|(?<![a-z])(?P<fixed>{_FIXED})(?![a-z])"
          rf"|(?<![a-z-])(?P<words>{_WORDS})(?![a-z])")
"""A number: digits (signed, scientific, with a multiplier and a "+"), number words, a fixed phrase, or a vague
quantity (optionally "hundred" / "thousand" / "million")."""
_RANGE_HEAD = rf"(?:(?<![\w.])(?P<lo>{_DIGITS})\s?(?:to|-|–|—|or)\s?)?"
_BOUND = r"(?:(?P<bound>over|more than|above|at least|upwards of|>|well over)\s*)?"
_APPROX = (r"(?:(?:about|around|roughly|approximately|approx\.?|~|≈|some|up to|under|below|less than|<|maybe|only|"
           r"almost|nearly|just under|within|a good)\s*)?")
_SIZE_UNIT = "|".join(sorted(SIZE_UNITS_MB, key=len, reverse=True))
_DUR_UNIT = "|".join(sorted(DURATION_UNITS_MS, key=len, reverse=True))
_PERIOD = r"second|sec|s|minute|min|hour|hr|h|day|d|night|week|wk|month|mo|year|yr"
_NOT_COUNTED = (r"(?:tok(?:en)?s?|hours?|minutes?|mins?|seconds?|secs?|ms|[kmg]b|gigs?|megs?|bytes?|dollars?|usd|"
                r"percent|%|times|rows|cpus?|vcpus?|cores?|took|takes?|taking|over|under|in|for|within|about|around|than|is|are|was|"
                r"were|of|on|at|and|or|but|needs?|runs?|with|to|from|by|it|they|we)")

_SIZE = re.compile(_BOUND + _APPROX + _RANGE_HEAD + rf"(?:{NUMBER})\s?-?(?P<unit>{_SIZE_UNIT})(?![a-z])", re.I)
_DURATION = re.compile(
    _BOUND + _APPROX + _RANGE_HEAD + rf"(?:{NUMBER})\s?-?(?P<unit>{_DUR_UNIT})(?![a-z/])(?!\s*/\s*tok)", re.I)
_HOURS_MINUTES = re.compile(r"(?<![\w.])(?P<h>\d+)\s?(?:h|hr|hrs|hours?)\s?(?P<m>\d+)\s?(?:m|min|mins|minutes?)(?![a-z])",
                            re.I)
_RATE = re.compile(
    _APPROX + _RANGE_HEAD + rf"(?:{NUMBER})\s*(?P<what>(?:(?!{_NOT_COUNTED}\b)[a-z0-9][a-z0-9-]*\s){{0,3}}|(?:(?!{_NOT_COUNTED}\b)[a-z][a-z-]*)?)"
    rf"\s*(?:/\s?|per\s|an?\s|each\s|every\s)(?P<per>{_PERIOD})(?![a-z])",
    re.I)
_RATE_EVERY = re.compile(
    rf"(?:{NUMBER})\s+(?:(?!{_NOT_COUNTED}\b)[a-z][a-z-]*\s){{1,3}}(?:every|each)\s+(?P<n>\d+(?:\.\d+)?)\s?(?P<per>{_PERIOD})s?(?![a-z])",
    re.I)
_RATE_ADVERB = re.compile(
    _APPROX + rf"(?:{NUMBER})\s*(?:(?!{_NOT_COUNTED}\b)[a-z][a-z-]*\s){{0,2}}(?P<adv>hourly|daily|nightly|weekly|monthly)(?![a-z])",
    re.I)
_RATE_SUFFIX = re.compile(
    _APPROX + _RANGE_HEAD + rf"(?:{NUMBER})\s?(?P<suffix>requests/sec|requests/s|req/sec|req/s|req/min|rps|qps|tps|fps|rpm|rph)(?![a-z])",
    re.I)
_TIMES = re.compile(r"(?P<n>once|twice|(?:a few|several|\d+|a couple of)\s+times)\s+(?:an?|per|each|every)\s+"
                    r"(?P<per>second|minute|hour|day|night|week|month)", re.I)
_PARAMS = re.compile(
    rf"(?<![\w.])(?P<num>{_DIGITS})\s?(?P<mult>b|bn|billion|m|million)(?:[- ]?(?:param(?:eter)?s?))?(?![a-z])"
    rf"|(?<![\w.])(?P<num2>{_DIGITS})\s?(?P<mult2>b|bn|billion|m|million)\b"
    rf"|(?<=[a-z]\d-)(?P<num3>\d+(?:\.\d+)?)(?P<mult3>b)\b|(?<=[a-z]-)(?P<num4>\d+(?:\.\d+)?)(?P<mult4>b)\b",
    re.I)
_MONEY = re.compile(rf"(?:\$|usd\s?)(?P<neg>[-−])?(?P<num>{_DIGITS})\s?(?P<mult>k|m)?(?![a-z])"
                    rf"(?:\s?(?:/|a|an|per)\s?(?:month|mo|year|day))?|(?P<num2>{_DIGITS})\s?(?:usd|dollars)\b", re.I)
_BARE = re.compile(rf"(?<![\w.$-])[-−]?(?:{_DIGITS})(?![\w.])")
_AND_A_HALF = re.compile(r"\s+and\s+a\s+half\b", re.I)


@dataclass(frozen=True)
class Quantity:
    """One quantity found in a text: ``kind`` (``size``, ``duration``, ``rate``, ``params``, ``money``), ``value`` in the
    kind's canonical unit (MB, ms, req/s, MB of weights, USD), the span ``start:end`` and the words ``text`` it came
    from, a ``note`` on how it was read (a vague word, a range, a precision), and a ``problem`` when it cannot be
    used (a negative rate)."""

    kind: str
    value: float
    start: int
    end: int
    text: str
    note: str = ""
    unit: str = ""
    problem: str = ""


def _number(m: re.Match[str]) -> tuple[float, str]:
    """The value of a :data:`NUMBER` match (negative when signed) and a note on how it was read."""
    g = m.groupdict()
    if g.get("vague"):
        word = g["vague"].lower()
        v = float(VAGUE[word])
        mult = (g.get("vmult") or "").lower()
        for part in mult.split():
            v *= 100 if part == "hundred" else MULTIPLIERS[part]
        return v, f'"{g["vague"]}{" " + mult if mult else ""}" read as {v:,.0f}'
    if g.get("fixed"):
        return float(WORD_NUMBERS[g["fixed"].lower()]), ""
    if g.get("words"):
        words = g["words"].lower()
        try:
            return float(text2num(words.replace("-", " "), "en")), ""
        except ValueError:
            head = words.split()[0]
            return float(text2num(head, "en")), ""
    raw = g["num"].lower().replace(",", "")
    v = float(raw)
    mult = (g.get("mult") or "").lower()
    if mult:
        v *= MULTIPLIERS[mult]
    if g.get("neg"):
        v = -v
    return v, ""


def _bounded(m: re.Match[str], v: float, note: str) -> tuple[float, str]:
    g = m.groupdict()
    notes = [note] if note else []
    if g.get("lo"):
        notes.append("a range: its upper end")
    if g.get("bound") or g.get("plus"):
        v *= 1.001
        notes.append(f'"{g.get("bound") or "+"}": just above it')
    return v, "; ".join(notes)


def _overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(a < y and x < b for x, y in spans)


LARGEST = {"rate": 1e8, "size": 2.0**30, "duration": 3.2e10}
"""Beyond these (req/s, MB, ms: a hundred million requests a second, a petabyte, a year) a quantity is no service's:
found, but with a ``problem``, never used."""


def _negative(kind: str, v: float) -> str:
    """The ``problem`` of a value of ``kind``: negative, zero or beyond :data:`LARGEST` (empty: usable)."""
    if v < 0:
        return f"a negative {kind} cannot be"
    if v == 0:
        return f"a zero {kind} leaves nothing to serve"
    if not v <= LARGEST[kind]:
        return f"a {kind} beyond any real service"
    return ""


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
        v = -v if m["neg"] else v
        add(Quantity("money", v, m.start(), m.end(), m.group(0), "", "USD",
                     "a negative amount of money" if v < 0 else "" if v < 1e15 else "an amount beyond any budget"))
    for m in _RATE_SUFFIX.finditer(text):
        v, note = _number(m)
        v, note = _bounded(m, v, note)
        v *= RATE_SUFFIX_PER_S[m["suffix"].lower()]
        add(Quantity("rate", v, m.start(), m.end(), m.group(0), note, "req/s", _negative("rate", v)))
    for m in _TIMES.finditer(text):
        n = m["n"].lower()
        count = 1.0 if n == "once" else 2.0 if n == "twice" else None
        note = ""
        if count is None:
            head = n.rsplit(" ", 1)[0]
            count = float(VAGUE.get(head, 0) or head) if not head.isdigit() else float(head)
            note = f'"{head}" read as {count:g}' if not head.isdigit() else ""
        add(Quantity("rate", count / PER_SECONDS[m["per"].lower()], m.start(), m.end(), m.group(0), note, "req/s"))
    for m in _RATE_EVERY.finditer(text):
        v, note = _number(m)
        v /= float(m["n"]) * PER_SECONDS[m["per"].lower()] or 1.0
        add(Quantity("rate", v, m.start(), m.end(), m.group(0), note, "req/s", _negative("rate", v)))
    for m in _RATE.finditer(text):
        v, note = _number(m)
        v, note = _bounded(m, v, note)
        v /= PER_SECONDS[m["per"].lower()]
        add(Quantity("rate", v, m.start(), m.end(), m.group(0), note, "req/s", _negative("rate", v)))
    for m in _RATE_ADVERB.finditer(text):
        v, note = _number(m)
        v /= PER_SECONDS[ADVERB_PERIODS[m["adv"].lower()]]
        add(Quantity("rate", v, m.start(), m.end(), m.group(0), note, "req/s", _negative("rate", v)))
    for m in _SIZE.finditer(text):
        unit = m["unit"].lower()
        if unit == "b":
            continue  # "7B" and "llama2-7b" are parameter counts; bytes are written "bytes"
        if unit == "g" and not m["num"]:
            continue
        v, note = _number(m)
        v, note = _bounded(m, v, note)
        end = m.end()
        half = _AND_A_HALF.match(text, end)
        if half:
            v, end = v + 0.5, half.end()
        v *= SIZE_UNITS_MB[unit]
        add(Quantity("size", v, m.start(), end, text[m.start():end], note, "MB", _negative("size", v)))
    for m in _HOURS_MINUTES.finditer(text):
        add(Quantity("duration", (int(m["h"]) * 60 + int(m["m"])) * 60e3, m.start(), m.end(), m.group(0), "", "ms"))
    for m in _DURATION.finditer(text):
        unit = m["unit"].lower()
        if m["fixed"] and unit in ("s", "ms", "h", "min"):
            continue  # "a s" is not a duration
        v, note = _number(m)
        v, note = _bounded(m, v, note)
        v *= DURATION_UNITS_MS[unit]
        add(Quantity("duration", v, m.start(), m.end(), m.group(0), note, "ms", _negative("duration", v)))
    for m in _PARAMS.finditer(text):
        num, mult = next((m[f"num{s}"], m[f"mult{s}"]) for s in ("", "2", "3", "4") if m[f"num{s}"])
        mult = mult.lower()
        explicit = "param" in m.group(0).lower()
        if mult.startswith("m") and not explicit:
            continue  # "2M" alone is a count of requests, not of parameters
        window = text[max(0, m.start() - 40):m.end() + 40].lower()
        if not explicit and not re.search(r"llm|llama|mistral|model|gpt|falcon|qwen|gemma|phi|bert|t5|whisper|"
                                          r"deepseek|transformer|moe", window):
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
                     f"{params:,.0f} parameters x {bpp:g} bytes ({how})", "MB", _negative("size", params * bpp / 2**20)))
    return sorted(out, key=lambda q: q.start)


def bare_numbers(text: str, quantities: list[Quantity]) -> list[tuple[int, int, str]]:
    """The standalone numbers of ``text`` that no quantity covers, as ``(start, end, text)`` (a number inside a word,
    a version or a name such as "p99", "A100" or "Qwen3" is not standalone)."""
    spans = [(q.start, q.end) for q in quantities]
    return [(m.start(), m.end(), m.group(0)) for m in _BARE.finditer(text) if not _overlaps(spans, m.start(), m.end())]
