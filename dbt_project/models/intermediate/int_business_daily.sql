{{ config(
    materialized='incremental',
    **replace_periods_config(['business_date'], window={'days_from': 'business_date'})
) }}
-- depends_on: {{ ref('stg_reference__experiment_settings') }}

-- The business inputs per ai_system and UTC day (business_date): costs, the conversations that
-- started that day, attributed revenue by its occurred_at day, and the experiment units assigned
-- that day with their revenue in the conversion window. Sums only; the value model and the
-- business family read this table instead of the per-row models. Untagged costs count under
-- 'unallocated'. Incremental runs rebuild every day from the first recomputed day minus the
-- longest conversion window on, the default's included (an order settles the revenue of units
-- assigned that long ago).

{%- set lookback_days = [
    var('fcr_lookahead_days') | int, var('default_conversion_window_days') | int
] %}
{%- if execute and is_incremental() %}
    {%- set windows = run_query(
        'select max(conversion_window_days) from ' ~ ref('stg_reference__experiment_settings')
    ) %}
    {%- if windows.rows[0][0] is not none %}
        {%- do lookback_days.append(windows.rows[0][0] | int) %}
    {%- endif %}
{%- endif %}
{%- set lookback = lookback_days | max %}

with costs as (

    select
        ai_system,
        cost_date as business_date,
        sum(case when cost_type = 'ai_inference' then amount_usd end) as billed_inference_usd,
        {{ count_if("cost_type = 'ai_inference'") }} as inference_bill_rows,
        sum(case when cost_type = 'ai_platform' then amount_usd end) as billed_platform_usd,
        sum(case when cost_type = 'ai_implementation' then amount_usd end)
            as implementation_cost_usd,
        -- Shares of a currency without an FX rate: left out of every sum, counted here.
        {{ count_if('amount_usd is null') }} as unconverted_cost_rows
    from {{ ref('int_costs_spread') }}
    where {{ on_or_after_recompute_start('cost_date', lookback_days=lookback) }}
    group by 1, 2

),

calls as (

    select
        ai_system,
        started_date as business_date,
        sum(inference_cost_usd) as computed_inference_usd,
        {{ count_if('is_unpriced') }} as unpriced_calls
    from {{ ref('int_llm_calls_priced') }}
    where {{ on_or_after_recompute_start('started_date', lookback_days=lookback) }}
    group by 1, 2

),

conversations as (

    select
        ai_system,
        started_date as business_date,
        count(*) as conversations,
        {{ count_if('is_resolved') }} as resolved,
        {{ count_if('is_ai_involved') }} as ai_conversations,
        {{ count_if('is_ai_involved and is_resolved') }} as ai_resolved,
        sum(case when is_ai_involved then human_handle_cost_usd end) as oversight_cost_usd,
        {{ count_if('is_ai_involved and human_handle_cost_usd is not null') }} as oversight_rows,
        sum(human_handle_cost_usd) as labor_cost_usd,
        {{ count_if('human_handle_cost_usd is not null') }} as labor_rows,
        {{ count_if('not is_ai_involved') }} as human_only_conversations,
        sum(case when not is_ai_involved then human_handle_cost_usd end)
            as human_only_labor_cost_usd,
        {{ count_if('not is_ai_involved and human_handle_cost_usd is not null') }}
            as human_only_labor_rows,
        {{ count_if('not is_ai_involved and is_resolved and human_handle_cost_usd is not null') }}
            as human_only_costed_resolved
    from {{ ref('int_conversations_enriched') }}
    where {{ on_or_after_recompute_start('started_date', lookback_days=lookback) }}
    group by 1, 2

),

revenue as (

    select
        attributed_ai_system as ai_system,
        occurred_date as business_date,
        sum(counted_usd) as attributed_revenue_usd,
        count(counted_usd) as attributed_orders
    from {{ ref('int_revenue_usd') }}
    where attributed_ai_system is not null
        and {{ on_or_after_recompute_start('occurred_date', lookback_days=lookback) }}
    group by 1, 2

),

experiment_units as (

    select
        ai_system,
        assigned_date as business_date,
        {{ count_if("variant = 'treatment'") }} as treatment_units,
        {{ count_if("variant = 'control'") }} as control_units,
        sum(case when variant = 'treatment' then revenue_usd end) as treatment_revenue_usd,
        sum(case when variant = 'control' then revenue_usd end) as control_revenue_usd
    from {{ ref('int_experiment_units') }}
    where not is_in_both_variants
        and {{ on_or_after_recompute_start('assigned_date', lookback_days=lookback) }}
    group by 1, 2

),

keys as (

    select
        ai_system,
        business_date
    from costs
    union
    select
        ai_system,
        business_date
    from calls
    union
    select
        ai_system,
        business_date
    from conversations
    union
    select
        ai_system,
        business_date
    from revenue
    union
    select
        ai_system,
        business_date
    from experiment_units

),

daily as (

    select
        keys.ai_system,
        keys.business_date,
        costs.billed_inference_usd,
        costs.billed_platform_usd,
        costs.implementation_cost_usd,
        calls.computed_inference_usd,
        conversations.oversight_cost_usd,
        conversations.labor_cost_usd,
        conversations.human_only_labor_cost_usd,
        revenue.attributed_revenue_usd,
        experiment_units.treatment_revenue_usd,
        experiment_units.control_revenue_usd,
        coalesce(costs.inference_bill_rows, 0) as inference_bill_rows,
        coalesce(costs.unconverted_cost_rows, 0) as unconverted_cost_rows,
        coalesce(calls.unpriced_calls, 0) as unpriced_calls,
        -- Billed inference where a bill covers the (ai_system, day), else the calls' token cost;
        -- plus the platform charge. Null when the day has neither.
        case
            when coalesce(costs.inference_bill_rows, 0) > 0 then costs.billed_inference_usd
            else calls.computed_inference_usd
        end as inference_cost_usd,
        coalesce(conversations.conversations, 0) as conversations,
        coalesce(conversations.resolved, 0) as resolved,
        coalesce(conversations.ai_conversations, 0) as ai_conversations,
        coalesce(conversations.ai_resolved, 0) as ai_resolved,
        coalesce(conversations.oversight_rows, 0) as oversight_rows,
        coalesce(conversations.labor_rows, 0) as labor_rows,
        coalesce(conversations.human_only_conversations, 0) as human_only_conversations,
        coalesce(conversations.human_only_labor_rows, 0) as human_only_labor_rows,
        coalesce(conversations.human_only_costed_resolved, 0) as human_only_costed_resolved,
        coalesce(revenue.attributed_orders, 0) as attributed_orders,
        coalesce(experiment_units.treatment_units, 0) as treatment_units,
        coalesce(experiment_units.control_units, 0) as control_units
    from keys
    left join costs
        on costs.ai_system = keys.ai_system and costs.business_date = keys.business_date
    left join calls
        on calls.ai_system = keys.ai_system and calls.business_date = keys.business_date
    left join conversations
        on conversations.ai_system = keys.ai_system
        and conversations.business_date = keys.business_date
    left join revenue
        on revenue.ai_system = keys.ai_system and revenue.business_date = keys.business_date
    left join experiment_units
        on experiment_units.ai_system = keys.ai_system
        and experiment_units.business_date = keys.business_date

),

final as (

    select
        daily.*,
        case
            when daily.billed_platform_usd is null and daily.inference_cost_usd is null then null
            else coalesce(daily.billed_platform_usd, 0) + coalesce(daily.inference_cost_usd, 0)
        end as run_cost_usd
    from daily

)

select * from final
