"""The code location loads as the UI and the daemon load it, with what users schedule."""

from __future__ import annotations

import dagster as dg

from orchestration.lib.contract import ENTITIES


def _defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def test_definitions_load_with_both_jobs_and_schedules() -> None:
    defs = _defs()
    repository = defs.get_repository_def()
    assert {"nightly", "weekly_scorecard"} <= {job.name for job in repository.get_all_jobs()}
    schedules = {s.name: s for s in repository.schedule_defs}
    assert schedules["nightly_at_0200_utc"].cron_schedule == "0 2 * * *"
    assert schedules["weekly_on_monday_0600_utc"].cron_schedule == "0 6 * * 1"
    for schedule in schedules.values():
        assert schedule.execution_timezone in (None, "UTC")


def test_every_feed_is_an_asset_with_a_blocking_check() -> None:
    graph = _defs().resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    for entity in ENTITIES:
        key = dg.AssetKey(["raw", entity])
        assert key in keys
        checks = [c for c in graph.asset_check_keys if c.asset_key == key]
        assert checks, f"no check on {key}"
        assert all(graph.get_check_spec(c).blocking for c in checks)
    assert dg.AssetKey(["marts", "metric_values"]) in keys
    scorecard_checks = {
        c.name
        for c in graph.asset_check_keys
        if c.asset_key == dg.AssetKey(["scorecard", "weekly_scorecard"])
    }
    assert scorecard_checks == {"completeness", "volume", "metric_ranges", "sample_sizes"}


def test_dbt_models_read_from_the_ingestion_assets() -> None:
    graph = _defs().resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["staging", "stg_raw__conversations"])).parent_keys
    assert dg.AssetKey(["raw", "conversations"]) in parents
