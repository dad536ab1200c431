"""Evaluate Medusa on its question sets in ``data/medusa/`` (see its README for how each was written):

``dev-questions.yaml``
    the development set, written with the reader: each item names the ``expected`` platform and the book
    ``sources`` that answer it. Used to build Medusa; its score is not a measure of accuracy.
``test-questions.yaml``
    the test set: paraphrases of real public questions (``source``: the link), written before the reader and never
    used to build it; each item lists the ``allowed`` platforms. Its accuracy is the one reported.
``limit-questions.yaml``
    twelve questions written from AWS's published limits, held out the same way (``allowed`` platforms).

A recommendation is right when it is the ``expected`` platform, or one of the ``allowed`` ones; a source hit when one
of the sections Medusa links is among the expected ``sources`` (``doc#anchor`` keys, or a whole ``doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import yaml

from mlopsbook.costs.model import PLATFORMS
from mlopsbook.errors import MlopsbookError
from mlopsbook.medusa.answer import answer
from mlopsbook.paths import data_path

DEV_FILE = "dev-questions.yaml"
TEST_FILE = "test-questions.yaml"
LIMITS_FILE = "limit-questions.yaml"


class EvaluationSetError(MlopsbookError):
    """A malformed question set; the message names the file, the question and the field."""


@dataclass(frozen=True)
class Evaluation:
    """One set's answers and scores (``rows``: one per question)."""

    name: str
    rows: pd.DataFrame

    @property
    def n(self) -> int:
        return int(len(self.rows))

    @property
    def recommendation_accuracy(self) -> float:
        return float(self.rows["recommendation_ok"].mean())

    @property
    def correct(self) -> int:
        return int(self.rows["recommendation_ok"].sum())

    @property
    def source_hit_rate(self) -> float:
        """Share of questions with expected book sections whose answer links one (NaN when the set has none)."""
        hits = self.rows["source_hit"].dropna()
        return float(hits.astype(float).mean()) if len(hits) else float("nan")

    @property
    def misses(self) -> pd.DataFrame:
        return self.rows[~self.rows["recommendation_ok"]]


def questions(name: str = DEV_FILE) -> list[dict]:
    """A question set, validated: each item has ``id`` and ``question``, and ``expected`` (one platform) or
    ``allowed`` (a list of platforms); ``sources`` (book sections) is optional."""
    path = data_path("medusa", name)
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise EvaluationSetError(f"{path.name}: cannot read a 'questions' list ({exc.__class__.__name__})") from None
    seen = set()
    for i, q in enumerate(items, 1):
        for k in ("id", "question"):
            if k not in q:
                raise EvaluationSetError(f"{path.name}: question {i}: missing {k}")
        if ("expected" in q) == ("allowed" in q):
            raise EvaluationSetError(f"{path.name}: question {q['id']}: give either expected or allowed")
        wanted = [q["expected"]] if "expected" in q else q["allowed"]
        if not isinstance(wanted, list) or not wanted or any(p not in PLATFORMS for p in wanted):
            raise EvaluationSetError(f"{path.name}: question {q['id']}: expected/allowed must name platforms among "
                                     f"{', '.join(PLATFORMS)}")
        if q["id"] in seen:
            raise EvaluationSetError(f"{path.name}: duplicate id {q['id']}")
        seen.add(q["id"])
    return items


def _hit(urls: list[str], expected: list[str]) -> bool:
    keys = [u.removeprefix("notebooks/").replace(".html", "") for u in urls]
    return any(k == e or k.split("#")[0] == e for k in keys for e in expected)


@lru_cache(maxsize=4)
def run(name: str = DEV_FILE) -> Evaluation:
    """Answer every question of a set (deterministic; flip search skipped) and score the answers."""
    rows = []
    for q in questions(name):
        a = answer(q["question"], flip=False)
        urls = [u for _, u in a.sources]
        allowed = [q["expected"]] if "expected" in q else list(q["allowed"])
        rows.append({"id": q["id"], "allowed": ", ".join(allowed), "answered": a.recommendation,
                     "recommendation_ok": a.recommendation in allowed,
                     "source_hit": _hit(urls, list(q["sources"])) if q.get("sources") else None,
                     "read": ", ".join(f"{k}={v.value:g}" if isinstance(v.value, float) else f"{k}={v.value}"
                                       for k, v in a.read.items()),
                     "asked": ", ".join(a.ask), "source": q.get("source", ""),
                     "top_source": urls[0].removeprefix("notebooks/") if urls else ""})
    return Evaluation(name, pd.DataFrame(rows))
