"""Model wheels and Lambda zips for python3.12: built from the runtime's wheels (once per run, cached under build/),
pruned, audited, reproducible, in the limits."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from mlopsbook.lambdakit import model_wheels, packaging


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheels")
    return model_wheels.build_wheels(out)


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
# -- the zips: built for the runtime, small, audited, reproducible ---------------------------------------------------------
def test_zips_fit_lambda_and_carry_only_what_runs(lambda_packages):
    from mlopsbook.nlp import artefact, service

    manifest, folder = lambda_packages
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


def test_zip_rebuild_is_byte_identical(lambda_packages, tmp_path):
    manifest, folder = lambda_packages
    wheel = folder / "wheels" / manifest["wheels"]["classify"]["name"]
    again = packaging.build_lambda_zip("classify", wheel, tmp_path)
    assert again.zip.sha256 == manifest["packages"]["classify"]["zip"]["sha256"]


def test_elf_audit_catches_wrong_glibc_and_python(lambda_packages, tmp_path):
    from mlopsbook.lambdakit import elf_audit

    manifest, folder = lambda_packages
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
