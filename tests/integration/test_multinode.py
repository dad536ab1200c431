"""Multi-node Ray on this machine: a worker node killed under load, a node added and removed by Ray's autoscaler
(marker ``multinode``), each bounded under three minutes and torn down through the cluster's own handle. The same
pieces on synthetic measurements: tests/unit/test_lab_multinode.py."""

from __future__ import annotations

import math
import time

import pytest

from mlopsbook.lab import autoscale, multinode


pytestmark = pytest.mark.usefixtures("own_ray_cluster")  # no shared session beside these clusters


# -- the real runs ----------------------------------------------------------------------------------------------------
@pytest.mark.multinode
def test_a_killed_worker_node_fails_only_in_flight_requests_and_serve_recovers_on_the_spare() -> None:
    t0 = time.monotonic()
    lc = multinode.start_cluster(multinode.ClusterSpec())
    try:
        assert len(lc.worker_ids()) == 3 and len(set(lc.replica_nodes().values())) == 2  # spread: one per node
        k = multinode.kill_node_under_load(lc, kill_at_s=2.0, recover_timeout_s=45.0)
        assert k.failed <= k.in_flight_bound
        assert k.load.n_ok > 0
        assert math.isfinite(k.t_node_dead_s) and math.isfinite(k.t_recovered_s)
        assert k.t_serve_loss_s < k.t_recovered_s
        # the GCS marks a crashed node dead within Ray's health-check bounds (12-15 s), with slack for a busy machine
        assert 8.0 <= k.t_node_dead_s <= 40.0
        assert k.peak_pss_bytes > 0
    finally:
        lc.shutdown()
    assert not [p for p in _descendants() if "raylet" in p]
    assert time.monotonic() - t0 < 180


@pytest.mark.multinode
def test_the_autoscaler_adds_a_node_for_a_replica_that_does_not_fit_and_removes_it_when_idle() -> None:
    t0 = time.monotonic()
    acl = autoscale.start_autoscaling_cluster(max_workers=2, idle_timeout_s=6.0)
    try:
        c = autoscale.node_cold_start(acl, up_timeout_s=60.0, down_timeout_s=40.0)
        assert math.isfinite(c.first_replica_running_s)  # the first replica waited for the first node
        order = [c.t_upscale_decision_s, c.t_node_launch_decided_s, c.t_node_registered_s, c.t_replica_running_s]
        assert all(math.isfinite(x) for x in order) and order == sorted(order)
        assert c.load.n_failed == 0
        assert math.isfinite(c.t_node_removed_s) and c.t_node_removed_s > c.t_replica_removed_s
    finally:
        acl.shutdown()
    assert acl.proc.poll() is not None and acl.leftover_processes() == []
    assert time.monotonic() - t0 < 180


def _descendants() -> list[str]:
    import os

    import psutil

    out = []
    for p in psutil.Process(os.getpid()).children(recursive=True):
        try:
            out.append(" ".join(p.cmdline()))
        except psutil.Error:
            pass
    return out
