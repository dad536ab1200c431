"""The book's Sphinx extension: verdict blocks, the claims ledger, post headers and listings, launch links.

- Verdicts: a notebook output carrying :data:`mlopsbook.publishing.claims.VERDICT_MIME` is rendered (by a myst-nb mime renderer
  plugin registered as an entry point) as its admonition block with an anchor ``verdict-<post>-<id>``, and its record
  is stored in the build environment with the post it belongs to (the post whose page or companion page shows it).
  The ledger is therefore built from the executed notebooks, never typed.
- ``{claims-ledger}``: every claim of every post as a card, grouped by post, keyed by (post, claim): two posts may
  both have a ``C1``. A declared claim without a computed verdict, a verdict for an undeclared claim or a verdict shown
  twice is a build warning (an error under ``-W``).
- ``{claims-at-a-glance}`` and alt text for every image: :mod:`mlopsbook.publishing.sphinx_reading`.
- ``{post-list}``: the home page listing (title, date, description, tags, and the metric badge when the post has a
  metric); every post page also gets a header with the same metadata (ABlog, which provides feeds and archives,
  ignores description and metric).
- Execution: every executed page, verdict card and ledger card says when and where its evidence was executed, and
  whether it was reused from the committed snapshot or executed for this build (:func:`execution_line`).
- Launch links: Colab cannot open a MyST ``.md``, so its button points at the executed snapshot ``.ipynb``.
- The site's base URL (feed, sitemap, OpenGraph) derives from the one ``repository.url`` setting.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.util import logging

from mlopsbook import posts
from mlopsbook.publishing import sphinx_reading
from mlopsbook.publishing.claims import VERDICT_MIME, Status, Verdict

LOG = logging.getLogger(__name__)
POST_DIR = posts.book.POST_DIR


# -- verdict outputs (myst-nb mime renderer plugin) --------------------------------------------------------------
class VerdictRenderer:
    """myst-nb ``MimeRenderPlugin`` for :data:`VERDICT_MIME` outputs."""

    mime_priority_overrides = [("*", VERDICT_MIME, 1)]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        if data.mime_type != VERDICT_MIME:
            return None
        rec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        verdict = Verdict.from_record(rec)
        document = renderer.renderer.document
        env = getattr(document.settings, "env", None)
        post = post_of(env.docname) if env is not None else None
        executed = execution_line(env, verdict.evidence_page or env.docname) if env is not None else ""
        if env is not None:
            env.mlopsbook_verdicts.setdefault(env.docname, []).append({**verdict.record(), "post": post,
                                                                       "executed": executed})
        from myst_nb.core.render import MimeData

        md = MimeData("text/markdown", sphinx_reading.card_markdown(verdict, executed),
                      cell_metadata=data.cell_metadata,
                      output_metadata=data.output_metadata, line=data.line)
        children = renderer.render_markdown(md)
        box = nodes.container(classes=["mlopsbook-verdict"], ids=[anchor(post, verdict.claim_id)])
        box.extend(children)
        return [box]


def execution_line(env: Any, docname: str) -> str:
    """When and where the evidence of ``docname`` was executed, from its execution record
    (:mod:`mlopsbook.publishing.bookcache`); without a record, myst-nb executed the page during this build."""
    rec = getattr(env, "mlopsbook_records", {}).get(docname)
    line = rec.describe() if rec is not None else "Evidence executed during this build (no execution record)."
    if docname != env.docname:
        line = f"From the run of {docname.rsplit('/', 1)[-1]}: {line[0].lower()}{line[1:]}"
    return line


def _execution_note(app: Sphinx, doctree: nodes.document) -> None:
    """Under the title of every executed page, the sentence of :func:`execution_line`."""
    from myst_nb.sphinx_ import NbMetadataCollector

    docname = app.env.docname
    if NbMetadataCollector.get_exec_data(app.env, docname) is None and docname not in app.env.mlopsbook_records:
        return
    note = nodes.paragraph(text=execution_line(app.env, docname), classes=["mlopsbook-execution"])
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        section.insert(1, note)
    else:
        doctree.insert(0, note)


def post_of(docname: str) -> str | None:
    """The post a document belongs to: ``notebooks/<slug>`` and its companion pages ``notebooks/<slug>/...``."""
    m = re.match(rf"{POST_DIR}/([^/]+)", docname)
    return m.group(1) if m else None


def anchor(post: str | None, claim_id: str) -> str:
    """The id of a verdict block: unique per post, so two posts' ``C1`` never share one."""
    return f"verdict-{post}-{claim_id.lower()}" if post else f"verdict-{claim_id.lower()}"


# -- ledger ------------------------------------------------------------------------------------------------------
class ledger_placeholder(nodes.General, nodes.Element):
    pass


class ClaimsLedger(Directive):
    has_content = False

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        env.mlopsbook_ledger_docs.add(env.docname)
        return [ledger_placeholder()]


class ExecutionTable(Directive):
    """``{execution-table}``: every executed page with when and where its evidence ran, from the execution records
    (``mlopsbook book``): date, commit, cores and memory of the machine, wall time, peak memory, reused or executed
    for this build."""

    has_content = False
    HEAD = ("Page", "Executed", "Commit", "Machine", "Wall time", "Peak memory", "In this build")

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        env.mlopsbook_ledger_docs.add(env.docname)  # read again whenever anything is
        rows = []
        for doc, rec in sorted(getattr(env, "mlopsbook_records", {}).items()):
            rows.append((doc, rec.date or "unrecorded", rec.commit[:10] or "uncommitted",
                         f"{rec.cores} cores, {rec.memory_bytes / 2**30:.0f} GiB", f"{rec.wall_s:.0f} s",
                         f"{rec.peak_bytes / 1e9:.2f} GB", "executed" if rec.origin == "build" else "reused"))
        if not rows:
            return [nodes.paragraph(text="No execution records: this build ran without `mlopsbook book`.")]
        table = nodes.table(classes=["mlopsbook-executions"])
        group = nodes.tgroup(cols=len(self.HEAD))
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in self.HEAD)
        for part, lines in ((nodes.thead(), [self.HEAD]), (nodes.tbody(), rows)):
            for line in lines:
                row = nodes.row()
                for i, text in enumerate(line):
                    entry = nodes.entry()
                    if part.tagname == "tbody" and i == 0:
                        para = nodes.paragraph()
                        para += _doc_ref(text)
                        entry += para
                    else:
                        entry += nodes.paragraph(text=text)
                    row += entry
                part += row
            group += part
        return [table]


def _doc_ref(docname: str) -> nodes.Node:
    from sphinx import addnodes

    ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget=f"/{docname}", refexplicit=False,
                                refwarn=True)
    ref += nodes.literal(text=docname)
    return ref


def _post_docnames(app: Sphinx) -> list[str]:
    return sorted(d for d in app.env.found_docs if re.fullmatch(rf"{POST_DIR}/[^/]+", d))


def _post_meta(app: Sphinx) -> dict[str, dict[str, Any]]:
    """Every post's frontmatter, by docname (each file read once)."""
    return {d: posts.read(app.env.doc2path(d)).metadata for d in _post_docnames(app)}


def _verdicts(env: Any) -> dict[tuple[str | None, str], tuple[str, dict[str, Any]]]:
    """Every computed verdict by (post, claim id), with the document that shows it."""
    out: dict[tuple[str | None, str], tuple[str, dict[str, Any]]] = {}
    for doc, recs in sorted(env.mlopsbook_verdicts.items()):
        for rec in recs:
            out[(rec.get("post", post_of(doc)), rec["claim_id"])] = (doc, rec)
    return out


def _ledger_table(app: Sphinx, fromdocname: str) -> nodes.Node:
    """The ledger: for each post (newest first) a heading, then one card per claim (id, verdict, the post's words,
    where it holds or why, a link to the verdict). Cards, not a wide table, so that the long "where it holds" text
    wraps inside the content column at any width instead of running past it."""
    builder = app.builder
    verdicts = _verdicts(app.env)
    counts: dict[str, int] = {}
    metas = _post_meta(app)
    declared = {post_of(doc): list(meta.get("claims") or []) for doc, meta in metas.items()}
    groups: list[nodes.Element] = []
    for doc in _by_date(metas):
        post, post_claims = post_of(doc), declared[post_of(doc)]
        if not post_claims:
            continue
        title = app.env.titles[doc].astext() if doc in app.env.titles else doc
        group = nodes.container(classes=["mlopsbook-ledger-post"])
        heading = nodes.paragraph(classes=["mlopsbook-ledger-post-title"])
        heading += nodes.strong("", "", _ref(builder, fromdocname, doc, "", title))
        heading += nodes.Text(f" · {len(post_claims)} claims")
        group += heading
        for c in post_claims:
            cid = c["id"]
            where, rec = verdicts.get((post, cid), (None, None))
            status = rec["status"] if rec else "no verdict computed"
            counts[status] = counts.get(status, 0) + 1
            if rec is None:
                LOG.warning(f"claim {cid} of {doc} has no computed verdict in any executed notebook",
                            location=fromdocname)
            group += _ledger_card(builder, fromdocname, post, cid, c["says"], status, rec, where,
                                  _history_text(app, where, cid))
        groups.append(group)
    declared_ids = {(post, c["id"]) for post, post_claims in declared.items() for c in post_claims}
    for (post, cid), (doc, _) in verdicts.items():
        if (post, cid) not in declared_ids:
            LOG.warning(f"{doc} shows a verdict for {cid}, which {'post ' + post if post else 'no post'} does not "
                        "declare", location=fromdocname)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    n_posts = sum(1 for claims in declared.values() if claims)
    wrap = nodes.container(classes=["mlopsbook-ledger-wrap"])
    wrap += nodes.paragraph(text=f"{sum(counts.values())} claims in {n_posts} posts: {summary}.")
    wrap.extend(groups)
    wrap.extend(_reproduction_section(app, fromdocname))
    return wrap


def _ledger_card(builder: Any, fromdoc: str, post: str | None, cid: str, says: str, status: str,
                 rec: dict[str, Any] | None, doc: str | None, history: str) -> nodes.Element:
    card = nodes.container(classes=["mlopsbook-ledger-card", "status-card-" + status.replace(" ", "-")])
    head = nodes.paragraph(classes=["mlopsbook-ledger-head"])
    head += nodes.strong(text=cid)
    head += nodes.Text(" ")
    head += nodes.inline(text=status, classes=["mlopsbook-status", "status-" + status.replace(" ", "-")])
    if doc:
        head += nodes.Text(" · ")
        head += _ref(builder, fromdoc, doc, anchor(post, cid), "verdict and evidence")
    card += head
    card += nodes.paragraph(text=f"The post says: “{says}”", classes=["mlopsbook-ledger-says"])
    if rec and rec.get("executed"):
        card += nodes.paragraph(text=rec["executed"], classes=["mlopsbook-execution"])
    why = (rec.get("conditions") or rec.get("reason") or rec["summary"]) if rec else ""
    if why:
        label = "Where it holds: " if rec and rec.get("conditions") else "Why: "
        card += nodes.paragraph(text=label + why, classes=["mlopsbook-ledger-why"])
    card += nodes.paragraph(text=history, classes=["mlopsbook-ledger-history"])
    return card


def _ref(builder: Any, fromdoc: str, todoc: str, fragment: str, text: str) -> nodes.reference:
    uri = builder.get_relative_uri(fromdoc, todoc) + (f"#{fragment}" if fragment else "")
    return nodes.reference("", text, internal=True, refuri=uri)


# -- post header and listing -------------------------------------------------------------------------------------
def _tag_uri(builder: Any, fromdoc: str, tag: str) -> str:
    from ablog.blog import os_path_join, slugify  # type: ignore[attr-defined]

    blog_path = builder.config.blog_path
    return builder.get_relative_uri(fromdoc, os_path_join(blog_path, "tag", slugify(tag)))


def _by_date(metas: dict[str, dict[str, Any]]) -> list[str]:
    """Post docnames, newest first (date, then time of day when given)."""
    return sorted(metas, key=lambda d: (str(metas[d].get("date", "")), str(metas[d].get("time") or "")), reverse=True)


def _post_card(app: Sphinx, fromdoc: str, post: str, meta: dict[str, Any], *, link_title: bool) -> nodes.Element:
    """A post's card: badge (when it has a metric), title, date, author, context, category, claims, summary, tags."""
    esc = html.escape
    builder = app.builder
    tag_list = meta.get("tags") if isinstance(meta.get("tags"), list) else []
    tags = " ".join(
        f'<a class="mlopsbook-tag" href="{esc(_tag_uri(builder, fromdoc, t))}">{esc(t)}</a>' for t in tag_list
    )
    title = esc(str(meta.get("title", post)))
    if link_title:
        title = f'<a href="{esc(builder.get_relative_uri(fromdoc, post))}">{title}</a>'
    n_claims = len(meta.get("claims") or [])
    facts = [str(meta.get("date", ""))]
    for key in ("author", "context"):
        if meta.get(key):
            facts.append(str(meta[key]))
    facts = [esc(f) for f in facts if f]
    if meta.get("category"):
        facts.append(f'category <em>{esc(str(meta["category"]))}</em>')
    if n_claims:
        facts.append(f"{n_claims} claims checked")
    badge = ""
    if meta.get("metric"):
        unit = f' · {esc(str(meta["metric_unit"]))}' if meta.get("metric_unit") else ""
        badge = f'<span class="mlopsbook-badge"><strong>{esc(str(meta["metric"]))}</strong>{unit}</span>'
    description = f'<p class="mlopsbook-post-description">{esc(str(meta["description"]))}</p>' \
        if meta.get("description") else ""
    body = (
        f'<div class="mlopsbook-post-card">{badge}'
        + (f'<h3 class="mlopsbook-post-title">{title}</h3>' if link_title else "")
        + f'<p class="mlopsbook-post-meta">{" · ".join(facts)}</p>'
        f'{description}'
        + (f'<p class="mlopsbook-post-tags">{tags}</p>' if tags else "")
        + "</div>"
    )
    return nodes.raw("", body, format="html")


def _blog_links(app: Sphinx, fromdoc: str) -> nodes.Element:
    """Links to ABlog's Atom feed and its tag, category and year archives."""
    blog = app.config.blog_path
    uri = app.builder.get_relative_uri(fromdoc, blog)  # e.g. ../blog.html
    base = uri[: -len(".html")] if uri.endswith(".html") else uri.rstrip("/")
    links = [("atom.xml", "Atom feed"), ("tag.html", "tags"), ("category.html", "categories"),
             ("archive.html", "archive")]
    html_links = " · ".join(f'<a href="{base}/{href}">{text}</a>' for href, text in links)
    return nodes.raw("", f'<p class="mlopsbook-blog-links">Subscribe or browse: {html_links}</p>', format="html")


class postlist_placeholder(nodes.General, nodes.Element):
    pass


class PostList(Directive):
    has_content = False

    def run(self) -> list[nodes.Node]:
        return [postlist_placeholder()]


def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    for node in list(doctree.findall(ledger_placeholder)):
        node.replace_self(_ledger_table(app, fromdocname))
    for node in list(doctree.findall(sphinx_reading.glance_placeholder)):
        claims = list((_post_meta(app).get(fromdocname) or {}).get("claims") or [])
        here = {rec["claim_id"]: rec for rec in app.env.mlopsbook_verdicts.get(fromdocname, [])}
        node.replace_self(sphinx_reading.glance_table(claims, here, lambda cid: anchor(post_of(fromdocname), cid)))
    sphinx_reading.fill_alt(doctree)
    mark_numeric_cells(doctree)
    if app.builder.format == "html" and post_of(fromdocname):
        _insert_after_title(doctree, _freshness_note(app, fromdocname))
    for node in list(doctree.findall(postlist_placeholder)):
        metas = _post_meta(app)
        docs = _by_date(metas)
        cards: list[nodes.Node] = [_post_card(app, fromdocname, d, metas[d], link_title=True) for d in docs]
        cards.append(_blog_links(app, fromdocname))
        node.replace_self(cards)
    if fromdocname in _post_docnames(app) and app.builder.format == "html":
        sections = list(doctree.findall(nodes.section))
        if sections:
            title_idx = sections[0].first_child_matching_class(nodes.title)
            meta = posts.read(app.env.doc2path(fromdocname)).metadata
            sections[0].insert((title_idx or 0) + 1, _post_card(app, fromdocname, fromdocname, meta, link_title=False))
            result = _reproduction(app, fromdocname)
            if result is not None:
                cells = [n for n in doctree.findall(nodes.container) if n.get("nb_element") == "cell_code"]
                for k, cell in enumerate(cells):
                    cell["ids"].append(reproduction_anchor(k))
                sections[0].insert((title_idx or 0) + 2, _reproduction_note(app, fromdocname, fromdocname, result))


# -- tables for people -------------------------------------------------------------------------------------------
_NUMERIC_TD = re.compile(r"<td>(\s*[-+−]?[$€£]?\s*(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?\s*%?\s*)</td>")


def mark_numeric_cells(doctree: nodes.document) -> None:
    """Give every table cell (a notebook's HTML output or a Markdown table) that holds one number the class ``mlopsbook-num`` (kept on one line, figures
    aligned, by the book's CSS): a notebook's table output is raw HTML that CSS alone cannot tell numbers in."""
    for node in list(doctree.findall(nodes.raw)):
        if node.get("format") == "html" and "<td>" in node.astext():
            text = _NUMERIC_TD.sub(r'<td class="mlopsbook-num">\1</td>', node.astext())
            node.replace_self(nodes.raw("", text, format="html", classes=node.get("classes", [])))
    for entry in doctree.findall(nodes.entry):
        if _NUMERIC_TD.fullmatch(f"<td>{entry.astext()}</td>"):
            entry["classes"].append("mlopsbook-num")


# -- how old the dated inputs are, and each verdict's history -----------------------------------------------------
def _insert_after_title(doctree: nodes.document, node: nodes.Element | None) -> None:
    sections = list(doctree.findall(nodes.section))
    if node is None or not sections:
        return
    title_idx = sections[0].first_child_matching_class(nodes.title)
    sections[0].insert((title_idx or 0) + 1, node)


def _freshness_note(app: Sphinx, docname: str) -> nodes.Element | None:
    """"Dated inputs of this page, on <build date>: prices dated ..., N days old" (see
    :mod:`mlopsbook.publishing.freshness`), rendered at build time so that no snapshot carries the build date."""
    from mlopsbook.paths import repo_root
    from mlopsbook.publishing import drift, freshness

    root = repo_root()
    source = Path(app.env.doc2path(docname)).resolve()
    try:
        rel = source.relative_to(root).as_posix()
    except ValueError:
        return None
    text = freshness.note(freshness.dated_inputs(root, drift.notebook_inputs(root, rel)), freshness.build_date())
    if not text:
        return None
    box = nodes.container(classes=["mlopsbook-freshness"])
    para = nodes.paragraph()
    for k, part in enumerate(text.split("`")):
        para += nodes.literal(text=part) if k % 2 else nodes.Text(part)
    box += para
    return box


def _history(app: Sphinx) -> Any:
    """Each claim's verdict history from the snapshots' git history, read once per build."""
    if not hasattr(app, "_mlopsbook_history"):
        from mlopsbook.paths import repo_root
        from mlopsbook.publishing import drift

        app._mlopsbook_history = drift.verdict_history(repo_root())  # type: ignore[attr-defined]
    return app._mlopsbook_history  # type: ignore[attr-defined]


def _history_text(app: Sphinx, doc: str | None, cid: str) -> str:
    hist = _history(app)
    if isinstance(hist, str):
        return hist[:1].upper() + hist[1:] + "."
    change = hist.get(f"snapshots/{doc}.ipynb#{cid}") if doc else None
    if change is None:
        return "Verdict history: not in the committed snapshots yet."
    if change.bounded:
        return f"Verdict history: {change.status} in every committed snapshot since {change.since_date}."
    if change.previous is None:
        return f"Verdict history: {change.status} since {change.since_date} (commit {change.since_commit}), its first."
    return (f"Verdict history: {change.status} since {change.since_date} (commit {change.since_commit}); "
            f"before that, {change.previous}.")


# -- reproduces as published ------------------------------------------------------------------------------------
def reproduction_anchor(code_cell: int) -> str:
    """The id of a post's code cell (0-based among its code cells) that the "reproduces as published" line links."""
    return f"published-cell-{code_cell + 1}"


def _reproduction(app: Sphinx, docname: str) -> Any:
    from mlopsbook.posts import reproduction

    return reproduction.for_post(Path(app.env.doc2path(docname)), Path(app.srcdir))


def _reproduction_note(app: Sphinx, fromdoc: str, doc: str, result: Any) -> nodes.Element:
    """``Reproduces as published: N of M outputs`` with the first differing cell linked and the reasons counted."""
    box = nodes.container(classes=["mlopsbook-reproduction"])
    para = nodes.paragraph()
    para += nodes.strong(text="Reproduces as published: ")
    para += nodes.Text(f"{result.reproduced} of {result.total} outputs of the author's notebook, as the book runs it")
    first = result.first_difference
    diff = result.count("differs")
    if first is not None:
        para += nodes.Text(f"; {diff} differ{'s' if diff == 1 else ''}, first ")
        para += _ref(app.builder, fromdoc, doc, reproduction_anchor(first.index), f"code cell {first.index + 1}")
    reasons = result.reasons()
    if reasons:
        para += nodes.Text(f"; {sum(reasons.values())} not compared (" +
                           ", ".join(f"{n}: {r}" for r, n in reasons.items()) + ")")
    para += nodes.Text(".")
    box += para
    return box


def _reproduction_section(app: Sphinx, fromdoc: str) -> list[nodes.Node]:
    """The ledger's list of imported notebook posts with their "reproduces as published" figure."""
    items = []
    for doc in _post_docnames(app):
        result = _reproduction(app, doc)
        if result is None:
            continue
        title = app.env.titles[doc].astext() if doc in app.env.titles else doc
        item = _reproduction_note(app, fromdoc, doc, result)
        item.insert(0, nodes.paragraph("", "", nodes.strong("", "", _ref(app.builder, fromdoc, doc, "", title))))
        items.append(item)
    if not items:
        return []
    wrap = nodes.container(classes=["mlopsbook-ledger-reproductions"])
    wrap += nodes.paragraph(text=f"{len(items)} post(s) imported as notebooks, compared with the outputs their "
                                 "authors published:")
    wrap.extend(items)
    return [wrap]


# -- data provenance --------------------------------------------------------------------------------------------
class DataInventory(Directive):
    """``{data-inventory}``: every file under ``data/`` with its size and digest, then each folder's README.

    Nothing is listed by hand: a new data file appears here at the next build. A folder without a README is a build
    warning (an error under ``-W``): every input needs its provenance.
    """

    has_content = False

    def run(self) -> list[nodes.Node]:
        import hashlib

        from mlopsbook.paths import repo_root

        env = self.state.document.settings.env
        data = repo_root() / "data"
        rows = []
        readmes: list[Path] = []
        for folder in sorted(p for p in data.iterdir() if p.is_dir()):
            readme = folder / "README.md"
            if readme.is_file():
                readmes.append(readme)
                env.note_dependency(str(readme))
            else:
                LOG.warning(f"data/{folder.name}/ has no README.md stating the provenance of its files",
                            location=env.docname)
            for f in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "README.md"):
                env.note_dependency(str(f))
                digest = hashlib.sha256(f.read_bytes()).hexdigest()[:12]
                rows.append(f"| `{f.relative_to(repo_root()).as_posix()}` | {f.stat().st_size:,} | `{digest}` |")
        lines = ["| File | Bytes | SHA-256 (first 12) |", "|---|---:|---|", *rows, ""]
        for readme in readmes:
            rel = readme.relative_to(repo_root()).as_posix()
            text = readme.read_text(encoding="utf-8")
            if not text.lstrip().startswith("# "):
                lines += [f"## `{rel.rsplit('/', 1)[0]}/`", ""]
            for line in text.splitlines():
                lines.append("#" + line if line.startswith("#") else line)  # nest the README's headings
            lines.append("")
        from docutils.statemachine import StringList

        box = nodes.container(classes=["mlopsbook-data-inventory"])
        self.state.nested_parse(StringList(lines, str(data)), self.content_offset, box, match_titles=True)
        return box.children


# -- environment bookkeeping -------------------------------------------------------------------------------------
def _env_init(app: Sphinx) -> None:
    env = app.env
    if not hasattr(env, "mlopsbook_verdicts"):
        env.mlopsbook_verdicts = {}
    if not hasattr(env, "mlopsbook_ledger_docs"):
        env.mlopsbook_ledger_docs = set()
    if not hasattr(env, "mlopsbook_read_records"):
        env.mlopsbook_read_records = {}
    from mlopsbook.publishing import bookcache

    env.mlopsbook_records = bookcache.load_records(Path(app.srcdir))


def _purge(app: Sphinx, env: Any, docname: str) -> None:
    env.mlopsbook_verdicts.pop(docname, None)
    env.mlopsbook_ledger_docs.discard(docname)


def _merge(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    for d in docnames:
        if d in other.mlopsbook_verdicts:
            env.mlopsbook_verdicts[d] = other.mlopsbook_verdicts[d]
        if d in other.mlopsbook_ledger_docs:
            env.mlopsbook_ledger_docs.add(d)


def _outdated(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    # A page whose execution changed (a new run, or reuse in place of a run) is read again; the ledger and the home
    # page read every post: rebuild them whenever anything is rebuilt.
    _env_init(app)
    now = {d: r.to_json() for d, r in env.mlopsbook_records.items()}
    rerun = {d for d, r in now.items() if env.mlopsbook_read_records.get(d) != r and d in env.found_docs}
    env.mlopsbook_read_records = now
    anything = added | changed | removed | rerun
    return sorted(rerun | env.mlopsbook_ledger_docs | {app.config.root_doc}) if anything else []


def _check_verdicts(app: Sphinx, env: Any) -> None:
    """Each verdict shown once per post, with a known status."""
    seen: dict[tuple[str | None, str], str] = {}
    for doc, recs in sorted(env.mlopsbook_verdicts.items()):
        for rec in recs:
            key = (rec.get("post", post_of(doc)), rec["claim_id"])
            if key in seen:
                LOG.warning(f"verdict for {key[1]} of {key[0]} shown twice: in {seen[key]} and {doc}")
            seen[key] = doc
            Status(rec["status"])


# -- launch links and base URL -----------------------------------------------------------------------------------
def _repo_parts(url: str) -> tuple[str, str] | None:
    m = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", url or "")
    return (m.group(1), m.group(2)) if m else None


def _config_inited(app: Sphinx, config: Any) -> None:
    opts = config.html_theme_options or {}
    parts = _repo_parts(opts.get("repository_url", ""))
    if parts and not config.html_baseurl:
        owner, repo = parts
        config.html_baseurl = f"https://{owner.lower()}.github.io/{repo}/"
    if config.html_baseurl:
        config.blog_baseurl = config.html_baseurl
        config.ogp_site_url = config.html_baseurl


def _dedupe_scripts(context: dict) -> None:
    """Keep one copy of each inline script that declares a variable.

    sphinx-thebe (and sphinx-togglebutton) register their inline configuration scripts once per read pass, and
    Jupyter Book's configuration registers them again with its own values: the page then declares ``const
    THEBE_JS_URL`` twice, which is a JavaScript error. The last registration wins, as it would in Python.
    """
    scripts = context.get("script_files", [])
    names = [re.match(r"\s*(?:const|let|var)\s+(\w+)", str(getattr(js, "attributes", {}).get("body", "")))
             for js in scripts]
    last = {m.group(1): i for i, m in enumerate(names) if m}
    unique = [js for i, (js, m) in enumerate(zip(scripts, names)) if m is None or last[m.group(1)] == i]
    scripts[:] = unique  # in place: Sphinx restores the list before the next page


def _page_defaults(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """One copy of each inline config script; a theme mode on pages that ABlog renders from its own templates."""
    _dedupe_scripts(context)
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def _launch_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Point the Colab button at the executed snapshot (Colab cannot open a MyST ``.md``)."""
    opts = app.config.html_theme_options or {}
    parts = _repo_parts(opts.get("repository_url", ""))
    if not parts:
        return
    branch = opts.get("repository_branch", "main")
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Colab":
                owner, repo = parts
                button["url"] = (f"https://colab.research.google.com/github/{owner}/{repo}/blob/{branch}/"
                                 f"snapshots/{pagename}.ipynb")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("claims-ledger", ClaimsLedger)
    app.add_directive("post-list", PostList)
    app.add_directive("execution-table", ExecutionTable)
    app.add_directive("data-inventory", DataInventory)
    app.add_directive("claims-at-a-glance", sphinx_reading.ClaimsAtAGlance)
    app.add_node(sphinx_reading.glance_placeholder)
    app.add_node(ledger_placeholder)
    app.add_node(postlist_placeholder)
    app.connect("builder-inited", _env_init)
    app.connect("config-inited", _config_inited)
    app.connect("env-before-read-docs", lambda app, env, docs: _env_init(app))
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-updated", _check_verdicts)
    app.connect("doctree-resolved", _resolve)
    app.connect("doctree-read", _execution_note)
    # html-page-context is emitted with emit_firstresult: run before any handler that returns a template name.
    app.connect("html-page-context", _page_defaults, priority=100)
    app.connect("html-page-context", _launch_links, priority=501)
    app.add_css_file("mlopsbook.css")
    static = Path(__file__).parent / "static"
    app.connect("builder-inited", lambda app: app.config.html_static_path.append(str(static)))
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
