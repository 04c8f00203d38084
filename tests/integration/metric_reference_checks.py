"""Shared pieces of the metric reference tests (test_metric_references_*.py).

Those tests insert generated raw rows, run one `dbt build` per module and compare every row of
marts.metric_values with a value computed in the test by scikit-learn, fairlearn, pandas or numpy,
following the metric catalog (docs/metrics.md). This module holds what they share: the expected-row
shapes of the four statistics (proportion, mean, ratio, value), the slicing of a frame into
grain x period x ai_system x segment, and the comparison that reports missing, unexpected and
wrong rows by metric.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tests.integration.test_dbt_models import (
    METRIC_KEY,
    Warehouse,
    create_raw_schema,
    mean,
    period_start,
    proportion,
)

GRAINS = ("day", "week", "month")
# Relative tolerance of a float comparison: the SQL sums in another order than pandas.
REL = 1e-9
ABS = 1e-12
# What an expected row holds besides its numbers: absent is acceptable when this flag is set
# (the metric catalog leaves open whether a null row or no row is emitted there).
OPTIONAL = "optional"

Expected = dict[tuple, dict]
Reference = Callable[[pd.DataFrame], dict | None]


# Expected rows of each statistic (None = the warehouse must hold null there).


def share(successes: int, trials: int, unit: str = "share", scale: float = 1.0) -> dict:
    """A proportion: Wilson interval, sample_size = denominator, null when trials is 0."""
    row = proportion(int(successes), int(trials))
    if trials:
        row = {
            **row,
            "value": scale * row["value"],
            "ci_low": scale * row["ci_low"],
            "ci_high": scale * row["ci_high"],
            "numerator": successes,
            "denominator": trials,
        }
    return {**row, "unit": unit}


def average(values: pd.Series, unit: str) -> dict:
    """A mean: normal interval (ddof=1, null below 2 values), sample_size = count."""
    values = pd.Series(values, dtype=float).dropna()
    row = mean(values)
    if len(values):
        row = {**row, "numerator": float(values.sum()), "denominator": len(values)}
    return {**row, "unit": unit}


def ratio(numerator: float, denominator: float, sample_size: int | None, unit: str) -> dict:
    """A ratio: no interval; null (never 0 or inf) when the denominator is 0. A sample_size of
    None is not checked (the metric catalog does not define one)."""
    if not denominator:
        return {"value": None, "ci_low": None, "ci_high": None, "unit": unit}
    row = {
        "value": numerator / denominator,
        "numerator": numerator,
        "denominator": denominator,
        "ci_low": None,
        "ci_high": None,
        "unit": unit,
    }
    if sample_size is not None:
        row["sample_size"] = sample_size
    return row


def plain(value: float | None, sample_size: int | None, unit: str) -> dict:
    """A value as computed: no interval."""
    row = {"value": value, "ci_low": None, "ci_high": None, "unit": unit}
    if sample_size is not None:
        row["sample_size"] = sample_size
    return row


def null_row(unit: str, sample_size: int | None = None, optional: bool = False) -> dict:
    """A row whose value must be null (and absent is fine when optional)."""
    row = {"value": None, "ci_low": None, "ci_high": None, "unit": unit}
    if sample_size is not None:
        row["sample_size"] = sample_size
    if optional:
        row[OPTIONAL] = True
    return row


def optional(row: dict, always: bool = False) -> dict:
    """Accept no row at all in place of this one when its value is null (or always); a row
    that is there must still hold these numbers."""
    return {**row, OPTIONAL: True} if always or row["value"] is None else row


# Slicing a frame like marts.metric_values does.


def with_periods(frame: pd.DataFrame, day_column: str) -> pd.DataFrame:
    """One period column per grain, from a column of dates."""
    days = frame[day_column]
    return frame.assign(
        **{f"period_{grain}": [period_start(d, grain) for d in days] for grain in GRAINS}
    )


def slices(
    frame: pd.DataFrame,
    segment_keys: Iterable[str] = ("all",),
    grains: Iterable[str] = GRAINS,
    systems: Iterable[str] | None = None,
) -> Iterator[tuple[tuple, pd.DataFrame]]:
    """(grain, period, ai_system, segment_key, segment_value), rows: every slice with rows.

    The frame needs the columns of `with_periods` and ai_system; a segment column's nulls read
    'unknown' (as in the metric catalog). Segment 'all' is the whole program's rows.
    """
    wanted = None if systems is None else set(systems)
    for grain in grains:
        for system in [*sorted(frame["ai_system"].unique()), "ALL"]:
            if wanted is not None and system not in wanted:
                continue
            scope = frame if system == "ALL" else frame[frame["ai_system"] == system]
            for key in segment_keys:
                values = (
                    pd.Series("all", index=scope.index)
                    if key == "all"
                    else scope[key].astype(object).where(scope[key].notna(), "unknown")
                )
                grouped = scope.groupby([scope[f"period_{grain}"], values], sort=True)
                for (period, value), rows in grouped:
                    yield (grain, period, system, key, value), rows


def expected_rows(
    sliced: Iterable[tuple[tuple, pd.DataFrame]], references: dict[str, Reference]
) -> Expected:
    """Apply each metric's reference to every slice; None means no row there."""
    expected: Expected = {}
    for slice_key, rows in sliced:
        for metric, reference in references.items():
            row = reference(rows)
            if row is not None:
                expected[(metric, *slice_key)] = row
    return expected


# Comparing with marts.metric_values.


def _same(have: object, want: object) -> bool:
    if want is None:
        return have is None or pd.isna(have)
    if isinstance(want, str):
        return have == want
    if have is None or pd.isna(have):
        return False
    return math.isclose(float(have), float(want), rel_tol=REL, abs_tol=ABS)


def check_metric(actual: pd.DataFrame, expected: Expected, metric: str) -> None:
    """Every expected row of the metric exists with the expected numbers, and no other row does.

    Failures read "no such metric row" for rows the warehouse lacks, then "unexpected row" and
    "wrong value" with the first few keys, so that one run shows the whole picture.
    """
    __tracebackhide__ = True
    want = {key: row for key, row in expected.items() if key[0] == metric}
    assert want, f"the test data exercise no {metric} row: the reference expects none"
    mine = actual[actual["metric_name"] == metric]
    got = {
        tuple(record[c] for c in METRIC_KEY): record for record in mine.to_dict(orient="records")
    }
    missing = [k for k, row in want.items() if k not in got and not row.get(OPTIONAL)]
    unexpected = [k for k in got if k not in want]
    wrong = [
        (key, column, got[key][column], value)
        for key, row in want.items()
        if key in got
        for column, value in row.items()
        if column != OPTIONAL and not _same(got[key][column], value)
    ]
    problems = []
    if missing:
        problems.append(
            f"no such metric row: {len(missing)} of the {len(want)} expected {metric} rows "
            f"are not in marts.metric_values, e.g. {missing[:4]}"
        )
    if unexpected:
        problems.append(
            f"unexpected row: {len(unexpected)} {metric} rows where the metric catalog defines "
            f"none, e.g. {unexpected[:4]}"
        )
    if wrong:
        shown = "; ".join(f"{k} {c}: warehouse {h!r}, reference {w!r}" for k, c, h, w in wrong[:6])
        problems.append(f"wrong value: {len(wrong)} {metric} values differ, e.g. {shown}")
    assert not problems, "\n".join(problems)


def find_row(actual: pd.DataFrame, key: tuple) -> pd.Series:
    """One metric row by its full key, with a readable failure when it is missing."""
    __tracebackhide__ = True
    rows = actual.set_index(METRIC_KEY)
    assert key in rows.index, f"no such metric row: {key}"
    return rows.loc[key]


def assert_no_infinities(warehouse: Warehouse) -> None:
    bad = warehouse.frame(
        "select metric_name, count(*) as n from marts.metric_values"
        " where isinf(value) or isinf(numerator) or isinf(denominator)"
        " or isinf(ci_low) or isinf(ci_high) group by 1"
    )
    assert bad.empty, f"infinite values in marts.metric_values:\n{bad}"


def assert_metric_names_include(actual: pd.DataFrame, metrics: Iterable[str]) -> None:
    absent = sorted(set(metrics) - set(actual["metric_name"]))
    assert not absent, f"no such metric row for these metrics at all: {absent}"


# Building a warehouse from generated rows.


def build_warehouse(
    root: Path, fill: Callable[[duckdb.DuckDBPyConnection], None], before: Callable | None = None
) -> Warehouse:
    """Create raw from the contract, let `before` load files through the loader, `fill` insert
    rows, then run one full `dbt build` (models and their data tests)."""
    warehouse = Warehouse(root / "warehouse" / "warehouse.duckdb", root / "work")
    warehouse.path.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse.path)) as con:
        create_raw_schema(con)
        if before is not None:
            before(con)
        fill(con)
    seconds = warehouse.dbt("build")
    print(f"dbt build of the generated rows: {seconds:.1f} s")
    return warehouse


def metric_frame(warehouse: Warehouse, where: str = "true") -> pd.DataFrame:
    frame = warehouse.frame(f"select * from marts.metric_values where {where}")
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def native(value: object) -> object:
    """A Python value for a DuckDB parameter: numpy scalars unwrapped, NaN as null."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def natives(rows: list[dict]) -> list[dict]:
    return [{k: native(v) for k, v in row.items()} for row in rows]


def assert_recomputing_changes_nothing(warehouse: Warehouse, folder: Path, day: date) -> None:
    """A nightly run over `day` (an incremental build with min_date = max_date = day) on a copy
    of the built warehouse, with no new rows: every period it recomputes, from whatever rows its
    windows read, must come out as the full build made it, and every other period untouched."""
    before = metric_frame(warehouse).sort_values(METRIC_KEY, ignore_index=True)
    again = warehouse.copy(folder)
    again.dbt("build", "--vars", f'{{min_date: "{day}", max_date: "{day}"}}')
    after = metric_frame(again).sort_values(METRIC_KEY, ignore_index=True)
    pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-12, atol=1e-12)
