"""Read landing files as text and type them per the contract, in DuckDB.

Every value is first read as text, whatever the format, and only then typed with `try_cast` and
`case` expressions: a bad value then quarantines its row with a reason instead of failing the
file, and the typing runs set-based inside DuckDB (no Python loop over rows, except to number the
lines of an irregular CSV file). A reader materializes one file into the temporary table
`_amw_file` and describes it as two SQL queries: the contract columns as text, and the original
record of each row as JSON (only read back for quarantined rows). A list value (a feature
vector) is text too: a JSON array in CSV and JSON Lines, DuckDB's rendering of a Parquet list.

A file may come in another layout of its entity (a FOCUS bill for costs): the reader then takes
each contract column from the layout's column, and checks the layout's required columns.

Missing values, as exporters write them: a null (JSON null, Parquet null, an empty CSV field) is
missing in every column; in a column that holds a number, boolean, date or time, so are NaN
(a Parquet float, Python's `json.dumps`, pandas) and the markers NA, N/A, null and None, in any
case; in a text column a JSON NaN literal is missing too, but the text "NA" is a value (a region
code, say). A missing value in a required column quarantines its row.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.contract import (
    ENTITIES,
    MISSING_MARKERS,
    Column,
    Entity,
    Layout,
    quote_identifier,
)

# The folder of OTLP/JSON trace exports: extra files of the llm_calls entity.
OTLP_FOLDER = "otlp"
FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl"}
_DATE_FOLDER = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$")
# An ISO-8601 time of day followed by an offset: such a value is converted to UTC. DuckDB's cast
# to TIMESTAMP would drop the offset silently, so values with one take the TIMESTAMPTZ path.
_OFFSET_PATTERN = r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")
# Mapping of llm_calls columns to OpenTelemetry GenAI span attributes, in order of preference.
# Any contract column may also come as an attribute of its own name (e.g. cost_usd).
OTLP_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "conversation_id": ("gen_ai.conversation.id",),
    "operation": ("gen_ai.operation.name",),
    "provider": ("gen_ai.provider.name", "gen_ai.system"),
    "model": ("gen_ai.request.model", "gen_ai.response.model"),
    "input_tokens": ("gen_ai.usage.input_tokens",),
    "output_tokens": ("gen_ai.usage.output_tokens",),
    "tool_name": ("gen_ai.tool.name",),
    "error_type": ("error.type",),
}


class FileRejected(Exception):
    """A file that cannot be read at all, or lacks a required column: it is rejected whole."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    # Path relative to the landing directory, with forward slashes: what the tables record.
    relative: str
    # The day of the nearest `date=YYYY-MM-DD` folder; None for a file outside any.
    partition_date: date | None
    # csv, jsonl, parquet, otlp; None for an unsupported file type.
    format: str | None
    # The layout every file of its folder is in (`focus/` holds FOCUS bills); None: detected.
    layout: Layout | None = None
    # Why the file is rejected unread: a link whose target lies outside the landing folder.
    refused: str | None = None


@dataclass(frozen=True)
class FileView:
    """One file opened in `_amw_file`, as SQL over it."""

    # `_row_number`, `_parse_error` (why the row could not be split into columns, else null),
    # `_record_hash` (a hash of every column of the source record, where the entity's key may be
    # missing; else null), and every contract column as VARCHAR (null when the file lacks it).
    text_sql: str
    # `_row_number`, `_record`: the original row as JSON text.
    record_sql: str
    # The entity as this file's rows are checked: its layout's required columns.
    entity: Entity


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def date_folder(relative: Path) -> date | None:
    """The day of the deepest `date=YYYY-MM-DD` folder in a path, if any."""
    for part in reversed(relative.parts[:-1]):
        match = _DATE_FOLDER.match(part)
        if match:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                return None
    return None


def _layouts(entity: str) -> tuple[Layout, ...]:
    return ENTITIES[entity].layouts if entity in ENTITIES else ()


def entity_folders(landing_dir: Path, entity: str) -> list[Path]:
    """The landing folders an entity reads: its own, `otlp/` for llm_calls, and the folder of
    each of its layouts (`focus/` for costs)."""
    folders = [landing_dir / entity]
    if entity == "llm_calls":
        folders.append(landing_dir / OTLP_FOLDER)
    folders += [landing_dir / layout.folder for layout in _layouts(entity)]
    return folders


def _walk(
    path: Path, root: Path, holders: tuple[Path, ...] = ()
) -> Iterator[tuple[Path, str | None]]:
    """A path and, for a folder, every visible path under it (hidden and `_`-prefixed names
    such as `.DS_Store` and `_SUCCESS` skipped), with links followed while they stay inside the
    landing folder `root` (resolved). A link out of it, or to a folder that holds the link,
    comes back with the reason it is not followed: a landing folder must not become a way to
    load any file the run can read."""
    target = path.resolve()
    if not target.is_relative_to(root):
        yield path, f"a link to {target}, outside the landing folder, is not followed"
        return
    if target in holders:
        yield path, f"a link to {target}, a folder that holds the link, is not followed"
        return
    yield path, None
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if not child.name.startswith((".", "_")):
                yield from _walk(child, root, (*holders, target))


def list_source_files(landing_dir: Path, entity: str) -> list[SourceFile]:
    """Every file of an entity, in path order (the order that decides which version wins); a
    link that leaves the landing folder is listed with the reason it is refused."""
    files = []
    layouts = {layout.folder: layout for layout in _layouts(entity)}
    root = landing_dir.resolve()
    for folder in entity_folders(landing_dir, entity):
        for path, refused in _walk(folder, root):
            if refused is None and not path.is_file():
                continue
            relative = path.relative_to(landing_dir)
            if folder.name == OTLP_FOLDER:
                fmt = "otlp" if path.suffix.lower() in (".json", ".jsonl") else None
            else:
                fmt = FORMATS.get(path.suffix.lower())
            layout = layouts.get(folder.name) if folder.name != entity else None
            # A refused link to a folder named date=... is rejected on that day.
            day = date_folder(relative / "_" if refused else relative)
            files.append(SourceFile(path, relative.as_posix(), day, fmt, layout, refused))
    return sorted(files, key=lambda f: f.relative)


def date_folder_days(landing_dir: Path, entity: str) -> set[date]:
    """Days of every `date=` folder of an entity, empty or not (an emptied day still reloads),
    and of refused links named like one (their day reports them)."""
    days = set()
    root = landing_dir.resolve()
    for folder in entity_folders(landing_dir, entity):
        for path, refused in _walk(folder, root):
            if (refused or path.is_dir()) and (
                day := date_folder(path.relative_to(landing_dir) / "_")
            ):
                days.add(day)
    return days


def drop_reader_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary relations a reader leaves behind (`_amw_file` is a view for Parquet)."""
    relations = con.execute(
        "select table_name, table_type from information_schema.tables"
        " where table_catalog = 'temp' and table_name in (?, ?, ?, ?, ?)",
        ["_amw_file", "_amw_csv", "_amw_otlp", "_amw_csv_errors", "_amw_csv_scans"],
    ).fetchall()
    # The view over a table goes first.
    for name, kind in sorted(relations, key=lambda r: r[1] != "VIEW"):
        con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} {name}")


def open_source(con: duckdb.DuckDBPyConnection, source: SourceFile, entity: Entity) -> FileView:
    """Materialize one file into `_amw_file`; raise FileRejected when it cannot be used."""
    drop_reader_tables(con)
    if source.refused is not None:
        raise FileRejected(f"{source.relative}: {source.refused}")
    if source.format is None:
        raise FileRejected(
            f"{source.relative}: unsupported file type {source.path.suffix!r}"
            " (expected .parquet, .csv, .jsonl or .json)"
        )
    opener = {"csv": _open_csv, "jsonl": _open_jsonl, "parquet": _open_parquet, "otlp": _open_otlp}
    try:
        return opener[source.format](con, source, entity)
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0]
        raise FileRejected(
            f"{source.relative}: unreadable as {source.format}: {first_line}"
        ) from error


def _layout_of(source: SourceFile, entity: Entity, present: list[str]) -> Layout | None:
    """The layout a file is in: its folder's, else the first whose marker columns it has."""
    if source.layout is not None:
        return source.layout
    names = {name.lower() for name in present}
    return next(
        (lay for lay in entity.layouts if any(m.lower() in names for m in lay.markers)), None
    )


def resolve_columns(
    source: SourceFile, entity: Entity, present: list[str]
) -> tuple[Entity, dict[str, str]]:
    """Which of the file's columns fills each contract column, and the entity as the file's
    rows are checked; raise FileRejected when a required column is missing.

    The contract's own names match exactly; a layout's names match without regard to case
    (exporters and the SQL engines behind them differ there), the first present of a column's
    names wins.
    """
    layout = _layout_of(source, entity, present)
    if layout is None:
        found = {c.name: c.name for c in entity.own_columns if c.name in present}
        missing = [name for name in entity.required if name not in found]
        if missing:
            raise FileRejected(
                f"{source.relative}: missing required column(s) {', '.join(missing)}"
            )
        return entity, found
    by_lower: dict[str, str] = {}
    for name in present:
        by_lower.setdefault(name.lower(), name)
    found = {}
    for column, names in layout.columns.items():
        match = next((by_lower[n.lower()] for n in names if n.lower() in by_lower), None)
        if match is not None:
            found[column] = match
    missing = [layout.columns[c][0] for c in layout.required if c not in found]
    if missing:
        raise FileRejected(
            f"{source.relative}: missing required {layout.name} column(s) {', '.join(missing)}"
        )
    return entity.in_layout(layout), found


def identified_by_record(entity: Entity) -> bool:
    """Rows without a key value are identified by their whole source record (costs without a
    cost_id): only then does a reader hash every column of the record."""
    return not entity.key or not all(entity.column(k).required for k in entity.key)


def _record_hash(entity: Entity, columns: list[str]) -> str:
    """md5 of a record's columns as text, null marked apart from ''; null when not needed."""
    if not identified_by_record(entity):
        return "null"
    values = ", ".join(f"coalesce(cast({quote_identifier(n)} as varchar), chr(0))" for n in columns)
    return f"md5(concat_ws(chr(31), {values}))"


def _text_select(
    entity: Entity, expressions: dict[str, str], parse_error: str, record_hash: str
) -> str:
    """Select list of a FileView: every contract column as text, null when absent."""
    columns = [
        f"cast({expressions.get(c.name, 'null')} as varchar) as {quote_identifier(c.name)}"
        for c in entity.columns
    ]
    return ", ".join(
        [
            "_row_number",
            f"{parse_error} as _parse_error",
            f"{record_hash} as _record_hash",
            *columns,
        ]
    )


# CSV ------------------------------------------------------------------------------------------


def _csv_header(source: SourceFile) -> list[str]:
    try:
        with source.path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (UnicodeDecodeError, csv.Error) as error:
        raise FileRejected(f"{source.relative}: not a UTF-8 CSV file ({error})") from error
    if not header:
        raise FileRejected(f"{source.relative}: empty file, no header row")
    return _unique_names([name.strip() for name in header])


def _unique_names(names: list[str]) -> list[str]:
    """Header names made unique (DuckDB needs that); the first of a repeated name keeps it."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique


def _physical_lines(path: Path) -> int:
    count, last = 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (1 if last not in (b"", b"\n") else 0)


def _open_csv(con: duckdb.DuckDBPyConnection, source: SourceFile, entity: Entity) -> FileView:
    """DuckDB parses the file; when every record is one line its line is rowid + 2.

    A file with quoted line breaks, blank lines or malformed records takes a slower exact path
    (Python's csv module), so that row numbers stay physical line numbers and a malformed
    record quarantines only itself.
    """
    header = _csv_header(source)
    checked, found = resolve_columns(source, entity, header)
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in header) + "}"
    con.execute(
        f"""
        create temp table _amw_csv as
        select null::varchar as _parse_error, null::varchar as _raw, *
        from read_csv({literal(str(source.path))}, columns = {columns}, header = true,
            auto_detect = false, delim = ',', quote = '"', escape = '"', parallel = false,
            ignore_errors = true, store_rejects = true,
            rejects_table = '_amw_csv_errors', rejects_scan = '_amw_csv_scans')
        """
    )
    rows = con.execute("select count(*) from _amw_csv").fetchone()[0]
    rejected = con.execute("select count(*) from _amw_csv_errors").fetchone()[0]
    if rejected or _physical_lines(source.path) != rows + 1:
        con.execute("drop table _amw_csv")
        _load_csv_exactly(con, source, header)
    else:
        con.execute(
            "create temp view _amw_file as select rowid + 2 as _row_number, * from _amw_csv"
        )
    expressions = {column: quote_identifier(name) for column, name in found.items()}
    record = (
        "to_json(struct_pack("
        + ", ".join(f"{quote_identifier(n)} := {quote_identifier(n)}" for n in header)
        + "))"
    )
    select = _text_select(checked, expressions, "_parse_error", _record_hash(checked, header))
    return FileView(
        text_sql=f"select {select} from _amw_file",
        record_sql=f"select _row_number, coalesce(_raw, {record}) as _record from _amw_file",
        entity=checked,
    )


def _load_csv_exactly(
    con: duckdb.DuckDBPyConnection, source: SourceFile, header: list[str]
) -> None:
    """Replace `_amw_file` with a line-exact parse of an irregular CSV file."""
    values: dict[str, list[str | None]] = {name: [] for name in header}
    numbers: list[int] = []
    errors: list[str | None] = []
    raws: list[str | None] = []
    try:
        with source.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            start = reader.line_num + 1
            for record in reader:
                line, start = start, reader.line_num + 1
                if not record:
                    continue
                numbers.append(line)
                malformed = len(record) != len(header)
                errors.append(
                    f"line has {len(record)} fields, the header has {len(header)}"
                    if malformed
                    else None
                )
                raws.append(json.dumps(record) if malformed else None)
                for name, value in zip(header, record if not malformed else [], strict=False):
                    values[name].append(value or None)
                if malformed:
                    for name in header:
                        values[name].append(None)
    except (UnicodeDecodeError, csv.Error) as error:
        raise FileRejected(f"{source.relative}: not a UTF-8 CSV file ({error})") from error
    # Lists as parameters, zipped by unnest: no pandas/pyarrow round trip for a small file.
    columns = {"_row_number": (numbers, "bigint"), "_parse_error": (errors, "varchar")}
    columns["_raw"] = (raws, "varchar")
    columns.update({name: (column, "varchar") for name, column in values.items()})
    select = ", ".join(
        f"unnest(?::{type_}[]) as {quote_identifier(name)}" for name, (_, type_) in columns.items()
    )
    con.execute(
        f"create temp table _amw_file as select {select}",
        [column for column, _ in columns.values()],
    )


# JSON Lines -----------------------------------------------------------------------------------


def _open_jsonl(con: duckdb.DuckDBPyConnection, source: SourceFile, entity: Entity) -> FileView:
    """Split the file into lines in DuckDB: a line that is not a JSON object quarantines alone.

    The lines are unnested from the list alone: a lateral unnest beside the file's content
    would copy the whole file once per line (a 10 MB file ran out of 19 GB).
    """
    con.execute(
        f"""
        create temp table _amw_file as
        with lines as (
            select line_number as _row_number, rtrim(line, chr(13)) as _line
            from (
                select unnest(parts) as line, generate_subscripts(parts, 1) as line_number
                from (
                    select string_split(content, chr(10)) as parts
                    from read_text({literal(str(source.path))})
                ) as file
            ) as split
        )
        select
            _row_number,
            _line,
            case
                when not json_valid(_line) then 'line is not valid JSON'
                when json_type(_line) <> 'OBJECT' then 'line is not a JSON object'
            end as _parse_error
        from lines
        where trim(_line) <> ''
        """
    )
    keys = {
        row[0]
        for row in con.execute(
            "select distinct unnest(json_keys(_line)) from _amw_file where _parse_error is null"
        ).fetchall()
    }
    has_rows, has_objects = con.execute(
        "select count(*) > 0, count(*) filter (where _parse_error is null) > 0 from _amw_file"
    ).fetchone()
    if has_rows and not has_objects:
        raise FileRejected(f"{source.relative}: no line is a JSON object, not JSON Lines")
    # An empty file is checked as a file of the contract's own layout with every column.
    present = sorted(keys) if has_rows else [c.name for c in entity.own_columns]
    checked, found = resolve_columns(source, entity, present)
    paths = "[" + ", ".join(literal(_json_path(n)) for n in found.values()) + "]"
    expressions = {}
    for i, (column, name) in enumerate(found.items(), start=1):
        value = f"_values[{i}]"
        if entity.column(column).type == "VARCHAR":
            # Python's json.dumps writes a missing value of a text column (pandas' NaN) as a
            # NaN literal: missing, unlike the text "NaN".
            value = (
                f"case when {value} = 'NaN'"
                f" and json_type(_line, {literal(_json_path(name))}) = 'DOUBLE'"
                f" then null else {value} end"
            )
        expressions[column] = value
    record_hash = (
        "case when _parse_error is null then md5(cast(json(_line) as varchar)) end"
        if identified_by_record(checked)
        else "null"
    )
    select = _text_select(checked, expressions, "_parse_error", record_hash)
    values = f"json_extract_string(_line, {paths})" if found else "[]::varchar[]"
    return FileView(
        text_sql=(
            f"select {select} from (select *, case when _parse_error is null"
            f" then {values} end as _values from _amw_file)"
        ),
        record_sql="select _row_number, _line as _record from _amw_file",
        entity=checked,
    )


def _json_path(key: str) -> str:
    """The JSONPath of a top-level key, quoted: keys may hold dots or spaces."""
    return "$." + json.dumps(key)


# Parquet --------------------------------------------------------------------------------------


def _parquet_text(name: str, type_: str, contract_type: str) -> str:
    """Parquet values as canonical text; native timestamps become UTC without an offset; a map
    or struct (FOCUS Tags), or a list of key/value structs, becomes a JSON object."""
    column = quote_identifier(name)
    if type_ == "TIMESTAMP WITH TIME ZONE":
        return f"make_timestamp(epoch_us({column}))"
    if type_.startswith("TIMESTAMP"):
        return f"cast({column} as timestamp)"
    if contract_type == "VARCHAR" and type_.startswith(("MAP(", "STRUCT(")):
        if type_.endswith("[]"):
            return f"to_json(map_from_entries({column}))"
        return f"to_json({column})"
    return column


def _open_parquet(con: duckdb.DuckDBPyConnection, source: SourceFile, entity: Entity) -> FileView:
    """Read the file in place (no copy): Parquet is cheap to scan twice for quarantined rows."""
    scan = f"read_parquet({literal(str(source.path))}, file_row_number = true)"
    schema = {
        row[0]: row[1]
        for row in con.execute(f"describe select * from {scan}").fetchall()
        if row[0] != "file_row_number"
    }
    checked, found = resolve_columns(source, entity, list(schema))
    con.execute(
        f"create temp view _amw_file as"
        f" select file_row_number + 1 as _row_number, * exclude (file_row_number) from {scan}"
    )
    expressions = {
        column: _parquet_text(name, schema[name], entity.column(column).type)
        for column, name in found.items()
    }
    record = (
        "to_json(struct_pack("
        + ", ".join(f"{quote_identifier(n)} := {quote_identifier(n)}" for n in schema)
        + "))"
    )
    select = _text_select(checked, expressions, "null", _record_hash(checked, list(schema)))
    return FileView(
        text_sql=f"select {select} from _amw_file",
        record_sql=f"select _row_number, {record} as _record from _amw_file",
        entity=checked,
    )


# OTLP/JSON ------------------------------------------------------------------------------------


def _attribute(attributes: str, *keys: str) -> str:
    """The value of the first present attribute among keys, as text."""
    lookups = [f"list_filter({attributes}, lambda a: a.k = {literal(k)})[1].v" for k in keys]
    return lookups[0] if len(lookups) == 1 else f"coalesce({', '.join(lookups)})"


def _attributes_list(json_list: str) -> str:
    """OTLP attributes ([{key, value: {stringValue|intValue|…}}]) as a list of {k, v} text."""
    value = (
        "coalesce(a ->> '$.value.stringValue', a ->> '$.value.intValue',"
        " a ->> '$.value.doubleValue', a ->> '$.value.boolValue')"
    )
    return f"list_transform({json_list}, lambda a: {{'k': a ->> '$.key', 'v': {value}}})"


def _open_otlp(con: duckdb.DuckDBPyConnection, source: SourceFile, entity: Entity) -> FileView:
    """Flatten resourceSpans → scopeSpans → spans into llm_calls rows, numbered in file order."""
    span = {
        "span_id": "span ->> '$.spanId'",
        "trace_id": "span ->> '$.traceId'",
        "parent_span_id": "span ->> '$.parentSpanId'",
        "started_at": "make_timestamp(cast(try_cast(span ->> '$.startTimeUnixNano' as hugeint)"
        " // 1000 as bigint))",
        "duration_ms": "(try_cast(span ->> '$.endTimeUnixNano' as hugeint)"
        " - try_cast(span ->> '$.startTimeUnixNano' as hugeint)) / 1e6",
        "status": "case when span ->> '$.status.code' in ('2', 'STATUS_CODE_ERROR') then 'error'"
        " else 'ok' end",
        "ai_system": _attribute("resource_attributes", "service.name"),
    }
    expressions = {}
    for column in entity.columns:
        candidates = [
            span.get(column.name),
            _attribute("attributes", *OTLP_ATTRIBUTES[column.name])
            if column.name in OTLP_ATTRIBUTES
            else None,
            _attribute("attributes", column.name),
        ]
        present = [f"cast({c} as varchar)" for c in candidates if c]
        expressions[column.name] = f"coalesce({', '.join(present)})"
    con.execute(
        f"create temp table _amw_otlp as select json as document"
        f" from read_json_objects({literal(str(source.path))}, format = 'auto')"
    )
    # Each level passes on only its children's list and its own numbers: a span row that
    # carried its resource's or scope's JSON text would copy the whole export once per span.
    con.execute(
        f"""
        create temp table _amw_file as
        with resources as (
            select
                d.rowid as document_number,
                r.resource_number,
                {_attributes_list("json_extract(r.resource, '$.resource.attributes[*]')")}
                    as resource_attributes,
                json_extract(r.resource, '$.scopeSpans[*]') as scope_list
            from _amw_otlp as d,
                unnest(json_extract(d.document, '$.resourceSpans[*]'))
                    with ordinality as r(resource, resource_number)
        ),
        scopes as (
            select
                resources.document_number,
                resources.resource_number,
                resources.resource_attributes,
                s.scope_number,
                json_extract(s.scope, '$.spans[*]') as span_list
            from resources,
                unnest(resources.scope_list) with ordinality as s(scope, scope_number)
        ),
        spans as (
            select
                scopes.document_number,
                scopes.resource_number,
                scopes.resource_attributes,
                scopes.scope_number,
                p.span,
                p.span_number
            from scopes,
                unnest(scopes.span_list) with ordinality as p(span, span_number)
        )
        select
            row_number() over (
                order by document_number, resource_number, scope_number, span_number
            ) as _row_number,
            cast(span as varchar) as _record,
            {_attributes_list("json_extract(span, '$.attributes[*]')")} as attributes,
            resource_attributes,
            span
        from spans
        """
    )
    return FileView(
        text_sql=f"select {_text_select(entity, expressions, 'null', 'null')} from _amw_file",
        record_sql="select _row_number, _record from _amw_file",
        entity=entity,
    )


# Typing ---------------------------------------------------------------------------------------


def timestamp_sql(text: str) -> str:
    """ISO-8601 text as a UTC TIMESTAMP: offsets are applied, a value without one is UTC."""
    return (
        f"case when regexp_matches({text}, {literal(_OFFSET_PATTERN)})"
        f" then make_timestamp(epoch_us(try_cast({text} as timestamptz)))"
        f" else try_cast({text} as timestamp) end"
    )


def _typed_sql(text: str, type_: str) -> str:
    if type_ == "VARCHAR":
        return text
    if type_ == "TIMESTAMP":
        return timestamp_sql(text)
    if type_ == "DATE":
        return (
            f"case when length({text}) <= 10 then try_cast({text} as date)"
            f" else cast({timestamp_sql(text)} as date) end"
        )
    if type_ == "BOOLEAN":
        true_values = ", ".join(map(literal, _TRUE))
        false_values = ", ".join(map(literal, _FALSE))
        return (
            f"case when lower({text}) in ({true_values}) then true"
            f" when lower({text}) in ({false_values}) then false end"
        )
    if type_ == "BIGINT":
        number = f"try_cast({text} as double)"
        return f"case when {number} = trunc({number}) then try_cast({text} as bigint) end"
    if type_ == "DOUBLE":
        return f"case when isfinite(try_cast({text} as double)) then try_cast({text} as double) end"
    if type_ in _LIST_TYPES:
        parsed = _list_parsed(text, type_)
        return f"case when len({parsed}) > 0 and {_bad_element(parsed)} is null then {parsed} end"
    raise ValueError(f"unsupported contract type {type_}")


# List types and the text that shows a well-formed value in a reason.
_LIST_TYPES = {"DOUBLE[]": "a list of numbers (a JSON array like [0.12, -0.5, 3])"}


def _list_parsed(text: str, type_: str) -> str:
    """The text as a list, before its elements are checked. DuckDB's cast reads a JSON array
    (and its own rendering of a Parquet list); an element that is no number becomes null."""
    return f"try_cast({text} as {type_})"


def _bad_element(parsed: str) -> str:
    """1-based position of the first null, NaN or infinite element; null when there is none."""
    flags = f"list_transform({parsed}, lambda x: x is null or not isfinite(x))"
    return f"list_position({flags}, true)"


_PARSE_PROBLEM = {
    "TIMESTAMP": "is not an ISO-8601 timestamp",
    "DATE": "is not a date (YYYY-MM-DD)",
    "BOOLEAN": "is not a boolean (true/false, 1/0, yes/no)",
    "BIGINT": "is not an integer",
    "DOUBLE": "is not a number",
}


def _bound(value: float) -> str:
    return f"{value:g}"


def _column_checks(entity: Entity) -> list[str]:
    """One `case` per rule and column, yielding the reason text when the rule is broken."""
    checks = []
    for column in entity.columns:
        name = column.name
        text, typed = quote_identifier("_t_" + name), quote_identifier(name)
        shown = f"'''' || left({text}, 100) || ''''"
        if column.required:
            missing = literal(name + ": required value missing")
            checks.append(f"case when {text} is null then {missing} end")
        if column.type in _PARSE_PROBLEM:
            problem = literal(" " + _PARSE_PROBLEM[column.type])
            checks.append(
                f"case when {text} is not null and {typed} is null"
                f" then {literal(name + ': ')} || {shown} || {problem} end"
            )
        if column.type in _LIST_TYPES:
            checks.extend(_list_checks(column, text, typed, shown))
        if column.min is not None:
            checks.append(
                f"case when {typed} < {column.min} then {literal(name + ': ')} || {text}"
                f" || {literal(' is below the minimum ' + _bound(column.min))} end"
            )
        if column.max is not None:
            checks.append(
                f"case when {typed} > {column.max} then {literal(name + ': ')} || {text}"
                f" || {literal(' is above the maximum ' + _bound(column.max))} end"
            )
        if column.values is not None:
            accepted = ", ".join(map(literal, column.values))
            checks.append(
                f"case when {typed} not in ({accepted}) then {literal(name + ': ')} || {shown}"
                f" || {literal(' is not one of ' + ', '.join(column.values))} end"
            )
    for predicate, reason in entity.row_rules:
        checks.append(f"case when not coalesce(({predicate}), true) then {literal(reason)} end")
    return checks


def _list_checks(column: Column, text: str, typed: str, shown: str) -> list[str]:
    """A list that does not parse, is empty or holds a bad element; one of another length than
    the other lists of its group and day (`same_length_within`)."""
    name, parsed = column.name, _list_parsed(text, column.type)
    checks = [
        f"case when {text} is not null and {parsed} is null then {literal(name + ': ')}"
        f" || {shown} || {literal(' is not ' + _LIST_TYPES[column.type])} end",
        f"case when len({parsed}) = 0 then {literal(name + ': the list is empty')} end",
        f"case when {_bad_element(parsed)} is not null then {literal(name + ': element ')}"
        f" || cast({_bad_element(parsed)} as varchar)"
        f" || {literal(' is null or not a finite number')} end",
    ]
    if column.same_length_within:
        group = " || ', ' || ".join(
            f"{literal(g + ' ')} || coalesce({literal(chr(39))} || {quote_identifier(g)}"
            f" || {literal(chr(39))}, 'null')"
            for g in column.same_length_within
        )
        expected = quote_identifier("_len_" + name)
        checks.append(
            f"case when len({typed}) <> {expected} then {literal(name + ': ')}"
            f" || cast(len({typed}) as varchar) || {literal(' elements, but the other rows with ')}"
            f" || {group} || ' on ' || cast(_event_day as varchar)"
            f" || {literal(' in this file have ')} || cast({expected} as varchar) end"
        )
    return checks


def _length_windows(entity: Entity, event_date: str) -> str:
    """CTEs after `typed` that give each `same_length_within` list the length most common among
    the valid lists of its group and event day (`_event_day`) in the file: `_len_<column>`.

    A tie goes to the length that comes first in the file, so the reference is deterministic.
    """
    lists = [c for c in entity.columns if c.same_length_within]
    if not lists:
        return ""
    counted, chosen = [], []
    for column in lists:
        name = quote_identifier(column.name)
        groups = [quote_identifier(g) for g in column.same_length_within]
        partition = ", ".join([*groups, "_event_day", f"{name} is null"])
        n, first = quote_identifier("_n_" + column.name), quote_identifier("_f_" + column.name)
        counted.append(
            f"count(*) over (partition by {partition}, len({name})) as {n},"
            f" min(_row_number) over (partition by {partition}, len({name})) as {first}"
        )
        chosen.append(
            f"first_value(len({name})) over (partition by {partition}"
            f" order by {n} desc, {first}) as {quote_identifier('_len_' + column.name)}"
        )
    return f"""
        dated as (select *, {event_date} as _event_day from typed),
        counted as (select *, {", ".join(counted)} from dated),
        measured as (select *, {", ".join(chosen)} from counted),"""


def row_key_sql(entity: Entity) -> str:
    """`_row_key`: the key's value, a JSON list for a composite key; without one, the hash of
    the whole source record (the typed row's hash where a reader has no record hash)."""
    keys = [quote_identifier(k) for k in entity.key]
    record = "'hash:' || coalesce(_record_hash, _row_hash)"
    if not keys:
        return record
    if len(keys) == 1:
        key = f"cast({keys[0]} as varchar)"
    else:
        key = "to_json([" + ", ".join(f"cast({k} as varchar)" for k in keys) + "])"
    if all(entity.column(k).required for k in entity.key):
        return key
    return f"coalesce({key}, {record})"


def _normalized_sql(column: Column) -> str:
    """Missing values are null: blank text in every column, and the missing-value markers in a
    column that is not text (see the module docstring); non-text values are also trimmed."""
    name = quote_identifier(column.name)
    alias = quote_identifier("_t_" + column.name)
    if column.type == "VARCHAR":
        return f"case when trim({name}) <> '' then {name} end as {alias}"
    markers = ", ".join(map(literal, ("", *MISSING_MARKERS)))
    return f"case when lower(trim({name})) not in ({markers}) then trim({name}) end as {alias}"


def typed_rows_sql(entity: Entity, text_sql: str) -> str:
    """Type a FileView's text rows per the contract.

    Yields `_row_number`, the typed contract columns, `_event_date`, `_row_hash`, `_row_key`
    and `_reasons` (null for a good row; else every broken rule, joined with '; ').
    """
    names = [c.name for c in entity.columns]
    normalized = ", ".join(_normalized_sql(c) for c in entity.columns)
    typed = ", ".join(
        f"{_typed_sql(quote_identifier('_t_' + c.name), c.type)} as {quote_identifier(c.name)}"
        for c in entity.columns
    )
    columns = ", ".join(quote_identifier(n) for n in names)
    # Typed values as text, null marked apart from '': md5 over them is ~2x faster than to_json.
    hashed = ", ".join(f"coalesce(cast({quote_identifier(n)} as varchar), chr(0))" for n in names)
    event_date = (
        f"cast({quote_identifier(entity.event_time)} as date)" if entity.event_time else "null"
    )
    reasons = ", ".join(_column_checks(entity))
    # Lists of one length per group and day need window functions: only where the contract says.
    windows = _length_windows(entity, f"cast({event_date} as date)")
    checked_from = "measured" if windows else "typed"
    return f"""
        with text_rows as (select * from ({text_sql})),
        normalized as (
            select _row_number, _parse_error, _record_hash, {normalized} from text_rows
        ),
        typed as (select *, {typed} from normalized),{windows}
        checked as (
            select
                _row_number,
                {columns},
                cast({event_date} as date) as _event_date,
                md5(concat_ws(chr(31), {hashed})) as _row_hash,
                _record_hash,
                coalesce(_parse_error, nullif(concat_ws('; ', {reasons}), '')) as _reasons
            from {checked_from}
        )
        select
            _row_number, {columns}, _event_date, _row_hash,
            {row_key_sql(entity)} as _row_key, _reasons
        from checked
    """
