"""The dbt CLI, pointed at the project.

Its profile reads AMW_WAREHOUSE, like the Warehouse resource.
"""

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.transform.project import dbt_project

# The dbt of this virtualenv, whether or not the venv is on PATH (`.venv/bin/amw` is not activated).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)}
    )
