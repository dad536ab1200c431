"""Verdict drift (``mlopsbook claims diff REV``) and the verdict history the ledger shows.

The unit tests build small git repositories of hand-made snapshots; the integration test is the weekly
re-verification in miniature: a recorded AWS offer file with one price changed, the price table refreshed from it in
place, the costs page executed afresh, and the report naming what moved and why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlopsbook.cli import main
from mlopsbook.publishing import drift
from mlopsbook.publishing.claims import VERDICT_MIME

ROOT = Path(__file__).resolve().parents[2]
_GIT_ENV = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "A",
            "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_AUTHOR_DATE": "2026-01-02T00:00:00Z",
            "GIT_COMMITTER_DATE": "2026-01-02T00:00:00Z"}


def _git(cwd: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **_GIT_ENV}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T00:00:00Z"
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env=env).stdout


def _nb(verdicts: dict[str, str] = {}, glue: dict[str, str] = {}, volatile: dict[str, str] = {}) -> dict:
    outputs = [{"output_type": "display_data", "metadata": {},
                "data": {VERDICT_MIME: {"claim_id": cid, "status": st, "summary": "s", "figures": {"usd": 1.5}}}}
               for cid, st in verdicts.items()]
    outputs += [{"output_type": "display_data", "metadata": {"scrapbook": {"name": k}},
                 "data": {"application/papermill.record/text/plain": v}} for k, v in glue.items()]
    cells = [{"cell_type": "code", "metadata": {}, "outputs": outputs, "source": ""}]
    cells.append({"cell_type": "code", "metadata": {"tags": ["nbval-ignore-output"]}, "source": "",
                  "outputs": [{"output_type": "display_data", "metadata": {"scrapbook": {"name": k}},
                               "data": {"application/papermill.record/text/plain": v}} for k, v in volatile.items()]})
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _write(root: Path, rel: str, content: str | dict) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(content) if isinstance(content, dict) else content, encoding="utf-8")


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """A book with a post (one verdict) and a costs page that imports a pricing module reading a dated table."""
    root = tmp_path / "book"
    _write(root, "_config.yml", "title: t\n")
    _write(root, "requirements.txt", "numpy==2.0.0\n")
    _write(root, "src/mlopsbook/__init__.py", "")
    _write(root, "src/mlopsbook/prices.py", 'TABLE = "prices-2026-01-01.csv"\n')
    _write(root, "src/mlopsbook/unrelated.py", "X = 1\n")
    _write(root, "data/pricing/prices-2026-01-01.csv", "product,value\nlambda,0.2\n")
    _write(root, "data/other/record.json", "{}")
    _write(root, "notebooks/post.md", "```{code-cell} ipython3\nimport mlopsbook\n```\n")
    _write(root, "notebooks/post/costs.md", "```{code-cell} ipython3\nfrom mlopsbook import prices\n```\n")
    _write(root, "snapshots/notebooks/post.ipynb", _nb({"C1": "holds", "C2": "refuted"}, {"n": "'3'"}))
    _write(root, "snapshots/notebooks/post/costs.ipynb", _nb(glue={"usd": "1.89", "date": "'2026-01-01'"},
                                                             volatile={"seconds": "0.3"}))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "book", date="2026-01-02")
    return root


def test_claim_values_reads_verdicts_figures_and_glue_but_not_volatile_cells() -> None:
    vals = drift.claim_values(_nb({"C1": "holds"}, {"n": "'3'"}, {"t": "0.1"}))
    assert vals == {"verdict C1": "holds", "verdict C1 · usd": "1.5", "glue n": "'3'"}


def test_nothing_moved(book: Path) -> None:
    report = drift.diff("HEAD", root=book)
    assert not report.moved and report.compared == 2
    assert "Nothing moved" in report.to_markdown()


def test_a_price_change_is_named_for_the_page_that_reads_it(book: Path) -> None:
    _write(book, "data/pricing/prices-2026-01-01.csv", "product,value\nlambda,0.3\n")
    _write(book, "snapshots/notebooks/post/costs.ipynb", _nb(glue={"usd": "2.10", "date": "'2026-01-01'"},
                                                             volatile={"seconds": "9.9"}))
    report = drift.diff("HEAD", root=book)
    assert [n.snapshot for n in report.notebooks] == ["snapshots/notebooks/post/costs.ipynb"]
    (costs,) = report.notebooks
    assert costs.changes == (drift.Change("glue usd", "1.89", "2.10"),)
    assert ("data/pricing/prices-2026-01-01.csv", "a price table") in costs.moved_by
    md = report.to_markdown()
    assert "a price table `data/pricing/prices-2026-01-01.csv`" in md and "| glue usd | 1.89 | 2.10 |" in md


def test_a_verdict_change_and_a_code_change(book: Path) -> None:
    _git(book, "tag", "v1")
    _write(book, "src/mlopsbook/__init__.py", "VERSION = 2\n")
    _write(book, "src/mlopsbook/unrelated.py", "X = 2\n")
    _write(book, "snapshots/notebooks/post.ipynb", _nb({"C1": "refuted", "C2": "refuted"}, {"n": "'3'"}))
    report = drift.diff("v1", root=book)
    (post,) = report.notebooks
    assert post.changes[0] == drift.Change("verdict C1", "holds", "refuted") and post.changes[0].is_verdict
    assert post.moved_by == (("src/mlopsbook/__init__.py", "a code change"),)  # not the module it does not import
    data = report.to_json()
    assert data["moved"][0]["changes"][0] == {"key": "verdict C1", "before": "holds", "after": "refuted"}
    assert "**verdict C1**" in report.to_markdown()


def test_a_removed_snapshot_and_an_unattributed_move(book: Path) -> None:
    (book / "snapshots/notebooks/post/costs.ipynb").unlink()
    _write(book, "snapshots/notebooks/post.ipynb", _nb({"C1": "holds", "C2": "refuted"}, {"n": "'4'"}))
    report = drift.diff("HEAD", root=book)
    by = {n.snapshot: n for n in report.notebooks}
    assert by["snapshots/notebooks/post/costs.ipynb"].changes[0].after is None
    assert by["snapshots/notebooks/post.ipynb"].moved_by == ()
    assert "none of its inputs changed" in report.to_markdown()


def test_notebook_inputs_follow_imports_and_named_data(book: Path) -> None:
    assert drift.notebook_inputs(book, "notebooks/post/costs.md") == [
        "data/pricing/prices-2026-01-01.csv", "notebooks/post/costs.md", "requirements.txt",
        "src/mlopsbook/__init__.py", "src/mlopsbook/prices.py"]


@pytest.mark.parametrize("path, kind", [
    ("data/pricing/x.csv", "a price table"), ("data/inference/measured-profile-a.json", "a measurement record"),
    ("data/limits/x.yaml", "a data file"), ("src/mlopsbook/costs/model.py", "a code change"),
    ("notebooks/x.md", "the notebook itself"), ("requirements.txt", "the pinned environment"),
])
def test_kind_of(path: str, kind: str) -> None:
    assert drift.kind_of(path) == kind


def test_cli_exit_codes(book: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MLOPSBOOK_ROOT", str(book))
    assert main(["claims", "diff", "HEAD"]) == 0
    assert main(["claims", "diff", "no-such-rev"]) == 2
    assert "names no commit" in capsys.readouterr().err
    _write(book, "snapshots/notebooks/post/costs.ipynb", "{not json")
    assert main(["claims", "diff", "HEAD"]) == 2
    assert "costs.ipynb: not a notebook" in capsys.readouterr().err


def test_verdict_history(book: Path) -> None:
    _write(book, "snapshots/notebooks/post.ipynb", _nb({"C1": "refuted", "C2": "refuted"}, {"n": "'3'"}))
    _git(book, "commit", "-qam", "C1 refuted", date="2026-02-03")
    _write(book, "snapshots/notebooks/post.ipynb", _nb({"C1": "refuted", "C2": "refuted"}, {"n": "'4'"}))
    _git(book, "commit", "-qam", "a number moved", date="2026-03-04")
    hist = drift.verdict_history(book)
    assert isinstance(hist, dict)
    c1 = hist["snapshots/notebooks/post.ipynb#C1"]
    assert (c1.status, c1.previous, c1.since_date, c1.bounded) == ("refuted", "holds", "2026-02-03", False)
    c2 = hist["snapshots/notebooks/post.ipynb#C2"]
    assert (c2.previous, c2.since_date, c2.bounded) == (None, "2026-01-02", True)
    assert drift.verdict_history(book, limit=1)["snapshots/notebooks/post.ipynb#C1"].since_date == "2026-03-04"


def test_verdict_history_in_a_shallow_clone(book: Path, tmp_path: Path) -> None:
    _write(book, "snapshots/notebooks/post.ipynb", _nb({"C1": "refuted", "C2": "refuted"}))
    _git(book, "commit", "-qam", "two")
    shallow = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{book}", str(shallow))
    assert "shallow clone" in drift.verdict_history(shallow)
    assert "not built from a git checkout" in drift.verdict_history(tmp_path)


# -- the weekly re-verification, in miniature ---------------------------------------------------------------------
OFFER = ROOT / "tests" / "fixtures" / "aws-offer-lambda-fargate-us-east-1.json"
COSTS = "notebooks/engineering-culture-leadership/costs.md"
REPORT = ROOT / "build" / "reverify-example"


def _offer_with_one_price_changed(table: Path, out: Path) -> None:
    """The recorded offer file, made to agree with the committed price table except the first Lambda duration tier
    (x86_64), raised from $0.0000166667 to $0.0000200000 per GB-s."""
    import csv

    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    current = {r["product"]: r["value"] for r in rows if not r["tier_start"] or r["tier_start"] == "0"}
    offer = json.loads(OFFER.read_text(encoding="utf-8"))
    by_usage = {p["attributes"].get("usagetype"): sku for sku, p in offer["products"].items()}
    agree = {"Request": current["lambda.requests.x86_64"], "BoxUsage:c6i.large": current["ec2.c6i.large"],
             "USE1-Fargate-vCPU-Hours:perCPU": current["fargate.vcpu.x86_64"]}
    for usage, value in agree.items():
        for term in offer["terms"]["OnDemand"][by_usage[usage]].values():
            for dim in term["priceDimensions"].values():
                dim["pricePerUnit"]["USD"] = value
    for term in offer["terms"]["OnDemand"][by_usage["Lambda-GB-Second"]].values():
        for dim in term["priceDimensions"].values():
            if dim["pricePerUnit"]["USD"] == "0.0000166667":
                dim["pricePerUnit"]["USD"] = "0.0000200000"
    out.write_text(json.dumps(offer), encoding="utf-8")


@pytest.mark.integration
def test_weekly_report_names_what_one_price_moved(tmp_path: Path) -> None:
    book = tmp_path / "book"
    for rel in ("_config.yml", "requirements.txt", "pyproject.toml", "notebooks", "data", "snapshots/notebooks", "src"):
        (book / rel).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / rel).is_dir() else shutil.copy)(ROOT / rel, book / rel)
    _git(book, "init", "-q")
    _git(book, "add", "-A")
    _git(book, "commit", "-qm", "the book as committed")
    table = book / "data" / "pricing" / "prices-us-east-1-2026-09-20.csv"
    offer = tmp_path / "offer.json"
    _offer_with_one_price_changed(table, offer)
    env = {**os.environ, "MLOPSBOOK_ROOT": str(book), "PYTHONPATH": str(book / "src"), "PYTHONHASHSEED": "0"}
    cli = [sys.executable, "-m", "mlopsbook"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], cwd=book, env=env, capture_output=True, text=True, timeout=600)

    refreshed = run("prices", "refresh", "--in-place", "--offer-file", str(offer))
    assert refreshed.returncode == 0, refreshed.stderr
    changed_rows = [line for line in _git(book, "diff", "-U0", "--", str(table)).splitlines()
                    if line.startswith("+") and not line.startswith("+++")]
    assert any(",0.00002,0," in line for line in changed_rows), changed_rows
    executed = run("snapshots", COSTS)
    assert executed.returncode == 0, executed.stderr[-2000:]
    REPORT.mkdir(parents=True, exist_ok=True)
    proc = run("claims", "diff", "HEAD", "--report", str(REPORT / "report.md"), "--json", str(REPORT / "report.json"))
    assert proc.returncode == 1, proc.stdout + proc.stderr  # something moved: the weekly run fails
    report = json.loads((REPORT / "report.json").read_text(encoding="utf-8"))
    moved = {m["source"]: m for m in report["moved"]}
    assert list(moved) == [COSTS]
    assert {"path": "data/pricing/prices-us-east-1-2026-09-20.csv", "kind": "a price table"} in moved[COSTS]["moved_by"]
    changes = {c["key"]: (c["before"], c["after"]) for c in moved[COSTS]["changes"]}
    before, after = (float(v) for v in changes["glue costs_lambda_usd_per_million"])
    assert after > before  # a dearer GB-second makes a million requests dearer
    assert "glue costs_floor_fargate" not in changes  # Fargate's price did not move, nor its idle floor
    assert "costs_lambda_usd_per_million" in (REPORT / "report.md").read_text(encoding="utf-8")
