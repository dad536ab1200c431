"""The idempotent partition writer: staged, published atomically, a re-run replaces, a failure publishes nothing."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.engine import idempotent as idem


def _writer(files: dict[str, bytes]):  # noqa: ANN202
    def write(staging: Path) -> None:
        for name, data in files.items():
            (staging / name).write_bytes(data)
    return write


def test_first_write_renames_and_rewrite_replaces(tmp_path: Path) -> None:
    p1 = idem.write_partition(tmp_path, "day=2024-01-25", _writer({"a.parquet": b"1", "b.parquet": b"2"}))
    assert (p1.replaced, p1.method) == (False, "rename")
    p2 = idem.write_partition(tmp_path, "day=2024-01-25", _writer({"a.parquet": b"3"}))
    assert p2.replaced and p2.method in ("exchange", "two-renames")
    # replaced, not appended: b.parquet of the first run is gone
    assert sorted(p.name for p in p2.path.iterdir()) == ["a.parquet"]
    assert (p2.path / "a.parquet").read_bytes() == b"3"
    assert idem.partitions(tmp_path) == ["day=2024-01-25"]
    assert not list((tmp_path / idem.STAGING).glob("*.tmp-*"))


def test_exchange_is_used_on_linux(tmp_path: Path) -> None:
    idem.write_partition(tmp_path, "p", _writer({"x": b"1"}))
    assert idem.write_partition(tmp_path, "p", _writer({"x": b"2"})).method == "exchange"


def test_failed_writer_publishes_nothing_and_keeps_the_old_partition(tmp_path: Path) -> None:
    idem.write_partition(tmp_path, "p", _writer({"x": b"old"}))
    before = idem.digest(tmp_path / "p")

    def broken(staging: Path) -> None:
        (staging / "x").write_bytes(b"half")
        raise RuntimeError("killed half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        idem.write_partition(tmp_path, "p", broken)
    assert idem.digest(tmp_path / "p") == before
    assert not list((tmp_path / idem.STAGING).glob("*.tmp-*"))


def test_leftover_staging_of_a_killed_run_is_removed_by_the_next_run(tmp_path: Path) -> None:
    stale = tmp_path / idem.STAGING / "p.tmp-deadbeef"
    stale.mkdir(parents=True)
    (stale / "x").write_bytes(b"partial")
    idem.write_partition(tmp_path, "p", _writer({"x": b"ok"}))
    assert not stale.exists()
    assert idem.partitions(tmp_path) == ["p"]


def test_empty_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no files"):
        idem.write_partition(tmp_path, "p", lambda staging: None)
    assert idem.partitions(tmp_path) == []


@pytest.mark.parametrize("name", ["", "_staging", ".hidden", "a/b"])
def test_bad_partition_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="name"):
        idem.write_partition(tmp_path, name, _writer({"x": b"1"}))


def test_partition_name_and_digest() -> None:
    assert idem.partition_name(date(2024, 1, 25)) == "day=2024-01-25"
    with pytest.raises(TypeError, match="day"):
        idem.partition_name("2024-01-25")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        idem.digest(Path("/nonexistent/partition"))


def test_publish_without_staging_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="staging"):
        idem.publish(tmp_path / "missing", tmp_path / "final")


_files = st.dictionaries(st.from_regex(r"[a-z]{1,8}\.parquet", fullmatch=True), st.binary(max_size=64),
                         min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(runs=st.lists(_files, min_size=1, max_size=5))
def test_after_any_sequence_of_runs_the_partition_is_exactly_the_last_run(tmp_path_factory, runs) -> None:  # noqa: ANN001
    root = tmp_path_factory.mktemp("idem")
    for files in runs:
        idem.write_partition(root, "day=2024-01-25", _writer(files))
    part = root / "day=2024-01-25"
    assert {p.name: p.read_bytes() for p in part.iterdir()} == runs[-1]
    assert idem.partitions(root) == ["day=2024-01-25"]
    assert sorted(os.listdir(root / idem.STAGING)) == ["day=2024-01-25.lock"]
