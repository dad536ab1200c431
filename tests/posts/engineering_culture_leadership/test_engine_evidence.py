"""The post shows the engine page's run: the evidence survives the snapshot's JSON, and its absence is one clear line."""

from __future__ import annotations

import json
import math

import nbformat
import pandas as pd
import pytest

from mlopsbook.errors import MlopsbookError
from mlopsbook.lab.experiments import ScaleUp
from mlopsbook.lab.load import LoadResult
from mlopsbook.publishing.claims import Status, Verdict
from mlopsbook.reproductions.engineering_culture_leadership import engine


def _evidence(t_two: float) -> engine.Evidence:
    requests = pd.DataFrame({"seq": [0, 1], "thread": [0, 1], "start_s": [0.0, 0.1], "latency_ms": [12.5, float("nan")],
                             "status": [200, 0], "error": ["", "timeout"]})
    replicas = pd.DataFrame({"t_s": [0.0, 0.2], "running": [1, 2], "status": ["HEALTHY", "UPSCALING"]})
    scale = ScaleUp(LoadResult(requests, 8, 1.5, 0.0), replicas, 2, t_two)
    c1 = Verdict("C1", Status.HOLDS_UNDER_CONDITIONS, "It held.", conditions="locally", figures={"max_replicas": 2},
                 evidence_page=engine.ENGINE_PAGE)
    c2 = Verdict("C2", Status.REFUTED, "It did not.", evidence_page=engine.ENGINE_PAGE)
    return engine.Evidence(c1, c2, scale)


@pytest.mark.parametrize("t_two", [0.2, float("nan")])
def test_the_evidence_survives_the_snapshots_json(t_two):
    ev = _evidence(t_two)
    data = json.loads(json.dumps(ev._repr_mimebundle_()[engine.EVIDENCE_MIME], allow_nan=False))
    back = engine.Evidence.from_json(data)
    assert back.c1 == ev.c1 and back.c2 == ev.c2 and back.c1.evidence_page == engine.ENGINE_PAGE
    assert back.scale.max_replicas == 2 and back.scale.load.n_requests == 2 and back.scale.load.n_ok == 1
    assert (math.isnan(back.scale.t_two_running_s) if math.isnan(t_two) else back.scale.t_two_running_s == t_two)
    assert back.scale.replicas["running"].tolist() == [1, 2]


def _root(tmp_path, outputs):
    snap = tmp_path / "snapshots" / f"{engine.ENGINE_PAGE}.ipynb"
    snap.parent.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell("evidence", outputs=outputs)
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), snap)
    return tmp_path


def test_the_post_reads_the_engine_pages_snapshot(tmp_path):
    ev = _evidence(0.2)
    out = nbformat.v4.new_output("display_data", data={engine.EVIDENCE_MIME: ev.to_json(), "text/plain": "x"})
    assert engine.read_evidence(_root(tmp_path, [out])).c1 == ev.c1


def test_a_missing_evidence_names_the_command(tmp_path):
    with pytest.raises(MlopsbookError, match=r"no output carries the engine's evidence.*make snapshots NB="):
        engine.read_evidence(_root(tmp_path, []))
    with pytest.raises(MlopsbookError, match="missing"):
        engine.read_evidence(tmp_path / "elsewhere")
