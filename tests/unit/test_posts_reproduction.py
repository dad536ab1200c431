"""'Reproduces as published': the author's outputs against the book's run, cell by cell, with nbval's rules."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.posts import reproduction
from mlopsbook.posts.reproduction import compare

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = [(re.compile(r"0x[0-9a-fA-F]{6,}"), "0xADDRESS")]


def nb(*cells: tuple[str, list], language: str = "python") -> nbformat.NotebookNode:
    out = nbformat.v4.new_notebook()
    out.metadata = {"kernelspec": {"name": "k", "display_name": "k", "language": language}}
    out.cells = [nbformat.v4.new_code_cell(src, outputs=outs, execution_count=i + 1)
                 for i, (src, outs) in enumerate(cells)]
    return out


def text(s: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("execute_result", data={"text/plain": s}, execution_count=1)


def stream(s: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=s)


def image() -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})


def test_equal_outputs_reproduce_and_a_different_one_is_the_first_difference():
    published = nb(("1 + 1", [text("2")]), ("x = 3", []), ("print('a')", [stream("a\n")]), ("x", [text("3")]))
    run = copy.deepcopy(published)
    run.cells[3].outputs = [text("4")]
    result = compare(published, run)
    assert [c.status for c in result.cells] == ["reproduces", "reproduces", "differs"]
    assert (result.reproduced, result.total, result.first_difference.index) == (2, 3, 3)
    assert result.summary() == "reproduces as published: 2 of 3 outputs; 1 differs (first: code cell 4)"


def test_nbval_rules_streams_merged_counts_and_addresses_ignored():
    published = nb(("f()", [stream("a"), stream("b\n"), text("<object at 0x7f3a2b1c0d>")]))
    run = nb(("f()", [stream("ab\n"), text("<object at 0x55aa66bb77>")]))
    run.cells[0].execution_count = 42
    assert compare(published, run, patterns=ADDRESS).cells[0].status == "reproduces"
    assert compare(published, run).cells[0].status == "differs"  # without the book's sanitize patterns


def test_what_cannot_be_compared_is_counted_with_its_reason_never_as_a_pass():
    published = nb(("plot()", [image()]), ("%timeit f()", [stream("1.2 µs ± 3 ns per loop (mean ± std)\n")]),
                   ("import plotly", [text("ok")]), ("y", [text("1")]), ("z = 1", [stream("z\n")]))
    run = copy.deepcopy(published)
    run.cells[2].outputs = [nbformat.v4.new_output("error", ename="ModuleNotFoundError",
                                                   evalue="No module named 'plotly'", traceback=[])]
    run.cells[4].source = "z = 2"
    result = compare(published, run)
    assert [(c.status, c.reason) for c in result.cells] == [
        ("not compared", "image"), ("not compared", "timing"), ("not compared", "missing dependency plotly"),
        ("reproduces", ""), ("not compared", "code changed since publication")]
    assert result.reproduced == 1 and result.total == 5
    assert compare(published, None).reasons() == {"image": 1, "timing": 1, "not yet run by the book": 3}


def test_a_notebook_in_another_language_is_not_compared():
    published = nb(("a + b", [text("12")]), language="R")
    result = compare(published, published, python=False)
    assert result.reproduced == 0 and result.cells[0].status == "not compared"
    assert "this notebook is R" in result.cells[0].reason


def test_the_snapshots_install_cell_is_left_out():
    published = nb(("1", [text("1")]))
    run = nb(("# install", []), ("1", [text("1")]))
    run.cells[0].metadata["tags"] = ["colab-install"]
    assert compare(published, run).reproduced == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.lists(st.text(max_size=20), max_size=3)),
                min_size=1, max_size=8))
def test_a_notebook_reproduces_itself_and_every_output_cell_is_counted_once(cells):
    published = nb(*((f"c{i} = {src!r}", [text(o) for o in outs]) for i, (src, outs) in enumerate(cells)))
    result = compare(published, copy.deepcopy(published))
    with_outputs = sum(1 for _, outs in cells if outs)
    assert result.total == with_outputs == result.reproduced
    empty = copy.deepcopy(published)
    for c in empty.cells:
        c.outputs = []
    assert compare(published, empty).reproduced == 0 or with_outputs == 0


def test_the_book_posts_figures():
    trapezoid = reproduction.for_post(ROOT / "notebooks" / "basic-numerical-integration-the-trapezoid-rule.md", ROOT)
    assert trapezoid is not None and trapezoid.count("differs") == 0 and trapezoid.reproduced >= 1
    # written under NumPy 1: a list of NumPy integers printed as [64, 1, ...]; NumPy 2 (NEP 51) prints np.int64(64)
    lambdas = ROOT / "notebooks" / "lambda-filter-and-map-functions-in-python.md"
    figure = reproduction.for_post(lambdas, ROOT)
    assert figure is not None and figure.first_difference is not None and 0 < figure.reproduced < figure.total
    assert figure.count("not compared") == 0  # the `<map at 0x...>` output reproduces, its address sanitized
    first = figure.first_difference.index
    published = nbformat.read(reproduction.published_path(lambdas, ROOT), as_version=4)
    executed = nbformat.read(ROOT / "snapshots" / "notebooks" / f"{lambdas.stem}.ipynb", as_version=4)
    said = [[c for c in nb.cells if c.cell_type == "code" and "colab-install" not in c.metadata.get("tags", [])]
            [first].outputs[0].text for nb in (published, executed)]
    assert "[64, 1, 25, 0, 49]" in said[0] and "[np.int64(64), np.int64(1)," in said[1]
    assert reproduction.for_post(ROOT / "notebooks" / "engineering-culture-leadership.md", ROOT) is None


def test_sanitize_patterns_are_the_books():
    patterns = reproduction.sanitize_patterns(ROOT)
    assert patterns and patterns[0][0].sub(patterns[0][1], "at 0x7f3a2b1c0d") == "at 0xADDRESS"
