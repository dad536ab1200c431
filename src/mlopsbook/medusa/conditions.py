"""What an answer rests on that the question did not make certain: readings the reader had to assume.

A reading is assumed when a number had no unit or no role (:attr:`mlopsbook.medusa.extract.Field.assumed`): a bare
``13279248421`` in a sentence about an image's size is read as bytes; a size with nothing saying what it is the size of
is read as the model's; the length of a recording, when no processing time is stated, is read as the time to
process it. Each such reading has **alternatives** (the number is not the image's size; the size is each
request's, or the worker's memory). The answer is chosen so that it holds under every alternative: the first platform
of the ranking that no alternative reading rules out by a hard limit. Each alternative that would change the answer
becomes a :class:`Condition` the answer states ("if 13279248421 is the image size in bytes (12.4 GB), Lambda's
10 GB image limit rules Lambda out; then: Fargate").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlopsbook.decide import limits as limits_mod
from mlopsbook.decide.preferences import Preferences
from mlopsbook.decide.rank import Decision, decide
from mlopsbook.medusa import assume
from mlopsbook.medusa.extract import Field

ROLE_WORDS = {"artifact_mb": "the model's size", "payload_kb": "the size of each request or response",
              "memory_mb": "the memory one worker needs"}


@dataclass(frozen=True)
class Condition:
    """An assumed reading and one alternative to it: under ``reading`` the answer is ``platform``; under
    ``alternative`` it would be ``other``; ``why`` names the hard limits that separate them (empty: only cost does)."""

    words: str
    reading: str
    alternative: str
    platform: str
    other: str
    why: str

    def sentence(self, labels: dict[str, str]) -> str:
        mine, other = labels.get(self.platform, self.platform), labels.get(self.other, self.other)
        out = f"if \"{self.words}\" is {self.reading}, "
        out += f"{other} is ruled out ({self.why}) and the answer is {mine}" if self.why else f"the answer is {mine}"
        return out + f"; if it is {self.alternative}, it would be {other}"


def _alternatives(f: Field) -> list[tuple[str, dict[str, Any]]]:
    """``(what the number would be, field changes)`` for each other reading of an assumed field."""
    if "bytes" in f.note:
        return [("not the model's or image's size", {f.name: None})]
    if f.name == "model_latency_ms":
        return [("much faster to process than that", {f.name: None})]
    out: list[tuple[str, dict[str, Any]]] = []
    for role in ("payload_kb", "memory_mb"):
        if role != f.name:
            value = f.value * 1024 if role == "payload_kb" else f.value
            out.append((ROLE_WORDS[role], {f.name: None, role: value}))
    return out


def _reading(f: Field) -> str:
    if "bytes" in f.note:
        return f"the image or package size in bytes ({f.value / 1024:,.1f} GB)"
    if f.name == "model_latency_ms":
        return f"also about the time to process it ({f.value / 60_000:,.1f} min)"
    return f"{ROLE_WORDS.get(f.name, f.name)} ({f.value:,.0f} MB)"


def _profile(stated: dict[str, Any], changes: dict[str, Any]) -> Any:
    data = {k: v for k, v in {**stated, **changes}.items() if v is not None}
    return assume.complete(data)[0]


def safe(decision: Decision, stated: dict[str, Any], assumed: list[Field], prefs: Preferences
         ) -> tuple[str, list[Condition]]:
    """The recommendation that holds under every alternative reading of the ``assumed`` fields (the first ranked
    platform none of them rules out; the engine's own when none does), and the conditions worth stating."""
    if not assumed or not decision.ranking:
        return decision.recommendation, []
    alternatives = [(f, what, _profile(stated, changes)) for f in assumed for what, changes in _alternatives(f)]
    platform = next((a.platform for a in decision.ranking
                     if not any(limits_mod.violations(p, a.platform) for _, _, p in alternatives)),
                    decision.recommendation)
    out: list[Condition] = []
    for f, what, p in alternatives:
        other = decide(p, preferences=prefs, flip=False, simulate=False).recommendation
        if other == platform:
            continue
        broken = limits_mod.violations(decision.profile, other) if other != "none" else []
        out.append(Condition(f.raw or f.words, _reading(f), what, platform, other, "; ".join(broken)))
    return platform, out
