-- Settings merge by name: a user's override (<landing>/reference/settings.csv, loaded as text)
-- replaces the settings it names, and the seed's defaults fill in the rest, so an override file
-- that sets one value does not blank the others.
with override as (

    select
        cast(nullif(trim(name), '') as {{ dbt.type_string() }}) as setting_name,
        cast(nullif(trim(value), '') as {{ dbt.type_string() }}) as setting_value
    from {{ source('raw', 'reference_settings') }}
    where nullif(trim(name), '') is not null

),

seed as (

    select
        cast(name as {{ dbt.type_string() }}) as setting_name,
        cast(value as {{ dbt.type_string() }}) as setting_value
    from {{ ref('settings') }}

),

chosen as (

    select * from override
    union all
    select * from seed
    where seed.setting_name not in (select override.setting_name from override)

)

select * from chosen
