"""Load the landing zone into the typed `raw` tables, with quarantine and a load audit.

A load replaces one (entity, landing partition) in one transaction: the rows it loaded before,
their quarantine entries and audit rows are removed and rebuilt from the files as they are now,
so a re-run gives the same tables. Versions of a key are resolved across all partitions, but only
for the keys the partition touches: the last version in (source file path, row number) order is
`loaded`, earlier ones are `duplicate` (same row hash) or `replaced`. Rejected files (unreadable,
missing a required column, unsupported type) are recorded in `quarantine.files` only, never in
`raw.load_audit`. A file outside any `date=` folder whose rows have no valid event time belongs
to no partition: it is rejected with a null partition_date, re-checked by every load of its
entity. The roster and reference overrides are snapshots (`load_snapshot`): their quarantine and
audit rows have a null partition_date.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.contract import (
    EMPLOYEES,
    ENTITIES,
    REFERENCE_TABLES,
    Column,
    Entity,
    create_table_sql,
    quote_identifier,
    raw_columns,
)
from orchestration.lib.readers import (
    FileRejected,
    SourceFile,
    date_folder_days,
    drop_reader_tables,
    list_source_files,
    literal,
    open_source,
    typed_rows_sql,
)

QUARANTINE_ROWS = (
    ("entity", "VARCHAR"),
    ("partition_date", "DATE"),
    ("source_file", "VARCHAR"),
    ("row_number", "BIGINT"),
    ("reason", "VARCHAR"),
    ("record", "VARCHAR"),
)
QUARANTINE_FILES = (
    ("entity", "VARCHAR"),
    ("partition_date", "DATE"),
    ("source_file", "VARCHAR"),
    ("reason", "VARCHAR"),
)
LOAD_AUDIT = (
    ("entity", "VARCHAR"),
    ("partition_date", "DATE"),
    ("source_file", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("rows_duplicate", "BIGINT"),
    ("rows_replaced", "BIGINT"),
    ("loaded_at", "TIMESTAMP"),
)
EMPLOYEES_COLUMNS = (
    ("employee_id", "VARCHAR"),
    ("team", "VARCHAR"),
    ("eligible", "BOOLEAN"),
    ("_source_file", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)
_COUNTS = ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate", "rows_replaced")


@dataclass(frozen=True)
class FileResult:
    source_file: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_replaced: int = 0
    # Why the whole file was rejected; None when it was read.
    rejected: str | None = None


@dataclass(frozen=True)
class LoadResult:
    entity: str
    partition_date: date
    files: list[FileResult]
    # Event days of the rows this load added, removed or whose disposition it changed: the range
    # dbt must recompute (None when nothing changed).
    min_event_date: date | None
    max_event_date: date | None

    def _total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def rows_read(self) -> int:
        return self._total("rows_read")

    @property
    def rows_loaded(self) -> int:
        return self._total("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self._total("rows_quarantined")

    @property
    def rows_duplicate(self) -> int:
        return self._total("rows_duplicate")

    @property
    def rows_replaced(self) -> int:
        return self._total("rows_replaced")

    @property
    def files_rejected(self) -> int:
        return sum(1 for f in self.files if f.rejected)

    def as_metadata(self) -> dict[str, object]:
        """Plain values for a Dagster materialization (None values left out)."""
        metadata: dict[str, object] = {
            "entity": self.entity,
            "partition_date": self.partition_date.isoformat(),
            **{name: self._total(name) for name in _COUNTS},
            "files_read": sum(1 for f in self.files if not f.rejected),
            "files_rejected": self.files_rejected,
            "files": [{k: v for k, v in asdict(f).items() if v is not None} for f in self.files],
        }
        if self.min_event_date:
            metadata["min_event_date"] = self.min_event_date.isoformat()
            metadata["max_event_date"] = self.max_event_date.isoformat()
        return metadata


def totals(results: Iterable[LoadResult]) -> dict[str, int]:
    """Row accounting summed over several loads (a run's days), as shown on a materialization."""
    results = list(results)
    summed = {name: sum(r._total(name) for r in results) for name in _COUNTS}
    summed["files_read"] = sum(1 for r in results for f in r.files if not f.rejected)
    summed["files_rejected"] = sum(r.files_rejected for r in results)
    return summed


def file_accounts(
    con: duckdb.DuckDBPyConnection, first: date, last: date, entity: str | None = None
) -> dict[str, list[FileResult]]:
    """Every file the loads of days [first, last] read or rejected, by entity, with its rows
    summed over those days: a file outside any date= folder is audited once per day it feeds.
    Snapshot files (roster, reference overrides) carry no day and are always included."""
    scope = (
        "(partition_date between $first and $last or partition_date is null)"
        " and ($entity is null or entity = $entity)"
    )
    counts = ", ".join(f"sum({name})" for name in _COUNTS)
    zeros = ", ".join("0" for _ in _COUNTS)
    rows = con.execute(
        f"""
        select entity, source_file, {counts}, null as rejected
        from raw.load_audit where {scope}
        group by entity, source_file
        union all
        select entity, source_file, {zeros}, reason
        from quarantine.files where {scope}
        order by entity, source_file
        """,
        {"first": first, "last": last, "entity": entity},
    ).fetchall()
    accounts: dict[str, list[FileResult]] = {}
    for name, *values in rows:
        accounts.setdefault(name, []).append(FileResult(*values))
    return accounts


def sets_aside(result: FileResult) -> bool:
    """The file did not load every row it holds: rejected, or rows quarantined, duplicate or
    replaced by a later version."""
    return bool(
        result.rejected or result.rows_quarantined or result.rows_duplicate or result.rows_replaced
    )


@dataclass(frozen=True)
class SnapshotResult:
    # Rows of each reference override loaded; a table without a (valid) override is absent.
    reference_rows: dict[str, int]
    # The roster file used (None without one) and the accounting of its rows.
    employees_file: str | None
    employees: FileResult | None
    # Files rejected whole: reference overrides and roster files.
    rejected: list[FileResult] = field(default_factory=list)

    def as_metadata(self) -> dict[str, object]:
        """Plain values for a Dagster materialization (None values left out)."""
        metadata: dict[str, object] = {
            "reference_overrides": dict(self.reference_rows),
            "files_rejected": len(self.rejected),
        }
        if self.rejected:
            metadata["rejected"] = {f.source_file: f.rejected for f in self.rejected}
        if self.employees:
            metadata["employees_file"] = self.employees_file
            metadata.update({f"employees_{n}": getattr(self.employees, n) for n in _COUNTS})
        return metadata


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and quarantine schemas and tables if missing (idempotent)."""
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists quarantine")
    for entity in ENTITIES.values():
        con.execute(create_table_sql(f"raw.{entity.name}", raw_columns(entity)))
    # A warehouse made by an earlier version gains the contract's new (optional) columns.
    existing = set(
        con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_catalog = current_database() and table_schema = 'raw'"
        ).fetchall()
    )
    for entity in ENTITIES.values():
        for name, type_ in raw_columns(entity):
            if (entity.name, name) not in existing:
                con.execute(
                    f"alter table raw.{entity.name} add column {quote_identifier(name)} {type_}"
                )
    con.execute(create_table_sql("raw.employees", EMPLOYEES_COLUMNS))
    for name, columns in REFERENCE_TABLES.items():
        typed = tuple((c, "VARCHAR") for c in columns)
        con.execute(create_table_sql(f"raw.reference_{name}", typed))
    con.execute(create_table_sql("raw.load_audit", LOAD_AUDIT))
    con.execute(create_table_sql("quarantine.rows", QUARANTINE_ROWS))
    con.execute(create_table_sql("quarantine.files", QUARANTINE_FILES))


def discover_partitions(landing_dir: Path, entities: Iterable[str] | None = None) -> list[date]:
    """Days with data: every `date=` folder, plus the event days of files outside any."""
    days: set[date] = set()
    with duckdb.connect() as con:
        for name in entities if entities is not None else ENTITIES:
            entity = ENTITIES[name]
            days |= date_folder_days(landing_dir, name)
            for source in list_source_files(landing_dir, name):
                if source.partition_date is None:
                    days |= _event_days(con, source, entity)
    return sorted(days)


def _event_days(con: duckdb.DuckDBPyConnection, source: SourceFile, entity: Entity) -> set[date]:
    """Event days of a file outside any date= folder; none when it is unreadable (the load
    rejects it)."""
    try:
        view = open_source(con, source, entity)
        rows = con.execute(
            f"select distinct _event_date from ({typed_rows_sql(view.entity, view.text_sql)})"
            " where _event_date is not null"
        ).fetchall()
    except (FileRejected, duckdb.Error):
        return set()
    return {row[0] for row in rows}


def load_partition(
    con: duckdb.DuckDBPyConnection, entity: str, landing_dir: Path, partition_date: date
) -> LoadResult:
    """Replace one landing partition of an entity in raw, quarantine and the audit.

    The files are typed into temporary tables first (a DuckDB error aborts a transaction, and a
    corrupt file must only reject itself); the changes to the warehouse then happen in one
    transaction.
    """
    contract = ENTITIES[entity]
    _create_work_tables(con, contract)
    for source in list_source_files(landing_dir, entity):
        if source.partition_date in (partition_date, None):
            _stage_file(con, contract, source, partition_date)
    drop_reader_tables(con)
    con.begin()
    try:
        changed_days = _apply(con, contract, partition_date)
        result = _load_result(con, contract, partition_date, changed_days)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        _drop_work_tables(con)
    return result


_WORK_TABLES = (
    "_amw_rows",
    "_amw_bad",
    "_amw_rejected",
    "_amw_read",
    "_amw_old",
    "_amw_versions",
    "_amw_targets",
    "_amw_roster",
)


def _drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    drop_reader_tables(con)
    for table in _WORK_TABLES:
        con.execute(f"drop table if exists {table}")


def _create_work_tables(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    _drop_work_tables(con)
    contract = tuple((c.name, c.type) for c in entity.columns)
    con.execute(
        create_table_sql(
            "_amw_rows",
            (
                ("_source_file", "VARCHAR"),
                ("_row_number", "BIGINT"),
                *contract,
                ("_event_date", "DATE"),
                ("_row_hash", "VARCHAR"),
                ("_row_key", "VARCHAR"),
                ("_reasons", "VARCHAR"),
            ),
        ).replace("create table", "create temp table")
    )
    con.execute(
        "create temp table _amw_bad"
        " (source_file varchar, row_number bigint, reason varchar, record varchar)"
    )
    con.execute(
        "create temp table _amw_rejected (partition_date date, source_file varchar, reason varchar)"
    )
    con.execute("create temp table _amw_read (source_file varchar)")


def _reject(con: duckdb.DuckDBPyConnection, day: date | None, source: str, reason: str) -> None:
    con.execute("insert into _amw_rejected values (?, ?, ?)", [day, source, reason])


def _stage_file(
    con: duckdb.DuckDBPyConnection, entity: Entity, source: SourceFile, partition: date
) -> None:
    """Type one file into `_amw_rows` and its bad rows into `_amw_bad`.

    A file outside any date= folder keeps only the rows of this partition's event day, plus its
    rows without a valid event time when this partition is the file's earliest event day.
    """
    try:
        _stage_rows(con, entity, source, partition)
    except (FileRejected, duckdb.Error) as error:
        # A file can turn out unreadable only while its rows are typed (a corrupt data page).
        reason = (
            str(error)
            if isinstance(error, FileRejected)
            else (f"{source.relative}: unreadable: {str(error).splitlines()[0]}")
        )
        for table, column in (("_amw_rows", "_source_file"), ("_amw_bad", "source_file")):
            con.execute(f"delete from {table} where {column} = ?", [source.relative])
        con.execute("delete from _amw_read where source_file = ?", [source.relative])
        _reject(con, source.partition_date, source.relative, reason)


def _stage_rows(
    con: duckdb.DuckDBPyConnection, entity: Entity, source: SourceFile, partition: date
) -> None:
    view = open_source(con, source, entity)
    name = literal(source.relative)
    typed = typed_rows_sql(view.entity, view.text_sql)
    con.execute(f"insert into _amw_rows select {name}, * from ({typed})")
    if source.partition_date is None:
        rows, first_day = con.execute(
            f"select count(*), min(_event_date) from _amw_rows where _source_file = {name}"
        ).fetchone()
        keep = "_event_date = ?" + (" or _event_date is null" if first_day == partition else "")
        con.execute(
            f"delete from _amw_rows where _source_file = {name} and not coalesce({keep}, false)",
            [partition],
        )
        if rows and first_day is None:
            raise FileRejected(
                f"{source.relative}: no row has a valid {entity.event_time},"
                " so the file belongs to no partition"
            )
        if not con.execute(
            f"select count(*) from _amw_rows where _source_file = {name}"
        ).fetchone()[0]:
            return
    con.execute(
        f"""
        insert into _amw_bad
        select {name}, r._row_number, r._reasons, s._record
        from _amw_rows as r
        join ({view.record_sql}) as s on s._row_number = r._row_number
        where r._source_file = {name} and r._reasons is not null
        """
    )
    con.execute(f"insert into _amw_read values ({name})")


def _apply(
    con: duckdb.DuckDBPyConnection, entity: Entity, partition: date
) -> tuple[date | None, date | None]:
    """Swap the staged partition into raw, re-resolve the touched keys, rebuild the audit."""
    table = f"raw.{entity.name}"
    e, p = literal(entity.name), f"date {literal(partition.isoformat())}"
    con.execute(f"delete from quarantine.rows where entity = {e} and partition_date = {p}")
    con.execute(
        f"insert into quarantine.rows select {e}, {p}, source_file, row_number, reason, record"
        " from _amw_bad"
    )
    con.execute(
        f"delete from quarantine.files where entity = {e}"
        f" and (partition_date = {p} or partition_date is null)"
    )
    con.execute(
        f"insert into quarantine.files select {e}, partition_date, source_file, reason"
        " from _amw_rejected"
    )
    con.execute(
        f"create temp table _amw_old as select _row_key, _event_date, _disposition"
        f" from {table} where _partition_date = {p}"
    )
    con.execute(f"delete from {table} where _partition_date = {p}")
    con.execute(
        f"""
        create temp table _amw_versions as
        with touched as (
            select _row_key from _amw_rows where _reasons is null
            union
            select _row_key from _amw_old
        ),
        versions as (
            select
                _partition_date, _source_file, _row_number, _row_key, _row_hash, _event_date,
                _disposition as old_disposition, false as is_new
            from {table}
            where _row_key in (select _row_key from touched)
            union all
            select
                {p}, _source_file, _row_number, _row_key, _row_hash, _event_date,
                null, true
            from _amw_rows
            where _reasons is null
        ),
        ranked as (
            select
                *,
                row_number() over latest_first as version,
                first_value(_row_hash) over latest_first as latest_hash
            from versions
            window latest_first as (
                partition by _row_key order by _source_file desc, _row_number desc
            )
        )
        select
            * exclude (version, latest_hash),
            case
                when version = 1 then 'loaded'
                when _row_hash = latest_hash then 'duplicate'
                else 'replaced'
            end as new_disposition
        from ranked
        """
    )
    con.execute(
        f"""
        update {table} as r
        set _disposition = v.new_disposition
        from _amw_versions as v
        where not v.is_new
            and v.old_disposition <> v.new_disposition
            and r._partition_date = v._partition_date
            and r._source_file = v._source_file
            and r._row_number = v._row_number
        """
    )
    # By name: a table made before a contract column was added has it at the end.
    names = [name for name, _ in raw_columns(entity)]
    con.execute(
        f"""
        insert into {table} ({", ".join(map(quote_identifier, names))})
        select
            {", ".join("s." + quote_identifier(c.name) for c in entity.columns)},
            {p}, s._event_date, s._source_file, s._row_number, s._row_key, s._row_hash,
            v.new_disposition, current_timestamp::timestamp
        from _amw_rows as s
        join _amw_versions as v
            on v.is_new and v._source_file = s._source_file and v._row_number = s._row_number
        """
    )
    _rebuild_audit(con, entity, partition)
    return con.execute(
        """
        select min(_event_date), max(_event_date) from (
            select _event_date from _amw_versions
            where is_new or old_disposition <> new_disposition
            union all
            select _event_date from _amw_old where _disposition = 'loaded'
        )
        """
    ).fetchone()


def _rebuild_audit(con: duckdb.DuckDBPyConnection, entity: Entity, partition: date) -> None:
    """Recount every file whose rows this load touched, in this and in other partitions."""
    e, p = literal(entity.name), f"date {literal(partition.isoformat())}"
    con.execute(
        f"""
        create temp table _amw_targets as
        select {p} as partition_date, source_file from _amw_read
        union
        select _partition_date, _source_file from _amw_versions
        where not is_new and old_disposition <> new_disposition
        """
    )
    con.execute(
        f"""
        delete from raw.load_audit as a
        where a.entity = {e} and (
            a.partition_date = {p}
            or exists (
                select 1 from _amw_targets as t
                where t.partition_date = a.partition_date and t.source_file = a.source_file
            )
        )
        """
    )
    con.execute(
        f"""
        insert into raw.load_audit
        with raw_counts as (
            select
                _partition_date as partition_date,
                _source_file as source_file,
                count(*) filter (where _disposition = 'loaded') as rows_loaded,
                count(*) filter (where _disposition = 'duplicate') as rows_duplicate,
                count(*) filter (where _disposition = 'replaced') as rows_replaced
            from raw.{entity.name}
            where _partition_date in (select partition_date from _amw_targets)
                and _source_file in (select source_file from _amw_targets)
            group by all
        ),
        quarantine_counts as (
            select partition_date, source_file, count(*) as rows_quarantined
            from quarantine.rows
            where entity = {e}
                and partition_date in (select partition_date from _amw_targets)
                and source_file in (select source_file from _amw_targets)
            group by all
        ),
        counts as (
            select
                t.partition_date,
                t.source_file,
                coalesce(r.rows_loaded, 0) as rows_loaded,
                coalesce(q.rows_quarantined, 0) as rows_quarantined,
                coalesce(r.rows_duplicate, 0) as rows_duplicate,
                coalesce(r.rows_replaced, 0) as rows_replaced
            from _amw_targets as t
            left join raw_counts as r using (partition_date, source_file)
            left join quarantine_counts as q using (partition_date, source_file)
        )
        select
            {e}, partition_date, source_file,
            rows_loaded + rows_quarantined + rows_duplicate + rows_replaced,
            rows_loaded, rows_quarantined, rows_duplicate, rows_replaced,
            current_timestamp::timestamp
        from counts
        """
    )


def _load_result(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    partition: date,
    changed_days: tuple[date | None, date | None],
) -> LoadResult:
    audited = con.execute(
        f"select source_file, {', '.join(_COUNTS)} from raw.load_audit"
        " where entity = ? and partition_date = ?",
        [entity.name, partition],
    ).fetchall()
    rejected = con.execute("select source_file, reason from _amw_rejected").fetchall()
    files = [FileResult(*row) for row in audited] + [
        FileResult(source_file, rejected=reason) for source_file, reason in rejected
    ]
    return LoadResult(
        entity=entity.name,
        partition_date=partition,
        files=sorted(files, key=lambda f: f.source_file),
        min_event_date=changed_days[0],
        max_event_date=changed_days[1],
    )


def load_snapshot(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, seeds_dir: Path
) -> SnapshotResult:
    """Replace the reference overrides and the employee roster.

    As for partitions, the files are read into temporary tables first, then swapped in within
    one transaction.
    """
    _check_seeds(seeds_dir)
    _drop_work_tables(con)
    con.execute(
        "create temp table _amw_rejected (entity varchar, source_file varchar, reason varchar)"
    )
    overrides = _stage_reference(con, landing_dir)
    roster = _stage_roster(con, landing_dir)
    drop_reader_tables(con)
    con.begin()
    try:
        reference_rows = _swap_reference(con, overrides)
        employees = _swap_roster(con, roster)
        con.execute("delete from quarantine.files where entity in ('reference', 'employees')")
        con.execute(
            "insert into quarantine.files select entity, null, source_file, reason"
            " from _amw_rejected"
        )
        rejected = [
            FileResult(source_file, rejected=reason)
            for source_file, reason in con.execute(
                "select source_file, reason from _amw_rejected order by source_file"
            ).fetchall()
        ]
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        _drop_work_tables(con)
        for name in overrides:
            con.execute(f"drop table if exists _amw_reference_{name}")
    return SnapshotResult(reference_rows, roster, employees, rejected)


def _check_seeds(seeds_dir: Path) -> None:
    """The contract's reference columns must be the seeds' headers: drift is a packaging bug."""
    for name, columns in REFERENCE_TABLES.items():
        seed = seeds_dir / f"{name}.csv"
        if seed.is_file():
            with seed.open(encoding="utf-8-sig", newline="") as handle:
                header = tuple(next(csv.reader(handle), ()))
            if header != columns:
                raise ValueError(
                    f"seed {seed} has columns {header}, contract.REFERENCE_TABLES says {columns}"
                )


def _reject_snapshot_file(
    con: duckdb.DuckDBPyConnection, entity: str, source: str, reason: str
) -> None:
    con.execute("insert into _amw_rejected values (?, ?, ?)", [entity, source, reason])


def _stage_reference(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> list[str]:
    """Stage each valid override CSV in `_amw_reference_<name>`; return the names staged.

    An override loads whole or not at all: a partial rate table would mislead silently.
    """
    staged = []
    for source in list_source_files(landing_dir, "reference"):
        name = Path(source.relative).stem
        if source.relative != f"reference/{name}.csv" or name not in REFERENCE_TABLES:
            expected = ", ".join(f"{n}.csv" for n in REFERENCE_TABLES)
            _reject_snapshot_file(
                con,
                "reference",
                source.relative,
                f"{source.relative}: not a reference override (expected reference/ with one of"
                f" {expected})",
            )
            continue
        columns = REFERENCE_TABLES[name]
        contract = Entity(name, tuple(Column(c, "VARCHAR", required=True) for c in columns), "", ())
        try:
            view = open_source(con, source, contract)
            line, problem = con.execute(
                f"select min(_row_number), min(_parse_error) from ({view.text_sql})"
                " where _parse_error is not null"
            ).fetchone()
            if line is not None:
                raise FileRejected(f"{source.relative}: line {line}: {problem}")
            names = ", ".join(quote_identifier(c) for c in columns)
            con.execute(
                f"create temp table _amw_reference_{name} as select {names} from ({view.text_sql})"
            )
        except (FileRejected, duckdb.Error) as error:
            _reject_snapshot_file(con, "reference", source.relative, str(error).splitlines()[0])
            continue
        staged.append(name)
    return staged


def _swap_reference(con: duckdb.DuckDBPyConnection, overrides: list[str]) -> dict[str, int]:
    """Every reference table is emptied; those with a valid override get its rows."""
    for name in REFERENCE_TABLES:
        con.execute(f"delete from raw.reference_{name}")
    loaded = {}
    for name in overrides:
        con.execute(f"insert into raw.reference_{name} select * from _amw_reference_{name}")
        loaded[name] = con.execute(f"select count(*) from raw.reference_{name}").fetchone()[0]
    return loaded


def _stage_roster(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> str | None:
    """Stage the latest roster file that can be read (path order) in `_amw_roster`.

    Of several valid rows of one employee the last wins; the bad rows go to `_amw_bad`.
    """
    for source in reversed(list_source_files(landing_dir, "employees")):
        try:
            view = open_source(con, source, EMPLOYEES)
            con.execute(
                f"""
                create temp table _amw_roster as
                select
                    *,
                    row_number() over latest_first as version,
                    first_value(_row_hash) over latest_first as latest_hash
                from ({typed_rows_sql(EMPLOYEES, view.text_sql)})
                window latest_first as (
                    partition by case when _reasons is null then _row_key end
                    order by _row_number desc
                )
                """
            )
            con.execute(
                f"""
                create temp table _amw_bad as
                select r._row_number as row_number, r._reasons as reason, s._record as record
                from _amw_roster as r
                join ({view.record_sql}) as s on s._row_number = r._row_number
                where r._reasons is not null
                """
            )
        except (FileRejected, duckdb.Error) as error:
            con.execute("drop table if exists _amw_roster")
            _reject_snapshot_file(con, "employees", source.relative, str(error).splitlines()[0])
            continue
        return source.relative
    return None


def _swap_roster(con: duckdb.DuckDBPyConnection, source: str | None) -> FileResult | None:
    """Replace raw.employees, its quarantined rows and its audit row (partition_date null)."""
    con.execute("delete from raw.employees")
    con.execute("delete from quarantine.rows where entity = 'employees'")
    con.execute("delete from raw.load_audit where entity = 'employees'")
    if source is None:
        return None
    con.execute(
        "insert into raw.employees select employee_id, team, eligible, ?,"
        " current_timestamp::timestamp from _amw_roster where _reasons is null and version = 1",
        [source],
    )
    con.execute(
        "insert into quarantine.rows select 'employees', null, ?, row_number, reason, record"
        " from _amw_bad",
        [source],
    )
    counts = con.execute(
        """
        select
            count(*),
            count(*) filter (where _reasons is null and version = 1),
            count(*) filter (where _reasons is not null),
            count(*) filter (where _reasons is null and version > 1 and _row_hash = latest_hash),
            count(*) filter (where _reasons is null and version > 1 and _row_hash <> latest_hash)
        from _amw_roster
        """
    ).fetchone()
    con.execute(
        "insert into raw.load_audit values ('employees', null, ?, ?, ?, ?, ?, ?,"
        " current_timestamp::timestamp)",
        [source, *counts],
    )
    return FileResult(source, *counts)
