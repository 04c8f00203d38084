{{ config(
    materialized='incremental',
    **replace_periods_config(['grain', 'period_start'], looks_ahead=false)
) }}

-- The operational family as metric inputs (one row per metric, grain, period, ai_system and
-- segment 'all'; see the metric_inputs docs block): latency, throughput, errors, tokens and
-- inference cost by the calls started in the period, uptime by the checks made in it, and the
-- latency-under-load slope by the period's hours with calls.

with calls as (

    select * from {{ ref('int_llm_calls_aggregated') }}
    where {{ in_recompute_periods() }}

),

calls_with_conversations as (

    select * from calls
    where conversations_with_calls is not null

),

checks as (

    select * from {{ ref('stg_raw__uptime') }}
    where {{ in_recompute_reads('checked_date') }}

),

checks_sliced as (

    {{ sliced('checks', 'checked_date') }}

),

uptime as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        count(*) as checks,
        {{ count_if('is_up') }} as checks_up
    from checks_sliced
    group by 1, 2, 3, 4, 5

),

hours as (

    select * from {{ ref('int_llm_calls_aggregated_hourly') }}
    where {{ in_recompute_reads('started_date') }}

),

-- The hourly points already carry ALL: slice them by grain only.
hours_sliced as (

    select *
    from (
        select
            grains.grain,
            {{ period_start('grains.grain', 'hours.started_date') }} as period_start,
            hours.ai_system,
            'all' as segment_key,
            'all' as segment_value,
            cast(hours.calls as {{ type_double() }}) / 1000.0 as calls_thousands,
            hours.latency_p95_ms
        from hours
        cross join ({{ grains() }}) as grains
    ) as expanded
    where {{ in_recompute_periods() }}

),

load_slope as (

    select
        grain,
        period_start,
        ai_system,
        segment_key,
        segment_value,
        count(*) as hours_observed,
        -- Least-squares slope of hourly p95 latency on hourly calls (per 1,000 calls).
        covar_pop(latency_p95_ms, calls_thousands) / nullif(var_pop(calls_thousands), 0)
            as latency_load_slope
    from hours_sliced
    group by 1, 2, 3, 4, 5

),

call_metrics as (

    {{ metric_rows('calls', [
        {'name': 'latency_p50_ms', 'statistic': 'value', 'unit': 'ms',
         'value': 'latency_p50_ms', 'sample_size': 'calls'},
        {'name': 'latency_p95_ms', 'statistic': 'value', 'unit': 'ms',
         'value': 'latency_p95_ms', 'sample_size': 'calls'},
        {'name': 'latency_p99_ms', 'statistic': 'value', 'unit': 'ms',
         'value': 'latency_p99_ms', 'sample_size': 'calls'},
        {'name': 'throughput_per_minute', 'statistic': 'ratio', 'unit': 'calls_per_minute',
         'numerator': 'calls', 'denominator': 'period_minutes', 'sample_size': 'calls'},
        {'name': 'error_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'error_calls', 'denominator': 'calls'},
        {'name': 'tokens_total', 'statistic': 'value', 'unit': 'tokens',
         'value': 'tokens_total', 'sample_size': 'calls_with_tokens'},
        {'name': 'inference_cost_usd', 'statistic': 'value', 'unit': 'usd',
         'value': 'inference_cost_usd', 'sample_size': 'calls_costed'},
        {'name': 'peak_throughput_per_minute', 'statistic': 'value', 'unit': 'calls_per_minute',
         'value': 'peak_calls_per_minute', 'sample_size': 'calls'},
    ]) }}

),

token_metrics as (

    {{ metric_rows('calls_with_conversations', [
        {'name': 'tokens_per_conversation', 'statistic': 'mean', 'unit': 'tokens',
         'numerator': 'conversation_tokens_sum', 'denominator': 'conversations_with_tokens',
         'standard_deviation': 'conversation_tokens_sd'},
    ]) }}

),

uptime_metrics as (

    {{ metric_rows('uptime', [
        {'name': 'uptime_percent', 'statistic': 'proportion', 'unit': 'percent', 'scale': 100,
         'numerator': 'checks_up', 'denominator': 'checks'},
    ]) }}

),

slope_metrics as (

    {{ metric_rows('load_slope', [
        {'name': 'latency_load_slope_ms_per_1k_calls', 'statistic': 'value',
         'unit': 'ms_per_1k_calls', 'value': 'latency_load_slope', 'sample_size': 'hours_observed'},
    ]) }}

),

unioned as (

    select * from call_metrics
    union all
    select * from token_metrics
    union all
    select * from uptime_metrics
    union all
    select * from slope_metrics

)

select * from unioned
