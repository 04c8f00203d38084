"""A night that brings a late correction of an old day: that day is recomputed, nothing else is.

The landing files come from the simulator; the loader (orchestration/lib/ingest.py) and dbt run
as the nightly job runs them, and the recompute window is the one the transform asset passes to
dbt (`event_day_window`). The night's result must equal a full rebuild of the same raw rows, and
the periods the window cannot reach must stay exactly as they were.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from orchestration.defs.ingestion.resources import Warehouse as WarehouseResource
from orchestration.defs.transform.assets import event_day_window
from orchestration.lib import ingest, simulator
from orchestration.lib.contract import ENTITIES
from orchestration.lib.environment import DBT_PROJECT_DIR
from tests.integration.test_dbt_models import Warehouse, metric_values, period_start

pytestmark = pytest.mark.slow

FIRST = date(2026, 8, 5)  # a Wednesday
NEW_DAY = date(2026, 9, 16)  # the night's day, six weeks later
LATE_DAY = date(2026, 8, 27)  # the old day the night's correction concerns
CONVERSATIONS_PER_DAY = 40
FCR_LOOKAHEAD_DAYS = 7  # dbt_project.yml's fcr_lookahead_days


def _load(con: duckdb.DuckDBPyConnection, landing: Path, days: list[date]) -> None:
    ingest.ensure_tables(con)
    for entity in ENTITIES:
        for day in days:
            ingest.load_partition(con, entity, landing, day)
    ingest.load_snapshot(con, landing, DBT_PROJECT_DIR / "seeds")


def _replaced(table: pa.Table, name: str, value: object) -> pa.Table:
    field = table.schema.field(name)
    return table.set_column(table.schema.get_field_index(name), name, pa.array([value], field.type))


def _write_late_correction(landing: Path) -> str:
    """A corrected copy of an AI-contained conversation of LATE_DAY, filed in NEW_DAY's folder
    (a later file, so it wins): resolved flipped, resolved_at following. Returns its program."""
    table = pq.read_table(landing / f"conversations/date={LATE_DAY}/conversations.parquet")
    contained = pc.and_(table["ai_involved"], pc.invert(table["escalated_to_human"]))
    row = table.filter(contained).slice(0, 1)
    resolved = not row["resolved"][0].as_py()
    row = _replaced(row, "resolved", resolved)
    row = _replaced(row, "resolved_at", row["ended_at"][0].as_py() if resolved else None)
    pq.write_table(row, landing / f"conversations/date={NEW_DAY}/zz_late_correction.parquet")
    return row["ai_system"][0].as_py()


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("late_data")
    landing = root / "landing"
    history = [FIRST + timedelta(days=i) for i in range((NEW_DAY - FIRST).days)]
    simulator.write_landing(
        landing, FIRST, NEW_DAY, conversations_per_day=CONVERSATIONS_PER_DAY, defects=False
    )
    warehouse = Warehouse(root / "warehouse" / "warehouse.duckdb", root / "work")
    warehouse.path.parent.mkdir()
    with duckdb.connect(str(warehouse.path)) as con:
        _load(con, landing, history)
    warehouse.dbt("build")
    before = metric_values(warehouse)
    units_before = _units(warehouse)

    system = _write_late_correction(landing)
    with duckdb.connect(str(warehouse.path)) as con:
        _load(con, landing, [NEW_DAY])
    night = NEW_DAY.isoformat()
    window = event_day_window(WarehouseResource(path=str(warehouse.path)), night, night)
    warehouse.dbt("build", "--vars", json.dumps(window))
    after = metric_values(warehouse)

    rebuilt = warehouse.copy(root / "rebuilt")
    rebuilt.dbt("run", "--full-refresh")
    return {
        "before": before,
        "after": after,
        "full": metric_values(rebuilt),
        "units_before": units_before,
        "units_after": _units(warehouse),
        "units_full": _units(rebuilt),
        "window": window,
        "system": system,
    }


def _units(warehouse: Warehouse) -> pd.DataFrame:
    return warehouse.frame(
        "select * from intermediate.int_experiment_units order by experiment_id, unit_id"
    )


def _reachable(frame: pd.DataFrame) -> pd.Series:
    """The periods a night whose rows reach back to LATE_DAY can change (with the FCR look-back)."""
    first = LATE_DAY - timedelta(days=FCR_LOOKAHEAD_DAYS)
    starts = {grain: period_start(first, grain) for grain in ("day", "week", "month")}
    return frame["period_start"] >= frame["grain"].map(starts)


def test_the_late_row_widens_the_window_to_its_day(night: dict) -> None:
    assert night["window"]["min_date"] == LATE_DAY.isoformat()
    assert night["window"]["max_date"] >= NEW_DAY.isoformat()


def test_the_late_day_is_recomputed(night: dict) -> None:
    def rate(frame: pd.DataFrame) -> float:
        row = frame[
            (frame["metric_name"] == "ai_resolution_rate")
            & (frame["grain"] == "day")
            & (frame["period_start"] == LATE_DAY)
            & (frame["ai_system"] == night["system"])
            & (frame["segment_key"] == "all")
        ]
        return float(row["value"].iloc[0])

    # One conversation of the day flipped: its rate moves by one conversation's share.
    assert rate(night["after"]) != rate(night["before"])
    assert rate(night["after"]) == pytest.approx(rate(night["full"]), rel=1e-12)


def test_periods_out_of_reach_stay_exactly_as_they_were(night: dict) -> None:
    before, after = night["before"], night["after"]
    kept_before = before[~_reachable(before)].reset_index(drop=True)
    kept_after = after[~_reachable(after)].reset_index(drop=True)
    # Two weeks of days and two ISO weeks lie before the reach of the night.
    assert set(kept_before["grain"]) == {"day", "week"}
    assert len(kept_before) > 1000
    pd.testing.assert_frame_equal(kept_before, kept_after, check_exact=True)


def test_the_night_equals_a_full_rebuild(night: dict) -> None:
    pd.testing.assert_frame_equal(
        night["after"].reset_index(drop=True),
        night["full"].reset_index(drop=True),
        check_exact=False,
        rtol=1e-12,
    )


def test_the_night_rebuilds_the_experiment_units_it_reaches(night: dict) -> None:
    # The night's orders settle units assigned before it: some units change, and the
    # incrementally kept table equals the rebuilt one.
    before, after = night["units_before"], night["units_after"]
    assert len(after) > len(before) > 100
    changed = before.merge(after, on=["experiment_id", "unit_id"], suffixes=("", "_after"))
    assert (changed["is_window_open"] & ~changed["is_window_open_after"]).any()
    pd.testing.assert_frame_equal(after, night["units_full"], check_exact=False, rtol=1e-12)
