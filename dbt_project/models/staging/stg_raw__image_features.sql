with source as (

    select * from {{ source('raw', 'image_features') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(feature_id as {{ dbt.type_string() }}) as feature_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(created_at as date) as created_date,
        -- `set` is an SQL keyword: feature_set from here on.
        cast({{ adapter.quote('set') }} as {{ dbt.type_string() }}) as feature_set,
        -- The contract's name, although sqlfluff's DuckDB dialect counts it as a keyword.
        cast(vector as {{ type_double_array() }}) as vector  -- noqa: RF04
    from source

)

select * from renamed
