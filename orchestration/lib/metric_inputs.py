"""The metric-input rows every metric family yields, for the families written in Python.

The SQL families build them with the `metric_rows` macro (dbt_project/macros/metrics.sql; the
`metric_inputs` docs block says what each column means); marts.metric_values unions all families
with `select *`, so a Python family must return exactly these columns, in this order, with these
types. An Arrow table with this schema keeps the types even when it has no rows (an empty pandas
frame would not).
"""

from __future__ import annotations

import pyarrow as pa

METRIC_INPUTS = pa.schema(
    [
        ("metric_name", pa.string()),
        ("grain", pa.string()),
        ("period_start", pa.date32()),
        ("ai_system", pa.string()),
        ("segment_key", pa.string()),
        ("segment_value", pa.string()),
        ("statistic", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("standard_deviation", pa.float64()),
        ("value", pa.float64()),
        ("sample_size", pa.int64()),
        ("scale", pa.float64()),
        ("unit", pa.string()),
    ]
)
