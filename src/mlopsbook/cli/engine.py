"""``mlopsbook engine bulk|inputs|manifests``: the bulk job, its input partitions, the KubeRay manifests."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from mlopsbook.engine import bulk
from mlopsbook.errors import MlopsbookError, UsageError
from mlopsbook.validation import check_number


def _day(flag: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag}: must be a date YYYY-MM-DD (got {text!r})") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("engine", help="Ray bulk job, its inputs and the KubeRay manifests")
    esub = p.add_subparsers(dest="engine_command", metavar="ACTION", required=True)

    b = esub.add_parser("bulk", help="score one day's partition with Ray Data and publish it atomically")
    bulk.add_arguments(b)
    b.set_defaults(func=_bulk)

    i = esub.add_parser("inputs", help="write day partitions of generated documents (the bulk job's input)")
    i.add_argument("--days", required=True, metavar="D1,D2", help="comma-separated dates YYYY-MM-DD")
    i.add_argument("--docs-per-day", type=int, default=200, metavar="N")
    i.add_argument("--seed", type=int, default=0)
    i.add_argument("--out", required=True, metavar="DIR")
    i.set_defaults(func=_inputs)

    m = esub.add_parser("manifests", help="check (default) or regenerate deploy/kuberay/*.yaml")
    m.add_argument("--write", action="store_true", help="regenerate the files (after validating them)")
    m.set_defaults(func=_manifests)


def _bulk(args: argparse.Namespace) -> int:
    day = _day("--day", args.day)
    check_number(args.num_blocks, "--num-blocks", low=1, high=bulk.MAX_BLOCKS, integer=True, error=UsageError)
    if not Path(args.input).is_dir():
        raise UsageError(f"--input: no such folder {args.input}")
    try:
        bulk.resolve_scorer(args.scorer or bulk.DEFAULT_SCORER)
    except MlopsbookError as exc:
        raise UsageError(f"--{exc}") from None
    try:
        r = bulk.score_day(day, Path(args.input), Path(args.output), scorer=args.scorer or bulk.DEFAULT_SCORER,
                           model_dir=Path(args.model_dir) if args.model_dir else None, num_blocks=args.num_blocks)
    except FileNotFoundError as exc:
        print(f"mlopsbook engine bulk: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"day": r.day.isoformat(), "input_rows": r.input_rows, "output_rows": r.output_rows,
                      "partition": r.partition.name, "replaced": r.replaced, "publish": r.publish_method,
                      "sha256": r.digest}))
    return 0


def _inputs(args: argparse.Namespace) -> int:
    days = [_day("--days", d.strip()) for d in args.days.split(",") if d.strip()]
    if not days:
        raise UsageError(f"--days: give at least one date (got {args.days!r})")
    check_number(args.docs_per_day, "--docs-per-day", low=1, high=bulk.MAX_INPUT_DOCS, integer=True, error=UsageError)
    check_number(args.docs_per_day * len(days), "--docs-per-day x the number of --days", high=bulk.MAX_INPUT_DOCS,
                 error=UsageError, note="(write the days in several runs)")
    check_number(args.seed, "--seed", low=0, high=2**63 - 1, integer=True, error=UsageError)
    if len(set(days)) != len(days):
        raise UsageError(f"--days: each day at most once (got {args.days!r})")
    for p in bulk.write_input_days(Path(args.out), days, args.docs_per_day, seed=args.seed):
        print(p)
    return 0


def _manifests(args: argparse.Namespace) -> int:
    from mlopsbook.engine import manifest_checks

    if args.write:
        for p in manifest_checks.write():
            print(p)
        return 0
    probs = manifest_checks.check_files()
    for pr in probs:
        print(pr, file=sys.stderr)
    if probs:
        return 1
    print("deploy/kuberay: RayService and RayJob valid against the KubeRay v1 CRDs, hardened (token auth, pod security), "
          "NetworkPolicies valid; all up to date")
    return 0
