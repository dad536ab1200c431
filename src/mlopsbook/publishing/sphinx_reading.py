"""What a reader of a post page needs beyond the notebook: the claims at a glance, and a text for every figure.

Part of the book's Sphinx extension (:mod:`mlopsbook.publishing.sphinxext` registers it):

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

SAYS_WORDS = 10
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
    for w in (9, 61, 30):
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


def lead_sentence(text: str) -> tuple[str, str]:
    """``(first sentence, the rest)`` of a verdict's summary (a sentence ends with ``.`` or ``;`` before a capital)."""
    parts = re.split(r"(?<=[.;])\s+(?=[A-Z“\"(])", text.strip(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


def card_markdown(verdict: Any, executed: str = "") -> str:
    """A verdict card as MyST Markdown for the built page: the verdict and the first sentence of its summary in
    view; the rest of the summary, the claim's words, what would refute it and where it holds (or why not) in a
    dropdown, so that a post page stays readable while
    every card keeps its whole argument one click away; ``executed`` (when and where the evidence ran) closes the
    dropdown (the page says it once under its title too), or the card when it has no dropdown. (``Verdict.to_markdown`` is the plain, all-open form for notebooks.)"""
    s = verdict.status
    first, rest = lead_sentence(verdict.summary)
    lines = [f"````{{admonition}} Verdict on {verdict.claim_id}: {s.label}", f":class: {s.admonition}", "",
             first, ""]
    details: list[str] = [rest, ""] if rest else []
    if verdict.claim is not None:
        details += [f"**The post says:** “{verdict.claim.says}”", "",
                    f"**Would be refuted if:** {verdict.claim.refuted_if}", ""]
    if verdict.conditions:
        details += [f"**Holds when:** {verdict.conditions}", ""]
    if verdict.reason:
        details += [f"**Why:** {verdict.reason}", ""]
    if details:
        if executed:
            details += [f"*{executed}*", ""]
        title = "The evidence, the claim, and where the verdict holds" if verdict.conditions else \
            "The evidence, the claim, and why"
        lines += [f"```{{dropdown}} {title}", ":class-container: mlopsbook-verdict-details", "", *details, "```"]
    elif executed:
        lines += ["", f"*{executed}*"]
    lines.append("````")
    return "\n".join(lines)
