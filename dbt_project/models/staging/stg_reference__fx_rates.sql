-- The user's override (<landing>/reference/fx_rates.csv, loaded as text) when it has rows, else
-- the seed of defaults: an override replaces the whole table.
with override as (

    select
        cast(upper(nullif(trim(currency), '')) as {{ dbt.type_string() }}) as currency,
        cast(nullif(trim(date), '') as date) as rate_date,
        cast(nullif(trim(usd_rate), '') as {{ type_double() }}) as usd_rate
    from {{ source('raw', 'reference_fx_rates') }}

),

seed as (

    select
        cast(upper(currency) as {{ dbt.type_string() }}) as currency,
        cast(date as date) as rate_date,
        cast(usd_rate as {{ type_double() }}) as usd_rate
    from {{ ref('fx_rates') }}

),

chosen as (

    select * from override
    union all
    select * from seed
    where not exists (select 1 from override)

)

select * from chosen
