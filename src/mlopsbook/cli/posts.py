"""``mlopsbook posts import|check``."""

from __future__ import annotations

import argparse
import sys

from mlopsbook import posts


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("posts", help="import and check posts")
    psub = p.add_subparsers(dest="posts_command", metavar="ACTION", required=True)

    imp = psub.add_parser("import", help="turn an author's Markdown post into notebooks/<slug>.md")
    imp.add_argument("file", metavar="FILE.md")
    imp.add_argument("--out", default="notebooks", metavar="DIR", help="output folder (default: notebooks)")
    imp.set_defaults(func=_import)

    chk = psub.add_parser("check", help="validate posts against the frontmatter schema")
    chk.add_argument("paths", nargs="*", default=["notebooks"], metavar="PATH", help="post files or folders")
    chk.set_defaults(func=_check)


def _import(args: argparse.Namespace) -> int:
    try:
        target = posts.import_post(args.file, args.out)
    except posts.PostError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(target)
    return 0


def _check(args: argparse.Namespace) -> int:
    files = posts.post_files(args.paths)
    if not files:
        print(f"no posts found in {', '.join(args.paths)}", file=sys.stderr)
        return 1
    problems = [pr for f in files for pr in posts.check_post(f)]
    for pr in problems:
        print(pr, file=sys.stderr)
    if problems:
        bad = len({pr.file for pr in problems})
        print(f"{len(problems)} problem(s) in {bad} of {len(files)} post(s)", file=sys.stderr)
        return 1
    n_claims = sum(len(posts.read(f).metadata.get("claims", []) or []) for f in files)
    print(f"{len(files)} post(s) valid, {n_claims} claim(s) declared")
    return 0
