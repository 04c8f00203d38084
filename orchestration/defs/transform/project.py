"""The dbt project, loaded once.

Kept free of relative imports: dagster-dbt's CLI imports this module alone.
"""

from dagster_dbt import DbtProject

from orchestration.lib.environment import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Parses only under `dagster dev`; `make install` runs `dbt parse` for every other entry point.
dbt_project.prepare_if_dev()
