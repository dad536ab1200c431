"""Where the project's files live, independent of the current working directory.

Notebooks run with their own folder as the working directory (the book build, nbval on snapshots, Binder), so every
path the library opens is resolved from the repository root, never from ``os.getcwd()``.
"""

from __future__ import annotations

import os
from pathlib import Path

_MARKER = "_config.yml"


def repo_root() -> Path:
    """The repository root: ``$MLOPSBOOK_ROOT`` if set, else the checkout this package was installed from.

    Raises ``FileNotFoundError`` naming the folders searched when no ``_config.yml`` is found.
    """
    env = os.environ.get("MLOPSBOOK_ROOT")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2])
    candidates.extend([Path.cwd(), *Path.cwd().parents])
    for c in candidates:
        if (c / _MARKER).is_file():
            return c
    raise FileNotFoundError(
        f"cannot find the book's root (a folder holding {_MARKER}); searched: {', '.join(map(str, candidates))}"
    )


def data_path(*parts: str) -> Path:
    """A file under ``data/``; raises ``FileNotFoundError`` naming the path when it does not exist."""
    p = repo_root().joinpath("data", *parts)
    if not p.exists():
        raise FileNotFoundError(f"missing data file: {p.relative_to(repo_root())}")
    return p


def notebooks_dir() -> Path:
    """The folder of post notebooks (``notebooks/``)."""
    return repo_root() / "notebooks"
