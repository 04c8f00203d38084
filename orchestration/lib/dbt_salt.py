"""The salt of the personal-data hashes, handed to dbt's DuckDB connections at run time.

dbt_project/macros/personal_data.sql hashes customer and employee ids with a salt its SQL reads
from the session variable `amw_hash_salt`, never from text that dbt renders: rendered text ends
up in target/, in dbt.log and in the warehouse's view definitions, where anyone who reads them
could take the salt and reverse the hashes. This dbt-duckdb plugin (`plugins:` in profiles.yml)
sets the variable on every connection and cursor dbt opens, through DuckDB's Python API with the
salt as a bound parameter: dbt neither sees nor logs that statement.

The salt comes from AMW_HASH_SALT, or from the file that AMW_HASH_SALT_FILE names (its first
line), which keeps it out of the environment of every process. Neither set, the plugin sets
nothing and any model that hashes fails: the demo salt is the `amw` command's default
(orchestration/lib/environment.py), never dbt's own.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

# The session variable the hashing SQL reads (dbt_project/macros/personal_data.sql).
SALT_VARIABLE = "amw_hash_salt"


class HashSaltError(RuntimeError):
    """The salt cannot be read; the message says why and what to do."""


def read_hash_salt(environ: Mapping[str, str] = os.environ) -> str | None:
    """AMW_HASH_SALT, or the first line of the file AMW_HASH_SALT_FILE names; None if neither.

    The file must be readable by its owner alone, as ssh insists for its keys: a salt that
    others can read protects nothing."""
    value = environ.get("AMW_HASH_SALT", "")
    file_name = environ.get("AMW_HASH_SALT_FILE", "")
    if value and file_name:
        raise HashSaltError("AMW_HASH_SALT and AMW_HASH_SALT_FILE are both set: keep one")
    if not file_name:
        return value or None
    path = Path(file_name)
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise HashSaltError(f"AMW_HASH_SALT_FILE {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise HashSaltError(
            f"AMW_HASH_SALT_FILE {path} can be read by others (mode {stat.filemode(mode)}):"
            f" `chmod 600 {path}`"
        )
    salt = text.splitlines()[0] if text else ""
    if not salt:
        raise HashSaltError(f"AMW_HASH_SALT_FILE {path} has no salt on its first line")
    return salt


def set_hash_salt(con: DuckDBPyConnection, salt: str) -> None:
    """Give one DuckDB connection the salt (a cursor is a connection of its own: set it on each)."""
    con.execute(f"set variable {SALT_VARIABLE} = ?", [salt])


class Plugin(BasePlugin):
    """dbt-duckdb's hook on every connection it opens and every cursor it takes from one."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.salt = read_hash_salt()

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        if self.salt is not None:
            set_hash_salt(conn, self.salt)

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        if self.salt is not None:
            set_hash_salt(cursor, self.salt)
