with source as (

    select * from {{ source('raw', 'feedback') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(feedback_id as {{ dbt.type_string() }}) as feedback_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(created_at as date) as created_date,
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(kind as {{ dbt.type_string() }}) as kind,
        cast(value as {{ type_double() }}) as value
    from source

)

select * from renamed
