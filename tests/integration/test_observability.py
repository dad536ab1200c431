"""Alert rules for Ray Serve: promtool checks and unit-tests them on recorded series. A missing ``promtool`` fails the
test naming the package (tests/integration/conftest.py). The live run (a real Prometheus server on 127.0.0.1 seeing
them fire when a worker node is killed under load, each within its stated time: ``AlertedKill.problems``) is the
multinode page's, executed once in the notebook layer."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mlopsbook.lab import prometheus


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
