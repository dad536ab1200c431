"""The Prometheus pieces that need no binary: the scrape configuration and the error naming a missing binary's package,
and the judgement of a live run. Rules checked by promtool: tests/integration/test_observability.py; alerts on a live
node kill: the multinode page (notebook layer)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lab_measurements import node_kill
from mlopsbook.lab import prometheus


def test_scrape_config_lists_every_node() -> None:
    cfg = prometheus.scrape_config({"127.0.0.1:1": "head", "127.0.0.1:2": "abc"}, Path("r.yml"))
    job = cfg["scrape_configs"][0]
    assert job["job_name"] == "ray" and [c["labels"]["node"] for c in job["static_configs"]] == ["head", "abc"]
    assert cfg["global"]["scrape_interval"] == "1s"


def test_a_missing_binary_is_named_with_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="apt-get install -y prometheus"):
        prometheus.binary("promtool")


def _alerted(**fired: float) -> prometheus.AlertedKill:
    series = pd.DataFrame({"t_s": [-1.0, 5.0, 12.0], "healthy_replicas": [2, 1, 2], "target_replicas": [2, 2, 2],
                           "nodes_answering": [4, 3, 3]})
    times = {"RayNodeDown": 6.8, "ServeReplicasBelowTarget": 7.0, "ServeHTTP5xxRate": float("nan"), **fired}
    return prometheus.AlertedKill(node_kill(), times, {}, 1.0, series)


def test_a_run_within_the_stated_times_has_no_problems() -> None:
    assert _alerted().problems() == []


@pytest.mark.parametrize("alert,when,said", [("RayNodeDown", float("nan"), "RayNodeDown fired nan s"),
                                              ("RayNodeDown", 2.0, "outside 4 to 20 s"),
                                              ("RayNodeDown", 25.0, "outside 4 to 20 s"),
                                              ("ServeReplicasBelowTarget", float("nan"), "not within 30 s"),
                                              ("ServeReplicasBelowTarget", 31.0, "not within 30 s")])
def test_an_alert_late_early_or_missing_is_a_problem(alert: str, when: float, said: str) -> None:
    got = _alerted(**{alert: when}).problems()
    assert len(got) == 1 and alert in got[0] and said in got[0]


def test_replicas_never_seen_below_target_is_a_problem() -> None:
    a = _alerted()
    flat = a.series.assign(healthy_replicas=2)
    got = prometheus.AlertedKill(a.kill, a.fired_s, {}, 1.0, flat).problems()
    assert got == ["Prometheus never saw fewer healthy replicas than the target"]
