"""Blocking data-quality checks on every ingested partition (GX suites under `expectations/`).

The loader already quarantines rows that break the contract; these suites guard what it let
through (nulls in required columns, value sets, ranges) before dbt builds on it. A failure stops
the nightly run's dbt step for that run.
"""

import dagster as dg

from orchestration.defs.ingestion.resources import Warehouse
from orchestration.lib.contract import ENTITIES, quote_identifier


def _partition_check(entity: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", entity]),
        name="contract_suite",
        blocking=True,
        description=f"GX suite `raw_{entity}` on the rows this run loaded into `raw.{entity}`.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        from orchestration.lib import quality  # GX takes seconds to import: only when it runs

        keys = context.partition_key_range
        current = f"from raw.{entity} where _disposition = 'loaded' and _partition_date"
        with warehouse.connect() as con:
            rows_per_day = con.execute(
                f"select _partition_date, count(*) {current} between ? and ? group by 1 order by 1",
                [keys.start, keys.end],
            ).fetchall()
        columns = ", ".join(map(quote_identifier, quality.partition_columns(entity)))
        checked = 0
        failures: list[str] = []
        # An empty run still runs the suite once (on no rows), as a day without data would.
        for first, last in quality.day_batches(rows_per_day) or [(keys.start, keys.end)]:
            with warehouse.connect() as con:
                frame = con.execute(
                    f"select {columns} {current} between ? and ?", [first, last]
                ).df()
            result = quality.validate_partition(entity, frame)
            checked += len(frame)
            failures += [f for f in result.failures if f not in failures]
            del frame
            quality.release_memory()
        return dg.AssetCheckResult(
            passed=not failures,
            description="; ".join(failures) or f"{checked} rows pass",
            metadata={"rows_checked": checked, "failures": "\n".join(failures)},
        )

    return _check


@dg.definitions
def ingestion_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[_partition_check(entity) for entity in ENTITIES])
