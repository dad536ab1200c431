"""The state of one simulated Ray Serve run: nodes, replicas, the request queue and Serve's controller
(:class:`ServeSim`); :mod:`mlopsbook.simulate.serve_loop` drives it. See :mod:`mlopsbook.simulate.ray_serve` for what
is modelled.
"""

from __future__ import annotations

import bisect
import heapq
import math

import numpy as np

from mlopsbook.simulate.arrivals import uniform_draw
from mlopsbook.simulate.failures import HealthCheck, NodeFailure
from mlopsbook.simulate.results import Timeline
from mlopsbook.simulate.serve_config import Cluster, ServeAutoscaling


class Node:
    __slots__ = ("id", "ready", "launched_s", "replicas", "idle_since", "dead")

    def __init__(self, nid: int, launched_s: float, ready: bool) -> None:
        self.id, self.launched_s, self.ready = nid, launched_s, ready
        self.replicas: set[int] = set()
        self.idle_since: float | None = launched_s if ready else None
        self.dead = False


class Replica:
    __slots__ = ("id", "node", "state", "slots")

    def __init__(self, rid: int, node: int | None, state: str) -> None:
        self.id, self.node, self.state = rid, node, state  # state: pending | starting | running | lost
        self.slots: list[int] = []


class ServeSim:
    """One run; see :func:`run`."""

    def __init__(self, cfg: ServeAutoscaling, cluster: Cluster, duration_s: float, rng: np.random.Generator,
                 failure: NodeFailure | None, health: HealthCheck) -> None:
        self.cfg, self.cl, self.T, self.rng, self.failure, self.health = cfg, cluster, duration_s, rng, failure, health
        self.events: list[tuple[float, int, str, int]] = []
        self.seq = 0
        self.heap: list[tuple[float, int]] = []   # (free time, slot id) of running replicas' slots
        self.slot_req: list[int] = []             # request last assigned to each slot
        self.nodes: dict[int, Node] = {}
        self.replicas: dict[int, Replica] = {}
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
    def launch_node(self, t: float, ready: bool) -> Node:
        n = Node(self.next_node, t, ready)
        self.next_node += 1
        self.nodes[n.id] = n
        if not ready:
            self.at(t + self.cl.node.draw_s(self.rng), "node_ready", n.id)
        return n

    def remove_node(self, t: float, n: Node) -> None:
        self.node_seconds += t - n.launched_s
        del self.nodes[n.id]

    def room(self, n: Node) -> int:
        return self.cl.replicas_per_node - len(n.replicas)

    def place(self, t: float, rep: Replica) -> bool:
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
        rep = Replica(self.next_replica, None, "pending")
        self.next_replica += 1
        self.replicas[rep.id] = rep
        if not self.place(t, rep):
            self.pending.append(rep.id)

    def start_replica(self, t: float, rep: Replica) -> None:
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

    def stop_replica(self, t: float, rep: Replica) -> None:
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

                def key(r: Replica) -> tuple[int, int, int, int]:
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
