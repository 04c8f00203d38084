"""Blocking data-quality checks on every ingested partition (GX suites under `expectations/`).

The loader already quarantines rows that break the contract; these suites guard what it let
through (nulls in required columns, value sets, ranges) before dbt builds on it. A failure stops
the nightly run's dbt step for that run.
"""

import dagster as dg

from orchestration.defs.ingestion.resources import Warehouse
from orchestration.lib.contract import ENTITIES


def _partition_check(entity: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", entity]),
        name="contract_suite",
        blocking=True,
        description=f"GX suite `raw_{entity}` on the rows this run loaded into `raw.{entity}`.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        keys = context.partition_key_range
        with warehouse.connect() as con:
            frame = con.execute(
                f"select * from raw.{entity} where _disposition = 'loaded'"
                " and _partition_date between ? and ?",
                [keys.start, keys.end],
            ).df()
        from orchestration.lib import quality  # GX takes seconds to import: only when it runs

        result = quality.validate_partition(entity, frame)
        return dg.AssetCheckResult(
            passed=result.success,
            description="; ".join(result.failures) or f"{len(frame)} rows pass",
            metadata={"rows_checked": len(frame), "failures": "\n".join(result.failures)},
        )

    return _check


@dg.definitions
def ingestion_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[_partition_check(entity) for entity in ENTITIES])
