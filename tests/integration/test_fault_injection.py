"""A run killed at any step is repaired by the next run.

One uninterrupted `amw run` over a simulated week is the reference. Then, in a fresh workspace
over the same landing folder, `amw run` is killed with SIGKILL (its whole process group: dbt
too) at a moment drawn uniformly over a job's time (a step as likely as it is long, a random
fraction into it), and run again. The
warehouse, the published database and every published page must then equal the reference's;
no dbt temporary table and no run marked as still going may be left behind.

The picks are seeded (AMW_FAULT_SEED, default 0), one in the nightly job and one in the weekly
job, so a failure names a step and can be replayed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from dagster import DagsterEventType

from orchestration.lib import simulator
from tests.conftest import AMW, Workspace, describe

pytestmark = pytest.mark.slow

FIRST = date(2026, 9, 7)  # a Monday: one complete ISO week and a day of the next
DAYS = 8
SEED = int(os.environ.get("AMW_FAULT_SEED", "0"))
# Columns that say when a row was written, not what it holds.
WRITE_TIMES = ("_loaded_at", "loaded_at", "published_at", "generated_at")


def _write_landing(landing: Path) -> None:
    for offset in range(DAYS):
        simulator.write_day(
            landing, FIRST + timedelta(days=offset), seed=3, conversations_per_day=120
        )


def _instance(ws: Workspace) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(ws.root / "dagster_home"))


def _step_spans(ws: Workspace) -> dict[str, dict[str, float]]:
    """Seconds each step took in the workspace's successful runs, by job."""
    instance = _instance(ws)
    spans: dict[str, dict[str, float]] = {}
    for run in instance.get_runs():
        started = {}
        for entry in instance.all_logs(
            run.run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS}
        ):
            if entry.dagster_event.event_type_value == "STEP_START":
                started[entry.step_key] = entry.timestamp
            else:
                spans.setdefault(run.job_name, {})[entry.step_key] = (
                    entry.timestamp - started[entry.step_key]
                )
    return spans


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a stable order: exact columns first, so float noise cannot reorder them."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    keys = [c for c in frame.columns if c not in floats] + floats
    return frame.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)


def _tables(database: Path) -> dict[str, pd.DataFrame]:
    """Every base table of a DuckDB file, without its write-time columns; lists, structs and
    maps as text, so rows sort and compare."""
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.execute(
            "select c.table_schema, c.table_name, c.column_name, c.data_type"
            " from information_schema.columns c join information_schema.tables t"
            " using (table_schema, table_name)"
            " where t.table_type = 'BASE TABLE' order by c.table_schema, c.table_name,"
            " c.ordinal_position"
        ).fetchall()
        selects: dict[str, list[str]] = {}
        for schema, name, column, data_type in columns:
            if column in WRITE_TIMES:
                continue
            nested = data_type.endswith("]") or data_type.startswith(("STRUCT", "MAP"))
            quoted = f'"{column}"'
            selects.setdefault(f'"{schema}"."{name}"', []).append(
                f"cast({quoted} as varchar) as {quoted}" if nested else quoted
            )
        return {
            table.replace('"', ""): _order(
                con.execute(f"select {', '.join(items)} from {table}").df()
            )
            for table, items in selects.items()
        }


def _pages(published: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(published)): path.read_bytes()
        for path in sorted(published.rglob("*"))
        if path.is_file() and path.suffix != ".duckdb"
    }


def _assert_same(kind: str, reference: dict[str, pd.DataFrame], repaired: dict[str, pd.DataFrame]):
    assert sorted(repaired) == sorted(reference), f"{kind}: tables differ"
    for name, expected in reference.items():
        # DuckDB's parallel sums add doubles in any order: equal to about 1e-14, not bit for bit.
        pd.testing.assert_frame_equal(
            repaired[name], expected, check_exact=False, rtol=1e-9, obj=f"{kind} {name}"
        )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict:
    ws = Workspace(tmp_path_factory.mktemp("uninterrupted"))
    _write_landing(ws.landing)
    result = ws.run()
    assert result.returncode == 0, describe(result)
    return {
        "landing": ws.landing,
        "warehouse": _tables(ws.warehouse),
        "published": _tables(ws.published / "published.duckdb"),
        "pages": _pages(ws.published),
        "spans": _step_spans(ws),
    }


def _kill_during(ws: Workspace, job: str, step: str, after: float) -> None:
    """Start `amw run`, wait until `step` of `job` starts, let it run `after` s, kill -9 all."""
    process = subprocess.Popen(
        [AMW, *ws.run_arguments()],
        env=ws.environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        instance = _instance(ws)
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            assert process.poll() is None, f"the run ended before {job} {step} started"
            started = [
                entry
                for run in instance.get_runs(filters=dg.RunsFilter(job_name=job))
                for entry in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_START)
                if entry.step_key == step
            ]
            if started:
                time.sleep(after)
                return
            time.sleep(0.2)
        pytest.fail(f"{job} {step} did not start within 900 s")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.parametrize("job", ["nightly", "weekly_scorecard"])
def test_a_run_killed_at_a_random_step_is_repaired_by_the_next(
    reference: dict, tmp_path: Path, job: str
) -> None:
    rng = random.Random(f"{SEED}-{job}")
    spans = reference["spans"][job]
    # A moment drawn uniformly over the job's time: each step as likely as it is long.
    steps = sorted(spans)
    step = rng.choices(steps, weights=[spans[s] for s in steps])[0]
    after = rng.uniform(0, spans[step])
    where = f"killed {after:.1f} s into {job} step {step} (AMW_FAULT_SEED={SEED})"

    ws = Workspace(tmp_path)
    shutil.copytree(reference["landing"], ws.landing)
    _kill_during(ws, job, step, after)
    result = ws.run()
    assert result.returncode == 0, f"{where}\n{describe(result)}"

    _assert_same(f"{where}: warehouse", reference["warehouse"], _tables(ws.warehouse))
    _assert_same(
        f"{where}: published",
        reference["published"],
        _tables(ws.published / "published.duckdb"),
    )
    pages = _pages(ws.published)
    assert sorted(pages) == sorted(reference["pages"]), where
    changed = [name for name, content in pages.items() if content != reference["pages"][name]]
    assert not changed, f"{where}: pages differ from the uninterrupted run's: {changed}"

    leftovers = ws.query(
        "select table_schema || '.' || table_name from information_schema.tables"
        " where table_name like '%__dbt_tmp%' or table_name like '%__dbt_backup%'"
    )
    assert not leftovers, f"{where}: dbt's temporary tables left behind: {leftovers}"
    going = [
        run.run_id
        for run in _instance(ws).get_runs(
            filters=dg.RunsFilter(
                statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING]
            )
        )
    ]
    assert not going, f"{where}: runs still marked as going after the next run: {going}"
