"""The notebook layer: each notebook executed once, under strict nbval, in a reader's conditions (slow: minutes).

As repo2docker builds the image: a copy of the repository (tracked and untracked, ignored files left out), a fresh
environment from ``requirements.txt`` alone (installed by uv with bytecode compiled, the installer of every environment
here: the same pins as Binder's pip), ``postBuild`` as Binder runs it, with ``HOME`` in a temporary folder (its Airflow
environment by requirements.txt's uv, as on Binder). Then one run that is both the regression test and the reader's
run: nbval, with that environment's interpreter and kernel, executes every snapshot of ``_toc.yml``'s notebooks in its
folder (the snapshot is the page's code cells plus the Colab install cell, a no-op here) and compares every output
strictly (``tests/nbval_sanitize.cfg``; never nbval's lax mode), with ``MEM_LIMIT`` at 2 GiB as JupyterHub sets it,
while :mod:`mlopsbook.publishing.nbval_reader` samples the kernel's and
every descendant's memory (summed PSS, Ray's processes included). Each must pass, finish within 5 minutes and peak at
most 2 GB (``data/readers/``). The per-notebook figures are written to ``build/notebooks.json``; the book is then
rendered from the snapshots this run verified (no second execution).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlopsbook.publishing import readerrun, runtime_budget
from mlopsbook.paths import repo_root

ROOT = repo_root()
NOTEBOOK_LIMIT_S = 300
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def binder():
    """(repository copy, environment, HOME, seconds per step) prepared as repo2docker would.

    A short folder (Binder's is /home/jovyan): Ray's socket paths under ``<repo>/.ray`` must stay within the
    107 bytes of an AF_UNIX address, which pytest's own temporary folders exceed."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="rr-", dir="/tmp"))
    repo, env, home = base / "repo", base / "env", base / "home"
    home.mkdir()
    readerrun.copy_repository(repo, ROOT)
    steps = {}
    t = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    # requirements.txt alone, installed by uv (the same pins as Binder's pip in a fraction of its time; the Dockerfile
    # check, tests/notebooks/test_binder.py, proves Binder installs that file); postBuild then runs as Binder runs it
    uv = Path(sys.executable).parent / "uv"
    subprocess.run([str(uv), "pip", "install", "--quiet", "--compile-bytecode", "--python",
                    str(env / "bin" / "python"), "-r", "requirements.txt"], cwd=repo, check=True)
    steps["requirements_s"] = time.monotonic() - t
    t = time.monotonic()
    environ = {**os.environ, "HOME": str(home), "PATH": f"{env / 'bin'}:{os.environ['PATH']}",
               "VIRTUAL_ENV": str(env)}
    environ.pop("MLOPSBOOK_ROOT", None)
    subprocess.run(["./postBuild"], cwd=repo, env=environ, check=True)
    steps["postbuild_s"] = time.monotonic() - t
    yield repo, env, environ, steps
    shutil.rmtree(base, ignore_errors=True)


def test_every_notebook_passes_strict_nbval_within_binders_limits(binder):
    repo, env, environ, steps = binder
    assert (repo / ".venv-airflow" / "bin" / "airflow").is_file(), "postBuild did not make the Airflow environment"
    assert (Path(environ["HOME"]) / ".jupyter" / "labconfig" / "default_setting_overrides.json").is_file()
    limit = runtime_budget.binder_memory_bytes()
    from mlopsbook.publishing import snapshots
    from mlopsbook.publishing.readerrun import toc_notebooks

    pages = {snapshots.snapshot_path(p, ROOT).relative_to(ROOT).as_posix(): p.relative_to(ROOT).as_posix()
             for p in toc_notebooks(ROOT)}
    report = repo / "build" / "notebooks.jsonl"
    report.parent.mkdir(exist_ok=True)
    # What mybinder.org sets: the memory limit. Not its launch host: with it the decision page's widgets run live,
    # by design not the static output the book shows and the snapshot keeps, so no strict comparison could pass.
    run_env = {**environ, "MEM_LIMIT": str(2 * runtime_budget.GIB)}
    run_env.pop("BINDER_LAUNCH_HOST", None)
    t = time.monotonic()
    out = subprocess.run([str(env / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                          *pages, "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
                          f"--nbval-cell-timeout={NOTEBOOK_LIMIT_S}", "-p", "mlopsbook.publishing.nbval_reader",
                          "--reader-report", str(report)], cwd=repo, env=run_env, capture_output=True, text=True,
                         timeout=60 * 60)
    runs = [json.loads(line) for line in report.read_text().splitlines()] if report.is_file() else []
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "notebooks.json").write_text(json.dumps(
        {"steps_s": {**steps, "notebooks_s": round(time.monotonic() - t, 1)}, "runs": runs}, indent=1))
    for r in runs:
        print(f"{pages.get(r['notebook'], r['notebook'])}: {'ok' if r['ok'] else 'FAILED'} {r['wall_s']:.0f} s, "
              f"peak {r['peak_bytes'] / 1e9:.2f} GB")
    assert {r["notebook"] for r in runs} == set(pages), \
        f"not run: {sorted(set(pages) - {r['notebook'] for r in runs})}; {out.stdout[-2000:]} {out.stderr[-2000:]}"
    assert out.returncode == 0, f"strict nbval failed:\n{out.stdout[-6000:]}"

    problems = [f"{pages[r['notebook']]}: {r['wall_s']:.0f} s > {NOTEBOOK_LIMIT_S} s" for r in runs
                if r["wall_s"] > NOTEBOOK_LIMIT_S]
    problems += [f"{pages[r['notebook']]}: peak {r['peak_bytes'] / 1e9:.2f} GB > {limit / 1e9:.2f} GB"
                 for r in runs if r["peak_bytes"] > limit]
    problems += [f"{pages[r['notebook']]}: memory never sampled" for r in runs if r["samples"] < 1]
    assert not problems, "\n".join(problems)
