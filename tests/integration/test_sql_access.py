"""SQL access to the published database: comments from dbt, the views, `amw query --csv/--json`,
`amw tables`, reading while a writer holds the warehouse, and `amw docs`; and what the run
found in its Dagster instance: a run killed earlier, which it marks failed.

One real run (one ISO week of simulated data at 30 conversations a day, published) feeds every
test: the comments must come from dbt's persist_docs, which only a real build writes.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.lib import simulator
from orchestration.lib.publish import VIEWS, published_database
from tests.conftest import Workspace, describe
from tests.integration.other_processes import KILLED_JOB, dagster_home, kill_a_run_mid_way, run_of

pytestmark = pytest.mark.slow

FIRST_DAY, LAST_DAY = date(2026, 8, 3), date(2026, 8, 9)  # ISO week 2026-W32
SALT = "test-salt"  # Workspace's AMW_HASH_SALT

# A process with a read-write connection on a DuckDB file, as dbt holds the warehouse during a
# nightly run; it says so, then keeps the connection until its stdin closes.
_HOLD = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("sql_access"))
    simulator.write_landing(ws.landing, FIRST_DAY, LAST_DAY, conversations_per_day=30)
    # A run killed mid-way earlier (a reboot, kill -9) that never recorded its end.
    killed = kill_a_run_mid_way(dagster_home(ws.root))
    result = ws.run("--start", FIRST_DAY.isoformat(), "--end", LAST_DAY.isoformat())
    assert result.returncode == 0, describe(result)
    assert "weeks published: 2026-W32\n" in result.stdout, describe(result)
    assert f"marked 1 interrupted run(s) as failed: {killed}\n" in result.stdout
    return ws


@contextmanager
def writer_holding(path: Path) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "holding"
        yield
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)


def published(ws: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(published_database(ws.published), read_only=True) as con:
        return con.execute(sql).fetchall()


def amw_ok(ws: Workspace, *args: str) -> str:
    process = ws.amw(*args)
    assert process.returncode == 0, describe(process)
    return process.stdout


def one_line_error(process: subprocess.CompletedProcess[str]) -> str:
    assert process.returncode == 2, describe(process)
    assert "Traceback" not in process.stderr
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, process.stderr
    return lines[0]


# --- comments ------------------------------------------------------------------------------


def test_every_published_table_view_and_column_has_a_comment(ws: Workspace) -> None:
    undocumented = published(
        ws,
        """
        select 'table', table_name, null from duckdb_tables() where coalesce(comment, '') = ''
        union all
        select 'view', view_name, null from duckdb_views()
        where not internal and coalesce(comment, '') = ''
        union all
        select 'column', table_name, column_name from duckdb_columns()
        where not internal and coalesce(trim(comment), '') = ''
        """,
    )
    assert undocumented == []
    (columns,) = published(ws, "select count(*) from duckdb_columns() where schema_name = 'marts'")
    assert columns[0] > 100


def test_the_comments_are_dbts_descriptions_copied_from_the_warehouse(ws: Workspace) -> None:
    sql = """
        select table_name, column_name, comment from duckdb_columns()
        where schema_name = 'marts' and table_name = 'metric_values' order by column_index
    """
    warehouse = ws.query(sql)
    assert published(ws, sql) == warehouse
    comments = {column: comment for _, column, comment in warehouse}
    assert comments["sample_size"].startswith("How many input rows the value used")
    (table_comment,) = published(
        ws, "select comment from duckdb_tables() where table_name = 'metric_values'"
    )
    assert table_comment[0].startswith("The metric store: one row per metric_name")
    # Incremental models get their comments as tables do (dbt-duckdb's persist_docs).
    assert ws.query(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and comment is null"
    ) == [(0,)]


# --- views ---------------------------------------------------------------------------------


def test_the_views_exist_with_their_comments(ws: Workspace) -> None:
    views = dict(published(ws, "select view_name, comment from duckdb_views() where not internal"))
    assert views == {view.name: view.comment for view in VIEWS}


def test_the_latest_scorecard_is_the_latest_published_week_with_units(ws: Workspace) -> None:
    rows = published(
        ws,
        "select distinct week_start, iso_week, unit is not null, family is not null,"
        " direction is not null from marts.latest_scorecard",
    )
    assert rows == [(FIRST_DAY, "2026-W32", True, True, True)]


def test_the_experiment_summary_has_one_row_per_experiment(ws: Workspace) -> None:
    columns = "experiment_id, ai_system, verdict, n_control, n_treatment, absolute_lift, p_value"
    summary = published(ws, f"select {columns} from marts.experiment_summary order by 1")
    assert summary == published(ws, f"select {columns} from marts.experiment_results order by 1")
    assert [row[0] for row in summary] == [simulator.EXPERIMENT_ID]


def test_the_latest_roi_has_one_row_per_program(ws: Workspace) -> None:
    latest = published(ws, "select ai_system, week_start from marts.latest_roi order by 1")
    systems = published(ws, "select distinct ai_system from marts.roi_summary order by 1")
    assert [system for system, _ in latest] == [system for (system,) in systems]
    assert {week for _, week in latest} == {FIRST_DAY}


# --- amw query and amw tables --------------------------------------------------------------


def test_query_json_is_a_list_of_objects_alone_on_stdout(ws: Workspace) -> None:
    out = amw_ok(
        ws,
        "query",
        "--json",
        "select week_start, iso_week, 'nan'::double as not_a_number, null as nothing"
        " from marts.published_weeks order by week_start",
    )
    assert json.loads(out) == [
        {"week_start": "2026-08-03", "iso_week": "2026-W32", "not_a_number": None, "nothing": None},
    ]


def test_query_csv_has_a_header_row(ws: Workspace) -> None:
    out = amw_ok(
        ws,
        "query",
        "--csv",
        "select metric_name, value, status from marts.latest_scorecard"
        " where ai_system = 'ALL' order by metric_name",
    )
    header, *rows = list(csv.reader(out.splitlines()))
    assert header == ["metric_name", "value", "status"]
    expected = published(
        ws,
        "select metric_name, value, status from marts.latest_scorecard"
        " where ai_system = 'ALL' order by metric_name",
    )
    assert len(rows) == len(expected) > 0
    for (name, value, status), (want_name, want_value, want_status) in zip(
        rows, expected, strict=True
    ):
        assert (name, status) == (want_name, want_status)
        assert value == ("" if want_value is None else repr(want_value))
    flags = amw_ok(ws, "query", "--csv", "select is_provisional from marts.experiment_summary")
    (provisional,) = published(ws, "select is_provisional from marts.experiment_summary")
    assert flags.splitlines() == ["is_provisional", str(provisional[0]).lower()]


def test_bad_sql_is_one_line_in_every_format(ws: Workspace) -> None:
    for output in ("--csv", "--json"):
        process = ws.amw("query", output, "select * from marts.no_such_table")
        assert "no_such_table" in one_line_error(process)
        assert process.stdout == ""


def test_tables_lists_every_table_and_view_with_its_first_sentence(ws: Workspace) -> None:
    out = amw_ok(ws, "tables")
    listed = re.findall(r"^│ (\S+)\s+│ (table|view)\s+│ (.*?)\s+│$", out, flags=re.MULTILINE)
    expected = published(
        ws,
        """
        select schema_name || '.' || table_name, 'table' from duckdb_tables()
        union all
        select schema_name || '.' || view_name, 'view' from duckdb_views() where not internal
        order by 1
        """,
    )
    assert [(name, kind) for name, kind, _ in listed] == expected
    descriptions = {name: text for name, _, text in listed}
    assert descriptions["marts.experiment_results"] == "One row per A/B experiment."
    assert descriptions["marts.latest_roi"].startswith("Return on AI investment now:")


def test_tables_columns_shows_types_and_comments(ws: Workspace) -> None:
    out = amw_ok(ws, "tables", "--columns", "marts.experiment_summary")
    assert out.startswith("marts.experiment_summary (view): The A/B experiments at a glance")
    rows = re.findall(r"^│ (\w+)\s+│ (\w+)\s+│ (.*?)\s+│$", out, flags=re.MULTILINE)
    assert rows[0] == ("experiment_id", "VARCHAR", "Experiment key.")
    assert ("is_provisional", "BOOLEAN") in [(name, kind) for name, kind, _ in rows]
    assert "no table or view" in one_line_error(ws.amw("tables", "--columns", "marts.nope"))


# --- a writer on the warehouse --------------------------------------------------------------


def test_query_answers_while_a_writer_holds_the_warehouse(ws: Workspace) -> None:
    with writer_holding(ws.warehouse):
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(ws.warehouse), read_only=True)
        out = amw_ok(ws, "query", "--json", "select iso_week from marts.published_weeks")
    assert json.loads(out) == [{"iso_week": "2026-W32"}]


def test_docs_are_refused_while_a_writer_holds_the_warehouse(ws: Workspace) -> None:
    with writer_holding(ws.warehouse):
        line = one_line_error(ws.amw("docs"))
    assert "in use by another process" in line and str(ws.warehouse) in line


def test_the_run_marked_a_run_killed_before_it_as_failed(ws: Workspace) -> None:
    home = ws.root / "dagster_home"
    killed = run_of(home, KILLED_JOB)
    assert killed.status == dg.DagsterRunStatus.FAILURE
    instance = dg.DagsterInstance.from_config(str(home))
    (failure,) = instance.all_logs(killed.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert failure.message.startswith("Interrupted: the process running this run ended")


# --- amw docs ------------------------------------------------------------------------------


def test_docs_builds_the_dbt_and_gx_sites(ws: Workspace) -> None:
    out = amw_ok(ws, "docs")
    pages = dict(re.findall(r"^(dbt docs|GX data docs):\s+(\S+)$", out, flags=re.MULTILINE))
    dbt_page, gx_page = Path(pages["dbt docs"]), Path(pages["GX data docs"])
    assert dbt_page == ws.root / "docs" / "dbt" / "static_index.html"
    # The page carries the catalog dbt read from this warehouse: its relations and comments ...
    catalog = json.loads((dbt_page.parent / "catalog.json").read_text(encoding="utf-8"))
    metadata = catalog["nodes"]["model.ai_metrics_warehouse.metric_values"]["metadata"]
    (comment,) = ws.query("select comment from duckdb_tables() where table_name = 'metric_values'")
    assert metadata["comment"] == comment[0]
    site = dbt_page.read_text(encoding="utf-8")
    assert "The metric store: one row per metric_name" in site
    # ... and the compiled SQL, which reads the salt of the personal-data hashes only at run time.
    assert "getvariable('amw_hash_salt')" in site and SALT not in site
    assert gx_page.name == "index.html" and "uncommitted" in gx_page.parts
    index = gx_page.read_text(encoding="utf-8")
    for suite in ("raw_conversations", "completeness", "sample_sizes"):
        assert f"expectations/{suite}.html" in index
        assert (gx_page.parent / "expectations" / f"{suite}.html").exists()
