"""The dbt CLI, pointed at the project.

Its profile reads AMW_WAREHOUSE, like the Warehouse resource.
"""

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.transform.project import dbt_project
from orchestration.lib.environment import Environment

# The dbt of this virtualenv, whether or not the venv is on PATH (`.venv/bin/amw` is not activated).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class WarehouseDbt(DbtCliResource):
    """dbt, hashing personal ids with the salt its plugin reads (orchestration/lib/dbt_salt.py):
    every run that builds with the public demo salt on other data says so in its log."""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        warning = Environment.from_env().hash_salt_warning()
        if warning and context.log:
            context.log.warning(warning)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"dbt": WarehouseDbt(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)}
    )
