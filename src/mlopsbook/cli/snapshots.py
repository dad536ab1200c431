"""``mlopsbook snapshots [NOTEBOOK.md ...]``: execute notebooks and write their snapshots (``make snapshots``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlopsbook.publishing import execution, snapshots


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("snapshots", help="execute notebooks and write their executed .ipynb snapshots")
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK.md", help="default: every notebook under notebooks/")
    p.add_argument("--check", action="store_true", help="only check that each snapshot matches its notebook and is current "
                   "(its recorded inputs unchanged)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    mds = [Path(p).resolve() for p in args.notebooks] or snapshots.notebook_sources()
    if args.check:
        probs = [pr for md in mds for pr in snapshots.check_pair(md) or [execution.stale_message(md)] if pr]
        print("\n".join(probs) if probs else f"{len(mds)} snapshot(s) consistent")
        return 1 if probs else 0
    written = [execution.write_snapshot(md) for md in mds]
    # A notebook that read another's snapshot (the post reads its engine page's) runs again if that one changed
    again = [md for md in mds if execution.stale_message(md)]
    written += [execution.write_snapshot(md) for md in again]
    for out in written:
        print(out.relative_to(Path.cwd().resolve()) if Path.cwd().resolve() in out.parents else out)
    still = [m for md in mds if (m := execution.stale_message(md))]
    if still:
        print("\n".join(still) + "\n(a cycle: these notebooks read each other's snapshots)")
        return 1
    return 0
