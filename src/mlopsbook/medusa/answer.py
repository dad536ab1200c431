"""Medusa's answer: the recommendation, the reasons, a cost estimate, the deciding criterion and flip point, the
assumptions made, the questions that would change the answer, and links to the book sections it drew on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlopsbook.costs.model import PLATFORM_LABELS
from mlopsbook.decide.rank import CRITERIA, CRITERION_LABELS, Decision, decide
from mlopsbook.medusa import dialogue
from mlopsbook.medusa.extract import extract
from mlopsbook.medusa.retrieve import default_index

K_SOURCES = 3
"""Book sections linked per answer."""
TOPIC_QUERY = {"lambda": "Lambda serverless cheapest fit", "fargate": "Fargate always-on break-even",
               "sagemaker": "SageMaker real-time", "sagemaker-serverless": "SageMaker Serverless",
               "eks": "KubeRay EKS Ray Serve nodes", "triton": "Triton GPU batching"}


@dataclass(frozen=True)
class Answer:
    """What Medusa says: ``recommendation`` (a platform name), ``decision`` (the engine's), ``assumed`` fields,
    ``ask`` (missing fields that would change the answer) and ``sources`` (``(title, url)``)."""

    question: str
    recommendation: str
    decision: Decision
    stated: dict[str, Any]
    assumed: list[str]
    ask: list[str]
    sources: list[tuple[str, str]] = field(default_factory=list)

    @property
    def monthly_usd(self) -> float:
        return float(self.decision.ranking[0].monthly_usd) if self.decision.ranking else float("nan")

    def to_text(self) -> str:
        d = self.decision
        if not d.ranking:
            head = "No platform fits: " + "; ".join(f"{PLATFORM_LABELS[p]}: {r}" for p, r in d.ruled_out.items())
            return head
        top = d.ranking[0]
        lines = [f"Medusa: deploy it on {PLATFORM_LABELS[top.platform]}: about ${top.monthly_usd:,.2f} a month "
                 f"(deciding criterion: {d.deciding_criterion}).", "Why:"]
        lines += [f"  - {CRITERION_LABELS[c]}: {top.reasons[c]}" for c in CRITERIA]
        if len(d.ranking) > 1:
            r = d.ranking[1]
            lines.append(f"Runner-up: {PLATFORM_LABELS[r.platform]} at ${r.monthly_usd:,.2f} a month.")
        lines.append(f"It would change: {d.flip}.")
        for p, why in d.ruled_out.items():
            lines.append(f"Ruled out: {PLATFORM_LABELS[p]}: {why}.")
        if self.assumed:
            shown = ", ".join(f"{f}={getattr(d.profile, f):g}" if isinstance(getattr(d.profile, f), float)
                              else f"{f}={getattr(d.profile, f)}" for f in self.assumed)
            lines.append(f"Assumed (not in your question): {shown}.")
        if self.ask:
            lines.append("Tell me more, this could change the answer: " + " ".join(dialogue.QUESTIONS[f] for f in self.ask))
        if self.sources:
            lines.append("Read more: " + "; ".join(f"{t} <{u}>" for t, u in self.sources))
        return "\n".join(lines)


def answer(question: str, *, known: dict[str, Any] | None = None, seed: int = 0, flip: bool = True) -> Answer:
    """Answer ``question`` (fields already ``known`` from earlier turns are kept; the question's own win)."""
    if not question.strip():
        raise ValueError("question: must not be empty")
    stated = {**(known or {}), **extract(question)}
    profile, assumed = dialogue.complete(stated)
    decision = decide(profile, seed=seed, flip=flip)
    ask = dialogue.questions_that_matter(profile, assumed)
    index = default_index()
    query = question + " " + TOPIC_QUERY.get(decision.recommendation, "")
    sources = [(p.title, p.url) for p, _ in index.search(query, K_SOURCES)]
    return Answer(question, decision.recommendation, decision, stated, assumed, ask, sources)
