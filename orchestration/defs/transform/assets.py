"""Transform: every dbt model, seed and test, built over the run's days.

The dbt assets share the daily partitions of ingestion. A run passes dbt the event days its
landing partitions touched as `min_date`/`max_date`, and incremental models recompute only the
periods those days (and their look-back and look-ahead windows) can change. A reference table
changed since the last successful build (a corrected price, FX or labour rate, a setting) widens
that window to every day it reaches (orchestration/lib/reference_changes.py). Before dbt runs,
the temporary and backup tables of builds that were killed half-way are dropped.
"""

import json
import shutil
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.ingestion.partitions import daily_partitions
from orchestration.defs.ingestion.resources import Warehouse
from orchestration.defs.transform.project import dbt_project
from orchestration.lib import reference_changes
from orchestration.lib.contract import ENTITIES, quote_identifier

# dagster-dbt leaves one target/<run> folder per invocation; keep a few for debugging.
_KEPT_RUN_TARGETS = 3


class WarehouseTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name (`marts/metric_values`) and grouped by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_group_name(dbt_resource_props)
        return dbt_resource_props["schema"]


def event_day_window(warehouse: Warehouse, first: str, last: str) -> dict[str, str]:
    """The event days that the landing partitions [first, last] loaded rows for.

    A correction filed in today's folder can concern an older day, so the window comes from the
    rows' own event days, not from the partition keys. Partitions that loaded nothing still
    narrow the build to their own days: an empty night must not rebuild the whole history.
    """
    union = " union all ".join(
        f"select min(_event_date) as lo, max(_event_date) as hi from raw.{entity}"
        f" where _partition_date between $first and $last"
        for entity in ENTITIES
    )
    with warehouse.connect() as con:
        lo, hi = con.execute(
            f"select min(lo), max(hi) from ({union}) as windows", {"first": first, "last": last}
        ).fetchone()
    if lo is None:
        return {"min_date": first, "max_date": last}
    return {"min_date": min(lo.isoformat(), first), "max_date": max(hi.isoformat(), last)}


def recompute_window(warehouse: Warehouse, first: str, last: str) -> dict[str, str]:
    """The event days dbt recomputes: the partitions' days, widened by reference changes."""
    window = event_day_window(warehouse, first, last)
    with warehouse.connect() as con:
        changed_from = reference_changes.first_changed_day(con)
        last_event = reference_changes.last_event_day(con)
    if changed_from is not None and last_event is not None:
        window = {
            "min_date": min(window["min_date"], changed_from.isoformat()),
            "max_date": max(window["max_date"], last_event.isoformat()),
        }
    return window


# dbt's names for the relations an interrupted build leaves behind: the temporary table of an
# incremental run (a real table for a Python model, `<model>__dbt_tmp<timestamp>` in main)
# and the intermediate and backup relations of a table swap.
_DBT_LEFTOVER = r"__dbt_(tmp|backup)"


def drop_dbt_leftovers(warehouse: Warehouse) -> list[str]:
    """Drop the temporary and backup relations dbt builds left in the warehouse.

    A run killed mid-model leaves them, each kill one more; an incremental Python model leaves
    its `__dbt_tmp` table in main even when it succeeds. No dbt build runs beside this one
    (DuckDB has one writer), so none is in use. Returns the relations dropped, as schema.name.
    """
    with warehouse.connect() as con:
        leftovers = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
            " where table_catalog = current_database() and regexp_matches(table_name, ?)"
            " order by all",
            [_DBT_LEFTOVER],
        ).fetchall()
        for schema, name, kind in leftovers:
            relation = f"{quote_identifier(schema)}.{quote_identifier(name)}"
            con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} if exists {relation}")
    return [f"{schema}.{name}" for schema, name, _ in leftovers]


def _prune_run_targets() -> None:
    target = dbt_project.project_dir / dbt_project.target_path
    runs = sorted(
        (p for p in target.iterdir() if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    for stale in runs[:-_KEPT_RUN_TARGETS]:
        shutil.rmtree(stale, ignore_errors=True)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    keys = context.partition_key_range
    dropped = drop_dbt_leftovers(warehouse)
    if dropped:
        context.log.info(f"dropped what interrupted dbt builds left: {', '.join(dropped)}")
    window = recompute_window(warehouse, keys.start, keys.end)
    context.log.info(f"dbt recomputes the periods of event days {window}")
    yield from dbt.cli(["build", "--vars", json.dumps(window)], context=context).stream()
    # What this build's Python models left, so that a finished run leaves nothing behind.
    drop_dbt_leftovers(warehouse)
    with warehouse.connect() as con:
        reference_changes.record_applied(con)
    _prune_run_targets()
