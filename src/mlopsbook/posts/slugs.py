"""A post's slug: the name of its notebook file and of its asset folder.

Readable and bounded: Latin letters keep their base letter (``Ça marche déjà`` -> ``ca-marche-deja``, through
python-slugify and text-unidecode), other scripts and emoji are left out rather than guessed at, and a slug is at
most :data:`MAX_LENGTH` characters, cut at a word boundary. A title with no Latin letter or digit takes its slug from
the author's ``slug:`` or the file name; failing both, from a digest of the title, so it is stable.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from slugify import slugify as _slugify

MAX_LENGTH = 60


def _latin_only(text: str) -> str:
    """``text`` with letters of non-Latin scripts (and symbols such as emoji) replaced by spaces."""
    out = []
    for ch in text:
        if ch.isascii() or unicodedata.category(ch).startswith("M"):
            out.append(ch)
        elif ch.isalpha() or ch.isdigit():
            out.append(ch if "LATIN" in unicodedata.name(ch, "") else " ")
        else:
            out.append(" ")
    return "".join(out)


def slugify(text: str) -> str:
    """``"Engineering Culture & Leadership"`` -> ``"engineering-culture-leadership"``; ``""`` when nothing is left."""
    text = re.sub(r"(?<=\w)['’](?=\w)", "", text)  # "Let’s" -> "lets", not "let-s"
    s = _slugify(_latin_only(text.replace("&", " ")), max_length=MAX_LENGTH, word_boundary=True, save_order=True)
    if not s and text.strip():  # one word longer than the bound: cut it
        s = _slugify(_latin_only(text), max_length=MAX_LENGTH)
    return s.strip("-")


def slug_for(title: str, *, explicit: str | None = None, file_stem: str = "") -> str:
    """The slug of a post: its ``slug:`` field, else its title, else its file (or bundle folder) name, else a digest."""
    file_stem = re.sub(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[-_]?", "", file_stem)  # a Jekyll/Docusaurus date prefix
    for candidate in (explicit or "", title, file_stem):
        s = slugify(candidate)
        if s and re.search(r"[a-z0-9]", s):
            return s
    return "post-" + hashlib.sha256(title.encode("utf-8", "replace")).hexdigest()[:10]
