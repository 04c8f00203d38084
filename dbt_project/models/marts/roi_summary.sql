-- Return on AI investment per ai_system (and ALL, the portfolio) and ISO week: the week's costs,
-- value and roai, and the cumulative series since the first deployment with the payback date
-- once cumulative value has caught up with cumulative investment. From the day values of
-- int_business_value_daily (see there for value, investment and the baseline); a table, since
-- every week's cumulative sums read the weeks before it.

with days as (

    select
        *,
        cast({{ dbt.date_trunc('week', 'business_date') }} as date) as week_start,
        row_number() over (
            partition by ai_system, cast({{ dbt.date_trunc('week', 'business_date') }} as date)
            order by business_date desc
        ) as days_to_week_end
    from {{ ref('int_business_value_daily') }}

),

weeks as (

    select
        ai_system,
        week_start,
        min(deployed_at) as deployed_at,
        sum(run_cost_usd) as ai_run_cost_usd,
        sum(oversight_cost_usd) as human_oversight_cost_usd,
        sum(implementation_cost_usd) as implementation_cost_usd,
        sum(investment_usd) as investment_usd,
        sum(ai_resolved) as ai_resolved,
        sum(cost_avoided_usd) as cost_avoided_usd,
        sum(cost_reduction_usd) as cost_reduction_usd,
        sum(revenue_value_usd) as revenue_value_usd,
        -- One source, or 'mixed' when the week has days of two.
        case
            when min(revenue_source) = max(revenue_source) then min(revenue_source)
            when min(revenue_source) is not null then 'mixed'
        end as revenue_source,
        case
            when min(baseline_source) = max(baseline_source) then min(baseline_source)
            when min(baseline_source) is not null then 'mixed'
        end as baseline_source,
        sum(value_usd) as value_usd,
        sum(unpriced_calls) as unpriced_calls,
        sum(unconverted_cost_rows) as unconverted_cost_rows,
        -- The running sums of the week's last day are the week's.
        max(case when days_to_week_end = 1 then cumulative_value_usd end)
            as cumulative_value_usd,
        max(case when days_to_week_end = 1 then cumulative_investment_usd end)
            as cumulative_investment_usd,
        min(payback_date) as payback_date,
        max(case when business_date >= payback_date then time_to_value_days end)
            as time_to_value_days
    from days
    group by 1, 2

),

final as (

    select
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(week_start as date) as week_start,
        cast(deployed_at as {{ dbt.type_timestamp() }}) as deployed_at,
        cast(ai_run_cost_usd as {{ type_double() }}) as ai_run_cost_usd,
        cast(human_oversight_cost_usd as {{ type_double() }}) as human_oversight_cost_usd,
        cast(implementation_cost_usd as {{ type_double() }}) as implementation_cost_usd,
        cast(investment_usd as {{ type_double() }}) as investment_usd,
        cast(ai_resolved as {{ dbt.type_bigint() }}) as ai_resolved,
        cast(baseline_source as {{ dbt.type_string() }}) as baseline_source,
        cast({{ safe_divide('cost_avoided_usd', 'ai_resolved') }} as {{ type_double() }})
            as baseline_cost_per_resolution_usd,
        cast(cost_avoided_usd as {{ type_double() }}) as cost_avoided_usd,
        cast(cost_reduction_usd as {{ type_double() }}) as cost_reduction_usd,
        cast(revenue_source as {{ dbt.type_string() }}) as revenue_source,
        cast(revenue_value_usd as {{ type_double() }}) as revenue_value_usd,
        cast(value_usd as {{ type_double() }}) as value_usd,
        cast(
            {{ safe_divide('value_usd - investment_usd', 'investment_usd') }} as {{ type_double() }}
        )
            as roai,
        cast(cumulative_value_usd as {{ type_double() }}) as cumulative_value_usd,
        cast(cumulative_investment_usd as {{ type_double() }}) as cumulative_investment_usd,
        cast({{ safe_divide(
            'cumulative_value_usd - cumulative_investment_usd', 'cumulative_investment_usd'
        ) }} as {{ type_double() }}) as cumulative_roai,
        cast(case when time_to_value_days is not null then payback_date end as date)
            as payback_date,
        cast(time_to_value_days as {{ dbt.type_bigint() }}) as time_to_value_days,
        cast(unpriced_calls as {{ dbt.type_bigint() }}) as unpriced_calls,
        cast(unconverted_cost_rows as {{ dbt.type_bigint() }}) as unconverted_cost_rows
    from weeks

)

select * from final
