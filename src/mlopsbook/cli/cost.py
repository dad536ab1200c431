"""``mlopsbook cost lambda|sagemaker|sagemaker-serverless|fargate|eks|triton``: a monthly bill from the price table.

Examples::

    mlopsbook cost lambda --requests-per-month 3000000 --duration-ms 120 --memory-mb 1536 --free-tier
    mlopsbook cost fargate --tasks 10 --hours-per-task 30 --vcpu 0.25 --memory-gb 1 --json
    mlopsbook cost sagemaker --requests-per-month 50000000 --latency-ms 50 --pattern business-hours

Bad input exits 2 with one line naming the flag and the allowed range.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from typing import Any, Callable

import numpy as np

from mlopsbook.costs import model as costs, pricing
from mlopsbook.errors import UsageError
from mlopsbook.validation import check_number
from mlopsbook.inputs import InputFileError
from mlopsbook.costs.traffic import PATTERNS, SECONDS_PER_MONTH, Workload


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cost", help="monthly cost of serving a workload on one platform")
    psub = p.add_subparsers(dest="platform", metavar="PLATFORM", required=True)

    lam = _common(psub.add_parser("lambda", help="AWS Lambda: requests, GB-seconds, free tier, INIT, provisioned concurrency"))
    lam.add_argument("--requests-per-month", type=float, required=True, metavar="N")
    lam.add_argument("--duration-ms", type=float, required=True, metavar="MS", help="average duration per invocation")
    lam.add_argument("--memory-mb", type=float, required=True, metavar="MB",
                     help="{}-{}".format(*costs.LAMBDA_MEMORY_MB))
    lam.add_argument("--arch", default="x86_64", metavar="ARCH", help="x86_64 (default) or arm64")
    lam.add_argument("--free-tier", action="store_true", help="deduct the monthly free tier (requests and GB-s, from the price table)")
    lam.add_argument("--ephemeral-storage-mb", type=float, default=costs.LAMBDA_FREE_STORAGE_MB, metavar="MB",
                     help=f"{costs.LAMBDA_FREE_STORAGE_MB}-{costs.LAMBDA_MAX_STORAGE_MB} (default {costs.LAMBDA_FREE_STORAGE_MB})")
    lam.add_argument("--cold-start-fraction", type=float, default=0.0, metavar="F", help="share of invocations with a billed INIT")
    lam.add_argument("--init-duration-ms", type=float, default=0.0, metavar="MS",
                     help=f"INIT duration of a cold start (0-{costs.LAMBDA_MAX_INIT_MS})")
    lam.add_argument("--provisioned-concurrency", type=float, default=0, metavar="N")
    lam.add_argument("--provisioned-hours", type=float, default=0.0, metavar="H", help="hours per month with it enabled")
    lam.add_argument("--provisioned-requests", type=float, default=0.0, metavar="N", help="invocations served by it")
    lam.add_argument("--provisioned-duration-ms", type=float, default=None, metavar="MS")
    lam.set_defaults(func=_lambda)

    sls = _common(psub.add_parser("sagemaker-serverless", help="SageMaker Serverless Inference: compute seconds"))
    sls.add_argument("--requests-per-month", type=float, required=True, metavar="N")
    sls.add_argument("--duration-ms", type=float, required=True, metavar="MS")
    sls.add_argument("--memory-mb", type=int, default=costs.SERVERLESS_PRICED_MB, metavar="MB",
                     help=f"one of {', '.join(map(str, costs.SERVERLESS_MEMORY_MB))} (priced: {costs.SERVERLESS_PRICED_MB})")
    sls.set_defaults(func=_serverless)

    far = _fleet(_common(psub.add_parser("fargate", help="ECS Fargate: vCPU-hours and GB-hours of the tasks")), required=False)
    far.add_argument("--tasks", type=float, default=None, metavar="N", help="a fixed number of tasks (instead of sizing)")
    far.add_argument("--hours-per-task", type=float, default=730.0, metavar="H", help="with --tasks: hours each runs")
    far.add_argument("--vcpu", type=float, default=1.0, metavar="V",
                     help="vCPU per task: 0.25, 0.5, 1, 2, 4, 8 or 16 (default 1); below 1 a share of one CPU")
    far.add_argument("--memory-gb", type=float, default=2.0, metavar="GB",
                     help="memory per task, within the vCPU's range (0.25: 0.5-2; 1: 2-8 ...; default 2)")
    far.add_argument("--arch", default="x86_64", metavar="ARCH", help="x86_64 (default) or arm64")
    far.set_defaults(func=_fargate)

    sm = _fleet(_common(psub.add_parser("sagemaker", help="SageMaker real-time endpoint: instance-hours")))
    sm.add_argument("--instance", default="ml.m5.large", metavar="TYPE", help="an instance priced in the table")
    sm.set_defaults(func=_sagemaker)

    eks = _fleet(_common(psub.add_parser("eks", help="KubeRay on EKS: control plane, head node, worker nodes")))
    eks.add_argument("--worker", default="c6i.large", metavar="TYPE")
    eks.add_argument("--head", default="m6i.large", metavar="TYPE")
    eks.add_argument("--worker-throughput-rps", type=float, default=None, metavar="RPS", help="for GPU workers")
    eks.set_defaults(func=_eks)

    tri = _fleet(_common(psub.add_parser("triton", help="Triton on GPU instances, with or without dynamic batching")), latency=False)
    tri.add_argument("--no-dynamic-batching", action="store_true")
    tri.add_argument("--throughput-rps", type=float, default=None, metavar="RPS", help="per instance (default: Triton docs)")
    tri.add_argument("--instance", default="g4dn.xlarge", metavar="TYPE")
    tri.set_defaults(func=_triton)


def _common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--prices", default=None, metavar="FILE", help=f"price table (default data/pricing/{pricing.DEFAULT_TABLE})")
    return p


def _fleet(p: argparse.ArgumentParser, *, required: bool = True, latency: bool = True) -> argparse.ArgumentParser:
    p.add_argument("--requests-per-month", type=float, required=required, default=None, metavar="N")
    if latency:
        p.add_argument("--latency-ms", type=float, required=required, default=None, metavar="MS", help="per request on one vCPU")
    p.add_argument("--pattern", default="steady", metavar="PATTERN", help=f"traffic shape: {', '.join(PATTERNS)}")
    p.add_argument("--min-replicas", type=float, default=costs.DEFAULT_MIN_REPLICAS, metavar="N", help="redundancy (default 2)")
    p.add_argument("--utilisation-target", type=float, default=costs.DEFAULT_UTILISATION, metavar="U", help="0-1 (default 0.7)")
    p.add_argument("--no-autoscale", action="store_true", help="size for the month's peak instead of hour by hour")
    return p


_PARAM_TO_FLAG = {"mean_rps": "--requests-per-month", "task_hours": "--hours-per-task", "task_vcpu": "--vcpu",
                  "task_memory_gb": "--memory-gb", "throughput_rps": "--throughput-rps", "pattern": "--pattern",
                  "instance": "--instance", "latency_ms": "--latency-ms", "concurrency": "--vcpu"}


def _run(args: argparse.Namespace, compute: Callable[[pricing.PriceTable], costs.CostBreakdown]) -> int:
    try:
        table = pricing.load(args.prices)
    except (FileNotFoundError, pricing.PriceTableError, InputFileError) as exc:
        raise UsageError(f"--prices: {exc}") from None
    try:
        with np.errstate(all="ignore"):  # an overflow is refused below, by the bill's own check, with one line
            bill = compute(table)
    except ValueError as exc:
        msg = str(exc)
        m = re.match(r"^([a-z_]+): (.*)$", msg, re.S)
        if m:
            flag = _PARAM_TO_FLAG.get(m[1], "--" + m[1].replace("_", "-"))
            raise UsageError(f"{flag}: {m[2]}") from None
        raise UsageError(msg) from None
    except KeyError as exc:
        prefix = {"sagemaker": "sagemaker.", "eks": "ec2.", "triton": "ec2."}.get(args.platform, "")
        names = [p[len(prefix):] for p in table.products() if prefix and p.startswith(prefix)]
        flag = "--worker/--head" if args.platform == "eks" else "--instance"
        raise UsageError(f"{flag}: not priced in {table.name} (priced: {', '.join(names)})") from None
    _print(bill, table, args.json)
    return 0


def _print(bill: costs.CostBreakdown, table: pricing.PriceTable, as_json: bool) -> None:
    d = bill.to_dict()
    d["price_table"] = table.name
    d["price_date"] = table.date
    if as_json:
        print(json.dumps(d, sort_keys=False))
        return
    print(f"{costs.PLATFORM_LABELS[bill.platform]}: monthly cost (prices {table.name})")
    for k, v in d["items"].items():
        print(f"  {k:<26} " + ("n/a" if v is None else f"${v:>14,.2f}"))
    total = d["monthly_usd"]
    print(f"  {'total':<26} " + ("infeasible" if total is None else f"${total:>14,.2f}"))
    for n in bill.notes[1:]:
        print(f"  note: {n}")


MAXIMA = {"--requests-per-month": 1e7 * SECONDS_PER_MONTH, "--provisioned-requests": 1e7 * SECONDS_PER_MONTH,
          "--provisioned-concurrency": 1e6, "--provisioned-hours": 744.0, "--tasks": 1e6, "--hours-per-task": 744.0,
          "--min-replicas": 1e6}
"""Upper bound of each count flag: ten million requests a second for a month (the decision engine's bound), a
million tasks or replicas, and the 744 hours of a 31-day month; the bill then stays a finite number of dollars."""


def _nonneg(value: float | None, flag: str) -> None:
    if value is not None:
        check_number(value, flag, low=0, high=MAXIMA.get(flag), error=UsageError)


def _whole(value: float | None, flag: str) -> None:
    """Counts of things (tasks, replicas, concurrent environments) are whole numbers."""
    if value is not None and math.isfinite(value) and value != math.floor(value):
        raise UsageError(f"{flag}: must be a whole number (got {value:g})")


def _lambda(args: argparse.Namespace) -> int:
    for f in ("requests_per_month", "provisioned_concurrency", "provisioned_hours", "provisioned_requests"):
        _nonneg(getattr(args, f), "--" + f.replace("_", "-"))
    _whole(args.provisioned_concurrency, "--provisioned-concurrency")
    return _run(args, lambda t: costs.lambda_cost(
        args.requests_per_month, args.duration_ms, args.memory_mb, arch=args.arch, free_tier=args.free_tier,
        cold_start_fraction=args.cold_start_fraction, init_duration_ms=args.init_duration_ms,
        ephemeral_storage_mb=args.ephemeral_storage_mb, provisioned_concurrency=args.provisioned_concurrency,
        provisioned_hours=args.provisioned_hours, provisioned_requests=args.provisioned_requests,
        provisioned_duration_ms=args.provisioned_duration_ms, prices=t))


def _serverless(args: argparse.Namespace) -> int:
    _nonneg(args.requests_per_month, "--requests-per-month")
    rps = args.requests_per_month / SECONDS_PER_MONTH
    return _run(args, lambda t: costs.sagemaker_serverless_cost(
        args.requests_per_month, args.duration_ms, args.memory_mb, peak_concurrency=rps * args.duration_ms / 1000, prices=t))


def _load(args: argparse.Namespace) -> costs.LoadProfile:
    if args.requests_per_month is None:
        raise UsageError("--requests-per-month: required (with --latency-ms) unless --tasks is given")
    _nonneg(args.requests_per_month, "--requests-per-month")
    if args.pattern not in PATTERNS:
        raise UsageError(f"--pattern: must be one of {', '.join(PATTERNS)} (got {args.pattern!r})")
    if not 0 < args.utilisation_target <= 1:
        raise UsageError(f"--utilisation-target: must be in (0, 1] (got {args.utilisation_target:g})")
    _nonneg(args.min_replicas, "--min-replicas")
    _whole(args.min_replicas, "--min-replicas")
    return costs.LoadProfile.of(Workload(args.pattern, args.requests_per_month / SECONDS_PER_MONTH))


def _fleet_opts(args: argparse.Namespace) -> dict[str, Any]:
    return {"utilisation_target": args.utilisation_target, "min_replicas": args.min_replicas, "autoscale": not args.no_autoscale}


def _fargate(args: argparse.Namespace) -> int:
    if args.tasks is not None:
        _nonneg(args.tasks, "--tasks")
        _whole(args.tasks, "--tasks")
        _nonneg(args.hours_per_task, "--hours-per-task")
        return _run(args, lambda t: costs.fargate_task_cost(
            args.tasks * args.hours_per_task, args.vcpu, args.memory_gb, arch=args.arch, prices=t))
    if args.latency_ms is None:
        raise UsageError("--latency-ms: required with --requests-per-month (or give --tasks)")
    load = _load(args)
    return _run(args, lambda t: costs.fargate_cost(load, args.latency_ms, task_vcpu=args.vcpu, task_memory_gb=args.memory_gb,
                                                   arch=args.arch, prices=t, **_fleet_opts(args)))


def _sagemaker(args: argparse.Namespace) -> int:
    load = _load(args)
    return _run(args, lambda t: costs.sagemaker_cost(load, args.latency_ms, instance=args.instance, prices=t, **_fleet_opts(args)))


def _eks(args: argparse.Namespace) -> int:
    load = _load(args)
    return _run(args, lambda t: costs.eks_cost(load, args.latency_ms, worker=args.worker, head=args.head,
                                               worker_throughput_rps=args.worker_throughput_rps, prices=t, **_fleet_opts(args)))


def _triton(args: argparse.Namespace) -> int:
    load = _load(args)
    return _run(args, lambda t: costs.triton_cost(load, dynamic_batching=not args.no_dynamic_batching, instance=args.instance,
                                                  throughput_rps=args.throughput_rps, prices=t, **_fleet_opts(args)))
