with source as (

    select * from {{ source('raw', 'revenue') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        {{ hash_pii('customer_id') }} as customer_id,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        cast(occurred_at as date) as occurred_date,
        cast(amount as {{ type_double() }}) as amount,
        cast(upper(currency) as {{ dbt.type_string() }}) as currency,
        cast(coalesce(status, 'completed') as {{ dbt.type_string() }}) as status,
        cast(attributed_conversation_id as {{ dbt.type_string() }}) as attributed_conversation_id
    from source

)

select * from renamed
