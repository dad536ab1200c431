"""``mlopsbook prices refresh|check``: update the dated price table from AWS Price List offer files, or check one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlopsbook import inputs
from mlopsbook.costs import pricing
from mlopsbook.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prices", help="refresh or check the dated price table")
    psub = p.add_subparsers(dest="prices_command", metavar="ACTION", required=True)

    ref = psub.add_parser("refresh", help="write a new dated table from AWS Price List offer file(s) (JSON)")
    ref.add_argument("--offer-file", action="append", required=True, metavar="FILE",
                     help="an offer file downloaded from the AWS Price List Bulk API (repeat for several services)")
    ref.add_argument("--base", default=None, metavar="TABLE", help=f"table to start from (default {pricing.DEFAULT_TABLE})")
    ref.add_argument("--out", default=None, metavar="DIR", help="folder to write to (default data/pricing)")
    ref.add_argument("--region", default="us-east-1", metavar="REGION", help="an AWS region code (default us-east-1)")
    ref.add_argument("--force", action="store_true", help="replace a table of the same region and date")
    ref.add_argument("--in-place", action="store_true",
                     help="write the refreshed rows over the base table itself, so that the notebooks that name it "
                          "read today's prices (a re-verification run; not for committing)")
    ref.set_defaults(func=_refresh)

    chk = psub.add_parser("check", help="validate a price table (schema, units, positive prices)")
    chk.add_argument("table", nargs="?", default=None, metavar="TABLE")
    chk.set_defaults(func=_check)


def _refresh(args: argparse.Namespace) -> int:
    try:
        pricing.check_region(args.region)
    except pricing.PriceTableError as exc:
        raise UsageError(f"--{exc}") from None
    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        raise UsageError(f"--out: {args.out} is not a folder")
    for f in args.offer_file:
        try:
            inputs.check_file(f, max_bytes=inputs.MAX_OFFER_BYTES)
        except inputs.InputFileError as exc:
            raise UsageError(f"--offer-file: {exc}") from None
    try:
        base = pricing.load(args.base)
    except (FileNotFoundError, pricing.PriceTableError, inputs.InputFileError) as exc:
        raise UsageError(f"--base: {exc}") from None
    if args.in_place and args.out:
        raise UsageError("--in-place writes over the base table: it cannot be combined with --out")
    try:
        target = pricing.refresh_from_offer_file(args.offer_file, base=base.path, out_dir=args.out, region=args.region,
                                                 force=args.force, target=base.path if args.in_place else None)
    except pricing.PriceTableError as exc:
        print(f"mlopsbook prices refresh: {exc}", file=sys.stderr)
        return 1
    new = pricing.load(target)
    changed = sum(1 for r in new.rows if r.source_row.startswith("PRICE-API:"))
    print(f"{target} ({len(new.rows)} rows, {changed} from the offer file(s))")
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        t = pricing.load(args.table)
    except (FileNotFoundError, inputs.InputFileError) as exc:
        raise UsageError(f"TABLE: {exc}") from None
    except pricing.PriceTableError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{t.name}: {len(t.rows)} rows valid, {len(t.products())} products, sources {', '.join(t.sources())}")
    return 0
