"""Execution keys (no kernel): the same content gives the same key on any machine and folder; modification times and
files the run did not use do not matter; a used file, a pin or a code cell does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.publishing import execution

NOTEBOOK = """---
kernelspec: {name: python3, display_name: Python 3 (ipykernel), language: python}
---

```{code-cell} ipython3
CODE
```
"""


def _tree(root: Path, module: str = "X = 1\n", data: str = "1\n", code: str = "print(1)") -> Path:
    for rel, text in {"src/lib/mod.py": module, "src/lib/other.py": "Y = 2\n", "data/a.csv": data,
                      "requirements.txt": "nbclient==0.11.0\n", "notebooks/n.md": NOTEBOOK.replace("CODE", code),
                      "build/cache.bin": "x", "_config.yml": "x: 1\n"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root / "notebooks" / "n.md"


def _record(root: Path, md: Path) -> execution.Record:
    used = [root / "src/lib/mod.py", root / "data/a.csv", root / "build/cache.bin", Path("/usr/lib/os.py"), md]
    return execution.record_for(md, [str(p) for p in used], root)


def test_the_key_is_the_same_in_another_folder_and_ignores_mtimes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "somewhere" / "else"
    rec_a, rec_b = _record(a, _tree(a)), _record(b, _tree(b))
    assert rec_a.key == rec_b.key and rec_a.inputs == rec_b.inputs
    assert set(rec_a.inputs) == {"src/lib/mod.py", "data/a.csv", "requirements.txt"}, "outputs, outside, md excluded"
    os.utime(b / "src/lib/mod.py", (1, 1))
    assert execution.is_current(rec_a, b / "notebooks" / "n.md", b)


@pytest.mark.parametrize("edit, stale", [
    ("src/lib/mod.py", True), ("data/a.csv", True), ("requirements.txt", True),
    ("src/lib/other.py", False), ("build/cache.bin", False), ("_config.yml", False),
])
def test_only_what_the_run_used_makes_it_stale(tmp_path, edit, stale):
    md = _tree(tmp_path)
    rec = _record(tmp_path, md)
    (tmp_path / edit).write_text((tmp_path / edit).read_text() + ("Z = 0\n" if edit.endswith(".py") else "2\n"))
    assert execution.is_current(rec, md, tmp_path) is not stale
    if stale:
        assert execution.changed_inputs(rec, tmp_path) == [edit]


def test_a_changed_code_cell_or_a_vanished_input_makes_it_stale(tmp_path):
    md = _tree(tmp_path)
    rec = _record(tmp_path, md)
    md.write_text(NOTEBOOK.replace("CODE", "print(2)"))
    assert not execution.is_current(rec, md, tmp_path)
    md.write_text(NOTEBOOK.replace("CODE", "print(1)"))
    assert execution.is_current(rec, md, tmp_path)
    (tmp_path / "data/a.csv").unlink()
    assert not execution.is_current(rec, md, tmp_path)


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_the_key_changes_exactly_when_a_used_files_content_does(tmp_path_factory, before, after):
    root = tmp_path_factory.mktemp("k")
    md = _tree(root, data=before)
    rec = _record(root, md)
    (root / "data/a.csv").write_text(after)
    assert execution.is_current(rec, md, root) is (before.encode() == after.encode())


def test_comments_and_tool_settings_do_not_count_code_and_dependencies_do(tmp_path):
    md = _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["a==1"]\n\n[tool.pytest]\nq = 1\n')
    used = [str(tmp_path / p) for p in ("src/lib/mod.py", "pyproject.toml")]
    rec = execution.record_for(md, used, tmp_path)
    mod, pyproject = tmp_path / "src/lib/mod.py", tmp_path / "pyproject.toml"
    mod.write_text("# a comment\nX   =   1  # the same code\n")
    pyproject.write_text(pyproject.read_text().replace("q = 1", "q = 2"))
    assert execution.is_current(rec, md, tmp_path)
    mod.write_text("X = 2\n")
    assert not execution.is_current(rec, md, tmp_path)
    mod.write_text("X = 1\n")
    pyproject.write_text(pyproject.read_text().replace("a==1", "a==2"))
    assert not execution.is_current(rec, md, tmp_path)
