with source as (

    select * from {{ source('raw', 'predictions') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(prediction_id as {{ dbt.type_string() }}) as prediction_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(task as {{ dbt.type_string() }}) as task,
        cast(predicted_at as {{ dbt.type_timestamp() }}) as predicted_at,
        cast(predicted_at as date) as predicted_date,
        cast(predicted_label as {{ dbt.type_string() }}) as predicted_label,
        cast(actual_label as {{ dbt.type_string() }}) as actual_label,
        cast(score as {{ type_double() }}) as score,
        cast(predicted_value as {{ type_double() }}) as predicted_value,
        cast(actual_value as {{ type_double() }}) as actual_value,
        cast({{ adapter.quote('group') }} as {{ dbt.type_string() }}) as sensitive_group
    from source

)

select * from renamed
