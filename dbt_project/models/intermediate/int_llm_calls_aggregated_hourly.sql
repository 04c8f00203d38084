{{ config(
    materialized='incremental',
    **replace_periods_config(['started_date'], looks_ahead=false)
) }}

-- One row per ai_system (and ALL) and UTC hour with calls: the call count and the hour's p95
-- latency, the points of latency_load_slope_ms_per_1k_calls. Incremental runs rebuild the hours
-- of the recomputed days.

{%- set hour_start = 'cast(' ~ dbt.date_trunc('hour', 'calls.started_at') ~ ' as '
    ~ dbt.type_timestamp() ~ ')' %}

with calls as {{ not_materialized() }} (

    select * from {{ ref('int_llm_calls_priced') }}
    where {{ in_recompute_days('started_date') }}

),

systems as {{ not_materialized() }} (

    select
        calls.ai_system as slice_ai_system,
        calls.started_date,
        {{ hour_start }} as hour_start,
        calls.duration_ms
    from calls
    union all
    select
        'ALL' as slice_ai_system,
        calls.started_date,
        {{ hour_start }} as hour_start,
        calls.duration_ms
    from calls

),

hourly as (

    select
        slice_ai_system as ai_system,
        started_date,
        hour_start,
        count(*) as calls
    from systems
    group by 1, 2, 3

),

hourly_percentiles as (

    {{ ranked_percentiles(
        'systems',
        ['slice_ai_system', 'started_date', 'hour_start'],
        'duration_ms',
        {'latency_p95_ms': 0.95},
    ) }}

),

final as (

    select
        hourly.*,
        hourly_percentiles.latency_p95_ms
    from hourly
    left join hourly_percentiles
        on hourly_percentiles.slice_ai_system = hourly.ai_system
        and hourly_percentiles.started_date = hourly.started_date
        and hourly_percentiles.hour_start = hourly.hour_start

)

select * from final
