"""The GX gate: committed suites, partition checks, the weekly gate on a hand-built warehouse."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import great_expectations as gx
import pandas as pd
import pytest
from great_expectations.data_context import AbstractDataContext

from orchestration.lib.contract import ENTITIES, RAW_META_COLUMNS, quote_identifier
from orchestration.lib.environment import EXPECTATIONS_DIR
from orchestration.lib.quality import (
    GateResult,
    GateSettings,
    all_suites,
    build_suites,
    day_batches,
    metric_kind,
    partition_columns,
    validate_partition,
    validate_week,
)

WEEK = date.fromisocalendar(2026, 37, 1)  # Monday 2026-09-07
FIRST_DAY = WEEK - timedelta(days=28)  # four trailing weeks feed the volume baseline
LAST_DAY = WEEK + timedelta(days=6)


@pytest.fixture(scope="session")
def context(tmp_path_factory: pytest.TempPathFactory) -> AbstractDataContext:
    """The committed GX project, copied so that validation results stay out of the repo."""
    root = tmp_path_factory.mktemp("expectations")
    shutil.copytree(
        EXPECTATIONS_DIR / "gx", root / "gx", ignore=shutil.ignore_patterns("uncommitted")
    )
    return gx.get_context(mode="file", project_root_dir=root)


def test_committed_suites_load_and_say_what_they_guard(context: AbstractDataContext) -> None:
    for spec in all_suites():
        suite = context.suites.get(spec.name)
        assert len(suite.expectations) == len(spec.expectations) > 0, spec.name
        assert suite.meta["guards"] and suite.meta["blocks"], spec.name
        assert context.checkpoints.get(spec.name).validation_definitions[0].suite.name == spec.name
    assert {s.name for s in all_suites()} >= {f"raw_{e}" for e in ENTITIES}


def test_committed_files_match_the_contract(context: AbstractDataContext) -> None:
    """A contract change without `python -m orchestration.lib.quality` shows up here."""
    assert build_suites(context) == []


# --- partitions --------------------------------------------------------------------------------


def _create_raw(con: duckdb.DuckDBPyConnection, entity: str) -> None:
    columns = [(c.name, c.type) for c in ENTITIES[entity].columns] + list(RAW_META_COLUMNS)
    ddl = ", ".join(f'"{name}" {type_}' for name, type_ in columns)
    con.execute("create schema if not exists raw")
    con.execute(f"create table raw.{entity} ({ddl})")


def _conversations(tmp_path: Path, csat: list[float | None], ai_system: list[str | None]):
    """Typed rows read back from a real raw table, the columns the gate reads."""
    with duckdb.connect(tmp_path / "partition.duckdb") as con:
        _create_raw(con, "conversations")
        for n, (score, system) in enumerate(zip(csat, ai_system, strict=True)):
            con.execute(
                """
                insert into raw.conversations (conversation_id, ai_system, started_at, ended_at,
                    customer_id, ai_involved, escalated_to_human, resolved, use_case, csat,
                    sentiment_start, _event_date, _disposition)
                values (?, ?, timestamp '2026-09-07 10:00', timestamp '2026-09-07 10:05', 'u',
                    true, false, true, 'sales', ?, -0.5, date '2026-09-07', 'loaded')
                """,
                [f"c{n}", system, score],
            )
        columns = ", ".join(map(quote_identifier, partition_columns("conversations")))
        return con.execute(f"select {columns} from raw.conversations").df()


def test_partition_passes_clean_rows(tmp_path: Path, context: AbstractDataContext) -> None:
    rows = _conversations(tmp_path, [5.0, 1.0, None], ["bot", "bot", "bot"])
    result = validate_partition("conversations", rows, context)
    assert result == GateResult("raw_conversations", True, [], result.details), result.failures
    assert result.details["rows_checked"] == 3


def test_partition_catches_a_null_required_value(
    tmp_path: Path, context: AbstractDataContext
) -> None:
    rows = _conversations(tmp_path, [4.0, 4.0], ["bot", None])
    result = validate_partition("conversations", rows, context)
    assert not result.success
    assert result.failures == ["conversations (conversation_id c1): required ai_system is null"]


def test_partition_catches_an_out_of_range_value(
    tmp_path: Path, context: AbstractDataContext
) -> None:
    rows = _conversations(tmp_path, [4.0, 7.0], ["bot", "bot"])
    result = validate_partition("conversations", rows, context)
    assert result.failures == ["conversations (conversation_id c1): csat = 7.0 is outside [1, 5]"]


def test_partition_checks_value_sets_and_keys(context: AbstractDataContext) -> None:
    calls = pd.DataFrame(
        {name: pd.Series([None, None], dtype="object") for name in partition_columns("llm_calls")}
    ).assign(
        span_id=["s1", "s1"],
        ai_system="bot",
        operation="chat",
        model="m",
        started_at=pd.Timestamp("2026-09-07"),
        duration_ms=[10.0, 20.0],
        status=["ok", "timeout"],
    )
    failures = validate_partition("llm_calls", calls, context).failures
    assert "llm_calls (span_id s1): status = timeout is not one of ok, error" in failures
    assert "llm_calls (span_id s1): the key (span_id) appears more than once" in failures


# --- settings and metric kinds ------------------------------------------------------------------


def test_a_long_backfill_is_checked_in_batches_of_whole_days() -> None:
    d = [FIRST_DAY + timedelta(days=i) for i in range(6)]
    rows_per_day = list(zip(d, [4, 5, 2, 9, 1, 1], strict=True))
    # 4 + 5 fit in 10 rows; 2 + 9 do not; 9 + 1 fill a batch exactly; the last day starts anew.
    assert day_batches(rows_per_day, batch_rows=10) == [
        (d[0], d[1]),
        (d[2], d[2]),
        (d[3], d[4]),
        (d[5], d[5]),
    ]
    # A day larger than a batch is a batch of its own; no days, no batches.
    assert day_batches([(d[0], 25)], batch_rows=10) == [(d[0], d[0])]
    assert day_batches([]) == []


def test_settings_read_from_the_settings_table() -> None:
    settings = GateSettings.from_mapping(
        {
            "gate_daily_feeds": "conversations, uptime",
            "gate_volume_tolerance": "0.25",
            "default_min_sample_size": "50",
            "pre_post_window_days": "28",
        }
    )
    assert settings == GateSettings(("conversations", "uptime"), 0.25, 50, ())
    assert GateSettings.from_mapping({}) == GateSettings()
    with pytest.raises(ValueError, match="unknown entities: chats"):
        GateSettings.from_mapping({"gate_daily_feeds": "chats"})


@pytest.mark.parametrize(
    ("metric", "kind"),
    [
        ("containment_rate", "proportion"),
        ("ai_revenue_share", "proportion"),
        ("demographic_parity_ratio", "proportion"),
        ("auc_roc", "proportion"),
        ("uptime_percent", "percent"),
        ("response_quality_index", "percent"),
        ("feedback_rate", "non_negative"),
        ("latency_p95_ms", "non_negative"),
        ("cost_to_serve_usd", "signed"),
        ("sentiment_shift", "signed"),
        ("latency_load_slope_ms_per_1k_calls", "signed"),
        ("roai", "signed"),
    ],
)
def test_metric_kinds(metric: str, kind: str) -> None:
    assert metric_kind(metric) == kind


# --- the weekly gate ---------------------------------------------------------------------------


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Five weeks of daily feeds (100 conversations a day) and a week of clean metrics."""
    with duckdb.connect(tmp_path / "warehouse.duckdb") as con:
        for entity in ("conversations", "llm_calls", "costs", "uptime"):
            _create_raw(con, entity)
        con.execute(
            """
            insert into raw.conversations (conversation_id, _event_date, _disposition)
            select 'c' || n, day::date, 'loaded'
            from range(?::timestamp, ?::timestamp + interval 1 day, interval 1 day) as t(day),
                range(100) as r(n)
            """,
            [FIRST_DAY, LAST_DAY],
        )
        for feed in ("llm_calls", "uptime"):
            con.execute(
                f"""
                insert into raw.{feed} (ai_system, _event_date, _disposition)
                select 'bot', day::date, 'loaded'
                from range(?::timestamp, ?::timestamp + interval 1 day, interval 1 day) as t(day)
                """,
                [FIRST_DAY, LAST_DAY],
            )
        # One monthly bill covers every day of the week without a row per day.
        con.execute(
            """
            insert into raw.costs (charge_period_start, charge_period_end, billed_cost,
                _event_date, _disposition)
            values (timestamp '2026-09-01', timestamp '2026-10-01', 300, date '2026-09-01',
                'loaded')
            """
        )
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.metric_values (metric_name varchar, grain varchar,
                period_start date, ai_system varchar, segment_key varchar, segment_value varchar,
                value double, numerator double, denominator double, sample_size bigint,
                ci_low double, ci_high double, unit varchar)
            """
        )
        rows = [
            ("containment_rate", "week", WEEK, 0.6, 700, 0.56, 0.64, "ratio"),
            ("csat_average", "week", WEEK, 4.1, 300, 4.0, 4.2, "score"),
            ("uptime_percent", "week", WEEK, 99.5, 2000, None, None, "percent"),
            ("sentiment_shift", "week", WEEK, -0.2, 250, -0.25, -0.15, "score"),
            *[
                ("error_rate", "day", WEEK + timedelta(days=d), 0.02, 900, 0.01, 0.03, "ratio")
                for d in range(7)
            ],
        ]
        con.executemany(
            """
            insert into marts.metric_values values (?, ?, ?, 'ALL', 'all', 'all', ?, null,
                null, ?, ?, ?, ?)
            """,
            rows,
        )
        # A segment where the rate is exactly 1: its Wilson upper bound may round below it.
        con.execute(
            """
            insert into marts.metric_values values ('containment_rate', 'week', ?, 'bot',
                'channel', 'chat', 1.0, 40, 40, 40, 0.912, 0.9999999999999999, 'ratio')
            """,
            [WEEK],
        )
        # Converted cost shares and revenue, of the week and of the day before it.
        con.execute("create schema intermediate")
        con.execute(
            """
            create table intermediate.int_costs_spread as
            select 'k' || n as cost_id, ?::date + n::int as cost_date, 'EUR' as billing_currency,
                'billed_cost' as cost_column, 10.0::double as cost_share, 1.1::double as usd_rate,
                11.0::double as amount_usd
            from range(-1, 7) as r(n)
            """,
            [WEEK],
        )
        con.execute(
            """
            create table intermediate.int_revenue_usd as
            select 'o' || n as order_id, ?::date + n::int as occurred_date, 'USD' as currency,
                20.0::double as amount, 1.0::double as usd_rate, 20.0::double as amount_usd
            from range(-1, 7) as r(n)
            """,
            [WEEK],
        )
        con.execute(
            """
            create table marts.scorecard_weekly as
            select ?::date as week_start, 'ALL' as ai_system, metric_name
            from (values ('containment_rate'), ('csat_average')) as m(metric_name)
            """,
            [WEEK],
        )
        yield con


def _by_name(results: list[GateResult]) -> dict[str, GateResult]:
    return {r.name: r for r in results}


def test_a_complete_week_passes(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    results = validate_week(warehouse, WEEK, GateSettings(), context)
    assert [r.name for r in results] == [
        "completeness",
        "volume",
        "metric_ranges",
        "sample_sizes",
        "usd_amounts",
    ]
    assert all(r.success for r in results), [r.failures for r in results]
    assert _by_name(results)["completeness"].details["rows_checked"] == 4 * 7
    assert _by_name(results)["sample_sizes"].details["rows_checked"] == 2


def test_a_missing_day_fails_completeness(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    warehouse.execute("delete from raw.llm_calls where _event_date = date '2026-09-09'")
    # A replaced row is not current: it does not cover its day.
    warehouse.execute(
        "update raw.uptime set _disposition = 'replaced' where _event_date = date '2026-09-12'"
    )
    results = _by_name(validate_week(warehouse, WEEK, GateSettings(), context))
    assert results["completeness"].failures == [
        "completeness: llm_calls has no rows on 2026-09-09",
        "completeness: uptime has no rows on 2026-09-12",
    ]
    assert results["volume"].success and results["metric_ranges"].success


def test_a_day_without_a_covering_bill_fails_completeness(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    # The bill now ends at the start of Sunday: [start, end) leaves Sunday uncovered.
    warehouse.execute("update raw.costs set charge_period_end = timestamp '2026-09-13'")
    failures = validate_week(warehouse, WEEK, GateSettings(), context)[0].failures
    assert failures == ["completeness: costs has no rows on 2026-09-13"]


def test_a_volume_drop_fails_volume(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    warehouse.execute(
        """
        delete from raw.conversations
        where _event_date = date '2026-09-10' and cast(substr(conversation_id, 2) as int) >= 40
        """
    )
    results = _by_name(validate_week(warehouse, WEEK, GateSettings(), context))
    assert results["volume"].failures == [
        "volume: 2026-09-10 had 40 conversations, 40% of the mean 100.0 of the same weekday "
        "over the trailing weeks"
    ]
    # A wider tolerance accepts the same drop.
    relaxed = validate_week(warehouse, WEEK, GateSettings(volume_tolerance=0.7), context)
    assert _by_name(relaxed)["volume"].success


def test_volume_is_not_judged_without_history(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    warehouse.execute("delete from raw.conversations where _event_date < ?", [WEEK])
    warehouse.execute("delete from raw.conversations where _event_date = ?", [LAST_DAY])
    results = _by_name(validate_week(warehouse, WEEK, GateSettings(), context))
    assert results["volume"].success
    # The empty Sunday is still caught, by completeness.
    assert results["completeness"].failures == [
        "completeness: conversations has no rows on 2026-09-13"
    ]


def test_an_out_of_range_rate_fails_metric_ranges(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    warehouse.execute(
        "update marts.metric_values set value = 1.3, ci_high = 1.4 "
        "where metric_name = 'error_rate' and period_start = date '2026-09-08'"
    )
    warehouse.execute(
        "update marts.metric_values set ci_low = 4.5 where metric_name = 'csat_average'"
    )
    results = _by_name(validate_week(warehouse, WEEK, GateSettings(), context))
    assert results["metric_ranges"].failures == [
        "metric_ranges: error_rate = 1.3 is outside [0, 1] (day 2026-09-08, ALL, all=all)",
        "metric_ranges: csat_average = 4.1 lies outside its 95% interval [4.5, 4.2] "
        "(week 2026-09-07, ALL, all=all)",
    ]


def test_small_samples_fail_sample_sizes(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    results = _by_name(validate_week(warehouse, WEEK, GateSettings(min_sample_size=500), context))
    assert results["sample_sizes"].failures == [
        "sample_sizes: csat_average of ALL has sample_size 300, below the minimum 500"
    ]
    explicit = GateSettings(headline_metrics=("uptime_percent",), min_sample_size=500)
    assert _by_name(validate_week(warehouse, WEEK, explicit, context))["sample_sizes"].success


def test_a_week_without_headline_values_fails_sample_sizes(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    warehouse.execute("delete from marts.metric_values where grain = 'week'")
    results = _by_name(validate_week(warehouse, WEEK, GateSettings(), context))
    assert results["sample_sizes"].failures == [
        "sample_sizes: no headline metric of ALL has a week value"
    ]


def test_amounts_without_a_usd_value_fail_naming_currency_reason_and_days(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    # A JPY bill spread over two days of the week, one before it (outside the week's check),
    # a FOCUS row without the chosen cost column, and revenue in a currency without a rate.
    warehouse.execute(
        """
        insert into intermediate.int_costs_spread values
            ('jpy', ?::date + 2, 'JPY', 'billed_cost', 500, null, null),
            ('jpy', ?::date + 3, 'JPY', 'billed_cost', 500, null, null),
            ('old', ?::date - 1, 'JPY', 'billed_cost', 500, null, null),
            ('focus', ?::date + 6, 'USD', 'EffectiveCost', null, 1.0, null)
        """,
        [WEEK, WEEK, WEEK, WEEK],
    )
    warehouse.execute(
        "insert into intermediate.int_revenue_usd values ('chf', ?::date, 'CHF', 9, null, null)",
        [WEEK],
    )
    results = _by_name(validate_week(warehouse, WEEK, GateSettings(), context))
    assert not results["usd_amounts"].success
    assert results["usd_amounts"].failures == [
        "usd_amounts: 1 cost row(s) in JPY on 2026-09-09, 2026-09-10 have no USD amount: "
        "no FX rate on or before the day",
        "usd_amounts: 1 cost row(s) in USD on 2026-09-13 have no USD amount: "
        "no EffectiveCost value",
        "usd_amounts: 1 revenue row(s) in CHF on 2026-09-07 have no USD amount: "
        "no FX rate on or before the day",
    ]
    others = [r for r in results.values() if r.name != "usd_amounts"]
    assert all(r.success for r in others)


def test_weeks_start_on_monday(
    warehouse: duckdb.DuckDBPyConnection, context: AbstractDataContext
) -> None:
    with pytest.raises(ValueError, match="not a Monday"):
        validate_week(warehouse, WEEK + timedelta(days=1), GateSettings(), context)


def test_build_suites_repairs_a_stale_suite_and_keeps_its_id(tmp_path: Path) -> None:
    shutil.copytree(
        EXPECTATIONS_DIR / "gx", tmp_path / "gx", ignore=shutil.ignore_patterns("uncommitted")
    )
    stale = gx.get_context(mode="file", project_root_dir=tmp_path)
    suite = stale.suites.get("raw_uptime")
    suite.delete_expectation(suite.expectations[0])
    suite.save()

    fresh = gx.get_context(mode="file", project_root_dir=tmp_path)
    assert build_suites(fresh) == ["raw_uptime"]
    repaired = fresh.suites.get("raw_uptime")
    assert repaired.id == suite.id and len(repaired.expectations) == 4
    assert build_suites(fresh) == []
