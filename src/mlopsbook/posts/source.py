"""Reading a post file: bytes to text, then its frontmatter (YAML ``---``, TOML ``+++`` or JSON ``{``) and body.

Whatever the file holds, the result is a :class:`Source` or a :class:`~mlopsbook.posts.problems.PostError` whose
message is one line: a binary file, a text that is not UTF-8 (Windows-1252/Latin-1 text is read as such and said so),
a folder, frontmatter that does not parse. A UTF-8 byte-order mark is dropped and CRLF line ends become LF.

YAML is read with :mod:`mlopsbook.posts.safe_yaml` (the safe loader, unquoted dates kept as strings, alias bombs
refused). A FIFO, a device or a socket is never opened (:func:`mlopsbook.posts.safety.read_bytes`). TOML is read
with :mod:`tomllib`, JSON with :mod:`json`, through python-frontmatter's handlers.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from mlopsbook.posts import safe_yaml, safety
from mlopsbook.posts.problems import PostError
from mlopsbook.posts.safe_yaml import UnquotedDate

__all__ = ["HANDLERS", "MAX_BYTES", "Source", "UnquotedDate", "decode", "load", "parse", "read_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_BYTES = 5_000_000
"""A post larger than this is refused (a Markdown post is a few tens of kB)."""


class _YAML(YAMLHandler):
    def load(self, fm: str, **kwargs: Any) -> Any:  # noqa: D102
        return safe_yaml.load(fm)


class _TOML(BaseHandler):
    """TOML between ``+++`` lines (Hugo, Zola), read with :mod:`tomllib`."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: Any) -> Any:  # noqa: D102
        return tomllib.loads(fm)


class _JSON(JSONHandler):
    def load(self, fm: str, **kwargs: Any) -> Any:  # noqa: D102
        return json.loads(fm)


HANDLERS: tuple[BaseHandler, ...] = (_YAML(), _TOML(), _JSON())
_FORMAT = {_YAML: "yaml", _TOML: "toml", _JSON: "json"}


@dataclass(frozen=True)
class Source:
    """A post as its author wrote it: ``meta`` (frontmatter mapping, keys as strings), ``body`` (Markdown).

    ``body_line`` is the 1-based line of the file where the body starts, so a problem found in the body can name the
    line of the file. ``fm_format`` is ``yaml``, ``toml``, ``json`` or ``none``; ``notes`` says how it was read.
    """

    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int = 1
    fm_format: str = "none"
    notes: tuple[str, ...] = field(default=())


def decode(data: bytes, file: object) -> tuple[str, list[str]]:
    """``data`` as text with LF line ends, and how it was read. Raises ``PostError`` for what is not text."""
    notes: list[str] = []
    if b"\x00" in data:
        raise PostError.one(file, "file", "not a text file (it contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise PostError.one(file, "file", f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start} "
                                              "is not valid UTF-8); save it as UTF-8") from None
        notes.append(f"not UTF-8: read as Windows-1252/Latin-1 (byte 0x{data[exc.start]:02x} at offset "
                     f"{exc.start}); the notebook is written in UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise PostError.one(file, "file", f"not a text file (control character {bad.group()!r} on line {line})")
    return text, notes


def read_text(path: Path) -> tuple[str, list[str]]:
    """The text of a post file; raises ``PostError`` naming the file for a missing file, a folder, a special file
    (a FIFO is never opened), or binary data."""
    try:
        data = safety.read_bytes(path, MAX_BYTES)
    except safety.NotRegular as exc:
        if exc.kind == "a folder":
            raise PostError.one(path, "file", "is a folder, not a post file") from None
        raise PostError.one(path, "file", f"is {exc.kind}, not a post file: skipped") from None
    except FileNotFoundError:
        raise PostError.one(path, "file", "does not exist") from None
    except OSError as exc:
        raise PostError.one(path, "file", f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise PostError.one(path, "file", f"is more than {MAX_BYTES:,} bytes; a post is at most {MAX_BYTES:,}")
    return decode(data, path)


def parse(text: str, file: object) -> tuple[dict[str, Any], str, int, str]:
    """``(meta, body, body_line, format)`` of a post text. Raises ``PostError`` on frontmatter that does not parse."""
    handler = frontmatter.detect_format(text, HANDLERS)
    if handler is None:
        return {}, text, 1, "none"
    fmt = _FORMAT[type(handler)]
    try:
        fm, body = handler.split(text)
    except ValueError:
        delim = {"yaml": "---", "toml": "+++", "json": "}"}[fmt]
        raise PostError.one(file, "frontmatter", f"the opening line has no closing {delim} line") from None
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    try:
        meta = handler.load(fm)
    except safe_yaml.AliasBomb as exc:
        raise PostError.one(file, "frontmatter", f"refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise PostError.one(file, "frontmatter", f"not valid YAML: {_one_line(exc)}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PostError.one(file, "frontmatter", f"not valid TOML: {_one_line(exc)}") from None
    except (ValueError, RecursionError) as exc:  # json.JSONDecodeError is a ValueError
        raise PostError.one(file, "frontmatter", f"not valid {fmt.upper()}: {_one_line(exc)}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise PostError.one(file, "frontmatter", f"must be a mapping of fields, got {type(meta).__name__}")
    return {str(k): v for k, v in meta.items()}, body, body_line, fmt


def load(path: str | Path) -> Source:
    """Read and parse one post file (any of the three frontmatter formats, or none)."""
    p = Path(path)
    text, notes = read_text(p)
    meta, body, body_line, fmt = parse(text, p)
    return Source(p, meta, body, body_line, fmt, tuple(notes))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
