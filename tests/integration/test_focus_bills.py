"""FOCUS cost bills as clouds export them, through `amw run`, with a landing folder that holds
today as an exporter writing as it goes would.

The bill (tests/exporters.py) comes in three files of three FOCUS versions and formats: a CSV in
`focus/`, Parquet in `costs/` (read as FOCUS by its columns) and JSON Lines in `focus/` date
folders, plus a copy of the CSV delivered twice. Every row must load, the copy only as
duplicates; each day's costs in the warehouse must equal the file's own sum of EffectiveCost
(the default cost column), to the cent, per currency, and in USD at the day's rate.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from tests.conftest import Workspace, describe
from tests.exporters import (
    focus_bill,
    write_focus_csv,
    write_focus_json_lines,
    write_focus_parquet,
)
from tests.integration import handmade_landing

pytestmark = pytest.mark.slow

TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)
# From the Monday of the last complete ISO week to yesterday: one week or more to publish.
FIRST = TODAY - timedelta(days=TODAY.weekday() + 7)
DAYS = (TODAY - FIRST).days
RATES = {"EUR": 1.08, "JPY": 0.0066}


def _fx_rates(currencies: dict[str, float]) -> str:
    start = FIRST.replace(day=1) - timedelta(days=31)
    lines = [f"{currency},{start},{rate}" for currency, rate in currencies.items()]
    return "currency,date,usd_rate\n" + "\n".join(lines) + "\n"


def _day(stamps: pd.Series) -> pd.Series:
    return pd.to_datetime(stamps, utc=True).dt.date


def _bill(version: str) -> pd.DataFrame:
    """The bill of the run's days: its refund of the month before (a day the other feeds do
    not cover) becomes a refund of the first day's Bedrock charge."""
    bill = focus_bill(DAYS, version, FIRST)
    in_range = _day(bill["ChargePeriodStart"]) >= FIRST
    refund = bill[in_range & (bill["ServiceName"] == "Amazon Bedrock")].head(1).copy()
    for column in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost"):
        refund[column] = -refund[column]
    refund["ChargeClass"] = "Correction"
    refund["ChargeDescription"] = "Refund of an overcharge"
    return pd.concat([bill[in_range], refund], ignore_index=True)


def _write_landing(landing: Path) -> pd.DataFrame:
    """The handmade feeds without their bills, the FOCUS bill in three files and a copy, and a
    folder for today; returns the bill as written (one frame, 1.2 column names)."""
    handmade_landing.write_landing(landing, FIRST, DAYS)
    shutil.rmtree(landing / "costs")
    bill = _bill("1.2")
    day = _day(bill["ChargePeriodStart"])
    third = FIRST + timedelta(days=DAYS // 3)
    two_thirds = FIRST + timedelta(days=2 * DAYS // 3)
    first_part = day < third
    write_focus_csv(bill[first_part], landing / "focus" / "export-1.csv")
    shutil.copy(landing / "focus" / "export-1.csv", landing / "focus" / "export-1-again.csv")
    middle = _bill("1.3")
    write_focus_parquet(
        middle[(day >= third) & (day < two_thirds)], landing / "costs" / "export-2.parquet"
    )
    last = _bill("1.0")
    for moment, rows in last[day >= two_thirds].groupby(day[day >= two_thirds]):
        write_focus_json_lines(rows, landing / "focus" / f"date={moment}" / "export-3.jsonl")
    (landing / "reference").mkdir()
    (landing / "reference" / "fx_rates.csv").write_text(_fx_rates(RATES))
    today = landing / "uptime" / f"date={TODAY}"
    today.mkdir(parents=True)
    (today / "checks.csv").write_text(
        f"ai_system,checked_at,up\nhelpdesk_bot,{TODAY}T00:00:00Z,true\n"
    )
    return bill


@pytest.fixture(scope="module")
def billed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    ws = Workspace(tmp_path_factory.mktemp("focus"))
    bill = _write_landing(ws.landing)
    result = ws.run()
    assert result.returncode == 0, describe(result)
    return {"ws": ws, "bill": bill, "result": result}


def test_every_row_of_the_bill_loads_and_the_copy_only_as_duplicates(billed: dict) -> None:
    ws, bill = billed["ws"], billed["bill"]
    (loaded,) = ws.query("select count(*) from raw.costs where _disposition = 'loaded'")[0]
    assert loaded == len(bill)
    audit = {
        source_file: (read, duplicate)
        for source_file, read, duplicate in ws.query(
            "select source_file, sum(rows_read), sum(rows_duplicate) from raw.load_audit"
            " where entity = 'costs' group by source_file"
        )
    }
    copy_rows = len(pd.read_csv(ws.landing / "focus" / "export-1.csv"))
    # Of two equal records the later file in path order loads: export-1.csv sorts after
    # export-1-again.csv ('.' after '-'), so every row of the copy is a duplicate.
    assert audit["focus/export-1-again.csv"] == (copy_rows, copy_rows)
    assert audit["focus/export-1.csv"] == (copy_rows, 0)
    assert sum(duplicate for _, duplicate in audit.values()) == copy_rows
    assert sum(read for read, _ in audit.values()) == len(bill) + copy_rows
    assert not ws.query("select * from quarantine.rows where entity = 'costs'")
    assert not ws.query("select * from quarantine.files where entity = 'costs'")


def test_each_days_costs_equal_the_files_own_sums_to_the_cent(billed: dict) -> None:
    ws, bill = billed["ws"], billed["bill"]
    bill = bill.assign(day=_day(bill["ChargePeriodStart"]))
    # Rows within one day; the monthly Purchase counts EffectiveCost 0 on every day it spreads.
    expected = bill.groupby(["day", "BillingCurrency"])["EffectiveCost"].sum()
    spread = ws.frame(
        "select cost_date as day, billing_currency, sum(cost_share) as cost,"
        " sum(amount_usd) as usd"
        " from intermediate.int_costs_spread where cost_date between ? and ?"
        " group by all",
        [FIRST, YESTERDAY],
    )
    spread = spread.assign(day=pd.to_datetime(spread["day"]).dt.date)
    spread = spread.set_index(["day", "billing_currency"])
    for (day, currency), amount in expected.items():
        if FIRST <= day <= YESTERDAY:
            assert spread.loc[(day, currency), "cost"] == pytest.approx(amount, abs=0.005)
    usd = expected.rename_axis(["day", "currency"]).reset_index()
    usd["rate"] = usd["currency"].map({"USD": 1.0, **RATES})
    daily_usd = (usd["EffectiveCost"] * usd["rate"]).groupby(usd["day"]).sum()
    warehouse_usd = spread["usd"].groupby(level="day").sum()
    for day in pd.date_range(FIRST, YESTERDAY).date:
        assert warehouse_usd[day] == pytest.approx(daily_usd[day], abs=0.005), day


def test_programs_and_cost_types_come_from_tags_and_categories(billed: dict) -> None:
    rows = set(
        billed["ws"].query(
            "select distinct s.service_name, s.ai_system, s.cost_type"
            " from intermediate.int_costs_spread as s"
        )
    )
    assert ("Amazon Bedrock", "support-bot", "ai_inference") in rows
    assert ("Amazon Elastic Compute Cloud", "sales-assistant", "ai_platform") in rows
    assert ("Amazon Simple Storage Service", "unallocated", "other") in rows


def test_the_run_says_what_it_left_for_later_and_accounts_for_every_file(billed: dict) -> None:
    out = billed["result"].stdout
    assert f"left for later: {TODAY}" in out
    copy = next(line for line in out.splitlines() if "focus/export-1-again.csv" in line)
    rows = len(pd.read_csv(billed["ws"].landing / "focus" / "export-1.csv"))
    cells = [cell.strip() for cell in copy.split("│") if cell.strip()]
    # feed, file, read, loaded, quarantined, duplicate, replaced
    assert cells[:7] == [
        "costs",
        "focus/export-1-again.csv",
        f"{rows:,}",
        "0",
        "0",
        f"{rows:,}",
        "0",
    ]


def test_the_dagster_materialization_shows_the_duplicate_file(billed: dict) -> None:
    instance = dg.DagsterInstance.from_config(str(billed["ws"].root / "dagster_home"))
    event = instance.get_latest_materialization_event(dg.AssetKey(["raw", "costs"]))
    metadata = event.asset_materialization.metadata
    table = metadata["files_set_aside"].value
    assert "export-1" in table
    assert metadata["rows_duplicate"].value > 0


def test_a_currency_without_a_rate_fails_the_gate_naming_currency_and_days(
    billed: dict,
) -> None:
    ws = billed["ws"]
    (ws.landing / "reference" / "fx_rates.csv").write_text(_fx_rates({"EUR": RATES["EUR"]}))
    result = ws.run()
    assert result.returncode == 1, describe(result)
    week = FIRST.isocalendar()
    assert f"week {week.year}-W{week.week:02d} NOT published" in result.stdout
    failure = next(line for line in result.stdout.splitlines() if "usd_amounts:" in line)
    assert "cost row(s) in JPY on" in failure and "no FX rate" in failure
    days = [FIRST + timedelta(days=i) for i in range(7)]
    assert all(str(day) in failure for day in days), failure
