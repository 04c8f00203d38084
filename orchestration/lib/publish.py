"""Publication: a read-only copy of the marts and the scorecard pages, swapped in atomically.

Analysts and the `amw query` command read `<publish_dir>/published.duckdb`, never the
warehouse, so a reader never holds the lock the nightly writer needs. `publish_dir` is a
symbolic link to one complete version folder under `.<name>-versions/`; a publish builds the
next version beside it and replaces the link with `os.replace` (one rename), so a reader sees
the old state or the new one, never a mixture. A reader that opened the old database keeps
reading it: the previous version is kept on disk.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

import duckdb

from orchestration.lib.scorecard import iso_week_label

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


def _copy_marts(warehouse_path: Path, target: Path, weeks: Iterable[date]) -> None:
    """Copy every table and view of the warehouse's `marts` as tables, the scorecard limited to
    the published weeks, and add the convenience views analysts start from."""
    weeks = sorted(set(weeks))
    source = str(warehouse_path).replace("'", "''")
    with duckdb.connect(target) as con:
        con.execute(f"attach '{source}' as warehouse (read_only)")
        relations = con.execute(
            """
            select table_name as name from duckdb_tables()
            where database_name = 'warehouse' and schema_name = 'marts'
            union
            select view_name as name from duckdb_views()
            where database_name = 'warehouse' and schema_name = 'marts' and not internal
            order by name
            """
        ).fetchall()
        names = [name for (name,) in relations]
        missing = {"metric_values", "scorecard_weekly"} - set(names)
        if missing:
            raise ValueError(f"the warehouse has no marts.{', marts.'.join(sorted(missing))}")
        con.execute("create schema marts")
        for name in names:
            table = f"marts.{_quoted(name)}"
            if name == "scorecard_weekly":
                con.execute(
                    f"create table {table} as select * from warehouse.{table}"
                    " where week_start in (select unnest(?::date[]))",
                    [weeks],
                )
            else:
                con.execute(f"create table {table} as select * from warehouse.{table}")
        con.execute("detach warehouse")
        _add_views(con, weeks)


def _add_views(con: duckdb.DuckDBPyConnection, weeks: list[date]) -> None:
    con.execute("create table marts.published_weeks (week_start date primary key, iso_week text)")
    con.executemany(
        "insert into marts.published_weeks values (?, ?)",
        [[week, iso_week_label(week)] for week in weeks],
    )
    con.execute(
        """
        create view marts.latest_scorecard as
        select scorecard.*
        from marts.scorecard_weekly as scorecard
        where scorecard.week_start = (select max(week_start) from marts.published_weeks)
        """
    )
    con.execute(
        """
        create view marts.metric_trend_weekly as
        with weekly as (
            select metric_name, ai_system, period_start as week_start, value, ci_low, ci_high,
                sample_size, unit
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
        """
    )


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
    building = Path(tempfile.mkdtemp(prefix=BUILDING_PREFIX, dir=versions))
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
