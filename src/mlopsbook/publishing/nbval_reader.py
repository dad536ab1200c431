"""A pytest plugin that makes strict nbval's run also the reader's run: one execution per notebook proves both.

nbval executes each snapshot top to bottom in one kernel and compares every output with the committed one. With this
plugin (``-p mlopsbook.publishing.nbval_reader --reader-report FILE``) the same run is measured as a Binder reader's
run is (:class:`mlopsbook.publishing.readerrun.MemorySampler`): wall time from the kernel's start to the last cell,
peak summed PSS of the kernel and every process it started (Ray's head, raylets, workers, Serve replicas, an Airflow
subprocess), split by kind of process, and the number of cells that failed (an error or a differing output). One JSON
object per notebook is appended to ``FILE``; processes a notebook left behind are ended after its kernel stops.

Run it with the interpreter of the environment under test (the reader's: ``tests/notebooks/``)::

    python -m pytest --nbval snapshots --nbval-sanitize-with tests/nbval_sanitize.cfg \\
        -p mlopsbook.publishing.nbval_reader --reader-report build/notebooks.jsonl
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from mlopsbook.publishing.readerrun import MemorySampler

_RUNS: dict[str, dict[str, Any]] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Cells execute as Jupyter executes a reader's cells: with history stored. nbval sends ``store_history=False``,
    under which IPython ignores a trailing ``;`` and shows the value an author suppressed (a ``plt.plot(...);``
    line), so a notebook compared by nbval would differ from the same notebook run by a reader or by nbclient."""
    from nbval.kernel import RunningKernel

    def execute_cell_input(self: Any, cell_input: str, allow_stdin: bool | None = None) -> str:
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)

    RunningKernel.execute_cell_input = execute_cell_input  # type: ignore[method-assign]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--reader-report", default=None, metavar="FILE",
                     help="append one JSON object per notebook: wall time, peak memory, failed cells")
    parser.addoption("--reader-interval-s", type=float, default=0.5, help="memory sampling period (default 0.5 s)")


def _notebook(item: pytest.Item) -> pytest.Collector | None:
    parent = item.parent
    return parent if parent is not None and type(parent).__name__ == "IPyNbFile" else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    nb = _notebook(item)
    first = nb is not None and nb.nodeid not in _RUNS
    if first:
        _RUNS[nb.nodeid] = {"notebook": nb.nodeid, "t0": time.monotonic(), "failed": 0}
    yield
    if first and getattr(nb, "kernel", None) is not None:  # the notebook's kernel is started by its first setup
        sampler = MemorySampler(nb.kernel.km.provisioner.pid, item.config.getoption("--reader-interval-s"))
        _RUNS[nb.nodeid]["sampler"] = sampler.__enter__()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    nodeid = report.nodeid.rsplit("::", 1)[0]
    if nodeid in _RUNS and report.failed:
        _RUNS[nodeid]["failed"] += 1


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    nb = _notebook(item)
    last = nb is not None and (nextitem is None or nextitem.parent is not nb) and nb.nodeid in _RUNS
    if last:
        run = _RUNS[nb.nodeid]
        run["wall_s"] = round(time.monotonic() - run["t0"], 1)
        sampler = run.get("sampler")
        if sampler is not None:
            sampler.__exit__(None, None, None)
    yield  # the notebook's kernel stops here
    if last:
        run = _RUNS[nb.nodeid]
        sampler = run.pop("sampler", None)
        leftovers = sampler.end_leftovers() if sampler is not None else 0
        out = {"notebook": run["notebook"], "ok": run["failed"] == 0, "failed_cells": run["failed"],
               "wall_s": run["wall_s"], "peak_bytes": sampler.peak_bytes if sampler else 0,
               "split": dict(sampler.peak_split) if sampler else {}, "samples": sampler.samples if sampler else 0,
               "leftovers": leftovers}
        path = item.config.getoption("--reader-report")
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            with Path(path).open("a") as f:
                f.write(json.dumps(out) + "\n")
        item.config.get_terminal_writer().line(
            f"\n{out['notebook']}: {out['wall_s']:.0f} s, peak {out['peak_bytes'] / 1e9:.2f} GB"
            + ("" if out["ok"] else f", {out['failed_cells']} failed cell(s)"))
