"""The shipped models: their manifest, the checks made when they are loaded, and staleness."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from mlopsbook.errors import ModelArtefactError, StaleMeasurementError, StaleModelError
from mlopsbook.nlp import artefact, measure, service, training


@pytest.fixture()
def copy(tmp_path):
    dest = tmp_path / "models"
    shutil.copytree(artefact.shipped_dir(), dest)
    return dest


def test_shipped_manifest_records_what_made_the_models():
    man = artefact.verify()
    assert man["name"] == artefact.SHIPPED and man["model_code_hash"] == artefact.model_code_hash()
    assert set(man["libraries"]) == set(artefact.LIBRARIES)
    assert man["training"]["sets"] == training.TRAINING
    assert man["corpus"]["version"] and len(man["corpus"]["generator_sha256"]) == 64
    assert {"classifier.pkl", "metrics.json", "ner/meta.json", "ner/ner/model"} <= set(man["files"])
    assert man["total_bytes"] == sum(f["bytes"] for f in man["files"].values())
    assert man["artefact_hash"] == artefact.artefact_hash(man["files"]) == service.model_version()


def test_recorded_measurements_are_tied_to_the_shipped_models():
    from mlopsbook.lambdakit import runtime_measure

    assert measure.recorded_profile("measured-profile-2026-11-30.json")["provenance"]["model_version"] == \
        service.model_version()
    assert runtime_measure.recorded()["provenance"]["model_version"] == service.model_version()


def test_a_copy_loads_and_predicts_like_the_shipped_models(copy):
    texts = ["Signed on 3 May 2021 by Vera Novak for and on behalf of Ashford Capital LLP."]
    assert service.load_models(copy).score(texts) == service.load_models().score(texts)


@pytest.mark.parametrize("damage, words", [
    (lambda d: (d / "ner" / "ner" / "moves").write_bytes(b"x" + (d / "ner" / "ner" / "moves").read_bytes()[1:]),
     r"ner/ner/moves: SHA-256 differs"),
    (lambda d: (d / "classifier.pkl").unlink(), r"classifier.pkl: missing"),
    (lambda d: (d / "ner" / "extra.bin").write_bytes(b"1"), r"ner/extra.bin: not listed"),
    (lambda d: (d / "manifest.json").unlink(), r"no manifest.json .*mlopsbook infer train --record"),
    (lambda d: (d / "manifest.json").write_text("{"), r"manifest.json: not JSON"),
])
def test_an_altered_artefact_is_refused_with_one_line(copy, damage, words):
    damage(copy)
    with pytest.raises(ModelArtefactError, match=words) as exc:
        service.load_models(copy)
    assert "\n" not in str(exc.value)


def test_a_missing_folder_is_reported_not_trained(tmp_path):
    with pytest.raises(ModelArtefactError, match="no manifest.json"):
        service.load_models(tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_stale_models_are_reported_where_used(monkeypatch):
    monkeypatch.setattr(artefact, "model_code_hash", lambda: "0" * 16)
    msg = r"^data/models/legal-nlp-[-\d]+: made by model code [0-9a-f]{16}, .* is now 0{16}; retrain with " \
          r"`mlopsbook infer train --record`$"
    with pytest.raises(StaleModelError, match=msg):
        service.load_models()
    with pytest.raises(StaleMeasurementError, match=msg):  # a notebook reading a recorded measurement sees it too
        measure.recorded_profile("measured-profile-2026-11-30.json")


def test_cli_models_reports_and_refuses(copy):
    ok = subprocess.run([sys.executable, "-m", "mlopsbook", "infer", "models"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert f"models {service.model_version()}: {artefact.SHIPPED}" in ok.stdout and "SHA-256 verified" in ok.stdout
    (copy / "metrics.json").write_text(json.dumps({}))
    bad = subprocess.run([sys.executable, "-m", "mlopsbook", "infer", "models", "--models", str(copy)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "metrics.json: SHA-256 differs" in bad.stderr


def test_nothing_trains_but_the_explicit_command():
    """Only the artefact's maker trains; the CLI's `infer train` is the one caller; Binder and the engine's image
    check the shipped models and never train."""
    import re

    from mlopsbook.paths import repo_root

    root = repo_root()
    trainers = re.compile(r"\b(classifier|ner)\.train\(|\bartefact\.make\(|\b_make\(")
    callers = sorted(p.relative_to(root).as_posix() for p in (root / "src").rglob("*.py")
                     if trainers.search(p.read_text()))
    assert callers == ["src/mlopsbook/cli/infer.py", "src/mlopsbook/nlp/artefact.py"]
    for recipe in ("postBuild", "deploy/kuberay/Dockerfile"):
        text = (root / recipe).read_text()
        assert "ensure_trained" not in text and "infer train" not in text
    assert "artefact.verify" in (root / "deploy/kuberay/Dockerfile").read_text()
