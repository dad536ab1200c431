"""Start Ray once, quietly: a local cluster on this machine, or the remote one that ``RAY_ADDRESS`` names.

Every setting here was needed to make notebook cell output identical across runs (see the project's Ray notes):
Ray's usage stats, Data progress bars and log lines, driver log forwarding, Serve access logs and Python warnings are
all switched off. Session files go to ``<repo>/.ray/`` (ignored by git) instead of ``/tmp/ray``, and the token
authentication Ray 2.60 enables by default is disabled for the local cluster only (a remote cluster keeps whatever
``RAY_AUTH_MODE`` says).

>>> from mlopsbook.rayengine import ray_runtime
>>> info = ray_runtime.start()          # doctest: +SKIP
>>> info.local, info.num_cpus            # doctest: +SKIP
(True, 2.0)
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from mlopsbook.paths import repo_root
from mlopsbook.runtime_budget import RayConfig, ray_config

QUIET_ENV: dict[str, str] = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_DATA_LOG_LEVEL": "ERROR",
    "RAY_DATA_DISABLE_PROGRESS_BARS": "1",
}
"""Environment set before ``import ray`` (only where the user has not set the variable)."""

LOCAL_OBJECT_STORE_BYTES = 512 * 1024**2
"""Object store of the local cluster where memory is plentiful (:data:`mlopsbook.runtime_budget.FULL`)."""

_QUIET_LOGGERS = {"ray": logging.ERROR, "ray.serve": logging.ERROR, "ray.data": logging.ERROR,
                  "ray.widgets.util": logging.WARNING, "ray.train": logging.ERROR}


@dataclass(frozen=True)
class RayRuntime:
    """What :func:`start` connected to: a local cluster or a remote one (``address``), its CPUs, and for a local
    cluster the configuration chosen for the memory given (:mod:`mlopsbook.runtime_budget`)."""

    local: bool
    address: str
    num_cpus: float
    config: RayConfig | None = None


def session_dir() -> Path:
    """The folder for Ray's session files (``RAY_TMPDIR``): ``<repo>/.ray``, created if missing."""
    d = repo_root() / ".ray"
    d.mkdir(exist_ok=True)
    return d


def quiet_environment() -> None:
    """Set the environment variables Ray reads at import time; call before the first ``import ray``."""
    for k, v in QUIET_ENV.items():
        os.environ.setdefault(k, v)
    if not os.environ.get("RAY_ADDRESS"):
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        os.environ.setdefault("RAY_TMPDIR", str(session_dir()))


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
    :func:`mlopsbook.runtime_budget.ray_config`, from the memory this process is given: ``MEM_LIMIT``, the cgroup,
    the machine): its object store and, unless ``num_cpus`` is given, its CPUs. Calling again returns the running
    session without starting another. Raises ``ValueError`` for ``num_cpus < 1``.
    """
    config = config or ray_config()
    num_cpus = config.num_cpus if num_cpus is None else num_cpus
    if num_cpus < 1:
        raise ValueError(f"num_cpus: must be at least 1 (got {num_cpus})")
    address = address or os.environ.get("RAY_ADDRESS") or None
    quiet_environment()
    import ray

    silence_python_side()
    if not ray.is_initialized():
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
