"""Interviewers' scorecards: their schema, their validation against the framework, and their aggregation.

A scorecard (YAML) records one candidate's loop::

    candidate: cand-0042          # a pseudonymous id, never a name
    role: ml_engineer             # a role id of the framework
    level: senior                 # the level applied for
    interviewers:
      - interviewer: ana
        stage: work_sample        # a loop stage id
        scores: {engineering_maturity: 3, ml_systems_problem_solving: 4, mlops_fundamentals: 3}

:func:`validate` returns every problem, each naming its field (``interviewers[1].scores.mlops_fundamentals: 5 is out
of range 1..4``; ``role: unknown role 'ml_eng'``; ``competencies.communication: missing``). :func:`aggregate` applies
the **calibration rules** (:data:`RULES`, with the numbers taken from the framework) and recommends a level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import jsonschema

from mlopsbook import inputs
from mlopsbook.errors import MlopsbookError
from mlopsbook.hiring.framework import Framework, field_path

RULES = (
    "Independent scoring: each interviewer scores against the behavioural anchors before the debrief.",
    "Coverage: every competency of the framework is scored by at least {min_n} interviewers, each only on the "
    "competencies their stage assesses.",
    "Competency score: the mean of the interviewers' scores for that competency.",
    "Disagreement: a competency whose scores spread by {spread} points or more (max - min) is discussed before "
    "deciding; the recommendation is provisional until then.",
    "Overall: the role-weighted mean of the competency scores (the role's weights, normalised to sum to 1).",
    "Level: the highest level whose three bars are all met (weighted mean, every core competency of the role, any "
    "competency); below the lowest level's bars, no hire.",
    "Decision: hire at the level applied for when it is met; down-level to the highest level met below it; never "
    "up-level in the debrief (a higher level met is reported for a separate conversation).",
)
"""The calibration rules, as stated to interviewers; ``{min_n}`` and ``{spread}`` come from the framework."""


class ScorecardError(MlopsbookError):
    """An invalid scorecard; ``problems`` lists every ``field: message``."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def rules(fw: Framework) -> list[str]:
    """:data:`RULES` with the framework's numbers filled in."""
    c = fw.calibration
    return [r.format(min_n=c.min_interviewers_per_competency, spread=c.disagreement_spread) for r in RULES]


def schema(fw: Framework) -> dict[str, Any]:
    """The JSON Schema of a scorecard for framework ``fw`` (ids and score range taken from it)."""
    score = {"type": "integer", "minimum": fw.score_min, "maximum": fw.score_max}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["candidate", "role", "level", "interviewers"],
        "additionalProperties": False,
        "properties": {
            "candidate": {"type": "string", "minLength": 1},
            "role": {"enum": [r.id for r in fw.roles]},
            "level": {"enum": [lv.id for lv in fw.levels]},
            "framework": {"type": "string"},
            "interviewers": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["interviewer", "stage", "scores"],
                    "additionalProperties": False,
                    "properties": {
                        "interviewer": {"type": "string", "minLength": 1},
                        "stage": {"enum": [s.id for s in fw.loop]},
                        "scores": {
                            "type": "object",
                            "minProperties": 1,
                            "propertyNames": {"enum": list(fw.competency_ids)},
                            "additionalProperties": score,
                        },
                        "notes": {"type": "string"},
                    },
                },
            },
        },
    }


def _message(err: jsonschema.ValidationError, fw: Framework) -> str:
    where = field_path(err.absolute_path)
    v = err.validator
    if v == "propertyNames" or (v == "enum" and "propertyNames" in err.schema_path):
        return f"{where}.{err.instance}: unknown competency (known: {', '.join(fw.competency_ids)})"
    if v == "enum":
        what = {"role": "role", "level": "level", "stage": "stage"}.get(str(err.absolute_path[-1]) if err.absolute_path else "", "value")
        return f"{where}: unknown {what} {err.instance!r} (known: {', '.join(map(str, err.validator_value))})"
    if v in ("minimum", "maximum"):
        return f"{where}: {err.instance!r} is out of range {fw.score_min}..{fw.score_max}"
    if v == "type" and where.split(".")[-2:-1] == ["scores"]:
        return f"{where}: {err.instance!r} is not an integer score {fw.score_min}..{fw.score_max}"
    if v == "required":
        missing = [k for k in err.validator_value if k not in err.instance]
        prefix = f"{where}." if err.absolute_path else ""
        return "; ".join(f"{prefix}{k}: missing" for k in missing)
    return f"{where}: {err.message}"


def validate(card: Any, fw: Framework) -> list[str]:
    """Every problem of a parsed scorecard against ``fw``, each ``field: message``; empty when valid."""
    if not isinstance(card, Mapping):
        return ["(top level): a scorecard is a mapping with candidate, role, level and interviewers"]
    errors = sorted(jsonschema.Draft202012Validator(schema(fw)).iter_errors(card),
                    key=lambda e: [str(p) for p in e.absolute_path])
    problems = [_message(e, fw) for e in errors]
    if "framework" in card and str(card["framework"]) != fw.version:
        problems.append(f"framework: scorecard is for framework {card['framework']!r}, this is {fw.version!r}")
    interviewers = card.get("interviewers")
    if not isinstance(interviewers, list):
        return problems
    # coverage and stage checks on every well-formed entry (malformed ones were reported above)
    stage_ids = {st.id for st in fw.loop}
    counts = {c: 0 for c in fw.competency_ids}
    seen: set[tuple[str, str]] = set()
    for i, it in enumerate(interviewers):
        if not isinstance(it, Mapping) or it.get("stage") not in stage_ids or not isinstance(it.get("scores"), Mapping):
            continue
        key = (str(it.get("interviewer")), it["stage"])
        if key in seen:
            problems.append(f"interviewers[{i}]: {key[0]!r} already scored stage {key[1]!r}")
        seen.add(key)
        stage = fw.stage(it["stage"])
        for cid in it["scores"]:
            if cid not in counts:
                continue
            if cid not in stage.competencies:
                problems.append(f"interviewers[{i}].scores.{cid}: stage {stage.id!r} does not assess this competency "
                                f"(it assesses {', '.join(stage.competencies)})")
            else:
                counts[cid] += 1
    need = fw.calibration.min_interviewers_per_competency
    for cid, n in counts.items():
        if n == 0:
            problems.append(f"competencies.{cid}: missing (no interviewer scored it; assessed in "
                            f"{', '.join(fw.stages_assessing(cid))})")
        elif n < need:
            problems.append(f"competencies.{cid}: scored by {n} interviewer(s); the calibration rules need {need}")
    return problems


@dataclass(frozen=True)
class CompetencyResult:
    """One competency's aggregate: mean score, number of interviewers, spread (max - min), needs discussion."""

    id: str
    score: float
    n: int
    spread: int
    needs_discussion: bool


@dataclass(frozen=True)
class Recommendation:
    """The outcome of a loop: per-competency scores, the weighted mean, the highest level met and the decision."""

    candidate: str
    role: str
    level_applied: str
    framework_version: str
    competencies: tuple[CompetencyResult, ...]
    weighted_mean: float
    meets_level: str | None
    decision: str
    provisional: bool
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (scores rounded to 2 decimals)."""
        return {
            "candidate": self.candidate,
            "role": self.role,
            "level_applied": self.level_applied,
            "framework_version": self.framework_version,
            "competencies": {c.id: {"score": round(c.score, 2), "interviewers": c.n, "spread": c.spread,
                                    "needs_discussion": c.needs_discussion} for c in self.competencies},
            "weighted_mean": round(self.weighted_mean, 2),
            "meets_level": self.meets_level,
            "decision": self.decision,
            "provisional": self.provisional,
            "rules": list(self.rules),
        }

    def to_text(self) -> str:
        lines = [f"candidate {self.candidate}: {self.role}, applied for {self.level_applied} "
                 f"(framework {self.framework_version})"]
        width = max(len(c.id) for c in self.competencies)
        for c in self.competencies:
            flag = "  <- discuss: scores spread by %d" % c.spread if c.needs_discussion else ""
            lines.append(f"  {c.id:<{width}}  {c.score:.2f}  ({c.n} interviewers){flag}")
        lines.append(f"  weighted mean: {self.weighted_mean:.2f}")
        lines.append(f"  highest level met: {self.meets_level or 'none'}")
        lines.append(f"decision: {self.decision}" + (" (provisional: discuss the flagged competencies first)"
                                                      if self.provisional else ""))
        return "\n".join(lines)


def aggregate(card: Mapping[str, Any], fw: Framework) -> Recommendation:
    """Apply the calibration rules to a scorecard; raises :class:`ScorecardError` (all problems) when invalid."""
    problems = validate(card, fw)
    if problems:
        raise ScorecardError(problems)
    role, applied = fw.role(card["role"]), fw.level(card["level"])
    scores: dict[str, list[int]] = {c: [] for c in fw.competency_ids}
    for it in card["interviewers"]:
        for cid, s in it["scores"].items():
            scores[cid].append(int(s))
    spread_limit = fw.calibration.disagreement_spread
    comps = tuple(
        CompetencyResult(cid, sum(v) / len(v), len(v), max(v) - min(v), max(v) - min(v) >= spread_limit)
        for cid, v in scores.items()
    )
    by_id = {c.id: c.score for c in comps}
    weighted = math.fsum(role.weights[c] * by_id[c] for c in fw.competency_ids) / math.fsum(role.weights.values())
    met = [lv for lv in fw.levels
           if weighted >= lv.min_weighted_mean - 1e-9
           and all(by_id[c] >= lv.min_core - 1e-9 for c in role.core)
           and all(s >= lv.min_any - 1e-9 for s in by_id.values())]
    highest = met[-1] if met else None
    order = [lv.id for lv in fw.levels]
    if highest is None:
        decision = "no hire"
    elif order.index(highest.id) >= order.index(applied.id):
        decision = f"hire at {applied.id}"
        if highest.id != applied.id:
            decision += f" (meets the {highest.id} bar: a separate conversation)"
    else:
        decision = f"down-level: hire at {highest.id}, not {applied.id}"
    return Recommendation(
        candidate=str(card["candidate"]),
        role=role.id,
        level_applied=applied.id,
        framework_version=fw.version,
        competencies=comps,
        weighted_mean=weighted,
        meets_level=highest.id if highest else None,
        decision=decision,
        provisional=any(c.needs_discussion for c in comps),
        rules=tuple(rules(fw)),
    )


def read(path: str | Path) -> Any:
    """Parse a scorecard file (:func:`mlopsbook.inputs.read_yaml`: an unreadable or invalid file is an :class:`~mlopsbook.inputs.InputFileError`)."""
    return inputs.read_yaml(path)
