"""The demo data through the whole pipeline: the planted effects come out where they were planted.

The simulator documents what it plants (`simulator.PLANTED`, docs/demo_data.md): bad rows, a bad
file, a duplicate, a correction, a go-live with a human-only pre-period and an outage. A small
volume keeps the run short; the effects are planted at any volume.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

import pytest

from orchestration.defs.scorecard.assets import GATE_CHECKS
from orchestration.lib import simulator
from orchestration.lib.catalog import METRICS
from orchestration.lib.scorecard import HEADLINE, STATUSES, VERDICTS
from orchestration.lib.simulator import PLANTED
from tests.conftest import Workspace, describe

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("demo"))
    simulator.write_landing(ws.landing, conversations_per_day=60)
    result = ws.run()
    assert result.returncode == 0, describe(result)
    assert "2026-W44" in result.stdout, describe(result)
    # The run's summary accounts for every row it set aside.
    bad_rows, bad_files = len(PLANTED["bad_rows"]), len(PLANTED["bad_files"])
    duplicates, corrections = len(PLANTED["duplicates"]), len(PLANTED["corrections"])
    assert (
        f" + {bad_rows} quarantined + {duplicates} duplicate + {corrections} replaced;"
        f" {bad_files} files rejected" in result.stdout
    ), describe(result)
    return ws


def _line(path: str, row_index: int) -> int:
    """Where the loader reports a row: CSV lines count the header, JSON Lines and Parquet do not."""
    return row_index + {"csv": 2, "jsonl": 1, "parquet": 1}[path.rsplit(".", 1)[-1]]


def test_exactly_the_planted_bad_rows_are_quarantined(demo: Workspace) -> None:
    quarantined = sorted(
        demo.query("select entity, source_file, row_number, reason from quarantine.rows")
    )
    planted = sorted(
        (row["entity"], row["file"], _line(row["file"], row["row_index"]))
        for row in PLANTED["bad_rows"]
    )
    assert [q[:3] for q in quarantined] == planted
    assert all(reason for *_, reason in quarantined)
    csat = next(q for q in quarantined if "csat" in q[3])
    assert "7" in csat[3]


def test_the_planted_bad_file_is_rejected_naming_its_column(demo: Workspace) -> None:
    rejected = demo.query("select entity, source_file, reason from quarantine.files")
    assert [(e, f) for e, f, _ in rejected] == [
        (bad["entity"], bad["file"]) for bad in PLANTED["bad_files"]
    ]
    assert PLANTED["bad_files"][0]["missing_column"] in rejected[0][2]


def test_every_row_read_is_accounted_for(demo: Workspace) -> None:
    unbalanced = demo.query(
        "select * from raw.load_audit where rows_read"
        " <> rows_loaded + rows_quarantined + rows_duplicate + rows_replaced"
    )
    assert unbalanced == []
    totals = dict(
        demo.query(
            "select entity, sum(rows_quarantined) from raw.load_audit group by entity"
            " having sum(rows_quarantined) > 0"
        )
    )
    expected: dict[str, int] = {}
    for row in PLANTED["bad_rows"]:
        expected[row["entity"]] = expected.get(row["entity"], 0) + 1
    assert totals == expected


def test_duplicate_loads_once_and_the_correction_wins(demo: Workspace) -> None:
    duplicate = PLANTED["duplicates"][0]
    assert demo.query(
        "select sum(rows_duplicate) from raw.load_audit where source_file = ?", [duplicate["file"]]
    ) == [(1,)]
    correction = PLANTED["corrections"][0]
    assert demo.query(
        "select sum(rows_replaced) from raw.load_audit where source_file = ?",
        [correction["replaces_file"]],
    ) == [(1,)]
    current = demo.query(
        "select _source_file from raw.conversations"
        " where conversation_id = ? and _disposition = 'loaded'",
        [correction["key"]],
    )
    assert current == [(correction["file"],)]


def _weekly(demo: Workspace, metric: str, system: str) -> dict[date, float]:
    return dict(
        demo.query(
            "select period_start, value from marts.metric_values where metric_name = ?"
            " and grain = 'week' and ai_system = ? and segment_key = 'all'",
            [metric, system],
        )
    )


def test_go_live_pre_period_is_human_only(demo: Workspace) -> None:
    go_live = PLANTED["go_live"]["deployed_at"].date()
    involvement = _weekly(demo, "ai_involvement_rate", "support_assistant")
    before = [v for week, v in involvement.items() if week < go_live]
    after = [v for week, v in involvement.items() if week > go_live]
    assert before and all(v == 0 for v in before)
    assert after and min(after) > 0.7


def test_outage_shows_in_uptime_and_errors(demo: Workspace) -> None:
    outage = PLANTED["outage"]
    day = outage["start"].date()

    def daily(metric: str) -> dict[date, float]:
        return dict(
            demo.query(
                "select period_start, value from marts.metric_values where metric_name = ?"
                " and grain = 'day' and ai_system = ? and segment_key = 'all'",
                [metric, outage["ai_system"]],
            )
        )

    uptime = daily("uptime_percent")
    assert uptime[day] <= outage["uptime_percent_that_day_at_most"]
    # Other days see at most a few failed checks (the simulator's background blips).
    assert min(v for d, v in uptime.items() if d != day) > uptime[day] + 10
    errors = daily("error_rate")
    assert errors[day] > 3 * max(v for d, v in errors.items() if d != day)


def test_all_thirteen_weeks_are_published(demo: Workspace) -> None:
    with_pages = sorted(p.name for p in (demo.published / "scorecards").iterdir())
    assert len(with_pages) == PLANTED["demo"]["iso_weeks"]
    assert with_pages[0] == "2026-W32" and with_pages[-1] == "2026-W44"


def _monthly(demo: Workspace, metric: str, system: str, segment: tuple[str, str]) -> dict:
    return dict(
        demo.query(
            "select period_start, value from marts.metric_values where metric_name = ?"
            " and grain = 'month' and ai_system = ? and segment_key = ? and segment_value = ?",
            [metric, system, *segment],
        )
    )


FULL_MONTHS = (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))


def test_outcome_fairness_gap_shows_where_planted(demo: Workspace) -> None:
    planted = PLANTED["fairness"]["conversations"]
    expected = planted["ai_resolution_rate_b"] / planted["ai_resolution_rate_a"]
    support = _monthly(demo, "outcome_parity_ratio", planted["ai_system"], ("all", "all"))
    sales = _monthly(demo, "outcome_parity_ratio", simulator.SALES, ("all", "all"))
    for month in FULL_MONTHS[1:]:  # support's AI is live from September on
        # ~900 AI conversations a month at this volume: the ratio's standard error is ~0.03.
        assert support[month] == pytest.approx(expected, abs=0.07), month
        # The program without a planted gap stays near parity, above the one with it.
        assert sales[month] > 0.95 > support[month]


def test_prediction_fairness_matches_fairlearn_and_the_planted_gap(demo: Workspace) -> None:
    from fairlearn.metrics import demographic_parity_difference, equal_opportunity_difference

    planted = PLANTED["fairness"]["predictions"]
    rows = demo.frame(
        'select predicted_at, predicted_label, actual_label, "group" from raw.predictions'
        " where _disposition = 'loaded' and task = ? and ai_system = ?",
        [planted["task"], planted["ai_system"]],
    )
    rows["month"] = rows["predicted_at"].dt.date.map(lambda d: d.replace(day=1))
    segment = ("task", planted["task"])
    parity = _monthly(demo, "demographic_parity_difference", planted["ai_system"], segment)
    opportunity = _monthly(demo, "equal_opportunity_difference", planted["ai_system"], segment)
    planted_parity = planted["positive_rate_b"] - planted["positive_rate_a"]
    planted_opportunity = planted["true_positive_rate_b"] - planted["true_positive_rate_a"]
    for month in FULL_MONTHS:
        scope = rows[rows["month"] == month]
        truth, predicted = scope["actual_label"] == "true", scope["predicted_label"] == "true"
        groups = scope["group"]
        assert parity[month] == pytest.approx(
            demographic_parity_difference(truth, predicted, sensitive_features=groups), abs=1e-12
        )
        assert opportunity[month] == pytest.approx(
            equal_opportunity_difference(truth, predicted, sensitive_features=groups), abs=1e-12
        )
        # ~470 predictions a month: standard errors ~0.026 (parity) and ~0.13 (opportunity).
        assert parity[month] == pytest.approx(planted_parity, abs=0.06), month
        assert opportunity[month] == pytest.approx(planted_opportunity, abs=0.3), month


def test_outage_day_is_the_agents_worst(demo: Workspace) -> None:
    outage = PLANTED["outage"]
    day = outage["start"].date()

    def daily(metric: str) -> dict[date, float]:
        return dict(
            demo.query(
                "select period_start, value from marts.metric_values where metric_name = ?"
                " and grain = 'day' and ai_system = ? and segment_key = 'all'"
                " and value is not null",
                [metric, outage["ai_system"]],
            )
        )

    # Uptime, action accuracy and goal completion all drop in the outage's three hours.
    reliability = daily("agent_reliability_index")
    assert reliability[day] == min(reliability.values())
    assert reliability[day] < min(v for d, v in reliability.items() if d != day) - 0.02


def test_generative_and_agent_effects_are_recovered(demo: Workspace) -> None:
    support = PLANTED["go_live"]["ai_system"]
    perplexity = _monthly(demo, "perplexity", support, ("all", "all"))
    for month in FULL_MONTHS[1:]:
        # exp of the mean negative log-probability per token the simulator draws from.
        expected = math.exp(PLANTED["perplexity"]["mean_nll_per_token"])
        assert perplexity[month] == pytest.approx(expected, abs=0.02)
    features = PLANTED["image_features"]
    fid = _monthly(demo, "fid", features["ai_system"], ("all", "all"))
    for month in FULL_MONTHS:
        # ~900 vectors a set a month: the months scatter within 0.2 of the population FID.
        assert fid[month] == pytest.approx(features["population_fid"], abs=0.2), month
    novel = PLANTED["novel_intent"]
    adaptability = _monthly(demo, "adaptability", novel["ai_system"], ("all", "all"))
    # Goal completion on the novel intent is 25 points lower: about 0.6 of the familiar rate.
    assert adaptability[date(2026, 10, 1)] < 0.8
    learning = dict(
        demo.query(
            "select period_start, value from marts.metric_values"
            " where metric_name = 'learning_efficiency' and grain = 'week' and ai_system = ?"
            " and segment_key = 'all'",
            [support],
        )
    )
    last_week = max(learning)
    assert learning[last_week] > 0.5  # points per week; +2 planted on the non-escalated share


def test_the_planted_lift_is_recovered_within_its_intervals(demo: Workspace) -> None:
    planted = PLANTED["experiment"]
    result = demo.frame(
        "select * from marts.experiment_results where experiment_id = ?",
        [planted["experiment_id"]],
    ).iloc[0]
    assert result["ai_system"] == planted["ai_system"]
    assert result["absolute_lift_ci_low"] < planted["absolute_lift"]
    assert planted["absolute_lift"] < result["absolute_lift_ci_high"]
    assert result["relative_lift_ci_low"] < planted["relative_lift"]
    assert planted["relative_lift"] < result["relative_lift_ci_high"]
    # Late orders (after 7 x 24 h) and pending ones are no conversions: counting either would
    # lift the control rate from 10 % towards 13-15 %.
    assert abs(result["rate_control"] - planted["control_rate"]) < 0.02
    # A fair coin: no sample-ratio mismatch, so the verdict is never `invalid`.
    assert result["srm_p_value"] > 0.001
    assert result["verdict"] in {"significant_win", "inconclusive"}


def _lognormal_mean(median: float, sigma: float = 0.45) -> float:
    return median * math.exp(sigma**2 / 2)


def _planted_cost_per_resolution(ai_share: float, p_escalate: float, p_goal: float) -> float:
    """Expected labour cost per resolved support contact under the planted outcome model
    (docs/demo_data.md): people handle a contact in lognormal(median 420 s, sigma 0.45), an
    escalated AI contact in lognormal(330 s, 0.45), and review a quarter of the others for an
    exponential 25 s; people resolve 74 %, escalations 80 %, completed AI contacts 95 % and the
    rest 20 %. The AI's own run cost is a few cents a day and left out."""
    rate = PLANTED["labor"]["default_hourly_usd"] / 3600
    human_resolution = PLANTED["go_live"]["human_resolution_rate"]
    ai_seconds = p_escalate * _lognormal_mean(330.0) + (1 - p_escalate) * 0.25 * 25.0
    ai_resolution = p_escalate * 0.80 + (1 - p_escalate) * (0.2 + 0.75 * p_goal)
    seconds = ai_share * ai_seconds + (1 - ai_share) * _lognormal_mean(420.0)
    resolved = ai_share * ai_resolution + (1 - ai_share) * human_resolution
    return rate * seconds / resolved


def test_the_go_live_effect_is_recovered_by_difference_in_differences(demo: Workspace) -> None:
    go_live = PLANTED["go_live"]
    rows = demo.frame(
        "select * from marts.baseline_comparison where ai_system = ? and deployed_at = ?",
        [go_live["ai_system"], go_live["deployed_at"]],
    ).set_index("metric_name")
    assert set(rows["control_ai_system"]) == {go_live["control_ai_system"]}
    # Human-only before go-live: containment has no pre value, hence no change and no DiD.
    assert rows.loc["containment_rate", ["pre_value", "change", "did"]].isna().all()
    # Cost per resolution falls from people's to the AI mix's: goal completion over the post
    # window is 0.74 + 2 points x 2 weeks on average - 16 points for the 40 % in group B. The
    # control program did not change, so the difference-in-differences recovers the same.
    before = _planted_cost_per_resolution(0.0, 0.0, 0.0)
    after = _planted_cost_per_resolution(
        go_live["ai_share_after"], go_live["escalation_rate"], 0.74 + 0.04 - 0.4 * 0.16
    )
    cost = rows.loc["cost_to_serve_usd"]
    assert cost["pre_value"] == pytest.approx(before, rel=0.05)
    assert cost["change_ci_low"] < after - before < cost["change_ci_high"], cost.to_dict()
    assert cost["did_ci_low"] < after - before < cost["did_ci_high"], cost.to_dict()


def test_the_support_assistants_payback_follows_its_cumulative_value(demo: Workspace) -> None:
    go_live = PLANTED["go_live"]
    roi = demo.frame(
        "select * from marts.roi_summary where ai_system = ? order by week_start",
        [go_live["ai_system"]],
    )
    live = roi[roi["week_start"] >= str(go_live["deployed_at"].date())]
    first = live.iloc[0]
    assert first["implementation_cost_usd"] == pytest.approx(go_live["implementation_cost_usd"])
    assert first["cumulative_roai"] < 0  # the go-live week carries the 45,000 USD project
    # The project is fixed while value grows with volume (at 60 contacts a day it does not pay
    # back within the demo): the payback shows exactly when cumulative value has caught up.
    caught_up = live["cumulative_value_usd"] >= live["cumulative_investment_usd"]
    assert (live["time_to_value_days"].notna() == caught_up.cummax()).all()
    sales = demo.frame(
        "select revenue_source from marts.roi_summary where ai_system = ? and week_start < ?",
        [PLANTED["experiment"]["ai_system"], str(PLANTED["experiment"]["last_day"])],
    )
    assert set(sales["revenue_source"].dropna()) == {"experiment"}


# --- the published scorecard pages --------------------------------------------------------------


def _page(demo: Workspace, week: str, system: str = "ALL") -> str:
    return (demo.published / "scorecards" / week / f"{system}.html").read_text(encoding="utf-8")


def _section(html: str, opening: str) -> str:
    """The HTML from an element's opening tag (the start of it) to the end of its section."""
    start = html.index(opening)
    return html[start : html.index("</section>", start)]


def test_the_portfolio_page_leads_with_every_headline_kpi(demo: Workspace) -> None:
    html = _page(demo, "2026-W44")
    assert "<title>AI scorecard 2026-W44 · ALL</title>" in html
    assert "<script" not in html and not re.search(r"https?://", html)
    headline = _section(html, '<section id="headline"')
    shown = re.findall(
        r'<article class="kpi[^"]*" data-metric="([^"]+)" data-status="(\w+)"', headline
    )
    assert [metric for metric, _ in shown][: len(HEADLINE)] == list(HEADLINE)
    assert {status for _, status in shown} <= set(STATUSES)
    # Trust comes first, in one sentence: every check passed, or the week was not published.
    assert re.search(r'<dd class="trust" id="trust" data-status="on_track">', html)


def test_the_planted_experiments_verdict_is_on_the_portfolio_page(demo: Workspace) -> None:
    planted = PLANTED["experiment"]
    ((verdict, relative_lift),) = demo.query(
        "select verdict, relative_lift from marts.experiment_results where experiment_id = ?",
        [planted["experiment_id"]],
    )
    card = _section(_page(demo, "2026-W44"), f'data-experiment="{planted["experiment_id"]}"')
    card = card[: card.index("</article>")]
    assert f'data-verdict="{verdict}"' in card
    assert VERDICTS[verdict][0] in card
    assert f"{relative_lift * 100:+.1f}%" in card  # the lift, as the mart has it
    assert planted["ai_system"] in card


def test_every_chart_of_the_portfolio_page_is_an_inline_svg(demo: Workspace) -> None:
    html = _page(demo, "2026-W44")
    figures = re.findall(r'<figure class="chart" data-metric="([^"]+)">\s*<svg\b([^>]*)>', html)
    assert len(figures) == html.count('<figure class="chart"')
    keys = {key for key, _ in figures}
    # A trend per headline KPI, the experiment's lift, and each family's small multiples.
    assert {*HEADLINE, "conversion_lift", "customer_service", "business", "responsible_ai"} <= keys
    for key, attributes in figures:
        assert re.search(r'aria-label="[^"]+"', attributes), key
    assert 'aria-label="ROAI: weekly values over the last 12 weeks"' in html


def test_a_guarded_metric_shows_its_guardrails(demo: Workspace) -> None:
    html = _page(demo, "2026-W44")
    guardrails = {m.name: m.guardrails for m in METRICS}
    row = _section(html, 'data-guardrails-of="containment_rate"')
    row = row[: row.index("</tr>")]
    assert re.findall(r'data-guardrail="(\w+)"', row) == list(guardrails["containment_rate"])
    card = _section(html, '<article class="kpi" data-metric="cost_to_serve_usd"')
    card = card[: card.index("</article>")]
    assert re.findall(r'data-guardrail="(\w+)"', card) == list(guardrails["cost_to_serve_usd"])
    assert re.search(r'class="badge (on_track|at_risk|off_track|insufficient_data)"', card)


def test_fairness_is_on_the_page_with_the_prediction_slices(demo: Workspace) -> None:
    planted = PLANTED["fairness"]["predictions"]
    fairness = _section(
        _page(demo, "2026-W44"), '<section class="family" id="family-responsible_ai"'
    )
    assert re.search(r'<tr data-metric="outcome_parity_ratio" data-status="\w+"', fairness)
    # A metric over predictions, on the planted task's slice: the whole opening tag, no status.
    assert re.search(
        r'<tr class="slice[^"]*" data-metric="demographic_parity_difference"'
        rf' data-segment="task:{planted["task"]}">',
        fairness,
    )


@pytest.mark.parametrize("week", ["2026-W36", "2026-W43", "2026-W44"])
def test_the_pages_quality_numbers_are_the_warehouses(demo: Workspace, week: str) -> None:
    """W36 holds the planted bad file, W43 a planted bad row, W44 neither; snapshot files (null
    partition_date) count in every week."""
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    sunday = monday + timedelta(days=6)
    scope = "(partition_date between ? and ? or partition_date is null)"
    ((rows, files),) = demo.query(
        f"select (select count(*) from quarantine.rows where {scope}),"
        f" (select count(*) from quarantine.files where {scope})",
        [monday, sunday, monday, sunday],
    )
    planted_rows = sum(monday <= bad["day"] <= sunday for bad in PLANTED["bad_rows"])
    planted_files = sum(monday <= bad["day"] <= sunday for bad in PLANTED["bad_files"])
    assert (rows, files) == (planted_rows, planted_files)
    quality = re.search(
        r'<section id="quality"[^>]*data-checks-run="(\d+)" data-checks-passed="(\d+)"'
        r' data-rows-quarantined="(\d+)" data-files-rejected="(\d+)"',
        _page(demo, week),
    )
    assert quality is not None
    run, passed, quarantined, rejected = map(int, quality.groups())
    assert run == passed == len(GATE_CHECKS)  # published, so every check of the gate passed
    assert (quarantined, rejected) == (rows, files)
