"""Posts: import an author's post as a MyST notebook, and check posts against the frontmatter schema."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import frontmatter
import jupytext
import pytest
import yaml

from mlopsbook import posts
from mlopsbook.cli import main

CLI = [sys.executable, "-m", "mlopsbook"]


def _author_meta(path: Path) -> dict:
    return yaml.safe_load(path.read_text().split("---")[1])


def test_import_keeps_every_field_and_quotes_the_date(tmp_path, author_post):
    err = io.StringIO()
    out = posts.import_post(author_post, tmp_path, stderr=err)
    assert out == tmp_path / "engineering-culture-leadership.md"
    meta = posts.read(out).metadata
    author = _author_meta(author_post)
    author["date"] = author["date"].isoformat()  # the only change: a quoted ISO string
    assert {k: v for k, v in meta.items() if k not in posts.HEADER_FIELDS} == author
    assert type(meta["date"]) is str and "date: '2024-01-25'" in out.read_text()
    assert meta["kernelspec"]["name"] == "python3"
    assert meta["jupytext"]["text_representation"]["format_name"] == "myst"
    assert "kuberay-inference.png" in err.getvalue() and str(author_post.parent) in err.getvalue()


def test_import_cli_reports_missing_image_on_stderr(tmp_path, author_post):
    r = subprocess.run([*CLI, "posts", "import", str(author_post), "--out", str(tmp_path / "new")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "kuberay-inference.png" in r.stderr
    assert "put it at" in r.stderr and str(tmp_path / "new" / "engineering-culture-leadership") in r.stderr
    assert (tmp_path / "new" / "engineering-culture-leadership.md").is_file()


def test_imported_post_is_a_notebook_with_the_author_body(tmp_path, author_post):
    out = posts.import_post(author_post, tmp_path, stderr=io.StringIO())
    nb = jupytext.read(out)
    text = "\n".join(c.source for c in nb.cells)
    assert "# Engineering Culture & Leadership" in text
    assert "Spoiler: **it didn’t**." in text
    assert frontmatter.load(author_post).content.strip()[:80] in text


def test_import_copies_images_into_the_posts_own_folder(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "arch.png").write_bytes(b"\x89PNG fake")
    (src / "p.md").write_text('---\ntitle: "A B"\ndate: 2024-02-01\n---\n\n![x](arch.png)\n')
    err = io.StringIO()
    out = posts.import_post(src / "p.md", tmp_path / "out", stderr=err)
    assert out.name == "a-b.md" and (tmp_path / "out" / "a-b" / "arch.png").read_bytes() == b"\x89PNG fake"
    assert "![x](a-b/arch.png)" in out.read_text()
    assert err.getvalue() == ""
    assert posts.check_post(out) == []


def test_the_book_post_is_valid(root):
    assert posts.check_post(root / "notebooks" / "engineering-culture-leadership.md") == []


def _broken_copy(root: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = (root / "notebooks" / "engineering-culture-leadership.md").read_text()
    assert old in text
    p = tmp_path / "broken.md"
    p.write_text(text.replace(old, new, 1))
    companions = root / "notebooks" / "engineering-culture-leadership"
    (tmp_path / companions.name).symlink_to(companions)  # the post links its companion pages
    return p


def test_check_reports_every_problem_naming_file_and_field(root, tmp_path):
    p = _broken_copy(root, tmp_path, "date: '2024-01-25'", "date: 2024-13-45")
    p.write_text(p.read_text().replace("tags:\n- leadership\n- Staffing\n- Design Systems\n", "tags: leadership\n"))
    r = subprocess.run([*CLI, "posts", "check", str(p)], capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert any(line.startswith(f"{p}: date: ") and "2024-13-45" in line for line in lines), r.stderr
    assert any(line.startswith(f"{p}: tags: ") for line in lines), r.stderr


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("date: '2024-01-25'", "date: 2024-01-25", "date"),  # unquoted: the build cannot serialise it
        ("date: '2024-01-25'", "date: '2024-02-30'", "date"),
        ("title: Engineering Culture & Leadership\n", "", "title"),
        ("author: Oscar Armas\n", "author: ['a', 'b']\n", "author"),
        ("metric: 1st\n", "metric: 1st\nrating: 5\n", "rating"),  # a note: kept, not used
        ("metric: 1st\n", "metric: 1st\nimage: cover.png\n", "image"),  # ABlog reads image as a number
        ("- id: C2\n", "- id: C1\n", "claims[1].id"),
        ("- id: C2\n", "- id: two\n", "claims[1].id"),
        ("  refuted_if: \"Re-running", "  refuted: \"Re-running", "claims[1].refuted"),
        ("category: leadership\n", "category: ''\n", "category"),
        ("# Engineering Culture & Leadership\n", "# Engineering Culture & Leadership\n\n![a](missing.png)\n", "image"),
        ("# Engineering Culture & Leadership\n", "# Engineering Culture & Leadership\n\n::: {.callout-note}\nx\n:::\n",
         "body"),
        ("# Engineering Culture & Leadership\n", "# Engineering Culture & Leadership\n\nSee {{ site.url }}.\n", "body"),
        ("# Engineering Culture & Leadership\n", "# Engineering Culture & Leadership\n\n[old](/docs/x/)\n", "link"),
        ("# Engineering Culture & Leadership\n", "# Engineering Culture & Leadership\n\n[x](#nowhere)\n", "link"),
        ("# Engineering Culture & Leadership\n", "# Engineering Culture & Leadership\n\n```gohtmltmpl\nx\n```\n",
         "code"),
    ],
)
def test_check_names_the_field(root, tmp_path, old, new, field):
    p = _broken_copy(root, tmp_path, old, new)
    probs = posts.check_post(p)
    assert [pr.field for pr in probs if pr.field == field] == [field], probs
    assert all(str(pr).startswith(f"{p}") for pr in probs)


def test_check_cli_ok_summary(root, capsys):
    assert main(["posts", "check", str(root / "notebooks")]) == 0
    *notes, summary = capsys.readouterr().out.strip().splitlines()
    n = len(list((root / "notebooks").glob("*.md")))
    assert summary.startswith(f"{n} post(s) valid") and "claim" in summary
    # an imported post keeps its generator's display switches (fastpages' toc, badges): noted, nothing worse
    assert all(": note: kept as written" in line for line in notes), notes


def test_check_default_is_notebooks_folder(root, monkeypatch):
    monkeypatch.chdir(root)
    assert main(["posts", "check"]) == 0


def test_check_lists_unused_fields_as_notes_not_errors(tmp_path, capsys):
    p = tmp_path / "p.md"
    p.write_text("---\ntitle: T\ndate: '2024-01-01'\nlayout: post\ntoc: true\n---\n\n# T\n\nText.\n")
    assert main(["posts", "check", str(p)]) == 0
    out = capsys.readouterr().out
    assert f"{p}: layout: note: kept as written" in out and f"{p}: toc: note:" in out


def test_unreadable_yaml_is_a_problem_not_a_crash(tmp_path):
    p = tmp_path / "x.md"
    p.write_text("---\ntitle: [unclosed\n---\nbody\n")
    probs = posts.check_post(p)
    assert probs and probs[0].field == "frontmatter"


def test_post_files_take_top_level_posts_only(tmp_path):
    for name in ("a.md", "b.qmd", "c.markdown", "d.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "companion.md").write_text("x")
    assert posts.post_files([tmp_path]) == [tmp_path / n for n in ("a.md", "b.qmd", "c.markdown")]


@pytest.mark.parametrize(("title", "slug"), [
    ("Engineering Culture & Leadership", "engineering-culture-leadership"),
    ("Lambda vs. GPUs: 2024!", "lambda-vs-gpus-2024"),
    ("Ça marche déjà: œuvre naïve", "ca-marche-deja-oeuvre-naive"),
    ("Let’s celebrate Hugo’s 5th birthday", "lets-celebrate-hugos-5th-birthday"),
    ("Create A 🤗 Space From A Notebook", "create-a-space-from-a-notebook"),
    ("日本語のタイトル", ""),
    ("🎉🎉", ""),
])
def test_slugify(title, slug):
    assert posts.slugify(title) == slug


def test_slugs_are_bounded_at_a_word_boundary():
    from mlopsbook.posts.slugs import MAX_LENGTH

    s = posts.slugify("Jekyll 3.3 is here with better theme support, new URL filters, and tons more")
    assert s == "jekyll-3-3-is-here-with-better-theme-support-new-url-filters" and len(s) <= MAX_LENGTH
    assert len(posts.slugify("word " * 100)) <= MAX_LENGTH
    assert len(posts.slugify("x" * 300)) == MAX_LENGTH


def test_a_title_without_latin_letters_takes_a_stable_slug():
    from mlopsbook.posts.slugs import slug_for

    assert slug_for("日本語のタイトル", file_stem="2020-01-01-nihongo") == "nihongo"
    assert slug_for("日本語のタイトル", explicit="my-slug", file_stem="x") == "my-slug"
    assert slug_for("🎉", file_stem="日本") == slug_for("🎉", file_stem="日本")
    assert slug_for("🎉", file_stem="日本").startswith("post-")


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-01-25", ("2024-01-25", None)),
    ("2016-10-06 11:10:38 -0700", ("2016-10-06", "11:10:38-07:00")),
    ("2019-04-25 9:00:00", ("2019-04-25", "09:00:00")),
    ("2019-04-25T09:00:00Z", ("2019-04-25", "09:00:00+00:00")),
    ("2/13/2022", ("2022-02-13", None)),
    ("05/22/2021", ("2021-05-22", None)),
    ("Oct 10, 2020", ("2020-10-10", None)),
    ("October 1, 2020", ("2020-10-01", None)),
])
def test_dates_in_common_forms(value, expected):
    from mlopsbook.posts import dates

    assert dates.parse(value) == expected


@pytest.mark.parametrize("value", ["2024-02-30", "May 2020", "today", "2020", "garbage", [2020], None, "1850-01-01"])
def test_what_is_not_a_date_is_refused(value):
    from mlopsbook.posts import dates

    with pytest.raises(dates.DateError):
        dates.parse(value)


def test_dates_from_names_and_permalinks():
    from mlopsbook.posts import dates

    assert dates.from_name("2016-10-06-jekyll-3-3-is-here.md") == "2016-10-06"
    assert dates.from_name("2021-11-21-algolia-docsearch-migration") == "2021-11-21"
    assert dates.from_name("0000-00-00-welcome.md") is None
    assert dates.from_url("2019/05/15/4-Years-Of-Rust") == "2019-05-15"


def test_missing_file_is_reported(tmp_path):
    assert posts.check_post(tmp_path / "nope.md")[0].field == "file"


def test_cli_import_without_any_title_fails(tmp_path):
    p = tmp_path / "2024-01-01.md"  # nothing left of the file name once its date is taken
    p.write_text("---\ndate: 2024-01-01\n---\nbody\n")
    r = subprocess.run([*CLI, "posts", "import", str(p), "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and "title" in r.stderr and len(r.stderr.splitlines()) == 1


def test_a_post_without_a_title_is_named_after_its_file_as_jekyll_does(tmp_path):
    p = tmp_path / "2016-05-19-codeblocks-ahoy.md"
    p.write_text("---\nlayout: post\n---\n\nAn article.\n")
    err = io.StringIO()
    out = posts.import_post(p, tmp_path / "nb", stderr=err)
    assert posts.read(out).metadata["title"] == "Codeblocks Ahoy" and "from the file name" in err.getvalue()
