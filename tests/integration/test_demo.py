"""The demo data through the whole pipeline: the planted effects come out where they were planted.

The simulator documents what it plants (`simulator.PLANTED`, docs/demo_data.md): bad rows, a bad
file, a duplicate, a correction, a go-live with a human-only pre-period and an outage. A small
volume keeps the run short; the effects are planted at any volume.
"""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.lib import simulator
from orchestration.lib.simulator import PLANTED
from tests.conftest import Workspace, describe

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("demo"))
    simulator.write_landing(ws.landing, conversations_per_day=60)
    result = ws.run()
    assert result.returncode == 0, describe(result)
    assert "2026-W44" in result.stdout, describe(result)
    planted = (len(PLANTED["bad_rows"]), len(PLANTED["bad_files"]))
    assert f"quarantined: {planted[0]} rows, {planted[1]} files rejected" in result.stdout
    return ws


def _line(path: str, row_index: int) -> int:
    """Where the loader reports a row: CSV lines count the header, JSON Lines and Parquet do not."""
    return row_index + {"csv": 2, "jsonl": 1, "parquet": 1}[path.rsplit(".", 1)[-1]]


def test_exactly_the_planted_bad_rows_are_quarantined(demo: Workspace) -> None:
    quarantined = sorted(
        demo.query("select entity, source_file, row_number, reason from quarantine.rows")
    )
    planted = sorted(
        (row["entity"], row["file"], _line(row["file"], row["row_index"]))
        for row in PLANTED["bad_rows"]
    )
    assert [q[:3] for q in quarantined] == planted
    assert all(reason for *_, reason in quarantined)
    csat = next(q for q in quarantined if "csat" in q[3])
    assert "7" in csat[3]


def test_the_planted_bad_file_is_rejected_naming_its_column(demo: Workspace) -> None:
    rejected = demo.query("select entity, source_file, reason from quarantine.files")
    assert [(e, f) for e, f, _ in rejected] == [
        (bad["entity"], bad["file"]) for bad in PLANTED["bad_files"]
    ]
    assert PLANTED["bad_files"][0]["missing_column"] in rejected[0][2]


def test_every_row_read_is_accounted_for(demo: Workspace) -> None:
    unbalanced = demo.query(
        "select * from raw.load_audit where rows_read"
        " <> rows_loaded + rows_quarantined + rows_duplicate + rows_replaced"
    )
    assert unbalanced == []
    totals = dict(
        demo.query(
            "select entity, sum(rows_quarantined) from raw.load_audit group by entity"
            " having sum(rows_quarantined) > 0"
        )
    )
    expected: dict[str, int] = {}
    for row in PLANTED["bad_rows"]:
        expected[row["entity"]] = expected.get(row["entity"], 0) + 1
    assert totals == expected


def test_duplicate_loads_once_and_the_correction_wins(demo: Workspace) -> None:
    duplicate = PLANTED["duplicates"][0]
    assert demo.query(
        "select sum(rows_duplicate) from raw.load_audit where source_file = ?", [duplicate["file"]]
    ) == [(1,)]
    correction = PLANTED["corrections"][0]
    assert demo.query(
        "select sum(rows_replaced) from raw.load_audit where source_file = ?",
        [correction["replaces_file"]],
    ) == [(1,)]
    current = demo.query(
        "select _source_file from raw.conversations"
        " where conversation_id = ? and _disposition = 'loaded'",
        [correction["key"]],
    )
    assert current == [(correction["file"],)]


def _weekly(demo: Workspace, metric: str, system: str) -> dict[date, float]:
    return dict(
        demo.query(
            "select period_start, value from marts.metric_values where metric_name = ?"
            " and grain = 'week' and ai_system = ? and segment_key = 'all'",
            [metric, system],
        )
    )


def test_go_live_pre_period_is_human_only(demo: Workspace) -> None:
    go_live = PLANTED["go_live"]["deployed_at"].date()
    involvement = _weekly(demo, "ai_involvement_rate", "support_assistant")
    before = [v for week, v in involvement.items() if week < go_live]
    after = [v for week, v in involvement.items() if week > go_live]
    assert before and all(v == 0 for v in before)
    assert after and min(after) > 0.7


def test_outage_shows_in_uptime_and_errors(demo: Workspace) -> None:
    outage = PLANTED["outage"]
    day = outage["start"].date()

    def daily(metric: str) -> dict[date, float]:
        return dict(
            demo.query(
                "select period_start, value from marts.metric_values where metric_name = ?"
                " and grain = 'day' and ai_system = ? and segment_key = 'all'",
                [metric, outage["ai_system"]],
            )
        )

    uptime = daily("uptime_percent")
    assert uptime[day] <= outage["uptime_percent_that_day_at_most"]
    # Other days see at most a few failed checks (the simulator's background blips).
    assert min(v for d, v in uptime.items() if d != day) > uptime[day] + 10
    errors = daily("error_rate")
    assert errors[day] > 3 * max(v for d, v in errors.items() if d != day)


def test_all_thirteen_weeks_are_published(demo: Workspace) -> None:
    with_pages = sorted(p.name for p in (demo.published / "scorecards").iterdir())
    assert len(with_pages) == PLANTED["demo"]["iso_weeks"]
    assert with_pages[0] == "2026-W32" and with_pages[-1] == "2026-W44"
