"""The percentile macro (ranked_percentiles, dbt_project/macros/metrics.sql), compiled by dbt and
run by DuckDB, against numpy's linear interpolation on values chosen to break it: one value,
ties, negatives and zeros, values one float step apart, one crowded range, nulls."""

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
    groups: dict[tuple[str, int], list[float | None]] = {
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
    }
    return pd.DataFrame(
        [(g, k, v) for (g, k), values in groups.items() for v in values], columns=["g", "k", "v"]
    )


def test_percentiles_match_numpy(tmp_path: Path) -> None:
    frame = cases()
    con = duckdb.connect()
    con.execute("create table cases as select g, k, cast(v as double) as v from frame")
    actual = con.sql(compiled_macro(tmp_path)).df().set_index(["g", "k"])

    expected_groups = {
        key: values
        for key, group in frame.groupby(["g", "k"])
        if len(values := group["v"].dropna().to_numpy())
    }
    # One row per group with a value; a group of nulls has none.
    assert sorted(actual.index) == sorted(expected_groups)
    for key, values in expected_groups.items():
        for name, p in PERCENTILES.items():
            assert actual.loc[key, name] == pytest.approx(
                np.percentile(values, 100 * p), rel=1e-12, abs=1e-12
            ), (key, name)
