"""Fixtures of the loader tests: a landing folder and a warehouse with the raw tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.ingest import ensure_tables


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse file with the raw and quarantine tables, as a load finds them."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        ensure_tables(connection)
        yield connection
