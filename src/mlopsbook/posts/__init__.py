"""Posts: an author's post from any blog turned into a MyST notebook of the book, and posts checked for the book.

- :mod:`~mlopsbook.posts.source` reads a file (any encoding problem or frontmatter format: YAML, TOML, JSON);
- :mod:`~mlopsbook.posts.fields` maps its frontmatter onto the book's fields (:mod:`~mlopsbook.posts.schema`),
  with :mod:`~mlopsbook.posts.dates` and :mod:`~mlopsbook.posts.slugs`;
- :mod:`~mlopsbook.posts.body` converts its body (Liquid, shortcodes, divs, links; :mod:`~mlopsbook.posts.assets`
  copies its images);
- :mod:`~mlopsbook.posts.importer` plans and writes it; :mod:`~mlopsbook.posts.check` checks a notebook;
- :mod:`~mlopsbook.posts.book` knows the book's side: the notebook text, its headers, the posts of ``_toc.yml``.

Nothing is read or computed at import time.
"""

from __future__ import annotations

from mlopsbook.posts.book import JUPYTEXT_HEADER, KERNELSPEC, dump, toc_posts
from mlopsbook.posts.check import check_post, claims_of, post_files, read
from mlopsbook.posts.importer import discover, import_post, plan, survey, write
from mlopsbook.posts.problems import PostError, Problem
from mlopsbook.posts.schema import HEADER_FIELDS, KNOWN_FIELDS, check_metadata
from mlopsbook.posts.slugs import slugify
from mlopsbook.posts.source import UnquotedDate

__all__ = [
    "HEADER_FIELDS", "JUPYTEXT_HEADER", "KERNELSPEC", "KNOWN_FIELDS", "PostError", "Problem", "UnquotedDate",
    "check_metadata", "check_post", "claims_of", "discover", "dump", "import_post", "plan", "post_files", "read",
    "slugify", "survey", "toc_posts", "write",
]
