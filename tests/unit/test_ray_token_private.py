"""The local cluster's token is the author's alone: another local user can neither read nor replace it, even after
Ray has made its temp folder world-writable; a token file that is not the author's own is refused."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest

from mlopsbook.engine import ray_runtime

NOBODY = 65534
"""The unprivileged uid/gid the other user runs as (``nobody`` on Debian)."""


@pytest.fixture()
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository folder other users can traverse (0755 under /tmp), as the author's checkout usually is."""
    root = Path(tempfile.mkdtemp(prefix="h28-repo-", dir="/tmp"))
    root.chmod(0o755)
    (root / "README.md").write_text("public\n")
    (root / "README.md").chmod(0o644)
    monkeypatch.setattr(ray_runtime, "repo_root", lambda: root)
    yield root
    import shutil

    shutil.rmtree(root, ignore_errors=True)


def _as_other_user(token: Path, repo: Path) -> dict[str, str]:
    """What another local user gets trying to read the token, replace it, or plant a link beside it (a forked child
    that drops to uid/gid 65534)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the other user
        os.close(r)
        out: dict[str, str] = {}
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            scratch = Path(tempfile.mkdtemp(dir="/tmp"))
            evil = scratch / "evil"
            evil.write_text("0" * 64)

            def attempt(name: str, action) -> None:  # noqa: ANN001
                try:
                    action()
                    out[name] = "done"
                except OSError as exc:
                    out[name] = type(exc).__name__

            attempt("read_public", lambda: (repo / "README.md").read_text())
            attempt("read_token", token.read_text)
            attempt("replace_token", lambda: os.replace(evil, token))
            attempt("unlink_token", token.unlink)
            attempt("link_beside", lambda: os.symlink(evil, token.parent / "planted"))
            attempt("list_folder", lambda: os.listdir(token.parent))
            attempt("enter_session", lambda: os.listdir(token.parent / "session"))
        except BaseException as exc:  # noqa: BLE001 - report, never leave the forked test runner alive
            out["error"] = repr(exc)
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(data)


def test_another_local_user_cannot_read_or_replace_the_token(repo: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to act as another local user (setuid); run the tests as root or in the CI container")
    token = ray_runtime.local_token()
    before = token.read_text()
    # what Ray does to its temp folder when a cluster starts (ray._common.utils.try_to_create_directory)
    from ray._common.utils import try_to_create_directory

    try_to_create_directory(str(ray_runtime.session_dir()))
    seen = _as_other_user(token, repo)
    assert "error" not in seen, seen
    assert seen["read_public"] == "done"  # the other user does reach the repository
    assert seen["read_token"] == "PermissionError"
    assert seen["replace_token"] == "PermissionError"
    assert seen["unlink_token"] == "PermissionError"
    assert seen["link_beside"] == "PermissionError"
    assert seen["list_folder"] == "PermissionError"
    assert seen["enter_session"] == "PermissionError"
    assert ray_runtime.local_token().read_text() == before
    assert stat.S_IMODE(token.parent.stat().st_mode) == 0o700


def test_a_token_that_is_a_symlink_is_refused_and_not_followed(repo: Path) -> None:
    target = repo / "elsewhere"
    target.write_text("attacker-known-token")
    state = ray_runtime.state_dir()
    (state / ray_runtime.TOKEN_FILE).symlink_to(target)
    with pytest.raises(ray_runtime.UnsafeStateError, match="remove it"):
        ray_runtime.local_token()
    assert target.read_text() == "attacker-known-token"


def test_a_token_readable_by_others_is_refused(repo: Path) -> None:
    token = ray_runtime.local_token()
    token.chmod(0o644)
    with pytest.raises(ray_runtime.UnsafeStateError, match="mode 644"):
        ray_runtime.local_token()


def test_a_token_owned_by_another_user_is_refused(repo: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user (chown)")
    token = ray_runtime.local_token()
    os.chown(token, NOBODY, NOBODY)
    with pytest.raises(ray_runtime.UnsafeStateError, match="owned by uid 65534"):
        ray_runtime.local_token()


def test_a_loose_state_folder_is_tightened_and_a_foreign_one_refused(repo: Path) -> None:
    (repo / ".ray").mkdir(mode=0o777)
    os.chmod(repo / ".ray", 0o777)
    assert stat.S_IMODE(ray_runtime.state_dir().stat().st_mode) == 0o700
    if os.geteuid() == 0:
        os.chown(repo / ".ray", NOBODY, NOBODY)
        with pytest.raises(ray_runtime.UnsafeStateError, match="not by you"):
            ray_runtime.state_dir()


def test_a_state_folder_that_is_a_symlink_is_refused(repo: Path, tmp_path: Path) -> None:
    (repo / ".ray").symlink_to(tmp_path)
    with pytest.raises(ray_runtime.UnsafeStateError, match="symlink"):
        ray_runtime.local_token()
