"""The "Adding a post" page shows what its commands print: the steps are run again on a real post and compared."""

from __future__ import annotations

import adding_a_post


def test_the_adding_a_post_page_shows_what_the_commands_print():
    outputs = adding_a_post.walk()
    assert set(outputs) == set(adding_a_post.OUTPUTS)
    for name, text in outputs.items():
        shown = (adding_a_post.PAGE_DIR / name).read_text()
        assert shown == text, f"book/adding-a-post/{name} is stale: run python tests/support/adding_a_post.py --write"


def test_the_page_includes_every_step():
    page = (adding_a_post.PAGE_DIR.parent / "adding-a-post.md").read_text()
    for name in (*adding_a_post.OUTPUTS, "03-claims.yml", "05-verdict.md", "06-toc.yml"):
        assert f"adding-a-post/{name}" in page, name
