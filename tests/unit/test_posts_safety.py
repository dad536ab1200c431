"""Posts are data, not code: an import reads only the blog, never hangs on a special file, never expands an alias
bomb, and nothing in a post gains the power to run code, read the build machine's files or publish script."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlopsbook import posts
from mlopsbook.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
BOUND_S = 120
"""A bound on a run that used to hang (never a timing assertion: a hang is what it catches)."""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as exc:
            rc = int(exc.code or 0)
    return rc, out.getvalue(), err.getvalue()


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, so that a hang ends the run instead of the test session."""
    env = {**os.environ, "PYTHONPATH": str(Path(posts.__file__).parents[2])}
    return subprocess.run([sys.executable, "-m", "mlopsbook", *argv], capture_output=True, text=True, timeout=BOUND_S,
                          env=env)


def written(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file()) if out.exists() else []


# -- import reads only the blog ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("reference", [
    "![key](../../.ssh/id_rsa)", "[my key](../../.ssh/id_rsa)", "<img src=\"../../.ssh/id_rsa\">",
])
def test_a_reference_climbing_out_of_the_blog_is_refused_with_its_line(tmp_path: Path, reference: str) -> None:
    write(tmp_path / "home" / ".ssh" / "id_rsa", KEY)
    post = write(tmp_path / "home" / "blog" / "_posts" / "2020-01-01-climb.md",
                 f"---\ntitle: Climb\n---\n\nText.\n\n{reference}\n")
    out = tmp_path / "notebooks"
    rc, _, err = run("posts", "import", str(post), "--out", str(out))
    assert rc == 1
    assert f"{post}:7: " in err and "refused" in err and "outside the blog" in err
    assert written(out) == []


def test_a_cover_climbing_out_of_the_blog_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".ssh" / "id_rsa", KEY)
    post = write(tmp_path / "home" / "blog" / "_posts" / "2020-01-01-climb.md",
                 "---\ntitle: Climb\ncover: ../../.ssh/id_rsa\n---\n\nText.\n")
    out = tmp_path / "notebooks"
    rc, _, err = run("posts", "import", str(post), "--out", str(out))
    assert rc == 1 and "cover" in err and "refused" in err
    assert written(out) == []


def test_a_site_root_image_that_is_a_symlink_out_of_the_site_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "root:x:0:0:root:/root:/bin/bash\n")
    site = tmp_path / "site"
    write(site / "_config.yml", "title: Blog\n")
    (site / "images").mkdir()
    (site / "images" / "logo.png").symlink_to(secret)
    post = write(site / "_posts" / "2020-01-01-logo.md", "---\ntitle: Logo\n---\n\n![logo](/images/logo.png)\n")
    out = tmp_path / "notebooks"
    rc, _, err = run("posts", "import", str(post), "--out", str(out))
    assert rc == 1 and f"{post}:5: image: /images/logo.png: refused" in err
    assert written(out) == []


def test_a_post_file_that_is_a_symlink_out_of_the_blog_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path / "etc" / "hostname.md", "buildmachine\n")
    folder = tmp_path / "blog" / "_posts"
    folder.mkdir(parents=True)
    (folder / "2020-01-01-host.md").symlink_to(outside)
    out = tmp_path / "notebooks"
    rc, _, err = run("posts", "import", str(folder), "--out", str(out))
    assert rc == 1 and "symlink" in err and "outside the blog" in err
    assert written(out) == []


@pytest.mark.parametrize(("name", "content", "why"), [
    ("photo.png", b"just text pretending\n", "not an image"),
    ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "SVG with script"),
])
def test_an_image_is_an_image_by_its_content(tmp_path: Path, name: str, content: bytes, why: str) -> None:
    write(tmp_path / "blog" / name, content)
    post = write(tmp_path / "blog" / "post.md", f"---\ntitle: P\ndate: 2020-01-01\n---\n\n![x]({name})\n")
    rc, _, err = run("posts", "import", str(post), "--out", str(tmp_path / "notebooks"))
    assert rc == 1 and why in err


def test_a_linked_private_key_inside_the_blog_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "blog" / "deploy.key", KEY)
    post = write(tmp_path / "blog" / "post.md", "---\ntitle: P\ndate: 2020-01-01\n---\n\nGet [the key](deploy.key).\n")
    rc, _, err = run("posts", "import", str(post), "--out", str(tmp_path / "notebooks"))
    assert rc == 1 and "private key" in err


def test_images_and_data_inside_the_blog_are_still_copied(tmp_path: Path) -> None:
    write(tmp_path / "blog" / "images" / "a.png", PNG)
    write(tmp_path / "blog" / "images" / "b.svg", b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>")
    write(tmp_path / "blog" / "data.csv", "x,y\n1,2\n")
    post = write(tmp_path / "blog" / "post.md",
                 "---\ntitle: Fine\ndate: 2020-01-01\n---\n\n![a](images/a.png) ![b](images/b.svg) [data](data.csv)\n")
    out = tmp_path / "notebooks"
    rc, _, err = run("posts", "import", str(post), "--out", str(out))
    assert rc == 0, err
    assert [p.name for p in written(out / "fine")] == ["a.png", "b.svg", "data.csv"]


# -- special files ------------------------------------------------------------------------------------------------------
def test_a_fifo_among_the_posts_is_skipped_by_import_and_check(tmp_path: Path) -> None:
    folder = tmp_path / "_posts"
    write(folder / "2020-01-01-fine.md", "---\ntitle: Fine\n---\n\nText.\n")
    os.mkfifo(folder / "2020-01-02-pipe.md")
    out = tmp_path / "notebooks"
    imp = cli("posts", "import", str(folder), "--out", str(out))
    assert imp.returncode == 0, imp.stderr
    assert "2020-01-02-pipe.md: file: skipped: it is a FIFO" in imp.stderr
    assert [p.name for p in written(out)] == ["fine.md"]
    os.mkfifo(out / "pipe.md")
    chk = cli("posts", "check", str(out))
    assert "pipe.md: file: warning: skipped: it is a FIFO" in chk.stderr
    direct = cli("posts", "check", str(out / "pipe.md"))
    assert direct.returncode == 1 and "is a FIFO (named pipe), not a post file" in direct.stderr


def test_read_bytes_never_opens_a_special_file(tmp_path: Path) -> None:
    from mlopsbook.posts import safety

    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(safety.NotRegular, match="FIFO"):
        safety.read_bytes(tmp_path / "pipe")
    with pytest.raises(safety.NotRegular, match="character device"):
        safety.read_bytes(Path("/dev/zero"))


# -- YAML aliases ---------------------------------------------------------------------------------------------------------
def _bomb(levels: int) -> str:
    lines = ["title: Bomb", "date: 2020-01-01", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "---\n" + "\n".join(lines) + "\n---\n\nText.\n"


def test_an_alias_bomb_in_the_frontmatter_is_refused(tmp_path: Path) -> None:
    post = write(tmp_path / "bomb.md", _bomb(9))
    assert len(post.read_bytes()) < 500
    out = tmp_path / "notebooks"
    proc = cli("posts", "import", str(post), "--out", str(out))
    assert proc.returncode == 1 and "alias bomb" in proc.stderr
    assert written(out) == []
    assert "alias bomb" in cli("posts", "check", str(post)).stderr


def test_a_recursive_alias_is_refused() -> None:
    from mlopsbook.posts import safe_yaml

    with pytest.raises(safe_yaml.AliasBomb, match="recursive"):
        safe_yaml.load("a: &a [1, *a]\n")


def test_a_frontmatter_with_a_few_aliases_is_read(tmp_path: Path) -> None:
    post = write(tmp_path / "post.md", "---\ntitle: Shared\ndate: 2020-01-01\nbase: &b {lang: en}\nother: *b\n---\n\nText.\n")
    rc, _, err = run("posts", "import", str(post), "--out", str(tmp_path / "notebooks"))
    assert rc == 0, err


_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                       lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                                   max_size=5), max_leaves=40)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_values)
def test_any_document_without_aliases_reads_as_the_safe_loader_reads_it(value: object) -> None:
    from mlopsbook.posts import safe_yaml

    text = yaml.safe_dump(value)
    assert safe_yaml.load(text) == yaml.safe_load(text)


# -- executable and file-reading MyST -----------------------------------------------------------------------------------
HOSTILE = """---
title: Hostile
---

Text.

```{code-cell} python
import os; os.system("id")
```

```{literalinclude} /etc/passwd
```

:::{include} ../../../../etc/hostname
:::

```{eval-rst}
.. raw:: html

   <script>alert(1)</script>
```

<script>alert(2)</script>

Inline <span onmouseover="steal()">hover</span> and {download}`/etc/passwd`.
"""


def test_import_makes_executable_and_file_reading_myst_inert(tmp_path: Path) -> None:
    post = write(tmp_path / "blog" / "2020-01-01-hostile.md", HOSTILE)
    out = tmp_path / "notebooks"
    rc, _, err = run("posts", "import", str(post), "--out", str(out))
    assert rc == 0, err
    text = (out / "hostile.md").read_text()
    for active in ("```{code-cell}", "```{literalinclude}", "```{eval-rst}", "\n\n<script>", " <span onmouseover",
                   " {download}`"):
        assert active not in text, active
    assert "```text\n:::{include}" in text
    for line in (7, 11, 14, 17, 23, 25):
        assert f"{post}:{line}: " in err, line
    rc, _, err = run("posts", "check", str(out / "hostile.md"))
    assert "leaves the book" not in err and "script" not in err


def test_check_refuses_includes_leaving_the_book_and_script_in_any_post(tmp_path: Path) -> None:
    write(tmp_path / "_toc.yml", "format: jb-book\nroot: intro\n")
    write(tmp_path / "notebooks" / "inside.md", "included\n")
    post = write(tmp_path / "notebooks" / "post.md", """---
title: P
date: '2020-01-01'
---

# P

```{literalinclude} /etc/passwd
```

```{include} inside.md
```

:::{include} ../../outside.md
:::

```{raw} html
<script>x()</script>
```

<div onclick="evil()">x</div>
""")
    rc, _, err = run("posts", "check", str(post))
    assert rc == 1
    assert f"{post}:8: body: {{literalinclude}} /etc/passwd" in err
    assert f"{post}:14: body: {{include}} ../../outside.md" in err
    assert f"{post}:17: body: {{raw}} html with script" in err
    assert f"{post}:21: body: raw HTML with script" in err
    assert ":11:" not in err


def test_check_refuses_images_links_and_covers_leaving_the_book(tmp_path: Path) -> None:
    write(tmp_path / "book" / "_toc.yml", "format: jb-book\nroot: intro\n")
    write(tmp_path / "secret.png", PNG)
    write(tmp_path / "book" / "notebooks" / "ok.png", PNG)
    post = write(tmp_path / "book" / "notebooks" / "post.md", """---
title: P
date: '2020-01-01'
cover: ../../secret.png
---

# P

![fine](ok.png) ![out](../../secret.png) [the file](../../secret.png)
""")
    rc, _, err = run("posts", "check", str(post))
    assert rc == 1
    assert f"{post}: cover: ../../secret.png: an absolute path, or one that leaves the book's folder" in err
    assert err.count(f"{post}:9: ") == 2 and "ok.png" not in err


@pytest.mark.parametrize(("content", "what", "refused"), [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "file", None),
    (b"x,y\n1,2\n", "file", None),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56, "file", "executable"),
    (KEY, "file", "private key"),
    (b"\x00\x01\x02\x03binary", "file", "binary file of unknown kind"),
    (PNG, "image", None),
    (b"%PDF-1.4\n", "image", "not an image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='steal()'/>", "cover", "SVG with script"),
])
def test_a_file_is_of_the_kind_its_use_expects(tmp_path: Path, content: bytes, what: str, refused: str | None) -> None:
    from mlopsbook.posts import safety

    problem = safety.asset_problem(write(tmp_path / "f", content), what)
    assert (problem is None) if refused is None else (refused in (problem or ""))
