"""The model API shared by every way the post's NLP services are served: AWS Lambda (:mod:`handlers`), Ray Serve
(real time) and Ray Data (bulk).

>>> validate_document({"text": "This lease is governed by the law of Scotland."})
'This lease is governed by the law of Scotland.'
>>> try:
...     validate_document({"text": 42})
... except InvalidRequest as e:
...     print(e.status_code, e.message)
422 'text' must be a string (got int)

:func:`load_models` returns both models from the shipped artefact (:mod:`mlopsbook.nlp.artefact`: trained once,
committed under ``data/models/``, checked against its manifest when loaded); nothing trains on first use. A deployed
service loads the models from their pip-installed wheels instead (:func:`load_installed`), built from that artefact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence


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


class InvalidRequest(MlopsbookError):
    """A request the services refuse, with the HTTP status to answer (400, 405, 413, 415 or 422) and a message
    that says what is wrong and what is expected."""

    def __init__(self, status_code: int, message: str) -> None:
        if status_code not in (400, 405, 413, 415, 422):
            raise MlopsbookError(f"status_code: must be 400, 405, 413, 415 or 422 (got {status_code})")
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


# -- the shipped models --------------------------------------------------------------------------------------------
def model_version() -> str:
    """The shipped models' version: the 16-hex-digit hash of their files (:func:`artefact.artefact_hash`), what every
    measurement made with them records. Raises :class:`~mlopsbook.errors.StaleModelError` when the model code
    changed since they were made."""
    from mlopsbook.nlp import artefact

    return artefact.version()


def models_dir(model_dir: Path | None = None) -> Path:
    """The model folder to load (default the shipped artefact, ``data/models/<artefact.SHIPPED>``), checked against
    its manifest (:func:`artefact.verify`)."""
    from mlopsbook.nlp import artefact

    folder = Path(model_dir) if model_dir is not None else artefact.shipped_dir()
    artefact.verify(folder)
    return folder


def recorded_metrics(model_dir: Path | None = None) -> dict[str, Any]:
    """The held-out scores measured when the models were made (the artefact's ``metrics.json``)."""
    return json.loads((models_dir(model_dir) / "metrics.json").read_text())


def metrics(model_dir: Path | None = None) -> dict[str, Any]:
    """Held-out scores of the models, measured now on this machine: ``{"classifier": {...}, "ner": {...}}``, the
    same fields as :func:`recorded_metrics` (equal to them wherever the models predict the same labels and spans)."""
    from mlopsbook.nlp import classifier, ner, training

    models = load_models(model_dir)
    test = training.training_sets()["test"]
    return {"classifier": {**classifier.evaluate(models._classifier, test).__dict__},
            "ner": {**ner.evaluate(models._ner, test).__dict__}}


def load_models(model_dir: Path | None = None) -> Models:
    """Both models from ``model_dir`` (default the shipped artefact), after checking its files against its manifest.
    Nothing is trained here: a missing, altered or stale artefact raises a one-line error naming the folder (and,
    when stale, the command that retrains)."""
    from mlopsbook.nlp import artefact, classifier, ner

    folder = models_dir(model_dir)
    version = artefact.read_manifest(folder)["artefact_hash"]
    return Models(classifier=classifier.load(folder), ner=ner.load(folder), version=version)


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
