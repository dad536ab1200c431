"""Execution records key a notebook on everything its run used, and only that (a tiny book, three notebooks, a tiny
library): editing a module a notebook imports re-executes exactly the notebooks importing it; editing one nobody
imports re-executes nothing; changing a data file a notebook reads re-executes it; changing a pin re-executes all.
Each check calls :func:`mlopsbook.publishing.bookcache.prepare`, the step ``make book`` runs before the build."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from mlopsbook.publishing import bookcache, execution, snapshots

HEADER = """---
kernelspec:
  name: python3
  display_name: Python 3 (ipykernel)
  language: python
---

# {title}

```{{code-cell}} ipython3
{code}
```
"""
NOTEBOOKS = {
    "reads": "from tinylib import shared\nprint(shared.total('data/numbers.csv'))",
    "sibling": "from tinylib import shared\nprint(shared.VALUE)",
    "other": "from tinylib import other\nprint(other.VALUE)",
}


@pytest.fixture
def book(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "book"
    (root / "src" / "tinylib").mkdir(parents=True)
    (root / "src" / "tinylib" / "__init__.py").write_text("")
    (root / "src" / "tinylib" / "shared.py").write_text(
        "from pathlib import Path\nimport os\nVALUE = 1\n\n"
        "def total(rel):\n    root = Path(os.environ['MLOPSBOOK_ROOT'])\n"
        "    return sum(int(x) for x in (root / rel).read_text().split())\n")
    (root / "src" / "tinylib" / "other.py").write_text("VALUE = 2\n")
    (root / "src" / "tinylib" / "unused.py").write_text("VALUE = 3\n")
    (root / "data").mkdir()
    (root / "data" / "numbers.csv").write_text("1\n2\n3\n")
    (root / "requirements.txt").write_text("nbclient==0.11.0\n")
    (root / "_config.yml").write_text("repository:\n  url: https://example.org/book.git\n")
    (root / "notebooks").mkdir()
    for slug, code in NOTEBOOKS.items():
        (root / "notebooks" / f"{slug}.md").write_text(HEADER.format(title=slug, code=code))
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   + "".join(f"  - file: notebooks/{s}\n" for s in NOTEBOOKS))
    monkeypatch.setenv("MLOPSBOOK_ROOT", str(root))
    monkeypatch.setenv("MLOPSBOOK_COMMIT", "0" * 40)
    monkeypatch.setenv("PYTHONPATH", f"{root / 'src'}:{Path(snapshots.__file__).parents[2]}")
    for slug in NOTEBOOKS:
        execution.write_snapshot(root / "notebooks" / f"{slug}.md", root)
    return root


def executed(root: Path) -> set[str]:
    return {Path(p.docname).name for p in bookcache.prepare(root, log=lambda _: None) if p.action == "executed"}


def test_the_record_names_what_the_run_used(book):
    rec = execution.snapshot_record(snapshots.snapshot_path(book / "notebooks" / "reads.md", book))
    assert {"src/tinylib/shared.py", "data/numbers.csv", "requirements.txt"} <= set(rec.inputs)
    assert "src/tinylib/other.py" not in rec.inputs and "src/tinylib/unused.py" not in rec.inputs
    assert rec.cores >= 1 and rec.memory_bytes > 0 and rec.commit == "0" * 40 and rec.peak_bytes > 0
    other = execution.snapshot_record(snapshots.snapshot_path(book / "notebooks" / "other.md", book))
    assert "src/tinylib/other.py" in other.inputs and "data/numbers.csv" not in other.inputs


def test_only_the_notebooks_whose_inputs_changed_execute(book):
    assert executed(book) == set(), "current snapshots are reused, no kernel started"
    assert all(p.action == "cached" for p in bookcache.prepare(book, log=lambda _: None)), "a warm rebuild reuses"

    (book / "src" / "tinylib" / "unused.py").write_text("VALUE = 30\n")
    assert executed(book) == set()

    (book / "src" / "tinylib" / "shared.py").write_text(
        (book / "src" / "tinylib" / "shared.py").read_text().replace("VALUE = 1", "VALUE = 10"))
    assert executed(book) == {"reads", "sibling"}
    assert executed(book) == set(), "the build's own execution is reused next time"

    (book / "data" / "numbers.csv").write_text("1\n2\n4\n")
    assert executed(book) == {"reads"}

    (book / "requirements.txt").write_text("nbclient==0.11.0\nnbformat==5.10.4\n")
    assert executed(book) == set(NOTEBOOKS)

    assert executed(book) == set()
    assert {Path(p.docname).name for p in bookcache.prepare(book, fresh=True, log=lambda _: None)
            if p.action == "executed"} == set(NOTEBOOKS), "FRESH=1 executes everything"


def test_a_stale_snapshot_is_named_with_the_command_that_refreshes_it(book):
    md = book / "notebooks" / "reads.md"
    assert execution.stale_message(md, book) is None
    (book / "data" / "numbers.csv").write_text("5\n")
    assert execution.stale_message(md, book) == \
        "snapshot snapshots/notebooks/reads.ipynb is stale: `make snapshots NB=notebooks/reads.md`"
    assert execution.stale_message(book / "notebooks" / "other.md", book) is None


def test_the_cached_page_shows_the_snapshots_outputs(book):
    from jupyter_cache import get_cache

    bookcache.prepare(book, log=lambda _: None)
    md = book / "notebooks" / "reads.md"
    _, merged = get_cache(str(book / bookcache.CACHE_DIR)).merge_match_into_notebook(bookcache._md_notebook(md))
    out = [o for c in merged.cells if c.cell_type == "code" for o in c.outputs]
    assert out and out[0]["text"].strip() == "6"
    snap = nbformat.read(snapshots.snapshot_path(md, book), as_version=4)
    assert snap.metadata["mlopsbook"]["execution"]["origin"] == "snapshot"


def test_declared_inputs_stay_inside_the_repository(book):
    from mlopsbook.errors import MlopsbookError

    md = book / "notebooks" / "other.md"
    text = md.read_text()
    for bad, why in (("../outside.txt", "not a path inside"), ("/etc/hostname", "not a path inside"),
                     ("data/none-*.csv", "matches no file")):
        md.write_text(text.replace("kernelspec:", f"mlopsbook:\n  inputs: [{bad!r}]\nkernelspec:", 1))
        with pytest.raises(MlopsbookError, match=why):
            execution.declared_inputs(md, book)
    md.write_text(text.replace("kernelspec:", "mlopsbook:\n  inputs: ['data/*.csv']\nkernelspec:", 1))
    assert execution.declared_inputs(md, book) == ["data/numbers.csv"]
    assert execution.stale_message(md, book) is not None, "a new declared input changes the key"


def test_a_snapshot_that_does_not_match_its_page_is_executed_not_rendered(book):
    snap = snapshots.snapshot_path(book / "notebooks" / "other.md", book)
    nb = nbformat.read(snap, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[-1].source += "\nprint('not in the page')"  # a record that still matches, over cells that do not
    nbformat.write(nb, snap)
    assert executed(book) == {"other"}
