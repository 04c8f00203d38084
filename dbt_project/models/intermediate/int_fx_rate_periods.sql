{{ config(materialized='view') }}

-- Each FX rate with the days it applies to: an amount on a day uses the latest rate on or before
-- that day, so a rate holds from its own date until the next rate of its currency (valid_until,
-- exclusive; null for the latest). USD needs no rate: it converts at 1 on every day, whatever
-- the rate table says about it (the shipped rates start on 2025-01-01, and a USD amount of an
-- earlier day is still a USD amount).

with rates as (

    select
        currency,
        rate_date as valid_from,
        lead(rate_date) over (partition by currency order by rate_date) as valid_until,
        usd_rate
    from {{ ref('stg_reference__fx_rates') }}
    where currency is null or currency <> 'USD'

),

with_usd as (

    select * from rates
    union all
    select
        cast('USD' as {{ dbt.type_string() }}) as currency,
        cast(null as date) as valid_from,
        cast(null as date) as valid_until,
        cast(1.0 as {{ type_double() }}) as usd_rate

)

select * from with_usd
