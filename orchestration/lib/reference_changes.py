"""Which history a changed reference table reaches, so that a run recomputes it.

Prices, FX rates and labour rates are applied when dbt runs, never frozen at ingestion: a user
who corrects `model_prices.csv` expects every call since the corrected valid_from re-priced. The
incremental models only recompute the days a run's partitions touched, so a run first compares
the reference tables in effect (the user's override in `raw.reference_<name>` when it has rows,
else the shipped seed) with those the last successful build applied (`raw.reference_applied`):

- a dated table (FX rates, labour rates, model prices) reaches the days from the earliest date
  of a row that was added, removed or changed;
- any other table (targets, experiment settings, settings) can change any period: all of them.

The transform widens its recompute window to [that day, the last event day] and records the
tables in effect once dbt has succeeded; a failed build records nothing, so the next run
recomputes again.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb

from orchestration.lib.contract import ENTITIES, REFERENCE_TABLES
from orchestration.lib.environment import DBT_PROJECT_DIR

# The date column of each dated table: a row changes the days from that date on.
DATED = {"fx_rates": "date", "labor_rates": "valid_from", "model_prices": "valid_from"}
APPLIED_TABLE = "raw.reference_applied"


def _seed_rows(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    columns = ", ".join(REFERENCE_TABLES[name])
    seed = DBT_PROJECT_DIR / "seeds" / f"{name}.csv"
    return con.execute(
        f"select {columns} from read_csv(?, header = true, all_varchar = true)", [str(seed)]
    ).fetchall()


def _rows_in_effect(con: duckdb.DuckDBPyConnection, name: str) -> set[str]:
    """The table's rows as the models read them, each as a JSON text with trimmed values.

    Settings merge by name (an override of one setting keeps the other defaults); every other
    override replaces the whole seed.
    """
    columns = ", ".join(REFERENCE_TABLES[name])
    override = con.execute(f"select {columns} from raw.reference_{name}").fetchall()
    seed = _seed_rows(con, name)
    if name == "settings":
        merged = dict(seed) | {key: value for key, value in override if key}
        rows = list(merged.items())
    else:
        rows = override or seed
    return {
        json.dumps([None if v is None else str(v).strip() for v in row], ensure_ascii=False)
        for row in rows
    }


def _applied(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]] | None:
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'raw' and table_name = 'reference_applied'"
    ).fetchone()[0]
    if not exists:
        return None
    applied: dict[str, set[str]] = {name: set() for name in REFERENCE_TABLES}
    for name, row in con.execute(f"select name, row_json from {APPLIED_TABLE}").fetchall():
        applied.setdefault(name, set()).add(row)
    return applied


def _first_event_day(con: duckdb.DuckDBPyConnection) -> date | None:
    union = " union all ".join(f"select min(_event_date) as day from raw.{e}" for e in ENTITIES)
    return con.execute(f"select min(day) from ({union}) as firsts").fetchone()[0]


def last_event_day(con: duckdb.DuckDBPyConnection) -> date | None:
    union = " union all ".join(f"select max(_event_date) as day from raw.{e}" for e in ENTITIES)
    return con.execute(f"select max(day) from ({union}) as lasts").fetchone()[0]


def first_changed_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """The first event day a reference change since the last successful build reaches.

    None when nothing changed or there are no events. Without a record of an earlier build
    every table counts as changed (a first build rebuilds everything anyway).
    """
    applied = _applied(con)
    changed = {
        name: _rows_in_effect(con, name) ^ (applied or {}).get(name, set())
        for name in REFERENCE_TABLES
    }
    changed = {name: rows for name, rows in changed.items() if rows or applied is None}
    first_event = _first_event_day(con) if changed else None
    if first_event is None:
        return None
    reached = []
    for name, rows in changed.items():
        days = [_changed_from(name, row) for row in rows] if applied is not None else [None]
        # A change without a (valid) date, or to an undated table, reaches every day.
        reached.append(max(min(days), first_event) if days and all(days) else first_event)
    return min(reached)


def _changed_from(name: str, row: str) -> date | None:
    """The date a dated table's row applies from; None for other tables."""
    if name not in DATED:
        return None
    return _parse_day(json.loads(row)[REFERENCE_TABLES[name].index(DATED[name])])


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def record_applied(con: duckdb.DuckDBPyConnection) -> None:
    """Remember the tables in effect: the state a later run compares with."""
    rows = [(name, row) for name in REFERENCE_TABLES for row in _rows_in_effect(con, name)]
    con.execute(f"create table if not exists {APPLIED_TABLE} (name varchar, row_json varchar)")
    con.execute("begin")
    con.execute(f"delete from {APPLIED_TABLE}")
    con.executemany(f"insert into {APPLIED_TABLE} values (?, ?)", rows)
    con.execute("commit")
