with source as (

    select * from {{ source('raw', 'experiments') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(experiment_id as {{ dbt.type_string() }}) as experiment_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        {{ hash_pii('unit_id') }} as unit_id,
        cast(variant as {{ dbt.type_string() }}) as variant,
        cast(assigned_at as {{ dbt.type_timestamp() }}) as assigned_at,
        cast(assigned_at as date) as assigned_date
    from source

)

select * from renamed
