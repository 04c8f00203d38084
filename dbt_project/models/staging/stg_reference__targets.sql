-- The user's override (<landing>/reference/targets.csv, loaded as text) when it has rows, else
-- the seed of defaults: an override replaces the whole table.
with override as (

    select
        cast(nullif(trim(metric_name), '') as {{ dbt.type_string() }}) as metric_name,
        cast(nullif(trim(ai_system), '') as {{ dbt.type_string() }}) as ai_system,
        cast(nullif(trim(target), '') as {{ type_double() }}) as target,
        cast(lower(nullif(trim(direction), '')) as {{ dbt.type_string() }}) as direction,
        cast(nullif(trim(min_sample_size), '') as {{ dbt.type_bigint() }}) as min_sample_size
    from {{ source('raw', 'reference_targets') }}

),

seed as (

    select
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(target as {{ type_double() }}) as target,
        cast(lower(direction) as {{ dbt.type_string() }}) as direction,
        cast(min_sample_size as {{ dbt.type_bigint() }}) as min_sample_size
    from {{ ref('targets') }}

),

chosen as (

    select * from override
    union all
    select * from seed
    where not exists (select 1 from override)

)

select * from chosen
