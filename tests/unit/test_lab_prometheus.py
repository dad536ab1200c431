"""The Prometheus pieces that need no binary: the scrape configuration and the error naming a missing binary's package.
Rules checked by promtool and alerts on a live node kill: tests/integration/test_observability.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
