"""Start Ray once, quietly: a local cluster on this machine, or the remote one that ``RAY_ADDRESS`` names.

Every setting here was needed to make notebook cell output identical across runs (see the project's Ray notes):
Ray's usage stats, Data progress bars and log lines, driver log forwarding, Serve access logs and Python warnings are
all switched off. Session files go to ``<repo>/.ray/`` (ignored by git) instead of ``/tmp/ray``.

The local cluster always runs with Ray's token authentication on (``RAY_AUTH_MODE=token``): every request to its
GCS, dashboard and Jobs API must carry the cluster's token, so another user or process on the machine that can reach
its ports cannot submit code to it. The token is read from ``RAY_AUTH_TOKEN`` or ``RAY_AUTH_TOKEN_PATH`` when set;
otherwise :func:`local_token` creates a random one in ``<repo>/.ray/auth_token`` (mode 0600), used by every process
the cluster starts (they inherit the environment). A remote cluster (``RAY_ADDRESS``) keeps whatever
``RAY_AUTH_MODE``/``RAY_AUTH_TOKEN`` the caller set: its token is the cluster's (see ``deploy/SECURITY.md``).

>>> from mlopsbook.engine import ray_runtime
>>> info = ray_runtime.start()          # doctest: +SKIP
>>> info.local, info.num_cpus            # doctest: +SKIP
(True, 2.0)
"""

from __future__ import annotations

import logging
import os
from typing import Mapping
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import repo_root
from mlopsbook.publishing.runtime_budget import RayConfig, ray_config

QUIET_ENV: dict[str, str] = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_DATA_LOG_LEVEL": "ERROR",
    "RAY_DATA_DISABLE_PROGRESS_BARS": "1",
}
"""Environment set before ``import ray`` (only where the user has not set the variable)."""

LOCAL_OBJECT_STORE_BYTES = 512 * 1024**2
"""Object store of the local cluster where memory is plentiful (:data:`mlopsbook.publishing.runtime_budget.FULL`)."""

_QUIET_LOGGERS = {"ray": logging.ERROR, "ray.serve": logging.ERROR, "ray.data": logging.ERROR,
                  "ray.widgets.util": logging.WARNING, "ray.train": logging.ERROR}


@dataclass(frozen=True)
class RayRuntime:
    """What :func:`start` connected to: a local cluster or a remote one (``address``), its CPUs, and for a local
    cluster the configuration chosen for the memory given (:mod:`mlopsbook.publishing.runtime_budget`)."""

    local: bool
    address: str
    num_cpus: float
    config: RayConfig | None = None


def session_dir() -> Path:
    """The folder for Ray's session files (``RAY_TMPDIR``): ``<repo>/.ray``, created if missing."""
    d = repo_root() / ".ray"
    d.mkdir(exist_ok=True)
    return d


TOKEN_FILE = "auth_token"
"""Name of the local cluster's token file in :func:`session_dir` (Ray's own default is ``~/.ray/auth_token``)."""


def local_token(folder: Path | None = None) -> Path:
    """The local cluster's token file (``<repo>/.ray/auth_token``), created with a random token if missing.

    The token is 32 random bytes as hex (what ``ray get-auth-token --generate`` makes), written with mode 0600 so
    only this user can read it.
    """
    path = (folder or session_dir()) / TOKEN_FILE
    if not path.is_file() or not path.read_text().strip():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path


def quiet_environment() -> None:
    """Set the environment variables Ray reads at import time; call before the first ``import ray``.

    For a local cluster this also turns token authentication on (``RAY_AUTH_MODE=token``, overriding a ``disabled``
    left in the environment) and points Ray at the token (:func:`local_token`) unless ``RAY_AUTH_TOKEN`` or
    ``RAY_AUTH_TOKEN_PATH`` already names one.
    """
    for k, v in QUIET_ENV.items():
        os.environ.setdefault(k, v)
    if not os.environ.get("RAY_ADDRESS"):
        os.environ["RAY_AUTH_MODE"] = "token"
        if not os.environ.get("RAY_AUTH_TOKEN") and not os.environ.get("RAY_AUTH_TOKEN_PATH"):
            os.environ["RAY_AUTH_TOKEN_PATH"] = str(local_token())
        os.environ.setdefault("RAY_TMPDIR", str(session_dir()))


def sync_auth_mode() -> None:
    """Make Ray in this process use the authentication mode of the environment, even if it was imported earlier.

    Ray reads ``RAY_AUTH_MODE`` into its C++ config when it is first imported; a driver imported before
    :func:`quiet_environment` ran (a notebook or test that imported the Serve app first) would start a token-protected
    cluster and then call it without the token. Ray's own fix for that case (``_enable_token_auth``, used when it turns
    token auth on by default) re-reads the config; the token loader's cache is reset so the token file is read again.
    """
    from ray._raylet import AuthenticationMode, AuthenticationTokenLoader, get_authentication_mode

    want_token = os.environ.get("RAY_AUTH_MODE", "").lower() == "token"
    if want_token and get_authentication_mode() != AuthenticationMode.TOKEN:
        from ray._private.authentication.authentication_token_setup import _enable_token_auth

        _enable_token_auth()
        AuthenticationTokenLoader.instance().reset_cache()


def prepare_new_cluster(env: Mapping[str, str] | None = None) -> None:
    """Before this process starts a cluster of its own (several nodes, an autoscaler): set ``env`` (e.g. the
    authentication settings), the quiet and token-authenticated environment, and make Ray follow it; raises
    ``RuntimeError`` if a Ray session is already connected here."""
    for k, v in (env or {}).items():
        os.environ[k] = v
    quiet_environment()
    import ray

    silence_python_side()
    if ray.is_initialized():
        raise RuntimeError("a Ray session is already connected in this process: stop it first")
    sync_auth_mode()


def silence_python_side() -> None:
    """Loggers, warnings and Ray Data's context: what Ray resets or reads after import."""
    for name, level in _QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    warnings.filterwarnings("ignore")  # Ray installs its own filter at import: override it afterwards
    from ray.data import DataContext

    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.enable_operator_progress_bars = False
    ctx.print_on_execution_start = False
    ctx.execution_options.preserve_order = True


def start(num_cpus: int | None = None, address: str | None = None, config: RayConfig | None = None) -> RayRuntime:
    """Connect to Ray once per process and return what it connected to.

    ``address`` (default: ``$RAY_ADDRESS``) targets an existing cluster, e.g. ``ray://head:10001`` or ``auto``;
    without one, a local cluster starts here with no dashboard, sized by ``config`` (default
    :func:`mlopsbook.publishing.runtime_budget.ray_config`, from the memory this process is given: ``MEM_LIMIT``, the cgroup,
    the machine): its object store and, unless ``num_cpus`` is given, its CPUs. Calling again returns the running
    session without starting another. Raises ``ValueError`` for ``num_cpus < 1``.
    """
    config = config or ray_config()
    num_cpus = config.num_cpus if num_cpus is None else num_cpus
    if num_cpus < 1:
        raise MlopsbookError(f"num_cpus: must be at least 1 (got {num_cpus})")
    address = address or os.environ.get("RAY_ADDRESS") or None
    quiet_environment()
    import ray

    silence_python_side()
    if not ray.is_initialized():
        sync_auth_mode()
        common = dict(log_to_driver=False, logging_level=logging.ERROR, configure_logging=True)
        if address:
            ray.init(address=address, **common)
        else:
            ray.init(num_cpus=num_cpus, include_dashboard=False, object_store_memory=config.object_store_bytes,
                     _temp_dir=str(session_dir()), _system_config=dict(config.system_config) or None, **common)
        silence_python_side()
    cpus = float(ray.cluster_resources().get("CPU", 0.0))
    return RayRuntime(local=not address, address=address or "local", num_cpus=cpus,
                      config=None if address else config)


def stop() -> None:
    """End the Ray session (and with it any Serve application); the only shutdown that prints nothing."""
    import ray

    if ray.is_initialized():
        ray.shutdown()
