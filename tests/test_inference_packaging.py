"""Model wheels and Lambda zips for python3.12: built from the runtime's wheels, pruned, audited, reproducible, in the limits."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.cli import main
from mlopsbook.lambdakit import distributions, model_wheels, packaging, runtime_facts

EVENTS = Path(__file__).parent / "fixtures" / "events"


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheels")
    return model_wheels.build_wheels(out)


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


def test_wheels_are_reproducible(wheel_dir, tmp_path):
    again = model_wheels.build_wheels(tmp_path)
    for k in ("classify", "entities"):
        assert wheel_dir[k].name == again[k].name
        assert wheel_dir[k].read_bytes() == again[k].read_bytes()
    with zipfile.ZipFile(wheel_dir["entities"]) as zf:
        assert "en_legal_ner/__init__.py" in zf.namelist()
        assert all(i.date_time[:3] == (1980, 1, 1) for i in zf.infolist())
    with zipfile.ZipFile(wheel_dir["classify"]) as zf:
        names = zf.namelist()
        assert "mlopsbook_legal_classifier/weights.npz" in names and "mlopsbook_legal_classifier/linear_text.py" in names
        assert not any(n.endswith((".pkl", ".pickle")) for n in names)
        meta = next(zf.read(n).decode() for n in names if n.endswith("METADATA"))
        assert "Requires-Dist: numpy==" in meta and "scikit-learn" not in meta


# -- the classifier served by NumPy alone ------------------------------------------------------------------------------
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


# -- the zips: built for the runtime, small, audited, reproducible ---------------------------------------------------------
@pytest.fixture(scope="module")
def built():
    """The packages as `make lambda-packages` builds them (cached in build/inference/, from the wheel cache)."""
    from mlopsbook.nlp import measure

    return measure.package_manifest(), measure.package_manifest_dir()


def test_zips_fit_lambda_and_carry_only_what_runs(built):
    from mlopsbook.nlp import artefact, service

    manifest, folder = built
    lim = manifest["limits_mb"]
    assert manifest["models"] == {"artefact": artefact.SHIPPED, "artefact_hash": service.model_version()}
    assert manifest["runtime"]["runtime"] == "python3.12" and manifest["runtime"]["glibc"] == "2.34"
    for svc, p in manifest["packages"].items():
        assert p["unzipped_mb"] <= lim["unzipped"], svc
        assert p["zipped_mb"] <= lim["zip_direct_upload"], svc
        assert p["audit_ok"], p["audit_problems"]
        with zipfile.ZipFile(folder / f"{svc}.zip") as zf:
            names = zf.namelist()
            assert sum(i.file_size for i in zf.infolist()) == p["unzipped_bytes"]
        assert names == sorted(names) and not any("__pycache__" in n or n.endswith(".pyc") for n in names)
        assert not any("/tests/" in n or n.endswith((".pyi", ".h", ".pxd")) for n in names), svc
        assert packaging.zip_distribution_sizes(folder / f"{svc}.zip")  # the page's table is read from the zip
    with zipfile.ZipFile(folder / "classify.zip") as zf:
        tops = {n.split("/", 1)[0] for n in zf.namelist()}
    assert not {"sklearn", "scipy", "spacy", "joblib"} & tops
    assert not any(n.endswith((".pkl", ".pickle")) for n in tops)
    assert "spacy" in manifest["packages"]["entities"]["distributions"]
    assert "setuptools" in manifest["packages"]["entities"]["dropped"]  # installed by spaCy, never imported


def test_zip_rebuild_is_byte_identical(built, tmp_path):
    manifest, folder = built
    wheel = folder / "wheels" / manifest["wheels"]["classify"]["name"]
    again = packaging.build_lambda_zip("classify", wheel, tmp_path)
    assert again.zip.sha256 == manifest["packages"]["classify"]["zip"]["sha256"]


def test_elf_audit_catches_wrong_glibc_and_python(built, tmp_path):
    from mlopsbook.lambdakit import elf_audit

    manifest, folder = built
    audit = elf_audit.audit_zip(folder / "entities.zip", glibc=(2, 34), abi="cp312")
    assert audit.ok and audit.max_glibc is not None and audit.max_glibc <= (2, 34)
    assert any(f.extension for f in audit.files)
    # the same zip on Amazon Linux 2's glibc, and on another CPython, fails with the file named
    old = elf_audit.audit_zip(folder / "entities.zip", glibc=(2, 26), abi="cp312")
    assert any("needs GLIBC_2.2" in p and "runtime has 2.26" in p for p in old.problems)
    other = elf_audit.audit_zip(folder / "classify.zip", glibc=(2, 34), abi="cp313")
    assert any("not built for CPython cp313" in p for p in other.problems)
    # an extension module copied from this machine's CPython 3.11 environment is caught
    import numpy

    so = next(Path(numpy.__file__).parent.glob("_core/_multiarray_umath.cpython-311-*.so"))
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.write(so, f"numpy/_core/{so.name}")
    problems = elf_audit.audit_zip(bad, glibc=(2, 34), abi="cp312").problems
    assert any("not built for CPython cp312" in p for p in problems)


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


def test_container_context(wheel_dir, tmp_path):
    ctx = packaging.write_container_context("entities", wheel_dir["entities"], tmp_path)
    docker = (ctx / "Dockerfile").read_text()
    assert "FROM public.ecr.aws/lambda/python:3.12" in docker and 'CMD ["entities_function.handler"]' in docker
    reqs = [r for r in (ctx / "requirements.txt").read_text().splitlines() if not r.startswith("#")]
    assert any(r.startswith("spacy==3.8.18 --hash=sha256:") for r in reqs)
    assert (ctx / "wheels" / wheel_dir["entities"].name).is_file()
    assert (ctx / "app" / "mlopsbook" / "nlp" / "ner.py").is_file()


def test_unknown_service(wheel_dir):
    with pytest.raises(ValueError, match="service"):
        packaging.stage("translate", wheel_dir["classify"], [])


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
