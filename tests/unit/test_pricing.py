"""The price table: provenance, validation that names file/row/column, and refresh from an offer file."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from mlopsbook.costs import pricing

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "aws-offer-lambda-fargate-us-east-1.json"


def test_default_table_is_valid_and_sourced() -> None:
    t = pricing.load()
    assert t.name == pricing.DEFAULT_TABLE and t.region == "us-east-1" and t.date == "2026-09-20"
    # every row cites an allowed facts-file row; none is UNCONFIRMED or SECONDARY-only
    assert {r.confidence for r in t.rows} <= {"OFFICIAL", "PRICE-API", "PEER"}
    assert "B4" not in t.sources() and "B2" not in t.sources() and "B3" not in t.sources()
    # the table's date is its newest source date
    assert max(r.source_date for r in t.rows) == t.date


def test_known_prices() -> None:
    t = pricing.load()
    assert t.tiers("lambda.duration.x86_64") == (
        (0.0, 6e9, 0.0000166667), (6e9, 15e9, 0.0000150000), (15e9, float("inf"), 0.0000133334))
    assert t.tiers("lambda.duration.arm64")[1] == (7.5e9, 18.75e9, 0.0000120001)
    assert t.value("lambda.requests.x86_64", "USD/request") == pytest.approx(0.2e-6)
    assert t.value("fargate.vcpu.x86_64") == 0.04048
    assert t.row("ec2.c6i.large").vcpus == 2
    with pytest.raises(pricing.PriceTableError, match="unit"):
        t.value("ec2.c6i.large", "USD/second")
    with pytest.raises(KeyError, match="no product 'ec2.p5.48xlarge'"):
        t.value("ec2.p5.48xlarge")


def _copy(tmp_path: Path, edit) -> Path:
    src = pricing.table_path()
    rows = list(csv.reader(src.open()))
    edit(rows)
    p = tmp_path / "prices-us-east-1-2026-09-20.csv"
    with p.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return p


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda rows: rows[3].__setitem__(3, "-0.1"), r"row 4, column value: must be > 0"),
        (lambda rows: rows[3].__setitem__(3, "abc"), r"row 4, column value: not a number"),
        (lambda rows: rows[5].__setitem__(2, "USD/fortnight"), r"row 6, column unit: 'USD/fortnight' is not one of"),
        (lambda rows: rows[2].__setitem__(9, "UNCONFIRMED"), r"row 3, column confidence: .*UNCONFIRMED figures may not be used"),
        (lambda rows: rows[2].__setitem__(11, "last year"), r"row 3, column source_date"),
        (lambda rows: rows[2].__setitem__(8, ""), r"row 3, column source_row: empty"),
        (lambda rows: [r.pop(4) for r in rows], r"row 1 \(header\): missing column\(s\) tier_start"),
        (lambda rows: rows.append(list(rows[-1])), r"row 28, column product: 'eks.control_plane' repeats row 27"),
        (lambda rows: rows[2].__setitem__(4, "5"), r"columns tier_start/tier_end: the tiers of 'lambda.duration.x86_64' do not cover"),
    ],
)
def test_bad_tables_name_file_row_and_column(tmp_path: Path, edit, message: str) -> None:
    p = _copy(tmp_path, edit)
    with pytest.raises(pricing.PriceTableError, match=r"^prices-us-east-1-2026-09-20\.csv: " + message):
        pricing.load(p)


def test_bad_file_name(tmp_path: Path) -> None:
    p = tmp_path / "prices.csv"
    shutil.copy(pricing.table_path(), p)
    with pytest.raises(pricing.PriceTableError, match="file name must be"):
        pricing.load(p)


def test_missing_table_is_named() -> None:
    with pytest.raises(FileNotFoundError, match="prices-us-east-1-1999-01-01.csv"):
        pricing.load("prices-us-east-1-1999-01-01.csv")


def test_read_offer_file_filters_region_os_and_unknown_usage() -> None:
    pub, prices = pricing.read_offer_file(FIXTURE)
    assert pub == "2026-11-01"
    by = {(p.product, p.tier_start): p for p in prices}
    assert set(p.product for p in prices) == {
        "lambda.duration.x86_64", "lambda.requests.x86_64", "fargate.vcpu.x86_64", "ec2.c6i.large"}
    assert by[("ec2.c6i.large", None)].value == 0.08  # the Linux row, not the Windows one
    assert by[("lambda.duration.x86_64", 6e9)].tier_end == 15e9
    assert by[("lambda.duration.x86_64", 15e9)].tier_end is None
    assert all(p.value != 0.0000999999 for p in prices)  # eu-west-1 ignored


def test_refresh_writes_a_new_dated_table(tmp_path: Path) -> None:
    target = pricing.refresh_from_offer_file([FIXTURE], out_dir=tmp_path)
    assert target.name == "prices-us-east-1-2026-11-01.csv"
    new = pricing.load(target)
    old = pricing.load()
    assert new.value("lambda.requests.x86_64") == 0.00000025  # changed by the offer file
    assert new.row("lambda.requests.x86_64").source_row == "PRICE-API:GU2ZS9HVP6QTQ7KE"
    assert new.value("ec2.c6i.large") == 0.08 and new.row("ec2.c6i.large").vcpus == 2  # size kept from the base
    assert new.value("lambda.free_tier.requests") == old.value("lambda.free_tier.requests")  # kept
    assert new.tiers("lambda.duration.x86_64") == old.tiers("lambda.duration.x86_64")
    assert len(new.rows) == len(old.rows)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"products": {}}, "missing top-level key 'terms'"),
        ({"products": {"X": {"attributes": {"usagetype": "Request", "regionCode": "us-east-1"}}},
          "terms": {"OnDemand": {}}, "publicationDate": "2026-11-01T00:00:00Z"}, r"terms.OnDemand.X: missing"),
        ({"products": {"X": {"attributes": {"usagetype": "Request", "regionCode": "us-east-1"}}},
          "terms": {"OnDemand": {"X": {"X.T": {"priceDimensions": {"X.T.R": {"pricePerUnit": {"USD": "cheap"}}}}}}},
          "publicationDate": "2026-11-01T00:00:00Z"}, r"terms.OnDemand.X.X.T.priceDimensions.X.T.R.pricePerUnit.USD"),
    ],
)
def test_bad_offer_files_are_named(tmp_path: Path, doc: dict, message: str) -> None:
    p = tmp_path / "offer.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(pricing.PriceTableError, match=r"^offer.json: .*" + message):
        pricing.read_offer_file(p)


def test_offer_file_with_nothing_we_use(tmp_path: Path) -> None:
    p = tmp_path / "offer.json"
    p.write_text(json.dumps({"products": {}, "terms": {"OnDemand": {}}, "publicationDate": "2026-11-01T00:00:00Z"}))
    with pytest.raises(pricing.PriceTableError, match="price none of the products"):
        pricing.refresh_from_offer_file([p], out_dir=tmp_path)
