"""The pre/post comparison of every deployment: one row per deployment (stg_raw__deployments)
and headline metric, with the values of the pre and post windows, the change, the control
program's values and change, and the difference-in-differences, each with its 95 % interval
(orchestration/lib/baselines.py computes them; marts.baseline_comparison types the columns).

Windows of W = prepost_window_days: pre [deployed_at − W × 24 h, deployed_at), post
[deployed_at, deployed_at + W × 24 h), conversations by started_at, every conversation of the
program (human-only ones too, so that a pre window from before the AI went live compares).
cost_to_serve_usd counts whole UTC days instead, as costs do: pre [deployed_date − W,
deployed_date), post [deployed_date, deployed_date + W); it is the program's cost per resolved
conversation, Σ (run cost + human labour cost) / Σ resolved over int_business_daily's days,
because the catalog's AI-only cost_to_serve_usd has no value before go-live.

A Python model because the median's intervals need a bootstrap. Only the deployments' programs
and windows are read (joined and grouped in DuckDB; each window's values leave it as arrays), so
a build costs the windows, not the history; the bootstrap draws each resampled median directly
(baselines.py), so it costs its 2,000 resamples, not the windows' sizes.
"""

# The docstrings are prose for readers, with typographic signs (minus, times) on purpose.
# ruff: noqa: RUF002

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.lib.baselines import (
    Comparison,
    Estimate,
    compare_medians,
    compare_normal,
    mean_estimate,
    proportion_estimate,
    ratio_estimate,
)
from orchestration.lib.catalog import METRICS

HEADLINE_METRICS = (
    "cost_to_serve_usd",
    "csat_average",
    "resolution_time_p50_seconds",
    "first_contact_resolution_rate",
    "containment_rate",
)
UNITS = {metric.name: metric.unit for metric in METRICS if metric.name in HEADLINE_METRICS}
ROLES_AND_WINDOWS = (
    ("treated", "pre"),
    ("treated", "post"),
    ("control", "pre"),
    ("control", "post"),
)
# What the windows read: the conversation metrics' inputs, and the cost metric's daily sums.
CONVERSATION_COLUMNS = (
    "csat",
    "is_first_contact_resolution",
    "is_ai_involved",
    "is_escalated",
    "resolution_seconds",
)
DAY_COLUMNS = ("run_cost_usd", "labor_cost_usd", "resolved")
SCHEMA = pa.schema(
    [
        ("ai_system", pa.string()),
        ("deployed_at", pa.timestamp("us")),
        ("version", pa.string()),
        ("control_ai_system", pa.string()),
        ("metric_name", pa.string()),
        ("unit", pa.string()),
        ("pre_start", pa.timestamp("us")),
        ("pre_end", pa.timestamp("us")),
        ("post_start", pa.timestamp("us")),
        ("post_end", pa.timestamp("us")),
        ("pre_days_observed", pa.int64()),
        ("post_days_observed", pa.int64()),
        ("pre_value", pa.float64()),
        ("pre_sample_size", pa.int64()),
        ("post_value", pa.float64()),
        ("post_sample_size", pa.int64()),
        ("change", pa.float64()),
        ("change_ci_low", pa.float64()),
        ("change_ci_high", pa.float64()),
        ("control_pre_value", pa.float64()),
        ("control_pre_sample_size", pa.int64()),
        ("control_post_value", pa.float64()),
        ("control_post_sample_size", pa.int64()),
        ("control_change", pa.float64()),
        ("control_change_ci_low", pa.float64()),
        ("control_change_ci_high", pa.float64()),
        ("did", pa.float64()),
        ("did_ci_low", pa.float64()),
        ("did_ci_high", pa.float64()),
    ]
)
MEDIAN_METRIC = "resolution_time_p50_seconds"
# A window's values: column -> one float per row in the window (NaN for null).
Window = dict[str, np.ndarray]


# --- windows


def deployment_windows(deployment: dict, window_days: int) -> dict[str, dict[str, datetime]]:
    """The pre and post windows of a deployment: time bounds (conversations) and day bounds
    (costs; midnight timestamps), each [start, end)."""
    length = timedelta(hours=24 * window_days)
    at = deployment["deployed_at"]
    day = datetime(at.year, at.month, at.day)
    return {
        "pre": {"start_at": at - length, "end_at": at, "start_day": day - length, "end_day": day},
        "post": {"start_at": at, "end_at": at + length, "start_day": day, "end_day": day + length},
    }


def window_rows(deployments: list[dict], window_days: int) -> pd.DataFrame:
    """One row per deployment (its position), role (treated, and control where one is named),
    window and program: the bounds the inputs are joined on."""
    rows = []
    for number, deployment in enumerate(deployments):
        programs = {"treated": deployment["ai_system"], "control": deployment["control_ai_system"]}
        windows = deployment_windows(deployment, window_days)
        for role, window in ROLES_AND_WINDOWS:
            if programs[role] is not None:
                rows.append(
                    {
                        "deployment": number,
                        "role": role,
                        "window": window,
                        "program": programs[role],
                        **windows[window],
                    }
                )
    return pd.DataFrame(rows)


def days_observed(start_day: datetime, end_day: datetime, span: tuple) -> int:
    """Days of [start_day, end_day) within the data's span (the first and last day with
    conversations, any program): fewer than W when the data starts or ends inside the window."""
    first, last = span
    if first is None:
        return 0
    first = datetime(first.year, first.month, first.day)
    until = datetime(last.year, last.month, last.day) + timedelta(days=1)
    return max((min(end_day, until) - max(start_day, first)).days, 0)


def bounds_columns(windows: dict[str, dict[str, datetime]], kind: str, span: tuple) -> dict:
    """The window columns of a row: time bounds ('at') or day bounds ('day'), and the days of
    the day windows the data covers (the same for every metric of a deployment)."""
    pre, post = windows["pre"], windows["post"]
    return {
        "pre_start": pre[f"start_{kind}"],
        "pre_end": pre[f"end_{kind}"],
        "post_start": post[f"start_{kind}"],
        "post_end": post[f"end_{kind}"],
        "pre_days_observed": days_observed(pre["start_day"], pre["end_day"], span),
        "post_days_observed": days_observed(post["start_day"], post["end_day"], span),
    }


def values_in_windows(
    relation, windows, condition: str, columns: tuple[str, ...]
) -> dict[tuple, Window]:
    """(deployment, role, window) -> the relation's values inside that window (condition joins
    aliases `src` and `w`): one list of doubles per window and column is all that leaves
    DuckDB, no frame of rows."""
    groups = "w.deployment, w.role, w.window"
    lists = ", ".join(f"list(cast(src.{column} as double)) as {column}" for column in columns)
    joined = relation.set_alias("src").join(windows.set_alias("w"), condition)
    table = joined.aggregate(f"{groups}, {lists}", groups).fetch_arrow_table()
    found = {}
    for row in range(table.num_rows):
        key = tuple(table[name][row].as_py() for name in ("deployment", "role", "window"))
        # A list's values as floats, its nulls NaN.
        found[key] = {c: table[c][row].values.to_numpy(zero_copy_only=False) for c in columns}
    return found


# --- the metrics


def _containment(window: Window) -> Estimate:
    ai = window["is_ai_involved"] == 1
    return proportion_estimate(1 - window["is_escalated"][ai])


def _cost_per_resolution(days: Window) -> Estimate:
    """A day without a cost or labour row costs 0: nothing was billed or handled."""
    costs = np.nan_to_num(days["run_cost_usd"]) + np.nan_to_num(days["labor_cost_usd"])
    return ratio_estimate(costs, days["resolved"])


# metric_name -> its window estimate, for the metrics with a normal interval.
CONVERSATION_ESTIMATES: dict[str, Callable[[Window], Estimate]] = {
    "csat_average": lambda window: mean_estimate(window["csat"]),
    "first_contact_resolution_rate": lambda window: proportion_estimate(
        window["is_first_contact_resolution"]
    ),
    "containment_rate": _containment,
}


def deployment_values(
    found: dict[tuple, Window], deployment: int, columns: tuple[str, ...], has_control: bool
) -> list[Window | None]:
    """A deployment's values in treated pre and post, control pre and post: a window without
    rows has empty arrays, the control's windows are None without a control program."""
    empty = {column: np.array([]) for column in columns}
    return [
        None
        if role == "control" and not has_control
        else found.get((deployment, role, window), empty)
        for role, window in ROLES_AND_WINDOWS
    ]


def comparisons(
    conversations: list[Window | None], days: list[Window | None], z: float
) -> dict[str, Comparison]:
    """metric_name -> its comparison, from one deployment's windows of conversations and of
    days (treated pre and post, control pre and post)."""

    def per_window(windows: list[Window | None], estimate: Callable) -> list:
        return [None if window is None else estimate(window) for window in windows]

    result = {
        "cost_to_serve_usd": compare_normal(*per_window(days, _cost_per_resolution), z=z),
        MEDIAN_METRIC: compare_medians(
            *per_window(conversations, lambda window: window["resolution_seconds"]), z=z
        ),
    }
    for metric_name, estimate in CONVERSATION_ESTIMATES.items():
        result[metric_name] = compare_normal(*per_window(conversations, estimate), z=z)
    return {name: result[name] for name in HEADLINE_METRICS}


def _value_and_size(estimate: Estimate | None) -> tuple[float | None, int | None]:
    return (None, None) if estimate is None else (estimate.value, estimate.sample_size)


def metric_row(deployment: dict, metric_name: str, c: Comparison, bounds: dict) -> dict:
    """The output row of one deployment and metric."""
    control_pre_value, control_pre_sample_size = _value_and_size(c.control_pre)
    control_post_value, control_post_sample_size = _value_and_size(c.control_post)
    return {
        **deployment,
        "metric_name": metric_name,
        "unit": UNITS[metric_name],
        **bounds,
        "pre_value": c.pre.value,
        "pre_sample_size": c.pre.sample_size,
        "post_value": c.post.value,
        "post_sample_size": c.post.sample_size,
        "change": c.change.value,
        "change_ci_low": c.change.low,
        "change_ci_high": c.change.high,
        "control_pre_value": control_pre_value,
        "control_pre_sample_size": control_pre_sample_size,
        "control_post_value": control_post_value,
        "control_post_sample_size": control_post_sample_size,
        "control_change": c.control_change.value,
        "control_change_ci_low": c.control_change.low,
        "control_change_ci_high": c.control_change.high,
        "did": c.did.value,
        "did_ci_low": c.did.low,
        "did_ci_high": c.did.high,
    }


def model(dbt, session):
    dbt.config(materialized="table")
    # The dbt var ci_z, handed over by the model's config (Python models take no Jinja).
    z = float(dbt.config.get("ci_z"))
    setting = dbt.ref("stg_reference__settings").filter("setting_name = 'prepost_window_days'")
    window_days = int(setting.project("setting_value").fetchall()[0][0])
    deployments = (
        dbt.ref("stg_raw__deployments")
        .project("ai_system, deployed_at, version, control_ai_system")
        .order("ai_system, deployed_at")
        .to_arrow_table()
        .to_pylist()
    )
    if not deployments:
        # An Arrow table keeps the column types, also without rows.
        return pa.Table.from_pylist([], schema=SCHEMA)
    windows = session.from_df(window_rows(deployments, window_days))
    conversations = dbt.ref("int_conversations_enriched")
    span = conversations.aggregate("min(started_date), max(started_date)").fetchall()[0]
    conversation_values = values_in_windows(
        conversations,
        windows,
        "src.ai_system = w.program and src.started_at >= w.start_at and src.started_at < w.end_at",
        CONVERSATION_COLUMNS,
    )
    day_values = values_in_windows(
        dbt.ref("int_business_daily"),
        windows,
        "src.ai_system = w.program and src.business_date >= w.start_day "
        "and src.business_date < w.end_day",
        DAY_COLUMNS,
    )
    rows = []
    for number, deployment in enumerate(deployments):
        windows_of = deployment_windows(deployment, window_days)
        has_control = deployment["control_ai_system"] is not None
        found = comparisons(
            deployment_values(conversation_values, number, CONVERSATION_COLUMNS, has_control),
            deployment_values(day_values, number, DAY_COLUMNS, has_control),
            z=z,
        )
        for metric_name in HEADLINE_METRICS:
            kind = "day" if metric_name == "cost_to_serve_usd" else "at"
            bounds = bounds_columns(windows_of, kind, span)
            rows.append(metric_row(deployment, metric_name, found[metric_name], bounds))
    return pa.Table.from_pylist(rows, schema=SCHEMA)
