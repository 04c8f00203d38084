"""`amw`: run the warehouse headless through Dagster, and read what it published.

Every failure a user can cause (a missing folder, a week that failed its gate, bad SQL) ends in
one line that says what happened and what to do, not a traceback.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click
import duckdb
import psutil
from rich.console import Console
from rich.table import Table

from orchestration.lib.environment import DEFAULT_DATA_DIR, REPO_ROOT, Environment
from orchestration.lib.publish import page_path, published_database
from orchestration.lib.warehouse_lock import WarehouseInUse, check_warehouse_free

if TYPE_CHECKING:
    from orchestration.lib.ingest import FileResult

# In a pipe or a log there is no terminal width to fit: give tables room instead of truncating.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)


class AmwError(click.ClickException):
    """An error the user can act on: printed as one line, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"amw: {self.message}", err=True)


# Dagster's and dbt's step-by-step output goes to a log file; the terminal gets the outcome.
_RUN_LOGGING = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _log_path(warehouse: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return warehouse.parent / "logs" / f"amw-run-{stamp}.log"


@contextmanager
def _logging_to(log: Path) -> Iterator[None]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with (
        log.open("a", encoding="utf-8") as stream,
        redirect_stdout(stream),
        redirect_stderr(stream),
    ):
        yield


@dataclass
class RunReport:
    days: tuple[date, date]
    log: Path
    # Days found in the landing folder that are not complete yet (today): the next run's.
    left_for_later: list[date] = field(default_factory=list)
    weeks_published: list[str] = field(default_factory=list)
    weeks_failed: dict[str, list[str]] = field(default_factory=dict)
    nightly_errors: list[str] = field(default_factory=list)
    # Every file the loads of these days read or rejected, by entity, with its rows.
    accounts: dict[str, list[FileResult]] = field(default_factory=dict)


def _dagster_home() -> None:
    """Run history goes to the repo's instance by default, so `make ui` shows what `amw run` did."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / "dagster_home")))
    if not home.is_dir():
        raise AmwError(
            f"DAGSTER_HOME {home} is not a folder: create it (Dagster keeps its run history"
            " there) or unset DAGSTER_HOME to use the repository's"
        )


def _configure(landing: Path, warehouse: Path, publish: Path | None) -> Environment:
    os.environ["AMW_LANDING_DIR"] = str(landing)
    os.environ["AMW_WAREHOUSE"] = str(warehouse)
    if publish is not None:
        os.environ["AMW_PUBLISH_DIR"] = str(publish)
    env = Environment.from_env()
    env.export()
    return env


def _complete_weeks(first: date, last: date) -> list[date]:
    """Mondays of the ISO weeks that lie wholly within [first, last]."""
    monday = first + timedelta(days=-first.weekday() % 7)
    weeks = []
    while monday + timedelta(days=6) <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _failures(result) -> list[str]:
    """Words for what went wrong in a Dagster run: failed checks first, then step errors."""
    lines = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                description = evaluation.description or "failed"
                lines.append(f"check {evaluation.check_name} failed: {description}")
        elif event.event_type_value == "STEP_FAILURE" and not lines:
            data = event.event_specific_data
            error = data.error
            # The user's error is the innermost cause; Dagster wraps it in its own.
            while error is not None and error.cause is not None:
                error = error.cause
            message = error.message.strip().splitlines()[0] if error else "failed"
            # A step that fails on purpose (dg.Failure) says why in its description.
            if data.user_failure_data is not None and data.user_failure_data.description:
                message = data.user_failure_data.description
            lines.append(f"step {event.step_key} failed: {message}")
    return lines or ["the run failed; see the run in the Dagster UI (make ui)"]


def execute_nightly(instance, start: date, end: date):
    """The nightly job over the days [start, end] as one run (one day on a normal night)."""
    from orchestration.definitions import defs

    return defs.resolve_job_def("nightly").execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config=_RUN_LOGGING,
        tags={
            "dagster/asset_partition_range_start": start.isoformat(),
            "dagster/asset_partition_range_end": end.isoformat(),
        },
    )


def _check_warehouse_free(warehouse: Path, publish: Path | None) -> None:
    """Stop before any work, in one line, when another process holds the warehouse."""
    published = published_database(publish or Environment.from_env().publish_dir)
    try:
        check_warehouse_free(warehouse, published)
    except WarehouseInUse as error:
        raise AmwError(str(error)) from None


def run_pipeline(
    landing: Path, warehouse: Path, publish: Path | None, start: date | None, end: date | None
) -> RunReport:
    """Materialize every day of the landing folder through Dagster, then score each whole week."""
    from orchestration.lib.dbt_salt import HashSaltError, read_hash_salt

    try:
        # dbt reads it only after the loads: a salt file it cannot use must stop the run now.
        read_hash_salt()
    except HashSaltError as error:
        raise AmwError(str(error)) from None
    _warn_about_salt(Environment.from_env())
    if not landing.is_dir():
        raise AmwError(f"landing folder {landing} does not exist; point --landing at your files")
    from orchestration.lib import ingest

    today = datetime.now(UTC).date()
    end_given = end is not None
    if end_given and end >= today:
        raise AmwError(f"--end {end} is not a complete day yet (today is {today} UTC)")
    _check_warehouse_free(warehouse, publish)
    days = ingest.discover_partitions(landing)
    # An exporter writing as it goes always has today's folder: it waits for the next run.
    left_for_later = [day for day in days if day >= today and not end_given]
    if start is None or end is None:
        complete = [day for day in days if day < today]
        if not days:
            raise AmwError(f"no data files found under {landing}; see README 'Your own data'")
        if not complete and not end_given:
            raise AmwError(
                f"the files under {landing} are all of {days[0]} or later, not a complete day"
                f" yet (today is {today} UTC); run again once a day is complete"
            )
        start, end = start or days[0], end or complete[-1]
    if start > end:
        last = "--end" if end_given else "the last complete day"
        raise AmwError(f"--start {start} is after {last} {end}")
    configured = date.fromisoformat(Environment.from_env().partitions_start)
    if start < configured:
        os.environ["AMW_PARTITIONS_START"] = start.isoformat()
    _configure(landing, warehouse, publish)
    _dagster_home()

    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.lib.scorecard import iso_week_label

    report = RunReport(days=(start, end), log=_log_path(warehouse), left_for_later=left_for_later)
    instance = dg.DagsterInstance.get()
    interrupted = fail_interrupted_runs(instance)
    if interrupted:
        console.print(
            f"marked {len(interrupted)} interrupted run(s) as failed: {', '.join(interrupted)}"
        )
    with console.status(f"nightly job over {start} .. {end}"), _logging_to(report.log):
        nightly = execute_nightly(instance, start, end)
    if not nightly.success:
        report.nightly_errors = _failures(nightly)
        return report
    report.accounts = _accounts(warehouse, start, end)
    weekly = defs.resolve_job_def("weekly_scorecard")
    for monday in _complete_weeks(start, end):
        label = iso_week_label(monday)
        with console.status(f"weekly scorecard {label}"), _logging_to(report.log):
            result = weekly.execute_in_process(
                instance=instance,
                partition_key=monday.isoformat(),
                raise_on_error=False,
                run_config=_RUN_LOGGING,
            )
        if result.success:
            report.weeks_published.append(label)
        else:
            report.weeks_failed[label] = _failures(result)
    return report


def fail_interrupted_runs(instance) -> list[str]:
    """Mark this instance's runs that are still starting or started, but whose process is gone,
    as failed; return their ids.

    A run killed mid-way (a signal, a reboot) never records its end, and would show as running
    for ever. Called once the warehouse was found free, so no other run is writing; a run whose
    process still lives (one launched from the UI, between two steps) is left alone.
    """
    import dagster as dg

    statuses = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    failed = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=statuses)):
        run = record.dagster_run
        if _run_process_alive(instance, run.run_id):
            continue
        instance.report_run_failed(run, _INTERRUPTED)
        failed.append(run.run_id)
    return failed


_INTERRUPTED = (
    "Interrupted: the process running this run ended without recording how the run ended"
    " (killed, or the machine stopped). Marked failed by the next `amw run`; a run over the"
    " same days redoes them."
)


def _run_process_alive(instance, run_id: str) -> bool:
    """Whether the process that last wrote an event of the run still exists (not this one: a
    process id is reused after a reboot)."""
    pids = [
        entry.dagster_event.pid
        for entry in instance.all_logs(run_id)
        if entry.dagster_event is not None and entry.dagster_event.pid is not None
    ]
    if not pids or pids[-1] == os.getpid():
        return False
    try:
        return psutil.Process(pids[-1]).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:  # no such process
        return False


def _accounts(warehouse: Path, start: date, end: date) -> dict[str, list[FileResult]]:
    """What the loads of [start, end] read, file by file, with the files that carry no day
    (snapshots, files outside date folders that could not be dated)."""
    from orchestration.lib.ingest import file_accounts

    with duckdb.connect(str(warehouse)) as con:
        return file_accounts(con, start, end)


# Files that set rows aside are listed one per line, up to this many.
_FILES_SHOWN = 20
_COUNT_COLUMNS = ("read", "loaded", "quarantined", "duplicate", "replaced")


def _counts(files: list[FileResult]) -> list[int]:
    return [sum(getattr(f, f"rows_{name}") for f in files) for name in _COUNT_COLUMNS]


def _print_accounts(accounts: dict[str, list[FileResult]], warehouse: Path) -> None:
    """Every row read is loaded, quarantined, a duplicate or replaced: per feed, then the files
    that did not load every row, so that nothing leaves the run without a line."""
    from orchestration.lib.ingest import sets_aside

    files = [f for entity_files in accounts.values() for f in entity_files]
    read, loaded, quarantined, duplicate, replaced = _counts(files)
    rejected = sum(1 for f in files if f.rejected)
    console.print(
        f"rows: {read:,} read = {loaded:,} loaded + {quarantined:,} quarantined"
        f" + {duplicate:,} duplicate + {replaced:,} replaced; {rejected:,} files rejected"
    )
    feeds = Table(title="rows by feed")
    for column in ("feed", "files", *_COUNT_COLUMNS, "files rejected"):
        feeds.add_column(column, justify="left" if column == "feed" else "right")
    for entity, entity_files in accounts.items():
        counts = [f"{n:,}" for n in _counts(entity_files)]
        rejects = sum(1 for f in entity_files if f.rejected)
        feeds.add_row(entity, f"{len(entity_files):,}", *counts, f"{rejects:,}")
    console.print(feeds)
    aside = [(e, f) for e, entity_files in accounts.items() for f in entity_files if sets_aside(f)]
    if not aside:
        return
    table = Table(title="files that did not load every row")
    for column in ("feed", "file", *_COUNT_COLUMNS, "rejected"):
        table.add_column(column, justify="right" if column in _COUNT_COLUMNS else "left")
    for entity, f in aside[:_FILES_SHOWN]:
        counts = [f"{getattr(f, f'rows_{name}'):,}" for name in _COUNT_COLUMNS]
        table.add_row(entity, f.source_file, *counts, f.rejected or "")
    console.print(table)
    if len(aside) > _FILES_SHOWN:
        console.print(f"... and {len(aside) - _FILES_SHOWN} more files")
    console.print(
        f"why: quarantine.rows and quarantine.files; per file and day: raw.load_audit"
        f" (in {warehouse})"
    )


def _print_report(report: RunReport, env: Environment) -> None:
    first, last = report.days
    console.print(f"days processed: {first} .. {last} (run log: {report.log})")
    if report.left_for_later:
        days = ", ".join(map(str, report.left_for_later))
        console.print(f"left for later: {days} (not a complete day yet; a later run loads it)")
    _print_accounts(report.accounts, env.warehouse_path)
    for label, reasons in report.weeks_failed.items():
        console.print(f"[red]week {label} NOT published[/red]")
        for reason in reasons:
            console.print(f"  - {reason}")
    if report.weeks_published:
        console.print(f"weeks published: {', '.join(report.weeks_published)}")
    console.print(f"warehouse:          {env.warehouse_path}")
    # The stable path readers use, not the version folder it currently points to.
    published = env.publish_dir / "published.duckdb"
    if published.exists():
        console.print(f"published database: {published}")
    if report.weeks_published:
        latest = report.weeks_published[-1]
        console.print(f"scorecard:          {env.publish_dir / page_path(latest, 'ALL')}")


def _warn_about_salt(env: Environment) -> None:
    """Said when a run starts and again under its summary, where it is read."""
    if warning := env.hash_salt_warning():
        click.echo(f"amw: warning: {warning}", err=True)


def _finish(report: RunReport) -> None:
    env = Environment.from_env()
    _warn_about_salt(env)
    if report.nightly_errors:
        for reason in report.nightly_errors:
            click.echo(f"amw: nightly run failed: {reason}", err=True)
        click.echo(f"amw: the whole run log is in {report.log}", err=True)
        sys.exit(1)
    _print_report(report, env)
    if report.weeks_failed:
        click.echo(
            f"amw: {len(report.weeks_failed)} week(s) not published; the previous "
            "publication stays in place",
            err=True,
        )
        sys.exit(1)


def _day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a day like 2026-05-01") from None


@click.group()
def main() -> None:
    """AI Metrics Warehouse: nightly metrics and weekly scorecards of your AI systems."""


@main.command()
@click.option("--landing", type=click.Path(path_type=Path), help="Landing folder to read.")
@click.option("--warehouse", type=click.Path(path_type=Path), help="DuckDB warehouse file.")
@click.option("--publish", type=click.Path(path_type=Path), help="Published folder.")
@click.option("--start", callback=_day, help="First day (YYYY-MM-DD); default: the earliest found.")
@click.option("--end", callback=_day, help="Last day (YYYY-MM-DD); default: the latest found.")
def run(
    landing: Path | None,
    warehouse: Path | None,
    publish: Path | None,
    start: date | None,
    end: date | None,
) -> None:
    """Run the whole pipeline headless over the landing folder; score every complete ISO week."""
    env = Environment.from_env()
    report = run_pipeline(
        (landing or env.landing_dir).absolute(),
        (warehouse or env.warehouse_path).absolute(),
        publish.absolute() if publish else None,
        start,
        end,
    )
    _finish(report)


@main.command()
@click.option(
    "--dir",
    "data_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="Where the demo landing folder, warehouse and published folder go.",
)
def demo(data_dir: Path) -> None:
    """Simulate the demo data (13 weeks, planted effects) and run the whole pipeline on it."""
    from orchestration.lib import simulator

    data_dir = data_dir.absolute()
    landing = data_dir / "landing"
    # Simulated ids: the public demo salt hides nothing worth hiding, so no warning about it.
    os.environ["AMW_DEMO_DATA"] = "1"
    _check_warehouse_free(data_dir / "warehouse.duckdb", data_dir / "published")
    with console.status(f"simulating {simulator.DEMO_START} .. {simulator.DEMO_END}"):
        simulator.write_landing(landing)
    console.print(f"demo landing folder: {landing}")
    report = run_pipeline(
        landing, data_dir / "warehouse.duckdb", data_dir / "published", None, None
    )
    _finish(report)


def _published_connection(
    publish: Path | None, files_in: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """The published database, read-only, and nothing else: DuckDB's external access is off
    (no ATTACH of another database, no file, no extension) but for files under `files_in` when
    given, and its configuration is locked so that no statement turns that back on."""
    from orchestration.lib import publish as publishing

    directory = (publish or Environment.from_env().publish_dir).absolute()
    database = publishing.published_database(directory)
    if not database.exists():
        raise AmwError(f"nothing published in {directory} yet; run `amw run` (or `make run`) first")
    con = duckdb.connect(str(database), read_only=True)
    if files_in is not None:
        con.execute("set allowed_directories = ?", [[str(files_in)]])
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def _print_table(columns: list[str], rows: list[tuple], title: str | None = None) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _cell(value: object) -> str:
    """Six significant digits: enough to read a rate or a cost, and a table that fits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _plain(value: object) -> object:
    """A value as JSON has it: dates as ISO strings, NaN and infinities as null (JSON has
    neither), decimals as numbers, anything else DuckDB returns (UUIDs, blobs) as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _write_json(columns: list[str], rows: list[tuple]) -> None:
    records = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in rows]
    click.echo(json.dumps(records, indent=2, ensure_ascii=False))


def _csv_cell(value: object) -> object:
    """Null (and NaN) is an empty field; booleans and nested values are written as in JSON."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool | list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_csv(columns: list[str], rows: list[tuple]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)


# Statements `amw query` refuses before DuckDB sees them, by DuckDB's statement type, and why.
# The connection refuses them too (read-only, no external access); this says so in words.
_READ_ONLY = "the published database is read-only"
_REFUSED = {
    "ATTACH": "amw query reads the published database and no other",
    "DETACH": "amw query reads the published database and no other",
    "LOAD": "amw query installs and loads no extensions",
    "INSERT": _READ_ONLY,
    "UPDATE": _READ_ONLY,
    "DELETE": _READ_ONLY,
    "MERGE_INTO": _READ_ONLY,
    "CREATE": _READ_ONLY,
    "CREATE_FUNC": _READ_ONLY,
    "DROP": _READ_ONLY,
    "ALTER": _READ_ONLY,
}
# Statements that read or write files: only with --allow-files-in.
_FILE_STATEMENTS = ("COPY", "COPY_DATABASE", "EXPORT")


def _check_statements(con: duckdb.DuckDBPyConnection, sql: str, files_in: Path | None) -> None:
    try:
        kinds = [statement.type.name for statement in con.extract_statements(sql)]
    except duckdb.Error as error:
        raise AmwError(f"query failed: {str(error).splitlines()[0]}") from None
    except ValueError:  # a statement type this DuckDB client has no name for
        raise AmwError("refused: amw query runs queries, and this is not one") from None
    if not kinds:
        raise AmwError("no SQL statement given (only blanks, semicolons or comments)")
    for kind in kinds:
        if kind in _REFUSED:
            label = "INSTALL and LOAD" if kind == "LOAD" else kind.replace("_", " ")
            raise AmwError(f"refused: {label}: {_REFUSED[kind]}")
        if kind in _FILE_STATEMENTS and files_in is None:
            raise AmwError(
                f"refused: {kind.replace('_', ' ')} reads or writes files; give"
                " --allow-files-in DIR to allow files under DIR"
            )


def _query_error(error: duckdb.Error, files_in: Path | None) -> AmwError:
    """One line for a statement DuckDB refused or could not run."""
    message = str(error).splitlines()[0]
    if isinstance(error, duckdb.PermissionException):
        allowed = f"only files under {files_in}" if files_in else "no file (see --allow-files-in)"
        return AmwError(f"refused: {message}: amw query reads the published database and {allowed}")
    if "configuration has been locked" in message:
        return AmwError(f"refused: {message}: amw query keeps DuckDB's settings as they are")
    return AmwError(f"query failed: {message}")


@main.command()
@click.argument("sql")
@click.option("--publish", type=click.Path(path_type=Path), help="Published folder to query.")
@click.option("--csv", "output", flag_value="csv", help="Print CSV with a header row.")
@click.option("--json", "output", flag_value="json", help="Print a JSON list of objects.")
@click.option(
    "--allow-files-in",
    "files_in",
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Allow files under DIR, and nowhere else: COPY (SELECT ...) TO 'DIR/x.csv', EXPORT"
    " DATABASE 'DIR/...', read_csv('DIR/...'). The published database stays read-only and"
    " ATTACH stays refused.",
)
def query(sql: str, publish: Path | None, output: str | None, files_in: Path | None) -> None:
    """Run read-only SQL on the published database and print the result: a table, or with
    --csv or --json only the data on stdout, for a pipe.

    The published database is all a query reads: no ATTACH of another database (the warehouse
    with its raw tables included), no file, no extension, and no change to DuckDB's settings.
    A refused statement ends in one line saying why, with exit status 2.
    """
    if files_in is not None:
        files_in = files_in.resolve()
        warehouse = Environment.from_env().warehouse_path.resolve()
        if warehouse.is_relative_to(files_in):
            raise AmwError(
                f"--allow-files-in {files_in} holds the warehouse {warehouse}, which amw query"
                " does not read: choose a folder without it"
            )
    con = _published_connection(publish, files_in)
    try:
        _check_statements(con, sql, files_in)
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.Error as error:
        raise _query_error(error, files_in) from None
    finally:
        con.close()
    if output == "csv":
        _write_csv(columns, rows)
    elif output == "json":
        _write_json(columns, rows)
    else:
        _print_table(columns, rows)


def _first_sentence(comment: str | None) -> str:
    """The first sentence of a description, on one line (a description may run to pages)."""
    text = " ".join((comment or "").split())
    match = re.match(r"(.+?[.!?])(?=\s|$)", text)
    return match.group(1) if match else text


_RELATIONS_SQL = """
    select schema_name, table_name as name, 'table' as kind, comment
    from duckdb_tables() where database_name = current_database()
    union all
    select schema_name, view_name as name, 'view' as kind, comment
    from duckdb_views() where database_name = current_database() and not internal
"""


def _print_relations(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        f"select schema_name || '.' || name, kind, comment from ({_RELATIONS_SQL})"
        " order by schema_name, name"
    ).fetchall()
    described = [(name, kind, _first_sentence(comment)) for name, kind, comment in rows]
    _print_table(["name", "kind", "description"], described)


def _print_columns(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """One table's or view's columns; a bare name finds it in any schema if only one has it."""
    schema, _, table = name.rpartition(".")
    found = con.execute(
        f"select schema_name, name, kind, comment from ({_RELATIONS_SQL})"
        " where name = $table and (schema_name = $schema or $schema = '')",
        {"table": table, "schema": schema},
    ).fetchall()
    if len(found) != 1:
        problem = "no table or view" if not found else "more than one table or view named"
        raise AmwError(f"{problem} {name} in the published database; see `amw tables`")
    ((schema, table, kind, comment),) = found
    columns = con.execute(
        "select column_name, data_type, comment from duckdb_columns()"
        " where database_name = current_database() and schema_name = ? and table_name = ?"
        " order by column_index",
        [schema, table],
    ).fetchall()
    columns = [(column, type_, " ".join((text or "").split())) for column, type_, text in columns]
    title = f"{schema}.{table} ({kind}): {_first_sentence(comment)}"
    _print_table(["column", "type", "description"], columns, title=title)


@main.command()
@click.option("--columns", "name", metavar="NAME", help="Show this table's or view's columns.")
@click.option("--publish", type=click.Path(path_type=Path), help="Published folder to read.")
def tables(name: str | None, publish: Path | None) -> None:
    """List the tables and views of the published database with what each holds; with
    --columns, the columns of one of them with their types and descriptions."""
    con = _published_connection(publish)
    try:
        if name:
            _print_columns(con, name)
        else:
            _print_relations(con)
    finally:
        con.close()


@main.command()
@click.option("--warehouse", type=click.Path(path_type=Path), help="DuckDB warehouse file.")
def docs(warehouse: Path | None) -> None:
    """Build dbt's docs of the warehouse and GX's data docs of the quality gate, as pages that
    open from disk; refused while a run writes the warehouse."""
    from orchestration.lib import docs as documentation

    warehouse = (warehouse or Environment.from_env().warehouse_path).absolute()
    try:
        with console.status("dbt docs generate"):
            dbt_page = documentation.build_dbt_docs(
                warehouse, documentation.dbt_docs_dir(warehouse)
            )
    except documentation.DocsError as error:
        raise AmwError(str(error)) from None
    with console.status("GX data docs"):
        gx_page = documentation.build_gx_docs()
    console.print(f"dbt docs:     {dbt_page}")
    console.print(f"GX data docs: {gx_page}")
    console.print("(GX's pages load their styles and index lists from CDNs: open them online)")


def _iso_week(label: str) -> date:
    try:
        year, week = label.upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise click.BadParameter(f"{label!r} is not an ISO week like 2026-W20") from None


@main.command()
@click.option("--week", required=True, help="ISO week, e.g. 2026-W20.")
@click.option("--ai-system", default="ALL", show_default=True, help="A program, or ALL.")
@click.option("--publish", type=click.Path(path_type=Path), help="Published folder to read.")
def scorecard(week: str, ai_system: str, publish: Path | None) -> None:
    """Print the published scorecard of one week and the path of its HTML page."""
    monday = _iso_week(week)
    con = _published_connection(publish)
    try:
        cursor = con.execute(
            "select metric_name, value, ci_low, ci_high, sample_size, prior_week_value,"
            " four_week_average, target, status from marts.scorecard_weekly"
            " where week_start = ? and ai_system = ? order by metric_name",
            [monday, ai_system],
        )
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    if not rows:
        raise AmwError(f"no published scorecard for {week} and {ai_system}; see `amw query`")
    _print_table(columns, rows, title=f"{ai_system} — {week}")
    directory = (publish or Environment.from_env().publish_dir).absolute()
    console.print(f"page: {directory / page_path(week.upper(), ai_system)}")


if __name__ == "__main__":
    main()
