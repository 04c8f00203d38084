"""`amw` answers a user's mistakes with one line that says what to do, and no traceback."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish import published_database
from tests.conftest import AMW, Workspace
from tests.integration import handmade_landing


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path)


def _one_line_error(process) -> str:
    assert process.returncode == 2, process.stderr
    assert "Traceback" not in process.stderr
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, process.stderr
    return lines[0]


def test_run_without_a_landing_folder(ws: Workspace) -> None:
    line = _one_line_error(ws.run())
    assert "landing folder" in line and str(ws.landing) in line


def test_a_run_with_the_demo_salt_warns_unless_the_data_is_the_demo(ws: Workspace) -> None:
    environment = {k: v for k, v in ws.environment().items() if k != "AMW_HASH_SALT"}
    command = [AMW, *ws.run_arguments()]
    own = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert own.returncode == 2, own.stderr
    warning, error = [line for line in own.stderr.splitlines() if line.strip()]
    assert warning.startswith("amw: warning:") and "public demo salt" in warning
    assert "landing folder" in error
    demo = subprocess.run(
        command, env={**environment, "AMW_DEMO_DATA": "1"}, capture_output=True, text=True
    )
    assert "landing folder" in _one_line_error(demo)


def test_a_salt_file_others_can_read_stops_the_run_before_any_work(ws: Workspace) -> None:
    ws.landing.mkdir()
    salt = ws.root / "salt"
    salt.write_text("s3cr3t\n")
    salt.chmod(0o644)
    environment = {k: v for k, v in ws.environment().items() if k != "AMW_HASH_SALT"}
    process = subprocess.run(
        [AMW, *ws.run_arguments()],
        env={**environment, "AMW_HASH_SALT_FILE": str(salt)},
        capture_output=True,
        text=True,
    )
    line = _one_line_error(process)
    assert str(salt) in line and "chmod 600" in line
    assert not ws.warehouse.exists()


def test_a_dagster_home_that_is_no_folder_is_one_line(ws: Workspace, tmp_path: Path) -> None:
    handmade_landing.write_landing(ws.landing, date(2026, 9, 7), 1)
    missing = tmp_path / "no-such-home"
    process = subprocess.run(
        [AMW, *ws.run_arguments()],
        env={**ws.environment(), "DAGSTER_HOME": str(missing)},
        capture_output=True,
        text=True,
    )
    assert str(missing) in _one_line_error(process)


def test_run_on_an_empty_landing_folder(ws: Workspace) -> None:
    ws.landing.mkdir()
    assert "no data files found" in _one_line_error(ws.run())


def test_run_with_a_range_the_wrong_way_round(ws: Workspace) -> None:
    ws.landing.mkdir()
    line = _one_line_error(ws.run("--start", "2026-05-02", "--end", "2026-05-01"))
    assert "after" in line


def test_run_on_only_today_says_no_day_is_complete_yet(ws: Workspace) -> None:
    today = datetime.now(UTC).date()
    folder = ws.landing / "uptime" / f"date={today}"
    folder.mkdir(parents=True)
    (folder / "checks.csv").write_text(f"ai_system,checked_at,up\nbot,{today}T01:00:00Z,true\n")
    line = _one_line_error(ws.run())
    assert f"all of {today} or later" in line and "not a complete day yet" in line


def test_an_explicit_end_of_today_stays_an_error(ws: Workspace) -> None:
    ws.landing.mkdir()
    today = datetime.now(UTC).date()
    line = _one_line_error(ws.run("--end", today.isoformat()))
    assert f"--end {today} is not a complete day yet" in line


def test_query_before_anything_was_published(ws: Workspace) -> None:
    line = _one_line_error(ws.amw("query", "select 1", "--publish", str(ws.published)))
    assert "nothing published" in line and "amw run" in line


def test_tables_before_anything_was_published(ws: Workspace) -> None:
    line = _one_line_error(ws.amw("tables", "--publish", str(ws.published)))
    assert "nothing published" in line


def test_docs_without_a_warehouse(ws: Workspace) -> None:
    line = _one_line_error(ws.amw("docs"))
    assert "no warehouse" in line and str(ws.warehouse) in line


def test_bad_day_and_week_formats_name_the_expected_form(ws: Workspace) -> None:
    day = ws.run("--start", "2026-13-01", "--end", "2026-05-01")
    assert day.returncode == 2 and "like 2026-05-01" in day.stderr
    week = ws.amw("scorecard", "--week", "2026-20")
    assert week.returncode == 2 and "like 2026-W20" in week.stderr


# --- amw query reads the published database and nothing else ---------------------------------


@pytest.fixture
def published(ws: Workspace) -> Workspace:
    """A published mart, and beside it the warehouse with a raw table of clear customer ids
    that `amw query` must not reach."""
    ws.published.mkdir()
    with duckdb.connect(str(published_database(ws.published))) as con:
        con.execute("create schema marts")
        con.execute("create table marts.roi_summary as select 'bot' as ai_system, 1.5 as roi")
    with duckdb.connect(str(ws.warehouse)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.conversations as select 'customer-42' as customer_id")
    return ws


def _roi_summary(ws: Workspace) -> list[tuple]:
    with duckdb.connect(str(published_database(ws.published)), read_only=True) as con:
        return con.execute("select * from marts.roi_summary").fetchall()


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("attach '{warehouse}' as w (read_only false)", "refused: ATTACH: amw query reads the"),
        ("attach '{warehouse}' as w", "refused: ATTACH: amw query reads the published database"),
        ("drop table marts.roi_summary", "refused: DROP: the published database is read-only"),
        ("insert into marts.roi_summary values ('x', 0)", "refused: INSERT: the published"),
        ("create table marts.copy as select 1", "refused: CREATE: the published database"),
        ("select 1; drop table marts.roi_summary", "refused: DROP: the published database"),
        ("copy marts.roi_summary to '{outside}/x.csv'", "refused: COPY reads or writes files;"),
        ("select * from read_csv('{outside}/secret.csv')", "Cannot access file"),
        ("select * from read_duckdb('{warehouse}')", "Cannot access file"),
        ("install httpfs", "refused: INSTALL and LOAD: amw query installs and loads no"),
        ("set enable_external_access = true", "the configuration has been locked"),
        ("set memory_limit = '1GB'", "the configuration has been locked"),
        ("", "no SQL statement given"),
        (" ; ;", "no SQL statement given"),
        ("-- a comment", "no SQL statement given"),
    ],
)
def test_query_refuses_what_is_not_reading_the_published_database(
    published: Workspace, tmp_path: Path, sql: str, why: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("customer_id\ncustomer-42\n")
    statement = sql.format(warehouse=published.warehouse, outside=outside)
    process = published.amw("query", "--", statement)
    line = _one_line_error(process)
    assert line.startswith("amw: ") and why in line
    assert process.stdout == ""
    assert _roi_summary(published) == [("bot", 1.5)]
    assert sorted(p.name for p in outside.iterdir()) == ["secret.csv"]


def test_query_answers_selects_in_every_format_under_those_rules(published: Workspace) -> None:
    select = "select ai_system, roi from marts.roi_summary"
    as_json = published.amw("query", "--json", select)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [{"ai_system": "bot", "roi": 1.5}]
    as_csv = published.amw("query", "--csv", select)
    assert as_csv.stdout == "ai_system,roi\nbot,1.5\n"
    table = published.amw("query", select)
    assert table.returncode == 0 and "bot" in table.stdout
    tables = published.amw("tables")
    assert tables.returncode == 0 and "marts.roi_summary" in tables.stdout


def test_allow_files_in_opens_that_folder_and_no_other(
    published: Workspace, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    allowed = ("query", "--allow-files-in", str(exports))
    copy = published.amw(*allowed, f"copy (select * from marts.roi_summary) to '{exports}/x.csv'")
    assert copy.returncode == 0, copy.stderr
    assert (exports / "x.csv").read_text() == "ai_system,roi\nbot,1.5\n"
    back = published.amw(*allowed, "--csv", f"select * from read_csv('{exports}/x.csv')")
    assert back.stdout == "ai_system,roi\nbot,1.5\n"

    elsewhere = _one_line_error(
        published.amw(*allowed, f"copy marts.roi_summary to '{tmp_path}/y.csv'")
    )
    assert "Cannot access file" in elsewhere and f"only files under {exports}" in elsewhere
    assert not (tmp_path / "y.csv").exists()
    attach = _one_line_error(published.amw(*allowed, f"attach '{exports}/other.duckdb'"))
    assert "refused: ATTACH" in attach
    drop = _one_line_error(published.amw(*allowed, "drop table marts.roi_summary"))
    assert "read-only" in drop and _roi_summary(published) == [("bot", 1.5)]
    # A folder that holds the warehouse would let read_duckdb() reach its raw tables.
    holding = _one_line_error(
        published.amw("query", "--allow-files-in", str(published.root), "select 1")
    )
    assert "holds the warehouse" in holding
