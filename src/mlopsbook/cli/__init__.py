"""The ``mlopsbook`` command.

Each sub-command lives in the module of the same name in this package (``posts``, ``cost``, ``simulate``, ...), which
defines ``register(subparsers)``; :data:`COMMANDS` lists them with their one-line help. Only the module of the command
that runs is imported (``mlopsbook --help`` imports none), so a broken or slow model module cannot stop an unrelated
command. Errors in the user's input (:class:`~mlopsbook.errors.MlopsbookError`, :class:`UsageError` among them) exit
2 with one line naming the flag, file or field (argparse's convention); a failed check exits 1. Output piped into a
reader that closes early (``| head``) ends quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from mlopsbook.errors import MlopsbookError, UsageError

__all__ = ["COMMANDS", "UsageError", "build_parser", "main"]

COMMANDS: dict[str, str] = {
    "ask": "AI Medusa: ask where to deploy a model",
    "book": "reuse current executions for the book, execute the notebooks whose key changed",
    "claims": "compare the book's verdicts and glued numbers across revisions",
    "cost": "monthly cost of serving a workload on one platform",
    "decide": "rank the deployment platforms for a service profile",
    "engine": "Ray bulk job, its inputs and the KubeRay manifests",
    "hiring": "score interview scorecards against the hiring framework",
    "infer": "train, package, measure and invoke the CPU NLP services",
    "posts": "import and check posts",
    "prices": "refresh or check the dated price table",
    "security": "regenerate deploy/SECURITY.md from the scanners' output",
    "simulate": "simulate a request stream on a fixed pool, Ray Serve on KubeRay or Lambda",
    "snapshots": "execute notebooks and write their executed .ipynb snapshots",
}
"""Every sub-command and its help line; the command ``NAME`` is registered by ``mlopsbook.cli.NAME.register``."""


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv`` (the first argument that is not an option), if it is a known one."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for ``argv``: the named command's module registers its full parser; every other command is listed
    by name and help only, without importing its module."""
    parser = argparse.ArgumentParser(prog="mlopsbook", description="Tools behind the executable engineering blog.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = _command_in(argv)
    for name, help_text in COMMANDS.items():
        if name == chosen:
            importlib.import_module(f"{__name__}.{name}").register(sub)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _quiet_broken_pipe() -> int:
    """The reader of our output went away (``| head``): point stdout at devnull so the interpreter's final flush
    cannot raise again (Python's documented recipe for SIGPIPE), and exit quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout already closed or not a real file
        pass
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        result = int(args.func(args) or 0)
        sys.stdout.flush()
        return result
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except MlopsbookError as exc:
        print(f"mlopsbook {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
