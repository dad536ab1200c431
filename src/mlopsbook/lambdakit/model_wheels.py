"""The Lambda services and their models as pip wheels, built reproducibly and offline.

- :data:`SERVICES`: each service's entry module, model wheel and the ``mlopsbook`` modules its package ships;
- :func:`build_wheels`: the classifier as a plain wheel (``mlopsbook_legal_classifier``: the TF-IDF vocabulary,
  IDF weights and coefficients exported from scikit-learn as JSON and ``.npz``, scored by NumPy alone, no pickle)
  and the NER pipeline with ``spacy package`` (``en_legal_ner``); both built by ``pip wheel`` offline, timestamps
  fixed at :data:`EPOCH` (``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from mlopsbook.lambdakit.distributions import sha256_file


EPOCH = 315532800
"""1980-01-01T00:00:00Z, the earliest time a zip entry can carry: every timestamp in our wheels and zips."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

SERVICES: dict[str, dict[str, object]] = {
    "classify": {
        "entry": "classify_function.py",
        "model_wheel": "mlopsbook_legal_classifier",
        "modules": ["nlp/service", "lambdakit/handlers", "nlp/classifier", "nlp/corpus"],
        "arch": "x86_64",
    },
    "entities": {
        "entry": "entities_function.py",
        "model_wheel": "en_legal_ner",
        "modules": ["nlp/service", "lambdakit/handlers", "nlp/ner", "nlp/corpus"],
        "arch": "x86_64",
    },
}
"""The Lambda services: entry module, model wheel and the ``mlopsbook`` modules they import (paths under
``src/mlopsbook/``, without ``.py``)."""


def library_files(service: str) -> list[str]:
    """The files of ``src/mlopsbook/`` a service's package ships: the package roots, the error classes and the
    service's modules with their packages' ``__init__.py``."""
    modules = SERVICES[service]["modules"]
    packages = sorted({f"{str(m).split('/')[0]}/__init__.py" for m in modules})  # type: ignore[union-attr]
    return ["__init__.py", "errors.py", *packages, *[f"{m}.py" for m in modules]]  # type: ignore[union-attr]


CLASSIFIER_WHEEL_VERSION = "2.0.0"
"""2.0.0: exported for NumPy (no pickle, no scikit-learn at run time); 1.0.0 pickled the scikit-learn pipeline."""
NER_WHEEL_VERSION = "1.0.0"


@dataclass(frozen=True)
class Artifact:
    """A built file: its name, size in bytes and SHA-256."""

    name: str
    size_bytes: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> "Artifact":
        return cls(path.name, path.stat().st_size, sha256_file(path))

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1e6


# -- model wheels --------------------------------------------------------------------------------------------------
_CLASSIFIER_INIT = '''"""The legal-document classifier of mlopsbook (TF-IDF + logistic regression, trained with scikit-learn),
exported as data and scored by NumPy alone.

>>> import mlopsbook_legal_classifier as m
>>> model = m.load()  # model.classes_, model.predict_proba([...])
"""

from importlib import resources

MODEL_VERSION = "{model_version}"
LABELS = {labels!r}


def load():
    """The classifier (:class:`linear_text.LinearTextClassifier`) read from this package's data files."""
    from . import linear_text

    return linear_text.load(resources.files(__name__))
'''

_CLASSIFIER_PYPROJECT = """[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "mlopsbook-legal-classifier"
version = "{version}"
description = "Legal-document type classifier (TF-IDF + logistic regression, scored with NumPy), model {model_version}"
requires-python = ">=3.11"
dependencies = ["numpy=={numpy}"]
license = {{text = "MIT"}}

[tool.setuptools]
packages = ["mlopsbook_legal_classifier"]

[tool.setuptools.package-data]
mlopsbook_legal_classifier = ["vocabulary.json", "weights.npz", "metrics.json"]
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
    """The classifier in ``model_dir``, exported for NumPy (:mod:`mlopsbook.nlp.linear_text`), as
    ``mlopsbook_legal_classifier-<v>-py3-none-any.whl`` in ``out_dir``: no pickle, no scikit-learn at run time."""
    from mlopsbook.nlp import artefact, classifier, corpus, linear_text

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        pkg = src / "mlopsbook_legal_classifier"
        pkg.mkdir(parents=True)
        fmt = {"model_version": artefact.read_manifest(Path(model_dir))["artefact_hash"], "labels": corpus.LABELS,
               "numpy": metadata.version("numpy")}
        (pkg / "__init__.py").write_text(_CLASSIFIER_INIT.format(**fmt))
        shutil.copyfile(linear_text.__file__, pkg / "linear_text.py")
        linear_text.export(classifier.load(Path(model_dir)), pkg)
        shutil.copyfile(Path(model_dir) / "metrics.json", pkg / "metrics.json")
        (src / "pyproject.toml").write_text(
            _CLASSIFIER_PYPROJECT.format(version=CLASSIFIER_WHEEL_VERSION, **fmt)
        )
        _fix_mtimes(src)
        return _pip_wheel(src, out_dir)


def build_ner_wheel(model_dir: Path, out_dir: Path) -> Path:
    """The NER pipeline in ``model_dir/ner`` packaged by ``spacy package`` as ``en_legal_ner-<v>-py3-none-any.whl``."""
    from mlopsbook.nlp import ner

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
    """Both model wheels, built from ``model_dir`` (default the shipped artefact, checked against its manifest):
    ``{"classify": path, "entities": path}``."""
    from mlopsbook.nlp import service

    folder = service.models_dir(model_dir)
    return {
        "classify": build_classifier_wheel(folder, out_dir),
        "entities": build_ner_wheel(folder, out_dir),
    }
