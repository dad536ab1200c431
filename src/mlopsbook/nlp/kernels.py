"""The shipped models' predictions under forced floating-point kernel families, one fresh process per family.

The NER runs through BLIS (spaCy's thinc), NumPy and SciPy through OpenBLAS, and NumPy's own loops through its
SIMD dispatch; each picks its kernels from the CPU it runs on, so a machine of another family computes with other
instructions and summation orders. One machine can stand in for several by forcing each library's choice:

- **BLIS**: the ``cython-blis`` wheel ignores ``BLIS_ARCH_TYPE`` (its build does not read it), so the child process
  preloads a tiny shared library that answers BLIS's CPU query (``bli_cpuid_query_id``) with the sub-configuration
  asked for (compiled once with ``cc`` into ``build/kernels/``); BLIS then selects that sub-configuration's kernels
  and block sizes, which the child reports back (``bli_arch_query_id``);
- **OpenBLAS** (NumPy's and SciPy's): ``OPENBLAS_CORETYPE``, reported back by ``threadpoolctl``;
- **NumPy's SIMD loops**: ``NPY_DISABLE_CPU_FEATURES`` turns off the dispatch targets the family lacks.

Each family (:data:`FAMILIES`) runs in a fresh interpreter that loads the shipped models and scores the corpus'
held-out documents: document types, their probabilities, entity spans, and the held-out scores. Probabilities and
scores are compared as the book shows them (:func:`mlopsbook.formatting.percent`, two significant figures), never
at full precision; the largest raw difference of a probability is reported beside it. A family whose instructions
this CPU lacks cannot be forced here (it would stop on an illegal instruction) and is reported as not run.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from mlopsbook.errors import MlopsbookError


@dataclass(frozen=True)
class Family:
    """A CPU family as the libraries see it: the BLIS sub-configuration, the OpenBLAS core type, NumPy's highest SIMD
    dispatch level (``"v2"``, ``"v3"``, ``"v4"`` for x86-64-v2/v3/v4) and the CPU flags it needs."""

    key: str
    cpus: str
    blis: str | None
    openblas: str | None
    numpy_level: str | None
    needs: tuple[str, ...] = field(default=())


FAMILIES: tuple[Family, ...] = (
    Family("native", "this machine, as detected", None, None, None),
    Family("skx", "Intel Skylake-X to Sapphire Rapids (AVX-512)", "skx", "SkylakeX", "v4",
           ("avx512f", "avx512dq", "avx512bw", "avx512vl")),
    Family("haswell", "Intel Haswell to Alder Lake (AVX2, FMA)", "haswell", "Haswell", "v3", ("avx2", "fma")),
    Family("zen", "AMD Zen 1 (EPYC 7001)", "zen", "Zen", "v3", ("avx2", "fma")),
    Family("zen2", "AMD Zen 2 to Zen 4 (EPYC 7002-9004)", "zen2", "Zen", "v3", ("avx2", "fma")),
    Family("sandybridge", "Intel Sandy/Ivy Bridge (AVX, no FMA)", "sandybridge", "Sandybridge", "v2", ("avx",)),
    Family("penryn", "Intel Penryn/Nehalem (SSE4)", "penryn", "Nehalem", "v2", ("ssse3",)),
    Family("generic", "any x86-64 (BLIS reference kernels)", "generic", "Prescott", "v2"),
)
"""The families forced by default (``native`` is the baseline the others are compared with)."""

BLIS_ARCH_IDS: dict[str, int] = {"skx": 0, "knl": 1, "haswell": 3, "sandybridge": 4, "penryn": 5, "zen2": 6, "zen": 7,
                                 "excavator": 8, "steamroller": 9, "piledriver": 10, "bulldozer": 11, "generic": 20}
"""``arch_t`` ids of the x86-64 sub-configurations in cython-blis 1.x (checked against ``bli_arch_string`` before
use)."""

_NUMPY_ABOVE = {"v2": ("X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"), "v3": ("X86_V4", "AVX512_ICL", "AVX512_SPR"),
                "v4": ()}
_SHIM = r"""#include <stdlib.h>
/* Answers BLIS's CPU query with the sub-configuration in MLOPSBOOK_BLIS_ARCH_ID (see mlopsbook.nlp.kernels). */
int bli_cpuid_query_id(void) { const char *v = getenv("MLOPSBOOK_BLIS_ARCH_ID"); return v ? atoi(v) : 20; }
"""
ENV_ID = "MLOPSBOOK_BLIS_ARCH_ID"


def family(key: str) -> Family:
    """The family named ``key``; raises :class:`~mlopsbook.errors.MlopsbookError` listing the known ones."""
    for f in FAMILIES:
        if f.key == key:
            return f
    raise MlopsbookError(f"kernel family: unknown {key!r} (one of {', '.join(f.key for f in FAMILIES)})")


def cpu_flags() -> frozenset[str]:
    """The flags of this machine's first CPU (``/proc/cpuinfo``); empty where that file does not exist."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def runnable(f: Family, flags: frozenset[str] | None = None) -> bool:
    """Whether this CPU has the instructions ``f``'s kernels use (an x86-64 CPU runs every family not newer than
    itself)."""
    flags = cpu_flags() if flags is None else flags
    return all(x in flags for x in f.needs)


def shim() -> Path:
    """The preloadable library that forces BLIS's sub-configuration, compiled once into ``build/kernels/``. Raises
    :class:`~mlopsbook.errors.MlopsbookError` when no C compiler (``cc``) is available."""
    import hashlib
    import shutil

    from mlopsbook.paths import repo_root

    out = repo_root() / "build" / "kernels" / f"blis-arch-{hashlib.sha256(_SHIM.encode()).hexdigest()[:8]}.so"
    if out.is_file():
        return out
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise MlopsbookError("kernels: forcing BLIS's kernels needs a C compiler (cc) to build a 3-line preload shim")
    out.parent.mkdir(parents=True, exist_ok=True)
    src = out.with_suffix(".c")
    src.write_text(_SHIM)
    tmp = out.with_suffix(f".tmp{os.getpid()}")
    proc = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(tmp), str(src)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise MlopsbookError(f"kernels: {cc} could not build the BLIS shim: {proc.stderr.strip()[:300]}")
    os.replace(tmp, out)
    return out


def environment(f: Family) -> dict[str, str]:
    """The environment variables that force family ``f`` (empty for ``native``), besides one thread per library."""
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    if f.blis is not None:
        env["LD_PRELOAD"] = str(shim())
        env[ENV_ID] = str(BLIS_ARCH_IDS[f.blis])
    if f.openblas is not None:
        env["OPENBLAS_CORETYPE"] = f.openblas
    if f.numpy_level is not None:
        from numpy._core._multiarray_umath import __cpu_dispatch__

        off = [x for x in _NUMPY_ABOVE[f.numpy_level] if x in __cpu_dispatch__]
        if off:
            env["NPY_DISABLE_CPU_FEATURES"] = " ".join(off)
    return env


def outputs(n_docs: int | None = None) -> dict[str, Any]:
    """What the shipped models give on the first ``n_docs`` held-out documents (all by default), in this process:
    labels, probabilities, entity spans, held-out scores, and the kernels this process runs."""
    import ctypes

    import blis.cy
    import threadpoolctl

    from mlopsbook.nlp import classifier, ner, service, training

    test = training.training_sets()["test"][:n_docs]
    models = service.load_models()
    texts = [d.text for d in test]
    proba = models._classifier.predict_proba(texts)
    classes = [str(c) for c in models._classifier.classes_]
    best = proba.argmax(axis=1)
    ents = models.entities(texts)
    lib = ctypes.CDLL(blis.cy.__file__)
    lib.bli_arch_string.restype = ctypes.c_char_p
    from numpy._core._multiarray_umath import __cpu_features__

    import hashlib

    import blis.py
    import numpy as np

    rng = np.random.default_rng(0)  # a product whose rounding shows which kernels computed it
    a, b = (rng.standard_normal(shape, dtype=np.float32) for shape in ((512, 1024), (1024, 256)))
    probe = blis.py.gemm(a, b)
    return {
        "python": platform.python_version(),
        "blis": lib.bli_arch_string(lib.bli_arch_query_id()).decode(),
        "blis_probe": hashlib.sha256(np.ascontiguousarray(probe).tobytes()).hexdigest()[:16],
        "openblas": sorted({str(i.get("architecture")) for i in threadpoolctl.threadpool_info()
                            if i.get("internal_api") == "openblas"}),
        "numpy_v4": bool(__cpu_features__.get("X86_V4")), "numpy_v3": bool(__cpu_features__.get("X86_V3")),
        "labels": [classes[i] for i in best],
        "proba": [float(p[i]) for i, p in zip(best, proba)],
        "spans": [[[e["start"], e["end"], e["label"]] for e in doc] for doc in ents],
        "scores": {"classifier": classifier.evaluate(models._classifier, test).__dict__,
                   "ner": ner.evaluate(models._ner, test).__dict__},
    }


def run(f: Family, n_docs: int | None = None, *, python: str | None = None,
        timeout_s: float = 600.0) -> dict[str, Any]:
    """:func:`outputs` in a fresh interpreter (``python``, default this one; it needs the model libraries and this
    ``mlopsbook`` on its path) with family ``f`` forced; ``{"error": ...}`` when it fails (for a family this CPU cannot
    run: ``"not run: this CPU lacks ..."``)."""
    if not runnable(f):
        return {"error": f"not run: this CPU lacks {', '.join(x for x in f.needs if x not in cpu_flags())}"}
    forced = ("LD_PRELOAD", "OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", ENV_ID)
    env = {k: v for k, v in os.environ.items() if k not in forced}
    env.update(environment(f))
    code = ("import json; from mlopsbook.nlp.kernels import outputs; "
            f"print(json.dumps(outputs({n_docs!r})))")
    src = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([src, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    proc = subprocess.run([python or sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=timeout_s)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return {"error": f"exit {proc.returncode}: {lines[-1] if lines else ''}"[:300]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class Row:
    """One family's outputs against the baseline's: whether BLIS's own floating-point results differ bitwise (a
    matrix product computed by the forced kernels), counts of documents whose label, shown probability or entity
    spans differ; how many of the service's JSON scores (rounded to 6 decimals) differ, for information; the largest
    raw probability difference; the held-out scores as shown."""

    family: str
    python: str
    cpus: str
    blis: str
    openblas: str
    numpy_simd: str
    blis_bits_differ: bool
    n_docs: int
    labels_differ: int
    probabilities_differ: int
    api_scores_differ: int
    max_probability_diff: float
    spans_differ: int
    scores: str
    error: str = ""

    @property
    def same(self) -> bool:
        return not self.error and self.labels_differ == self.probabilities_differ == self.spans_differ == 0


def _shown_scores(out: dict[str, Any]) -> str:
    from mlopsbook.formatting import percent

    c, n = out["scores"]["classifier"], out["scores"]["ner"]
    return (f"accuracy {percent(c['accuracy'])}, macro F1 {percent(c['macro_f1'])}; NER P {percent(n['precision'])} "
            f"R {percent(n['recall'])} F1 {percent(n['f1'])}")


def compare(families: Sequence[Family] = FAMILIES, n_docs: int | None = None,
            pythons: Sequence[str | None] = (None,)) -> list[Row]:
    """Run every family under every interpreter of ``pythons`` (``None``: this one); the first run is the baseline,
    and each run is compared with it as the book shows numbers."""
    from mlopsbook.formatting import percent

    outs = [(f, run(f, n_docs, python=py), py) for py in pythons for f in families]
    base_f, base, _ = outs[0]
    if "error" in base:
        raise MlopsbookError(f"kernels: the baseline family {base_f.key!r} failed: {base['error']}")
    rows = []
    for f, out, py in outs:
        if "error" in out:
            rows.append(Row(f.key, py or platform.python_version(), f.cpus, f.blis or "", f.openblas or "",
                            f.numpy_level or "", False, 0, 0, 0, 0,
                            0.0, 0, "", out["error"]))
            continue
        n = len(base["labels"])
        simd = "x86-64-v4" if out["numpy_v4"] else "x86-64-v3" if out["numpy_v3"] else "x86-64-v2"
        rows.append(Row(
            family=f.key, python=out["python"], cpus=f.cpus, blis=out["blis"], openblas="/".join(out["openblas"]),
            numpy_simd=simd,
            blis_bits_differ=out["blis_probe"] != base["blis_probe"], n_docs=n,
            labels_differ=sum(a != b for a, b in zip(base["labels"], out["labels"])),
            probabilities_differ=sum(percent(a) != percent(b) for a, b in zip(base["proba"], out["proba"])),
            api_scores_differ=sum(round(a, 6) != round(b, 6) for a, b in zip(base["proba"], out["proba"])),
            max_probability_diff=max(abs(a - b) for a, b in zip(base["proba"], out["proba"])),
            spans_differ=sum(a != b for a, b in zip(base["spans"], out["spans"])),
            scores=_shown_scores(out),
        ))
    return rows


def table(rows: Sequence[Row]) -> Any:
    """The comparison as a pandas DataFrame, one row per family."""
    import pandas as pd

    return pd.DataFrame([{
        "family": r.family, "Python": r.python, "CPUs": r.cpus, "BLIS": r.blis, "OpenBLAS": r.openblas,
        "NumPy SIMD": r.numpy_simd,
        "BLIS bits differ": "yes" if r.blis_bits_differ else "no",
        "documents": r.n_docs, "labels differ": r.labels_differ, "probabilities differ (as shown)":
        r.probabilities_differ, "API scores differ (6 decimals)": r.api_scores_differ,
        "largest raw probability difference": f"{r.max_probability_diff:.1e}",
        "entity spans differ": r.spans_differ, "held-out scores (as shown)": r.scores,
        "same": "yes" if r.same else (r.error or "NO"),
    } for r in rows]).set_index(["family", "Python"])
