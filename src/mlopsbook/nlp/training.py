"""The training and held-out sets of the NLP models: sizes, seeds and length ranges, drawn from :mod:`corpus`.

Part of the model code: this file's bytes are in the hash recorded with the shipped models
(:func:`mlopsbook.nlp.artefact.model_code_hash`), so changing a set makes the shipped models stale.
"""

from __future__ import annotations

from typing import Any

TRAINING: dict[str, Any] = {
    "classifier": {"n_docs": 1000, "seed": 0, "min_words": 40, "max_words": 400},
    "ner": {"n_docs": 300, "seed": 1, "min_words": 40, "max_words": 150},
    "test": {"n_docs": 300, "seed": 0, "min_words": 40, "max_words": 400},
}
"""Sets by name: the classifier's and the NER's training sets (train split) and the held-out set (test split)."""


def training_sets() -> dict[str, list]:
    """The seeded training and held-out documents (``"classifier"``, ``"ner"``, ``"test"``)."""
    from mlopsbook.nlp import corpus

    out = {}
    for name, cfg in TRAINING.items():
        out[name] = corpus.corpus(
            cfg["n_docs"],
            seed=cfg["seed"],
            split="test" if name == "test" else "train",
            min_words=cfg["min_words"],
            max_words=cfg["max_words"],
        )
    return out
