{{ config(
    materialized='incremental',
    **replace_periods_config(['charge_start_date'], looks_ahead=false)
) }}

-- One row per cost row and UTC day its charge period [start, end) touches: the amount that
-- counts (cost, in billing_currency: int_costs_classified) split equally over those days, and
-- each day's share converted to USD at the latest FX rate on or before that day (USD is 1 on
-- every day). A share without a rate, or of a row without a cost, keeps a null amount_usd.
-- Incremental runs rebuild the cost rows whose charge period starts on a recomputed day.

with costs as (

    select * from {{ ref('int_costs_classified') }}
    where {{ in_recompute_days('charge_start_date') }}

),

bounds as (

    select
        costs.*,
        -- The last day the period touches: an end at midnight does not touch its own day.
        case
            when costs.charge_period_end
                = cast(cast(costs.charge_period_end as date) as {{ dbt.type_timestamp() }})
                then cast({{ dbt.dateadd(
                    'day', -1, 'cast(costs.charge_period_end as date)'
                ) }} as date)
            else cast(costs.charge_period_end as date)
        end as last_day
    from costs

),

measured as (

    select
        bounds.*,
        -- LT05 is off here: it measures the multi-line SQL dbt.datediff renders, not this line.
        {{ dbt.datediff('charge_start_date', 'last_day', 'day') }} + 1 as days_touched  -- noqa: LT05
    from bounds

),

digits as (

    select 0 as digit
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9

),

-- 0 .. 9999: a charge period may touch up to 10,000 days (27 years).
day_offsets as (

    select
        ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit
            as day_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

spread as (

    select
        measured.cost_id,
        measured.ai_system,
        measured.cost_type,
        measured.service_name,
        measured.provider_name,
        measured.charge_start_date,
        cast(
            {{ dbt.dateadd('day', 'day_offsets.day_offset', 'measured.charge_start_date') }} as date
        ) as cost_date,
        measured.days_touched,
        measured.billing_currency,
        measured.cost_column,
        measured.cost,
        measured.cost / measured.days_touched as cost_share
    from measured
    inner join day_offsets
        on day_offsets.day_offset < measured.days_touched

),

converted as (

    select
        spread.*,
        fx.usd_rate,
        spread.cost_share * fx.usd_rate as amount_usd
    from spread
    left join {{ ref('int_fx_rate_periods') }} as fx
        on fx.currency = spread.billing_currency
        and {{ valid_on('fx', 'spread.cost_date') }}

)

select * from converted
