{{ config(materialized='incremental', **replace_periods_config(['grain', 'period_start'])) }}

-- The business-KPI family as metric inputs (one row per metric, grain, period, ai_system and
-- segment 'all'; see the metric_inputs docs block). Costs are summed per ai_system and UTC day
-- first, so ALL is the sum of the programs (untagged costs count under 'unallocated'):
--   ai_run_cost_usd: billed ai_inference + ai_platform costs of the day; where no ai_inference
--     bill covers the (ai_system, day), the calls' inference_cost_usd stands in for it;
--   human_oversight_cost_usd: human_handle_seconds of AI conversations x loaded hourly rate;
--   cost_to_serve_usd: both costs / AI conversations resolved (escalated ones included).

with bills as (

    select
        ai_system,
        cost_date,
        sum(case when cost_type = 'ai_inference' then amount_usd end) as billed_inference_usd,
        {{ count_if("cost_type = 'ai_inference'") }} as inference_bill_rows,
        sum(case when cost_type = 'ai_platform' then amount_usd end) as billed_platform_usd,
        count(amount_usd) as bill_rows_converted
    from {{ ref('int_costs_spread') }}
    where cost_type in ('ai_inference', 'ai_platform')
        and {{ in_recompute_reads('cost_date') }}
    group by 1, 2

),

calls as (

    select
        ai_system,
        started_date as cost_date,
        sum(inference_cost_usd) as computed_inference_usd
    from {{ ref('int_llm_calls_priced') }}
    where {{ in_recompute_reads('started_date') }}
    group by 1, 2

),

run_costs as (

    select
        coalesce(bills.ai_system, calls.ai_system) as ai_system,
        coalesce(bills.cost_date, calls.cost_date) as cost_date,
        case
            when bills.billed_platform_usd is null
                and (
                    case
                        when bills.inference_bill_rows > 0 then bills.billed_inference_usd
                        else calls.computed_inference_usd
                    end
                ) is null
                then null
            else coalesce(bills.billed_platform_usd, 0)
                + coalesce(
                    case
                        when bills.inference_bill_rows > 0 then bills.billed_inference_usd
                        else calls.computed_inference_usd
                    end,
                    0
                )
        end as run_cost_usd
    from bills
    full outer join calls
        on calls.ai_system = bills.ai_system
        and calls.cost_date = bills.cost_date

),

conversations as (

    select
        ai_system,
        started_date as cost_date,
        sum(case when is_ai_involved then human_handle_cost_usd end) as oversight_cost_usd,
        {{ count_if('is_ai_involved and human_handle_cost_usd is not null') }} as oversight_rows,
        {{ count_if('is_ai_involved and is_resolved') }} as ai_resolved
    from {{ ref('int_conversations_enriched') }}
    where {{ in_recompute_reads('started_date') }}
    group by 1, 2

),

daily as (

    select
        ai_system,
        cost_date,
        run_cost_usd,
        cast(null as {{ type_double() }}) as oversight_cost_usd,
        0 as oversight_rows,
        0 as ai_resolved
    from run_costs
    union all
    select
        ai_system,
        cost_date,
        cast(null as {{ type_double() }}) as run_cost_usd,
        oversight_cost_usd,
        oversight_rows,
        ai_resolved
    from conversations

),

daily_sliced as (

    {{ sliced('daily', 'cost_date') }}

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
        end as serve_cost_usd
    from daily_sliced
    group by 1, 2, 3, 4, 5

),

business_metrics as (

    {{ metric_rows('aggregated', [
        {'name': 'ai_run_cost_usd', 'statistic': 'value', 'unit': 'usd',
         'value': 'run_cost_usd', 'sample_size': 'run_cost_days'},
        {'name': 'human_oversight_cost_usd', 'statistic': 'value', 'unit': 'usd',
         'value': 'oversight_cost_usd', 'sample_size': 'oversight_rows'},
        {'name': 'cost_to_serve_usd', 'statistic': 'ratio', 'unit': 'usd',
         'numerator': 'serve_cost_usd', 'denominator': 'ai_resolved'},
    ]) }}

)

select * from business_metrics
