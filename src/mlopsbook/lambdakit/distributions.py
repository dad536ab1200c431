"""Installed distributions and files, as the Lambda toolchain sees them: the PEP 503 name, a file's SHA-256, the
closure of a requirement over the installed distributions, their files and wheel tags, and the oldest glibc a wheel's
tags accept. Shared by :mod:`mlopsbook.lambdakit.wheelhouse` and :mod:`mlopsbook.lambdakit.packaging`.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata
from pathlib import Path
from typing import Iterable


def norm(name: str) -> str:
    """A distribution name normalised as PEP 503 does (``Jinja2`` -> ``jinja2``, ``spacy_legacy`` -> ``spacy-legacy``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def requirement_closure(roots: Iterable[str]) -> list[metadata.Distribution]:
    """Every installed distribution needed by ``roots`` (names), following ``Requires-Dist`` (markers evaluated
    for this interpreter, extras followed only when requested). Raises ``PackageNotFoundError`` naming a
    required distribution that is not installed."""
    from packaging.requirements import Requirement

    seen: dict[str, metadata.Distribution] = {}
    todo: list[tuple[str, frozenset[str]]] = [(r, frozenset()) for r in roots]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        key = (norm(name), extras)
        if key in done:
            continue
        done.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise metadata.PackageNotFoundError(f"{name} (required, not installed)") from None
        seen[norm(dist.metadata["Name"])] = dist
        for spec in dist.requires or []:
            req = Requirement(spec)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if req.marker is not None and not any(req.marker.evaluate(env) for env in envs):
                continue
            todo.append((req.name, frozenset(req.extras)))
    return [seen[k] for k in sorted(seen)]


def min_glibc(tags: Iterable[str]) -> tuple[int, int] | None:
    """The oldest glibc any of the wheel's tags accepts (``manylinux2014`` = 2.17, ``manylinux_2_28`` = 2.28);
    ``None`` for a pure-Python or non-manylinux wheel."""
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    best: tuple[int, int] | None = None
    for tag in tags:
        plat = tag.split("-")[-1]
        m = re.match(r"manylinux_(\d+)_(\d+)_", plat)
        v = (int(m.group(1)), int(m.group(2))) if m else next((g for k, g in legacy.items() if plat.startswith(k)), None)
        if v is not None and (best is None or v < best):
            best = v
    return best
