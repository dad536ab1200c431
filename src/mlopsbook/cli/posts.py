"""``mlopsbook posts import|check``.

``import`` prints each notebook written (relative to the current folder when it is below it) on stdout, and on
stderr one line per warning (``FILE:LINE: FIELD: warning: ...``) and per post refused (``FILE: FIELD: ...``). Exit
status: 0 when every post was imported, 1 when a post was refused (nothing of it was written), 2 for a command-line
error (a path that does not exist, a bad ``--date``, no book found).

``check`` prints each problem on stderr (``FILE[:LINE]: FIELD: ...``), notes on stdout, and a summary; exit 1 when
any post has a problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlopsbook import posts
from mlopsbook.cli import UsageError
from mlopsbook.posts import dates


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("posts", help="import and check posts")
    psub = p.add_subparsers(dest="posts_command", metavar="ACTION", required=True)

    imp = psub.add_parser("import", help="turn posts from Jekyll, Hugo, Quarto, fastpages, ABlog, Docusaurus or "
                                         "plain Markdown into notebooks/<slug>.md")
    imp.add_argument("paths", nargs="+", metavar="PATH", help="post files, post folders (bundles) or folders of posts")
    imp.add_argument("--out", metavar="DIR", help="output folder (default: the book's notebooks/, wherever you are)")
    imp.add_argument("--force", action="store_true", help="replace an existing post or asset")
    imp.add_argument("--date", metavar="YYYY-MM-DD", help="the date of posts that give none")
    imp.add_argument("--site-root", metavar="DIR", help="the old site's root, for site-root paths like /images/x.png")
    imp.add_argument("--site-url", metavar="URL", help="the old site's address, for site-root links like /docs/x/")
    imp.set_defaults(func=_import)

    chk = psub.add_parser("check", help="validate posts against the frontmatter schema and the book's build")
    chk.add_argument("paths", nargs="*", default=None, metavar="PATH",
                     help="post files or folders (default: the book's notebooks/)")
    chk.set_defaults(func=_check)


def _notebooks() -> Path:
    """The ``notebooks/`` folder of the book in the current folder or above it (``$MLOPSBOOK_ROOT`` otherwise),
    never the checkout the package was installed from."""
    import os

    from mlopsbook.posts.book import POST_DIR, book_root

    root = book_root(Path.cwd().resolve())
    env = os.environ.get("MLOPSBOOK_ROOT")
    if root is None and env and (Path(env) / "_config.yml").is_file():
        root = Path(env)
    if root is None:
        raise UsageError(f"--out: no book here (no _config.yml and _toc.yml in {Path.cwd()} or above it); run "
                         "inside the book or give --out DIR")
    return root / POST_DIR


def _shown(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def _import(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else _notebooks()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} is not a folder")
    default_date = None
    if args.date:
        if not dates.is_iso(args.date):
            raise UsageError(f"--date: must be a real date YYYY-MM-DD (got {args.date!r})")
        default_date = args.date
    site_root = Path(args.site_root) if args.site_root else None
    if site_root is not None and not site_root.is_dir():
        raise UsageError(f"--site-root: no such folder {site_root}")
    if args.site_url and not args.site_url.startswith(("http://", "https://")):
        raise UsageError(f"--site-url: must start with http:// or https:// (got {args.site_url!r})")
    files: list[tuple[Path, Path | None]] = []
    for raw in args.paths:
        p = Path(raw)
        if not p.exists():
            raise UsageError(f"{raw}: no such file or folder")
        found, left = posts.survey(p)
        for line in left:
            print(line, file=sys.stderr)
        if not found:
            print(f"{raw}: file: no posts found (.md, .markdown, .qmd, .mdx, .Rmd, .Rmarkdown, .ipynb, .rst)",
                  file=sys.stderr)
            return 1
        files += [(f, p if p.is_dir() else None) for f in found]
    failed = 0
    for f, blog_root in files:
        try:
            planned = posts.plan(f, out, default_date=default_date, site_root=site_root, site_url=args.site_url,
                                 blog_root=blog_root)
            target = posts.write(planned, out, force=args.force)
        except posts.PostError as exc:
            for pr in exc.problems:
                print(pr, file=sys.stderr)
            failed += 1
            continue
        except Exception as exc:  # noqa: BLE001 - any input gets one line, never a traceback
            print(f"{f}: file: cannot be imported ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); "
                  "this is a bug of the import, please report it", file=sys.stderr)
            failed += 1
            continue
        for pr in planned.problems:
            print(pr, file=sys.stderr)
        print(_shown(target))
    return 1 if failed else 0


def _check(args: argparse.Namespace) -> int:
    paths = args.paths if args.paths else [_notebooks()]
    skipped: list[posts.Problem] = []
    files = posts.post_files(paths, skipped)
    for note in skipped:
        print(note, file=sys.stderr)
    if not files:
        print(f"no posts found in {', '.join(map(str, paths))}", file=sys.stderr)
        return 1
    problems = []
    for f in files:
        try:
            problems += posts.check_post(f)
        except Exception as exc:  # noqa: BLE001 - any input gets one line, never a traceback
            problems.append(posts.Problem(str(f), "file", f"cannot be checked ({type(exc).__name__}: "
                                                          f"{' '.join(str(exc).split())[:200]}); please report it"))
    errors = [p for p in problems if p.severity == "error"]
    for pr in problems:
        print(pr, file=sys.stderr if pr.severity == "error" else sys.stdout)
    if errors:
        bad = len({pr.file for pr in errors})
        if len(errors) > 1 or len(files) > 1:
            print(f"{len(errors)} problem(s) in {bad} of {len(files)} post(s)", file=sys.stderr)
        return 1
    n_claims = 0
    for f in files:
        claims = posts.read(f).metadata.get("claims")
        n_claims += len(claims) if isinstance(claims, list) else 0
    print(f"{len(files)} post(s) valid, {n_claims} claim(s) declared")
    return 0
