"""Publication: layout, carried-over pages, atomic swap, readers during a swap, failed publishes."""

from __future__ import annotations

import json
import os
import re
import stat
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
from tests.conftest import Workspace

W36, W37, W38 = date(2026, 8, 31), date(2026, 9, 7), date(2026, 9, 14)


def _marts_as_dbt_builds_them(con: duckdb.DuckDBPyConnection, manifest: Path) -> None:
    """Every mart empty, with the columns and types of its dbt contract and, as dbt's
    persist_docs leaves them, its descriptions as table and column comments."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    for node in nodes:
        if node["resource_type"] != "model" or node["fqn"][1] != "marts":
            continue
        table = f"marts.{node['name']}"
        columns = ", ".join(f"{c['name']} {c['data_type']}" for c in node["columns"].values())
        con.execute(f"create table {table} ({columns})")
        # Dollar quoting, as dbt-duckdb's persist_docs writes them.
        con.execute(f"comment on table {table} is $${node['description']}$$")
        for column in node["columns"].values():
            con.execute(
                f"comment on column {table}.{column['name']} is $${column['description']}$$"
            )


@pytest.fixture
def warehouse(tmp_path: Path, dbt_manifest: Path) -> Path:
    """A warehouse whose marts hold three scorecard weeks, their metric store, a metric of the
    catalog, an experiment, ROI rows, and a view of another mart."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(path) as con:
        con.execute("create schema marts")
        con.execute("create schema staging")
        con.execute("create table staging.stg_secret as select 'free text' as response_text")
        _marts_as_dbt_builds_them(con, dbt_manifest)
        con.execute(
            """
            insert into marts.scorecard_weekly by name
            select week_start::date as week_start, 'ALL' as ai_system,
                'containment_rate' as metric_name, value::double as value
            from (values ('2026-08-31', 0.5), ('2026-09-07', 0.6), ('2026-09-14', 0.7))
                as t(week_start, value)
            """
        )
        con.execute(
            """
            insert into marts.metric_values by name
            select 'containment_rate' as metric_name, 'week' as grain,
                week_start as period_start, 'ALL' as ai_system, 'all' as segment_key,
                'all' as segment_value, value, 100 as sample_size, 'share' as unit
            from marts.scorecard_weekly
            """
        )
        con.execute(
            """
            insert into marts.metric_catalog by name
            select 'containment_rate' as metric_name, 'customer_service' as family,
                'share' as unit, 'higher' as direction
            """
        )
        con.execute(
            """
            insert into marts.experiment_results by name
            select 'exp_a' as experiment_id, 'bot' as ai_system, 500 as n_control,
                510 as n_treatment, 0.04 as absolute_lift, 0.003 as p_value,
                'significant_win' as verdict, 12 as units_window_open
            """
        )
        con.execute(
            """
            insert into marts.roi_summary by name
            select ai_system, week_start::date as week_start, roai
            from (values ('bot', '2026-08-31', 0.1), ('bot', '2026-09-07', 0.2),
                ('bot', '2026-09-14', 0.3), ('ALL', '2026-08-31', 0.4))
                as t(ai_system, week_start, roai)
            """
        )
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
        ("marts", "baseline_comparison"),
        ("marts", "experiment_results"),
        ("marts", "metric_catalog"),
        ("marts", "metric_values"),
        ("marts", "published_weeks"),
        ("marts", "roi_summary"),
        ("marts", "roi_view"),
        ("marts", "scorecard_weekly"),
    ]
    views = query(database, "select view_name from duckdb_views() where not internal order by 1")
    assert views == [
        ("experiment_summary",),
        ("latest_roi",),
        ("latest_scorecard",),
        ("metric_trend_weekly",),
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


def test_comments_come_over_from_the_warehouse(
    warehouse: Path, tmp_path: Path, dbt_manifest: Path
) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, {}, [W36])
    database = published_database(publish_dir)
    nodes = json.loads(dbt_manifest.read_text())["nodes"]
    metric_values = nodes["model.ai_metrics_warehouse.metric_values"]

    table_comment = query(
        database, "select comment from duckdb_tables() where table_name = 'metric_values'"
    )
    assert table_comment == [(metric_values["description"],)]
    column_comments = dict(
        query(
            database,
            "select column_name, comment from duckdb_columns() where table_name = 'metric_values'",
        )
    )
    assert column_comments == {
        name: column["description"] for name, column in metric_values["columns"].items()
    }
    # Every relation but the warehouse's own undocumented view says what it holds.
    undocumented = query(
        database,
        """
        select table_name, null from duckdb_tables() where coalesce(comment, '') = ''
        union all
        select view_name, null from duckdb_views() where not internal and coalesce(comment, '') = ''
        union all
        select table_name, column_name from duckdb_columns()
        where schema_name = 'marts' and coalesce(comment, '') = ''
        """,
    )
    assert {table for table, _ in undocumented} == {"roi_view"}


def test_the_views_answer_the_first_questions(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, {}, [W36, W37])
    database = published_database(publish_dir)

    scorecard = query(
        database,
        "select week_start, iso_week, metric_name, value, unit, family, direction"
        " from marts.latest_scorecard",
    )
    assert scorecard == [
        (W37, "2026-W37", "containment_rate", 0.6, "share", "customer_service", "higher")
    ]
    experiments = query(
        database,
        "select experiment_id, verdict, n_control, n_treatment, absolute_lift, p_value,"
        " is_provisional from marts.experiment_summary",
    )
    assert experiments == [("exp_a", "significant_win", 500, 510, 0.04, 0.003, True)]
    # The latest week of each program up to the latest published week, not the one after.
    roi = query(
        database, "select ai_system, week_start, roai from marts.latest_roi order by ai_system"
    )
    assert roi == [("ALL", W36, 0.4), ("bot", W37, 0.2)]


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


def test_a_reader_sees_the_old_state_while_the_next_version_is_built(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path)
    publish(warehouse, ws.published, dict([page("2026-W36")]), [W36])
    sql = "select iso_week from marts.published_weeks order by week_start"
    seen_while_building = []
    write_pages = publishing._write_pages

    def write_pages_then_read(target: Path, pages: dict[str, str]) -> None:
        write_pages(target, pages)
        # The new version is complete on disk but not swapped in yet.
        seen_while_building.append(ws.amw("query", "--json", sql))

    monkeypatch.setattr(publishing, "_write_pages", write_pages_then_read)
    publish(warehouse, ws.published, dict([page("2026-W37")]), [W36, W37])
    after = ws.amw("query", "--json", sql)

    (during,) = seen_while_building
    assert during.returncode == 0, during.stderr
    assert json.loads(during.stdout) == [{"iso_week": "2026-W36"}]
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == [{"iso_week": "2026-W36"}, {"iso_week": "2026-W37"}]


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
    missing = (
        "no marts.experiment_results, marts.metric_catalog, marts.metric_values,"
        " marts.roi_summary, marts.scorecard_weekly"
    )
    with pytest.raises(ValueError, match=re.escape(missing)):
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


def test_other_accounts_can_read_the_published_version(warehouse: Path, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        version = publish(warehouse, tmp_path / "published", dict([page("2026-W36")]), [W36])
    finally:
        os.umask(previous)
    assert stat.S_IMODE(version.stat().st_mode) == 0o755
    assert stat.S_IMODE((version / publishing.DATABASE_NAME).stat().st_mode) == 0o644


def test_the_link_is_relative(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, {}, [W36])
    assert not os.path.isabs(os.readlink(publish_dir))
