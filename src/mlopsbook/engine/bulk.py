"""The bulk path: a Ray Data job that scores one day's partition of documents into one Parquet partition.

Input: ``<input_root>/day=YYYY-MM-DD/*.parquet`` with columns ``doc_id`` (unique string) and ``text``.
Output: ``<output_root>/day=YYYY-MM-DD/part-NNNNN.parquet`` with columns ``doc_id``, ``label``, ``score`` and
``entities`` (a list of ``{text, label, start, end}``), in input order. The job reads the partition into a fixed number
of blocks, maps the model over them in Ray tasks, writes into a staging folder and publishes it atomically
(:mod:`mlopsbook.engine.idempotent`) only after checking that every input document was scored exactly once. File
names and order are fixed, so the same input and model give byte-identical files.

The model is the real-time path's model module: :func:`mlopsbook.nlp.service.load_models` and its ``score``.
``scorer`` names another factory with the same interface (``"module:function"``, called with the model folder).

:func:`write_input_days` lays out a day-partitioned input set from the seeded document generator of
:mod:`mlopsbook.nlp.corpus` (its held-out split, so the models score text they were not trained on).
"""

from __future__ import annotations

import argparse
import importlib
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

from mlopsbook.engine.idempotent import Published, digest, partition_name, write_partition
from mlopsbook.errors import MlopsbookError
from mlopsbook.inputs import MAX_PARQUET_BYTES, InputFileError, check_file, read_parquet_table
from mlopsbook.validation import check_number

DEFAULT_SCORER = "mlopsbook.nlp.service:load_models"

MAX_INPUT_DOCS = 20_000
"""Most documents one ``write_input_days`` call generates (all days together): the generator makes about 2,000
documents a second on one loaded core, so 20,000 take about 10 s; a bigger input set is several calls."""

MAX_BLOCKS = 10_000
"""Most Ray Data blocks a day's partition is cut into (a block per few documents is already too many tasks)."""
"""The model factory both paths use."""

INPUT_COLUMNS = ("doc_id", "text")
OUTPUT_COLUMNS = ("doc_id", "label", "score", "entities")

_MODELS: dict[tuple[str, str | None], Any] = {}


@dataclass(frozen=True)
class BulkResult:
    """One bulk run: the day, rows in and out, where the partition went and its content digest (SHA-256)."""

    day: date
    input_rows: int
    output_rows: int
    partition: Path
    replaced: bool
    publish_method: str
    digest: str
    duration_s: float


def resolve_scorer(spec: str) -> Callable[[Path | None], Any]:
    """Import ``"module:function"``; raises :class:`~mlopsbook.errors.MlopsbookError` naming ``scorer`` when it is malformed or missing."""
    mod_name, sep, attr = spec.partition(":")
    if not sep or not mod_name or not attr:
        raise MlopsbookError(f"scorer: must be 'module:function' (got {spec!r})")
    try:
        fn = getattr(importlib.import_module(mod_name), attr)
    except (ImportError, AttributeError) as exc:
        raise MlopsbookError(f"scorer: cannot import {spec!r} ({exc})") from exc
    if not callable(fn):
        raise MlopsbookError(f"scorer: {spec!r} is not callable")
    return fn


def _models(scorer: str, model_dir: str | None) -> Any:
    """The models of this worker process, loaded on first use (Ray reuses worker processes across tasks)."""
    key = (scorer, model_dir)
    if key not in _MODELS:
        _MODELS[key] = resolve_scorer(scorer)(Path(model_dir) if model_dir else None)
    return _MODELS[key]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``mlopsbook engine bulk`` (what a RayJob's entrypoint and the Airflow DAG pass)."""
    parser.add_argument("--day", required=True, metavar="YYYY-MM-DD", help="the logical date (partition key)")
    parser.add_argument("--input", required=True, metavar="DIR", help="root of the day-partitioned documents")
    parser.add_argument("--output", required=True, metavar="DIR", help="root of the scored partitions")
    parser.add_argument("--scorer", default=None, metavar="MODULE:FUNCTION",
                        help=f"model factory (default: {DEFAULT_SCORER})")
    parser.add_argument("--model-dir", default=None, metavar="DIR", help="model folder passed to the factory")
    parser.add_argument("--num-blocks", type=int, default=2, metavar="N",
                        help="Ray Data blocks to read into (default 2)")


def score_batch(batch: Any, *, scorer: str = DEFAULT_SCORER, model_dir: str | None = None) -> Any:
    """Score a pandas batch with columns ``doc_id``, ``text``; returns ``doc_id, label, score, entities``."""
    import pandas as pd

    texts = [str(t) for t in batch["text"].tolist()]
    scored = _models(scorer, model_dir).score(texts) if texts else []
    if len(scored) != len(texts):
        raise RuntimeError(f"scorer {scorer}: returned {len(scored)} results for {len(texts)} documents")
    return pd.DataFrame({
        "doc_id": batch["doc_id"].astype(str).tolist(),
        "label": [str(s["label"]) for s in scored],
        "score": [float(s["score"]) for s in scored],
        "entities": [[{"text": str(e["text"]), "label": str(e["label"]), "start": int(e["start"]),
                       "end": int(e["end"])} for e in s["entities"]] for s in scored],
    })


def _read_ids(folder: Path) -> list[str]:
    import pyarrow.parquet as pq

    files = sorted(p for p in folder.glob("*.parquet"))
    return [i for f in files for i in pq.read_table(f, columns=["doc_id"]).column("doc_id").to_pylist()]


def _check_input(src: Path) -> list[str]:
    """The ``doc_id`` of every row of an input partition, after checking each file (a regular Parquet file with
    :data:`INPUT_COLUMNS`) and that the ids are unique; raises :class:`~mlopsbook.inputs.InputFileError`."""
    files = sorted(src.glob("*.parquet"))
    if not files:
        raise InputFileError(f"{src}: input partition holds no .parquet files")
    ids: list[str] = []
    for f in files:
        check_file(f, max_bytes=MAX_PARQUET_BYTES)
        read_parquet_table(f, columns=list(INPUT_COLUMNS))  # checks the schema and that every column reads
        ids.extend(read_parquet_table(f, columns=["doc_id"]).column("doc_id").to_pylist())
    seen: set[str] = set()
    dup = [i for i in ids if i in seen or seen.add(i)]  # type: ignore[func-returns-value]
    if dup:
        raise InputFileError(f"{src}: doc_id must be unique; duplicated: {', '.join(map(str, dup[:5]))}")
    return [str(i) for i in ids]


def score_day(day: date, input_root: Path, output_root: Path, *, scorer: str = DEFAULT_SCORER,
              model_dir: Path | None = None, num_blocks: int = 2) -> BulkResult:
    """Score ``day``'s input partition with Ray Data and publish its output partition; returns what happened.

    Starts (or joins) Ray through :func:`mlopsbook.engine.ray_runtime.start`, so ``RAY_ADDRESS`` sends the same job to
    a remote cluster. Raises ``FileNotFoundError`` naming a missing input partition, :class:`~mlopsbook.inputs.InputFileError` for a
    file that is not Parquet, missing columns or duplicate ids, :class:`~mlopsbook.errors.MlopsbookError` for a bad
    ``scorer``, and ``RuntimeError`` (publishing nothing) when the output does not
    hold every input document exactly once.
    """
    check_number(num_blocks, "num_blocks", low=1, high=MAX_BLOCKS, integer=True)
    resolve_scorer(scorer)
    t0 = time.monotonic()
    src = Path(input_root) / partition_name(day)
    if not src.is_dir():
        raise FileNotFoundError(f"no input partition for {day.isoformat()}: {src}")
    in_ids = _check_input(src)

    from mlopsbook.engine import ray_runtime

    ray_runtime.start()
    import ray.data
    from ray.data import SaveMode
    from ray.data.datasource import FilenameProvider

    class _PartFiles(FilenameProvider):
        def get_filename_for_block(self, block: Any, write_uuid: str, task_index: int, block_index: int) -> str:
            return f"part-{task_index:05d}-{block_index:03d}.parquet"

        def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
            return f"part-{task_index:05d}.parquet"

    # Ray Data coalesces small files into one read task: split into num_blocks blocks explicitly (order kept)
    ds = ray.data.read_parquet(str(src), columns=list(INPUT_COLUMNS)).repartition(num_blocks)
    scored = ds.map_batches(score_batch, batch_format="pandas", batch_size=None,
                            fn_kwargs={"scorer": scorer, "model_dir": str(model_dir) if model_dir else None})

    def write(staging: Path) -> None:
        # OVERWRITE: the staging folder is new and empty; it lets the file names be fixed (no write id in them)
        scored.write_parquet(str(staging), filename_provider=_PartFiles(), mode=SaveMode.OVERWRITE)
        out_ids = _read_ids(staging)
        if out_ids != in_ids:
            missing = sorted(set(in_ids) - set(out_ids))[:5]
            extra = len(out_ids) - len(set(out_ids))
            raise RuntimeError(f"partition {day.isoformat()}: output does not match input ({len(out_ids)} rows for "
                               f"{len(in_ids)} documents; missing {missing}, {extra} duplicated); nothing published")

    published: Published = write_partition(Path(output_root), partition_name(day), write)
    return BulkResult(day=day, input_rows=len(in_ids), output_rows=len(in_ids), partition=published.path,
                      replaced=published.replaced, publish_method=published.method, digest=digest(published.path),
                      duration_s=time.monotonic() - t0)


def write_input_days(root: Path, days: Sequence[date], docs_per_day: int, *, seed: int = 0,
                     min_words: int = 40, max_words: int = 400, files: int = 2) -> list[Path]:
    """Write one input partition per day (``doc_id``, ``text``) from the seeded document generator; returns them.

    Each day's documents depend only on ``seed`` and the day, so adding a day leaves the others unchanged. A day is
    split into ``files`` Parquet files of consecutive documents (Ray Data reads a file as one block at least).
    Partitions are written with the same idempotent writer as the output.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mlopsbook.nlp.corpus import corpus

    check_number(docs_per_day, "docs_per_day", low=1, high=MAX_INPUT_DOCS, integer=True)
    check_number(seed, "seed", low=0, high=2**63 - 1, integer=True)
    check_number(files, "files", low=1, high=max(1, docs_per_day), integer=True)
    if len(set(days)) != len(days):
        dup = sorted({d for d in days if days.count(d) > 1})
        raise MlopsbookError(f"days: each day at most once (repeated: {', '.join(d.isoformat() for d in dup)})")
    check_number(docs_per_day * len(days), "docs_per_day x days", high=MAX_INPUT_DOCS,
                 note="(generating more takes longer than a command may; write several folders)")
    out = []
    for day in days:
        docs = corpus(docs_per_day, seed=seed * 1_000_003 + day.toordinal(), split="test", min_words=min_words,
                      max_words=max_words)
        table = pa.table({"doc_id": [f"{day.isoformat()}-{i:05d}" for i in range(len(docs))],
                          "text": [d.text for d in docs]})

        def write(staging: Path, table: pa.Table = table) -> None:
            step = -(-table.num_rows // files)
            for k, start in enumerate(range(0, table.num_rows, step)):
                pq.write_table(table.slice(start, step), staging / f"part-{k:05d}.parquet")

        out.append(write_partition(Path(root), partition_name(day), write).path)
    return out


def read_partition(folder: Path) -> Any:
    """A published partition as a pandas DataFrame (files in name order)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted(Path(folder).glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no .parquet files in {folder}")
    return pa.concat_tables([pq.read_table(f) for f in files]).to_pandas()
