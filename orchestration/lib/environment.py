"""The one place that maps the environment (`AMW_*` variables) to paths and settings.

Dagster resources, the dbt profile (through the same variables) and the `amw` command all read
their configuration through `Environment.from_env()`, so a path is defined once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

# Where `make run` and `amw demo` keep their files unless told otherwise: inside the clone, ignored.
DEFAULT_DATA_DIR = REPO_ROOT / "data"
# DuckDB's memory limit unless AMW_DUCKDB_MEMORY_LIMIT says otherwise (dbt_project/profiles.yml
# repeats it for dbt run by hand). The Dagster process waits, its connections closed and its
# checks' frames released, while dbt runs: the room left is for it and the system and for the
# Python models' own memory (pandas, the bootstrap). Tier M of `make bench` builds at 3GB
# (peak 4.3 GiB) and at 2GB with AMW_DBT_THREADS=1 (peak 3.3 GiB), not at 2GB with two dbt
# threads (two aggregations side by side run out of memory).
DUCKDB_MEMORY_LIMIT = "60%"
# The salt of the personal-data hashes when none is given: fine for the demo's simulated ids,
# public for everything else. Anyone who reads this repository knows it and reverses a hashed id
# by hashing candidate ids, so every run on other data warns while it is in use.
DEMO_HASH_SALT = "amw-demo-salt"


@dataclass(frozen=True)
class Environment:
    landing_dir: Path
    warehouse_path: Path
    publish_dir: Path
    # Salt of the SHA-256 hashes of customer_id and employee_id (AMW_HASH_SALT, the demo's when
    # no salt is given), or a file holding it (AMW_HASH_SALT_FILE; then hash_salt is None). Only
    # dbt reads the salt, when it opens a connection (orchestration/lib/dbt_salt.py).
    hash_salt: str | None
    hash_salt_file: Path | None
    # With demo on, the nightly job first simulates the partition's day into the landing folder.
    demo: bool
    # The landing data is the simulator's: demo on, or `amw demo`, which sets AMW_DEMO_DATA=1
    # for its runs (demo on would add the nightly simulation). Only then is the demo salt fine.
    demo_data: bool
    # First day of the daily partitions shown in the UI; set it before your oldest landing day.
    partitions_start: str
    # DuckDB, in every process that writes the warehouse (the ingestion steps and dbt): the
    # memory it may use before it spills to the temporary folder, and that folder. DuckDB
    # itself uses every core (its `threads` setting); dbt runs AMW_DBT_THREADS models at a time
    # (default 2, read by dbt_project/profiles.yml alone).
    duckdb_memory_limit: str
    duckdb_temp_dir: Path

    @classmethod
    def from_env(cls) -> Environment:
        # absolute(), not resolve(): the published folder is a symlink swapped on every
        # publication, and must stay the link, not the version it points to today.
        landing = Path(os.environ.get("AMW_LANDING_DIR", DEFAULT_DATA_DIR / "landing")).absolute()
        warehouse = Path(
            os.environ.get("AMW_WAREHOUSE", DEFAULT_DATA_DIR / "warehouse.duckdb")
        ).absolute()
        publish = Path(os.environ.get("AMW_PUBLISH_DIR", warehouse.parent / "published")).absolute()
        salt_file = os.environ.get("AMW_HASH_SALT_FILE")
        demo = _flag("AMW_DEMO")
        return cls(
            landing_dir=landing,
            warehouse_path=warehouse,
            publish_dir=publish,
            hash_salt=os.environ.get("AMW_HASH_SALT") or (None if salt_file else DEMO_HASH_SALT),
            # Absolute: dbt resolves relative paths from its project folder.
            hash_salt_file=Path(salt_file).absolute() if salt_file else None,
            demo=demo,
            demo_data=demo or _flag("AMW_DEMO_DATA"),
            partitions_start=os.environ.get("AMW_PARTITIONS_START", "2026-01-01"),
            duckdb_memory_limit=os.environ.get("AMW_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT),
            duckdb_temp_dir=Path(
                os.environ.get("AMW_DUCKDB_TEMP_DIR", f"{warehouse}.tmp")
            ).absolute(),
        )

    def export(self) -> None:
        """Write the resolved values back as variables: dbt reads them through `env_var()`."""
        os.environ["AMW_LANDING_DIR"] = str(self.landing_dir)
        os.environ["AMW_WAREHOUSE"] = str(self.warehouse_path)
        os.environ["AMW_PUBLISH_DIR"] = str(self.publish_dir)
        if self.hash_salt is not None:
            os.environ["AMW_HASH_SALT"] = self.hash_salt
        if self.hash_salt_file is not None:
            os.environ["AMW_HASH_SALT_FILE"] = str(self.hash_salt_file)
        os.environ["AMW_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        os.environ["AMW_DUCKDB_TEMP_DIR"] = str(self.duckdb_temp_dir)

    def hash_salt_warning(self) -> str | None:
        """What to tell a run on data other than the demo's while ids are hashed with the demo
        salt, which makes them reversible; None for the user's own salt or the demo's data."""
        if self.demo_data or self.hash_salt != DEMO_HASH_SALT:
            return None
        return (
            "customer and employee ids are hashed with the public demo salt: anyone can reverse "
            "them by hashing candidate ids. Set AMW_HASH_SALT_FILE (a file only you can read) or "
            "AMW_HASH_SALT to a secret of your own."
        )


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
