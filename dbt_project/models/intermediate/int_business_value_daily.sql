-- What each program's AI is worth per UTC day, and since when it pays (one row per ai_system and
-- business_date of int_business_daily, plus the portfolio as ai_system 'ALL'):
--   baseline cost per resolution: the program's cost per resolved contact (AI run cost + human
--     labour of every contact, / resolved contacts) in the prepost_window_days before its first
--     deployment, from that deployment on; before it (or without a usable pre-window) the day's
--     concurrent human-only contacts (their labour cost / those resolved);
--   cost_avoided_usd = baseline x AI conversations resolved: what those resolutions would have
--     cost; cost_reduction_usd = cost_avoided - (AI run cost + human oversight cost);
--   revenue_value_usd: on days with experiment units in both arms, the incremental revenue of
--     the units assigned that day (treatment revenue - treatment units x control revenue per
--     control unit, the day being the stratum); else the revenue attributed to AI conversations;
--   investment_usd = AI run cost + human oversight cost + implementation costs;
--   value_usd = cost_avoided + revenue_value, so that value - investment counts the run costs
--     once (the specified value = cost_reduction + revenue would subtract them twice);
--   cumulative sums from the first deployment's day (the first day with data without one), the
--     payback date (first day cumulative value >= cumulative investment) and time_to_value_days.
-- A table rebuilt on every run: one row per program and day, and cumulative sums need them all.

with daily as (

    select * from {{ ref('int_business_daily') }}

),

prepost_window as (

    select cast(setting_value as {{ dbt.type_int() }}) as prepost_window_days
    from {{ ref('stg_reference__settings') }}
    where setting_name = 'prepost_window_days'

),

first_deployments as (

    select
        ai_system,
        min(deployed_at) as deployed_at,
        min(deployed_date) as deployed_date
    from {{ ref('stg_raw__deployments') }}
    group by 1

),

pre_deployment_baselines as (

    select
        first_deployments.ai_system,
        {{ safe_divide(
            'sum(coalesce(daily.run_cost_usd, 0) + coalesce(daily.labor_cost_usd, 0))',
            'sum(daily.resolved)'
        ) }} as baseline_cost_per_resolution_usd
    from first_deployments
    cross join prepost_window
    inner join daily
        on daily.ai_system = first_deployments.ai_system
        and daily.business_date < first_deployments.deployed_date
        and daily.business_date >= {{ dbt.dateadd(
            'day', '-prepost_window.prepost_window_days', 'first_deployments.deployed_date'
        ) }}
    group by 1

),

valued as (

    select
        daily.*,
        first_deployments.deployed_at,
        first_deployments.deployed_date,
        case
            when daily.business_date >= first_deployments.deployed_date
                and pre_deployment_baselines.baseline_cost_per_resolution_usd is not null
                then 'pre_deployment'
            when daily.human_only_costed_resolved > 0 then 'concurrent_human'
        end as baseline_source,
        case
            when daily.business_date >= first_deployments.deployed_date
                and pre_deployment_baselines.baseline_cost_per_resolution_usd is not null
                then pre_deployment_baselines.baseline_cost_per_resolution_usd
            else {{ safe_divide(
                'daily.human_only_labor_cost_usd', 'daily.human_only_costed_resolved'
            ) }}
        end as baseline_cost_per_resolution_usd,
        case
            when daily.run_cost_usd is not null or daily.oversight_cost_usd is not null
                then coalesce(daily.run_cost_usd, 0) + coalesce(daily.oversight_cost_usd, 0)
        end as serve_cost_usd,
        case
            when daily.treatment_units > 0 and daily.control_units > 0 then 'experiment'
            when daily.attributed_revenue_usd is not null then 'attributed'
        end as revenue_source
    from daily
    left join first_deployments
        on first_deployments.ai_system = daily.ai_system
    left join pre_deployment_baselines
        on pre_deployment_baselines.ai_system = daily.ai_system

),

program_days as (

    select
        valued.*,
        case
            when valued.ai_resolved > 0
                then valued.baseline_cost_per_resolution_usd * valued.ai_resolved
        end as cost_avoided_usd,
        case valued.revenue_source
            when 'experiment'
                then coalesce(valued.treatment_revenue_usd, 0)
                    - valued.treatment_units
                    * coalesce(valued.control_revenue_usd, 0) / valued.control_units
            when 'attributed' then valued.attributed_revenue_usd
        end as revenue_value_usd,
        case
            when valued.serve_cost_usd is not null or valued.implementation_cost_usd is not null
                then coalesce(valued.serve_cost_usd, 0)
                    + coalesce(valued.implementation_cost_usd, 0)
        end as investment_usd
    from valued

),

program_values as (

    select
        program_days.*,
        program_days.cost_avoided_usd - coalesce(program_days.serve_cost_usd, 0)
            as cost_reduction_usd,
        case
            when program_days.cost_avoided_usd is not null
                or program_days.revenue_value_usd is not null
                then coalesce(program_days.cost_avoided_usd, 0)
                    + coalesce(program_days.revenue_value_usd, 0)
        end as value_usd
    from program_days

),

portfolio as (

    select
        cast('ALL' as {{ dbt.type_string() }}) as ai_system,
        business_date,
        sum(run_cost_usd) as run_cost_usd,
        sum(oversight_cost_usd) as oversight_cost_usd,
        sum(implementation_cost_usd) as implementation_cost_usd,
        sum(ai_resolved) as ai_resolved,
        sum(unpriced_calls) as unpriced_calls,
        sum(unconverted_cost_rows) as unconverted_cost_rows,
        sum(cost_avoided_usd) as cost_avoided_usd,
        sum(cost_reduction_usd) as cost_reduction_usd,
        sum(revenue_value_usd) as revenue_value_usd,
        sum(investment_usd) as investment_usd,
        sum(value_usd) as value_usd
    from program_values
    group by 2

),

portfolio_deployment as (

    select
        min(deployed_at) as deployed_at,
        min(deployed_date) as deployed_date
    from first_deployments

),

both_levels as (

    select
        ai_system,
        business_date,
        run_cost_usd,
        oversight_cost_usd,
        implementation_cost_usd,
        ai_resolved,
        unpriced_calls,
        unconverted_cost_rows,
        baseline_source,
        baseline_cost_per_resolution_usd,
        revenue_source,
        cost_avoided_usd,
        cost_reduction_usd,
        revenue_value_usd,
        investment_usd,
        value_usd,
        deployed_at,
        deployed_date
    from program_values
    union all
    select
        portfolio.ai_system,
        portfolio.business_date,
        portfolio.run_cost_usd,
        portfolio.oversight_cost_usd,
        portfolio.implementation_cost_usd,
        portfolio.ai_resolved,
        portfolio.unpriced_calls,
        portfolio.unconverted_cost_rows,
        cast(null as {{ dbt.type_string() }}) as baseline_source,
        cast(null as {{ type_double() }}) as baseline_cost_per_resolution_usd,
        cast(null as {{ dbt.type_string() }}) as revenue_source,
        portfolio.cost_avoided_usd,
        portfolio.cost_reduction_usd,
        portfolio.revenue_value_usd,
        portfolio.investment_usd,
        portfolio.value_usd,
        portfolio_deployment.deployed_at,
        portfolio_deployment.deployed_date
    from portfolio
    cross join portfolio_deployment

),

cumulative as (

    select
        both_levels.*,
        coalesce(
            both_levels.deployed_date,
            min(both_levels.business_date) over (partition by both_levels.ai_system)
        ) as since_date
    from both_levels

),

-- The days since the deployment, with the value and investment they add to the running sums.
counted as (

    select
        cumulative.*,
        case
            when cumulative.business_date >= cumulative.since_date
                then coalesce(cumulative.value_usd, 0)
        end as counted_value_usd,
        case
            when cumulative.business_date >= cumulative.since_date
                then coalesce(cumulative.investment_usd, 0)
        end as counted_investment_usd
    from cumulative

),

running as (

    select
        counted.*,
        -- Null before the deployment: a running sum of nulls stays null.
        sum(counted.counted_value_usd) over since_start as cumulative_value_usd,
        sum(counted.counted_investment_usd) over since_start as cumulative_investment_usd,
        count(counted.counted_value_usd) over since_start as days_since_deployment
    from counted
    window since_start as (
        partition by counted.ai_system
        order by counted.business_date
        rows unbounded preceding
    )

),

paid_back as (

    select
        running.*,
        min(
            case
                when running.cumulative_investment_usd > 0
                    and running.cumulative_value_usd >= running.cumulative_investment_usd
                    then running.business_date
            end
        ) over (partition by running.ai_system) as payback_date
    from running

),

final as (

    select
        paid_back.*,
        case
            when paid_back.payback_date is not null
                then {{ dbt.datediff('paid_back.since_date', 'paid_back.payback_date', 'day') }}
        end as time_to_value_days
    from paid_back

)

select * from final
