"""``mlopsbook cost ...`` and ``mlopsbook prices ...``: AWS's examples through the CLI, JSON output, exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlopsbook.cli import main
from mlopsbook.costs import examples

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "aws-offer-lambda-fargate-us-east-1.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse errors
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


def cost_json(capsys, *argv: str) -> dict:
    rc, out, err = run(capsys, "cost", *argv, "--json")
    assert rc == 0, err
    assert len(out.strip().splitlines()) == 1
    return json.loads(out)


FARGATE_FLAGS = {"task_hours": "--hours-per-task", "task_vcpu": "--vcpu", "task_memory_gb": "--memory-gb"}


def example_argv(ex: examples.PublishedExample) -> list[str]:
    """The example's arguments as ``mlopsbook cost`` flags (``--free-tier`` for true; Fargate as one task)."""
    argv = [ex.model] + (["--tasks", "1"] if ex.model == "fargate" else [])
    for k, v in ex.arguments.items():
        flag = FARGATE_FLAGS.get(k, "--" + k.replace("_", "-"))
        argv += [flag] if v is True else [] if v is False else [flag, str(v)]
    return argv


@pytest.mark.parametrize("example", examples.load(), ids=lambda ex: f"{ex.model}: {ex.name}")
def test_aws_example_through_the_cli_to_the_cent(capsys, example: examples.PublishedExample) -> None:  # noqa: ANN001
    d = cost_json(capsys, *example_argv(example))
    assert {k: round(d["items"][k], 2) for k in example.published_items} == example.published_items
    if example.published_total is not None:
        assert round(d["monthly_usd"], 2) == example.published_total
    assert d["price_table"] == "prices-us-east-1-2026-09-20.csv" and d["price_date"] == "2026-09-20"


def test_fargate_bill_has_cpu_and_memory_lines_only(capsys) -> None:  # noqa: ANN001
    d = cost_json(capsys, "fargate", "--tasks", "10", "--hours-per-task", "30", "--vcpu", "0.25", "--memory-gb", "1")
    assert set(d["items"]) == {"vcpu", "memory"}


def test_arm64_is_cheaper(capsys) -> None:
    args = ("lambda", "--requests-per-month", "5e7", "--duration-ms", "80", "--memory-mb", "1024")
    assert cost_json(capsys, *args, "--arch", "arm64")["monthly_usd"] < cost_json(capsys, *args)["monthly_usd"]


@pytest.mark.parametrize("platform", ["sagemaker", "eks", "fargate"])
def test_fleet_platforms(capsys, platform: str) -> None:
    d = cost_json(capsys, platform, "--requests-per-month", "1e8", "--latency-ms", "50", "--pattern", "business-hours")
    assert d["platform"] == platform and d["monthly_usd"] > 0 and d["items"]


def test_triton_and_serverless(capsys) -> None:
    with_b = cost_json(capsys, "triton", "--requests-per-month", "1.5e9")
    without = cost_json(capsys, "triton", "--requests-per-month", "1.5e9", "--no-dynamic-batching")
    assert with_b["monthly_usd"] < without["monthly_usd"]
    d = cost_json(capsys, "sagemaker-serverless", "--requests-per-month", "1e6", "--duration-ms", "100")
    assert d["monthly_usd"] == pytest.approx(6.0)


def test_text_output(capsys) -> None:
    rc, out, _ = run(capsys, "cost", "lambda", "--requests-per-month", "3e6", "--duration-ms", "120", "--memory-mb", "1536", "--free-tier")
    assert rc == 0 and "total" in out and "$          2.73" in out


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["lambda", "--requests-per-month", "-5", "--duration-ms", "10", "--memory-mb", "512"], "--requests-per-month"),
        (["lambda", "--requests-per-month", "5", "--duration-ms", "-1", "--memory-mb", "512"], "--duration-ms"),
        (["lambda", "--requests-per-month", "5", "--duration-ms", "10", "--memory-mb", "64"], "--memory-mb: must be between 128 and 10240"),
        (["lambda", "--requests-per-month", "5", "--duration-ms", "10", "--memory-mb", "20000"], "--memory-mb: must be between 128 and 10240"),
        (["lambda", "--requests-per-month", "5", "--duration-ms", "10", "--memory-mb", "512", "--arch", "risc-v"], "--arch"),
        (["lambda", "--requests-per-month", "5", "--duration-ms", "10", "--memory-mb", "512", "--ephemeral-storage-mb", "100"], "--ephemeral-storage-mb"),
        (["lambda", "--requests-per-month", "5", "--duration-ms", "10", "--memory-mb", "512", "--prices", "nope.csv"], "--prices"),
        (["sagemaker", "--requests-per-month", "5", "--latency-ms", "10", "--pattern", "monthly"], "--pattern"),
        (["sagemaker", "--requests-per-month", "5", "--latency-ms", "10", "--utilisation-target", "1.5"], "--utilisation-target"),
        (["sagemaker", "--requests-per-month", "5", "--latency-ms", "10", "--instance", "ml.p4d.24xlarge"], "--instance"),
        (["fargate", "--tasks", "-1"], "--tasks"),
        (["fargate", "--requests-per-month", "5"], "--latency-ms"),
        (["sagemaker-serverless", "--requests-per-month", "5", "--duration-ms", "10", "--memory-mb", "9000"], "--memory-mb"),
    ],
)
def test_bad_input_exits_2_naming_the_flag(capsys, argv: list[str], flag: str) -> None:
    rc, out, err = run(capsys, "cost", *argv)
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and flag in lines[0], err


@pytest.mark.parametrize("argv", [["cost", "gke", "--requests-per-month", "1"], ["cost", "lambda", "--bogus"],
                                  ["cost", "lambda", "--duration-ms", "1", "--memory-mb", "128"]])
def test_unknown_platform_or_flag_exits_2(capsys, argv: list[str]) -> None:
    rc, _, err = run(capsys, *argv)
    assert rc == 2 and err.strip()


def test_prices_refresh_and_check(capsys, tmp_path: Path) -> None:
    rc, out, err = run(capsys, "prices", "refresh", "--offer-file", str(FIXTURE), "--out", str(tmp_path))
    assert rc == 0, err
    new = tmp_path / "prices-us-east-1-2026-11-01.csv"
    assert new.exists() and "6 from the offer file" in out
    rc, out, _ = run(capsys, "prices", "check", str(new))
    assert rc == 0 and "26 rows valid" in out
    d = cost_json(capsys, "lambda", "--requests-per-month", "3000000", "--duration-ms", "120", "--memory-mb", "1536",
                  "--free-tier", "--prices", str(new))
    assert d["price_date"] == "2026-11-01"
    assert round(d["items"]["requests"], 2) == 0.50  # the fixture's $0.25 per 1M requests


def test_prices_refresh_bad_offer_file(capsys, tmp_path: Path) -> None:
    rc, _, err = run(capsys, "prices", "refresh", "--offer-file", str(tmp_path / "missing.json"))
    assert rc == 2 and "--offer-file" in err
