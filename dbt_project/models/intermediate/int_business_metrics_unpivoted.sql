{{ config(materialized='incremental', **replace_periods_config(['grain', 'period_start'])) }}

-- The business-KPI family as metric inputs (one row per metric, grain, period, ai_system and
-- segment 'all'; see the metric_inputs docs block), from the per-day sums of int_business_daily
-- and the day values of int_business_value_daily, so that ALL is the sum of the programs
-- (untagged costs count under 'unallocated'):
--   ai_run_cost_usd: billed ai_inference + ai_platform costs; where no ai_inference bill covers
--     the (ai_system, day), the calls' inference_cost_usd stands in for it;
--   human_oversight_cost_usd: human_handle_seconds of AI conversations x loaded hourly rate;
--   cost_to_serve_usd: both costs / AI conversations resolved (escalated ones included);
--   human_cost_to_serve_usd: labour cost of human-only conversations / those resolved (among
--     the conversations with a known labour cost);
--   cost_reduction_usd, roai, time_to_value_days: see int_business_value_daily;
--   attributed_revenue_usd, revenue_per_ai_interaction_usd (per AI conversation started in the
--     period), ai_revenue_share (of all revenue counted in the period, attributed or not).

with days as (

    select
        daily.*,
        valued.cost_avoided_usd,
        valued.cost_reduction_usd,
        valued.investment_usd,
        valued.value_usd,
        case
            when valued.cost_reduction_usd is not null then daily.ai_resolved else 0
        end as cost_reduction_resolutions
    from {{ ref('int_business_daily') }} as daily
    inner join {{ ref('int_business_value_daily') }} as valued
        on valued.ai_system = daily.ai_system
        and valued.business_date = daily.business_date
    where {{ in_recompute_reads('daily.business_date') }}

),

days_sliced as (

    {{ sliced('days', 'business_date') }}

),

aggregated as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        count(run_cost_usd) as run_cost_days,
        sum(run_cost_usd) as run_cost_usd,
        sum(oversight_rows) as oversight_rows,
        sum(oversight_cost_usd) as oversight_cost_usd,
        sum(ai_resolved) as ai_resolved,
        case
            when sum(run_cost_usd) is null and sum(oversight_cost_usd) is null then null
            else coalesce(sum(run_cost_usd), 0) + coalesce(sum(oversight_cost_usd), 0)
        end as serve_cost_usd,
        sum(human_only_labor_cost_usd) as human_only_labor_cost_usd,
        sum(human_only_costed_resolved) as human_only_costed_resolved,
        sum(cost_reduction_usd) as cost_reduction_usd,
        sum(cost_reduction_resolutions) as cost_reduction_resolutions,
        sum(attributed_revenue_usd) as attributed_revenue_usd,
        sum(attributed_orders) as attributed_orders,
        sum(ai_conversations) as ai_conversations,
        sum(investment_usd) as investment_usd,
        sum(value_usd) - sum(investment_usd) as net_value_usd,
        count(investment_usd) as investment_days
    from days_sliced
    group by 1, 2, 3, 4, 5

),

-- All revenue of a period, attributed or not: the denominator of ai_revenue_share.
company_revenue as (

    select
        expanded.grain,
        expanded.period_start,
        sum(expanded.counted_usd) as revenue_usd
    from (
        select
            grains.grain,
            {{ period_start('grains.grain', 'revenue.occurred_date') }} as period_start,
            revenue.counted_usd
        from {{ ref('int_revenue_usd') }} as revenue
        cross join ({{ grains() }}) as grains
        where {{ in_recompute_reads('revenue.occurred_date') }}
    ) as expanded
    where {{ in_recompute_periods('expanded.grain', 'expanded.period_start') }}
    group by 1, 2

),

with_revenue as (

    select
        aggregated.*,
        company_revenue.revenue_usd as company_revenue_usd
    from aggregated
    left join company_revenue
        on company_revenue.grain = aggregated.grain
        and company_revenue.period_start = aggregated.period_start

),

-- time_to_value_days of a period: the payback days once the payback date is within or before
-- it (program and portfolio rows of int_business_value_daily).
payback as (

    select
        expanded.grain,
        expanded.period_start,
        expanded.ai_system,
        'all' as segment_key,
        'all' as segment_value,
        max(
            case
                when expanded.business_date >= expanded.payback_date
                    then expanded.time_to_value_days
            end
        ) as time_to_value_days,
        max(expanded.days_since_deployment) as days_since_deployment
    from (
        select
            grains.grain,
            {{ period_start('grains.grain', 'valued.business_date') }} as period_start,
            valued.*
        from {{ ref('int_business_value_daily') }} as valued
        cross join ({{ grains() }}) as grains
        where {{ in_recompute_reads('valued.business_date') }}
    ) as expanded
    where {{ in_recompute_periods('expanded.grain', 'expanded.period_start') }}
    group by 1, 2, 3

),

business_metrics as (

    {{ metric_rows('with_revenue', [
        {'name': 'ai_run_cost_usd', 'statistic': 'value', 'unit': 'usd',
         'value': 'run_cost_usd', 'sample_size': 'run_cost_days'},
        {'name': 'human_oversight_cost_usd', 'statistic': 'value', 'unit': 'usd',
         'value': 'oversight_cost_usd', 'sample_size': 'oversight_rows'},
        {'name': 'cost_to_serve_usd', 'statistic': 'ratio', 'unit': 'usd',
         'numerator': 'serve_cost_usd', 'denominator': 'ai_resolved'},
        {'name': 'human_cost_to_serve_usd', 'statistic': 'ratio', 'unit': 'usd',
         'numerator': 'human_only_labor_cost_usd', 'denominator': 'human_only_costed_resolved'},
        {'name': 'cost_reduction_usd', 'statistic': 'value', 'unit': 'usd',
         'value': 'cost_reduction_usd', 'sample_size': 'cost_reduction_resolutions'},
        {'name': 'attributed_revenue_usd', 'statistic': 'value', 'unit': 'usd',
         'value': 'attributed_revenue_usd', 'sample_size': 'attributed_orders'},
        {'name': 'revenue_per_ai_interaction_usd', 'statistic': 'ratio', 'unit': 'usd',
         'numerator': 'attributed_revenue_usd', 'denominator': 'ai_conversations'},
        {'name': 'ai_revenue_share', 'statistic': 'ratio', 'unit': 'share',
         'numerator': 'attributed_revenue_usd', 'denominator': 'company_revenue_usd',
         'sample_size': 'attributed_orders'},
        {'name': 'roai', 'statistic': 'ratio', 'unit': 'ratio',
         'numerator': 'net_value_usd', 'denominator': 'investment_usd',
         'sample_size': 'investment_days'},
    ]) }}
    union all
    {{ metric_rows('payback', [
        {'name': 'time_to_value_days', 'statistic': 'value', 'unit': 'days',
         'value': 'time_to_value_days', 'sample_size': 'days_since_deployment'},
    ]) }}

)

select * from business_metrics
