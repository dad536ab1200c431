"""Medusa's quantity reader: units, numbers, vague words, ranges, parameter counts (property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.medusa.quantities import PER_SECONDS, SECONDS_PER_MONTH, find
from mlopsbook.medusa.extract import read


def _only(text: str, kind: str) -> float:
    got = [q for q in find(text) if q.kind == kind]
    assert len(got) == 1, (text, got)
    return got[0].value


mb_values = st.integers(min_value=1, max_value=10_000_000).map(lambda k: k / 8)  # exact in binary


@settings(max_examples=200, deadline=None)
@given(mb=mb_values, spacing=st.sampled_from(["", " "]))
def test_a_size_in_gb_mb_or_kb_reads_as_the_same_mb(mb: float, spacing: str) -> None:
    forms = [f"{mb:.12g}{spacing}MB", f"{mb * 1024:.12g}{spacing}KB", f"{mb / 1024:.12g}{spacing}GB",
             f"{mb:.12g}{spacing}MiB", f"{mb / 1024:.12g}{spacing}GiB"]
    for form in forms:
        assert _only(f"the model is {form}", "size") == pytest.approx(mb, rel=1e-9), form


@settings(max_examples=200, deadline=None)
@given(hundredths=st.integers(min_value=1, max_value=10**9), per=st.sampled_from(["second", "minute", "hour", "day", "month"]),
       noun=st.sampled_from(["requests ", "calls ", "inferences ", "documents ", ""]),
       joiner=st.sampled_from(["per ", "a ", "/", "every "]), comma=st.booleans())
def test_a_rate_per_any_period_round_trips(hundredths: int, per: str, noun: str, joiner: str, comma: bool) -> None:
    count = hundredths / 100
    written = f"{count:,.2f}" if comma else f"{count:.2f}"
    text = f"we get {written} {noun}{joiner}{per}"
    assert _only(text, "rate") == pytest.approx(count / PER_SECONDS[per], rel=1e-12), text


@settings(max_examples=100, deadline=None)
@given(tenths=st.integers(min_value=1, max_value=100_000),
       unit=st.sampled_from([("ms", 1), ("seconds", 1e3), ("s", 1e3), ("sec", 1e3), ("minutes", 6e4), ("min", 6e4),
                             ("hours", 3.6e6), ("hr", 3.6e6)]))
def test_a_duration_in_any_unit_reads_as_the_same_ms(tenths: int, unit: tuple[str, float]) -> None:
    text = f"one inference takes {tenths / 10:.1f} {unit[0]}"
    assert _only(text, "duration") == pytest.approx(tenths / 10 * unit[1], rel=1e-12), text


@pytest.mark.parametrize("text,kind,value", [
    ("2M requests a month", "rate", 2e6 / SECONDS_PER_MONTH),
    ("3,000 calls per hour", "rate", 3000 / 3600),
    ("a few hundred a day", "rate", 300 / 86400),
    ("a couple of requests per minute", "rate", 2 / 60),
    ("once an hour", "rate", 1 / 3600),
    ("twice a day", "rate", 2 / 86400),
    ("50 times a day", "rate", 50 / 86400),
    ("120 rps", "rate", 120.0),
    ("20 rpm", "rate", 20 / 60),
    ("10k requests daily", "rate", 1e4 / 86400),
    ("bursts of 500 req/s for a few minutes", "rate", 500.0),
    ("262144000 bytes", "size", 250.0),
    ("1 to 4 GB", "size", 4096.0),
    ("2 to 5 minutes", "duration", 300_000.0),
    ("a few minutes", "duration", 180_000.0),
    ("twenty seconds", "duration", 20_000.0),
    ("$1.5k a month", "money", 1500.0),
])
def test_forms_engineers_write(text: str, kind: str, value: float) -> None:
    assert _only(text, kind) == pytest.approx(value)


def test_vague_words_and_bounds_are_said() -> None:
    (q,) = find("a few hundred requests a day")
    assert "read as 300" in q.note
    (q,) = find("over 10 GB")
    assert q.value > 10240 and "just above" in q.note


@pytest.mark.parametrize("text,mb", [
    ("a 7B-parameter LLM", 7e9 * 2 / 2**20),            # fp16 assumed
    ("Llama 3 8B in int8", 8e9 * 1 / 2**20),
    ("a 13B model quantized to 4-bit", 13e9 * 0.5 / 2**20),
    ("a 350M-parameter model in fp32", 350e6 * 4 / 2**20),
])
def test_a_parameter_count_is_a_size_at_its_precision(text: str, mb: float) -> None:
    (q,) = [x for x in find(text) if x.kind == "params"]
    assert q.value == pytest.approx(mb) and "bytes" in q.note


def test_counts_are_not_sizes_or_parameters() -> None:
    assert [q.kind for q in find("2M requests a month")] == ["rate"]
    assert not [q for q in find("we have 5 engineers and 7 services") if q.kind != "rate"]


@settings(max_examples=60, deadline=None)
@given(gb=st.integers(min_value=1, max_value=64), rps=st.integers(min_value=1, max_value=500),
       minutes=st.integers(min_value=1, max_value=59))
def test_fields_are_read_with_their_words(gb: int, rps: int, minutes: int) -> None:
    r = read(f"We serve a {gb} GB CPU-only model at about {rps} requests per second; one inference takes "
             f"about {minutes} minutes.")
    assert r.fields["artifact_mb"].value == gb * 1024 and f"{gb} GB" in r.fields["artifact_mb"].words
    assert r.fields["mean_rps"].value == rps and f"{rps} requests per second" in r.fields["mean_rps"].words
    assert r.fields["model_latency_ms"].value == minutes * 60_000
    assert r.fields["gpu"].value == "no"


SUFFIXES = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, " thousand": 1e3, " million": 1e6}


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=1, max_value=999), frac=st.sampled_from(["", ".5", ".25"]),
       suffix=st.sampled_from(sorted(SUFFIXES)), per=st.sampled_from(["second", "minute", "hour", "day", "week", "month"]),
       noun=st.sampled_from(["requests ", "images ", "embeddings ", "reviews ", ""]), joiner=st.sampled_from(["per ", "a ", "/"]))
def test_a_count_with_a_suffix_per_any_period_reads_back(n: int, frac: str, suffix: str, per: str, noun: str,
                                                         joiner: str) -> None:
    text = f"we get about {n}{frac}{suffix} {noun}{joiner}{per}"
    want = float(f"{n}{frac}") * SUFFIXES[suffix] / PER_SECONDS[per]
    assert _only(text, "rate") == pytest.approx(want, rel=1e-12), text


@settings(max_examples=100, deadline=None)
@given(mantissa=st.integers(min_value=1, max_value=99), exp=st.integers(min_value=0, max_value=9),
       per=st.sampled_from(["day", "month"]))
def test_scientific_notation_reads_as_its_value(mantissa: int, exp: int, per: str) -> None:
    text = f"{mantissa}e{exp} requests a {per}"
    assert _only(text, "rate") == pytest.approx(mantissa * 10**exp / PER_SECONDS[per], rel=1e-12), text


@settings(max_examples=100, deadline=None)
@given(lo=st.integers(min_value=1, max_value=500), span=st.integers(min_value=1, max_value=500),
       unit=st.sampled_from([("MB", "size", 1.0), ("GB", "size", 1024.0), ("ms", "duration", 1.0),
                             ("seconds", "duration", 1e3), ("minutes", "duration", 6e4)]),
       dash=st.sampled_from(["-", "–", " to "]))
def test_a_range_reads_as_its_upper_end(lo: int, span: int, unit: tuple[str, str, float], dash: str) -> None:
    text = f"it is {lo}{dash}{lo + span} {unit[0]}"
    assert _only(text, unit[1]) == pytest.approx((lo + span) * unit[2]), text


@settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=1, max_value=10**6), form=st.sampled_from(["-{n} rps", "−{n} requests per second",
                                                                          "-{n} req/s"]))
def test_a_negative_rate_is_found_but_never_used(n: int, form: str) -> None:
    text = "we get " + form.format(n=n)
    (q,) = [x for x in find(text) if x.kind == "rate"]
    assert q.value < 0 and q.problem
    r = read(text)
    assert "mean_rps" not in r.fields and r.unknown


@settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=1, max_value=10**5), sign=st.sampled_from(["", "-"]),
       per=st.sampled_from(["a month", "/month", "per month"]))
def test_money_is_never_a_rate(n: int, sign: str, per: str) -> None:
    kinds = [q.kind for q in find(f"we pay ${sign}{n} {per}")]
    assert kinds == ["money"]
    assert "mean_rps" not in read(f"we pay ${sign}{n} {per}").fields


@pytest.mark.parametrize("text,kind,value", [
    ("twenty five requests per second", "rate", 25.0),
    ("two million requests a month", "rate", 2e6 / SECONDS_PER_MONTH),
    ("thirty thousand requests a minute", "rate", 500.0),
    ("a couple hundred summaries a day", "rate", 200 / 86400),
    ("a few dozen requests a day", "rate", 36 / 86400),
    ("half a gig", "size", 512.0),
    ("a gig and a half", "size", 1536.0),
    ("over a minute", "duration", 60_060.0),
    ("1hr 19min", "duration", 79 * 60_000.0),
    ("30fps", "rate", 30.0),
    ("One request every 10 seconds", "rate", 0.1),
])
def test_number_words_and_idioms(text: str, kind: str, value: float) -> None:
    assert _only(text, kind) == pytest.approx(value)


@pytest.mark.parametrize("text", ["decode runs 26-39 tok/s", "idle 16-20 hours a day", "an ITL of 36.62 ms/token"])
def test_tokens_and_hours_of_the_day_are_not_request_rates(text: str) -> None:
    assert not [q for q in find(text) if q.kind == "rate"]
