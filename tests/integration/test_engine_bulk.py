"""The bulk path: Ray Data scores a day's partition with the real models, idempotently; bad input is refused.

The in-process tests share the run's local Ray session (``local_ray``, tests/integration/conftest.py); the kill test runs
the CLI in a subprocess with its own cluster.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import psutil
import pytest

from mlopsbook.engine import bulk, idempotent
from mlopsbook.paths import repo_root
from engine_standin import StandIn, Stalling

DAY = date(2024, 1, 25)
SUPPORT = repo_root() / "tests" / "support"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:  # noqa: ANN001
    root = tmp_path_factory.mktemp("bulk") / "in"
    bulk.write_input_days(root, [DAY, date(2024, 1, 26)], 30)
    return root


def test_standin_scores_from_the_crc32_of_the_text() -> None:
    # zlib.crc32: "Acme Ltd agrees" 790522975 (label 0, score .975), "Loan of 5" 3853705363 (label 3, .363), "" 0
    party = {"label": "PARTY", "start": 0, "end": 4}
    assert StandIn().score(["Acme Ltd agrees", "Loan of 5", ""]) == [
        {"label": "lease", "score": 0.975, "entities": [{"text": "Acme", **party}]},
        {"label": "loan", "score": 0.363, "entities": [{"text": "Loan", **party}]},
        {"label": "lease", "score": 0.0, "entities": []},
    ]


def test_stalling_scores_the_first_batch_at_once_and_stalls_every_other(tmp_path: Path) -> None:
    s = Stalling(tmp_path / "token", stall_s=0.3)
    t0 = time.monotonic()
    first = s.score(["a b"])
    t1 = time.monotonic()
    second = s.score(["a b"])
    t2 = time.monotonic()
    assert (tmp_path / "token").exists()
    assert t1 - t0 < 0.3 <= t2 - t1
    assert first == second == StandIn().score(["a b"])


def test_input_days_are_deterministic_and_independent(tmp_path: Path) -> None:
    a = bulk.write_input_days(tmp_path / "a", [DAY], 12)
    b = bulk.write_input_days(tmp_path / "b", [date(2024, 1, 24), DAY], 12)
    assert idempotent.digest(a[0]) == idempotent.digest(b[1])
    assert idempotent.digest(b[0]) != idempotent.digest(b[1])
    df = bulk.read_partition(a[0])
    assert list(df.columns) == ["doc_id", "text"] and df["doc_id"].is_unique and len(df) == 12


def test_bulk_scores_with_the_same_models_as_the_realtime_path(local_ray, inputs: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from mlopsbook.nlp.service import load_models

    r = bulk.score_day(DAY, inputs, tmp_path / "out")
    out = bulk.read_partition(r.partition)
    src = bulk.read_partition(inputs / idempotent.partition_name(DAY))
    assert r.input_rows == r.output_rows == len(src) == len(out)
    assert list(out.columns) == list(bulk.OUTPUT_COLUMNS)
    assert out["doc_id"].tolist() == src["doc_id"].tolist()  # every document once, in input order
    direct = load_models().score(src["text"].tolist())
    assert out["label"].tolist() == [d["label"] for d in direct]
    assert out["score"].tolist() == pytest.approx([d["score"] for d in direct], abs=0)
    assert [list(map(dict, e)) for e in out["entities"]] == [d["entities"] for d in direct]
    assert len(list(r.partition.glob("*.parquet"))) == 2  # one file per block


def test_rerun_is_byte_identical_and_replaces(local_ray, inputs: Path, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    r1 = bulk.score_day(DAY, inputs, out)
    r2 = bulk.score_day(DAY, inputs, out)
    r3 = bulk.score_day(date(2024, 1, 26), inputs, out)
    assert r1.digest == r2.digest and not r1.replaced and r2.replaced
    assert idempotent.partitions(out) == ["day=2024-01-25", "day=2024-01-26"]
    assert r3.digest != r1.digest
    assert len(bulk.read_partition(r2.partition)) == r1.input_rows  # no duplicates


def test_bad_input_is_refused(local_ray, inputs: Path, tmp_path: Path) -> None:  # noqa: ANN001
    with pytest.raises(FileNotFoundError, match="no input partition for 2023-01-01"):
        bulk.score_day(date(2023, 1, 1), inputs, tmp_path / "out")
    dup = tmp_path / "dup"
    part = dup / "day=2024-01-25"
    part.mkdir(parents=True)
    pd.DataFrame({"doc_id": ["a", "a"], "text": ["x y", "z"]}).to_parquet(part / "p.parquet")
    with pytest.raises(ValueError, match="doc_id must be unique; duplicated: a"):
        bulk.score_day(DAY, dup, tmp_path / "out")
    pd.DataFrame({"id": ["a"], "text": ["x"]}).to_parquet(part / "p.parquet")
    with pytest.raises(ValueError, match="missing column"):
        bulk.score_day(DAY, dup, tmp_path / "out")
    with pytest.raises(ValueError, match="scorer"):
        bulk.score_day(DAY, inputs, tmp_path / "out", scorer="no_colon")
    assert idempotent.partitions(tmp_path / "out") == []


def _cli(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "mlopsbook"), "engine", "bulk", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a process we started and every process it started (its Ray cluster): a node dying."""
    root = psutil.Process(proc.pid)
    tree = [root, *root.children(recursive=True)]
    for p in tree:
        try:
            p.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    proc.communicate(timeout=30)
    psutil.wait_procs(tree, timeout=30)


def test_job_killed_half_way_publishes_nothing_and_rerun_equals_clean_run(local_ray, inputs: Path,  # noqa: ANN001
                                                                         tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SUPPORT), "ENGINE_STANDIN_TOKEN": str(tmp_path / "token")}
    out = tmp_path / "out"
    args = ["--day", "2024-01-25", "--input", str(inputs), "--output", str(out)]
    proc = _cli(args + ["--scorer", "engine_standin:load_stalling"], env)
    staging = out / idempotent.STAGING
    deadline = time.monotonic() + 120
    while not list(staging.glob("day=2024-01-25.tmp-*/*.parquet")):  # one block written, the other stalled
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the stalling job wrote nothing in 120 s"
        time.sleep(0.2)
    _kill_tree(proc)
    assert idempotent.partitions(out) == []  # half a partition was written, none is visible
    assert len(list(staging.glob("day=2024-01-25.tmp-*/*.parquet"))) == 1
    clean = _cli(args + ["--scorer", "engine_standin:load"], env)
    _, err = clean.communicate(timeout=300)
    assert clean.returncode == 0, err[-2000:]
    assert not list(staging.glob("*.tmp-*"))  # the next run removed the leftovers
    ref = bulk.score_day(DAY, inputs, tmp_path / "fresh", scorer="engine_standin:load")  # a clean run
    assert idempotent.digest(out / "day=2024-01-25") == ref.digest
