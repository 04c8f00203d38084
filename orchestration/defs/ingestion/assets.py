"""Ingestion: the landing zone's files, one daily-partitioned asset per entity of the contract.

A partition is one day of landing folders (`<entity>/date=YYYY-MM-DD/`, plus the rows of that UTC
day in files outside date folders). Loading a partition replaces what that partition loaded
before, so re-running a day never double counts; bad rows go to `quarantine.rows`, unreadable
files to `quarantine.files`, and `raw.load_audit` accounts for every row read.
"""

from collections import Counter
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.ingestion.partitions import daily_partitions
from orchestration.defs.ingestion.resources import Landing, Warehouse
from orchestration.lib import ingest, simulator
from orchestration.lib.contract import ENTITIES, REFERENCE_TABLES
from orchestration.lib.environment import DBT_PROJECT_DIR, Environment
from orchestration.lib.publish import published_database
from orchestration.lib.warehouse_lock import WarehouseInUse, check_warehouse_free

DEMO_SOURCE = dg.AssetKey(["landing", "demo_day"])
# Reasons name the bad value, so they differ row by row: the UI shows the first ones.
_SET_ASIDE_LINES = 20


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """The days a run covers: one for the nightly schedule, many for a single-run backfill."""
    return [date.fromisoformat(key) for key in context.partition_keys]


def check_free(warehouse: Warehouse) -> None:
    """Fail the step before any work when another process holds the warehouse, naming it: a
    run launched from the UI meets a notebook's lock here rather than half-way through."""
    published = published_database(Environment.from_env().publish_dir)
    try:
        check_warehouse_free(Path(warehouse.path), published)
    except WarehouseInUse as error:
        raise dg.Failure(description=str(error)) from None


def _ingestion_asset(entity: str, demo: bool) -> dg.AssetsDefinition:
    folders = f"`<landing>/{entity}/`"
    if entity == "llm_calls":
        folders += " and the OTLP/JSON trace exports in `<landing>/otlp/`"

    @dg.asset(
        key=["raw", entity],
        group_name="ingestion",
        kinds={"duckdb", "python"},
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=[DEMO_SOURCE] if demo else [],
        description=(
            f"Typed rows of the `{entity}` feed in `raw.{entity}`, loaded from {folders}: "
            "one partition is one landing day."
        ),
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse: Warehouse, landing: Landing
    ) -> dg.MaterializeResult:
        check_free(warehouse)
        results = []
        with warehouse.connect() as con:
            ingest.ensure_tables(con)
            for day in partition_days(context):
                results.append(ingest.load_partition(con, entity, landing.dir, day))
        totals = ingest.totals(results)
        metadata: dict[str, object] = dict(totals)
        days = context.partition_key_range
        with warehouse.connect() as con:
            accounts = ingest.file_accounts(con, days.start, days.end, entity).get(entity, [])
            aside = [f for f in accounts if ingest.sets_aside(f)]
            if aside:
                context.log.warning(
                    f"{entity}: {totals['rows_quarantined']} rows quarantined, "
                    f"{totals['rows_duplicate']} duplicate, {totals['rows_replaced']} replaced, "
                    f"{totals['files_rejected']} files rejected "
                    "(see raw.load_audit, quarantine.rows and quarantine.files)"
                )
                metadata["files_set_aside"] = dg.MetadataValue.md(_files_table(aside))
                if any(f.rows_quarantined or f.rejected for f in aside):
                    metadata["set_aside"] = dg.MetadataValue.md(_set_aside(con, entity, days))
        return dg.MaterializeResult(metadata=metadata)

    return _asset


def _files_table(files: list[ingest.FileResult]) -> str:
    """The files of the run's days that did not load every row, with their accounting."""
    lines = [
        "| File | Read | Loaded | Quarantined | Duplicate | Replaced | Rejected |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for f in files[:_SET_ASIDE_LINES]:
        rejected = (f.rejected or "").replace("|", "\\|")
        lines.append(
            f"| `{f.source_file}` | {f.rows_read:,} | {f.rows_loaded:,} | {f.rows_quarantined:,}"
            f" | {f.rows_duplicate:,} | {f.rows_replaced:,} | {rejected} |"
        )
    if len(files) > _SET_ASIDE_LINES:
        lines.append(f"\n{len(files) - _SET_ASIDE_LINES} more files: see raw.load_audit.")
    return "\n".join(lines)


def _set_aside(con, entity: str, days: dg.PartitionKeyRange) -> str:
    """What the run's days set aside, in words: rejected files and quarantined rows by reason."""
    rows = con.execute(
        """
        select 'file rejected' as kind, source_file, reason, count(*) as n
        from quarantine.files
        where entity = $entity and partition_date between $start and $end
        group by all
        union all
        select 'rows quarantined', source_file, reason, count(*)
        from quarantine.rows
        where entity = $entity and partition_date between $start and $end
        group by all
        order by kind, source_file, reason
        """,
        {"entity": entity, "start": days.start, "end": days.end},
    ).fetchall()
    lines = ["| What | File | Reason | Rows |", "|---|---|---|---:|"]
    for kind, source_file, reason, n in rows[:_SET_ASIDE_LINES]:
        count = "" if kind == "file rejected" else str(n)
        reason = reason.replace("|", "\\|")
        lines.append(f"| {kind} | `{source_file}` | {reason} | {count} |")
    if len(rows) > _SET_ASIDE_LINES:
        more = len(rows) - _SET_ASIDE_LINES
        lines.append(f"\n{more} more reasons: see quarantine.rows and quarantine.files.")
    return "\n".join(lines)


def _snapshot_asset(demo: bool) -> dg.AssetsDefinition:
    """Reference overrides and the employees roster: snapshots, replaced whole on every run."""
    specs = [
        dg.AssetSpec(
            ["raw", f"reference_{name}"],
            group_name="ingestion",
            kinds={"duckdb", "csv"},
            partitions_def=daily_partitions,
            deps=[DEMO_SOURCE] if demo else [],
            description=(
                f"`<landing>/reference/{name}.csv` when the user supplies it (all text; dbt casts "
                f"it), else empty and the dbt seed `{name}` applies."
            ),
        )
        for name in REFERENCE_TABLES
    ]
    specs.append(
        dg.AssetSpec(
            ["raw", "employees"],
            group_name="ingestion",
            kinds={"duckdb", "python"},
            partitions_def=daily_partitions,
            deps=[DEMO_SOURCE] if demo else [],
            description="The employees roster: the latest file under `<landing>/employees/`.",
        )
    )

    @dg.multi_asset(
        name="reference_snapshot",
        specs=specs,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def _asset(warehouse: Warehouse, landing: Landing):
        check_free(warehouse)
        with warehouse.connect() as con:
            ingest.ensure_tables(con)
            result = ingest.load_snapshot(con, landing.dir, DBT_PROJECT_DIR / "seeds")
        metadata = result.as_metadata()
        for spec in specs:
            yield dg.MaterializeResult(asset_key=spec.key, metadata=metadata)

    return _asset


def _demo_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=DEMO_SOURCE,
        group_name="sources",
        kinds={"python"},
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=(
            "Demo mode only (AMW_DEMO=1): simulates each partition's day into the landing "
            "folder, deterministically, so the nightly schedule has a 'yesterday' to pull."
        ),
    )
    def _asset(context: dg.AssetExecutionContext, landing: Landing) -> dg.MaterializeResult:
        written: Counter[str] = Counter()
        for day in partition_days(context):
            written.update(simulator.write_day(landing.dir, day))
        return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in written.items()})

    return _asset


@dg.definitions
def ingestion_assets() -> dg.Definitions:
    demo = Environment.from_env().demo
    assets = [_ingestion_asset(entity, demo) for entity in ENTITIES]
    assets.append(_snapshot_asset(demo))
    if demo:
        assets.append(_demo_asset())
    return dg.Definitions(assets=assets)
