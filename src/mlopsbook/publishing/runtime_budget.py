"""How much memory this notebook may use, and the local Ray configuration that fits in it.

A reader runs the book's notebooks where memory is capped: mybinder.org gives a notebook server at most 2 GB (the
kernel and every process it starts, `data/readers/`), JupyterHub tells the server its cap in ``MEM_LIMIT`` (bytes),
and a container sees its cgroup's ``memory.max``. :func:`memory_budget` reads the first of these that is set, else the
machine's memory; :func:`ray_config` picks the largest local Ray configuration whose measured footprint fits, so a
page runs the same experiment (and the same verdict logic) with fewer replicas and a smaller object store where
memory is short, and says which configuration ran.

>>> memory_budget({"MEM_LIMIT": str(2 * 1024**3)}).source
'MEM_LIMIT'
>>> ray_config(memory_budget({"MEM_LIMIT": "3758096384"})).name  # 3.5 GiB
'reader'
>>> ray_config(memory_budget({"MEM_LIMIT": str(16 * 1024**3)})).name
'full'
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path
from mlopsbook.validation import check_number

CGROUP_V2 = Path("/sys/fs/cgroup/memory.max")
CGROUP_V1 = Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")
_UNLIMITED_V1 = 1 << 60  # cgroup v1 reports "no limit" as a huge number (9223372036854771712)

MIB = 1024**2
GIB = 1024**3


@dataclass(frozen=True)
class MemoryBudget:
    """The memory a notebook and everything it starts may use: ``bytes``, and where that figure came from
    (``"MEM_LIMIT"``, ``"cgroup"`` or ``"machine"``)."""

    bytes: int
    source: str


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    if not text.isdigit():  # "max": no limit
        return None
    value = int(text)
    return value if 0 < value < _UNLIMITED_V1 else None


def machine_memory_bytes() -> int:
    """Total physical memory of this machine (``os.sysconf``), in bytes."""
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def memory_budget(environ: Mapping[str, str] | None = None, cgroup_files: tuple[Path, ...] = (CGROUP_V2, CGROUP_V1),
                  machine_bytes: int | None = None) -> MemoryBudget:
    """The memory given: ``MEM_LIMIT`` (bytes, as JupyterHub and Binder set it), else the cgroup's limit, else the
    machine's memory. The smallest of the cgroup and the machine wins when both are known.

    Raises :class:`~mlopsbook.errors.MlopsbookError` when ``MEM_LIMIT`` is set but not a positive integer.
    """
    env = os.environ if environ is None else environ
    raw = env.get("MEM_LIMIT", "").strip()
    if raw:
        try:
            value = int(float(raw))
        except (ValueError, OverflowError):
            raise MlopsbookError(f"MEM_LIMIT: must be a positive number of bytes (got {raw!r})") from None
        check_number(value, "MEM_LIMIT", low=0, low_open=True, note="bytes")
        return MemoryBudget(value, "MEM_LIMIT")
    machine = machine_bytes if machine_bytes is not None else machine_memory_bytes()
    for f in cgroup_files:
        value = _read_int(f)
        if value is not None and value < machine:
            return MemoryBudget(value, "cgroup")
    return MemoryBudget(machine, "machine")


def process_tree_pss_bytes(pid: int | None = None) -> int:
    """Summed PSS (bytes) of a process (default: this one) and all its descendants: Ray's head, raylet, workers and
    Serve replicas started from a notebook's kernel included. PSS counts a page shared by several processes once in
    total, as the cgroup limit that ends a Binder kernel does (summing RSS would count shared libraries many times)."""
    import psutil

    root = psutil.Process(pid)
    total = 0
    for p in [root, *root.children(recursive=True)]:
        try:
            total += p.memory_full_info().pss
        except psutil.Error:
            pass
    return total


def binder_memory_bytes() -> int:
    """mybinder.org's memory limit for one notebook server, in bytes (``data/readers/limits-2026-11.csv``, 2 GB)."""
    import csv

    from mlopsbook.paths import data_path

    with data_path("readers", "limits-2026-11.csv").open() as f:
        row = next(r for r in csv.DictReader(f) if r["platform"] == "mybinder.org" and r["limit"] == "memory_max")
    factor = {"GB": 1e9, "GiB": GIB, "MB": 1e6}[row["unit"]]
    return int(float(row["value"]) * factor)


PEAKS_FILE = "ray-peaks-2026-11-30.csv"
"""The measured peak of each configuration (``data/readers/``: bytes, date, machine, how it was measured)."""


@lru_cache(maxsize=8)
def measured_peak_bytes(config: str, name: str = PEAKS_FILE) -> int:
    """The recorded peak (summed PSS, bytes) of the configuration ``config``; :class:`~mlopsbook.errors.MlopsbookError`
    naming the file when it has no such row or a malformed value."""
    with data_path("readers", name).open(newline="") as f:
        rows = {r["config"]: r["needs_bytes"] for r in csv.DictReader(f)}
    if config not in rows:
        raise MlopsbookError(f"data/readers/{name}: no row for configuration {config!r} (have {', '.join(rows)})")
    try:
        return int(rows[config])
    except ValueError:
        raise MlopsbookError(f"data/readers/{name}: needs_bytes of {config!r} must be a whole number of bytes "
                             f"(got {rows[config]!r})") from None


@dataclass(frozen=True)
class RayConfig:
    """A local Ray cluster and Serve application sized for a memory budget.

    ``max_replicas``: Serve replicas the experiments may run at once (the scale-up and replica-kill experiments need
    two); ``object_store_bytes``: Ray's shared-memory object store; ``num_cpus``: CPUs Ray schedules on;
    ``needs_bytes``: the measured peak (summed PSS of the kernel and all Ray processes) of the engine experiments in
    this configuration, which must fit in the budget, read from the dated record :data:`PEAKS_FILE` by ``name``;
    ``system_config``: Ray's own settings (``ray.init(_system_config=...)``), e.g. how many idle worker processes
    (each holding its imports and models) Ray keeps alive.
    """

    name: str
    max_replicas: int
    object_store_bytes: int
    num_cpus: int
    system_config: tuple[tuple[str, int | bool], ...] = ()

    @property
    def needs_bytes(self) -> int:
        return measured_peak_bytes(self.name)

    def fits(self, budget: MemoryBudget, headroom: float = 0.9) -> bool:
        """Whether the measured peak fits in ``headroom`` x the budget."""
        return self.needs_bytes <= headroom * budget.bytes

    def describe(self) -> str:
        return (f"{self.name}: {self.max_replicas} Serve replica(s) at most, {self.object_store_bytes // MIB} MiB "
                f"object store, {self.num_cpus} CPU(s); needs about {self.needs_bytes / 1e9:.1f} GB")


FULL = RayConfig("full", max_replicas=2, object_store_bytes=512 * MIB, num_cpus=2)
"""The experiment as the post ran it: two replicas beside the Ray head, a 512 MiB object store, Ray's idle workers
kept warm."""

READER = RayConfig("reader", max_replicas=2, object_store_bytes=80 * MIB, num_cpus=2,
                   system_config=(("num_workers_soft_limit", 0), ("enable_worker_prestart", False),
                                  ("prestart_worker_first_driver", False),
                                  ("idle_worker_killing_time_threshold_ms", 500)))
"""For a small budget: the same two replicas for the scaling and replica-kill experiments, a small object store
(80 MiB; the bulk job's blocks are a few MB), no idle worker process kept warm (a task's worker, which loads the
models, ends half a second after its last task); then the application held at one replica while the bulk job scores
one block at a time, Serve shut down before the Airflow run, whose job joins the notebook's cluster instead of
starting a second one: the Ray Data job's task workers (about 0.5 GB each with the models) beside two replicas and
Airflow on top would not fit."""

CONFIGS: tuple[RayConfig, ...] = (FULL, READER)
"""Largest first: :func:`ray_config` takes the first that fits."""


def ray_config(budget: MemoryBudget | None = None, headroom: float = 0.9) -> RayConfig:
    """The largest configuration of :data:`CONFIGS` whose ``needs_bytes`` fits in ``headroom`` x the budget; the
    smallest one when none fits (the page then says so)."""
    budget = budget or memory_budget()
    for cfg in CONFIGS:
        if cfg.fits(budget, headroom):
            return cfg
    return CONFIGS[-1]


def summary(budget: MemoryBudget | None = None, config: RayConfig | None = None) -> str:
    """One line for a page that starts Ray: the memory given, where that figure came from, the configuration that
    runs, and whether its measured peak fits.

    >>> summary(MemoryBudget(2 * GIB, "MEM_LIMIT"), READER)[:59]
    'Memory given: 2.1 GB (MEM_LIMIT). Ray configuration reader:'
    """
    budget = budget or memory_budget()
    config = config or ray_config(budget)
    fit = "fits" if config.fits(budget) else "more than given: a kernel may be restarted"
    return f"Memory given: {budget.bytes / 1e9:.1f} GB ({budget.source}). Ray configuration {config.describe()} ({fit})."
