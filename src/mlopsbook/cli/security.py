"""``mlopsbook security report [--write | --check]``: ``deploy/SECURITY.md``'s generated sections from a real run of
the scanners (checkov and bandit in ``.venv-scan``, the SAM transform in ``.venv-deploy``) and the API's guards.

Without a flag the page is printed; ``--write`` writes it; ``--check`` exits 1 when the committed page differs.
"""

from __future__ import annotations

import argparse
import sys

from mlopsbook.security import report as security_report
from mlopsbook.paths import repo_root


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("security", help="regenerate deploy/SECURITY.md from the scanners' output")
    psub = p.add_subparsers(dest="security_command", metavar="ACTION", required=True)
    rep = psub.add_parser("report", help="the page with its generated sections rewritten")
    how = rep.add_mutually_exclusive_group()
    how.add_argument("--write", action="store_true", help="write deploy/SECURITY.md")
    how.add_argument("--check", action="store_true", help="exit 1 if deploy/SECURITY.md is out of date")
    rep.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    path = repo_root() / security_report.SECURITY_MD
    new = security_report.regenerate()
    if args.write:
        path.write_text(new)
        print(f"written: {security_report.SECURITY_MD}")
        return 0
    if args.check:
        if path.read_text() != new:
            print(f"{security_report.SECURITY_MD}: out of date; run `mlopsbook security report --write` "
                  "(make security-report)", file=sys.stderr)
            return 1
        print(f"{security_report.SECURITY_MD}: up to date")
        return 0
    sys.stdout.write(new)
    return 0
