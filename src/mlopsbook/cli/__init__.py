"""The ``mlopsbook`` command.

Every module in this package that defines ``register(subparsers)`` adds its own sub-command(s); a module per topic
(``posts``, ``cost``, ``simulate``, ...) keeps each command beside the code it drives. Errors in the user's input exit 2
with one line naming the flag (argparse's convention); a failed check exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Sequence

from mlopsbook.errors import MlopsbookError, UsageError  # noqa: F401 (UsageError: re-exported for the commands)


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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MlopsbookError as exc:  # bad input (a flag, a file, a value out of range): one line, exit 2
        print(f"mlopsbook {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
