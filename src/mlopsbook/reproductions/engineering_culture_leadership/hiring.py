"""The verdict on claim C10: the hiring framework ("actual engineering, not leetcode tricks") evaluates candidates
better.

The evidence is published (operational validities from the two meta-analyses, ``data/hiring/validity-*.csv``) and
simulated (the standard selection model of :mod:`~mlopsbook.hiring.selection` and the rater model of
:mod:`~mlopsbook.hiring.raters`). The verdict itself uses only closed forms, so it is exact, deterministic and fast;
the companion notebook checks every closed form against simulation.

Assumptions (stated here, shown in the book, swept there): the hiring scenario (:data:`N_CANDIDATES`,
:data:`N_HIRES`), how much the loop's stages share error (:data:`SHARED_ERROR_CORRS`), the rater noise of unanchored
scoring (:data:`UNANCHORED`) and how much anchors remove (:data:`ANCHOR_VARIANCE_REDUCTION`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mlopsbook.publishing.claims import Status, Verdict
from mlopsbook.hiring import framework, raters, selection, validity

N_CANDIDATES = 100
"""Candidates per opening in the illustrative scenario (assumption)."""
N_HIRES = 10
"""Hires from them: a 10 % selection ratio (assumption)."""
SHARED_ERROR_CORRS = (0.0, 0.3, 0.6)
"""Correlation between the loop stages' errors (assumption, no published figure): none, moderate, strong overlap."""
UNANCHORED = raters.RaterNoise(leniency_sd=0.5, error_sd=1.0)
"""Rater noise of unanchored scoring, in SDs of true competency (assumption)."""
ANCHOR_VARIANCE_REDUCTION = 0.5
"""Share of rater variance removed by behavioural anchors (assumption; the notebook sweeps 0-0.75)."""
N_RATERS = 2
"""Interviewers per competency: the framework's calibration minimum."""
PUZZLE_ANALOGUE = "cognitive_ability_test"
"""The published method closest to a timed algorithm-puzzle screen (a problem-solving test): used as a reference
point only, never as the puzzle's validity, which is unpublished."""


def loop_validities(fw: framework.Framework | None = None, table: pd.DataFrame | None = None,
                    meta_analysis: str = "sackett_2022") -> list[float]:
    """The published validity of each stage of the framework's loop (by the stage's ``method``)."""
    fw = fw or framework.load()
    table = validity.load() if table is None else table
    return [validity.validity_of(s.method, meta_analysis, table) for s in fw.loop]


def evidence() -> dict[str, Any]:
    """Every figure the verdict uses, by name (plain Python numbers)."""
    table = validity.load()
    fw = framework.load()
    v = {m: validity.validity_of(m, "sackett_2022", table) for m in
         ("structured_interview", "job_knowledge_test", "work_sample_test", "cognitive_ability_test",
          "unstructured_interview")}
    stage_v = loop_validities(fw, table)
    loop = {c: selection.composite_validity(stage_v, c) for c in SHARED_ERROR_CORRS}
    topk = selection.top_k_mean_z(N_CANDIDATES, N_HIRES)
    anchored = UNANCHORED.anchored(ANCHOR_VARIANCE_REDUCTION)
    icc_u1, icc_uk = raters.icc_theory(UNANCHORED, N_RATERS)
    icc_a1, icc_ak = raters.icc_theory(anchored, N_RATERS)
    mid = SHARED_ERROR_CORRS[len(SHARED_ERROR_CORRS) // 2]
    return {
        "v_structured_interview": v["structured_interview"],
        "v_job_knowledge": v["job_knowledge_test"],
        "v_work_sample": v["work_sample_test"],
        "v_cognitive_ability": v["cognitive_ability_test"],
        "v_unstructured_interview": v["unstructured_interview"],
        "loop_validity_low": min(loop.values()),
        "loop_validity_mid": loop[mid],
        "loop_validity_high": max(loop.values()),
        "shared_error_corr_mid": mid,
        "shared_error_corr_max": max(SHARED_ERROR_CORRS),
        "n_candidates": N_CANDIDATES,
        "n_hires": N_HIRES,
        "hires_z_loop_mid": loop[mid] * topk,
        "hires_z_structured_interview": v["structured_interview"] * topk,
        "hires_z_unstructured_interview": v["unstructured_interview"] * topk,
        "hires_z_puzzle_at_analogue": v[PUZZLE_ANALOGUE] * topk,
        "hires_z_perfect": topk,
        "breakeven_puzzle_validity": selection.breakeven_validity(min(loop.values())),
        "icc21_unanchored": icc_u1,
        "icc21_anchored": icc_a1,
        "icc2k_unanchored": icc_uk,
        "icc2k_anchored": icc_ak,
        "validity_kept_without_anchors": (icc_uk / icc_ak) ** 0.5,
    }


def verdict_c10() -> Verdict:
    """C10 holds under conditions: structured, job-related methods have the highest published validities; the
    framework's loop hires better than a puzzle screen unless the (unpublished) puzzle validity is above the
    break-even; the loop must actually be run as structured, anchored, independently scored."""
    e = evidence()
    summary = (
        f"The loop is built from structured interviews, job knowledge tests and work samples, which the 2022 revision "
        f"(Sackett et al.) puts at {e['v_structured_interview']:.2f}, {e['v_job_knowledge']:.2f} and "
        f"{e['v_work_sample']:.2f}, at or above cognitive-ability tests ({e['v_cognitive_ability']:.2f}) and far above "
        f"unstructured interviews ({e['v_unstructured_interview']:.2f}). Combined, the loop's "
        f"validity is {e['loop_validity_low']:.2f} to {e['loop_validity_high']:.2f} depending on how much its stages "
        f"share error (assumption). Hiring {e['n_hires']} of {e['n_candidates']} (simulated selection model, closed "
        f"form), its hires average {e['hires_z_loop_mid']:.2f} SD above the applicant mean (stage errors correlated "
        f"{e['shared_error_corr_mid']:.1f}), against "
        f"{e['hires_z_puzzle_at_analogue']:.2f} SD for a screen as valid as a cognitive-ability test "
        f"({e['v_cognitive_ability']:.2f}), the nearest published analogue of a puzzle screen. Algorithm puzzles "
        f"themselves have no published validity."
    )
    conditions = (
        f"the stages are run as structured assessments (the same questions for every candidate, scored against the "
        f"behavioural anchors, independently, by at least {N_RATERS} interviewers per competency): unstructured "
        f"interviews fall to {e['v_unstructured_interview']:.2f}, and in the simulated rater model dropping anchors "
        f"lowers one interviewer's ICC(2,1) from {e['icc21_anchored']:.2f} to {e['icc21_unanchored']:.2f}, keeping "
        f"{100 * e['validity_kept_without_anchors']:.0f}% of the validity; and a puzzle screen's validity, which is "
        f"unpublished, is below {e['breakeven_puzzle_validity']:.2f}. The figures are meta-analytic averages over many "
        f"jobs, not measured for ML or data roles, and no outcome data from the author's hires exist to check the "
        f"framework itself."
    )
    figures = {k: (round(float(v), 4) if isinstance(v, float) else v) for k, v in e.items()}
    return Verdict("C10", Status.HOLDS_UNDER_CONDITIONS, summary, conditions=conditions, figures=figures)


PUZZLE_ASSUMED_VALIDITIES = (0.1, 0.2, 0.3)
"""Validities assumed for a puzzle screen in the summary table (unpublished; the notebook sweeps 0-0.6)."""


def comparison_table(n_pools: int = 5000, seed: int = 2026) -> pd.DataFrame:
    """The simulated comparison in one small table (a few seconds): for the framework's loop (at each assumed
    stage-error correlation), its best single stage, an unstructured interview, the nearest published analogue of a
    puzzle screen, and puzzle screens at assumed validities: the validity, where it comes from, and the expected
    performance of the hires (SD above the applicant mean), closed form and simulated."""
    table = validity.load()
    fw = framework.load()
    stage_v = loop_validities(fw, table)
    rows: list[tuple[str, str, list[float] | float, float]] = []
    for c in SHARED_ERROR_CORRS:
        rows.append((f"framework loop (stage errors corr. {c:.1f})", "2022 stage validities; overlap assumed",
                     stage_v, c))
    for m, label in (("structured_interview", "structured interview alone"),
                     (PUZZLE_ANALOGUE, "cognitive-ability test (nearest analogue of a puzzle)"),
                     ("unstructured_interview", "unstructured interview")):
        rows.append((label, "Sackett et al. 2022", validity.validity_of(m, "sackett_2022", table), 0.0))
    for v in PUZZLE_ASSUMED_VALIDITIES:
        rows.append((f"puzzle screen, validity {v:.1f}", "assumed (no published validity)", v, 0.0))
    topk = selection.top_k_mean_z(N_CANDIDATES, N_HIRES)
    out = []
    for label, source, vals, c in rows:
        comp = selection.composite_validity(vals if isinstance(vals, list) else [vals], c)
        sim = selection.simulate_hires(vals, N_CANDIDATES, N_HIRES, n_pools, seed, shared_error_corr=c)
        out.append({"screen": label, "validity": round(comp, 3), "validity from": source,
                    "hires, SD above mean (closed form)": round(comp * topk, 3),
                    "hires, SD above mean (simulated)": round(float(sim.mean()), 3)})
    return pd.DataFrame(out)
