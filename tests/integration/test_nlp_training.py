"""Training the NLP models again from scratch (both of them, about half a minute) gives the models the unit tests use."""

from __future__ import annotations

from mlopsbook.nlp import corpus, service


def test_training_is_deterministic(tmp_path):
    """Training again from scratch gives the same predictions (same corpus, same seed)."""
    service.train_models(tmp_path / "again")
    again = service.load_models(tmp_path / "again")
    docs = [d.text for d in corpus.corpus(15, seed=99, split="test")]
    assert again.score(docs) == service.load_models().score(docs)
