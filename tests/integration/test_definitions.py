"""The code location loads as the UI and the daemon load it, with what users schedule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    assert scorecard_checks == {
        "completeness",
        "volume",
        "metric_ranges",
        "sample_sizes",
        "usd_amounts",
    }


def test_dbt_models_read_from_the_ingestion_assets() -> None:
    graph = _defs().resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["staging", "stg_raw__conversations"])).parent_keys
    assert dg.AssetKey(["raw", "conversations"]) in parents


def test_demo_mode_adds_the_simulated_source_only_when_asked() -> None:
    """`make ui` runs with AMW_DEMO=1: the graph then starts at `landing/demo_day` (group
    `sources`); with your own files it does not exist. Each mode is a fresh import."""
    script = (
        "import dagster as dg; from orchestration.definitions import defs;"
        "graph = defs.resolve_asset_graph(); key = dg.AssetKey(['landing', 'demo_day']);"
        "print(graph.get(key).group_name if graph.has(key) else 'absent')"
    )
    for demo, expected in (("1", "sources"), ("0", "absent")):
        process = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "AMW_DEMO": demo},
            capture_output=True,
            text=True,
            check=False,
        )
        assert process.returncode == 0, process.stderr
        assert process.stdout.strip().splitlines()[-1] == expected


def test_a_demo_night_simulates_its_day_and_ingests_it(tmp_path: Path) -> None:
    """The demo nightly run: yesterday is simulated into the landing folder, then loaded."""
    from orchestration.defs.ingestion.assets import _demo_asset, _ingestion_asset
    from orchestration.defs.ingestion.resources import Landing, Warehouse

    warehouse = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        [_demo_asset(), _ingestion_asset("conversations", demo=True)],
        partition_key="2026-09-07",
        resources={
            "landing": Landing(path=str(tmp_path / "landing")),
            "warehouse": Warehouse(path=str(warehouse)),
        },
    )
    assert result.success
    simulated = result.asset_materializations_for_node("landing__demo_day")[0].metadata
    loaded = result.asset_materializations_for_node("raw__conversations")[0].metadata
    written = simulated["rows_conversations"].value
    assert written > 0
    assert (tmp_path / "landing" / "conversations" / "date=2026-09-07").is_dir()
    # Every simulated row is read; the planted bad rows are quarantined, not lost.
    assert loaded["rows_read"].value == written
    assert loaded["rows_loaded"].value + loaded["rows_quarantined"].value == written
