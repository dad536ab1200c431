"""Real public posts from seven generators (see tests/fixtures/posts/README.md) import and check with no hand edit."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from mlopsbook import posts
from mlopsbook.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "posts"

# fixture post -> (slug, date, what else the notebook's frontmatter must say)
REAL_POSTS: dict[str, tuple[str, str, dict]] = {
    "jekyll/docs/_posts/2016-10-06-jekyll-3-3-is-here.md": (
        "jekyll-3-3-is-here-with-better-theme-support-new-url-filters", "2016-10-06",
        {"time": "11:10:38-07:00", "author": "parkr", "category": "release", "version": "3.3.0"}),
    "jekyll/docs/_posts/2014-09-09-jekyll-2-4-0-released.markdown": (
        "a-wild-jekyll-2-4-0-appeared", "2014-09-09", {"time": "21:10:33-07:00"}),
    "fastpages/_posts/2020-01-14-test-markdown-post.md": (
        "an-example-markdown-post", "2020-01-14", {"category": "markdown"}),
    "fastpages/_posts/2020-12-10-codespaces.md": (
        "nbdev-github-codespaces-a-new-literate-programming", "2020-12-10",
        {"author": "Hamel Husain & Jeremy Howard", "aliases": ["/codespaces"], "category": "codespaces, nbdev"}),
    "hugo-basic/content/post/rich-content.md": (
        "rich-content", "2019-03-10", {"tags": ["shortcodes", "privacy"], "author": "Hugo Authors", "excerpt": 1}),
    "hugo-basic/content/post/emoji-support.md": ("emoji-support", "2019-03-05", {"tags": ["emoji"]}),
    "hugo-basic/content/post/math-typesetting.md": ("math-typesetting", "2019-03-08", {"math": True}),
    "hugo-docs/content/en/news/lets-celebrate-hugos-5th-birthday": (
        "lets-celebrate-hugos-5th-birthday", "2018-07-04", {"category": "blog"}),
    "quarto-nbdev/nbs/blog/posts/2022-07-28-nbdev2": (
        "nbdev-quarto-a-new-secret-weapon-for-productivity", "2022-07-28",
        {"author": "Hamel Husain, Jeremy Howard", "tags": ["technical"]}),
    "quarto-nbdev/nbs/blog/posts/2022-08-25-jupyter-git": (
        "the-jupyter-git-problem-is-now-solved", "2022-08-25", {"author": "Jeremy Howard"}),
    "quarto-ibis/docs/posts/1brc": (
        "using-one-python-dataframe-api-to-take-the-billion-row", "2024-01-22",
        {"category": "blog, duckdb, polars, datafusion, portability"}),
    "quarto-ibis/docs/posts/ffill-and-bfill-using-ibis": (
        "ffill-and-bfill-using-ibis", "2022-09-09", {"title": "`ffill` and `bfill` using Ibis"}),
    "ablog/docs/manual/markdown.md": (
        "markdown-support", "2020-10-10", {"title": "Markdown Support", "category": "Manual", "location": "World"}),
    "ablog/docs/tests/blog_20201001_test_md_ablog_post.md": (
        "markdown-support-is-now-available", "2020-10-01",
        {"title": "Markdown support is now available", "tags": ["test", "blog"], "category": "Manual"}),
    "docusaurus/website/blog/2021-11-21-algolia-docsearch-migration": (
        "docsearch-migration", "2021-11-21",
        {"author": "Clément Vannicatte, Sébastien Lorber", "tags": ["search"],
         "cover": "docsearch-migration/social-card.png", "myst": {"heading_anchors": 6}}),
    "docusaurus/website/blog/2021-03-09-releasing-docusaurus-i18n.md": (
        "releasing-docusaurus-i18n", "2021-03-09",
        {"author": "Sébastien Lorber", "cover": "releasing-docusaurus-i18n/social-card.png"}),
    "zola-rust/content/4-Years-Of-Rust.md": (
        "4-years-of-rust", "2019-05-15",
        {"author": "The Rust Core Team", "aliases": ["2019/05/15/4-Years-Of-Rust", "2019/05/15/4-Years-Of-Rust.html"]}),
}
GENERATORS = {"jekyll", "fastpages", "hugo-basic", "hugo-docs", "quarto-nbdev", "quarto-ibis", "ablog", "docusaurus",
              "zola-rust"}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as exc:  # argparse
            rc = int(exc.code or 0)
    return rc, out.getvalue(), err.getvalue()


def test_at_least_ten_real_posts_from_five_generators_with_their_licence():
    readme = (FIXTURES / "README.md").read_text()
    assert len(REAL_POSTS) >= 10 and len({p.split("/")[0] for p in REAL_POSTS}) >= 5
    for fixture in REAL_POSTS:
        assert (FIXTURES / fixture).exists(), fixture
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{fixture}")), None)
        assert row is not None, f"{fixture} is not listed in tests/fixtures/posts/README.md"
        assert re.search(r"@ `[0-9a-f]{40}`", row) and re.search(r"MIT|Apache|CC BY", row), row


@pytest.mark.parametrize("fixture", list(REAL_POSTS))
def test_a_real_post_imports_and_checks_with_no_hand_edit(fixture, tmp_path):
    slug, date, expected = REAL_POSTS[fixture]
    out = tmp_path / "notebooks"
    rc, stdout, stderr = run("posts", "import", str(FIXTURES / fixture), "--out", str(out))
    assert rc == 0, stderr
    target = out / f"{slug}.md"
    assert stdout.strip() == str(target), stdout
    assert "Traceback" not in stderr and "bug of the import" not in stderr
    meta = posts.read(target).metadata
    assert meta["date"] == date and isinstance(meta["title"], str)
    for key, value in expected.items():
        assert meta.get(key) == value if key != "myst" else value.items() <= meta["myst"].items(), (key, meta.get(key))
    errors = [p for p in posts.check_post(target) if p.severity == "error"]
    assert errors == []
    rc, _, stderr = run("posts", "check", str(target))
    assert rc == 0, stderr


def test_every_local_image_of_the_real_posts_is_copied(tmp_path):
    out = tmp_path / "notebooks"
    rc, _, stderr = run("posts", "import", *(str(FIXTURES / f) for f in REAL_POSTS), "--out", str(out))
    assert rc == 0, stderr
    assert "not found" not in stderr
    copied = {p.relative_to(out).as_posix() for p in out.rglob("*.png")}
    assert {"an-example-markdown-post/logo.png",  # Liquid-wrapped: ![]({{ site.baseurl }}/images/logo.png)
            "nbdev-quarto-a-new-secret-weapon-for-productivity/card.png",  # site root /images/card.png
            "releasing-docusaurus-i18n/jest.png",  # Docusaurus static/ at the site root
            "lets-celebrate-hugos-5th-birthday/sunset-get.png",  # {{< imgproc sunset >}} in a Hugo bundle
            "lets-celebrate-hugos-5th-birthday/featured.png",  # the bundle's cover by name
            "nbdev-github-codespaces-a-new-literate-programming/codespaces.png",  # frontmatter image:
            } <= copied
    assert not list(tmp_path.glob("*.png")) and all(p.is_relative_to(out) for p in tmp_path.rglob("*.png"))


def test_a_colliding_import_leaves_the_existing_post_untouched(tmp_path):
    out = tmp_path / "notebooks"
    fixture = FIXTURES / "docusaurus/website/blog/2021-11-21-algolia-docsearch-migration"
    assert run("posts", "import", str(fixture), "--out", str(out))[0] == 0
    target = out / "docsearch-migration.md"
    target.write_text(target.read_text() + "\nThe author's edit.\n")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    rc, stdout, stderr = run("posts", "import", str(fixture), "--out", str(out))
    assert rc == 1 and stdout == ""
    assert stderr.count("\n") == 1 and str(target) in stderr and "already exists" in stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert run("posts", "import", str(fixture), "--out", str(out), "--force")[0] == 0
    assert "The author's edit." not in target.read_text()
