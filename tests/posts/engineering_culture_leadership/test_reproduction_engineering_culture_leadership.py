"""The reproduction of "Engineering culture & leadership": its recorded profile, loaded on first use and refused
when stale, and the verdict on C7 (the other claims' verdicts are tested beside the models they use)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from mlopsbook import formatting as fmt

from mlopsbook.publishing.claims import Status
from mlopsbook.costs import curves as cc, pricing
from mlopsbook.costs.model import PLATFORM_LABELS, ModelProfile
from mlopsbook.costs.traffic import Workload
from mlopsbook.errors import StaleMeasurementError
from mlopsbook.reproductions.engineering_culture_leadership import costs as post_costs, profile

PRICES = pricing.load()


def test_importing_the_library_and_the_wing_reads_nothing() -> None:
    code = ("import builtins, io, pathlib\n"
            "opened = []\n"
            "real = io.open\n"
            "def spy(f, *a, **k):\n"
            "    opened.append(str(f)); return real(f, *a, **k)\n"
            "builtins.open = io.open = spy\n"
            "pathlib.Path.read_text = lambda self, *a, **k: opened.append(str(self)) or ''\n"
            "import mlopsbook.costs.model, mlopsbook.costs.curves, mlopsbook.decide.rank, mlopsbook.medusa.answer\n"
            "import mlopsbook.reproductions.engineering_culture_leadership.autoscaling\n"
            "import mlopsbook.reproductions.engineering_culture_leadership.decision\n"
            "print([f for f in opened if '/data/' in f or f.endswith('.json') or f.endswith('.csv')])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_stale_record_is_reported_where_it_is_used(tmp_path, monkeypatch) -> None:
    from mlopsbook.nlp import measure
    from mlopsbook.paths import repo_root

    rec = json.loads((repo_root() / "data" / "inference" / profile.RECORDED_PROFILE).read_text())
    rec["provenance"]["model_version"] = "0" * 16
    (tmp_path / "data" / "inference").mkdir(parents=True)
    (tmp_path / "data" / "inference" / "old.json").write_text(json.dumps(rec))
    (tmp_path / "data" / "models").symlink_to(repo_root() / "data" / "models")  # the shipped models
    (tmp_path / "_config.yml").write_text("")
    monkeypatch.setenv("MLOPSBOOK_ROOT", str(tmp_path))
    with pytest.raises(StaleMeasurementError, match=r"^data/inference/old.json: .*re-record with `mlopsbook infer"):
        measure.recorded_profile("old.json")


def test_post_model_is_the_recorded_measurement() -> None:
    rec = profile.recorded()
    m = profile.post_model()
    assert f"data/inference/{profile.RECORDED_PROFILE}" in m.source
    assert m.init_ms == pytest.approx(rec["init_ms"], abs=5)  # rounded to 10 ms
    assert m.cpu_ms == pytest.approx(rec["duration_ms"], abs=0.05)
    assert m.lambda_duration_ms == m.cpu_ms  # 1,769 MB: one full vCPU (A8)



def test_verdict_c7_conditions_name_the_rate_and_the_platform() -> None:
    v = post_costs.verdict_c7(profile.post_model(), prices=PRICES)
    assert v.claim_id == "C7" and v.status is Status.HOLDS_UNDER_CONDITIONS
    x, other = cc.lambda_cheapest_below("business-hours", profile.post_model(), prices=PRICES)
    assert v.figures["x_mean_rps"] == x and v.figures["undercut_by"] == other
    busy = Workload("business-hours", x).peak_rps
    assert f"below {fmt.rate(busy)} sustained during business hours" in v.conditions
    assert PLATFORM_LABELS[other] + " is cheaper" in v.conditions
    assert v.figures["price_date"] == PRICES.date and v.figures["model_source"] == "measured"
    assert "measured" in v.summary
    v.record()  # plain types only (Verdict checks figures)
    # below x Lambda is the cheapest of all six; just above, `other` is cheaper
    w = Workload("business-hours", 1.0)
    assert set(cc.cheapest(w, np.array([x * 0.98, x * 0.5, 0.01]), profile.post_model(), prices=PRICES)) == {"lambda"}
    assert cc.cheapest(w, np.array([x * 1.000001]), profile.post_model(), prices=PRICES)[0] == other


def test_verdict_c7_with_a_measured_model() -> None:
    measured = ModelProfile("spaCy NER", cpu_ms=8.0, init_ms=2500.0, lambda_memory_mb=2048, source="measured on this machine")
    v = post_costs.verdict_c7(measured, prices=PRICES)
    assert v.figures["model_source"] == "measured" and "assumption" not in v.summary
    assert v.status is Status.HOLDS_UNDER_CONDITIONS and "at least two replicas" not in v.summary  # serverless




MODEL_MODULES = ("nlp/ner.py", "nlp/classifier.py", "nlp/corpus.py", "nlp/service.py",
                 "costs/model.py", "decide/rank.py", "simulate/ray_serve.py")


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_an_edited_model_module_stops_no_unrelated_command(module, tmp_path) -> None:
    """A comment appended to a model module (which changes the measured models' version) leaves ``--help``, ``posts
    check`` (run by ``make book``) and ``infer measure`` (the way to re-record) working; with ``data/`` absent too."""
    import shutil

    from mlopsbook.paths import repo_root

    root = repo_root()
    src = tmp_path / "src"
    shutil.copytree(root / "src" / "mlopsbook", src / "mlopsbook", ignore=shutil.ignore_patterns("__pycache__"))
    with open(src / "mlopsbook" / module, "a") as f:
        f.write("\n# an edit\n")
    book = tmp_path / "book"  # a book with its notebooks but no data/
    book.mkdir()
    (book / "_config.yml").write_text((root / "_config.yml").read_text())
    shutil.copytree(root / "notebooks", book / "notebooks")
    env = {"PYTHONPATH": str(src), "MLOPSBOOK_ROOT": str(book), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "mlopsbook", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=120)

    assert run("--help").returncode == 0
    check = run("posts", "check", str(book / "notebooks"))
    assert check.returncode == 0, check.stderr
    measure = run("infer", "measure", "--runs", "0")  # starts, reaches its own flag check, measures nothing
    assert measure.returncode == 2 and measure.stderr.strip().endswith("--runs: must be >= 1 (got 0)"), measure.stderr
    assert "Traceback" not in check.stderr + measure.stderr
