"""``mlopsbook simulate``: one run of the simulator on a platform, printed as a summary or as JSON."""

from __future__ import annotations

import argparse
import json
from dataclasses import fields

from mlopsbook.errors import UsageError
from mlopsbook.simulate.scenario import PLATFORMS, Scenario, ScenarioError


def _flag(field: str) -> str:
    return "--" + field.replace("_", "-")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="simulate a request stream on a fixed pool, Ray Serve on KubeRay or Lambda",
                       description="Simulate traffic on a platform. Flags override the values of --scenario.")
    p.add_argument("--scenario", metavar="FILE.yaml", help="settings in a YAML file (same names as the flags)")
    p.add_argument("--platform", choices=PLATFORMS)
    p.add_argument("--arrivals", metavar="poisson|trace:FILE", help="Poisson arrivals or a file of arrival times (s)")
    p.add_argument("--rate-rps", type=float, metavar="R", help="Poisson arrival rate (requests/s)")
    p.add_argument("--service", choices=("exponential", "lognormal", "constant"))
    p.add_argument("--mean-service-ms", type=float, metavar="S")
    p.add_argument("--replicas", type=int, metavar="N", help="fixed: slots; ray-serve: initial replicas")
    p.add_argument("--duration-s", type=float, metavar="T")
    p.add_argument("--seed", type=int, metavar="K")
    p.add_argument("--slo-ms", type=float, metavar="MS", help="count SLO violations above this latency")
    g = p.add_argument_group("Ray Serve autoscaling and KubeRay (defaults: Ray's, the ray.serve.* facts)")
    for name, typ in (("min_replicas", int), ("max_replicas", int), ("target_ongoing_requests", float),
                      ("max_ongoing_requests", int), ("upscale_delay_s", float), ("downscale_delay_s", float),
                      ("metrics_interval_s", float), ("look_back_period_s", float), ("node_startup_s", float),
                      ("replicas_per_node", int), ("min_worker_nodes", int)):
        g.add_argument(_flag(name), type=typ, dest=name)
    g.add_argument("--node-kind", choices=("cpu", "gpu"), dest="node_kind")
    f = p.add_argument_group("failures")
    f.add_argument("--kill-node-at-s", type=float, metavar="T", dest="kill_node_at_s",
                   help="kill the busiest worker node at T s")
    f.add_argument("--failure-mode", choices=("crash", "silent", "replica"), dest="failure_mode",
                   help="crash: node gone; silent: node unreachable; replica: one replica killed")
    f.add_argument("--retries", type=int, dest="retries")
    la = p.add_argument_group("AWS Lambda")
    la.add_argument("--init", choices=("hello_world", "sklearn_model"), help="cold-start duration row")
    la.add_argument("--keep-alive-s", type=float, dest="keep_alive_s")
    la.add_argument("--provisioned", type=int, help="provisioned concurrency")
    la.add_argument("--memory-mb", type=int, dest="memory_mb")
    p.add_argument("--json", action="store_true", help="print the full summary as JSON")
    p.set_defaults(func=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    settings: dict[str, object] = {}
    try:
        if args.scenario:
            settings.update(Scenario.from_yaml(args.scenario).__dict__)
        for f in fields(Scenario):
            v = getattr(args, f.name, None)
            if v is not None:
                settings[f.name] = v
        scenario = Scenario.from_mapping(settings)
        result = scenario.run()
    except ScenarioError as exc:
        raise UsageError(f"{'--scenario' if exc.field == 'scenario' else _flag(exc.field)}: {exc.message}") from None
    summary = result.summary(scenario.slo_ms)
    if args.json:
        print(json.dumps(summary, sort_keys=True, indent=2))
        return 0
    lat = summary["latency_ms"]
    fmt = lambda v: "n/a" if v is None else f"{v:.1f}"  # noqa: E731
    print(f"{scenario.platform}: {summary['arrivals']} requests in {scenario.duration_s:g} s; served "
          f"{summary['served']}, failed {summary['failed']}, dropped {summary['dropped']}, in flight "
          f"{summary['in_flight']}")
    print(f"latency ms: p50 {fmt(lat['p50'])}, p95 {fmt(lat['p95'])}, p99 {fmt(lat['p99'])}, max {fmt(lat['max'])}; "
          f"mean wait {fmt(summary['mean_wait_ms'])} ms; P(wait) {summary['p_wait'] or 0:.3f}")
    if "slo_violations" in summary:
        print(f"SLO {scenario.slo_ms:g} ms: {summary['slo_violations']} violations")
    return 0
