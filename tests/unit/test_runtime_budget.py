"""The memory a notebook is given (MEM_LIMIT, cgroup, machine) and the Ray configuration chosen for it."""

from __future__ import annotations

import pytest

from mlopsbook.publishing import runtime_budget as rb
from mlopsbook.errors import MlopsbookError


def test_mem_limit_wins_over_cgroup_and_machine(tmp_path):
    cg = tmp_path / "memory.max"
    cg.write_text("1073741824\n")
    b = rb.memory_budget({"MEM_LIMIT": "2147483648"}, (cg,), machine_bytes=64 * rb.GIB)
    assert b == rb.MemoryBudget(2 * rb.GIB, "MEM_LIMIT")


def test_cgroup_limit_is_read_when_no_mem_limit(tmp_path):
    cg = tmp_path / "memory.max"
    cg.write_text("1073741824\n")
    assert rb.memory_budget({}, (cg,), machine_bytes=64 * rb.GIB) == rb.MemoryBudget(rb.GIB, "cgroup")


@pytest.mark.parametrize("text", ["max\n", "9223372036854771712\n", ""])
def test_unlimited_or_missing_cgroup_falls_back_to_the_machine(tmp_path, text):
    cg = tmp_path / "memory.max"
    cg.write_text(text)
    assert rb.memory_budget({}, (cg, tmp_path / "absent"), machine_bytes=8 * rb.GIB) == rb.MemoryBudget(8 * rb.GIB,
                                                                                                        "machine")


def test_cgroup_larger_than_the_machine_is_not_a_limit(tmp_path):
    cg = tmp_path / "memory.max"
    cg.write_text(str(128 * rb.GIB))
    assert rb.memory_budget({}, (cg,), machine_bytes=8 * rb.GIB).source == "machine"


@pytest.mark.parametrize("bad", ["two gigs", "-5", "0"])
def test_a_bad_mem_limit_is_refused_by_name(bad):
    with pytest.raises(MlopsbookError, match="MEM_LIMIT"):
        rb.memory_budget({"MEM_LIMIT": bad})


def test_binders_limit_is_2_gb_from_the_data():
    assert rb.binder_memory_bytes() == 2_000_000_000


def test_the_largest_configuration_that_fits_is_chosen():
    big = rb.MemoryBudget(16 * rb.GIB, "machine")
    four = rb.MemoryBudget(int(3.5 * rb.GIB), "MEM_LIMIT")
    assert rb.ray_config(big) is rb.FULL and rb.FULL.fits(big)
    assert rb.ray_config(four) is rb.READER and rb.READER.fits(four) and not rb.FULL.fits(four)
    # Too little for any: the smallest one, and it says it does not fit (the page reports it)
    binder = rb.MemoryBudget(2 * rb.GIB, "MEM_LIMIT")
    assert rb.ray_config(binder) is rb.CONFIGS[-1]
    assert rb.CONFIGS[-1].fits(binder) == (rb.CONFIGS[-1].needs_bytes <= 0.9 * 2 * rb.GIB)
    # Ordered largest first, each smaller in memory, none with fewer than one replica
    needs = [c.needs_bytes for c in rb.CONFIGS]
    assert needs == sorted(needs, reverse=True) and all(c.max_replicas >= 1 for c in rb.CONFIGS)


def test_reader_keeps_no_idle_workers_and_a_small_object_store():
    cfg = dict(rb.READER.system_config)
    assert cfg["num_workers_soft_limit"] == 0 and cfg["enable_worker_prestart"] is False
    assert rb.READER.object_store_bytes < rb.FULL.object_store_bytes
    assert 75 * rb.MIB <= rb.READER.object_store_bytes  # Ray's minimum object store


def test_describe_names_what_runs():
    assert rb.READER.describe().startswith("reader: 2 Serve replica(s) at most, 80 MiB object store, 2 CPU(s)")


def test_summary_says_what_runs_and_whether_it_fits():
    line = rb.summary(rb.MemoryBudget(2 * rb.GIB, "MEM_LIMIT"), rb.READER)
    assert line.startswith("Memory given: 2.1 GB (MEM_LIMIT). Ray configuration reader:")
    assert line.endswith("(fits).")
    tight = rb.summary(rb.MemoryBudget(1 * rb.GIB, "cgroup"), rb.READER)
    assert tight.endswith("(more than given: a kernel may be restarted).")
    assert rb.summary(rb.MemoryBudget(16 * rb.GIB, "machine")).endswith("(fits).")


def test_the_dag_job_joins_the_notebooks_cluster(monkeypatch, tmp_path):
    """run_dag passes the running cluster's address to the job, so a notebook holds one Ray head, not two."""
    import subprocess
    from datetime import date

    from mlopsbook.lab import experiments

    seen = []

    def fake_run(cmd, env=None, **kw):
        seen.append(env.get("RAY_ADDRESS"))
        return subprocess.CompletedProcess(cmd, 0, "DagRun Finished: state=success", "")

    monkeypatch.setattr(experiments, "airflow_bin", lambda: tmp_path / "airflow")
    monkeypatch.setattr(subprocess, "run", fake_run)
    experiments.run_dag(date(2024, 1, 25), tmp_path, tmp_path, tmp_path / "home", ray_address="10.0.0.1:6379")
    assert seen == ["10.0.0.1:6379", "10.0.0.1:6379"]
    seen.clear()
    monkeypatch.setattr(experiments, "_running_cluster_address", lambda: "")
    monkeypatch.setenv("RAY_ADDRESS", "ray://elsewhere:10001")
    experiments.run_dag(date(2024, 1, 25), tmp_path, tmp_path, tmp_path / "home")
    assert seen == [None, None]  # no cluster here: the job starts its own, whatever the caller's RAY_ADDRESS
