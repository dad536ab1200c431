"""AI Medusa: corpus, retrieval, extraction, dialogue, answers, evaluation threshold, CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlopsbook.reproductions.engineering_culture_leadership.medusa import C11_THRESHOLD
from mlopsbook.medusa import answer, corpus, dialogue, evaluate, retrieve
from mlopsbook.medusa.extract import extract


def test_corpus_sections_have_book_urls() -> None:
    ps = corpus.load()
    assert ps and all(p.url.startswith("notebooks/") and ".html" in p.url for p in ps)
    assert any(p.url.endswith("costs.html#break-even-points") for p in ps)
    assert not any("code-cell" in p.text or "glue(" in p.text for p in ps)


def test_split_drops_code_and_anchors_like_sphinx() -> None:
    md = "# Page\nintro\n## Where \"Lambda\" holds\ntext {glue:text}`k:.1f` more\n```{code-cell} ipython3\nx = 1\n```\n"
    ps = corpus.split(md, "a/b")
    assert [p.url for p in ps] == ["notebooks/a/b.html", "notebooks/a/b.html#where-lambda-holds"]
    assert "x = 1" not in ps[1].text and "text" in ps[1].text


def test_retrieval_is_deterministic_and_relevant() -> None:
    ix = retrieve.default_index()
    hits = ix.search("break-even between Lambda and Fargate", 3)
    assert hits == ix.search("break-even between Lambda and Fargate", 3)
    assert any("costs.html" in p.url for p, _ in hits)
    assert ix.search("the of and") == []


@pytest.mark.parametrize("q,expected", [
    ("about 50 req/s during business hours, model is 1.2 GB, CPU only, 40 ms per request, p99 under 300 ms",
     {"traffic_pattern": "business-hours", "mean_rps": 50.0, "rate_is_busy": True, "gpu": "no",
      "artifact_mb": 1228.8, "model_latency_ms": 40.0, "latency_slo_ms": 300.0}),
    ("2M requests a month, spiky, peaks to 400 req/s. Needs a GPU. 3 GB of RAM, 2 MB payloads",
     {"traffic_pattern": "bursty", "mean_rps": 2e6 / 2_628_000, "peak_rps": 400.0, "gpu": "required",
      "memory_mb": 3072.0, "payload_kb": 2048.0}),
    ("nights and weekends idle, 3,000 calls per hour", {"traffic_pattern": "business-hours", "mean_rps": 3000 / 3600}),
    ("24/7 at 120 rps", {"traffic_pattern": "steady", "mean_rps": 120.0}),
])
def test_extract_reads_stated_fields(q: str, expected: dict) -> None:
    got = extract(q)
    for k, v in expected.items():
        assert got[k] == pytest.approx(v) if isinstance(v, float) else got[k] == v, (k, got)


def test_extract_guesses_nothing() -> None:
    assert extract("Where should I deploy my model?") == {}


def test_missing_fields_that_matter_are_asked() -> None:
    prof, assumed = dialogue.complete(extract("CPU only, steady 30 req/s, 50 ms per request"))
    assert "gpu" not in assumed and "memory_mb" in assumed
    assert "gpu" not in dialogue.questions_that_matter(prof, assumed)
    prof, assumed = dialogue.complete(extract("steady 30 req/s, 50 ms per request"))
    assert "gpu" in dialogue.questions_that_matter(prof, assumed)  # a GPU need would rule Lambda and Fargate out


def test_answer_has_recommendation_cost_reasons_and_links() -> None:
    a = answer.answer("Contract classifier, sklearn, 2M requests a month in office hours, CPU only")
    text = a.to_text()
    assert a.recommendation == "lambda" and "$" in text and "Read more:" in text
    assert all(u.startswith("notebooks/") for _, u in a.sources)
    assert "Assumed (not in your question)" in text


def test_evaluation_set_is_large_and_varied() -> None:
    qs = evaluate.questions()
    assert len(qs) >= 30 and len({q["question"][:40] for q in qs}) == len(qs)
    assert {q["expected"] for q in qs} == {"lambda", "sagemaker", "sagemaker-serverless", "fargate", "eks", "triton"}


def test_evaluation_accuracy_above_threshold() -> None:
    ev = evaluate.run()
    assert ev.recommendation_accuracy >= C11_THRESHOLD, ev.rows[~ev.rows.recommendation_ok]
    assert ev.source_hit_rate >= C11_THRESHOLD, ev.rows[~ev.rows.source_hit]


def test_cli_one_shot_and_conversation() -> None:
    r = subprocess.run([sys.executable, "-m", "mlopsbook", "ask", "steady 30 req/s, CPU only, 50 ms per request"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "Medusa: deploy it on" in r.stdout
    r = subprocess.run([sys.executable, "-m", "mlopsbook", "ask"], input="steady 30 req/s, 50 ms per request\nCPU only\nquit\n",
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.count("Medusa: deploy it on") == 2 and "GPU" in r.stdout and "bye" in r.stdout


def test_verdict_c11_reports_the_evaluation() -> None:
    from mlopsbook.claims import Status
    from mlopsbook.reproductions.engineering_culture_leadership.medusa import verdict_c11

    v = verdict_c11()
    ev = evaluate.run()
    assert v.status is Status.HOLDS_UNDER_CONDITIONS
    assert v.figures["recommendation_accuracy"] == ev.recommendation_accuracy and v.figures["questions"] == ev.n
