"""Publication: layout, carried-over pages, atomic swap, readers during a swap, failed publishes,
rows per gated week, page file names, and the one writer of page files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib import publish as publishing
from orchestration.lib.publish import (
    page_file_name,
    page_path,
    publish,
    published_database,
    read_published_weeks,
    versions_dir,
    write_page,
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
    # The week-dated marts hold the gated week only, however many the warehouse has.
    assert query(database, "select week_start from marts.scorecard_weekly") == [(W36,)]
    assert query(database, "select period_start from marts.metric_values") == [(W36,)]
    assert query(database, "select distinct week_start from marts.roi_summary") == [(W36,)]
    assert query(database, "select week_start, value from marts.latest_scorecard") == [(W36, 0.5)]
    assert query(database, "select week_start, iso_week from marts.published_weeks") == [
        (W36, "2026-W36")
    ]
    assert read_published_weeks(publish_dir) == [W36]


def test_comments_come_over_from_the_warehouse(
    warehouse: Path, tmp_path: Path, dbt_manifest: Path
) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, {}, [W36])
    database = published_database(publish_dir)
    nodes = json.loads(dbt_manifest.read_text())["nodes"]
    metric_values = nodes["model.ai_metrics_warehouse.metric_values"]

    ((table_comment,),) = query(
        database, "select comment from duckdb_tables() where table_name = 'metric_values'"
    )
    # dbt's description, then what the published copy holds.
    assert table_comment == metric_values["description"].strip() + publishing.METRIC_STORE_NOTE
    notes = dict(query(database, "select table_name, comment from duckdb_tables()"))
    assert notes["scorecard_weekly"].endswith(publishing.WEEKLY_NOTE)
    assert notes["roi_summary"].endswith(publishing.WEEKLY_NOTE)
    assert notes["experiment_results"].endswith(publishing.WHOLE_DATED_NOTE)
    assert notes["metric_catalog"].endswith(publishing.WHOLE_NOTE)
    column_comments = dict(
        query(
            database,
            "select column_name, comment from duckdb_columns() where table_name = 'metric_values'",
        )
    )
    assert column_comments == {
        name: column["description"] for name, column in metric_values["columns"].items()
    }
    # Every relation says what it holds; the columns of the warehouse's own undocumented
    # view have no comment to copy.
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
    trend = query(
        database,
        "select week_start, round(change_from_prior_week, 2) from marts.metric_trend_weekly "
        "order by week_start",
    )
    assert trend == [(W36, None), (W37, 0.1)]


def test_nothing_published_yet(tmp_path: Path) -> None:
    assert read_published_weeks(tmp_path / "published") == []


def test_a_second_publish_keeps_earlier_pages(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, dict([page("2026-W36"), page("2026-W36", "bot")]), [W36])
    publish(warehouse, publish_dir, dict([page("2026-W37")]), [W37])

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


@pytest.mark.parametrize(
    "bad",
    [
        "../escape.html",
        "/etc/page.html",
        "published.duckdb",
        "scorecards/2026-W36/../../../escape.html",
        "scorecards/2026-W36/.hidden.html",
        "scorecards/2026-W36/a\\b.html",
        "scorecards/2026-W36/<script>.html",
    ],
)
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


# --- rows per gated week -----------------------------------------------------------------------


def _rows(database: Path, week: date) -> dict[str, list[tuple]]:
    """The published rows of a week in each week-dated mart."""
    return {
        "scorecard_weekly": query(
            database, f"select * from marts.scorecard_weekly where week_start = '{week}'"
        ),
        "metric_values": query(
            database,
            f"select * from marts.metric_values where grain in ('day', 'week')"
            f" and period_start between '{week}' and '{week + timedelta(days=6)}' order by all",
        ),
        "roi_summary": query(
            database, f"select * from marts.roi_summary where week_start = '{week}' order by all"
        ),
        "published_weeks": query(
            database, f"select * from marts.published_weeks where week_start = '{week}'"
        ),
    }


def _recompute(warehouse: Path, week: date, value: float) -> None:
    """The warehouse's numbers of a week change, as a run over changed files changes them."""
    with duckdb.connect(warehouse) as con:
        for table, column in (
            ("scorecard_weekly", "week_start"),
            ("metric_values", "period_start"),
        ):
            con.execute(f"update marts.{table} set value = ? where {column} = ?", [value, week])
        con.execute("update marts.roi_summary set roai = ? where week_start = ?", [value, week])


def test_only_the_gated_weeks_change(warehouse: Path, tmp_path: Path) -> None:
    """W37's gate fails after it was published: publishing W36 before it and W38 after it
    leaves W37's rows as they were, while W36 and W38 take the warehouse's."""
    publish_dir = tmp_path / "published"
    for week in (W36, W37, W38):
        publish(warehouse, publish_dir, {}, [week])
    database = published_database(publish_dir)
    before = {week: _rows(database, week) for week in (W36, W37, W38)}
    for week, value in ((W36, 0.51), (W37, 0.99), (W38, 0.71)):
        _recompute(warehouse, week, value)

    publish(warehouse, publish_dir, {}, [W36])
    publish(warehouse, publish_dir, {}, [W38])

    after = {week: _rows(database, week) for week in (W36, W37, W38)}
    assert after[W37] == before[W37]
    values = "select week_start, value from marts.scorecard_weekly order by week_start"
    assert query(database, values) == [(W36, 0.51), (W37, 0.6), (W38, 0.71)]
    assert query(database, "select period_start, value from marts.metric_values order by 1") == [
        (W36, 0.51),
        (W37, 0.6),
        (W38, 0.71),
    ]
    times = dict(query(database, "select week_start, published_at from marts.published_weeks"))
    assert times[W37] == before[W37]["published_weeks"][0][2]
    assert times[W36] > times[W37] and times[W38] > times[W37]


def test_a_week_never_gated_has_no_rows(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, {}, [W36])
    publish(warehouse, publish_dir, {}, [W38])
    database = published_database(publish_dir)
    for table, column in (
        ("scorecard_weekly", "week_start"),
        ("metric_values", "period_start"),
        ("roi_summary", "week_start"),
    ):
        weeks = query(database, f"select distinct {column} from marts.{table} order by 1")
        assert weeks == [(W36,), (W38,)], table
    assert read_published_weeks(publish_dir) == [W36, W38]


def _with_days_and_months(warehouse: Path) -> None:
    """Day rows on every day of W36 .. W38 and the rows of September, the month they fill
    (with W39 and W40, which have no data)."""
    with duckdb.connect(warehouse) as con:
        con.execute(
            """
            insert into marts.metric_values by name
            select 'containment_rate' as metric_name, 'day' as grain, day::date as period_start,
                'ALL' as ai_system, 'all' as segment_key, 'all' as segment_value, 0.5 as value,
                10 as sample_size, 'share' as unit
            from range(date '2026-08-31', date '2026-09-21', interval 1 day) as t(day)
            union all
            select 'containment_rate', 'month', period_start::date, 'ALL', 'all', 'all', value,
                100, 'share'
            from (values ('2026-08-01', 0.4), ('2026-09-01', 0.55)) as t(period_start, value)
            """
        )


def _month_values(database: Path) -> list[tuple]:
    return query(
        database,
        "select period_start, value from marts.metric_values where grain = 'month' order by 1",
    )


def test_a_month_is_published_once_its_weeks_are_gated(warehouse: Path, tmp_path: Path) -> None:
    _with_days_and_months(warehouse)
    publish_dir = tmp_path / "published"
    database = published_database(publish_dir)

    publish(warehouse, publish_dir, {}, [W36])
    # August has no other week with data; September has W37 and W38, not gated yet.
    assert _month_values(database) == [(date(2026, 8, 1), 0.4)]
    publish(warehouse, publish_dir, {}, [W37])
    publish(warehouse, publish_dir, {}, [W38])
    assert _month_values(database) == [(date(2026, 8, 1), 0.4), (date(2026, 9, 1), 0.55)]

    # W37's numbers change and its gate fails: W38's next publication keeps September's last
    # good row, which counts W37 as it was gated.
    with duckdb.connect(warehouse) as con:
        con.execute(
            "update marts.metric_values set value = 0.9"
            " where grain = 'day' and period_start = '2026-09-09'"
            " or grain = 'month' and period_start = '2026-09-01'"
        )
    publish(warehouse, publish_dir, {}, [W38])
    assert _month_values(database) == [(date(2026, 8, 1), 0.4), (date(2026, 9, 1), 0.55)]
    # Once W37 passes again, September follows the warehouse.
    publish(warehouse, publish_dir, {}, [W37])
    assert _month_values(database) == [(date(2026, 8, 1), 0.4), (date(2026, 9, 1), 0.9)]

    # A run computes the same numbers again, different in their last bits only (DuckDB's
    # parallel sums): they are the numbers W36 and W37 were gated with.
    with duckdb.connect(warehouse) as con:
        con.execute("update marts.metric_values set value = value * (1 + 1e-15)")
        con.execute("update marts.metric_values set value = 0.6 where grain = 'month'")
    publish(warehouse, publish_dir, {}, [W38])
    assert _month_values(database)[-1] == (date(2026, 9, 1), 0.6)


# --- pages -------------------------------------------------------------------------------------


def test_a_republished_week_holds_only_its_new_pages(warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "published"
    publish(warehouse, publish_dir, dict([page("2026-W36"), page("2026-W36", "gone_bot")]), [W36])
    publish(warehouse, publish_dir, dict([page("2026-W37")]), [W37])
    publish(warehouse, publish_dir, dict([page("2026-W36")]), [W36])
    pages = sorted(p.relative_to(publish_dir).as_posix() for p in publish_dir.rglob("*.html"))
    assert pages == ["scorecards/2026-W36/ALL.html", "scorecards/2026-W37/ALL.html"]


HOSTILE_NAMES = (
    "../../../x",
    "../../published/scorecards/2026-W36/ALL",
    "<script>alert(1)</script>",
    "a/b\\c",
    "x" * 300,
    "Kundenservice-Bot ü 🤖",
    "team a/b",
    "team a:b",
    "Bot",
    "bot",
    "BOT",
    "all",
    "con",
    "nul.txt",
    "",
    ".",
    "..",
    ".hidden",
    "a" * 64,
    "a" * 65,
    "~",
    "page",
)


def test_page_file_names_are_safe_distinct_and_stable() -> None:
    names = [page_file_name(name) for name in ("ALL", "helpdesk_bot", *HOSTILE_NAMES)]
    # Safe names keep their own file name.
    assert names[:2] == ["ALL.html", "helpdesk_bot.html"]
    assert page_file_name("bot") == "bot.html" and page_file_name("a" * 64) == "a" * 64 + ".html"
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,79}\.html", name), name
    # Distinct, even where upper and lower case are the same file (Windows, macOS shares).
    assert len({name.lower() for name in names}) == len(names)
    # The same name gets the same file on every run and every machine: a slug and a hash of
    # the exact name.
    digest = hashlib.sha256("Kundenservice-Bot ü 🤖".encode()).hexdigest()[:12]
    assert page_file_name("Kundenservice-Bot ü 🤖") == f"Kundenservice-Bot-u~{digest}.html"
    assert page_path("2026-W36", "team a/b").startswith("scorecards/2026-W36/team-a-b~")


def test_write_page_refuses_paths_that_leave_the_folder(tmp_path: Path) -> None:
    folder, outside = tmp_path / "version", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / "scorecards").symlink_to(outside, target_is_directory=True)
    for relative in ("../x.html", "scorecards/x.html", "scorecards/2026-W36/x.html"):
        with pytest.raises(ValueError, match="page path"):
            write_page(folder, relative, "<p>x</p>")
    assert list(outside.rglob("*")) == []


def test_write_page_leaves_an_unchanged_page_alone(tmp_path: Path) -> None:
    write_page(tmp_path, "scorecards/2026-W36/ALL.html", "<p>same</p>")
    path = tmp_path / "scorecards/2026-W36/ALL.html"
    old = time.time() - 3600
    os.utime(path, (old, old))
    write_page(tmp_path, "scorecards/2026-W36/ALL.html", "<p>same</p>")
    assert path.stat().st_mtime == pytest.approx(old)
    write_page(tmp_path, "scorecards/2026-W36/ALL.html", "<p>new</p>")
    assert path.read_text() == "<p>new</p>" and path.stat().st_mtime > old
