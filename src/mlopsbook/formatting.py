"""Numbers for sentences: one rule for every figure the book writes into prose or a verdict.

A computed figure carries more digits than its inputs justify ("under 119.658 req/s"): the prices are dated, the
latency is measured on one machine, the traffic is an assumption. Every number a verdict or a sentence states goes
through this module, which rounds it to the **significant figures of its quantity** and writes it the same way
everywhere: thousands separated, never in e-notation, with its unit.

============  =====================  ==================================================
quantity      function               rule
============  =====================  ==================================================
money (USD)   :func:`usd`            2 significant figures; cents shown below $10
rate (req/s)  :func:`rate`           2 significant figures
latency       :func:`latency_ms`     2 significant figures, in ms (in s from 10 s up)
percentage    :func:`percent`        2 significant figures, whole percent from 10% up
size (MB)     :func:`size_mb`        2 significant figures
count         :func:`count`          2 significant figures, "million" from a million
duration (s)  :func:`seconds`        2 significant figures
============  =====================  ==================================================

>>> rate(119.658), usd(1234.5), usd(3.6), latency_ms(35.07), percent(0.2734), count(2_628_000)
('120 req/s', '$1,200', '$3.60', '35 ms', '27%', '2.6 million')
"""

from __future__ import annotations

import math

from mlopsbook.errors import MlopsbookError

SIGNIFICANT = 2
"""Significant figures of every quantity the book states in prose (its inputs justify no more)."""


def round_sig(x: float, digits: int = SIGNIFICANT) -> float:
    """``x`` rounded to ``digits`` significant figures (0 stays 0; not-a-number raises ``ValueError``)."""
    x = float(x)
    if not math.isfinite(x):
        raise MlopsbookError(f"x: must be a finite number (got {x!r})")
    if x == 0:
        return 0.0
    exponent = math.floor(math.log10(abs(x)))
    rounded = round(x, digits - 1 - exponent)
    # rounding can carry into the next power of ten (99.7 -> 100): that is still `digits` significant figures
    return float(rounded)


def sig(x: float, digits: int = SIGNIFICANT, *, min_decimals: int = 0) -> str:
    """``x`` to ``digits`` significant figures as text: thousands separated, no e-notation, no spurious zeros.

    >>> sig(119.658), sig(0.0004567), sig(1_234_567), sig(2.0), sig(2.0, min_decimals=2)
    ('120', '0.00046', '1,200,000', '2', '2.00')
    """
    r = round_sig(x, digits)
    if r == 0:
        return "0" if min_decimals == 0 else f"{0:.{min_decimals}f}"
    exponent = math.floor(math.log10(abs(r)))
    decimals = max(min_decimals, digits - 1 - exponent, 0)
    text = f"{r:,.{decimals}f}"
    if "." in text and decimals > min_decimals:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        frac = frac + "0" * max(0, min_decimals - len(frac))
        text = whole + ("." + frac if frac else "")
    return text


def rate(rps: float, unit: str = "req/s") -> str:
    """A request rate: ``'120 req/s'`` (``unit=""`` for the bare number)."""
    return _with_unit(sig(rps), unit)


def usd(x: float) -> str:
    """An amount of money in US dollars: ``'$1,200'``, ``'$36'``, ``'$3.60'``, ``'$0.36'``, ``'$0.0036'``."""
    r = round_sig(x)
    sign = "-" if r < 0 else ""
    a = abs(r)
    text = sig(a, min_decimals=2) if 0 < a < 10 else sig(a)
    return f"{sign}${text}"


def latency_ms(ms: float) -> str:
    """A latency or a duration given in ms: ``'35 ms'``, ``'1,200 ms'``; from 10 s up in seconds: ``'41 s'``."""
    if abs(ms) >= 10_000:
        return f"{sig(ms / 1000.0)} s"
    return f"{sig(ms)} ms"


def seconds(s: float) -> str:
    """A duration in seconds: ``'4.1 s'``, ``'210 s'``."""
    return f"{sig(s)} s"


def percent(fraction: float) -> str:
    """A fraction (0.27) as a percentage: ``'27%'``; below 10% two significant figures (``'0.55%'``, ``'5.5%'``)."""
    p = 100.0 * float(fraction)
    if abs(round_sig(p)) >= 10:
        return f"{round(p):,.0f}%"
    return f"{sig(p)}%"


def size_mb(mb: float) -> str:
    """A size in MB: ``'270 MB'``."""
    return f"{sig(mb)} MB"


def count(n: float) -> str:
    """A count: ``'950'``, ``'12,000'``; from a million up in millions: ``'2.6 million'``."""
    if abs(n) >= 1e6:
        return f"{sig(n / 1e6)} million"
    return sig(n)


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def parse(text: str) -> float:
    """The number a string of this module states, in the quantity's base unit (USD, req/s, ms, fraction, MB, count).

    The inverse of the formatters up to rounding, for tests and for reading a verdict's figure back.
    """
    t = text.strip()
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1], 0.01
    elif t.endswith(" million"):
        t, scale = t[: -len(" million")], 1e6
    elif t.endswith(" ms"):
        t = t[:-3]
    elif t.endswith(" s"):
        t, scale = t[:-2], 1000.0
    else:
        for unit in (" req/s", " MB"):
            if t.endswith(unit):
                t = t[: -len(unit)]
    t = t.replace("$", "").replace(",", "")
    return float(t) * scale
