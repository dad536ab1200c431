"""Binder, checked with Binder's own tool: what repo2docker would build from this repository.

``repo2docker --no-build --debug .`` prints the Dockerfile it would build (no Docker needed). repo2docker lives in
its own environment, ``build/repo2docker-venv`` (made here on first use from the package registry, pinned), so its
dependencies never touch the book's.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlopsbook.paths import repo_root

ROOT = repo_root()
REPO2DOCKER = "jupyter-repo2docker==2026.4.0"


@pytest.fixture(scope="module")
def dockerfile() -> str:
    venv = ROOT / "build" / "repo2docker-venv"
    exe = venv / "bin" / "repo2docker"
    if not exe.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", REPO2DOCKER], check=True)
    out = subprocess.run([str(exe), "--no-build", "--debug", "."], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout + out.stderr


def test_python_is_runtime_txt(dockerfile):
    want = (ROOT / "runtime.txt").read_text().strip().removeprefix("python-")
    assert f"Building conda environment for python={want}" in dockerfile


def test_requirements_then_postbuild(dockerfile):
    lines = [ln.strip() for ln in dockerfile.splitlines()]
    req = next(i for i, ln in enumerate(lines) if re.match(r'RUN \S+/pip install .*-r "?requirements\.txt', ln))
    post = lines.index("RUN ./postBuild")
    assert req < post, "postBuild must run after requirements.txt is installed"
    assert "COPY --chown=0:0 src/ ${REPO_DIR}/" in lines[:req], "the repository must be in the image before pip"


def test_postbuild_makes_what_notebooks_need_with_makes_recipe():
    post = (ROOT / "postBuild").read_text()
    engine_mk = (ROOT / "mk" / "engine.mk").read_text()
    # The Airflow environment the post's DAG cell runs: the same script as `make airflow-env`
    assert "airflow/make-env python .venv-airflow" in post
    assert "airflow/make-env $(PYTHON) $(AIRFLOW_VENV)" in engine_mk
    commands = [ln for ln in post.splitlines() if not ln.lstrip().startswith("#")]
    assert not any(ln.split()[:1] == ["make"] for ln in commands), "postBuild must not depend on make"
    # The trained models and Lambda packages a notebook would otherwise make on a reader's first run
    assert "python -m mlopsbook.publishing.readerrun --prepare" in commands
    # jupytext opens the .md posts as notebooks
    assert '"markdown": "Jupytext Notebook"' in post


def test_runtime_txt_and_the_package_agree():
    import tomllib

    want = tuple(int(x) for x in (ROOT / "runtime.txt").read_text().strip().removeprefix("python-").split("."))
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low = tuple(int(x) for x in re.search(r">=\s*([\d.]+)", spec).group(1).split("."))
    assert low <= want, f"runtime.txt's Python {want} is below requires-python {spec}"
    assert "<3.12" not in spec.replace(" ", ""), "Colab runs Python 3.12: the package must install there"
