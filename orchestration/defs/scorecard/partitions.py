"""An ISO week (Monday to Sunday, UTC): the period one scorecard covers."""

from datetime import date, timedelta

import dagster as dg

from orchestration.lib.environment import Environment


def _first_monday(start: str) -> str:
    day = date.fromisoformat(start)
    return (day + timedelta(days=-day.weekday() % 7)).isoformat()


# day_offset=1: weeks start on Monday, as ISO weeks do.
weekly_partitions = dg.WeeklyPartitionsDefinition(
    start_date=_first_monday(Environment.from_env().partitions_start), day_offset=1, timezone="UTC"
)
