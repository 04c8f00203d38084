"""The demo data through the whole pipeline: the planted effects come out where they were planted.

The simulator documents what it plants (`simulator.PLANTED`, docs/demo_data.md): bad rows, a bad
file, a duplicate, a correction, a go-live with a human-only pre-period and an outage. A small
volume keeps the run short; the effects are planted at any volume.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from orchestration.lib import simulator
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
    planted = (len(PLANTED["bad_rows"]), len(PLANTED["bad_files"]))
    assert f"quarantined: {planted[0]} rows, {planted[1]} files rejected" in result.stdout
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
