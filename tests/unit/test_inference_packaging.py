"""The Lambda toolchain's parts that build nothing: glibc tags, runtime facts, requirement closures, the exported
classifier, lock files, pruning, the command line. Building the wheels and zips: tests/integration/test_lambda_packaging.py."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.cli import main
from mlopsbook.lambdakit import distributions, packaging, runtime_facts

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"


@pytest.mark.parametrize(
    "tags, expected",
    [
        (["cp311-cp311-manylinux_2_27_x86_64", "cp311-cp311-manylinux_2_28_x86_64"], (2, 27)),
        (["cp311-cp311-manylinux2014_x86_64", "cp311-cp311-manylinux_2_17_x86_64"], (2, 17)),
        (["cp311-cp311-manylinux1_x86_64"], (2, 5)),
        (["py3-none-any"], None),
        ([], None),
    ],
)
def test_min_glibc(tags, expected):
    assert distributions.min_glibc(tags) == expected


def test_runtime_check():
    al2 = runtime_facts.Runtime("python3.11", "3.11", "Amazon Linux 2", (2, 26), "")
    assert not runtime_facts.check_runtime("3.11", (2, 27), al2).compatible
    assert "glibc >= 2.27" in runtime_facts.check_runtime("3.11", (2, 27), al2).reason
    assert runtime_facts.check_runtime("3.11", (2, 17), al2).compatible
    assert runtime_facts.check_runtime("3.11", None, al2).compatible
    assert "CPython 3.12" in runtime_facts.check_runtime("3.12", None, al2).reason


def test_runtimes_and_limits_data():
    rts = {r.runtime: r for r in runtime_facts.runtimes()}
    assert rts["python3.11"].glibc == (2, 26) and rts["python3.12"].glibc == (2, 34)
    # the container image limit is 10 GiB: AWS's error for a larger image names 10737418240 bytes
    assert runtime_facts.lambda_limits_mb() == {"zip_direct_upload": 50.0, "unzipped": 250.0, "container_image": 10240.0}


def test_closure_follows_requirements():
    names = {d.metadata["Name"].lower() for d in distributions.requirement_closure(["scikit-learn"])}
    assert {"scikit-learn", "numpy", "scipy", "joblib", "threadpoolctl"} <= names
    assert "spacy" not in names
    with pytest.raises(Exception, match="no-such-dist"):
        distributions.requirement_closure(["no-such-dist"])


def test_numpy_classifier_identical_on_held_out(tmp_path):
    from mlopsbook.nlp import classifier, linear_text, service, training

    pipe = classifier.load(service.models_dir())
    exported = linear_text.load(linear_text.export(pipe, tmp_path))
    texts = [d.text for d in training.training_sets()["test"]]
    a, b = pipe.predict_proba(texts), exported.predict_proba(texts)
    assert list(pipe.classes_) == list(exported.classes_)
    assert (a.argmax(axis=1) == b.argmax(axis=1)).all()  # the same label for every held-out document
    assert abs(a - b).max() < 1e-5  # probabilities agree to float32 rounding
    # and the service's answers (label, score rounded to 6 digits) agree to the last digit but one
    pa, pb = classifier.predict(pipe, texts), classifier.predict(exported, texts)
    assert [x["label"] for x in pa] == [x["label"] for x in pb]
    assert max(abs(x["score"] - y["score"]) for x, y in zip(pa, pb)) <= 2e-6
    with zipfile.ZipFile(tmp_path / linear_text.WEIGHTS) as zf:  # no pickled object can hide in the weights
        assert sorted(zf.namelist()) == ["coef.npy", "idf.npy", "intercept.npy"]


def test_linear_text_errors_name_the_file(tmp_path):
    from mlopsbook.nlp import linear_text

    with pytest.raises(linear_text.ExportError, match="vocabulary.json: missing"):
        linear_text.load(tmp_path)
    (tmp_path / linear_text.VOCABULARY).write_text("{not json")
    (tmp_path / linear_text.WEIGHTS).write_bytes(b"")
    with pytest.raises(linear_text.ExportError, match="vocabulary.json: not JSON"):
        linear_text.load(tmp_path)
    (tmp_path / linear_text.VOCABULARY).write_text('{"format": "x"}')
    with pytest.raises(linear_text.ExportError, match="missing field 'classes'"):
        linear_text.load(tmp_path)


def test_lock_files_are_hash_pinned_and_errors_name_the_line(tmp_path):
    from mlopsbook.lambdakit import wheelhouse

    target = runtime_facts.facts().target("x86_64")
    for name in ("classify", "entities", "runtime-client"):
        pins = wheelhouse.read_lock(wheelhouse.lock_path(name, target))
        assert pins and all(len(p.sha256) == 64 for p in pins)
    bad = tmp_path / "x.txt"
    bad.write_text("# comment\nnumpy==2.4.4\n")
    with pytest.raises(wheelhouse.WheelhouseError, match="x.txt line 2"):
        wheelhouse.read_lock(bad)
    with pytest.raises(wheelhouse.WheelhouseError, match="missing lock file"):
        wheelhouse.read_lock(tmp_path / "none.txt")


_names = st.lists(st.sampled_from(["a", "b", "c", "tests", "lang"]), min_size=1, max_size=3).map("/".join)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_names, st.sampled_from(["d1", "d2", "d3"]), min_size=1, max_size=12), st.data())
def test_prune_keeps_every_used_file_and_drops_unused_distributions(tree, data):
    files = {f"pkg/{n}.py": packaging.Member(b"x", False, d) for n, d in tree.items()}
    files.update({f"{d}-1.dist-info/METADATA": packaging.Member(b"m", False, d) for d in set(tree.values())})
    used = set(data.draw(st.lists(st.sampled_from(sorted(files)), max_size=4)))
    used = {u for u in used if ".dist-info/" not in u}
    kept, dropped = packaging.prune(files, used)
    assert used <= set(kept)
    kept_dists = {files[n].dist for n in kept}
    assert kept_dists == {files[u].dist for u in used} | {m.dist for n, m in kept.items()}
    assert not set(dropped) & kept_dists
    for name in kept:  # a kept file sits in a folder on the way to a used file
        parent = name.rsplit("/", 1)[0]
        assert ".dist-info" in name or any(u.startswith(parent + "/") for u in used)


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["infer", "measure", "--runs", "0"], "--runs"),
        (["infer", "invoke", "classify", "/nonexistent/event.json"], "EVENT.json"),
    ],
)
def test_cli_usage_errors(argv, flag, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and flag in err


def test_cli_package_out_must_be_folder(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["infer", "package", "--out", str(f)]) == 2
    assert "--out" in capsys.readouterr().err


def test_cli_invoke(capsys):
    assert main(["infer", "invoke", "classify", str(EVENTS / "rest_bad_wrong_type.json")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["statusCode"] == 422
