{{ config(
    materialized='incremental',
    **replace_periods_config(['grain', 'period_start'], looks_ahead=false)
) }}

-- The employee family as metric inputs (see the metric_inputs docs block), by the usage days in
-- the period: adoption among the roster's eligible employees, sessions per active employee,
-- satisfaction and minutes saved. The roster is a snapshot (the latest file): adoption of past
-- periods is measured against today's eligible headcount.

with roster as (

    select * from {{ ref('stg_raw__employees') }}

),

employee_usage as (

    select
        employee_usage.*,
        coalesce(roster.is_eligible, false) as is_eligible
    from {{ ref('stg_raw__employee_usage') }} as employee_usage
    left join roster
        on roster.employee_id = employee_usage.employee_id
    where {{ in_recompute_reads('employee_usage.usage_date') }}

),

usage_sliced as (

    {{ sliced('employee_usage', 'usage_date') }}

),

eligible as (

    select {{ count_if('is_eligible') }} as eligible_employees
    from roster

),

aggregated as (

    select
        usage_sliced.grain,
        usage_sliced.period_start,
        usage_sliced.slice_ai_system as ai_system,
        usage_sliced.segment_key,
        usage_sliced.segment_value,
        count(distinct case
            when usage_sliced.is_eligible and usage_sliced.sessions >= 1
                then usage_sliced.employee_id
        end) as adopters,
        max(eligible.eligible_employees) as eligible_employees,
        sum(usage_sliced.sessions) as sessions,
        count(distinct case
            when usage_sliced.sessions >= 1 then usage_sliced.employee_id
        end) as active_employees,
        count(usage_sliced.satisfaction) as satisfaction_rated,
        sum(usage_sliced.satisfaction) as satisfaction_sum,
        stddev_samp(usage_sliced.satisfaction) as satisfaction_sd,
        count(usage_sliced.minutes_saved) as minutes_saved_reported,
        sum(usage_sliced.minutes_saved) as minutes_saved
    from usage_sliced
    cross join eligible
    group by 1, 2, 3, 4, 5

),

employee_metrics as (

    {{ metric_rows('aggregated', [
        {'name': 'adoption_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'adopters', 'denominator': 'eligible_employees'},
        {'name': 'sessions_per_active_employee', 'statistic': 'ratio', 'unit': 'sessions',
         'numerator': 'sessions', 'denominator': 'active_employees'},
        {'name': 'employee_satisfaction', 'statistic': 'mean', 'unit': 'satisfaction_1_to_5',
         'numerator': 'satisfaction_sum', 'denominator': 'satisfaction_rated',
         'standard_deviation': 'satisfaction_sd'},
        {'name': 'minutes_saved_total', 'statistic': 'value', 'unit': 'minutes',
         'value': 'minutes_saved', 'sample_size': 'minutes_saved_reported'},
    ]) }}

)

select * from employee_metrics
