with source as (

    select * from {{ source('raw', 'deployments') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(deployed_at as {{ dbt.type_timestamp() }}) as deployed_at,
        cast(deployed_at as date) as deployed_date,
        cast(version as {{ dbt.type_string() }}) as version,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(control_ai_system as {{ dbt.type_string() }}) as control_ai_system
    from source

)

select * from renamed
