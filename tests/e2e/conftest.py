"""Fixtures of the e2e tests: one pipeline run, one `dagster dev`, one Chromium per session.

The pipeline run publishes the demo's first four weeks as `amw run` does; `dagster dev` then
serves that same workspace without demo mode (it only reads the landing folder), with the run
history of `amw run` in its instance, as `make ui AMW_DEMO=0` would. Browser tests drive Debian's
Chromium through Playwright: never `playwright install`, which downloads a browser.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from orchestration.lib import simulator
from orchestration.lib.environment import REPO_ROOT
from orchestration.lib.scorecard import iso_week_label
from tests.conftest import Workspace, describe
from tests.e2e.support import (
    CHROMIUM_ARGS,
    CONVERSATIONS_PER_DAY,
    PUBLISHED_WEEKS,
    SATURDAY,
    SELECTOR,
    SUNDAY,
    DagsterDev,
    dagster_dev,
    graphql,
    wait_for_backfill,
)

MISSING_CHROMIUM = (
    "Chromium not found: install Debian's chromium (apt install chromium fonts-liberation) "
    "or set CI=1 to require it"
)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium's path. Without it a laptop skips the browser tests and CI fails them."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING_CHROMIUM)
        pytest.skip(MISSING_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    """Headless Chromium with a throw-away profile (a plain launch makes a fresh one)."""
    # The Dagster UI loads its data after the page: give it time on a busy two-core machine.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and PDFs for people to look at: test-artifacts/ or $AMW_TEST_ARTIFACTS."""
    folder = Path(os.environ.get("AMW_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def artifact(request: pytest.FixtureRequest, artifacts_dir: Path) -> Callable[[str], Path]:
    """`artifact("desktop.png")` → test-artifacts/<test name>-desktop.png."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    return lambda what: artifacts_dir / f"{name}-{what}"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo's first four weeks published; the fifth lands whole but is loaded to Saturday."""
    ws = Workspace(tmp_path_factory.mktemp("e2e"))
    simulator.write_landing(
        ws.landing, simulator.DEMO_START, SUNDAY, conversations_per_day=CONVERSATIONS_PER_DAY
    )
    result = ws.run("--start", simulator.DEMO_START.isoformat(), "--end", SATURDAY.isoformat())
    assert result.returncode == 0, describe(result)
    weeks = ", ".join(iso_week_label(week) for week in PUBLISHED_WEEKS)
    assert f"weeks published: {weeks}\n" in result.stdout, describe(result)
    return ws


@pytest.fixture(scope="session")
def ui(demo: Workspace) -> Iterator[DagsterDev]:
    """`dagster dev` on the demo workspace, in the instance `amw run` recorded its runs in."""
    home = demo.root / "dagster_home"
    # Nux and telemetry off: the "join the community" pop-up would cover the pages.
    (home / "dagster.yaml").write_text((REPO_ROOT / "dagster_home" / "dagster.yaml").read_text())
    env = {
        **{k: v for k, v in os.environ.items() if k != "AMW_DEMO"},
        "DAGSTER_HOME": str(home),
        "AMW_LANDING_DIR": str(demo.landing),
        "AMW_WAREHOUSE": str(demo.warehouse),
        "AMW_PUBLISH_DIR": str(demo.published),
        # Workspace.amw's salt: the customers `amw run` hashed must hash the same here.
        "AMW_HASH_SALT": "test-salt",
    }
    with dagster_dev(env, demo.root / "dagster-dev.log") as server:
        yield server


@dataclass(frozen=True)
class DayState:
    """What the metric store holds at day grain: the days, and the Saturday's conversations."""

    days: frozenset[date]
    saturday_conversations: float | None

    @classmethod
    def read(cls, ws: Workspace) -> DayState:
        days = ws.query("select distinct period_start from marts.metric_values where grain = 'day'")
        # ai_involvement_rate's denominator counts the day's conversations.
        conversations = ws.query(
            "select denominator from marts.metric_values where grain = 'day'"
            " and metric_name = 'ai_involvement_rate' and ai_system = 'ALL'"
            " and segment_key = 'all' and period_start = ?",
            [SATURDAY],
        )
        return cls(frozenset(d for (d,) in days), conversations[0][0] if conversations else None)


@dataclass(frozen=True)
class Backfill:
    days: list[str]
    runs: list[dict]
    before: DayState
    after: DayState


LAUNCH_BACKFILL = """
mutation ($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}"""


@pytest.fixture(scope="session")
def nightly_backfill(ui: DagsterDev, demo: Workspace) -> Backfill:
    """The nightly job backfilled over the fifth week's Saturday (loaded again) and Sunday (new),
    through the GraphQL API the UI's backfill dialog calls."""
    days = [SATURDAY.isoformat(), SUNDAY.isoformat()]
    before = DayState.read(demo)
    params = {
        "selector": {"partitionSetName": "nightly_partition_set", "repositorySelector": SELECTOR},
        "partitionNames": days,
    }
    launched = graphql(ui.url, LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    backfill = wait_for_backfill(ui.url, launched["backfillId"])
    return Backfill(days=days, runs=backfill["runs"], before=before, after=DayState.read(demo))
