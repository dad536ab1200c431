"""The terminal conversation: read a question, answer it, ask for the missing field that matters most (the reply is
read for fields too), answer again. What is assumed and which assumptions matter lives in
:mod:`mlopsbook.medusa.assume`; this module only holds the conversation."""

from __future__ import annotations

from typing import Any, Callable, TextIO

from mlopsbook.errors import MlopsbookError
from mlopsbook.medusa.answer import answer as default_answer
from mlopsbook.medusa.assume import QUESTIONS
from mlopsbook.medusa.extract import extract


def converse(stdin: TextIO, stdout: TextIO, answer_fn: Callable[[str, dict[str, Any]], Any] | None = None) -> int:
    """The terminal conversation: read a question, answer it, ask for the missing fields that matter (the reply is
    read for fields too), answer again; ends on EOF or "quit"."""
    fn = answer_fn or (lambda q, known: default_answer(q, known=known))
    print("Medusa: ask me where to deploy a model (\"quit\" to leave).", file=stdout)
    known: dict[str, Any] = {}
    asked: set[str] = set()
    text = ""
    while True:
        print("you> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip().lower() in ("quit", "exit", "q"):
            print("Medusa: bye.", file=stdout)
            return 0
        if not line.strip():
            continue
        try:
            known.update(extract(line))
            text = (text + " " + line.strip()).strip()
            a = fn(text, dict(known))
        except MlopsbookError as exc:  # a bad turn is one line; the conversation goes on
            print(f"Medusa: {exc}", file=stdout)
            continue
        print(a.to_text(), file=stdout)
        pending = [f for f in a.ask if f not in asked]
        if pending:
            asked.add(pending[0])
            print(f"Medusa: {QUESTIONS[pending[0]]}", file=stdout)
