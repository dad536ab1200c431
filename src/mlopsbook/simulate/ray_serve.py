"""Ray Serve on KubeRay: replicas that autoscale on ongoing requests, packed on nodes that take minutes to start.

What is modelled (defaults from ``data/simulate``, cloud-facts E3/E4):

* **Requests** wait in one FCFS queue in front of the deployment and run on a free replica slot (a replica runs
  ``replica_concurrency`` requests at once, at most ``max_ongoing_requests``). This is ideal routing: Ray's
  power-of-two-choices router queues a little more at moderate load, which the model does not capture.
* **Serve autoscaling** as in Ray's ``replica_queue_length_autoscaling_policy`` (ray 2.60): replicas sample their
  ongoing requests (running + queued) every ``look_back_period_s x 0.2``; the controller sees the samples when they
  are pushed every ``metrics_interval_s``, averages the last ``look_back_period_s``, wants
  ``ceil(total / target_ongoing_requests)`` replicas, and changes its target only when that wish has held for
  ``upscale_delay_s`` (``downscale_delay_s`` down), bounded by ``min_replicas``/``max_replicas``. With no running
  replica and queued requests it scales up at once (Ray's cold-start fast path). The decision is re-evaluated when
  metrics arrive and when a delay expires, not on every 0.1 s loop tick (the inputs do not change in between).
* **Placement**: a new replica starts on a ready node with room (``replica_startup_s``); otherwise it is pending and
  the Ray autoscaler (every ``autoscaler_update_interval_s``) launches enough nodes for the pending replicas; a node is
  ready after a start-up drawn from its profile (CPU or GPU, E2). Downscaling stops replicas on the emptiest node
  first; a node without replicas for ``idle_timeout_s`` (E4.10) is removed. Nodes are billed from launch to removal.
* **Failures** (:class:`~mlopsbook.simulate.failures.NodeFailure`): see :mod:`mlopsbook.simulate.failures`. Besides the
  requests running on the dead replicas, their share of the queue dies with them (Ray's router sends a request to a
  replica with fewer than ``max_ongoing_requests``, where it waits: the queue is spread over the replicas). The router
  stops sending requests to the dead replicas at once (a failed call marks a replica dead); the controller learns of
  the loss only when the node is declared dead, and then starts replacements.

Times are in seconds from the start of the run.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mlopsbook.simulate import parameters
from mlopsbook.simulate.arrivals import uniform_draw
from mlopsbook.simulate.failures import HealthCheck, NodeFailure
from mlopsbook.simulate.results import DROPPED, FAILED, IN_FLIGHT, SERVED, Result, Timeline

NODE_KINDS: tuple[str, ...] = ("cpu", "gpu")


@dataclass(frozen=True)
class ServeAutoscaling:
    """A Serve deployment's ``autoscaling_config`` plus ``max_ongoing_requests`` (times in s).

    Use :meth:`ray_defaults` for Ray's documented defaults (E3), overriding what you change.
    """

    target_ongoing_requests: float
    max_ongoing_requests: int
    min_replicas: int
    max_replicas: int
    upscale_delay_s: float
    downscale_delay_s: float
    metrics_interval_s: float
    look_back_period_s: float
    upscaling_factor: float = 1.0
    downscaling_factor: float = 1.0
    initial_replicas: int | None = None
    downscale_to_zero_delay_s: float | None = None
    control_loop_interval_s: float = 0.1
    metric_record_interval_factor: float = 0.2

    @classmethod
    def ray_defaults(cls, **overrides: Any) -> "ServeAutoscaling":
        """Ray Serve's defaults from the parameter file (E3), with ``overrides`` applied."""
        d = parameters.section("ray_serve_autoscaling")
        base = cls(**{k: d[k] for k in d})
        return replace(base, **overrides)

    def __post_init__(self) -> None:
        def bad(name: str, rule: str) -> ValueError:
            return ValueError(f"{name}: must be {rule} (got {getattr(self, name)!r})")

        if not self.target_ongoing_requests > 0:
            raise bad("target_ongoing_requests", "> 0")
        if not (isinstance(self.max_ongoing_requests, int) and self.max_ongoing_requests >= 1):
            raise bad("max_ongoing_requests", "an integer >= 1")
        if not (isinstance(self.min_replicas, int) and self.min_replicas >= 0):
            raise bad("min_replicas", "an integer >= 0")
        if not (isinstance(self.max_replicas, int) and self.max_replicas >= max(1, self.min_replicas)):
            raise bad("max_replicas", f"an integer >= max(1, min_replicas={self.min_replicas})")
        for name in ("upscale_delay_s", "downscale_delay_s"):
            if not getattr(self, name) >= 0:
                raise bad(name, ">= 0 s")
        for name in ("metrics_interval_s", "look_back_period_s", "upscaling_factor", "downscaling_factor",
                     "control_loop_interval_s", "metric_record_interval_factor"):
            if not getattr(self, name) > 0:
                raise bad(name, "> 0")
        if self.initial_replicas is not None and not (self.min_replicas <= self.initial_replicas <= self.max_replicas):
            raise bad("initial_replicas", "between min_replicas and max_replicas")

    @property
    def start_replicas(self) -> int:
        return self.min_replicas if self.initial_replicas is None else self.initial_replicas


@dataclass(frozen=True)
class NodeProfile:
    """How long a node takes from the autoscaler's request to running a replica: the sum of uniform components
    ``(lo_s, hi_s)`` (name -> range), drawn independently per node."""

    kind: str
    components_s: dict[str, tuple[float, float]]

    @classmethod
    def of(cls, kind: str) -> "NodeProfile":
        """The ``cpu`` or ``gpu`` profile of the parameter file (E2)."""
        if kind not in NODE_KINDS:
            raise ValueError(f"node_kind: must be one of {', '.join(NODE_KINDS)} (got {kind!r})")
        comps = parameters.section("node_startup")[kind]
        return cls(kind, {k: parameters.range_s(v, f"node_startup.{kind}.{k}") for k, v in comps.items()})

    @classmethod
    def fixed(cls, startup_s: float) -> "NodeProfile":
        """A node that always takes exactly ``startup_s`` seconds (for sweeps)."""
        if not np.isfinite(startup_s) or startup_s < 0:
            raise ValueError(f"node_startup_s: must be a finite number >= 0 (got {startup_s!r})")
        return cls("fixed", {"startup_s": (float(startup_s), float(startup_s))})

    @property
    def range_s(self) -> tuple[float, float]:
        return (sum(lo for lo, _ in self.components_s.values()), sum(hi for _, hi in self.components_s.values()))

    def draw_s(self, rng: np.random.Generator) -> float:
        return sum(uniform_draw(r, rng) for r in self.components_s.values())

    def sample_s(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` start-up times (s), vectorised."""
        out = np.zeros(n)
        for lo, hi in self.components_s.values():
            out += rng.uniform(lo, hi, n) if hi > lo else lo
        return out


@dataclass(frozen=True)
class Cluster:
    """The KubeRay cluster: node profile and packing, limits, and the KubeRay/Ray autoscaler timings (s).

    ``replicas_per_node``: replicas that fit on one worker node (e.g. 2 on a 2-vCPU node with ``num_cpus=1``
    replicas; 1 per GPU). ``min_worker_nodes``: nodes kept even when idle (a warm spare is one more than the replicas
    need). ``replica_concurrency``: requests a replica executes at once (1 for a CPU-bound handler).
    """

    node: NodeProfile = field(default_factory=lambda: NodeProfile.of("cpu"))
    replicas_per_node: int = 2
    replica_concurrency: int = 1
    replica_startup_s: tuple[float, float] | None = None
    min_worker_nodes: int = 0
    max_worker_nodes: int = 100
    idle_timeout_s: float | None = None
    autoscaler_update_interval_s: float | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.replicas_per_node, int) and self.replicas_per_node >= 1):
            raise ValueError(f"replicas_per_node: must be an integer >= 1 (got {self.replicas_per_node!r})")
        if not (isinstance(self.replica_concurrency, int) and self.replica_concurrency >= 1):
            raise ValueError(f"replica_concurrency: must be an integer >= 1 (got {self.replica_concurrency!r})")
        if not (isinstance(self.min_worker_nodes, int) and 0 <= self.min_worker_nodes <= self.max_worker_nodes):
            raise ValueError(f"min_worker_nodes: must be an integer in [0, max_worker_nodes] (got {self.min_worker_nodes!r})")
        kr = parameters.section("kuberay")
        if self.replica_startup_s is None:
            object.__setattr__(self, "replica_startup_s",
                               parameters.range_s(parameters.section("replica_startup_s")["cpu"], "replica_startup_s.cpu"))
        if self.idle_timeout_s is None:
            object.__setattr__(self, "idle_timeout_s", float(kr["idle_timeout_s"]))
        if self.autoscaler_update_interval_s is None:
            object.__setattr__(self, "autoscaler_update_interval_s", float(kr["autoscaler_update_interval_s"]))
        lo, hi = self.replica_startup_s  # type: ignore[misc]
        if not 0 <= lo <= hi:
            raise ValueError(f"replica_startup_s: must be (lo, hi) with 0 <= lo <= hi (got {self.replica_startup_s!r})")
        if not self.autoscaler_update_interval_s > 0:  # type: ignore[operator]
            raise ValueError(f"autoscaler_update_interval_s: must be > 0 (got {self.autoscaler_update_interval_s!r})")


# ---------------------------------------------------------------------------------------------------------------------
class _Node:
    __slots__ = ("id", "ready", "launched_s", "replicas", "idle_since", "dead")

    def __init__(self, nid: int, launched_s: float, ready: bool) -> None:
        self.id, self.launched_s, self.ready = nid, launched_s, ready
        self.replicas: set[int] = set()
        self.idle_since: float | None = launched_s if ready else None
        self.dead = False


class _Replica:
    __slots__ = ("id", "node", "state", "slots")

    def __init__(self, rid: int, node: int | None, state: str) -> None:
        self.id, self.node, self.state = rid, node, state  # state: pending | starting | running | lost
        self.slots: list[int] = []


class _Sim:
    """One run; see :func:`run`."""

    def __init__(self, cfg: ServeAutoscaling, cluster: Cluster, duration_s: float, rng: np.random.Generator,
                 failure: NodeFailure | None, health: HealthCheck) -> None:
        self.cfg, self.cl, self.T, self.rng, self.failure, self.health = cfg, cluster, duration_s, rng, failure, health
        self.events: list[tuple[float, int, str, int]] = []
        self.seq = 0
        self.heap: list[tuple[float, int]] = []   # (free time, slot id) of running replicas' slots
        self.slot_req: list[int] = []             # request last assigned to each slot
        self.nodes: dict[int, _Node] = {}
        self.replicas: dict[int, _Replica] = {}
        self.pending: list[int] = []              # replicas waiting for a node
        self.next_node = self.next_replica = 0
        self.node_seconds = 0.0
        self.timeline = Timeline()
        self.samples_t: list[float] = []
        self.samples_v: list[float] = []
        self.visible_until = -math.inf            # samples recorded up to this time have been pushed
        self.target = cfg.start_replicas
        self.decision_dir = 0                     # +1 wants up, -1 wants down, 0 none
        self.decision_since: float | None = None
        self.retry: list[tuple[float, int]] = []  # (ready time, request) re-sent after a replica died
        self.stuck: list[int] = []                # requests hanging on a silently dead node
        self.lost: list[int] = []                 # replicas dead but not yet known to the controller
        self.notes: list[tuple[float, str]] = []
        self.extra: dict[str, float | int | str] = {}

    # -- events ------------------------------------------------------------------------------------------------------
    def at(self, t: float, kind: str, arg: int = 0) -> None:
        self.seq += 1
        heapq.heappush(self.events, (t, self.seq, kind, arg))

    def snapshot(self, t: float) -> None:
        running = sum(1 for r in self.replicas.values() if r.state == "running")
        ready = sum(1 for n in self.nodes.values() if n.ready)
        self.timeline.add(t, running, self.target, ready, len(self.nodes))

    # -- nodes and replicas ------------------------------------------------------------------------------------------
    def launch_node(self, t: float, ready: bool) -> _Node:
        n = _Node(self.next_node, t, ready)
        self.next_node += 1
        self.nodes[n.id] = n
        if not ready:
            self.at(t + self.cl.node.draw_s(self.rng), "node_ready", n.id)
        return n

    def remove_node(self, t: float, n: _Node) -> None:
        self.node_seconds += t - n.launched_s
        del self.nodes[n.id]

    def room(self, n: _Node) -> int:
        return self.cl.replicas_per_node - len(n.replicas)

    def place(self, t: float, rep: _Replica) -> bool:
        ready = [n for n in self.nodes.values() if n.ready and self.room(n) > 0]
        if not ready:
            return False
        n = max(ready, key=lambda n: (len(n.replicas), -n.id))  # pack: fullest node first
        n.replicas.add(rep.id)
        n.idle_since = None
        rep.node, rep.state = n.id, "starting"
        self.at(t + uniform_draw(self.cl.replica_startup_s, self.rng), "replica_ready", rep.id)  # type: ignore[arg-type]
        return True

    def add_replica(self, t: float) -> None:
        rep = _Replica(self.next_replica, None, "pending")
        self.next_replica += 1
        self.replicas[rep.id] = rep
        if not self.place(t, rep):
            self.pending.append(rep.id)

    def start_replica(self, t: float, rep: _Replica) -> None:
        rep.state = "running"
        k = min(self.cl.replica_concurrency, self.cfg.max_ongoing_requests)
        for _ in range(k):
            sid = len(self.slot_req)
            self.slot_req.append(-1)
            rep.slots.append(sid)
            heapq.heappush(self.heap, (t, sid))

    def drop_slots(self, slots: list[int]) -> None:
        gone = set(slots)
        self.heap = [e for e in self.heap if e[1] not in gone]
        heapq.heapify(self.heap)

    def stop_replica(self, t: float, rep: _Replica) -> None:
        """Graceful stop (downscale): the replica takes no new requests; requests already running finish."""
        if rep.state == "pending":
            self.pending.remove(rep.id)
        if rep.slots:
            self.drop_slots(rep.slots)
        if rep.node is not None and rep.node in self.nodes:
            n = self.nodes[rep.node]
            n.replicas.discard(rep.id)
            if not n.replicas:
                n.idle_since = t
        del self.replicas[rep.id]

    def known_replicas(self) -> int:
        return len(self.replicas)  # includes lost replicas the controller has not noticed yet

    def reconcile(self, t: float) -> None:
        have = self.known_replicas()
        for _ in range(self.target - have):
            self.add_replica(t)
        if self.target < have:
            for _ in range(have - self.target):
                live = [r for r in self.replicas.values() if r.state != "lost"]
                if not live:
                    break
                order = {"pending": 0, "starting": 1, "running": 2}

                def key(r: _Replica) -> tuple[int, int, int, int]:
                    nrep = len(self.nodes[r.node].replicas) if r.node in self.nodes else 0
                    return (order[r.state], nrep, -(r.node or 0), -r.id)

                self.stop_replica(t, min(live, key=key))

    # -- the autoscaling policy --------------------------------------------------------------------------------------
    def total_requests(self) -> float:
        lo = self.visible_until - self.cfg.look_back_period_s
        i = bisect.bisect_right(self.samples_t, lo)
        j = bisect.bisect_right(self.samples_t, self.visible_until)
        if j <= i:
            return 0.0
        return float(sum(self.samples_v[i:j]) / (j - i))

    def decide(self, t: float) -> None:
        cfg = self.cfg
        total = self.total_requests()
        running = sum(1 for r in self.replicas.values() if r.state == "running")
        if running == 0 and total > 0:  # cold-start fast path
            new = max(math.ceil(1 * cfg.upscaling_factor), self.target)
            self.decision_dir, self.decision_since = 0, None
        else:
            desired: float = self.target if running == 0 else total / cfg.target_ongoing_requests
            if running > 0:
                delta = desired - running
                factor = cfg.upscaling_factor if delta > 0 else cfg.downscaling_factor
                scaled = math.ceil(running + factor * delta - 1e-9)
                if math.ceil(desired - 1e-9) < running and scaled == running:
                    scaled -= 1
            else:
                scaled = math.ceil(desired)
            new = self.target
            if scaled > self.target:
                if self.decision_dir < 0 or self.decision_since is None:
                    self.decision_since = t
                self.decision_dir = 1
                if t - self.decision_since + 1e-6 >= cfg.upscale_delay_s:
                    new, self.decision_dir, self.decision_since = scaled, 0, None
                else:
                    self.at(self._on_loop(self.decision_since + cfg.upscale_delay_s), "decide")
            elif scaled < self.target:
                if self.decision_dir > 0 or self.decision_since is None:
                    self.decision_since = t
                self.decision_dir = -1
                to_zero = self.target == 1
                delay = cfg.downscale_to_zero_delay_s if (to_zero and cfg.downscale_to_zero_delay_s is not None) \
                    else cfg.downscale_delay_s
                if not to_zero:
                    scaled = max(1, scaled)
                if t - self.decision_since + 1e-6 >= delay:
                    new, self.decision_dir, self.decision_since = scaled, 0, None
                else:
                    self.at(self._on_loop(self.decision_since + delay), "decide")
            else:
                self.decision_dir, self.decision_since = 0, None
        new = min(max(new, cfg.min_replicas), cfg.max_replicas)
        if new != self.target:
            self.target = new
            self.reconcile(t)
            self.snapshot(t)

    def _on_loop(self, t: float) -> float:
        step = self.cfg.control_loop_interval_s
        return math.ceil(t / step - 1e-9) * step

    # -- requests ----------------------------------------------------------------------------------------------------
    def in_system(self, t: float) -> int:
        waiting = self.waiting(t) + sum(1 for r, _ in self.retry if r < t) + len(self.stuck)
        busy = sum(1 for f, _ in self.heap if f > t)
        return waiting + busy

    def waiting(self, t: float) -> int:  # pragma: no cover - defined by the arrival sources below
        raise NotImplementedError


class _OpenSim(_Sim):
    """Open-loop arrivals: a fixed, sorted array of arrival times."""

    def __init__(self, arrival_s: np.ndarray, service_s: np.ndarray, *args: Any) -> None:
        super().__init__(*args)
        self.A: list[float] = np.asarray(arrival_s, dtype=float).tolist()
        self.S: list[float] = np.asarray(service_s, dtype=float).tolist()
        n = len(self.A)
        self.start = [math.nan] * n
        self.end = [math.nan] * n
        self.status = [IN_FLIGHT] * n
        self.tries = [0] * n
        self.head = 0

    def waiting(self, t: float) -> int:
        return bisect.bisect_left(self.A, t) - self.head

    def process_until(self, T: float) -> None:
        """Start every request that can start before ``T`` on the slots now running (FCFS)."""
        A, S, heap, start, end, slot_req, retry = self.A, self.S, self.heap, self.start, self.end, self.slot_req, self.retry
        n = len(A)
        head = self.head
        replace_ = heapq.heapreplace
        while heap:
            if retry and (head >= n or retry[0][0] <= A[head]):
                r, i = retry[0]
                from_retry = True
            elif head < n:
                i = head
                r = A[i]
                from_retry = False
            else:
                break
            if r >= T:
                break
            f, sid = heap[0]
            st = r if r > f else f
            if st >= T:
                break
            e = st + S[i]
            replace_(heap, (e, sid))
            start[i] = st
            end[i] = e
            slot_req[sid] = i
            if from_retry:
                heapq.heappop(retry)
            else:
                head += 1
        self.head = head

    def fail_requests(self, t: float, reqs: list[int], retries: int) -> int:
        """Requests whose replica died at ``t``: re-sent while they have retries left, else failed. Returns failed."""
        failed = 0
        for i in reqs:
            if self.tries[i] < retries:
                self.tries[i] += 1
                self.start[i] = self.end[i] = math.nan
                heapq.heappush(self.retry, (t, i))
            else:
                self.status[i] = FAILED
                self.end[i] = t
                failed += 1
        return failed

    def take_queued(self, t: float, k: int) -> list[int]:
        """Remove and return up to ``k`` requests waiting at ``t`` (the oldest first)."""
        out = []
        while len(out) < k and self.retry and self.retry[0][0] < t:
            out.append(heapq.heappop(self.retry)[1])
        while len(out) < k and self.head < len(self.A) and self.A[self.head] < t:
            out.append(self.head)
            self.head += 1
        return out

    def in_flight_on(self, t: float, slots: list[int]) -> list[int]:
        out = []
        for sid in slots:
            i = self.slot_req[sid]
            if i >= 0 and self.status[i] == IN_FLIGHT and self.end[i] > t:
                out.append(i)
        return out

    def arrays(self) -> tuple[np.ndarray, ...]:
        start = np.asarray(self.start)
        end = np.asarray(self.end)
        status = np.asarray(self.status, dtype=np.int8)
        done = (status == IN_FLIGHT) & (end <= self.T)
        status[done] = SERVED
        return np.asarray(self.A), start, end, status, np.asarray(self.tries) > 0


class _ClosedSim(_OpenSim):
    """Closed-loop clients: ``clients`` callers, each sending its next request ``think_s`` after the previous one
    returns (or fails)."""

    def __init__(self, clients: int, think_s: float, service: Any, *args: Any) -> None:
        super().__init__(np.zeros(0), np.zeros(0), *args)
        self.think_s = think_s
        self.draw_service = service
        self.client_of: list[int] = []
        self.calls: list[tuple[float, int]] = [(0.0, c) for c in range(clients)]  # (send time, client)
        heapq.heapify(self.calls)

    def waiting(self, t: float) -> int:
        return sum(1 for s, _ in self.calls if s < t)

    def new_request(self, t: float, client: int) -> int:
        i = len(self.A)
        self.A.append(t)
        self.S.append(self.draw_service())
        self.start.append(math.nan)
        self.end.append(math.nan)
        self.status.append(IN_FLIGHT)
        self.tries.append(0)
        self.client_of.append(client)
        return i

    def process_until(self, T: float) -> None:
        heap, calls, retry = self.heap, self.calls, self.retry
        while heap:
            if retry and (not calls or retry[0][0] <= calls[0][0]):
                r, i = retry[0]
                from_retry = True
            elif calls:
                r, i = calls[0][0], -1
                from_retry = False
            else:
                break
            if r >= T:
                break
            f, sid = heap[0]
            st = r if r > f else f
            if st >= T:
                break
            if from_retry:
                heapq.heappop(retry)
            else:
                _, c = heapq.heappop(calls)
                i = self.new_request(r, c)
            e = st + self.S[i]
            heapq.heapreplace(heap, (e, sid))
            self.start[i], self.end[i] = st, e
            self.slot_req[sid] = i
            heapq.heappush(calls, (e + self.think_s, self.client_of[i]))

    def take_queued(self, t: float, k: int) -> list[int]:
        out = []
        while len(out) < k and self.retry and self.retry[0][0] < t:
            out.append(heapq.heappop(self.retry)[1])
        while len(out) < k and self.calls and self.calls[0][0] < t:
            send, c = heapq.heappop(self.calls)
            i = self.new_request(send, c)
            heapq.heappush(self.calls, (math.inf, c))  # placeholder, taken back by fail_requests
            out.append(i)
        return out

    def fail_requests(self, t: float, reqs: list[int], retries: int) -> int:
        for i in reqs:  # the client's next call was scheduled at the request's end: take it back
            c = self.client_of[i]
            self.calls = [x for x in self.calls if x[1] != c]
        heapq.heapify(self.calls)
        failed = super().fail_requests(t, reqs, retries)
        for i in reqs:
            if self.status[i] == FAILED:
                heapq.heappush(self.calls, (t + self.think_s, self.client_of[i]))
        return failed

    def arrays(self) -> tuple[np.ndarray, ...]:
        return super().arrays()


def _simulate(sim: _OpenSim) -> Result:
    cfg, cl, T = sim.cfg, sim.cl, sim.T
    # start: nodes for the initial replicas (and the minimum), ready at t = 0
    need = max(cl.min_worker_nodes, math.ceil(sim.target / cl.replicas_per_node))
    for _ in range(min(need, cl.max_worker_nodes)):
        sim.launch_node(0.0, ready=True)
    for _ in range(sim.target):
        rep = _Replica(sim.next_replica, None, "pending")
        sim.next_replica += 1
        sim.replicas[rep.id] = rep
        if sim.place(0.0, rep):
            sim.start_replica(0.0, rep)  # the deployment is up at t = 0
        else:
            sim.pending.append(rep.id)
    sim.events = [e for e in sim.events if e[2] != "replica_ready"]
    heapq.heapify(sim.events)
    sim.snapshot(0.0)
    record_every = cfg.look_back_period_s * cfg.metric_record_interval_factor
    sim.at(record_every, "record")
    sim.at(cfg.metrics_interval_s, "push")
    sim.at(cl.autoscaler_update_interval_s, "autoscaler")  # type: ignore[arg-type]
    if sim.failure is not None and sim.failure.at_s < T:
        sim.at(sim.failure.at_s, "kill")
    sim.at(T, "end")
    pre_kill_running = 0
    while sim.events:
        t, _, kind, arg = heapq.heappop(sim.events)
        sim.process_until(t)
        if kind == "end":
            break
        if kind == "record":
            sim.samples_t.append(t)
            sim.samples_v.append(sim.in_system(t))
            sim.at(t + record_every, "record")
        elif kind == "push":
            sim.visible_until = t
            sim.decide(t)
            sim.at(t + cfg.metrics_interval_s, "push")
        elif kind == "decide":
            if sim.decision_since is not None:
                sim.decide(t)
        elif kind == "replica_ready":
            rep = sim.replicas.get(arg)
            if rep is not None and rep.state == "starting":
                sim.start_replica(t, rep)
                sim.snapshot(t)
        elif kind == "node_ready":
            n = sim.nodes.get(arg)
            if n is not None and not n.dead:
                n.ready = True
                n.idle_since = t
                while sim.pending and sim.room(n) > 0:
                    sim.place(t, sim.replicas[sim.pending.pop(0)])
                sim.snapshot(t)
        elif kind == "autoscaler":
            _autoscaler_tick(sim, t)
            sim.at(t + cl.autoscaler_update_interval_s, "autoscaler")  # type: ignore[operator]
        elif kind == "kill":
            pre_kill_running = _kill(sim, t)
        elif kind == "detect":
            for rid in sim.lost:
                sim.replicas.pop(rid, None)
            sim.lost = []
            if sim.stuck:
                f = sim.fail_requests(t, sim.stuck, sim.failure.retries)  # type: ignore[union-attr]
                sim.extra["failed_at_detection"] = f
                sim.stuck = []
            sim.notes.append((t, "loss detected; replacements requested"))
            sim.reconcile(t)
            sim.snapshot(t)
    for n in list(sim.nodes.values()):
        sim.remove_node(T, n)
    arrival, start, end, status, retried = sim.arrays()
    res = Result("ray-serve", T, arrival, start, end, status, sim.timeline, None, retried,
                 node_seconds=sim.node_seconds, events=sim.notes, extra=sim.extra)
    if sim.failure is not None and sim.failure.at_s < T:
        _recovery(res, sim.failure.at_s, pre_kill_running)
    return res


def _autoscaler_tick(sim: _OpenSim, t: float) -> None:
    cl = sim.cl
    starting_room = sum(cl.replicas_per_node for n in sim.nodes.values() if not n.ready)
    short = len(sim.pending) - starting_room
    changed = False
    if short > 0:
        for _ in range(min(math.ceil(short / cl.replicas_per_node), cl.max_worker_nodes - len(sim.nodes))):
            sim.launch_node(t, ready=False)
            changed = True
    idle = sorted((n for n in sim.nodes.values() if n.ready and not n.replicas and n.idle_since is not None
                   and t - n.idle_since >= cl.idle_timeout_s), key=lambda n: -n.id)  # type: ignore[operator]
    for n in idle:
        if len(sim.nodes) <= cl.min_worker_nodes:
            break
        sim.remove_node(t, n)
        changed = True
    if changed:
        sim.snapshot(t)


def _kill(sim: _OpenSim, t: float) -> int:
    fail = sim.failure
    assert fail is not None
    running_before = sum(1 for r in sim.replicas.values() if r.state == "running")
    live = [n for n in sim.nodes.values() if n.ready]
    if not live:
        sim.notes.append((t, "no ready node to kill"))
        return running_before
    node = max(live, key=lambda n: (sum(1 for r in n.replicas if sim.replicas[r].state == "running"), -n.id))
    doomed = sorted(node.replicas)
    if fail.mode == "replica":
        running = [r for r in doomed if sim.replicas[r].state == "running"]
        doomed = running[:1] if running else doomed[:1]
    else:
        node.dead = True
    slots = [s for rid in doomed for s in sim.replicas[rid].slots]
    victims = sim.in_flight_on(t, slots)
    # With Ray's router a request waits *at* a replica once sent (up to max_ongoing_requests per replica), so the
    # dead replicas' share of the queue dies with them.
    n_live = sum(1 for r in sim.replicas.values() if r.state == "running")
    per_replica = max(0, sim.cfg.max_ongoing_requests - min(sim.cl.replica_concurrency, sim.cfg.max_ongoing_requests))
    n_dead = sum(1 for rid in doomed if sim.replicas[rid].state == "running")
    queued = sim.waiting(t) + sum(1 for r, _ in sim.retry if r < t)
    at_replicas = min(queued, per_replica * n_live)
    share = round(at_replicas * n_dead / n_live) if n_live else 0
    queued_victims = sim.take_queued(t, share)
    victims = victims + queued_victims
    sim.extra["queued_at_dead_replicas"] = len(queued_victims)
    sim.drop_slots(slots)
    for rid in doomed:
        sim.replicas[rid].state = "lost"
        sim.replicas[rid].slots = []
        sim.lost.append(rid)
        if fail.mode == "replica":
            node.replicas.discard(rid)
            if not node.replicas:
                node.idle_since = t
    sim.extra["killed_replicas"] = len(doomed)
    sim.extra["requests_on_dead_replicas"] = len(victims)
    if fail.mode != "silent":
        sim.extra["failed_at_kill"] = sim.fail_requests(t, victims, fail.retries)
    else:
        sim.stuck = victims
    if fail.mode != "replica":
        sim.remove_node(t, node)
    delay = sim.health.detection_delay_s(fail.mode, sim.rng)
    sim.extra["detection_s"] = float(delay)
    sim.at(t + delay, "detect")
    sim.notes.append((t, "replica killed" if fail.mode == "replica" else f"node killed ({fail.mode})"))
    sim.snapshot(t)
    return running_before


def _recovery(res: Result, kill_s: float, running_before: int) -> None:
    tl = res.timeline
    t = np.asarray(tl.time_s)
    r = np.asarray(tl.replicas)
    after = np.flatnonzero((t > kill_s) & (r >= running_before))
    if after.size:
        rec = float(t[after[0]])
        res.extra["recovery_s"] = rec - kill_s
        res.events.append((rec, "replicas back to the count before the kill"))
    else:
        res.extra["recovery_s"] = float("nan")


def run(arrival_s: np.ndarray, service_s: np.ndarray, duration_s: float, autoscaling: ServeAutoscaling,
        cluster: Cluster | None = None, seed: int = 0, failure: NodeFailure | None = None,
        health: HealthCheck | None = None) -> Result:
    """Simulate a Serve deployment on KubeRay for ``duration_s`` seconds of open-loop traffic.

    ``arrival_s`` (sorted, s) and ``service_s`` (s, one per request) are the workload; ``seed`` drives node and
    replica start-up draws and failure detection. Requests unfinished at ``duration_s`` are in flight.
    """
    _check_run(arrival_s, service_s, duration_s)
    sim = _OpenSim(arrival_s, service_s, autoscaling, cluster or Cluster(), float(duration_s),
                   np.random.default_rng(seed), failure, health or HealthCheck.ray_defaults())
    return _simulate(sim)


def run_closed_loop(clients: int, service: Any, duration_s: float, autoscaling: ServeAutoscaling,
                    cluster: Cluster | None = None, seed: int = 0, think_s: float = 0.0,
                    failure: NodeFailure | None = None, health: HealthCheck | None = None) -> Result:
    """Simulate ``clients`` closed-loop callers (each sends its next request ``think_s`` s after the last returns).

    ``service`` is a callable returning one service time in seconds per call (e.g. ``lambda: 0.05``).
    """
    if not (isinstance(clients, int) and clients >= 1):
        raise ValueError(f"clients: must be an integer >= 1 (got {clients!r})")
    if not (np.isfinite(think_s) and think_s >= 0):
        raise ValueError(f"think_s: must be >= 0 (got {think_s!r})")
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise ValueError(f"duration_s: must be > 0 (got {duration_s!r})")
    sim = _ClosedSim(clients, float(think_s), service, autoscaling, cluster or Cluster(), float(duration_s),
                     np.random.default_rng(seed), failure, health or HealthCheck.ray_defaults())
    return _simulate(sim)


def _check_run(arrival_s: np.ndarray, service_s: np.ndarray, duration_s: float) -> None:
    a = np.asarray(arrival_s)
    if a.ndim != 1 or a.shape != np.asarray(service_s).shape:
        raise ValueError("arrival_s and service_s must be 1-D arrays of the same length")
    if a.size and np.any(np.diff(a) < 0):
        raise ValueError("arrival_s: must be sorted")
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise ValueError(f"duration_s: must be > 0 (got {duration_s!r})")


__all__ = ["Cluster", "NodeProfile", "ServeAutoscaling", "run", "run_closed_loop", "DROPPED"]
