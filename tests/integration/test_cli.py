"""`amw` answers a user's mistakes with one line that says what to do, and no traceback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import Workspace


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
