"""``mlopsbook snapshots [NOTEBOOK.md ...]``: execute notebooks and write their snapshots (``make snapshots``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlopsbook.publishing import snapshots


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("snapshots", help="execute notebooks and write their executed .ipynb snapshots")
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK.md", help="default: every notebook under notebooks/")
    p.add_argument("--check", action="store_true", help="only check that each snapshot matches its notebook")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    mds = [Path(p).resolve() for p in args.notebooks] or snapshots.notebook_sources()
    if args.check:
        probs = [pr for md in mds for pr in snapshots.check_pair(md)]
        print("\n".join(probs) if probs else f"{len(mds)} snapshot(s) consistent")
        return 1 if probs else 0
    for md in mds:
        print(snapshots.write(md).relative_to(Path.cwd().resolve()) if Path.cwd() in md.parents else snapshots.write(md))
    return 0
