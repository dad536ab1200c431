"""Evaluate Medusa on its question sets in ``data/medusa/`` (see its README for how each was written):

``dev-questions.yaml``
    the development set, written with the reader: each item names the ``expected`` platform and the book
    ``sources`` that answer it. Used to build Medusa; its score is not a measure of accuracy.
``test-questions.yaml``
    the test set: paraphrases of real public questions (``source``: the link), written before the reader and never
    used to build it; each item lists the ``allowed`` platforms. Its accuracy is the one reported.
``limit-questions.yaml``
    twelve questions written from AWS's published limits, held out the same way (``allowed`` platforms).
``frozen-questions.yaml``, ``tuning-questions.yaml``, ``holdout-questions.yaml``
    labelled sets (each item also lists the ``fields`` it states): :func:`score` reads and answers them and reports
    precision and recall per kind of quantity, the share of allowed recommendations and the recommendations that a
    fact the question states rules out (the frozen set is the one reported; see ``data/medusa/README.md``).

A recommendation is right when it is the ``expected`` platform, or one of the ``allowed`` ones; a source hit when one
of the sections Medusa links is among the expected ``sources`` (``doc#anchor`` keys, or a whole ``doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
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


# -- field-level scoring (the frozen set) --------------------------------------------------------------------------------
FROZEN_FILE = "frozen-questions.yaml"
TUNING_FILE = "tuning-questions.yaml"
KINDS: dict[str, tuple[str, ...]] = {
    "rate": ("mean_rps", "peak_rps"), "request time": ("model_latency_ms",), "model load time": ("init_ms",),
    "payload": ("payload_kb",), "size": ("artifact_mb",), "memory": ("memory_mb",), "GPU need": ("gpu",),
    "latency target": ("latency_slo_ms",), "preferences": ("preferences",),
}
"""The kinds of quantity a labelled question states, and the fields of each."""
REL_TOL = 0.05
"""A numeric field is read right when within 5% of its label (a stated value, not a computed one)."""
PREFERENCE_WORDS = ("cost", "latency", "no_cold_starts", "scale_to_zero")


def _read_as_labels(reading: Any) -> dict[str, Any]:
    """A :class:`~mlopsbook.medusa.extract.Reading` in the labels' vocabulary (fields by name, preferences a set)."""
    out: dict[str, Any] = {k: f.value for k, f in reading.fields.items()}
    prefs = set()
    for k, f in reading.preferences.items():
        if k == "objective":
            prefs.add(str(f.value))
        elif k in ("no_cold_starts", "scale_to_zero") and f.value:
            prefs.add(k)
    if prefs:
        out["preferences"] = prefs
    return out


def _same(name: str, got: Any, want: Any) -> bool:
    if name == "preferences":
        return set(got) == set(want)
    if isinstance(want, str) or isinstance(got, str):
        return got == want
    return abs(float(got) - float(want)) <= REL_TOL * abs(float(want))


def field_counts(labels: dict[str, Any], read: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    """``(true positives, false positives, false negatives)`` per kind for one question. A preference counts once per
    preference word; a wrong value is both a false positive and a false negative."""
    out: dict[str, tuple[int, int, int]] = {}
    for kind, names in KINDS.items():
        tp = fp = fn = 0
        for name in names:
            if name == "preferences":
                want, got = set(labels.get(name, ())), set(read.get(name, ()))
                tp, fp, fn = len(want & got), len(got - want), len(want - got)
                continue
            if name in labels and name in read and _same(name, read[name], labels[name]):
                tp += 1
            else:
                fp += int(name in read)
                fn += int(name in labels)
        out[kind] = (tp, fp, fn)
    return out


def stated_rule_outs(labels: dict[str, Any], platform: str) -> list[str]:
    """The facts stated in a question (its labels) that rule ``platform`` out: AWS's hard limits (data/limits) on the
    stated GPU need, memory, payload, request time and image size, and a stated "no cold starts" for the pay-per-use
    platforms. Empty: nothing the question states rules it out."""
    from mlopsbook.decide import limits as limits_mod

    lims = limits_mod.of(platform)
    out = []
    if labels.get("gpu") == "required" and "gpu" in lims:
        out.append("gpu")
    for name, kind in (("memory_mb", "memory_mb"), ("payload_kb", "payload_kb"), ("model_latency_ms", "timeout_ms"),
                       ("artifact_mb", "image_mb")):
        if name in labels and kind in lims and float(labels[name]) > lims[kind].value:
            out.append(name)
    if "no_cold_starts" in labels.get("preferences", ()) and platform in ("lambda", "sagemaker-serverless"):
        out.append("no_cold_starts")
    return out


@dataclass(frozen=True)
class ReaderEvaluation:
    """A labelled set answered: ``rows`` (one per question: answer, time, allowed, ruled-out facts, read fields) and
    ``fields`` (precision and recall per kind of quantity)."""

    name: str
    rows: pd.DataFrame
    fields: pd.DataFrame

    @property
    def n(self) -> int:
        return int(len(self.rows))

    @property
    def allowed_share(self) -> float:
        return float(self.rows["recommendation_ok"].mean())

    @property
    def ruled_out(self) -> int:
        """Recommendations that a fact stated in the question rules out (must be 0)."""
        return int((self.rows["ruled_out_by"] != "").sum())

    @property
    def median_s(self) -> float:
        return float(self.rows["seconds"].median())

    @property
    def max_s(self) -> float:
        return float(self.rows["seconds"].max())


def labelled(name: str = FROZEN_FILE) -> list[dict]:
    """A labelled set (:func:`questions` plus a ``fields`` mapping per item, checked against :data:`KINDS`)."""
    items = questions(name)
    names = {n for ns in KINDS.values() for n in ns}
    for q in items:
        fields = q.get("fields")
        if not isinstance(fields, dict) or set(fields) - names:
            raise EvaluationSetError(f"{name}: question {q['id']}: fields must be a mapping of {', '.join(sorted(names))}")
        if set(fields.get("preferences", ())) - set(PREFERENCE_WORDS):
            raise EvaluationSetError(f"{name}: question {q['id']}: preferences must be among {', '.join(PREFERENCE_WORDS)}")
    return items


@lru_cache(maxsize=4)
def score(name: str = FROZEN_FILE, flip: bool = True) -> ReaderEvaluation:
    """Answer every question of a labelled set (timed; with the flip search as the CLI answers, or without it when
    only the reading and the recommendation are wanted: ``flip`` changes neither) and score the reading field by
    field, the recommendation against ``allowed``, and against every fact the question states."""
    import time

    from mlopsbook.medusa.extract import read

    rows, totals = [], {k: [0, 0, 0] for k in KINDS}
    for q in labelled(name):
        t0 = time.perf_counter()
        a = answer(q["question"], flip=flip)
        seconds = time.perf_counter() - t0
        got = _read_as_labels(read(q["question"]))
        for kind, (tp, fp, fn) in field_counts(q["fields"], got).items():
            totals[kind][0] += tp
            totals[kind][1] += fp
            totals[kind][2] += fn
        broken = stated_rule_outs(q["fields"], a.recommendation) if a.recommendation != "none" else []
        rows.append({"id": q["id"], "allowed": ", ".join(q["allowed"]), "answered": a.recommendation,
                     "recommendation_ok": a.recommendation in q["allowed"], "ruled_out_by": ", ".join(broken),
                     "seconds": seconds, "read": ", ".join(f"{k}={v}" for k, v in got.items())})
    table = pd.DataFrame([{"kind": k, "stated": tp + fn, "read right": tp, "read wrong or extra": fp,
                           "precision": tp / (tp + fp) if tp + fp else float("nan"),
                           "recall": tp / (tp + fn) if tp + fn else float("nan")}
                          for k, (tp, fp, fn) in totals.items()]).set_index("kind")
    return ReaderEvaluation(name, pd.DataFrame(rows), table)
