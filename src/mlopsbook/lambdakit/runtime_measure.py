"""A dated measurement of the Lambda packages in the runtime interface client: INIT and invocation durations on one
core (:func:`measure`), recorded in ``data/inference/`` (:func:`record`) and read back by the cost model and the
simulator (:func:`recorded`).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping

from mlopsbook.lambdakit.runtime_api import invoke
from mlopsbook.lambdakit.runtime_facts import RUNTIME_FILE, LambdaRuntimeError, client_python, facts


# -- measurement ------------------------------------------------------------------------------------------------------
MEASURED_FILE = "lambda-runtime-measured-2026-11-30.json"
"""The committed measurement of both packages in the runtime client (``data/inference/``): INIT and invocation
durations on one core. The cost model's and the simulator's Lambda INIT come from it."""

N_DOCUMENTS = 20
"""One-page documents sent per cold start when measuring."""


def page_events(n: int = N_DOCUMENTS, words: int = 500, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` API Gateway (REST) events, each a seeded document of about ``words`` words."""
    from mlopsbook.nlp import corpus

    return [{"httpMethod": "POST", "headers": {"Content-Type": "application/json"}, "isBase64Encoded": False,
             "requestContext": {"requestId": f"doc-{i}"}, "body": json.dumps({"text": d.text})}
            for i, d in enumerate(corpus.documents_of_length(words, n, seed=seed))]


def measure(zips: Mapping[str, Path], *, runs: int = 3, cpu: int | None = None) -> dict[str, Any]:
    """Run each service's zip ``runs`` times from a cold start in the runtime client, pinned to one core, with
    :func:`page_events`; returns per service the median INIT (ms) and the p50/p95 of the invocation durations
    (ms, all runs pooled), with how it was measured."""
    import platform
    import statistics
    import zipfile

    import numpy as np

    rt = facts()
    py = client_python(rt)
    cpu = sorted(os.sched_getaffinity(0))[-1] if cpu is None else cpu
    events = page_events()
    out: dict[str, Any] = {}
    for service, zpath in sorted(zips.items()):
        inits: list[float] = []
        durations: list[float] = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                task = Path(tmp) / "task"
                zipfile.ZipFile(zpath).extractall(task)
                res = invoke(task, f"{service}_function.handler", events, python=py, cpu=cpu, function_name=service,
                             runtime=rt.runtime)
            if res.init_error is not None or len(res.invocations) != len(events):
                raise LambdaRuntimeError(f"{service}: the function did not answer every event: "
                                         f"{res.init_error or res.log[-500:]}")
            inits.append(res.init_ms)
            durations.extend(i.duration_ms for i in res.invocations)
        out[service] = {
            "init_ms": statistics.median(inits),
            "init_ms_runs": inits,
            "duration_ms_p50": float(np.percentile(durations, 50)),
            "duration_ms_p95": float(np.percentile(durations, 95)),
            "n_invocations": len(durations),
        }
    out["method"] = (f"awslambdaric {_client_version(py)} on CPython {rt.python} ({rt.runtime}'s), against the "
                     f"Runtime API emulated on 127.0.0.1; process pinned to one core with one thread per math library "
                     f"(Lambda's 1,769 MB share, A8); INIT = process start to the first /invocation/next; duration = "
                     f"event handed out to /response; {runs} cold starts per service, {len(events)} one-page documents "
                     f"each")
    out["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Linux {platform.release().split('-')[0]}"
    return out


def _client_version(py: Path) -> str:
    proc = subprocess.run([str(py), "-c", "import importlib.metadata as m; print(m.version('awslambdaric'))"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def record(measurement: Mapping[str, Any], packages: Mapping[str, Any], name: str = MEASURED_FILE) -> Path:
    """Write a measurement with its provenance (date, model version, zips' SHA-256) to ``data/inference/<name>``."""
    import datetime as dt

    from mlopsbook.nlp import service
    from mlopsbook.paths import repo_root

    rec = {**measurement, "provenance": {
        "measured_on": dt.date.today().isoformat(), "model_version": service.model_version(),
        "runtime_facts": f"data/inference/{RUNTIME_FILE}",
        "zips": {s: {"sha256": p["zip"]["sha256"], "zipped_mb": p["zipped_mb"], "unzipped_mb": p["unzipped_mb"]}
                 for s, p in sorted(packages.items())}}}
    path = repo_root() / "data" / "inference" / name
    path.write_text(json.dumps(rec, indent=1, sort_keys=True) + "\n")
    return path


def recorded(name: str = MEASURED_FILE) -> dict[str, Any]:
    """The committed measurement (:data:`MEASURED_FILE`). Raises :class:`LambdaRuntimeError` naming the file and
    field when one is missing."""
    from mlopsbook.paths import data_path

    path = data_path("inference", name)
    rec = json.loads(path.read_text())
    for svc in ("classify", "entities"):
        for key in ("init_ms", "duration_ms_p50", "duration_ms_p95"):
            if key not in rec.get(svc, {}):
                raise LambdaRuntimeError(f"data/inference/{name}: missing {svc}.{key}")
    if "provenance" not in rec:
        raise LambdaRuntimeError(f"data/inference/{name}: missing provenance")
    return rec


