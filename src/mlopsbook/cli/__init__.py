"""The ``mlopsbook`` command.

Every module in this package that defines ``register(subparsers)`` adds its own sub-command(s); a module per topic
(``posts``, ``cost``, ``simulate``, ...) keeps each command beside the code it drives. Errors in the user's input exit 2
with one line naming the flag (argparse's convention); a failed check exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Sequence


EXIT_BROKEN_PIPE = 141
"""Exit status when the reader closed the pipe: 128 + SIGPIPE, what a shell reports for a command killed by it."""


class UsageError(Exception):
    """Bad input from the user: printed as one line naming the flag, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlopsbook", description="Tools behind the executable engineering blog.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader closed the pipe (`mlopsbook ... | head`): stop quietly, as Python's docs recommend (signal
        # module, "Note on SIGPIPE"): point stdout at devnull so the interpreter's final flush cannot raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit:  # --help, or a usage error: flush here so that a closed pipe is caught by main()
        sys.stdout.flush()
        raise
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside main(), not at interpreter exit
        return status
    except UsageError as exc:
        print(f"mlopsbook {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
