"""What a reader of a post page needs beyond the notebook: the claims at a glance, and a text for every figure.

Part of the book's Sphinx extension (:mod:`mlopsbook.sphinxext` registers it):

- ``{claims-at-a-glance}``: on a post page, a three-column table of the post's declared claims: the claim (linked to
  its verdict card on the page), a short form of what the post says, and the computed verdict. Built from the
  verdicts the page's executed notebook displayed, never typed; a claim without one shows "no verdict computed".
- Alt text: every image gets one. A figure's caption when it has one; otherwise, for a notebook output with no
  ``mystnb: image: alt:`` set, the paragraph that introduces the cell (the book's rhythm puts the sentence that a
  figure proves right before it), shortened to its first sentence.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from docutils import nodes
from docutils.parsers.rst import Directive

SAYS_WORDS = 14
"""Words of the post's claim shown in the glance table (the whole claim is on its verdict card)."""
ALT_CHARS = 240


class glance_placeholder(nodes.General, nodes.Element):
    pass


class ClaimsAtAGlance(Directive):
    has_content = False

    def run(self) -> list[nodes.Node]:
        return [glance_placeholder()]


def short_says(says: str, words: int = SAYS_WORDS) -> str:
    """The first ``words`` words of a claim, with an ellipsis when cut."""
    parts = says.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def glance_table(claims: list[dict[str, Any]], verdicts: dict[str, dict[str, Any]], anchor: Callable[[str], str],
                 ) -> nodes.Element:
    """The table: one row per declared claim, linked to ``#<anchor(id)>`` when its verdict is on the page."""
    table = nodes.table(classes=["mlopsbook-glance"])
    tgroup = nodes.tgroup(cols=3)
    table += tgroup
    for w in (8, 62, 30):
        tgroup += nodes.colspec(colwidth=w)
    thead = nodes.thead()
    tgroup += thead
    row = nodes.row()
    for h in ("Claim", "The post says", "Verdict"):
        row += nodes.entry("", nodes.paragraph(text=h))
    thead += row
    tbody = nodes.tbody()
    tgroup += tbody
    for c in claims:
        cid = c["id"]
        rec = verdicts.get(cid)
        status = rec["status"] if rec else "no verdict computed"
        row = nodes.row()
        if rec:
            ref = nodes.reference("", cid, internal=True, refuri="#" + anchor(cid))
            row += nodes.entry("", nodes.paragraph("", "", ref))
        else:
            row += nodes.entry("", nodes.paragraph(text=cid))
        row += nodes.entry("", nodes.paragraph(text=f"“{short_says(c['says'])}”"))
        row += nodes.entry("", nodes.paragraph("", "", nodes.inline(text=status, classes=[
            "mlopsbook-status", "status-" + status.replace(" ", "-")])))
        tbody += row
    return table


def _first_sentence(text: str, limit: int = ALT_CHARS) -> str:
    text = " ".join(text.split())
    m = re.match(r"(.+?[.:;])(\s|$)", text)
    out = m.group(1) if m else text
    return out if len(out) <= limit else out[: limit - 1].rsplit(" ", 1)[0] + "…"


def _introducing_paragraph(image: nodes.image) -> str:
    """The text of the paragraph right before the notebook cell holding ``image`` (empty when there is none)."""
    node: nodes.Node | None = image
    while node is not None and not (isinstance(node, nodes.container) and "cell" in node.get("classes", [])):
        node = node.parent
    if node is None or node.parent is None:
        return ""
    siblings = list(node.parent.children)
    for prev in reversed(siblings[: siblings.index(node)]):
        if isinstance(prev, nodes.paragraph):
            return prev.astext()
        if isinstance(prev, nodes.Admonition):
            paras = list(prev.findall(nodes.paragraph))
            if paras:
                return paras[-1].astext()
        if isinstance(prev, (nodes.section, nodes.title)):
            break
    return ""


def fill_alt(doctree: nodes.document) -> None:
    """Give every image without alt text one (module docstring)."""
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        figure = image.parent if isinstance(image.parent, nodes.figure) else None
        caption = next(iter(figure.findall(nodes.caption)), None) if figure is not None else None
        text = caption.astext() if caption is not None else _introducing_paragraph(image)
        image["alt"] = _first_sentence(text) if text else "Figure computed by the book's code (see the text around it)."
