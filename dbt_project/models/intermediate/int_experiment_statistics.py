"""The statistics of every A/B experiment: one row per experiment_id of int_experiment_units, by
the functions of orchestration/lib/experiments.py (rates, lifts and their intervals, the z-test,
the sample-ratio-mismatch test, incremental revenue, verdict, CUPED); marts.experiment_results
casts the columns to its enforced contract (dbt enforces none on Python models).

The analysis takes each unit's first assignment, open conversion windows included (the rates
are over the units assigned); units assigned to both variants are left out and counted. A Python
model because the tests' p-values come from scipy.
"""

from __future__ import annotations

import pyarrow as pa

from orchestration.lib.experiments import Settings, Units, experiment_statistics

# The seed's defaults for an experiment without a row in the experiment settings
# (docs/input_contract.md).
DEFAULT_TREATMENT_SHARE = 0.5
# What describes an experiment, aggregated in DuckDB (one program per experiment; the smallest
# name should its rows name several); only the analysed units' numeric columns leave DuckDB,
# one experiment at a time.
DESCRIPTION = (
    "experiment_id, min(ai_system) as ai_system,"
    " min(conversion_window_days) as conversion_window_days,"
    " min(assigned_at) as first_assigned_at, max(assigned_at) as last_assigned_at,"
    " count(*) filter (where is_window_open and not is_in_both_variants) as units_window_open,"
    " count(*) filter (where is_in_both_variants) as units_in_both_variants"
)
ANALYSED_COLUMNS = (
    "variant = 'treatment' as is_treatment, is_converted, revenue_usd, pre_conversions"
)
DOUBLE = pa.float64()
SCHEMA = pa.schema(
    [
        ("experiment_id", pa.string()),
        ("ai_system", pa.string()),
        ("n_control", pa.int64()),
        ("n_treatment", pa.int64()),
        ("conversions_control", pa.int64()),
        ("conversions_treatment", pa.int64()),
        ("rate_control", DOUBLE),
        ("rate_treatment", DOUBLE),
        ("absolute_lift", DOUBLE),
        ("absolute_lift_ci_low", DOUBLE),
        ("absolute_lift_ci_high", DOUBLE),
        ("relative_lift", DOUBLE),
        ("relative_lift_ci_low", DOUBLE),
        ("relative_lift_ci_high", DOUBLE),
        ("p_value", DOUBLE),
        ("srm_p_value", DOUBLE),
        ("incremental_revenue_usd", DOUBLE),
        ("verdict", pa.string()),
        ("expected_treatment_share", DOUBLE),
        ("conversion_window_days", pa.int64()),
        ("first_assigned_at", pa.timestamp("us")),
        ("last_assigned_at", pa.timestamp("us")),
        ("units_window_open", pa.int64()),
        ("units_in_both_variants", pa.int64()),
        ("incremental_revenue_ci_low", DOUBLE),
        ("incremental_revenue_ci_high", DOUBLE),
        ("cuped_theta", DOUBLE),
        ("cuped_absolute_lift", DOUBLE),
        ("cuped_absolute_lift_ci_low", DOUBLE),
        ("cuped_absolute_lift_ci_high", DOUBLE),
        ("cuped_variance_reduction", DOUBLE),
    ]
)


def setting(dbt, name: str) -> float:
    rows = dbt.ref("stg_reference__settings").filter(f"setting_name = '{name}'").fetchall()
    return float(rows[0][1])


def treatment_shares(dbt) -> dict[str, float]:
    rows = dbt.ref("stg_reference__experiment_settings").fetchall()
    return {row[0]: row[1] for row in rows if row[1] is not None}


def experiment_row(units, description: dict, settings: Settings) -> dict:
    """The row of one experiment: what describes it, then its statistics over the analysed
    units (first assignments to one variant only)."""
    experiment_id = description["experiment_id"].replace("'", "''")
    analysed = (
        units.filter(f"experiment_id = '{experiment_id}' and not is_in_both_variants")
        .project(ANALYSED_COLUMNS)
        .fetchnumpy()
    )
    statistics = experiment_statistics(
        Units(
            is_treatment=analysed["is_treatment"],
            is_converted=analysed["is_converted"],
            revenue_usd=analysed["revenue_usd"],
            pre_conversions=analysed["pre_conversions"],
        ),
        settings,
    )
    return {
        **description,
        **statistics,
        "expected_treatment_share": settings.expected_treatment_share,
    }


def model(dbt, session):
    dbt.config(materialized="table")
    # The dbt var ci_z, handed over by the model's config (Python models take no Jinja).
    z = float(dbt.config.get("ci_z"))
    experiment_alpha, srm_alpha = setting(dbt, "experiment_alpha"), setting(dbt, "srm_alpha")
    shares = treatment_shares(dbt)
    units = dbt.ref("int_experiment_units")
    descriptions = units.aggregate(DESCRIPTION, "experiment_id").order("experiment_id")
    names = descriptions.columns
    rows = [
        experiment_row(
            units,
            description,
            Settings(
                expected_treatment_share=shares.get(
                    description["experiment_id"], DEFAULT_TREATMENT_SHARE
                ),
                experiment_alpha=experiment_alpha,
                srm_alpha=srm_alpha,
                z=z,
            ),
        )
        for description in (
            dict(zip(names, values, strict=True)) for values in descriptions.fetchall()
        )
    ]
    # An Arrow table keeps the column types, also without rows.
    return pa.Table.from_pylist(rows, schema=SCHEMA)
