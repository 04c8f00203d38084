"""Generative, agent, responsible-AI, employee and sliced customer-service metrics, against pandas.

The seeded rows of generated_conversations.py (ten ISO weeks of two programs, with a week without
conversations, a program without tone scores, a planted goal-completion trend, intents first seen
at the 28-day edges, zero denominators) are built by one `dbt build`. Each metric of
the metric catalog (docs/metrics.md) that is not text or image based is recomputed here with pandas
and numpy, one function per metric, and compared row by row with marts.metric_values: value,
numerator, denominator, sample_size, interval and unit, per program and ALL, day/week/month, and
for conversation metrics on every segment.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.integration.generated_conversations import (
    DATA,
    ELIGIBLE,
    EMPTY_WEEK,
    NOVELTY_EDGE,
    REPERTOIRE_EDGE,
    SLEEPY_SATURDAY,
    START,
    SYSTEMS,
    TREND,
    WEEKS,
    WINDOW,
    fill,
    in_empty_week,
)
from tests.integration.metric_reference_checks import (
    GRAINS,
    Expected,
    assert_metric_names_include,
    assert_no_infinities,
    assert_recomputing_changes_nothing,
    average,
    build_warehouse,
    check_metric,
    expected_rows,
    find_row,
    metric_frame,
    null_row,
    optional,
    plain,
    ratio,
    share,
    slices,
    with_periods,
)
from tests.integration.test_dbt_models import Warehouse

SEGMENTS = (
    "channel",
    "handled_by",
    "use_case",
    "language",
    "region",
    "customer_segment",
    "customer_group",
    "intent",
)
CONVERSATION_METRICS = (
    "goal_completion_rate",
    "multi_step_reasoning_score",
    "adaptability",
    "auditability_rate",
    "human_oversight_ratio",
)
GENERATIVE = (
    "hallucination_rate",
    "factuality_rate",
    "perplexity",
    "tone_score_average",
    "empathy_score_average",
    "human_preference_score",
    "thumbs_up_rate",
    "feedback_rate",
)
AGENTS = (
    "goal_completion_rate",
    "autonomy_score",
    "action_accuracy",
    "multi_step_reasoning_score",
    "agent_reliability_index",
    "learning_efficiency",
    "adaptability",
)
RESPONSIBLE = (
    "outcome_parity_ratio",
    "explainability_index",
    "auditability_rate",
    "human_oversight_ratio",
    "guardrail_compliance_rate",
    "compliance_score",
)
EMPLOYEES = (
    "adoption_rate",
    "sessions_per_active_employee",
    "employee_satisfaction",
    "minutes_saved_total",
)


# Reference frames: the generated rows with every per-row flag derived here.


def _frame(rows: list[dict], day_column: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    days = frame[day_column]
    frame["day"] = days.dt.date if hasattr(days, "dt") else days
    return with_periods(frame, "day")


def calls_frame() -> pd.DataFrame:
    calls = _frame(DATA["llm_calls"], "started_at")
    calls["is_action"] = calls["operation"].isin(["execute_tool", "invoke_agent"])
    calls["is_generation"] = calls["operation"].isin(["chat", "text_completion"])
    return calls


def repeat_contacts(frame: pd.DataFrame) -> pd.Series:
    """Another contact of the same customer and issue (any program) within 7 x 24 h after."""
    repeated = pd.Series(False, index=frame.index)
    for _, rows in frame.groupby(["customer_id", "issue"]):
        starts = rows["started_at"].to_numpy()
        for index, start in zip(rows.index, starts, strict=True):
            later = (starts > start) & (starts <= start + np.timedelta64(7, "D"))
            repeated[index] = bool(later.any())
    return repeated


def novel_intents(frame: pd.DataFrame) -> pd.Series:
    """True: first seen in the program at most 28 x 24 h before, and not part of its initial
    repertoire (first seen at most 28 x 24 h after the program's first contact); None: no intent."""
    first_seen = frame.groupby(["ai_system", "intent"])["started_at"].min()
    program_start = frame.groupby("ai_system")["started_at"].min()

    def novel(row: pd.Series) -> bool | None:
        if row["intent"] is None or pd.isna(row["intent"]):
            return None
        seen = first_seen[(row["ai_system"], row["intent"])]
        if seen <= program_start[row["ai_system"]] + WINDOW:
            return False
        return bool(row["started_at"] <= seen + WINDOW)

    return frame.apply(novel, axis=1).astype(object)


def conversations_frame() -> pd.DataFrame:
    frame = _frame(DATA["conversations"], "started_at")
    for column in ("csat", "sentiment_start", "sentiment_end", "human_handle_seconds"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    frame["use_case"] = frame["use_case"].fillna("customer_service")
    frame["handled_by"] = np.where(
        ~frame["ai_involved"],
        "human",
        np.where(frame["escalated_to_human"], "ai_then_human", "ai"),
    )
    frame["issue"] = frame["issue_key"].fillna(frame["intent"])
    frame["fcr"] = frame["resolved"] & ~frame["escalated_to_human"] & ~repeat_contacts(frame)
    calls = calls_frame()
    linked = calls.assign(
        error=calls["status"] == "error",
        incorrect=calls["is_action"] & calls["action_correct"].eq(False),
        unaudited=calls[["model", "status", "input_tokens", "output_tokens"]].isna().any(axis=1),
    ).groupby("conversation_id")
    per_conversation = pd.DataFrame(
        {
            "calls": linked.size(),
            "errors": linked["error"].sum(),
            "actions": linked["is_action"].sum(),
            "incorrect_actions": linked["incorrect"].sum(),
            "unaudited_calls": linked["unaudited"].sum(),
        }
    )
    frame = frame.join(per_conversation, on="conversation_id")
    frame[per_conversation.columns] = frame[per_conversation.columns].fillna(0)
    frame["exception"] = frame["ai_involved"] & (
        frame["escalated_to_human"] | (frame["errors"] > 0)
    )
    reviews = pd.DataFrame(DATA["evaluations"])
    reviewed = set(reviews.loc[reviews["evaluator"] == "human", "conversation_id"].dropna())
    frame["has_human_review"] = frame["conversation_id"].isin(reviewed)
    frame["novel"] = novel_intents(frame)
    frame["completed"] = frame["task_completed"].eq(True)
    frame["handle"] = (frame["ended_at"] - frame["started_at"]).dt.total_seconds()
    timed = frame["resolved"] & frame["resolved_at"].notna()
    frame["resolution"] = (frame["resolved_at"] - frame["started_at"]).dt.total_seconds()
    frame.loc[~timed, "resolution"] = np.nan
    return frame


# Reference computations: one per metric, over the rows of one slice-period.


def _ai(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["ai_involved"]]


def goal_completion_rate(rows: pd.DataFrame) -> dict:
    known = _ai(rows)[_ai(rows)["task_completed"].notna()]
    return share(int(known["completed"].sum()), len(known))


def multi_step_reasoning_score(rows: pd.DataFrame) -> dict:
    ai = _ai(rows)
    used = ai[(ai["actions"] >= 2) & ai["task_completed"].notna()]
    return share(int((used["completed"] & (used["incorrect_actions"] == 0)).sum()), len(used))


def auditability_rate(rows: pd.DataFrame) -> dict:
    ai = _ai(rows)
    return share(int(((ai["calls"] > 0) & (ai["unaudited_calls"] == 0)).sum()), len(ai))


def human_oversight_ratio(rows: pd.DataFrame) -> dict:
    ai = _ai(rows)
    return share(int(ai["has_human_review"].sum()), len(ai))


def adaptability(rows: pd.DataFrame) -> dict:
    ai = _ai(rows)
    used = ai[ai["task_completed"].notna() & ai["novel"].notna()]
    novel, other = used[used["novel"].eq(True)], used[used["novel"].eq(False)]
    if novel.empty or other.empty or not other["completed"].any():
        return null_row("ratio")
    return ratio(novel["completed"].mean(), other["completed"].mean(), len(novel), "ratio")


def outcome_parity_ratio(rows: pd.DataFrame) -> dict:
    ai = _ai(rows)
    ai = ai[ai["customer_group"].notna()]
    resolved = ai["resolved"] & ~ai["escalated_to_human"]
    rates = resolved.groupby(ai["customer_group"]).mean()
    if len(rates) < 2 or rates.max() == 0:
        return null_row("ratio")
    return ratio(float(rates.min()), float(rates.max()), len(ai), "ratio")


def _flag_share(values: pd.Series, wanted: object) -> dict:
    """The share of rows whose value is `wanted`, among rows with a value."""
    known = values.dropna()
    return share(int((known == wanted).sum()), len(known))


def hallucination_rate(rows: pd.DataFrame) -> dict:
    return _flag_share(rows["hallucination"], True)


def factuality_rate(rows: pd.DataFrame) -> dict:
    return _flag_share(rows["factual"], True)


def explainability_index(rows: pd.DataFrame) -> dict:
    return _flag_share(rows["explanation_present"], True)


def compliance_score(rows: pd.DataFrame) -> dict:
    return _flag_share(rows["compliant"], True)


def tone_score_average(rows: pd.DataFrame) -> dict:
    return average(rows["tone_score"], "score_0_to_1")


def empathy_score_average(rows: pd.DataFrame) -> dict:
    return average(rows["empathy_score"], "score_0_to_1")


# A period with rows of the metric's source but no input for it has a null row with sample_size
# 0, as the foundation's metrics do (test_dbt_models.py, test_channel_and_handled_by_slices).


def autonomy_score(rows: pd.DataFrame) -> dict:
    return _flag_share(rows.loc[rows["is_action"], "human_intervened"], False)


def action_accuracy(rows: pd.DataFrame) -> dict:
    return _flag_share(rows.loc[rows["is_action"], "action_correct"], True)


def guardrail_compliance_rate(rows: pd.DataFrame) -> dict:
    return _flag_share(rows.loc[rows["is_generation"], "guardrail_triggered"], False)


def perplexity(rows: pd.DataFrame) -> dict:
    used = rows[rows["logprob_sum"].notna() & (rows["logprob_tokens"].fillna(0) > 0)]
    if used.empty:
        return null_row("perplexity", sample_size=0)
    negative_sum, tokens = -float(used["logprob_sum"].sum()), float(used["logprob_tokens"].sum())
    row = {"value": math.exp(negative_sum / tokens), "numerator": negative_sum}
    return {**plain(None, len(used), "perplexity"), **row, "denominator": tokens}


def human_preference_score(rows: pd.DataFrame) -> dict:
    values = rows.loc[rows["kind"] == "preference", "value"]
    return average(values, "preference_0_to_1")


def thumbs_up_rate(rows: pd.DataFrame) -> dict:
    return _flag_share(rows.loc[rows["kind"] == "thumbs", "value"], 1.0)


def feedback_rate(feedback: int, ai_conversations: int) -> dict:
    return ratio(feedback, ai_conversations, ai_conversations, "feedback_per_ai_conversation")


def uptime_share(rows: pd.DataFrame) -> dict:
    return share(int(rows["up"].sum()), len(rows))


def agent_reliability_index(components: list[dict | None]) -> dict:
    """Equal weights (the seed's default): the mean of the three, null when one is null."""
    if any(c is None or c["value"] is None for c in components):
        return null_row("share")
    value = sum(c["value"] for c in components) / len(components)
    return plain(value, min(c["sample_size"] for c in components), "share")


def learning_efficiency(weekly: dict[date, float], week: date, weeks: int = 8) -> dict:
    """The least-squares slope of 100 x the weekly rate on the week number, over the weeks of
    [week - (weeks - 1), week] that have a rate."""
    used = sorted(w for w in weekly if week - timedelta(weeks=weeks - 1) <= w <= week)
    if len(used) < 2:
        return null_row("points_per_week")
    x = [(w - START).days / 7 for w in used]
    slope = np.polyfit(x, [100 * weekly[w] for w in used], 1)[0]
    return plain(float(slope), len(used), "points_per_week")


def adoption_rate(rows: pd.DataFrame) -> dict:
    active = set(rows.loc[rows["sessions"] >= 1, "employee_id"])
    return share(len(active & set(ELIGIBLE)), len(ELIGIBLE))


def sessions_per_active_employee(rows: pd.DataFrame) -> dict:
    active = rows.loc[rows["sessions"] >= 1, "employee_id"].nunique()
    return ratio(float(rows["sessions"].sum()), active, None, "sessions")


def employee_satisfaction(rows: pd.DataFrame) -> dict:
    return average(rows["satisfaction"], "satisfaction_1_to_5")


def minutes_saved_total(rows: pd.DataFrame) -> dict:
    values = rows["minutes_saved"].dropna()
    return plain(float(values.sum()) if len(values) else None, len(values), "minutes")


# The foundation's customer-service metrics, checked on every segment.


def ai_involvement_rate(rows: pd.DataFrame) -> dict:
    return share(int(rows["ai_involved"].sum()), len(rows))


def containment_rate(rows: pd.DataFrame) -> dict:
    return share(int((~_ai(rows)["escalated_to_human"]).sum()), len(_ai(rows)))


def first_contact_resolution_rate(rows: pd.DataFrame) -> dict:
    return share(int(rows["fcr"].sum()), len(rows))


def exception_rate(rows: pd.DataFrame) -> dict:
    return share(int(_ai(rows)["exception"].sum()), len(_ai(rows)))


def csat_average(rows: pd.DataFrame) -> dict:
    return average(rows["csat"], "csat_1_to_5")


def average_handling_time_seconds(rows: pd.DataFrame) -> dict:
    return average(rows["handle"], "seconds")


def resolution_time_p90_seconds(rows: pd.DataFrame) -> dict:
    values = rows["resolution"].dropna()
    return plain(float(np.percentile(values, 90)) if len(values) else None, len(values), "seconds")


FOUNDATION = {
    "ai_involvement_rate": ai_involvement_rate,
    "containment_rate": containment_rate,
    "first_contact_resolution_rate": first_contact_resolution_rate,
    "exception_rate": exception_rate,
    "csat_average": csat_average,
    "average_handling_time_seconds": average_handling_time_seconds,
    "resolution_time_p90_seconds": resolution_time_p90_seconds,
}


def expected_metrics(conversations: pd.DataFrame) -> Expected:
    """Every row the metric catalog defines on DATA: conversation metrics on segments 'all' and
    intent at every grain and on every segment by week and month; the others on segment 'all'."""
    sliced = [
        *slices(conversations),
        *slices(conversations, SEGMENTS, grains=("week", "month")),
        *slices(conversations, ("intent",), grains=("day",)),
    ]
    expected = expected_rows(sliced, {m: globals()[m] for m in CONVERSATION_METRICS})
    expected |= expected_rows(slices(conversations), {"outcome_parity_ratio": outcome_parity_ratio})
    evaluations = _frame(DATA["evaluations"], "evaluated_at")
    expected |= expected_rows(
        slices(evaluations),
        {
            m: globals()[m]
            for m in (
                "hallucination_rate",
                "factuality_rate",
                "tone_score_average",
                "empathy_score_average",
                "explainability_index",
                "compliance_score",
            )
        },
    )
    calls = calls_frame()
    expected |= expected_rows(
        slices(calls),
        {
            m: globals()[m]
            for m in (
                "autonomy_score",
                "action_accuracy",
                "guardrail_compliance_rate",
                "perplexity",
            )
        },
    )
    feedback = _frame(DATA["feedback"], "created_at")
    expected |= expected_rows(
        slices(feedback),
        {"human_preference_score": human_preference_score, "thumbs_up_rate": thumbs_up_rate},
    )
    usage = _frame(DATA["employee_usage"], "usage_date")
    expected |= expected_rows(slices(usage), {m: globals()[m] for m in EMPLOYEES})
    expected |= _feedback_rates(feedback, conversations)
    expected |= _reliability(_frame(DATA["uptime"], "checked_at"), expected)
    expected |= _learning_efficiency(expected)
    return expected


def _feedback_rates(feedback: pd.DataFrame, conversations: pd.DataFrame) -> Expected:
    """Feedback created in the period over AI conversations started in it, each by its time."""
    counts: dict[tuple, list[int]] = {}
    for key, rows in slices(feedback):
        counts.setdefault(key, [0, 0])[0] = len(rows)
    for key, rows in slices(conversations):
        counts.setdefault(key, [0, 0])[1] = int(rows["ai_involved"].sum())
    return {("feedback_rate", *key): feedback_rate(*n) for key, n in counts.items()}


def _reliability(uptime: pd.DataFrame, expected: Expected) -> Expected:
    shares = dict(slices(uptime))
    keys = {k[1:] for k in expected if k[0] in ("action_accuracy", "goal_completion_rate")}
    keys = {k for k in keys if k[3] == "all"} | set(shares)
    return {
        ("agent_reliability_index", *key): agent_reliability_index(
            [
                uptime_share(shares[key]) if key in shares else None,
                expected.get(("action_accuracy", *key)),
                expected.get(("goal_completion_rate", *key)),
            ]
        )
        for key in keys
    }


def _learning_efficiency(expected: Expected) -> Expected:
    rows: Expected = {}
    for system in (*SYSTEMS, "ALL"):
        weekly = {
            key[2]: row["value"]
            for key, row in expected.items()
            if key[:2] == ("goal_completion_rate", "week")
            and key[3:] == (system, "all", "all")
            and row["value"] is not None
        }
        for week in (START + timedelta(weeks=w) for w in range(WEEKS)):
            row = learning_efficiency(weekly, week)
            # A week without conversations may have no row (nor a rate of its own).
            rows[("learning_efficiency", "week", week, system, "all", "all")] = optional(
                row, always=week not in weekly
            )
    return rows


# Fixtures: one build for the module.


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return build_warehouse(tmp_path_factory.mktemp("conversations"), fill)


@pytest.fixture(scope="module")
def actual(warehouse: Warehouse) -> pd.DataFrame:
    return metric_frame(warehouse)


@pytest.fixture(scope="module")
def conversations() -> pd.DataFrame:
    return conversations_frame()


@pytest.fixture(scope="module")
def expected(conversations: pd.DataFrame) -> Expected:
    return expected_metrics(conversations)


def checked_scope(actual: pd.DataFrame) -> pd.DataFrame:
    """The rows the reference covers: segments 'all' and intent at every grain, the other
    segments by week and month."""
    return actual[actual["segment_key"].isin(["all", "intent"]) | (actual["grain"] != "day")]


# Tests.


def test_generated_data_plant_every_case(conversations: pd.DataFrame) -> None:
    flags = conversations.set_index("conversation_id")["novel"]
    assert flags["warranty-first"] is False and flags["upgrade-first"] is True
    assert flags["crypto-edge"] is True and flags["crypto-after"] is False
    assert not conversations["started_at"].map(in_empty_week).any()
    late = conversations.set_index("conversation_id").loc["late-actions"]
    assert (late["actions"], late["incorrect_actions"]) == (3, 1)
    actions = [c for c in DATA["llm_calls"] if c["conversation_id"] == "late-actions"]
    assert {c["started_at"].date() for c in actions} == {late["day"] + timedelta(days=1)}
    assert conversations["task_completed"].isna().any()
    assert (conversations["handled_by"] == "ai_then_human").any()


@pytest.mark.parametrize("metric", CONVERSATION_METRICS)
def test_conversation_metric_matches_pandas_on_every_segment(
    metric: str, actual: pd.DataFrame, expected: Expected
) -> None:
    check_metric(checked_scope(actual), expected, metric)


@pytest.mark.parametrize(
    "metric",
    sorted({*GENERATIVE, *AGENTS, *RESPONSIBLE, *EMPLOYEES} - set(CONVERSATION_METRICS)),
)
def test_metric_matches_pandas(metric: str, actual: pd.DataFrame, expected: Expected) -> None:
    check_metric(actual, expected, metric)


@pytest.mark.parametrize("segment", SEGMENTS)
def test_customer_service_metrics_by_segment_match_pandas_groupby(
    segment: str, actual: pd.DataFrame, conversations: pd.DataFrame
) -> None:
    expected = expected_rows(slices(conversations, (segment,), grains=("week",)), FOUNDATION)
    scope = actual[(actual["grain"] == "week") & (actual["segment_key"] == segment)]
    for metric in FOUNDATION:
        check_metric(scope, expected, metric)


def test_a_week_without_conversations_has_no_conversation_rows(actual: pd.DataFrame) -> None:
    week = actual[
        (actual["grain"] != "month")
        & actual["period_start"].between(EMPTY_WEEK, EMPTY_WEEK + timedelta(days=6))
    ]
    conversation_metrics = {*CONVERSATION_METRICS, *FOUNDATION, "outcome_parity_ratio"}
    assert week[week["metric_name"].isin(conversation_metrics)].empty
    # Feedback arrived that week (a thumbs up) but no AI conversation started: null, never 0.
    rate = week[week["metric_name"] == "feedback_rate"]
    assert rate["value"].isna().all(), rate
    thumbs = find_row(actual, ("thumbs_up_rate", "week", EMPTY_WEEK, "bot_a", "all", "all"))
    assert (thumbs["value"], thumbs["sample_size"]) == (1.0, 1)
    reliability = week[week["metric_name"] == "agent_reliability_index"]
    assert reliability["value"].isna().all(), reliability


def test_a_program_without_tone_scores_has_null_averages(
    actual: pd.DataFrame, expected: Expected
) -> None:
    rows = [k for k in expected if k[0] == "tone_score_average" and k[3] == "bot_b"]
    assert rows and all(expected[k]["value"] is None for k in rows)
    for key in rows:
        row = find_row(actual, key)
        assert pd.isna(row["value"]) and row["sample_size"] == 0, key
    week = find_row(actual, ("tone_score_average", "week", START, "ALL", "all", "all"))
    assert week["value"] > 0


def test_learning_efficiency_recovers_the_planted_trend(
    actual: pd.DataFrame, expected: Expected
) -> None:
    assert set(actual.loc[actual["metric_name"] == "learning_efficiency", "grain"]) == {"week"}
    last = START + timedelta(weeks=WEEKS - 1)
    for system, (_, slope) in TREND.items():
        want = expected[("learning_efficiency", "week", last, system, "all", "all")]
        assert want["value"] == pytest.approx(100 * slope, abs=0.6)  # the planted slope
        assert want["sample_size"] == 7  # eight weeks back, minus the empty one
        row = find_row(actual, ("learning_efficiency", "week", last, system, "all", "all"))
        assert row["value"] == pytest.approx(want["value"], rel=1e-9)
        assert row["sample_size"] == 7


def test_adaptability_at_the_edges_of_its_windows(actual: pd.DataFrame) -> None:
    # 2026-03-09, bot_a, crypto: the contact at exactly 28 x 24 h is novel (done), the ones a
    # second and two hours later are not (done, not done): 1 / (1/2).
    crypto = find_row(
        actual, ("adaptability", "day", NOVELTY_EDGE.date(), "bot_a", "intent", "crypto")
    )
    assert (crypto["value"], crypto["numerator"], crypto["denominator"]) == (2.0, 1.0, 0.5)
    assert crypto["sample_size"] == 1
    # 2026-02-02, bot_b: 'warranty' (first seen exactly one window after the first contact) is
    # initial repertoire; 'upgrade', a second later, is novel and not completed.
    day = find_row(actual, ("adaptability", "day", REPERTOIRE_EDGE.date(), "bot_b", "all", "all"))
    assert (day["value"], day["numerator"], day["sample_size"]) == (0.0, 0.0, 1)


def test_zero_denominators_give_null(actual: pd.DataFrame) -> None:
    key = ("day", SLEEPY_SATURDAY, "bot_b", "all", "all")
    sessions = find_row(actual, ("sessions_per_active_employee", *key))
    assert pd.isna(sessions["value"])
    assert find_row(actual, ("adoption_rate", *key))["value"] == 0
    satisfaction = find_row(actual, ("employee_satisfaction", *key))
    assert pd.isna(satisfaction["value"]) and satisfaction["sample_size"] == 0
    human = find_row(actual, ("goal_completion_rate", "week", START, "ALL", "handled_by", "human"))
    assert pd.isna(human["value"]) and human["sample_size"] == 0


def test_every_metric_is_produced_and_none_is_infinite(
    warehouse: Warehouse, actual: pd.DataFrame
) -> None:
    assert_metric_names_include(
        actual, {*GENERATIVE, *AGENTS, *RESPONSIBLE, *EMPLOYEES, *FOUNDATION}
    )
    assert_no_infinities(warehouse)


def test_every_grain_is_covered(expected: Expected) -> None:
    assert {key[1] for key in expected} == set(GRAINS)


def test_a_nightly_recompute_of_a_mid_range_day_changes_nothing(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    # Mid-week, mid-month: the day, its ISO week, its month and the look-back all recompute.
    assert_recomputing_changes_nothing(warehouse, tmp_path, START + timedelta(days=31))
