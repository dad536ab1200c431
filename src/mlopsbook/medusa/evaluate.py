"""Evaluate Medusa on ``data/medusa/eval-questions.yaml``: recommendation accuracy and source hit rate.

A question is right when Medusa's recommendation is the expected platform; a source hit when one of the sections it
links is among the expected ones (``doc#anchor`` keys, or a whole ``doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import yaml

from mlopsbook.costs.model import PLATFORMS
from mlopsbook.medusa.answer import answer
from mlopsbook.paths import data_path

EVAL_FILE = "eval-questions.yaml"


@dataclass(frozen=True)
class Evaluation:
    rows: pd.DataFrame

    @property
    def n(self) -> int:
        return int(len(self.rows))

    @property
    def recommendation_accuracy(self) -> float:
        return float(self.rows["recommendation_ok"].mean())

    @property
    def source_hit_rate(self) -> float:
        return float(self.rows["source_hit"].mean())


def questions(name: str = EVAL_FILE) -> list[dict]:
    """The evaluation set, validated (each item: ``id``, ``question``, ``expected``, ``sources``)."""
    path = data_path("medusa", name)
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    seen = set()
    for i, q in enumerate(items, 1):
        for k in ("id", "question", "expected", "sources"):
            if k not in q:
                raise ValueError(f"{path.name}: question {i}: missing {k}")
        if q["expected"] not in PLATFORMS:
            raise ValueError(f"{path.name}: question {q['id']}: expected must be one of {', '.join(PLATFORMS)}")
        if q["id"] in seen:
            raise ValueError(f"{path.name}: duplicate id {q['id']}")
        seen.add(q["id"])
    return items


def _hit(urls: list[str], expected: list[str]) -> bool:
    keys = [u.removeprefix("notebooks/").replace(".html", "") for u in urls]
    return any(k == e or k.split("#")[0] == e for k in keys for e in expected)


@lru_cache(maxsize=2)
def run(name: str = EVAL_FILE) -> Evaluation:
    """Answer every question (deterministic; flip search skipped) and score the answers."""
    rows = []
    for q in questions(name):
        a = answer(q["question"], flip=False)
        urls = [u for _, u in a.sources]
        rows.append({"id": q["id"], "expected": q["expected"], "answered": a.recommendation,
                     "recommendation_ok": a.recommendation == q["expected"],
                     "source_hit": _hit(urls, list(q["sources"])), "asked": ", ".join(a.ask),
                     "top_source": urls[0].removeprefix("notebooks/") if urls else ""})
    return Evaluation(pd.DataFrame(rows))
