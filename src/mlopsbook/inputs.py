"""One reader for every input file a command is given.

Each reader checks, in order, that the path exists and is a regular file (with :func:`os.stat`, before anything is
opened, so a FIFO or a device never blocks), that it is no larger than a limit, that it is UTF-8 text (the error names
the byte offset of the first bad byte), and that it parses: YAML with a safe loader that refuses Python object tags
and bounds the aliases a document may use (an alias bomb expands exponentially), JSON with a bound on nesting depth
(a deeply nested document would otherwise exhaust the interpreter's recursion limit), CSV, Parquet. Every failure is
an :class:`InputFileError` whose one-line message starts with the path and says what is wrong. Small typed checks
(:func:`expect_mapping`, :func:`expect_list`) turn "a list where a mapping belongs" into the same kind of message.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from mlopsbook.errors import MlopsbookError

MAX_TEXT_BYTES = 8 * 1024 * 1024
"""Largest text input (YAML, JSON, CSV, trace): the biggest input the project ships is an AWS offer file slice well
under 1 MB; 8 MB leaves room for a real one while keeping parse time and memory small."""

MAX_OFFER_BYTES = 512 * 1024 * 1024
"""An AWS Price List offer file for EC2 in one region is a few hundred MB; larger is not an offer file."""

MAX_PARQUET_BYTES = 2 * 1024 * 1024 * 1024
"""One day's partition of the bulk job; beyond it the job should be split by day."""

MAX_JSON_DEPTH = 64
"""Deepest JSON (or YAML) nesting accepted: offer files nest 6 levels, API Gateway events 4; 64 is far below the recursion
limit of the standard library's parser."""

MAX_YAML_ALIASES = 100
"""Most aliases (``*name``) one YAML document may use: the project's files use none."""

MAX_YAML_NODES = 1_000_000
"""Most values a YAML document may stand for once its aliases are expanded (a "billion laughs" document is a few
lines that expand to billions); the largest file the project reads has a few thousand."""


class InputFileError(MlopsbookError):
    """An input file that cannot be read: missing, not a regular file, too large, not UTF-8, malformed, or of the
    wrong shape. The message starts with the path."""


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def check_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_TEXT_BYTES) -> Path:
    """``path`` as a :class:`Path` if it names an existing regular file of at most ``max_bytes`` bytes."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputFileError(f"{p}: no such file") from None
    except NotADirectoryError:
        raise InputFileError(f"{p}: no such file (a parent is not a folder)") from None
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{p}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"{p}: not a regular file (a FIFO, socket or device)")
    if st.st_size > max_bytes:
        raise InputFileError(f"{p}: {_size_text(st.st_size)} is larger than the {_size_text(max_bytes)} limit")
    return p


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a checked regular file (:func:`check_file`)."""
    p = check_file(path, max_bytes=max_bytes)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew after the check
        raise InputFileError(f"{p}: larger than the {_size_text(max_bytes)} limit")
    return data


def decode(data: bytes, where: str) -> str:
    """``data`` decoded as UTF-8 (a leading BOM dropped); else the byte offset of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{where}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def read_text(path: str | os.PathLike[str], *, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of a checked regular file."""
    p = Path(path)
    return decode(read_bytes(p, max_bytes=max_bytes), str(p))


class _BoundedSafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python object tags) that counts the aliases of a document."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 - PyYAML's hook
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} aliases (line {mark.line + 1})")
        self.depth += 1
        if self.depth > MAX_JSON_DEPTH:
            raise yaml.YAMLError(f"nested more than {MAX_JSON_DEPTH} levels deep (line {mark.line + 1})")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _expanded_nodes(node: yaml.Node, cap: int) -> int:
    """How many nodes ``node`` stands for once every alias is expanded (counting stops above ``cap``)."""
    sizes: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        if id(n) in sizes:
            return sizes[id(n)]
        total = 1
        if isinstance(n, yaml.SequenceNode):
            children = n.value
        elif isinstance(n, yaml.MappingNode):
            children = [c for pair in n.value for c in pair]
        else:
            children = []
        for c in children:
            total += size(c)
            if total > cap:
                break
        sizes[id(n)] = total
        return total

    return size(node)


def parse_yaml(text: str, where: str) -> Any:
    """The one YAML document in ``text`` (``None`` when empty), read safely; errors name ``where`` and the line."""
    loader = None
    try:
        loader = _BoundedSafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_nodes(node, MAX_YAML_NODES) > MAX_YAML_NODES:
            raise yaml.YAMLError(f"its aliases expand to more than {MAX_YAML_NODES:,} values")
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" at line {mark.line + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "malformed"
        if isinstance(exc, yaml.constructor.ConstructorError):
            what = f"tag not allowed ({exc.problem})" if exc.problem else "tag not allowed"
        raise InputFileError(f"{where}: not valid YAML{line}: {what}") from None
    except yaml.YAMLError as exc:
        raise InputFileError(f"{where}: not valid YAML: {str(exc).splitlines()[0] if str(exc) else 'malformed'}") from None
    except RecursionError:
        raise InputFileError(f"{where}: not valid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml(path: str | os.PathLike[str], *, max_bytes: int = MAX_TEXT_BYTES) -> Any:
    """The YAML document of a checked regular file (``None`` when the file is empty)."""
    p = Path(path)
    return parse_yaml(read_text(p, max_bytes=max_bytes), str(p))


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON ``text`` (strings skipped), in one linear scan."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str, where: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value in ``text``: nesting at most ``max_depth``; ``NaN``/``Infinity`` refused (they are not JSON)."""
    depth = json_depth(text)
    if depth > max_depth:
        raise InputFileError(f"{where}: JSON nested {depth} levels deep (limit {max_depth})")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{where}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except ValueError as exc:
        raise InputFileError(f"{where}: not JSON ({exc})") from None


def read_json(path: str | os.PathLike[str], *, max_bytes: int = MAX_TEXT_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of a checked regular file."""
    p = Path(path)
    return parse_json(read_text(p, max_bytes=max_bytes), str(p), max_depth=max_depth)


def read_csv_rows(path: str | os.PathLike[str], *, max_bytes: int = MAX_TEXT_BYTES) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows (as mappings) of a checked UTF-8 CSV file; an empty file or a bad row is an error."""
    p = Path(path)
    text = read_text(p, max_bytes=max_bytes)
    if not text.strip():
        raise InputFileError(f"{p}: empty (a CSV file with a header row was expected)")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = list(reader.fieldnames or [])
        rows = [dict(r) for r in reader]
    except csv.Error as exc:  # includes a field over the csv module's 128 KiB field limit
        raise InputFileError(f"{p}: not valid CSV ({exc})") from None
    for i, r in enumerate(rows, start=2):
        if None in r:
            raise InputFileError(f"{p}: row {i}: more fields than the header's {len(header)}")
    return header, rows


def read_parquet_table(path: str | os.PathLike[str], columns: list[str] | None = None, *,
                       max_bytes: int = MAX_PARQUET_BYTES) -> Any:
    """The :class:`pyarrow.Table` of a checked Parquet file, with ``columns`` (each must exist)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = check_file(path, max_bytes=max_bytes)
    try:
        names = pq.read_schema(p).names
    except (pa.ArrowException, OSError) as exc:
        raise InputFileError(f"{p}: not a Parquet file ({str(exc).splitlines()[0]})") from None
    missing = [c for c in (columns or []) if c not in names]
    if missing:
        raise InputFileError(f"{p}: missing column(s) {', '.join(missing)} (has {', '.join(names)})")
    try:
        return pq.read_table(p, columns=columns)
    except (pa.ArrowException, OSError) as exc:
        raise InputFileError(f"{p}: unreadable Parquet ({str(exc).splitlines()[0]})") from None


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "empty"}.get(
        type(value), type(value).__name__)


def expect_mapping(value: Any, where: str, *, empty_ok: bool = False) -> dict[Any, Any]:
    """``value`` if it is a mapping (``None`` as ``{}`` when ``empty_ok``), else an error naming ``where``."""
    if value is None and empty_ok:
        return {}
    if not isinstance(value, dict):
        raise InputFileError(f"{where}: must be a mapping (got {_kind(value)})")
    return value


def expect_list(value: Any, where: str) -> list[Any]:
    """``value`` if it is a list, else an error naming ``where``."""
    if not isinstance(value, list):
        raise InputFileError(f"{where}: must be a list (got {_kind(value)})")
    return value
