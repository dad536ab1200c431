"""A post written as a Jupyter notebook (``.ipynb``): read with nbformat, written as a MyST notebook with jupytext.

- **Metadata**, as each generator reads it (:mod:`~mlopsbook.posts.metadata_conventions`): Quarto's or MyST's first
  ``---`` YAML cell, fastpages' title cell, Nikola's ``metadata.nikola``, Pelican's sidecar ``.nbdata`` /
  ``.ipynb-meta`` or first-cell ``Title:`` lines, JupyterLab's ``metadata.title``/``authors``. The cell that held it
  is removed; the rest of it stays.
- **Markdown cells** go through the same conversion as a Markdown post (:mod:`~mlopsbook.posts.body`): links, images
  (copied), HTML images, math. Cell attachments (``![](attachment:x.png)``) become files in the post's folder.
- **Code cells** stay ``{code-cell}`` cells, every one, source unchanged. Their hide conventions become MyST-NB tags:

  ============================================================  ==================
  the author wrote                                              tag
  ============================================================  ==================
  ``#hide``, ``#| hide``, ``#| include: false``                 ``remove-cell``
  ``#hide_input``, ``#| echo: false``                           ``remove-input``
  ``#hide_output``, ``#| output: false``                        ``remove-output``
  ``#collapse``, ``#collapse-hide``, ``#| code-fold: true``     ``hide-input``
  ``#collapse-output``, metadata ``jupyter.outputs_hidden``     ``hide-output``
  ``#| eval: false``                                            ``skip-execution``
  ``#| error: true``                                            ``raises-exception``
  ``!pip install ...``, ``%conda install ...``                  ``skip-execution`` (a build installs nothing)
  metadata ``jupyter.source_hidden``                            ``hide-input``
  ============================================================  ==================

  A cell's own tags (``remove-input``, ``hide-output``...) are kept.
- **A kernel that is not Python** (R, Julia, Scala...): the book runs Python only, so the code is shown as static code
  in the notebook's language, followed by the outputs the author recorded (text, and images written as files in the
  post's folder); the page says so in a marked note.
- **The author's recorded outputs** (a Python notebook) are kept, unchanged, as the post's published record: the
  book's re-execution is compared with them cell by cell (:mod:`mlopsbook.posts.reproduction`).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext
import nbformat

from mlopsbook.posts import safety
from mlopsbook.posts import metadata_conventions as conventions
from mlopsbook.posts.assets import PLACEHOLDER, safe_name
from mlopsbook.posts.problems import PostError
from mlopsbook.posts.source import MAX_BYTES

MAX_NOTEBOOK_BYTES = 8 * MAX_BYTES
"""A notebook is refused above this size (its recorded images make it larger than a Markdown post)."""
CELL_MARK = "\x05CELL{}\x05"
"""Separates markdown cells while they are converted together as one body (a control character no post holds)."""
_CELL_SPLIT = re.compile(r"\n*\x05CELL(\d+)\x05\n*")
_FASTPAGES_FLAG = re.compile(r"^\s*#\s*(hide_input|hide_output|hide|collapse-hide|collapse-show|collapse-output"
                             r"|collapse|export|exporti|exports)\s*$")
_QUARTO_OPTION = re.compile(r"^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$")
_QUARTO_FLAG = re.compile(r"^\s*#\|\s*(hide|export|exporti|exports)\s*$")
_INSTALL = re.compile(r"^\s*[!%]\s*(pip3?|conda|mamba|apt(-get)?)\s+install\b", re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ATTACHMENT = re.compile(r"attachment:([^)\s\"'>]+)")
FLAG_TAGS = {
    "hide": "remove-cell", "hide_input": "remove-input", "hide_output": "remove-output",
    "collapse-hide": "hide-input", "collapse": "hide-input", "collapse-output": "hide-output",
}
OPTION_TAGS = {
    ("include", "false"): "remove-cell", ("echo", "false"): "remove-input", ("output", "false"): "remove-output",
    ("code-fold", "true"): "hide-input", ("eval", "false"): "skip-execution", ("error", "true"): "raises-exception",
}
FASTPAGES_COPIED = "images/copied_from_nb/"
"""Where fastpages copies a notebook's images (the frontmatter's ``image:`` names them there)."""
PYTHON_NAMES = ("python", "python3", "ipython", "ipython3", "python2")
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg"}


@dataclass
class NotebookPost:
    """A notebook read for import: its frontmatter fields, its cells without the metadata cell, its language."""

    path: Path
    meta: dict[str, Any]
    nb: nbformat.NotebookNode
    language: str
    notes: list[str] = field(default_factory=list)

    @property
    def python(self) -> bool:
        return self.language.lower() in PYTHON_NAMES

    @property
    def language_name(self) -> str:
        """The language as people write it (``R``, ``Julia``), from the kernel's display name when it is that."""
        ks = self.nb.metadata.get("kernelspec") or {}
        info = self.nb.metadata.get("language_info") or {}
        for v in (info.get("name"), ks.get("language")):
            if isinstance(v, str) and v.strip() and v.strip().lower() == self.language:
                return v.strip() if v.strip() != v.strip().lower() else v.strip().capitalize()
        return self.language.capitalize() if len(self.language) > 1 else self.language.upper()


def read(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` (nbformat 4). Raises ``PostError`` (one line) for a file that is not a notebook."""
    try:
        data = safety.read_bytes(path, MAX_NOTEBOOK_BYTES)
        if len(data) > MAX_NOTEBOOK_BYTES:
            raise PostError.one(path, "file", f"is more than {MAX_NOTEBOOK_BYTES:,} bytes; a notebook post is at most "
                                              f"{MAX_NOTEBOOK_BYTES:,}")
        text = data.decode("utf-8-sig")
    except safety.NotRegular as exc:
        raise PostError.one(path, "file", f"is {exc.kind}, not a post file: skipped") from None
    except OSError as exc:
        raise PostError.one(path, "file", f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise PostError.one(path, "file", f"not a notebook: not UTF-8 (at byte {exc.start})") from None
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PostError.one(path, "file", f"not a notebook: not valid JSON ({' '.join(str(exc).split())[:120]})") \
            from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        raise PostError.one(path, "file", "not a notebook: no list of cells")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on malformed notebooks
        raise PostError.one(path, "file", f"not a notebook nbformat can read ({type(exc).__name__}: "
                                          f"{' '.join(str(exc).split())[:120]})") from None


def language(nb: nbformat.NotebookNode) -> str:
    """The notebook's language (``python``, ``r``, ``julia``...), from its kernelspec or language_info."""
    ks = nb.metadata.get("kernelspec") or {}
    info = nb.metadata.get("language_info") or {}
    for v in (ks.get("language"), info.get("name"), ks.get("name")):
        if isinstance(v, str) and v.strip():
            name = v.strip().lower()
            if name.startswith(("python", "ipython")) or name in ("py", "xpython"):
                return "python"
            if name in ("ir",):
                return "r"
            return re.sub(r"[-_]?[0-9.]+$", "", name) or name
    return "python"


def source_of(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _sidecar(path: Path) -> dict[str, Any]:
    for name in (path.with_suffix(".nbdata"), path.with_suffix(".ipynb-meta"), Path(f"{path}-meta")):
        if name.is_file():
            try:
                text = name.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            found = conventions.header_lines(text) or conventions.yaml_block(text)
            if found:
                return found[0]
    return {}


def load(path: Path) -> NotebookPost:
    """A notebook post with its metadata read by every convention; the cell that held it removed."""
    nb = read(path)
    meta: dict[str, Any] = {}
    notes: list[str] = []
    for key in ("title", "date", "description"):
        v = nb.metadata.get(key)
        if isinstance(v, str) and v.strip():
            meta[key] = v.strip()
    authors = nb.metadata.get("authors")
    if isinstance(authors, list) and authors:
        meta["authors"] = authors
    for key in ("nikola", "pelican", "blog", "post"):
        if isinstance(nb.metadata.get(key), dict):
            meta.update(conventions.nikola_fields(nb.metadata[key]) if key == "nikola" else nb.metadata[key])
    meta.update(_sidecar(path))
    first = next((i for i, c in enumerate(nb.cells) if source_of(c).strip()), None)
    if first is not None and nb.cells[first].cell_type in ("raw", "markdown"):
        text = source_of(nb.cells[first])
        found = (conventions.yaml_block(text) or conventions.fastpages_cell(text)
                 or conventions.nikola_comments(text) or conventions.header_lines(text))
        if found and (nb.cells[first].cell_type == "markdown" or found[0]):
            fm, rest = found
            meta = {**fm, **{k: v for k, v in meta.items() if k not in fm}}
            if rest.strip():  # Quarto renders what follows the YAML in that cell as Markdown
                nb.cells[first] = nbformat.v4.new_markdown_cell(rest.strip("\n"))
            else:
                del nb.cells[first]
    return NotebookPost(path, conventions.normalise(meta), nb, language(nb), notes)


def tags_of(cell: Any) -> list[str]:
    """The MyST-NB tags a code cell gets: its own, and those its hide conventions mean (see the module's table)."""
    md = cell.get("metadata") or {}
    tags = [t for t in (md.get("tags") or []) if isinstance(t, str)]
    jmeta = md.get("jupyter") if isinstance(md.get("jupyter"), dict) else {}
    if jmeta.get("source_hidden"):
        tags.append("hide-input")
    if jmeta.get("outputs_hidden") or md.get("collapsed") is True:
        tags.append("hide-output")
    for line in source_of(cell).split("\n"):
        if not line.strip():
            continue
        m = _FASTPAGES_FLAG.match(line) or _QUARTO_FLAG.match(line)
        if m:
            tag = FLAG_TAGS.get(m.group(1))
            if tag:
                tags.append(tag)
            continue
        o = _QUARTO_OPTION.match(line)
        if o:
            tag = OPTION_TAGS.get((o.group(1).lower(), o.group(2).strip().strip("\"'").lower()))
            if tag:
                tags.append(tag)
            continue
        break
    if _INSTALL.search(source_of(cell)) and "skip-execution" not in tags:
        tags.append("skip-execution")  # the book's environment is its requirements.txt; a build installs nothing
    if "remove-cell" in tags:
        tags = [t for t in tags if t not in ("remove-input", "remove-output", "hide-input", "hide-output")]
    return list(dict.fromkeys(tags))


def installs(cell: Any) -> bool:
    """Whether a code cell installs packages (``!pip install``, ``%conda install``...)."""
    return bool(_INSTALL.search(source_of(cell)))


def attachments(cell: Any, index: int) -> tuple[str, dict[str, bytes]]:
    """A markdown cell's text with ``attachment:NAME`` references pointing at the post's folder, and the files."""
    att = cell.get("attachments") or {}
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    for name, bundle in att.items():
        if not isinstance(bundle, dict):
            continue
        for mime, ext in IMAGE_TYPES.items():
            if mime in bundle:
                data = _decode(bundle[mime], mime)
                if data is not None:
                    stem = safe_name(str(name)).rsplit(".", 1)[0]
                    out = f"cell{index}-{stem}.{ext}"
                    files[out] = data
                    names[str(name)] = out
                break
    text = _CONTROL.sub("", source_of(cell))  # control characters are not text (and mark cells while converting)
    if names:
        text = _ATTACHMENT.sub(lambda m: PLACEHOLDER + names[m.group(1)] if m.group(1) in names else m.group(), text)
    return text, files


def _decode(value: Any, mime: str) -> bytes | None:
    text = "".join(value) if isinstance(value, list) else value
    if not isinstance(text, str):
        return None
    if mime == "image/svg+xml":
        return text.encode("utf-8")
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return None


def output_blocks(cell: Any, index: int, lang: str) -> tuple[list[str], dict[str, bytes]]:
    """The recorded outputs of a cell the book does not run: text as ``text`` blocks, images as files."""
    out: list[str] = []
    files: dict[str, bytes] = {}
    for k, o in enumerate(cell.get("outputs") or []):
        kind = o.get("output_type")
        if kind == "stream":
            text = "".join(o.get("text", "")) if isinstance(o.get("text"), list) else str(o.get("text", ""))
        elif kind == "error":
            text = "\n".join(_ANSI.sub("", line) for line in (o.get("traceback") or [])) or \
                f"{o.get('ename')}: {o.get('evalue')}"
        elif kind in ("execute_result", "display_data"):
            data = o.get("data") or {}
            image = next((m for m in IMAGE_TYPES if m in data), None)
            if image is not None:
                blob = _decode(data[image], image)
                if blob is not None:
                    name = f"output-{index}-{k}.{IMAGE_TYPES[image]}"
                    files[name] = blob
                    out.append(f"![output of cell {index}]({PLACEHOLDER}{name})")
                    continue
            plain = data.get("text/plain")
            text = "".join(plain) if isinstance(plain, list) else (plain or "")
        else:
            continue
        text = _ANSI.sub("", text).rstrip("\n")
        if text.strip():
            fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
            out.append(f"{fence}text\n{text}\n{fence}")
    return out, files


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def static_code(cell: Any, lang: str, lexer: str) -> str:
    """A code cell the book does not run, as a fenced block in its language."""
    src = source_of(cell).rstrip("\n")
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", src)), default=0) + 1)
    return f"{fence}{lexer}\n{src}\n{fence}"


def myst_body(nb: nbformat.NotebookNode) -> str:
    """The body jupytext writes for ``nb`` as a MyST notebook (its YAML header left out: the import writes one)."""
    nb = copy.deepcopy(nb)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
                   "language_info": {"name": "python", "pygments_lexer": "ipython3"}}
    text = jupytext.writes(nb, fmt="md:myst")
    m = re.match(r"^---\n.*?\n---\n", text, re.S)
    return text[m.end():] if m else text


def published_record(nb: nbformat.NotebookNode) -> bytes:
    """The author's notebook as the published record: every cell and recorded output, as nbformat writes it."""
    record = copy.deepcopy(nb)
    record.nbformat_minor = max(int(record.get("nbformat_minor") or 0), 5)  # cell ids are nbformat 4.5
    for i, cell in enumerate(record.cells):
        cell["id"] = f"cell-{i}"
    return nbformat.writes(record).encode("utf-8") + b"\n"


def split_cells(text: str, count: int) -> list[str]:
    """The converted markdown cells of a body joined with :data:`CELL_MARK` (``count`` of them)."""
    parts = _CELL_SPLIT.split("\n" + text)
    out = [""] * count
    for i in range(1, len(parts), 2):
        n = int(parts[i])
        if 0 <= n < count:
            out[n] = parts[i + 1].strip("\n")
    return out
