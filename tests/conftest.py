"""Shared fixtures: the dbt manifest (parsed once) and `amw` runs in a subprocess.

Pipeline tests run the real command, so they exercise what users run: Dagster in process, dbt
as a subprocess, DuckDB files in a temporary folder, and a Dagster instance of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.environment import DBT_PROJECT_DIR, REPO_ROOT

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# The command users run, from this virtualenv whether or not it is activated.
AMW = Path(sys.executable).parent / "amw"


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """dagster-dbt reads the manifest at import; parse once if `make install` has not."""
    if not MANIFEST.exists():
        env = {
            **os.environ,
            "AMW_WAREHOUSE": ":memory:",  # as `make install`: parsing needs no warehouse
        }
        subprocess.run(
            [Path(sys.executable).parent / "dbt", "parse", "--quiet", "--profiles-dir", "."],
            cwd=DBT_PROJECT_DIR,
            env=env,
            check=True,
        )
    return MANIFEST


@dataclass
class Workspace:
    """One user's set-up: a landing folder, a warehouse, a published folder, a Dagster home."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published"

    def environment(self) -> dict[str, str]:
        """The variables of this user's `amw`: their own Dagster home, folders and salt."""
        home = self.root / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text(
            (REPO_ROOT / "dagster_home" / "dagster.yaml").read_text()
        )
        return {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "AMW_LANDING_DIR": str(self.landing),
            "AMW_WAREHOUSE": str(self.warehouse),
            "AMW_PUBLISH_DIR": str(self.published),
            "AMW_HASH_SALT": "test-salt",
            "COLUMNS": "200",
        }

    def amw(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `amw` as a user would; returns the finished process (never raises on failure)."""
        return subprocess.run(
            [AMW, *args],
            env=self.environment(),
            capture_output=True,
            text=True,
            # The demo fixture (13 weeks, each gated and rendered) takes 10+ minutes on 2 cores.
            timeout=1800,
        )

    def run_arguments(self) -> list[str]:
        """`amw run` on this workspace's folders."""
        return [
            "run",
            "--landing",
            str(self.landing),
            "--warehouse",
            str(self.warehouse),
            "--publish",
            str(self.published),
        ]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.amw(*self.run_arguments(), *args)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        """Read the warehouse directly (only between runs: DuckDB has one writer)."""
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def frame(self, sql: str, params: list | None = None):
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).df()


def describe(process: subprocess.CompletedProcess[str]) -> str:
    """What a failed assertion on a run should show: exit status and the tail of both streams."""
    return (
        f"exit {process.returncode}\n--- stdout\n{process.stdout[-4000:]}"
        f"\n--- stderr\n{process.stderr[-6000:]}"
    )
