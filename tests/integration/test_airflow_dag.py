"""The Airflow DAG runs the bulk job idempotently (Airflow 3.3.2 in .venv-airflow, SQLite, offline).

Each test drives ``airflow dags test mlopsbook_bulk_scoring <date>`` in a subprocess with its own AIRFLOW_HOME, on
the real models: a date run twice gives byte-identical output and no duplicates; a job killed half-way leaves the
published partition untouched and the re-run gives exactly the clean run's output; two dates give two partitions;
a date without input fails in ``check_input`` and publishes nothing. Needs ``make airflow-env``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import psutil
import pytest

from mlopsbook.engine import bulk, idempotent
from mlopsbook.paths import repo_root

pytestmark = pytest.mark.usefixtures("own_ray_cluster")  # its clusters run alone, not beside the shared session

ROOT = repo_root()
AIRFLOW = ROOT / ".venv-airflow" / "bin" / "airflow"
DAG_ID = "mlopsbook_bulk_scoring"
D1, D2 = date(2024, 1, 25), date(2024, 1, 26)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:  # noqa: ANN001
    if not AIRFLOW.is_file():
        pytest.fail(f"{AIRFLOW.relative_to(ROOT)} is missing: run `make airflow-env` first")
    base = tmp_path_factory.mktemp("airflow")
    bulk.write_input_days(base / "in", [D1, D2], 30)
    e = {
        **os.environ,
        "AIRFLOW_HOME": str(base / "home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "airflow" / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "MLOPSBOOK_BULK_INPUT": str(base / "in"),
        "MLOPSBOOK_BULK_OUTPUT": str(base / "out"),
        "MLOPSBOOK_BIN": str(ROOT / ".venv" / "bin" / "mlopsbook"),
        "PYTHONPATH": str(ROOT / "tests" / "support"),
        "ENGINE_STANDIN_TOKEN": str(base / "token"),
    }
    e.pop("MLOPSBOOK_BULK_SCORER", None)
    migrate = subprocess.run([str(AIRFLOW), "db", "migrate"], env=e, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    return e


def _dags_test(env: dict[str, str], day: date, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([str(AIRFLOW), "dags", "test", DAG_ID, day.isoformat()], env={**env, **extra},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _run(env: dict[str, str], day: date, **extra: str) -> tuple[int, str]:
    proc = _dags_test(env, day, **extra)
    out, _ = proc.communicate(timeout=600)
    return proc.returncode, out


def _out(env: dict[str, str]) -> Path:
    return Path(env["MLOPSBOOK_BULK_OUTPUT"])


@pytest.fixture(scope="module")
def clean_d1(env: dict[str, str]) -> str:
    rc, log = _run(env, D1)
    assert rc == 0 and "state=success" in log, log[-3000:]
    return idempotent.digest(_out(env) / "day=2024-01-25")


def test_a_run_publishes_every_document_once(env: dict[str, str], clean_d1: str) -> None:
    df = bulk.read_partition(_out(env) / "day=2024-01-25")
    assert len(df) == 30 and df["doc_id"].is_unique
    assert set(df.columns) == set(bulk.OUTPUT_COLUMNS)


def test_killed_half_way_then_rerun_gives_exactly_the_clean_output(env: dict[str, str], clean_d1: str) -> None:
    proc = _dags_test(env, D1, MLOPSBOOK_BULK_SCORER="engine_standin:load_stalling")
    staging = _out(env) / idempotent.STAGING
    deadline = time.monotonic() + 180
    while not list(staging.glob("day=2024-01-25.tmp-*/*.parquet")):
        assert proc.poll() is None, proc.communicate()[0][-3000:]
        assert time.monotonic() < deadline, "the stalling bulk job wrote nothing in 180 s"
        time.sleep(0.2)
    job = [p for p in psutil.Process(proc.pid).children(recursive=True)
           if "engine" in p.cmdline() and "bulk" in p.cmdline()]
    assert len(job) == 1, [p.cmdline() for p in job]
    tree = [job[0], *job[0].children(recursive=True)]  # the job and the Ray cluster it started
    for p in tree:
        p.send_signal(signal.SIGKILL)
    psutil.wait_procs(tree, timeout=30)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0 and "exited -9" in out, out[-3000:]  # Airflow saw the job die
    # the published partition is the clean run's, untouched; the half-written one is not visible
    assert idempotent.digest(_out(env) / "day=2024-01-25") == clean_d1
    assert idempotent.partitions(_out(env)) == ["day=2024-01-25"]
    rc, log = _run(env, D1)
    assert rc == 0, log[-3000:]
    assert idempotent.digest(_out(env) / "day=2024-01-25") == clean_d1  # same date twice: byte-identical
    assert not list(staging.glob("*.tmp-*"))
    assert len(bulk.read_partition(_out(env) / "day=2024-01-25")) == 30  # replaced, not appended


def test_two_dates_give_two_partitions(env: dict[str, str], clean_d1: str) -> None:
    rc, log = _run(env, D2)
    assert rc == 0, log[-3000:]
    assert idempotent.partitions(_out(env)) == ["day=2024-01-25", "day=2024-01-26"]
    assert idempotent.digest(_out(env) / "day=2024-01-25") == clean_d1


def test_a_date_without_input_fails_and_publishes_nothing(env: dict[str, str], clean_d1: str) -> None:
    rc, log = _run(env, date(2024, 2, 1))
    assert rc != 0 and "no input partition for 2024-02-01" in log, log[-3000:]
    assert "day=2024-02-01" not in idempotent.partitions(_out(env))
