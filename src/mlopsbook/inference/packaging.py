"""Model wheels and Lambda deployment packages, built reproducibly and offline.

- :func:`build_wheels`: the classifier as a plain wheel (``mlopsbook_legal_classifier``, setuptools) and the NER
  pipeline with ``spacy package`` (``en_legal_ner``); both built by ``pip wheel`` without network or build isolation.
- :func:`build_lambda_zip`: one deployment ``.zip`` per service: the entry module (``lambda/<service>_function.py``),
  the handler code, the model wheel's contents and every distribution the model needs, copied file by file (from
  each distribution's ``RECORD``) out of the running environment, so the versions are exactly the pinned ones.
- Reproducible: entries in sorted order, timestamps fixed at :data:`EPOCH` (also ``SOURCE_DATE_EPOCH`` for wheels),
  fixed permissions, no ``__pycache__``. Two builds from the same inputs are byte-identical (the tests check it).
- :func:`check_runtime`: which Lambda runtimes can load the package, from the wheel tags of its compiled
  distributions (``manylinux_2_28`` needs glibc >= 2.28) and the runtimes' glibc (``data/inference``).
- :func:`write_container_context`: where a zip does not fit or no runtime can load it, the build context for a
  Lambda container image (Dockerfile and pinned requirements); Docker is not available here, so it is not built.

Sizes are bytes (``*_bytes``) or MB of 10**6 bytes (``*_mb``, as AWS states its limits).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Iterable

EPOCH = 315532800
"""1980-01-01T00:00:00Z, the earliest time a zip entry can carry: every timestamp in our wheels and zips."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

SERVICES: dict[str, dict[str, object]] = {
    "classify": {
        "entry": "classify_function.py",
        "model_wheel": "mlopsbook_legal_classifier",
        "modules": ["service", "handlers", "classifier", "corpus"],
    },
    "entities": {
        "entry": "entities_function.py",
        "model_wheel": "en_legal_ner",
        "modules": ["service", "handlers", "ner", "corpus"],
    },
}
"""The Lambda services: entry module, model wheel and the ``mlopsbook.inference`` modules they import."""


def library_files(service: str) -> list[str]:
    """The files of ``src/mlopsbook/`` a service's package ships: the package roots, the error classes and the
    service's ``mlopsbook.inference`` modules."""
    modules = SERVICES[service]["modules"]
    return ["__init__.py", "errors.py", "inference/__init__.py", *[f"inference/{m}.py" for m in modules]]  # type: ignore[union-attr]

CLASSIFIER_WHEEL_VERSION = "1.0.0"
NER_WHEEL_VERSION = "1.0.0"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class Artifact:
    """A built file: its name, size in bytes and SHA-256."""

    name: str
    size_bytes: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> "Artifact":
        return cls(path.name, path.stat().st_size, _sha256(path))

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1e6


# -- model wheels --------------------------------------------------------------------------------------------------
_CLASSIFIER_INIT = '''"""The legal-document classifier of mlopsbook (scikit-learn TF-IDF + logistic regression), as a wheel.

>>> import mlopsbook_legal_classifier as m
>>> model = m.load()  # a fitted sklearn Pipeline; model.predict_proba([...])
"""

import pickle
from importlib import resources

MODEL_VERSION = "{model_version}"
LABELS = {labels!r}


def load():
    """The fitted scikit-learn pipeline (unpickled from this package's data; needs scikit-learn=={sklearn})."""
    return pickle.loads(resources.files(__name__).joinpath("classifier.pkl").read_bytes())
'''

_CLASSIFIER_PYPROJECT = """[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "mlopsbook-legal-classifier"
version = "{version}"
description = "Legal-document type classifier (TF-IDF + logistic regression), model {model_version}"
requires-python = ">=3.11"
dependencies = ["scikit-learn=={sklearn}"]
license = {{text = "MIT"}}

[tool.setuptools]
packages = ["mlopsbook_legal_classifier"]

[tool.setuptools.package-data]
mlopsbook_legal_classifier = ["classifier.pkl", "metrics.json"]
"""


def _pip_wheel(src: Path, out_dir: Path) -> Path:
    """``pip wheel`` one source tree offline (no index, no build isolation, fixed timestamps); the wheel's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PIP_NO_INPUT": "1", "PYTHONHASHSEED": "0"}
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
             "--no-cache-dir", "--quiet", "-w", tmp, str(src)],
            env=env, capture_output=True, text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"pip wheel {src.name} failed:\n{proc.stdout}\n{proc.stderr}")
        (built,) = Path(tmp).glob("*.whl")
        target = out_dir / built.name
        shutil.copyfile(built, target)
    return target


def build_classifier_wheel(model_dir: Path, out_dir: Path) -> Path:
    """The classifier in ``model_dir`` as ``mlopsbook_legal_classifier-<v>-py3-none-any.whl`` in ``out_dir``."""
    from mlopsbook.inference import classifier, corpus

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        pkg = src / "mlopsbook_legal_classifier"
        pkg.mkdir(parents=True)
        sk = metadata.version("scikit-learn")
        fmt = {"model_version": model_dir.name, "labels": corpus.LABELS, "sklearn": sk}
        (pkg / "__init__.py").write_text(_CLASSIFIER_INIT.format(**fmt))
        shutil.copyfile(Path(model_dir) / classifier.ARTIFACT, pkg / "classifier.pkl")
        shutil.copyfile(Path(model_dir) / "metrics.json", pkg / "metrics.json")
        (src / "pyproject.toml").write_text(
            _CLASSIFIER_PYPROJECT.format(version=CLASSIFIER_WHEEL_VERSION, **fmt)
        )
        _fix_mtimes(src)
        return _pip_wheel(src, out_dir)


def build_ner_wheel(model_dir: Path, out_dir: Path) -> Path:
    """The NER pipeline in ``model_dir/ner`` packaged by ``spacy package`` as ``en_legal_ner-<v>-py3-none-any.whl``."""
    from mlopsbook.inference import ner

    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "spacy", "package", str(Path(model_dir) / ner.ARTIFACT), tmp,
             "--name", "legal_ner", "--version", NER_WHEEL_VERSION, "--build", "none", "--force"],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        if proc.returncode != 0:
            raise RuntimeError(f"spacy package failed:\n{proc.stdout}\n{proc.stderr}")
        (src,) = Path(tmp).glob("en_legal_ner-*")
        _fix_mtimes(src)
        return _pip_wheel(src, out_dir)


def _fix_mtimes(root: Path) -> None:
    for p in sorted(root.rglob("*")):
        os.utime(p, (EPOCH, EPOCH))


def build_wheels(out_dir: Path, model_dir: Path | None = None) -> dict[str, Path]:
    """Both model wheels (training the models first if needed): ``{"classify": path, "entities": path}``."""
    from mlopsbook.inference import service

    folder = service.ensure_trained(model_dir)
    return {
        "classify": build_classifier_wheel(folder, out_dir),
        "entities": build_ner_wheel(folder, out_dir),
    }


# -- dependency closure ----------------------------------------------------------------------------------------------
def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


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
        key = (_norm(name), extras)
        if key in done:
            continue
        done.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise metadata.PackageNotFoundError(f"{name} (required, not installed)") from None
        seen[_norm(dist.metadata["Name"])] = dist
        for spec in dist.requires or []:
            req = Requirement(spec)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if req.marker is not None and not any(req.marker.evaluate(env) for env in envs):
                continue
            todo.append((req.name, frozenset(req.extras)))
    return [seen[k] for k in sorted(seen)]


def _dist_files(dist: metadata.Distribution) -> list[tuple[str, Path]]:
    """``(archive name, source path)`` of a distribution's files inside site-packages (no caches, no scripts)."""
    out = []
    base = Path(dist.locate_file("")).resolve()
    for f in dist.files or []:
        rel = str(f).replace("\\", "/")
        if rel.startswith("..") or "__pycache__/" in rel or rel.endswith(".pyc"):
            continue
        src = Path(dist.locate_file(f))
        if not src.is_file():
            continue
        if not src.resolve().is_relative_to(base):
            continue
        out.append((rel, src))
    return out


def wheel_tags(dist: metadata.Distribution) -> list[str]:
    """The ``Tag:`` lines of a distribution's ``WHEEL`` file (empty if it has none)."""
    text = dist.read_text("WHEEL") or ""
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]


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


# -- runtimes --------------------------------------------------------------------------------------------------------
RUNTIMES_FILE = "lambda-python-runtimes-v2025-06.csv"
LIMITS_FILE = "lambda-limits-v2023-10-30.csv"


@dataclass(frozen=True)
class Runtime:
    """A Lambda Python runtime: identifier, CPython version, operating system and its glibc (from ``data/``)."""

    runtime: str
    python: str
    os: str
    glibc: tuple[int, int]
    source: str


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
                raise ValueError(f"{path.name} row {i}: {exc}") from None
    return out


def lambda_limits_mb() -> dict[str, float]:
    """Lambda package limits in MB (``zip_direct_upload``, ``unzipped``, ``container_image``) from ``data/``."""
    from mlopsbook.paths import data_path

    path = data_path("inference", LIMITS_FILE)
    with open(path, newline="") as fh:
        return {row["limit"]: float(row["value_mb"]) for row in csv.DictReader(fh)}


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


# -- Lambda zips -----------------------------------------------------------------------------------------------------
@dataclass
class LambdaPackage:
    """A built Lambda deployment zip and what it holds (sizes in bytes)."""

    service: str
    zip: Artifact
    unzipped_bytes: int
    n_files: int
    distributions: dict[str, str]
    needs_glibc: str
    python: str
    runtime_checks: list[RuntimeCheck] = field(default_factory=list)
    largest_bytes: dict[str, int] = field(default_factory=dict)

    @property
    def zipped_mb(self) -> float:
        return self.zip.size_bytes / 1e6

    @property
    def unzipped_mb(self) -> float:
        return self.unzipped_bytes / 1e6


def _zip_write(zf: zipfile.ZipFile, arcname: str, data: bytes, executable: bool) -> None:
    info = zipfile.ZipInfo(arcname, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so the permission bits below are honoured
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


def _wheel_members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as zf:
        return {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}


def _wheel_requires(wheel: Path) -> list[str]:
    from packaging.requirements import Requirement

    for name, data in _wheel_members(wheel).items():
        if name.endswith(".dist-info/METADATA"):
            lines = data.decode().splitlines()
            return [Requirement(line.split(":", 1)[1].strip()).name for line in lines if line.startswith("Requires-Dist:")]
    return []


def package_contents(service: str, model_wheel: Path) -> dict[str, tuple[bytes | Path, bool]]:
    """Archive name -> (bytes or source file, executable) for one service's zip. Raises ``ValueError`` naming an
    unknown service; ``FileNotFoundError`` naming a missing file."""
    from mlopsbook.paths import repo_root

    if service not in SERVICES:
        raise ValueError(f"service: must be one of {', '.join(SERVICES)} (got {service!r})")
    spec = SERVICES[service]
    root = repo_root()
    files: dict[str, tuple[bytes | Path, bool]] = {}
    entry = root / "lambda" / str(spec["entry"])
    if not entry.is_file():
        raise FileNotFoundError(f"missing Lambda entry module: lambda/{spec['entry']}")
    files[str(spec["entry"])] = (entry, False)
    lib = root / "src" / "mlopsbook"
    for rel in library_files(service):
        files[f"mlopsbook/{rel}"] = (lib / rel, False)
    for name, data in _wheel_members(model_wheel).items():
        files[name] = (data, False)
    for dist in requirement_closure(_wheel_requires(model_wheel)):
        for rel, src in _dist_files(dist):
            files[rel] = (src, bool(src.stat().st_mode & stat.S_IXUSR) and src.suffix == ".so")
    return files


def build_lambda_zip(service: str, model_wheel: Path, out_dir: Path) -> LambdaPackage:
    """Write ``out_dir/<service>.zip`` (reproducible) and return what it holds."""
    files = package_contents(service, model_wheel)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{service}.zip"
    tmp = target.with_suffix(".zip.tmp")
    unzipped = 0
    top: dict[str, int] = {}
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(files):
            src, executable = files[name]
            data = src if isinstance(src, bytes) else Path(src).read_bytes()
            unzipped += len(data)
            head = name.split("/", 1)[0]
            head = re.sub(r"-[^-]+\.dist-info$", "", head) if head.endswith(".dist-info") else head
            top[head] = top.get(head, 0) + len(data)
            _zip_write(zf, name, data, executable)
    os.replace(tmp, target)
    dists = requirement_closure(_wheel_requires(model_wheel))
    needs = [g for g in (min_glibc(wheel_tags(d)) for d in dists) if g is not None]
    needs_glibc = max(needs) if needs else None
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    checks = [check_runtime(python, needs_glibc, r) for r in runtimes()]
    largest = dict(sorted(top.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
    return LambdaPackage(
        service=service,
        zip=Artifact.of(target),
        unzipped_bytes=unzipped,
        n_files=len(files),
        distributions={d.metadata["Name"]: d.version for d in dists},
        needs_glibc=".".join(map(str, needs_glibc)) if needs_glibc else "none",
        python=python,
        runtime_checks=checks,
        largest_bytes=largest,
    )


# -- container image recipe ------------------------------------------------------------------------------------------
DOCKERFILE = """# Lambda container image for the {service} service (built by `mlopsbook infer package`; not built here: no Docker).
# Why an image: the pinned wheels (numpy/scipy/scikit-learn/spaCy for CPython 3.11) need glibc >= {glibc}, and the
# managed python3.11 runtime and its AWS base image run Amazon Linux 2 (glibc 2.26). A Debian 12 Python 3.11 image
# (glibc 2.36) with the AWS Lambda runtime interface client loads them; images may be up to 10 GB (A13).
#   docker build -t {service} . && docker run -p 9000:8080 {service}   (add the runtime interface emulator to test)
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
WORKDIR /var/task
COPY requirements.txt wheels/ /tmp/build/
RUN pip install --no-cache-dir awslambdaric -r /tmp/build/requirements.txt /tmp/build/*.whl && rm -rf /tmp/build
COPY app/ /var/task/
ENTRYPOINT ["python", "-m", "awslambdaric"]
CMD ["{handler}"]
"""


def write_container_context(service: str, model_wheel: Path, out_dir: Path) -> Path:
    """``out_dir/container-<service>/``: Dockerfile, pinned ``requirements.txt``, the model wheel and the handler
    code, a complete ``docker build`` context. Returns the folder."""
    from mlopsbook.paths import repo_root

    spec = SERVICES[service]
    ctx = out_dir / f"container-{service}"
    if ctx.exists():
        shutil.rmtree(ctx)
    (ctx / "wheels").mkdir(parents=True)
    (ctx / "app" / "mlopsbook" / "inference").mkdir(parents=True)
    shutil.copyfile(model_wheel, ctx / "wheels" / model_wheel.name)
    dists = requirement_closure(_wheel_requires(model_wheel))
    (ctx / "requirements.txt").write_text("".join(f"{d.metadata['Name']}=={d.version}\n" for d in dists))
    root = repo_root()
    shutil.copyfile(root / "lambda" / str(spec["entry"]), ctx / "app" / str(spec["entry"]))
    lib = root / "src" / "mlopsbook"
    for rel in library_files(service):
        shutil.copyfile(lib / rel, ctx / "app" / "mlopsbook" / rel)
    needs = [g for g in (min_glibc(wheel_tags(d)) for d in dists) if g is not None]
    glibc = ".".join(map(str, max(needs))) if needs else "2.17"
    handler = str(spec["entry"]).removesuffix(".py") + ".handler"
    (ctx / "Dockerfile").write_text(DOCKERFILE.format(service=service, glibc=glibc, handler=handler))
    return ctx


# -- everything ------------------------------------------------------------------------------------------------------
def build_all(out_dir: Path, model_dir: Path | None = None) -> dict[str, object]:
    """Wheels (``out_dir/wheels``), one zip per service, container contexts, and ``out_dir/manifest.json``
    (sizes, hashes, distributions, runtime checks, limits). Returns the manifest."""
    out_dir = Path(out_dir)
    wheels = build_wheels(out_dir / "wheels", model_dir)
    limits = lambda_limits_mb()
    manifest: dict[str, object] = {
        "epoch": EPOCH,
        "limits_mb": limits,
        "wheels": {k: asdict(Artifact.of(p)) for k, p in wheels.items()},
        "packages": {},
    }
    for service, wheel in wheels.items():
        pkg = build_lambda_zip(service, wheel, out_dir)
        ctx = write_container_context(service, wheel, out_dir)
        rec = asdict(pkg)
        rec["zipped_mb"] = round(pkg.zipped_mb, 3)
        rec["unzipped_mb"] = round(pkg.unzipped_mb, 3)
        rec["fits_zip_direct_upload"] = pkg.zipped_mb <= limits["zip_direct_upload"]
        rec["fits_unzipped"] = pkg.unzipped_mb <= limits["unzipped"]
        rec["container_context"] = ctx.name
        manifest["packages"][service] = rec  # type: ignore[index]
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest
