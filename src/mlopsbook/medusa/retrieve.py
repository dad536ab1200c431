"""BM25 retrieval over the book's passages (``rank_bm25.BM25Okapi``), deterministic: ties break by corpus order."""

from __future__ import annotations

import re
from functools import lru_cache

from rank_bm25 import BM25Okapi

from mlopsbook.medusa.corpus import Passage, load

_WORD = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
STOPWORDS = frozenset("""a an and are as at be by can do does for from how i if in is it its my of on or our should
so that the this to we what when where which who why will with would you your me us it's""".split())
SYNONYMS = {"k8s": "kubernetes", "kuberay": "kuberay ray", "serverless": "serverless lambda", "gpus": "gpu",
            "coldstart": "cold start", "cheapest": "cheaper cost", "price": "cost", "bill": "cost"}


def tokens(text: str) -> list[str]:
    """Lower-case words without stop words (with a few synonyms expanded)."""
    out: list[str] = []
    for w in _WORD.findall(text.lower()):
        if w in STOPWORDS:
            continue
        out.extend(SYNONYMS.get(w, w).split())
    return out


class Index:
    """A BM25 index over passages (title counted twice: headings say what a section is about)."""

    def __init__(self, passages: tuple[Passage, ...]) -> None:
        self.passages = passages
        self.bm25 = BM25Okapi([tokens(p.title + " " + p.title + " " + p.text) or ["_"] for p in passages])

    def search(self, query: str, k: int = 3) -> list[tuple[Passage, float]]:
        """The ``k`` best passages for ``query`` with their scores (score > 0 only)."""
        q = tokens(query)
        if not q:
            return []
        scores = self.bm25.get_scores(q)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [(self.passages[i], float(scores[i])) for i in order[:k] if scores[i] > 0]


@lru_cache(maxsize=1)
def default_index() -> Index:
    """The index of the book as it is on disk."""
    return Index(load())
