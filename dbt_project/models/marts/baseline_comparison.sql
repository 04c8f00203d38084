-- One row per deployment (ai_system, deployed_at) and headline metric: the pre- and
-- post-deployment values, the change with its 95 % interval and, where a control program is
-- named, the control's change and the difference-in-differences. The statistics come from the
-- Python model int_baseline_statistics; this model gives every column its contract type (dbt
-- enforces contracts on SQL models only).

with statistics as (

    select * from {{ ref('int_baseline_statistics') }}

),

typed as (

    select
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(deployed_at as {{ dbt.type_timestamp() }}) as deployed_at,
        cast(version as {{ dbt.type_string() }}) as version,
        cast(control_ai_system as {{ dbt.type_string() }}) as control_ai_system,
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(pre_start as {{ dbt.type_timestamp() }}) as pre_start,
        cast(pre_end as {{ dbt.type_timestamp() }}) as pre_end,
        cast(post_start as {{ dbt.type_timestamp() }}) as post_start,
        cast(post_end as {{ dbt.type_timestamp() }}) as post_end,
        cast(pre_days_observed as {{ dbt.type_bigint() }}) as pre_days_observed,
        cast(post_days_observed as {{ dbt.type_bigint() }}) as post_days_observed,
        cast(pre_value as {{ type_double() }}) as pre_value,
        cast(pre_sample_size as {{ dbt.type_bigint() }}) as pre_sample_size,
        cast(post_value as {{ type_double() }}) as post_value,
        cast(post_sample_size as {{ dbt.type_bigint() }}) as post_sample_size,
        -- `change` is no reserved word on DuckDB or Spark; sqlfluff counts it as a keyword.
        cast(change as {{ type_double() }}) as change,  -- noqa: RF04
        cast(change_ci_low as {{ type_double() }}) as change_ci_low,
        cast(change_ci_high as {{ type_double() }}) as change_ci_high,
        cast(control_pre_value as {{ type_double() }}) as control_pre_value,
        cast(control_pre_sample_size as {{ dbt.type_bigint() }}) as control_pre_sample_size,
        cast(control_post_value as {{ type_double() }}) as control_post_value,
        cast(control_post_sample_size as {{ dbt.type_bigint() }}) as control_post_sample_size,
        cast(control_change as {{ type_double() }}) as control_change,
        cast(control_change_ci_low as {{ type_double() }}) as control_change_ci_low,
        cast(control_change_ci_high as {{ type_double() }}) as control_change_ci_high,
        cast(did as {{ type_double() }}) as did,
        cast(did_ci_low as {{ type_double() }}) as did_ci_low,
        cast(did_ci_high as {{ type_double() }}) as did_ci_high
    from statistics

)

select * from typed
