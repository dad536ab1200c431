"""Broken and hostile posts: one line and exit status 1 or 2, never a traceback, never a write outside notebooks/."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlopsbook import posts
from mlopsbook.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
LINE = re.compile(r"^\S.*?: [\w.\[\]-]+: ")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as exc:  # argparse's own errors
            rc = int(exc.code or 0)
    return rc, out.getvalue(), err.getvalue()


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def imported(tmp: Path, src: Path, *extra: str) -> tuple[int, str, str]:
    return run("posts", "import", str(src), "--out", str(tmp / "notebooks"), *extra)


# -- what used to crash ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("content", "message"), [
    (PNG, "not a text file"),
    (b"---\ntitle: \xff\xfe\x00\x01\n---\n", "not a text file"),
    (b"---\ntitle: x\x07\n---\n", "not a text file"),
])
def test_binary_input_is_one_line_exit_1(tmp_path, content, message):
    rc, out, err = imported(tmp_path, write(tmp_path / "p.md", content))
    assert rc == 1 and out == "" and err.count("\n") == 1 and message in err
    assert not (tmp_path / "notebooks").exists() or not any((tmp_path / "notebooks").iterdir())


def test_latin1_text_is_read_and_written_as_utf8(tmp_path):
    src = write(tmp_path / "p.md", "---\ntitle: Café déjà vu\ndate: 2020-01-02\n---\n\nÇa va.\n".encode("latin-1"))
    rc, out, err = imported(tmp_path, src)
    assert rc == 0 and "Windows-1252" in err
    text = (tmp_path / "notebooks" / "cafe-deja-vu.md").read_text(encoding="utf-8")
    assert "Café déjà vu" in text and "Ça va." in text


@pytest.mark.parametrize(("title", "stem", "slug"), [
    ("🎉🚀✨", "2020-01-02-party", "party"),
    ("日本語のタイトル", "nihongo", "nihongo"),
    ("!!! ??? ...", "punct", "punct"),
])
def test_titles_without_latin_letters_take_the_file_name(tmp_path, title, stem, slug):
    src = write(tmp_path / f"{stem}.md", f"---\ntitle: '{title}'\ndate: 2020-01-02\n---\n\nText.\n")
    rc, _, err = imported(tmp_path, src)
    assert rc == 0, err
    nb = tmp_path / "notebooks" / f"{slug}.md"
    assert posts.read(nb).metadata["title"] == title and posts.check_post(nb) == []


def test_a_300_character_title_gets_a_bounded_slug(tmp_path):
    title = "A very long title " * 17
    src = write(tmp_path / "long.md", f"---\ntitle: {title}\ndate: 2020-01-02\n---\n\nText.\n")
    rc, out, err = imported(tmp_path, src)
    assert rc == 0, err
    assert len(Path(out.strip()).stem) <= 60


def test_a_folder_is_a_bundle_or_a_folder_of_posts(tmp_path):
    write(tmp_path / "blog" / "_posts" / "2020-01-02-one.md", "---\ntitle: One\n---\n\nText.\n")
    write(tmp_path / "blog" / "_posts" / "2020-01-03-two.markdown", "---\ntitle: Two\n---\n\nText.\n")
    write(tmp_path / "blog" / "bundle" / "index.md", "---\ntitle: Three\ndate: 2020-01-04\n---\n\n![](a.png)\n")
    write(tmp_path / "blog" / "bundle" / "a.png", PNG)
    write(tmp_path / "blog" / "_index.md", "---\ntitle: section page\n---\n")
    rc, out, err = imported(tmp_path, tmp_path / "blog")
    assert rc == 0, err
    assert sorted(Path(p).name for p in out.split()) == ["one.md", "three.md", "two.md"]
    assert (tmp_path / "notebooks" / "three" / "a.png").read_bytes() == PNG
    (tmp_path / "empty").mkdir()
    rc, out, err = imported(tmp_path, tmp_path / "empty")
    assert rc == 1 and err.count("\n") == 1 and "no posts found" in err


def test_two_posts_using_the_same_image_name_keep_their_own(tmp_path):
    for name, data in (("a", b"\x89PNG one"), ("b", b"\x89PNG two")):
        write(tmp_path / name / "images" / "cover.png", data)
        write(tmp_path / name / "post.md", f"---\ntitle: Post {name}\ndate: 2020-01-02\nimage: images/cover.png\n---\n"
                                            "\n![cover](images/cover.png)\n")
        assert imported(tmp_path, tmp_path / name / "post.md")[0] == 0
    nb = tmp_path / "notebooks"
    assert (nb / "post-a" / "cover.png").read_bytes() == b"\x89PNG one"
    assert (nb / "post-b" / "cover.png").read_bytes() == b"\x89PNG two"
    assert posts.read(nb / "post-b.md").metadata["cover"] == "post-b/cover.png"


def test_nothing_is_written_outside_notebooks(tmp_path):
    write(tmp_path / "outside" / "a.png", PNG)
    write(tmp_path / "outside" / "sub" / "a.png", b"\x89PNG other")
    src = write(tmp_path / "blog" / "p.md", "---\ntitle: P\ndate: 2020-01-02\n---\n\n![x](../outside/a.png)\n\n"
                                             "![y](../outside/sub/a.png)\n\n![z](../../../../../etc/no-such-file)\n")
    before = {p for p in tmp_path.rglob("*")}
    rc, _, err = imported(tmp_path, src, "--site-root", str(tmp_path))  # the blog: outside/ is in it
    assert rc == 0, err
    written = {p for p in tmp_path.rglob("*")} - before
    assert written and all(p.is_relative_to(tmp_path / "notebooks") for p in written), written
    text = (tmp_path / "notebooks" / "p.md").read_text()
    assert "](p/a.png)" in text and "](p/a-2.png)" in text
    assert "no-such-file not found" in err and not (tmp_path / "notebooks" / "p" / "no-such-file").exists()


def test_import_writes_into_the_books_notebooks_wherever_it_runs(tmp_path):
    book = tmp_path / "book"
    (book / "notebooks").mkdir(parents=True)
    (book / "_config.yml").write_text("title: t\n")
    (book / "data").symlink_to(Path(__file__).resolve().parents[2] / "data")  # the CLI's cost models read it
    src = write(tmp_path / "elsewhere" / "p.md", "---\ntitle: P\ndate: 2020-01-02\n---\n\nText.\n")
    env = {**os.environ, "MLOPSBOOK_ROOT": str(book)}
    r = subprocess.run([sys.executable, "-m", "mlopsbook", "posts", "import", str(src)], cwd=tmp_path / "elsewhere",
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert (book / "notebooks" / "p.md").is_file() and not (tmp_path / "elsewhere" / "notebooks").exists()


# -- dates ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "date", "time"), [
    ("2016-10-06 11:10:38 -0700", "2016-10-06", "11:10:38-07:00"),
    ("2019-04-25 9:00:00", "2019-04-25", "09:00:00"),
    ("'02/13/2022'", "2022-02-13", None),
    ("Oct 10, 2020", "2020-10-10", None),
])
def test_dates_become_quoted_iso_with_the_time_apart(tmp_path, written, date, time):
    rc, _, err = imported(tmp_path, write(tmp_path / "p.md", f"---\ntitle: P\ndate: {written}\n---\n\nText.\n"))
    assert rc == 0, err
    nb = tmp_path / "notebooks" / "p.md"
    meta = posts.read(nb).metadata
    assert (meta["date"], meta.get("time")) == (date, time)
    assert f"date: '{date}'" in nb.read_text() and posts.check_post(nb) == []


def test_check_explains_a_datetime_instead_of_calling_it_impossible(tmp_path):
    p = write(tmp_path / "p.md", "---\ntitle: P\ndate: 2019-04-25 9:00:00\n---\n\n# P\n")
    (problem,) = [pr for pr in posts.check_post(p) if pr.field == "date"]
    assert "not a real calendar date" not in problem.message and '"2019-04-25"' in problem.message
    assert 'time: "09:00:00"' in problem.message


def test_no_date_anywhere_is_one_line_naming_the_file_and_date_flag(tmp_path):
    src = write(tmp_path / "post.md", "---\ntitle: P\n---\n\nText.\n")
    rc, out, err = imported(tmp_path, src)
    assert rc == 1 and err.count("\n") == 1 and str(src) in err and "--date" in err
    rc, out, err = imported(tmp_path, src, "--date", "2021-03-04")
    assert rc == 0 and posts.read(Path(out.strip())).metadata["date"] == "2021-03-04"


# -- titles and bodies ---------------------------------------------------------------------------------------------
def test_a_comment_in_a_code_fence_is_not_the_title(tmp_path):
    body = "```bash\n# install it\npip install x\n```\n\n# The Real Title\n\nText.\n"
    src = write(tmp_path / "2020-01-02-p.md", body)
    rc, out, err = imported(tmp_path, src)
    assert rc == 0, err
    nb = Path(out.strip())
    assert nb.name == "the-real-title.md"
    text = nb.read_text()
    assert text.count("The Real Title") == 2  # the frontmatter and the one heading
    assert "# install it" in text


def test_images_in_every_form_are_found_and_copied(tmp_path):
    site = tmp_path / "site"
    write(site / "_config.yml", "url: https://example.org\n")
    for name in ("raw.png", "liquid.png", "root.png", "cover.png", "inline.png"):
        write(site / "images" / name, PNG + name.encode())
    body = ('<p align="center"><img src="/images/raw.png" width="300" alt="Raw"></p>\n\n'
            '![liquid]({{ site.baseurl }}/images/liquid.png)\n\n'
            '![root](/images/root.png)\n\n'
            'An inline <img src="{{ "/images/inline.png" | relative_url }}" alt="i"> image.\n\n'
            '![gone](images/missing.png)\n')
    src = write(site / "_posts" / "2020-01-02-imgs.md", f"---\ntitle: Imgs\nimage: /images/cover.png\n---\n\n{body}")
    rc, _, err = imported(tmp_path, src)
    assert rc == 0, err
    nb = tmp_path / "notebooks"
    assert sorted(p.name for p in (nb / "imgs").iterdir()) == ["cover.png", "inline.png", "liquid.png", "raw.png",
                                                               "root.png"]
    assert err.count("missing.png not found") == 1 and "put it at" in err
    text = (nb / "imgs.md").read_text()
    assert ":::{image} imgs/raw.png" in text or "```{image} imgs/raw.png" in text
    assert [p.field for p in posts.check_post(nb / "imgs.md")] == ["image"]  # only the missing one


def test_site_root_flag_resolves_site_root_images(tmp_path):
    write(tmp_path / "static" / "img" / "x.png", PNG)
    src = write(tmp_path / "posts" / "p.md", "---\ntitle: P\ndate: 2020-01-02\n---\n\n![x](/img/x.png)\n")
    rc, _, err = imported(tmp_path, src, "--site-root", str(tmp_path / "static"))
    assert rc == 0 and "not found" not in err
    assert (tmp_path / "notebooks" / "p" / "x.png").is_file()


def test_generator_syntax_becomes_myst_that_checks(tmp_path):
    body = """
::: {.callout-tip}
## Tip with a title

A Quarto callout.
:::

:::warning[Careful]
A Docusaurus admonition.
:::

{% include alert.html text="A fastpages alert." %}

{{< youtube dQw4w9WgXcQ >}}

{% highlight ruby %}
puts 1
{% endhighlight %}

```{.python}
print(1)
```

Inline math $x^2$ and {{ page.title }} and {{ unknown.thing }} and {{< lipsum 1 >}}.

[relative](../other-post/) and [root](/about/) and [anchor](#tip-with-a-title) and [here](#nowhere).
"""
    src = write(tmp_path / "p.md", f"---\ntitle: Syntax\ndate: 2020-01-02\n---\n{body}")
    rc, _, err = imported(tmp_path, src)
    assert rc == 0, err
    nb = tmp_path / "notebooks" / "syntax.md"
    text = nb.read_text()
    assert ":::{admonition} Tip with a title\n:class: tip" in text
    assert ":::{admonition} Careful\n:class: warning" in text
    assert "```{warning}\nA fastpages alert.\n```" in text
    assert "[YouTube video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)" in text
    assert "```ruby\nputs 1\n```" in text and "```python\nprint(1)\n```" in text
    assert "and Syntax and \\{\\{ unknown.thing }}" in text
    assert "dollarmath" in posts.read(nb).metadata["myst"]["enable_extensions"]
    for line in ("unknown.thing", "lipsum", "../other-post/", "/about/", "#nowhere"):
        assert line in err, line
    assert all(LINE.match(line) for line in err.splitlines()), err
    assert posts.check_post(nb) == []


def test_kept_ablog_reserved_fields_do_not_break_the_notebook(tmp_path):
    src = write(tmp_path / "p.md", "---\ntitle: P\ndate: 2020-01-02\nexcerpt: Jekyll's excerpt text\n"
                                   "description: The summary\nimage: 3\n---\n\nText.\n")
    rc, _, err = imported(tmp_path, src)
    assert rc == 0, err
    meta = posts.read(tmp_path / "notebooks" / "p.md").metadata
    assert meta["description"] == "The summary" and meta["excerpt_as_written"] == "Jekyll's excerpt text"
    assert "excerpt" not in meta and meta["image"] == 3  # ABlog's own image field, a number, stays
    problems = posts.check_post(tmp_path / "notebooks" / "p.md")
    assert [(p.field, p.severity) for p in problems] == [("excerpt_as_written", "note")]


@pytest.mark.parametrize(("name", "text"), [
    ("toml.md", "+++\ntitle = \"T\"\ndate = 2019-03-10T10:00:00+01:00\ntags = [\"a\", \"b\"]\n+++\n\nText.\n"),
    ("json.md", '{\n"title": "T",\n"date": "2019-03-10",\n"tags": ["a", "b"]\n}\n\nText.\n'),
    ("bom.md", "\ufeff---\r\ntitle: T\r\ndate: 2019-03-10\r\ntags: [a, b]\r\n---\r\n\r\nText.\r\n"),
])
def test_toml_json_bom_crlf(tmp_path, name, text):
    rc, out, err = imported(tmp_path, write(tmp_path / name, text))
    assert rc == 0, err
    meta = posts.read(Path(out.strip())).metadata
    assert (meta["title"], meta["date"], meta["tags"]) == ("T", "2019-03-10", ["a", "b"])
    assert "\r" not in Path(out.strip()).read_text()


def test_command_line_errors_exit_2_with_one_line(tmp_path):
    for argv in (["posts", "import", str(tmp_path / "nope.md")],
                 ["posts", "import", str(tmp_path), "--date", "2020-13-01"],
                 ["posts", "import", str(tmp_path), "--site-url", "example.org"]):
        rc, out, err = run(*argv, "--out", str(tmp_path / "nb"))
        assert rc == 2 and err.count("\n") == 1, (argv, err)


# -- property: random bytes and random frontmatter ------------------------------------------------------------------
SNIPPETS = ["# Title", "## Section", "```python\n# not a title\n```", "{% include alert.html text='x' %}",
            "{{ site.url }}", "{{< figure src=\"a.png\" >}}", "{{< x >}}\nin\n{{< /x >}}", "::: {.callout-note}",
            ":::", "<img src='/a.png'>", "![a](../../a.png)", "[l](/x/)", "$x$", "---", "<!--more-->",
            "{% raw %}{{ x }}{% endraw %}", "| a | b |\n|---|---|\n| 1 | 2 |", "[^1]: note", "> quote", "    code",
            ":::tip[T]\ntext\n:::", "```{python}\n1\n```", "<iframe src='https://x.org/v'></iframe>", "\\", "`", "[",
            "{", "}}", "<!--", "```", "$$\nx\n$$"]
KEYS = ["title", "date", "tags", "categories", "category", "author", "authors", "description", "summary", "excerpt",
        "image", "slug", "permalink", "aliases", "draft", "claims", "context", "metric", "myst", "html_meta", "time",
        "cover", "jupytext", "kernelspec", "published", "subtitle", "url", "path", "layout", "x"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=30), st.dates(), st.datetimes(timezones=st.just(dt.timezone.utc)),
                    st.sampled_from(["2020-02-30", "2019-04-25 9:00:00", "today", "../x.png", "/images/a.png",
                                     "日本"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)
metas = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), values, max_size=8)
bodies = st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=40)), max_size=12).map("\n\n".join)


def _fm(meta: dict, style: str) -> str:
    if style == "yaml":
        return "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n"
    return json.dumps(meta, default=str, indent=1) + "\n"


def _assert_one_line_or_success(rc: int, out: str, err: str, out_dir: Path) -> None:
    assert "Traceback" not in err and "bug of the import" not in err, err
    assert rc in (0, 1, 2), (rc, err)
    if rc != 0:
        assert err.count("\n") == 1 and LINE.match(err), err
        return
    for nb in out.split():
        problems = [p for p in posts.check_post(Path(nb)) if p.severity == "error"]
        assert all("not found" in p.message for p in problems), problems  # only the images that were missing
    for p in out_dir.parent.rglob("*"):
        assert p.is_relative_to(out_dir) or p.name.startswith("post") or p == out_dir.parent / "src", p


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash(data):
    with tempfile.TemporaryDirectory() as tmp:
        src = write(Path(tmp) / "src" / "post.md", data)
        rc, out, err = run("posts", "import", str(src), "--out", str(Path(tmp) / "notebooks"))
        _assert_one_line_or_success(rc, out, err, Path(tmp) / "notebooks")
        rc, out, err = run("posts", "check", str(src))
        assert rc in (0, 1) and "Traceback" not in err and "please report" not in err
        assert all(LINE.match(line) or "problem(s)" in line for line in err.splitlines()), err


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meta=metas, body=bodies, style=st.sampled_from(["yaml", "json"]))
def test_random_frontmatter_and_body_never_crash(meta, body, style):
    try:
        fm = _fm(meta, style)
    except (ValueError, yaml.YAMLError):
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = write(Path(tmp) / "src" / "post.md", fm + "\n" + body)
        rc, out, err = run("posts", "import", str(src), "--out", str(Path(tmp) / "notebooks"))
        _assert_one_line_or_success(rc, out, err, Path(tmp) / "notebooks")
        rc, out, err = run("posts", "check", str(src))
        assert rc in (0, 1) and "Traceback" not in err and "please report" not in err
