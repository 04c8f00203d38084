"""`dagster dev` on a published workspace: the schedules are there and can be switched on, the
asset graph has every layer, and a backfill of days runs as one run.

Queried through the same GraphQL API the web pages use; the pages themselves are driven in
test_ui_in_browser.py. The server is the session's (tests/e2e/conftest.py): not in demo mode, so
nothing simulates data and the nightly job reads the landing folder.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Backfill
from tests.e2e.support import SELECTOR, SUNDAY, DagsterDev, graphql, tags

pytestmark = pytest.mark.slow


def _schedules(url: str) -> dict[str, dict]:
    query = """
    query ($selector: RepositorySelector!) {
      schedulesOrError(repositorySelector: $selector) {
        ... on Schedules { results { name cronSchedule executionTimezone
                                     scheduleState { status } } }
        ... on PythonError { message }
      }
    }"""
    data = graphql(url, query, {"selector": SELECTOR})["schedulesOrError"]
    assert "results" in data, data
    return {s["name"]: s for s in data["results"]}


def test_both_schedules_are_listed_with_their_times(ui: DagsterDev) -> None:
    schedules = _schedules(ui.url)
    assert schedules["nightly_at_0200_utc"]["cronSchedule"] == "0 2 * * *"
    assert schedules["weekly_on_monday_0600_utc"]["cronSchedule"] == "0 6 * * 1"
    assert all(s["executionTimezone"] == "UTC" for s in schedules.values())


def test_a_schedule_can_be_switched_on_and_off(ui: DagsterDev) -> None:
    selector = {**SELECTOR, "scheduleName": "nightly_at_0200_utc"}
    start = """
    mutation ($selector: ScheduleSelector!) {
      startSchedule(scheduleSelector: $selector) {
        ... on ScheduleStateResult { scheduleState { id status } }
        ... on PythonError { message }
      }
    }"""
    state = graphql(ui.url, start, {"selector": selector})["startSchedule"]["scheduleState"]
    assert state["status"] == "RUNNING"
    assert _schedules(ui.url)["nightly_at_0200_utc"]["scheduleState"]["status"] == "RUNNING"
    stop = """
    mutation ($id: String!) {
      stopRunningSchedule(id: $id) {
        ... on ScheduleStateResult { scheduleState { status } }
        ... on PythonError { message }
      }
    }"""
    stopped = graphql(ui.url, stop, {"id": state["id"]})["stopRunningSchedule"]["scheduleState"]
    assert stopped["status"] == "STOPPED"


def test_the_asset_graph_has_every_layer_and_no_simulator_outside_demo_mode(
    ui: DagsterDev,
) -> None:
    query = """
    query ($selector: RepositorySelector!) {
      repositoryOrError(repositorySelector: $selector) {
        ... on Repository { assetGroups { groupName } }
      }
    }"""
    groups = {
        g["groupName"]
        for g in graphql(ui.url, query, {"selector": SELECTOR})["repositoryOrError"]["assetGroups"]
    }
    assert {"ingestion", "reference", "staging", "intermediate", "marts", "scorecard"} <= groups
    # The demo simulator (group `sources`) exists only with AMW_DEMO=1.
    assert "sources" not in groups


def test_a_backfill_of_two_days_runs_as_one_run_and_fills_the_metric_store(
    nightly_backfill: Backfill,
) -> None:
    assert [r["status"] for r in nightly_backfill.runs] == ["SUCCESS"], nightly_backfill.runs
    run_tags = tags(nightly_backfill.runs[0])
    assert run_tags["dagster/asset_partition_range_start"] == nightly_backfill.days[0]
    assert run_tags["dagster/asset_partition_range_end"] == nightly_backfill.days[-1]
    before, after = nightly_backfill.before, nightly_backfill.after
    assert SUNDAY not in before.days
    assert after.days == before.days | {SUNDAY}
    # The Saturday was loaded again: replaced, not counted twice.
    assert before.saturday_conversations
    assert after.saturday_conversations == before.saturday_conversations
