"""`make book` fails loudly: on a cell that raises, on an invalid post, on a broken internal reference.

Each case builds a small book in a temporary folder (`tests/support/tinybook.py`) with the project's own `_config.yml`,
`Makefile` and pages, and the virtual environment of this checkout (so nothing is installed).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import tinybook

POST = '''---
title: "A tiny post"
date: "2024-02-01"
author: "Test Author"
description: "A post for the build tests."
tags: ["test"]
category: "tests"
context: "Tests"
metric: "1"
metric_unit: "test"
jupytext:
  text_representation: {{extension: .md, format_name: myst, format_version: 0.13}}
kernelspec: {{name: python3, display_name: Python 3 (ipykernel), language: python}}
---

# A tiny post

Some text{extra_text}.

```{{code-cell}} ipython3
{code}
```
'''


def _book(tmp: Path, code: str = "print('fine')", extra_text: str = "", date: str = '"2024-02-01"') -> Path:
    text = POST.format(code=code, extra_text=extra_text).replace('date: "2024-02-01"', f"date: {date}")
    return tinybook.make(tmp, {"a-tiny-post": text})


def _make_book(book: Path) -> subprocess.CompletedProcess:
    return tinybook.build(book, timeout=600)


def test_a_good_tiny_book_builds(tmp_path):
    r = _make_book(_book(tmp_path))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert (tmp_path / "book-under-test" / "_build" / "html" / "notebooks" / "a-tiny-post.html").is_file()


def test_a_cell_that_raises_fails_the_build(tmp_path):
    r = _make_book(_book(tmp_path, code='raise RuntimeError("boom")'))
    assert r.returncode != 0
    assert "boom" in r.stdout + r.stderr


def test_an_invalid_post_fails_before_building(tmp_path):
    r = _make_book(_book(tmp_path, date="2024-13-45"))
    assert r.returncode != 0
    assert "a-tiny-post.md: date:" in r.stderr


@pytest.mark.parametrize("ref", ["{doc}`missing-page`", "{ref}`no-such-label`"])
def test_a_broken_internal_reference_fails_the_build(tmp_path, ref):
    r = _make_book(_book(tmp_path, extra_text=f", see {ref}"))
    assert r.returncode != 0
