"""Lambda deployment packages built for the Lambda runtime, reproducibly and offline.

- :func:`build_lambda_zip`: one deployment ``.zip`` per service for the chosen runtime
  (:mod:`mlopsbook.lambdakit.runtime_facts`, ``python3.12`` on Amazon Linux 2023): the entry module
  (``lambda/<service>_function.py``), the handler code, the model wheel's contents and the service's dependencies,
  unpacked from wheels resolved **for the runtime's platform and CPython** and locked by hash
  (:mod:`mlopsbook.lambdakit.wheelhouse`), never from this machine's environment.
- Only what the handler uses at run time: the unpacked tree is run once by the runtime's CPython (isolated, no
  site-packages) on every fixture event; the files it imports, opens or maps (:func:`trace`) decide what stays
  (:func:`prune`): a distribution none of whose files is used goes, and so does every folder inside a kept one
  that holds no used file (tests, headers, other languages' data); type stubs and C sources never ship.
- Reproducible: entries in sorted order, timestamps fixed at :data:`EPOCH` (also ``SOURCE_DATE_EPOCH`` for wheels),
  fixed permissions, no ``__pycache__``. Two builds from the same inputs are byte-identical (the tests check it).
- :func:`write_container_context`: the way out when a service cannot fit a zip: the build context of a Lambda
  container image on AWS's base image of the same runtime. Docker is not available here, so it is not built.

Sizes are bytes (``*_bytes``) or MB of 10**6 bytes (``*_mb``, as AWS states its limits).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from mlopsbook.errors import MlopsbookError
from mlopsbook.lambdakit.model_wheels import EPOCH, SERVICES, ZIP_TIME, Artifact, build_wheels, library_files
from mlopsbook.lambdakit.runtime_facts import lambda_limits_mb

# -- Lambda zips -----------------------------------------------------------------------------------------------------
@dataclass
class LambdaPackage:
    """A built Lambda deployment zip and what it holds (sizes in bytes, read back from the zip itself)."""

    service: str
    runtime: str
    arch: str
    zip: Artifact
    unzipped_bytes: int
    n_files: int
    distributions: dict[str, str]
    distribution_bytes: dict[str, int]
    dropped: dict[str, str]
    needs_glibc: str
    audit_problems: list[str] = field(default_factory=list)
    staged_bytes: int = 0
    """Unzipped size of everything the locked wheels hold, before pruning and stripping."""
    debug_info_bytes: int = 0
    """Debugging information removed from the kept ELF files."""

    @property
    def zipped_mb(self) -> float:
        return self.zip.size_bytes / 1e6

    @property
    def unzipped_mb(self) -> float:
        return self.unzipped_bytes / 1e6


HANDLER_CODE = "(handler code)"
"""Distribution name given to the entry module and the ``mlopsbook`` modules in the size tables."""

NEVER_SHIP = (".pyi", ".pxd", ".pyx", ".pxi", ".h", ".hpp", ".c", ".cc", ".cpp", ".typed")
"""Suffixes of files no run time needs (type stubs, Cython and C sources, headers, ``py.typed``)."""


def _zip_write(zf: zipfile.ZipFile, arcname: str, data: bytes, executable: bool) -> None:
    info = zipfile.ZipInfo(arcname, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so the permission bits below are honoured
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def _wheel_members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as zf:
        return {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}


def _wheel_requires(wheel: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a wheel's METADATA (requirement strings, extras markers left out)."""
    from packaging.requirements import Requirement

    for name, data in _wheel_members(wheel).items():
        if name.endswith(".dist-info/METADATA"):
            out = []
            for line in data.decode().splitlines():
                if line.startswith("Requires-Dist:"):
                    req = Requirement(line.split(":", 1)[1].strip())
                    if req.marker is None or "extra" not in str(req.marker):
                        out.append(str(req))
            return out
    return []


def _dist_of_wheel(wheel: Path) -> str:
    from mlopsbook.lambdakit.wheelhouse import wheel_name_version

    return wheel_name_version(wheel.name)[0]


@dataclass(frozen=True)
class Member:
    """One file of a package being assembled: its bytes, whether it is executable, the distribution it comes
    from."""

    data: bytes
    executable: bool
    dist: str


def _unpack_wheel(wheel: Path, files: dict[str, Member]) -> None:
    """Add a wheel's files as ``pip install --target`` lays them out (``*.data/purelib|platlib`` at the root;
    scripts, headers and ``RECORD`` left out: nothing runs or checks them in Lambda)."""
    dist = _dist_of_wheel(wheel)
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            if name.endswith("/"):
                continue
            head, _, rest = name.partition("/")
            if head.endswith(".data"):
                kind, _, rel = rest.partition("/")
                if kind not in ("purelib", "platlib"):
                    continue
                name = rel
            if name.endswith(".dist-info/RECORD") or "__pycache__/" in name or name.endswith(".pyc"):
                continue
            if name.endswith(NEVER_SHIP):
                continue
            mode = (info.external_attr >> 16) & 0o777
            executable = name.endswith(".so") or ".so." in name or bool(mode & 0o100)
            files[name] = Member(zf.read(info), executable, dist)


def stage(service: str, model_wheel: Path, runtime_wheels: list[Path]) -> dict[str, Member]:
    """Every file a service's package could hold, by archive name: the entry module and handler code, the model
    wheel and the runtime wheels, unpacked. Raises ``ValueError`` naming an unknown service and
    ``FileNotFoundError`` naming a missing file."""
    from mlopsbook.paths import repo_root

    if service not in SERVICES:
        raise MlopsbookError(f"service: must be one of {', '.join(SERVICES)} (got {service!r})")
    spec = SERVICES[service]
    root = repo_root()
    files: dict[str, Member] = {}
    for wheel in runtime_wheels:
        _unpack_wheel(wheel, files)
    _unpack_wheel(model_wheel, files)
    entry = root / "lambda" / str(spec["entry"])
    if not entry.is_file():
        raise FileNotFoundError(f"missing Lambda entry module: lambda/{spec['entry']}")
    files[str(spec["entry"])] = Member(entry.read_bytes(), False, HANDLER_CODE)
    lib = root / "src" / "mlopsbook"
    for rel in library_files(service):
        files[f"mlopsbook/{rel}"] = Member((lib / rel).read_bytes(), False, HANDLER_CODE)
    return files


def write_tree(files: Mapping[str, Member], folder: Path) -> Path:
    """Write ``files`` under ``folder`` (as Lambda unpacks the zip into ``/var/task``); returns the folder."""
    for name in sorted(files):
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(files[name].data)
        p.chmod(0o755 if files[name].executable else 0o644)
    return folder


_TRACER = r"""
import json, os, sys
root, handler_spec, events_file, out_file = sys.argv[1:5]
root = os.path.realpath(root)
seen = set()
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes)):
        seen.add(os.fsdecode(args[0]))
sys.addaudithook(hook)
sys.path.insert(0, root)
import importlib
mod_name, fn = handler_spec.rsplit(".", 1)
handler = getattr(importlib.import_module(mod_name), fn)
answers = [handler(e, None) for e in json.load(open(events_file))]
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f:
        seen.add(f)
with open("/proc/self/maps") as fh:
    for line in fh:
        parts = line.split()
        if len(parts) >= 6 and parts[5].startswith("/"):
            seen.add(parts[5])
used = sorted({os.path.relpath(os.path.realpath(p), root) for p in seen
               if os.path.realpath(p).startswith(root + os.sep) and os.path.isfile(p)})
json.dump({"used": used, "statuses": [a.get("statusCode") for a in answers]}, open(out_file, "w"))
"""


def trace_events() -> list[Any]:
    """The events the trace sends: every API Gateway fixture in ``tests/fixtures/events`` (good and bad) and a
    twenty-page document, so every code path of the handler runs."""
    from mlopsbook.nlp import corpus
    from mlopsbook.paths import repo_root

    folder = repo_root() / "tests" / "fixtures" / "events"
    events = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if p.name != "expected.json"]
    long_doc = corpus.documents_of_length(10000, 1, seed=11)[0].text
    events.append({"httpMethod": "POST", "headers": {"Content-Type": "application/json"},
                   "body": json.dumps({"text": long_doc}), "isBase64Encoded": False})
    return events


def trace(files: Mapping[str, Member], handler: str, python: Path) -> set[str]:
    """The archive names the handler uses at run time: imported modules, files opened and shared libraries mapped
    while the runtime's CPython (``python -I -S``: no site-packages, nothing but the tree on the path) imports the
    entry module and answers :func:`trace_events`. Raises ``RuntimeError`` with the child's error when it fails."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = write_tree(files, Path(tmp) / "task")
        events = Path(tmp) / "events.json"
        events.write_text(json.dumps(trace_events()))
        out = Path(tmp) / "used.json"
        env = {"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        proc = subprocess.run([str(python), "-I", "-S", "-B", "-c", _TRACER, str(tree), handler, str(events), str(out)],
                              capture_output=True, text=True, env=env, cwd=tmp)
        if proc.returncode != 0:
            raise RuntimeError(f"tracing {handler} with {python} failed:\n{proc.stderr[-3000:]}")
        return set(json.loads(out.read_text())["used"])


def prune(files: Mapping[str, Member], used: set[str]) -> tuple[dict[str, Member], dict[str, str]]:
    """Keep what the handler uses: a distribution with no used file goes whole (with its ``.dist-info``); inside a
    kept one, a folder none of whose files or sub-folders' files is used goes. Top-level single-file modules stay
    only if used. Returns ``(kept files, {dropped distribution: why})``."""
    live = {""}
    for u in used:
        parts = u.split("/")[:-1]
        live.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    kept: dict[str, Member] = {}
    for name, m in files.items():
        parent = name.rsplit("/", 1)[0] if "/" in name else ""
        if ".dist-info/" in name:
            continue
        if (parent == "" and name in used) or (parent != "" and parent in live):
            kept[name] = m
    dists_kept = {m.dist for m in kept.values()}
    for name, m in files.items():
        if ".dist-info/" in name and m.dist in dists_kept:
            kept[name] = m
    dropped = {d: "not imported by the handler" for d in sorted({m.dist for m in files.values()} - dists_kept)}
    return kept, dropped


def strip_debug(files: Mapping[str, Member]) -> tuple[dict[str, Member], int]:
    """The files with the debugging information (DWARF ``.debug_*`` sections) removed from every ELF file by
    binutils' ``strip --strip-debug``, which leaves code, dynamic symbols and symbol versions as they are (what
    distributions ship; the Serverless Framework's ``slim`` option does the same). Returns ``(files, bytes saved)``.
    Raises ``RuntimeError`` when ``strip`` is missing or fails on a file."""
    strip = shutil.which("strip")
    if strip is None:
        raise RuntimeError("strip (binutils) is needed to remove debugging information: apt-get install binutils")
    # Libraries vendored by auditwheel (``<dist>.libs/``) were rewritten by patchelf, and strip breaks such files
    # ("ELF load command address/offset not page-aligned"): they are left as they are.
    elf = sorted(n for n, m in files.items() if m.data[:4] == b"\x7fELF" and ".libs/" not in n)
    out = dict(files)
    saved = 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, name in enumerate(elf):
            p = Path(tmp) / f"{i}.so"
            p.write_bytes(files[name].data)
            paths.append(p)
        if paths:
            proc = subprocess.run([strip, "--strip-debug", *map(str, paths)], capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"strip --strip-debug failed: {proc.stderr.strip()[-500:]}")
        for name, p in zip(elf, paths):
            data = p.read_bytes()
            saved += len(files[name].data) - len(data)
            out[name] = Member(data, files[name].executable, files[name].dist)
    return out, saved


def write_zip(files: Mapping[str, Member], target: Path) -> Artifact:
    """Write ``files`` as a reproducible zip (sorted entries, fixed time and permissions) at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(files):
            _zip_write(zf, name, files[name].data, files[name].executable)
    os.replace(tmp, target)
    return Artifact.of(target)


def runtime_wheels(service: str, model_wheel: Path, rt: Any, arch: str) -> list[Path]:
    """The locked wheels of ``service`` for the runtime (``lambda/requirements/<service>-<runtime>-<arch>.txt``),
    from the wheel cache, downloading only what is missing; the lock is written first if there is none."""
    from mlopsbook.lambdakit import wheelhouse

    target = rt.target(arch)
    path = wheelhouse.lock_path(service, target)
    if not path.is_file():
        roots = _wheel_requires(model_wheel)
        from packaging.requirements import Requirement

        names = [Requirement(r).name for r in roots]
        wheelhouse.lock(service, roots, target, constraints=wheelhouse.installed_constraints(names))
    return wheelhouse.fill(path, target)


def build_lambda_zip(service: str, model_wheel: Path, out_dir: Path, *, rt: Any = None, arch: str | None = None,
                     python: Path | None = None) -> LambdaPackage:
    """Write ``out_dir/<service>.zip`` for the runtime ``rt`` (default :func:`runtime_facts.facts`) and return what
    it holds, with the audit of its compiled files. ``python``: the runtime's CPython used for the trace (default
    :func:`runtime_facts.find_python`)."""
    from mlopsbook.lambdakit import elf_audit, runtime_facts

    rt = rt if rt is not None else runtime_facts.facts()
    arch = arch or str(SERVICES.get(service, {}).get("arch", "x86_64"))
    python = python or runtime_facts.find_python(rt.python)
    if python is None:
        raise runtime_facts.LambdaRuntimeError(f"no CPython {rt.python} here to trace the handler with")
    wheels = runtime_wheels(service, model_wheel, rt, arch)
    files = stage(service, model_wheel, wheels)
    handler = str(SERVICES[service]["entry"]).removesuffix(".py") + ".handler"
    kept, dropped = prune(files, trace(files, handler, python))
    kept, debug_bytes = strip_debug(kept)
    trace(kept, handler, python)  # the stripped tree must still import and answer every event
    target = Path(out_dir) / f"{service}.zip"
    art = write_zip(kept, target)
    sizes: dict[str, int] = {}
    for m in kept.values():
        sizes[m.dist] = sizes.get(m.dist, 0) + len(m.data)
    versions = {_dist_of_wheel(w): w.name.split("-")[1] for w in [*wheels, model_wheel]}
    audit = elf_audit.audit_zip(target, glibc=rt.glibc, abi=rt.abi, arch=arch)
    g = audit.max_glibc
    return LambdaPackage(
        service=service, runtime=rt.runtime, arch=arch, zip=art,
        unzipped_bytes=sum(len(m.data) for m in kept.values()), n_files=len(kept),
        distributions={d: versions[d] for d in sorted(sizes) if d in versions},
        distribution_bytes=dict(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))),
        dropped=dropped, needs_glibc=f"{g[0]}.{g[1]}" if g else "none", audit_problems=audit.problems,
        staged_bytes=sum(len(m.data) for m in files.values()), debug_info_bytes=debug_bytes,
    )


def zip_distribution_sizes(zip_path: Path) -> dict[str, int]:
    """Unzipped bytes by top-level entry of a zip (folders and modules; ``.dist-info`` folders by distribution),
    read from the zip itself."""
    out: dict[str, int] = {}
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            head = info.filename.split("/", 1)[0]
            head = re.sub(r"-[^-]+\.dist-info$", "", head) if head.endswith(".dist-info") else head
            out[head] = out.get(head, 0) + info.file_size
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

# -- container image recipe ------------------------------------------------------------------------------------------
DOCKERFILE = """# Lambda container image for the {service} service (written by `mlopsbook infer package`; not built here: no Docker).
# The way out if the .zip ever stops fitting Lambda's {unzipped:.0f} MB unzipped limit: images may be up to 10 GB (A13).
# Same runtime as the zip ({runtime}, {os}), same hash-locked wheels, AWS's base image with its runtime client.
#   docker build -t {service} . && docker run -p 9000:8080 {service}   (the base image carries the runtime emulator)
FROM public.ecr.aws/lambda/python:{python}
COPY requirements.txt wheels/ /tmp/build/
RUN pip install --no-cache-dir --no-deps --require-hashes -r /tmp/build/requirements.txt --target ${{LAMBDA_TASK_ROOT}} \\
 && pip install --no-cache-dir --no-deps /tmp/build/*.whl --target ${{LAMBDA_TASK_ROOT}} && rm -rf /tmp/build
COPY app/ ${{LAMBDA_TASK_ROOT}}/
CMD ["{handler}"]
"""


def write_container_context(service: str, model_wheel: Path, out_dir: Path, *, rt: Any = None,
                            arch: str = "x86_64") -> Path:
    """``out_dir/container-<service>/``: Dockerfile, the service's hash-locked requirements for the runtime, the
    model wheel and the handler code, a complete ``docker build`` context. Returns the folder."""
    from mlopsbook.lambdakit import runtime_facts, wheelhouse
    from mlopsbook.paths import repo_root

    rt = rt if rt is not None else runtime_facts.facts()
    spec = SERVICES[service]
    ctx = out_dir / f"container-{service}"
    if ctx.exists():
        shutil.rmtree(ctx)
    (ctx / "wheels").mkdir(parents=True)
    (ctx / "app").mkdir()
    shutil.copyfile(model_wheel, ctx / "wheels" / model_wheel.name)
    shutil.copyfile(wheelhouse.lock_path(service, rt.target(arch)), ctx / "requirements.txt")
    root = repo_root()
    shutil.copyfile(root / "lambda" / str(spec["entry"]), ctx / "app" / str(spec["entry"]))
    lib = root / "src" / "mlopsbook"
    for rel in library_files(service):
        (ctx / "app" / "mlopsbook" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lib / rel, ctx / "app" / "mlopsbook" / rel)
    handler = str(spec["entry"]).removesuffix(".py") + ".handler"
    (ctx / "Dockerfile").write_text(DOCKERFILE.format(
        service=service, handler=handler, runtime=rt.runtime, os=rt.os, python=rt.python,
        unzipped=lambda_limits_mb()["unzipped"]))
    return ctx


# -- everything ------------------------------------------------------------------------------------------------------
def build_all(out_dir: Path, model_dir: Path | None = None) -> dict[str, object]:
    """Wheels (``out_dir/wheels``) built from the models in ``model_dir`` (default the shipped artefact), one zip per
    service for the runtime, container contexts, the SAM template's check, and ``out_dir/manifest.json`` (the models'
    artefact, sizes, hashes, distributions and their sizes, audit, limits). Returns the manifest."""
    from mlopsbook.lambdakit import runtime_facts
    from mlopsbook.nlp import artefact, service

    out_dir = Path(out_dir)
    rt = runtime_facts.facts()
    folder = service.models_dir(model_dir)
    models = artefact.read_manifest(folder)
    wheels = build_wheels(out_dir / "wheels", folder)
    limits = lambda_limits_mb()
    manifest: dict[str, object] = {
        "epoch": EPOCH,
        "models": {"artefact": folder.name, "artefact_hash": models["artefact_hash"]},
        "runtime": {"runtime": rt.runtime, "python": rt.python, "abi": rt.abi, "os": rt.os,
                    "glibc": ".".join(map(str, rt.glibc)), "facts": f"data/inference/{rt.file}"},
        "limits_mb": limits,
        "wheels": {k: asdict(Artifact.of(p)) for k, p in wheels.items()},
        "packages": {},
    }
    for service, wheel in wheels.items():
        pkg = build_lambda_zip(service, wheel, out_dir, rt=rt)
        ctx = write_container_context(service, wheel, out_dir, rt=rt, arch=pkg.arch)
        rec = asdict(pkg)
        rec["zipped_mb"] = round(pkg.zipped_mb, 3)
        rec["unzipped_mb"] = round(pkg.unzipped_mb, 3)
        rec["fits_zip_direct_upload"] = pkg.zipped_mb <= limits["zip_direct_upload"]
        rec["fits_unzipped"] = pkg.unzipped_mb <= limits["unzipped"]
        rec["audit_ok"] = not pkg.audit_problems
        rec["container_context"] = ctx.name
        manifest["packages"][service] = rec  # type: ignore[index]
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest
