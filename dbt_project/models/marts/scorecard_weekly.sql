{{ config(
    materialized='incremental',
    **replace_periods_config(['week_start'], window={'weeks': 'week_start'})
) }}

-- One row per ISO week, ai_system (and ALL) and metric at week grain, segment 'all': the value
-- with its interval, the prior week, the average of the 4 weeks before, the target and a status.
-- baseline_value is the pre-deployment value of marts.baseline_comparison for the program's
-- latest deployment before the week's end (headline metrics of programs with a deployment).
-- Incremental runs rebuild the recomputed weeks and the 4 weeks after them, whose history they
-- feed.

{%- set w = recompute_window() %}

with weekly as (

    select *
    from {{ ref('metric_values') }}
    where grain = 'week'
        and segment_key = 'all'
    {%- if w is not none %}
        and period_start >= {{ date_literal(w.week_from - modules.datetime.timedelta(days=28)) }}
        and period_start <= {{ date_literal(w.week_to + modules.datetime.timedelta(days=28)) }}
    {%- endif %}

),

history as (

    select
        current_week.period_start as week_start,
        current_week.ai_system,
        current_week.metric_name,
        max(case
            when past_week.period_start
                = cast({{ dbt.dateadd('day', -7, 'current_week.period_start') }} as date)
                then past_week.value
        end) as prior_week_value,
        avg(past_week.value) as four_week_average
    from weekly as current_week
    left join weekly as past_week
        on past_week.ai_system = current_week.ai_system
        and past_week.metric_name = current_week.metric_name
        and past_week.period_start >= cast(
            {{ dbt.dateadd('day', -28, 'current_week.period_start') }} as date
        )
        and past_week.period_start < current_week.period_start
    {%- if w is not none %}
    where current_week.period_start >= {{ date_literal(w.week_from) }}
        and current_week.period_start
            <= {{ date_literal(w.week_to + modules.datetime.timedelta(days=28)) }}
    {%- endif %}
    group by 1, 2, 3

),

-- Every week's baseline: the pre-window value of the latest deployment that week has seen.
baselines as (

    select
        ranked.week_start,
        ranked.ai_system,
        ranked.metric_name,
        ranked.pre_value as baseline_value
    from (
        select
            weekly.period_start as week_start,
            comparison.ai_system,
            comparison.metric_name,
            comparison.pre_value,
            row_number() over (
                partition by weekly.period_start, comparison.ai_system, comparison.metric_name
                order by comparison.deployed_at desc
            ) as recency
        from weekly
        inner join {{ ref('baseline_comparison') }} as comparison
            on comparison.ai_system = weekly.ai_system
            and comparison.metric_name = weekly.metric_name
            and comparison.deployed_at
            < cast({{ dbt.dateadd('day', 7, 'weekly.period_start') }} as {{ dbt.type_timestamp() }})
    ) as ranked
    where ranked.recency = 1

),

targets as (

    select * from {{ ref('stg_reference__targets') }}

),

default_min_sample_size as (

    select cast(setting_value as {{ dbt.type_bigint() }}) as min_sample_size
    from {{ ref('stg_reference__settings') }}
    where setting_name = 'default_min_sample_size'

),

-- A target row for the ai_system itself beats the ALL row of the same metric.
targeted as (

    select
        weekly.period_start as week_start,
        weekly.ai_system,
        weekly.metric_name,
        weekly.value,
        weekly.ci_low,
        weekly.ci_high,
        weekly.sample_size,
        history.prior_week_value,
        history.four_week_average,
        baselines.baseline_value,
        case when own.metric_name is not null then own.target else for_all.target end as target,
        case when own.metric_name is not null then own.direction else for_all.direction end
            as direction,
        coalesce(
            case
                when own.metric_name is not null then own.min_sample_size
                else for_all.min_sample_size
            end,
            default_min_sample_size.min_sample_size
        ) as min_sample_size
    from weekly
    inner join history
        on history.week_start = weekly.period_start
        and history.ai_system = weekly.ai_system
        and history.metric_name = weekly.metric_name
    left join baselines
        on baselines.week_start = weekly.period_start
        and baselines.ai_system = weekly.ai_system
        and baselines.metric_name = weekly.metric_name
    left join default_min_sample_size
        on 1 = 1
    left join targets as own
        on own.metric_name = weekly.metric_name
        and own.ai_system = weekly.ai_system
    left join targets as for_all
        on for_all.metric_name = weekly.metric_name
        and for_all.ai_system = 'ALL'

),

scored as (

    select
        cast(week_start as date) as week_start,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(value as {{ type_double() }}) as value,
        cast(ci_low as {{ type_double() }}) as ci_low,
        cast(ci_high as {{ type_double() }}) as ci_high,
        cast(sample_size as {{ dbt.type_bigint() }}) as sample_size,
        cast(prior_week_value as {{ type_double() }}) as prior_week_value,
        cast(four_week_average as {{ type_double() }}) as four_week_average,
        cast(baseline_value as {{ type_double() }}) as baseline_value,
        cast(target as {{ type_double() }}) as target,
        cast(case
            when value is null
                or sample_size is null
                or sample_size < coalesce(min_sample_size, 0)
                then 'insufficient_data'
            when target is null or direction not in ('higher', 'lower') then 'no_target'
            when (direction = 'higher' and value >= target)
                or (direction = 'lower' and value <= target)
                then 'on_track'
            when (direction = 'higher' and value >= target - 0.05 * abs(target))
                or (direction = 'lower' and value <= target + 0.05 * abs(target))
                then 'at_risk'
            else 'off_track'
        end as {{ dbt.type_string() }}) as status
    from targeted

)

select * from scored
