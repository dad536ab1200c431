"""The hiring verdict of "Engineering culture & leadership" (C10): the loop's validity against the screens it is
compared with, simulated and in closed form."""

from mlopsbook.publishing.claims import Status
from mlopsbook.reproductions.engineering_culture_leadership import hiring as verdicts


def test_verdict_c10_is_conditional_and_orders_the_screens():
    a = verdicts.verdict_c10()
    assert a.claim_id == "C10" and a.status is Status.HOLDS_UNDER_CONDITIONS
    f = a.figures
    assert f["loop_validity_low"] <= f["loop_validity_mid"] <= f["loop_validity_high"]
    assert f["loop_validity_low"] > f["v_structured_interview"] > f["v_unstructured_interview"]
    assert f["hires_z_loop_mid"] > f["hires_z_puzzle_at_analogue"]
    assert f["icc21_anchored"] > f["icc21_unanchored"]
    assert "no published validity" in a.summary and "unpublished" in a.conditions
    assert all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in f.values())


def test_comparison_table_simulation_agrees_with_closed_form_and_ranks_the_loop_first():
    t = verdicts.comparison_table(n_pools=4000, seed=1)
    assert len(t) == len(verdicts.SHARED_ERROR_CORRS) + 3 + len(verdicts.PUZZLE_ASSUMED_VALIDITIES)
    gap = (t["hires, SD above mean (simulated)"] - t["hires, SD above mean (closed form)"]).abs()
    assert (gap < 0.03).all()  # SE of the mean of 4000 pools is about 0.004 z
    loop = t[t["screen"].str.startswith("framework loop")]
    assert loop["validity"].min() > t.loc[~t.index.isin(loop.index), "validity"].max()
