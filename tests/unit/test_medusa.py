"""AI Medusa: corpus, retrieval, extraction, dialogue, answers, evaluation threshold, CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlopsbook.medusa import answer, assume, corpus, evaluate, retrieve
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
    prof, assumed = assume.complete(extract("CPU only, steady 30 req/s, 50 ms per request"))
    assert "gpu" not in assumed and "memory_mb" in assumed
    assert "gpu" not in assume.questions_that_matter(prof, assumed)
    prof, assumed = assume.complete(extract("steady 30 req/s, 50 ms per request"))
    assert "gpu" in assume.questions_that_matter(prof, assumed)  # a GPU need would rule Lambda and Fargate out


def test_answer_has_recommendation_cost_reasons_and_links() -> None:
    a = answer.answer("Contract classifier, sklearn, 2M requests a month in office hours, CPU only")
    text = a.to_text()
    assert a.recommendation == "lambda" and "$" in text and "Read more:" in text
    assert all(u.startswith("notebooks/") for _, u in a.sources)
    assert "Assumed (not in your question)" in text


def test_question_sets_are_large_varied_and_separate() -> None:
    dev, test = evaluate.questions(evaluate.DEV_FILE), evaluate.questions(evaluate.TEST_FILE)
    limits = evaluate.questions(evaluate.LIMITS_FILE)
    assert len(dev) + len(test) >= 60 and len(test) >= 30 and len(limits) == 12
    assert {q["expected"] for q in dev} == {"lambda", "sagemaker", "sagemaker-serverless", "fargate", "eks", "triton"}
    assert all(q["source"].startswith("https://") for q in test)  # each paraphrases a public question
    starts = [q["question"][:40] for q in dev + test + limits]
    assert len(set(starts)) == len(starts)


def test_a_bad_question_set_is_one_line_naming_the_question(tmp_path, monkeypatch) -> None:
    (tmp_path / "medusa").mkdir()
    (tmp_path / "medusa" / "bad.yaml").write_text("questions:\n- {id: x1, question: q, allowed: [heroku]}\n")
    monkeypatch.setattr(evaluate, "data_path", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(evaluate.EvaluationSetError, match="bad.yaml: question x1: expected/allowed"):
        evaluate.questions("bad.yaml")


@pytest.mark.parametrize("question,out,limit_words", [
    ("We serve a 15 GB CPU-only ranking model at about 5 requests per second. Where?", "lambda", "10 GB"),
    ("One inference takes about 20 minutes on CPU, a few a day.", "lambda", "900 s"),
    ("Requests carry 8 MB payloads, CPU model, 2 req/s.", "lambda", "6,144 KB"),
    ("Each worker needs 12 GB of RAM, CPU only.", "sagemaker-serverless", "6,144 MB"),
    ("A 7B-parameter LLM, a few requests per minute.", "fargate", "no GPU"),
])
def test_hard_limits_rule_out_with_the_limit_named_and_the_words_shown(question: str, out: str, limit_words: str) -> None:
    a = answer.answer(question, flip=False)
    assert a.recommendation != out and out in a.decision.ruled_out
    assert limit_words in a.decision.ruled_out[out]
    text = a.to_text()
    assert "Ruled out by a hard limit" in text and "<- \"" in text  # each read field shows its words


def test_a_stated_preference_beats_an_assumed_slo() -> None:
    q = "Tiny scikit-learn model, 3 MB, 40k requests a month. Cheapest way to serve it?"
    a = answer.answer(q, flip=False)
    assert a.recommendation == "lambda" and a.decision.deciding_criterion == "cost"
    assert "latency_slo_ms" in a.assumed and a.stated["objective"] == "cost"
    stated_slo = answer.answer(q.replace("Cheapest way", "p99 under 200 ms. Cheapest way"), flip=False)
    assert stated_slo.decision.ranking[0].meets_slo  # a stated SLO is a constraint


def test_no_cold_starts_and_budget_are_constraints() -> None:
    a = answer.answer("sklearn model, 1 req/s steady. We can't have cold starts.", flip=False)
    assert a.recommendation not in ("lambda", "sagemaker-serverless")
    assert set(a.decision.excluded) == {"lambda", "sagemaker-serverless"}
    assert "Ruled out by what you asked for" in a.to_text()
    b = answer.answer("sklearn model, steady 30 req/s, must stay under $20 a month.", flip=False)
    assert all(x.monthly_usd <= 20 for x in b.decision.ranking)
    assert b.stated["max_monthly_usd"] == 20


def test_an_answer_on_assumptions_names_the_value_that_flips_it() -> None:
    a = answer.answer("steady 1 req/s, CPU only, 50 ms per request", flip=False)
    flips = {f.field: f for f in a.flips}
    assert "memory_mb" in flips and flips["memory_mb"].platform != a.recommendation
    assert "would make it" in a.to_text()


def test_answer_and_dialogue_import_without_a_cycle() -> None:
    code = "import mlopsbook.medusa.dialogue, mlopsbook.medusa.answer; print('ok')"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
    import ast
    from pathlib import Path

    src = Path(answer.__file__).read_text()
    assert "dialogue" not in {n.names[0].name.split(".")[-1] for n in ast.walk(ast.parse(src))
                              if isinstance(n, ast.ImportFrom) and n.names} | {
        a.name for n in ast.walk(ast.parse(src)) if isinstance(n, ast.ImportFrom) for a in n.names}


@pytest.mark.parametrize("command", [["ask", "steady 30 req/s, CPU only"], ["decide", "--help"]])
@pytest.mark.parametrize("reader", ["head -1", "true"])
def test_cli_closes_quietly_on_a_closed_pipe(command: list[str], reader: str) -> None:
    import shlex

    cmd = f"{shlex.quote(sys.executable)} -m mlopsbook {' '.join(map(shlex.quote, command))} | {reader}; " \
          "exit ${PIPESTATUS[0]}"
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True)
    assert r.returncode in (0, 141), r.stderr
    assert "Traceback" not in r.stderr and "BrokenPipeError" not in r.stderr, r.stderr


def test_cli_one_shot_and_conversation() -> None:
    r = subprocess.run([sys.executable, "-m", "mlopsbook", "ask", "steady 30 req/s, CPU only, 50 ms per request"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "Medusa: deploy it on" in r.stdout
    r = subprocess.run([sys.executable, "-m", "mlopsbook", "ask"], input="steady 30 req/s, 50 ms per request\nCPU only\nquit\n",
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.count("Medusa: deploy it on") == 2 and "GPU" in r.stdout and "bye" in r.stdout
