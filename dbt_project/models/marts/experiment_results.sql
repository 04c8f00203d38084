-- One row per A/B experiment: the units of each arm, conversions and rates, the absolute and
-- relative lift with their 95 % intervals, the two-proportion z-test's p-value, the
-- sample-ratio-mismatch p-value, the incremental revenue and the verdict,
-- then the experiment's settings and span, the units whose window is still open or who were
-- assigned to both variants, and the CUPED estimate of the lift. The statistics come from the
-- Python model int_experiment_statistics; this model gives every column its contract type (dbt
-- enforces contracts on SQL models only).

with statistics as (

    select * from {{ ref('int_experiment_statistics') }}

),

typed as (

    select
        cast(experiment_id as {{ dbt.type_string() }}) as experiment_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(n_control as {{ dbt.type_bigint() }}) as n_control,
        cast(n_treatment as {{ dbt.type_bigint() }}) as n_treatment,
        cast(conversions_control as {{ dbt.type_bigint() }}) as conversions_control,
        cast(conversions_treatment as {{ dbt.type_bigint() }}) as conversions_treatment,
        cast(rate_control as {{ type_double() }}) as rate_control,
        cast(rate_treatment as {{ type_double() }}) as rate_treatment,
        cast(absolute_lift as {{ type_double() }}) as absolute_lift,
        cast(absolute_lift_ci_low as {{ type_double() }}) as absolute_lift_ci_low,
        cast(absolute_lift_ci_high as {{ type_double() }}) as absolute_lift_ci_high,
        cast(relative_lift as {{ type_double() }}) as relative_lift,
        cast(relative_lift_ci_low as {{ type_double() }}) as relative_lift_ci_low,
        cast(relative_lift_ci_high as {{ type_double() }}) as relative_lift_ci_high,
        cast(p_value as {{ type_double() }}) as p_value,
        cast(srm_p_value as {{ type_double() }}) as srm_p_value,
        cast(incremental_revenue_usd as {{ type_double() }}) as incremental_revenue_usd,
        cast(verdict as {{ dbt.type_string() }}) as verdict,
        cast(expected_treatment_share as {{ type_double() }}) as expected_treatment_share,
        cast(conversion_window_days as {{ dbt.type_bigint() }}) as conversion_window_days,
        cast(first_assigned_at as {{ dbt.type_timestamp() }}) as first_assigned_at,
        cast(last_assigned_at as {{ dbt.type_timestamp() }}) as last_assigned_at,
        cast(units_window_open as {{ dbt.type_bigint() }}) as units_window_open,
        cast(units_in_both_variants as {{ dbt.type_bigint() }}) as units_in_both_variants,
        cast(incremental_revenue_ci_low as {{ type_double() }}) as incremental_revenue_ci_low,
        cast(incremental_revenue_ci_high as {{ type_double() }}) as incremental_revenue_ci_high,
        cast(cuped_theta as {{ type_double() }}) as cuped_theta,
        cast(cuped_absolute_lift as {{ type_double() }}) as cuped_absolute_lift,
        cast(cuped_absolute_lift_ci_low as {{ type_double() }}) as cuped_absolute_lift_ci_low,
        cast(cuped_absolute_lift_ci_high as {{ type_double() }}) as cuped_absolute_lift_ci_high,
        cast(cuped_variance_reduction as {{ type_double() }}) as cuped_variance_reduction
    from statistics

)

select * from typed
