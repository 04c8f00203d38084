with source as (

    select * from {{ source('raw', 'llm_calls') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(span_id as {{ dbt.type_string() }}) as span_id,
        cast(trace_id as {{ dbt.type_string() }}) as trace_id,
        cast(parent_span_id as {{ dbt.type_string() }}) as parent_span_id,
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(operation as {{ dbt.type_string() }}) as operation,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(started_at as date) as started_date,
        cast(duration_ms as {{ type_double() }}) as duration_ms,
        cast(input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast(status as {{ dbt.type_string() }}) as status,
        status = 'error' as is_error,
        operation in ('execute_tool', 'invoke_agent') as is_action,
        cast(error_type as {{ dbt.type_string() }}) as error_type,
        cast(tool_name as {{ dbt.type_string() }}) as tool_name,
        cast(action_correct as {{ dbt.type_boolean() }}) as is_action_correct,
        cast(human_intervened as {{ dbt.type_boolean() }}) as is_human_intervened,
        cast(guardrail_triggered as {{ dbt.type_boolean() }}) as is_guardrail_triggered,
        cast(logprob_sum as {{ type_double() }}) as logprob_sum,
        cast(logprob_tokens as {{ dbt.type_bigint() }}) as logprob_tokens,
        cast(cost_usd as {{ type_double() }}) as cost_usd
    from source

)

select * from renamed
