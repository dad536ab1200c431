"""Start Ray once, quietly: a local cluster on this machine, or the remote one that ``RAY_ADDRESS`` names.

Every setting here was needed to make notebook cell output identical across runs (see the project's Ray notes):
Ray's usage stats, Data progress bars and log lines, driver log forwarding, Serve access logs and Python warnings are
all switched off. Session files go to ``<repo>/.ray/session/`` (ignored by git) instead of ``/tmp/ray``.

The local cluster always runs with Ray's token authentication on (``RAY_AUTH_MODE=token``): every request to its
GCS, dashboard and Jobs API must carry the cluster's token, so another user or process on the machine that can reach
its ports cannot submit code to it. The token is read from ``RAY_AUTH_TOKEN`` or ``RAY_AUTH_TOKEN_PATH`` when set;
otherwise :func:`local_token` creates a random one in ``<repo>/.ray/auth_token``, used by every process the cluster
starts (they inherit the environment). ``<repo>/.ray`` is this user's alone (0700, owner checked): Ray makes its own
temp folder world-writable, so that folder (``.ray/session``) sits inside it, where no other local user can reach
it, read the token or swap it; the token is created exclusively, never through a symlink, and checked (owner, mode,
regular file) before every use. A remote cluster (``RAY_ADDRESS``) keeps whatever
``RAY_AUTH_MODE``/``RAY_AUTH_TOKEN`` the caller set: its token is the cluster's (see ``deploy/SECURITY.md``).

>>> from mlopsbook.engine import ray_runtime
>>> info = ray_runtime.start()          # doctest: +SKIP
>>> info.local, info.num_cpus            # doctest: +SKIP
(True, 2.0)
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

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


STATE_DIR = ".ray"
"""The local cluster's private folder under the repository root (ignored by git): mode 0700, owned by this user."""
SESSION_DIR = "session"
"""Ray's temp folder (``RAY_TMPDIR``) inside :data:`STATE_DIR`: Ray makes it 0777, its 0700 parent keeps others out."""
TOKEN_FILE = "auth_token"
"""Name of the local cluster's token file in :func:`state_dir` (Ray's own default is ``~/.ray/auth_token``)."""


class UnsafeStateError(MlopsbookError):
    """The local cluster's folder or token is not this user's alone (another owner, a symlink, loose permissions)."""


def _private_dir(path: Path) -> Path:
    """``path`` as a folder only this user can enter: created 0700, or checked (not a symlink, owned by this user)
    and tightened to 0700. Raises :class:`UnsafeStateError`."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeStateError(f"{path}: must be a folder, not {'a symlink' if stat.S_ISLNK(st.st_mode) else 'a file'}"
                               "; remove it")
    if st.st_uid != os.geteuid():
        raise UnsafeStateError(f"{path}: owned by uid {st.st_uid}, not by you (uid {os.geteuid()}); remove it")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700, follow_symlinks=False)
    return path


def state_dir(root: Path | None = None) -> Path:
    """The local cluster's private folder (``<repo>/.ray``, mode 0700, this user's): the token and Ray's sessions."""
    return _private_dir((root or repo_root()) / STATE_DIR)


def session_dir(root: Path | None = None) -> Path:
    """The folder for Ray's session files (``RAY_TMPDIR``): ``<repo>/.ray/session``, created if missing. Ray makes
    it world-writable; :func:`state_dir` around it is 0700, so no other user reaches it."""
    return _private_dir(state_dir(root) / SESSION_DIR)


def _check_token(path: Path) -> bool:
    """Whether the token file exists and holds a token; raises :class:`UnsafeStateError` if it is not a regular file
    of this user's that only this user can read or write. Never follows a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError as exc:  # ELOOP: a symlink
        raise UnsafeStateError(f"{path}: cannot be opened safely ({exc.strerror}); remove it") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeStateError(f"{path}: not a regular file; remove it")
        if st.st_uid != os.geteuid():
            raise UnsafeStateError(f"{path}: owned by uid {st.st_uid}, not by you (uid {os.geteuid()}); remove it")
        if stat.S_IMODE(st.st_mode) & 0o077:
            raise UnsafeStateError(f"{path}: mode {stat.S_IMODE(st.st_mode):o} lets others read or write it; remove it")
        return bool(os.read(fd, 256).strip())
    finally:
        os.close(fd)


def local_token(folder: Path | None = None) -> Path:
    """The local cluster's token file (``<repo>/.ray/auth_token``), created with a random token if missing.

    The token is 32 random bytes as hex (what ``ray get-auth-token --generate`` makes). It lives in a folder only
    this user can enter (0700); it is created exclusively (``O_EXCL``, never through a symlink, mode 0600) and an
    existing one is used only if it is a regular file of this user's that nobody else can read or write (else
    :class:`UnsafeStateError`).
    """
    path = _private_dir(folder) / TOKEN_FILE if folder is not None else state_dir() / TOKEN_FILE
    if _check_token(path):
        return path
    path.unlink(missing_ok=True)  # an empty token file of this user's
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise UnsafeStateError(f"{path}: appeared while the token was being created; remove it") from None
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
            session_dir()  # Ray made it 0777: back to 0700 (its 0700 parent already keeps others out)
        silence_python_side()
    cpus = float(ray.cluster_resources().get("CPU", 0.0))
    return RayRuntime(local=not address, address=address or "local", num_cpus=cpus,
                      config=None if address else config)


def stop() -> None:
    """End the Ray session (and with it any Serve application); the only shutdown that prints nothing."""
    import ray

    if ray.is_initialized():
        ray.shutdown()
