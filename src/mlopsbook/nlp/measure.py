"""Latency, throughput and memory of the two services on one emulated Lambda vCPU, measured on this machine.

How Lambda's CPU share is emulated: at 1,769 MB a function gets the equivalent of one vCPU (fact A8). Every
measurement runs in a fresh child process pinned to one core (``os.sched_setaffinity``) with every math library
limited to one thread (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, ``BLIS_NUM_THREADS`` = 1),
so no measurement borrows a second core. The host is shared and noisy: timings are medians and percentiles of
several documents, and no verdict depends on them except with a wide margin.

- *init*: a fresh interpreter imports the libraries and loads both models (what Lambda's INIT phase does);
- *warm latency*: per-document time of ``Models.score`` (both models), ``classify`` and ``entities`` for documents
  from a paragraph to about twenty pages (:data:`LENGTHS_WORDS`), after one warm-up call;
- *throughput*: one-page documents per second on the one core, in a batch;
- *peak memory*: the child's maximum resident set size (``ru_maxrss``), what Lambda reports as "Max Memory Used".

:func:`nlp_profile` caches the result under ``build/inference/`` (keyed by the model version) so other notebooks can
use the measured duration and memory without measuring again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from mlopsbook.errors import MlopsbookError, StaleMeasurementError

LENGTHS_WORDS: tuple[int, ...] = (100, 500, 2500, 10000)
"""Document lengths measured, in words: a paragraph, one page, five pages, twenty pages (500 words a page)."""
N_DOCS: dict[int, int] = {100: 30, 500: 20, 2500: 6, 10000: 4}
"""Documents timed per length (fewer for long ones; percentiles of few samples are rough, and say so)."""
TYPICAL_WORDS = 500
"""The typical request: a one-page document (the length whose latency sets the billed duration)."""
THROUGHPUT_DOCS = 30
"""One-page documents in the throughput batch."""
SEED = 7
PROFILE_VERSION = "profile-v1"

THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "BLIS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


def percentiles_ms(samples_ms: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max of latencies in ms (linear interpolation between samples). Raises ``ValueError`` on
    an empty list."""
    if not samples_ms:
        raise MlopsbookError("samples_ms: need at least one latency")
    a = np.asarray(samples_ms, dtype=float)
    return {
        "p50_ms": float(np.percentile(a, 50)),
        "p95_ms": float(np.percentile(a, 95)),
        "p99_ms": float(np.percentile(a, 99)),
        "max_ms": float(a.max()),
        "n": int(a.size),
    }


def _child(model_dir: str, cpu: int) -> dict[str, Any]:
    """Runs inside the pinned child process: init, warm latency, throughput, memory."""
    os.sched_setaffinity(0, {cpu})
    t0 = time.perf_counter()
    import sklearn  # noqa: F401  (the libraries a service imports at INIT)
    import spacy  # noqa: F401

    from mlopsbook.nlp import classifier, corpus, ner, service

    t_import = time.perf_counter()
    # the parent checked the folder against its manifest: load as a deployed service does, without hashing the files
    models = service.Models(classifier=classifier.load(Path(model_dir)), ner=ner.load(Path(model_dir)))
    t_load = time.perf_counter()
    out: dict[str, Any] = {
        "import_ms": (t_import - t0) * 1000.0,
        "load_ms": (t_load - t_import) * 1000.0,
        "init_ms": (t_load - t0) * 1000.0,
        "cpus": sorted(os.sched_getaffinity(0)),
        "threads_env": {k: os.environ.get(k, "") for k in THREAD_ENV},
        "latency": {},
    }
    warm = corpus.documents_of_length(200, 2, seed=SEED + 1)
    models.score([d.text for d in warm])
    for n_words in LENGTHS_WORDS:
        docs = corpus.documents_of_length(n_words, N_DOCS[n_words], seed=SEED)
        per: dict[str, list[float]] = {"score": [], "classify": [], "entities": []}
        for d in docs:
            for name in ("classify", "entities", "score"):
                fn = getattr(models, name)
                t = time.perf_counter()
                fn([d.text])
                per[name].append((time.perf_counter() - t) * 1000.0)
        out["latency"][str(n_words)] = {
            "words_mean": float(np.mean([d.n_words for d in docs])),
            "chars_mean": float(np.mean([len(d.text) for d in docs])),
            **{name: percentiles_ms(v) for name, v in per.items()},
        }
    batch = [d.text for d in corpus.documents_of_length(TYPICAL_WORDS, THROUGHPUT_DOCS, seed=SEED + 2)]
    t = time.perf_counter()
    models.score(batch)
    elapsed = time.perf_counter() - t
    words = sum(len(x.split()) for x in batch)
    out["throughput_docs_per_s"] = THROUGHPUT_DOCS / elapsed
    out["throughput_words_per_s"] = words / elapsed
    import resource

    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
    return out


def run(model_dir: Path | None = None, *, cpu: int | None = None, timeout_s: float = 600.0) -> dict[str, Any]:
    """Measure once, in a fresh child process pinned to one core (``cpu``, default the last one this process may
    use) with one thread per math library, on the models in ``model_dir`` (default the shipped artefact).
    Returns the child's figures plus ``process_wall_ms`` (fork to exit, as seen from here) and ``model_version``."""
    from mlopsbook.nlp import artefact, service

    folder = service.models_dir(model_dir)
    allowed = sorted(os.sched_getaffinity(0))
    if cpu is None:
        cpu = allowed[-1]
    if cpu not in allowed:
        raise MlopsbookError(f"cpu: must be one of the cores this process may use {allowed} (got {cpu})")
    env = {**os.environ, **THREAD_ENV, "PYTHONHASHSEED": "0"}
    code = (
        "import json, sys; from mlopsbook.nlp.measure import _child; "
        f"print(json.dumps(_child({str(folder)!r}, {int(cpu)})))"
    )
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout_s)
    wall_ms = (time.perf_counter() - t) * 1000.0
    if proc.returncode != 0:
        raise RuntimeError(f"measurement child failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_wall_ms"] = wall_ms
    result["model_version"] = artefact.read_manifest(folder)["artefact_hash"]
    return result


def profile_path(model_version: str) -> Path:
    """``build/inference/<PROFILE_VERSION>-<model_version>.json`` under the repository root."""
    from mlopsbook.paths import repo_root

    return repo_root() / "build" / "inference" / f"{PROFILE_VERSION}-{model_version}.json"


def nlp_profile(*, refresh: bool = False, runs: int = 3) -> dict[str, Any]:
    """The measured profile of the NLP services, for cost and decision models. Measured on this machine (median of
    ``runs`` child processes), cached in :func:`profile_path`; ``refresh`` measures again.

    Keys: ``duration_ms`` (median warm p50 latency of both models on a one-page document, ms; also as
    ``model_latency_ms``), ``duration_ms_p95``,
    ``init_ms`` (fresh-process imports + model load), ``memory_mb`` (peak RSS, MB of 10**6 bytes),
    ``throughput_docs_per_s`` (one-page documents per second on one core), ``latency_by_words`` (``{words: {p50_ms,
    p95_ms, p99_ms}}`` of ``score``), ``model_wheels_mb`` (the two model wheels, MB), ``artifact_mb`` (the larger
    Lambda package, unzipped, MB: what Lambda's 250 MB limit applies to), ``runs`` (the raw runs).
    """
    from mlopsbook.nlp import service

    version = service.model_version()
    path = profile_path(version)
    if path.is_file() and not refresh:
        return json.loads(path.read_text())
    if runs < 1:
        raise MlopsbookError(f"runs: must be >= 1 (got {runs})")
    raw = [run() for _ in range(runs)]
    prof = summarise(raw)
    prof["model_latency_ms"] = prof["duration_ms"]
    prof["model_wheels_mb"] = model_wheels_mb()
    prof["artifact_mb"] = max(p["unzipped_mb"] for p in package_manifest()["packages"].values())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(prof, indent=1, sort_keys=True) + "\n")
    return prof


RECORDED_KEYS = ("duration_ms", "duration_ms_p95", "init_ms", "import_ms", "memory_mb", "throughput_docs_per_s",
                 "latency_by_words", "model_wheels_mb", "artifact_mb", "model_latency_ms", "emulation", "n_runs")


def record_profile(profile: dict[str, Any], name: str | None = None) -> Path:
    """Write ``profile`` (without its raw runs) with its provenance to ``data/inference/<name>`` (default
    ``measured-profile-<today>.json``: a dated name, since the notebook cache keys on code); returns the path.

    A post's reproduction reads such a record by name (e.g. the post's ``profile.RECORDED_PROFILE``); point it at
    the new file to use a new measurement."""
    import datetime as dt
    import platform

    from mlopsbook.nlp import service
    from mlopsbook.paths import repo_root

    rec = {k: profile[k] for k in RECORDED_KEYS}
    rec["provenance"] = {
        "measured_on": dt.date.today().isoformat(),
        "model_version": service.model_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Linux {platform.release().split('-')[0]}, "
                   f"Python {platform.python_version()}",
        "method": "mlopsbook infer measure (median of the runs' figures; one core, one thread per math library)",
    }
    name = name or f"measured-profile-{dt.date.today().isoformat()}.json"
    path = repo_root() / "data" / "inference" / name
    path.write_text(json.dumps(rec, indent=1, sort_keys=True) + "\n")
    return path


def recorded_profile(name: str) -> dict[str, Any]:
    """The committed measurement ``data/inference/<name>``; raises
    :class:`~mlopsbook.errors.StaleMeasurementError` (one line naming the file and how to re-measure) when it was
    measured on other models than the shipped ones (another artefact hash), its subclass
    :class:`~mlopsbook.errors.StaleModelError` (naming the command that retrains) when the shipped models are older
    than the model code, :class:`~mlopsbook.errors.MlopsbookError` when a field is
    missing, ``FileNotFoundError`` naming the path when it is missing."""
    from mlopsbook.nlp import service
    from mlopsbook.paths import data_path

    path = data_path("inference", name)
    rec = json.loads(path.read_text())
    missing = [k for k in (*RECORDED_KEYS, "provenance") if k not in rec]
    if missing:
        raise MlopsbookError(f"data/inference/{name}: missing {', '.join(missing)}")
    if rec["provenance"]["model_version"] != service.model_version():
        raise StaleMeasurementError(
            f"data/inference/{name}: measured on model version {rec['provenance']['model_version']}, the models are now "
            f"{service.model_version()}; re-record with `mlopsbook infer measure --refresh --record`")
    return rec


def summarise(raw: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians across runs of each figure (per length and service for latencies)."""

    def med(values: list[float]) -> float:
        return float(np.median(values))

    typical = str(TYPICAL_WORDS)
    lat: dict[str, dict[str, dict[str, float]]] = {}
    for n_words in map(str, LENGTHS_WORDS):
        lat[n_words] = {}
        for name in ("score", "classify", "entities"):
            lat[n_words][name] = {
                k: med([r["latency"][n_words][name][k] for r in raw]) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
            }
            lat[n_words][name]["n"] = int(raw[0]["latency"][n_words][name]["n"])
        lat[n_words]["words_mean"] = raw[0]["latency"][n_words]["words_mean"]  # type: ignore[assignment]
        lat[n_words]["chars_mean"] = raw[0]["latency"][n_words]["chars_mean"]  # type: ignore[assignment]
    return {
        "model_version": raw[0]["model_version"],
        "duration_ms": lat[typical]["score"]["p50_ms"],
        "duration_ms_p95": lat[typical]["score"]["p95_ms"],
        "init_ms": med([r["init_ms"] for r in raw]),
        "import_ms": med([r["import_ms"] for r in raw]),
        "load_ms": med([r["load_ms"] for r in raw]),
        "process_wall_ms": med([r["process_wall_ms"] for r in raw]),
        "memory_mb": med([r["peak_rss_mb"] for r in raw]),
        "throughput_docs_per_s": med([r["throughput_docs_per_s"] for r in raw]),
        "throughput_words_per_s": med([r["throughput_words_per_s"] for r in raw]),
        "latency_by_words": lat,
        "n_runs": len(raw),
        "emulation": "one core (sched_setaffinity), one thread per math library (OMP/OPENBLAS/MKL/BLIS=1)",
        "runs": raw,
    }


def model_wheels_mb() -> dict[str, float]:
    """Sizes of the two model wheels in MB, by service (``classify``, ``entities``), from :func:`package_manifest`."""
    return {k: w["size_bytes"] / 1e6 for k, w in sorted(package_manifest()["wheels"].items())}


def package_manifest(*, refresh: bool = False) -> dict[str, Any]:
    """The manifest of the Lambda packages (:func:`packaging.build_all`), built once into
    ``build/inference/lambda-<model version>/`` and cached there (about a minute to build)."""
    from mlopsbook.lambdakit import packaging

    folder = package_manifest_dir()
    path = folder / "manifest.json"
    if path.is_file() and not refresh:
        return json.loads(path.read_text())
    return packaging.build_all(folder)


def package_manifest_dir() -> Path:
    """``build/inference/lambda-<model version>-<code hash>/``: where :func:`package_manifest` builds the packages.
    The code hash covers the packaging and handler code, the Lambda entry modules and the installed versions of the
    packaged distributions, so a change to any of them builds afresh."""
    import hashlib
    from importlib import metadata

    from mlopsbook.lambdakit import (distributions, elf_audit, handlers, model_wheels, packaging, runtime_api,
                                     runtime_facts, wheelhouse)
    from mlopsbook.nlp import linear_text, service
    from mlopsbook.paths import repo_root

    root = repo_root()
    h = hashlib.sha256()
    for f in [Path(packaging.__file__), Path(handlers.__file__), Path(service.__file__), Path(linear_text.__file__),
              Path(wheelhouse.__file__), Path(elf_audit.__file__), Path(runtime_facts.__file__),
              Path(runtime_api.__file__), Path(model_wheels.__file__), Path(distributions.__file__),
              *sorted((root / "lambda").glob("*.py")), *sorted((root / "lambda" / "requirements").glob("*.txt")),
              root / "data" / "inference" / runtime_facts.RUNTIME_FILE]:
        h.update(f.read_bytes())
    for dist in distributions.requirement_closure(["scikit-learn", "spacy"]):
        h.update(f"{dist.metadata['Name']}=={dist.version}".encode())
    return root / "build" / "inference" / f"lambda-{service.model_version()}-{h.hexdigest()[:8]}"
