"""``mlopsbook book [--fresh]``: before ``jupyter-book build``, leave one current execution of every notebook in the
book's cache: reused from its snapshot or cache while its execution record holds, executed otherwise (``make book``)."""

from __future__ import annotations

import argparse

from mlopsbook.publishing import bookcache


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("book", help="reuse current executions for the book, execute the notebooks whose key changed")
    p.add_argument("--fresh", action="store_true", help="execute every notebook (make book FRESH=1)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    done = bookcache.prepare(fresh=args.fresh)
    for p in done:
        print(f"{p.docname}: {p.action} ({p.seconds:.1f} s)")
    counts = {a: sum(p.action == a for p in done) for a in ("cached", "snapshot", "executed")}
    print(f"{len(done)} notebook(s): {counts['executed']} executed, {counts['snapshot']} reused from their snapshot, "
          f"{counts['cached']} already in the cache")
    return 0
