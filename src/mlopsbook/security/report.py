"""``deploy/SECURITY.md``'s generated sections: what the scanners found, and what the public API's guards bound.

The page is the authors' text, with sections between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED:
name -->`` that only ``mlopsbook security report --write`` (``make security-report``) writes:

- ``scanner-results``: checkov's and bandit's counts and failed checks from a real run
  (:mod:`mlopsbook.security.scanners`), each failed check marked accepted (a row of the page's tables gives its reason) or not;
- ``api-guards``: the SAM template's API guards (:mod:`mlopsbook.lambdakit.api_guard`) with the most Lambda can bill
  a month under each, priced from ``data/pricing``.

``tests/test_scanners.py`` regenerates the page and compares it with the committed file, so it cannot go stale.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from mlopsbook.security import scanners
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import repo_root

SECURITY_MD = Path("deploy") / "SECURITY.md"
_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[\w-]+)[^>]*-->\n)(?P<body>.*?)(<!-- END GENERATED: (?P=name) -->)",
                    re.S)
_FRAMEWORKS = {"dockerfile": "Dockerfile", "kubernetes": "Kubernetes (`deploy/` and the extracted pods)",
               "cloudformation": "CloudFormation (the SAM template, transformed)"}


def _usd(x: float | None) -> str:
    if x is None:
        return "unbounded"
    return f"${x:,.2f}" if x >= 0.01 else f"${x:.6f}"


def api_guards() -> str:
    """The ``api-guards`` section: one row per guard, at the post's stated traffic."""
    from mlopsbook.lambdakit import api_guard, sam_template
    from mlopsbook.reproductions.engineering_culture_leadership.profile import post_model

    lim = api_guard.post_limits()
    rows = api_guard.control_costs(lim, memory_mb=sam_template.memory_mb(), timeout_s=sam_template.TIMEOUT_S,
                                   duration_ms=post_model().cpu_ms, functions=2)
    out = [f"At the post's stated traffic ({lim.requests_per_month:,.0f} requests a month, peak "
           f"{lim.peak_rps:.2f} req/s, a {lim.latency_slo_ms:,.0f} ms objective; an assumption of the reproduction), "
           "Lambda prices from `data/pricing`:", "",
           "| Control | Setting | Price of the control itself | Most Lambda can bill with it | How |",
           "|---|---|---|---|---|"]
    for r in rows:
        bound = _usd(r["bound_usd"]) + ("" if r["control"] == "per-request work limit" else " a month")
        if r["bound_usd"] is None:
            bound = "unbounded"
        out.append(f"| {r['control']} | {r['setting']} | {r['price']} | {bound} | {r['note']} |")
    return "\n".join(out) + "\n"


def scanner_results(checkov_reports: list[dict], bandit_report: dict, accepted: list[tuple[str, str, str]]) -> str:
    """The ``scanner-results`` section from the scanners' JSON reports."""
    out = ["| Scanner, target | Resources | Passed | Failed | Failed checks (resources), all accepted below unless "
           "marked |", "|---|---|---|---|---|"]
    for r in sorted(checkov_reports, key=lambda r: r["check_type"]):
        s, res = r["summary"], r.get("results", {})
        fails = Counter(c["check_id"] for c in res.get("failed_checks", []))
        unaccepted = {c["check_id"] for c in res.get("failed_checks", [])
                      if not scanners.is_accepted(accepted, c["check_id"], c["resource"])}
        listed = ", ".join(f"{cid} ({n}){' **not accepted**' if cid in unaccepted else ''}"
                           for cid, n in sorted(fails.items())) or "none"
        name = _FRAMEWORKS.get(r["check_type"], r["check_type"])
        out.append(f"| checkov, {name} | {s['resource_count']} | {s['passed']} | {s['failed']} | {listed} |")
    found = scanners.bandit_findings(bandit_report)
    by_sev = Counter(f.severity for f in found)
    serious = [f for f in found if f.severity in ("MEDIUM", "HIGH")]
    listed = ", ".join(f"{f.check_id} `{f.file}`" + ("" if scanners.is_accepted(accepted, f.check_id, f.file)
                                                    else " **not accepted**") for f in serious) or "none"
    out.append(f"| bandit, `{'/`, `'.join(scanners.BANDIT_TREES)}/` | every file | - | "
               f"{by_sev['HIGH']} high, {by_sev['MEDIUM']} medium, {by_sev['LOW']} low | medium and above: "
               f"{listed} |")
    return "\n".join(out) + "\n"


def render(text: str, sections: dict[str, str]) -> str:
    """``text`` with each generated section replaced; raises ``MlopsbookError`` for a section it lacks."""
    missing = set(sections) - {m["name"] for m in _BLOCK.finditer(text)}
    if missing:
        raise MlopsbookError(f"{SECURITY_MD}: no generated section {', '.join(sorted(missing))} (markers "
                             "<!-- BEGIN GENERATED: name --> ... <!-- END GENERATED: name -->)")
    return _BLOCK.sub(lambda m: m.group(1) + sections.get(m["name"], m["body"]) + m.group(4), text)


def regenerate(root: Path | None = None, *, checkov_reports: list[dict] | None = None,
               bandit_report: dict | None = None) -> str:
    """``deploy/SECURITY.md`` as the scanners and the guards make it now (the scanners run unless given)."""
    root = root or repo_root()
    path = root / SECURITY_MD
    text = path.read_text()
    accepted = scanners.accepted(path)
    reports = checkov_reports if checkov_reports is not None else scanners.checkov(root)
    bandit = bandit_report if bandit_report is not None else scanners.bandit(root)
    return render(text, {"scanner-results": scanner_results(reports, bandit, accepted), "api-guards": api_guards()})


def sections_of(text: str) -> dict[str, Any]:
    """The generated sections of a page, by name."""
    return {m["name"]: m["body"] for m in _BLOCK.finditer(text)}
