"""What a new post costs the book and CI: its own notebooks, nothing else.

In a temporary copy of the repository (snapshots current: run ``make snapshots`` first), the book is built as
``make book`` builds it (``mlopsbook book``, then ``jupyter-book build``), cold as on a fresh clone and again warm.
Then a light post (a copy of the costs page as a new post) and a heavy one (a copy of the engine page, live Ray
experiments) are added, one at a time, each under a new slug; for each the benchmark reports:

- ``make book`` with the new post and no snapshot for it: which notebooks executed (only the new one) and the time;
- ``make book`` once its snapshot is made: the time (rendering only, every notebook reused);
- what it adds to CI's notebook layer: its strict nbval run, measured as the layer measures it
  (:mod:`mlopsbook.publishing.nbval_reader`), while the other notebooks' keys are unchanged.

Baseline: the same book without the new post. Medians over ``--runs`` runs where a run is cheap (the warm build
and the light post's figures); the heavy post's are one run each. Prints seconds and ratios against the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "engineering-culture-leadership"
POSTS = {"light": "costs", "heavy": "engine"}
FRONT = """---
title: "{title}"
date: "2026-12-01"
author: "Benchmark"
description: "A copy of the {page} page as a post, to measure what a post costs."
tags: ["benchmark"]
category: "benchmark"
context: "Benchmark"
jupytext:
  text_representation: {{extension: .md, format_name: myst, format_version: 0.13}}
kernelspec: {{name: python3, display_name: Python 3 (ipykernel), language: python}}
---
"""


def _copy_repository(dest: Path) -> None:
    """The checkout as a reader's copy (:func:`mlopsbook.publishing.readerrun.copy_repository`), with this checkout's
    environments linked in."""
    from mlopsbook.publishing.readerrun import copy_repository

    copy_repository(dest, ROOT)
    for venv in (".venv", ".venv-airflow"):
        (dest / venv).symlink_to((ROOT / venv).resolve())


def _env(repo: Path) -> dict[str, str]:
    return {**os.environ, "MLOPSBOOK_ROOT": str(repo), "PYTHONPATH": str(repo / "src"),
            "RAY_USAGE_STATS_ENABLED": "0", "PYTHONHASHSEED": "0"}


def _run(repo: Path, *cmd: str) -> tuple[float, str]:
    t = time.monotonic()
    r = subprocess.run(list(cmd), cwd=repo, env=_env(repo), capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return time.monotonic() - t, r.stdout


def make_book(repo: Path) -> tuple[float, list[str]]:
    """``make book``'s two steps; returns the seconds and the notebooks it executed."""
    t1, out = _run(repo, ".venv/bin/mlopsbook", "book")
    t2, _ = _run(repo, ".venv/bin/jupyter-book", "build", ".", "--warningiserror", "--nitpick", "--keep-going")
    return t1 + t2, [ln.split(":")[0] for ln in out.splitlines() if ln.endswith(")") and ": executed (" in ln]


def notebook_layer(repo: Path, md: Path) -> dict[str, float]:
    """The notebook layer's cost for one notebook: its strict nbval run, measured by the layer's plugin."""
    from mlopsbook.publishing.snapshots import snapshot_path

    report = repo / "build" / "bench-notebooks.jsonl"
    report.unlink(missing_ok=True)
    _run(repo, ".venv/bin/python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         str(snapshot_path(md, repo)), "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
         "-p", "mlopsbook.publishing.nbval_reader", "--reader-report", str(report))
    run = json.loads(report.read_text().splitlines()[0])
    return {"wall_s": run["wall_s"], "peak_gb": run["peak_bytes"] / 1e9}


def add_post(repo: Path, kind: str) -> Path:
    """A copy of the companion page ``POSTS[kind]`` as the post ``bench-<kind>`` (links re-pointed), in the toc."""
    import yaml

    page = POSTS[kind]
    text = (repo / "notebooks" / SOURCE / f"{page}.md").read_text()
    body = text.split("\n---\n", 1)[1]
    body = re.sub(r"\]\(\.\./", "](", body)  # the page's links to the post, from one folder up
    body = re.sub(r"\]\((?!https?:|#|/|\.\.|" + SOURCE + r")([\w.-]+\.md)", rf"](" + SOURCE + r"/\1", body)
    slug = f"bench-{kind}"
    md = repo / "notebooks" / f"{slug}.md"
    # one code cell of its own: a verbatim copy has the page's code cells, which the build cache would (rightly) reuse
    own = f"\n```{{code-cell}} ipython3\nprint(\"a new post: {slug}\")\n```\n"
    md.write_text(FRONT.format(title=f"Benchmark: a {kind} post", page=page) + body + own)
    toc = yaml.safe_load((repo / "_toc.yml").read_text())
    toc["parts"][0]["chapters"].append({"file": f"notebooks/{slug}"})
    (repo / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    return md


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of the cheap measurements (median)")
    ap.add_argument("--kinds", nargs="+", default=list(POSTS), choices=list(POSTS))
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from mlopsbook.publishing import execution, snapshots

    stale = [m for md in snapshots.notebook_sources(ROOT) if (m := execution.stale_message(md, ROOT))]
    if stale:
        print("the benchmark needs current snapshots:\n" + "\n".join(stale))
        return 1
    for kind in args.kinds:
        with tempfile.TemporaryDirectory(prefix="bench-collection-") as tmp:
            repo = Path(tmp)
            _copy_repository(repo)
            cold, executed = make_book(repo)
            assert not executed, f"snapshots current, yet executed: {executed}"
            base = statistics.median(make_book(repo)[0] for _ in range(args.runs))
            print(f"baseline book: fresh clone {cold:.1f} s, warm {base:.1f} s (median of {args.runs})")
            md = add_post(repo, kind)
            first, executed = make_book(repo)
            assert executed == [f"notebooks/bench-{kind}"], f"adding one post executed {executed}"
            t_snap, _ = _run(repo, ".venv/bin/mlopsbook", "snapshots", str(md))
            runs = 1 if kind == "heavy" else args.runs
            warm = statistics.median(make_book(repo)[0] for _ in range(runs))
            shutil.rmtree(repo / "_build")
            reused, executed = make_book(repo)
            assert not executed, f"with its snapshot, a fresh clone executed {executed}"
            layer = [notebook_layer(repo, md) for _ in range(runs)]
            nbval_s = statistics.median(r["wall_s"] for r in layer)
            print(f"{kind} post (a copy of the {POSTS[kind]} page):\n"
                  f"  make book, no snapshot yet: {first:.1f} s (executed only bench-{kind}; +{first - base:.1f} s "
                  f"over the warm baseline)\n"
                  f"  make snapshots NB=...: {t_snap:.1f} s\n"
                  f"  make book, warm, with its snapshot: {warm:.1f} s ({warm / base:.2f}x the baseline's)\n"
                  f"  make book, fresh clone, with its snapshot: {reused:.1f} s ({reused / cold:.2f}x the baseline's)\n"
                  f"  notebook layer: +{nbval_s:.1f} s (strict nbval, peak {layer[0]['peak_gb']:.2f} GB), "
                  f"the other notebooks' keys unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
