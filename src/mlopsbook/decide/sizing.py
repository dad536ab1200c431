"""How the decision engine sizes a model on each platform: Lambda's memory size and INIT, the workers an instance
holds, each platform's cost options (or why it is excluded), and the replicas scheduled around the sharpest rise.
:mod:`mlopsbook.decide.rank` ranks the platforms with them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mlopsbook.costs import fargate_sizes, pricing
from mlopsbook.costs import model as cost_model
from mlopsbook.costs.model import (DEFAULT_MIN_REPLICAS, DEFAULT_UTILISATION, ModelProfile, replica_throughput_rps,
                                   replicas_needed)
from mlopsbook.decide import exposure as exposure_mod
from mlopsbook.decide.profile import Profile
from mlopsbook.simulate import parameters

PAY_PER_USE = ("lambda", "sagemaker-serverless")
CPU_INSTANCES = {"sagemaker": ("sagemaker.ml.m5.large",), "eks": ("ec2.c6i.large", "ec2.m6i.large")}
GPU_INSTANCE = "ec2.g4dn.xlarge"


def init_ms() -> float:
    """The INIT (cold start) duration used for the Lambda bill, from data/simulate (G10, an sklearn model)."""
    lo, hi = parameters.range_s(parameters.section("lambda")["init_s"][exposure_mod.INIT_MODEL], "lambda.init_s")
    return 1000.0 * (lo + hi) / 2


def model_of(profile: Profile) -> ModelProfile:
    """The cost model's view of the profile: latency per request on one vCPU, INIT, Lambda memory size (the worker's
    memory, raised when needed so that a request finishes within Lambda's timeout: below one vCPU's memory a
    function has a fraction of a vCPU; ``aws.lambda.memory.mb_per_vcpu``, ``aws.lambda.timeout.max_s``)."""
    finish = math.ceil(cost_model.LAMBDA_MB_PER_VCPU * profile.model_latency_ms / cost_model.LAMBDA_MAX_DURATION_MS)
    lo, hi = cost_model.LAMBDA_MEMORY_MB
    mem = int(min(hi, max(lo, math.ceil(profile.memory_mb), finish)))
    return ModelProfile(name=profile.name or "profile", cpu_ms=profile.model_latency_ms, init_ms=init_ms(),
                        lambda_memory_mb=mem, source="profile")


def _workers(table: pricing.PriceTable, product: str, memory_mb: float) -> int:
    r = table.row(product)
    vcpus = int(r.vcpus or 1)
    if r.memory_gib is None:
        return vcpus
    return int(min(vcpus, math.floor(r.memory_gib * 1024 / memory_mb)))


def platform_options(platform: str, profile: Profile, table: pricing.PriceTable) -> tuple[dict[str, Any] | None, dict[str, Any], str]:
    """``(cost options, plan, exclusion)`` for a platform: options for :func:`mlopsbook.costs.model.monthly_cost`, the
    sizing plan, or an exclusion sentence (options ``None``)."""
    gpu = profile.gpu
    if platform == "lambda":
        return {}, {"lambda_memory_mb": model_of(profile).lambda_memory_mb, "workers": 1}, ""
    if platform == "sagemaker-serverless":
        if profile.memory_mb > cost_model.SERVERLESS_PRICED_MB:
            return None, {}, (f"memory {profile.memory_mb:,.0f} MB is above 3 GB, the only SageMaker Serverless size with "
                              "a confirmed price (B11; other sizes unconfirmed, B12)")
        return {}, {"lambda_memory_mb": cost_model.SERVERLESS_PRICED_MB, "workers": 1}, ""
    if platform == "sagemaker":
        if gpu == "required":
            return None, {}, "no SageMaker GPU instance in the price table (B2 is a secondary source, not priced here)"
        w = _workers(table, CPU_INSTANCES["sagemaker"][0], profile.memory_mb)
        if w < 1:
            return None, {}, (f"a worker needs {profile.memory_mb:,.0f} MB, more than ml.m5.large's memory, the only "
                              "SageMaker instance priced (B1)")
        return {"workers_per_instance": w}, {"instance": "ml.m5.large", "workers": w}, ""
    if platform == "fargate":
        size = fargate_sizes.smallest(max(2.0, profile.memory_mb / 1024), min_vcpu=1.0)
        if size is None:
            return None, {}, f"memory {profile.memory_mb:,.0f} MB is above the largest Fargate task"
        vcpu, gb = size
        return ({"task_vcpu": vcpu, "task_memory_gb": gb},
                {"task_vcpu": int(vcpu), "task_memory_gb": gb if gb != int(gb) else int(gb), "workers": int(vcpu)}, "")
    if platform == "eks":
        if gpu == "required":
            thr = cost_model.TRITON_THROUGHPUT_RPS[False]
            return ({"worker": GPU_INSTANCE.split(".", 1)[1], "worker_throughput_rps": thr},
                    {"worker": "g4dn.xlarge", "workers": 1, "gpu_workers": True, "throughput_rps": thr}, "")
        best: tuple[float, str, int] | None = None
        for prod in CPU_INSTANCES["eks"]:
            w = _workers(table, prod, profile.memory_mb)
            if w >= 1:
                per_worker = table.value(prod, "USD/hour") / w
                if best is None or per_worker < best[0]:
                    best = (per_worker, prod.split(".", 1)[1], w)
        if best is None:
            return None, {}, f"a worker needs {profile.memory_mb:,.0f} MB, more than the priced worker nodes hold (D6, D7)"
        thr = float(replica_throughput_rps(profile.model_latency_ms, best[2]))
        return {"worker": best[1], "worker_throughput_rps": thr}, {"worker": best[1], "workers": best[2], "throughput_rps": thr}, ""
    # triton
    if gpu == "no":
        return None, {}, ("the model has no GPU build (gpu: no) and Triton is costed here on a GPU instance (D1) at "
                          "Triton's GPU throughput (F1)")
    return {"dynamic_batching": True}, {"instance": "g4dn.xlarge", "workers": 1,
                                        "throughput_rps": cost_model.TRITON_THROUGHPUT_RPS[True]}, ""


def fleet_sizes(platform: str, profile: Profile, plan: dict[str, Any], mean_rps: float) -> tuple[int, int]:
    """Replicas the cost model schedules in the hour before the sharpest rise and at the busiest minute."""
    if platform in PAY_PER_USE:
        return 0, 0
    thr = float(plan.get("throughput_rps") or replica_throughput_rps(profile.model_latency_ms, plan["workers"]))
    if platform in ("sagemaker", "fargate"):
        thr = float(replica_throughput_rps(profile.model_latency_ms, plan["workers"]))
    w = profile.workload(mean_rps)
    hourly = w.hourly_peak_rps()
    rise = int(np.argmax(np.diff(hourly))) if profile.traffic_pattern != "steady" else 1
    before = float(hourly[max(0, rise)]) if profile.traffic_pattern != "steady" else float(hourly[0])
    peak = profile.busiest_rps(mean_rps)
    n_before = int(replicas_needed(before, thr, DEFAULT_UTILISATION, DEFAULT_MIN_REPLICAS))
    n_peak = int(replicas_needed(peak, thr, DEFAULT_UTILISATION, DEFAULT_MIN_REPLICAS))
    return n_before, n_peak
