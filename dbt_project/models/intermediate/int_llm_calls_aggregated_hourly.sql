{{ config(
    materialized='incremental',
    meta={'looks_ahead': false},
    **replace_periods_config(['started_date'])
) }}

-- One row per ai_system (and ALL) and UTC hour with calls: the call count and the hour's p95
-- latency, the points of latency_load_slope_ms_per_1k_calls. Incremental runs rebuild the hours
-- of the recomputed days.

with calls as (

    select * from {{ ref('int_llm_calls_priced') }}
    where {{ in_recompute_days('started_date') }}

),

systems as (

    select
        calls.ai_system as slice_ai_system,
        calls.*
    from calls
    union all
    select
        'ALL' as slice_ai_system,
        calls.*
    from calls

),

hourly as (

    select
        slice_ai_system as ai_system,
        started_date,
        cast({{ dbt.date_trunc('hour', 'started_at') }} as {{ dbt.type_timestamp() }})
            as hour_start,
        count(*) as calls,
        percentile_cont(0.95) within group (order by duration_ms) as latency_p95_ms
    from systems
    group by 1, 2, 3

)

select * from hourly
