"""Walk the book's "Adding a post" page (book/adding-a-post.md) on a real post, and write what each command prints.

The page shows each step's command and, included from ``book/adding-a-post/``, its output. This script runs the
steps in a fresh small book (``tests/support/tinybook.py``) on a copy of a real Quarto post, and writes the outputs:
``python tests/support/adding_a_post.py --write`` refreshes them; ``tests/integration/test_adding_a_post.py`` runs it and fails when the
page no longer shows what the commands print. The inputs the page tells the author to write (the claims, the
verdict cell, the toc entry) are files of the same folder, read here, so the page and the walk share them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
sys.path.insert(0, str(HERE))

import tinybook  # noqa: E402

PAGE_DIR = TESTS.parent / "book" / "adding-a-post"
SOURCE = TESTS / "fixtures" / "posts" / "quarto-ibis" / "docs"
POST = "posts/ffill-and-bfill-using-ibis"
SLUG = "ffill-and-bfill-using-ibis"
FIRST = TESTS / "fixtures" / "book" / "first-post.md"
OUTPUTS = ("01-import.txt", "02-notebook.txt", "04-check.txt", "07-snapshots.txt", "08-build.txt")


def _sh(cmd: str, book: Path) -> str:
    """Run ``cmd`` in the book as an author would, and return ``$ cmd`` and what it prints (stdout and stderr)."""
    env = {**os.environ, "MLOPSBOOK_ROOT": str(book), "PATH": f"{book / '.venv' / 'bin'}:{os.environ['PATH']}"}
    for var in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS"):  # as a reader types it, not as a sub-make of `make unit`
        env.pop(var, None)
    env.pop("MAKEFLAGS", None)
    r = subprocess.run(cmd, shell=True, cwd=book, env=env, capture_output=True, text=True, timeout=900)
    out = (r.stdout + r.stderr).replace(str(book), "~/book").replace(str(book.parent), "~")
    out = "".join(line for line in out.splitlines(keepends=True) if not line.startswith("[IPKernelApp]"))
    if r.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({r.returncode}):\n{out[-4000:]}")
    return f"$ {cmd}\n{out}"


def _git_checkout(book: Path) -> None:
    """The book as an author has it: a git checkout (snapshots name the commit they are made from)."""
    git = ["git", "-c", "user.name=author", "-c", "user.email=author@example.org", "-C", str(book)]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the book"]):
        subprocess.run([*git, *args], check=True, capture_output=True)


def walk() -> dict[str, str]:
    """Every output file of the page, by name."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        blog = tmp_path / "blog"
        shutil.copytree(SOURCE, blog)
        book = tinybook.make(tmp_path, {"first-post": FIRST.read_text()}, name="book")
        _git_checkout(book)
        out: dict[str, str] = {}
        out["01-import.txt"] = _sh(f"mlopsbook posts import ../blog/{POST}", book)
        nb = book / "notebooks" / f"{SLUG}.md"
        out["02-notebook.txt"] = _sh(f"head -n 24 notebooks/{SLUG}.md", book)
        text = nb.read_text()
        claims = (PAGE_DIR / "03-claims.yml").read_text()
        text = text.replace("jupytext:\n", claims + "jupytext:\n", 1)
        nb.write_text(text.rstrip("\n") + "\n\n" + (PAGE_DIR / "05-verdict.md").read_text())
        out["04-check.txt"] = _sh(f"mlopsbook posts check notebooks/{SLUG}.md", book)
        toc = (book / "_toc.yml").read_text() + (PAGE_DIR / "06-toc.yml").read_text()
        (book / "_toc.yml").write_text(toc)
        out["07-snapshots.txt"] = _sh(f"make snapshots NB=notebooks/{SLUG}.md", book)
        built = _sh("make book", book)
        lines = built.splitlines()
        tail = [line for line in lines if re.search(r"post\(s\) valid|Finished generating HTML", line)]
        out["08-build.txt"] = "\n".join([lines[0], *tail]) + "\n"
        ledger = (book / "_build" / "html" / "notebooks" / f"{SLUG}.html").read_text()
        if f'id="verdict-{SLUG}-c1"' not in ledger:
            raise RuntimeError("the built post does not show its verdict")
        return out


def main(argv: list[str]) -> int:
    outputs = walk()
    if "--write" in argv:
        for name, text in outputs.items():
            (PAGE_DIR / name).write_text(text)
        print(f"wrote {', '.join(outputs)} in {PAGE_DIR}")
        return 0
    stale = [n for n, t in outputs.items() if not (PAGE_DIR / n).is_file() or (PAGE_DIR / n).read_text() != t]
    print("stale: " + ", ".join(stale) if stale else "the page's outputs are current")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
