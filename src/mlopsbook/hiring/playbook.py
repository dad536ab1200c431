"""The playbook "How to Hire Senior Engineers" as tables, built from the framework data (never typed by hand).

Each function returns a pandas ``DataFrame``; :func:`markdown` turns one into a Markdown table (via ``tabulate``)
for display in the book, where long anchor texts must not be truncated.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from mlopsbook.hiring import validity
from mlopsbook.hiring.framework import Framework


def markdown(df: pd.DataFrame, index: bool = False) -> Markdown:
    """A DataFrame as a Markdown table for display (full text, no truncation)."""
    return Markdown(df.to_markdown(index=index))


def scale_table(fw: Framework) -> pd.DataFrame:
    return pd.DataFrame({"score": list(fw.score_labels), "meaning": list(fw.score_labels.values())})


def anchors_table(fw: Framework) -> pd.DataFrame:
    """One row per competency: name, whether the post names it, and the behavioural anchor of every score."""
    rows = []
    for c in fw.competencies:
        row = {"competency": c.name, "in the post": "yes" if c.from_post else "added"}
        row.update({f"{s} ({fw.score_labels[s]})": c.anchors[s] for s in sorted(c.anchors)})
        rows.append(row)
    return pd.DataFrame(rows)


def roles_table(fw: Framework) -> pd.DataFrame:
    """Competency weights per role, normalised to percent, core competencies marked with an asterisk."""
    data = {}
    for r in fw.roles:
        w = r.normalised_weights()
        data[r.name] = [f"{100 * w[c.id]:.1f}%" + (" *" if c.id in r.core else "") for c in fw.competencies]
    return pd.DataFrame(data, index=[c.name for c in fw.competencies]).rename_axis("competency").reset_index()


def levels_table(fw: Framework) -> pd.DataFrame:
    return pd.DataFrame([{
        "level": lv.name,
        "role-weighted mean at least": lv.min_weighted_mean,
        "each core competency at least": lv.min_core,
        "every competency at least": lv.min_any,
    } for lv in fw.levels])


def loop_table(fw: Framework, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The loop's stages with the published validity of the kind of method each stage is (2022 and 1998)."""
    table = validity.load() if table is None else table
    names = {c.id: c.name for c in fw.competencies}
    rows = []
    for s in fw.loop:
        row = {
            "stage": s.name,
            "minutes": s.duration_min,
            "assesses": ", ".join(names[c] for c in s.competencies),
            "method": table.loc[table["method_id"] == s.method, "method"].iloc[0],
        }
        for meta, col in (("sackett_2022", "validity (2022)"), ("schmidt_hunter_1998", "validity (1998)")):
            try:
                row[col] = validity.validity_of(s.method, meta, table)
            except KeyError:
                row[col] = float("nan")
        row["format"] = s.format
        rows.append(row)
    return pd.DataFrame(rows)


def exercises_table(fw: Framework) -> pd.DataFrame:
    roles = {r.id: r.name for r in fw.roles}
    return pd.DataFrame([{
        "stage": s.name, "exercise": e.title, "for": ", ".join(roles[r] for r in e.roles), "brief": e.brief,
    } for s in fw.loop for e in s.exercises])
