"""The weekly job: Monday 06:00 UTC, the previous ISO week is gated, rendered and published."""

import dagster as dg

from orchestration.defs.scorecard.partitions import weekly_partitions

weekly_job = dg.define_asset_job(
    name="weekly_scorecard",
    selection=dg.AssetSelection.groups("scorecard"),
    partitions_def=weekly_partitions,
    description="Gate the week, render its scorecard pages, publish them if every check passed.",
)

weekly_schedule = dg.build_schedule_from_partitioned_job(
    weekly_job,
    name="weekly_on_monday_0600_utc",
    hour_of_day=6,
    minute_of_hour=0,
    day_of_week=1,
    description="Mondays at 06:00 UTC: the scorecard of the ISO week that just ended.",
)
