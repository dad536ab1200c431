"""The shipped NLP models: trained once, committed with a manifest, and loaded from there everywhere.

Training spaCy's NER goes through BLIS, whose floating-point kernels differ between CPU families (Intel with and
without AVX-512, AMD Zen, older cores): the same seed trains different weights on different machines. So the models
are trained **once**, by an explicit command (``mlopsbook infer train --record``, ``make models``), into a dated
folder ``data/models/<name>/`` that is committed, and every user loads that folder: the book's notebooks, Binder,
Colab (which clones the repository), the Lambda packages (their model wheels are built from it) and the Ray engine
(its image copies it). Nothing trains on first use.

The folder holds the classifier (``classifier.pkl``), the spaCy pipeline (``ner/``), the held-out scores measured
when it was made (``metrics.json``) and :data:`MANIFEST`: the SHA-256 and size of every other file, the training
sets' sizes and seeds, the corpus generator's version and hash, the hash of the model code (:func:`model_code_hash`),
the library versions and the BLIS kernel configuration that trained them. Loading checks the files against the
manifest (:func:`verify`, :class:`~mlopsbook.errors.ModelArtefactError` naming the file) and the recorded model-code
hash against the current code (:class:`~mlopsbook.errors.StaleModelError`, one line naming the command that
retrains). :func:`artefact_hash` (16 hex digits of the files' hashes) is the model version that measurements made
with these models record.

``classifier.pkl`` is a pickle: it is unpickled only after its SHA-256 matched the manifest's, and only the artefact
this project made is ever loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from mlopsbook.errors import ModelArtefactError, StaleModelError

SHIPPED = "legal-nlp-2026-12-03"
"""The folder under ``data/models/`` every user loads. `mlopsbook infer train --record` writes a new dated folder;
point this at it to ship it (and re-record the measurements made with the models)."""

MODELS_DIR = ("data", "models")
"""Where artefacts live, under the repository root."""

MANIFEST = "manifest.json"
FORMAT = "mlopsbook-nlp-models-v1"

MODEL_CODE = ("corpus.py", "training.py", "classifier.py", "ner.py")
"""The modules of :mod:`mlopsbook.nlp` whose source determines the trained models."""

LIBRARIES = ("numpy", "scipy", "scikit-learn", "spacy", "thinc", "blis")
"""The distributions whose versions are recorded with the models."""

RETRAIN = "mlopsbook infer train --record"
"""The command that makes a new artefact."""


def models_root() -> Path:
    """``data/models/`` under the repository root."""
    from mlopsbook.paths import repo_root

    return repo_root().joinpath(*MODELS_DIR)


def shipped_dir() -> Path:
    """The folder of the shipped models, ``data/models/<SHIPPED>``."""
    return models_root() / SHIPPED


def model_code_hash() -> str:
    """16 hex digits of SHA-256 over the model code (:data:`MODEL_CODE`, byte for byte: the generator, the training
    sets' sizes and seeds, both models' code and settings): what made the models, apart from the libraries."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in MODEL_CODE:
        h.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(folder: Path) -> dict[str, dict[str, Any]]:
    """Every file under ``folder`` but the manifest, by POSIX relative path, with its SHA-256 and size in bytes."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != MANIFEST:
            out[p.relative_to(folder).as_posix()] = {"sha256": _sha256(p), "bytes": p.stat().st_size}
    return out


def artefact_hash(files: dict[str, dict[str, Any]]) -> str:
    """16 hex digits of SHA-256 over the files' paths and hashes: the models' version, recorded by every
    measurement made with them."""
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(f"{rel}\0{files[rel]['sha256']}\n".encode())
    return h.hexdigest()[:16]


def blis_arch() -> str:
    """The BLIS sub-configuration (kernel family) this process's BLIS selected, e.g. ``haswell``, ``zen2``, ``skx``."""
    import ctypes

    import blis.cy

    lib = ctypes.CDLL(blis.cy.__file__)
    lib.bli_arch_query_id.restype = ctypes.c_int
    lib.bli_arch_string.restype = ctypes.c_char_p
    name = lib.bli_arch_string(lib.bli_arch_query_id())
    return name.decode() if name else "unknown"


def _label(folder: Path) -> str:
    from mlopsbook.paths import repo_root

    try:
        return folder.resolve().relative_to(repo_root().resolve()).as_posix()
    except (ValueError, FileNotFoundError):
        return str(folder)


def read_manifest(folder: Path | None = None) -> dict[str, Any]:
    """The manifest of ``folder`` (default the shipped models). Raises
    :class:`~mlopsbook.errors.ModelArtefactError` naming the folder when it or its manifest is missing or malformed."""
    folder = Path(folder) if folder is not None else shipped_dir()
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelArtefactError(f"{_label(folder)}: no {MANIFEST} (not a model artefact; make one with `{RETRAIN}`)")
    try:
        man = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ModelArtefactError(f"{_label(path)}: not JSON ({exc.msg} at line {exc.lineno})") from None
    for key in ("format", "files", "artefact_hash", "model_code_hash"):
        if key not in man:
            raise ModelArtefactError(f"{_label(path)}: missing field {key!r}")
    if man["format"] != FORMAT:
        raise ModelArtefactError(f"{_label(path)}: format must be {FORMAT!r} (got {man['format']!r})")
    return man


def check_fresh(man: dict[str, Any], folder: Path) -> None:
    """Raise :class:`~mlopsbook.errors.StaleModelError` when the model code changed since the artefact was made."""
    now = model_code_hash()
    if man["model_code_hash"] != now:
        raise StaleModelError(
            f"{_label(folder)}: made by model code {man['model_code_hash']}, the code (nlp/"
            f"{', '.join(MODEL_CODE)}) is now {now}; retrain with `{RETRAIN}`")


def verify(folder: Path | None = None) -> dict[str, Any]:
    """The manifest of ``folder`` (default the shipped models) after checking it: every listed file present with
    its recorded SHA-256, no other file, the artefact hash consistent, the model code unchanged. Raises
    :class:`~mlopsbook.errors.ModelArtefactError` or :class:`~mlopsbook.errors.StaleModelError` (one line)."""
    folder = Path(folder) if folder is not None else shipped_dir()
    man = read_manifest(folder)
    found = _files(folder)
    for rel, rec in sorted(man["files"].items()):
        if rel not in found:
            raise ModelArtefactError(f"{_label(folder / rel)}: missing (listed in {MANIFEST})")
        if found[rel]["sha256"] != rec["sha256"]:
            raise ModelArtefactError(f"{_label(folder / rel)}: SHA-256 differs from {MANIFEST}'s (altered or corrupt)")
    extra = sorted(set(found) - set(man["files"]))
    if extra:
        raise ModelArtefactError(f"{_label(folder / extra[0])}: not listed in {MANIFEST}")
    if artefact_hash(man["files"]) != man["artefact_hash"]:
        raise ModelArtefactError(f"{_label(folder / MANIFEST)}: artefact_hash does not match its files")
    check_fresh(man, folder)
    return man


def version(folder: Path | None = None) -> str:
    """The models' version (:func:`artefact_hash`, from the manifest) after the staleness check; cheap (no file is
    hashed)."""
    folder = Path(folder) if folder is not None else shipped_dir()
    man = read_manifest(folder)
    check_fresh(man, folder)
    return str(man["artefact_hash"])


TRAIN_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1"}
"""The environment training runs in: a fixed hash seed (pickled dictionaries and spaCy's label tables are written
in set and dict order) and one thread per math library."""


def make(folder: Path, *, timeout_s: float = 1800.0) -> dict[str, Any]:
    """Train both models and write them with their held-out scores and manifest into ``folder`` (a new folder;
    written beside it first and renamed, so no reader sees half an artefact). Training runs in a fresh interpreter
    with :data:`TRAIN_ENV`, so the same code, libraries and BLIS kernels give byte-identical files. Returns the
    manifest."""
    import subprocess
    import sys

    folder = Path(folder)
    if folder.exists():
        raise ModelArtefactError(f"{_label(folder)}: already exists (an artefact is never overwritten)")
    code = f"from mlopsbook.nlp.artefact import _make; _make({str(folder.resolve())!r})"
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **TRAIN_ENV}, capture_output=True,
                          text=True, timeout=timeout_s)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise ModelArtefactError(f"{_label(folder)}: training failed: {lines[-1] if lines else proc.returncode}")
    return read_manifest(folder)


def _make(folder_name: str) -> None:
    """:func:`make`'s work, in the training process."""
    from mlopsbook.nlp import classifier, corpus, ner, training

    folder = Path(folder_name)
    sets = training.training_sets()
    clf = classifier.train(sets["classifier"])
    nlp = ner.train(sets["ner"])
    scores = {"classifier": {**classifier.evaluate(clf, sets["test"]).__dict__},
              "ner": {**ner.evaluate(nlp, sets["test"]).__dict__}}
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        classifier.save(clf, tmp)
        ner.save(nlp, tmp)
        (tmp / "metrics.json").write_text(json.dumps(scores, indent=1, sort_keys=True) + "\n")
        files = _files(tmp)
        here = Path(__file__).resolve().parent
        man = {
            "format": FORMAT,
            "name": folder.name,
            "artefact_hash": artefact_hash(files),
            "files": files,
            "total_bytes": sum(f["bytes"] for f in files.values()),
            "model_code_hash": model_code_hash(),
            "model_code_sha256": {f"nlp/{n}": _sha256(here / n) for n in MODEL_CODE},
            "training": {"sets": training.TRAINING, "ner": ner.CONFIG, "classifier": _jsonable(classifier.CONFIG)},
            "corpus": {"version": corpus.CORPUS_VERSION, "generator_sha256": _sha256(here / "corpus.py")},
            "libraries": {d: metadata.version(d) for d in LIBRARIES},
            "made_with": {"python": platform.python_version(), "machine": platform.machine(), "blis_arch": blis_arch(),
                          "made_on": dt.date.today().isoformat(), "command": RETRAIN},
        }
        (tmp / MANIFEST).write_text(json.dumps(man, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def _jsonable(config: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}


def dated_name(day: dt.date | None = None) -> str:
    """``legal-nlp-<YYYY-MM-DD>``: the name of an artefact made on ``day`` (default today)."""
    return f"legal-nlp-{(day or dt.date.today()).isoformat()}"
