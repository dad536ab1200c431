"""YAML from another blog, read with a bound on what its aliases expand to.

YAML's anchors and aliases let a few hundred bytes stand for millions of values (an "alias bomb": nine lists of nine
aliases to the list before). The safe loader builds them as shared objects, cheaply; what explodes is everything that
walks them afterwards: keeping the field, writing the notebook. :class:`BoundedLoader` measures the document's
expanded size on its node graph before constructing anything (each node's size computed once, so the measure is
linear in the document) and refuses a document whose expansion exceeds :data:`MAX_EXPANDED` (a recursive alias is
refused too). A frontmatter that uses no aliases expands to less than its own length, so no real post is refused.

Unquoted dates stay strings (:class:`UnquotedDate`): an impossible date is then a field problem instead of a parser
crash, and an unquoted date is told apart from a quoted one.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_EXPANDED = 200_000
"""Most values plus characters a document may expand to (a long post's frontmatter is a few thousand)."""


class UnquotedDate(str):
    """A YAML scalar that YAML would have read as a date or datetime (it was not quoted)."""


class AliasBomb(yaml.YAMLError):
    """A document whose aliases expand beyond :data:`MAX_EXPANDED`, or refer to themselves."""


def expanded_size(node: yaml.Node) -> int:
    """Values plus scalar characters of ``node`` with every alias expanded; raises :class:`AliasBomb` beyond
    :data:`MAX_EXPANDED` or on a recursive alias."""
    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in busy:
            raise AliasBomb("an alias refers to the value that contains it (a recursive structure)")
        busy.add(key)
        if isinstance(n, yaml.ScalarNode):
            total = 1 + len(n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(c) for c in n.value)
        else:
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        busy.discard(key)
        if total > MAX_EXPANDED:
            raise AliasBomb(f"its aliases expand to more than {MAX_EXPANDED:,} values and characters "
                            "(an alias bomb); write the values out")
        sizes[key] = total
        return total

    return size(node)


class BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing alias bombs, keeping unquoted timestamps as :class:`UnquotedDate`."""

    def construct_document(self, node: yaml.Node) -> Any:  # noqa: D102
        expanded_size(node)
        return super().construct_document(node)


BoundedLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: UnquotedDate(loader.construct_scalar(node))
)


def load(text: str) -> Any:
    """The one YAML document of ``text``; raises ``yaml.YAMLError`` (:class:`AliasBomb` for an alias bomb)."""
    return yaml.load(text, Loader=BoundedLoader)  # noqa: S506  # nosec B506 - BoundedLoader is a yaml.SafeLoader
