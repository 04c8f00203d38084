"""The scorecard page: self-contained, statuses in words, values in their units, safe text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.lib.catalog import METRICS
from orchestration.lib.scorecard import (
    format_value,
    iso_week_label,
    load_scorecard_rows,
    markdown_preview,
    render_scorecard,
    scorecard_systems,
)

WEEK = date(2026, 9, 7)
GENERATED = datetime(2026, 9, 14, 6, 0, tzinfo=UTC)
COLUMNS = (
    "week_start",
    "ai_system",
    "metric_name",
    "value",
    "ci_low",
    "ci_high",
    "sample_size",
    "prior_week_value",
    "four_week_average",
    "baseline_value",
    "target",
    "status",
    "unit",
)


def scorecard_rows() -> pd.DataFrame:
    nan = float("nan")
    return pd.DataFrame(
        [
            (WEEK, "ALL", "containment_rate", 0.62, 0.58, 0.66, 700, 0.6, 0.59, 0.4, 0.6,
             "on_track", "ratio"),
            (WEEK, "ALL", "cost_to_serve_usd", 1234.5, nan, nan, 512, 1300.0, 1280.0, nan, 1000.0,
             "off_track", "usd"),
            (WEEK, "ALL", "average_handling_time_seconds", 312.0, 300.0, 324.0, 700, 320.0, 318.0,
             nan, 300.0, "at_risk", "seconds"),
            (WEEK, "ALL", "csat_average", 4.4, 3.9, 4.9, 12, nan, nan, nan, 4.0,
             "insufficient_data", "score"),
            (WEEK, "ALL", "tokens_total", 1523400.0, nan, nan, None, nan, nan, nan, nan,
             "no_target", None),
        ],
        columns=COLUMNS,
    )  # fmt: skip


def test_iso_week_label_uses_the_iso_year() -> None:
    assert iso_week_label(WEEK) == "2026-W37"
    assert iso_week_label(date(2026, 12, 28)) == "2026-W53"
    assert iso_week_label(date(2024, 12, 30)) == "2025-W01"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.623, "ratio", "62.3%"),
        (99.95, "percent", "100.0%"),
        (1234.5, "usd", "$1,234.50"),
        (-12.0, "usd", "-$12.00"),
        (312.0, "seconds", "5.2 min"),
        (42.25, "seconds", "42.2 s"),
        (850.4, "ms", "850 ms"),
        (1523400.0, "", "1,523,400"),
        (12.0, "days", "12 days"),
        (None, "ratio", "—"),
        (float("nan"), "usd", "—"),
    ],
)
def test_values_are_shown_in_their_units(value: float | None, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_every_catalog_unit_has_a_short_label() -> None:
    """No metric of the catalog shows its raw unit name ("0.9 points_per_week") on the page."""
    for metric in METRICS:
        shown = format_value(0.5, metric.unit)
        assert "_" not in shown, (metric.name, shown)


def test_page_is_self_contained_and_names_every_status() -> None:
    quality = {
        "completeness": {"success": True, "failures": []},
        "volume": {"success": False, "failures": ["volume: 2026-09-10 had 40 conversations"]},
    }
    html = render_scorecard(WEEK, "ALL", scorecard_rows(), quality, GENERATED)
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"https?://", html)
    assert "@import" not in html and "url(" not in html
    for words in ("On track", "At risk", "Off track", "Insufficient data", "No target"):
        assert f"{words}</span>" in html
    for shown in ("62.0%", "58.0% to 66.0%", "$1,234.50", "5.2 min", "1,523,400"):
        assert shown in html
    assert "CSAT average<span" in html and "Cost to serve<span" in html
    assert "2026-W37" in html and "2026-09-07 to 2026-09-13" in html
    assert "generated 2026-09-14 06:00 UTC" in html
    assert "✗ Failed</span>" in html and "volume: 2026-09-10 had 40 conversations" in html
    assert "@media print" in html and 'name="viewport"' in html


def test_page_escapes_text() -> None:
    rows = scorecard_rows().assign(ai_system="<img src=x>")
    html = render_scorecard(WEEK, "<img src=x>", rows, [], GENERATED)
    assert "<img" not in html and "&lt;img src=x&gt;" in html
    assert "No data-quality results were recorded" in html


def test_page_accepts_gate_results() -> None:
    from orchestration.lib.quality import GateResult

    checks = [GateResult("completeness", True), GateResult("sample_sizes", True)]
    html = render_scorecard(WEEK, "ALL", scorecard_rows().head(1), checks, GENERATED)
    assert html.count("✓ Passed</span>") == 2 and "All checks passed." in html


def test_markdown_preview_is_the_headline_table() -> None:
    lines = markdown_preview(scorecard_rows()).splitlines()
    assert lines[0].startswith("| Metric | Value | 95% interval |")
    assert len(lines) == 2 + 5
    assert lines[2] == (
        "| containment_rate | 62.0% | 58.0% to 66.0% | 60.0% | 59.0% | 60.0% | ✓ On track |"
    )
    assert lines[5].endswith("| 4.00 | ? Insufficient data |")


def test_rows_come_from_the_scorecard_with_units(tmp_path: Path) -> None:
    with duckdb.connect(tmp_path / "w.duckdb") as con:
        con.execute("create schema marts")
        frame = scorecard_rows().drop(columns="unit")  # noqa: F841 - read by DuckDB below
        con.execute("create table marts.scorecard_weekly as select * from frame")
        con.execute(
            """
            create table marts.metric_values as
            select * from (values
                ('containment_rate', 'week', date '2026-09-07', 'ALL', 'ratio'),
                ('containment_rate', 'day', date '2026-09-07', 'ALL', 'wrong'),
                ('cost_to_serve_usd', 'week', date '2026-09-07', 'ALL', 'usd')
            ) as t(metric_name, grain, period_start, ai_system, unit)
            """
        )
        con.execute(
            "insert into marts.scorecard_weekly select * replace ('bot' as ai_system) "
            "from marts.scorecard_weekly"
        )
        rows = load_scorecard_rows(con, WEEK, "ALL")
        systems = scorecard_systems(con, WEEK)
    assert systems == ["ALL", "bot"]
    assert len(rows) == 5
    units = dict(zip(rows["metric_name"], rows["unit"], strict=True))
    assert units["containment_rate"] == "ratio" and units["cost_to_serve_usd"] == "usd"
    assert pd.isna(units["csat_average"])
