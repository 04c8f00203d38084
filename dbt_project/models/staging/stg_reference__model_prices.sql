-- The user's override (<landing>/reference/model_prices.csv, loaded as text) when it has rows, else
-- the seed of defaults: an override replaces the whole table.
with override as (

    select
        cast(nullif(trim(provider), '') as {{ dbt.type_string() }}) as provider,
        cast(nullif(trim(model), '') as {{ dbt.type_string() }}) as model,
        cast(nullif(trim(input_usd_per_1k), '') as {{ type_double() }}) as input_usd_per_1k,
        cast(nullif(trim(output_usd_per_1k), '') as {{ type_double() }}) as output_usd_per_1k,
        cast(nullif(trim(valid_from), '') as date) as valid_from
    from {{ source('raw', 'reference_model_prices') }}

),

seed as (

    select
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(input_usd_per_1k as {{ type_double() }}) as input_usd_per_1k,
        cast(output_usd_per_1k as {{ type_double() }}) as output_usd_per_1k,
        cast(valid_from as date) as valid_from
    from {{ ref('model_prices') }}

),

chosen as (

    select * from override
    union all
    select * from seed
    where not exists (select 1 from override)

)

select * from chosen
