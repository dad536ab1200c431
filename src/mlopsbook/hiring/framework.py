"""The hiring framework as data: competencies with behavioural anchors, roles, levels and the interview loop.

The framework lives in ``data/hiring/framework-<date>.yaml`` (see the README beside it). :func:`load` validates it in
two steps: its shape against :data:`SCHEMA` (JSON Schema, via ``jsonschema``), then its cross-references (every role
weights every competency, core competencies exist, every loop stage names known competencies and a method of the
validity table, every competency is assessed by at least one stage, anchors cover the whole scale). Any problem
raises :class:`FrameworkError` naming the field, e.g. ``roles[1].core[0]: unknown competency 'mlops'``.

Scores are integers on the framework's scale (1-4 in the shipped file); durations are in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import jsonschema

from mlopsbook import inputs
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path

FRAMEWORK_FILE = "framework-2026-11-28.yaml"
"""The framework file under ``data/hiring/`` (dated: a changed framework changes this name, and so the notebooks)."""

_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_TEXT = {"type": "string", "minLength": 1}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "scale", "competencies", "roles", "levels", "loop", "calibration"],
    "additionalProperties": False,
    "properties": {
        "version": _TEXT,
        "title": _TEXT,
        "scale": {
            "type": "object",
            "required": ["min", "max", "labels"],
            "additionalProperties": False,
            "properties": {
                "min": {"type": "integer"},
                "max": {"type": "integer"},
                "labels": {"type": "object", "additionalProperties": _TEXT},
            },
        },
        "competencies": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "name", "from_post", "description", "anchors"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "from_post": {"type": "boolean"},
                    "description": _TEXT,
                    "anchors": {"type": "object", "additionalProperties": _TEXT},
                },
            },
        },
        "roles": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "name", "weights", "core"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "weights": {"type": "object", "additionalProperties": {"type": "number", "exclusiveMinimum": 0}},
                    "core": {"type": "array", "items": _ID, "minItems": 1, "uniqueItems": True},
                },
            },
        },
        "levels": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "name", "min_weighted_mean", "min_core", "min_any"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "min_weighted_mean": {"type": "number"},
                    "min_core": {"type": "number"},
                    "min_any": {"type": "number"},
                },
            },
        },
        "loop": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "name", "duration_min", "method", "competencies", "format", "exercises"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": _TEXT,
                    "duration_min": {"type": "integer", "minimum": 1, "maximum": 480},
                    "method": _ID,
                    "competencies": {"type": "array", "items": _ID, "minItems": 1, "uniqueItems": True},
                    "format": _TEXT,
                    "exercises": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "title", "brief", "roles"],
                            "additionalProperties": False,
                            "properties": {
                                "id": _ID,
                                "title": _TEXT,
                                "brief": _TEXT,
                                "roles": {"type": "array", "items": _ID, "minItems": 1},
                            },
                        },
                    },
                },
            },
        },
        "calibration": {
            "type": "object",
            "required": ["independent_scoring", "min_interviewers_per_competency", "disagreement_spread",
                         "competency_score"],
            "additionalProperties": False,
            "properties": {
                "independent_scoring": _TEXT,
                "min_interviewers_per_competency": {"type": "integer", "minimum": 1},
                "disagreement_spread": {"type": "integer", "minimum": 1},
                "competency_score": _TEXT,
            },
        },
    },
}
"""The JSON Schema of a framework file (shape only; cross-references are checked by :func:`from_mapping`)."""


class FrameworkError(MlopsbookError):
    """An invalid framework file; the message names the field (``roles[1].core[0]: ...``)."""


def field_path(path: Any) -> str:
    """``['roles', 1, 'core', 0]`` -> ``'roles[1].core[0]'`` (the field names used in every error message)."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


@dataclass(frozen=True)
class Competency:
    """A competency and its behavioural anchors (score -> what the interviewer observed)."""

    id: str
    name: str
    from_post: bool
    description: str
    anchors: Mapping[int, str]


@dataclass(frozen=True)
class Role:
    """A role: relative weight of each competency, and the core competencies that have their own bar."""

    id: str
    name: str
    weights: Mapping[str, float]
    core: tuple[str, ...]

    def normalised_weights(self) -> dict[str, float]:
        """The weights scaled to sum to 1."""
        total = sum(self.weights.values())
        return {k: v / total for k, v in self.weights.items()}


@dataclass(frozen=True)
class Level:
    """A level's bars on the score scale: role-weighted mean, each core competency, any competency."""

    id: str
    name: str
    min_weighted_mean: float
    min_core: float
    min_any: float


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    brief: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    """One stage of the interview loop; ``method`` is a ``method_id`` of the validity table."""

    id: str
    name: str
    duration_min: int
    method: str
    competencies: tuple[str, ...]
    format: str
    exercises: tuple[Exercise, ...]


@dataclass(frozen=True)
class Calibration:
    independent_scoring: str
    min_interviewers_per_competency: int
    disagreement_spread: int
    competency_score: str


@dataclass(frozen=True)
class Framework:
    """The whole framework. Look-ups by id: :meth:`competency`, :meth:`role`, :meth:`level`, :meth:`stage`."""

    version: str
    title: str
    score_min: int
    score_max: int
    score_labels: Mapping[int, str]
    competencies: tuple[Competency, ...]
    roles: tuple[Role, ...]
    levels: tuple[Level, ...]
    loop: tuple[Stage, ...]
    calibration: Calibration

    def role(self, rid: str) -> Role:
        return _by_id(self.roles, rid, "role")

    def level(self, lid: str) -> Level:
        return _by_id(self.levels, lid, "level")

    def stage(self, sid: str) -> Stage:
        return _by_id(self.loop, sid, "stage")

    @property
    def competency_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.competencies)

    @property
    def loop_duration_min(self) -> int:
        """Total interview time of the loop, in minutes."""
        return sum(s.duration_min for s in self.loop)

    def stages_assessing(self, cid: str) -> tuple[str, ...]:
        """The ids of the loop stages that assess competency ``cid``."""
        return tuple(s.id for s in self.loop if cid in s.competencies)


def _by_id(items: tuple[Any, ...], key: str, what: str) -> Any:
    for it in items:
        if it.id == key:
            return it
    raise KeyError(f"unknown {what} {key!r} (known: {', '.join(i.id for i in items)})")


def _anchor_keys(anchors: Mapping[Any, str], where: str) -> dict[int, str]:
    out = {}
    for k, v in anchors.items():
        try:
            out[int(k)] = v
        except (TypeError, ValueError):
            raise FrameworkError(f"{where}: anchor key {k!r} is not an integer score") from None
    return out


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise FrameworkError(f"{where}[{i}].id: duplicate id {x!r}")
        seen.add(x)


def from_mapping(data: Mapping[str, Any], method_ids: set[str] | None = None) -> Framework:
    """Validate a parsed framework and build it. ``method_ids``: the validity table's methods (default: loaded)."""
    if not isinstance(data, Mapping):
        raise FrameworkError("(top level): a framework is a mapping")
    err = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    if err is not None:
        raise FrameworkError(f"{field_path(err.absolute_path)}: {err.message}")
    if method_ids is None:
        from mlopsbook.hiring import validity

        method_ids = set(validity.load()["method_id"])

    smin, smax = data["scale"]["min"], data["scale"]["max"]
    if smin >= smax:
        raise FrameworkError(f"scale: min ({smin}) must be below max ({smax})")
    scale = list(range(smin, smax + 1))
    labels = _anchor_keys(data["scale"]["labels"], "scale.labels")
    if sorted(labels) != scale:
        raise FrameworkError(f"scale.labels: needs one label per score {scale} (got {sorted(labels)})")

    for key in ("competencies", "roles", "levels", "loop"):
        _unique([x["id"] for x in data[key]], key)
    comps = []
    for i, c in enumerate(data["competencies"]):
        anchors = _anchor_keys(c["anchors"], f"competencies[{i}].anchors")
        if sorted(anchors) != scale:
            raise FrameworkError(f"competencies[{i}].anchors: needs one anchor per score {scale} (got {sorted(anchors)})")
        comps.append(Competency(c["id"], c["name"], c["from_post"], c["description"], anchors))
    cids = [c.id for c in comps]

    roles = []
    for i, r in enumerate(data["roles"]):
        missing = [c for c in cids if c not in r["weights"]]
        if missing:
            raise FrameworkError(f"roles[{i}].weights: no weight for {', '.join(missing)}")
        for k in r["weights"]:
            if k not in cids:
                raise FrameworkError(f"roles[{i}].weights.{k}: unknown competency {k!r}")
        for j, k in enumerate(r["core"]):
            if k not in cids:
                raise FrameworkError(f"roles[{i}].core[{j}]: unknown competency {k!r}")
        roles.append(Role(r["id"], r["name"], dict(r["weights"]), tuple(r["core"])))
    rids = {r.id for r in roles}

    levels = []
    for i, lv in enumerate(data["levels"]):
        for key in ("min_weighted_mean", "min_core", "min_any"):
            if not smin <= lv[key] <= smax:
                raise FrameworkError(f"levels[{i}].{key}: {lv[key]} is outside the scale {smin}..{smax}")
        levels.append(Level(lv["id"], lv["name"], float(lv["min_weighted_mean"]), float(lv["min_core"]),
                            float(lv["min_any"])))
    for i in range(1, len(levels)):
        a, b = levels[i - 1], levels[i]
        if any(getattr(b, k) < getattr(a, k) for k in ("min_weighted_mean", "min_core", "min_any")):
            raise FrameworkError(f"levels[{i}]: bars must not be lower than those of levels[{i - 1}] ({a.id})")

    stages = []
    for i, s in enumerate(data["loop"]):
        if s["method"] not in method_ids:
            raise FrameworkError(f"loop[{i}].method: {s['method']!r} is not a method of the validity table")
        for j, k in enumerate(s["competencies"]):
            if k not in cids:
                raise FrameworkError(f"loop[{i}].competencies[{j}]: unknown competency {k!r}")
        exercises = []
        for j, e in enumerate(s["exercises"]):
            for m, rid in enumerate(e["roles"]):
                if rid not in rids:
                    raise FrameworkError(f"loop[{i}].exercises[{j}].roles[{m}]: unknown role {rid!r}")
            exercises.append(Exercise(e["id"], e["title"], e["brief"], tuple(e["roles"])))
        stages.append(Stage(s["id"], s["name"], int(s["duration_min"]), s["method"], tuple(s["competencies"]),
                            s["format"], tuple(exercises)))
    for c in cids:
        if not any(c in s.competencies for s in stages):
            raise FrameworkError(f"loop: no stage assesses competency {c!r}")

    return Framework(
        version=str(data["version"]),
        title=data["title"],
        score_min=smin,
        score_max=smax,
        score_labels=labels,
        competencies=tuple(comps),
        roles=tuple(roles),
        levels=tuple(levels),
        loop=tuple(stages),
        calibration=Calibration(**data["calibration"]),
    )


def load(path: str | Path | None = None) -> Framework:
    """Load and validate a framework file (default: ``data/hiring/`` :data:`FRAMEWORK_FILE`).

    Raises :class:`~mlopsbook.inputs.InputFileError` for an unreadable file and :class:`FrameworkError` naming the first invalid field.
    """
    p = Path(path) if path is not None else data_path("hiring", FRAMEWORK_FILE)
    return from_mapping(inputs.read_yaml(p))
