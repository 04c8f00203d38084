"""The code location: every definition under `defs/`, run in one process.

The in-process executor matters here: the default multiprocess executor re-imports the code for
every step (seconds each on two cores) and its steps would race for DuckDB's single-writer lock.
"""

from pathlib import Path

import dagster as dg

from orchestration.lib.environment import Environment

# Resolve AMW_* defaults once, so resources (EnvVar) and dbt (env_var) see the same paths.
Environment.from_env().export()


defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(executor=dg.in_process_executor),
)
