"""Real public posts from seven generators (see tests/fixtures/posts/README.md) import and check with no hand edit."""

from __future__ import annotations

import re

import pytest

from mlopsbook import posts

from cli_run import run
from real_posts import FIXTURES, REAL_POSTS, readme_row


def test_at_least_ten_real_posts_from_five_generators_with_their_licence():
    assert len(REAL_POSTS) >= 10 and len({p.split("/")[0] for p in REAL_POSTS}) >= 5
    for fixture in REAL_POSTS:
        assert (FIXTURES / fixture).exists(), fixture
        row = readme_row(fixture)
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
