"""Scorecards: validation naming the field, aggregation under the calibration rules, the `mlopsbook hiring` CLI."""

import copy
import json
from pathlib import Path

import pytest
import yaml

from mlopsbook.cli import main
from mlopsbook.hiring import framework, scorecard

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "scorecards"


@pytest.fixture(scope="module")
def fw():
    return framework.load()


@pytest.fixture
def good():
    return yaml.safe_load((FIX / "good-senior-mle.yaml").read_text())


def problems(card, fw):
    return scorecard.validate(card, fw)


def test_good_scorecard_is_valid_and_hires_at_senior(fw, good):
    assert problems(good, fw) == []
    rec = scorecard.aggregate(good, fw)
    assert rec.meets_level == "senior" and rec.decision == "hire at senior" and not rec.provisional
    scores = {c.id: c.score for c in rec.competencies}
    assert scores["engineering_maturity"] == pytest.approx((4 + 3 + 3 + 3) / 4)
    w = fw.role("ml_engineer").normalised_weights()
    assert rec.weighted_mean == pytest.approx(sum(w[c] * scores[c] for c in scores))


def test_downlevel_and_disagreement(fw):
    rec = scorecard.aggregate(yaml.safe_load((FIX / "downlevel-staff-de.yaml").read_text()), fw)
    assert rec.meets_level == "senior" and rec.decision.startswith("down-level: hire at senior")
    rec = scorecard.aggregate(yaml.safe_load((FIX / "disagreement-ds.yaml").read_text()), fw)
    assert rec.provisional
    assert [c.id for c in rec.competencies if c.needs_discussion] == ["communication"]


def test_never_up_levels(fw, good):
    card = copy.deepcopy(good)
    card["level"] = "mid"
    rec = scorecard.aggregate(card, fw)
    assert rec.decision.startswith("hire at mid") and "senior" in rec.decision


def test_all_ones_is_no_hire(fw, good):
    card = copy.deepcopy(good)
    for it in card["interviewers"]:
        it["scores"] = {k: 1 for k in it["scores"]}
    rec = scorecard.aggregate(card, fw)
    assert rec.meets_level is None and rec.decision == "no hire"


def test_a_score_exactly_at_the_bar_meets_it(fw):
    # every competency exactly 3.0: senior's bars are 3.0 (mean, core) and 2.0 (any); staff's are not met
    card = {"candidate": "x", "role": "data_scientist", "level": "senior", "interviewers": [
        {"interviewer": f"i{s.id}{j}", "stage": s.id, "scores": {c: 3 for c in s.competencies}}
        for s in fw.loop for j in range(2)]}
    rec = scorecard.aggregate(card, fw)
    assert rec.weighted_mean == pytest.approx(3.0) and rec.meets_level == "senior"


@pytest.mark.parametrize("mutate, expected", [
    (lambda c: c.__setitem__("role", "ml_eng"), "role: unknown role 'ml_eng'"),
    (lambda c: c.__setitem__("level", "principal"), "level: unknown level 'principal'"),
    (lambda c: c.pop("level"), "level: missing"),
    (lambda c: c["interviewers"][0]["scores"].__setitem__("mlops_fundamentals", 0),
     "interviewers[0].scores.mlops_fundamentals: 0 is out of range 1..4"),
    (lambda c: c["interviewers"][1]["scores"].__setitem__("engineering_maturity", 3.5),
     "interviewers[1].scores.engineering_maturity: 3.5 is not an integer score 1..4"),
    (lambda c: c["interviewers"][1]["scores"].__setitem__("engineering_maturity", "3"),
     "interviewers[1].scores.engineering_maturity: '3' is not an integer score"),
    (lambda c: c["interviewers"][0]["scores"].__setitem__("leetcode", 4),
     "interviewers[0].scores.leetcode: unknown competency"),
    (lambda c: c["interviewers"][0].__setitem__("stage", "onsite"), "interviewers[0].stage: unknown stage 'onsite'"),
    (lambda c: c["interviewers"][0]["scores"].__setitem__("communication", 3),
     "interviewers[0].scores.communication: stage 'knowledge_screen' does not assess this competency"),
    (lambda c: c["interviewers"].pop(5), "competencies.communication: scored by 1 interviewer(s)"),
    (lambda c: c["interviewers"].append(copy.deepcopy(c["interviewers"][0])),
     "interviewers[6]: 'ana' already scored stage 'knowledge_screen'"),
    (lambda c: c.__setitem__("framework", "2020-01-01"), "framework: scorecard is for framework '2020-01-01'"),
    (lambda c: c.__setitem__("salary", 1), "(top level): Additional properties"),
])
def test_invalid_scorecards_name_the_field(fw, good, mutate, expected):
    card = copy.deepcopy(good)
    mutate(card)
    probs = problems(card, fw)
    assert any(p.startswith(expected) for p in probs), probs
    with pytest.raises(scorecard.ScorecardError):
        scorecard.aggregate(card, fw)


def test_missing_competency_names_the_stage_that_assesses_it(fw, good):
    card = copy.deepcopy(good)
    card["interviewers"] = [it for it in card["interviewers"] if it["stage"] != "system_design"]
    probs = problems(card, fw)
    assert "competencies.rag_and_distributed_systems: missing (no interviewer scored it; assessed in system_design)" in probs


def test_not_a_mapping(fw):
    assert problems(["a", "list"], fw)[0].startswith("(top level)")


# -- CLI -----------------------------------------------------------------------------------------------------------

def test_cli_good_json(capsys):
    assert main(["hiring", "score", str(FIX / "good-senior-mle.yaml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] == "hire at senior" and out["meets_level"] == "senior"
    assert set(out["competencies"]) == {"engineering_maturity", "ml_systems_problem_solving", "mlops_fundamentals",
                                        "rag_and_distributed_systems", "communication"}
    assert len(out["rules"]) == len(scorecard.RULES)


def test_cli_good_text_states_the_rules(capsys):
    assert main(["hiring", "score", str(FIX / "disagreement-ds.yaml")]) == 0
    out = capsys.readouterr().out
    assert "calibration rules:" in out and "provisional" in out and "at least 2 interviewers" in out


@pytest.mark.parametrize("name, field", [
    ("bad-missing-competency.yaml", "competencies.rag_and_distributed_systems: missing"),
    ("bad-score-out-of-range.yaml", "interviewers[0].scores.mlops_fundamentals: 5 is out of range 1..4"),
    ("bad-unknown-role.yaml", "role: unknown role 'ml_eng'"),
    ("bad-unknown-level.yaml", "level: unknown level 'principal'"),
])
def test_cli_bad_scorecards_exit_1_naming_the_field(capsys, name, field):
    assert main(["hiring", "score", str(FIX / name)]) == 1
    err = capsys.readouterr().err
    assert field in err
    assert "Traceback" not in err


def test_cli_invalid_yaml_exits_2(tmp_path, capsys):
    p = tmp_path / "broken.yaml"
    p.write_text("candidate: [unclosed\n")
    assert main(["hiring", "score", str(p)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_cli_missing_file_is_a_usage_error(capsys):
    assert main(["hiring", "score", "no-such-scorecard.yaml"]) == 2
    assert "FILE.yaml" in capsys.readouterr().err


def test_cli_validate(capsys):
    assert main(["hiring", "validate"]) == 0
    out = capsys.readouterr().out
    assert "5 competencies, 3 roles, 3 levels, 4 loop stages" in out
    assert "1 method(s) with no published validity" in out


def test_every_problem_is_reported_at_once(fw, good):
    card = copy.deepcopy(good)
    card["interviewers"] = [it for it in card["interviewers"] if it["stage"] != "system_design"]
    card["interviewers"][0]["scores"]["mlops_fundamentals"] = 5
    card["interviewers"].append({"interviewer": "gus", "stage": "nowhere", "scores": {"communication": 3}})
    probs = problems(card, fw)
    assert any(p.startswith("interviewers[0].scores.mlops_fundamentals: 5 is out of range") for p in probs)
    assert any(p.startswith("interviewers[4].stage: unknown stage 'nowhere'") for p in probs)
    assert any(p.startswith("competencies.rag_and_distributed_systems: missing") for p in probs)


# -- invariants of the calibration rules ------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FW = framework.load()
_SLOTS = [(s.id, j, c) for s in _FW.loop for j in range(2) for c in s.competencies]


def _card(role, scores):
    its = {}
    for (stage, j, c), v in zip(_SLOTS, scores):
        its.setdefault((stage, j), {"interviewer": f"{stage}-{j}", "stage": stage, "scores": {}})["scores"][c] = v
    return {"candidate": "p", "role": role, "level": "staff", "interviewers": list(its.values())}


def _rank(rec):
    order = [lv.id for lv in _FW.levels]
    return -1 if rec.meets_level is None else order.index(rec.meets_level)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([r.id for r in _FW.roles]), st.lists(st.integers(1, 4), min_size=len(_SLOTS),
       max_size=len(_SLOTS)), st.integers(0, len(_SLOTS) - 1))
def test_raising_one_score_never_lowers_the_level(role, scores, i):
    before = scorecard.aggregate(_card(role, scores), _FW)
    raised = list(scores)
    raised[i] = min(4, raised[i] + 1)
    after = scorecard.aggregate(_card(role, raised), _FW)
    assert after.weighted_mean >= before.weighted_mean - 1e-12
    assert _rank(after) >= _rank(before)
    assert _FW.score_min - 1e-12 <= before.weighted_mean <= _FW.score_max + 1e-12


def test_cli_missing_framework_file_is_a_usage_error(capsys):
    assert main(["hiring", "score", str(FIX / "good-senior-mle.yaml"), "--framework", "nope.yaml"]) == 2
    assert "--framework" in capsys.readouterr().err
    assert main(["hiring", "validate", "--framework", "nope.yaml"]) == 2
