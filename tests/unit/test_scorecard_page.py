"""The scorecard page: self-contained, answers first, statuses in words, changes judged by each
metric's direction, guardrails beside what they guard, charts as inline SVG, safe text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.lib.catalog import METRICS
from orchestration.lib.environment import DBT_PROJECT_DIR
from orchestration.lib.scorecard import (
    HEADLINE,
    Rejects,
    ScorecardPage,
    change,
    format_difference,
    format_value,
    headline_values,
    iso_week_label,
    load_scorecard_pages,
    load_scorecard_rows,
    markdown_preview,
    render_scorecard,
    scorecard_systems,
)

WEEK = date(2026, 9, 7)
GENERATED = datetime(2026, 9, 14, 6, 0, tzinfo=UTC)
PASSED = {name: True for name in ("completeness", "volume", "metric_ranges", "sample_sizes")}
# marts.metric_catalog holds the rows of this seed (generated from the catalog).
CATALOG = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "metric_definitions.csv")
COLUMNS = (
    "week_start",
    "ai_system",
    "metric_name",
    "value",
    "ci_low",
    "ci_high",
    "sample_size",
    "prior_week_value",
    "four_week_average",
    "baseline_value",
    "target",
    "status",
    "unit",
)
NAN = float("nan")


def scorecard_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (WEEK, "ALL", "containment_rate", 0.62, 0.58, 0.66, 700, 0.6, 0.59, 0.4, 0.6,
             "on_track", "share"),
            (WEEK, "ALL", "cost_to_serve_usd", 1234.5, NAN, NAN, 512, 1300.0, 1280.0, NAN, 1000.0,
             "off_track", "usd"),
            (WEEK, "ALL", "average_handling_time_seconds", 312.0, 300.0, 324.0, 700, 320.0, 318.0,
             NAN, 300.0, "at_risk", "seconds"),
            # CSAT fell while containment rose: the trade-off its guardrail is there to show.
            (WEEK, "ALL", "csat_average", 4.4, 3.9, 4.9, 12, 4.5, NAN, NAN, 4.0,
             "insufficient_data", "csat_1_to_5"),
            (WEEK, "ALL", "tokens_total", 1523400.0, NAN, NAN, None, NAN, NAN, NAN, NAN,
             "no_target", "tokens"),
            (WEEK, "ALL", "escalation_rate", 0.14, 0.12, 0.16, 700, 0.15, 0.15, NAN, 0.3,
             "on_track", "share"),
            (WEEK, "ALL", "csat_satisfied_rate", NAN, NAN, NAN, 0, NAN, NAN, NAN, 0.75,
             "insufficient_data", "share"),
            (WEEK, "ALL", "roai", 0.35, NAN, NAN, 7, 0.30, 0.28, NAN, 0.0, "on_track", "ratio"),
            (WEEK, "ALL", "human_cost_to_serve_usd", 1500.0, NAN, NAN, 200, NAN, NAN, NAN, NAN,
             "no_target", "usd"),
        ],
        columns=COLUMNS,
    )  # fmt: skip


def history() -> pd.DataFrame:
    """Four weeks of two program metrics and of a prediction metric's task and model slices."""
    rows = []
    for weeks_back in range(4):
        monday = WEEK - timedelta(weeks=weeks_back)
        value = 0.62 - 0.01 * weeks_back
        rows += [
            ("containment_rate", monday, "all", "all", value, value - 0.04, value + 0.04, 700),
            ("roai", monday, "all", "all", 0.35 - 0.05 * weeks_back, NAN, NAN, 7),
            ("precision", monday, "task", "fraud_flag", 0.8 - 0.02 * weeks_back, 0.7, 0.9, 40),
            ("precision", monday, "model", "gbm-2.3", 0.8 - 0.02 * weeks_back, 0.7, 0.9, 40),
            ("f1", monday, "task", "fraud_flag", 0.75, NAN, NAN, 40),
            ("demographic_parity_difference", monday, "task", "fraud_flag", 0.03, NAN, NAN, 700),
            ("demographic_parity_ratio", monday, "task", "fraud_flag", 0.87, NAN, NAN, 700),
        ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "metric_name", "period_start", "segment_key", "segment_value", "value", "ci_low",
            "ci_high", "sample_size",
        ],
    )  # fmt: skip
    return frame.assign(unit=None)


def experiments() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "experiment_id": "exp_checkout",
                "ai_system": "sales_agent",
                "n_control": 1000,
                "n_treatment": 1010,
                "rate_control": 0.10,
                "rate_treatment": 0.12,
                "absolute_lift": 0.02,
                "absolute_lift_ci_low": 0.005,
                "absolute_lift_ci_high": 0.035,
                "relative_lift": 0.2,
                "relative_lift_ci_low": 0.05,
                "relative_lift_ci_high": 0.35,
                "p_value": 0.012,
                "srm_p_value": 0.8,
                "incremental_revenue_usd": 5000.0,
                "incremental_revenue_ci_low": 1000.0,
                "incremental_revenue_ci_high": 9000.0,
                "verdict": "significant_win",
                "first_assigned_at": datetime(2026, 8, 3),
                "last_assigned_at": datetime(2026, 9, 6),
                "units_window_open": 40,
                "cuped_absolute_lift": 0.021,
                "cuped_absolute_lift_ci_low": 0.008,
                "cuped_absolute_lift_ci_high": 0.034,
            }
        ]
    )


def full_page(**changes) -> ScorecardPage:
    fields = {
        "week_start": WEEK,
        "ai_system": "ALL",
        "rows": scorecard_rows(),
        "catalog": CATALOG,
        "history": history(),
        "experiments": experiments(),
        "roi": pd.DataFrame(
            [
                {
                    "deployed_at": pd.Timestamp("2026-09-07 08:00"),
                    "cumulative_roai": -0.12,
                    "payback_date": None,
                    "time_to_value_days": None,
                }
            ]
        ),
        "rejects": Rejects(
            rows_quarantined=3,
            files_rejected=1,
            undated_rows=1,
            undated_files=0,
            reasons=("2 conversations rows quarantined: csat: 7.0 is above the maximum 5",),
        ),
        "last_data_day": WEEK + timedelta(days=9),
        "settings": {"fcr_window_days": "7"},
    }
    return ScorecardPage(**(fields | changes))


# --- a small HTML tree, enough to find the page's hooks -----------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "source", "wbr", "col", "area", "base"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Descendants by tag and attribute values (`class_` matches one of the classes)."""
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if all(
                value in element.attrs.get("class", "").split()
                if name == "class_"
                else element.attrs.get(name.replace("_", "-")) == value
                for name, value in attrs.items()
            ):
                found.append(element)
        return found

    def one(self, tag: str | None = None, **attrs: str) -> Element:
        (found,) = self.find_all(tag, **attrs)
        return found

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


@pytest.fixture(scope="module")
def page_html() -> str:
    """The full page, rendered once (its charts cost vl-convert a few seconds)."""
    return render_scorecard(full_page(), PASSED, GENERATED)


@pytest.fixture(scope="module")
def page(page_html: str) -> Element:
    return parse(page_html)


# --- values and changes --------------------------------------------------------------------------


def test_iso_week_label_uses_the_iso_year() -> None:
    assert iso_week_label(WEEK) == "2026-W37"
    assert iso_week_label(date(2026, 12, 28)) == "2026-W53"
    assert iso_week_label(date(2024, 12, 30)) == "2025-W01"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.623, "ratio", "62.3%"),
        (99.95, "percent", "100.0%"),
        (1234.5, "usd", "$1,234.50"),
        (-12.0, "usd", "-$12.00"),
        (312.0, "seconds", "5.2 min"),
        (42.25, "seconds", "42.2 s"),
        (850.4, "ms", "850 ms"),
        (1523400.0, "", "1,523,400"),
        (12.0, "days", "12 days"),
        (None, "ratio", "—"),
        (float("nan"), "usd", "—"),
    ],
)
def test_values_are_shown_in_their_units(value: float | None, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_every_catalog_unit_has_a_short_label() -> None:
    """No metric of the catalog shows its raw unit name ("0.9 points_per_week") on the page."""
    for metric in METRICS:
        shown = format_value(0.5, metric.unit)
        assert "_" not in shown, (metric.name, shown)


@pytest.mark.parametrize(
    ("delta", "unit", "shown"),
    [
        (0.021, "share", "+2.1 pp"),
        (-0.004, "ratio", "-0.4 pp"),
        (1.5, "percent", "+1.5 pp"),
        (-0.12, "usd", "-$0.12"),
        (12.0, "seconds", "+12.0 s"),
        (-0.111, "csat_1_to_5", "-0.111"),
        (-21.0, "ms", "-21 ms"),
    ],
)
def test_changes_are_signed_differences_in_the_metrics_unit(
    delta: float, unit: str, shown: str
) -> None:
    assert format_difference(delta, unit) == shown


@pytest.mark.parametrize(
    ("current", "reference", "direction", "verdict", "symbol"),
    [
        (0.62, 0.60, "higher", "better", "▲"),
        (0.58, 0.60, "higher", "worse", "▼"),
        (0.62, 0.60, "lower", "worse", "▲"),
        (0.14, 0.15, "lower", "better", "▼"),
        (0.62, 0.60, "none", "neutral", "▲"),
        (0.6001, 0.60, "higher", "same", "="),
        (0.62, None, "higher", "none", ""),
        (float("nan"), 0.6, "higher", "none", ""),
    ],
)
def test_a_change_is_good_or_bad_by_the_metrics_direction(
    current, reference, direction: str, verdict: str, symbol: str
) -> None:
    shown = change(current, reference, "share", direction)
    assert (shown["verdict"], shown["symbol"]) == (verdict, symbol)
    if verdict == "none":
        assert shown["text"] == "—"


# --- the page ------------------------------------------------------------------------------------


def test_page_is_self_contained(page_html: str) -> None:
    assert "<script" not in page_html and "<link" not in page_html
    assert not re.search(r"https?://", page_html)
    assert "@import" not in page_html
    # The only url() references are the charts' own clip paths, inside the page.
    assert not re.search(r"url\((?!#)", page_html)
    assert not re.search(r"\b(src|href)=\"(?!#)", page_html)
    assert "@media print" in page_html and 'name="viewport"' in page_html


def test_every_chart_spec_is_valid_vega_lite(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages skip altair's schema validation for speed: here every kind of chart gets it."""
    from orchestration.lib import charts

    monkeypatch.setattr(charts, "VALIDATE", True)
    assert render_scorecard(full_page(), PASSED, GENERATED).count("<svg") >= 3


def test_page_title_and_headline_kpis(page: Element) -> None:
    assert page.one("head").one("title").text == "AI scorecard 2026-W37 · ALL"
    headline = page.one("section", id="headline")
    kpis = headline.find_all("article", class_="kpi")
    assert [k.attrs["data-metric"] for k in kpis] == [*HEADLINE, "conversion_lift"]
    roai = headline.one("article", data_metric="roai")
    assert "35.0%" in roai.text and "✓ On track" in roai.text and "▲ +5.0 pp better" in roai.text
    assert "ROAI since go-live: -12.0%, not paid back yet." in roai.text
    cost = headline.one("article", data_metric="cost_to_serve_usd")
    assert "Human cost to serve: $1,500.00; the AI is $265.50 cheaper per resolution." in cost.text
    # A headline KPI without a row this week is shown, with a dash and no invented status.
    parity = headline.one("article", data_metric="outcome_parity_ratio")
    assert parity.attrs["data-status"] == "insufficient_data"
    assert "—" in parity.text and "0.0%" not in parity.text


def test_roai_without_a_deployment_counts_from_the_first_day_of_data() -> None:
    roi = pd.DataFrame(
        [
            {
                "deployed_at": None,
                "cumulative_roai": 0.25,
                "payback_date": date(2026, 9, 4),
                "time_to_value_days": 3,
            }
        ]
    )
    html = render_scorecard(full_page(roi=roi), PASSED, GENERATED)
    roai = parse(html).one("article", data_metric="roai")
    assert (
        "ROAI since the first day of data: 25.0%, paid back on 2026-09-04"
        " (3 days after the first day of data)."
    ) in roai.text
    assert "go-live" not in roai.text


def test_the_experiment_card_says_its_verdict(page: Element) -> None:
    lift = page.one("article", data_metric="conversion_lift")
    assert lift.attrs["data-verdict"] == "significant_win"
    assert lift.attrs["data-status"] == "on_track"
    text = lift.text
    assert "✓ Significant win" in text and "treatment converts better than control" in text
    assert "+20.0%" in text and "+5.0% to +35.0%" in text and "p = 0.012" in text
    assert "+2.0 pp (+0.5 pp to +3.5 pp)" in text
    assert "40 units' conversion windows are still open" in text


def test_every_chart_is_an_inline_svg_naming_its_metric(page: Element) -> None:
    figures = page.find_all("figure", class_="chart")
    keys = [f.attrs["data-metric"] for f in figures]
    # Headline KPIs with history, the experiment, and the families with trends.
    assert keys == [
        "roai",
        "conversion_lift",
        "customer_service",
        "technical",
        "responsible_ai",
        "business",
    ]
    for figure in figures:
        (svg,) = figure.find_all("svg")
        label = svg.attrs.get("aria-label", "")
        assert label and svg.find_all("title")[0].text == label
        assert svg.find_all("path"), f"{figure.attrs['data-metric']}: the chart draws nothing"
    roai = page.one("figure", data_metric="roai").one("svg")
    assert "ROAI" in roai.attrs["aria-label"]
    assert "Technical" in page.one("figure", data_metric="technical").one("svg").attrs["aria-label"]


def test_chart_ids_are_unique_on_the_page(page_html: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', page_html)
    assert len(ids) == len(set(ids))
    for reference in re.findall(r"url\(#([^)]+)\)", page_html):
        assert reference in ids


def test_families_show_each_metric_with_its_status_in_words(page: Element) -> None:
    service = page.one("section", id="family-customer_service")
    assert "family" in service.attrs["class"].split()
    rows = {r.attrs["data-metric"]: r for r in service.find_all("tr") if "data-status" in r.attrs}
    assert list(rows) == [
        "containment_rate",
        "escalation_rate",
        "average_handling_time_seconds",
        "csat_average",
        "csat_satisfied_rate",
    ]
    statuses = {name: row.attrs["data-status"] for name, row in rows.items()}
    assert statuses["average_handling_time_seconds"] == "at_risk"
    expected_words = {
        "containment_rate": "✓ On track",
        "average_handling_time_seconds": "! At risk",
        "csat_average": "? Insufficient data",
    }
    for name, words in expected_words.items():
        badge = rows[name].one("span", class_="badge")
        assert badge.attrs["class"] == f"badge {statuses[name]}" and badge.text == words
    assert page.one("tr", data_metric="cost_to_serve_usd").one(class_="badge").text == "✗ Off track"
    assert page.one("tr", data_metric="tokens_total").one(class_="badge").text == "- No target"
    for section in page.find_all("section", class_="family"):
        assert section.attrs["id"].startswith("family-")
        for header in section.find_all("th"):
            assert header.attrs.get("scope") in {"col", "row"}


def test_changes_read_good_or_bad_in_each_direction(page: Element) -> None:
    containment = page.one("tr", data_metric="containment_rate")
    cells = {td.attrs["data-label"]: td.text for td in containment.find_all("td")}
    assert cells["vs last week"] == "▲ +2.0 pp better"
    assert cells["vs 4-week average"] == "▲ +3.0 pp better"
    assert cells["vs baseline"] == "▲ +22.0 pp better"
    assert cells["95% interval"] == "58.0% to 66.0%" and cells["Target"] == "≥ 60.0%"
    escalation = page.one("tr", data_metric="escalation_rate")
    assert escalation.one("td", data_label="vs last week").text == "▼ -1.0 pp better"
    handling = page.one("tr", data_metric="average_handling_time_seconds")
    assert handling.one("td", data_label="vs last week").text == "▼ -8.0 s better"
    assert handling.one("td", data_label="Target").text == "≤ 5.0 min"
    tokens = page.one("tr", data_metric="tokens_total")
    assert tokens.one("td", data_label="vs last week").text == "—"


def test_missing_values_are_a_dash_never_zero(page: Element) -> None:
    empty = page.one("tr", data_metric="csat_satisfied_rate")
    cells = {td.attrs["data-label"]: td.text for td in empty.find_all("td")}
    for label in ("Value", "95% interval", "vs last week", "vs 4-week average", "vs baseline"):
        assert cells[label] == "—", label
    assert cells["Sample"] == "0"  # a count of none is a count
    cost = {
        td.attrs["data-label"]: td.text
        for td in page.one("tr", data_metric="cost_to_serve_usd").find_all("td")
    }
    assert cost["95% interval"] == "—" and cost["vs baseline"] == "—"


def test_guardrails_sit_beside_the_metric_they_guard(page: Element) -> None:
    guards = page.one("tr", data_guardrails_of="containment_rate")
    shown = {
        li.attrs["data-guardrail"]: li.text
        for li in guards.find_all("li")
        if li.attrs.get("data-guardrail")
    }
    assert list(shown) == ["csat_average", "first_contact_resolution_rate"]
    assert "4.40 / 5" in shown["csat_average"] and "? Insufficient data" in shown["csat_average"]
    assert "▼ -0.100 worse" in shown["csat_average"]
    # No row this week: a dash, never a value made up.
    assert "—" in shown["first_contact_resolution_rate"]
    assert "Improved while CSAT average got worse" in guards.text
    card = page.one("article", data_metric="cost_to_serve_usd")
    card_guards = [
        li.attrs["data-guardrail"] for li in card.find_all("li") if li.attrs.get("data-guardrail")
    ]
    assert card_guards == ["ai_resolution_rate", "csat_average"]


def test_prediction_slices_show_without_a_status(page: Element) -> None:
    technical = page.one("section", id="family-technical")
    slices = technical.find_all("tr", class_="slice")
    # In catalog order (precision before f1), then by slice.
    assert [(s.attrs["data-metric"], s.attrs["data-segment"]) for s in slices] == [
        ("precision", "model:gbm-2.3"),
        ("precision", "task:fraud_flag"),
        ("f1", "task:fraud_flag"),
    ]
    for row in slices:
        assert "data-status" not in row.attrs and not row.find_all(class_="badge")
    task = slices[1]
    assert task.one("td", data_label="Value").text == "80.0%"
    assert task.one("td", data_label="vs last week").text == "▲ +2.0 pp better"
    assert "targets and statuses apply to program-level metrics only" in technical.text
    # The slice's guardrails are the fairness metrics of the same slice.
    # Only the task slice has the fairness metrics: the model slice shows no guardrails.
    guards = page.one("tr", data_guardrails_of="precision")
    assert "Demographic parity difference 3.0%" in guards.text
    fairness = page.one("section", id="family-responsible_ai")
    assert fairness.find_all("tr", data_metric="demographic_parity_ratio")


def test_the_answers_come_first(page: Element) -> None:
    answers = page.one("dl", class_="answers")
    questions = [dt.text for dt in answers.find_all("dt")]
    assert questions == [
        "Can I trust these numbers?",
        "Is the AI paying?",
        "Is it getting better?",
        "Is it fair?",
    ]
    trust = answers.one("dd", id="trust")
    assert trust.attrs["data-status"] == "on_track"
    assert "All 4 data-quality checks passed" in trust.text
    assert "set aside 3 rows and rejected 1 file" in trust.text
    replies = [dd.text for dd in answers.find_all("dd")]
    assert "ROAI this week is 35.0% (on track)" in replies[1]
    assert "Experiment exp_checkout: significant win (+20.0% conversion, p = 0.012)" in replies[1]
    # containment, escalation and AHT better; csat and roai...: directions from the catalog.
    assert re.search(r"Against last week, \d+ metrics got better and \d+ worse", replies[2])
    assert "the lowest demographic parity ratio is 87.0% (task fraud_flag)" in replies[3]


def test_quality_block_counts_checks_and_rejects(page: Element) -> None:
    quality = page.one("section", id="quality")
    assert quality.attrs["data-checks-run"] == "4" and quality.attrs["data-checks-passed"] == "4"
    assert quality.attrs["data-rows-quarantined"] == "3"
    assert quality.attrs["data-files-rejected"] == "1"
    text = quality.text
    assert "2 conversations rows quarantined: csat: 7.0 is above the maximum 5" in text
    assert "1 row and 0 files come from snapshot files" in text
    # The week ended on 09-13: data through 09-16 does not close first-contact resolution yet.
    assert "final once data through 2026-09-20 has loaded (latest day loaded: 2026-09-16)" in text


def test_a_failed_check_says_do_not_rely_on_the_week() -> None:
    quality = {
        "completeness": {"success": True, "failures": []},
        "volume": {"success": False, "failures": ["volume: 2026-09-10 had 40 conversations"]},
    }
    page = parse(render_scorecard(ScorecardPage(WEEK, "ALL", scorecard_rows()), quality, GENERATED))
    trust = page.one("dd", id="trust")
    assert trust.attrs["data-status"] == "off_track"
    assert (
        "✗ Do not rely on it yet" in trust.text
        and "1 of 2 data-quality checks failed (volume)" in trust.text
    )
    block = page.one("section", id="quality")
    assert block.attrs["data-checks-run"] == "2" and block.attrs["data-checks-passed"] == "1"
    # The quarantine tables were not read for this page: no counts, rather than zeros.
    assert "data-rows-quarantined" not in block.attrs
    assert "The quarantine tables were not read" in block.text
    assert (
        "✗ Failed volume" in block.text and "volume: 2026-09-10 had 40 conversations" in block.text
    )


def test_page_escapes_text() -> None:
    rows = scorecard_rows().assign(ai_system="<img src=x>")
    html = render_scorecard(ScorecardPage(WEEK, "<img src=x>", rows), [], GENERATED)
    assert "<img" not in html and "&lt;img src=x&gt;" in html
    assert "No data-quality results were recorded" in html
    assert 'data-status="insufficient_data"' in html.split('id="trust"')[1][:60]


def test_page_accepts_gate_results() -> None:
    from orchestration.lib.quality import GateResult

    checks = [GateResult("completeness", True), GateResult("sample_sizes", True)]
    html = render_scorecard(ScorecardPage(WEEK, "ALL", scorecard_rows().head(1)), checks, GENERATED)
    assert html.count("✓ Passed</span>") == 2 and "All 2 data-quality checks passed" in html


def test_markdown_preview_is_the_headline_table() -> None:
    lines = markdown_preview(full_page(), PASSED).splitlines()
    assert lines[0].startswith("**✓ Yes, it can be trusted:** All 4 data-quality checks passed")
    assert lines[2].startswith("| Metric | Value | 95% interval | vs last week |")
    table = [line for line in lines[4:] if line.startswith("|")]
    assert [line.split(" | ")[0] for line in table] == [
        "| roai",
        "| cost_to_serve_usd",
        "| csat_average",
    ]
    assert (
        table[1]
        == "| cost_to_serve_usd | $1,234.50 | — | -$65.50 better | ≤ $1,000.00 | ✗ Off track |"
    )
    assert any("exp_checkout (sales_agent): Significant win" in line for line in lines)


def test_headline_values_are_the_kpis_with_a_value() -> None:
    values = headline_values(full_page())
    assert values == {
        "roai": 0.35,
        "cost_to_serve_usd": 1234.5,
        "csat_average": 4.4,
        "human_cost_to_serve_usd": 1500.0,
    }
    assert all(isinstance(v, float) for v in values.values())


# --- reading the warehouse -----------------------------------------------------------------------


def test_rows_come_from_the_scorecard_with_units(tmp_path: Path) -> None:
    with duckdb.connect(tmp_path / "w.duckdb") as con:
        con.execute("create schema marts")
        frame = scorecard_rows().drop(columns="unit")  # noqa: F841 - read by DuckDB below
        con.execute("create table marts.scorecard_weekly as select * from frame")
        con.execute(
            """
            create table marts.metric_values as
            select * from (values
                ('containment_rate', 'week', date '2026-09-07', 'ALL', 'ratio'),
                ('containment_rate', 'day', date '2026-09-07', 'ALL', 'wrong'),
                ('cost_to_serve_usd', 'week', date '2026-09-07', 'ALL', 'usd')
            ) as t(metric_name, grain, period_start, ai_system, unit)
            """
        )
        con.execute(
            "insert into marts.scorecard_weekly select * replace ('bot' as ai_system) "
            "from marts.scorecard_weekly"
        )
        rows = load_scorecard_rows(con, WEEK, "ALL")
        systems = scorecard_systems(con, WEEK)
    assert systems == ["ALL", "bot"]
    assert len(rows) == len(scorecard_rows())
    units = dict(zip(rows["metric_name"], rows["unit"], strict=True))
    assert units["containment_rate"] == "ratio" and units["cost_to_serve_usd"] == "usd"
    assert pd.isna(units["csat_average"])


def test_pages_read_the_weeks_history_experiments_and_rejects(tmp_path: Path) -> None:
    """A warehouse with the marts a page reads: each page gets its own system's rows, the 12
    weeks of trends, the experiments started by the week's end, and the week's rejects."""
    with duckdb.connect(tmp_path / "w.duckdb") as con:
        for schema in ("marts", "staging", "quarantine"):
            con.execute(f"create schema {schema}")
        frame = scorecard_rows().drop(columns="unit")  # noqa: F841 - read by DuckDB below
        con.execute("create table marts.scorecard_weekly as select * from frame")
        con.execute(
            "insert into marts.scorecard_weekly select * replace ('sales_agent' as ai_system) "
            "from marts.scorecard_weekly where metric_name = 'roai'"
        )
        catalog = CATALOG  # noqa: F841
        con.execute("create table marts.metric_catalog as select * from catalog")
        con.execute(
            """
            create table marts.metric_values as
            select 'containment_rate' as metric_name, 'week' as grain,
                cast(d as date) as period_start, 'ALL' as ai_system, 'all' as segment_key,
                'all' as segment_value, 0.6 as value, 0.5 as ci_low, 0.7 as ci_high,
                100 as sample_size, 'share' as unit
            from range(date '2026-05-04', date '2026-09-28', interval 7 day) as t(d)
            union all
            select 'first_contact_resolution_rate', 'day', date '2026-09-16', 'ALL', 'all', 'all',
                0.7, 0.6, 0.8, 100, 'share'
            """
        )
        experiment = experiments()  # noqa: F841
        con.execute(
            """
            create table marts.experiment_results as
            select * from experiment
            union all by name
            select * replace ('exp_later' as experiment_id,
                timestamp '2026-09-14 00:00:00' as first_assigned_at)
            from experiment
            """
        )
        con.execute(
            "create table marts.roi_summary as select 'ALL' as ai_system,"
            " date '2026-09-07' as week_start, -0.12 as cumulative_roai"
        )
        con.execute(
            "create table staging.stg_reference__settings as"
            " select 'fcr_window_days' as setting_name, '7' as setting_value"
        )
        con.execute(
            """
            create table quarantine.rows as select * from (values
                ('conversations', date '2026-09-08', 'a.parquet', 2, 'csat: 7 is above 5', '{}'),
                ('conversations', date '2026-09-13', 'b.parquet', 5, 'csat: 7 is above 5', '{}'),
                ('conversations', date '2026-09-14', 'c.parquet', 1, 'next week', '{}'),
                ('employees', null, 'employees.csv', 3, 'employee_id missing', '{}')
            ) as t(entity, partition_date, source_file, row_number, reason, record)
            """
        )
        con.execute(
            """
            create table quarantine.files as select * from (values
                ('llm_calls', date '2026-09-01', 'late.parquet', 'missing column model'),
                ('reference', null, 'reference/targets.csv', 'missing column direction')
            ) as t(entity, partition_date, source_file, reason)
            """
        )
        pages = load_scorecard_pages(con, WEEK)
    assert list(pages) == ["ALL", "sales_agent"]
    portfolio, sales = pages["ALL"], pages["sales_agent"]
    assert list(sales.rows["metric_name"]) == ["roai"]
    weeks = sorted(set(pd.to_datetime(portfolio.history["period_start"]).dt.date))
    assert len(weeks) == 12 and weeks[-1] == WEEK
    assert list(portfolio.experiments["experiment_id"]) == ["exp_checkout"]
    assert list(sales.experiments["experiment_id"]) == ["exp_checkout"]
    assert portfolio.roi["cumulative_roai"].tolist() == [-0.12] and sales.roi.empty
    assert portfolio.last_data_day == date(2026, 9, 16)
    assert portfolio.rejects == Rejects(
        rows_quarantined=3,
        files_rejected=1,
        undated_rows=1,
        undated_files=1,
        reasons=(
            "2 conversations rows quarantined: csat: 7 is above 5",
            "1 employees row quarantined: employee_id missing",
            "File rejected: missing column direction",
        ),
    )
    guardrails = portfolio.catalog.set_index("metric_name")["guardrails"]
    assert guardrails["roai"] == "csat_average,hallucination_rate"
