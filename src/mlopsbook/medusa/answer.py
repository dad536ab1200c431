"""Medusa's answer: what it read (each field with the words it came from), what it did not use and why, what it could
not understand, the recommendation, the hard limits and stated constraints that ruled platforms out, the reasons, a
cost estimate, the deciding criterion and flip point, the assumptions made and which of them would flip the answer,
the readings it had to assume and how the answer would change without them, and links to the book sections it drew
on. The recommendation is checked against every hard limit on what was read before it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlopsbook.costs.model import PLATFORM_LABELS
from mlopsbook.decide import limits as limits_mod
from mlopsbook.decide.profile import UNITS
from mlopsbook.decide.rank import CRITERIA, CRITERION_LABELS, Decision, decide
from mlopsbook.errors import MlopsbookError
from mlopsbook.medusa import assume, conditions
from mlopsbook.medusa.extract import Field, preferences, read
from mlopsbook.medusa.retrieve import default_index

K_SOURCES = 3
"""Book sections linked per answer."""
TOPIC_QUERY = {"lambda": "Lambda serverless cheapest fit", "fargate": "Fargate always-on break-even",
               "sagemaker": "SageMaker real-time", "sagemaker-serverless": "SageMaker Serverless",
               "eks": "KubeRay EKS Ray Serve nodes", "triton": "Triton GPU batching"}


def _shown(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        unit = UNITS.get(name, "USD" if name == "max_monthly_usd" else "")
        return f"{assume.number(value)} {unit}".strip()
    return str(value)


@dataclass(frozen=True)
class Answer:
    """What Medusa says: ``recommendation`` (a platform name), ``decision`` (the engine's), ``read`` (the fields and
    preferences read from the question, with their words), ``assumed`` fields, ``flips`` (assumptions the answer
    rests on), ``ask`` (missing fields that would change the answer) and ``sources`` (``(title, url)``)."""

    question: str
    recommendation: str
    decision: Decision
    stated: dict[str, Any]
    assumed: list[str]
    ask: list[str]
    sources: list[tuple[str, str]] = field(default_factory=list)
    read: dict[str, Field] = field(default_factory=dict)
    flips: list[assume.Flip] = field(default_factory=list)
    unused: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    conditions: list[conditions.Condition] = field(default_factory=list)

    @property
    def top(self) -> Any:
        """The recommended platform's assessment (``None`` when no platform fits)."""
        return next((a for a in self.decision.ranking if a.platform == self.recommendation), None)

    @property
    def monthly_usd(self) -> float:
        return float(self.top.monthly_usd) if self.top is not None else float("nan")

    def to_text(self) -> str:
        d = self.decision
        lines: list[str] = []
        if self.read:
            lines.append("Read from your question:")
            for f in self.read.values():
                lines.append(f"  - {f.name} = {_shown(f.name, f.value)}  <- \"{f.words}\"" + (f" ({f.note})" if f.note else ""))
        if self.unused:
            lines.append("Read but not used (not the service's):")
            lines += [f"  - \"{w}\": {why}" for w, why in self.unused]
        if self.unknown:
            lines.append("Not understood (tell me what these are if they matter):")
            lines += [f"  - \"{w}\": {why}" for w, why in self.unknown]
        top = self.top
        if top is None:
            lines.append("Medusa: no platform fits.")
        else:
            held = " (chosen to hold however the assumed readings below turn out)" \
                if self.recommendation != d.recommendation else ""
            lines += [f"Medusa: deploy it on {PLATFORM_LABELS[top.platform]}: about ${top.monthly_usd:,.2f} a month "
                      f"(deciding criterion: {d.deciding_criterion}){held}.", "Why:"]
            lines += [f"  - {CRITERION_LABELS[c]}: {top.reasons[c]}" for c in CRITERIA]
            others = [a for a in d.ranking if a.platform != top.platform]
            if others:
                r = others[0]
                lines.append(f"Runner-up: {PLATFORM_LABELS[r.platform]} at ${r.monthly_usd:,.2f} a month.")
            lines.append(f"It would change: {d.flip}.")
        if self.conditions:
            lines.append("This answer rests on readings I had to assume: "
                         + "; ".join(c.sentence(PLATFORM_LABELS) for c in self.conditions) + ".")
        for p, why in d.ruled_out.items():
            lines.append(f"Ruled out by a hard limit: {PLATFORM_LABELS[p]}: {why}.")
        for p, why in d.excluded.items():
            lines.append(f"Ruled out by what you asked for: {PLATFORM_LABELS[p]}: {why}.")
        if self.assumed:
            shown = ", ".join(f"{f}={_shown(f, getattr(d.profile, f))}" for f in self.assumed)
            lines.append(f"Assumed (not in your question): {shown}.")
        if self.flips:
            lines.append("The answer rests on those assumptions: "
                         + "; ".join(x.sentence(PLATFORM_LABELS) for x in self.flips) + ".")
        if self.ask:
            lines.append("Tell me more, this could change the answer: " + " ".join(assume.QUESTIONS[f] for f in self.ask))
        if self.sources:
            lines.append("Read more: " + "; ".join(f"{t} <{u}>" for t, u in self.sources))
        return "\n".join(lines)


def answer(question: str, *, known: dict[str, Any] | None = None, seed: int = 0, flip: bool = True) -> Answer:
    """Answer ``question`` (fields already ``known`` from earlier turns are kept; the question's own win)."""
    if not question.strip():
        raise MlopsbookError("question: must not be empty")
    reading = read(question)
    stated = {**(known or {}), **reading.values()}
    profile, assumed = assume.complete(stated)
    prefs = preferences(stated)
    decision = decide(profile, seed=seed, flip=flip, preferences=prefs)
    recommendation, conds = conditions.safe(decision, stated, reading.assumed, prefs)
    if recommendation != "none" and limits_mod.violations(decision.profile, recommendation):
        raise MlopsbookError(f"internal: {recommendation} breaks a limit on what the question states")
    flips = assume.flips(profile, assumed, prefs)
    index = default_index()
    query = question + " " + TOPIC_QUERY.get(recommendation, "")
    sources = [(p.title, p.url) for p, _ in index.search(query, K_SOURCES)]
    shown = {**reading.fields, **reading.preferences}
    return Answer(question, recommendation, decision, stated, assumed, [x.field for x in flips], sources,
                  shown, flips, reading.unused, reading.unknown, conds)
