"""A body as lines that remember where they came from, so every message names the line of the author's file.

Conversions replace a line by zero or more lines; each new line keeps the origin of the line it replaces. Raw
regions (Liquid ``{% raw %}``, Hugo's ``{{</* */>}}``) are marked with :data:`RAW_OPEN`/:data:`RAW_CLOSE` (control
characters, which a post cannot contain: :mod:`mlopsbook.posts.source` refuses them) and are never converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

RAW_OPEN, RAW_CLOSE, XREF = "\x01", "\x02", "\x03"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class Lines:
    text: list[str]
    origin: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.origin:
            self.origin = list(range(len(self.text)))

    @classmethod
    def of(cls, body: str) -> "Lines":
        return cls(body.split("\n"))

    def joined(self) -> str:
        return "\n".join(self.text)

    def rebuilt(self, replacements: dict[int, list[str]]) -> "Lines":
        """A new body where line ``i`` is replaced by ``replacements[i]`` (the others kept)."""
        text: list[str] = []
        origin: list[int] = []
        for i, line in enumerate(self.text):
            new = replacements.get(i, [line])
            text.extend(new)
            origin.extend([self.origin[i]] * len(new))
        return Lines(text, origin)


def fenced_lines(text: list[str]) -> set[int]:
    """Lines inside (or opening or closing) a backtick or tilde fence, by a simple scan (before markdown-it runs)."""
    inside: set[int] = set()
    fence: str | None = None
    for i, line in enumerate(text):
        m = _FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                inside.add(i)
        else:
            inside.add(i)
            closes = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
            if closes and not line.strip()[len(m.group(1)):].strip():
                fence = None
    return inside


def raw_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the raw regions of ``text`` (an unclosed one runs to the end)."""
    spans = []
    pos = 0
    while True:
        a = text.find(RAW_OPEN, pos)
        if a < 0:
            return spans
        b = text.find(RAW_CLOSE, a)
        end = len(text) if b < 0 else b + 1
        spans.append((a, end))
        pos = end


def strip_markers(text: str) -> str:
    return text.replace(RAW_OPEN, "").replace(RAW_CLOSE, "")
