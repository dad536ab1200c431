"""Model wheels and Lambda zips: reproducible, self-contained, checked against runtimes and limits."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlopsbook.cli import main
from mlopsbook.inference import packaging

EVENTS = Path(__file__).parent / "fixtures" / "events"


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheels")
    return packaging.build_wheels(out)


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
    assert packaging.min_glibc(tags) == expected


def test_runtime_check():
    al2 = packaging.Runtime("python3.11", "3.11", "Amazon Linux 2", (2, 26), "")
    assert not packaging.check_runtime("3.11", (2, 27), al2).compatible
    assert "glibc >= 2.27" in packaging.check_runtime("3.11", (2, 27), al2).reason
    assert packaging.check_runtime("3.11", (2, 17), al2).compatible
    assert packaging.check_runtime("3.11", None, al2).compatible
    assert "CPython 3.12" in packaging.check_runtime("3.12", None, al2).reason


def test_runtimes_and_limits_data():
    rts = {r.runtime: r for r in packaging.runtimes()}
    assert rts["python3.11"].glibc == (2, 26) and rts["python3.12"].glibc == (2, 34)
    assert packaging.lambda_limits_mb() == {"zip_direct_upload": 50.0, "unzipped": 250.0, "container_image": 10000.0}


def test_closure_follows_requirements():
    names = {d.metadata["Name"].lower() for d in packaging.requirement_closure(["scikit-learn"])}
    assert {"scikit-learn", "numpy", "scipy", "joblib", "threadpoolctl"} <= names
    assert "spacy" not in names
    with pytest.raises(Exception, match="no-such-dist"):
        packaging.requirement_closure(["no-such-dist"])


def test_wheels_are_reproducible(wheel_dir, tmp_path):
    again = packaging.build_wheels(tmp_path)
    for k in ("classify", "entities"):
        assert wheel_dir[k].name == again[k].name
        assert wheel_dir[k].read_bytes() == again[k].read_bytes()
    with zipfile.ZipFile(wheel_dir["entities"]) as zf:
        assert "en_legal_ner/__init__.py" in zf.namelist()
        assert all(i.date_time[:3] == (1980, 1, 1) for i in zf.infolist())


def test_classify_zip_reproducible_and_self_contained(wheel_dir, tmp_path):
    a = packaging.build_lambda_zip("classify", wheel_dir["classify"], tmp_path / "a")
    b = packaging.build_lambda_zip("classify", wheel_dir["classify"], tmp_path / "b")
    assert a.zip.sha256 == b.zip.sha256
    assert (tmp_path / "a" / "classify.zip").read_bytes() == (tmp_path / "b" / "classify.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a" / "classify.zip") as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in zf.infolist()} == {packaging.ZIP_TIME}
        assert "classify_function.py" in names and "mlopsbook/inference/handlers.py" in names
        assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
        assert not any(n.startswith("spacy/") for n in names)
        zf.extractall(tmp_path / "task")
    assert a.unzipped_bytes == sum(p.stat().st_size for p in (tmp_path / "task").rglob("*") if p.is_file())
    # Run the handler from the unpacked zip alone: -S drops the venv's site-packages, like a bare Lambda runtime.
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import classify_function as f; "
        "print(json.dumps(f.handler(json.load(open(sys.argv[2])), None)))"
    )
    proc = subprocess.run([sys.executable, "-S", "-c", code, str(tmp_path / "task"), str(EVENTS / "rest_good.json")],
                          capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    init, resp = json.loads(lines[0]), json.loads(lines[-1])
    assert init["event"] == "init" and init["service"] == "classify"
    assert resp["statusCode"] == 200 and json.loads(resp["body"])["label"] == "lease"


def test_container_context(wheel_dir, tmp_path):
    ctx = packaging.write_container_context("entities", wheel_dir["entities"], tmp_path)
    docker = (ctx / "Dockerfile").read_text()
    assert "FROM python:3.11-slim-bookworm" in docker and 'CMD ["entities_function.handler"]' in docker
    reqs = (ctx / "requirements.txt").read_text().splitlines()
    assert "spacy==3.8.18" in reqs and all("==" in r for r in reqs)
    assert (ctx / "wheels" / wheel_dir["entities"].name).is_file()
    assert (ctx / "app" / "mlopsbook" / "inference" / "ner.py").is_file()


def test_unknown_service(wheel_dir):
    with pytest.raises(ValueError, match="service"):
        packaging.package_contents("translate", wheel_dir["classify"])


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
