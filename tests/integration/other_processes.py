"""Other processes a run meets: one holding the warehouse open."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# A DuckDB connection held in another process, as a notebook or a DuckDB shell holds one; it
# says so, then keeps the connection until its stdin closes.
_HOLD = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'read_only')\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
)


@contextmanager
def holding(database: Path, read_only: bool) -> Iterator[subprocess.Popen[str]]:
    """Another process with the database open (read-only or not) for the time of the block."""
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(database), "read_only" if read_only else "write"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "holding"
        yield process
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)
