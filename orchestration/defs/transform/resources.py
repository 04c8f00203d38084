"""The dbt CLI, pointed at the project; its profile reads AMW_WAREHOUSE like the Warehouse resource."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.transform.project import dbt_project


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"dbt": DbtCliResource(project_dir=dbt_project)})
