"""Publication: a read-only copy of the marts and the scorecard pages, swapped in atomically.

Analysts and the `amw query` command read `<publish_dir>/published.duckdb`, never the
warehouse, so a reader never holds the lock the nightly writer needs. `publish_dir` is a
symbolic link to one complete version folder under `.<name>-versions/`; a publish builds the
next version beside it and replaces the link with `os.replace` (one rename), so a reader sees
the old state or the new one, never a mixture. A reader that opened the old database keeps
reading it: the previous version is kept on disk.

The database says what it holds: the marts keep the comments dbt's persist_docs gave them (the
model and column descriptions), and the convenience views (`VIEWS`) and `published_weeks`
carry comments of their own, so `amw tables` and any SQL client can show them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

import duckdb

DATABASE_NAME = "published.duckdb"
# The current version and the one before it: a reader of the previous one is never cut off.
VERSIONS_KEPT = 2
BUILDING_PREFIX = ".building-"


def published_database(publish_dir: Path) -> Path:
    """The path analysts open; it always names the current version's database."""
    return publish_dir / DATABASE_NAME


def versions_dir(publish_dir: Path) -> Path:
    return publish_dir.parent / f".{publish_dir.name}-versions"


def read_published_weeks(publish_dir: Path) -> list[date]:
    """The weeks whose scorecards are published, oldest first (none before the first publish)."""
    database = published_database(publish_dir)
    if not database.exists():
        return []
    with duckdb.connect(database, read_only=True) as con:
        rows = con.execute(
            "select week_start from marts.published_weeks order by week_start"
        ).fetchall()
    return [week for (week,) in rows]


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _page_path(relative: str) -> PurePosixPath:
    """Pages must stay inside the version folder and must not replace the database."""
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts or str(path) == DATABASE_NAME:
        raise ValueError(f"page path {relative!r} must be a relative path inside the folder")
    return path


@dataclass(frozen=True)
class View:
    """A convenience view of the published database and its comments.

    A column that `columns` does not describe takes the comment of the same-named column of
    the first table in `sources` that has one, so that a view says what its columns mean
    with the words of the dbt descriptions.
    """

    name: str
    comment: str
    sql: str
    sources: tuple[str, ...]
    columns: Mapping[str, str] = field(default_factory=dict)


PUBLISHED_WEEKS_COMMENT = (
    "The ISO weeks whose scorecards passed every blocking check and are published: one row per "
    "week. marts.scorecard_weekly holds these weeks only."
)
PUBLISHED_WEEKS_COLUMNS = {
    "week_start": "Monday of the published ISO week (UTC).",
    "iso_week": "The week as an ISO week label (2026-W36), the folder of its scorecard pages.",
}

VIEWS = (
    View(
        name="latest_scorecard",
        comment="The scorecard of the latest published week: one row per ai_system (and ALL) "
        "and metric at week grain (segment all), with the metric's unit, family and direction from "
        "marts.metric_catalog.",
        sql="""
            select
                scorecard.*,
                published.iso_week,
                catalog.unit,
                catalog.family,
                catalog.direction
            from marts.scorecard_weekly as scorecard
            inner join marts.published_weeks as published
                on published.week_start = scorecard.week_start
            left join marts.metric_catalog as catalog
                on catalog.metric_name = scorecard.metric_name
            where scorecard.week_start = (select max(week_start) from marts.published_weeks)
        """,
        sources=("scorecard_weekly", "published_weeks", "metric_catalog"),
    ),
    View(
        name="metric_trend_weekly",
        comment="Each metric's weekly series: one row per metric_name, ai_system (and ALL) and "
        "ISO week of marts.metric_values at week grain and segment all, with the change from "
        "the week before.",
        sql="""
            with weekly as (
                select
                    metric_name,
                    ai_system,
                    period_start as week_start,
                    value,
                    ci_low,
                    ci_high,
                    sample_size,
                    unit
                from marts.metric_values
                where grain = 'week' and segment_key = 'all'
            )

            select
                weekly.*,
                prior.value as prior_week_value,
                weekly.value - prior.value as change_from_prior_week
            from weekly
            left join weekly as prior
                on prior.metric_name = weekly.metric_name
                and prior.ai_system = weekly.ai_system
                and prior.week_start = weekly.week_start - 7
        """,
        sources=("metric_values",),
        columns={
            "week_start": "Monday of the ISO week (UTC): period_start of the week-grain row.",
            "prior_week_value": "The value of the week before; null when that week has none.",
            "change_from_prior_week": "value - prior_week_value; null when either is null.",
        },
    ),
    View(
        name="experiment_summary",
        comment="The A/B experiments at a glance: one row per experiment with its units, "
        "rates, lift with its 95 % interval, p-values and verdict, as of the latest run "
        "(marts.experiment_results has every column, CUPED included).",
        sql="""
            select
                experiment_id,
                ai_system,
                verdict,
                n_control,
                n_treatment,
                conversions_control,
                conversions_treatment,
                rate_control,
                rate_treatment,
                absolute_lift,
                absolute_lift_ci_low,
                absolute_lift_ci_high,
                relative_lift,
                relative_lift_ci_low,
                relative_lift_ci_high,
                p_value,
                srm_p_value,
                incremental_revenue_usd,
                first_assigned_at,
                last_assigned_at,
                units_window_open > 0 as is_provisional
            from marts.experiment_results
        """,
        sources=("experiment_results",),
        columns={
            "is_provisional": "True while some units' conversion windows are still open "
            "(units_window_open > 0 in marts.experiment_results): the rates may still rise.",
        },
    ),
    View(
        name="latest_roi",
        comment="Return on AI investment now: one row per ai_system (and ALL, and unallocated) "
        "with its marts.roi_summary row of the latest week up to the latest published week, "
        "the week's and the cumulative roai, and the payback.",
        sql="""
            with ranked as (
                select
                    *,
                    row_number() over (partition by ai_system order by week_start desc)
                        as recency
                from marts.roi_summary
                where week_start <= (select max(week_start) from marts.published_weeks)
            )

            select
                ai_system,
                week_start,
                investment_usd,
                value_usd,
                roai,
                cumulative_investment_usd,
                cumulative_value_usd,
                cumulative_roai,
                deployed_at,
                payback_date,
                time_to_value_days,
                unpriced_calls,
                unconverted_cost_rows
            from ranked
            where recency = 1
        """,
        sources=("roi_summary",),
        columns={"week_start": "Monday of the ISO week (UTC) the row's week values belong to."},
    ),
)

# Marts that publication cannot do without: the scorecard, and every table a view reads.
REQUIRED_MARTS = frozenset(
    {"metric_values", "scorecard_weekly"}
    | {source for view in VIEWS for source in view.sources if source != "published_weeks"}
)


def _literal(text: str) -> str:
    """A SQL string literal: DuckDB's COMMENT ON takes no parameters."""
    return "'" + text.replace("'", "''") + "'"


def _comment(con: duckdb.DuckDBPyConnection, kind: str, name: str, text: str) -> None:
    con.execute(f"comment on {kind} {name} is {_literal(text)}")


def _copy_marts(warehouse_path: Path, target: Path, weeks: Iterable[date]) -> None:
    """Copy every table and view of the warehouse's `marts` as tables, with their comments (the
    dbt descriptions, persisted by `persist_docs`), the scorecard limited to the published
    weeks, and add the convenience views analysts start from."""
    weeks = sorted(set(weeks))
    source = str(warehouse_path).replace("'", "''")
    with duckdb.connect(target) as con:
        con.execute(f"attach '{source}' as warehouse (read_only)")
        relations = con.execute(
            """
            select table_name as name, comment from duckdb_tables()
            where database_name = 'warehouse' and schema_name = 'marts'
            union all
            select view_name as name, comment from duckdb_views()
            where database_name = 'warehouse' and schema_name = 'marts' and not internal
            order by name
            """
        ).fetchall()
        names = [name for name, _ in relations]
        missing = REQUIRED_MARTS - set(names)
        if missing:
            raise ValueError(f"the warehouse has no marts.{', marts.'.join(sorted(missing))}")
        columns = con.execute(
            """
            select table_name, column_name, comment from duckdb_columns()
            where database_name = 'warehouse' and schema_name = 'marts' and comment is not null
            """
        ).fetchall()
        con.execute("create schema marts")
        for name, comment in relations:
            table = f"marts.{_quoted(name)}"
            if name == "scorecard_weekly":
                con.execute(
                    f"create table {table} as select * from warehouse.{table}"
                    " where week_start in (select unnest(?::date[]))",
                    [weeks],
                )
            else:
                con.execute(f"create table {table} as select * from warehouse.{table}")
            if comment:
                _comment(con, "table", table, comment)
        for name, column, comment in columns:
            _comment(con, "column", f"marts.{_quoted(name)}.{_quoted(column)}", comment)
        con.execute("detach warehouse")
        _add_views(con, weeks)


def _inherited_comments(con: duckdb.DuckDBPyConnection, sources: tuple[str, ...]) -> dict[str, str]:
    """Column comments of the published tables a view reads, the first source's winning."""
    rows = con.execute(
        """
        select table_name, column_name, comment from duckdb_columns()
        where database_name = current_database() and schema_name = 'marts'
            and table_name in (select unnest(?::varchar[])) and comment is not null
        """,
        [list(sources)],
    ).fetchall()
    inherited: dict[str, str] = {}
    for _, column, comment in sorted(rows, key=lambda row: sources.index(row[0])):
        inherited.setdefault(column, comment)
    return inherited


def _add_view(con: duckdb.DuckDBPyConnection, view: View) -> None:
    name = f"marts.{_quoted(view.name)}"
    con.execute(f"create view {name} as {view.sql}")
    _comment(con, "view", name, view.comment)
    comments = {**_inherited_comments(con, view.sources), **view.columns}
    view_columns = con.execute(
        "select column_name from duckdb_columns()"
        " where database_name = current_database() and schema_name = 'marts' and table_name = ?"
        " order by column_index",
        [view.name],
    ).fetchall()
    for (column,) in view_columns:
        if column in comments:
            _comment(con, "column", f"{name}.{_quoted(column)}", comments[column])


def _add_views(con: duckdb.DuckDBPyConnection, weeks: list[date]) -> None:
    # Imported here: the scorecard module loads pandas and jinja, seconds that `amw query`
    # and `amw tables` (which import this module for the database path) should not wait.
    from orchestration.lib.scorecard import iso_week_label

    con.execute("create table marts.published_weeks (week_start date primary key, iso_week text)")
    con.executemany(
        "insert into marts.published_weeks values (?, ?)",
        [[week, iso_week_label(week)] for week in weeks],
    )
    _comment(con, "table", "marts.published_weeks", PUBLISHED_WEEKS_COMMENT)
    for column, comment in PUBLISHED_WEEKS_COLUMNS.items():
        _comment(con, "column", f"marts.published_weeks.{column}", comment)
    for view in VIEWS:
        _add_view(con, view)


def _carry_over(previous: Path | None, target: Path) -> None:
    """Earlier weeks' pages stay published: copy everything of the last version but its DB."""
    if previous is None:
        return
    shutil.copytree(
        previous,
        target,
        dirs_exist_ok=True,
        ignore=lambda folder, names: [DATABASE_NAME] if Path(folder) == previous else [],
    )


def _write_pages(target: Path, pages: Mapping[str, str]) -> None:
    for relative, html in pages.items():
        path = target / _page_path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")


def _current_version(publish_dir: Path) -> Path | None:
    """The folder the link points to; a plain empty folder (made by hand) is replaced."""
    if publish_dir.is_symlink():
        return publish_dir.resolve()
    if publish_dir.is_dir():
        if any(publish_dir.iterdir()):
            raise ValueError(
                f"{publish_dir} is a folder with content, not a published version link: "
                "move it away so that publication can manage it"
            )
        publish_dir.rmdir()
    return None


def _new_version_name(versions: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name, n = stamp, 0
    while (versions / name).exists():
        n += 1
        name = f"{stamp}-{n}"
    return name


def _swap(publish_dir: Path, version: Path) -> None:
    """Point the link at the new version in one rename; the link is relative so that the
    whole folder can be moved or mounted elsewhere."""
    link = publish_dir.parent / f".{publish_dir.name}.{version.name}.link"
    link.symlink_to(os.path.relpath(version, publish_dir.parent), target_is_directory=True)
    os.replace(link, publish_dir)


def _prune(versions: Path, current: Path) -> None:
    """Keep the newest versions (always the current one); drop leftovers of failed builds."""
    finished = sorted(p for p in versions.iterdir() if not p.name.startswith("."))
    keep = {current, *finished[-VERSIONS_KEPT:]}
    for path in versions.iterdir():
        if path not in keep:
            shutil.rmtree(path, ignore_errors=True)


def publish(
    warehouse_path: Path,
    publish_dir: Path,
    pages: Mapping[str, str],
    published_weeks: Iterable[date],
) -> Path:
    """Publish the marts and pages as a new version and return that version's folder.

    `pages` maps paths such as `scorecards/2026-W20/ALL.html` to HTML; pages of earlier
    versions are kept. `published_weeks` is every week whose scorecard may be read (the
    caller adds this week to `read_published_weeks()` once its gate passed). If anything
    fails, the new version is discarded and the previous one stays published.
    """
    for relative in pages:
        _page_path(relative)
    previous = _current_version(publish_dir)
    versions = versions_dir(publish_dir)
    versions.mkdir(parents=True, exist_ok=True)
    # mkdir, not tempfile.mkdtemp: a mkdtemp folder is private to its owner (mode 0700), and
    # analysts of other accounts must be able to read the version it becomes.
    building = versions / f"{BUILDING_PREFIX}{uuid.uuid4().hex}"
    building.mkdir()
    try:
        _copy_marts(warehouse_path, building / DATABASE_NAME, published_weeks)
        _carry_over(previous, building)
        _write_pages(building, pages)
        version = versions / _new_version_name(versions)
        building.rename(version)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _swap(publish_dir, version)
    _prune(versions, version)
    return version
