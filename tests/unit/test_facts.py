"""The fact registry (``data/facts/``, :mod:`mlopsbook.facts`): its accessors and errors, the files that cite it, and
that no registry value is typed again in the library's code."""

from __future__ import annotations

import ast
import csv
import math
import re
from pathlib import Path

import pytest

from mlopsbook import facts
from mlopsbook.decide import limits
from mlopsbook.paths import data_path
from mlopsbook.simulate import parameters

SRC = Path(__file__).resolve().parents[2] / "src" / "mlopsbook"

ACCIDENTAL = {0, 1, 2, 3, 5, 10, 30, 50, 60, 0.01, 0.1, 0.2, 1000, 1024}
"""Registry values that are also unit conversions (1000 ms a second, 1024 MB a GB, 60 s a minute), counts, indices,
percentiles (50), plot margins and round defaults of the library's own choosing: a literal equal to one of them is not
a copy of the fact."""

COINCIDENCES: dict[str, set[float]] = {
    # HTTP status 200 (OK)
    "lab/load.py": {200}, "lab/plots.py": {200}, "lab/prometheus.py": {200}, "lambdakit/handlers.py": {200},
    "lambdakit/runtime_api.py": {200}, "reproductions/engineering_culture_leadership/engine.py": {200},
    # 200 subintervals of a quadrature; "hundreds of" read as 200
    "hiring/selection.py": {200}, "medusa/quantities.py": {200},
    # a workload's size: documents a day, words a document, assumed artifact MB, a service's memory, a post's target
    "cli/engine.py": {200}, "nlp/measure.py": {200, 600}, "medusa/assume.py": {200, 600, 4096},
    "reproductions/engineering_culture_leadership/decision.py": {600, 3072, 4096},
    "reproductions/engineering_culture_leadership/cpu_inference.py": {200},
    # the library's own time limits and windows (s), and the simulator's own size threshold, not Ray's or AWS's
    "decide/exposure.py": {250, 900}, "security/scanners.py": {600}, "engine/manifests.py": {600}, "lab/autoscale.py": {600},
    "lab/experiments.py": {600}, "lab/simcompare.py": {900}, "publishing/execution.py": {900},
    "reproductions/engineering_culture_leadership/autoscaling.py": {600, 900}, "simulate/plots.py": {600},
    # the largest offer file the input reader accepts (512 MiB), not a vendor's limit
    "inputs.py": {512},
    # a local Ray object store of 512 MiB (the book's own budget)
    "engine/ray_runtime.py": {512}, "publishing/runtime_budget.py": {512},
    # synthetic corpus: sums in steps of 250, numbers up to 250
    "nlp/corpus.py": {250},
    # a terminal table's width in characters; a probe matrix's shape and a subprocess's time limit (s)
    "cli/infer.py": {250}, "nlp/kernels.py": {512, 600},
}
"""Per module, the registry values a literal there equals by accident, with the reason."""


def typed_values(tree: ast.AST, values: set[float]) -> list[tuple[int, float]]:
    """``(line, value)`` of every int or float literal of ``tree`` equal to one of ``values`` (bool excluded), but
    for slice bounds (``text[:200]`` shortens a message: never a vendor's figure)."""
    bounds = {id(b) for n in ast.walk(tree) if isinstance(n, ast.Slice) for b in (n.lower, n.upper, n.step) if b}
    return sorted((n.lineno, n.value) for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and type(n.value) in (int, float) and n.value in values
                  and id(n) not in bounds)


def test_the_scanner_finds_a_typed_fact_in_any_position() -> None:
    code = "X = 1769\ndef f(m=10240):\n    return m > 200 and 1769.0\nY = True\nZ = str(X)[:200]\n"
    assert typed_values(ast.parse(code), {1769.0, 10240.0, 200.0, 1.0}) == [(1, 1769), (2, 10240), (3, 200), (3, 1769.0)]


def test_no_registry_value_is_typed_again_in_the_library() -> None:
    values = {v for f in facts.registry().values() for v in f.values} - ACCIDENTAL
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        hits = [(line, v) for line, v in typed_values(ast.parse(path.read_text()), values)
                if v not in COINCIDENCES.get(rel, set())]
        if hits:
            found[rel] = hits
    assert found == {}, "read these from mlopsbook.facts (or, if the value only coincides, say why in COINCIDENCES)"


def test_the_allow_list_names_only_modules_and_values_that_exist() -> None:
    values = {v for f in facts.registry().values() for v in f.values}
    for rel, allowed in COINCIDENCES.items():
        assert (SRC / rel).is_file(), rel
        assert allowed <= values, rel
        present = {v for _, v in typed_values(ast.parse((SRC / rel).read_text()), allowed)}
        assert present == allowed, f"{rel}: {sorted(allowed - present)} no longer typed there"


def test_accessors_read_one_number_a_list_and_whole_numbers() -> None:
    assert facts.integer("aws.lambda.memory.mb_per_vcpu") == 1769
    assert facts.number("aws.lambda.memory.max_mb") == 10240.0
    assert facts.numbers("aws.sagemaker_serverless.memory_sizes_mb") == (1024, 2048, 3072, 4096, 5120, 6144)
    with pytest.raises(facts.FactsError, match="holds 6 values, not one"):
        facts.number("aws.sagemaker_serverless.memory_sizes_mb")
    with pytest.raises(facts.FactsError, match="'ray.serve.control_loop_interval_s' is 0.1, not a whole number"):
        facts.integer("ray.serve.control_loop_interval_s")
    f = facts.fact("aws.lambda.container_image.max_mb")
    assert f.cite == "aws.lambda.container_image.max_mb, 2023-10-30" and "10737418240" in f.note


def test_an_unknown_id_is_an_error_naming_it() -> None:
    with pytest.raises(facts.UnknownFactError, match=r"unknown fact 'aws.lambda.memory.maximum'"):
        facts.number("aws.lambda.memory.maximum")


def test_every_fact_is_sourced_dated_and_namespaced_unlike_a_claim_id() -> None:
    reg = facts.registry()
    assert len(reg) >= 40
    for f in reg.values():
        assert f.source.startswith("https://") and f.retrieved and f.unit
        assert f.id.split(".")[0] in {"aws", "ray", "kuberay", "triton"}
        assert all(math.isfinite(v) for v in f.values)


@pytest.mark.parametrize("row,message", [
    ("C7,1,MB,https://x,2023,2026-11,OFFICIAL,", "column id: must be a dotted id"),
    ("aws.lambda.memory.max_mb,ten,MB,https://x,2023,2026-11,OFFICIAL,", "column value: must be a number"),
    ("aws.x.y,1,MB,https://x,2023,2026-11,UNCONFIRMED,", "column confidence: an UNCONFIRMED figure"),
    ("aws.x.y,1,MB,https://x,Dec 2020,2026-11,OFFICIAL,", "column source_date: must be an ISO date"),
    ("aws.x.y,1,,https://x,2023,2026-11,OFFICIAL,", "column unit: must not be empty"),
])
def test_a_bad_registry_row_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str, message: str) -> None:
    (tmp_path / "data" / "facts").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("")
    (tmp_path / "data" / "facts" / facts.FACTS_FILE).write_text(",".join(facts.COLUMNS) + "\n" + row + "\n")
    monkeypatch.setenv("MLOPSBOOK_ROOT", str(tmp_path))
    facts.registry.cache_clear()
    try:
        with pytest.raises(facts.FactsError, match=rf"facts-2026-11.csv: row 2, {message}"):
            facts.registry()
    finally:
        monkeypatch.delenv("MLOPSBOOK_ROOT")
        facts.registry.cache_clear()


def test_every_fact_a_data_file_cites_exists() -> None:
    with data_path("limits", limits.LIMITS_FILE).open() as fh:
        cited = {row["fact"] for row in csv.DictReader(fh)}
    text = data_path("simulate", parameters.PARAMETERS_FILE).read_text()
    cited |= set(re.findall(r": fact:([a-z0-9_.]+)", text))
    assert cited and cited <= set(facts.registry())


def test_the_simulator_reads_vendor_defaults_from_the_registry() -> None:
    ray = parameters.section("ray_serve_autoscaling")
    assert ray["upscale_delay_s"] == facts.number("ray.serve.upscale_delay_s") and isinstance(ray["upscale_delay_s"], float)
    assert ray["max_ongoing_requests"] == 5 and isinstance(ray["max_ongoing_requests"], int)
    assert parameters.section("lambda")["concurrency_limit"] == facts.integer("aws.lambda.concurrency.default_per_region")
