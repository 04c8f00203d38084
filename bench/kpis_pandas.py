"""The same headline weekly KPIs as kpis.sql, in plain pandas: what a user might write instead."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

COLUMNS = [
    "conversation_id",
    "ai_system",
    "started_at",
    "ended_at",
    "customer_id",
    "issue_key",
    "intent",
    "customer_group",
    "ai_involved",
    "escalated_to_human",
    "resolved",
    "csat",
]


def _read(landing: Path, first: date, last: date) -> pd.DataFrame:
    files = sorted((landing / "conversations").glob("date=*/*.parquet"))
    frame = pd.concat((pd.read_parquet(f, columns=COLUMNS) for f in files), ignore_index=True)
    day = frame["started_at"].dt.date
    frame = frame[(day >= first) & (day <= last)].copy()
    frame["issue_key"] = frame["issue_key"].fillna(frame["intent"]).fillna("")
    frame["week"] = frame["started_at"].dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    return frame


def _first_contact_resolved(frame: pd.DataFrame) -> pd.Series:
    """Resolved, not escalated, and no contact of the same customer and issue within 7 days."""
    ordered = frame[["customer_id", "issue_key", "started_at"]].sort_values("started_at")
    later = ordered.rename(columns={"started_at": "next_at"})
    nearest = pd.merge_asof(
        ordered.reset_index(),
        later,
        left_on="started_at",
        right_on="next_at",
        by=["customer_id", "issue_key"],
        direction="forward",
        allow_exact_matches=False,
    ).set_index("index")["next_at"]
    repeated = (nearest - frame["started_at"]) <= pd.Timedelta(days=7)
    return frame["resolved"] & ~frame["escalated_to_human"] & ~repeated.reindex(frame.index)


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    ai = frame["ai_involved"]
    flags = pd.DataFrame(
        {
            "week": frame["week"],
            "ai_system": frame["ai_system"],
            "conversations": 1,
            "ai": ai,
            "ai_contained": ai & ~frame["escalated_to_human"],
            "ai_escalated": ai & frame["escalated_to_human"],
            "ai_resolved": frame["ai_resolved_contained"],
            "fcr": frame["fcr"],
            "csat": frame["csat"],
            "handle_seconds": (frame["ended_at"] - frame["started_at"]).dt.total_seconds(),
        }
    )
    systems = flags.groupby(["week", "ai_system"])
    everything = flags.assign(ai_system="ALL").groupby(["week", "ai_system"])
    sums = pd.concat([systems.sum(numeric_only=True), everything.sum(numeric_only=True)])
    means = pd.concat(
        [
            systems[["csat", "handle_seconds"]].mean(),
            everything[["csat", "handle_seconds"]].mean(),
        ]
    )
    ai_count = sums["ai"].where(sums["ai"] > 0)
    return pd.DataFrame(
        {
            "ai_resolution_rate": sums["ai_resolved"] / ai_count,
            "containment_rate": sums["ai_contained"] / ai_count,
            "escalation_rate": sums["ai_escalated"] / ai_count,
            "first_contact_resolution_rate": sums["fcr"] / sums["conversations"],
            "csat_average": means["csat"],
            "average_handling_time_seconds": means["handle_seconds"],
        }
    )


def _parity(frame: pd.DataFrame) -> pd.Series:
    ai = frame[frame["ai_involved"] & frame["customer_group"].notna()]
    keys = ["week", "ai_system", "customer_group"]
    by_system = ai.groupby(keys)["ai_resolved_contained"].mean()
    overall = ai.assign(ai_system="ALL").groupby(keys)["ai_resolved_contained"].mean()
    rates = pd.concat([by_system, overall]).groupby(level=["week", "ai_system"])
    ratio = rates.min() / rates.max()
    return ratio.where((rates.count() >= 2) & (rates.max() > 0)).rename("outcome_parity_ratio")


def weekly_kpis(landing: Path, first: date, last: date) -> pd.DataFrame:
    """Columns week, ai_system, metric_name, value; null values left out, as in kpis.sql."""
    frame = _read(landing, first, last)
    frame["ai_resolved_contained"] = (
        frame["ai_involved"] & ~frame["escalated_to_human"] & frame["resolved"]
    )
    frame["fcr"] = _first_contact_resolved(frame)
    wide = _rates(frame).join(_parity(frame), how="outer")
    long = wide.reset_index().melt(["week", "ai_system"], var_name="metric_name")
    long["week"] = long["week"].dt.date
    return long.dropna(subset=["value"]).reset_index(drop=True)
