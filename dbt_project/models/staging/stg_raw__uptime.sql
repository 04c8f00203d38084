with source as (

    select * from {{ source('raw', 'uptime') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(checked_at as {{ dbt.type_timestamp() }}) as checked_at,
        cast(checked_at as date) as checked_date,
        cast(up as {{ dbt.type_boolean() }}) as is_up
    from source

)

select * from renamed
