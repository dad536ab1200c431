"""The Lambda runtime's facts (read from data/, errors naming the file and field) and the SAM template generated
from them; running the packages in AWS's runtime client is tests/integration/test_lambda_runtime.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlopsbook.lambdakit import runtime_facts, sam_template
from mlopsbook.paths import repo_root

ROOT = repo_root()


def test_runtime_facts_and_errors(tmp_path, monkeypatch):
    rt = runtime_facts.facts()
    assert (rt.runtime, rt.python, rt.abi, rt.os, rt.glibc) == ("python3.12", "3.12", "cp312", "Amazon Linux 2023", (2, 34))
    assert rt.target("x86_64").platforms[0] == "manylinux2014_x86_64"
    assert rt == replace({r.runtime: r for r in runtime_facts.runtimes()}["python3.12"], platforms=rt.platforms,
                         sources=rt.sources, file=rt.file)
    assert all(s.get("url") and s.get("read") for s in rt.sources)
    with pytest.raises(runtime_facts.LambdaRuntimeError, match="arch: must be one of"):
        rt.target("s390x")
    (tmp_path / "data" / "inference").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("")
    (tmp_path / "data" / "inference" / "rt.json").write_text('{"runtime": "python3.12"}')
    monkeypatch.setenv("MLOPSBOOK_ROOT", str(tmp_path))
    with pytest.raises(runtime_facts.LambdaRuntimeError, match="rt.json: missing field 'architectures'"):
        runtime_facts.facts("rt.json")


def test_template_is_generated():
    assert (ROOT / sam_template.TEMPLATE).read_text() == sam_template.render()


def test_find_python_takes_pyenvs_newest_patch_release(tmp_path, monkeypatch):
    for v in ("3.12.4", "3.12.10", "3.11.9"):
        exe = tmp_path / "versions" / v / "bin" / f"python{v.rsplit('.', 1)[0]}"
        exe.parent.mkdir(parents=True)
        exe.write_text("")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    assert runtime_facts.find_python("3.12") == tmp_path / "versions" / "3.12.10" / "bin" / "python3.12"
    assert runtime_facts.find_python("3.11") == tmp_path / "versions" / "3.11.9" / "bin" / "python3.11"
