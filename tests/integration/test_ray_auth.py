"""Ray's token authentication on the local engine: a request without the cluster's token is refused.

A real local Ray 2.60 cluster is started in a child process with the engine's own environment
(:func:`mlopsbook.engine.ray_runtime.quiet_environment`: ``RAY_AUTH_MODE=token``), its dashboard bound to
127.0.0.1 on a free port, and torn down through that process (``ray.shutdown()`` when the test closes its stdin; a kill
of that process group only if it does not exit), never with ``ray stop``, which would stop every Ray on the machine.

The Jobs API (``/api/jobs/`` on the dashboard port) is what the published advisory is about: whoever reaches it can
submit a job, that is run code on the cluster. Without a token it answers 401, with a wrong one 403, and a job
submitted without a token is never created; with the token it answers 200. The health endpoints that Kubernetes
probes stay open (Ray exempts them), and a driver holding a wrong token cannot join the cluster through the GCS.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlopsbook.engine import ray_runtime

pytestmark = pytest.mark.usefixtures("own_ray_cluster")  # its clusters run alone, not beside the shared session

START_TIMEOUT_S = 120
"""Bound on the cluster start (ray.init with the dashboard takes 5-15 s on 2 shared cores)."""

CLUSTER = r"""
import json, sys
from mlopsbook.engine import ray_runtime
ray_runtime.quiet_environment()
import ray
ctx = ray.init(num_cpus=1, include_dashboard=True, dashboard_host="127.0.0.1", dashboard_port=int(sys.argv[1]),
               object_store_memory=100 * 1024**2, _temp_dir=sys.argv[2], _node_ip_address="127.0.0.1",
               log_to_driver=False, configure_logging=False)
print(json.dumps({"dashboard": "http://" + ctx.dashboard_url, "gcs": ctx.address_info["gcs_address"]}), flush=True)
sys.stdin.read()
ray.shutdown()
"""

INTRUDER = r"""
import sys
import ray
try:
    ray.init(address=sys.argv[1], log_to_driver=False)
    ray.get(ray.remote(lambda: 1).remote(), timeout=20)
except Exception as exc:
    print("REFUSED", type(exc).__name__, str(exc)[:300].replace("\\n", " "), flush=True)
    sys.exit(3)
print("JOINED", flush=True)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, token: str | None = None, data: dict | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:  # nosec B310 - a fixed http://127.0.0.1 URL
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict]:
    """A local Ray cluster with token auth, its dashboard on 127.0.0.1; yields its addresses and token."""
    tmp = Path(tempfile.mkdtemp(prefix="rayauth"))  # short: Ray's socket paths must fit in 107 bytes
    token = secrets.token_hex(32)
    token_file = tmp / "token"
    token_file.write_text(token)
    token_file.chmod(0o600)
    env = {**os.environ, "RAY_AUTH_TOKEN_PATH": str(token_file), "RAY_AUTH_MODE": "disabled"}  # the engine overrides
    env.pop("RAY_AUTH_TOKEN", None)
    env.pop("RAY_ADDRESS", None)
    proc = subprocess.Popen([sys.executable, "-c", CLUSTER, str(_free_port()), str(tmp / "s")], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        line = _read_line(proc, START_TIMEOUT_S)
        info = {**json.loads(line), "token": token}
        deadline = time.monotonic() + 60
        while _request(info["dashboard"] + "/api/gcs_healthz")[0] != 200:
            assert time.monotonic() < deadline, "the dashboard did not come up in 60 s"
            time.sleep(1)
        yield info
    finally:
        _tear_down(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def _read_line(proc: subprocess.Popen, timeout_s: float) -> str:
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout_s):
        raise AssertionError(f"the local Ray cluster did not start within {timeout_s} s")
    line = proc.stdout.readline()
    assert line.startswith("{"), f"the cluster process exited early (status {proc.poll()}): {line!r}"
    return line


def _tear_down(proc: subprocess.Popen) -> None:
    """End the cluster through its own process: ray.shutdown() first, its process group only as a last resort."""
    try:
        proc.stdin.close()
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_jobs_api_refuses_a_request_without_the_token(cluster: dict) -> None:
    status, body = _request(cluster["dashboard"] + "/api/jobs/")
    assert status == 401, (status, body)
    assert "Missing authentication token" in body


def test_jobs_api_refuses_a_wrong_token(cluster: dict) -> None:
    status, body = _request(cluster["dashboard"] + "/api/jobs/", token="0" * 64)
    assert status == 403, (status, body)


def test_job_submitted_without_the_token_is_never_created(cluster: dict) -> None:
    status, _ = _request(cluster["dashboard"] + "/api/jobs/", data={"entrypoint": "echo pwned"})
    assert status == 401
    status, body = _request(cluster["dashboard"] + "/api/jobs/", token=cluster["token"])
    assert status == 200, (status, body)
    jobs = json.loads(body)
    assert [j for j in jobs if j.get("type") != "DRIVER"] == []  # only the cluster's own driver is listed
    assert "pwned" not in body


def test_jobs_api_accepts_the_token(cluster: dict) -> None:
    status, body = _request(cluster["dashboard"] + "/api/jobs/", token=cluster["token"])
    assert status == 200, (status, body)
    assert isinstance(json.loads(body), list)


def test_health_endpoints_stay_open_for_probes(cluster: dict) -> None:
    assert _request(cluster["dashboard"] + "/api/gcs_healthz")[0] == 200


@pytest.mark.parametrize("right", [False, True], ids=["wrong-token-refused", "right-token-joins"])
def test_driver_joins_through_the_gcs_only_with_the_token(cluster: dict, right: bool) -> None:
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": cluster["token"] if right else "1" * 64}
    env.pop("RAY_AUTH_TOKEN_PATH", None)
    proc = subprocess.run([sys.executable, "-c", INTRUDER, cluster["gcs"]], env=env, capture_output=True,
                          text=True, timeout=180)
    if right:
        assert proc.returncode == 0 and "JOINED" in proc.stdout, (proc.stdout, proc.stderr[-2000:])
    else:
        assert proc.returncode == 3 and "REFUSED" in proc.stdout, (proc.stdout, proc.stderr[-2000:])
        assert "uthenticat" in proc.stdout + proc.stderr  # refused for its token, not for an unreachable address


ENGINE = r"""
import ray  # imported before the engine sets RAY_AUTH_MODE, as a notebook that imports the Serve app first does
from ray._raylet import AuthenticationMode, get_authentication_mode
from mlopsbook.engine import ray_runtime
ray_runtime.start(num_cpus=1)
assert get_authentication_mode() == AuthenticationMode.TOKEN
print("RESULT", ray.get(ray.remote(lambda: 41 + 1).remote(), timeout=60), flush=True)
ray_runtime.stop()
"""


def test_engine_runs_tasks_with_token_auth_even_if_ray_was_imported_first(tmp_path) -> None:  # noqa: ANN001
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    for k in ("RAY_ADDRESS", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        env.pop(k, None)
    proc = subprocess.run([sys.executable, "-c", ENGINE], env=env, capture_output=True, text=True,
                          timeout=START_TIMEOUT_S + 60)
    assert proc.returncode == 0 and "RESULT 42" in proc.stdout, (proc.stdout, proc.stderr[-2000:])


# -- the engine's environment (no cluster) -------------------------------------------------------------------------
_AUTH_VARS = ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", "RAY_ADDRESS", "RAY_TMPDIR")


def _clear(monkeypatch) -> None:  # noqa: ANN001
    """Unset the variables quiet_environment reads or sets, so that monkeypatch restores them afterwards."""
    for k in _AUTH_VARS:
        monkeypatch.setenv(k, "")
        monkeypatch.delenv(k)


def test_local_engine_turns_token_auth_on_even_if_disabled_in_the_environment(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    _clear(monkeypatch)
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    monkeypatch.setattr(ray_runtime, "repo_root", lambda: tmp_path)
    ray_runtime.quiet_environment()
    assert os.environ["RAY_AUTH_MODE"] == "token"
    assert os.environ["RAY_AUTH_TOKEN_PATH"] == str(tmp_path / ray_runtime.STATE_DIR / ray_runtime.TOKEN_FILE)


def test_remote_cluster_keeps_the_callers_auth_settings(monkeypatch) -> None:  # noqa: ANN001
    _clear(monkeypatch)
    monkeypatch.setenv("RAY_ADDRESS", "ray://head:10001")
    ray_runtime.quiet_environment()
    assert "RAY_AUTH_MODE" not in os.environ
    assert "RAY_AUTH_TOKEN_PATH" not in os.environ


def test_local_token_is_random_private_and_stable(tmp_path) -> None:  # noqa: ANN001
    path = ray_runtime.local_token(tmp_path)
    token = path.read_text()
    assert len(token) == 64 and int(token, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ray_runtime.local_token(tmp_path).read_text() == token  # reused, not regenerated
    other = tmp_path / "other"
    other.mkdir()
    assert ray_runtime.local_token(other).read_text() != token
