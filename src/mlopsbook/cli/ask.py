"""``mlopsbook ask "QUESTION"``: AI Medusa answers where to deploy a model; with no question, a terminal
conversation (reads stdin, ends on EOF or "quit"). Offline and deterministic: retrieval plus the decision engine."""

from __future__ import annotations

import argparse
import json
import sys

from mlopsbook.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="AI Medusa: ask where to deploy a model")
    p.add_argument("question", nargs="*", metavar="QUESTION", help="the question (none: a conversation on the terminal)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=_ask)


def _ask(args: argparse.Namespace) -> int:
    from mlopsbook.decide.profile import ProfileError
    from mlopsbook.errors import MlopsbookError
    from mlopsbook.medusa import answer, dialogue

    q = " ".join(args.question).strip()
    if not q:
        return dialogue.converse(sys.stdin, sys.stdout)
    try:
        a = answer.answer(q)
    except (ProfileError, MlopsbookError) as exc:
        raise UsageError(f"QUESTION: {exc}") from None
    if args.json:
        print(json.dumps({"recommendation": a.recommendation, "monthly_usd": round(a.monthly_usd, 2),
                          "read": {k: {"value": f.value, "words": f.words, "note": f.note, "assumed": f.assumed}
                                   for k, f in a.read.items()},
                          "not_used": [{"words": w, "what": why} for w, why in a.unused],
                          "not_understood": [{"words": w, "why": why} for w, why in a.unknown],
                          "conditions": [vars(c) for c in a.conditions],
                          "assumed": a.assumed, "flips": [vars(f) for f in a.flips], "ask": a.ask,
                          "sources": [u for _, u in a.sources], "decision": a.decision.to_dict()}, indent=2))
    else:
        print(a.to_text())
    return 0
