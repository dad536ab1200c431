"""``make publish``: the built site pushed to a ``gh-pages`` branch with ghp-import, against a local bare repository
standing in for GitHub (no network). The book build itself is left out (``-o book``): the recipe after it is what is
tested, on a small site."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlopsbook.paths import repo_root

ROOT = repo_root()
pytestmark = pytest.mark.integration

_GIT_ENV = {"GIT_AUTHOR_NAME": "Author", "GIT_AUTHOR_EMAIL": "author@example.org",
            "GIT_COMMITTER_NAME": "Author", "GIT_COMMITTER_EMAIL": "author@example.org"}


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **_GIT_ENV}
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env=env).stdout


def _publish(book: Path, remote: Path) -> subprocess.CompletedProcess[str]:
    stamps = [a for s in (".venv/.installed", ".venv-airflow/.installed") for a in ("-o", s)]
    return subprocess.run(["make", "--no-print-directory", "-o", "book", *stamps, "publish",
                           f"PUBLISH_REMOTE={remote}", f"BIN={ROOT / '.venv' / 'bin'}"],
                          cwd=book, capture_output=True, text=True, env={**os.environ, **_GIT_ENV})


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """An author's checkout: the project's Makefiles and a built site, with one commit."""
    src = tmp_path / "book"
    src.mkdir()
    shutil.copy(ROOT / "Makefile", src / "Makefile")
    shutil.copytree(ROOT / "mk", src / "mk")
    for req in ("requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / req, src / req)
    html = src / "_build" / "html"
    (html / "notebooks").mkdir(parents=True)
    (html / "index.html").write_text("<h1>The book</h1>", encoding="utf-8")
    (html / "notebooks" / "post.html").write_text("<h1>A post</h1>", encoding="utf-8")
    (html / "_static").mkdir()
    (html / "_static" / "mlopsbook.css").write_text("body{}", encoding="utf-8")
    (src / ".gitignore").write_text("_build/\n", encoding="utf-8")
    _git(src, "init", "-q", "-b", "main")
    _git(src, "add", "-A")
    _git(src, "commit", "-qm", "the book")
    return src


def test_publish_pushes_the_site_to_gh_pages(book: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", str(remote))
    proc = _publish(book, remote)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = set(_git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split())
    assert files == {".nojekyll", "index.html", "notebooks/post.html", "_static/mlopsbook.css"}
    head = _git(book, "rev-parse", "--short", "HEAD").strip()
    assert _git(remote, "log", "-1", "--format=%s", "gh-pages").strip() == f"Publish the book from {head}"
    assert _git(remote, "show", "gh-pages:index.html") == "<h1>The book</h1>"
    # the author's branch is untouched: the site is not committed to main
    assert "_build" not in _git(book, "ls-tree", "-r", "--name-only", "main")

    # publishing again replaces the site: a page removed from the build is gone from gh-pages
    (book / "_build" / "html" / "notebooks" / "post.html").unlink()
    (book / "_build" / "html" / "index.html").write_text("<h1>The book, again</h1>", encoding="utf-8")
    proc = _publish(book, remote)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "notebooks/post.html" not in _git(remote, "ls-tree", "-r", "--name-only", "gh-pages")
    assert _git(remote, "show", "gh-pages:index.html") == "<h1>The book, again</h1>"


def test_publish_to_an_unreachable_remote_fails(book: Path, tmp_path: Path) -> None:
    proc = _publish(book, tmp_path / "no-such-remote.git")
    assert proc.returncode != 0
    assert "no-such-remote" in proc.stderr
