"""Alert rules for Ray Serve: promtool checks and unit-tests them on recorded series; a real Prometheus server on
127.0.0.1 sees them fire when a worker node is killed under load (marker ``multinode``). A missing ``promtool`` or
``prometheus`` fails the test naming the package (tests/integration/conftest.py)."""

from __future__ import annotations

import math
import subprocess
import time
from pathlib import Path

import pytest

from mlopsbook.lab import multinode, prometheus


def test_rules_are_valid_and_their_unit_tests_pass(root: Path, promtool_bin: str) -> None:
    check = subprocess.run([promtool_bin, "check", "rules", str(root / prometheus.ALERT_RULES)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"{len(prometheus.ALERTS)} rules found" in check.stdout
    res = prometheus.promtool_test()
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_unit_tests_catch_a_rule_that_does_not_fire(root: Path, tmp_path: Path, promtool_bin: str) -> None:
    rules = (root / prometheus.ALERT_RULES).read_text().replace("expr: up{job=\"ray\"} == 0",
                                                                 "expr: up{job=\"ray\"} == 2")
    (tmp_path / prometheus.ALERT_RULES.name).write_text(rules)
    (tmp_path / prometheus.RULE_TESTS.name).write_text((root / prometheus.RULE_TESTS).read_text())
    res = prometheus.promtool_test(tmp_path / prometheus.RULE_TESTS.name)
    assert res.returncode != 0 and "RayNodeDown" in res.stdout + res.stderr


@pytest.mark.multinode
def test_alerts_fire_on_a_live_node_kill_within_the_stated_time(prometheus_bin: str, own_ray_cluster: None) -> None:
    t0 = time.monotonic()
    lc = multinode.start_cluster(multinode.ClusterSpec(metrics_report_interval_ms=1000))
    try:
        ak = prometheus.alert_on_node_kill(lc, kill_at_s=2.0, recover_timeout_s=45.0)
    finally:
        lc.shutdown()
    # stated: the node's scrape fails at the next 1 s scrape, `for: 5s`, 1 s rule evaluation; 20 s leaves room for
    # a busy machine
    assert math.isfinite(ak.fired_s["RayNodeDown"]) and 4.0 <= ak.fired_s["RayNodeDown"] <= 20.0
    # replicas below target: from Serve's replica health check (period 10 s) to the replacement running
    assert math.isfinite(ak.fired_s["ServeReplicasBelowTarget"]) and ak.fired_s["ServeReplicasBelowTarget"] <= 30.0
    assert ak.series["healthy_replicas"].min() < ak.series["target_replicas"].max()
    tl = ak.operator_timeline()
    assert tl["event"].iloc[0].startswith("worker node killed")
    assert time.monotonic() - t0 < 180
