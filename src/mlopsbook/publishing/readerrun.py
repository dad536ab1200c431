"""Run the book's notebooks as a reader runs them, and measure what that costs.

A Binder reader opens a post's ``.md`` (jupytext is the default viewer) and runs it top to bottom in a kernel started
in the notebook's folder. :func:`run_notebook` does the same with nbclient and samples, every ``interval_s``, the
memory of the kernel and every process it started (Ray's head, raylet, workers and Serve replicas, an Airflow
subprocess): their summed PSS (proportional set size), which counts a shared page once across processes, as the
cgroup limit that ends a Binder kernel does. The peak and its split by kind of process are returned with the wall
time. Run it with the interpreter of the environment under test::

    python -m mlopsbook.publishing.readerrun notebooks/engineering-culture-leadership/costs.md --json

(one JSON object per notebook on stdout). ``benchmarks/bench_reader.py`` uses it; the notebook layer
(``tests/notebooks/``) measures its strict nbval run with the same sampler (:mod:`mlopsbook.publishing.nbval_reader`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from mlopsbook.paths import repo_root

CATEGORIES = ("kernel", "ray_head", "serve_replicas", "ray_workers", "other")
"""How the peak is split: the kernel process; Ray's system processes (``ray_head``: the GCS, the dashboard and
autoscaler processes, and every node's raylet, log monitor and agents); Serve replica actors; other Ray workers (the
Serve controller and proxy, task and Data workers); any other process (Airflow, Prometheus, ...)."""

_HEAD = ("gcs_server", "raylet", "log_monitor", "monitor.py", "dashboard", "runtime_env", "agent", "ray_client",
         "ray.util.client", "/ray start")
"""What names a Ray system process (in lower case) in the first words of its command line: the executable, the script,
or the title Ray gives a Python agent (``ray::DashboardAgent``, ``ray::RuntimeEnvAgent``)."""


def copy_repository(dest: Path, root: Path | None = None) -> None:
    """Copy into ``dest`` the files repo2docker would copy from ``root`` (default: this checkout): the tracked and
    untracked files that git does not ignore (no environment, build output or cache)."""
    root = root or repo_root()
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                         capture_output=True, check=True)
    for rel in filter(None, out.stdout.decode().split("\0")):
        if (root / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, dest / rel)


def toc_notebooks(root: Path | None = None) -> list[Path]:
    """Every notebook of ``_toc.yml`` (a file with a jupytext kernelspec), in the order of the table of contents."""
    import jupytext

    root = root or repo_root()
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(str(node["file"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc)
    out = []
    for f in files:
        p = root / (f if f.endswith(".md") else f + ".md")
        if p.is_file() and jupytext.read(p).metadata.get("kernelspec"):
            out.append(p)
    return out


def classify(cmdline: list[str], is_kernel: bool) -> str:
    """The kind of process (one of :data:`CATEGORIES`) from its command line."""
    if is_kernel:
        return "kernel"
    text = " ".join(cmdline)
    if "ServeReplica" in text:
        return "serve_replicas"
    if "ray" in text and any(h in " ".join(cmdline[:3]).lower() for h in _HEAD):
        return "ray_head"  # before workers: a raylet's arguments name default_worker.py, an agent's title ray::
    if text.startswith("ray::") or "default_worker.py" in text:
        return "ray_workers"
    return "other"


class MemorySampler:
    """Samples the summed PSS of a process and all its descendants in a thread; keeps the peak and its split."""

    def __init__(self, pid: int, interval_s: float = 0.5) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.peak_bytes = 0
        self.peak_split: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
        self.samples = 0
        self.seen: dict[int, float] = {}  # pid -> create_time of every descendant seen (to end them afterwards)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> int:
        import psutil

        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        split = dict.fromkeys(CATEGORIES, 0)
        for p in procs:
            try:
                pss = p.memory_full_info().pss
                kind = classify(p.cmdline(), p.pid == self.pid)
                if p.pid != self.pid:
                    self.seen.setdefault(p.pid, p.create_time())
            except psutil.Error:
                continue
            split[kind] += pss
        total = sum(split.values())
        self.samples += 1
        if total > self.peak_bytes:
            self.peak_bytes, self.peak_split = total, split
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def end_leftovers(self, grace_s: float = 10.0) -> int:
        """Terminate descendants seen while sampling that outlived the kernel (same pid and start time only)."""
        import psutil

        left = []
        for pid, created in self.seen.items():
            try:
                p = psutil.Process(pid)
                if p.create_time() == created:
                    left.append(p)
            except psutil.Error:
                pass
        for p in left:
            try:
                p.terminate()
            except psutil.Error:
                pass
        _, alive = psutil.wait_procs(left, timeout=grace_s)
        for p in alive:
            try:
                p.kill()
            except psutil.Error:
                pass
        return len(left)


@dataclass
class NotebookRun:
    """One notebook run top to bottom: whether it finished, the error if not, wall time (s, kernel start included),
    peak summed PSS (bytes) and its split by kind of process at the peak."""

    notebook: str
    ok: bool
    wall_s: float
    peak_bytes: int
    split: dict[str, int] = field(default_factory=dict)
    error: str = ""
    samples: int = 0
    leftovers: int = 0


def run_notebook(md: Path, timeout_s: float = 300.0, interval_s: float = 0.5, cell_timeout_s: int = 300,
                 root: Path | None = None) -> NotebookRun:
    """Open ``md`` through jupytext, run it with nbclient in its own folder (this interpreter's ``python3``
    kernel) and sample its memory. The run is stopped after ``timeout_s`` (then ``ok`` is false)."""
    import jupytext
    from nbclient import NotebookClient

    root = root or repo_root()
    name = md.resolve().relative_to(root.resolve()).as_posix()
    nb = jupytext.read(md)
    client = NotebookClient(nb, timeout=cell_timeout_s, kernel_name="python3",
                            resources={"metadata": {"path": str(md.parent)}})
    t0 = time.monotonic()
    error, sampler, where = "", None, ""
    client.reset_execution_trackers()
    try:
        with client.setup_kernel():
            pid = client.km.provisioner.pid
            with MemorySampler(pid, interval_s) as sampler:
                deadline = t0 + timeout_s
                for i, cell in enumerate(client.nb.cells):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"not finished within {timeout_s:.0f} s (stopped before cell {i})")
                    client.timeout = max(1, min(cell_timeout_s, int(deadline - time.monotonic()) + 1))
                    where = f"cell {i} ({cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ''})"
                    client.execute_cell(cell, i, execution_count=client.code_cells_executed + 1)
    except Exception as exc:  # a cell error, a timeout, a dead kernel: the reader would see it
        import re

        text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()  # no terminal colours
        lines = text.splitlines()
        failing = next((ln.strip() for ln in reversed(lines) if ln.strip().startswith("---->")), "")
        error = f"{where}: {type(exc).__name__}: {lines[-1] if lines else ''} {failing}".strip()[:500]
    wall = time.monotonic() - t0
    leftovers = sampler.end_leftovers() if sampler else 0
    return NotebookRun(name, not error, round(wall, 1), sampler.peak_bytes if sampler else 0,
                       dict(sampler.peak_split) if sampler else {}, error, sampler.samples if sampler else 0,
                       leftovers)


def prepare() -> list[str]:
    """Make, once, what the notebooks would otherwise make on a reader's first run (Binder's ``postBuild`` calls
    this, so the waiting happens while the image is built): the shipped NLP models checked against their manifest
    (they are committed, never trained here) and the Lambda packages the CPU-inference page inspects
    (``build/inference/``). Returns one line per step with its duration."""
    from mlopsbook.nlp import artefact, measure

    done = []
    for what, step in (("NLP models checked (data/models/, not trained)", artefact.verify),
                       ("Lambda packages built", lambda: measure.package_manifest())):
        t0 = time.monotonic()
        step()
        done.append(f"{what} ({time.monotonic() - t0:.0f} s)")
        print(f"postBuild: {done[-1]}", flush=True)
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mlopsbook.publishing.readerrun", description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="MyST notebooks (default: every notebook of _toc.yml)")
    ap.add_argument("--timeout-s", type=float, default=300.0, help="stop a notebook after this long (default 300)")
    ap.add_argument("--interval-s", type=float, default=0.5, help="memory sampling period (default 0.5 s)")
    ap.add_argument("--json", action="store_true", help="one JSON object per notebook")
    ap.add_argument("--prepare", action="store_true", help="only make what notebooks need (check the models, build packages)")
    args = ap.parse_args(argv)
    if args.prepare:
        prepare()
        return 0
    worst = 0
    for md in args.notebooks or toc_notebooks():
        r = run_notebook(md.resolve(), args.timeout_s, args.interval_s)
        worst = max(worst, 0 if r.ok else 1)
        if args.json:
            print(json.dumps(asdict(r)), flush=True)
        else:
            print(f"{r.notebook}: {'ok' if r.ok else 'FAILED'} {r.wall_s:.0f} s, peak {r.peak_bytes / 1e9:.2f} GB"
                  + (f" ({r.error})" if r.error else ""), flush=True)
    return worst


if __name__ == "__main__":
    sys.exit(main())
