"""Airflow DAG ``mlopsbook_bulk_scoring``: score one day's documents with the Ray Data bulk job, idempotently.

One run = one logical date = one partition. Three tasks:

1. ``check_input``: the day's input partition ``<input>/day=YYYY-MM-DD/`` exists and holds Parquet files;
2. ``score``: runs ``mlopsbook engine bulk --day <ds>`` (the same command a KubeRay RayJob runs, see
   ``deploy/kuberay/rayjob.yaml``) in the book's environment. The job writes the whole partition into a staging folder
   and publishes it atomically, so a re-run replaces the partition instead of appending to it, and a run killed
   half-way leaves no partial partition (``mlopsbook.engine.idempotent``). With ``RAY_ADDRESS`` set, the job runs on
   that Ray cluster instead of a local one;
3. ``verify``: the published partition's content digest equals the one the job reported (what is in place is exactly
   what this run wrote).

Configuration (environment of the Airflow worker):

- ``MLOPSBOOK_BULK_INPUT``, ``MLOPSBOOK_BULK_OUTPUT``: roots of the input and output partitions (required);
- ``MLOPSBOOK_BIN``: the ``mlopsbook`` command of the book's environment (default: ``<repo>/.venv/bin/mlopsbook``);
- ``MLOPSBOOK_BULK_SCORER``: optional ``module:function`` model factory (tests use a stand-in);
- ``MLOPSBOOK_BULK_TIMEOUT_S``: the job's time limit (default 1800);
- ``MLOPSBOOK_BULK_NUM_BLOCKS``: Ray Data blocks, i.e. model-loading tasks at once (default 2; 1 where memory is small).

Airflow lives in its own environment (``.venv-airflow``, ``make airflow-env``): apache-airflow 3.3.2 pins a FastAPI
older than the one Ray Serve runs with in the book's environment. The DAG file imports only Airflow and the standard
library; the library's stdlib-only ``mlopsbook.engine.idempotent`` is installed there without dependencies.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import dag, get_current_context, task

REPO = Path(__file__).resolve().parents[2]


def _setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        raise ValueError(f"{name}: must be set in the Airflow worker's environment")
    return value


@dag(
    dag_id="mlopsbook_bulk_scoring",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0, "execution_timeout": timedelta(hours=1)},
    tags=["mlopsbook", "ray", "bulk"],
    doc_md=__doc__,
)
def mlopsbook_bulk_scoring() -> None:
    @task
    def check_input() -> str:
        ds = get_current_context()["ds"]
        src = Path(_setting("MLOPSBOOK_BULK_INPUT")) / f"day={ds}"
        if not src.is_dir() or not any(src.glob("*.parquet")):
            raise FileNotFoundError(f"no input partition for {ds}: {src} is missing or holds no .parquet files")
        return ds

    @task
    def score(day: str) -> dict:
        cmd = [
            _setting("MLOPSBOOK_BIN", str(REPO / ".venv" / "bin" / "mlopsbook")), "engine", "bulk", "--day", day,
            "--input", _setting("MLOPSBOOK_BULK_INPUT"), "--output", _setting("MLOPSBOOK_BULK_OUTPUT"),
        ]
        if os.environ.get("MLOPSBOOK_BULK_NUM_BLOCKS"):
            cmd += ["--num-blocks", os.environ["MLOPSBOOK_BULK_NUM_BLOCKS"]]
        if os.environ.get("MLOPSBOOK_BULK_SCORER"):
            cmd += ["--scorer", os.environ["MLOPSBOOK_BULK_SCORER"]]
        timeout_s = float(_setting("MLOPSBOOK_BULK_TIMEOUT_S", "1800"))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise RuntimeError(f"bulk job for {day} exited {proc.returncode}:\n{tail}")
        summary = json.loads(proc.stdout.strip().splitlines()[-1])
        if summary["day"] != day or summary["output_rows"] != summary["input_rows"]:
            raise RuntimeError(f"bulk job for {day} reported an inconsistent result: {summary}")
        return summary

    @task
    def verify(summary: dict) -> dict:
        from mlopsbook.engine.idempotent import digest

        part = Path(_setting("MLOPSBOOK_BULK_OUTPUT")) / summary["partition"]
        found = digest(part)
        if found != summary["sha256"]:
            raise RuntimeError(f"{part}: content digest {found[:12]} differs from the job's {summary['sha256'][:12]}")
        return {"partition": summary["partition"], "rows": summary["output_rows"], "sha256": found}

    verify(score(check_input()))


mlopsbook_bulk_scoring()
