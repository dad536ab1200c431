"""``mlopsbook claims diff REV``: every verdict and glued number of the book at a revision against now, and what
moved each (see :mod:`mlopsbook.publishing.drift`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mlopsbook.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("claims", help="compare the book's verdicts and glued numbers across revisions")
    csub = p.add_subparsers(dest="claims_command", metavar="ACTION", required=True)
    d = csub.add_parser("diff", help="verdicts and glued numbers of the snapshots at REV against the working tree; "
                                     "exit 1 when any moved")
    d.add_argument("rev", metavar="REV", help="a git revision (commit, tag, branch, HEAD~3)")
    d.add_argument("--report", metavar="FILE", default=None, help="also write the report as Markdown to FILE")
    d.add_argument("--json", metavar="FILE", default=None, help="also write the report as JSON to FILE")
    d.set_defaults(func=_diff)


def _write(path: str, text: str, flag: str) -> None:
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{flag}: cannot write {path} ({exc.strerror})") from None


def _diff(args: argparse.Namespace) -> int:
    from mlopsbook.publishing import drift

    report = drift.diff(args.rev)
    text = report.to_markdown()
    print(text, end="")
    if args.report:
        _write(args.report, text, "--report")
    if args.json:
        _write(args.json, json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n", "--json")
    return 1 if report.moved else 0
