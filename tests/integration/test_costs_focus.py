"""FinOps FOCUS cost rows beside the contract's own, through a real `dbt build` on DuckDB.

A FOCUS row counts the column the setting focus_cost_column names (EffectiveCost by default),
belongs to the program its Tags name under the key focus_ai_system_tag, and takes its cost
type from the most specific focus_cost_types rule; an own row counts as filed. Every expected
number is worked out by hand below. The same warehouse is then rebuilt with the user's
overrides (BilledCost, and a rule that makes commitment purchases implementation costs).
USD converts at 1 on every day, before the shipped rates' first day too.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from tests.integration.test_dbt_models import (
    Warehouse,
    at,
    call,
    create_raw_schema,
    insert_raw,
    rate_on,
)

DAY = date(2026, 3, 2)
EARLY = date(2024, 6, 3)  # before the first row of the shipped FX rates (2025-01-01)
AI = "AI and Machine Learning"


def focus(
    name: str,
    days: int = 1,
    *,
    category: str = "Usage",
    service: str = AI,
    program: str | None = None,
    currency: str = "USD",
    **costs: float | None,
) -> dict:
    """A FOCUS row over `days` whole days from DAY; `name` is kept in its description."""
    tags = {"env": "prod"} | ({"ai_system": program} if program else {})
    return {
        "charge_period_start": at(DAY, 0),
        "charge_period_end": at(DAY, 24 * days),
        "billing_currency": currency,
        "charge_category": category,
        "charge_description": name,
        "service_category": service,
        "service_name": "Cloud AI",
        "provider_name": "Cloud",
        "tags": json.dumps(tags),
        **costs,
    }


FOCUS_ROWS = [
    # A tagged AI service's usage: ai_inference of bot_a.
    focus("inference", program="bot_a", billed_cost=10.0, effective_cost=8.0, list_cost=12.0),
    # A commitment bought on DAY for three days: EffectiveCost 0 (amortized onto the usage),
    # BilledCost 300.
    focus(
        "commitment",
        3,
        category="Purchase",
        service="Compute",
        program="bot_a",
        billed_cost=300.0,
        effective_cost=0.0,
    ),
    # Usage the commitment covers: billed 0, its amortized share in EffectiveCost.
    focus(
        "covered",
        service="Compute",
        program="bot_a",
        billed_cost=0.0,
        effective_cost=20.0,
        commitment_discount_status="Used",
    ),
    # Untagged: program 'unallocated'; storage is 'other', the AI service ai_inference (EUR).
    focus("storage", service="Storage", billed_cost=5.0, effective_cost=5.0),
    focus("untagged ai", currency="EUR", billed_cost=4.0, effective_cost=4.0),
    # No EffectiveCost: under the default setting this row has no cost (never its BilledCost).
    focus("no effective", program="bot_b", billed_cost=7.0),
]

OWN_ROWS = [
    {
        "cost_id": "own-platform",
        "charge_period_start": at(DAY, 0),
        "charge_period_end": at(DAY, 24),
        "billed_cost": 2.0,
        "billing_currency": "USD",
        "cost_type": "ai_platform",
        "ai_system": "bot_a",
    },
    # A USD bill of a day before any FX rate: converts at 1.
    {
        "cost_id": "own-early",
        "charge_period_start": at(EARLY, 0),
        "charge_period_end": at(EARLY, 24),
        "billed_cost": 6.0,
        "billing_currency": "USD",
        "cost_type": "ai_inference",
        "ai_system": "bot_a",
    },
]

REVENUE = [
    {
        "order_id": f"early-{currency}",
        "customer_id": "buyer",
        "occurred_at": at(EARLY, 12),
        "amount": 40.0,
        "currency": currency,
        "status": "completed",
    }
    for currency in ("USD", "EUR")
]

CALLS = [
    # A failed call of a model without a price, without tokens: costs 0, not unpriced.
    call(
        "no-tokens",
        "bot_c",
        at(DAY, 9),
        100.0,
        model="mystery-model",
        provider=None,
        input_tokens=None,
        output_tokens=None,
        status="error",
    ),
    # The same model with tokens: unpriced.
    call("tokens", "bot_d", at(DAY, 9), 100.0, model="mystery-model", provider=None),
]


def fill_raw(con: duckdb.DuckDBPyConnection) -> None:
    create_raw_schema(con)
    insert_raw(con, "costs", OWN_ROWS)
    insert_raw(con, "costs", FOCUS_ROWS)
    # The loader keys a row without cost_id (every FOCUS row) by its whole record; insert_raw
    # keys by cost_id, so give each FOCUS row a key of its own.
    con.execute(
        "update raw.costs set _row_key = 'focus-' || _row_number where charge_category is not null"
    )
    insert_raw(con, "revenue", REVENUE)
    insert_raw(con, "llm_calls", CALLS)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The default settings and rules: EffectiveCost, tag key ai_system."""
    root = tmp_path_factory.mktemp("costs_focus")
    warehouse = Warehouse(root / "warehouse.duckdb", root / "work")
    with duckdb.connect(str(warehouse.path)) as con:
        fill_raw(con)
    warehouse.dbt("build")
    return warehouse


@pytest.fixture(scope="module")
def overridden(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The user counts BilledCost and files rules in which a Purchase is an implementation
    cost (the defaults otherwise); a run without a window rebuilds every day."""
    warehouse = built.copy(tmp_path_factory.mktemp("costs_focus_overridden"))
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute("insert into raw.reference_settings values ('focus_cost_column', 'BilledCost')")
        con.executemany(
            "insert into raw.reference_focus_cost_types values (?, ?, ?, ?)",
            [
                (" purchase ", "*", "*", "ai_implementation"),
                ("*", "ai and machine learning", "*", "ai_inference"),
                ("*", "*", "YES", "ai_platform"),
                ("*", "*", "no", "other"),
            ],
        )
    warehouse.dbt("build", "--select", "+int_business_daily")
    return warehouse


def spread(warehouse: Warehouse) -> pd.DataFrame:
    frame = warehouse.frame("select * from intermediate.int_costs_spread")
    frame["cost_date"] = pd.to_datetime(frame["cost_date"]).dt.date
    return frame


def by_type(warehouse: Warehouse, system: str, day: date = DAY) -> dict[str, float]:
    """The day's converted amounts of one program by cost_type (nulls left out, as sums do)."""
    frame = spread(warehouse)
    rows = frame[(frame["ai_system"] == system) & (frame["cost_date"] == day)]
    return rows.groupby("cost_type")["amount_usd"].sum(min_count=1).dropna().to_dict()


def daily(warehouse: Warehouse, system: str, day: date = DAY) -> pd.Series:
    rows = warehouse.frame(
        "select * from intermediate.int_business_daily where ai_system = ? and business_date = ?",
        [system, day],
    )
    assert len(rows) == 1, f"{system} {day}: {len(rows)} rows"
    return rows.iloc[0]


def test_focus_rows_count_effective_cost_by_program_and_rule(built: Warehouse) -> None:
    frame = spread(built)
    assert set(frame["cost_column"]) == {"billed_cost", "EffectiveCost"}
    assert by_type(built, "bot_a") == pytest.approx(
        {"ai_inference": 8.0, "ai_platform": 0.0 + 20.0 + 2.0}
    )
    # The commitment is spread over its three days at 0 a day.
    commitment = frame[frame["cost"] == 0.0]
    assert sorted(commitment["cost_date"]) == [DAY + timedelta(days=d) for d in range(3)]
    assert set(commitment["cost_type"]) == {"ai_platform"}
    assert by_type(built, "unallocated") == pytest.approx(
        {"other": 5.0, "ai_inference": 4.0 * rate_on("EUR", DAY)}
    )
    day = daily(built, "bot_a")
    assert day["billed_inference_usd"] == pytest.approx(8.0)
    assert day["billed_platform_usd"] == pytest.approx(22.0)
    assert day["run_cost_usd"] == pytest.approx(30.0)
    assert day["unconverted_cost_rows"] == 0


def test_a_focus_row_without_its_chosen_column_has_no_amount(built: Warehouse) -> None:
    frame = spread(built)
    row = frame[frame["ai_system"] == "bot_b"]
    assert len(row) == 1
    assert row["cost_column"].item() == "EffectiveCost"
    assert pd.isna(row["cost"].item()) and pd.isna(row["cost_share"].item())
    assert row["usd_rate"].item() == 1.0 and pd.isna(row["amount_usd"].item())
    assert daily(built, "bot_b")["unconverted_cost_rows"] == 1


def test_run_cost_metric_counts_the_focus_rows(built: Warehouse) -> None:
    values = built.frame(
        "select ai_system, value from marts.metric_values where metric_name = 'ai_run_cost_usd'"
        " and grain = 'day' and period_start = ? and segment_key = 'all'",
        [DAY],
    ).set_index("ai_system")["value"]
    assert values["bot_a"] == pytest.approx(30.0)
    assert values["unallocated"] == pytest.approx(4.0 * rate_on("EUR", DAY))


def test_usd_converts_at_one_before_the_first_rate(built: Warehouse) -> None:
    early = spread(built).query("cost_id == 'own-early'")
    assert early[["usd_rate", "amount_usd"]].values.tolist() == [[1.0, 6.0]]
    revenue = built.frame(
        "select currency, usd_rate, amount_usd from intermediate.int_revenue_usd"
        " where occurred_date = ? order by currency",
        [EARLY],
    )
    assert revenue["currency"].tolist() == ["EUR", "USD"]
    assert revenue["usd_rate"].isna().tolist() == [True, False]
    assert revenue.loc[1, "amount_usd"] == 40.0 and pd.isna(revenue.loc[0, "amount_usd"])


def test_calls_without_tokens_cost_nothing(built: Warehouse) -> None:
    calls = built.frame(
        "select span_id, inference_cost_usd, cost_source, is_unpriced"
        " from intermediate.int_llm_calls_priced"
    ).set_index("span_id")
    free = calls.loc["no-tokens"]
    assert (free["inference_cost_usd"], free["cost_source"], free["is_unpriced"]) == (
        0.0,
        "no_tokens",
        False,
    )
    unpriced = calls.loc["tokens"]
    assert pd.isna(unpriced["inference_cost_usd"]) and unpriced["is_unpriced"]
    assert daily(built, "bot_c")["unpriced_calls"] == 0
    assert daily(built, "bot_d")["unpriced_calls"] == 1


def test_the_users_overrides_count_billed_cost_and_their_rules(overridden: Warehouse) -> None:
    frame = spread(overridden)
    assert set(frame["cost_column"]) == {"billed_cost", "BilledCost"}
    # Purchase is the user's rule; the covered usage was billed 0.
    assert by_type(overridden, "bot_a") == pytest.approx(
        {"ai_inference": 10.0, "ai_platform": 0.0 + 2.0, "ai_implementation": 100.0}
    )
    for offset in (1, 2):
        later = DAY + timedelta(days=offset)
        assert by_type(overridden, "bot_a", later) == pytest.approx({"ai_implementation": 100.0})
    assert daily(overridden, "bot_a")["implementation_cost_usd"] == pytest.approx(100.0)
    # With BilledCost the row without an EffectiveCost counts.
    assert by_type(overridden, "bot_b") == pytest.approx({"ai_inference": 7.0})
    assert daily(overridden, "bot_b")["unconverted_cost_rows"] == 0


def test_staging_keeps_the_focus_rows_as_filed(built: Warehouse) -> None:
    """Staging keeps what a FOCUS row says: its program and type are derived later."""
    rows = built.frame(
        "select is_focus, ai_system, cost_type, tags from staging.stg_raw__costs"
        " where is_focus order by charge_description"
    )
    assert len(rows) == len(FOCUS_ROWS)
    assert rows["ai_system"].isna().all() and rows["cost_type"].isna().all()
    assert rows["tags"].map(lambda text: "env" in json.loads(text)).all()
