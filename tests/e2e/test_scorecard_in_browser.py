"""A published scorecard page in Chromium: self-contained, legible on a desk, a phone and paper.

The page is one the pipeline published (the portfolio page of 2026-W34, whose loads quarantined
a planted bad conversation row), opened from its file the way a reader opens a mail attachment.
Every request the page makes is recorded and refused, so a page that needs the network fails
here even on a machine that has one. What the page says is compared with what was published:
row statuses with marts.scorecard_weekly, families with marts.metric_catalog, experiments with
marts.experiment_results, quality counts with the warehouse's quarantine tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect

from orchestration.defs.scorecard.assets import GATE_CHECKS
from orchestration.lib.scorecard import iso_week_label
from tests.conftest import Workspace
from tests.e2e.support import PUBLISHED_WEEKS

pytestmark = pytest.mark.slow

WEEK = PUBLISHED_WEEKS[2]
SYSTEM = "ALL"
HEADLINE_METRICS = ("roai", "cost_to_serve_usd", "ai_resolution_rate", "csat_average")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# What page.pdf(format="A4") lays out on: 210 mm at 96 px an inch, with no margins.
A4 = {"width": 794, "height": 1123}
A4_POINTS = (595.3, 841.9)


@dataclass(frozen=True)
class Published:
    """What the page must agree with, read from the published database and the warehouse."""

    page: Path
    statuses: dict[str, str]
    families: dict[str, str]
    experiments: int
    rows_quarantined: int
    files_rejected: int


@pytest.fixture(scope="module")
def published(demo: Workspace) -> Published:
    week_end = WEEK + timedelta(days=6)
    with duckdb.connect(str(demo.published / "published.duckdb"), read_only=True) as con:
        statuses = con.execute(
            "select metric_name, status from marts.scorecard_weekly"
            " where week_start = ? and ai_system = ?",
            [WEEK, SYSTEM],
        ).fetchall()
        families = con.execute("select metric_name, family from marts.metric_catalog").fetchall()
        # The portfolio shows every experiment that had started by the week's end.
        (experiments,) = con.execute(
            "select count(*) from marts.experiment_results where first_assigned_at < ?",
            [week_end + timedelta(days=1)],
        ).fetchone()
    # The loads of the week's days, and the rejects of undated (snapshot) files.
    scope = "partition_date between ? and ? or partition_date is null"
    ((rows,),) = demo.query(f"select count(*) from quarantine.rows where {scope}", [WEEK, week_end])
    ((files,),) = demo.query(
        f"select count(*) from quarantine.files where {scope}", [WEEK, week_end]
    )
    return Published(
        page=demo.published / "scorecards" / iso_week_label(WEEK) / f"{SYSTEM}.html",
        statuses=dict(statuses),
        families=dict(families),
        experiments=experiments,
        rows_quarantined=rows,
        files_rejected=files,
    )


@dataclass
class Visit:
    page: Page
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def scroll_width(self) -> tuple[int, int]:
        """(document width, window width): a page wider than its window scrolls sideways."""
        return self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@contextmanager
def visit(browser: Browser, page_file: Path, **context: object) -> Iterator[Visit]:
    """The page opened from its file in a fresh context; script errors and requests recorded,
    and every request but the file's own refused."""
    opened = browser.new_context(**context)
    try:
        seen = Visit(page=opened.new_page(), url=page_file.absolute().as_uri())

        def only_the_file(route: Route) -> None:
            if route.request.url == seen.url:
                route.continue_()
            else:
                route.abort()

        def console_error(message: ConsoleMessage) -> None:
            if message.type == "error":
                seen.errors.append(f"console error: {message.text}")

        opened.route("**/*", only_the_file)
        opened.on("request", lambda request: seen.requests.append(request.url))
        seen.page.on("pageerror", lambda error: seen.errors.append(f"page error: {error}"))
        seen.page.on("console", console_error)
        seen.page.goto(seen.url, wait_until="load")
        yield seen
    finally:
        opened.close()


@pytest.fixture
def desktop(browser: Browser, published: Published) -> Iterator[Visit]:
    with visit(browser, published.page, viewport=DESKTOP) as seen:
        yield seen


def test_the_page_loads_without_script_errors_or_any_other_file(
    desktop: Visit, artifact: Callable[[str], Path]
) -> None:
    desktop.page.screenshot(path=artifact("desktop.png"), full_page=True)
    assert desktop.page.title() == f"AI scorecard {iso_week_label(WEEK)} · {SYSTEM}"
    assert desktop.errors == []
    assert desktop.requests == [desktop.url]


def test_every_chart_is_an_inline_svg_that_shows(desktop: Visit) -> None:
    charts = desktop.page.locator("figure.chart")
    assert charts.count() > 0, "the page has no charts"
    for chart in charts.all():
        assert chart.get_attribute("data-metric"), chart.inner_html()[:200]
        svg = chart.locator("svg").first
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
    assert desktop.page.locator("figure.chart img, figure.chart object").count() == 0


def test_the_headline_shows_each_kpi_and_each_experiments_lift(
    desktop: Visit, published: Published
) -> None:
    headline = desktop.page.locator("section#headline")
    for metric in HEADLINE_METRICS:
        expect(headline.locator(f'article.kpi[data-metric="{metric}"]')).to_be_visible()
    lifts = headline.locator('article.kpi[data-metric="conversion_lift"]')
    assert published.experiments > 0
    expect(lifts).to_have_count(published.experiments)


def test_each_metric_sits_in_its_family_with_its_published_status_in_words(
    desktop: Visit, published: Published
) -> None:
    rows = desktop.page.evaluate(
        """() => [...document.querySelectorAll("section.family [data-metric][data-status]")]
            .map(row => {
              const badge = row.querySelector(".badge");
              return {
                metric: row.dataset.metric,
                status: row.dataset.status,
                family: row.closest("section.family").id,
                badge: badge ? [...badge.classList] : [],
                words: badge ? badge.innerText : "",
              };
            })"""
    )
    assert {r["metric"]: r["status"] for r in rows} == published.statuses
    assert len(rows) == len(published.statuses)
    for row in rows:
        assert row["family"] == f"family-{published.families[row['metric']]}", row
        assert row["status"] in row["badge"], row
        assert row["status"].replace("_", " ") in row["words"].lower(), row  # "at_risk": at risk


def test_the_quality_section_counts_the_gate_and_the_quarantine(
    desktop: Visit, published: Published
) -> None:
    quality = desktop.page.locator("section#quality")
    counts = {
        name: quality.get_attribute(f"data-{name}")
        for name in ("checks-run", "checks-passed", "rows-quarantined", "files-rejected")
    }
    # Only a week whose every blocking check passed is published.
    assert counts == {
        "checks-run": str(len(GATE_CHECKS)),
        "checks-passed": str(len(GATE_CHECKS)),
        "rows-quarantined": str(published.rows_quarantined),
        "files-rejected": str(published.files_rejected),
    }
    assert published.rows_quarantined > 0


def test_on_a_phone_the_page_does_not_scroll_sideways(
    browser: Browser, published: Published, artifact: Callable[[str], Path]
) -> None:
    phone = {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
    with visit(browser, published.page, **phone) as seen:
        seen.page.screenshot(path=artifact("phone.png"), full_page=True)
        document, window = seen.scroll_width()
        assert seen.errors == []
    assert document <= window == PHONE["width"]


def test_it_prints_without_overflow_to_a_pdf(
    browser: Browser, published: Published, artifact: Callable[[str], Path]
) -> None:
    with visit(browser, published.page, viewport=A4) as seen:
        seen.page.emulate_media(media="print")
        document, window = seen.scroll_width()
        pdf = seen.page.pdf(path=artifact("print.pdf"), format="A4", print_background=True)
    assert document <= window == A4["width"]
    assert pdf.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page\b", pdf)
    sizes = [box.split()[2:] for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)]
    assert pages and sizes
    for size in sizes:
        assert [float(n) for n in size] == pytest.approx(A4_POINTS, abs=2)
