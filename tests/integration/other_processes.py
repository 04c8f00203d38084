"""Other processes a run meets: one holding the warehouse open, a Dagster run killed mid-way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from orchestration.lib.environment import REPO_ROOT

# A DuckDB connection held in another process, as a notebook or a DuckDB shell holds one; it
# says so, then keeps the connection until its stdin closes.
_HOLD = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'read_only')\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
)

# A run of this instance that is killed while its step runs: it never records its end.
KILLED_JOB = "killed_mid_way"
_RUN_UNTIL_KILLED = f"""
import sys, time
from pathlib import Path
import dagster as dg

@dg.op
def wait_to_be_killed() -> None:
    Path(sys.argv[1]).touch()
    time.sleep(600)

@dg.job
def {KILLED_JOB}():
    wait_to_be_killed()

{KILLED_JOB}.execute_in_process(instance=dg.DagsterInstance.get())
"""


@contextmanager
def holding(database: Path, read_only: bool) -> Iterator[subprocess.Popen[str]]:
    """Another process with the database open (read-only or not) for the time of the block."""
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(database), "read_only" if read_only else "write"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "holding"
        yield process
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)


def dagster_home(root: Path) -> Path:
    """The workspace's Dagster home, as `Workspace.amw` sets it up."""
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text((REPO_ROOT / "dagster_home" / "dagster.yaml").read_text())
    return home


def kill_a_run_mid_way(home: Path) -> str:
    """Start a run of the instance in `home` in another process and SIGKILL it while its step
    runs; return the run's id (the run stays STARTED)."""
    started = home / f"{KILLED_JOB}.started"
    process = subprocess.Popen(
        [sys.executable, "-c", _RUN_UNTIL_KILLED, str(started)],
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not started.exists():
            assert process.poll() is None, "the run to kill ended by itself"
            assert time.monotonic() < deadline, "the run to kill did not start within 120 s"
            time.sleep(0.1)
    finally:
        process.kill()
        process.wait()
    run = run_of(home, KILLED_JOB)
    assert run.status == dg.DagsterRunStatus.STARTED
    return run.run_id


def run_of(home: Path, job: str) -> dg.DagsterRun:
    (run,) = dg.DagsterInstance.from_config(str(home)).get_runs(filters=dg.RunsFilter(job_name=job))
    return run
