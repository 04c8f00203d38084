"""The percentile macro (ranked_percentiles, dbt_project/macros/metrics.sql), compiled by dbt and
run by DuckDB, against numpy's linear interpolation on values chosen to break it: one value,
ties, negatives and zeros, values one float step apart, one crowded range, nulls, a null key
(a group of its own, as partition by makes it)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.integration.test_dbt_models import dbt_command

PERCENTILES = {"p0": 0.0, "p1": 0.01, "p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99, "p100": 1.0}


def compiled_macro(work: Path) -> str:
    inline = (
        "{{ ranked_percentiles('cases', ['g', 'k'], 'v', "
        + json.dumps(PERCENTILES).replace('"', "'")
        + ") }}"
    )
    command = dbt_command(work, "compile", "--quiet", "--output", "json", "--inline", inline)
    env = {**os.environ, "AMW_WAREHOUSE": str(work / "compile.duckdb")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return json.loads(done.stdout)["compiled"]


def cases() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    ladder = list(np.geomspace(1e-3, 1e3, 58))
    groups: dict[tuple[str, int | None], list[float | None]] = {
        ("one value", 1): [5.0],
        ("two values", 1): [-3.0, 7.0],
        ("ties", 1): [2.0] * 50 + [3.0] * 3 + [1.0],
        ("ties", 2): [0.0] * 10,
        ("negative and zero", 1): list(rng.uniform(-100, 100, 301)) + [0.0] * 20 + [-1e-9, 1e-9],
        ("one float step apart", 1): ladder
        + [np.nextafter(e, -np.inf) for e in ladder]
        + [-e for e in ladder]
        + [np.nextafter(-e, np.inf) for e in ladder],
        ("orders of magnitude", 1): list(np.round(rng.lognormal(3, 3, 5_000), 2)),
        ("one crowded range", 1): list(1000 + rng.uniform(0, 1, 4_000)),
        ("with nulls", 1): [None, 4.0, None, 1.0, 9.0],
        ("only nulls", 1): [None, None],
        ("null key", None): [3.0, 1.0, 2.0, 8.0],
        ("null key", 1): [50.0, 40.0],
    }
    frame = pd.DataFrame(
        [(g, k, v) for (g, k), values in groups.items() for v in values], columns=["g", "k", "v"]
    )
    return frame.astype({"k": "Int64"})


def test_percentiles_match_numpy(tmp_path: Path) -> None:
    frame = cases()
    con = duckdb.connect()
    con.execute("create table cases as select g, k, cast(v as double) as v from frame")
    rows = con.sql(compiled_macro(tmp_path)).fetchall()
    names = list(PERCENTILES)
    # Keyed by (g, k) with a null k as None, on both sides.
    actual = {(g, k): dict(zip(names, values, strict=True)) for g, k, *values in rows}

    expected_groups = {
        (g, None if pd.isna(k) else int(k)): values
        for (g, k), group in frame.groupby(["g", "k"], dropna=False)
        if len(values := group["v"].dropna().to_numpy())
    }
    # One row per group with a value; a group of nulls has none.
    assert sorted(actual, key=str) == sorted(expected_groups, key=str)
    for key, values in expected_groups.items():
        for name, p in PERCENTILES.items():
            assert actual[key][name] == pytest.approx(
                np.percentile(values, 100 * p), rel=1e-12, abs=1e-12
            ), (key, name)
