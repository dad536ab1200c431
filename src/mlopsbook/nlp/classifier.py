"""Document classification with scikit-learn: TF-IDF word n-grams and a multinomial logistic regression.

This is the kind of model the post calls lightweight: a few megabytes, no GPU, milliseconds per document. Training is
deterministic (the solver is deterministic and has no random state to seed for this configuration); the fitted
pipeline is saved with :mod:`pickle` (only ever load artifacts this project built: unpickling runs code).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mlopsbook.nlp.corpus import LABELS, Document

CONFIG: dict[str, Any] = {
    "ngram_range": (1, 2),
    "min_df": 2,
    "max_features": 30000,
    "sublinear_tf": True,
    "C": 4.0,
    "max_iter": 2000,
}
"""Hyper-parameters (part of the trained model's cache key)."""

ARTIFACT = "classifier.pkl"
"""File name of the fitted pipeline inside a model folder."""


def build() -> Any:
    """An unfitted ``sklearn.pipeline.Pipeline``: ``TfidfVectorizer`` then ``LogisticRegression``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    ngram_range=CONFIG["ngram_range"],
                    min_df=CONFIG["min_df"],
                    max_features=CONFIG["max_features"],
                    sublinear_tf=CONFIG["sublinear_tf"],
                    dtype=np.float32,
                ),
            ),
            ("logreg", LogisticRegression(C=CONFIG["C"], max_iter=CONFIG["max_iter"])),
        ]
    )


def train(docs: Sequence[Document]) -> Any:
    """Fit :func:`build` on ``docs``. Raises ``ValueError`` if a document type of :data:`LABELS` is missing."""
    missing = set(LABELS) - {d.label for d in docs}
    if missing:
        raise ValueError(f"docs: no training document of type {', '.join(sorted(missing))}")
    model = build()
    model.fit([d.text for d in docs], [d.label for d in docs])
    return model


def predict(model: Any, texts: Sequence[str]) -> list[dict[str, Any]]:
    """``[{"label": str, "score": float}]``, one per text; ``score`` is the predicted class probability (0..1)."""
    if not texts:
        return []
    proba = model.predict_proba(list(texts))
    classes = model.classes_
    best = proba.argmax(axis=1)
    return [{"label": str(classes[i]), "score": round(float(p[i]), 6)} for i, p in zip(best, proba)]


@dataclass(frozen=True)
class Scores:
    """Held-out accuracy and macro-averaged F1 (both 0..1), and the number of documents scored."""

    accuracy: float
    macro_f1: float
    n_docs: int


def evaluate(model: Any, docs: Sequence[Document]) -> Scores:
    """Accuracy and macro F1 of ``model`` on ``docs``."""
    from sklearn.metrics import accuracy_score, f1_score

    y_true = [d.label for d in docs]
    y_pred = [p["label"] for p in predict(model, [d.text for d in docs])]
    return Scores(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(f1_score(y_true, y_pred, average="macro")),
        n_docs=len(docs),
    )


def save(model: Any, folder: Path) -> Path:
    """Write the fitted pipeline to ``folder/classifier.pkl``; returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ARTIFACT
    # Left out so that the same training gives the same bytes: ``stop_words_`` (pruned terms, older scikit-learn) is a
    # set, pickled in PYTHONHASHSEED's order; ``_stop_words_id`` is a memory address (a cache key that scikit-learn
    # sets on each transform and recomputes when absent).
    tfidf = model.named_steps["tfidf"]
    kept = {a: tfidf.__dict__.pop(a) for a in ("stop_words_", "_stop_words_id") if a in tfidf.__dict__}
    try:
        path.write_bytes(pickle.dumps(model, protocol=5))
    finally:
        tfidf.__dict__.update(kept)
    return path


def load(folder: Path) -> Any:
    """Read ``folder/classifier.pkl``; raises ``FileNotFoundError`` naming the file."""
    path = Path(folder) / ARTIFACT
    if not path.is_file():
        raise FileNotFoundError(f"classifier model not found: {path}")
    return pickle.loads(path.read_bytes())
