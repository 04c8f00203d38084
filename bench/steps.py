"""One measured step of the benchmark, run in its own process by bench/run.py.

`python -m bench.steps NAME '<json arguments>' RESULT_FILE` writes one JSON object there. Times
are of the work itself: interpreter start and imports are reported apart (`startup_seconds`), as
a scheduled run pays them once whatever the history.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

START = time.perf_counter()
REPO_ROOT = Path(__file__).resolve().parents[1]
KPIS_SQL = Path(__file__).with_name("kpis.sql")


def pipeline(
    landing: str, warehouse: str, dagster_home: str, partitions_start: str, start: str, end: str
) -> dict:
    """The nightly job over [start, end] in one run, as `amw run` launches it."""
    os.environ.update(
        AMW_LANDING_DIR=landing,
        AMW_WAREHOUSE=warehouse,
        AMW_PUBLISH_DIR=str(Path(warehouse).parent / "published"),
        AMW_PARTITIONS_START=partitions_start,
        DAGSTER_HOME=dagster_home,
        # The tiers are the simulator's data: the demo salt is no secret worth a warning here.
        AMW_DEMO_DATA="1",
    )
    # The repo's instance settings (telemetry off), with the run history kept apart.
    Path(dagster_home).mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", dagster_home)
    import dagster as dg

    from orchestration.cli import execute_nightly

    instance = dg.DagsterInstance.get()
    startup = time.perf_counter() - START
    began = time.perf_counter()
    result = execute_nightly(instance, date.fromisoformat(start), date.fromisoformat(end))
    seconds = time.perf_counter() - began
    if not result.success:
        failures = [
            str(event.event_specific_data.error.message).strip()
            for event in result.all_events
            if event.event_type_value == "STEP_FAILURE"
        ]
        raise SystemExit(f"nightly run {start} .. {end} failed: {failures}")
    return {
        "seconds": seconds,
        "startup_seconds": startup,
        "steps": _step_seconds(instance, result.run_id),
        "rows_read": _rows_read(result),
        "dbt_nodes": _dbt_node_seconds(),
    }


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value == "STEP_SUCCESS":
            seconds[event.step_key] = entry.timestamp - started[event.step_key]
    return seconds


def _rows_read(result) -> int:
    """Rows the feeds' ingestion assets read from the landing files (loaded, quarantined,
    duplicates). A run over many days materializes every partition with the run's totals."""
    from orchestration.lib.contract import ENTITIES

    rows = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        path = materialization.asset_key.path
        if path[0] == "raw" and path[-1] in ENTITIES:
            rows[path[-1]] = materialization.metadata["rows_read"].value
    return sum(rows.values())


def _dbt_node_seconds() -> dict[str, float]:
    """Seconds per dbt model and test of the newest dbt invocation (its run_results.json)."""
    from orchestration.lib.environment import DBT_PROJECT_DIR

    results = sorted(
        (DBT_PROJECT_DIR / "target").glob("*/run_results.json"), key=lambda p: p.stat().st_mtime
    )
    if not results:
        return {}
    nodes = json.loads(results[-1].read_text())["results"]
    return {node["unique_id"]: node["execution_time"] for node in nodes}


def handwritten(landing: str, first: str, last: str) -> dict:
    """kpis.sql over the landing Parquet, on a fresh in-memory DuckDB."""
    import duckdb

    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    startup = time.perf_counter() - START
    began = time.perf_counter()
    rows = con.execute(
        KPIS_SQL.read_text(),
        {
            "conversations": f"{landing}/conversations/date=*/*.parquet",
            "first": date.fromisoformat(first),
            "last": date.fromisoformat(last),
        },
    ).fetchall()
    seconds = time.perf_counter() - began
    values = [[week.isoformat(), system, name, value] for week, system, name, value in rows]
    return {"seconds": seconds, "startup_seconds": startup, "values": values}


def pandas(landing: str, first: str, last: str) -> dict:
    """bench/kpis_pandas.py over the same files."""
    from bench.kpis_pandas import weekly_kpis

    startup = time.perf_counter() - START
    began = time.perf_counter()
    frame = weekly_kpis(Path(landing), date.fromisoformat(first), date.fromisoformat(last))
    seconds = time.perf_counter() - began
    values = [
        [row.week.isoformat(), row.ai_system, row.metric_name, float(row.value)]
        for row in frame.itertuples()
    ]
    return {"seconds": seconds, "startup_seconds": startup, "values": values}


STEPS = {"pipeline": pipeline, "handwritten": handwritten, "pandas": pandas}

if __name__ == "__main__":
    name, arguments, result_file = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
    result_file.write_text(json.dumps(STEPS[name](**arguments)))
