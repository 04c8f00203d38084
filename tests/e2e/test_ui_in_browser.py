"""The Dagster UI in Chromium: the pages a user checks under `make ui`, and the week launched.

The session's `dagster dev` serves the workspace whose first four weeks `amw run` published
(tests/e2e/conftest.py). These tests open the asset graph, the schedules and the gate's checks
as a user would, then click the weekly job of the fifth week through its partition dialog and
follow the run to the published database. Outcomes are read through GraphQL and DuckDB, not
from the pages' wording; each page is kept as a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Browser, Page, expect

from orchestration.defs.scorecard.assets import GATE_CHECKS
from orchestration.lib.scorecard import iso_week_label
from tests.conftest import Workspace
from tests.e2e.conftest import Backfill
from tests.e2e.support import LOCATION, NEW_WEEK, DagsterDev, tags, wait_for_run

pytestmark = pytest.mark.slow

GROUPS = ("ingestion", "reference", "staging", "intermediate", "marts", "scorecard")
SCHEDULES = ("nightly_at_0200_utc", "weekly_on_monday_0600_utc")
# Dagster's placeholders while a panel waits for its data: "Loading…", "Loading run logs…".
LOADING = re.compile(r"^Loading[\w ]*(…|\.\.\.)$")
# The partition dialog's range menu (its name ends with its icon's): older weeks are hidden
# unless it says "All time".
RANGES = re.compile(r"^(Last \d+ days|This month|Last month|All time|Custom…)")


@pytest.fixture
def page(browser: Browser, ui: DagsterDev) -> Iterator[Page]:
    context = browser.new_context(base_url=ui.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _loaded(page: Page) -> None:
    expect(page.get_by_text(LOADING)).to_have_count(0)


def test_the_asset_graph_shows_every_layer_of_the_flow(
    page: Page, artifact: Callable[[str], Path]
) -> None:
    page.goto("/asset-groups")
    expect(page.get_by_text("Global asset lineage")).to_be_visible()
    for group in GROUPS:
        expect(page.get_by_title(group, exact=True)).to_be_visible()  # the side bar's tree
        expect(page.locator(f'[data-tooltip="{group}"]')).to_be_visible()  # the graph's node
    _loaded(page)
    page.screenshot(path=artifact("asset-groups.png"))


def test_automation_lists_both_schedules(page: Page, artifact: Callable[[str], Path]) -> None:
    page.goto("/automation")
    for schedule in SCHEDULES:
        link = page.get_by_role("link", name=schedule)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", f"/locations/{LOCATION}/schedules/{schedule}")
    _loaded(page)
    page.screenshot(path=artifact("automation.png"))


def test_the_scorecard_and_a_feed_show_their_blocking_checks(
    page: Page, artifact: Callable[[str], Path]
) -> None:
    page.goto("/assets/scorecard/weekly_scorecard?view=checks")
    expect(page.get_by_text(f"Checks ({len(GATE_CHECKS)})", exact=True)).to_be_visible()
    for check in GATE_CHECKS:
        expect(page.get_by_text(check, exact=True).first).to_be_visible()
    expect(page.get_by_text("This is a blocking asset check.")).to_be_visible()
    _loaded(page)
    page.screenshot(path=artifact("scorecard-checks.png"))

    page.goto("/assets/raw/conversations?view=checks")
    expect(page.get_by_text("Checks (1)", exact=True)).to_be_visible()
    expect(page.get_by_text("contract_suite", exact=True).first).to_be_visible()
    _loaded(page)
    page.screenshot(path=artifact("raw-conversations-checks.png"))


def _published_rows(ws: Workspace) -> int:
    with duckdb.connect(str(ws.published / "published.duckdb"), read_only=True) as con:
        (rows,) = con.execute(
            "select count(*) from marts.scorecard_weekly where week_start = ?", [NEW_WEEK]
        ).fetchone()
    return rows


def _launch_the_week(page: Page, artifact: Callable[[str], Path]) -> str:
    """Materialize all → the week's partition → Launch 1 run; returns the run id from the toast."""
    page.goto(f"/locations/{LOCATION}/jobs/weekly_scorecard")
    materialize = page.get_by_role("button", name="Materialize all")
    expect(materialize).to_be_enabled()
    materialize.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Partition selection")).to_be_visible()
    shown = dialog.get_by_role("button", name=RANGES)
    expect(shown).to_be_visible()
    if not shown.inner_text().startswith("All time"):
        shown.click()
        page.get_by_role("menuitem", name="All time").click()
    partitions = dialog.get_by_placeholder("ex: ")
    partitions.fill(NEW_WEEK.isoformat())
    partitions.press("Enter")
    expect(dialog.get_by_text("1 partition", exact=True)).to_be_visible()
    page.screenshot(path=artifact("launch-dialog.png"))
    dialog.get_by_role("button", name="Launch 1 run").click()
    toast = page.locator("[data-sonner-toast]").filter(has_text="Launched run")
    view = toast.get_by_role("link", name="View")
    expect(view).to_have_attribute("href", re.compile(r"^/runs/[0-9a-f-]{36}$"))
    return view.get_attribute("href").removeprefix("/runs/")


def test_the_weekly_job_launched_from_the_ui_publishes_the_new_week(
    page: Page,
    ui: DagsterDev,
    demo: Workspace,
    nightly_backfill: Backfill,
    artifact: Callable[[str], Path],
) -> None:
    assert [r["status"] for r in nightly_backfill.runs] == ["SUCCESS"], "the week is incomplete"
    assert _published_rows(demo) == 0

    run_id = _launch_the_week(page, artifact)
    run = wait_for_run(ui.url, run_id)

    assert run["status"] == "SUCCESS", f"{run}; see {ui.log}"
    assert run["jobName"] == "weekly_scorecard"
    assert tags(run)["dagster/partition"] == NEW_WEEK.isoformat()
    assert tags(run)["dagster/from_ui"] == "true"
    page.goto(f"/runs/{run_id}")
    expect(page.get_by_text("Success", exact=True).first).to_be_visible()
    _loaded(page)
    page.screenshot(path=artifact("run.png"))

    ((scored,),) = demo.query(
        "select count(*) from marts.scorecard_weekly where week_start = ?", [NEW_WEEK]
    )
    assert scored > 0
    assert _published_rows(demo) == scored
    label = iso_week_label(NEW_WEEK)
    assert (demo.published / "scorecards" / label / "ALL.html").is_file()
