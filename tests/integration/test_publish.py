"""Publication: layout, carried-over pages, atomic swap, readers during a swap, failed publishes."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib import publish as publishing
from orchestration.lib.publish import (
    publish,
    published_database,
    read_published_weeks,
    versions_dir,
)

W36, W37, W38 = date(2026, 8, 31), date(2026, 9, 7), date(2026, 9, 14)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse whose marts hold three scorecard weeks, a metric store and another mart."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(path) as con:
        con.execute("create schema marts")
        con.execute("create schema staging")
        con.execute("create table staging.stg_secret as select 'free text' as response_text")
        con.execute(
            """
            create table marts.scorecard_weekly as
            select week_start::date as week_start, 'ALL' as ai_system,
                'containment_rate' as metric_name, value::double as value
            from (values ('2026-08-31', 0.5), ('2026-09-07', 0.6), ('2026-09-14', 0.7))
                as t(week_start, value)
            """
        )
        con.execute(
            """
            create table marts.metric_values as
            select 'containment_rate' as metric_name, 'week' as grain,
                week_start as period_start, 'ALL' as ai_system, 'all' as segment_key,
                'all' as segment_value, value, null::double as ci_low, null::double as ci_high,
                100::bigint as sample_size, 'ratio' as unit
            from marts.scorecard_weekly
            """
        )
        con.execute("create table marts.roi_summary as select 'bot' as ai_system, 1.5 as roai")
        con.execute("create view marts.roi_view as select * from marts.roi_summary")
    return path


def page(week: str, system: str = "ALL") -> tuple[str, str]:
    return f"scorecards/{week}/{system}.html", f"<p>{week} {system}</p>"


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(database, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_publish_creates_the_layout(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    version = publish(warehouse, publish_dir, dict([page("2026-W36")]), [W36])

    assert publish_dir.is_symlink() and publish_dir.resolve() == version
    assert version.parent == versions_dir(publish_dir)
    assert (publish_dir / "scorecards/2026-W36/ALL.html").read_text() == "<p>2026-W36 ALL</p>"
    database = published_database(publish_dir)
    tables = query(
        database,
        "select schema_name, table_name from duckdb_tables() order by all",
    )
    assert tables == [
        ("marts", "metric_values"),
        ("marts", "published_weeks"),
        ("marts", "roi_summary"),
        ("marts", "roi_view"),
        ("marts", "scorecard_weekly"),
    ]
    assert query(database, "select week_start from marts.scorecard_weekly") == [(W36,)]
    assert query(database, "select count(*) from marts.metric_values") == [(3,)]
    assert query(database, "select week_start, value from marts.latest_scorecard") == [(W36, 0.5)]
    trend = query(
        database,
        "select week_start, round(change_from_prior_week, 2) from marts.metric_trend_weekly "
        "order by week_start",
    )
    assert trend == [(W36, None), (W37, 0.1), (W38, 0.1)]
    assert query(database, "select * from marts.published_weeks") == [(W36, "2026-W36")]
    assert read_published_weeks(publish_dir) == [W36]


def test_nothing_published_yet(tmp_path: Path) -> None:
    assert read_published_weeks(tmp_path / "published") == []


def test_a_second_publish_keeps_earlier_pages(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, dict([page("2026-W36"), page("2026-W36", "bot")]), [W36])
    publish(warehouse, publish_dir, dict([page("2026-W37")]), [W36, W37])

    pages = sorted(p.relative_to(publish_dir).as_posix() for p in publish_dir.rglob("*.html"))
    assert pages == [
        "scorecards/2026-W36/ALL.html",
        "scorecards/2026-W36/bot.html",
        "scorecards/2026-W37/ALL.html",
    ]
    assert read_published_weeks(publish_dir) == [W36, W37]
    assert query(
        published_database(publish_dir), "select max(week_start) from marts.latest_scorecard"
    ) == [(W37,)]


def test_old_versions_are_pruned(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    first = publish(warehouse, publish_dir, {}, [W36])
    second = publish(warehouse, publish_dir, {}, [W36, W37])
    third = publish(warehouse, publish_dir, {}, [W36, W37, W38])
    assert sorted(versions_dir(publish_dir).iterdir()) == [second, third]
    assert not first.exists()


def test_a_reader_keeps_reading_during_a_swap(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, dict([page("2026-W36")]), [W36])
    with duckdb.connect(published_database(publish_dir), read_only=True) as reader:
        before = reader.execute("select week_start from marts.scorecard_weekly").fetchall()
        publish(warehouse, publish_dir, dict([page("2026-W37")]), [W36, W37])
        # The open connection still sees the complete old state ...
        during = reader.execute("select week_start from marts.scorecard_weekly").fetchall()
        # ... while a new reader of the same path sees the complete new one.
        after = query(
            published_database(publish_dir), "select week_start from marts.published_weeks"
        )
    assert before == during == [(W36,)]
    assert after == [(W36,), (W37,)]


def test_a_failed_publish_leaves_the_previous_version(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_dir = tmp_path / "published"
    good = publish(warehouse, publish_dir, dict([page("2026-W36")]), [W36])

    def disk_full(target: Path, pages: dict[str, str]) -> None:
        (target / "scorecards/2026-W37").mkdir(parents=True)
        (target / "scorecards/2026-W37/ALL.html").write_text("half")
        raise OSError("No space left on device")

    monkeypatch.setattr(publishing, "_write_pages", disk_full)
    with pytest.raises(OSError, match="No space left"):
        publish(warehouse, publish_dir, dict([page("2026-W37")]), [W36, W37])

    assert publish_dir.resolve() == good
    assert list(versions_dir(publish_dir).iterdir()) == [good]
    assert not (publish_dir / "scorecards/2026-W37").exists()
    assert read_published_weeks(publish_dir) == [W36]


def test_a_warehouse_without_the_scorecard_is_not_published(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(empty).close()
    with pytest.raises(ValueError, match=r"no marts\.metric_values, marts\.scorecard_weekly"):
        publish(empty, tmp_path / "published", {}, [W36])
    assert not (tmp_path / "published").exists()
    assert list(versions_dir(tmp_path / "published").iterdir()) == []


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/page.html", "published.duckdb"])
def test_pages_stay_inside_the_folder(warehouse: Path, tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="must be a relative path"):
        publish(warehouse, tmp_path / "published", {bad: "<p>x</p>"}, [W36])


def test_a_hand_made_folder_with_content_is_not_replaced(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    (publish_dir / "notes").mkdir(parents=True)
    with pytest.raises(ValueError, match="move it away"):
        publish(warehouse, publish_dir, {}, [W36])
    assert (publish_dir / "notes").is_dir() and not publish_dir.is_symlink()


def test_the_link_is_relative(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, {}, [W36])
    assert not os.path.isabs(os.readlink(publish_dir))
