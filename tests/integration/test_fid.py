"""The fid metric inputs (dbt Python model) on hand-made raw image features.

The raw schema and rows are made as in test_dbt_models.py, `dbt build` runs the model and its
parents, and the expected FIDs come from numpy and scipy here, by the eigenvalue route (see
tests/unit/test_frechet.py), independently of orchestration/lib/frechet.py.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.integration.test_dbt_models import create_raw_schema, insert_raw, run_dbt
from tests.unit.test_frechet import reference_fid

MODEL = "int_image_features_metrics_unpivoted"
MONDAY = date(2026, 3, 2)
WEDNESDAY = MONDAY + timedelta(days=2)  # the same ISO week
NEXT_TUESDAY = MONDAY + timedelta(days=8)  # the next week, the same month
APRIL = date(2026, 4, 1)
COLUMNS = [
    ("metric_name", "VARCHAR"),
    ("grain", "VARCHAR"),
    ("period_start", "DATE"),
    ("ai_system", "VARCHAR"),
    ("segment_key", "VARCHAR"),
    ("segment_value", "VARCHAR"),
    ("statistic", "VARCHAR"),
    ("numerator", "DOUBLE"),
    ("denominator", "DOUBLE"),
    ("standard_deviation", "DOUBLE"),
    ("value", "DOUBLE"),
    ("sample_size", "BIGINT"),
    ("scale", "DOUBLE"),
    ("unit", "VARCHAR"),
]


def features(
    rng: np.random.Generator, system: str, day: date, real: int, generated: int, dimension: int
) -> list[dict]:
    """Rows of one program and day: generated vectors are shifted and wider than real ones."""
    rows = []
    for kind, count, shift, spread in (
        ("real", real, 0.0, 1.0),
        ("generated", generated, 0.4, 1.5),
    ):
        for i in range(count):
            rows.append(
                {
                    "feature_id": f"{system}-{day}-{dimension}-{kind}-{i}",
                    "ai_system": system,
                    "created_at": datetime(day.year, day.month, day.day, 8) + timedelta(minutes=i),
                    "set": kind,
                    "vector": (shift + spread * rng.normal(size=dimension)).tolist(),
                }
            )
    return rows


def image_features() -> list[dict]:
    rng = np.random.default_rng(11)
    return [
        # Two programs over two days of one ISO week, dimension 3.
        *features(rng, "alpha", MONDAY, 6, 5, 3),
        *features(rng, "alpha", WEDNESDAY, 4, 7, 3),
        *features(rng, "beta", MONDAY, 5, 4, 3),
        *features(rng, "beta", WEDNESDAY, 3, 3, 3),
        # One generated vector: no covariance, no FID (in ALL it still counts).
        *features(rng, "gamma", WEDNESDAY, 4, 1, 3),
        # Another encoder, dimension 2, in the next week: ALL of March mixes dimensions.
        *features(rng, "delta", NEXT_TUESDAY, 5, 5, 2),
        # A program day with two dimensions (as from two files): a data error, FID null.
        *features(rng, "epsilon", APRIL, 3, 3, 4),
        *features(rng, "epsilon", APRIL, 0, 3, 5),
    ]


def period_start(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def expected_rows(rows: list[dict]) -> dict[tuple, tuple[float | None, int]]:
    """(grain, period_start, ai_system) -> (FID or None, generated vectors)."""
    slices: dict[tuple, list[dict]] = {}
    for row in rows:
        for grain in ("day", "week", "month"):
            start = period_start(row["created_at"].date(), grain)
            for system in (row["ai_system"], "ALL"):
                slices.setdefault((grain, start, system), []).append(row)
    expected = {}
    for key, members in slices.items():
        real = [r["vector"] for r in members if r["set"] == "real"]
        generated = [r["vector"] for r in members if r["set"] == "generated"]
        one_dimension = len({len(r["vector"]) for r in members}) == 1
        value = (
            reference_fid(np.array(real), np.array(generated))
            if one_dimension and len(real) >= 2 and len(generated) >= 2
            else None
        )
        expected[key] = (value, len(generated))
    return expected


def build(root: Path, rows: list[dict]) -> Path:
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        create_raw_schema(con)
        insert_raw(con, "image_features", rows)
        # A superseded row must not count.
        insert_raw(con, "image_features", rows[:1], "replaced")
    seconds = run_dbt(warehouse, root / "work", "build", "--select", f"+{MODEL}")
    print(f"dbt build --select +{MODEL}: {seconds:.1f} s")
    return warehouse


def model_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'intermediate' and table_name = ? order by ordinal_position",
        [MODEL],
    ).fetchall()


def test_fid_per_day_week_month_program_and_all(tmp_path: Path) -> None:
    rows = image_features()
    warehouse = build(tmp_path, rows)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert model_columns(con) == COLUMNS
        table = con.execute(f"select * from intermediate.{MODEL}").fetchall()
        staged = con.execute("select count(*) from staging.stg_raw__image_features").fetchone()
    names = [name for name, _ in COLUMNS]
    found = [dict(zip(names, row, strict=True)) for row in table]
    assert {(r["metric_name"], r["statistic"], r["unit"], r["scale"]) for r in found} == {
        ("fid", "value", "fid", 1.0)
    }
    assert {(r["segment_key"], r["segment_value"]) for r in found} == {("all", "all")}
    assert all(r["numerator"] is r["denominator"] is r["standard_deviation"] is None for r in found)
    actual = {
        (r["grain"], r["period_start"], r["ai_system"]): (r["value"], r["sample_size"])
        for r in found
    }
    expected = expected_rows(rows)
    assert sorted(actual) == sorted(expected)
    for key, (value, sample_size) in expected.items():
        assert actual[key][1] == sample_size, key
        if value is None:
            assert actual[key][0] is None, key
        else:
            assert actual[key][0] == pytest.approx(value, abs=1e-8), key
    # The planted cases: defined for both programs' week and ALL's week, null where undefined.
    week = ("week", MONDAY)
    assert all(actual[(*week, s)][0] is not None for s in ("alpha", "beta", "ALL"))
    assert actual[(*week, "gamma")] == (None, 1)
    assert actual[("month", MONDAY.replace(day=1), "ALL")][0] is None  # dimensions 3 and 2
    assert actual[("week", NEXT_TUESDAY - timedelta(days=1), "ALL")][0] is not None
    assert actual[("day", APRIL, "epsilon")] == (None, 6)
    assert staged == (len(rows),)  # the replaced row is left out
    # The mixed day is named by a warning (the build goes on).
    results = json.loads((tmp_path / "work" / "target" / "run_results.json").read_text())
    check = next(
        r for r in results["results"] if "image_feature_dimensions_agree" in r["unique_id"]
    )
    assert (check["status"], check["failures"]) == ("warn", 1)


def test_no_image_features_give_an_empty_table_of_the_same_columns(tmp_path: Path) -> None:
    warehouse = build(tmp_path, [])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert model_columns(con) == COLUMNS
        assert con.execute(f"select count(*) from intermediate.{MODEL}").fetchone() == (0,)
