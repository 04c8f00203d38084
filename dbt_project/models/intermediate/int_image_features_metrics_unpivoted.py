"""The fid metric as metric inputs (see the metric_inputs docs block).

One row per grain (day, ISO week from Monday, month), period_start and ai_system (each program,
and ALL pooling every program's vectors), segment 'all': the Fréchet distance between the real
and the generated feature vectors of the period (orchestration/lib/frechet.py, the function a
user can also call on their own vectors). A Python model because the distance needs a matrix
square root, which SQL has not. value is null when a set has fewer than 2 vectors, or when the
vectors of the slice do not share one dimension (programs with different encoders pooled in
ALL, or a dimension that changed within the period; a mismatch within one program and day is a
data error the loader and the staging test report).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.lib.frechet import frechet_distance
from orchestration.lib.metric_inputs import METRIC_INPUTS


def period_starts(days: pd.Series) -> dict[str, pd.Series]:
    """The start of each day's day, ISO week (its Monday) and month."""
    days = pd.to_datetime(days).dt.normalize()
    return {
        "day": days,
        "week": days - pd.to_timedelta(days.dt.weekday, unit="D"),
        "month": days - pd.to_timedelta(days.dt.day - 1, unit="D"),
    }


def slice_fid(vectors: pd.Series, is_generated: pd.Series) -> float | None:
    """FID of one slice; None when undefined (a set too small, or mixed dimensions)."""
    if vectors.map(len).nunique() != 1:
        return None
    real, generated = vectors[~is_generated], vectors[is_generated]
    if len(real) < 2 or len(generated) < 2:
        return None
    return frechet_distance(np.vstack(real.to_list()), np.vstack(generated.to_list()))


def fid_rows(features: pd.DataFrame) -> pa.Table:
    """Metric input rows from (ai_system, created_date, feature_set, vector) rows."""
    rows = []
    starts = period_starts(features["created_date"])
    pooled = pd.concat([features, features.assign(ai_system="ALL")], ignore_index=True)
    for grain, start in starts.items():
        pooled["period_start"] = pd.concat([start, start], ignore_index=True).dt.date
        for (period_start, ai_system), group in pooled.groupby(
            ["period_start", "ai_system"], sort=True
        ):
            is_generated = group["feature_set"] == "generated"
            rows.append(
                {
                    "metric_name": "fid",
                    "grain": grain,
                    "period_start": period_start,
                    "ai_system": ai_system,
                    "segment_key": "all",
                    "segment_value": "all",
                    "statistic": "value",
                    "value": slice_fid(group["vector"], is_generated),
                    "sample_size": int(is_generated.sum()),
                    "scale": 1.0,
                    "unit": "fid",
                }
            )
    return pa.Table.from_pylist(rows, schema=METRIC_INPUTS)


def model(dbt, session):
    dbt.config(materialized="table")
    features = (
        dbt.ref("stg_raw__image_features")
        .project("ai_system, created_date, feature_set, vector")
        .df()
    )
    # An Arrow table keeps the column types even without rows (an empty pandas frame would not).
    return fid_rows(features)
