"""Every cost input means what it says: Fargate sizes AWS accepts, fractional vCPU throughput, whole counts, no
non-finite bill, and ``prices refresh`` that validates dates and regions and never replaces a table unasked."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsbook.cli import main
from mlopsbook.costs import model, pricing
from mlopsbook.costs.traffic import Workload

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "aws-offer-lambda-fargate-us-east-1.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        rc = main(list(argv))
    except SystemExit as exc:
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


def fargate(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    rc, out, err = run(capsys, "cost", "fargate", *argv, "--json")
    assert rc == 0, err
    return json.loads(out)


# -- Fargate ----------------------------------------------------------------------------------------------------------
def test_a_quarter_vcpu_task_serves_a_quarter_of_the_requests(capsys: pytest.CaptureFixture[str]) -> None:
    load = ("--requests-per-month", "300000000", "--latency-ms", "50")
    small = fargate(capsys, *load, "--vcpu", "0.25", "--memory-gb", "1")
    one = fargate(capsys, *load, "--vcpu", "1", "--memory-gb", "2")
    assert small["quantities"]["throughput_rps_per_task"] == pytest.approx(one["quantities"]["throughput_rps_per_task"] / 4)
    assert small["quantities"]["task_hours"] > 3 * one["quantities"]["task_hours"]


@pytest.mark.parametrize(("vcpu", "memory", "flag"), [
    ("1e-300", "2", "--vcpu"), ("0.3", "1", "--vcpu"), ("3", "8", "--vcpu"), ("0.25", "4", "--memory-gb"),
    ("1", "1", "--memory-gb"), ("8", "18", "--memory-gb"), ("1", "2.5", "--memory-gb"),
])
def test_sizes_fargate_refuses_are_refused(capsys: pytest.CaptureFixture[str], vcpu: str, memory: str,
                                           flag: str) -> None:
    rc, out, err = run(capsys, "cost", "fargate", "--tasks", "1", "--vcpu", vcpu, "--memory-gb", memory)
    assert rc == 2 and out == "" and err.count("\n") == 1 and f"error: {flag}: " in err


@pytest.mark.parametrize(("vcpu", "memory"), [("0.25", "0.5"), ("0.5", "3"), ("4", "30"), ("8", "20"), ("16", "120")])
def test_sizes_fargate_accepts_are_priced(capsys: pytest.CaptureFixture[str], vcpu: str, memory: str) -> None:
    bill = fargate(capsys, "--tasks", "1", "--vcpu", vcpu, "--memory-gb", memory)
    assert bill["monthly_usd"] > 0


@pytest.mark.parametrize("argv", [
    ("fargate", "--tasks", "2.5"),
    ("fargate", "--requests-per-month", "1000", "--latency-ms", "5", "--min-replicas", "1.5"),
    ("sagemaker", "--requests-per-month", "1000", "--latency-ms", "5", "--min-replicas", "0.5"),
    ("lambda", "--requests-per-month", "1000", "--duration-ms", "5", "--memory-mb", "1024",
     "--provisioned-concurrency", "2.5", "--provisioned-hours", "10"),
])
def test_counts_are_whole_numbers(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    rc, _, err = run(capsys, "cost", *argv)
    assert rc == 2 and "must be a whole number" in err


@pytest.mark.parametrize("argv", [
    ("lambda", "--requests-per-month", "1e308", "--duration-ms", "100", "--memory-mb", "1024"),
    ("lambda", "--requests-per-month", "1e307", "--duration-ms", "900000", "--memory-mb", "10240"),
    ("fargate", "--tasks", "1e308", "--hours-per-task", "1e308"),
])
def test_a_bill_beyond_floating_point_is_refused_not_null(capsys: pytest.CaptureFixture[str],
                                                          argv: tuple[str, ...]) -> None:
    rc, out, err = run(capsys, "cost", *argv, "--json")
    assert rc == 2 and out == "" and err.count("\n") == 1 and "finite number" in err


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([(0.25, 0.5), (0.25, 2.0), (0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (16.0, 32.0)]),
       st.floats(min_value=1.0, max_value=2000.0), st.floats(min_value=0.0, max_value=200.0))
def test_fargate_throughput_is_proportional_to_vcpu(size: tuple[float, float], latency_ms: float,
                                                    rps: float) -> None:
    vcpu, gb = size
    load = model.LoadProfile.of(Workload("steady", rps))
    bill = model.fargate_cost(load, latency_ms, task_vcpu=vcpu, task_memory_gb=gb)
    assert bill.quantities["throughput_rps_per_task"] == pytest.approx(vcpu * 1000.0 / latency_ms)
    assert math.isfinite(bill.monthly_usd) and bill.monthly_usd > 0


# -- prices refresh ---------------------------------------------------------------------------------------------------
def _offer(tmp_path: Path, publication: str) -> Path:
    doc = json.loads(FIXTURE.read_text())
    doc["publicationDate"] = publication
    p = tmp_path / "offer.json"
    p.write_text(json.dumps(doc))
    return p


@pytest.mark.parametrize("date", ["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z"])
def test_refresh_refuses_an_impossible_publication_date(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         date: str) -> None:
    rc, _, err = run(capsys, "prices", "refresh", "--offer-file", str(_offer(tmp_path, date)),
                     "--out", str(tmp_path / "out"))
    assert rc == 1 and "real date" in err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("region", ["x/../../escaped", "../us-east-1", "us-east-1/", "US-EAST-1", "", "us east 1"])
def test_refresh_refuses_a_region_that_is_not_a_region(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       region: str) -> None:
    out = tmp_path / "a" / "b" / "out"
    rc, _, err = run(capsys, "prices", "refresh", "--offer-file", str(FIXTURE), "--out", str(out),
                     "--region", region)
    assert rc == 2 and "--region: " in err
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_refresh_never_replaces_a_table_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    rc, _, err = run(capsys, "prices", "refresh", "--offer-file", str(FIXTURE), "--out", str(out))
    assert rc == 0, err
    table = next(out.glob("prices-*.csv"))
    fresh = table.read_bytes()
    table.write_bytes(b"the author's own table\n")
    rc, _, err = run(capsys, "prices", "refresh", "--offer-file", str(FIXTURE), "--out", str(out))
    assert rc == 1 and "already exists" in err and "--force" in err
    assert table.read_bytes() == b"the author's own table\n"
    rc, _, err = run(capsys, "prices", "refresh", "--offer-file", str(FIXTURE), "--out", str(out), "--force")
    assert rc == 0, err
    assert table.read_bytes() == fresh and sorted(p.name for p in out.iterdir()) == [table.name]


def test_a_table_dated_on_an_impossible_day_is_refused(tmp_path: Path) -> None:
    src = pricing.load().path.read_text()
    bad = tmp_path / "prices-us-east-1-2026-09-20.csv"
    bad.write_text(src.replace("2021-04-22", "2026-02-30", 1))
    with pytest.raises(pricing.PriceTableError, match="real date"):
        pricing.load(bad)


# -- questions to Medusa ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("question", "rps"), [
    ("2e6 requests a month, 100 ms each", 2e6 / 2_628_000), ("1.5e3 rps, 100 ms each", 1500.0),
    ("2,000,000 requests a month, 100 ms each", 2e6 / 2_628_000),
])
def test_ask_reads_numbers_as_written(capsys: pytest.CaptureFixture[str], question: str, rps: float) -> None:
    rc, out, err = run(capsys, "ask", question, "--json")
    assert rc == 0, err
    assert json.loads(out)["read"]["mean_rps"]["value"] == pytest.approx(rps)


@pytest.mark.parametrize("question", ["-5 rps, 100 ms each", "$-5 a month budget, 10 rps, 100 ms each",
                                      "10 rps, each request takes -100 ms", "a −2 GB model at 5 rps"])
def test_ask_never_uses_a_negative_quantity(capsys: pytest.CaptureFixture[str], question: str) -> None:
    rc, out, err = run(capsys, "ask", question, "--json")
    answer = json.loads(out)
    assert rc == 0, err
    assert any("negative" in item["why"] for item in answer["not_understood"])
    for field in answer["read"].values():
        assert field["value"] is None or not isinstance(field["value"], (int, float)) or field["value"] >= 0


def test_ranges_and_names_with_dashes_are_not_negative() -> None:
    from mlopsbook.medusa.quantities import find

    kinds = [(q.kind, q.value) for q in find("a 1-4 GB gpt-4 style model, 2-5 minutes a request, 10 rps")]
    assert ("size", 4096.0) in kinds and ("rate", 10.0) in kinds and ("duration", 300000.0) in kinds
