"""Cost to serve, cost reduction, revenue, ROI and payback on a small hand-made fixture.

Every expected number is worked out by hand below (labour at the seed's 38 USD an hour, EUR at
the seed's rate), then compared with what a real `dbt build` on a real DuckDB file reports in
marts.metric_values and marts.roi_summary.

bot_a goes live on Monday 2026-03-09 at 08:00. In its pre-window it had 4 human-only contacts
of half an hour each (19 USD of labour each), 2 of them resolved: a baseline of 76 / 2 = 38 USD
per resolution. From go-live on, every day has 4 AI contacts (3 resolved, one 6-minute human
review: 3.80 USD of oversight) and an AI bill, and 40 USD of attributed revenue (a 50 USD order
and a 10 USD refund) beside 40 USD of unattributed revenue. The 300 USD integration project is
billed on go-live day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import pandas as pd
import pytest

from tests.integration.test_dbt_models import (
    Warehouse,
    at,
    conversation,
    create_raw_schema,
    insert_raw,
    rate_on,
    seed_price,
)

GO_LIVE = datetime(2026, 3, 9, 8)
DAYS = [date(2026, 3, 9) + timedelta(days=i) for i in range(3)]  # Mon, Tue, Wed
LABOR = 38.0
BASELINE = 4 * 0.5 * LABOR / 2  # 38 USD per resolution
OVERSIGHT = 360 / 3600 * LABOR  # 3.80 USD a day
# Mon: 10 USD bill; Tue: 10 EUR bill; Wed: no bill, the calls' tokens are priced.
TOKENS_IN, TOKENS_OUT = 20_000, 4_000
PRICE_IN, PRICE_OUT = seed_price("gpt-4o-mini")
RUN_COST = [
    10.0,
    10.0 * rate_on("EUR", DAYS[1]),
    (TOKENS_IN * PRICE_IN + TOKENS_OUT * PRICE_OUT) / 1000,
]
IMPLEMENTATION = 300.0
ATTRIBUTED = 40.0  # a day
AVOIDED = BASELINE * 3  # a day


def _raw_rows() -> dict[str, list[dict]]:
    conversations, calls, costs, revenue = [], [], [], []
    pre_day = date(2026, 3, 2)
    for i in range(4):
        conversations.append(
            conversation(
                f"pre{i}",
                "bot_a",
                f"cust{i}",
                at(pre_day, 9 + i),
                ai_involved=False,
                resolved=i < 2,
                resolved_at=at(pre_day, 9.5 + i) if i < 2 else None,
                human_handle_seconds=1800.0,
            )
        )
    for d, day in enumerate(DAYS):
        for i in range(4):
            conversations.append(
                conversation(
                    f"ai{d}{i}",
                    "bot_a",
                    f"cust{i}",
                    at(day, 10 + i),
                    escalated_to_human=i == 3,
                    resolved=i != 2,
                    resolved_at=None if i == 2 else at(day, 10.05 + i),
                    human_handle_seconds=360.0 if i == 3 else 0.0,
                )
            )
        calls.append(
            {
                "span_id": f"s{d}",
                "conversation_id": f"ai{d}0",
                "ai_system": "bot_a",
                "operation": "chat",
                "model": "gpt-4o-mini",
                "provider": "openai",
                "started_at": at(day, 10),
                "duration_ms": 800.0,
                "input_tokens": TOKENS_IN,
                "output_tokens": TOKENS_OUT,
                "status": "ok",
            }
        )
        if d < 2:
            costs.append(
                {
                    "cost_id": f"bill{d}",
                    "charge_period_start": at(day, 0),
                    "charge_period_end": at(day, 24),
                    "billed_cost": 10.0,
                    "billing_currency": "USD" if d == 0 else "EUR",
                    "cost_type": "ai_inference",
                    "ai_system": "bot_a",
                }
            )
        revenue += [
            _order(f"o{d}", at(day, 12), 50.0, "completed", f"ai{d}0"),
            _order(f"o{d}-r", at(day, 13), -10.0, "refunded", f"ai{d}0"),
            _order(f"u{d}", at(day, 14), 40.0, "completed", None),
            _order(f"p{d}", at(day, 15), 99.0, "pending", f"ai{d}1"),
        ]
    costs.append(
        {
            "cost_id": "impl",
            "charge_period_start": at(DAYS[0], 0),
            "charge_period_end": at(DAYS[0], 24),
            "billed_cost": IMPLEMENTATION,
            "billing_currency": "USD",
            "cost_type": "ai_implementation",
            "ai_system": "bot_a",
        }
    )
    # A call of a model without a price: counted and flagged, never priced at 0.
    calls.append(dict(calls[0], span_id="unpriced", model="mystery-model", provider=None))
    deployments = [{"ai_system": "bot_a", "deployed_at": GO_LIVE, "version": "1.0"}]
    return {
        "conversations": conversations,
        "llm_calls": calls,
        "costs": costs,
        "revenue": revenue,
        "deployments": deployments,
    }


def _order(order_id: str, when: datetime, amount: float, status: str, conv: str | None) -> dict:
    return {
        "order_id": order_id,
        "customer_id": "buyer",
        "occurred_at": when,
        "amount": amount,
        "currency": "USD",
        "status": status,
        "attributed_conversation_id": conv,
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("business")
    warehouse = Warehouse(root / "warehouse.duckdb", root / "work")
    with duckdb.connect(str(warehouse.path)) as con:
        create_raw_schema(con)
        for entity, rows in _raw_rows().items():
            insert_raw(con, entity, rows)
    warehouse.dbt("build")
    return warehouse


def _metric(warehouse: Warehouse, name: str, grain: str, period: date, system: str = "bot_a"):
    rows = warehouse.frame(
        "select * from marts.metric_values where metric_name = ? and grain = ?"
        " and period_start = ? and ai_system = ? and segment_key = 'all'",
        [name, grain, period, system],
    )
    assert len(rows) == 1, f"{name} {grain} {period} {system}: {len(rows)} rows"
    return rows.iloc[0]


def test_cost_to_serve_per_day(built: Warehouse) -> None:
    for day, run_cost in zip(DAYS, RUN_COST, strict=True):
        row = _metric(built, "cost_to_serve_usd", "day", day)
        assert row["value"] == pytest.approx((run_cost + OVERSIGHT) / 3)
        assert _metric(built, "ai_run_cost_usd", "day", day)["value"] == pytest.approx(run_cost)


def test_human_cost_to_serve_of_the_pre_window(built: Warehouse) -> None:
    row = _metric(built, "human_cost_to_serve_usd", "day", date(2026, 3, 2))
    assert row["value"] == pytest.approx(BASELINE)
    assert row["denominator"] == 2


def test_cost_reduction_against_the_pre_deployment_baseline(built: Warehouse) -> None:
    week = _metric(built, "cost_reduction_usd", "week", DAYS[0])
    expected = sum(AVOIDED - run_cost - OVERSIGHT for run_cost in RUN_COST)
    assert week["value"] == pytest.approx(expected)
    assert week["sample_size"] == 9


def test_revenue_metrics(built: Warehouse) -> None:
    week = DAYS[0]
    assert _metric(built, "attributed_revenue_usd", "week", week)["value"] == pytest.approx(120.0)
    per_interaction = _metric(built, "revenue_per_ai_interaction_usd", "week", week)
    assert per_interaction["value"] == pytest.approx(120.0 / 12)
    share = _metric(built, "ai_revenue_share", "week", week)
    assert share["value"] == pytest.approx(120.0 / 240.0)
    assert _metric(built, "ai_revenue_share", "week", week, "ALL")["value"] == pytest.approx(0.5)


def test_roai_and_payback(built: Warehouse) -> None:
    value = [AVOIDED + ATTRIBUTED] * 3
    investment = [run + OVERSIGHT for run in RUN_COST]
    investment[0] += IMPLEMENTATION
    # Mon: 154 vs 313.8; Tue: 308 vs 327.6 + FX; Wed: 462 vs ~341: paid back on Wednesday.
    assert sum(value[:2]) < sum(investment[:2]) and sum(value) >= sum(investment)
    day = _metric(built, "roai", "day", DAYS[0])
    assert day["value"] == pytest.approx((value[0] - investment[0]) / investment[0])
    week = _metric(built, "roai", "week", DAYS[0])
    assert week["value"] == pytest.approx((sum(value) - sum(investment)) / sum(investment))
    assert _metric(built, "time_to_value_days", "week", DAYS[0])["value"] == 2
    days = built.frame(
        "select period_start, value from marts.metric_values where metric_name ="
        " 'time_to_value_days' and grain = 'day' and ai_system = 'bot_a' order by 1"
    )
    assert days["value"].isna().tolist()[-3:] == [True, True, False]

    summary = built.frame("select * from marts.roi_summary where ai_system = 'bot_a'")
    assert len(summary) == 2  # the pre-window week and the go-live week
    live = summary[summary["week_start"] == pd.Timestamp(DAYS[0])].iloc[0]
    assert live["implementation_cost_usd"] == pytest.approx(IMPLEMENTATION)
    assert live["investment_usd"] == pytest.approx(sum(investment))
    assert live["value_usd"] == pytest.approx(sum(value))
    assert live["cumulative_roai"] == pytest.approx(sum(value) / sum(investment) - 1)
    assert live["payback_date"] == pd.Timestamp(DAYS[2]) and live["time_to_value_days"] == 2
    assert live["baseline_source"] == "pre_deployment"
    assert live["baseline_cost_per_resolution_usd"] == pytest.approx(BASELINE)
    assert live["revenue_source"] == "attributed"
    assert live["unpriced_calls"] == 1


def test_portfolio_sums_the_programs(built: Warehouse) -> None:
    for name in ("ai_run_cost_usd", "cost_reduction_usd", "attributed_revenue_usd"):
        program = _metric(built, name, "week", DAYS[0])["value"]
        assert _metric(built, name, "week", DAYS[0], "ALL")["value"] == pytest.approx(program)


def test_the_scorecard_shows_the_pre_deployment_baseline(built: Warehouse) -> None:
    card = built.frame(
        "select week_start, baseline_value from marts.scorecard_weekly"
        " where ai_system = 'bot_a' and metric_name = 'cost_to_serve_usd' order by 1"
    )
    live = card[card["week_start"] == pd.Timestamp(DAYS[0])]
    assert live["baseline_value"].tolist() == [pytest.approx(BASELINE)]
