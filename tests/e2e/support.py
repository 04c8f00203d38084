"""What the e2e tests share: the demo weeks they publish, `dagster dev`, its GraphQL API.

The weeks: the demo's first four ISO weeks are published by one `amw run`, which stops on the
fifth week's Saturday; that week's Sunday waits in the landing folder for a backfill through the
UI's nightly job, and then its scorecard for a launch from the UI.
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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from orchestration.lib import simulator
from orchestration.lib.environment import REPO_ROOT

LOCATION = "orchestration.definitions"
SELECTOR = {"repositoryLocationName": LOCATION, "repositoryName": "__repository__"}

# Few conversations a day keep the run short; the quality gate still passes every week at 60.
CONVERSATIONS_PER_DAY = 60
# Weeks before the go-live (2026-09-07): support_assistant is human-only, the A/B experiment
# (from 2026-08-03) is running, and the planted bad rows of 2026-08-13 and -20 and the bad file
# of 2026-09-01 fall in them.
PUBLISHED_WEEKS = [simulator.DEMO_START + timedelta(weeks=n) for n in range(4)]
NEW_WEEK = simulator.DEMO_START + timedelta(weeks=4)
SATURDAY = NEW_WEEK + timedelta(days=5)
SUNDAY = NEW_WEEK + timedelta(days=6)

FINISHED = ("SUCCESS", "FAILURE", "CANCELED")
# Flags that keep Chromium from reaching out: the machine may have no network at all.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def graphql(url: str, query: str, variables: Mapping | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.load(response)
    assert "errors" not in payload, payload
    return payload["data"]


RUN = """
query ($id: ID!) {
  runOrError(runId: $id) {
    ... on Run { runId jobName status tags { key value } }
    ... on PythonError { message }
  }
}"""


def wait_for_run(url: str, run_id: str, timeout: float = 600) -> dict:
    """The run once it has finished (queued runs start when the daemon gets to them)."""
    deadline = time.monotonic() + timeout
    while True:
        run = graphql(url, RUN, {"id": run_id})["runOrError"]
        if run.get("status") in FINISHED or time.monotonic() > deadline:
            return run
        time.sleep(3)


BACKFILL = """
query ($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status runs { runId status tags { key value } } }
  }
}"""


def wait_for_backfill(url: str, backfill_id: str, timeout: float = 900) -> dict:
    """The backfill once every run it launched has finished."""
    deadline = time.monotonic() + timeout
    while True:
        backfill = graphql(url, BACKFILL, {"id": backfill_id})["partitionBackfillOrError"]
        runs = backfill["runs"]
        finished = runs and all(r["status"] in FINISHED for r in runs)
        if finished or time.monotonic() > deadline:
            return backfill
        time.sleep(3)


def tags(run: dict) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in run["tags"]}


@dataclass(frozen=True)
class DagsterDev:
    url: str
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dagster_dev(env: Mapping[str, str], log: Path) -> Iterator[DagsterDev]:
    """`dagster dev` as `make ui` starts it, on a free port, until the block ends.

    Started from a non-interactive shell it would ignore SIGINT and SIGTERM (a shell without job
    control starts background jobs so):
    both are reset in the child, which leads its own process group, and the group is stopped.
    """
    port = _free_port()
    # As `make ui` runs it: the venv first on PATH (prepare_if_dev calls `dbt` by name).
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    with log.open("w") as stream:
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
            env={**env, "PATH": path},
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: (
                signal.signal(signal.SIGINT, signal.SIG_DFL),
                signal.signal(signal.SIGTERM, signal.SIG_DFL),
            ),
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_server(url, process, log)
            _wait_for_location(url)
            yield DagsterDev(url=url, log=log)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _wait_for_server(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 240
    while True:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dagster dev did not start: {log.read_text()[-6000:]}")
            time.sleep(1)


def _wait_for_location(url: str) -> None:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        entries = graphql(url, query)["workspaceOrError"]["locationEntries"]
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            return
        time.sleep(1)
    pytest.fail("the code location did not load")
