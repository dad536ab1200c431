"""A small book in a temporary folder, built with the project's own `_config.yml`, `Makefile` and environment.

The book gets the checkout's virtual environments by symlink and copies of the files the Makefile's targets depend
on (mtimes kept, so nothing reinstalls), so `make book` runs exactly as in the project: posts checked first, then
`jupyter-book build --warningiserror --nitpick --keep-going`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from mlopsbook.paths import repo_root


def make(tmp: Path, posts: dict[str, str], *, intro: str = "# Tiny book\n\n```{post-list}\n```\n",
         pages: dict[str, str] | None = None, name: str = "book-under-test") -> Path:
    """A book at ``tmp/name`` whose toc lists ``posts`` (slug -> notebook text) and ``pages`` (book/x -> text)."""
    root = repo_root()
    book = tmp / name
    (book / "notebooks").mkdir(parents=True)
    (book / "book").mkdir()
    for fname in ("_config.yml", "Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(root / fname, book / fname)  # copy2 keeps mtimes: the venv stamp stays newer, nothing reinstalls
    shutil.copytree(root / "book" / "_extra", book / "book" / "_extra")
    (book / "book" / "intro.md").write_text(intro)
    for page, text in (pages or {}).items():
        (book / f"{page}.md").write_text(text)
    for slug, text in posts.items():
        (book / "notebooks" / f"{slug}.md").write_text(text)
    write_toc(book, list(posts), list(pages or {}))
    (book / ".venv").symlink_to(root / ".venv")
    # The Makefile's targets of optional engines (the Airflow environment), with their inputs, mtimes kept
    shutil.copytree(root / "mk", book / "mk")
    shutil.copytree(root / "data", book / "data")  # the library's models read their dated inputs at import
    (book / "airflow").mkdir()
    for f in (root / "airflow").iterdir():  # the Airflow environment's inputs (requirements, constraints, make-env)
        if f.is_file():
            shutil.copy2(f, book / "airflow" / f.name)
    (book / ".venv-airflow").symlink_to(root / ".venv-airflow")
    return book


def write_toc(book: Path, posts: list[str], pages: list[str] = ()) -> None:  # type: ignore[assignment]
    lines = ["format: jb-book", "root: book/intro", "chapters:"]
    lines += [f"  - file: notebooks/{slug}" for slug in posts]
    lines += [f"  - file: {page}" for page in pages]
    (book / "_toc.yml").write_text("\n".join(lines) + "\n")


def build(book: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    """``make -C book book`` with the book as the library's root."""
    env = {**os.environ, "MLOPSBOOK_ROOT": str(book)}
    return subprocess.run(["make", "-C", str(book), "book"], capture_output=True, text=True, env=env, timeout=timeout)


def tail(r: subprocess.CompletedProcess, n: int = 4000) -> str:
    return r.stdout[-n:] + r.stderr[-n:]
