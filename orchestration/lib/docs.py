"""Documentation sites: dbt's docs of the warehouse and GX's data docs of the quality gate.

Both are built as files that open in a browser from disk, without a server. dbt's catalog is
read from the warehouse itself (every relation and column), and dbt-duckdb opens it read-write;
DuckDB has one writer at a time, so the dbt docs are built only while no nightly run holds the
warehouse, and never make one wait: a busy warehouse is reported, not waited for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse
from urllib.request import url2pathname

import duckdb

from orchestration.lib.environment import DBT_PROJECT_DIR

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

# The dbt of this virtualenv, whether or not the venv is on PATH (`.venv/bin/amw` is not activated).
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
# The salt of the personal-data hashes: the site shows each model's compiled SQL, which reads
# the salt only when a query runs; the docs run none that hashes, so dbt is not given it at all.
SALT_VARIABLES = ("AMW_HASH_SALT", "AMW_HASH_SALT_FILE")
# dbt's `--static` page: index.html with the manifest and catalog inlined, so it opens as a file
# (index.html itself fetches them and needs `dbt docs serve`).
DBT_STATIC_PAGE = "static_index.html"
GX_SITE = "local_site"


class DocsError(RuntimeError):
    """Documentation could not be built; the message says why and what to do."""


def dbt_docs_dir(warehouse_path: Path) -> Path:
    """Beside the warehouse, as the published folder and the run logs are: the site describes
    that warehouse, and dbt_project/target/ keeps only the manifest Dagster reads."""
    return warehouse_path.parent / "docs" / "dbt"


def _check_free(warehouse_path: Path) -> None:
    if not warehouse_path.exists():
        raise DocsError(f"no warehouse at {warehouse_path}; run `amw run` (or `make run`) first")
    try:
        duckdb.connect(str(warehouse_path), read_only=True).close()
    except duckdb.IOException as error:
        raise DocsError(
            f"the warehouse {warehouse_path} is in use by another process (a nightly run?): "
            "build the docs when it has finished"
        ) from error


def _dbt_error(output: str) -> str:
    """The first error dbt logged (`--log-format json` writes one event per line)."""
    for line in output.splitlines():
        try:
            info = json.loads(line)["info"]
        except (ValueError, KeyError, TypeError):
            continue
        if info.get("level") == "error" and info.get("msg", "").strip():
            return " ".join(info["msg"].split())
    return "see dbt_project/logs/dbt.log"


def build_dbt_docs(warehouse_path: Path, target: Path) -> Path:
    """Run `dbt docs generate --static` against the warehouse into `target` (its own target
    path, so the manifest Dagster reads stays as it is); return the page to open."""
    _check_free(warehouse_path)
    env = {k: v for k, v in os.environ.items() if k not in SALT_VARIABLES}
    env["AMW_WAREHOUSE"] = str(warehouse_path)
    process = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "docs",
            "generate",
            "--static",
            "--target-path",
            str(target),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--log-format",
            "json",
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if process.returncode != 0:
        raise DocsError(f"dbt docs generate failed: {_dbt_error(process.stdout)}")
    return target / DBT_STATIC_PAGE


def build_gx_docs(context: AbstractDataContext | None = None) -> Path:
    """Build GX's local site (expectations/gx/uncommitted/data_docs/): every suite of the gate
    with its expectations, and the validation results the runs stored; return its index.

    The pages load GX's styles and scripts from public CDNs: offline, the suite and result
    pages still read as plain HTML, but the index's lists stay empty."""
    # Imported here: GX takes seconds to import, and a busy warehouse should be told at once.
    from orchestration.lib import quality

    context = context or quality.get_quality_context()
    urls = context.build_data_docs(site_names=[GX_SITE])
    return Path(url2pathname(urlparse(urls[GX_SITE]).path))
