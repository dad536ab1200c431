"""The event loop of a simulated Ray Serve run: open-loop arrivals (:class:`OpenSim`) or closed-loop callers
(:class:`ClosedSim`), the Ray autoscaler's ticks, a node or replica killed, and the recovery measured after it
(:func:`simulate_run`). See :mod:`mlopsbook.simulate.ray_serve` for what is modelled.
"""

from __future__ import annotations

import bisect
import heapq
import math
from typing import Any

import numpy as np

from mlopsbook.simulate.results import FAILED, IN_FLIGHT, SERVED, Result
from mlopsbook.simulate.serve_state import Replica, ServeSim


class OpenSim(ServeSim):
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


class ClosedSim(OpenSim):
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


def simulate_run(sim: OpenSim) -> Result:
    cfg, cl, T = sim.cfg, sim.cl, sim.T
    # start: nodes for the initial replicas (and the minimum), ready at t = 0
    need = max(cl.min_worker_nodes, math.ceil(sim.target / cl.replicas_per_node))
    for _ in range(min(need, cl.max_worker_nodes)):
        sim.launch_node(0.0, ready=True)
    for _ in range(sim.target):
        rep = Replica(sim.next_replica, None, "pending")
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


def _autoscaler_tick(sim: OpenSim, t: float) -> None:
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


def _kill(sim: OpenSim, t: float) -> int:
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
