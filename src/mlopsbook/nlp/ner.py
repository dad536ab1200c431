"""Named-entity recognition with spaCy: a statistical NER trained here from a blank English pipeline, plus rules.

Where a pattern describes an entity exactly (dates like ``12 March 2024``, sums like ``£12,000`` or ``EUR 5,250``,
statutes like ``Companies Act 2006``) an ``entity_ruler`` finds it; the statistical ``ner`` (spaCy's default
transition-based model with a CNN tok2vec) learns the rest from context: parties, courts and places
(:data:`LEARNED_LABELS`). The ruler runs first and the ``ner`` keeps the entities it set.

Training is seeded (``spacy.util.fix_random_seed`` and a seeded shuffle), so the same corpus gives the same weights
and the same predictions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from mlopsbook.nlp.corpus import Document

RULE_LABELS: tuple[str, ...] = ("DATE", "MONEY", "LAW")
"""Entity types found by the rules."""
LEARNED_LABELS: tuple[str, ...] = ("PARTY", "COURT", "GPE")
"""Entity types learned by the statistical model."""

CONFIG: dict[str, Any] = {"n_epochs": 6, "batch_size": 16, "dropout": 0.1, "seed": 0}
"""Training settings (part of the trained model's cache key)."""

ARTIFACT = "ner"
"""Folder name of the spaCy pipeline inside a model folder."""

_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
]


def patterns() -> list[dict[str, Any]]:
    """The ``entity_ruler`` patterns (token patterns, spaCy's Matcher syntax)."""
    return [
        {"label": "DATE", "pattern": [{"IS_DIGIT": True}, {"LOWER": {"IN": _MONTHS}}, {"SHAPE": "dddd"}]},
        {"label": "MONEY", "pattern": [{"ORTH": {"IN": ["£", "$", "€"]}}, {"LIKE_NUM": True}]},
        {"label": "MONEY", "pattern": [{"ORTH": {"IN": ["EUR", "USD", "GBP"]}}, {"LIKE_NUM": True}]},
        {
            "label": "LAW",
            "pattern": [
                {"IS_TITLE": True},
                {"OP": "*", "IS_TITLE": True},
                {"OP": "*", "LOWER": {"IN": ["and", "of"]}},
                {"OP": "*", "IS_TITLE": True},
                {"ORTH": "Act"},
                {"SHAPE": "dddd"},
            ],
        },
    ]


def train(docs: Sequence[Document]) -> Any:
    """A ``spacy.Language`` (blank English + ``entity_ruler`` + trained ``ner``) fitted on ``docs``.

    Raises ``ValueError`` if ``docs`` is empty or an annotation does not align with spaCy's token boundaries
    (naming the document index and the entity).
    """
    import spacy
    from spacy.training import Example

    if not docs:
        raise ValueError("docs: need at least one annotated document")
    spacy.util.fix_random_seed(CONFIG["seed"])
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in LEARNED_LABELS:
        ner.add_label(label)
    examples = []
    for i, d in enumerate(docs):
        doc = nlp.make_doc(d.text)
        spans = []
        for e in d.entities:
            if e.label not in LEARNED_LABELS:
                continue
            if doc.char_span(e.start, e.end) is None:
                raise ValueError(f"docs[{i}]: entity {e.text!r} ({e.start}-{e.end}) is not on token boundaries")
            spans.append((e.start, e.end, e.label))
        examples.append(Example.from_dict(doc, {"entities": spans}))
    optimizer = nlp.initialize(lambda: examples)
    shuffle = random.Random(CONFIG["seed"])
    size = CONFIG["batch_size"]
    for _ in range(CONFIG["n_epochs"]):
        shuffle.shuffle(examples)
        for start in range(0, len(examples), size):
            nlp.update(examples[start : start + size], sgd=optimizer, drop=CONFIG["dropout"])
    ruler = nlp.add_pipe("entity_ruler", before="ner")
    ruler.add_patterns(patterns())
    return nlp


def predict(nlp: Any, texts: Sequence[str], batch_size: int = 32) -> list[list[dict[str, Any]]]:
    """``[[{"text", "label", "start", "end"}]]``: the entities of each text, character offsets ``[start, end)``."""
    return [
        [{"text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char} for e in doc.ents]
        for doc in nlp.pipe(list(texts), batch_size=batch_size)
    ]


@dataclass(frozen=True)
class Scores:
    """Held-out entity-level precision, recall and F1 (0..1), overall and per entity type (F1 only)."""

    precision: float
    recall: float
    f1: float
    f1_by_label: dict[str, float]
    n_docs: int


def evaluate(nlp: Any, docs: Sequence[Document]) -> Scores:
    """Exact-match entity scores of ``nlp`` on ``docs`` against all their annotations (rules and learned)."""
    from spacy.training import Example

    examples = [
        Example.from_dict(nlp.make_doc(d.text), {"entities": [(e.start, e.end, e.label) for e in d.entities]})
        for d in docs
    ]
    s = nlp.evaluate(examples)
    per = s.get("ents_per_type") or {}
    return Scores(
        precision=float(s["ents_p"]),
        recall=float(s["ents_r"]),
        f1=float(s["ents_f"]),
        f1_by_label={k: float(v["f"]) for k, v in sorted(per.items())},
        n_docs=len(docs),
    )


def save(nlp: Any, folder: Path) -> Path:
    """Write the pipeline to ``folder/ner`` (spaCy's ``to_disk`` layout); returns that folder."""
    path = Path(folder) / ARTIFACT
    nlp.to_disk(path)
    return path


def load(folder: Path) -> Any:
    """Read the pipeline in ``folder/ner``; raises ``FileNotFoundError`` naming the folder."""
    import spacy

    path = Path(folder) / ARTIFACT
    if not (path / "meta.json").is_file():
        raise FileNotFoundError(f"NER model not found: {path}")
    return spacy.load(path)
