"""What a reader's run of each notebook costs: peak memory, wall time, and how the peak splits.

Every notebook of ``_toc.yml`` (or those named on the command line) is run top to bottom as Binder runs it
(:mod:`mlopsbook.publishing.readerrun`: jupytext, nbclient, the notebook's folder) in this environment, with ``MEM_LIMIT`` at
2 GiB unless set. Memory is the summed PSS of the kernel and every process it starts, at its peak, split into the
kernel, Ray's head (GCS, raylet, agents), Serve replicas, other Ray workers and other processes (Airflow). The
models' share is measured apart: the PSS a fresh process gains by loading the two NLP models (each replica and the
kernel that loads them carry about that much).

Baseline (named): mybinder.org's limit, 2 GB per notebook server (``data/readers/``), and 5 minutes per notebook.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mlopsbook.publishing import runtime_budget
from mlopsbook.publishing.readerrun import CATEGORIES, run_notebook, toc_notebooks

_MODELS = r'''
import psutil
from mlopsbook.nlp.service import load_models
p = psutil.Process(); before = p.memory_full_info().pss
m = load_models(); m.score(["The Tenant shall pay rent to Acme Ltd."])
print(p.memory_full_info().pss - before)
'''


def models_pss_bytes() -> int:
    """PSS added to a fresh process by loading (and once using) the classifier and the NER model."""
    out = subprocess.run([sys.executable, "-c", _MODELS], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    os.environ.setdefault("MEM_LIMIT", str(2 * runtime_budget.GIB))
    limit = runtime_budget.binder_memory_bytes()
    pages = [Path(a).resolve() for a in argv] or toc_notebooks()
    gb = lambda b: f"{b / 1e9:5.2f}"  # noqa: E731
    print(f"MEM_LIMIT={os.environ['MEM_LIMIT']}; Ray configuration chosen: "
          f"{runtime_budget.ray_config().describe()}")
    print(f"models (classifier + NER) in one process: {gb(models_pss_bytes())} GB PSS")
    head = f"{'notebook':58s} {'ok':>3s} {'wall s':>7s} {'peak GB':>7s} " + " ".join(f"{c:>14s}" for c in CATEGORIES)
    print(head)
    worst = 0.0
    for md in pages:
        r = run_notebook(md)
        worst = max(worst, r.peak_bytes / limit)
        print(f"{r.notebook:58s} {'yes' if r.ok else 'NO':>3s} {r.wall_s:7.0f} {gb(r.peak_bytes):>7s} "
              + " ".join(f"{gb(r.split.get(c, 0)):>14s}" for c in CATEGORIES) + (f"  {r.error}" if r.error else ""),
              flush=True)
    print(f"largest peak / mybinder.org's 2 GB: {worst:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
