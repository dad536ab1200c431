"""The engine verdicts of "Engineering culture & leadership" (C1, C2), decided from measurements built here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from mlopsbook.engine.bulk import BulkResult
from mlopsbook.lab import experiments, load
from mlopsbook.publishing.claims import Status
from mlopsbook.reproductions.engineering_culture_leadership import engine as verdicts


# -- verdicts from measurements -----------------------------------------------------------------------------------------
def _lr(n_failed: int, concurrency: int = 8) -> load.LoadResult:
    df = pd.DataFrame({"seq": range(20), "thread": 0, "start_s": 0.0, "latency_ms": 10.0,
                       "status": [500] * n_failed + [200] * (20 - n_failed), "error": ""})
    return load.LoadResult(df, concurrency, 1.0, 0.0)


def _bulk(digest: str = "d") -> BulkResult:
    return BulkResult(date(2024, 1, 25), 200, 200, Path("day=2024-01-25"), False, "rename", digest, 1.0)


def _inputs(max_replicas: int = 2, failed: int = 3, recovered: float = 9.0, equal: int = 10) -> tuple:
    reps = pd.DataFrame({"t_s": [0.0], "running": [1], "status": ["HEALTHY"], "message": [""]})
    ans = experiments.Answer(200, {}, 1.0)
    up = experiments.ScaleUp(_lr(0), reps, max_replicas, 5.0)
    kill = experiments.ReplicaKill(_lr(failed), reps, 1.5, "x", 3.0, recovered, ("HEALTHY", "UNHEALTHY"))
    day = experiments.BulkDay(_bulk(), _bulk(), 10, equal)
    return ans, up, kill, day


def test_verdict_c1_holds_under_conditions_when_every_fact_holds() -> None:
    v = verdicts.verdict_c1(*_inputs(), manifest_problems=[])
    assert v.status is Status.HOLDS_UNDER_CONDITIONS and "not applied to a Kubernetes cluster" in v.conditions
    assert v.figures["facts_holding"] == v.figures["facts_checked"] == 7
    # deterministic: timings and the number of failed requests do not appear
    assert verdicts.verdict_c1(*_inputs(failed=1, recovered=20.0), manifest_problems=[]) == v


@pytest.mark.parametrize("kw,problems,fact", [
    ({"max_replicas": 1}, [], "Serve scaled"), ({"failed": 9}, [], "in flight"),
    ({"recovered": float("nan")}, [], "two replicas ran again"), ({"equal": 9}, [], "identical answers"),
    ({}, ["spec: bad"], "manifests validate"),
])
def test_verdict_c1_is_refuted_naming_the_fact_that_failed(kw: dict, problems: list, fact: str) -> None:
    v = verdicts.verdict_c1(*_inputs(**kw), manifest_problems=problems)
    assert v.status is Status.REFUTED and fact in v.summary


def test_verdict_c2() -> None:
    day = experiments.BulkDay(_bulk("a"), _bulk("a"), 10, 10)
    ok = experiments.DagRun(date(2024, 1, 25), 0, "success", 30.0, "a", 60)
    v = verdicts.verdict_c2(day, ok)
    assert v.status is Status.HOLDS_UNDER_CONDITIONS and "appending job" in v.conditions
    changed = experiments.DagRun(date(2024, 1, 25), 0, "success", 30.0, "b", 60)
    assert verdicts.verdict_c2(day, changed).status is Status.REFUTED
    assert verdicts.verdict_c2(experiments.BulkDay(_bulk("a"), _bulk("b"), 10, 10), ok).status is Status.REFUTED
