"""The warehouse file and the landing folder, configured from AMW_* variables."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse. Connections are short-lived: dbt writes the same file between steps.

    memory_limit and temp_directory are DuckDB's settings (unset: DuckDB's defaults); the
    definitions pass those of the environment, which dbt's profile also reads.
    """

    path: str
    memory_limit: str | None = None
    temp_directory: str | None = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        settings = {"memory_limit": self.memory_limit, "temp_directory": self.temp_directory}
        con = duckdb.connect(self.path, config={k: v for k, v in settings.items() if v is not None})
        try:
            yield con
        finally:
            con.close()


class Landing(dg.ConfigurableResource):
    """The landing zone: one folder per entity, optionally in `date=` sub-folders."""

    path: str

    @property
    def dir(self) -> Path:
        return Path(self.path)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(
                path=dg.EnvVar("AMW_WAREHOUSE"),
                memory_limit=dg.EnvVar("AMW_DUCKDB_MEMORY_LIMIT"),
                temp_directory=dg.EnvVar("AMW_DUCKDB_TEMP_DIR"),
            ),
            "landing": Landing(path=dg.EnvVar("AMW_LANDING_DIR")),
        }
    )
