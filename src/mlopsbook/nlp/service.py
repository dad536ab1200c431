"""The model API shared by every way the post's NLP services are served: AWS Lambda (:mod:`handlers`), Ray Serve
(real time) and Ray Data (bulk).

>>> validate_document({"text": "This lease is governed by the law of Scotland."})
'This lease is governed by the law of Scotland.'
>>> try:
...     validate_document({"text": 42})
... except InvalidRequest as e:
...     print(e.status_code, e.message)
422 'text' must be a string (got int)

:func:`load_models` returns both models, trained on first use (about 30 s on one core) from the seeded corpus and
cached under ``build/models/<version>/``, where ``<version>`` hashes the generator, the training code and settings,
and the library versions: a change to any of them trains afresh; the same inputs give the same predictions.
A deployed service loads the models from their pip-installed wheels instead (:func:`load_installed`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from mlopsbook.errors import MlopsbookError

MAX_TEXT_CHARS = 150_000
"""Longest accepted document, in characters (about 45 dense pages; a 20-page document is about 65,000)."""
MAX_BODY_BYTES = 6 * MAX_TEXT_CHARS + 1024
"""Largest request body a handler parses (characters of the body string; base64 bodies 4/3 of it): a document of
:data:`MAX_TEXT_CHARS` characters written entirely as JSON ``\\uXXXX`` escapes (6 characters each), plus 1 KiB of
JSON around it. A larger body is refused with 413 before it is parsed."""

ALLOWED_KEYS = frozenset({"text"})
"""Keys accepted in a request body (anything else is rejected, not ignored)."""

CLASSIFIER_PACKAGE = "mlopsbook_legal_classifier"
"""Import name of the classifier's wheel (built by :mod:`mlopsbook.lambdakit.packaging`)."""
NER_PACKAGE = "en_legal_ner"
"""Import name of the NER pipeline's wheel (built with ``spacy package``)."""

# Training sets: sizes and seeds (part of the cache key).
TRAINING: dict[str, Any] = {
    "classifier": {"n_docs": 1000, "seed": 0, "min_words": 40, "max_words": 400},
    "ner": {"n_docs": 300, "seed": 1, "min_words": 40, "max_words": 150},
    "test": {"n_docs": 300, "seed": 0, "min_words": 40, "max_words": 400},
}


class InvalidRequest(MlopsbookError):
    """A request the services refuse, with the HTTP status to answer (400, 405, 413, 415 or 422) and a message
    that says what is wrong and what is expected."""

    def __init__(self, status_code: int, message: str) -> None:
        if status_code not in (400, 405, 413, 415, 422):
            raise ValueError(f"status_code: must be 400, 405, 413, 415 or 422 (got {status_code})")
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code
        self.message = message


def validate_document(payload: object) -> str:
    """The document text of a JSON-decoded request body ``{"text": str}``.

    Raises :class:`InvalidRequest`: 400 if the body is not a JSON object; 422 if ``text`` is missing, not a string,
    blank, or another key is present; 413 if the text is longer than :data:`MAX_TEXT_CHARS` characters.
    """
    if not isinstance(payload, dict):
        raise InvalidRequest(400, f'body must be a JSON object like {{"text": "..."}} (got {_json_type(payload)})')
    extra = sorted(set(map(str, payload)) - ALLOWED_KEYS)
    if extra:
        raise InvalidRequest(422, f"unexpected key(s) {', '.join(map(repr, extra))}; the only key is 'text'")
    if "text" not in payload:
        raise InvalidRequest(422, "missing key 'text'")
    text = payload["text"]
    if not isinstance(text, str):
        raise InvalidRequest(422, f"'text' must be a string (got {_json_type(text)})")
    if not text.strip():
        raise InvalidRequest(422, "'text' is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidRequest(413, f"'text' has {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
    return text


def _json_type(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"texts: must be a list of strings (got {type(texts).__name__})")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}]: must be a string (got {type(t).__name__})")
    return list(texts)


class Models:
    """The two services' models. Either may be absent (a Lambda package carries only its own model); calling the
    missing one raises ``RuntimeError`` naming it."""

    def __init__(self, classifier: Any | None = None, ner: Any | None = None, version: str = "") -> None:
        self._classifier = classifier
        self._ner = ner
        self.version = version

    @property
    def has_classifier(self) -> bool:
        return self._classifier is not None

    @property
    def has_ner(self) -> bool:
        return self._ner is not None

    def classify(self, texts: list[str]) -> list[dict]:
        """``[{"label": str, "score": float}]``: each text's document type and its probability (0..1)."""
        from mlopsbook.nlp import classifier

        if self._classifier is None:
            raise RuntimeError("these Models carry no classifier")
        return classifier.predict(self._classifier, _check_texts(texts))

    def entities(self, texts: list[str]) -> list[list[dict]]:
        """``[[{"text", "label", "start", "end"}]]``: each text's entities, character offsets ``[start, end)``."""
        from mlopsbook.nlp import ner

        if self._ner is None:
            raise RuntimeError("these Models carry no NER pipeline")
        return ner.predict(self._ner, _check_texts(texts))

    def score(self, texts: list[str]) -> list[dict]:
        """Both: ``[{"label", "score", "entities"}]``."""
        texts = _check_texts(texts)
        return [{**c, "entities": e} for c, e in zip(self.classify(texts), self.entities(texts))]


# -- training and caching ------------------------------------------------------------------------------------------
def model_version() -> str:
    """A 16-hex-digit hash of everything that determines the trained models: the generator, the training code and
    settings, and the versions of numpy, scikit-learn and spaCy."""
    from importlib.metadata import version

    from mlopsbook.nlp import classifier, corpus, ner

    h = hashlib.sha256()
    for mod in (corpus, classifier, ner):
        h.update(Path(mod.__file__).read_bytes())
    h.update(json.dumps(TRAINING, sort_keys=True).encode())
    for dist in ("numpy", "scikit-learn", "spacy"):
        h.update(f"{dist}=={version(dist)}".encode())
    return h.hexdigest()[:16]


def default_model_dir() -> Path:
    """``build/models/<model_version()>`` under the repository root."""
    from mlopsbook.paths import repo_root

    return repo_root() / "build" / "models" / model_version()


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


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _complete(folder: Path) -> bool:
    return (folder / "metrics.json").is_file()


def train_models(folder: Path) -> dict[str, Any]:
    """Train both models and write them, with their held-out scores (``metrics.json``), into ``folder``.

    Writes into a temporary sibling folder first and renames it, so a reader never sees half a model.
    Returns the metrics.
    """
    from mlopsbook.nlp import classifier, ner

    sets = training_sets()
    clf = classifier.train(sets["classifier"])
    nlp = ner.train(sets["ner"])
    c_scores = classifier.evaluate(clf, sets["test"])
    n_scores = ner.evaluate(nlp, sets["test"])
    metrics = {
        "version": folder.name,
        "classifier": {**c_scores.__dict__},
        "ner": {**n_scores.__dict__},
        "training": TRAINING,
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        classifier.save(clf, tmp)
        ner.save(nlp, tmp)
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=1, sort_keys=True) + "\n")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return metrics


def ensure_trained(model_dir: Path | None = None) -> Path:
    """The model folder, training into it first if it holds no complete models (safe across processes)."""
    folder = Path(model_dir) if model_dir is not None else default_model_dir()
    if _complete(folder):
        return folder
    with _lock(folder.parent / f".{folder.name}.lock"):
        if not _complete(folder):
            train_models(folder)
    return folder


def metrics(model_dir: Path | None = None) -> dict[str, Any]:
    """Held-out scores of the models (training them first if needed): ``{"classifier": {...}, "ner": {...}}``."""
    folder = ensure_trained(model_dir)
    return json.loads((folder / "metrics.json").read_text())


def load_models(model_dir: Path | None = None) -> Models:
    """Both models from ``model_dir`` (default :func:`default_model_dir`), trained and cached there if absent.

    Deterministic: the same code and versions give the same models and predictions.
    """
    from mlopsbook.nlp import classifier, ner

    folder = ensure_trained(model_dir)
    return Models(classifier=classifier.load(folder), ner=ner.load(folder), version=folder.name)


def load_installed(*, classifier: bool = True, ner: bool = True) -> Models:
    """The models from their pip-installed wheels (:data:`CLASSIFIER_PACKAGE`, :data:`NER_PACKAGE`), as a deployed
    service loads them; only the ones asked for. Raises ``ModuleNotFoundError`` naming a missing package."""
    import importlib

    clf = nlp = None
    version = ""
    if classifier:
        pkg = importlib.import_module(CLASSIFIER_PACKAGE)
        clf = pkg.load()
        version = getattr(pkg, "MODEL_VERSION", "")
    if ner:
        pkg = importlib.import_module(NER_PACKAGE)
        nlp = pkg.load()
        version = version or nlp.meta.get("version", "")
    return Models(classifier=clf, ner=nlp, version=version)
