"""A post that checks builds: a book of every real fixture post and two posts that both declare a claim C1.

One book is built (with the project's `make book`: posts checked, then a strict Jupyter Book build) and then read:
every post in the listing, the Atom feed and its tag and category pages; the ledger keyed by (post, claim); the
status page listing every executed post.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import tinybook
from real_posts import FIXTURES, REAL_POSTS, run

from mlopsbook import posts

BOOK_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "book"
PAGES = {
    "book/claims": "# The claims ledger\n\n```{claims-ledger}\n```\n",
    "book/status": "# Build status\n\n```{execution-table}\n```\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("many-posts")
    own = {p.stem: p.read_text() for p in sorted(BOOK_FIXTURES.glob("*.md"))}
    book = tinybook.make(tmp, own, pages=PAGES)
    rc, out, err = run("posts", "import", *(str(FIXTURES / f) for f in REAL_POSTS), "--out", str(book / "notebooks"))
    assert rc == 0, err
    slugs = [*own, *(Path(line).stem for line in out.split())]
    tinybook.write_toc(book, slugs, list(PAGES))
    result = tinybook.build(book)
    return book, slugs, result


def _html(book: Path, page: str) -> str:
    return (book / "_build" / "html" / page).read_text(encoding="utf-8")


def _titles(book: Path, slugs: list[str]) -> dict[str, str]:
    return {s: posts.read(book / "notebooks" / f"{s}.md").metadata["title"] for s in slugs}


def test_the_book_of_every_fixture_post_builds(built):
    book, slugs, r = built
    assert r.returncode == 0, tinybook.tail(r)
    assert len(slugs) == len(REAL_POSTS) + 2
    for slug in slugs:
        assert (book / "_build" / "html" / "notebooks" / f"{slug}.html").is_file(), slug


def test_every_post_is_in_the_listing_and_the_feed(built):
    book, slugs, r = built
    listing = _html(book, "book/intro.html")
    feed = html.unescape(_html(book, "blog/atom.xml"))
    for slug, title in _titles(book, slugs).items():
        assert html.escape(title, quote=False) in listing, title
        assert f"<title>{title}</title>" in feed or f"<title>{html.escape(title, quote=False)}</title>" in feed, title


def test_every_post_is_on_its_tag_and_category_pages(built):
    from ablog.blog import slugify

    book, slugs, r = built
    tagged = categorised = 0
    for slug in slugs:
        meta = posts.read(book / "notebooks" / f"{slug}.md").metadata
        link = f"notebooks/{slug}.html"
        for tag in meta.get("tags") or []:
            assert link in _html(book, f"blog/tag/{slugify(tag)}.html"), (slug, tag)
            tagged += 1
        for cat in [c.strip() for c in str(meta.get("category") or "").split(",") if c.strip()]:
            assert link in _html(book, f"blog/category/{slugify(cat)}.html"), (slug, cat)
            categorised += 1
    assert tagged >= 3 and categorised >= 3


def test_two_posts_with_their_own_c1_do_not_collide(built):
    book, slugs, r = built
    ledger = _html(book, "book/claims.html")
    links = re.findall(r'href="([^"]+#verdict-[^"]+)"', ledger)
    assert "../notebooks/first-post.html#verdict-first-post-c1" in links
    assert "../notebooks/second-post.html#verdict-second-post-c1" in links
    assert ledger.count("<strong>C1</strong>") == 2 and "2 claims in 2 posts: 2 holds." in ledger
    assert "Two and two make four." in ledger and "Three times three make nine." in ledger
    assert 'id="verdict-first-post-c1"' in _html(book, "notebooks/first-post.html")
    assert 'id="verdict-second-post-c1"' in _html(book, "notebooks/second-post.html")


def test_a_post_without_a_metric_has_no_badge(built):
    book, slugs, r = built
    assert "mlopsbook-badge" not in _html(book, "notebooks/second-post.html")
    assert re.search(r'mlopsbook-badge"><strong>1</strong> · claim', _html(book, "notebooks/first-post.html"))


def test_the_status_page_lists_every_executed_post(built):
    book, slugs, r = built
    status = _html(book, "book/status.html")
    for slug in ("first-post", "second-post"):
        assert f"notebooks/{slug}" in status, slug
