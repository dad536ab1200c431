"""The real public posts of ``tests/fixtures/posts/`` (see its README) and what each must import as (Markdown, other
text formats, notebooks). For the tests that import them (unit) and build them (integration)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "posts"


def readme_row(fixture: str) -> str | None:
    """The row of ``tests/fixtures/posts/README.md`` that lists ``fixture`` (its source, commit and licence), if any."""
    rows = (FIXTURES / "README.md").read_text().splitlines()
    return next((line for line in rows if line.startswith(f"| `{fixture}")), None)

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

# fixture -> (slug, title, date, other fields)
TEXT_POSTS = {
    "pelican/samples/content/super_article.rst": (
        "this-is-a-super-article", "This is a super article !", "2010-10-10",
        {"time": "10:14:00", "tags": ["foo", "bar", "foobar"], "category": "yeah"}),
    "pelican/samples/content/unbelievable.rst": ("unbelievable", "Unbelievable !", "2010-10-15", {"time": "20:30:00"}),
    "nikola/posts/1.rst": (
        "welcome-to-nikola", "Welcome to Nikola", "2012-03-30",
        {"time": "23:00:00-03:00", "author": "Roberto Alsina", "category": "nikola",
         "external_link": "https://getnikola.com/"}),
    "pelican-jupyter/liquid/content/liquid-tag.md": (
        "with-liquid-tag", "With Liquid Tag", "2100-12-31", {"author": "Daniel Rodriguez", "tags": ["Test"]}),
    "mkdocs-material/docs/blog/posts/git-sparse-checkout.md": (
        "using-git-sparse-checkout-for-faster-documentation-builds",
        "Using `git sparse-checkout` for faster documentation builds", "2023-09-22",
        {"author": "squidfunk", "category": "Build, Performance"}),
    "hexo/source/_posts/2014-07-13-hexo-2-8-released.md": ("hexo-2-8-released", "Hexo 2.8 Released", "2014-07-13", {}),
    "blogdown/content/post/2020-12-01-r-rmarkdown.Rmd": (
        "hello-r-markdown", "Hello R Markdown", "2020-12-01",
        {"time": "21:13:14-05:00", "author": "Frida Gomam", "category": "R", "tags": ["R Markdown", "plot", "regression"]}),
}

# fixture notebook -> (slug, title, date, what else the frontmatter must say), each title and date as its author wrote
NOTEBOOK_POSTS: dict[str, tuple[str, str, str, dict]] = {
    "fastpages/_notebooks/2020-11-17-linkcheck.ipynb": (
        "introducing-fastlinkcheck", "Introducing fastlinkcheck", "2020-11-17",
        {"author": "Jeremy Howard and Hamel Husain", "category": "nbdev, fastlinkcheck",
         "cover": "introducing-fastlinkcheck/fastlinkcheck.png"}),
    "pelican-jupyter/markup-nbdata/content/nbdata-file.ipynb": (
        "nbdata-file", "Using .nbdata File", "2100-12-31", {"author": "Daniel Rodriguez", "tags": ["Test"]}),
    "pelican-jupyter/markup-incell/content/md-info-in-cell.ipynb": (
        "md-info-in-cell", "Notebook with MD info in the first cell", "2100-12-31", {"author": "Daniel Rodriguez"}),
    "nikola/posts/f-ipynb-1-compiler.ipynb": (
        "s-ipynb-1-compiler", "T: Jupyter Notebook, 1, compiler", "2017-07-01",
        {"tags": ["meta", "Jupyter Notebook", "onefile", "compiler"], "time": "00:00:00+00:00"}),
    "ipython/examples/IPython Kernel/Trapezoid Rule.ipynb": (
        "basic-numerical-integration-the-trapezoid-rule", "Basic Numerical Integration: the Trapezoid Rule",
        "2015-02-27", {}),
    "irkernel/example-notebooks/Demo.ipynb": ("demo", "Demo", "2015-02-27", {}),
    "fastpages-pgg1610/_notebooks/2019-10-04-Lambda_Map.ipynb": (
        "lambda-filter-and-map-functions-in-python", "Lambda, Filter, and Map functions in Python", "2019-10-04",
        {"author": "Pushkar G. Ghanekar", "category": "python"}),
}


