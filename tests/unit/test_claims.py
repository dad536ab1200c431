"""Claims and verdicts: validation, display and the records the ledger is built from."""

from __future__ import annotations

import pytest

from mlopsbook import posts
from mlopsbook.publishing import post_claims
from mlopsbook.publishing.claims import VERDICT_MIME, Claim, Status, Verdict, records_from_notebook
from mlopsbook.paths import repo_root

SLUG = "engineering-culture-leadership"
POSTS = posts.toc_posts(repo_root())


def test_conditions_required_for_holds_under_conditions():
    with pytest.raises(ValueError, match="conditions"):
        Verdict("C1", Status.HOLDS_UNDER_CONDITIONS, "Cheaper.")


@pytest.mark.parametrize("status", [Status.NOT_REPRODUCIBLE_HERE, Status.NOT_REPRODUCED_YET])
def test_reason_required(status):
    with pytest.raises(ValueError, match="reason"):
        Verdict("C1", status, "Not here.")


def test_figures_must_be_plain_python():
    import numpy as np

    with pytest.raises(TypeError, match="figure 'x'"):
        Verdict("C1", Status.HOLDS, "ok", figures={"x": np.array([1.0])})
    with pytest.raises(TypeError):
        Verdict("C1", Status.HOLDS, "ok", figures={"x": True})


def test_status_from_string():
    assert Verdict("C1", "refuted", "No.").status is Status.REFUTED


def test_record_round_trip_and_mimebundle():
    c = Claim("C7", "cheap", "an always-on box is cheaper")
    v = Verdict("C7", Status.HOLDS_UNDER_CONDITIONS, "Lambda costs less.", conditions="below 41 req/s",
                figures={"break_even_rps": 41.0, "platform": "fargate"}, claim=c)
    bundle = v._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/markdown", VERDICT_MIME}
    assert Verdict.from_record(bundle[VERDICT_MIME]) == v
    md = bundle["text/markdown"]
    assert md.startswith("```{admonition} Verdict on C7: holds under conditions") and "below 41 req/s" in md
    assert "“cheap”" in md and "an always-on box is cheaper" in md


def test_records_from_notebook_in_cell_order():
    rec1 = Verdict("C1", Status.HOLDS, "a").record()
    rec2 = Verdict("C2", Status.REFUTED, "b").record()
    nb = {"cells": [{"cell_type": "code", "outputs": [{"data": {VERDICT_MIME: rec1}}]},
                    {"cell_type": "markdown"},
                    {"cell_type": "code", "outputs": [{"data": {"text/plain": "x"}}, {"data": {VERDICT_MIME: rec2}}]}]}
    assert [r["claim_id"] for r in records_from_notebook(nb)] == ["C1", "C2"]


def test_show_attaches_the_declared_claim():
    v = post_claims.show(SLUG, Verdict("C5", Status.HOLDS, "p95 far below target."))
    assert v.claim is not None and "GPU" in v.claim.says


@pytest.mark.parametrize("slug", POSTS)
def test_show_rejects_undeclared_claim(slug):
    with pytest.raises(KeyError, match="C99"):
        post_claims.show(slug, Verdict("C99", Status.HOLDS, "x"))


def test_the_first_post_declares_the_claims_the_book_reproduces():
    assert list(post_claims.declared(SLUG)) == [f"C{i}" for i in range(1, 13)]


@pytest.mark.parametrize("slug", POSTS)
def test_every_post_declares_claims_with_their_words_and_refutation(slug):
    declared = post_claims.declared(slug)
    assert all(c.says and c.refuted_if for c in declared.values())
    assert list(declared) == sorted(declared, key=lambda cid: int(cid[1:]))


def test_the_toc_lists_the_posts():
    assert SLUG in POSTS


def test_a_figure_that_is_not_finite_is_strict_json_null_and_reads_back_as_nan() -> None:
    import json
    import math

    from mlopsbook.publishing.claims import Status, Verdict

    v = Verdict(claim_id="C9", status=Status("holds"), summary="no crossing",
                figures={"crossing_rps": math.nan, "ratio": math.inf, "rps": 2.5, "unit": "req/s"})
    text = json.dumps(v.record(), allow_nan=False)  # raises on NaN/Infinity
    back = Verdict.from_record(json.loads(text))
    assert math.isnan(back.figures["crossing_rps"]) and math.isnan(back.figures["ratio"])
    assert back.figures["rps"] == 2.5 and back.figures["unit"] == "req/s"
