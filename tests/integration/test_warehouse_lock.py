"""A run writes the warehouse alone: a process holding it, even read-only, stops `amw run` (and
an ingestion step launched from the UI) before any work, in one line that names the process and
where readers belong. A run killed earlier is left as it is by a run that could not start."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingestion.assets import ingestion_assets
from orchestration.defs.ingestion.resources import Landing, Warehouse
from orchestration.lib.publish import published_database
from orchestration.lib.warehouse_lock import check_warehouse_free
from tests.conftest import Workspace, describe
from tests.integration.other_processes import (
    KILLED_JOB,
    dagster_home,
    holding,
    kill_a_run_mid_way,
    run_of,
)

DAY = "2026-05-04"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A landing day and the warehouse an earlier run left."""
    ws = Workspace(tmp_path)
    folder = ws.landing / "uptime" / f"date={DAY}"
    folder.mkdir(parents=True)
    (folder / "checks.csv").write_text(f"ai_system,checked_at,up\nbot,{DAY}T01:00:00Z,true\n")
    duckdb.connect(str(ws.warehouse)).close()
    return ws


@pytest.mark.parametrize("read_only", [True, False], ids=["reader", "writer"])
def test_run_stops_at_once_naming_the_process_that_holds_the_warehouse(
    ws: Workspace, read_only: bool
) -> None:
    home = dagster_home(ws.root)
    kill_a_run_mid_way(home)
    with holding(ws.warehouse, read_only) as holder:
        began = time.monotonic()
        process = ws.run()
        took = time.monotonic() - began
    assert process.returncode == 2, describe(process)
    assert "Traceback" not in process.stderr
    (line,) = [line for line in process.stderr.splitlines() if line.strip()]
    assert line.startswith(f"amw: the warehouse {ws.warehouse} is held by another process")
    # DuckDB names the process; its command line says what it is.
    assert f"(PID {holder.pid}: " in line and "import duckdb" in line
    assert "`amw query`" in line and str(published_database(ws.published)) in line
    assert took < 20, f"took {took:.1f} s"
    # Nothing ran, and the run killed earlier waits for a run that can start.
    instance = dg.DagsterInstance.from_config(str(home))
    assert instance.get_runs(filters=dg.RunsFilter(job_name="nightly")) == []
    assert run_of(home, KILLED_JOB).status == dg.DagsterRunStatus.STARTED


def test_an_ingestion_step_fails_before_any_work_naming_the_holder(ws: Workspace) -> None:
    """What a run launched from the UI meets: its first step stops, with the same line."""
    with holding(ws.warehouse, read_only=True) as holder:
        result = dg.materialize(
            ingestion_assets().assets,
            selection=[dg.AssetKey(["raw", "uptime"])],
            partition_key=DAY,
            resources={
                "warehouse": Warehouse(path=str(ws.warehouse)),
                "landing": Landing(path=str(ws.landing)),
            },
            raise_on_error=False,
        )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    description = failure.event_specific_data.user_failure_data.description
    assert description.startswith(f"the warehouse {ws.warehouse} is held by another process")
    assert f"(PID {holder.pid}: " in description
    with duckdb.connect(str(ws.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from duckdb_tables()").fetchone() == (0,)


def test_a_warehouse_not_made_yet_is_free_and_not_made_by_the_check(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    check_warehouse_free(warehouse, tmp_path / "published" / "published.duckdb")
    assert not warehouse.exists()
