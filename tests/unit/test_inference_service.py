"""The shared model API: validation, corpus, training determinism, held-out quality."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.errors import StaleModelError
from mlopsbook.nlp import artefact, corpus, service
from mlopsbook.nlp.service import InvalidRequest, validate_document


@pytest.fixture(scope="module")
def models():
    return service.load_models()


def test_validate_accepts_text():
    assert validate_document({"text": "A lease."}) == "A lease."


@pytest.mark.parametrize(
    "payload, status, words",
    [
        ([1, 2], 400, "JSON object"),
        ("text", 400, "got string"),
        (None, 400, "got null"),
        ({}, 422, "missing key 'text'"),
        ({"text": 42}, 422, "got int"),
        ({"text": ["a"]}, 422, "got array"),
        ({"text": "  \n"}, 422, "empty"),
        ({"text": "a", "lang": "en"}, 422, "'lang'"),
        ({"text": "x" * (service.MAX_TEXT_CHARS + 1)}, 413, str(service.MAX_TEXT_CHARS)),
    ],
)
def test_validate_rejects(payload, status, words):
    with pytest.raises(InvalidRequest) as exc:
        validate_document(payload)
    assert exc.value.status_code == status
    assert words in exc.value.message


def test_limit_is_inclusive():
    assert len(validate_document({"text": "x" * service.MAX_TEXT_CHARS})) == service.MAX_TEXT_CHARS


def test_invalid_request_rejects_unknown_status():
    with pytest.raises(ValueError, match="status_code"):
        InvalidRequest(500, "no")


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3)))
def test_validate_never_crashes(payload):
    """Any JSON value gives either a text or an InvalidRequest with a 4xx status (never another exception)."""
    try:
        text = validate_document(payload)
    except InvalidRequest as exc:
        assert exc.status_code in (400, 413, 422)
    else:
        assert isinstance(text, str) and text.strip()


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(corpus.LABELS), st.integers(1, 600), st.integers(0, 2**32 - 1), st.sampled_from(["train", "test"]))
def test_corpus_entities_are_exact_spans(label, n_words, seed, split):
    d = corpus.document(np.random.default_rng(seed), label, n_words, split)
    assert d.label == label
    assert d.n_words >= min(n_words, 3)
    for e in d.entities:
        assert d.text[e.start : e.end] == e.text
        assert e.label in corpus.ENTITY_LABELS
    starts = [e.start for e in d.entities]
    assert starts == sorted(starts)


def test_corpus_is_seeded_and_splits_disjoint_names():
    a = corpus.corpus(20, seed=3)
    assert a == corpus.corpus(20, seed=3)
    assert a != corpus.corpus(20, seed=4)
    train_parties = {e.text for d in corpus.corpus(200, seed=0) for e in d.entities if e.label == "PARTY"}
    test_parties = {e.text for d in corpus.corpus(200, seed=0, split="test") for e in d.entities if e.label == "PARTY"}
    assert not train_parties & test_parties


@pytest.mark.parametrize("kwargs, match", [({"n_docs": 0}, "n_docs"), ({"n_docs": 2, "min_words": 5, "max_words": 4}, "min_words")])
def test_corpus_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        corpus.corpus(seed=0, **kwargs)


def test_document_rejects_unknown_label():
    with pytest.raises(ValueError, match="label"):
        corpus.document(np.random.default_rng(0), "invoice", 10)


def test_models_learned_something():
    m = service.metrics()
    assert m == {k: v for k, v in service.recorded_metrics().items() if k in m}  # measured now = when made
    assert m["classifier"]["accuracy"] > 0.9  # 5 balanced classes: chance is 0.2
    assert m["ner"]["f1"] > 0.85
    assert m["ner"]["f1_by_label"]["PARTY"] > 0.8  # learned, on names never seen in training


def test_models_api_shapes(models):
    texts = ["In the High Court of Ireland, Judge Vera Novak awarded costs of £25,000 on 3 May 2021.", "A loan."]
    out = models.score(texts)
    assert len(out) == 2
    assert out[0]["label"] in corpus.LABELS and 0 < out[0]["score"] <= 1
    labels = {e["label"] for e in out[0]["entities"]}
    assert {"DATE", "MONEY"} <= labels
    for e in out[0]["entities"]:
        assert texts[0][e["start"] : e["end"]] == e["text"]
    assert models.classify([]) == [] and models.entities([]) == []


def test_models_reject_bad_texts(models):
    with pytest.raises(TypeError, match="texts"):
        models.classify("one string")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        models.entities(["ok", 3])


def test_rules_find_statutes_never_seen(models):
    ents = models.entities(["The claim was brought under the Unfair Terms Act 2015 and governed by law."])[0]
    assert any(e["text"] == "Unfair Terms Act 2015" and e["label"] == "LAW" for e in ents)


def test_retraining_on_the_shipped_kernels_gives_the_shipped_files(tmp_path, models):
    """Training again from scratch (same corpus, same seeds) with the BLIS kernels the shipped models were made with
    gives the same bytes; on another kernel family it need not, which is why the models are shipped, not trained."""
    shipped = artefact.read_manifest()
    if artefact.blis_arch() != shipped["made_with"]["blis_arch"]:
        pytest.skip(f"BLIS runs {artefact.blis_arch()} here; the shipped models were trained on "
                    f"{shipped['made_with']['blis_arch']}")
    again = artefact.make(tmp_path / "again")
    assert again["files"] == shipped["files"]
    assert again["artefact_hash"] == shipped["artefact_hash"] == models.version


def test_model_code_changes_make_the_shipped_models_stale(monkeypatch):
    assert service.model_version() == artefact.read_manifest()["artefact_hash"]
    monkeypatch.setattr(artefact, "MODEL_CODE", (*artefact.MODEL_CODE, "service.py"))  # as if the code changed
    with pytest.raises(StaleModelError, match=r"^data/models/legal-nlp-.*retrain with `mlopsbook infer train "
                                              r"--record`$"):
        service.model_version()
    with pytest.raises(StaleModelError):
        service.load_models()
