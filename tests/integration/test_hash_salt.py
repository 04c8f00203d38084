"""The salt of the personal-data hashes reaches dbt's SQL at run time only.

A real dbt build with a distinctive salt, then every file dbt wrote (target/, its log, the partial
parse file) and the warehouse's view definitions are searched for it. The hashes are checked
against hashlib's SHA-256 of salt and id, and a run without the salt must fail, not hash with none.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.lib.dbt_salt import set_hash_salt
from orchestration.lib.environment import DEMO_HASH_SALT
from tests.integration.test_dbt_models import dbt_command, fill_raw

SALT = "s3cr3t-salt-7f9a"
# The customer table dbt builds from the hashing staging view, and the other views that hash.
SELECT = (
    "--select",
    "+int_conversations_enriched",
    "stg_raw__revenue",
    "stg_raw__employees",
    "stg_raw__employee_usage",
    "stg_raw__experiments",
    "--indirect-selection",
    "cautious",
)
MISSING = "amw_hash_salt is not set"


@dataclass
class Build:
    warehouse: Path
    work: Path


def dbt(warehouse: Path, work: Path, *args: str, **salt: str) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` as Dagster runs it, given only the salt variables passed here."""
    env = {k: v for k, v in os.environ.items() if k not in ("AMW_HASH_SALT", "AMW_HASH_SALT_FILE")}
    env.update(salt, AMW_WAREHOUSE=str(warehouse))
    return subprocess.run(
        dbt_command(work, *args), env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("salt")
    built = Build(root / "warehouse.duckdb", root / "work")
    with duckdb.connect(str(built.warehouse)) as con:
        fill_raw(con)
    done = dbt(built.warehouse, built.work, "build", *SELECT, AMW_HASH_SALT=SALT)
    assert done.returncode == 0, done.stdout[-6000:]
    return built


def expected_customer_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "select conversation_id, customer_id from raw.conversations where _disposition = 'loaded'"
    ).fetchall()
    return {cid: hashlib.sha256(f"{SALT}{customer}".encode()).hexdigest() for cid, customer in rows}


def customer_hashes(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return dict(con.execute(f"select conversation_id, customer_id from {relation}").fetchall())


def test_the_salt_is_in_no_file_dbt_writes_nor_in_the_warehouse(build: Build) -> None:
    files = [path for path in build.work.rglob("*") if path.is_file()]
    names = {path.name for path in files}
    # The search covers what leaked the salt before: artifacts, the log, the compiled SQL.
    assert {"manifest.json", "run_results.json", "partial_parse.msgpack", "dbt.log"} <= names
    compiled = next(build.work.glob("target/run/**/stg_raw__conversations.sql")).read_text()
    assert "getvariable('amw_hash_salt')" in compiled
    assert [path for path in files if SALT.encode() in path.read_bytes()] == []
    with duckdb.connect(str(build.warehouse), read_only=True) as con:
        views = con.execute("select view_name, sql from duckdb_views() where not internal")
        assert [name for name, sql in views.fetchall() if SALT in sql] == []
    in_warehouse_file = SALT.encode() in build.warehouse.read_bytes()
    assert not in_warehouse_file


def test_hashes_are_sha256_of_salt_and_id(build: Build) -> None:
    with duckdb.connect(str(build.warehouse), read_only=True) as con:
        expected = expected_customer_hashes(con)
        # Built by dbt, with the salt its plugin set on the connection.
        assert customer_hashes(con, "intermediate.int_conversations_enriched") == expected
        # A staging view hashes as it is read: outside dbt only with the salt, never without.
        with pytest.raises(duckdb.InvalidInputException, match=MISSING):
            customer_hashes(con, "staging.stg_raw__conversations")
        set_hash_salt(con, SALT)
        assert customer_hashes(con, "staging.stg_raw__conversations") == expected


def test_a_run_without_the_salt_fails_and_one_with_a_salt_file_hashes_alike(
    build: Build, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(build.warehouse, warehouse)
    rebuild = ("run", "--select", "int_conversations_enriched", "--full-refresh")
    done = dbt(warehouse, build.work, *rebuild)
    assert done.returncode != 0 and MISSING in done.stdout, done.stdout[-3000:]
    salt_file = tmp_path / "salt"
    salt_file.write_text(f"{SALT}\n")
    salt_file.chmod(0o600)
    done = dbt(warehouse, build.work, *rebuild, AMW_HASH_SALT_FILE=str(salt_file))
    assert done.returncode == 0, done.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = expected_customer_hashes(con)
        assert customer_hashes(con, "intermediate.int_conversations_enriched") == expected


def run_log_warnings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> list[str]:
    """The warnings in the Dagster run log of a run that uses the project's dbt resource."""
    for name in ("AMW_HASH_SALT", "AMW_HASH_SALT_FILE", "AMW_DEMO", "AMW_DEMO_DATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    from orchestration.defs.transform.resources import resources

    @dg.op(required_resource_keys={"dbt"})
    def uses_dbt() -> None:
        pass

    @dg.job(resource_defs={"dbt": resources().resources["dbt"]})
    def with_dbt() -> None:
        uses_dbt()

    instance = dg.DagsterInstance.ephemeral()
    result = with_dbt.execute_in_process(instance=instance)
    logs = instance.all_logs(result.run_id)
    return [entry.user_message for entry in logs if entry.level == logging.WARNING]


def test_runs_on_other_data_than_the_demo_warn_of_the_demo_salt_in_their_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (warning,) = run_log_warnings(monkeypatch)
    assert "public demo salt" in warning and "AMW_HASH_SALT" in warning
    assert run_log_warnings(monkeypatch, AMW_HASH_SALT=DEMO_HASH_SALT) == [warning]
    assert run_log_warnings(monkeypatch, AMW_HASH_SALT="pepper") == []
    assert run_log_warnings(monkeypatch, AMW_DEMO="1") == []
    assert run_log_warnings(monkeypatch, AMW_DEMO_DATA="1") == []
