"""Posts in other formats: reStructuredText (Pelican, Nikola), MkDocs Material, R Markdown, pandoc footnotes, Hexo
and Octopress image tags, Pelican's notebook tag, fastpages footnotes, MDX components, metadata as header lines."""

from __future__ import annotations

import io
import re
from pathlib import Path

import nbformat
import pytest

from mlopsbook import posts
from mlopsbook.posts import rst

from real_posts import FIXTURES, TEXT_POSTS, readme_row

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005050200" "5fc8f1d20000000049454e44ae426082")


def imported(path: Path, tmp_path: Path, **kw) -> tuple[Path, str]:
    err = io.StringIO()
    target = posts.import_post(path, tmp_path / "notebooks", stderr=err, **kw)
    return target, err.getvalue()


def errors(target: Path) -> list:
    return [p for p in posts.check_post(target) if p.severity == "error"]


@pytest.mark.parametrize("fixture", list(TEXT_POSTS))
def test_a_real_post_of_another_format_imports_and_checks(fixture, tmp_path):
    slug, title, date, expected = TEXT_POSTS[fixture]
    target, _ = imported(FIXTURES / fixture, tmp_path)
    assert target.name == f"{slug}.md"
    meta = posts.read(target).metadata
    assert (meta["title"], meta["date"]) == (title, date)
    for key, value in expected.items():
        assert meta.get(key) == value, (key, meta.get(key))
    assert errors(target) == []
    body = target.read_text().split("---", 2)[2]
    assert not re.search(r"^(\.\. (title|date|tags)|Title:|Date:)", body, re.M)


def test_hexo_asset_img_becomes_the_image_of_the_post(tmp_path):
    target, _ = imported(FIXTURES / "hexo/source/_posts/2014-07-13-hexo-2-8-released.md", tmp_path)
    assert "![](hexo-2-8-released/generate-console.png)" in target.read_text()
    assert (tmp_path / "notebooks" / "hexo-2-8-released" / "generate-console.png").is_file()


def test_rst_body_keeps_the_prose_code_and_footnotes(tmp_path):
    target, err = imported(FIXTURES / "pelican/samples/content/super_article.rst", tmp_path)
    text = target.read_text()
    assert "## This is a simple title" in text and "And here comes the cool stuff." in text
    assert "```python\n>>> from ipdb import set trace" in text.replace("``` python", "```python")
    assert "ééé" in text
    target, err = imported(FIXTURES / "nikola/posts/1.rst", tmp_path)
    text = target.read_text()
    assert "- Read the manual" in text and "[Visit the Nikola website to learn more](https://getnikola.com)" in text
    assert ":doc:`Read the manual <handbook>` to another page of the old site kept as text" in err


def test_rst_admonitions_unknown_roles_and_directives_are_converted_or_warned_with_their_line(tmp_path):
    post = tmp_path / "blog" / "post.rst"
    post.parent.mkdir()
    post.write_text("A title\n=======\n\n:date: 2021-02-03\n:tags: a, b\n\n.. note:: Mind *this*.\n\n"
                    ".. admonition:: Custom\n\n   Body.\n\nSee :unknown:`x` here [#n]_.\n\n.. youtube:: abc\n\n"
                    ".. [#n] The note.\n")
    target, err = imported(post, tmp_path)
    text = target.read_text()
    assert ":::{note}\n\nMind *this*.\n:::" in text and ":::{admonition} Custom" in text
    assert "[^1]" in text and "[^1]: The note." in text
    assert "post.rst:13: body: warning: reStructuredText: role :unknown:" in err
    assert "post.rst:15: body: warning: reStructuredText: directive .. youtube::" in err
    assert errors(target) == []


def test_rst_include_cannot_read_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    post = tmp_path / "blog" / "p.rst"
    post.parent.mkdir()
    post.write_text(f"T\n=\n\n:date: 2021-02-03\n\n.. include:: {secret}\n\n.. include:: ../secret.txt\n")
    try:
        target, _ = imported(post, tmp_path)
    except posts.PostError:
        return
    assert "TOP SECRET" not in target.read_text()


def test_rst_without_pandoc_fields_is_one_line_and_no_traceback(tmp_path):
    post = tmp_path / "x.rst"
    post.write_text("No title, no date.\n")
    with pytest.raises(posts.PostError) as exc:
        imported(post, tmp_path)
    assert exc.value.problems[0].field == "date"


def test_rst_metadata_before_the_title_and_docinfo():
    meta, start = rst.read_meta(".. title: N\n.. date: 2020-01-02 10:00:00 UTC\n.. tags: x, y\n\nBody\n")
    assert meta["title"] == "N" and meta["tags"] == ["x", "y"] and start == 4


def test_mkdocs_material_admonitions_and_date_mapping(tmp_path):
    post = tmp_path / "docs" / "blog" / "posts" / "p.md"
    post.parent.mkdir(parents=True)
    post.write_text("---\ndate:\n  created: 2023-05-01\n  updated: 2023-06-01\n---\n\n# P\n\n"
                    '!!! note "Phasellus posuere"\n\n    Lorem.\n\n    ```python\n    print(1)\n    ```\n\n'
                    "??? tip\n\n    Hidden.\n\n    !!! warning\n        Nested.\n\nAfter.\n")
    target, _ = imported(post, tmp_path)
    meta = posts.read(target).metadata
    assert meta["date"] == "2023-05-01" and meta["updated"] == "2023-06-01"
    text = target.read_text()
    assert ":::{admonition} Phasellus posuere\n:class: note\n\nLorem.\n\n```python\nprint(1)\n```\n:::" in text
    assert "::::{admonition} Tip\n:class: tip dropdown" in text and ":::{warning}\nNested.\n:::\n::::" in text
    assert "!!!" not in text and "???" not in text and errors(target) == []


def test_a_blogdown_post_drops_its_setup_chunk_and_warns_its_bookdown_reference(tmp_path):
    target, err = imported(FIXTURES / "blogdown/content/post/2020-12-01-r-rmarkdown.Rmd", tmp_path)
    text = target.read_text()
    assert "opts_chunk" not in text and "summary(cars)" in text and "init.angle = -50" in text
    assert "2020-12-01-r-rmarkdown.Rmd:27: body: warning: bookdown reference \\@ref(fig:pie)" in err


def test_r_markdown_chunks(tmp_path):
    post = tmp_path / "2020-05-06-r.Rmd"
    (tmp_path / "pic.png").write_bytes(PNG)
    post.write_text('---\ntitle: "R post"\n---\n\n```{r setup, include=FALSE}\nlibrary(secret)\n```\n\n'
                    '```{r fig1, echo=FALSE, fig.cap="A cap"}\nknitr::include_graphics("pic.png")\n```\n\n'
                    "```{r}\nsummary(cars)\n```\n\nText with a note^[Inline *note*.] and `a^[x]`.\n")
    target, err = imported(post, tmp_path)
    text = target.read_text()
    assert "library(secret)" not in text and "include=FALSE dropped" in err
    assert "![A cap](r-post/pic.png)" in text and (tmp_path / "notebooks" / "r-post" / "pic.png").is_file()
    assert "summary(cars)" in text
    assert "note[^note-1]" in text and "[^note-1]: Inline *note*." in text and "`a^[x]`" in text
    assert errors(target) == []


def test_hexo_octopress_and_fastpages_tags(tmp_path):
    posts_dir = tmp_path / "source" / "_posts"
    (posts_dir / "hexo").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("title: A Hexo blog\n")  # the site root: ../images is in the blog
    (posts_dir / "hexo" / "shot.png").write_bytes(PNG)
    (tmp_path / "source" / "images").mkdir()
    (tmp_path / "source" / "images" / "o.png").write_bytes(PNG)
    post = posts_dir / "hexo.md"
    post.write_text("---\ntitle: Hexo\ndate: 2019-01-02 10:00:00\n---\n\n{% asset_img shot.png A caption %}\n\n"
                    "{% img right ../images/o.png 300 'Title text' 'alt text' %}\n\n"
                    "Claim{% fn 1 %}.\n\n{{ 'The source.' | fndetail: 1 }}\n")
    target, err = imported(post, tmp_path)
    text = target.read_text()
    assert "```{figure} hexo/shot.png\n:alt: A caption\nA caption\n```" in text
    assert "hexo/o.png" in text and "Claim[^1]." in text and "[^1]: The source." in text
    assert "{%" not in text and errors(target) == []


def test_pelican_notebook_tag_inlines_the_notebook_as_static_code(tmp_path):
    target, err = imported(FIXTURES / "pelican-jupyter/liquid/content/liquid-tag.md", tmp_path)
    text = target.read_text()
    included = nbformat.read(FIXTURES / "pelican-jupyter/liquid/content/liquid-tag.ipynb", as_version=4)
    for cell in included.cells:
        if cell.cell_type == "code" and cell.source.strip():
            assert cell.source.strip() in text
    assert "{% notebook" not in text and "{code-cell}" not in text
    assert sorted(p.suffix for p in (tmp_path / "notebooks" / "with-liquid-tag").iterdir()) == [".png", ".png"]
    assert "inlined (20 cells)" in err and errors(target) == []


def test_mdx_components_are_warned_with_their_line(tmp_path):
    post = tmp_path / "2021-01-01-x.mdx"
    post.write_text("---\ntitle: X\n---\n\nimport Tabs from '@theme/Tabs';\n\nText.\n\n<Tabs>\n  <TabItem value=\"a\">"
                    "A</TabItem>\n</Tabs>\n")
    _, err = imported(post, tmp_path)
    assert "2021-01-01-x.mdx:9: body: warning: MDX component <Tabs>" in err
    assert "2021-01-01-x.mdx:11: body: warning: MDX component <Tabs>" in err


def test_pelican_and_nikola_header_lines_in_markdown(tmp_path):
    pel = tmp_path / "a.md"
    pel.write_text("Title: My: post\nDate: 2010-12-03 10:20\nTags: x, y\nStatus: draft\n\nBody.\n")
    target, _ = imported(pel, tmp_path)
    meta = posts.read(target).metadata
    assert meta["title"] == "My: post" and meta["date"] == "2010-12-03" and meta["tags"] == ["x", "y"]
    assert meta["draft"] is True and "Title:" not in target.read_text()
    nik = tmp_path / "b.md"
    nik.write_text("<!--\n.. title: Nik\n.. slug: nik-slug\n.. date: 2016-05-01 10:00:00 UTC+02:00\n-->\n\nBody.\n")
    target, _ = imported(nik, tmp_path)
    meta = posts.read(target).metadata
    assert target.name == "nik-slug.md" and meta["time"] == "10:00:00+02:00" and ".. title" not in target.read_text()


def test_eleventy_newstitle(tmp_path):
    post = tmp_path / "n.md"
    post.write_text("---\nnewstitle: News\nnewsdate: 2021-04-05\n---\n\nBody.\n")
    target, _ = imported(post, tmp_path)
    meta = posts.read(target).metadata
    assert (meta["title"], meta["date"]) == ("News", "2021-04-05")


def test_the_fixture_readme_names_every_fixture_of_another_format_with_its_licence():
    for fixture in TEXT_POSTS:
        row = readme_row(fixture)
        assert row is not None, fixture
        assert re.search(r"@ `[0-9a-f]{40}`", row) and re.search(r"MIT|Apache|BSD|AGPL|GPL|CC BY", row), row
