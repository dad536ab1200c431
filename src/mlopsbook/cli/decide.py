"""``mlopsbook decide``: rank the deployment platforms for a service profile (YAML file or flags).

Examples::

    mlopsbook decide --profile tests/fixtures/profiles/post-nlp.yaml
    mlopsbook decide --traffic-pattern steady --mean-rps 30 --peak-rps 30 --gpu no --artifact-mb 120 \\
        --model-latency-ms 50 --memory-mb 1024 --latency-slo-ms 1000 --payload-kb 150 --json

Flags override the file's fields. ``--json`` prints one object with ``ranking`` (a list of ``platform``,
``monthly_usd``, ``p99_ms``, ``meets_slo``, ``reasons``...), ``ruled_out`` (platform -> reason),
``recommendation``, ``deciding_criterion`` and ``flip``. A missing or invalid field exits 2 naming it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from mlopsbook.errors import UsageError
from mlopsbook.validation import check_number

FLAG_FIELDS = ("traffic_pattern", "mean_rps", "peak_rps", "gpu", "artifact_mb", "model_latency_ms", "memory_mb",
               "latency_slo_ms", "payload_kb")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("decide", help="rank the deployment platforms for a service profile")
    p.add_argument("--profile", default=None, metavar="FILE.yaml", help="a YAML file with the profile's fields")
    p.add_argument("--traffic-pattern", default=None, metavar="PATTERN",
                   help="steady, business-hours, diurnal, bursty or rare")
    p.add_argument("--gpu", default=None, metavar="NEED", help="required, optional or no")
    for name, unit in (("mean_rps", "req/s, monthly mean"), ("peak_rps", "req/s"), ("artifact_mb", "MB, unzipped"),
                       ("model_latency_ms", "ms per request on one vCPU"), ("memory_mb", "MB per worker"),
                       ("latency_slo_ms", "ms, p99"), ("payload_kb", "KB, largest body")):
        p.add_argument("--" + name.replace("_", "-"), default=None, metavar="X", help=unit)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the cold-start simulation (default 0)")
    p.set_defaults(func=_decide)


def _number(name: str, raw: str) -> Any:
    try:
        return float(raw)
    except ValueError:
        raise UsageError(f"--{name.replace('_', '-')}: must be a number (got {raw!r})") from None


def profile_from_args(args: argparse.Namespace) -> Any:
    """The profile from ``--profile`` and the field flags (flags win); errors name the flag."""
    from mlopsbook.decide.profile import Profile, ProfileError, read_yaml

    data: dict[str, Any] = {}
    if args.profile is not None:
        try:
            data = read_yaml(args.profile)
        except ProfileError as exc:
            raise UsageError(f"--profile: {exc.message}") from None
    for name in FLAG_FIELDS:
        raw = getattr(args, name)
        if raw is not None:
            data[name] = raw if name in ("traffic_pattern", "gpu") else _number(name, raw)
    try:
        return Profile.from_mapping(data)
    except ProfileError as exc:
        where = "" if args.profile is None or getattr(args, exc.field, None) is not None else f" (in {args.profile})"
        raise UsageError(f"--{exc.field.replace('_', '-')}{where}: {exc.message}") from None


def _decide(args: argparse.Namespace) -> int:
    from mlopsbook.decide import rank

    check_number(args.seed, "--seed", low=0, high=2**63 - 1, integer=True, error=UsageError)
    profile = profile_from_args(args)
    decision = rank.decide(profile, seed=args.seed)
    if args.json:
        print(json.dumps(decision.to_dict(), indent=2))
    else:
        print(decision.to_text())
    return 0
