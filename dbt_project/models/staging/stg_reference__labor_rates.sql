-- The user's override (<landing>/reference/labor_rates.csv, loaded as text) when it has rows, else
-- the seed of defaults: an override replaces the whole table.
with override as (

    select
        cast(nullif(trim(role), '') as {{ dbt.type_string() }}) as role,
        cast(nullif(trim(hourly_usd), '') as {{ type_double() }}) as hourly_usd,
        cast(nullif(trim(valid_from), '') as date) as valid_from
    from {{ source('raw', 'reference_labor_rates') }}

),

seed as (

    select
        cast(role as {{ dbt.type_string() }}) as role,
        cast(hourly_usd as {{ type_double() }}) as hourly_usd,
        cast(valid_from as date) as valid_from
    from {{ ref('labor_rates') }}

),

chosen as (

    select * from override
    union all
    select * from seed
    where not exists (select 1 from override)

)

select * from chosen
