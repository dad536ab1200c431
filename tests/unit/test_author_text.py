"""The author's words survive the import: all of them, in order, and nothing else in their voice.

Each post notebook with its original in ``tests/fixtures/posts/<slug>.md`` (the post as the author wrote it) is
compared word for word with the notebook's text outside code cells, outputs and the project's marked additions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlopsbook.publishing import authortext
from mlopsbook.paths import repo_root

ROOT = repo_root()
ORIGINALS = ROOT / "tests" / "fixtures" / "posts"
POSTS = sorted(p for p in (ROOT / "notebooks").glob("*.md") if (ORIGINALS / p.name).is_file())


def test_the_first_post_has_its_original():
    assert ROOT / "notebooks" / "engineering-culture-leadership.md" in POSTS


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_the_authors_words_all_there_in_order_and_alone(post: Path):
    problems = authortext.compare(ORIGINALS / post.name, post)
    assert not problems, f"{post.relative_to(ROOT)}:\n" + "\n".join(problems)


# -- the check can fail: each kind of damage is caught -----------------------------------------------------------
ORIGINAL = """---
title: "A post"
date: 2024-01-25
---

First paragraph, in **bold** here.

![A diagram of it](diagram.png)

Second paragraph with the claim.
"""

GOOD = """---
title: A post
date: '2024-01-25'
---

# A post

First paragraph, in **bold** here.

```{code-cell} ipython3
---
mystnb:
  figure:
    caption: |
      **Redrawn by the project.** The post's figure ("A diagram
      of it") was not published.
---
fig = draw()
```

Second paragraph with the claim.

:::{admonition} Reproduction — the claim
:class: mlopsbook-addition

The project's words, inside the box.
:::

```{code-cell} ipython3
print("code is not the author's text")
```
"""


def _check(tmp_path: Path, notebook: str) -> list[str]:
    (tmp_path / "original.md").write_text(ORIGINAL, encoding="utf-8")
    (tmp_path / "post.md").write_text(notebook, encoding="utf-8")
    return authortext.compare(tmp_path / "original.md", tmp_path / "post.md")


def test_a_faithful_notebook_passes(tmp_path: Path):
    assert _check(tmp_path, GOOD) == []


@pytest.mark.parametrize(("damage", "expect"), [
    (("Second paragraph with the claim.", "Second paragraph with claim."), "lost"),
    (("First paragraph, in **bold** here.", "First paragraph, in bold here."), "changed"),
    (("Second paragraph with the claim.", "Second paragraph with the claim. And more."), "added"),
    (("First paragraph, in **bold** here.\n", "First paragraph, in **bold** here.\n\n**The project.** Its run-in "
      "heading, unmarked.\n"), "added"),
    ((":class: mlopsbook-addition\n", ":class: note\n"), "added"),
    (("# A post", "# Another post"), "title"),
    (('("A diagram\n      of it")', '("Another diagram")'), "changed"),
])
def test_each_kind_of_damage_is_caught(tmp_path: Path, damage: tuple[str, str], expect: str):
    old, new = damage
    assert old in GOOD
    problems = _check(tmp_path, GOOD.replace(old, new, 1))
    assert problems and any(p.startswith(expect) for p in problems), problems


def test_a_moved_sentence_is_caught(tmp_path: Path):
    moved = GOOD.replace("First paragraph, in **bold** here.\n", "").replace(
        "Second paragraph with the claim.\n", "Second paragraph with the claim.\n\nFirst paragraph, in **bold** here.\n")
    problems = _check(tmp_path, moved)
    assert any(p.startswith("lost") for p in problems) and any(p.startswith("added") for p in problems)
