"""A re-run replaces every period of its recompute window, the ones that became empty too.

A week of simulator files is built; then one day's files are removed from the landing folder,
another day's are re-delivered without a row, and a third day's without one program, and
`amw run` re-runs those three days: the loader empties their rows from raw and dbt
recomputes the window the transform asset derives from them. No incremental model (every one
of the dbt manifest, so that a new model is covered too) may keep a row of the removed or
emptied days or of the program on its day, whatever rows the re-run wrote, and each must
equal a full rebuild of the same raw rows, row for row. The re-run also finds, and drops, the
dbt temporary tables that an earlier killed build left in the warehouse.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.lib import ingest, simulator
from orchestration.lib.contract import ENTITIES
from orchestration.lib.environment import DBT_PROJECT_DIR
from tests.conftest import Workspace, describe
from tests.integration.test_dbt_models import dbt_command

pytestmark = pytest.mark.slow

FIRST = date(2026, 8, 10)  # a Monday
LAST = date(2026, 8, 16)  # its Sunday: the weekend stays out of the re-run's reach
CORRECTED = date(2026, 8, 11)  # its files re-delivered without PROGRAM
REMOVED = date(2026, 8, 12)  # its folders removed
EMPTIED = date(2026, 8, 13)  # its files re-delivered without any row
PROGRAM = "sales_agent"  # in every feed with a program, and the experiment's
CONVERSATIONS_PER_DAY = 20
LEFTOVERS = [
    ("main", "int_evaluations_text_scored__dbt_tmp20260812013000123456"),
    ("intermediate", "int_llm_calls_priced__dbt_backup"),
]


def _keep_rows(path: Path, keep: Callable[[dict], bool]) -> None:
    """Re-deliver a landing file (same name, same format) with only the rows `keep` accepts."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        mask = pa.array([keep(row) for row in table.to_pylist()], pa.bool_())
        pq.write_table(table.filter(mask), path)
    elif path.suffix == ".jsonl":
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        path.write_text("".join(f"{line}\n" for line in lines if keep(json.loads(line))))
    elif path.suffix == ".csv":
        with path.open(newline="") as handle:
            header, *rows = list(csv.reader(handle))
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(row for row in rows if keep(dict(zip(header, row, strict=True))))
    else:  # an OTLP trace export: one resource (service.name: the program) per program
        traces = json.loads(path.read_text())
        traces["resourceSpans"] = [
            resource
            for resource in traces["resourceSpans"]
            if keep({"ai_system": _service_name(resource)})
        ]
        path.write_text(json.dumps(traces))


def _service_name(resource: dict) -> str | None:
    for attribute in resource["resource"]["attributes"]:
        if attribute["key"] == "service.name":
            return attribute["value"]["stringValue"]
    return None


def _day_files(landing: Path, day: date) -> list[Path]:
    return sorted(landing.glob(f"*/date={day.isoformat()}/*"))


def _conversations_of(landing: Path, program: str) -> set[str]:
    ids: set[str] = set()
    for path in landing.glob("conversations/date=*/*.parquet"):
        table = pq.read_table(path, columns=["conversation_id", "ai_system"]).to_pylist()
        ids |= {row["conversation_id"] for row in table if row["ai_system"] == program}
    return ids


def _correct_landing(landing: Path) -> None:
    """The night's changes: a day removed, a day emptied, a program gone from a day."""
    for folder in landing.glob(f"*/date={REMOVED.isoformat()}"):
        shutil.rmtree(folder)
    for path in _day_files(landing, EMPTIED):
        _keep_rows(path, lambda row: False)
    # The program's rows, and the orders attributed to its conversations.
    conversations = _conversations_of(landing, PROGRAM)
    for path in _day_files(landing, CORRECTED):
        _keep_rows(
            path,
            lambda row: (
                row.get("ai_system") != PROGRAM
                and row.get("attributed_conversation_id") not in conversations
            ),
        )


def _incremental_models(work: Path) -> list[dict]:
    """Every incremental model of the manifest the runs parsed."""
    nodes = json.loads((work / "target" / "manifest.json").read_text())["nodes"]
    return sorted(
        (
            node
            for node in nodes.values()
            if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
        ),
        key=lambda node: node["name"],
    )


def _relation(node: dict) -> str:
    return f"{node['schema']}.{node['alias'] or node['name']}"


def _columns(con: duckdb.DuckDBPyConnection, node: dict) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [node["schema"], node["alias"] or node["name"]],
        ).fetchall()
    ]


def _day_rows(node: dict, columns: list[str]) -> str | None:
    """The model's rows of one event day (parameter $day) as a predicate: its day periods, or
    its rows of that day by the date column its window replaces (else its first date column).
    None for a model without day rows (the weekly scorecard)."""
    if {"grain", "period_start"} <= set(columns):
        return "grain = 'day' and period_start = $day"
    if "week_start" in columns:
        return None
    window = node["config"]["meta"].get("replaced_window") or {}
    column = window.get("days") or window.get("days_from")
    column = column or next((name for name in columns if name.endswith("_date")), None)
    return f"{column} = $day" if column else None


def _counts(path: Path, models: list[dict]) -> dict[str, dict[str, int]]:
    """Per model: its rows of REMOVED, of EMPTIED, and of PROGRAM on CORRECTED."""
    counts: dict[str, dict[str, int]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for node in models:
            columns = _columns(con, node)
            day_rows = _day_rows(node, columns)
            if day_rows is None:
                continue
            sql = f"select count(*) from {_relation(node)} where {day_rows}"
            found = {
                "removed": con.execute(sql, {"day": REMOVED}).fetchone()[0],
                "emptied": con.execute(sql, {"day": EMPTIED}).fetchone()[0],
            }
            if "ai_system" in columns:
                found["program"] = con.execute(
                    f"{sql} and ai_system = $program", {"day": CORRECTED, "program": PROGRAM}
                ).fetchone()[0]
            counts[node["name"]] = found
    return counts


def _dbt(ws: Workspace, warehouse: Path, *args: str) -> None:
    """`dbt <args>` on a warehouse file, with the salt and settings of the workspace's `amw`."""
    done = subprocess.run(
        dbt_command(ws.root / "work", *args),
        env={**ws.environment(), "AMW_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"dbt {' '.join(args)} failed:\n{done.stdout[-6000:]}"


def _table(path: Path, node: dict) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select * from {_relation(node)} order by all").df()


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> dict:
    ws = Workspace(tmp_path_factory.mktemp("recompute_window"))
    simulator.write_landing(
        ws.landing, FIRST, LAST, conversations_per_day=CONVERSATIONS_PER_DAY, defects=False
    )
    # The week's first build: loaded and built as a night does, without the Dagster run.
    with duckdb.connect(str(ws.warehouse)) as con:
        ingest.ensure_tables(con)
        for entity in ENTITIES:
            for offset in range((LAST - FIRST).days + 1):
                ingest.load_partition(con, entity, ws.landing, FIRST + timedelta(days=offset))
        ingest.load_snapshot(con, ws.landing, DBT_PROJECT_DIR / "seeds")
    _dbt(ws, ws.warehouse, "build")
    models = _incremental_models(ws.root / "work")
    before = _counts(ws.warehouse, models)

    # Two builds killed half-way left their temporary and backup tables behind.
    with duckdb.connect(str(ws.warehouse)) as con:
        for schema, name in LEFTOVERS:
            con.execute(f"create table {schema}.{name} as select 1 as leftover")

    _correct_landing(ws.landing)
    # A failed re-run is reported by its own test; the others still show what it left.
    rerun = ws.run("--start", CORRECTED.isoformat(), "--end", EMPTIED.isoformat())

    rebuilt = ws.root / "rebuilt.duckdb"
    shutil.copy(ws.warehouse, rebuilt)
    _dbt(ws, rebuilt, "run", "--full-refresh")
    return {
        "models": models,
        "before": before,
        "after": _counts(ws.warehouse, models),
        "warehouse": ws.warehouse,
        "rebuilt": rebuilt,
        "workspace": ws,
        "rerun": rerun,
    }


def test_the_rerun_succeeds(night: dict) -> None:
    # Its dbt tests included: a stale row of a removed day fails their relationships.
    assert night["rerun"].returncode == 0, describe(night["rerun"])


def test_the_corrected_days_had_rows_before(night: dict) -> None:
    # Not a vacuous check: the per-row, aggregate and metric models all had rows of those days.
    for case in ("removed", "emptied", "program"):
        had = sorted(name for name, found in night["before"].items() if found.get(case))
        assert {"int_conversations_enriched", "int_llm_calls_priced", "metric_values"} <= set(
            had
        ), case


def test_no_model_keeps_a_row_of_the_removed_day(night: dict) -> None:
    kept = {name: found["removed"] for name, found in night["after"].items() if found["removed"]}
    assert kept == {}


def test_no_model_keeps_a_row_of_the_emptied_day(night: dict) -> None:
    kept = {name: found["emptied"] for name, found in night["after"].items() if found["emptied"]}
    assert kept == {}


def test_no_model_keeps_a_row_of_the_program_on_its_corrected_day(night: dict) -> None:
    kept = {
        name: found["program"] for name, found in night["after"].items() if found.get("program")
    }
    assert kept == {}


def test_every_incremental_model_equals_a_full_rebuild(night: dict) -> None:
    differing = {}
    for node in night["models"]:
        rerun, rebuilt = _table(night["warehouse"], node), _table(night["rebuilt"], node)
        try:
            pd.testing.assert_frame_equal(rerun, rebuilt, check_exact=False, rtol=1e-9)
        except AssertionError as difference:
            differing[node["name"]] = f"{len(rerun)} rows vs {len(rebuilt)}: {difference}"
    assert len(night["models"]) >= 20
    assert differing == {}


def test_the_rerun_dropped_the_leftover_dbt_tables(night: dict) -> None:
    with duckdb.connect(str(night["warehouse"]), read_only=True) as con:
        tables = set(con.execute("select schema_name, table_name from duckdb_tables()").fetchall())
    # Neither the planted ones nor what this incremental build's Python model left.
    assert [t for t in tables if "__dbt_tmp" in t[1] or "__dbt_backup" in t[1]] == []
    log = next(night["workspace"].root.glob("logs/amw-run-*.log")).read_text()
    for schema, name in LEFTOVERS:
        assert f"{schema}.{name}" in log
