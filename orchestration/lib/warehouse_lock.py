"""A run writes the warehouse alone: it checks that no other process holds the file first.

DuckDB lets one process open a database file for writing, and only while no other process has it
open at all: a notebook or a DuckDB shell reading the warehouse, even read-only, keeps a run out,
and a run keeps every reader out. Met in the middle of a run, that lock failed the run after its
ingestion with DuckDB's own error; opening the file for writing once, before any work, finds it
at the start and names the process that holds it.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import duckdb
import psutil

# DuckDB names the holder in its error: "Conflicting lock is held in <program> (PID 1234)".
_HOLDER_PID = re.compile(r"\(PID (\d+)\)")


class WarehouseInUse(RuntimeError):
    """Another process holds the warehouse; the message says which and where readers belong."""


def check_warehouse_free(warehouse: Path, published: Path) -> None:
    """Open the warehouse for writing and close it at once; raise WarehouseInUse when another
    process holds it. A warehouse that does not exist yet is free, and is not created here."""
    if not warehouse.exists():
        return
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.IOException as error:
        if "Could not set lock" not in str(error):
            raise
        raise WarehouseInUse(
            f"the warehouse {warehouse} is held by another process ({_holder(str(error))}),"
            " and a run must write it alone: readers belong on the published copy (`amw query`,"
            f" or {published}); close that connection and run again"
        ) from None


def _holder(message: str) -> str:
    """The holding process as DuckDB names it (its PID), with its command line when the system
    lets us read it."""
    match = _HOLDER_PID.search(message)
    if match is None:
        return "DuckDB did not say which"
    pid = int(match.group(1))
    try:
        command = " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:  # gone since, or another user's
        command = ""
    if not command:
        return f"PID {pid}"
    return f"PID {pid}: {textwrap.shorten(command, 120, placeholder=' ...')}"
