with source as (

    select * from {{ source('raw', 'conversations') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,
        cast(started_at as date) as started_date,
        {{ hash_pii('customer_id') }} as customer_id,
        cast(ai_involved as {{ dbt.type_boolean() }}) as is_ai_involved,
        cast(escalated_to_human as {{ dbt.type_boolean() }}) as is_escalated,
        cast(resolved as {{ dbt.type_boolean() }}) as is_resolved,
        cast(resolved_at as {{ dbt.type_timestamp() }}) as resolved_at,
        cast(coalesce(use_case, 'customer_service') as {{ dbt.type_string() }}) as use_case,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(language as {{ dbt.type_string() }}) as language,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(customer_segment as {{ dbt.type_string() }}) as customer_segment,
        cast(intent as {{ dbt.type_string() }}) as intent,
        cast(coalesce(issue_key, intent) as {{ dbt.type_string() }}) as issue_key,
        cast(customer_group as {{ dbt.type_string() }}) as customer_group,
        cast(task_completed as {{ dbt.type_boolean() }}) as is_task_completed,
        cast(human_handle_seconds as {{ type_double() }}) as human_handle_seconds,
        cast(csat as {{ type_double() }}) as csat,
        cast(sentiment_start as {{ type_double() }}) as sentiment_start,
        cast(sentiment_end as {{ type_double() }}) as sentiment_end,
        cast(case
            when not ai_involved then 'human'
            when escalated_to_human then 'ai_then_human'
            else 'ai'
        end as {{ dbt.type_string() }}) as handled_by
    from source

)

select * from renamed
