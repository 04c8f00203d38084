"""The warehouse file and the landing folder, configured from AMW_* variables."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse. Connections are short-lived: dbt writes the same file between steps."""

    path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path)
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
            "warehouse": Warehouse(path=dg.EnvVar("AMW_WAREHOUSE")),
            "landing": Landing(path=dg.EnvVar("AMW_LANDING_DIR")),
        }
    )
