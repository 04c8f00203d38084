"""The dbt asset drops what killed dbt builds left in the warehouse, and nothing else."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.defs.ingestion.resources import Warehouse
from orchestration.defs.transform.assets import drop_dbt_leftovers

LEFTOVERS = [
    # A Python model's temporary table of an incremental run, in DuckDB's default schema.
    ("main", "int_evaluations_text_scored__dbt_tmp20260812013000123456"),
    ("main", "int_evaluations_text_scored__dbt_tmp20260813013000654321"),
    # A table swap's intermediate and backup relations, a view's among them.
    ("intermediate", "int_llm_calls_priced__dbt_tmp"),
    ("marts", "metric_values__dbt_backup"),
    ("staging", "stg_raw__conversations__dbt_backup"),
]
KEPT = [
    ("main", "notes_dbt_tmp"),
    ("intermediate", "int_llm_calls_priced"),
    ("marts", "metric_values"),
    ("staging", "stg_raw__conversations"),
]


def _relations(path: Path) -> set[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )


def test_only_dbt_temporary_and_backup_relations_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema, name in LEFTOVERS + KEPT:
            con.execute(f"create schema if not exists {schema}")
            kind = "view" if name.startswith("stg_") else "table"
            con.execute(f"create {kind} {schema}.{name} as select 1 as one")

    dropped = drop_dbt_leftovers(Warehouse(path=str(path)))

    assert sorted(dropped) == sorted(f"{schema}.{name}" for schema, name in LEFTOVERS)
    assert _relations(path) == set(KEPT)
    assert drop_dbt_leftovers(Warehouse(path=str(path))) == []
