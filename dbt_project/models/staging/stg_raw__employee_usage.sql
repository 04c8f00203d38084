with source as (

    select * from {{ source('raw', 'employee_usage') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        {{ hash_pii('employee_id') }} as employee_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(usage_date as date) as usage_date,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(minutes_saved as {{ type_double() }}) as minutes_saved,
        cast(satisfaction as {{ type_double() }}) as satisfaction
    from source

)

select * from renamed
