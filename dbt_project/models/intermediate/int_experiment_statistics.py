"""The statistics of every A/B experiment: one row per experiment_id of int_experiment_units, by
the functions of orchestration/lib/experiments.py (rates, lifts and their intervals, the z-test,
the sample-ratio-mismatch test, incremental revenue, verdict, CUPED); marts.experiment_results
casts the columns to its enforced contract (dbt enforces none on Python models).

The analysis takes each unit's first assignment, open conversion windows included (PRODUCT.md:
the units assigned); units assigned to both variants are left out and counted. A Python model
because the tests' p-values come from scipy.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from orchestration.lib.experiments import Settings, Units, experiment_statistics

# The seed's defaults for an experiment without a row in the experiment settings (PRODUCT.md).
DEFAULT_TREATMENT_SHARE = 0.5
UNIT_COLUMNS = (
    "experiment_id, ai_system, variant, assigned_at, conversion_window_days,"
    " is_in_both_variants, is_converted, revenue_usd, pre_conversions, is_window_open"
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


def experiment_row(experiment_id: str, units: pd.DataFrame, settings: Settings) -> dict:
    """The row of one experiment: what describes it, then its statistics over the analysed
    units (first assignments to one variant only)."""
    analysed = units[~units["is_in_both_variants"]]
    statistics = experiment_statistics(
        Units(
            is_treatment=(analysed["variant"] == "treatment").to_numpy(),
            is_converted=analysed["is_converted"].to_numpy(),
            revenue_usd=analysed["revenue_usd"].to_numpy(),
            pre_conversions=analysed["pre_conversions"].to_numpy(),
        ),
        settings,
    )
    return {
        "experiment_id": experiment_id,
        # One program per experiment; the smallest name should its rows name several.
        "ai_system": units["ai_system"].min(),
        **statistics,
        "expected_treatment_share": settings.expected_treatment_share,
        "conversion_window_days": int(units["conversion_window_days"].iloc[0]),
        "first_assigned_at": units["assigned_at"].min(),
        "last_assigned_at": units["assigned_at"].max(),
        "units_window_open": int(analysed["is_window_open"].sum()),
        "units_in_both_variants": int(units["is_in_both_variants"].sum()),
    }


def model(dbt, session):
    dbt.config(materialized="table")
    # The dbt var ci_z, handed over by the model's config (Python models take no Jinja).
    z = float(dbt.config.get("ci_z"))
    experiment_alpha, srm_alpha = setting(dbt, "experiment_alpha"), setting(dbt, "srm_alpha")
    shares = treatment_shares(dbt)
    units = dbt.ref("int_experiment_units").project(UNIT_COLUMNS).df()
    rows = [
        experiment_row(
            str(experiment_id),
            group,
            Settings(
                expected_treatment_share=shares.get(experiment_id, DEFAULT_TREATMENT_SHARE),
                experiment_alpha=experiment_alpha,
                srm_alpha=srm_alpha,
                z=z,
            ),
        )
        for experiment_id, group in units.groupby("experiment_id", sort=True)
    ]
    # An Arrow table keeps the column types, also without rows.
    return pa.Table.from_pylist(rows, schema=SCHEMA)
