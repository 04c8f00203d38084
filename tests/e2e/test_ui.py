"""`dagster dev` as `make ui` starts it: the schedules are there and can be switched on.

The UI is started on a free local port with its own Dagster home, queried through the same
GraphQL API the web pages use, and stopped by signalling its whole process group (started from
a non-interactive shell it would otherwise ignore SIGINT and SIGTERM; see STACK_NOTES.md).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.environment import REPO_ROOT

pytestmark = pytest.mark.slow

LOCATION = "orchestration.definitions"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.load(response)
    assert "errors" not in payload, payload
    return payload["data"]


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text((REPO_ROOT / "dagster_home" / "dagster.yaml").read_text())
    port = _free_port()
    # As `make ui` runs it: the venv first on PATH (prepare_if_dev calls `dbt` by name).
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    data = tmp_path_factory.mktemp("data")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "AMW_DEMO": "1",
        "AMW_LANDING_DIR": str(data / "landing"),
        "AMW_WAREHOUSE": str(data / "warehouse.duckdb"),
        "PATH": path,
    }
    log = (home / "dagster-dev.log").open("w")
    process = subprocess.Popen(
        [
            Path(sys.executable).parent / "dagster",
            "dev",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-w",
            str(REPO_ROOT / "workspace.yaml"),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=lambda: (
            signal.signal(signal.SIGINT, signal.SIG_DFL),
            signal.signal(signal.SIGTERM, signal.SIG_DFL),
        ),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"dagster dev did not start: {(home / 'dagster-dev.log').read_text()}"
                    )
                time.sleep(1)
        _wait_for_location(url)
        yield url, data
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _wait_for_location(url: str) -> None:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        entries = _graphql(url, query)["workspaceOrError"]["locationEntries"]
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            return
        time.sleep(1)
    pytest.fail("the code location did not load")


SELECTOR = {"repositoryLocationName": LOCATION, "repositoryName": "__repository__"}


@pytest.fixture(scope="module")
def ui(dagster_dev: tuple[str, Path]) -> str:
    return dagster_dev[0]


def _schedules(url: str) -> dict[str, dict]:
    query = """
    query ($selector: RepositorySelector!) {
      schedulesOrError(repositorySelector: $selector) {
        ... on Schedules { results { name cronSchedule executionTimezone
                                     scheduleState { status } } }
        ... on PythonError { message }
      }
    }"""
    data = _graphql(url, query, {"selector": SELECTOR})["schedulesOrError"]
    assert "results" in data, data
    return {s["name"]: s for s in data["results"]}


def test_both_schedules_are_listed_with_their_times(ui: str) -> None:
    schedules = _schedules(ui)
    assert schedules["nightly_at_0200_utc"]["cronSchedule"] == "0 2 * * *"
    assert schedules["weekly_on_monday_0600_utc"]["cronSchedule"] == "0 6 * * 1"
    assert all(s["executionTimezone"] == "UTC" for s in schedules.values())


def test_a_schedule_can_be_switched_on_and_off(ui: str) -> None:
    selector = {**SELECTOR, "scheduleName": "nightly_at_0200_utc"}
    start = """
    mutation ($selector: ScheduleSelector!) {
      startSchedule(scheduleSelector: $selector) {
        ... on ScheduleStateResult { scheduleState { id status } }
        ... on PythonError { message }
      }
    }"""
    state = _graphql(ui, start, {"selector": selector})["startSchedule"]["scheduleState"]
    assert state["status"] == "RUNNING"
    assert _schedules(ui)["nightly_at_0200_utc"]["scheduleState"]["status"] == "RUNNING"
    stop = """
    mutation ($id: String!) {
      stopRunningSchedule(id: $id) {
        ... on ScheduleStateResult { scheduleState { status } }
        ... on PythonError { message }
      }
    }"""
    stopped = _graphql(ui, stop, {"id": state["id"]})["stopRunningSchedule"]["scheduleState"]
    assert stopped["status"] == "STOPPED"


def test_the_asset_graph_has_every_layer_and_the_gate(ui: str) -> None:
    query = """
    query ($selector: RepositorySelector!) {
      repositoryOrError(repositorySelector: $selector) {
        ... on Repository { assetGroups { groupName } }
      }
    }"""
    groups = {
        g["groupName"]
        for g in _graphql(ui, query, {"selector": SELECTOR})["repositoryOrError"]["assetGroups"]
    }
    assert {"sources", "ingestion", "staging", "intermediate", "marts", "scorecard"} <= groups


def test_a_backfill_of_two_days_runs_as_one_run_and_fills_the_metric_store(
    dagster_dev: tuple[str, Path],
) -> None:
    url, data = dagster_dev
    launch = """
    mutation ($params: LaunchBackfillParams!) {
      launchPartitionBackfill(backfillParams: $params) {
        __typename
        ... on LaunchBackfillSuccess { backfillId }
        ... on PythonError { message }
      }
    }"""
    days = ["2026-09-07", "2026-09-08"]
    params = {
        "selector": {"partitionSetName": "nightly_partition_set", "repositorySelector": SELECTOR},
        "partitionNames": days,
    }
    launched = _graphql(url, launch, {"params": params})["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    status = """
    query ($id: String!) {
      partitionBackfillOrError(backfillId: $id) {
        ... on PartitionBackfill { status runs { status } }
      }
    }"""
    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        backfill = _graphql(url, status, {"id": launched["backfillId"]})["partitionBackfillOrError"]
        runs = backfill["runs"]
        if runs and all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in runs):
            break
        time.sleep(3)
    assert [r["status"] for r in runs] == ["SUCCESS"], backfill
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        filled = con.execute(
            "select distinct cast(period_start as varchar) from marts.metric_values"
            " where grain = 'day' order by 1"
        ).fetchall()
    assert [day for (day,) in filled] == days
