"""A day of the landing zone: the `date=YYYY-MM-DD` folder a nightly run reads."""

import dagster as dg

from orchestration.lib.environment import Environment

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=Environment.from_env().partitions_start, timezone="UTC"
)
