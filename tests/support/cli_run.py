"""Running the ``mlopsbook`` command in-process, as the tests of the posts commands do, and writing a test's files."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from mlopsbook.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    """``mlopsbook ARGV...`` in this process: (exit status, stdout, stderr); argparse's own exits included."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as exc:
            rc = int(exc.code or 0)
    return rc, out.getvalue(), err.getvalue()


def write(path: Path, text: str | bytes) -> Path:
    """``path`` with ``text`` (bytes as they are), its folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path
