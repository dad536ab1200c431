"""Tables formatted for people: the price table's headings are words and its units those people quote; a table cell
that holds one number is marked so that the book's CSS keeps it on one line."""

from __future__ import annotations

from docutils import nodes
from docutils.utils import new_document

from mlopsbook.costs import pricing
from mlopsbook.publishing import sphinxext


def test_price_table_for_people() -> None:
    df = pricing.load().display_frame()
    assert list(df.columns) == ["What", "Amount", "Unit", "Monthly use (GB-seconds)", "Source", "Confidence", "Dated"]
    rows = {r.What: r for r in df.itertuples()}
    requests = rows["Lambda requests, x86_64"]
    assert (requests.Amount, requests.Unit) == ("0.2", "USD per million requests")
    tier1 = rows["Lambda on-demand duration, x86_64, tier 1"]
    assert (tier1.Amount, tier1.Unit, tier1[4]) == ("16.6667", "USD per million GB-seconds", "first 6 billion")
    assert rows["Lambda on-demand duration, x86_64, tier 3"][4] == "over 15 billion"
    assert rows["Lambda ephemeral storage above the free 512 MB"].Unit == "USD per GB-month"
    assert rows["Lambda free tier, requests per month (x86_64 and arm64 together)"].Amount == "1,000,000"
    assert not any("e-" in a or "e+" in a for a in df["Amount"])  # never E-notation


def _doc(html: str) -> nodes.document:
    doc = new_document("test")
    doc += nodes.raw("", html, format="html")
    return doc


def test_numeric_cells_are_marked() -> None:
    doc = _doc("<table><tr><th>a_b</th><td>6,000,000,000</td><td>0.0000166667</td><td>x86_64</td><td>$92</td>"
               "<td>-1.5e-05</td><td>12%</td><td>2026-09-20</td><td>first 6 billion</td></tr></table>")
    sphinxext.mark_numeric_cells(doc)
    html = doc.astext()
    assert html.count('class="mlopsbook-num"') == 5
    for kept in ("<td>x86_64</td>", "<td>2026-09-20</td>", "<td>first 6 billion</td>", "<th>a_b</th>"):
        assert kept in html


def test_markdown_table_entries_are_marked() -> None:
    doc = new_document("test")
    row = nodes.row()
    for text in ("1,234", "Lambda"):
        entry = nodes.entry()
        entry += nodes.paragraph(text=text)
        row += entry
    doc += row
    sphinxext.mark_numeric_cells(doc)
    assert [e["classes"] for e in doc.findall(nodes.entry)] == [["mlopsbook-num"], []]
