"""The post page's reading aids: verdict cards that keep the argument one click away, the claims at a glance, alt
text for images that have none (mlopsbook.publishing.sphinx_reading)."""

from __future__ import annotations

from docutils import nodes

from mlopsbook.publishing import sphinx_reading as sr
from mlopsbook.publishing.claims import Claim, Status, Verdict


def _verdict() -> Verdict:
    return Verdict("C7", Status.HOLDS_UNDER_CONDITIONS,
                   "Lambda costs least up to 36 req/s (Ray 2.60.0, prices of 2026-09-20). Above that SageMaker "
                   "Serverless is cheaper.",
                   conditions="office-hours traffic", claim=Claim("C7", "we shipped fast, cheap inference",
                                                                  "another platform costs less", "costs"))


def test_the_card_shows_the_verdict_and_its_first_sentence_and_keeps_the_rest_in_a_dropdown():
    md = sr.card_markdown(_verdict())
    head, _, dropdown = md.partition("```{dropdown}")
    assert head.startswith("````{admonition} Verdict on C7: holds under conditions")
    assert "Lambda costs least up to 36 req/s (Ray 2.60.0, prices of 2026-09-20)." in head
    assert "Above that" not in head and "Above that SageMaker Serverless is cheaper." in dropdown
    for part in ("**The post says:** “we shipped fast, cheap inference”", "**Would be refuted if:**",
                 "**Holds when:** office-hours traffic"):
        assert part in dropdown
    assert md.rstrip().endswith("````")


def test_lead_sentence_does_not_split_numbers_or_abbreviations():
    assert sr.lead_sentence("Ray 2.60.0 ran (Sackett et al.) fine. Then more.") == (
        "Ray 2.60.0 ran (Sackett et al.) fine.", "Then more.")
    assert sr.lead_sentence("One sentence only.") == ("One sentence only.", "")


def test_glance_table_links_each_verdict_on_the_page_and_says_when_one_is_missing():
    claims = [{"id": "C1", "says": "one two three four five six seven eight nine ten eleven twelve"},
              {"id": "C2", "says": "short"}]
    table = sr.glance_table(claims, {"C1": {"status": "holds"}}, lambda c: f"verdict-{c.lower()}")
    text = table.astext()
    assert "holds" in text and "no verdict computed" in text and "…" in text and "eleven" not in text
    refs = [r["refuri"] for r in table.findall(nodes.reference)]
    assert refs == ["#verdict-c1"]


def test_an_image_without_alt_takes_its_figure_caption_or_the_paragraph_before_its_cell():
    doc = nodes.section()
    doc += nodes.paragraph(text="The cost of each platform as traffic grows. More detail here.")
    cell = nodes.container(classes=["cell"])
    cell += nodes.image(uri="a.png")
    doc += cell
    fig = nodes.figure()
    fig += nodes.image(uri="b.png")
    fig += nodes.caption(text="Redrawn diagram of the setup.")
    doc += fig
    sr.fill_alt(doc)
    alts = [i["alt"] for i in doc.findall(nodes.image)]
    assert alts == ["The cost of each platform as traffic grows.", "Redrawn diagram of the setup."]
