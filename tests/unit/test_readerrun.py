"""How the reader run splits a notebook's memory peak by kind of process."""

from __future__ import annotations

import pytest

from mlopsbook.publishing.readerrun import CATEGORIES, classify

SITE = "/srv/venv/lib/python3.11/site-packages/ray"


@pytest.mark.parametrize(("cmdline", "kind"), [
    ([f"{SITE}/core/src/ray/raylet/raylet", "--raylet_socket_name=/tmp/r/raylet",
      f"--python_worker_command=/srv/venv/bin/python {SITE}/_private/workers/default_worker.py"], "ray_head"),
    ([f"{SITE}/core/src/ray/gcs/gcs_server", "--log_dir=/tmp/r"], "ray_head"),
    (["ray::DashboardAgent"], "ray_head"),
    (["ray::RuntimeEnvAgent"], "ray_head"),
    (["/srv/venv/bin/python", "-u", f"{SITE}/_private/log_monitor.py", "--session-dir=/tmp/r"], "ray_head"),
    (["/srv/venv/bin/python", "-u", f"{SITE}/autoscaler/_private/monitor.py", "--logs-dir=/tmp/r"], "ray_head"),
    (["/srv/venv/bin/python", "/srv/venv/bin/ray", "start", "--head", "--block"], "ray_head"),
    (["/srv/venv/bin/python", "-m", "ray.util.client.server", "--port=10001"], "ray_head"),
    (["ray::ServeReplica:nlp:NLPService.handle_request"], "serve_replicas"),
    (["ray::ServeController"], "ray_workers"),
    (["ray::ProxyActor"], "ray_workers"),
    (["ray::IDLE"], "ray_workers"),
    (["/usr/bin/prometheus", "--config.file=/tmp/p/prometheus.yml"], "other"),
    (["/srv/venv/bin/python", "-m", "airflow", "dags", "test"], "other"),
])
def test_each_process_is_counted_as_its_kind(cmdline: list[str], kind: str) -> None:
    assert classify(cmdline, is_kernel=False) == kind


def test_the_kernel_is_the_kernel_whatever_it_runs() -> None:
    assert classify(["ray::IDLE"], is_kernel=True) == "kernel"
    assert set(CATEGORIES) >= {"kernel", "ray_head", "serve_replicas", "ray_workers", "other"}
