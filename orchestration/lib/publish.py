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

Only weeks whose gate passed change a publication. A publish names the weeks that just passed
(`gated_weeks`): their rows of the week-dated marts come from the warehouse, and every other
week keeps the rows of the version before, so a week whose gate fails later keeps its last good
rows and pages, and a week never gated has no rows at all (`marts.published_weeks` lists the
gated weeks). Tables that are not per week are copied whole, and their comments say so.

Page files are named by `page_file_name`, never by a data value as it is: a program's name keeps
its own file name only when that is a safe one everywhere, otherwise it becomes a slug with a
hash of the exact name, so that no name writes outside its folder or takes another's file.
Pages carry no generation time, so a page whose numbers did not change stays byte for byte the
same; `marts.published_weeks.published_at` says when each week was last published.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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


# The portfolio's page keeps its name: people and links know it as ALL.html.
PORTFOLIO = "ALL"
PAGE_SUFFIX = ".html"
# A name keeps its own file name when it is lower case (two names differing in case only would
# share a file on the case-insensitive file systems of Windows and macOS shares), made of
# characters every file system and URL takes as they are, and short.
_OWN_FILE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# Names Windows reserves for devices, with any extension.
_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10))}
)
_NOT_IN_SLUG = re.compile(r"[^A-Za-z0-9._-]+")
SLUG_LENGTH = 40
# 48 bits of SHA-256: distinct names collide with a chance of about n^2 / 2^49.
HASH_LENGTH = 12
# A path part of a published page: the characters page names are made of, never hidden.
_PATH_PART = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


def page_file_name(ai_system: str) -> str:
    """The file name of an ai_system's page, the same on every run and never another's.

    `ALL` and lower-case names of letters, digits and `. _ -` (64 characters at most) keep
    their own name (`helpdesk_bot.html`). Any other name becomes a slug of its safe characters
    (accents dropped, at most 40 characters), `~` and a hash of the exact name:
    `Kundenservice-Bot ü 🤖` → `Kundenservice-Bot-u~256cd992cab6.html`. `~` never occurs in a
    kept name, and the hash tells apart names that slug alike.
    """
    stem = ai_system.split(".")[0]
    if ai_system == PORTFOLIO or (
        _OWN_FILE_NAME.fullmatch(ai_system)
        and stem not in _DEVICE_NAMES
        and ai_system != PORTFOLIO.lower()
    ):
        return ai_system + PAGE_SUFFIX
    ascii_name = unicodedata.normalize("NFKD", ai_system).encode("ascii", "ignore").decode()
    slug = _NOT_IN_SLUG.sub("-", ascii_name).strip("-.")[:SLUG_LENGTH].rstrip("-.")
    digest = hashlib.sha256(ai_system.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    return f"{slug or 'page'}~{digest}{PAGE_SUFFIX}"


def week_folder(week_label: str) -> str:
    """The folder of a week's pages inside the published folder: `scorecards/2026-W20`."""
    return f"scorecards/{week_label}"


def page_path(week_label: str, ai_system: str) -> str:
    """Where an ai_system's page of a week is published, relative to the published folder."""
    return f"{week_folder(week_label)}/{page_file_name(ai_system)}"


def _page_path(relative: str) -> PurePosixPath:
    """Pages must stay inside the version folder and must not replace the database."""
    path = PurePosixPath(relative)
    if (
        path.is_absolute()
        or not path.parts
        or not all(_PATH_PART.fullmatch(part) for part in path.parts)
        or str(path) == DATABASE_NAME
    ):
        raise ValueError(f"page path {relative!r} must be a relative path inside the folder")
    return path


def write_page(folder: Path, relative: str, html: str) -> None:
    """Write a page under `folder`: every page reaches the disk through here.

    Refuses a path that leaves the folder, whether by its text or through a symbolic link on
    the way. A file that already holds the same text is left alone, so that an unchanged page
    keeps its bytes and its modification time.
    """
    path = folder / _page_path(relative)
    inside = folder.resolve()
    if not path.resolve().is_relative_to(inside):
        raise ValueError(f"page path {relative!r} resolves outside {folder}")
    path.parent.mkdir(parents=True, exist_ok=True)
    content = html.encode("utf-8")
    if path.is_file() and path.read_bytes() == content:
        return
    path.write_bytes(content)


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
    "The ISO weeks that passed every blocking check of their gate and are published: one row per "
    "week. The week-dated tables (scorecard_weekly, metric_values, roi_summary) hold the rows of "
    "these weeks only; a week whose gate failed since keeps the rows and pages of its last good "
    "publication."
)
PUBLISHED_WEEKS_COLUMNS = {
    "week_start": "Monday of the published ISO week (UTC).",
    "iso_week": "The week as an ISO week label (2026-W36), the folder of its scorecard pages.",
    "published_at": "When the week was last published (UTC): the last time its gate passed and "
    "its rows and pages were copied. The pages themselves carry no time, so that an unchanged "
    "page stays byte for byte the same.",
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


# How the rows of a mart belong to weeks: by its week_start column (a Monday), or, in the metric
# store, by grain and period_start. Other marts are not split by week.
WEEK_COLUMN = "week_start"
METRIC_STORE_COLUMNS = frozenset({"grain", "period_start"})
# Metric store rows that lie within one ISO week; month rows span weeks.
WEEK_GRAINS = "grain in ('day', 'week')"
METRIC_STORE_KEY = (
    "metric_name",
    "grain",
    "period_start",
    "ai_system",
    "segment_key",
    "segment_value",
)
# Doubles computed from the same rows differ in their last bits between runs (DuckDB's parallel
# sums add in any order): equal within this relative tolerance counts as unchanged.
RELATIVE_TOLERANCE = 1e-9
APPROXIMATE_TYPES = frozenset({"DOUBLE", "FLOAT"})
_SIX_DAYS = timedelta(days=6)

WEEKLY_NOTE = (
    " Published copy: the rows of the weeks in marts.published_weeks only, whose gate passed; a "
    "week whose gate failed since keeps the rows of its last good publication."
)
METRIC_STORE_NOTE = (
    " Published copy: the day and week rows of the weeks in marts.published_weeks only, whose "
    "gate passed; a week whose gate failed since keeps the rows of its last good publication. A "
    "month's rows are published once every ISO week of the month that has data is published "
    "with the numbers the warehouse holds; until then the month keeps its last published rows, "
    "or has none."
)
WHOLE_NOTE = " Published copy: the whole table as of the latest publication, not split by week."
WHOLE_DATED_NOTE = (
    " Published copy: the whole table as of the latest publication, not split by week: its rows "
    "may draw on days of weeks that are not in marts.published_weeks."
)


def _week_of(column: str) -> str:
    return f"cast(date_trunc('week', {column}) as date)"


def _columns(con: duckdb.DuckDBPyConnection, database: str, name: str) -> dict[str, str]:
    """A relation's columns and their types, in order (none when it does not exist)."""
    rows = con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where database_name = ? and schema_name = 'marts' and table_name = ?"
        " order by column_index",
        [database, name],
    ).fetchall()
    return dict(rows)


def _previous_weeks(con: duckdb.DuckDBPyConnection) -> dict[date, datetime | None]:
    """The weeks the previous version published, with when each was published."""
    columns = _columns(con, "previous", "published_weeks")
    if not columns:
        return {}
    when = "published_at" if "published_at" in columns else "null"
    rows = con.execute(f"select week_start, {when} from previous.marts.published_weeks").fetchall()
    return dict(rows)


def _copy_marts(
    warehouse_path: Path,
    previous_database: Path | None,
    target: Path,
    gated: list[date],
    published_at: datetime,
) -> None:
    """Copy every table and view of the warehouse's `marts` as tables, with their comments (the
    dbt descriptions, persisted by `persist_docs`) and a note on what the copy holds, and add the
    convenience views analysts start from.

    Week-dated marts take the rows of the `gated` weeks from the warehouse and the rows of every
    other week the previous version published from that version; the metric store's month rows
    follow `_month_is_gated`. Other marts are copied whole.
    """
    source = str(warehouse_path).replace("'", "''")
    with duckdb.connect(target) as con:
        con.execute(f"attach '{source}' as warehouse (read_only)")
        weeks: dict[date, datetime | None] = {}
        if previous_database is not None and previous_database.exists():
            previous = str(previous_database).replace("'", "''")
            con.execute(f"attach '{previous}' as previous (read_only)")
            weeks = _previous_weeks(con)
        kept = sorted(set(weeks) - set(gated))
        weeks.update(dict.fromkeys(gated, published_at))
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
            note = _copy_mart(con, name, gated, kept)
            described = f"{(comment or '').strip()}{note}".strip()
            _comment(con, "table", f"marts.{_quoted(name)}", described)
        for name, column, comment in columns:
            _comment(con, "column", f"marts.{_quoted(name)}.{_quoted(column)}", comment)
        con.execute("detach warehouse")
        con.execute("detach database if exists previous")
        _add_views(con, dict(sorted(weeks.items())))


def _copy_mart(
    con: duckdb.DuckDBPyConnection, name: str, gated: list[date], kept: list[date]
) -> str:
    """Copy one mart into the new version; returns the note its comment gets."""
    table = f"marts.{_quoted(name)}"
    columns = _columns(con, "warehouse", name)
    previous = _columns(con, "previous", name)
    common = ", ".join(_quoted(c) for c in columns if c in previous)
    if WEEK_COLUMN in columns:
        rows = f"{WEEK_COLUMN} in (select unnest(?::date[]))"
        con.execute(
            f"create table {table} as select * from warehouse.{table} where {rows}", [gated]
        )
        if WEEK_COLUMN in previous:
            con.execute(
                f"insert into {table} ({common}) select {common} from previous.{table}"
                f" where {rows}",
                [kept],
            )
        return WEEKLY_NOTE
    if set(columns) >= METRIC_STORE_COLUMNS:
        _copy_metric_store(con, table, columns, previous, gated, kept)
        return METRIC_STORE_NOTE
    con.execute(f"create table {table} as select * from warehouse.{table}")
    dated = any(kind.startswith(("DATE", "TIMESTAMP")) for kind in columns.values())
    return WHOLE_DATED_NOTE if dated else WHOLE_NOTE


def _copy_metric_store(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Mapping[str, str],
    previous: Mapping[str, str],
    gated: list[date],
    kept: list[date],
) -> None:
    """Day and week rows by week; month rows of the months the gated weeks touch from the
    warehouse when `_month_is_gated`, every other month's as the previous version had them."""
    common = ", ".join(_quoted(c) for c in columns if c in previous)
    in_weeks = f"{WEEK_GRAINS} and {_week_of('period_start')} in (select unnest(?::date[]))"
    con.execute(
        f"create table {table} as select * from warehouse.{table} where {in_weeks}", [gated]
    )
    has_previous = set(previous) >= METRIC_STORE_COLUMNS
    if has_previous:
        con.execute(
            f"insert into {table} ({common}) select {common} from previous.{table}"
            f" where {in_weeks}",
            [kept],
        )
    touched = sorted({day.replace(day=1) for week in gated for day in (week, week + _SIX_DAYS)})
    fresh = [m for m in touched if _month_is_gated(con, table, columns, previous, m, gated, kept)]
    in_months = "grain = 'month' and period_start in (select unnest(?::date[]))"
    con.execute(f"insert into {table} select * from warehouse.{table} where {in_months}", [fresh])
    if has_previous:
        con.execute(
            f"insert into {table} ({common}) select {common} from previous.{table}"
            f" where grain = 'month' and period_start not in (select unnest(?::date[]))",
            [fresh],
        )


def _month_is_gated(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Mapping[str, str],
    previous: Mapping[str, str],
    month: date,
    gated: list[date],
    kept: list[date],
) -> bool:
    """Whether the warehouse's rows of a month hold gated numbers only: every ISO week of the
    month is gated now, or published before with the numbers the warehouse still holds, or has
    no rows (no data yet)."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    monday = month - timedelta(days=month.weekday())
    while monday < following:
        if monday in kept:
            if not _unchanged(con, table, columns, previous, monday):
                return False
        elif monday not in gated:
            (rows,) = con.execute(
                f"select count(*) from warehouse.{table}"
                f" where {WEEK_GRAINS} and {_week_of('period_start')} = ?",
                [monday],
            ).fetchone()
            if rows:
                return False
        monday += timedelta(days=7)
    return True


def _unchanged(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Mapping[str, str],
    previous: Mapping[str, str],
    week: date,
) -> bool:
    """Whether the warehouse's day and week rows of a week are those the previous version
    published: the same keys, and the same values (doubles within RELATIVE_TOLERANCE)."""
    shared = [c for c in columns if c in previous]
    if not set(METRIC_STORE_KEY) <= set(shared):
        return False
    rows = f"{WEEK_GRAINS} and {_week_of('period_start')} = $week"
    listed = ", ".join(_quoted(c) for c in shared)
    keys = " and ".join(
        f"new.{_quoted(c)} is not distinct from old.{_quoted(c)}" for c in METRIC_STORE_KEY
    )
    same = []
    for column in (c for c in shared if c not in METRIC_STORE_KEY):
        new, old = f"new.{_quoted(column)}", f"old.{_quoted(column)}"
        if columns[column] in APPROXIMATE_TYPES:
            close = f"abs({new} - {old}) <= $tolerance * greatest(abs({new}), abs({old}))"
            same.append(f"coalesce({new} = {old} or {close}, {new} is null and {old} is null)")
        else:
            same.append(f"{new} is not distinct from {old}")
    differing = " or ".join(
        ["new.present is null", "old.present is null"]
        + [f"not ({condition})" for condition in same]
    )
    (count,) = con.execute(
        f"""
        with
            new as (select {listed}, true as present from warehouse.{table} where {rows}),
            old as (select {listed}, true as present from previous.{table} where {rows})
        select count(*) from new full outer join old on {keys}
        where {differing}
        """,
        {"week": week, "tolerance": RELATIVE_TOLERANCE},
    ).fetchone()
    return count == 0


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


def _add_views(con: duckdb.DuckDBPyConnection, weeks: Mapping[date, datetime | None]) -> None:
    # Imported here: the scorecard module loads pandas and jinja, seconds that `amw query`
    # and `amw tables` (which import this module for the database path) should not wait.
    from orchestration.lib.scorecard import iso_week_label

    con.execute(
        "create table marts.published_weeks"
        " (week_start date primary key, iso_week text, published_at timestamp)"
    )
    con.executemany(
        "insert into marts.published_weeks values (?, ?, ?)",
        [[week, iso_week_label(week), published_at] for week, published_at in weeks.items()],
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
    """Write the pages; a folder that gets pages holds exactly these afterwards, so that a
    program gone from a re-published week leaves no page of it behind."""
    wanted = {_page_path(relative) for relative in pages}
    for folder in {path.parent for path in wanted if len(path.parts) > 1}:
        directory = target / folder
        if directory.is_dir():
            for path in directory.iterdir():
                if path.is_file() and folder / path.name not in wanted:
                    path.unlink()
    for relative, html in pages.items():
        write_page(target, relative, html)


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
    gated_weeks: Iterable[date],
) -> Path:
    """Publish a new version with the weeks whose gate just passed and return its folder.

    `gated_weeks` take their rows from the warehouse; every other week published before keeps
    its rows and pages as they were. `pages` maps paths such as `scorecards/2026-W20/ALL.html`
    (`page_path`) to HTML; a folder that gets pages is replaced by them, other pages of earlier
    versions are kept. If anything fails, the new version is discarded and the previous one
    stays published.
    """
    gated = sorted(set(gated_weeks))
    for relative in pages:
        _page_path(relative)
    previous = _current_version(publish_dir)
    versions = versions_dir(publish_dir)
    versions.mkdir(parents=True, exist_ok=True)
    # mkdir, not tempfile.mkdtemp: a mkdtemp folder is private to its owner (mode 0700), and
    # analysts of other accounts must be able to read the version it becomes.
    building = versions / f"{BUILDING_PREFIX}{uuid.uuid4().hex}"
    building.mkdir()
    published_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        _copy_marts(
            warehouse_path,
            previous / DATABASE_NAME if previous is not None else None,
            building / DATABASE_NAME,
            gated,
            published_at,
        )
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
