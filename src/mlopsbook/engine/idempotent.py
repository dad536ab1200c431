"""Idempotent partition writes: output keyed by partition, staged, then moved into place atomically.

A bulk job for one logical date writes its whole partition into a fresh staging folder beside the output
(``<root>/_staging/``), makes it durable (``fsync``), and only then publishes it under its final name
(``<root>/day=YYYY-MM-DD/``) in one atomic step. Consequences, each tested:

- a re-run *replaces* the partition, it never appends: running a date twice leaves the bytes of one run;
- a job killed half-way leaves the previous partition (or none) untouched, never a partial one; its staging folder
  is removed by the next run of the same partition;
- two dates give two partitions; a reader never sees a mix of two runs.

Publishing swaps the two folders with Linux ``renameat2(RENAME_EXCHANGE)`` when the partition exists (atomic, even
for a non-empty folder), or ``rename`` when it does not. Where the exchange is unsupported (another OS, some
filesystems) it falls back to two renames, with a window of microseconds in which the partition is absent, and says
so in :attr:`Published.method`. Concurrent writers of the same partition are serialised by a lock file.
Folder names starting with ``_`` are skipped by Parquet readers (pyarrow's default ``ignore_prefixes``).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from mlopsbook.errors import MlopsbookError

STAGING = "_staging"
"""Sub-folder of an output root that holds partitions being written (and locks)."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class Published:
    """A partition moved into place: where, whether it replaced an earlier one, and how (``exchange`` is atomic)."""

    path: Path
    replaced: bool
    method: str  # "rename" | "exchange" | "two-renames"


def partition_name(day: date) -> str:
    """The Hive-style folder name of a day's partition, e.g. ``day=2024-01-25``."""
    if not isinstance(day, date):
        raise TypeError(f"day: must be a datetime.date (got {type(day).__name__})")
    return f"day={day.isoformat()}"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths; False where the kernel or filesystem does not support it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, f"renameat2({a}, {b}, RENAME_EXCHANGE) failed: {os.strerror(err)}")


def _fsync_tree(folder: Path) -> None:
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(staging: Path, final: Path) -> Published:
    """Move a complete ``staging`` folder to ``final`` atomically, replacing what was there.

    Both must be on the same filesystem (the staging folder lives under the output root for that reason).
    """
    staging, final = Path(staging), Path(final)
    if not staging.is_dir():
        raise FileNotFoundError(f"staging folder missing: {staging}")
    _fsync_tree(staging)
    if not final.exists():
        os.rename(staging, final)
        return Published(final, replaced=False, method="rename")
    if _exchange(staging, final):
        shutil.rmtree(staging)  # now holds the previous partition
        return Published(final, replaced=True, method="exchange")
    trash = final.with_name(f"{STAGING}-old-{final.name}-{uuid.uuid4().hex}")
    os.rename(final, trash)
    os.rename(staging, final)
    shutil.rmtree(trash)
    return Published(final, replaced=True, method="two-renames")


class _Holder:
    published: Published | None = None


@contextmanager
def _partition_writer(root: Path, name: str) -> Iterator[tuple[Path, _Holder]]:
    root = Path(root)
    if not name or "/" in name or name.startswith((".", "_")):
        raise MlopsbookError(f"name: must be a plain folder name not starting with '.' or '_' (got {name!r})")
    stage_root = root / STAGING
    stage_root.mkdir(parents=True, exist_ok=True)
    holder = _Holder()
    with open(stage_root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in stage_root.glob(f"{name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = stage_root / f"{name}.tmp-{uuid.uuid4().hex}"
        staging.mkdir()
        try:
            yield staging, holder
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        holder.published = publish(staging, root / name)


def write_partition(root: Path, name: str, write) -> Published:  # noqa: ANN001 - a callable(Path) -> None
    """Run ``write(staging_folder)`` and publish its result as partition ``name`` of ``root``; returns the record."""
    with _partition_writer(root, name) as (staging, holder):
        write(staging)
        if not any(staging.iterdir()):
            raise RuntimeError(f"partition {name}: the writer produced no files in its staging folder")
    assert holder.published is not None
    return holder.published


def partitions(root: Path) -> list[str]:
    """The published partitions under ``root`` (folder names, sorted), ignoring staging and hidden folders."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def digest(folder: Path) -> str:
    """SHA-256 over the relative names and bytes of every file under ``folder`` (sorted): equal iff byte-identical."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such partition folder: {folder}")
    h = hashlib.sha256()
    for p in sorted(q for q in folder.rglob("*") if q.is_file()):
        h.update(p.relative_to(folder).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()
