"""Claims and verdicts: what a post says, what would refute it, and what the evidence shows.

A post declares its claims in its frontmatter (``claims:``, see :mod:`mlopsbook.posts`). A notebook cell computes a
:class:`Verdict` for a claim from the evidence and displays it; the display is a block under the claim (Markdown for
the book, plain text for a terminal) plus a JSON record (:data:`VERDICT_MIME`) from which the book's claims ledger is
built. A verdict is computed, never typed: its figures come from the library.

>>> v = Verdict("C9", Status.HOLDS_UNDER_CONDITIONS, "Lambda is cheaper.", conditions="below 41 req/s sustained")
>>> v.status.label
'holds under conditions'
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping

from mlopsbook.errors import MlopsbookError

VERDICT_MIME = "application/vnd.mlopsbook.verdict+json"
"""The output MIME type that carries a verdict record (rendered by the book's Sphinx extension)."""


class Status(str, Enum):
    """The five verdicts a claim can get."""

    HOLDS = "holds"
    HOLDS_UNDER_CONDITIONS = "holds under conditions"
    REFUTED = "refuted"
    NOT_REPRODUCED_YET = "not reproduced yet"
    NOT_REPRODUCIBLE_HERE = "not reproducible here"

    @property
    def label(self) -> str:
        return self.value

    @property
    def admonition(self) -> str:
        """The admonition class the book uses for this verdict."""
        return {
            Status.HOLDS: "tip",
            Status.HOLDS_UNDER_CONDITIONS: "important",
            Status.REFUTED: "error",
            Status.NOT_REPRODUCED_YET: "note",
            Status.NOT_REPRODUCIBLE_HERE: "warning",
        }[self]


@dataclass(frozen=True)
class Claim:
    """A claim a post makes, as declared in its frontmatter.

    ``says`` is the post's own words (a short quote); ``refuted_if`` is what observation would refute it;
    ``evidence`` names where the evidence is shown (a document path in the book, e.g. ``notebooks/x/costs``).
    """

    id: str
    says: str
    refuted_if: str
    evidence: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Claim":
        return cls(
            id=str(data["id"]),
            says=str(data["says"]),
            refuted_if=str(data["refuted_if"]),
            evidence=str(data.get("evidence", "")),
        )


@dataclass(frozen=True)
class Verdict:
    """The computed verdict on one claim.

    ``summary`` is one or two sentences with the key figures (formatted from computed values). ``conditions`` is
    required for :attr:`Status.HOLDS_UNDER_CONDITIONS` (where the claim holds, e.g. "below 41 req/s sustained"), and
    ``reason`` for :attr:`Status.NOT_REPRODUCIBLE_HERE` and :attr:`Status.NOT_REPRODUCED_YET` (why not).
    ``figures`` holds the key numbers by name, so tests and the ledger can read them. ``evidence_page`` names the
    page (``notebooks/<slug>/<page>``) whose execution produced the evidence when it is not the page showing the
    verdict, so that the card says when and where that execution ran.
    """

    claim_id: str
    status: Status
    summary: str
    conditions: str = ""
    reason: str = ""
    figures: Mapping[str, float | int | str] = field(default_factory=dict)
    claim: Claim | None = None
    evidence_page: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            object.__setattr__(self, "status", Status(self.status))
        if self.status is Status.HOLDS_UNDER_CONDITIONS and not self.conditions.strip():
            raise MlopsbookError(f"verdict {self.claim_id}: 'holds under conditions' needs its conditions stated")
        if self.status in (Status.NOT_REPRODUCIBLE_HERE, Status.NOT_REPRODUCED_YET) and not self.reason.strip():
            raise MlopsbookError(f"verdict {self.claim_id}: '{self.status.label}' needs a reason")
        if not self.summary.strip():
            raise MlopsbookError(f"verdict {self.claim_id}: summary is empty")
        for k, v in self.figures.items():
            if not isinstance(v, (int, float, str)) or isinstance(v, bool):
                raise TypeError(f"verdict {self.claim_id}: figure {k!r} must be int, float or str, not {type(v)}")

    # -- records -------------------------------------------------------------------------------------------------
    def record(self) -> dict[str, Any]:
        """The JSON record the ledger is built from."""
        rec: dict[str, Any] = {
            "claim_id": self.claim_id,
            "status": self.status.value,
            "summary": self.summary,
            "conditions": self.conditions,
            "reason": self.reason,
            "figures": {k: _json_figure(v) for k, v in self.figures.items()},
        }
        if self.claim is not None:
            rec["says"] = self.claim.says
            rec["refuted_if"] = self.claim.refuted_if
        if self.evidence_page:
            rec["evidence_page"] = self.evidence_page
        return rec

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> "Verdict":
        claim = None
        if "says" in rec:
            claim = Claim(rec["claim_id"], rec["says"], rec.get("refuted_if", ""))
        return cls(
            claim_id=rec["claim_id"],
            status=Status(rec["status"]),
            summary=rec["summary"],
            conditions=rec.get("conditions", ""),
            reason=rec.get("reason", ""),
            figures={k: (math.nan if v is None else v) for k, v in dict(rec.get("figures", {})).items()},
            claim=claim,
            evidence_page=rec.get("evidence_page", ""),
        )

    # -- display -------------------------------------------------------------------------------------------------
    def to_markdown(self) -> str:
        """The verdict block as MyST Markdown (an admonition)."""
        lines = [f"```{{admonition}} Verdict on {self.claim_id}: {self.status.label}", f":class: {self.status.admonition}"]
        if self.claim is not None:
            lines.append(f"**The post says:** “{self.claim.says}”\n")
            lines.append(f"**Would be refuted if:** {self.claim.refuted_if}\n")
        lines.append(f"**Verdict — {self.status.label}.** {self.summary}\n")
        if self.conditions:
            lines.append(f"**Holds when:** {self.conditions}\n")
        if self.reason:
            lines.append(f"**Why:** {self.reason}\n")
        lines.append("```")
        return "\n".join(lines)

    def to_text(self) -> str:
        out = [f"Verdict on {self.claim_id}: {self.status.label}", f"  {self.summary}"]
        if self.conditions:
            out.append(f"  Holds when: {self.conditions}")
        if self.reason:
            out.append(f"  Why: {self.reason}")
        return "\n".join(out)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/plain": self.to_text(),
            "text/markdown": self.to_markdown(),
            VERDICT_MIME: self.record(),
        }

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.to_text()


def _json_figure(v: int | float | str) -> int | float | str | None:
    """A figure as strict JSON: a float that is not finite (no crossing, an unbounded ratio) becomes ``null``, which
    every reader of the record parses (a bare ``NaN`` is not JSON, and Jupyter warns about it on stderr)."""
    if isinstance(v, float):
        return float(v) if math.isfinite(v) else None
    return v


def records_from_notebook(nb: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every verdict record displayed in an executed notebook (a parsed ``.ipynb`` mapping), in cell order."""
    out: list[dict[str, Any]] = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []) or []:
            data = o.get("data") or {}
            if VERDICT_MIME in data:
                rec = data[VERDICT_MIME]
                out.append(json.loads(rec) if isinstance(rec, str) else dict(rec))
    return out
