"""AWS Lambda: one request per execution environment, cold starts, keep-alive, scaling limits, provisioned concurrency.

Model (parameters from ``data/simulate``, ``aws.lambda.*`` facts, cloud-facts E1):

* A request takes an idle warm environment if there is one (provisioned ones first, then the on-demand environment
  idle longest); otherwise a new environment is created and the request pays its **init** (cold start) first.
* An on-demand environment idle for ``keep_alive_s`` is reclaimed. AWS documents this period as non-deterministic:
  it is a parameter (600 s as Shahrad et al. state, E1.3; 300-3,600 s observed, E1.8), swept in the notebook.
* At most ``scaling_envs_per_window`` new environments per ``scaling_window_s`` window, unused rate not carried over
  (``aws.lambda.scaling.*``), and at most ``concurrency_limit`` (``aws.lambda.concurrency.default_per_region``)
  environments busy: a request over either limit is throttled (HTTP 429), counted as dropped.
* ``provisioned`` environments are initialised before the run and never reclaimed.
* Billing: on-demand GB-seconds are ``(init + duration) x memory`` (INIT billed since Aug 2025,
  ``aws.lambda.init.*``); requests on provisioned environments bill their duration at the provisioned rate (A18) and
  the provisioned GB-seconds held are reported apart (A17).

Times are in seconds.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from mlopsbook import facts
from mlopsbook.errors import MlopsbookError
from mlopsbook.simulate import parameters
from mlopsbook.simulate.results import DROPPED, IN_FLIGHT, SERVED, Result, Timeline


@dataclass(frozen=True)
class LambdaConfig:
    """A Lambda function's behaviour. ``init_s``: cold-start (INIT) duration range (s); ``memory_mb``: memory size."""

    init_s: tuple[float, float]
    keep_alive_s: float
    provisioned: int = 0
    memory_mb: int = 1024
    concurrency_limit: int = field(default_factory=lambda: facts.integer("aws.lambda.concurrency.default_per_region"))
    scaling_envs_per_window: int = field(default_factory=lambda: facts.integer("aws.lambda.scaling.envs_per_window"))
    scaling_window_s: float = field(default_factory=lambda: facts.number("aws.lambda.scaling.window_s"))

    @classmethod
    def aws_defaults(cls, init: str = "sklearn_model", **overrides: object) -> "LambdaConfig":
        """Defaults from the parameter file; ``init`` names an init-duration row (``hello_world`` or
        ``sklearn_model``)."""
        d = parameters.section("lambda")
        if init not in d["init_s"]:
            raise MlopsbookError(f"init: must be one of {', '.join(d['init_s'])} (got {init!r})")
        base = dict(init_s=parameters.range_s(d["init_s"][init], f"lambda.init_s.{init}"),
                    keep_alive_s=float(d["keep_alive_s"]), concurrency_limit=int(d["concurrency_limit"]),
                    scaling_envs_per_window=int(d["scaling_envs_per_window"]),
                    scaling_window_s=float(d["scaling_window_s"]))
        base.update(overrides)  # type: ignore[arg-type]
        return cls(**base)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        lo, hi = self.init_s
        init_max = float(parameters.section("lambda")["init_max_s"])
        if not 0 <= lo <= hi <= init_max:
            raise MlopsbookError(f"init_s: must be (lo, hi) with 0 <= lo <= hi <= {init_max:g} s (A24) (got {self.init_s!r})")
        if not (np.isfinite(self.keep_alive_s) and self.keep_alive_s > 0):
            raise MlopsbookError(f"keep_alive_s: must be > 0 (got {self.keep_alive_s!r})")
        for name in ("provisioned", "memory_mb", "concurrency_limit", "scaling_envs_per_window"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < (0 if name == "provisioned" else 1):
                raise MlopsbookError(f"{name}: must be an integer >= {0 if name == 'provisioned' else 1} (got {v!r})")
        lo, hi = facts.integer("aws.lambda.memory.min_mb"), facts.integer("aws.lambda.memory.max_mb")
        if not lo <= self.memory_mb <= hi:
            raise MlopsbookError(f"memory_mb: must be in {lo}..{hi} (aws.lambda.memory) (got {self.memory_mb!r})")
        if self.provisioned > self.concurrency_limit:
            raise MlopsbookError(f"provisioned: must be <= concurrency_limit ({self.concurrency_limit}) (got {self.provisioned})")


def run(arrival_s: np.ndarray, service_s: np.ndarray, duration_s: float, config: LambdaConfig,
        seed: int = 0, sample_every_s: float = 1.0) -> Result:
    """Simulate the function for ``duration_s`` seconds; the timeline samples environments alive every
    ``sample_every_s`` seconds (``replicas`` = environments alive, ``target`` = busy ones at that moment)."""
    a_arr = np.asarray(arrival_s, dtype=float)
    s_arr = np.asarray(service_s, dtype=float)
    if a_arr.ndim != 1 or a_arr.shape != s_arr.shape:
        raise MlopsbookError("arrival_s and service_s must be 1-D arrays of the same length")
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise MlopsbookError(f"duration_s: must be > 0 (got {duration_s!r})")
    rng = np.random.default_rng(seed)
    lo, hi = config.init_s
    n = a_arr.size
    init = rng.uniform(lo, hi, n) if hi > lo else np.full(n, lo)
    A, S, I = a_arr.tolist(), s_arr.tolist(), init.tolist()
    start = [math.nan] * n
    end = [math.nan] * n
    status = [IN_FLIGHT] * n
    cold = [False] * n
    K = config.keep_alive_s
    pc = [0.0] * config.provisioned
    od: list[float] = []
    limit, per_window, window_s = config.concurrency_limit, config.scaling_envs_per_window, config.scaling_window_s
    window, created = -1, 0
    od_busy_s = pc_busy_s = 0.0
    tl = Timeline()
    next_sample = 0.0
    push, pop, rep = heapq.heappush, heapq.heappop, heapq.heapreplace
    for i in range(n):
        a, s = A[i], S[i]
        while od and od[0] <= a - K:
            pop(od)
        if a >= next_sample:
            busy = sum(1 for f in od if f > a) + sum(1 for f in pc if f > a)
            tl.add(a, len(od) + len(pc), busy, 0, 0)
            next_sample = (math.floor(a / sample_every_s) + 1) * sample_every_s
        if pc and pc[0] <= a:
            rep(pc, a + s)
            start[i], end[i] = a, a + s
            pc_busy_s += s
            continue
        if od and od[0] <= a:
            rep(od, a + s)
            start[i], end[i] = a, a + s
            od_busy_s += s
            continue
        w = int(a // window_s)
        if w != window:
            window, created = w, 0
        if len(od) + len(pc) >= limit or created >= per_window:
            status[i] = DROPPED
            continue
        created += 1
        e = a + I[i] + s
        push(od, e)
        start[i], end[i], cold[i] = a, e, True
        od_busy_s += I[i] + s
    st = np.asarray(status, dtype=np.int8)
    end_a = np.asarray(end)
    st[(st == IN_FLIGHT) & (end_a <= duration_s)] = SERVED
    gb = config.memory_mb / 1024.0
    res = Result("lambda", float(duration_s), a_arr, np.asarray(start), end_a, st, tl, np.asarray(cold),
                 gb_seconds=od_busy_s * gb, provisioned_gb_seconds=config.provisioned * gb * float(duration_s))
    res.extra["provisioned_busy_gb_seconds"] = pc_busy_s * gb
    res.extra["keep_alive_s"] = float(K)
    return res
