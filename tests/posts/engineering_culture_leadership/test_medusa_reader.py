"""Medusa as a reader (the thresholds of C11, on the frozen set written from public threads before the reader was
changed): every number accounted for, nothing recommended past what the question states, answers fast."""

from __future__ import annotations

from functools import lru_cache

import pytest

from mlopsbook.medusa import answer, evaluate
from mlopsbook.medusa.extract import read
from mlopsbook.reproductions.engineering_culture_leadership.medusa import (FIELD_RECALL_KINDS, FIELD_RECALL_THRESHOLD,
                                                                           ALLOWED_THRESHOLD)


@lru_cache(maxsize=2)
def _scored(name: str) -> evaluate.ReaderEvaluation:
    return evaluate.score(name, flip=False)


def test_frozen_set_is_large_sourced_labelled_and_apart_from_the_tuning_sets() -> None:
    frozen = evaluate.labelled(evaluate.FROZEN_FILE)
    tuning = evaluate.labelled(evaluate.TUNING_FILE)
    assert len(frozen) >= 80 and all(q["source"].startswith("https://") for q in frozen)
    assert len({q["source"] for q in frozen}) >= 80
    kinds = {k for q in frozen for k in q["fields"]}
    assert {"mean_rps", "model_latency_ms", "init_ms", "payload_kb", "artifact_mb", "memory_mb", "gpu",
            "latency_slo_ms", "preferences"} <= kinds
    others = tuning + evaluate.questions(evaluate.DEV_FILE) + evaluate.questions(evaluate.TEST_FILE)
    assert not {q["question"] for q in frozen} & {q["question"] for q in others}


@pytest.mark.parametrize("name", [evaluate.FROZEN_FILE])
def test_no_recommendation_is_ruled_out_by_a_stated_fact(name: str) -> None:
    ev = _scored(name)
    assert ev.ruled_out == 0, ev.rows[ev.rows.ruled_out_by != ""]


@pytest.mark.parametrize("name", [evaluate.FROZEN_FILE])
def test_allowed_recommendations_meet_the_threshold(name: str) -> None:
    ev = _scored(name)
    assert ev.allowed_share >= ALLOWED_THRESHOLD, ev.rows[~ev.rows.recommendation_ok]


@pytest.mark.parametrize("kind", FIELD_RECALL_KINDS)
def test_field_recall_meets_the_threshold(kind: str) -> None:
    assert _scored(evaluate.FROZEN_FILE).fields.loc[kind, "recall"] >= FIELD_RECALL_THRESHOLD


def test_field_scoring_counts_wrong_values_both_ways() -> None:
    counts = evaluate.field_counts({"mean_rps": 10.0, "gpu": "required", "preferences": ["cost"]},
                                   {"mean_rps": 30.0, "gpu": "required", "memory_mb": 5.0, "preferences": {"cost"}})
    assert counts["rate"] == (0, 1, 1) and counts["GPU need"] == (1, 0, 0) and counts["memory"] == (0, 1, 0)
    assert counts["preferences"] == (1, 0, 0)
    assert evaluate.stated_rule_outs({"payload_kb": 12288.0}, "lambda") == ["payload_kb"]
    assert evaluate.stated_rule_outs({"payload_kb": 12288.0}, "fargate") == []


@pytest.mark.parametrize("question,field,value", [
    ("The model takes over 40 seconds to load at init, then answers in 250 ms.", "init_ms", 40_040.0),
    ("The model takes over 40 seconds to load at init, then answers in 250 ms.", "model_latency_ms", 250.0),
    ("Photos are 8-12 MB and we get 413 Request Entity Too Large.", "payload_kb", 12 * 1024.0),
    ("Users send half a gig per image.", "payload_kb", 512 * 1024.0),
    ("The model file is half a gig.", "artifact_mb", 512.0),
    ("p99 under 150 ms, 80 rps, 20 ms per request.", "latency_slo_ms", 150.0),
    ("Responses must stay under 100 ms at 300 req/s.", "latency_slo_ms", 100.0),
    ("30k requests a minute, 12 ms each.", "mean_rps", 500.0),
    ("100k+ QPS of lookups.", "mean_rps", 100_100.0),
    ("We expect 2e6 requests a month.", "mean_rps", 2e6 / 2_628_000),
    ("Around 2,000 reviews a week arrive in batches.", "mean_rps", 2000 / 604_800),
    ("A few hundred thousand embeddings a month.", "mean_rps", 3e5 / 2_628_000),
    ("One request every 10 seconds.", "mean_rps", 0.1),
    ("Its weights are an unquantized 7B model.", "artifact_mb", 7e9 * 2 / 2**20),
])
def test_the_reader_binds_quantities_to_what_they_belong_to(question: str, field: str, value: float) -> None:
    assert read(question).fields[field].value == pytest.approx(value, rel=1e-3)


@pytest.mark.parametrize("question,need", [
    ("It needs a GPU: on CPU one image took over a minute.", "required"),
    ("We run it on a GPU, 10 req/s.", "required"),
    ("No GPU; 5 req/s.", "no"),
    ("It runs on CPU or GPU, both are fine.", "optional"),
    ("Fargate has no GPU, and our model needs a GPU.", "required"),
    ("This build looks GPU-only, but we need CPU-only inference.", "no"),
    ("Does it need a GPU? It is a scikit-learn model.", "no"),
])
def test_negation_contrast_and_questions_about_the_gpu(question: str, need: str) -> None:
    assert read(question).fields["gpu"].value == need


def test_a_contrast_time_and_platform_limits_are_not_the_services() -> None:
    r = read("It needs a GPU: on CPU one image took over a minute. Lambda's 15 minute timeout is not the issue.")
    assert "model_latency_ms" not in r.fields
    whats = " ".join(w for _, w in r.unused)
    assert "contrast" in whats and "platform" in whats


def test_every_number_is_bound_unused_or_not_understood() -> None:
    q = ("We get -5 rps per the dashboard, pay $-5 a month, run python 3.11, the model is 300 MB and answers in 80 ms; "
         "Lambda's 10 GB limit is fine.")
    r = read(q)
    listed = " ".join([f.words for f in r.fields.values()] + [w for w, _ in r.unused] + [w for w, _ in r.unknown])
    for number in ("-5 rps", "$-5", "3.11", "300 MB", "80 ms", "10 GB"):
        assert number in listed, number
    assert "mean_rps" not in r.fields and any("negative" in why for _, why in r.unknown)
    assert "max_monthly_usd" not in r.preferences


def test_a_bare_byte_count_is_an_assumption_and_the_answer_says_so() -> None:
    q = "Docker push says 13279248421 is greater than supported size 10737418240 for our CPU image. 1 req/s."
    r = read(q)
    assert r.fields["artifact_mb"].assumed and r.fields["artifact_mb"].value == pytest.approx(13279248421 / 2**20)
    a = answer.answer(q, flip=False)
    assert a.recommendation != "lambda"
    text = a.to_text()
    assert "13279248421" in text and "ASSUMPTION" in text and "rests on readings I had to assume" in text


def test_an_answer_holds_under_every_reading_of_a_size_it_could_not_place() -> None:
    a = answer.answer("Ours is 9 MB at 2 req/s, CPU only.", flip=False)
    assert a.read["artifact_mb"].assumed
    assert a.recommendation not in ("lambda", "sagemaker", "sagemaker-serverless")  # 9 MB could be each request


def test_scale_to_zero_and_a_tight_slo_are_constraints() -> None:
    a = answer.answer("CPU model, 60 ms per request, a few requests a minute; it must scale to zero when idle.",
                      flip=False)
    assert a.recommendation in ("lambda", "sagemaker-serverless") and a.stated["scale_to_zero"]
    b = answer.answer("p99 under 150 ms at 80 rps steady, 20 ms per request on CPU.", flip=False)
    assert b.recommendation not in ("lambda", "sagemaker-serverless")
    assert "p99 under 150 ms" in b.decision.excluded["lambda"]
    c = answer.answer("Scale-to-zero gave us 40 s cold starts; CPU model, 5 req/s.", flip=False)
    assert "scale_to_zero" not in c.stated  # a complaint, not a wish


@pytest.mark.parametrize("question,why", [
    ("1e308 requests a second, 5 ms each", "beyond any real service"),
    ("we get 0 requests a month", "zero"),
    ("the image is 99999999999999999999999 bytes", "beyond any real service"),
    ("budget under $1e999 a month", "beyond any budget"),
])
def test_absurd_and_zero_quantities_are_listed_not_used(question: str, why: str) -> None:
    a = answer.answer(question, flip=False)
    assert any(why in w for _, w in a.unknown)
    assert not any(f.name in ("mean_rps", "artifact_mb") for f in a.read.values())


def test_a_question_longer_than_a_page_is_one_line_refused() -> None:
    from mlopsbook.errors import MlopsbookError
    from mlopsbook.medusa.extract import MAX_CHARS

    with pytest.raises(MlopsbookError, match="longer than the 4,000 read"):
        read("12 MB photos, " * (MAX_CHARS // 10))
