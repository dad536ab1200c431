"""Notebook posts (.ipynb): real ones from five conventions import with no hand edit, every code cell kept, each
convention's metadata and hide flags read, the author's outputs kept as the published record."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

from mlopsbook import posts
from cli_run import run
from mlopsbook.posts import notebooks

from real_posts import FIXTURES, NOTEBOOK_POSTS, readme_row

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")



def code_sources(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source.strip() for c in nb.cells if c.cell_type == "code"]


def write_nb(path: Path, cells: list, metadata: dict | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata = metadata or {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("fixture", list(NOTEBOOK_POSTS))
def test_a_real_notebook_post_imports_with_every_code_cell_and_checks(fixture, tmp_path):
    slug, title, date, expected = NOTEBOOK_POSTS[fixture]
    out = tmp_path / "notebooks"
    rc, stdout, stderr = run("posts", "import", str(FIXTURES / fixture), "--out", str(out), "--date", "2015-02-27")
    assert rc == 0, stderr
    assert "Traceback" not in stderr and "bug of the import" not in stderr
    target = out / f"{slug}.md"
    assert stdout.strip() == str(target)
    meta = posts.read(target).metadata
    assert (meta["title"], meta["date"]) == (title, date)
    for key, value in expected.items():
        assert meta.get(key) == value, (key, meta.get(key))
    source = nbformat.read(FIXTURES / fixture, as_version=4)
    imported = jupytext.read(target)
    if notebooks.language(source) == "python":
        assert code_sources(imported) == code_sources(source)
    else:  # shown as static code, in order
        text = target.read_text()
        positions = [text.find(code) for code in code_sources(source) if code]
        assert -1 not in positions and positions == sorted(positions)
    assert not re.search(r"^(- toc:|Title:|- Title:|\.\. title:)", target.read_text(), re.M)
    assert [p for p in posts.check_post(target) if p.severity == "error"] == []
    assert run("posts", "check", str(target))[0] == 0


def test_the_fixture_readme_names_every_notebook_fixture_with_its_licence():
    for fixture in NOTEBOOK_POSTS:
        row = readme_row(fixture)
        assert row is not None, fixture
        assert re.search(r"@ `[0-9a-f]{40}`", row) and re.search(r"MIT|Apache|BSD|AGPL", row), row


def test_hide_conventions_become_myst_tags(tmp_path):
    cells = [nbformat.v4.new_markdown_cell("# Flags\n\nText.")]
    flags = {"#hide\nx = 1": ["remove-cell"], "#hide_input\nprint(1)": ["remove-input"],
             "#hide_output\nprint(2)": ["remove-output"], "#collapse-hide\nimport os": ["hide-input"],
             "#collapse-output\nprint(3)": ["hide-output"], "#| echo: false\nprint(4)": ["remove-input"],
             "#| include: false\ny = 2": ["remove-cell"], "#| output: false\nprint(5)": ["remove-output"],
             "#| eval: false\nraise SystemExit": ["skip-execution"], "#| code-fold: true\nz = 3": ["hide-input"],
             "#| hide\nw = 4": ["remove-cell"], "#collapse-show\nv = 5": [],
             "!pip install altair": ["skip-execution"], "#hide\n%pip install -q x": ["remove-cell", "skip-execution"]}
    cells += [nbformat.v4.new_code_cell(src) for src in flags]
    cells.append(nbformat.v4.new_code_cell("u = 6", metadata={"tags": ["remove-input"],
                                                              "jupyter": {"outputs_hidden": True}}))
    path = write_nb(tmp_path / "blog" / "2021-03-04-flags.ipynb", cells)
    target = posts.import_post(path, tmp_path / "notebooks", stderr=io.StringIO())
    nb = jupytext.read(target)
    got = {c.source: c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"}
    for src, tags in flags.items():
        assert got[src] == tags, src
    assert got["u = 6"] == ["remove-input", "hide-output"]


def test_quarto_raw_cell_yaml_in_a_post_folder(tmp_path):
    cells = [nbformat.v4.new_raw_cell('---\ntitle: "Fitting a line"\ndate: "2023-05-06"\nauthor: Ann\n'
                                      "categories: [stats, python]\ndescription: A short one.\n---"),
             nbformat.v4.new_markdown_cell("Some prose with a [link](https://example.org)."),
             nbformat.v4.new_code_cell("#| echo: false\n1 + 1")]
    path = write_nb(tmp_path / "blog" / "posts" / "fitting" / "index.ipynb", cells)
    (tmp_path / "blog" / "_quarto.yml").write_text("project:\n  type: website\n")
    found, left = posts.survey(tmp_path / "blog" / "posts")
    assert found == [path] and left == []
    target = posts.import_post(path, tmp_path / "notebooks", stderr=io.StringIO())
    meta = posts.read(target).metadata
    assert meta["title"] == "Fitting a line" and meta["date"] == "2023-05-06" and meta["author"] == "Ann"
    assert meta["category"] == "stats, python" and meta["description"] == "A short one."
    text = target.read_text()
    assert "---\ntitle" not in text.split("---", 2)[2] and "Some prose" in text


def test_a_kernel_that_is_not_python_is_shown_not_run_with_its_recorded_outputs(tmp_path):
    out = tmp_path / "notebooks"
    err = io.StringIO()
    target = posts.import_post(FIXTURES / "irkernel/example-notebooks/Demo.ipynb", out, stderr=err,
                               default_date="2015-02-27")
    nb = jupytext.read(target)
    assert not [c for c in nb.cells if c.cell_type == "code"]
    text = target.read_text()
    assert "Not run by the book" in text and "notebook in R" in text
    assert "```r\nx <- seq(0, 2*pi, length.out=50)\nplot(x, sin(x))\n```" in text
    assert '[1] "Hello world! Love, R in Jupyter."' in text
    images = sorted(p.name for p in (out / "demo").glob("output-*.png"))
    assert images and all(f"demo/{name}" in text for name in images)
    assert "notebook in R: its code is shown, not run" in err.getvalue()


def test_attachments_become_files_of_the_post(tmp_path):
    cell = nbformat.v4.new_markdown_cell("# Pics\n\n![a dot](attachment:dot.png)")
    cell["attachments"] = {"dot.png": {"image/png": base64.b64encode(PNG).decode()}}
    path = write_nb(tmp_path / "2022-01-02-pics.ipynb", [cell, nbformat.v4.new_code_cell("1")])
    target = posts.import_post(path, tmp_path / "notebooks", stderr=io.StringIO())
    assert "![a dot](pics/cell0-dot.png)" in target.read_text()
    assert (tmp_path / "notebooks" / "pics" / "cell0-dot.png").read_bytes() == PNG
    assert [p for p in posts.check_post(target) if p.severity == "error"] == []


def test_the_published_record_goes_under_the_books_snapshots_with_usual_permissions(tmp_path):
    book = tmp_path / "book"
    (book / "notebooks").mkdir(parents=True)
    (book / "_config.yml").write_text("title: t\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    out = nbformat.v4.new_output("stream", name="stdout", text="42\n")
    path = write_nb(tmp_path / "2022-01-02-answer.ipynb",
                    [nbformat.v4.new_markdown_cell("# Answer"), nbformat.v4.new_code_cell("print(42)", outputs=[out])])
    old = os.umask(0o022)
    try:
        cwd = os.getcwd()
        os.chdir(book / "notebooks")
        try:
            rc, stdout, stderr = run("posts", "import", str(path))
        finally:
            os.chdir(cwd)
    finally:
        os.umask(old)
    assert rc == 0, stderr
    target = book / "notebooks" / "answer.md"
    record = book / "snapshots" / "published" / "notebooks" / "answer.ipynb"
    assert target.is_file() and record.is_file()
    assert nbformat.read(record, as_version=4).cells[1].outputs[0].text == "42\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644) and oct(record.stat().st_mode & 0o777) == oct(0o644)


def test_import_without_out_needs_a_book_here_not_the_installed_checkout(tmp_path, monkeypatch):
    path = write_nb(tmp_path / "2022-01-02-x.ipynb", [nbformat.v4.new_markdown_cell("# X")])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLOPSBOOK_ROOT", raising=False)
    rc, _, stderr = run("posts", "import", str(path))
    assert rc == 2 and "no book here" in stderr
    assert not (Path(posts.__file__).resolve().parents[3] / "notebooks" / "x.md").exists()


def test_check_refuses_a_notebook_in_the_posts_folder_and_names_missing_packages(tmp_path):
    shutil.copy(FIXTURES / "fastpages/_notebooks/2020-11-17-linkcheck.ipynb", tmp_path / "raw.ipynb")
    probs = posts.check_post(tmp_path / "raw.ipynb")
    assert len(probs) == 1 and probs[0].severity == "error" and "mlopsbook posts import" in probs[0].message
    assert tmp_path / "raw.ipynb" in posts.post_files([tmp_path])
    target = posts.import_post(FIXTURES / "pelican-jupyter/markup-incell/content/md-info-in-cell.ipynb",
                               tmp_path / "nb", stderr=io.StringIO())
    missing = [p for p in posts.check_post(target) if p.field == "code"]
    assert all(p.severity == "warning" and p.line for p in missing)
    named = {re.search(r"imports (\w+),", p.message).group(1) for p in missing}
    assert {"plotly", "bokeh"} <= named and not named & {"re", "numpy", "matplotlib"}


def test_a_folder_import_names_every_file_it_leaves(tmp_path):
    blog = tmp_path / "blog"
    shutil.copytree(FIXTURES / "pelican-jupyter", blog)
    (blog / "README.md").write_text("# readme\n")
    (blog / "old.html").write_text("<p>x</p>")
    found, left = posts.survey(blog)
    names = {p.name for p in found}
    assert {"nbdata-file.ipynb", "md-info-in-cell.ipynb", "liquid-tag.md"} <= names
    assert "liquid-tag.ipynb" not in names  # the Pelican post includes it with {% notebook %}
    text = "\n".join(left)
    assert "liquid-tag.ipynb: file: not imported on its own" in text
    assert "README.md: file: not imported (a README" in text and "old.html: file: not imported (an HTML post" in text
    assert "nbdata-file.nbdata" in text and "pelicanconf.py" in text


def test_an_unreadable_notebook_is_one_line(tmp_path):
    bad = tmp_path / "2020-01-01-bad.ipynb"
    bad.write_text('{"cells": [}')
    rc, _, stderr = run("posts", "import", str(bad), "--out", str(tmp_path / "nb"))
    assert rc == 1 and stderr.count("\n") == 1 and "not valid JSON" in stderr
    bad.write_text(json.dumps({"metadata": {}}))
    rc, _, stderr = run("posts", "import", str(bad), "--out", str(tmp_path / "nb"))
    assert rc == 1 and "no list of cells" in stderr


@pytest.mark.parametrize("notebook", [
    {"cells": [{"cell_type": "markdown", "source": "# T\n\x05CELL0\x05 \x01x", "metadata": {}}],
     "metadata": {}, "nbformat": 4, "nbformat_minor": 2},
    {"cells": [{"cell_type": "code", "source": ["x = 1"], "metadata": {}, "outputs": [
        {"output_type": "display_data", "data": {"image/png": "%%%not base64"}, "metadata": {}}],
        "execution_count": 1}], "metadata": {"kernelspec": {"language": "julia"}}, "nbformat": 4,
     "nbformat_minor": 2},
    {"worksheets": [{"cells": [{"cell_type": "heading", "level": 1, "source": "Old"}]}], "metadata": {},
     "nbformat": 3, "nbformat_minor": 0},
    {"cells": [{"cell_type": "mystery", "source": 5}], "metadata": [], "nbformat": 4},
    {"cells": [{"cell_type": "raw", "source": "---\ntitle: [unclosed\n---", "metadata": {}}], "metadata": {},
     "nbformat": 4, "nbformat_minor": 2},
])
def test_a_strange_notebook_gets_a_post_or_one_line_never_a_traceback(notebook, tmp_path):
    path = tmp_path / "2020-01-02-strange.ipynb"
    path.write_text(json.dumps(notebook))
    rc, stdout, stderr = run("posts", "import", str(path), "--out", str(tmp_path / "nb"))
    assert rc in (0, 1) and "Traceback" not in stderr and "bug of the import" not in stderr, stderr
    if rc == 0:
        target = Path(stdout.strip())
        assert "\x05" not in target.read_text() and "\x01" not in target.read_text()
        assert [p for p in posts.check_post(target) if p.severity == "error"] == []
    else:
        assert stderr.count("\n") == 1
