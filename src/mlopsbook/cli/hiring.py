"""``mlopsbook hiring score FILE.yaml [--json]`` and ``mlopsbook hiring validate``.

``score`` validates an interview scorecard against the hiring framework and prints the level recommendation with
the calibration rules; an invalid scorecard (a missing competency, a score out of range, an unknown role, level or
stage...) exits 1 with one line per problem naming the field. ``validate`` checks the framework and validity files.
"""

from __future__ import annotations

import argparse
import json
import sys

from mlopsbook import inputs
from mlopsbook.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hiring", help="score interview scorecards against the hiring framework")
    hsub = p.add_subparsers(dest="hiring_command", metavar="ACTION", required=True)

    sc = hsub.add_parser("score", help="validate a scorecard and recommend a level")
    sc.add_argument("file", metavar="FILE.yaml")
    sc.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    sc.add_argument("--framework", metavar="FILE", help="framework YAML (default: the one in data/hiring/)")
    sc.set_defaults(func=_score)

    va = hsub.add_parser("validate", help="check the framework and the validity table")
    va.add_argument("--framework", metavar="FILE", help="framework YAML (default: the one in data/hiring/)")
    va.add_argument("--validity", metavar="FILE", help="validity CSV (default: the one in data/hiring/)")
    va.set_defaults(func=_validate)


def _framework(path: str | None):
    from mlopsbook.hiring import framework

    try:
        return framework.load(path)
    except inputs.InputFileError as exc:
        raise UsageError(f"--framework: {exc}") from None


def _score(args: argparse.Namespace) -> int:
    from mlopsbook.hiring import framework, scorecard

    try:
        fw = _framework(args.framework)
    except framework.FrameworkError as exc:
        print(f"framework: {exc}", file=sys.stderr)
        return 1
    try:
        card = scorecard.read(args.file)
        rec = scorecard.aggregate(card, fw)
    except inputs.InputFileError as exc:
        raise UsageError(f"FILE.yaml: {exc}") from None
    except scorecard.ScorecardError as exc:
        for pr in exc.problems:
            print(f"{args.file}: {pr}", file=sys.stderr)
        print(f"{args.file}: invalid scorecard ({len(exc.problems)} problem(s))", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rec.to_dict(), indent=2))
    else:
        print(rec.to_text())
        print("calibration rules:")
        for i, r in enumerate(rec.rules, 1):
            print(f"  {i}. {r}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from mlopsbook.hiring import framework, validity
    from mlopsbook.paths import data_path

    try:
        table = validity.load(args.validity)
    except inputs.InputFileError as exc:
        raise UsageError(f"--validity: {exc}") from None
    except validity.ValidityTableError as exc:
        print(f"validity: {exc}", file=sys.stderr)
        return 1
    path = args.framework if args.framework else data_path("hiring", framework.FRAMEWORK_FILE)
    try:
        data = inputs.read_yaml(path)
    except inputs.InputFileError as exc:
        raise UsageError(f"--framework: {exc}") from None
    try:
        fw = framework.from_mapping(data, set(table["method_id"]))
    except framework.FrameworkError as exc:
        print(f"framework: {exc}", file=sys.stderr)
        return 1
    cited = table[table["meta_analysis"] != "none"]
    print(f"framework {fw.version}: {len(fw.competencies)} competencies, {len(fw.roles)} roles, "
          f"{len(fw.levels)} levels, {len(fw.loop)} loop stages ({fw.loop_duration_min} min)")
    print(f"validity table: {len(cited)} sourced figures for {cited['method_id'].nunique()} methods; "
          f"{int((table['meta_analysis'] == 'none').sum())} method(s) with no published validity")
    return 0

