"""The whole job, end to end, on a landing folder written independently of the simulator.

`amw run` materializes every day through Dagster (ingestion, checks, dbt), then gates, renders and
publishes each complete ISO week. The expected numbers are computed here with pandas from the
same files, so a wrong parse (offsets, True/False, 5.0) or a wrong aggregation shows up.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import Workspace, describe
from tests.integration import handmade_landing

pytestmark = pytest.mark.slow

FIRST = date(2026, 9, 7)  # a Monday: four complete ISO weeks, 2026-W37 .. 2026-W40
DAYS = 28
Z = 1.959964


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the pipeline twice over the same four weeks; keep what each run left behind."""
    ws = Workspace(tmp_path_factory.mktemp("handmade"))
    handmade_landing.write_landing(ws.landing, FIRST, DAYS)
    first = ws.run()
    assert first.returncode == 0, describe(first)
    snapshot = _snapshot(ws)
    second = ws.run()
    assert second.returncode == 0, describe(second)
    return {"ws": ws, "first": first, "second": second, "before": snapshot, "after": _snapshot(ws)}


def _snapshot(ws: Workspace) -> dict[str, pd.DataFrame]:
    order = "order by all"
    return {
        "metric_values": ws.frame(f"select * from marts.metric_values {order}"),
        "raw_conversations": ws.frame(
            f"select * exclude (_loaded_at) from raw.conversations {order}"
        ),
        "load_audit": ws.frame(f"select * exclude (loaded_at) from raw.load_audit {order}"),
        "scorecard": ws.frame(f"select * from marts.scorecard_weekly {order}"),
    }


def _conversations(landing: Path) -> pd.DataFrame:
    frame = pd.concat(
        pd.read_csv(p, dtype=str) for p in sorted(landing.glob("conversations/*/*.csv"))
    )
    for column in ("started_at", "ended_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    for column in ("ai_involved", "escalated_to_human", "resolved"):
        frame[column] = frame[column] == "True"
    frame["csat"] = pd.to_numeric(frame["csat"])
    return frame


def _calls(landing: Path) -> pd.DataFrame:
    rows = [
        json.loads(line)
        for path in sorted(landing.glob("llm_calls/*/*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    frame = pd.DataFrame(rows)
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True, format="ISO8601")
    return frame


def _week(stamps: pd.Series) -> pd.Series:
    days = stamps.dt.tz_convert("UTC").dt.normalize()
    return (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date


def _metric(ws: Workspace, name: str, grain: str, period: date, system: str = "ALL") -> dict:
    rows = ws.frame(
        "select * from marts.metric_values where metric_name = ? and grain = ?"
        " and period_start = ? and ai_system = ? and segment_key = 'all'",
        [name, grain, period, system],
    )
    assert len(rows) == 1, f"{name} {grain} {period} {system}: {len(rows)} rows"
    return rows.iloc[0].to_dict()


@pytest.mark.parametrize("system", ["ALL", "helpdesk_bot"])
def test_conversation_metrics_match_pandas(handmade: dict, system: str) -> None:
    ws = handmade["ws"]
    conv = _conversations(ws.landing)
    if system != "ALL":
        conv = conv[conv["ai_system"] == system]
    conv["week"] = _week(conv["started_at"])
    for week, group in conv.groupby("week"):
        ai = group[group["ai_involved"]]
        involvement = _metric(ws, "ai_involvement_rate", "week", week, system)
        assert involvement["numerator"] == len(ai)
        assert involvement["denominator"] == len(group)
        assert involvement["value"] == pytest.approx(len(ai) / len(group))
        assert involvement["ci_low"] < involvement["value"] < involvement["ci_high"]
        containment = _metric(ws, "containment_rate", "week", week, system)
        assert containment["value"] == pytest.approx((~ai["escalated_to_human"]).mean())
        handling = _metric(ws, "average_handling_time_seconds", "week", week, system)
        seconds = (group["ended_at"] - group["started_at"]).dt.total_seconds()
        assert handling["value"] == pytest.approx(seconds.mean(), rel=1e-9)
        csat = group["csat"].dropna()
        rated = _metric(ws, "csat_average", "week", week, system)
        half_width = Z * csat.std(ddof=1) / np.sqrt(len(csat))
        assert rated["sample_size"] == len(csat)
        assert rated["value"] == pytest.approx(csat.mean())
        assert rated["ci_low"] == pytest.approx(csat.mean() - half_width)
        assert rated["ci_high"] == pytest.approx(csat.mean() + half_width)


def test_day_follows_utc_event_time_not_the_folder_or_local_date(handmade: dict) -> None:
    ws = handmade["ws"]
    conv = _conversations(ws.landing)
    day = FIRST + timedelta(days=9)
    on_day = conv[conv["started_at"].dt.date == day]
    value = _metric(ws, "ai_involvement_rate", "day", day)
    assert value["denominator"] == len(on_day)
    assert value["numerator"] == on_day["ai_involved"].sum()


def test_call_metrics_match_pandas(handmade: dict) -> None:
    ws = handmade["ws"]
    calls = _calls(ws.landing)
    calls["week"] = _week(calls["started_at"])
    for week, group in calls.groupby("week"):
        p95 = _metric(ws, "latency_p95_ms", "week", week)
        assert p95["value"] == pytest.approx(np.percentile(group["duration_ms"], 95), rel=1e-9)
        errors = _metric(ws, "error_rate", "week", week)
        assert errors["value"] == pytest.approx((group["status"] == "error").mean())
        tokens = _metric(ws, "tokens_total", "week", week)
        assert tokens["value"] == group["input_tokens"].sum() + group["output_tokens"].sum()


def test_uptime_and_cost_match_pandas(handmade: dict) -> None:
    ws = handmade["ws"]
    landing = ws.landing
    uptime = pd.concat(pd.read_csv(p) for p in sorted(landing.glob("uptime/*/*.csv")))
    costs = pd.concat(pd.read_csv(p) for p in sorted(landing.glob("costs/*/*.csv")))
    for week_index in range(DAYS // 7):
        week = FIRST + timedelta(days=7 * week_index)
        days = {(week + timedelta(days=d)).isoformat() for d in range(7)}
        checks = uptime[uptime["checked_at"].str[:10].isin(days)]
        billing = checks[checks["ai_system"] == "billing_bot"]
        percent = _metric(ws, "uptime_percent", "week", week, "billing_bot")
        assert percent["value"] == pytest.approx(100 * billing["up"].mean())
        bills = costs[costs["charge_period_start"].str[:10].isin(days)]
        cost = _metric(ws, "ai_run_cost_usd", "week", week)
        assert cost["value"] == pytest.approx(bills["billed_cost"].sum())


def test_every_row_is_accounted_for(handmade: dict) -> None:
    ws = handmade["ws"]
    audit = handmade["after"]["load_audit"]
    assert (
        audit["rows_read"]
        == audit["rows_loaded"]
        + audit["rows_quarantined"]
        + audit["rows_duplicate"]
        + audit["rows_replaced"]
    ).all()
    written = len(_conversations(ws.landing))
    conversations = audit[audit["entity"] == "conversations"]
    assert conversations["rows_read"].sum() == written
    assert conversations["rows_loaded"].sum() == written
    assert ws.query("select count(*) from quarantine.rows")[0][0] == 0


def test_second_run_over_the_same_days_changes_nothing(handmade: dict) -> None:
    for name, before in handmade["before"].items():
        pd.testing.assert_frame_equal(before, handmade["after"][name], obj=name)


def test_every_complete_week_is_published(handmade: dict) -> None:
    ws = handmade["ws"]
    assert "2026-W37" in handmade["first"].stdout and "2026-W40" in handmade["first"].stdout
    published = ws.published / "published.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        weeks = con.execute("select distinct week_start from marts.scorecard_weekly").fetchall()
        metrics = con.execute("select count(*) from marts.metric_values").fetchone()[0]
    assert sorted(w for (w,) in weeks) == [FIRST + timedelta(days=7 * i) for i in range(4)]
    assert metrics == len(handmade["after"]["metric_values"])
    for label in ("2026-W37", "2026-W40"):
        for system in ("ALL", *handmade_landing.SYSTEMS):
            page = ws.published / "scorecards" / label / f"{system}.html"
            assert page.exists(), page
    query = ws.amw("query", "select count(*) as n from marts.scorecard_weekly")
    assert query.returncode == 0, describe(query)
    assert str(len(handmade["after"]["scorecard"])) in query.stdout
    wrong = ws.amw("query", "select * from marts.no_such_table")
    assert wrong.returncode == 2 and wrong.stderr.startswith("amw: query failed:"), describe(wrong)
    card = ws.amw("scorecard", "--week", "2026-W40")
    assert card.returncode == 0 and "containment_rate" in card.stdout, describe(card)


def test_missing_day_blocks_publication_and_keeps_the_last_good_one(handmade: dict) -> None:
    ws = handmade["ws"]
    week5 = FIRST + timedelta(days=DAYS)
    handmade_landing.write_landing(ws.landing, week5, 7, seed=12)
    missing = week5 + timedelta(days=3)
    for path in (ws.landing / "llm_calls" / f"date={missing.isoformat()}").iterdir():
        path.unlink()
    published_before = os.path.realpath(ws.published)

    result = ws.run("--start", week5.isoformat(), "--end", (week5 + timedelta(days=6)).isoformat())

    assert result.returncode == 1, describe(result)
    assert "2026-W41" in result.stderr + result.stdout
    assert "completeness" in result.stdout + result.stderr
    assert missing.isoformat() in result.stdout + result.stderr
    assert os.path.realpath(ws.published) == published_before
    assert not (ws.published / "scorecards" / "2026-W41").exists()
    assert (ws.published / "scorecards" / "2026-W40" / "ALL.html").exists()
    with duckdb.connect(str(ws.published / "published.duckdb"), read_only=True) as con:
        latest = con.execute("select max(week_start) from marts.scorecard_weekly").fetchone()[0]
    assert latest == FIRST + timedelta(days=21)


def test_a_changed_price_table_reprices_the_whole_history(tmp_path: Path) -> None:
    """Token-priced calls follow the price table in effect, not the one at ingestion time.

    A week without inference bills (the bills become 1 USD platform charges) is priced from the
    seed; then the user files a price table that doubles gpt-4o-mini from the start and triples
    it from the week's fifth day, and a run of the last day alone re-prices every earlier day.
    """
    ws = Workspace(tmp_path)
    handmade_landing.write_landing(ws.landing, FIRST, 7)
    for bill in ws.landing.glob("costs/*/*.csv"):
        bills = pd.read_csv(bill, dtype=str).assign(cost_type="ai_platform", billed_cost="1.00")
        bills.to_csv(bill, index=False)
    platform = len(handmade_landing.SYSTEMS) * 1.0  # a day
    assert (first := ws.run()).returncode == 0, describe(first)
    before = _daily_costs(ws)
    assert len(before) == 7 and before["ai_run_cost_usd"].notna().all()

    prices = ws.landing / "reference" / "model_prices.csv"
    prices.parent.mkdir()
    fifth = FIRST + timedelta(days=4)
    prices.write_text(
        "provider,model,input_usd_per_1k,output_usd_per_1k,valid_from\n"
        "openai,gpt-4o-mini,0.0003,0.0012,2025-01-01\n"
        f"openai,gpt-4o-mini,0.00045,0.0018,{fifth.isoformat()}\n"
    )
    last = (FIRST + timedelta(days=6)).isoformat()
    assert (second := ws.run("--start", last, "--end", last)).returncode == 0, describe(second)
    after = _daily_costs(ws)

    factor = np.where(after["period_start"] < fifth, 2.0, 3.0)
    np.testing.assert_allclose(
        after["ai_run_cost_usd"] - platform, factor * (before["ai_run_cost_usd"] - platform)
    )
    np.testing.assert_allclose(after["inference_cost_usd"], factor * before["inference_cost_usd"])


def _daily_costs(ws: Workspace) -> pd.DataFrame:
    frame = ws.frame(
        "pivot (select period_start, metric_name, value from marts.metric_values"
        " where grain = 'day' and ai_system = 'ALL' and segment_key = 'all'"
        " and metric_name in ('ai_run_cost_usd', 'inference_cost_usd'))"
        " on metric_name using first(value) order by period_start"
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame
