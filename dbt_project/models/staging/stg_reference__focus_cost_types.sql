-- The user's override (<landing>/reference/focus_cost_types.csv, loaded as text) when it has
-- rows, else the seed of defaults: an override replaces the whole table. The match values are
-- trimmed and lower-cased, as the FOCUS values they are compared with are (`*` stays `*`).
with override as (

    select
        cast(lower(nullif(trim(charge_category), '')) as {{ dbt.type_string() }})
            as charge_category,
        cast(lower(nullif(trim(service_category), '')) as {{ dbt.type_string() }})
            as service_category,
        cast(lower(nullif(trim(tagged), '')) as {{ dbt.type_string() }}) as tagged,
        cast(lower(nullif(trim(cost_type), '')) as {{ dbt.type_string() }}) as cost_type
    from {{ source('raw', 'reference_focus_cost_types') }}

),

seed as (

    select
        cast(lower(trim(charge_category)) as {{ dbt.type_string() }}) as charge_category,
        cast(lower(trim(service_category)) as {{ dbt.type_string() }}) as service_category,
        cast(lower(trim(tagged)) as {{ dbt.type_string() }}) as tagged,
        cast(lower(trim(cost_type)) as {{ dbt.type_string() }}) as cost_type
    from {{ ref('focus_cost_types') }}

),

chosen as (

    select * from override
    union all
    select * from seed
    where not exists (select 1 from override)

)

select * from chosen
