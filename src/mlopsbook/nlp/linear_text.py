"""A TF-IDF + linear text classifier served by NumPy alone, exported from a fitted scikit-learn pipeline.

The Lambda package of the classifier carries no scikit-learn, SciPy or pickle: :func:`export` writes the fitted
``TfidfVectorizer`` + ``LogisticRegression`` pipeline as plain data (``vocabulary.json``: the terms in column order
and the tokenizer settings; ``weights.npz``: IDF weights, coefficients, intercepts, read with
``allow_pickle=False``), and :class:`LinearTextClassifier` re-implements the few steps that scoring needs:

1. lower-case, tokens by the vectorizer's ``token_pattern``, word n-grams joined by a space (scikit-learn's
   ``analyzer="word"``), counts of the terms in the vocabulary;
2. ``1 + log(count)`` when ``sublinear_tf``, times the IDF weights, L2-normalised (in float32, as fitted);
3. ``X @ coef.T + intercept`` and a softmax (multinomial logistic regression's ``predict_proba``).

It has the same ``classes_`` / ``predict_proba`` interface as the pipeline, so
:func:`mlopsbook.nlp.classifier.predict` works with either. This module imports only the standard library and
NumPy: the classifier's wheel ships a copy of it (``mlopsbook_legal_classifier/linear_text.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

VOCABULARY = "vocabulary.json"
"""Terms (in the coefficient matrix's column order), classes and tokenizer settings."""
WEIGHTS = "weights.npz"
"""``idf`` (n_terms), ``coef`` (n_classes x n_terms), ``intercept`` (n_classes); no pickled objects."""
FORMAT = "linear-text-v1"


class ExportError(ValueError):
    """A model that cannot be exported, or an export folder that cannot be read (the message names the field or
    file)."""


def _check_supported(tfidf: Any, logreg: Any) -> None:
    p = tfidf.get_params()
    expected = {"analyzer": "word", "lowercase": True, "strip_accents": None, "preprocessor": None,
                "tokenizer": None, "stop_words": None, "binary": False, "norm": "l2", "use_idf": True}
    for key, value in expected.items():
        if p.get(key) != value:
            raise ExportError(f"tfidf.{key}: only {value!r} can be exported (got {p.get(key)!r})")
    if len(logreg.classes_) < 3:
        raise ExportError(f"logreg.classes_: need 3 or more classes for the softmax (got {len(logreg.classes_)})")


def export(pipeline: Any, folder: Path) -> Path:
    """Write a fitted ``Pipeline([("tfidf", TfidfVectorizer), ("logreg", LogisticRegression)])`` to ``folder``
    (:data:`VOCABULARY`, :data:`WEIGHTS`); returns the folder. Raises :class:`ExportError` naming a setting this
    module does not reproduce."""
    tfidf, logreg = pipeline.named_steps["tfidf"], pipeline.named_steps["logreg"]
    _check_supported(tfidf, logreg)
    terms = [t for t, _ in sorted(tfidf.vocabulary_.items(), key=lambda kv: kv[1])]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT,
        "classes": [str(c) for c in logreg.classes_],
        "token_pattern": tfidf.token_pattern,
        "ngram_range": list(tfidf.ngram_range),
        "sublinear_tf": bool(tfidf.sublinear_tf),
        "dtype": np.dtype(tfidf.dtype).name,
        "terms": terms,
    }
    (folder / VOCABULARY).write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n")
    arrays = {
        "idf": np.asarray(tfidf.idf_),
        "coef": np.ascontiguousarray(logreg.coef_),
        "intercept": np.asarray(logreg.intercept_),
    }
    with open(folder / WEIGHTS, "wb") as fh:  # np.savez writes zip entries with the current time: fix it
        import zipfile

        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(arrays):
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with zf.open(info, "w") as out:
                    np.lib.format.write_array(out, arrays[name], allow_pickle=False)
    return folder


class LinearTextClassifier:
    """The exported classifier: ``classes_`` and ``predict_proba(texts)`` like the scikit-learn pipeline."""

    def __init__(self, meta: dict[str, Any], idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> None:
        n = len(meta["terms"])
        if idf.shape != (n,) or coef.shape != (len(meta["classes"]), n) or intercept.shape != (len(meta["classes"]),):
            raise ExportError(f"{WEIGHTS}: shapes idf {idf.shape}, coef {coef.shape}, intercept {intercept.shape} "
                              f"do not match {n} terms and {len(meta['classes'])} classes")
        self.classes_ = np.asarray(meta["classes"])
        self.vocabulary = {t: i for i, t in enumerate(meta["terms"])}
        self._token = re.compile(meta["token_pattern"])
        self._ngrams = tuple(int(x) for x in meta["ngram_range"])
        self._sublinear = bool(meta["sublinear_tf"])
        self._dtype = np.dtype(meta["dtype"])
        self.idf = idf.astype(self._dtype)
        self.coef = coef
        self.intercept = intercept

    def _terms(self, text: str) -> list[str]:
        tokens = self._token.findall(text.lower())
        lo, hi = self._ngrams
        out = tokens[:] if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out

    def transform(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per text, the sparse TF-IDF row: ``(column indices, float32 weights)``, L2-normalised."""
        rows = []
        vocab = self.vocabulary
        for text in texts:
            idx = [vocab[t] for t in self._terms(text) if t in vocab]
            cols, counts = np.unique(np.asarray(idx, dtype=np.int64), return_counts=True)
            w = counts.astype(self._dtype)
            if self._sublinear:
                w = np.log(w) + self._dtype.type(1)
            w = w * self.idf[cols]
            norm = np.sqrt(np.sum(w.astype(np.float64) ** 2))
            if norm > 0:
                w = (w / norm).astype(self._dtype)
            rows.append((cols, w))
        return rows

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """``X @ coef.T + intercept`` (n_texts x n_classes), float64."""
        out = np.empty((len(texts), len(self.classes_)), dtype=np.float64)
        for i, (cols, w) in enumerate(self.transform(texts)):
            out[i] = self.coef[:, cols].astype(np.float64) @ w.astype(np.float64) + self.intercept
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities (softmax of :meth:`decision_function`), rows summing to 1."""
        d = self.decision_function(list(texts))
        d -= d.max(axis=1, keepdims=True)
        np.exp(d, out=d)
        d /= d.sum(axis=1, keepdims=True)
        return d

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable class of each text."""
        return self.classes_[self.decision_function(list(texts)).argmax(axis=1)]


def load(folder: Path) -> LinearTextClassifier:
    """Read an export folder. Raises :class:`ExportError` naming the missing or malformed file or field."""
    folder = Path(folder)
    vpath, wpath = folder / VOCABULARY, folder / WEIGHTS
    for p in (vpath, wpath):
        if not p.is_file():
            raise ExportError(f"{p}: missing (export the classifier with linear_text.export)")
    try:
        meta = json.loads(vpath.read_text())
    except json.JSONDecodeError as exc:
        raise ExportError(f"{vpath}: not JSON ({exc.msg} at line {exc.lineno})") from None
    for key in ("format", "classes", "token_pattern", "ngram_range", "sublinear_tf", "dtype", "terms"):
        if key not in meta:
            raise ExportError(f"{vpath}: missing field {key!r}")
    if meta["format"] != FORMAT:
        raise ExportError(f"{vpath}: format must be {FORMAT!r} (got {meta['format']!r})")
    with np.load(wpath, allow_pickle=False) as z:
        missing = {"idf", "coef", "intercept"} - set(z.files)
        if missing:
            raise ExportError(f"{wpath}: missing array(s) {', '.join(sorted(missing))}")
        return LinearTextClassifier(meta, z["idf"], z["coef"], z["intercept"])
