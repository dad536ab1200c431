"""How old a page's dated inputs are on the day it is built (rendered by the Sphinx extension, not by a cell)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from mlopsbook.publishing import freshness

TABLE = ("product,description,unit,value,tier_start,tier_end,vcpus,memory_gib,source_row,confidence,source,"
         "source_date\n"
         "lambda.requests.x86_64,r,USD/request,0.0000002,,,,,A5,PRICE-API,s,2025-10-28\n"
         "fargate.vcpu.x86_64,f,USD/vCPU-hour,0.04048,,,,,C1,PRICE-API,s,2021-04\n")


def _book(tmp_path: Path) -> Path:
    (tmp_path / "data" / "pricing").mkdir(parents=True)
    (tmp_path / "data" / "inference").mkdir(parents=True)
    (tmp_path / "data" / "pricing" / "prices-us-east-1-2025-10-28.csv").write_text(TABLE, encoding="utf-8")
    for name in ("measured-profile-2026-11-28.json", "measured-profile-2026-11-30.json", "other-2020-01-01.json"):
        (tmp_path / "data" / "inference" / name).write_text("{}", encoding="utf-8")
    return tmp_path


def test_dated_inputs_and_the_note(tmp_path: Path) -> None:
    root = _book(tmp_path)
    inputs = ["data/pricing/prices-us-east-1-2025-10-28.csv", "data/inference/measured-profile-2026-11-28.json",
              "data/inference/measured-profile-2026-11-30.json", "data/inference/other-2020-01-01.json",
              "src/mlopsbook/x.py"]
    items = freshness.dated_inputs(root, inputs)
    assert [(i.what, i.path, i.date, i.oldest) for i in items] == [
        ("prices", inputs[0], dt.date(2025, 10, 28), dt.date(2021, 4, 1)),
        ("measurements", inputs[2], dt.date(2026, 11, 30), None)]  # the newest record of its kind only
    text = freshness.note(items, dt.date(2026, 12, 3))
    assert text.startswith("Dated inputs of this page, on 2026-12-03 when it was built: ")
    assert "prices dated 2021-04-01 to 2025-10-28 (`data/pricing/prices-us-east-1-2025-10-28.csv`), the oldest 2,072 " \
           "days and the newest 401 days old" in text
    assert "measurements dated 2026-11-30 (`data/inference/measured-profile-2026-11-30.json`), 3 days old." in text


def test_no_dated_input_no_note(tmp_path: Path) -> None:
    assert freshness.note(freshness.dated_inputs(_book(tmp_path), ["src/mlopsbook/x.py"]), dt.date(2026, 1, 1)) == ""


def test_a_broken_price_table_is_left_out(tmp_path: Path) -> None:
    root = _book(tmp_path)
    (root / "data" / "pricing" / "prices-us-east-1-2025-10-28.csv").write_text("nonsense\n", encoding="utf-8")
    assert freshness.dated_inputs(root, ["data/pricing/prices-us-east-1-2025-10-28.csv"]) == []


@pytest.mark.parametrize("epoch, day", [("0", dt.date(1970, 1, 1)), ("1796256000", dt.date(2026, 12, 3))])
def test_build_date_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch, epoch: str, day: dt.date) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert freshness.build_date() == day


@pytest.mark.integration
def test_a_built_page_says_how_old_its_prices_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import tinybook
    from test_book_build import POST

    code = 'from mlopsbook.costs import pricing\nprint(pricing.load("prices-us-east-1-2026-09-20.csv").name)'
    book = tinybook.make(tmp_path, {"a-tiny-post": POST.format(code=code, extra_text="")})
    stamp = min((book / venv / ".installed").stat().st_mtime for venv in (".venv", ".venv-airflow"))
    pinned = [book / "requirements.txt", book / "pyproject.toml", *(book / "airflow").iterdir()]
    for f in pinned:  # older than the environments: nothing reinstalls
        os.utime(f, (stamp - 1, stamp - 1))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796256000")  # 2026-12-03
    result = tinybook.build(book, timeout=600)
    assert result.returncode == 0, tinybook.tail(result)
    page = (book / "_build" / "html" / "notebooks" / "a-tiny-post.html").read_text(encoding="utf-8")
    assert "Dated inputs of this page, on 2026-12-03 when it was built: prices dated " in page
    assert "the newest 74 days old" in page  # the table's newest source, 2026-09-20
