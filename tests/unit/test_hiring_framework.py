"""The framework and validity data: they load, their schema catches bad files, with their table and row named."""

import copy

import pandas as pd
import pytest
import yaml

from mlopsbook.cli import main
from mlopsbook.hiring import framework, validity
from mlopsbook.paths import data_path


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(data_path("hiring", framework.FRAMEWORK_FILE).read_text())


METHODS = {"structured_interview", "job_knowledge_test", "work_sample_test", "cognitive_ability_test"}


def test_shipped_framework_covers_the_posts_four_areas_and_three_roles_and_levels():
    fw = framework.load()
    assert [c.id for c in fw.competencies if c.from_post] == [
        "engineering_maturity", "ml_systems_problem_solving", "mlops_fundamentals", "rag_and_distributed_systems"]
    assert {r.id for r in fw.roles} == {"data_scientist", "ml_engineer", "data_engineer"}
    assert [lv.id for lv in fw.levels] == ["mid", "senior", "staff"]
    for c in fw.competencies:
        assert sorted(c.anchors) == [1, 2, 3, 4]
        assert fw.stages_assessing(c.id)
    assert all(s.method in METHODS for s in fw.loop)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["roles"][1]["core"].__setitem__(0, "mlops"), "roles[1].core[0]: unknown competency 'mlops'"),
    (lambda d: d["roles"][0]["weights"].pop("communication"), "roles[0].weights: no weight for communication"),
    (lambda d: d["competencies"][2]["anchors"].pop(4), "competencies[2].anchors: needs one anchor per score"),
    (lambda d: d["loop"][0].__setitem__("method", "leetcode"), "loop[0].method: 'leetcode' is not a method"),
    (lambda d: d["loop"][1].__setitem__("duration_min", 0), "loop[1].duration_min"),
    (lambda d: d["loop"][1]["exercises"][0]["roles"].append("sre"), "loop[1].exercises[0].roles[2]: unknown role"),
    (lambda d: d["levels"][2].__setitem__("min_core", 2.0), "levels[2]: bars must not be lower"),
    (lambda d: d["levels"][0].__setitem__("min_any", 7), "levels[0].min_any: 7 is outside the scale"),
    (lambda d: d["competencies"].append(copy.deepcopy(d["competencies"][0])), "competencies[5].id: duplicate id"),
    (lambda d: d.pop("calibration"), "(top level): 'calibration' is a required property"),
    (lambda d: [s["competencies"].remove("communication") for s in d["loop"] if "communication" in s["competencies"]],
     "loop: no stage assesses competency 'communication'"),
])
def test_invalid_framework_names_the_field(raw, mutate, field):
    d = copy.deepcopy(raw)
    mutate(d)
    with pytest.raises(framework.FrameworkError) as exc:
        framework.from_mapping(d, {"structured_interview", "job_knowledge_test", "work_sample_test"})
    assert str(exc.value).startswith(field), str(exc.value)


def test_cli_validate_rejects_a_bad_framework(raw, tmp_path, capsys):
    d = copy.deepcopy(raw)
    d["loop"][0]["method"] = "leetcode"
    p = tmp_path / "fw.yaml"
    p.write_text(yaml.safe_dump(d))
    assert main(["hiring", "validate", "--framework", str(p)]) == 1
    assert "loop[0].method" in capsys.readouterr().err


def test_validity_table_is_sourced_and_records_the_puzzle_gap():
    df = validity.load()
    cited = df[df["meta_analysis"] != "none"]
    assert cited["source"].str.contains(r"\(199?8|2022\)").all()
    assert set(cited["meta_analysis"]) == {"schmidt_hunter_1998", "sackett_2022"}
    assert validity.validity_of("structured_interview") == 0.42
    assert validity.validity_of("work_sample_test", "schmidt_hunter_1998") == 0.54
    with pytest.raises(KeyError, match="algorithm_puzzle"):
        validity.validity_of("algorithm_puzzle")
    assert df.loc[df["method_id"] == "algorithm_puzzle", "validity"].isna().all()
    cmp = validity.comparison()
    assert cmp.index[0] == "structured_interview" and cmp.index[-1] == "algorithm_puzzle"


@pytest.mark.parametrize("edit, message", [
    (lambda df: df.assign(validity=df["validity"].where(df.index != 0, 1.4)), "row 2, validity"),
    (lambda df: df.assign(source=df["source"].where(df.index != 3, "")), "row 5, source"),
    (lambda df: df.assign(meta_analysis=df["meta_analysis"].where(df.index != 1, "hunter_1984")), "row 3, meta_analysis"),
    (lambda df: pd.concat([df, df.iloc[[0]]], ignore_index=True), "duplicate (structured_interview, sackett_2022)"),
    (lambda df: df.drop(columns=["table"]), "missing column(s) table"),
])
def test_bad_validity_table_names_row_and_column(tmp_path, edit, message):
    df = edit(validity.load())
    p = tmp_path / "v.csv"
    df.to_csv(p, index=False)
    with pytest.raises(validity.ValidityTableError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validity.load(p)
