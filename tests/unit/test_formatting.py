"""The one rule for numbers in prose: significant figures by quantity (mlopsbook.formatting)."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook import formatting as fmt

POSITIVE = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False)


def _digits(text: str) -> str:
    """The significant digits a formatted number shows."""
    number = re.sub(r"[^0-9.]", "", text.split(" ")[0])
    return number.replace(".", "").lstrip("0")


@pytest.mark.parametrize(("fn", "value", "text"), [
    (fmt.rate, 119.658, "120 req/s"),
    (fmt.rate, 36.04, "36 req/s"),
    (fmt.rate, 0.3805, "0.38 req/s"),
    (fmt.rate, 1234.0, "1,200 req/s"),
    (fmt.usd, 1234.5, "$1,200"),
    (fmt.usd, 36.2, "$36"),
    (fmt.usd, 3.6, "$3.60"),
    (fmt.usd, 0.3649, "$0.36"),
    (fmt.usd, 0.0, "$0"),
    (fmt.latency_ms, 35.07, "35 ms"),
    (fmt.latency_ms, 4139.8, "4,100 ms"),
    (fmt.latency_ms, 41_000.0, "41 s"),
    (fmt.percent, 0.2734, "27%"),
    (fmt.percent, 0.0055, "0.55%"),
    (fmt.percent, 0.999, "100%"),
    (fmt.size_mb, 272.848, "270 MB"),
    (fmt.count, 2_628_000, "2.6 million"),
    (fmt.count, 950, "950"),
    (fmt.seconds, 4.1398, "4.1 s"),
])
def test_each_quantity_is_written_at_its_precision(fn, value, text):
    assert fn(value) == text


@given(POSITIVE)
def test_two_significant_figures_never_more(x):
    for fn in (fmt.rate, fmt.usd, fmt.size_mb, fmt.count, fmt.latency_ms):
        text = fn(x)
        assert len(_digits(text).rstrip("0")) <= 2, (fn.__name__, x, text)


@given(POSITIVE)
def test_the_text_states_the_value_to_within_its_rounding(x):
    for fn in (fmt.rate, fmt.usd, fmt.size_mb, fmt.count, fmt.latency_ms):
        back = fmt.parse(fn(x))
        assert math.isclose(back, x, rel_tol=0.05 + 1e-9), (fn.__name__, x, fn(x))


@given(POSITIVE)
def test_never_e_notation_and_thousands_separated(x):
    for fn in (fmt.rate, fmt.usd, fmt.size_mb, fmt.count, fmt.latency_ms):
        text = fn(x)
        assert "e" not in text.replace("million", "").replace("req", ""), text
        whole = re.sub(r"[^0-9,.]", "", text.split(" ")[0]).split(".")[0]
        assert all(len(g) == 3 for g in whole.split(",")[1:]), text


@given(POSITIVE, POSITIVE)
def test_rounding_keeps_the_order(x, y):
    lo, hi = sorted((x, y))
    assert fmt.parse(fmt.rate(lo)) <= fmt.parse(fmt.rate(hi))
    assert fmt.round_sig(lo) <= fmt.round_sig(hi)


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
@settings(max_examples=200)
def test_percent_of_a_fraction(f):
    text = fmt.percent(f)
    assert text.endswith("%") and 0 <= fmt.parse(text) <= 1.0
    assert math.isclose(fmt.parse(text), f, abs_tol=0.005 + 1e-12) or math.isclose(fmt.parse(text), f, rel_tol=0.05)


def test_not_a_number_is_refused():
    with pytest.raises(ValueError, match="finite"):
        fmt.rate(float("nan"))
