"""Wheels resolved for a Lambda runtime's platform and Python, locked by hash and cached for offline rebuilds.

AWS's documented way to build a Python ``.zip`` package is to install its dependencies for the runtime's platform,
not the build machine's (``pip install --platform manylinux2014_x86_64 --only-binary=:all: --python-version 3.X``).
Here that is two steps:

- :func:`lock` (``mlopsbook infer lock``, run when a pin changes): pip resolves the service's roots for the target
  (``--platform``, ``--python-version``, ``--implementation cp``, ``--abi``, ``--only-binary=:all:``), constrained to
  the versions installed in the project's environment (so the runtime runs the versions the tests ran), and the
  result is written as a hash-pinned requirements file ``lambda/requirements/<name>-<runtime>-<arch>.txt``;
- :func:`fill` downloads what the lock names into the wheel cache ``build/wheelhouse/<runtime>-<arch>/``
  (``pip download --no-deps --require-hashes``) unless every wheel is already there, so a rebuild is offline.

:func:`wheels` then returns the locked wheels' paths, checked against their hashes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from mlopsbook.errors import MlopsbookError
from mlopsbook.lambdakit.distributions import norm, requirement_closure, sha256_file


class WheelhouseError(MlopsbookError):
    """A lock file that cannot be read, or wheels that cannot be resolved or downloaded."""


@dataclass(frozen=True)
class Target:
    """Where the wheels will run: a Lambda runtime (``python3.12``), its CPython (``3.12``, ABI ``cp312``), an
    architecture and the wheel platform tags it accepts (newest glibc last)."""

    runtime: str
    python: str
    abi: str
    arch: str
    platforms: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.runtime}-{self.arch}"

    def pip_args(self) -> list[str]:
        """The ``pip download`` options that select wheels for this target."""
        out = ["--only-binary=:all:", "--python-version", self.python, "--implementation", "cp", "--abi", self.abi]
        for p in self.platforms:
            out += ["--platform", p]
        return out


@dataclass(frozen=True)
class Pin:
    """One locked wheel: distribution name, version and SHA-256 of the wheel file."""

    name: str
    version: str
    sha256: str


def lock_path(name: str, target: Target) -> Path:
    """``lambda/requirements/<name>-<runtime>-<arch>.txt`` under the repository root."""
    from mlopsbook.paths import repo_root

    return repo_root() / "lambda" / "requirements" / f"{name}-{target.name}.txt"


def cache_dir(target: Target) -> Path:
    """``build/wheelhouse/<runtime>-<arch>/`` under the repository root (git-ignored)."""
    from mlopsbook.paths import repo_root

    return repo_root() / "build" / "wheelhouse" / target.name


_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s+--hash=sha256:([0-9a-f]{64})\s*$")


def read_lock(path: Path) -> list[Pin]:
    """The pins of a lock file (``name==version --hash=sha256:<hex>`` per line, ``#`` comments). Raises
    :class:`WheelhouseError` naming the file and line of a malformed entry."""
    if not path.is_file():
        raise WheelhouseError(f"{path}: missing lock file (create it with `mlopsbook infer lock`)")
    pins = []
    for i, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise WheelhouseError(f"{path.name} line {i}: expected 'name==version --hash=sha256:<64 hex>' (got {line!r})")
        pins.append(Pin(norm(m.group(1)), m.group(2), m.group(3)))
    return pins


def wheel_name_version(filename: str) -> tuple[str, str]:
    """``(normalised name, version)`` of a wheel file name (PEP 427)."""
    parts = filename[: -len(".whl")].split("-")
    if not filename.endswith(".whl") or len(parts) < 5:
        raise WheelhouseError(f"{filename}: not a wheel file name")
    return norm(parts[0]), parts[1]


def _pip(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)


def installed_constraints(roots: Iterable[str]) -> list[str]:
    """``name==version`` of every distribution the project's environment installed for ``roots`` (their
    requirement closure), to constrain the resolution for the runtime to the versions tested here."""
    return [f"{d.metadata['Name']}=={d.version}" for d in requirement_closure(roots)]


def lock(name: str, roots: list[str], target: Target, *, constraints: list[str] | None = None) -> Path:
    """Resolve ``roots`` (requirement strings) for ``target`` with pip, against the package index, and write the
    hash-pinned lock :func:`lock_path`. Needs the network. Returns the lock's path."""
    with tempfile.TemporaryDirectory() as tmp:
        cfile = Path(tmp) / "constraints.txt"
        cfile.write_text("".join(f"{c}\n" for c in (constraints or [])))
        dest = Path(tmp) / "wheels"
        proc = _pip(["download", "--quiet", *target.pip_args(), "-c", str(cfile), "-d", str(dest), *roots])
        if proc.returncode != 0:
            raise WheelhouseError(f"pip could not resolve {' '.join(roots)} for {target.name}: "
                                  f"{proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
        lines = []
        for whl in sorted(dest.glob("*.whl")):
            n, v = wheel_name_version(whl.name)
            lines.append(f"{n}=={v} --hash=sha256:{sha256_file(whl)}")
    path = lock_path(name, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# {name} for Lambda {target.runtime} ({target.arch}): wheels for CPython {target.python} "
              f"({target.abi}) on {', '.join(target.platforms)}\n"
              f"# roots: {' '.join(roots)}; written by `mlopsbook infer lock`, read by `make lambda-packages`\n")
    path.write_text(header + "".join(f"{x}\n" for x in sorted(lines)))
    return path


def _cached(target: Target) -> dict[str, Path]:
    folder = cache_dir(target)
    return {sha256_file(p): p for p in sorted(folder.glob("*.whl"))} if folder.is_dir() else {}


def missing(pins: list[Pin], target: Target) -> list[Pin]:
    """The pins whose wheel (by hash) is not in the cache."""
    have = _cached(target)
    return [p for p in pins if p.sha256 not in have]


def fill(lock_file: Path, target: Target) -> list[Path]:
    """Make sure every wheel ``lock_file`` names is in :func:`cache_dir`, downloading only the missing ones
    (``pip download --no-deps --require-hashes``); returns the wheels' paths in the lock's order. Offline when the
    cache is complete."""
    pins = read_lock(lock_file)
    if missing(pins, target):
        dest = cache_dir(target)
        dest.mkdir(parents=True, exist_ok=True)
        proc = _pip(["download", "--quiet", "--no-deps", "--require-hashes", *target.pip_args(), "-d", str(dest),
                     "-r", str(lock_file)])
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
            raise WheelhouseError(f"{lock_file.name}: could not download the locked wheels for {target.name}: {tail}")
    return wheels(lock_file, target)


def wheels(lock_file: Path, target: Target) -> list[Path]:
    """The cached wheel of every pin of ``lock_file`` (checked by SHA-256). Raises :class:`WheelhouseError`
    naming the missing ones (run :func:`fill`)."""
    pins = read_lock(lock_file)
    have = _cached(target)
    absent = [f"{p.name}=={p.version}" for p in pins if p.sha256 not in have]
    if absent:
        raise WheelhouseError(f"{cache_dir(target)}: missing {', '.join(absent)} (run `make lambda-packages` once "
                              f"with the package index reachable)")
    return [have[p.sha256] for p in pins]
