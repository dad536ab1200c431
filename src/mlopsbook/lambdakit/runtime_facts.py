"""The Lambda runtime a package is built for: its facts, the runtimes it is checked against, and the CPython that
stands in for it here.

- :class:`Runtime`, the one model of a Lambda runtime; :func:`facts`: the managed runtime packages are built for
  (``python3.12`` on Amazon Linux 2023): its row of :data:`RUNTIMES_FILE` (CPython, OS, glibc) with the wheel
  platform tags per architecture and their sources from ``data/inference/``;
- :func:`lambda_limits_mb`: Lambda's package limits, from the fact registry (:mod:`mlopsbook.facts`);
- :func:`runtimes` and :func:`check_runtime`: every Lambda Python runtime and whether a package's compiled
  dependencies load on it;
- :func:`find_python` and :func:`client_python`: the runtime's CPython on this machine, and a fresh virtual
  environment of it holding only AWS's runtime interface client ``awslambdaric``, at the version locked in
  ``lambda/requirements/``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from mlopsbook.errors import MlopsbookError
from mlopsbook.lambdakit.wheelhouse import Target

RUNTIME_FILE = "lambda-runtime-python3.12-v2026-11-30.json"
"""The runtime's facts (``data/inference/``): see that folder's README for the sources."""

RUNTIMES_FILE = "lambda-python-runtimes-v2025-06.csv"
"""Every Lambda Python runtime: CPython version, OS and glibc, with sources (``data/inference/``)."""

CLIENT_LOCK = "runtime-client"
"""Name of the lock of AWS's runtime interface client (``lambda/requirements/runtime-client-<runtime>-<arch>.txt``)."""


class LambdaRuntimeError(MlopsbookError):
    """A runtime facts file that cannot be read, or a runtime that cannot be started here."""


@dataclass(frozen=True)
class Runtime:
    """A managed Lambda Python runtime: identifier, CPython version, operating system and its glibc, with its source
    (every runtime of :data:`RUNTIMES_FILE`); for the runtime packages are built for (:func:`facts`), also the wheel
    platform tags per architecture, the sources of each and the file they come from."""

    runtime: str
    python: str
    os: str
    glibc: tuple[int, int]
    source: str
    platforms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: tuple[Mapping[str, str], ...] = ()
    file: str = ""

    @property
    def abi(self) -> str:
        """The CPython ABI tag (``cp312``)."""
        return "cp" + self.python.replace(".", "")

    def target(self, arch: str = "x86_64") -> Target:
        """The wheel target of this runtime on ``arch`` (``x86_64`` or ``arm64``)."""
        if arch not in self.platforms:
            raise LambdaRuntimeError(f"arch: must be one of {', '.join(self.platforms) or '(none known)'} for "
                                     f"{self.runtime} (got {arch!r})")
        return Target(self.runtime, self.python, self.abi, arch, self.platforms[arch])


def facts(name: str = RUNTIME_FILE) -> Runtime:
    """The runtime packages are built for: its row of :data:`RUNTIMES_FILE` with the wheel platforms and sources of
    ``data/inference/<name>``; raises :class:`LambdaRuntimeError` naming the file and the missing or malformed field."""
    from mlopsbook.paths import data_path

    path = data_path("inference", name)
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise LambdaRuntimeError(f"data/inference/{name}: not JSON ({exc.msg} at line {exc.lineno})") from None
    for key in ("runtime", "architectures", "sources"):
        if key not in raw:
            raise LambdaRuntimeError(f"data/inference/{name}: missing field {key!r}")
    known = {r.runtime: r for r in runtimes()}
    if raw["runtime"] not in known:
        raise LambdaRuntimeError(f"data/inference/{name}: runtime {raw['runtime']!r} is not in "
                                 f"data/inference/{RUNTIMES_FILE} (have {', '.join(known)})")
    try:
        platforms = {a: tuple(v["platforms"]) for a, v in raw["architectures"].items()}
    except (AttributeError, KeyError, TypeError):
        raise LambdaRuntimeError(f"data/inference/{name}: architectures must map each arch to its platforms") from None
    return replace(known[raw["runtime"]], platforms=platforms, sources=tuple(raw["sources"]), file=name)


# -- the runtime's CPython and the runtime interface client ----------------------------------------------------------
def find_python(version: str) -> Path | None:
    """An interpreter of CPython ``version`` (``"3.12"``) on this machine: pyenv's newest ``3.12.*`` (under
    ``$PYENV_ROOT``, ``pyenv root``, the installation of the ``pyenv`` on the ``PATH``, or ``~/.pyenv``), else
    ``python3.12`` on the ``PATH``; ``None`` if there is none."""
    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    pyenv = shutil.which("pyenv")
    if pyenv:
        out = subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=30)
        if out.returncode == 0 and out.stdout.strip():
            roots.append(Path(out.stdout.strip()))
        roots.append(Path(pyenv).resolve().parents[1])  # <root>/libexec/pyenv, linked from <root>/bin/pyenv
    roots.append(Path.home() / ".pyenv")
    for root in roots:
        found = sorted((root / "versions").glob(f"{version}.*/bin/python{version}"),
                       key=lambda p: tuple(int(x) if x.isdigit() else -1 for x in p.parts[-3].split(".")))
        if found:
            return found[-1]
    which = shutil.which(f"python{version}")
    return Path(which) if which else None


def client_python(rt: Runtime, arch: str = "x86_64", folder: Path | None = None) -> Path:
    """The interpreter of a virtual environment of the runtime's CPython holding only ``awslambdaric`` and what it
    requires, at the locked versions (built once into ``build/lambda-runtime/<runtime>-<arch>/``; offline once the
    wheel cache is filled). Raises :class:`LambdaRuntimeError` when no such CPython is installed here."""
    from mlopsbook.lambdakit import wheelhouse
    from mlopsbook.paths import repo_root

    base = find_python(rt.python)
    if base is None:
        raise LambdaRuntimeError(f"no CPython {rt.python} here (pyenv install {rt.python} or a python{rt.python} on PATH)")
    target = rt.target(arch)
    lock = wheelhouse.lock_path(CLIENT_LOCK, target)
    wheels = wheelhouse.fill(lock, target)
    venv = Path(folder) if folder is not None else repo_root() / "build" / "lambda-runtime" / target.name
    stamp = venv / ".locked"
    py = venv / "bin" / "python"
    if stamp.is_file() and stamp.read_text() == lock.read_text() and py.is_file():
        return py
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    # Install the locked wheels with the project's pip into the new environment (it has no pip of its own).
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "--isolated", "--python", str(py), "install", "--quiet", "--no-deps",
         "--no-index", "--no-compile", *map(str, wheels)], capture_output=True, text=True)
    if inst.returncode != 0:
        raise LambdaRuntimeError(f"could not install {lock.name} into {venv}: {inst.stderr.strip()[-300:]}")
    stamp.write_text(lock.read_text())
    return py


# -- runtimes --------------------------------------------------------------------------------------------------------
LIMIT_FACTS = {"zip_direct_upload": "aws.lambda.zip.direct_upload_max_mb", "unzipped": "aws.lambda.zip.unzipped_max_mb",
               "container_image": "aws.lambda.container_image.max_mb"}
"""Lambda's package limits by name, and the fact of the registry that holds each."""


def runtimes() -> list[Runtime]:
    """The Lambda Python runtimes in ``data/inference/`` (see its README for sources)."""
    from mlopsbook.paths import data_path

    path = data_path("inference", RUNTIMES_FILE)
    out = []
    with open(path, newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            try:
                major, minor = (int(x) for x in row["glibc"].split("."))
                out.append(Runtime(row["runtime"], row["python"], row["os"], (major, minor), row["source"]))
            except (KeyError, ValueError) as exc:
                raise LambdaRuntimeError(f"data/inference/{path.name}: row {i}: {exc}") from None
    return out


def lambda_limits_mb() -> dict[str, float]:
    """Lambda package limits in MB (``zip_direct_upload``, ``unzipped``, ``container_image``), from the registry."""
    from mlopsbook import facts as registry

    return {name: registry.number(fid) for name, fid in LIMIT_FACTS.items()}


@dataclass(frozen=True)
class RuntimeCheck:
    """Whether a package's compiled dependencies load on a runtime, and why not."""

    runtime: str
    compatible: bool
    reason: str


def check_runtime(python: str, needs_glibc: tuple[int, int] | None, runtime: Runtime) -> RuntimeCheck:
    """Can a package built for CPython ``python`` needing glibc ``needs_glibc`` run on ``runtime``?"""
    if runtime.python != python:
        return RuntimeCheck(runtime.runtime, False, f"built for CPython {python}, runtime has {runtime.python}")
    if needs_glibc is not None and needs_glibc > runtime.glibc:
        need = ".".join(map(str, needs_glibc))
        have = ".".join(map(str, runtime.glibc))
        return RuntimeCheck(runtime.runtime, False, f"needs glibc >= {need}, {runtime.os} has {have}")
    return RuntimeCheck(runtime.runtime, True, "ok")
