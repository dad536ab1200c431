"""The monthly cost of serving a workload on Lambda, SageMaker, SageMaker Serverless, Fargate, KubeRay on EKS, Triton.

Every function returns a :class:`CostBreakdown`: ``monthly_usd`` and its line items (USD per 730 h month), computed
from a dated price table (:mod:`mlopsbook.costs.pricing`). Inputs may be numpy arrays: everything broadcasts, so a sweep of
10^6 workloads is one call (see ``benchmarks/bench_costs.py``).

Two families of platform:

*Pay per use* (``lambda``, ``sagemaker-serverless``): cost follows the requests. Lambda bills GB-seconds of duration
(rounded up to 1 ms per invocation, A20) in tiers (A1-A4) after a monthly free tier (A6), requests (A5), extra
ephemeral storage (A16), provisioned concurrency (A17-A19) and, since 2025-08-01, the INIT phase of cold starts as
duration (``aws.lambda.init.*``). SageMaker Serverless bills compute seconds at its memory size (B11, only the 3 GB price is confirmed).

*Always on* (``sagemaker``, ``fargate``, ``eks``, ``triton``): cost follows the replicas kept running. One replica
serves ``1000 / latency_ms * concurrency`` requests per second; a fleet is sized for each hour's busiest minute at a
utilisation target (``utilisation_target``, a planning choice, default :data:`DEFAULT_UTILISATION`), never below
``min_replicas`` (redundancy for a customer-facing service; default 2). With ``autoscale=True`` the fleet follows the
traffic hour by hour (an optimistic, perfectly timed scaler); with ``autoscale=False`` it is sized for the month's
peak. Load balancers, NAT, data transfer, storage and logs are not priced (no sourced price in the facts file): they
would add the same kind of fixed cost to every always-on option, and some to Lambda (API Gateway).

The workload's model (:class:`ModelProfile`: CPU time per request, Lambda INIT and memory) is always an argument: a
post's reproduction passes its own measured profile (e.g.
:func:`mlopsbook.reproductions.engineering_culture_leadership.profile.post_model`); :data:`ASSUMED_MODEL` is a
round-number alternative for comparisons and tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from mlopsbook import facts
from mlopsbook.costs import fargate_sizes, pricing
from mlopsbook.costs.traffic import HOURS_PER_MONTH, SECONDS_PER_MONTH, Workload
from mlopsbook.errors import MlopsbookError
from mlopsbook.validation import check_choice, check_number

PLATFORMS: tuple[str, ...] = ("lambda", "sagemaker", "sagemaker-serverless", "fargate", "eks", "triton")
"""Platform names, as used by the CLI and by :func:`monthly_cost`."""
PLATFORM_LABELS = {
    "lambda": "Lambda",
    "sagemaker": "SageMaker real-time",
    "sagemaker-serverless": "SageMaker Serverless",
    "fargate": "ECS Fargate",
    "eks": "KubeRay on EKS",
    "triton": "Triton on GPU (EC2)",
}

_FACT_CONSTANTS: dict[str, Callable[[], Any]] = {
    "LAMBDA_MEMORY_MB": lambda: (facts.integer("aws.lambda.memory.min_mb"), facts.integer("aws.lambda.memory.max_mb")),
    "LAMBDA_MB_PER_VCPU": lambda: facts.integer("aws.lambda.memory.mb_per_vcpu"),
    "LAMBDA_MAX_DURATION_MS": lambda: facts.integer("aws.lambda.timeout.max_s") * 1000,
    "LAMBDA_MAX_INIT_MS": lambda: facts.integer("aws.lambda.init.max_s") * 1000,
    "LAMBDA_FREE_STORAGE_MB": lambda: facts.integer("aws.lambda.ephemeral_storage.free_mb"),
    "LAMBDA_MAX_STORAGE_MB": lambda: facts.integer("aws.lambda.ephemeral_storage.max_mb"),
    "LAMBDA_DEFAULT_CONCURRENCY": lambda: facts.integer("aws.lambda.concurrency.default_per_region"),
    "SERVERLESS_MEMORY_MB": lambda: tuple(int(x) for x in facts.numbers("aws.sagemaker_serverless.memory_sizes_mb")),
    # the 3 GB size: the only SageMaker Serverless memory size with a confirmed price (B11; other sizes B12)
    "SERVERLESS_PRICED_MB": lambda: int(facts.numbers("aws.sagemaker_serverless.memory_sizes_mb")[2]),
    "SERVERLESS_MAX_CONCURRENCY": lambda: facts.integer("aws.sagemaker_serverless.concurrency.max_per_endpoint"),
    # Triton's documented throughput of one GPU instance without / with ``dynamic_batching {}``, used for want of a
    # measured figure for an NLP model (pass ``throughput_rps`` to override)
    "TRITON_THROUGHPUT_RPS": lambda: {False: facts.number("triton.throughput.inception_rps"),
                                      True: facts.number("triton.throughput.inception_batched_rps")},
}
"""The AWS and Triton figures the bills use, by name (``LAMBDA_MEMORY_MB``, ``LAMBDA_MB_PER_VCPU``...): module
attributes read from the fact registry (:mod:`mlopsbook.facts`) when first asked for, never at import."""


def __getattr__(name: str) -> Any:
    if name in _FACT_CONSTANTS:
        return _FACT_CONSTANTS[name]()
    if name == "ASSUMED_MODEL":
        return assumed_model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_const = __getattr__


DEFAULT_UTILISATION = 0.7
"""Planning utilisation target of always-on fleets: a choice (headroom for bursts and a lost replica), not a
measurement; every function takes ``utilisation_target``."""
DEFAULT_MIN_REPLICAS = 2
"""Redundancy for a customer-facing service: at least two replicas (a parameter everywhere)."""
ARCHES = ("x86_64", "arm64")

ArrayLike = Any


# -- validation ------------------------------------------------------------------------------------------------------
def _arr(x: ArrayLike, name: str, *, minimum: float = 0.0, maximum: float = math.inf, strict: bool = False) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(a)):
        raise MlopsbookError(f"{name}: must be a finite number (got {float(a[~np.isfinite(a)].flat[0])})")
    bad = (a <= minimum) if strict else (a < minimum)
    bad = bad | (a > maximum) | np.isnan(a)
    if np.any(bad):
        first = a[bad].flat[0] if a.ndim else a.item()
        rng = f"{'>' if strict else '>='} {minimum:g}" if maximum == math.inf else f"between {minimum:g} and {maximum:g}"
        raise MlopsbookError(f"{name}: must be {rng} (got {first:g})")
    return a


def _check_memory(memory_mb: ArrayLike, name: str = "memory_mb") -> np.ndarray:
    a = _arr(memory_mb, name, minimum=_const("LAMBDA_MEMORY_MB")[0], maximum=_const("LAMBDA_MEMORY_MB")[1])
    if np.any(a != np.round(a)):
        lo, hi = _const("LAMBDA_MEMORY_MB")
        raise MlopsbookError(f"{name}: must be whole MB between {lo} and {hi} (got {a[a != np.round(a)].flat[0]:g})")
    return a


def _check_arch(arch: str) -> str:
    check_choice(arch, "arch", ARCHES)
    return arch


def _check_fargate_sizes(vcpu: np.ndarray, memory_gb: np.ndarray) -> None:
    for v, g in sorted({(float(a), float(b)) for a, b in np.broadcast(vcpu, memory_gb)}):
        fargate_sizes.check(v, g)


def _prices(prices: pricing.PriceTable | None) -> pricing.PriceTable:
    return prices if prices is not None else pricing.load()


def _tiered_usd(units: np.ndarray, free_units: np.ndarray, tiers: tuple[tuple[float, float, float], ...]) -> np.ndarray:
    """Charge ``units`` on tiered prices after the first ``free_units`` (the free tier uses the first units)."""
    free = np.minimum(units, free_units)
    usd = np.zeros(np.broadcast(units, free).shape)
    for start, end, price in tiers:
        usd = usd + price * (np.clip(units, start, end) - np.clip(free, start, end))
    return usd


def _out(x: np.ndarray) -> Any:
    return float(x) + 0.0 if np.ndim(x) == 0 else x + 0.0


@dataclass(frozen=True)
class ModelProfile:
    """What one request of a model costs in compute.

    ``cpu_ms``: service time of one request on one dedicated vCPU (ms). ``init_ms``: duration of a Lambda cold start's
    INIT phase (loading the runtime, the libraries and the model; ms). ``lambda_memory_mb``: the Lambda memory size.
    ``source`` says whether the figures are assumed or measured (and where).
    """

    name: str
    cpu_ms: float
    init_ms: float
    lambda_memory_mb: int = 1024
    source: str = "assumption"

    def __post_init__(self) -> None:
        if not (self.cpu_ms > 0 and math.isfinite(self.cpu_ms)):
            raise MlopsbookError(f"cpu_ms: must be > 0 (got {self.cpu_ms!r})")
        if not 0 <= self.init_ms <= _const("LAMBDA_MAX_INIT_MS"):
            raise MlopsbookError(f"init_ms: must be between 0 and {_const('LAMBDA_MAX_INIT_MS')} ms (aws.lambda.init.max_s) (got {self.init_ms!r})")
        _check_memory(self.lambda_memory_mb, "lambda_memory_mb")

    @property
    def lambda_duration_ms(self) -> float:
        """Duration of one request on Lambda: ``cpu_ms`` stretched by the CPU share below one vCPU's memory
        (``aws.lambda.memory.mb_per_vcpu``).

        A single-threaded request gains nothing above one vCPU, so larger memory sizes keep ``cpu_ms``.
        """
        return lambda_duration_ms(self.cpu_ms, self.lambda_memory_mb)


def assumed_model() -> ModelProfile:
    """A round-number light model, kept for comparisons and tests (also :data:`ASSUMED_MODEL`); a post passes its own
    measured profile."""
    return ModelProfile(
        name="light NLP model on CPU (classification / NER), assumed",
        cpu_ms=50.0,
        init_ms=1000.0,
        lambda_memory_mb=1024,
        source="ASSUMPTION: 50 ms per request on one vCPU and a 1 s INIT (for comparison with the measured model).",
    )



def lambda_duration_ms(cpu_ms: ArrayLike, memory_mb: ArrayLike) -> np.ndarray:
    """Lambda duration of a CPU-bound, single-threaded request: ``cpu_ms * max(1, mb_per_vcpu / memory_mb)``
    (``aws.lambda.memory.mb_per_vcpu``)."""
    per_vcpu = _const("LAMBDA_MB_PER_VCPU")
    return np.asarray(cpu_ms, dtype=float) * np.maximum(1.0, per_vcpu / np.asarray(memory_mb, dtype=float))


@dataclass(frozen=True)
class CostBreakdown:
    """A monthly bill: the total and its line items (USD per 730 h month), plus notes on what was assumed.

    Values are floats for scalar inputs and numpy arrays for array inputs. ``np.inf`` marks a workload the platform
    cannot serve (e.g. SageMaker Serverless beyond its concurrency cap); ``notes`` says why.
    """

    platform: str
    items: Mapping[str, Any]
    notes: tuple[str, ...] = ()
    quantities: Mapping[str, Any] = field(default_factory=dict)
    infeasible: Any = False

    def __post_init__(self) -> None:
        for name, value in self.items.items():
            a = np.asarray(value, dtype=float)
            if not np.all(np.isfinite(a)):
                raise MlopsbookError(f"the {name} line of the {self.platform} bill is not a finite number of dollars: the "
                                 "inputs are beyond what the model can price (check the request count and durations)")

    @property
    def monthly_usd(self) -> Any:
        total = sum(np.asarray(v, dtype=float) for v in self.items.values())
        total = np.where(np.asarray(self.infeasible), np.inf, total)
        return float(total) if np.ndim(total) == 0 else total

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (scalar breakdowns only): ``platform``, ``monthly_usd``, ``items``, ``quantities``, ``notes``."""
        def f(v: Any) -> Any:
            a = np.asarray(v)
            if a.ndim:
                raise MlopsbookError("to_dict: only a scalar breakdown can be serialised")
            x = a.item()
            if isinstance(x, float):
                return round(x, 9) if math.isfinite(x) else None
            return x

        return {
            "platform": self.platform,
            "monthly_usd": f(self.monthly_usd),
            "items": {k: f(v) for k, v in self.items.items()},
            "quantities": {k: f(v) for k, v in self.quantities.items()},
            "notes": list(self.notes),
        }


# -- Lambda ------------------------------------------------------------------------------------------------------------
def lambda_cost(
    requests_per_month: ArrayLike,
    duration_ms: ArrayLike,
    memory_mb: ArrayLike,
    *,
    arch: str = "x86_64",
    free_tier: bool = True,
    cold_start_fraction: ArrayLike = 0.0,
    init_duration_ms: ArrayLike = 0.0,
    ephemeral_storage_mb: ArrayLike | None = None,
    provisioned_concurrency: ArrayLike = 0,
    provisioned_hours: ArrayLike = 0.0,
    provisioned_requests: ArrayLike = 0.0,
    provisioned_duration_ms: ArrayLike | None = None,
    prices: pricing.PriceTable | None = None,
) -> CostBreakdown:
    """Monthly Lambda bill.

    ``requests_per_month`` counts every invocation; ``provisioned_requests`` of them run on provisioned concurrency
    (for ``provisioned_duration_ms`` each, default ``duration_ms``), the rest on demand for ``duration_ms`` each.
    Each invocation's duration is rounded up to the next 1 ms (A20). A fraction ``cold_start_fraction`` of on-demand
    invocations starts cold and is billed ``init_duration_ms`` more as duration (INIT billing since 2025-08-01, ``aws.lambda.init.max_s``;
    AWS says INITs "typically occur in under 1% of invocations"). The free tier (A6: 1M requests, 400,000 GB-s) is
    deducted from requests and on-demand duration when ``free_tier`` is true, as in AWS's own examples; it does not
    reduce provisioned-concurrency charges (A19). Provisioned concurrency is billed for ``provisioned_hours`` rounded
    up to 5 minutes (A19). Duration tiers (A1-A4) apply to the on-demand GB-seconds of the month.
    """
    t = _prices(prices)
    _check_arch(arch)
    req = _arr(requests_per_month, "requests_per_month")
    dur = _arr(duration_ms, "duration_ms", minimum=0, maximum=_const("LAMBDA_MAX_DURATION_MS"), strict=True)
    mem_gb = _check_memory(memory_mb) / 1024.0
    cold = _arr(cold_start_fraction, "cold_start_fraction", maximum=1.0)
    init = _arr(init_duration_ms, "init_duration_ms", maximum=_const("LAMBDA_MAX_INIT_MS"))
    if ephemeral_storage_mb is None:  # the free /tmp
        ephemeral_storage_mb = _const("LAMBDA_FREE_STORAGE_MB")
    eph = _arr(ephemeral_storage_mb, "ephemeral_storage_mb", minimum=_const("LAMBDA_FREE_STORAGE_MB"),
               maximum=_const("LAMBDA_MAX_STORAGE_MB"))
    pc = _arr(provisioned_concurrency, "provisioned_concurrency")
    pc_h = _arr(provisioned_hours, "provisioned_hours", maximum=HOURS_PER_MONTH)
    pc_req = _arr(provisioned_requests, "provisioned_requests")
    pc_dur = dur if provisioned_duration_ms is None else _arr(
        provisioned_duration_ms, "provisioned_duration_ms", minimum=0, maximum=_const("LAMBDA_MAX_DURATION_MS"), strict=True)
    if np.any(pc_req > req):
        raise MlopsbookError("provisioned_requests: must not exceed requests_per_month")
    if np.any((pc_req > 0) & ((pc <= 0) | (pc_h <= 0))):
        raise MlopsbookError("provisioned_requests: needs provisioned_concurrency > 0 and provisioned_hours > 0")

    billed_ms = np.ceil(dur - 1e-9)
    billed_pc_ms = np.ceil(pc_dur - 1e-9)
    od_req = req - pc_req
    od_seconds = od_req * billed_ms / 1000.0
    init_seconds = od_req * cold * np.ceil(init - 1e-9) / 1000.0
    od_gb_s = (od_seconds + init_seconds) * mem_gb
    pc_seconds = pc_req * billed_pc_ms / 1000.0
    pc_held_s = np.ceil(pc_h * 12 - 1e-9) / 12 * 3600.0
    if np.any(pc_seconds > pc * pc_held_s * (1 + 1e-9)):
        raise MlopsbookError("provisioned_requests: more execution time than the provisioned concurrency holds "
                         "(provisioned_requests x duration > provisioned_concurrency x provisioned_hours)")

    free_req = t.value("lambda.free_tier.requests", "requests/month") if free_tier else 0.0
    free_gb_s = t.value("lambda.free_tier.duration", "GB-s/month") if free_tier else 0.0
    items = {
        "requests": np.maximum(0.0, req - free_req) * t.value(f"lambda.requests.{arch}", "USD/request"),
        "duration": _tiered_usd(od_gb_s - init_seconds * mem_gb, np.asarray(free_gb_s), t.tiers(f"lambda.duration.{arch}")),
    }
    # INIT GB-s sit on top of the execution GB-s in the same tiers (and use what is left of the free tier)
    items["init_duration"] = _tiered_usd(od_gb_s, np.asarray(free_gb_s), t.tiers(f"lambda.duration.{arch}")) - items["duration"]
    items["ephemeral_storage"] = (eph - _const("LAMBDA_FREE_STORAGE_MB")) / 1024.0 * (od_seconds + pc_seconds) * t.value(
        "lambda.ephemeral_storage", "USD/GB-s")
    items["provisioned_concurrency"] = pc * mem_gb * pc_held_s * t.value(f"lambda.provisioned_concurrency.{arch}", "USD/GB-s")
    items["provisioned_duration"] = pc_seconds * mem_gb * t.value(f"lambda.provisioned_duration.{arch}", "USD/GB-s")
    notes = [f"prices: {t.name}"]
    return CostBreakdown(
        "lambda",
        {k: _out(v) for k, v in items.items()},
        tuple(notes),
        quantities={"on_demand_gb_s": _out(od_gb_s), "requests": _out(req), "billed_duration_ms": _out(billed_ms)},
    )


# -- SageMaker Serverless -------------------------------------------------------------------------------------------
def sagemaker_serverless_cost(
    requests_per_month: ArrayLike,
    duration_ms: ArrayLike,
    memory_mb: int | None = None,
    *,
    peak_concurrency: ArrayLike = 0.0,
    prices: pricing.PriceTable | None = None,
) -> CostBreakdown:
    """Monthly SageMaker Serverless Inference bill: compute seconds at the endpoint's memory size (B11, B13).

    Only sizes whose price is in the table can be costed (the 3 GB price, B11; linear scaling to other sizes is
    UNCONFIRMED, B12). Data-processing charges are not priced. ``peak_concurrency`` above
    ``aws.sagemaker_serverless.concurrency.max_per_endpoint`` is infeasible.
    No GPU (``aws.sagemaker_serverless.gpu.max``). ``memory_mb``: default the priced 3 GB (``SERVERLESS_PRICED_MB``).
    """
    t = _prices(prices)
    memory_mb = _const("SERVERLESS_PRICED_MB") if memory_mb is None else memory_mb
    check_choice(memory_mb, "memory_mb", _const("SERVERLESS_MEMORY_MB"))
    key = f"sagemaker-serverless.memory-{memory_mb // 1024}gb"
    if key not in t.products():
        raise MlopsbookError(f"memory_mb: no confirmed price for {memory_mb} MB in {t.name} (only "
                         f"{', '.join(p.rsplit('-', 1)[1] for p in t.products() if p.startswith('sagemaker-serverless.'))}; B12)")
    req = _arr(requests_per_month, "requests_per_month")
    dur = _arr(duration_ms, "duration_ms", minimum=0, maximum=60_000, strict=True)
    conc = _arr(peak_concurrency, "peak_concurrency")
    seconds = req * np.ceil(dur - 1e-9) / 1000.0
    items = {"compute": _out(seconds * t.value(key, "USD/second"))}
    return CostBreakdown(
        "sagemaker-serverless", items,
        (f"prices: {t.name}", "data processing not priced",
         f"at most {_const('SERVERLESS_MAX_CONCURRENCY')} concurrent requests "
         "(aws.sagemaker_serverless.concurrency.max_per_endpoint)"),
        quantities={"compute_seconds": _out(seconds)},
        infeasible=_out(conc > _const("SERVERLESS_MAX_CONCURRENCY")),
    )


# -- always-on fleets -------------------------------------------------------------------------------------------------
def replica_throughput_rps(latency_ms: ArrayLike, concurrency: ArrayLike = 1) -> np.ndarray:
    """Requests per second one replica serves: ``1000 / latency_ms * concurrency``."""
    return 1000.0 / _arr(latency_ms, "latency_ms", strict=True) * _arr(concurrency, "concurrency", strict=True)


def replicas_needed(
    rate_rps: ArrayLike, throughput_rps: ArrayLike, utilisation_target: float = DEFAULT_UTILISATION,
    min_replicas: ArrayLike = DEFAULT_MIN_REPLICAS,
) -> np.ndarray:
    """Replicas to serve ``rate_rps`` at ``utilisation_target`` of each replica's throughput, at least ``min_replicas``."""
    u = float(check_number(utilisation_target, "utilisation_target", low=0, high=1, low_open=True))
    mn = _arr(min_replicas, "min_replicas")
    if np.any(mn != np.floor(mn)):
        raise MlopsbookError(f"min_replicas: must be a whole number of replicas (got {mn[mn != np.floor(mn)].flat[0]:g})")
    return np.maximum(mn, np.ceil(np.asarray(rate_rps, dtype=float) / (np.asarray(throughput_rps) * u) - 1e-9))


@dataclass(frozen=True)
class LoadProfile:
    """Hourly traffic of a month as ``(mean_rps, level, hours)``: ``hours[j]`` hours at ``mean_rps * level[j]``."""

    mean_rps: np.ndarray
    level: np.ndarray
    hours: np.ndarray

    @classmethod
    def of(cls, workload: Workload, mean_rps: ArrayLike | None = None) -> "LoadProfile":
        """The profile of ``workload``'s shape, at ``mean_rps`` (an array for sweeps; default the workload's own)."""
        shape = workload if workload.mean_rps > 0 else Workload(
            workload.pattern, 1.0, burst_fraction=workload.burst_fraction, burst_duration_s=workload.burst_duration_s,
            active_fraction=workload.active_fraction, seed=workload.seed)
        level, hours = shape.load_profile()
        m = workload.mean_rps if mean_rps is None else mean_rps
        return cls(_arr(m, "mean_rps"), level, hours)

    @property
    def requests_per_month(self) -> np.ndarray:
        return self.mean_rps * SECONDS_PER_MONTH

    @property
    def peak_rps(self) -> np.ndarray:
        return self.mean_rps * self.level.max()


def fleet_replica_hours(
    load: LoadProfile, throughput_rps: ArrayLike, *, utilisation_target: float = DEFAULT_UTILISATION,
    min_replicas: ArrayLike = DEFAULT_MIN_REPLICAS, autoscale: bool = True,
) -> np.ndarray:
    """Replica-hours in the month: per hour, the replicas that hour's busiest minute needs (or the month's peak)."""
    thr = np.asarray(throughput_rps, dtype=float)[..., None]
    rate = np.asarray(load.mean_rps)[..., None] * (load.level if autoscale else load.level.max()[None])
    n = replicas_needed(rate, thr, utilisation_target, np.asarray(min_replicas)[..., None])
    if autoscale:
        return (n * load.hours).sum(axis=-1)
    return n[..., 0] * HOURS_PER_MONTH


def _instance(t: pricing.PriceTable, product: str) -> tuple[float, float]:
    r = t.row(product)
    if r.unit != "USD/hour":
        raise MlopsbookError(f"instance: {product} is not priced per hour in {t.name}")
    if r.vcpus is None:
        raise MlopsbookError(f"instance: {product} has no vcpus in {t.name}")
    return r.value, r.vcpus


def sagemaker_cost(
    load: LoadProfile, latency_ms: ArrayLike, *, instance: str = "ml.m5.large", workers_per_instance: ArrayLike | None = None,
    utilisation_target: float = DEFAULT_UTILISATION, min_replicas: ArrayLike = DEFAULT_MIN_REPLICAS,
    autoscale: bool = True, prices: pricing.PriceTable | None = None,
) -> CostBreakdown:
    """SageMaker real-time endpoint: instance-hours of the fleet (B1). ``latency_ms`` is per request on one vCPU;
    an instance runs one worker per vCPU unless ``workers_per_instance`` says otherwise."""
    t = _prices(prices)
    usd_h, vcpus = _instance(t, f"sagemaker.{instance}")
    thr = replica_throughput_rps(latency_ms, vcpus if workers_per_instance is None else workers_per_instance)
    hours = fleet_replica_hours(load, thr, utilisation_target=utilisation_target, min_replicas=min_replicas, autoscale=autoscale)
    return CostBreakdown("sagemaker", {"instances": _out(hours * usd_h)}, (f"prices: {t.name}", f"instance {instance}"),
                         quantities={"instance_hours": _out(hours), "throughput_rps_per_instance": _out(thr)})


def fargate_cost(
    load: LoadProfile, latency_ms: ArrayLike, *, task_vcpu: float = 1.0, task_memory_gb: float = 2.0, arch: str = "x86_64",
    utilisation_target: float = DEFAULT_UTILISATION, min_replicas: ArrayLike = DEFAULT_MIN_REPLICAS,
    autoscale: bool = True, prices: pricing.PriceTable | None = None,
) -> CostBreakdown:
    """ECS Fargate service: vCPU-hours and GB-hours of its tasks (price rows ``fargate.*``), of a size Fargate accepts
    (:mod:`~mlopsbook.costs.fargate_sizes`).

    ``latency_ms`` is one request's service time on one whole vCPU and the service is CPU-bound, so a task serves
    ``task_vcpu x 1000 / latency_ms`` requests a second: one worker per vCPU from 1 vCPU up, and below one vCPU a
    share of one (Fargate's 0.25 vCPU is a quarter of a CPU's time: each request takes four times as long, and the
    task serves a quarter of the requests)."""
    t = _prices(prices)
    _check_arch(arch)
    v = _arr(task_vcpu, "task_vcpu", strict=True)
    g = _arr(task_memory_gb, "task_memory_gb", strict=True)
    _check_fargate_sizes(v, g)
    thr = replica_throughput_rps(latency_ms, v)
    hours = fleet_replica_hours(load, thr, utilisation_target=utilisation_target, min_replicas=min_replicas, autoscale=autoscale)
    return fargate_task_cost(hours, task_vcpu, task_memory_gb, arch=arch, prices=t, quantities={"throughput_rps_per_task": _out(thr)})


def fargate_task_cost(
    task_hours: ArrayLike, task_vcpu: ArrayLike, task_memory_gb: ArrayLike, *, arch: str = "x86_64",
    prices: pricing.PriceTable | None = None, quantities: Mapping[str, Any] | None = None,
) -> CostBreakdown:
    """Fargate bill for ``task_hours`` of tasks of ``task_vcpu`` vCPU and ``task_memory_gb`` GB (price rows
    ``fargate.*``), a size
    Fargate accepts (:mod:`~mlopsbook.costs.fargate_sizes`)."""
    t = _prices(prices)
    _check_arch(arch)
    h = _arr(task_hours, "task_hours")
    v = _arr(task_vcpu, "task_vcpu", strict=True)
    g = _arr(task_memory_gb, "task_memory_gb", strict=True)
    _check_fargate_sizes(v, g)
    items = {
        "vcpu": _out(h * v * t.value(f"fargate.vcpu.{arch}", "USD/vCPU-hour")),
        "memory": _out(h * g * t.value(f"fargate.memory.{arch}", "USD/GB-hour")),
    }
    q = {"task_hours": _out(h), **(quantities or {})}
    return CostBreakdown("fargate", items, (f"prices: {t.name}", "ephemeral storage above 20 GB not priced"), quantities=q)


def eks_cost(
    load: LoadProfile, latency_ms: ArrayLike, *, worker: str = "c6i.large", head: str = "m6i.large",
    worker_throughput_rps: ArrayLike | None = None, utilisation_target: float = DEFAULT_UTILISATION,
    min_replicas: ArrayLike = DEFAULT_MIN_REPLICAS, autoscale: bool = True, prices: pricing.PriceTable | None = None,
) -> CostBreakdown:
    """KubeRay (Ray Serve) on EKS: the control plane (D10), an always-on Ray head node that serves no traffic, and
    worker nodes (CPU: one Serve replica per vCPU; GPU: pass ``worker="g4dn.xlarge"`` and ``worker_throughput_rps``)."""
    t = _prices(prices)
    w_usd, w_vcpus = _instance(t, f"ec2.{worker}")
    h_usd = t.value(f"ec2.{head}", "USD/hour")
    thr = replica_throughput_rps(latency_ms, w_vcpus) if worker_throughput_rps is None else _arr(
        worker_throughput_rps, "worker_throughput_rps", strict=True)
    hours = fleet_replica_hours(load, thr, utilisation_target=utilisation_target, min_replicas=min_replicas, autoscale=autoscale)
    shape = np.shape(hours)
    items = {
        "control_plane": _out(np.full(shape, HOURS_PER_MONTH * t.value("eks.control_plane", "USD/hour"))),
        "head_node": _out(np.full(shape, HOURS_PER_MONTH * h_usd)),
        "worker_nodes": _out(hours * w_usd),
    }
    return CostBreakdown("eks", items, (f"prices: {t.name}", f"workers {worker}, head {head}"),
                         quantities={"worker_node_hours": _out(hours), "throughput_rps_per_worker": _out(thr)})


def triton_cost(
    load: LoadProfile, *, dynamic_batching: bool = True, instance: str = "g4dn.xlarge",
    throughput_rps: ArrayLike | None = None, utilisation_target: float = DEFAULT_UTILISATION,
    min_replicas: ArrayLike = DEFAULT_MIN_REPLICAS, autoscale: bool = True, prices: pricing.PriceTable | None = None,
) -> CostBreakdown:
    """Triton Inference Server on GPU instances (D1): instance-hours at Triton's documented throughput per GPU,
    with or without dynamic batching (:data:`TRITON_THROUGHPUT_RPS`) unless ``throughput_rps`` is given."""
    t = _prices(prices)
    usd_h = t.value(f"ec2.{instance}", "USD/hour")
    thr = np.asarray(_const("TRITON_THROUGHPUT_RPS")[bool(dynamic_batching)] if throughput_rps is None else _arr(
        throughput_rps, "throughput_rps", strict=True), dtype=float)
    hours = fleet_replica_hours(load, thr, utilisation_target=utilisation_target, min_replicas=min_replicas, autoscale=autoscale)
    note = "throughput: " + ("given" if throughput_rps is not None else
                             f"Triton docs (triton.throughput), {'with' if dynamic_batching else 'without'} dynamic batching ({float(thr):g} infer/s)")
    return CostBreakdown("triton", {"gpu_instances": _out(hours * usd_h)}, (f"prices: {t.name}", f"instance {instance}", note),
                         quantities={"instance_hours": _out(hours), "throughput_rps_per_instance": _out(thr)})


# -- one entry point per platform for a workload ---------------------------------------------------------------------
def monthly_cost(
    platform: str,
    workload: Workload,
    model: ModelProfile,
    *,
    mean_rps: ArrayLike | None = None,
    prices: pricing.PriceTable | None = None,
    cold_start_fraction: float = 0.01,
    **options: Any,
) -> CostBreakdown:
    """The monthly cost of serving ``workload`` with ``model`` on ``platform`` (one of :data:`PLATFORMS`).

    ``mean_rps`` (an array) sweeps the workload's shape over many traffic levels in one call. ``options`` go to the
    platform's function (``utilisation_target``, ``min_replicas``, ``autoscale``, ``instance``, ``arch``...).
    Lambda runs at ``model.lambda_memory_mb`` for ``model.lambda_duration_ms`` with ``cold_start_fraction`` of cold
    starts (default 1%, AWS's "typically under 1%", ``aws.lambda.init.typical_cold_fraction``) each billed ``model.init_ms``; SageMaker Serverless at 3 GB
    for ``model.cpu_ms``; always-on platforms from ``model.cpu_ms`` per request per vCPU.
    """
    check_choice(platform, "platform", PLATFORMS)
    t = _prices(prices)
    load = LoadProfile.of(workload, mean_rps)
    if platform == "lambda":
        return lambda_cost(load.requests_per_month, model.lambda_duration_ms, model.lambda_memory_mb,
                           cold_start_fraction=cold_start_fraction, init_duration_ms=model.init_ms, prices=t, **options)
    if platform == "sagemaker-serverless":
        conc = load.peak_rps * model.cpu_ms / 1000.0
        return sagemaker_serverless_cost(load.requests_per_month, model.cpu_ms, peak_concurrency=conc, prices=t, **options)
    fn: Callable[..., CostBreakdown] = {"sagemaker": sagemaker_cost, "fargate": fargate_cost, "eks": eks_cost}.get(platform)  # type: ignore[assignment]
    if fn is not None:
        return fn(load, model.cpu_ms, prices=t, **options)
    return triton_cost(load, prices=t, **options)
