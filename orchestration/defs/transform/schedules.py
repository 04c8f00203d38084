"""The nightly job: yesterday's landing partitions, then dbt over the days they touched."""

import dagster as dg

from orchestration.defs.ingestion.partitions import daily_partitions

nightly_job = dg.define_asset_job(
    name="nightly",
    # Everything daily: the feeds and every dbt model; the weekly scorecard has its own job.
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("scorecard"),
    partitions_def=daily_partitions,
    description="Ingest the day's landing partitions, check them, build the dbt models and tests.",
)

nightly_schedule = dg.build_schedule_from_partitioned_job(
    nightly_job,
    name="nightly_at_0200_utc",
    hour_of_day=2,
    minute_of_hour=0,
    description="Every night at 02:00 UTC: yesterday's partition of every feed, then dbt.",
)
